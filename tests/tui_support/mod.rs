//! Shared by the console tests: a database built from the example tickets,
//! an App on it with a pinned clock, and headless rendering.
#![allow(dead_code)]

use chrono::{DateTime, FixedOffset};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::store::{Clock, DeskKind, ImportOptions, Store};
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
    // The store stamps import events with its clock: a test desk, pinned.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(
        &dir.path().join("desk.db"),
        Policy::builtin(),
        Calendar::builtin_default(),
        "alice",
        DeskKind::Test,
        Clock::Pinned(at(NOW)),
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

/// Feeds keys as the snapshot command does, then pauses as a typist does
/// (the queue counts a narrowing key left owed are counted then).
pub fn press(app: &mut App, keys: &str) {
    press_without_pause(app, keys);
    while app.count_owed() {}
}

/// Feeds keys with no pause after them.
pub fn press_without_pause(app: &mut App, keys: &str) {
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
    // As the loop does: the operator has now seen this frame.
    app.drawn();
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

/// One workflow action as the store's operator ("alice"), at `NOW`.
pub fn act(store: &mut Store, id: &str, action: refund_desk::domain::workflow::Action) {
    let actor = store.actor().unwrap();
    store
        .act(id, &action, &actor, None, at(NOW))
        .unwrap_or_else(|e| panic!("{id} {}: {e}", action.name()));
}

pub fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}

/// A Japanese LCIC ticket (full refund) and a Korean live-streaming one
/// whose quality gap both parties confirmed (negotiate, ceiling 48000.00).
pub const EXTRA: &str = concat!(
    r#"{"id":"JA-3001","received_at":"2026-11-04T10:00:00+08:00","product":"lcic","account":{"id":"300400500","name":"さくら学院"},"package":{"billing":"monthly","purchased_at":"2026-11-02T10:00:00+08:00"},"payment":{"currency":"JPY","cash":"9000.00"},"reason":"unused","contact":{"language":"ja"},"subject":"返金申請","description":"未使用です。"}"#,
    "\n",
    r#"{"id":"LV-9001","received_at":"2026-11-02T10:00:00+08:00","product":"live","account":{"id":"900900900","name":"한빛미디어 주식회사"},"package":{"name":"Live Global","billing":"contract","activated_at":"2026-09-01T00:00:00+08:00","term_days":365,"used_units":10,"total_units":100},"contract":{"number":"K-77","signed_at":"2026-08-25T00:00:00+08:00"},"incident":{"started_at":"2026-10-20T00:00:00+08:00","quality_gap_confirmed":true},"payment":{"currency":"USD","cash":"48000.00"},"reason":"quality","contact":{"language":"ko"},"subject":"화질 저하","description":"계약된 품질 지표에 미달했습니다."}"#,
);

/// LV-9001 taken to negotiation: approved 5000, appealed at 20000, a desk
/// offer of 8000 and a customer counter-offer of 15000, then an agreement
/// at 12000 that is above the threshold, so it waits for a second person.
pub fn negotiation(store: &mut Store) {
    use refund_desk::domain::workflow::{Action as Wf, Party};
    let id = "LV-9001";
    act(store, id, Wf::Take);
    act(store, id, Wf::Evaluate);
    act(
        store,
        id,
        Wf::Approve {
            amount: Some(dec("5000.00")),
            note: Some("gap confirmed for 10 days".into()),
        },
    );
    act(
        store,
        id,
        Wf::Appeal {
            amount: Some(dec("20000.00")),
            note: Some("the whole quarter was degraded".into()),
        },
    );
    act(
        store,
        id,
        Wf::Offer {
            amount: dec("8000.00"),
            party: Party::Desk,
            note: Some("two weeks of the term".into()),
        },
    );
    act(
        store,
        id,
        Wf::Offer {
            amount: dec("15000.00"),
            party: Party::Customer,
            note: None,
        },
    );
    act(
        store,
        id,
        Wf::Agree {
            amount: Some(dec("12000.00")),
            note: Some("met in the middle".into()),
        },
    );
}
