//! Ticket builders for the policy tests: a valid base ticket per product as
//! JSON, overridden field by field with a JSON merge, then validated and
//! evaluated with the built-in policy.

use refund_desk::domain::policy::{evaluate, evaluate_all, Policy, Verdict};
use refund_desk::domain::ticket::Ticket;
use serde_json::{json, Value};
use std::sync::OnceLock;

pub fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(Policy::builtin)
}

/// Recursive merge: objects merge key by key, anything else (null included)
/// replaces the target value.
pub fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                match t.get_mut(&k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        t.insert(k, v);
                    }
                }
            }
        }
        (t, p) => *t = p,
    }
}

/// Removes a dotted path (`package.purchased_at`) if present.
pub fn remove(v: &mut Value, path: &str) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().expect("non-empty path");
    let mut cur = v;
    for p in parts {
        match cur.get_mut(p) {
            Some(next) => cur = next,
            None => return,
        }
    }
    if let Some(obj) = cur.as_object_mut() {
        obj.remove(last);
    }
}

/// A valid ticket of each product, decided by the product's "happy" clause:
/// * lcic: LCIC-5DAY, full refund 100.00 (day 2 of the window);
/// * trtc: TRTC-5DAY, full refund 100.00;
/// * chat: CHAT-NO-RULE, plan_state active;
/// * live: LIVE-OUTAGE, compensation 9000 × 80 / (90 × 24) = 333.33.
pub fn base(product: &str) -> Value {
    match product {
        "lcic" => json!({
            "id": "L-1",
            "received_at": "2026-11-03T10:00:00+08:00",
            "product": "lcic",
            "account": {"id": "acc-1"},
            "package": {"billing": "monthly", "purchased_at": "2026-11-01T10:00:00+08:00"},
            "payment": {"currency": "USD", "cash": "100.00"},
            "reason": "unused"
        }),
        "trtc" => json!({
            "id": "T-1",
            "received_at": "2026-11-03T10:00:00+08:00",
            "product": "trtc",
            "account": {"id": "acc-1"},
            "package": {
                "billing": "monthly",
                "sdk_app_id": "1400000001",
                "purchased_at": "2026-11-01T10:00:00+08:00"
            },
            "payment": {"currency": "USD", "cash": "100.00"},
            "reason": "unused"
        }),
        "chat" => json!({
            "id": "C-1",
            "received_at": "2026-11-03T10:00:00+08:00",
            "product": "chat",
            "account": {"id": "acc-1"},
            "package": {
                "billing": "monthly",
                "sdk_app_id": "1400000009",
                "expires_at": "2026-12-01T00:00:00+08:00"
            },
            "payment": {"currency": "USD", "cash": "49.00"},
            "reason": "other"
        }),
        "live" => json!({
            "id": "V-1",
            "received_at": "2026-11-20T10:00:00+08:00",
            "product": "live",
            "account": {"id": "acc-1"},
            "package": {
                "billing": "contract",
                "activated_at": "2026-11-01T00:00:00+08:00",
                "term_days": 90,
                "used_units": 100
            },
            "payment": {"currency": "USD", "cash": "9000.00"},
            "contract": {"number": "LS-1", "signed_at": "2026-10-25T00:00:00+08:00"},
            "incident": {
                "started_at": "2026-11-10T00:00:00+08:00",
                "outage_hours": 80,
                "provider_caused": true
            },
            "reason": "outage"
        }),
        other => panic!("no base ticket for {other}"),
    }
}

/// The base ticket of `product` with `patch` merged in.
pub fn with(product: &str, patch: Value) -> Value {
    let mut v = base(product);
    merge(&mut v, patch);
    v
}

/// The base ticket of `product` with `patch` merged in and `paths` removed.
pub fn without(product: &str, patch: Value, paths: &[&str]) -> Value {
    let mut v = with(product, patch);
    for p in paths {
        remove(&mut v, p);
    }
    v
}

pub fn ticket(v: &Value) -> Ticket {
    Ticket::from_json(v).unwrap_or_else(|e| panic!("test ticket is invalid: {e}\n{v:#}"))
}

/// The verdict of one ticket with no earlier tickets.
pub fn verdict(v: &Value) -> Verdict {
    evaluate(&ticket(v), policy(), &[])
}

/// The verdicts of a self-contained set, in input order.
pub fn verdicts(vs: &[Value]) -> Vec<Verdict> {
    let tickets: Vec<Ticket> = vs.iter().map(ticket).collect();
    evaluate_all(&tickets, policy())
}

/// The verdict's JSON, as `eval` prints it.
pub fn vjson(v: &Verdict) -> Value {
    serde_json::to_value(v).expect("a verdict serializes")
}

/// Checks kind, deciding clause and amount (2-decimal string or null) as they
/// appear in the verdict JSON.
#[track_caller]
pub fn expect(v: &Verdict, kind: &str, first_clause: Option<&str>, amount: Option<&str>) {
    let j = vjson(v);
    assert_eq!(j["kind"], json!(kind), "kind, in {j}");
    assert_eq!(
        j["clauses"].get(0).and_then(Value::as_str),
        first_clause,
        "deciding clause, in {j}"
    );
    assert_eq!(j["amount"], json!(amount), "amount, in {j}");
    if kind == "needs_info" {
        assert_eq!(j["clauses"], json!([]), "needs_info has no clauses, in {j}");
    }
}

/// A needs_info verdict waiting for exactly `missing`.
#[track_caller]
pub fn expect_missing(v: &Verdict, missing: &[&str]) {
    let j = vjson(v);
    assert_eq!(j["kind"], json!("needs_info"), "in {j}");
    assert_eq!(j["clauses"], json!([]), "in {j}");
    assert_eq!(j["amount"], Value::Null, "in {j}");
    assert_eq!(j["ceiling"], Value::Null, "in {j}");
    assert_eq!(j["missing"], json!(missing), "in {j}");
}

pub fn flags(v: &Verdict) -> Vec<&'static str> {
    v.flags.iter().map(|f| f.as_str()).collect()
}

/// `2026-MM-DDT10:00:00+08:00`, `days` after 2026-08-01 (local 10:00).
pub fn day(days: u64) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2026, 8, 1).unwrap() + chrono::Days::new(days);
    format!("{}T10:00:00+08:00", d.format("%Y-%m-%d"))
}

/// Unused, signed 2026-10-30 16:00 local, applied `received`: a live ticket
/// before use, for policy_clauses_live.rs and policy_clauses_verdict.rs.
pub fn live_pre(received: &str, patch: Value) -> Value {
    let mut t = with(
        "live",
        json!({"received_at": received, "reason": "changed_mind",
               "package": {"used_units": 0},
               "contract": {"signed_at": "2026-10-30T16:00:00+08:00"}}),
    );
    remove(&mut t, "incident");
    remove(&mut t, "package.activated_at");
    merge(&mut t, patch);
    t
}
