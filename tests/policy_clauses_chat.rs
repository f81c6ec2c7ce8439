//! SPEC §2, Chat: CHAT-NO-RULE with its plan_state fact (payg, active,
//! renewal_reminder, grace, suspended) and the expiry needs_info path.

mod common;

use common::*;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// Chat

fn chat_state(patch: Value) -> Option<String> {
    let v = verdict(&with("chat", patch));
    expect(&v, "manual_review", Some("CHAT-NO-RULE"), None);
    assert_eq!(v.clauses.len(), 1);
    v.facts.get("plan_state").cloned()
}

fn chat_at(expires: &str, received: &str) -> String {
    chat_state(json!({"package": {"expires_at": expires}, "received_at": received}))
        .expect("plan_state")
}

#[test]
fn chat_payg_needs_no_expiry() {
    let t = without(
        "chat",
        json!({"package": {"billing": "payg"}}),
        &["package.expires_at"],
    );
    let v = verdict(&t);
    expect(&v, "manual_review", Some("CHAT-NO-RULE"), None);
    assert_eq!(vjson(&v)["facts"], json!({"plan_state": "payg"}));
    // Even past an expiry date, payg is payg.
    assert_eq!(
        chat_at("2026-10-01T00:00:00+08:00", "2026-11-03T10:00:00+08:00"),
        "suspended"
    );
    assert_eq!(
        chat_state(
            json!({"package": {"billing": "payg", "expires_at": "2026-10-01T00:00:00+08:00"}})
        )
        .as_deref(),
        Some("payg")
    );
}

#[test]
fn chat_needs_expiry_unless_payg() {
    for billing in ["monthly", "prepaid", "contract"] {
        let t = without(
            "chat",
            json!({"package": {"billing": billing}}),
            &["package.expires_at"],
        );
        let v = verdict(&t);
        expect_missing(&v, &["package.expires_at"]);
        assert_eq!(vjson(&v)["facts"], json!({}), "no plan_state on needs_info");
    }
    let v = verdict(&with("chat", json!({"package": {"expires_at": null}})));
    expect_missing(&v, &["package.expires_at"]);
}

#[test]
fn chat_suspended_from_exactly_24_hours_after_expiry() {
    let exp = "2026-11-10T12:00:00+08:00";
    assert_eq!(chat_at(exp, "2026-11-11T12:00:00+08:00"), "suspended");
    assert_eq!(chat_at(exp, "2026-11-11T04:00:00Z"), "suspended");
    assert_eq!(chat_at(exp, "2026-12-25T00:00:00+08:00"), "suspended");
    assert_eq!(chat_at(exp, "2026-11-11T11:59:00+08:00"), "grace");
    assert_eq!(chat_at(exp, "2026-11-11T11:59:59.999+08:00"), "grace");
}

#[test]
fn chat_grace_from_the_expiry_instant() {
    let exp = "2026-11-10T12:00:00+08:00";
    assert_eq!(chat_at(exp, "2026-11-10T12:00:00+08:00"), "grace");
    assert_eq!(chat_at(exp, "2026-11-10T04:00:00Z"), "grace");
    // One second before expiry: not yet expired, in the reminder days.
    assert_eq!(
        chat_at(exp, "2026-11-10T11:59:59+08:00"),
        "renewal_reminder"
    );
}

#[test]
fn chat_reminder_days_include_the_expiry_day() {
    let exp = "2026-11-14T00:00:00+08:00";
    // elapsed(received, expires) = 7 → active; 6 → reminder.
    assert_eq!(chat_at(exp, "2026-11-07T23:59:59+08:00"), "active");
    assert_eq!(
        chat_at(exp, "2026-11-08T00:00:00+08:00"),
        "renewal_reminder"
    );
    assert_eq!(chat_at(exp, "2026-11-01T00:00:00+08:00"), "active");
    // Local dates in UTC+08:00: 2026-11-07T16:00Z is 11-08 local.
    assert_eq!(chat_at(exp, "2026-11-07T16:00:00Z"), "renewal_reminder");
    assert_eq!(chat_at(exp, "2026-11-07T15:59:59Z"), "active");
    // Expiry given in another offset: 2026-11-13T16:00Z is 11-14 local.
    assert_eq!(
        chat_at("2026-11-13T16:00:00Z", "2026-11-07T23:59:59+08:00"),
        "active"
    );
    assert_eq!(
        chat_at("2026-11-13T15:59:59Z", "2026-11-07T23:59:59+08:00"),
        "renewal_reminder"
    );
}

#[test]
fn chat_ignores_account_status_and_payment() {
    let v = verdict(&with(
        "chat",
        json!({"account": {"status": "suspended_illegal"}, "payment": {"cash": "0"}}),
    ));
    expect(&v, "manual_review", Some("CHAT-NO-RULE"), None);
    assert_eq!(
        v.facts.get("plan_state").map(String::as_str),
        Some("active")
    );
}
