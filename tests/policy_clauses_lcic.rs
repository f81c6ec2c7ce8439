//! SPEC §2, LCIC clause by clause: every LCIC clause id, the purchase-date
//! needs_info path, and the 5-day window with its time-zone edges.

mod common;

use common::*;
use serde_json::json;

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
