//! SPEC §2, live streaming clause by clause: contract override, pre-use
//! refund, exclusions, early termination pro rata, outage compensation and
//! quality negotiation, with exact hours and half-away-from-zero rounding.

mod common;

use common::*;
use serde_json::{json, Value};

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
