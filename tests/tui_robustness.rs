//! The console never panics at any size, and nothing from ticket data can
//! reach the terminal as a control sequence.

mod tui_support;

use refund_desk::tui::theme::Theme;
use tui_support::*;

fn sizes() -> impl Iterator<Item = (u16, u16)> {
    // Every tiny size (where off-by-ones live), then a grid up to 300×100.
    let tiny = (1..=10u16).flat_map(|w| (1..=10u16).map(move |h| (w, h)));
    let ws: Vec<u16> = (11..=300u16)
        .step_by(17)
        .chain([79, 80, 81, 139, 140, 141, 300])
        .collect();
    let grid = ws.into_iter().flat_map(|w| {
        (11..=100u16)
            .step_by(7)
            .chain([24, 40, 100])
            .map(move |h| (w, h))
    });
    tiny.chain(grid)
}

/// Draws at every size of `sizes()` with `keys` pressed first.
fn sweep(keys: &str) {
    sweep_with("", keys)
}

fn sweep_with(extra: &str, keys: &str) {
    let (_dir, store) = store(extra);
    let mut app = app(store);
    press(&mut app, keys);
    for (w, h) in sizes() {
        // Straight into a buffer: the same draw as a frame, minus the terminal.
        app.resize(w, h);
        app.settle();
        let area = ratatui::layout::Rect::new(0, 0, w, h);
        let mut buf = ratatui::buffer::Buffer::empty(area);
        ratatui::widgets::Widget::render(&app, area, &mut buf);
    }
    // Shrinking and growing in one session keeps a selection.
    for (w, h) in [(300, 100), (1, 1), (80, 24), (2, 50), (200, 3)] {
        draw(&mut app, w, h);
    }
    assert!(app.pager.selected().is_some());
}

#[test]
fn resizing_the_list_never_panics() {
    sweep("");
}

#[test]
fn resizing_with_the_menu_open_never_panics() {
    sweep("a");
}

#[test]
fn resizing_with_a_form_open_never_panics() {
    sweep("<S-Tab>tA");
}

#[test]
fn resizing_with_help_open_never_panics() {
    sweep("?");
}

#[test]
fn resizing_while_searching_and_zoomed_never_panics() {
    sweep("/LC");
    sweep("<Enter>L");
}

#[test]
fn resizing_with_a_letter_open_never_panics() {
    sweep_with(EXTRA, "<S-Tab>/JA-3001<Enter>teA<Enter>ym");
}

#[test]
fn resizing_the_dashboard_never_panics() {
    sweep("b");
}

#[test]
fn navigation_at_tiny_sizes_keeps_working() {
    let (_dir, store) = store("");
    let mut app = app(store);
    press(&mut app, "<S-Tab>");
    draw(&mut app, 10, 3);
    press(&mut app, "jjjj<PgDn>G<PgUp>gkk");
    draw(&mut app, 10, 3);
    assert_eq!(app.selected_id().as_deref(), Some("LC-1001"));
}

const HOSTILE: &str = r#"{"id":"EV-1","received_at":"2026-11-03T10:00:00+08:00","product":"lcic","account":{"id":"acct\u001b]0;pwn\u0007","name":"Evil\u001b[2J\u001b[31mCorp\u202e"},"package":{"billing":"monthly","purchased_at":"2026-11-01T09:30:00+08:00","used_units":0},"payment":{"currency":"USD","cash":"10.00"},"reason":"unused","subject":"\u001b[31mred\u001b[0m \u009b31m","description":"line1\nline2\r\u001b[31m\u202eevil\u2066 \u0000\u0008 申请退款","evidence":["\u001b[1mbold"]}"#;

fn assert_clean(text: &str) {
    for c in text.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        assert!(
            (!c.is_control() || c == '\n') && !bidi,
            "control or bidi char {c:?} reached the screen:\n{text}"
        );
    }
}

#[test]
fn no_escape_or_bidi_from_ticket_data_reaches_the_buffer() {
    let (_dir, store) = store(HOSTILE);
    let mut app = app_at(store, NOW, Theme::color());
    press(&mut app, "/EV-1<Enter>");
    assert_eq!(app.selected_id().as_deref(), Some("EV-1"));
    for keys in ["", "<Enter>", "<Enter>t", "R"] {
        press(&mut app, keys);
        for (w, h) in [(80, 24), (120, 40), (200, 60)] {
            let buf = draw(&mut app, w, h);
            for cell in buf.content.iter() {
                assert_clean(cell.symbol());
            }
            let text = refund_desk::tui::ui::buffer_text(&buf);
            assert_clean(&text);
            if keys.is_empty() && w == 200 {
                assert!(text.contains("Evil␛[2J␛[31mCorp"), "{text}");
                assert!(text.contains("申请退款"), "{text}");
            }
        }
    }
}

#[test]
fn snapshot_command_prints_no_escape_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let file = dir.path().join("t.jsonl");
    std::fs::write(&file, format!("{EXAMPLES}\n{HOSTILE}\n")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("refund-desk");
    let st = std::process::Command::new(&bin)
        .args(["--db"])
        .arg(&db)
        .arg("import")
        .arg(&file)
        .env("REFUND_DESK_NOW", NOW)
        .status()
        .unwrap();
    assert!(st.success());
    let out = std::process::Command::new(&bin)
        .arg("--db")
        .arg(&db)
        .args([
            "snapshot",
            "--width",
            "120",
            "--height",
            "40",
            "--keys",
            "<S-Tab>/EV-1<Enter><Enter>",
        ])
        .env("REFUND_DESK_NOW", NOW)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.contains(&0x1b), "ESC byte in snapshot output");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("EV-1") && text.contains("Customer's words"),
        "{text}"
    );
    assert_clean(&text);
}
