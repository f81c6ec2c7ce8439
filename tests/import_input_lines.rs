//! SPEC §1 input validation of one line at a time, through `ingest` and the
//! `eval` command (no database): every kind of bad line is rejected with a
//! reason naming the problem (`FILE:LINE: reason` on stderr, exit code 3),
//! and the values at the edges, exact hour numbers, nulls and unknown fields
//! are accepted. Whole files (blank lines, CRLF, UTF-8, duplicates, CSV,
//! stdin) are in import_input_files.rs.

mod common;

use common::input::{eval_file, good, lcic, line};
use common::{base, merge, with};
use refund_desk::ingest::{parse_json_line, Outcome, Rejected};
use serde_json::{json, Value};

/// The base live ticket with `patch` merged in.
fn live(patch: Value) -> Value {
    with("live", patch)
}

fn parse(text: &str) -> Outcome {
    parse_json_line(7, text)
}

#[track_caller]
fn rejected(text: &str, needle: &str) {
    match parse(text) {
        Ok(p) => panic!("accepted: {text}\n{:?}", p.ticket),
        Err(Rejected { line, reason }) => {
            assert_eq!(line, 7);
            assert!(
                reason.contains(needle),
                "reason {reason:?} should mention {needle:?} for {text}"
            );
        }
    }
}

#[track_caller]
fn accepted(text: &str) -> refund_desk::domain::ticket::Ticket {
    match parse(text) {
        Ok(p) => p.ticket,
        Err(r) => panic!("rejected ({}): {text}", r.reason),
    }
}

/// Bad lines of every kind: (line, a word the reason must contain).
fn bad_lines() -> Vec<(String, &'static str)> {
    let mut bad: Vec<(String, &'static str)> = vec![
        (r#"{"id": "X-1", "product": "lcic""#.to_string(), "JSON"),
        ("not json at all".to_string(), "JSON"),
        ("[1, 2, 3]".to_string(), "object"),
        ("42".to_string(), "object"),
    ];
    for field in [
        "id",
        "received_at",
        "product",
        "account.id",
        "package.billing",
        "payment.currency",
        "reason",
    ] {
        bad.push((line(&lcic(json!({}), &[field])), field));
    }
    // A required field given as null is missing.
    bad.push((line(&lcic(json!({"reason": null}), &[])), "reason"));
    bad.push((line(&lcic(json!({"account": null}), &[])), "account.id"));
    for (patch, field) in [
        (json!({"product": "sms"}), "product"),
        (json!({"reason": "angry"}), "reason"),
        (json!({"account": {"status": "banned"}}), "account.status"),
        (json!({"package": {"billing": "yearly"}}), "package.billing"),
        (json!({"package": {"source": "stolen"}}), "package.source"),
        (json!({"contact": {"language": "fr"}}), "contact.language"),
        (json!({"product": "LCIC"}), "product"),
        (json!({"product": 1}), "product"),
    ] {
        bad.push((line(&lcic(patch, &[])), field));
    }
    for (patch, field) in [
        (json!({"payment": {"cash": 95}}), "payment.cash"),
        (json!({"payment": {"cash": 95.5}}), "payment.cash"),
        (json!({"payment": {"voucher": 1}}), "payment.voucher"),
        (json!({"payment": {"cash": "1.005"}}), "payment.cash"),
        (json!({"payment": {"frozen": "0.001"}}), "payment.frozen"),
        (json!({"payment": {"cash": "-1.00"}}), "payment.cash"),
        (json!({"payment": {"cash": "1e3"}}), "payment.cash"),
        (json!({"payment": {"cash": "1."}}), "payment.cash"),
        (json!({"payment": {"cash": ".50"}}), "payment.cash"),
        (json!({"payment": {"cash": " 1"}}), "payment.cash"),
        (json!({"payment": {"cash": "1,00"}}), "payment.cash"),
        (json!({"payment": {"cash": ""}}), "payment.cash"),
        (
            json!({"payment": {"commission_credit": true}}),
            "payment.commission_credit",
        ),
        (json!({"requested_amount": "12.345"}), "requested_amount"),
        (json!({"requested_amount": 12}), "requested_amount"),
    ] {
        bad.push((line(&lcic(patch, &[])), field));
    }
    for id in [
        json!(""),
        json!("a b"),
        json!("x/y"),
        json!("ä-1"),
        json!("semi;colon"),
        json!("x".repeat(65)),
        json!(123),
    ] {
        bad.push((line(&lcic(json!({"id": id}), &[])), "id"));
    }
    for currency in [
        json!("usd"),
        json!("US"),
        json!("USDX"),
        json!(""),
        json!(840),
        json!("U$D"),
    ] {
        bad.push((
            line(&lcic(json!({"payment": {"currency": currency}}), &[])),
            "payment.currency",
        ));
    }
    for (patch, field) in [
        (json!({"received_at": "2026-11-03T10:00:00"}), "received_at"),
        (json!({"received_at": "2026-11-03 10:00"}), "received_at"),
        (json!({"received_at": "yesterday"}), "received_at"),
        (
            json!({"received_at": "2026-02-30T10:00:00Z"}),
            "received_at",
        ),
        (json!({"received_at": 1_762_135_200}), "received_at"),
        (
            json!({"package": {"purchased_at": "2026-11-01"}}),
            "package.purchased_at",
        ),
        (
            json!({"package": {"expires_at": "soon"}}),
            "package.expires_at",
        ),
    ] {
        bad.push((line(&lcic(patch, &[])), field));
    }
    for (patch, field) in [
        (json!({"package": {"term_days": 0}}), "term_days"),
        (json!({"package": {"term_days": -1}}), "term_days"),
        (json!({"package": {"term_days": 1.5}}), "term_days"),
        (json!({"package": {"term_days": "30"}}), "term_days"),
        (json!({"package": {"used_units": "3"}}), "used_units"),
        (json!({"package": {"used_units": -3}}), "used_units"),
        (json!({"package": {"total_units": 2.0}}), "total_units"),
        (
            json!({"package": {"gifted_units_used": true}}),
            "gifted_units_used",
        ),
        (json!({"incident": {"outage_hours": -1}}), "outage_hours"),
        (json!({"incident": {"outage_hours": "80"}}), "outage_hours"),
        (
            json!({"incident": {"unresolved_hours": false}}),
            "unresolved_hours",
        ),
        (
            json!({"incident": {"provider_caused": "true"}}),
            "provider_caused",
        ),
        (
            json!({"contract": {"overrides_policy": 1}}),
            "overrides_policy",
        ),
        (json!({"evidence": "a.png"}), "evidence"),
        (json!({"evidence": ["a.png", 3]}), "evidence"),
        (json!({"account": {"id": 100200300}}), "account.id"),
        (json!({"package": "monthly"}), "package"),
    ] {
        bad.push((line(&lcic(patch, &[])), field));
    }
    // Contradictions.
    bad.push((
        line(&lcic(
            json!({"received_at": "2026-11-01T10:00:00+08:00",
                   "package": {"purchased_at": "2026-11-01T10:00:01+08:00"}}),
            &[],
        )),
        "purchased_at",
    ));
    bad.push((
        line(&lcic(
            // Same local clock time, but the purchase is 13 hours later.
            json!({"received_at": "2026-11-01T10:00:00+08:00",
                   "package": {"purchased_at": "2026-11-01T10:00:00-05:00"}}),
            &[],
        )),
        "purchased_at",
    ));
    bad.push((
        line(&live(
            json!({"contract": {"signed_at": "2026-11-20T10:00:01+08:00"}}),
        )),
        "signed_at",
    ));
    bad.push((
        line(&live(
            json!({"incident": {"started_at": "2026-11-20T10:00:01+08:00"}}),
        )),
        "started_at",
    ));
    bad.push((
        line(&live(
            json!({"incident": {"started_at": "2026-10-31T23:59:59+08:00"}}),
        )),
        "started_at",
    ));
    bad.push((
        line(&lcic(
            json!({"package": {"total_units": 10, "used_units": 11}}),
            &[],
        )),
        "used_units",
    ));
    bad.push((
        line(&lcic(json!({"subject": "x".repeat(64 * 1024 + 1)}), &[])),
        "subject",
    ));
    bad
}

#[test]
fn every_bad_line_is_rejected_with_a_reason_naming_the_problem() {
    for (text, needle) in bad_lines() {
        rejected(&text, needle);
    }
}

#[test]
fn eval_reports_each_bad_line_and_still_prints_every_good_one() {
    let bad = bad_lines();
    let mut file = String::new();
    let mut expected_bad_lines = Vec::new();
    let mut expected_ids = Vec::new();
    let mut n = 0;
    for (i, (text, _)) in bad.iter().enumerate() {
        let id = format!("G-{i}");
        file.push_str(&good(&id));
        file.push('\n');
        n += 1;
        expected_ids.push(id);
        file.push_str(text);
        file.push('\n');
        n += 1;
        expected_bad_lines.push(n);
    }
    let run = eval_file("mixed.jsonl", file.as_bytes());
    assert_eq!(run.code, Some(3), "{:?}", run.stderr);
    assert_eq!(run.ids, expected_ids);
    for v in &run.verdicts {
        assert_eq!(v["kind"], "full_refund", "the good lines are evaluated");
    }
    assert_eq!(run.stderr.len(), bad.len(), "{:#?}", run.stderr);
    for ((err, n), (text, needle)) in run.stderr.iter().zip(&expected_bad_lines).zip(&bad) {
        let prefix = format!("mixed.jsonl:{n}: ");
        assert!(
            err.starts_with(&prefix),
            "{err:?} should start with {prefix:?}"
        );
        assert!(
            err.len() > prefix.len() && err.contains(needle),
            "{err:?} should say why ({needle}) for {}",
            &text[..text.len().min(200)]
        );
    }
}

#[test]
fn accepted_values_at_the_edges() {
    for cash in [
        "0",
        "95",
        "95.5",
        "95.50",
        "00.10",
        // SPEC §1: at most 15 digits before the point, leading zeros not counted.
        "999999999999999.99",
        "00000999999999999999.99",
    ] {
        let t = accepted(&line(&lcic(json!({"payment": {"cash": cash}}), &[])));
        assert_eq!(t.payment.cash, cash.parse().unwrap());
    }
    accepted(&line(&lcic(json!({"id": "x".repeat(64)}), &[])));
    accepted(&line(&lcic(json!({"id": "A.b_c-9"}), &[])));
    accepted(&line(&lcic(json!({"subject": "x".repeat(64 * 1024)}), &[])));
    // Equal instants are not contradictions.
    accepted(&line(&lcic(
        json!({"received_at": "2026-11-01T02:00:00Z",
               "package": {"purchased_at": "2026-11-01T10:00:00+08:00"}}),
        &[],
    )));
    accepted(&line(&live(json!({
        "incident": {"started_at": "2026-11-01T00:00:00+08:00"}
    }))));
    accepted(&line(&live(json!({
        "incident": {"started_at": "2026-11-20T10:00:00+08:00"}
    }))));
    accepted(&line(&lcic(
        json!({"package": {"total_units": 3, "used_units": 3}}),
        &[],
    )));
    accepted(&line(&lcic(json!({"package": {"term_days": 1}}), &[])));
    // Fractional seconds.
    accepted(&line(&lcic(
        json!({"received_at": "2026-11-03T10:00:00.123456+08:00"}),
        &[],
    )));
}

#[test]
fn hour_numbers_in_any_json_form_are_read_exactly() {
    let hours = |text: &str| {
        let raw = line(&base("live")).replacen(
            "\"outage_hours\":80",
            &format!("\"outage_hours\":{text}"),
            1,
        );
        accepted(&raw)
            .incident
            .outage_hours
            .unwrap()
            .normalize()
            .to_string()
    };
    assert_eq!(hours("72.01"), "72.01");
    assert_eq!(hours("72.0000000000000001"), "72.0000000000000001");
    assert_eq!(hours("1e2"), "100");
    assert_eq!(hours("0"), "0");
}

#[test]
fn hour_numbers_with_signed_exponents_are_accepted() {
    for (text, want) in [
        ("1e+2", "100"),
        ("1E2", "100"),
        ("7.201E+1", "72.01"),
        ("7201e-2", "72.01"),
    ] {
        let raw = line(&base("live")).replacen(
            "\"outage_hours\":80",
            &format!("\"outage_hours\":{text}"),
            1,
        );
        let t = accepted(&raw);
        assert_eq!(
            t.incident.outage_hours.unwrap().normalize().to_string(),
            want,
            "{text}"
        );
    }
}

#[test]
fn null_counts_as_absent() {
    let t = accepted(&line(&lcic(
        json!({"account": {"name": null, "status": null},
               "package": {"purchased_at": null, "source": null, "used_units": null,
                           "term_days": null},
               "payment": {"voucher": null, "cash": "5.00"},
               "contract": null, "incident": null, "evidence": null,
               "requested_amount": null, "contact": {"language": null}}),
        &[],
    )));
    assert_eq!(t.account_name, None);
    assert_eq!(t.package.purchased_at, None);
    assert_eq!(t.package.used_units, 0);
    assert_eq!(t.package.term_days, None);
    assert!(t.evidence.is_empty());
    assert_eq!(t.language.as_str(), "en");
    assert_eq!(t.account_status.as_str(), "active");
    // And the verdict treats it as missing.
    let run = eval_file(
        "nulls.jsonl",
        format!(
            "{}\n",
            line(&lcic(json!({"package": {"purchased_at": null}}), &[]))
        )
        .as_bytes(),
    );
    assert_eq!(run.code, Some(0));
    assert_eq!(run.verdicts[0]["kind"], "needs_info");
    assert_eq!(run.verdicts[0]["missing"], json!(["package.purchased_at"]));
}

#[test]
fn unknown_fields_are_kept_and_ignored() {
    let mut v = lcic(
        json!({"x_crm": {"ticket": 5}, "package": {"color": "red"}}),
        &[],
    );
    merge(&mut v, json!({"tags": ["vip"]}));
    let text = line(&v);
    let p = parse(&text).expect("accepted");
    assert_eq!(p.value()["x_crm"]["ticket"], 5);
    assert_eq!(p.raw, text, "stored as received");
}
