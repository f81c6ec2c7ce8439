//! SPEC §1 "Value formats", at their limits, through the real binary:
//! amounts of more than 15 digits, integers past 10^15 (`term_days` past
//! 36,600) and hours past 10^6 or past what a decimal holds exactly are
//! rejected with a reason naming the limit — never rounded, clamped or
//! called "not an amount". The same values in CSV cells and in `act
//! --amount`. An object naming a key twice or nesting past 32 levels is
//! rejected; a byte-order mark before the first JSON line is skipped.

mod common;

use common::input::{eval_file, lcic, line};
use common::{base, with, Desk};
use serde_json::{json, Value};

/// `eval` on one line: Ok(verdict) or Err(the reason on stderr).
fn eval_one(text: &str) -> Result<Value, String> {
    let run = eval_file("one.jsonl", format!("{text}\n").as_bytes());
    match (run.code, run.stderr.as_slice()) {
        (Some(0), []) => Ok(run.verdicts[0].clone()),
        (Some(3), [err]) => {
            let prefix = "one.jsonl:1: ";
            assert!(err.starts_with(prefix), "{err}");
            Err(err[prefix.len()..].to_string())
        }
        other => panic!("unexpected eval outcome {other:?} for {text}"),
    }
}

#[track_caller]
fn refused(text: &str, needles: &[&str]) -> String {
    let why = eval_one(text).expect_err(text);
    for n in needles {
        assert!(why.contains(n), "{why:?} should mention {n:?}");
    }
    why
}

/// The base live ticket with its outage hours written as `hours` (raw JSON text).
fn live_hours(field: &str, hours: &str, patch: Value) -> String {
    let mut v = with("live", patch);
    v["incident"][field] = json!(1);
    line(&v).replacen(
        &format!("\"{field}\":1"),
        &format!("\"{field}\":{hours}"),
        1,
    )
}

#[test]
fn amounts_past_15_digits_are_too_large_not_malformed() {
    for cash in [
        "1000000000000000",
        "9999999999999999.99",
        "12345678901234567890123",
    ] {
        let why = refused(
            &line(&lcic(json!({"payment": {"cash": cash}}), &[])),
            &["payment.cash", "too large", "15 digits"],
        );
        assert!(!why.contains("not an amount"), "{why}");
    }
    let v = eval_one(&line(&lcic(
        json!({"payment": {"cash": "999999999999999.99", "free_credit": "0000000000000000000.01"}}),
        &[],
    )))
    .unwrap();
    assert_eq!(v["amount"], "1000000000000000.00", "exact, not rounded");
    refused(
        &line(&lcic(json!({"requested_amount": "1234567890123456"}), &[])),
        &["requested_amount", "too large"],
    );
}

#[test]
fn integers_past_their_limits_are_rejected_never_clamped() {
    for (patch, needles) in [
        (
            json!({"package": {"term_days": 36_601}}),
            &["package.term_days", "too large", "36600"][..],
        ),
        (
            json!({"package": {"term_days": 10_000_000_000_000_000_000u64}}),
            &["package.term_days", "too large"],
        ),
        (
            json!({"package": {"total_units": 1_000_000_000_000_001u64}}),
            &["package.total_units", "too large", "1000000000000000"],
        ),
        (
            json!({"package": {"total_units": u64::MAX, "used_units": 1}}),
            &["package.total_units", "too large"],
        ),
        (
            json!({"package": {"gifted_units_used": 2_000_000_000_000_000u64}}),
            &["gifted_units_used", "too large"],
        ),
    ] {
        refused(&line(&with("live", patch)), needles);
    }
    // Past u64 the number is still "too large", not "not a whole number".
    let big = line(&with("live", json!({"package": {"used_units": 7}}))).replacen(
        "\"used_units\":7",
        "\"used_units\":100000000000000000000000",
        1,
    );
    refused(&big, &["package.used_units", "too large"]);
    // At the limits: accepted, and the term is the one written.
    let v = eval_one(&line(&with(
        "live",
        json!({"package": {"term_days": 36_600, "total_units": 1_000_000_000_000_000u64}}),
    )))
    .unwrap();
    // 9000 × 80 / (36600 × 24) = 0.8196…
    assert_eq!(v["amount"], "0.82", "{v}");
}

#[test]
fn hours_are_held_exactly_or_rejected() {
    // 72 plus 10^-28 is more than 72, but more than a decimal can hold:
    // rounded, it became 72 and turned an outage into LIVE-NOT-MET.
    for hours in [
        "72.0000000000000000000000000001",
        "1e-29",
        "999999.99999999999999999999999",
    ] {
        refused(
            &live_hours("outage_hours", hours, json!({})),
            &["incident.outage_hours", "exactly"],
        );
    }
    for hours in ["1000000.01", "1e7", "1e400"] {
        refused(
            &live_hours("unresolved_hours", hours, json!({})),
            &["incident.unresolved_hours", "too large", "1000000"],
        );
    }
    let v = eval_one(&live_hours(
        "outage_hours",
        "72.000000000000000000000001",
        json!({}),
    ))
    .unwrap();
    assert_eq!(v["clauses"][0], "LIVE-OUTAGE", "{v}");
    let v = eval_one(&live_hours("outage_hours", "1e6", json!({}))).unwrap();
    assert_eq!(v["amount"], "9000.00", "capped at the base: {v}");
}

const CSV_HEADER: &str = "id,received_at,product,account.id,package.billing,package.activated_at,package.term_days,package.total_units,payment.currency,payment.cash,contract.signed_at,incident.started_at,incident.outage_hours,incident.provider_caused,reason";

fn csv_row(id: &str, term: &str, total: &str, cash: &str, hours: &str) -> String {
    format!("{id},2026-11-20T10:00:00+08:00,live,acc-1,contract,2026-11-01T00:00:00+08:00,{term},{total},USD,{cash},2026-10-25T00:00:00+08:00,2026-11-10T00:00:00+08:00,{hours},true,outage")
}

#[test]
fn csv_cells_obey_the_same_limits() {
    let rows = [
        csv_row("K-1", "90", "", "9000.00", "80"),
        csv_row("K-2", "36601", "", "9000.00", "80"),
        csv_row("K-3", "10000000000000000000", "", "9000.00", "80"),
        csv_row("K-4", "90", "1000000000000001", "9000.00", "80"),
        csv_row("K-5", "90", "", "1234567890123456.00", "80"),
        csv_row(
            "K-6",
            "90",
            "",
            "9000.00",
            "72.0000000000000000000000000001",
        ),
        csv_row("K-7", "90", "", "9000.00", "1000001"),
        csv_row(
            "K-8",
            "36600",
            "1000000000000000",
            "999999999999999.99",
            "1000000",
        ),
    ];
    let file = format!("{CSV_HEADER}\n{}\n", rows.join("\n"));
    let run = eval_file("limits.csv", file.as_bytes());
    assert_eq!(run.code, Some(3), "{:?}", run.stderr);
    assert_eq!(run.ids, ["K-1", "K-8"]);
    let expect = [
        (3, "package.term_days: 36601 is too large"),
        (4, "package.term_days: 10000000000000000000 is too large"),
        (5, "package.total_units: 1000000000000001 is too large"),
        (6, "payment.cash: \"1234567890123456.00\" is too large"),
        (7, "incident.outage_hours: 72.0000000000000000000000000001 has more digits than can be held exactly"),
        (8, "incident.outage_hours: 1000001 is too large"),
    ];
    assert_eq!(run.stderr.len(), expect.len(), "{:#?}", run.stderr);
    for (err, (n, why)) in run.stderr.iter().zip(expect) {
        assert!(
            err.starts_with(&format!("limits.csv:{n}: ")) && err.contains(why),
            "{err:?} should be line {n}: {why}"
        );
    }
}

#[test]
fn amounts_typed_by_an_agent_obey_the_same_limit() {
    let desk = Desk::new();
    let (code, _, err) = desk.import("t.jsonl", &format!("{}\n", line(&base("lcic"))));
    assert_eq!(code, 0, "{err}");
    assert_eq!(desk.act("L-1", &["take"]).0, 0);
    let before = desk.show("L-1")["version"].clone();
    let (code, _, err) = desk.act("L-1", &["approve", "--amount", "1234567890123456"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("too large") && err.contains("15 digits"),
        "{err}"
    );
    assert_eq!(desk.show("L-1")["version"], before, "nothing happened");
}

/// A valid LCIC line with `extra` spliced in as raw JSON members.
fn with_members(extra: &str) -> String {
    let l = line(&base("lcic"));
    format!("{},{extra}}}", &l[..l.len() - 1])
}

#[test]
fn a_key_named_twice_is_rejected_at_any_depth() {
    let l = line(&base("lcic"));
    let cases = [
        // The first value was stored and the last judged: which is meant?
        l.replacen(
            "\"cash\":\"100.00\"",
            "\"cash\":\"10.00\",\"cash\":\"99999.00\"",
            1,
        ),
        l.replacen(
            "\"product\":\"lcic\"",
            "\"product\":\"lcic\",\"product\":\"trtc\"",
            1,
        ),
        with_members(r#""x_crm":{"a":{"b":[{"c":1,"c":2}]}}"#),
        with_members(r#""note":1,"note":2"#),
        l.replacen(
            "\"cash\":\"100.00\"",
            "\"cash\":\"100.00\",\"c\\u0061sh\":\"1.00\"",
            1,
        ),
    ];
    for (text, key) in cases.iter().zip(["cash", "product", "c", "note", "cash"]) {
        refused(text, &[&format!("names the key \"{key}\" twice")]);
    }
    // Same key in different objects, or as a value, is fine.
    eval_one(&with_members(
        r#""x":{"cash":"1"},"y":[{"cash":2},{"cash":3}],"z":"cash""#,
    ))
    .unwrap();
}

fn nested(levels: usize) -> String {
    format!(
        "{}{}",
        "{\"n\":".repeat(levels),
        "1".to_string() + &"}".repeat(levels)
    )
}

#[test]
fn nesting_past_32_levels_is_rejected_and_32_can_be_shown_and_written() {
    // The ticket's own object is level 1, so an unknown field may hold 31.
    let ok = with_members(&format!("\"deep\":{}", nested(31)));
    for levels in [32, 127, 200, 5000] {
        let why = refused(
            &with_members(&format!("\"deep\":{}", nested(levels))),
            &["32 levels"],
        );
        assert!(!why.contains("recursion"), "{why}");
    }
    let desk = Desk::new();
    let (code, _, err) = desk.import("deep.jsonl", &format!("{ok}\n"));
    assert_eq!(code, 0, "{err}");
    for a in ["take", "approve"] {
        assert_eq!(desk.act("L-1", &[a]).0, 0);
    }
    assert!(desk.show("L-1")["ticket"]["deep"].is_object());
    for cmd in [&["show", "L-1"][..], &["letter", "L-1"], &["list"]] {
        let (code, _, err) = desk.run(cmd);
        assert_eq!(code, 0, "{cmd:?}: {err}");
    }
}

#[test]
fn a_byte_order_mark_before_json_lines_is_skipped() {
    let l = line(&base("lcic"));
    let bad = line(&lcic(json!({"id": "B-2", "product": "sms"}), &[]));
    let file = format!("\u{feff}{l}\n{bad}\n");
    for name in ["bom.jsonl", "bom-without-extension"] {
        let run = eval_file(name, file.as_bytes());
        assert_eq!(run.ids, ["L-1"], "{name}: {:?}", run.stderr);
        assert_eq!(run.stderr.len(), 1, "{:?}", run.stderr);
        assert!(
            run.stderr[0].starts_with(&format!("{name}:2: ")),
            "{:?}",
            run.stderr
        );
    }
    // The mark is no part of the stored line.
    let desk = Desk::new();
    let (code, _, err) = desk.import("bom.jsonl", &format!("\u{feff}{l}\n"));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = desk.import("again.jsonl", &format!("{l}\n"));
    assert_eq!(code, 0, "same content, no conflict: {err}");
}

/// The desk orders tickets by their instant to the microsecond (SPEC §2
/// "earlier"); a received_at finer than that would be ordered by a rounded
/// value, and `eval` and the desk could disagree on which came first (a
/// ticket 500 ns earlier with a larger id was taken for the later one).
#[test]
fn a_received_at_finer_than_a_microsecond_is_refused_not_rounded() {
    let mut v = base("lcic");
    v["received_at"] = json!("2026-11-03T10:00:00.000000500+08:00");
    v["package"]["purchased_at"] = json!("2026-11-03T09:00:00+08:00");
    refused(&line(&v), &["received_at", "6 fractional digits"]);
    v["received_at"] = json!("2026-11-03T10:00:00.123456+08:00");
    assert_eq!(eval_one(&line(&v)).unwrap()["kind"], "full_refund");
    let desk = Desk::new();
    v["received_at"] = json!("2026-11-03T10:00:00.123456789Z");
    let (code, _, err) = desk.import("t.jsonl", &line(&v));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("t.jsonl:1: received_at"), "{err}");
}
