//! Shared by the console tests: a database built from the example tickets,
//! an App on it with a pinned clock, and headless rendering.
#![allow(dead_code)]

use chrono::{DateTime, FixedOffset};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::store::{ImportOptions, Store};
use refund_desk::tui::app::App;
use refund_desk::tui::keymap::{Key, Keymap};
use refund_desk::tui::theme::Theme;

pub const EXAMPLES: &str = include_str!("../fixtures/examples/tickets.jsonl");

/// The clock the snapshots are taken at.
pub const NOW: &str = "2026-11-05T10:00:00+08:00";

pub fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

/// A fresh database (creator "alice", so a supervisor) with the examples
/// and `extra` JSON lines imported.
pub fn store(extra: &str) -> (tempfile::TempDir, Store) {
    // The store stamps import events with `store::now()`: pin it too. Every
    // test sets the same value, so threads racing here agree.
    std::env::set_var("REFUND_DESK_NOW", NOW);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(
        &dir.path().join("desk.db"),
        Policy::builtin(),
        Calendar::builtin_default(),
        "alice",
    )
    .unwrap();
    let text = format!("{EXAMPLES}\n{extra}\n");
    let report = store
        .import(
            "test",
            text.as_bytes(),
            ImportOptions::default(),
            |r| panic!("{r:?}"),
            |_| {},
        )
        .unwrap();
    assert!(report.added > 20);
    (dir, store)
}

pub fn app_at(store: Store, now: &str, theme: Theme) -> App {
    App::new(store, Keymap::default(), theme, at(now))
}

pub fn app(store: Store) -> App {
    app_at(store, NOW, Theme::color())
}

/// Feeds keys as the snapshot command does.
pub fn press(app: &mut App, keys: &str) {
    for k in Key::parse_seq(keys).unwrap() {
        app.handle_key(k);
        app.settle();
    }
}

pub fn draw(app: &mut App, w: u16, h: u16) -> Buffer {
    app.resize(w, h);
    app.settle();
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| f.render_widget(&*app, f.area())).unwrap();
    t.backend().buffer().clone()
}

pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    refund_desk::tui::ui::buffer_text(&draw(app, w, h))
}

/// (x, y) of the first cell where `needle` starts on row `y` containing `row_marker`.
pub fn find(buf: &Buffer, row_marker: &str, needle: &str) -> Option<(u16, u16)> {
    let text = refund_desk::tui::ui::buffer_text(buf);
    for (y, line) in text.lines().enumerate() {
        if !line.contains(row_marker) {
            continue;
        }
        // Walk cells, as the columns of wide glyphs differ from char indices.
        let mut x = 0u16;
        let mut s = String::new();
        let mut starts = Vec::new();
        while x < buf.area.width {
            let sym = buf[(x, y as u16)].symbol().to_string();
            starts.push((s.len(), x));
            let w = unicode_width::UnicodeWidthStr::width(sym.as_str()).max(1) as u16;
            s.push_str(&sym);
            x += w;
        }
        if let Some(byte) = s.find(needle) {
            let x = starts.iter().find(|(b, _)| *b == byte).map(|(_, x)| *x)?;
            return Some((x, y as u16));
        }
    }
    None
}
