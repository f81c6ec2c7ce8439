//! Hostile customer text: escape sequences, control and bidi characters,
//! 64 KiB descriptions and invalid UTF-8 are stored byte-exact or rejected
//! with their line number, and never reach the terminal raw. The fuzzing of
//! `parse_json_line` and `evaluate` is in reliability_hostile_fuzz.rs.

mod reliability_util;
use reliability_util::*;
use serde_json::{json, Value};

/// A line for the customer-text import, with the given text fields.
fn line(id: &str, name: &str, subject: &str, description: &str) -> String {
    json!({"id": id, "received_at": "2026-11-03T10:00:00+08:00", "product": "lcic",
        "account": {"id": format!("acc-{id}"), "name": name}, "reason": "unused",
        "package": {"billing": "monthly", "purchased_at": "2026-11-02T10:00:00+08:00"},
        "payment": {"currency": "USD", "cash": "90.00"},
        "subject": subject, "description": description})
    .to_string()
}

#[test]
fn hostile_customer_text_is_stored_exactly_and_shown_inert() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let all_c0: String = (0u8..0x20).map(char::from).collect();
    let c1: String = (0x80u32..0xa0).filter_map(char::from_u32).collect();
    let sixty_four_k = "申".repeat(21_845) + "a"; // exactly 65,536 bytes
    assert_eq!(sixty_four_k.len(), 64 * 1024);
    let mut good: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |id: &str, l: String| good.push((id.to_string(), l.into_bytes()));
    add(
        "ESC-1",
        line(
            "ESC-1",
            "\u{1b}[2J\u{1b}[H\u{1b}]0;owned\u{7}Evil Corp",
            "\u{1b}[31mURGENT\u{1b}[0m refund",
            "\u{1b}]52;c;cm0gLXJmIH4=\u{7} clipboard, \u{1b}P+q\u{1b}\\ DCS, \u{9b}31m CSI",
        ),
    );
    add(
        "C0-1",
        line("C0-1", &all_c0, &format!("{all_c0}\u{7f}"), &c1),
    );
    add(
        "BIDI-1",
        line(
            "BIDI-1",
            "\u{202e}gnp.exe\u{202c}",
            "\u{2066}\u{2067}\u{2068}\u{2069}\u{200e}\u{200f}",
            "refund \u{202d}\u{202a}\u{202b} عربى עברית 申请退款",
        ),
    );
    add(
        "BIG-1",
        line("BIG-1", "Big Text Ltd", "long", &sixty_four_k),
    );
    // Raw (unescaped) bidi and a raw DEL byte are valid inside JSON strings.
    add(
        "RAW-1",
        r#"{"id":"RAW-1","received_at":"2026-11-03T10:00:00+08:00","product":"lcic","account":{"id":"acc-raw","name":"BIDIraw bidi"},"reason":"unused","package":{"billing":"monthly","purchased_at":"2026-11-02T10:00:00+08:00"},"payment":{"currency":"USD","cash":"90.00"},"subject":"DEL here","description":"\u001b[5m escaped by the sender, spaces   kept"}"#
            .replace("BIDI", "\u{202e}")
            .replace("DEL", "\u{7f}"),
    );
    let mut file: Vec<u8> = Vec::new();
    let mut rejected_lines: Vec<(usize, &str)> = Vec::new();
    for (_, l) in &good {
        file.extend_from_slice(l);
        file.push(b'\n');
    }
    let mut bad = |l: Vec<u8>, why: &'static str| {
        file.extend_from_slice(&l);
        file.push(b'\n');
        rejected_lines.push((file.iter().filter(|b| **b == b'\n').count(), why));
    };
    // Invalid UTF-8 inside a description.
    let mut invalid = line("UTF-1", "x", "y", "AAAA").into_bytes();
    let at = invalid.windows(4).position(|w| w == b"AAAA").unwrap();
    invalid[at..at + 4].copy_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
    bad(invalid, "not valid UTF-8");
    // A raw ESC byte inside a JSON string is not JSON.
    bad(
        line("RAWESC-1", "x", "y", "z")
            .replace("\"z\"", "\"\u{1b}[31m\"")
            .into_bytes(),
        "not valid JSON",
    );
    // A lone surrogate is not text.
    bad(
        line("SUR-1", "x", "y", "z")
            .replace("\"z\"", "\"\\ud800\"")
            .into_bytes(),
        "not valid JSON",
    );
    // One byte over 64 KiB.
    bad(
        line("BIG-2", "x", "y", &(sixty_four_k.clone() + "b")).into_bytes(),
        "longer than 64 KiB",
    );
    let input = dir.path().join("hostile.jsonl");
    std::fs::write(&input, &file).unwrap();

    let out = run(&db, &["import", input.to_str().unwrap()]);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        first_terminal_hazard(&out.stderr, false).is_none(),
        "import's stderr carries a control character: {:?}",
        out.stderr
    );
    for (n, why) in &rejected_lines {
        let want = format!("{}:{n}: ", input.display());
        assert!(
            out.stderr
                .lines()
                .any(|l| l.starts_with(&want) && l.contains(why)),
            "line {n} ({why}) not reported: {}",
            out.stderr
        );
    }
    assert!(
        out.stderr.contains(&format!(
            "imported {} new, 0 updated, 0 unchanged, {} rejected",
            good.len(),
            rejected_lines.len()
        )),
        "{}",
        out.stderr
    );
    // Stored as given, byte for byte.
    let c = sql(&db);
    for (id, l) in &good {
        let raw: Vec<u8> = c
            .query_row(
                "SELECT CAST(raw AS BLOB) FROM tickets WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert!(raw == *l, "{id}: raw column differs from the line");
    }
    // A decision for each, so that `letter` has a reply to draft.
    for (id, _) in &good {
        for a in [&["take"][..], &["approve"][..]] {
            let mut argv = vec!["act", id.as_str()];
            argv.extend_from_slice(a);
            let out = run(&db, &argv);
            assert_eq!(out.code, 0, "{argv:?}: {out:?}");
        }
    }
    // Shown inert: text output has no control, C1 or bidi character at all;
    // JSON output escapes every C0 control.
    let mut outputs = vec![
        ("list".to_string(), run(&db, &["list"]), true),
        (
            "list --json".to_string(),
            run(&db, &["list", "--json"]),
            false,
        ),
    ];
    for (id, _) in &good {
        outputs.push((format!("show {id}"), run(&db, &["show", id]), true));
        outputs.push((
            format!("show {id} --json"),
            run(&db, &["show", id, "--json"]),
            false,
        ));
        outputs.push((format!("letter {id}"), run(&db, &["letter", id]), true));
    }
    for (what, o, text) in &outputs {
        assert_eq!(o.code, 0, "{what}: {o:?}");
        if let Some((at, ch)) = first_terminal_hazard(&o.stdout, *text) {
            panic!(
                "{what}: {ch:?} (U+{:04X}) at byte {at} reaches the terminal: {:?}",
                ch as u32,
                &o.stdout[at.saturating_sub(40)..(at + 40).min(o.stdout.len())]
            );
        }
    }
    // The JSON view still carries the customer's words exactly.
    let shown: Value = serde_json::from_str(&run(&db, &["show", "C0-1", "--json"]).stdout).unwrap();
    assert_eq!(shown["ticket"]["account"]["name"], json!(all_c0));
    let shown: Value =
        serde_json::from_str(&run(&db, &["show", "BIG-1", "--json"]).stdout).unwrap();
    assert_eq!(shown["ticket"]["description"], json!(sixty_four_k));
}
