//! SPEC §2, clause by clause: every clause id of the four products, every
//! needs_info path with its exact `missing` list, both flags, the window and
//! time-zone edges, exact hours and half-away-from-zero rounding.

mod common;

use common::*;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// Verdict JSON shape

#[test]
fn verdict_json_has_the_spec_shape() {
    let j = vjson(&verdict(&with(
        "lcic",
        json!({"payment": {"frozen": "20.00"}}),
    )));
    assert_eq!(j["kind"], "full_refund");
    assert_eq!(j["amount"], "100.00");
    assert_eq!(j["ceiling"], Value::Null);
    assert_eq!(j["currency"], "USD");
    assert_eq!(j["clauses"], json!(["LCIC-5DAY"]));
    assert_eq!(j["flags"], json!(["frozen_funds"]));
    assert_eq!(j["missing"], json!([]));
    assert_eq!(j["facts"], json!({}));
}

#[test]
fn amount_is_two_decimals_whatever_the_currency() {
    let v = verdict(&with(
        "lcic",
        json!({"payment": {"currency": "JPY", "cash": "5000"}}),
    ));
    expect(&v, "full_refund", Some("LCIC-5DAY"), Some("5000.00"));
    assert_eq!(vjson(&v)["currency"], "JPY");
    let v = verdict(&with("lcic", json!({"payment": {"cash": "7.5"}})));
    expect(&v, "full_refund", Some("LCIC-5DAY"), Some("7.50"));
}

// ---------------------------------------------------------------------------
// LCIC

#[test]
fn lcic_5day_refunds_cash_and_credits_never_vouchers_or_discounts() {
    let v = verdict(&with(
        "lcic",
        json!({"payment": {"cash": "80.00", "commission_credit": "10.00",
                           "free_credit": "5.00", "voucher": "15.00", "discount": "7.77"}}),
    ));
    expect(&v, "full_refund", Some("LCIC-5DAY"), Some("95.00"));
    assert!(v.flags.is_empty());
    assert!(v.missing.is_empty());
}

#[test]
fn lcic_credits_alone_are_refunded_in_full() {
    let v = verdict(&with(
        "lcic",
        json!({"payment": {"cash": "0", "commission_credit": "10.10", "free_credit": "0.01"}}),
    ));
    expect(&v, "full_refund", Some("LCIC-5DAY"), Some("10.11"));
}

#[test]
fn lcic_suspended_for_each_violation_status() {
    for status in [
        "suspended_violation",
        "suspended_content",
        "suspended_illegal",
    ] {
        // Even with every later rule also failing, the first rule decides.
        let v = verdict(&with(
            "lcic",
            json!({"account": {"status": status},
                   "package": {"source": "gift", "billing": "payg", "used_units": 3}}),
        ));
        expect(&v, "reject", Some("LCIC-SUSPENDED"), None);
    }
}

#[test]
fn lcic_overdue_suspension_is_not_a_violation() {
    let v = verdict(&with(
        "lcic",
        json!({"account": {"status": "suspended_overdue"}}),
    ));
    expect(&v, "full_refund", Some("LCIC-5DAY"), Some("100.00"));
    let v = verdict(&with("lcic", json!({"account": {"status": "active"}})));
    expect(&v, "full_refund", Some("LCIC-5DAY"), Some("100.00"));
}

#[test]
fn lcic_not_purchased_for_every_other_source() {
    for source in ["free_trial", "promotion", "gift"] {
        let v = verdict(&with(
            "lcic",
            json!({"package": {"source": source, "billing": "payg"}}),
        ));
        expect(&v, "reject", Some("LCIC-NOT-PURCHASED"), None);
    }
    let v = verdict(&with("lcic", json!({"package": {"source": "purchased"}})));
    expect(&v, "full_refund", Some("LCIC-5DAY"), Some("100.00"));
}

#[test]
fn lcic_payg_is_never_refundable() {
    let v = verdict(&with(
        "lcic",
        json!({"package": {"billing": "payg", "used_units": 5}}),
    ));
    expect(&v, "reject", Some("LCIC-PAYG"), None);
    for billing in ["prepaid", "contract"] {
        let v = verdict(&with("lcic", json!({"package": {"billing": billing}})));
        expect(&v, "full_refund", Some("LCIC-5DAY"), Some("100.00"));
    }
}

#[test]
fn lcic_any_usage_rejects_whatever_remains() {
    let v = verdict(&with(
        "lcic",
        json!({"package": {"total_units": 500, "used_units": 1}}),
    ));
    expect(&v, "reject", Some("LCIC-USED"), None);
    // Usage is checked before the purchase date is needed.
    let v = without(
        "lcic",
        json!({"package": {"used_units": 1}}),
        &["package.purchased_at"],
    );
    expect(&verdict(&v), "reject", Some("LCIC-USED"), None);
}

#[test]
fn lcic_needs_purchase_date() {
    let v = without("lcic", json!({}), &["package.purchased_at"]);
    expect_missing(&verdict(&v), &["package.purchased_at"]);
    // null counts as absent
    let v = with("lcic", json!({"package": {"purchased_at": null}}));
    expect_missing(&verdict(&v), &["package.purchased_at"]);
}

#[test]
fn lcic_window_day_5_at_2359_accepted_day_6_at_0000_rejected() {
    let p = json!({"package": {"purchased_at": "2026-11-02T00:01:00+08:00"}});
    let mut t = p.clone();
    merge(&mut t, json!({"received_at": "2026-11-07T23:59:00+08:00"}));
    let v = verdict(&with("lcic", t));
    expect(&v, "full_refund", Some("LCIC-5DAY"), Some("100.00"));

    let mut t = p.clone();
    merge(&mut t, json!({"received_at": "2026-11-08T00:00:00+08:00"}));
    let v = verdict(&with("lcic", t));
    expect(&v, "reject", Some("LCIC-WINDOW"), None);

    // Same local day as the purchase: day 0.
    let mut t = p;
    merge(&mut t, json!({"received_at": "2026-11-02T00:01:00+08:00"}));
    expect(
        &verdict(&with("lcic", t)),
        "full_refund",
        Some("LCIC-5DAY"),
        Some("100.00"),
    );
}

#[test]
fn lcic_window_is_judged_in_local_dates_whatever_the_offsets() {
    // 2026-11-01T20:00:00-05:00 is 2026-11-02T09:00 in UTC+08:00: day 0 is 11-02.
    let purchased = json!({"package": {"purchased_at": "2026-11-01T20:00:00-05:00"}});
    let case = |received: &str| {
        let mut t = purchased.clone();
        merge(&mut t, json!({"received_at": received}));
        verdict(&with("lcic", t))
    };
    // Local 11-07 (day 5): accepted, although 6 days after 11-01 in the buyer's zone.
    expect(
        &case("2026-11-07T23:59:00+08:00"),
        "full_refund",
        Some("LCIC-5DAY"),
        Some("100.00"),
    );
    expect(
        &case("2026-11-07T15:59:59Z"),
        "full_refund",
        Some("LCIC-5DAY"),
        Some("100.00"),
    );
    expect(
        &case("2026-11-07T10:59:59-05:00"),
        "full_refund",
        Some("LCIC-5DAY"),
        Some("100.00"),
    );
    // Local 11-08 (day 6): rejected, although still 11-07 in UTC and in -05:00.
    expect(
        &case("2026-11-07T16:00:00Z"),
        "reject",
        Some("LCIC-WINDOW"),
        None,
    );
    expect(
        &case("2026-11-07T11:00:00-05:00"),
        "reject",
        Some("LCIC-WINDOW"),
        None,
    );
    expect(
        &case("2026-11-08T00:00:00+08:00"),
        "reject",
        Some("LCIC-WINDOW"),
        None,
    );
}

#[test]
fn lcic_window_with_fractional_seconds_and_half_hour_offsets() {
    // 2026-11-01T21:29:59.999+05:30 is 2026-11-01T23:59:59.999+08:00: day 0 is 11-01.
    let t = with(
        "lcic",
        json!({"package": {"purchased_at": "2026-11-01T21:29:59.999+05:30"},
               "received_at": "2026-11-06T23:59:59.999999+08:00"}),
    );
    expect(
        &verdict(&t),
        "full_refund",
        Some("LCIC-5DAY"),
        Some("100.00"),
    );
    let t = with(
        "lcic",
        json!({"package": {"purchased_at": "2026-11-01T21:29:59.999+05:30"},
               "received_at": "2026-11-07T00:00:00.000001+08:00"}),
    );
    expect(&verdict(&t), "reject", Some("LCIC-WINDOW"), None);
}

#[test]
fn lcic_nothing_paid_comes_after_the_window() {
    let v = verdict(&with(
        "lcic",
        json!({"payment": {"cash": "0.00", "voucher": "50.00", "discount": "10.00"}}),
    ));
    expect(&v, "reject", Some("COMMON-NOTHING-PAID"), None);
    let v = verdict(&with(
        "lcic",
        json!({"payment": {"cash": "0"}, "received_at": "2026-11-30T10:00:00+08:00"}),
    ));
    expect(&v, "reject", Some("LCIC-WINDOW"), None);
}

// ---------------------------------------------------------------------------
// TRTC

#[test]
fn trtc_5day_refunds_the_base() {
    let v = verdict(&with(
        "trtc",
        json!({"payment": {"cash": "199.00", "discount": "20.00", "voucher": "1.00",
                           "commission_credit": "0.50"}}),
    ));
    expect(&v, "full_refund", Some("TRTC-5DAY"), Some("199.50"));
}

#[test]
fn trtc_suspended_for_each_violation_status_but_not_overdue() {
    for status in [
        "suspended_violation",
        "suspended_content",
        "suspended_illegal",
    ] {
        let v = verdict(&with(
            "trtc",
            json!({"account": {"status": status},
                   "package": {"billing": "payg", "gifted_units_used": 1, "used_units": 1}}),
        ));
        expect(&v, "reject", Some("TRTC-SUSPENDED"), None);
    }
    let v = verdict(&with(
        "trtc",
        json!({"account": {"status": "suspended_overdue"}}),
    ));
    expect(&v, "full_refund", Some("TRTC-5DAY"), Some("100.00"));
}

#[test]
fn trtc_scope_is_monthly_only() {
    for billing in ["prepaid", "payg", "contract"] {
        let v = verdict(&with(
            "trtc",
            json!({"package": {"billing": billing, "gifted_units_used": 1}}),
        ));
        expect(&v, "reject", Some("TRTC-SCOPE"), None);
    }
}

#[test]
fn trtc_gift_usage_then_usage() {
    let v = verdict(&with(
        "trtc",
        json!({"package": {"gifted_units_used": 30, "used_units": 5}}),
    ));
    expect(&v, "reject", Some("TRTC-GIFT-USED"), None);
    let v = verdict(&with("trtc", json!({"package": {"used_units": 1}})));
    expect(&v, "reject", Some("TRTC-USED"), None);
    // Usage is checked before the needs_info fields.
    let v = without(
        "trtc",
        json!({"package": {"used_units": 1}}),
        &["package.purchased_at", "package.sdk_app_id"],
    );
    expect(&verdict(&v), "reject", Some("TRTC-USED"), None);
}

#[test]
fn trtc_needs_purchase_date_and_app_id() {
    let v = without("trtc", json!({}), &["package.purchased_at"]);
    expect_missing(&verdict(&v), &["package.purchased_at"]);
    let v = without("trtc", json!({}), &["package.sdk_app_id"]);
    expect_missing(&verdict(&v), &["package.sdk_app_id"]);
    let v = with(
        "trtc",
        json!({"package": {"sdk_app_id": null, "purchased_at": null}}),
    );
    expect_missing(
        &verdict(&v),
        &["package.purchased_at", "package.sdk_app_id"],
    );
}

#[test]
fn trtc_window_edges() {
    let case = |received: &str| {
        verdict(&with(
            "trtc",
            json!({"package": {"purchased_at": "2026-11-02T00:01:00+08:00"},
                   "received_at": received}),
        ))
    };
    expect(
        &case("2026-11-07T23:59:00+08:00"),
        "full_refund",
        Some("TRTC-5DAY"),
        Some("100.00"),
    );
    expect(
        &case("2026-11-08T00:00:00+08:00"),
        "reject",
        Some("TRTC-WINDOW"),
        None,
    );
    expect(
        &case("2026-11-07T16:00:00Z"),
        "reject",
        Some("TRTC-WINDOW"),
        None,
    );
}

#[test]
fn trtc_window_comes_before_nothing_paid() {
    let v = verdict(&with(
        "trtc",
        json!({"payment": {"cash": "0"}, "received_at": "2026-11-20T10:00:00+08:00"}),
    ));
    expect(&v, "reject", Some("TRTC-WINDOW"), None);
    let v = verdict(&with(
        "trtc",
        json!({"payment": {"cash": "0", "voucher": "99.00"}}),
    ));
    expect(&v, "reject", Some("COMMON-NOTHING-PAID"), None);
}

/// A TRTC ticket of account `acc`, app `app`, received `received` and
/// purchased the same local day.
fn trtc_at(id: &str, acc: &str, app: &str, received: &str) -> Value {
    with(
        "trtc",
        json!({"id": id, "account": {"id": acc}, "received_at": received,
               "package": {"sdk_app_id": app, "purchased_at": received}}),
    )
}

#[test]
fn trtc_one_at_a_time_within_5_days_same_account_and_app() {
    let vs = verdicts(&[
        trtc_at("T-1", "acc-1", "app-1", "2026-11-03T10:00:00+08:00"),
        // elapsed 5 (local dates 11-03 → 11-08): blocked
        trtc_at("T-2", "acc-1", "app-1", "2026-11-08T23:59:00+08:00"),
    ]);
    expect(&vs[0], "full_refund", Some("TRTC-5DAY"), Some("100.00"));
    expect(&vs[1], "reject", Some("TRTC-ONE-AT-A-TIME"), None);
}

#[test]
fn trtc_one_at_a_time_allows_six_days_later() {
    let vs = verdicts(&[
        trtc_at("T-1", "acc-1", "app-1", "2026-11-03T23:59:00+08:00"),
        trtc_at("T-2", "acc-1", "app-1", "2026-11-09T00:00:00+08:00"),
    ]);
    expect(&vs[0], "full_refund", Some("TRTC-5DAY"), Some("100.00"));
    expect(&vs[1], "full_refund", Some("TRTC-5DAY"), Some("100.00"));
}

#[test]
fn trtc_one_at_a_time_is_per_app_and_per_account() {
    let vs = verdicts(&[
        trtc_at("T-1", "acc-1", "app-1", "2026-11-03T10:00:00+08:00"),
        trtc_at("T-2", "acc-1", "app-2", "2026-11-04T10:00:00+08:00"),
        trtc_at("T-3", "acc-2", "app-1", "2026-11-04T10:00:00+08:00"),
    ]);
    for v in &vs {
        expect(v, "full_refund", Some("TRTC-5DAY"), Some("100.00"));
    }
}

#[test]
fn trtc_one_at_a_time_ignores_earlier_rejected_and_non_trtc_tickets() {
    let mut used = trtc_at("T-1", "acc-1", "app-1", "2026-11-03T10:00:00+08:00");
    merge(&mut used, json!({"package": {"used_units": 3}}));
    // An LCIC full refund of the same account, even naming the same app id.
    let lcic = with(
        "lcic",
        json!({"id": "L-1", "received_at": "2026-11-03T11:00:00+08:00",
               "package": {"sdk_app_id": "app-1"}}),
    );
    let vs = verdicts(&[
        used,
        lcic,
        trtc_at("T-2", "acc-1", "app-1", "2026-11-04T10:00:00+08:00"),
    ]);
    expect(&vs[0], "reject", Some("TRTC-USED"), None);
    expect(&vs[1], "full_refund", Some("LCIC-5DAY"), Some("100.00"));
    expect(&vs[2], "full_refund", Some("TRTC-5DAY"), Some("100.00"));
}

#[test]
fn trtc_one_at_a_time_blocked_ticket_does_not_block_the_next() {
    let vs = verdicts(&[
        trtc_at("T-1", "acc-1", "app-1", "2026-11-01T10:00:00+08:00"),
        trtc_at("T-2", "acc-1", "app-1", "2026-11-05T10:00:00+08:00"),
        // 8 days after T-1 (the only full refund), 4 days after the rejected T-2.
        trtc_at("T-3", "acc-1", "app-1", "2026-11-09T10:00:00+08:00"),
    ]);
    expect(&vs[0], "full_refund", Some("TRTC-5DAY"), Some("100.00"));
    expect(&vs[1], "reject", Some("TRTC-ONE-AT-A-TIME"), None);
    expect(&vs[2], "full_refund", Some("TRTC-5DAY"), Some("100.00"));
}

#[test]
fn trtc_one_at_a_time_ignores_an_earlier_nothing_paid_ticket() {
    let mut free = trtc_at("T-1", "acc-1", "app-1", "2026-11-03T10:00:00+08:00");
    merge(&mut free, json!({"payment": {"cash": "0"}}));
    let vs = verdicts(&[
        free,
        trtc_at("T-2", "acc-1", "app-1", "2026-11-04T10:00:00+08:00"),
    ]);
    expect(&vs[0], "reject", Some("COMMON-NOTHING-PAID"), None);
    expect(&vs[1], "full_refund", Some("TRTC-5DAY"), Some("100.00"));
}

#[test]
fn trtc_one_at_a_time_comes_before_nothing_paid() {
    let mut free = trtc_at("T-2", "acc-1", "app-1", "2026-11-04T10:00:00+08:00");
    merge(&mut free, json!({"payment": {"cash": "0"}}));
    let vs = verdicts(&[
        trtc_at("T-1", "acc-1", "app-1", "2026-11-03T10:00:00+08:00"),
        free,
    ]);
    expect(&vs[1], "reject", Some("TRTC-ONE-AT-A-TIME"), None);
}

#[test]
fn trtc_one_at_a_time_orders_by_instant_then_id_not_input_order() {
    // Same instant written in two offsets: the smaller id is the earlier ticket.
    let a = trtc_at("T-A", "acc-1", "app-1", "2026-11-03T02:00:00Z");
    let b = trtc_at("T-B", "acc-1", "app-1", "2026-11-03T10:00:00+08:00");
    for input in [vec![a.clone(), b.clone()], vec![b.clone(), a.clone()]] {
        let vs = verdicts(&input);
        for (t, v) in input.iter().zip(&vs) {
            if t["id"] == "T-A" {
                expect(v, "full_refund", Some("TRTC-5DAY"), Some("100.00"));
            } else {
                expect(v, "reject", Some("TRTC-ONE-AT-A-TIME"), None);
            }
        }
    }
    // A later instant with a smaller id is still the later ticket.
    let vs = verdicts(&[
        trtc_at("T-Z", "acc-1", "app-1", "2026-11-03T10:00:00+08:00"),
        trtc_at("T-A", "acc-1", "app-1", "2026-11-03T10:00:01+08:00"),
    ]);
    expect(&vs[0], "full_refund", Some("TRTC-5DAY"), Some("100.00"));
    expect(&vs[1], "reject", Some("TRTC-ONE-AT-A-TIME"), None);
}

#[test]
fn earlier_means_earlier_instant_even_far_in_the_future() {
    // T-B is received two days before T-A; both are valid RFC 3339 timestamps.
    let vs = verdicts(&[
        trtc_at("T-A", "acc-1", "app-1", "2300-01-03T10:00:00+08:00"),
        trtc_at("T-B", "acc-1", "app-1", "2300-01-01T10:00:00+08:00"),
    ]);
    expect(&vs[1], "full_refund", Some("TRTC-5DAY"), Some("100.00"));
    expect(&vs[0], "reject", Some("TRTC-ONE-AT-A-TIME"), None);
}

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

// ---------------------------------------------------------------------------
// Live streaming

#[test]
fn live_base_ticket_is_outage_compensation() {
    let v = verdict(&base("live"));
    // 9000 × 80 / (90 × 24) = 333.333…
    expect(&v, "compensation", Some("LIVE-OUTAGE"), Some("333.33"));
    assert_eq!(vjson(&v)["ceiling"], Value::Null);
}

#[test]
fn live_contract_override_prevails_over_everything() {
    let t = without(
        "live",
        json!({"contract": {"overrides_policy": true}, "reason": "customer_error"}),
        &["contract.signed_at", "package.activated_at"],
    );
    expect(&verdict(&t), "manual_review", Some("LIVE-CONTRACT"), None);
    let t = with("live", json!({"contract": {"overrides_policy": false}}));
    expect(
        &verdict(&t),
        "compensation",
        Some("LIVE-OUTAGE"),
        Some("333.33"),
    );
}

#[test]
fn live_needs_signing_date() {
    let t = without("live", json!({}), &["contract.signed_at"]);
    expect_missing(&verdict(&t), &["contract.signed_at"]);
    let t = with("live", json!({"contract": null}));
    expect_missing(&verdict(&t), &["contract.signed_at"]);
}

/// Unused, signed 2026-10-30 16:00 local, applied `received`.
fn live_pre(received: &str, patch: Value) -> Value {
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

#[test]
fn live_pre_use_full_refund_within_7_days_of_signing() {
    let v = verdict(&live_pre("2026-11-06T23:59:00+08:00", json!({})));
    expect(&v, "full_refund", Some("LIVE-PRE"), Some("9000.00"));
    // Day 8: no longer pre-use; changed_mind is unilateral.
    let v = verdict(&live_pre("2026-11-07T00:00:00+08:00", json!({})));
    expect(&v, "reject", Some("LIVE-EXCL-UNILATERAL"), None);
    // Used: not pre-use, even on day 0.
    let v = verdict(&live_pre(
        "2026-10-30T17:00:00+08:00",
        json!({"package": {"used_units": 1}}),
    ));
    expect(&v, "reject", Some("LIVE-EXCL-UNILATERAL"), None);
}

#[test]
fn live_pre_use_applies_whatever_the_reason() {
    for reason in [
        "customer_error",
        "third_party",
        "unused",
        "other",
        "quality",
        "outage",
    ] {
        let v = verdict(&live_pre(
            "2026-11-02T10:00:00+08:00",
            json!({"reason": reason}),
        ));
        expect(&v, "full_refund", Some("LIVE-PRE"), Some("9000.00"));
    }
}

#[test]
fn live_pre_use_window_in_local_dates() {
    // Signed 2026-10-30T08:30Z = 16:30 local on 10-30; 2026-11-06T15:59Z = 23:59 local on 11-06.
    let v = verdict(&live_pre(
        "2026-11-06T15:59:00Z",
        json!({"contract": {"signed_at": "2026-10-30T08:30:00Z"}}),
    ));
    expect(&v, "full_refund", Some("LIVE-PRE"), Some("9000.00"));
    let v = verdict(&live_pre(
        "2026-11-06T16:00:00Z",
        json!({"contract": {"signed_at": "2026-10-30T08:30:00Z"}}),
    ));
    expect(&v, "reject", Some("LIVE-EXCL-UNILATERAL"), None);
}

#[test]
fn live_pre_use_with_nothing_paid_is_rejected_nothing_paid_first() {
    let v = verdict(&live_pre(
        "2026-11-02T10:00:00+08:00",
        json!({"payment": {"cash": "0", "voucher": "9000.00"}}),
    ));
    expect(&v, "reject", Some("COMMON-NOTHING-PAID"), None);
    assert!(v.flags.is_empty());
}

#[test]
fn live_exclusions_by_reason() {
    for (reason, kind, clause) in [
        ("customer_error", "reject", "LIVE-EXCL-CUSTOMER"),
        ("third_party", "reject", "LIVE-EXCL-THIRD-PARTY"),
        ("changed_mind", "reject", "LIVE-EXCL-UNILATERAL"),
        ("unused", "reject", "LIVE-EXCL-UNILATERAL"),
        ("other", "manual_review", "LIVE-OTHER"),
    ] {
        let v = verdict(&with("live", json!({"reason": reason})));
        expect(&v, kind, Some(clause), None);
        // They come before activation and term are needed.
        let t = without(
            "live",
            json!({"reason": reason}),
            &["package.activated_at", "package.term_days", "incident"],
        );
        expect(&verdict(&t), kind, Some(clause), None);
    }
}

#[test]
fn live_needs_activation_and_term() {
    for (gone, missing) in [
        (
            vec!["package.activated_at", "package.term_days"],
            vec!["package.activated_at", "package.term_days"],
        ),
        (vec!["package.activated_at"], vec!["package.activated_at"]),
        (vec!["package.term_days"], vec!["package.term_days"]),
    ] {
        for reason in ["outage", "service_unavailable", "quality"] {
            let t = without("live", json!({"reason": reason}), &gone);
            expect_missing(&verdict(&t), &missing);
        }
    }
}

#[test]
fn live_late_application_after_the_term() {
    // Activated 11-01, term 30: day 30 (12-01) is too late, day 29 is not.
    let t = with(
        "live",
        json!({"package": {"term_days": 30}, "received_at": "2026-12-01T00:00:00+08:00"}),
    );
    expect(&verdict(&t), "reject", Some("LIVE-EXCL-LATE"), None);
    let t = with(
        "live",
        json!({"package": {"term_days": 30}, "received_at": "2026-11-30T23:59:59+08:00"}),
    );
    // 9000 × 80 / (30 × 24) = 1000.00
    expect(
        &verdict(&t),
        "compensation",
        Some("LIVE-OUTAGE"),
        Some("1000.00"),
    );
    // Late comes before the incident fields are needed.
    let t = without(
        "live",
        json!({"package": {"term_days": 1}, "reason": "service_unavailable"}),
        &["incident"],
    );
    expect(&verdict(&t), "reject", Some("LIVE-EXCL-LATE"), None);
}

/// Service unavailable from 2026-11-13 09:00 local (day 12 of a 90-day term),
/// unresolved 72 h, provider caused.
fn live_unavailable(patch: Value) -> Value {
    let mut t = with(
        "live",
        json!({"reason": "service_unavailable",
               "incident": {"started_at": "2026-11-13T09:00:00+08:00",
                            "unresolved_hours": 72, "provider_caused": true}}),
    );
    remove(&mut t, "incident.outage_hours");
    merge(&mut t, patch);
    t
}

#[test]
fn live_unavailable_needs_its_incident_fields() {
    let t = without(
        "live",
        json!({"reason": "service_unavailable"}),
        &["incident"],
    );
    expect_missing(
        &verdict(&t),
        &[
            "incident.provider_caused",
            "incident.started_at",
            "incident.unresolved_hours",
        ],
    );
    for field in ["started_at", "unresolved_hours", "provider_caused"] {
        let path = format!("incident.{field}");
        let mut t = live_unavailable(json!({}));
        remove(&mut t, &path);
        expect_missing(&verdict(&t), &[path.as_str()]);
    }
    let t =
        live_unavailable(json!({"incident": {"unresolved_hours": null, "provider_caused": null}}));
    expect_missing(
        &verdict(&t),
        &["incident.provider_caused", "incident.unresolved_hours"],
    );
}

#[test]
fn live_early_pro_rata_by_term_days() {
    // used_days = elapsed(11-01, 11-13) = 12; 9000 × 78 / 90 = 7800.
    let v = verdict(&live_unavailable(json!({})));
    expect(&v, "pro_rata", Some("LIVE-EARLY"), Some("7800.00"));
    // 100.00 × 29 / 30 = 96.666… → 96.67
    let v = verdict(&live_unavailable(json!({
        "package": {"term_days": 30}, "payment": {"cash": "100.00"},
        "incident": {"started_at": "2026-11-02T00:00:00+08:00"}
    })));
    expect(&v, "pro_rata", Some("LIVE-EARLY"), Some("96.67"));
}

#[test]
fn live_early_day_30_vs_day_31_after_activation() {
    let at = |started: &str| {
        verdict(&live_unavailable(json!({
            "incident": {"started_at": started},
            "received_at": "2026-12-10T10:00:00+08:00"
        })))
    };
    // Day 30 local (12-01): early, 9000 × 60 / 90 = 6000.
    expect(
        &at("2026-12-01T23:59:00+08:00"),
        "pro_rata",
        Some("LIVE-EARLY"),
        Some("6000.00"),
    );
    expect(
        &at("2026-12-01T15:59:00Z"),
        "pro_rata",
        Some("LIVE-EARLY"),
        Some("6000.00"),
    );
    // Day 31: not early, no outage hours → not met.
    expect(
        &at("2026-12-02T00:00:00+08:00"),
        "reject",
        Some("LIVE-NOT-MET"),
        None,
    );
    expect(
        &at("2026-12-01T16:00:00Z"),
        "reject",
        Some("LIVE-NOT-MET"),
        None,
    );
}

#[test]
fn live_early_needs_more_than_48_unresolved_hours_read_exactly() {
    let v = verdict(&live_unavailable(
        json!({"incident": {"unresolved_hours": 48}}),
    ));
    expect(&v, "reject", Some("LIVE-NOT-MET"), None);
    let v = verdict(&live_unavailable(
        json!({"incident": {"unresolved_hours": 48.0}}),
    ));
    expect(&v, "reject", Some("LIVE-NOT-MET"), None);
    let v = verdict(&live_unavailable(
        json!({"incident": {"unresolved_hours": 48.01}}),
    ));
    expect(&v, "pro_rata", Some("LIVE-EARLY"), Some("7800.00"));
    let t = ticket_from_text(&live_unavailable(json!({})), "72", "48.0000000000000001");
    expect(
        &refund_desk::domain::policy::evaluate(&t, policy(), &[]),
        "pro_rata",
        Some("LIVE-EARLY"),
        Some("7800.00"),
    );
}

/// Replaces the JSON number text `from` by `to` in the serialized ticket and
/// parses it back, so hour values keep their exact decimal text.
fn ticket_from_text(v: &Value, from: &str, to: &str) -> refund_desk::domain::ticket::Ticket {
    let text = v.to_string();
    let needle = format!(":{from}");
    assert!(text.contains(&needle), "{text}");
    let text = text.replacen(&needle, &format!(":{to}"), 1);
    let value: Value = serde_json::from_str(&text).unwrap();
    ticket(&value)
}

#[test]
fn live_early_needs_provider_fault() {
    let v = verdict(&live_unavailable(
        json!({"incident": {"provider_caused": false}}),
    ));
    expect(&v, "reject", Some("LIVE-NOT-MET"), None);
    // Not provider caused: no outage compensation either.
    let v = verdict(&live_unavailable(
        json!({"incident": {"provider_caused": false, "outage_hours": 500}}),
    ));
    expect(&v, "reject", Some("LIVE-NOT-MET"), None);
}

#[test]
fn live_unavailable_falls_back_to_outage_compensation() {
    // Not early (unresolved 10 h), but a provider outage over 72 h.
    let v = verdict(&live_unavailable(
        json!({"incident": {"unresolved_hours": 10, "outage_hours": 80}}),
    ));
    expect(&v, "compensation", Some("LIVE-OUTAGE"), Some("333.33"));
    let v = verdict(&live_unavailable(
        json!({"incident": {"unresolved_hours": 10, "outage_hours": 72}}),
    ));
    expect(&v, "reject", Some("LIVE-NOT-MET"), None);
}

#[test]
fn live_early_payg_by_units() {
    let payg = |total: Value, used: u64, cash: &str| {
        verdict(&live_unavailable(json!({
            "package": {"billing": "payg", "total_units": total, "used_units": used},
            "payment": {"cash": cash}
        })))
    };
    // 9000 × 750 / 1000
    expect(
        &payg(json!(1000), 250, "9000.00"),
        "pro_rata",
        Some("LIVE-EARLY"),
        Some("6750.00"),
    );
    // 100 × 2 / 3 = 66.666… → 66.67
    expect(
        &payg(json!(3), 1, "100.00"),
        "pro_rata",
        Some("LIVE-EARLY"),
        Some("66.67"),
    );
    // Everything used: 0.00, not a reject (the base was paid).
    expect(
        &payg(json!(5), 5, "100.00"),
        "pro_rata",
        Some("LIVE-EARLY"),
        Some("0.00"),
    );
}

#[test]
fn live_early_payg_without_units_needs_total_units() {
    let v = verdict(&live_unavailable(json!({
        "package": {"billing": "payg", "total_units": 0, "used_units": 0}
    })));
    expect_missing(&v, &["package.total_units"]);
    let mut t = live_unavailable(json!({"package": {"billing": "payg", "used_units": 0}}));
    remove(&mut t, "package.total_units");
    expect_missing(&verdict(&t), &["package.total_units"]);
    // Only when LIVE-EARLY applies: not early → total_units is not needed.
    let mut t = live_unavailable(json!({
        "package": {"billing": "payg", "used_units": 0},
        "incident": {"unresolved_hours": 1}
    }));
    remove(&mut t, "package.total_units");
    expect(&verdict(&t), "reject", Some("LIVE-NOT-MET"), None);
}

#[test]
fn live_early_rounds_half_away_from_zero() {
    // payg: 10.10 × 1 / 4 = 2.525 exactly → 2.53 (banker's rounding would give 2.52).
    let v = verdict(&live_unavailable(json!({
        "package": {"billing": "payg", "total_units": 4, "used_units": 3},
        "payment": {"cash": "10.10"}
    })));
    expect(&v, "pro_rata", Some("LIVE-EARLY"), Some("2.53"));
    // term days: 10.70 × 1 / 4 = 2.675 exactly → 2.68 (f64 would give 2.67).
    let v = verdict(&live_unavailable(json!({
        "package": {"term_days": 4},
        "payment": {"cash": "10.70"},
        "incident": {"started_at": "2026-11-04T09:00:00+08:00"},
        "received_at": "2026-11-04T10:00:00+08:00"
    })));
    expect(&v, "pro_rata", Some("LIVE-EARLY"), Some("2.68"));
    // 0.01 × 1 / 2 = 0.005 → 0.01
    let v = verdict(&live_unavailable(json!({
        "package": {"billing": "payg", "total_units": 2, "used_units": 1},
        "payment": {"cash": "0.01"}
    })));
    expect(&v, "pro_rata", Some("LIVE-EARLY"), Some("0.01"));
}

#[test]
fn live_early_multiplies_before_dividing() {
    // 0.10 × 2 / 3 = 0.0666… → 0.07; dividing and rounding first would give 0.06.
    let v = verdict(&live_unavailable(json!({
        "package": {"billing": "payg", "total_units": 3, "used_units": 1},
        "payment": {"cash": "0.10"}
    })));
    expect(&v, "pro_rata", Some("LIVE-EARLY"), Some("0.07"));
}

#[test]
fn live_early_with_nothing_paid_is_rejected() {
    let v = verdict(&live_unavailable(
        json!({"payment": {"cash": "0", "voucher": "10.00"}}),
    ));
    expect(&v, "reject", Some("COMMON-NOTHING-PAID"), None);
}

#[test]
fn live_outage_needs_hours_and_fault() {
    let t = without("live", json!({}), &["incident"]);
    expect_missing(
        &verdict(&t),
        &["incident.outage_hours", "incident.provider_caused"],
    );
    let t = without("live", json!({}), &["incident.outage_hours"]);
    expect_missing(&verdict(&t), &["incident.outage_hours"]);
    let t = with("live", json!({"incident": {"provider_caused": null}}));
    expect_missing(&verdict(&t), &["incident.provider_caused"]);
    // started_at is not needed for an outage.
    let t = without("live", json!({}), &["incident.started_at"]);
    expect(
        &verdict(&t),
        "compensation",
        Some("LIVE-OUTAGE"),
        Some("333.33"),
    );
}

#[test]
fn live_outage_hours_are_read_exactly() {
    let v = verdict(&with("live", json!({"incident": {"outage_hours": 72}})));
    expect(&v, "reject", Some("LIVE-NOT-MET"), None);
    // 9000 × 72.01 / 2160 = 300.041666… → 300.04
    let v = verdict(&with("live", json!({"incident": {"outage_hours": 72.01}})));
    expect(&v, "compensation", Some("LIVE-OUTAGE"), Some("300.04"));
    // 72.0000000000000001 is 72.0 as an f64, yet it is more than 72.
    let t = ticket_from_text(&base("live"), "80", "72.0000000000000001");
    expect(
        &refund_desk::domain::policy::evaluate(&t, policy(), &[]),
        "compensation",
        Some("LIVE-OUTAGE"),
        Some("300.00"),
    );
    let t = ticket_from_text(&base("live"), "80", "72.000");
    expect(
        &refund_desk::domain::policy::evaluate(&t, policy(), &[]),
        "reject",
        Some("LIVE-NOT-MET"),
        None,
    );
}

#[test]
fn live_outage_needs_provider_fault() {
    let v = verdict(&with(
        "live",
        json!({"incident": {"provider_caused": false, "outage_hours": 500}}),
    ));
    expect(&v, "reject", Some("LIVE-NOT-MET"), None);
}

#[test]
fn live_outage_is_capped_at_the_base() {
    // Term 2 days = 48 h; 100 h outage → 9000 × 100 / 48 = 18750 → capped at 9000.00.
    let v = verdict(&with(
        "live",
        json!({"package": {"term_days": 2, "activated_at": "2026-11-19T00:00:00+08:00"},
               "incident": {"started_at": "2026-11-19T01:00:00+08:00", "outage_hours": 100}}),
    ));
    expect(&v, "compensation", Some("LIVE-OUTAGE"), Some("9000.00"));
    // Cap with a base that is not a round number: 33.33 × 96 / 48 → 33.33.
    let v = verdict(&with(
        "live",
        json!({"package": {"term_days": 2, "activated_at": "2026-11-19T00:00:00+08:00"},
               "payment": {"cash": "33.33"},
               "incident": {"started_at": "2026-11-19T01:00:00+08:00", "outage_hours": 96}}),
    ));
    expect(&v, "compensation", Some("LIVE-OUTAGE"), Some("33.33"));
    // Exactly the whole term: 10.01 × 96 / 96 = 10.01 (equal to the base).
    let v = verdict(&with(
        "live",
        json!({"package": {"term_days": 4, "activated_at": "2026-11-19T00:00:00+08:00"},
               "payment": {"cash": "10.01"},
               "incident": {"started_at": "2026-11-19T01:00:00+08:00", "outage_hours": 96}}),
    ));
    expect(&v, "compensation", Some("LIVE-OUTAGE"), Some("10.01"));
}

#[test]
fn live_outage_rounds_half_away_from_zero() {
    // 10.10 × 120 / (20 × 24) = 2.525 exactly → 2.53
    let v = verdict(&with(
        "live",
        json!({"package": {"term_days": 20}, "payment": {"cash": "10.10"},
               "incident": {"outage_hours": 120}}),
    ));
    expect(&v, "compensation", Some("LIVE-OUTAGE"), Some("2.53"));
    // 0.03 × 73 / (90 × 24) = 0.0010138… → 0.00 (below half a cent)
    let v = verdict(&with(
        "live",
        json!({"payment": {"cash": "0.03"}, "incident": {"outage_hours": 73}}),
    ));
    expect(&v, "compensation", Some("LIVE-OUTAGE"), Some("0.00"));
    // Credits count in the base; vouchers and discounts do not.
    let v = verdict(&with(
        "live",
        json!({"payment": {"cash": "4000.00", "commission_credit": "3000.00",
                           "free_credit": "2000.00", "voucher": "500.00", "discount": "100.00"}}),
    ));
    expect(&v, "compensation", Some("LIVE-OUTAGE"), Some("333.33"));
}

#[test]
fn live_outage_with_nothing_paid_is_rejected() {
    let v = verdict(&with(
        "live",
        json!({"payment": {"cash": "0", "discount": "9000.00"}}),
    ));
    expect(&v, "reject", Some("COMMON-NOTHING-PAID"), None);
}

#[test]
fn live_quality_negotiates_up_to_the_base_once_confirmed() {
    let v = verdict(&with(
        "live",
        json!({"reason": "quality", "incident": {"quality_gap_confirmed": true},
               "payment": {"voucher": "100.00", "free_credit": "0.5"}}),
    ));
    expect(&v, "negotiate", Some("LIVE-QUALITY"), None);
    assert_eq!(vjson(&v)["ceiling"], "9000.50");
    for gap in [json!(false), Value::Null] {
        let v = verdict(&with(
            "live",
            json!({"reason": "quality", "incident": {"quality_gap_confirmed": gap}}),
        ));
        expect_missing(&v, &["incident.quality_gap_confirmed"]);
    }
    let t = without("live", json!({"reason": "quality"}), &["incident"]);
    expect_missing(&verdict(&t), &["incident.quality_gap_confirmed"]);
}

// ---------------------------------------------------------------------------
// Flags

/// A full-refund LCIC ticket of `acc` received on `received`.
fn lcic_refund(id: &str, acc: &str, received: &str) -> Value {
    with(
        "lcic",
        json!({"id": id, "account": {"id": acc}, "received_at": received,
               "package": {"purchased_at": received}}),
    )
}

#[test]
fn abuse_suspected_after_two_earlier_full_refunds_of_any_product() {
    let trtc = with(
        "trtc",
        json!({"id": "T-9", "received_at": day(10), "package": {"purchased_at": day(10)}}),
    );
    let live = live_pre(
        &day(20),
        json!({"id": "V-9", "contract": {"signed_at": day(20)}}),
    );
    let vs = verdicts(&[lcic_refund("L-1", "acc-1", &day(0)), trtc, live]);
    expect(&vs[0], "full_refund", Some("LCIC-5DAY"), Some("100.00"));
    assert!(vs[0].flags.is_empty());
    expect(&vs[1], "full_refund", Some("TRTC-5DAY"), Some("100.00"));
    assert!(vs[1].flags.is_empty());
    // The flag keeps the verdict and its amount.
    expect(&vs[2], "full_refund", Some("LIVE-PRE"), Some("9000.00"));
    assert_eq!(flags(&vs[2]), ["abuse_suspected"]);
}

#[test]
fn abuse_window_is_90_days_inclusive() {
    // day(0) = 2026-08-01, day(90) = 2026-10-30, day(91) = 2026-10-31.
    let vs = verdicts(&[
        lcic_refund("L-1", "acc-1", &day(0)),
        lcic_refund("L-2", "acc-1", &day(50)),
        lcic_refund("L-3", "acc-1", &day(90)),
    ]);
    expect(&vs[2], "full_refund", Some("LCIC-5DAY"), Some("100.00"));
    assert_eq!(flags(&vs[2]), ["abuse_suspected"]);
    let vs = verdicts(&[
        lcic_refund("L-1", "acc-1", &day(0)),
        lcic_refund("L-2", "acc-1", &day(50)),
        lcic_refund("L-3", "acc-1", &day(91)),
    ]);
    expect(&vs[2], "full_refund", Some("LCIC-5DAY"), Some("100.00"));
    assert!(vs[2].flags.is_empty(), "{:?}", vs[2].flags);
}

#[test]
fn abuse_window_counts_local_dates() {
    // 2026-08-01T15:59Z is 23:59 local on 08-01 (day 0); 2026-08-01T16:00Z is 08-02.
    let first = |received: &str| lcic_refund("L-1", "acc-1", received);
    // L-3 on 10-31 local: 91 days after 08-01, 90 days after 08-02.
    let vs = verdicts(&[
        first("2026-08-01T15:59:00Z"),
        lcic_refund("L-2", "acc-1", &day(50)),
        lcic_refund("L-3", "acc-1", "2026-10-31T00:00:00+08:00"),
    ]);
    assert!(vs[2].flags.is_empty(), "91 local days: {:?}", vs[2].flags);
    let vs = verdicts(&[
        first("2026-08-01T16:00:00Z"),
        lcic_refund("L-2", "acc-1", &day(50)),
        lcic_refund("L-3", "acc-1", "2026-10-31T00:00:00+08:00"),
    ]);
    assert_eq!(flags(&vs[2]), ["abuse_suspected"]);
}

#[test]
fn abuse_counts_only_earlier_full_refunds_of_the_same_account() {
    let mut used = lcic_refund("L-2", "acc-1", &day(2));
    merge(&mut used, json!({"package": {"used_units": 1}}));
    let mut needs = lcic_refund("L-3", "acc-1", &day(3));
    remove(&mut needs, "package.purchased_at");
    let vs = verdicts(&[
        lcic_refund("L-1", "acc-1", &day(1)),
        used,
        needs,
        lcic_refund("L-4", "acc-2", &day(4)),
        lcic_refund("L-5", "acc-1", &day(5)),
    ]);
    expect(&vs[1], "reject", Some("LCIC-USED"), None);
    expect_missing(&vs[2], &["package.purchased_at"]);
    expect(&vs[4], "full_refund", Some("LCIC-5DAY"), Some("100.00"));
    assert!(vs[4].flags.is_empty(), "{:?}", vs[4].flags);
    // A later ticket (by received_at) never counts, whatever the input order.
    let vs = verdicts(&[
        lcic_refund("L-9", "acc-1", &day(30)),
        lcic_refund("L-8", "acc-1", &day(20)),
        lcic_refund("L-7", "acc-1", &day(10)),
    ]);
    assert_eq!(flags(&vs[0]), ["abuse_suspected"]);
    assert!(vs[1].flags.is_empty() && vs[2].flags.is_empty());
}

#[test]
fn abuse_flag_only_on_full_refunds() {
    let mut late = lcic_refund("L-3", "acc-1", &day(20));
    merge(&mut late, json!({"package": {"purchased_at": day(1)}}));
    let vs = verdicts(&[
        lcic_refund("L-1", "acc-1", &day(0)),
        lcic_refund("L-2", "acc-1", &day(10)),
        late,
        with(
            "live",
            json!({"id": "V-1", "received_at": "2026-11-20T10:00:00+08:00"}),
        ),
    ]);
    expect(&vs[2], "reject", Some("LCIC-WINDOW"), None);
    assert!(vs[2].flags.is_empty());
    // compensation (not a full refund): no abuse flag.
    let vs2 = verdicts(&[
        lcic_refund("L-1", "acc-1", "2026-11-01T10:00:00+08:00"),
        lcic_refund("L-2", "acc-1", "2026-11-02T10:00:00+08:00"),
        base("live"),
    ]);
    expect(&vs2[2], "compensation", Some("LIVE-OUTAGE"), Some("333.33"));
    assert!(vs2[2].flags.is_empty());
}

#[test]
fn frozen_funds_on_any_verdict_never_in_the_amount() {
    let frozen = json!({"payment": {"frozen": "20.00"}});
    // full refund
    let v = verdict(&with("lcic", frozen.clone()));
    expect(&v, "full_refund", Some("LCIC-5DAY"), Some("100.00"));
    assert_eq!(flags(&v), ["frozen_funds"]);
    // reject
    let mut t = with("lcic", frozen.clone());
    merge(&mut t, json!({"package": {"used_units": 1}}));
    let v = verdict(&t);
    expect(&v, "reject", Some("LCIC-USED"), None);
    assert_eq!(flags(&v), ["frozen_funds"]);
    // needs_info
    let mut t = with("trtc", frozen.clone());
    remove(&mut t, "package.sdk_app_id");
    let v = verdict(&t);
    expect_missing(&v, &["package.sdk_app_id"]);
    assert_eq!(flags(&v), ["frozen_funds"]);
    // manual review, compensation
    let v = verdict(&with("chat", json!({"payment": {"frozen": "0.01"}})));
    assert_eq!(flags(&v), ["frozen_funds"]);
    let v = verdict(&with("live", frozen));
    expect(&v, "compensation", Some("LIVE-OUTAGE"), Some("333.33"));
    assert_eq!(flags(&v), ["frozen_funds"]);
    // nothing frozen
    for f in ["0", "0.00"] {
        let v = verdict(&with("lcic", json!({"payment": {"frozen": f}})));
        assert!(v.flags.is_empty());
    }
}

#[test]
fn both_flags_are_listed_alphabetically() {
    let mut third = lcic_refund("L-3", "acc-1", &day(2));
    merge(&mut third, json!({"payment": {"frozen": "5.00"}}));
    let vs = verdicts(&[
        lcic_refund("L-1", "acc-1", &day(0)),
        lcic_refund("L-2", "acc-1", &day(1)),
        third,
    ]);
    expect(&vs[2], "full_refund", Some("LCIC-5DAY"), Some("100.00"));
    assert_eq!(
        vjson(&vs[2])["flags"],
        json!(["abuse_suspected", "frozen_funds"])
    );
}

#[test]
fn requested_amount_plays_no_part() {
    let v = verdict(&with("lcic", json!({"requested_amount": "5000.00"})));
    expect(&v, "full_refund", Some("LCIC-5DAY"), Some("100.00"));
    let v = verdict(&with("live", json!({"requested_amount": "1.00"})));
    expect(&v, "compensation", Some("LIVE-OUTAGE"), Some("333.33"));
}

#[test]
fn unknown_fields_are_ignored_by_the_policy() {
    let v = verdict(&with(
        "lcic",
        json!({"x_extra": {"anything": [1, 2]}, "package": {"color": "blue"}}),
    ));
    expect(&v, "full_refund", Some("LCIC-5DAY"), Some("100.00"));
}
