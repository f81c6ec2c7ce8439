//! SPEC §2, TRTC clause by clause: every TRTC clause id, its needs_info
//! paths, the window edges and one refund at a time per account and app.

mod common;

use common::*;
use serde_json::{json, Value};

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
