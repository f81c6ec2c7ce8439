//! SPEC §2 across all products: the verdict JSON shape and its two-decimal
//! amounts, both flags (abuse_suspected over 90 local days, frozen_funds on
//! any verdict), and the fields the policy ignores. The clauses of each
//! product are in policy_clauses_{lcic,trtc,chat,live}.rs.

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
