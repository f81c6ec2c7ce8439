//! Invisible and separator characters in customer text (zero-width spaces
//! and joiners, direction marks, embeddings, overrides and isolates, line
//! and paragraph separators, invisible operators, the byte-order mark)
//! never reach a screen or a letter raw: `show`, `list`, `letter`, the
//! console's list and detail and `snapshot` show visible stand-ins, and the
//! JSON outputs write them as `\u` escapes of the same value. Letters are
//! filled in one pass, so customer text is never expanded as a placeholder.

mod common;
mod tui_support;

use common::Desk;
use serde_json::{json, Value};

/// Every character the filter must catch, by code point (kept apart from
/// the code under test on purpose).
const INVISIBLE: &[u32] = &[
    0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
    0xfeff, 0x061c, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
];

fn all_invisible() -> String {
    INVISIBLE
        .iter()
        .filter_map(|u| char::from_u32(*u))
        .collect()
}

#[track_caller]
fn assert_none_raw(what: &str, s: &str) {
    if let Some((at, c)) = s
        .char_indices()
        .find(|(_, c)| INVISIBLE.contains(&(*c as u32)))
    {
        panic!(
            "{what}: U+{:04X} at byte {at} reaches the terminal raw: {:?}",
            c as u32,
            &s[at.saturating_sub(30)..(at + 30).min(s.len())]
        );
    }
}

fn ticket(id: &str, name: &str, subject: &str) -> String {
    json!({"id": id, "received_at": "2026-11-04T10:00:00+08:00", "product": "lcic",
        "account": {"id": format!("acc-{id}"), "name": name}, "reason": "unused",
        "package": {"billing": "monthly", "purchased_at": "2026-11-03T10:00:00+08:00"},
        "payment": {"currency": "USD", "cash": "90.00"},
        "subject": subject, "description": format!("words{}end", all_invisible())})
    .to_string()
}

#[test]
fn command_line_outputs_show_stand_ins_and_json_escapes() {
    let desk = Desk::new();
    let name = format!("Zero\u{200d}Width{}Ltd", all_invisible());
    let subject = "line\u{2028}para\u{2029}bom\u{feff}end";
    let (code, _, err) = desk.import("z.jsonl", &(ticket("ZW-1", &name, subject) + "\n"));
    assert_eq!(code, 0, "{err}");
    for a in ["take", "approve"] {
        assert_eq!(desk.act("ZW-1", &[a]).0, 0);
    }
    for args in [
        &["show", "ZW-1"][..],
        &["list"],
        &["letter", "ZW-1"],
        &["show", "ZW-1", "--json"],
        &["list", "--json"],
        &[
            "snapshot",
            "--width",
            "120",
            "--height",
            "40",
            "--keys",
            "<S-Tab><Enter>",
        ],
    ] {
        let (code, out, err) = desk.run(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert_none_raw(&format!("{args:?}"), &out);
    }
    let (_, out, _) = desk.run(&["show", "ZW-1"]);
    assert!(out.contains("Zero�Width"), "a visible stand-in: {out}");
    assert!(out.contains("line⏎para⏎bom�end"), "{out}");
    // The JSON is the same value: the customer's words, exactly.
    let shown = desk.show("ZW-1");
    assert_eq!(shown["ticket"]["account"]["name"], json!(name));
    assert_eq!(shown["ticket"]["subject"], json!(subject));
    let (_, out, _) = desk.run(&["list", "--json"]);
    let rows: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["customer"], json!(name));
}

#[test]
fn a_zero_width_joiner_in_a_name_does_not_shift_the_console_row() {
    // Two tickets alike but for a U+200D in the name; the real terminal
    // draws what the buffer holds, so the buffer must hold no invisible
    // character and the columns after the name must line up.
    let extra = [
        ticket("ZW-1", "Zero\u{200d}Width Ltd", "s\u{200b}"),
        ticket("ZW-2", "Zero-Width Ltd", "s-"),
    ]
    .join("\n");
    let (_dir, store) = tui_support::store(&extra);
    let mut app = tui_support::app(store);
    tui_support::press(&mut app, "<S-Tab>/Zero<Enter>");
    let buf = tui_support::draw(&mut app, 120, 40);
    let text = refund_desk::tui::ui::buffer_text(&buf);
    assert_none_raw("console list", &text);
    for cell in buf.content() {
        assert_none_raw("a cell", cell.symbol());
    }
    let (x1, y1) = tui_support::find(&buf, "ZW-1", "Ltd").expect("ZW-1 row");
    let (x2, y2) = tui_support::find(&buf, "ZW-2", "Ltd").expect("ZW-2 row");
    assert_ne!(y1, y2);
    assert_eq!(x1, x2, "the name's row is shifted:\n{text}");
    let row = |y: u16| text.lines().nth(y as usize).unwrap().to_string();
    assert_eq!(
        row(y1).replace("ZW-1", "ZW-2").replace('�', "-"),
        row(y2),
        "rows differ beyond the stand-in"
    );
    // The detail of the selected ticket, beside the list and zoomed.
    for _ in 0..2 {
        if app.pager.selected().is_some_and(|r| r.id == "ZW-1") {
            break;
        }
        tui_support::press(&mut app, "j");
    }
    assert_eq!(app.pager.selected().map(|r| r.id.as_str()), Some("ZW-1"));
    for keys in ["", "<Enter>"] {
        tui_support::press(&mut app, keys);
        let screen = tui_support::screen(&mut app, 120, 40);
        assert!(screen.contains("Zero�Width"), "{screen}");
        assert_none_raw("console detail", &screen);
    }
}

#[test]
fn customer_text_in_a_letter_is_never_expanded_as_a_placeholder() {
    let desk = Desk::new();
    let l = ticket("LT-1", "{ticket} {reference} {amount}", "s")
        .replace("\"cash\":\"90.00\"", "\"cash\":\"1.00\"");
    assert_eq!(desk.import("l.jsonl", &(l + "\n")).0, 0);
    for a in [
        &["take"][..],
        &["approve"],
        &["accept"],
        &["execute"],
        &["complete", "--reference", "PAY-{ticket}"],
    ] {
        let (code, _, err) = desk.act("LT-1", a);
        assert_eq!(code, 0, "{a:?}: {err}");
    }
    let (code, out, err) = desk.run(&["letter", "LT-1"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Subject: Your refund request LT-1\n"),
        "{out}"
    );
    assert!(
        out.contains("Dear {ticket} {reference} {amount},\n"),
        "{out}"
    );
    assert!(out.contains("(payout reference PAY-{ticket})"), "{out}");
}
