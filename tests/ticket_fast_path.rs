//! The typed fast path reads a ticket exactly as the validating tree path
//! does: same ticket when both accept, and it never accepts what the tree
//! path refuses. Checked on demo tickets and on random mutations of them.

use proptest::prelude::*;
use refund_desk::domain::demo::DemoGenerator;
use refund_desk::domain::ticket::Ticket;
use refund_desk::domain::ticket_wire::read_fast;
use serde_json::{json, Value};

fn slow(text: &str) -> Result<Ticket, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ticket::from_json(&v)
}

fn lines(n: usize) -> Vec<String> {
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00+08:00").unwrap();
    let mut g = DemoGenerator::new(5, now);
    (0..n).map(|_| g.next_line()).collect()
}

fn agree(text: &str) {
    match (read_fast(text), slow(text)) {
        (Some(fast), Ok(slow)) => assert_eq!(fast, slow, "{text}"),
        (Some(fast), Err(e)) => {
            panic!("fast path accepted what the validator refuses ({e}): {fast:?}\n{text}")
        }
        (None, _) => {} // the fast path may always defer to the validator
    }
    assert_eq!(Ticket::from_text(text).ok(), slow(text).ok(), "{text}");
}

#[test]
fn demo_tickets_read_the_same_both_ways() {
    for l in lines(3_000) {
        assert!(
            read_fast(&l).is_some(),
            "the fast path should read every demo ticket: {l}"
        );
        agree(&l);
    }
}

const PATHS: &[&str] = &[
    "id",
    "received_at",
    "product",
    "account",
    "account.id",
    "account.status",
    "package",
    "package.billing",
    "package.source",
    "package.purchased_at",
    "package.term_days",
    "package.used_units",
    "package.total_units",
    "payment",
    "payment.currency",
    "payment.cash",
    "payment.frozen",
    "contract.signed_at",
    "contract.overrides_policy",
    "incident.outage_hours",
    "incident.provider_caused",
    "incident.started_at",
    "reason",
    "requested_amount",
    "contact.language",
    "subject",
    "evidence",
];

fn values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(5.0),
        json!(1e3),
        json!(72.5),
        json!(""),
        json!("x"),
        json!("12.345"),
        json!("90.00"),
        json!("usd"),
        json!("2026-11-01T10:00:00+08:00"),
        json!("2026-11-01"),
        json!("monthly"),
        json!("payg"),
        json!("suspended_violation"),
        json!("zh"),
        json!([]),
        json!(["a", 1]),
        json!({}),
        json!({"id": "A"}),
        json!("x".repeat(70)),
    ]
}

fn set(v: &mut Value, path: &str, new: Option<Value>) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap();
    let mut cur = v;
    for p in parts {
        if !cur.get(p).is_some_and(Value::is_object) {
            cur[p] = json!({});
        }
        cur = &mut cur[p];
    }
    match new {
        Some(n) => cur[last] = n,
        None => {
            cur.as_object_mut().map(|o| o.remove(last));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn mutated_tickets_read_the_same_both_ways(
        line in 0usize..200, edits in proptest::collection::vec((0usize..PATHS.len(), 0usize..24), 1..4)
    ) {
        let base = &lines(200)[line];
        let mut v: Value = serde_json::from_str(base).unwrap();
        let choices = values();
        for (p, c) in edits {
            set(&mut v, PATHS[p], choices.get(c).cloned());
        }
        agree(&v.to_string());
    }
}
