//! Properties of SPEC §2 over generated ticket sets:
//! (a) the verdicts do not depend on the order of the input;
//! (b) tickets received strictly later never change earlier verdicts;
//! (c) evaluation never panics on extreme field values, and every verdict
//!     keeps the shape the spec promises.

mod common;

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use common::policy;
use proptest::prelude::*;
use refund_desk::domain::policy::{evaluate, evaluate_all, Verdict, VerdictKind};
use refund_desk::domain::ticket::Ticket;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------
// Ticket sets over a few accounts (LCIC and TRTC: the products with ⟲ rules)

#[derive(Clone, Debug)]
struct Spec {
    account: u8,
    trtc: bool,
    /// Hours after the start of the 20-day range.
    received_h: i64,
    /// Hours between purchase and application.
    purchase_age_h: i64,
    used: bool,
    app: u8,
    paid: bool,
    /// How the offset of `received_at` is written (same instant).
    offset: i32,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0u8..3,
        any::<bool>(),
        0i64..20 * 24,
        0i64..8 * 24,
        prop::bool::weighted(0.2),
        0u8..2,
        prop::bool::weighted(0.9),
        prop::sample::select(vec![0, 8 * 3600, -5 * 3600, 5 * 3600 + 1800]),
    )
        .prop_map(
            |(account, trtc, received_h, purchase_age_h, used, app, paid, offset)| Spec {
                account,
                trtc,
                received_h,
                purchase_age_h,
                used,
                app,
                paid,
                offset,
            },
        )
}

fn rfc3339(at: DateTime<Utc>, offset_secs: i32) -> String {
    let tz = FixedOffset::east_opt(offset_secs).unwrap();
    at.with_timezone(&tz).to_rfc3339()
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

/// The ticket JSON for a spec; `id_tag` keeps ids unique, and deliberately
/// not in received order, so ties are broken by id.
fn ticket_json(s: &Spec, id_tag: &str) -> Value {
    let received = start() + Duration::hours(s.received_h);
    let purchased = received - Duration::hours(s.purchase_age_h);
    json!({
        "id": format!("{}-{id_tag}", if s.trtc { "T" } else { "L" }),
        "received_at": rfc3339(received, s.offset),
        "product": if s.trtc { "trtc" } else { "lcic" },
        "account": {"id": format!("acc-{}", s.account)},
        "package": {
            "billing": "monthly",
            "sdk_app_id": format!("app-{}", s.app),
            "purchased_at": rfc3339(purchased, 8 * 3600),
            "used_units": u64::from(s.used),
        },
        "payment": {"currency": "USD", "cash": if s.paid { "100.00" } else { "0" }},
        "reason": "unused"
    })
}

fn tickets(specs: &[Spec], tags: &[String]) -> Vec<Ticket> {
    specs
        .iter()
        .zip(tags)
        .map(|(s, tag)| common::ticket(&ticket_json(s, tag)))
        .collect()
}

fn by_id(tickets: &[Ticket]) -> BTreeMap<String, Verdict> {
    let vs = evaluate_all(tickets, policy());
    assert_eq!(vs.len(), tickets.len());
    tickets.iter().map(|t| t.id.clone()).zip(vs).collect()
}

/// Distinct id tags in an order unrelated to the generation order.
fn tags(n: usize, salt: u32) -> Vec<String> {
    (0..n)
        .map(|i| format!("{:08x}.{i}", (i as u32).wrapping_mul(2_654_435_761) ^ salt))
        .collect()
}

fn set() -> impl Strategy<Value = (Vec<Spec>, u32)> {
    (prop::collection::vec(spec(), 2..=12), any::<u32>())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// (a) The same verdict per id for any permutation of the input.
    #[test]
    fn verdicts_do_not_depend_on_input_order(
        (specs, salt) in set(),
        seed in any::<u64>(),
    ) {
        let tags = tags(specs.len(), salt);
        let ts = tickets(&specs, &tags);
        let expected = by_id(&ts);
        // A few permutations: reversed, rotated, and a seeded shuffle.
        let mut reversed = ts.clone();
        reversed.reverse();
        prop_assert_eq!(&by_id(&reversed), &expected);
        let mut rotated = ts.clone();
        rotated.rotate_left((seed as usize) % ts.len());
        prop_assert_eq!(&by_id(&rotated), &expected);
        let mut shuffled = ts.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(&by_id(&shuffled), &expected);
    }

    /// (a') Same as above, with proptest choosing the permutation.
    #[test]
    fn verdicts_do_not_depend_on_a_shuffled_order(
        (ts, shuffled) in set().prop_flat_map(|(specs, salt)| {
            let ts = tickets(&specs, &tags(specs.len(), salt));
            (Just(ts.clone()), Just(ts).prop_shuffle())
        })
    ) {
        prop_assert_eq!(by_id(&shuffled), by_id(&ts));
    }

    /// (b) Adding tickets received strictly later never changes the verdicts
    /// of the earlier ones, wherever they are placed in the input.
    #[test]
    fn later_tickets_never_change_earlier_verdicts(
        (specs, salt) in set(),
        later in prop::collection::vec(spec(), 1..=6),
        front in any::<bool>(),
    ) {
        let early = tickets(&specs, &tags(specs.len(), salt));
        let last_h = specs.iter().map(|s| s.received_h).max().unwrap();
        let later: Vec<Spec> = later
            .into_iter()
            .map(|s| Spec { received_h: last_h + 1 + s.received_h % 48, ..s })
            .collect();
        let later_tags: Vec<String> = (0..later.len()).map(|i| format!("late{i}")).collect();
        let late = tickets(&later, &later_tags);
        let alone = by_id(&early);
        let all = if front {
            [late.clone(), early.clone()].concat()
        } else {
            [early.clone(), late.clone()].concat()
        };
        let together = by_id(&all);
        for (id, v) in &alone {
            prop_assert_eq!(Some(v), together.get(id), "verdict of {} changed", id);
        }
    }

    /// (b') Same-instant tickets: a ticket with a larger id at the same
    /// instant is "later" and cannot change the verdict of a smaller id.
    #[test]
    fn same_instant_larger_id_never_changes_smaller_id(
        (specs, salt) in set(),
        extra in spec(),
    ) {
        let early = tickets(&specs, &tags(specs.len(), salt));
        let last = specs.iter().max_by_key(|s| s.received_h).unwrap();
        let tie = Spec { received_h: last.received_h, ..extra };
        // Ids start with "L-" or "T-": "zzzz" is byte-wise larger than all of them.
        let mut tie_json = ticket_json(&tie, "x");
        tie_json["id"] = json!("zzzz");
        let alone = by_id(&early);
        let mut all = early.clone();
        all.insert(0, common::ticket(&tie_json));
        let together = by_id(&all);
        for (id, v) in &alone {
            prop_assert_eq!(Some(v), together.get(id), "verdict of {} changed", id);
        }
    }
}

// ---------------------------------------------------------------------------
// (c) No panics on extreme values

fn amount_text() -> impl Strategy<Value = String> {
    prop_oneof![
        // SPEC §1 allows 15 digits before the point; longer ones are refused.
        4 => "[0-9]{1,15}(\\.[0-9]{1,2})?",
        1 => "[0-9]{16,20}(\\.[0-9]{1,2})?",
        1 => Just("999999999999999.99".to_string()),
        1 => Just("0".to_string()),
        1 => Just("0.01".to_string()),
    ]
}

fn hours_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,3}(\\.[0-9]{1,4})?",
        "[0-9]{1,30}(\\.[0-9]{1,30})?",
        "[0-9]{1,3}(\\.[0-9]{1,3})?[eE][+-]?[0-9]{1,3}",
        Just("72".to_string()),
        Just("72.0000000000000000000000000001".to_string()),
        Just("0".to_string()),
    ]
}

fn units() -> impl Strategy<Value = u64> {
    // Integers run to 10^15 (term_days to 36,600); larger ones are refused.
    prop_oneof![
        Just(0u64),
        0u64..1000,
        0u64..=36_600,
        0u64..=1_000_000_000_000_000,
        Just(1_000_000_000_000_000),
        any::<u64>(),
    ]
}

fn anchor() -> impl Strategy<Value = i64> {
    // Seconds since the epoch: mostly 2026, sometimes anywhere in years 1..9999.
    let y2026 = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    let min = Utc.with_ymd_and_hms(1, 3, 1, 0, 0, 0).unwrap().timestamp();
    let max = Utc
        .with_ymd_and_hms(9999, 10, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    prop_oneof![
        3 => (0i64..366 * 86400).prop_map(move |s| y2026 + s),
        1 => min..max,
    ]
}

/// A timestamp `delta_h` hours from `anchor`, written in offset `off` (minutes).
fn at(anchor: i64, delta_h: i64, off_min: i32) -> Option<String> {
    let t = DateTime::from_timestamp(anchor.checked_add(delta_h.checked_mul(3600)?)?, 0)?;
    let tz = FixedOffset::east_opt(off_min * 60)?;
    let s = t.with_timezone(&tz).to_rfc3339();
    DateTime::parse_from_rfc3339(&s).ok().map(|_| s)
}

fn wild_ticket() -> impl Strategy<Value = Value> {
    let products = prop::sample::select(vec!["lcic", "trtc", "chat", "live"]);
    let reasons = prop::sample::select(vec![
        "unused",
        "service_unavailable",
        "outage",
        "quality",
        "changed_mind",
        "customer_error",
        "third_party",
        "other",
    ]);
    let billings = prop::sample::select(vec!["monthly", "prepaid", "payg", "contract"]);
    let statuses = prop::sample::select(vec!["active", "suspended_violation", "suspended_overdue"]);
    let sources = prop::sample::select(vec!["purchased", "purchased", "gift"]);
    let offsets = prop::sample::select(vec![0, 480, -300, 330, -720, 840]);
    let times = (
        anchor(),
        prop::collection::vec(-24i64 * 400..=0, 5),
        -24i64 * 60..24 * 60,
        offsets,
    );
    let money = prop::collection::vec(amount_text(), 6);
    let package = (
        billings,
        sources,
        prop_oneof![Just(None), units().prop_map(Some)],
        units(),
        units(),
        units(),
        prop::option::of(0u8..2),
    );
    let incident = (
        hours_text(),
        hours_text(),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        any::<bool>(),
    );
    (
        products,
        reasons,
        statuses,
        0u8..2,
        times,
        money,
        package,
        incident,
        any::<u8>(),
    )
        .prop_map(
            |(product, reason, status, acc, times, money, package, incident, drop)| {
                let (anchor, back, expiry_h, off) = times;
                let ts = |i: usize| at(anchor, back[i], off).map(Value::String);
                let received = at(anchor, 0, off).unwrap_or_else(|| "bad".into());
                let (billing, source, term, total, used, gifted, app) = package;
                let (total, used) = (total.max(used), total.min(used));
                let (outage, unresolved, provider, gap, overrides) = incident;
                let num = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
                let mut v = json!({
                    "id": format!("W-{acc}-{}", back[0].unsigned_abs()),
                    "received_at": received,
                    "product": product,
                    "account": {"id": format!("acc-{acc}"), "status": status},
                    "package": {
                        "billing": billing,
                        "source": source,
                        "sdk_app_id": app.map(|a| format!("app-{a}")),
                        "purchased_at": ts(0),
                        "activated_at": ts(1),
                        "expires_at": at(anchor, expiry_h, off),
                        "term_days": term,
                        "total_units": total,
                        "used_units": used,
                        "gifted_units_used": gifted % 2,
                    },
                    "payment": {
                        "currency": "EUR",
                        "cash": money[0], "commission_credit": money[1],
                        "free_credit": money[2], "voucher": money[3],
                        "discount": money[4], "frozen": money[5],
                    },
                    "contract": {"signed_at": ts(2), "overrides_policy": overrides},
                    "incident": {
                        "started_at": ts(3).filter(|_| back[3] >= back[1]).or_else(|| ts(1)),
                        "outage_hours": num(&outage),
                        "unresolved_hours": num(&unresolved),
                        "provider_caused": provider,
                        "quality_gap_confirmed": gap,
                    },
                    "reason": reason,
                });
                // Drop a few optional fields now and then (null = absent).
                for (bit, path) in [
                    (0, ("package", "purchased_at")),
                    (1, ("package", "activated_at")),
                    (2, ("package", "term_days")),
                    (3, ("contract", "signed_at")),
                    (4, ("package", "expires_at")),
                    (5, ("incident", "started_at")),
                ] {
                    if drop & (1 << bit) != 0 && drop & 0xc0 == 0xc0 {
                        v[path.0][path.1] = Value::Null;
                    }
                }
                v
            },
        )
}

fn base_of(t: &Ticket) -> Decimal {
    t.payment.cash + t.payment.commission_credit + t.payment.free_credit
}

/// The verdict keeps its promised shape whatever the input.
fn check_shape(t: &Ticket, v: &Verdict) -> Result<(), TestCaseError> {
    let j = serde_json::to_value(v).expect("serializes");
    prop_assert_eq!(v.amount.is_some(), v.kind.is_monetary(), "{}", j);
    prop_assert_eq!(
        v.ceiling.is_some(),
        v.kind == VerdictKind::Negotiate,
        "{}",
        j
    );
    if v.kind == VerdictKind::NeedsInfo {
        prop_assert!(v.clauses.is_empty() && !v.missing.is_empty(), "{}", j);
        let mut sorted = v.missing.clone();
        sorted.sort();
        prop_assert_eq!(&sorted, &v.missing);
    } else {
        prop_assert!(!v.clauses.is_empty() && v.missing.is_empty(), "{}", j);
    }
    let mut flags = v.flags.clone();
    flags.sort_by_key(|f| f.as_str());
    prop_assert_eq!(&flags, &v.flags);
    for key in ["amount", "ceiling"] {
        if let Some(s) = j[key].as_str() {
            let (_, frac) = s.split_once('.').unwrap_or((s, ""));
            prop_assert_eq!(frac.len(), 2, "{} = {:?} in {}", key, s, j);
        }
    }
    if let Some(a) = v.amount {
        prop_assert!(a >= Decimal::ZERO, "{}", j);
        prop_assert!(a <= base_of(t), "amount above the base: {}", j);
        if v.kind == VerdictKind::FullRefund {
            prop_assert_eq!(a, base_of(t), "{}", j);
        }
        prop_assert!(!base_of(t).is_zero(), "paid out of a zero base: {}", j);
    }
    prop_assert_eq!(&v.currency, &t.payment.currency);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// (c) Random field values: validation may refuse a ticket, but whatever
    /// it accepts evaluates without panicking, alone and as a set.
    #[test]
    fn evaluate_never_panics_on_extreme_values(
        values in prop::collection::vec(wild_ticket(), 1..=4),
    ) {
        let mut accepted: Vec<Ticket> = Vec::new();
        for v in &values {
            if let Ok(t) = Ticket::from_json(v) {
                if accepted.iter().all(|a| a.id != t.id) {
                    accepted.push(t);
                }
            }
        }
        for t in &accepted {
            let v = evaluate(t, policy(), &[]);
            check_shape(t, &v)?;
        }
        let vs = evaluate_all(&accepted, policy());
        for (t, v) in accepted.iter().zip(&vs) {
            check_shape(t, v)?;
        }
    }
}

#[test]
fn extreme_values_are_accepted_and_evaluated() {
    // Hand-picked extremes that the generator might rarely combine.
    let mut v = common::with(
        "live",
        json!({"payment": {"cash": "999999999999999.99",
                           "commission_credit": "999999999999999.99",
                           "free_credit": "999999999999999.99"},
               "package": {"term_days": 36_600, "total_units": 1_000_000_000_000_000u64,
                           "used_units": 1}}),
    );
    let huge: Value = serde_json::from_str("123456789012345678901234567890.123456789").unwrap();
    v["incident"]["outage_hours"] = huge.clone();
    if let Ok(t) = Ticket::from_json(&v) {
        let verdict = evaluate(&t, policy(), &[]);
        check_shape(&t, &verdict).unwrap();
    }
    v["incident"]["outage_hours"] = json!(1_000_000);
    let t = common::ticket(&v);
    let verdict = evaluate(&t, policy(), &[]);
    check_shape(&t, &verdict).unwrap();

    // LIVE-EARLY with huge units and a huge base.
    let mut v = common::with(
        "live",
        json!({"reason": "service_unavailable",
               "payment": {"cash": "999999999999999.99"},
               "package": {"billing": "payg", "total_units": 1_000_000_000_000_000u64,
                           "used_units": 999_999_999_999_999u64},
               "incident": {"unresolved_hours": 1e300, "provider_caused": true}}),
    );
    if let Ok(t) = Ticket::from_json(&v) {
        check_shape(&t, &evaluate(&t, policy(), &[])).unwrap();
    }
    v["incident"]["unresolved_hours"] = huge;
    if let Ok(t) = Ticket::from_json(&v) {
        check_shape(&t, &evaluate(&t, policy(), &[])).unwrap();
    }
    v["incident"]["unresolved_hours"] = json!(49);
    let t = common::ticket(&v);
    let verdict = evaluate(&t, policy(), &[]);
    // 999999999999999.99 × 1 / 10^15 = 0.99999999999999999…, rounded once.
    common::expect(&verdict, "pro_rata", Some("LIVE-EARLY"), Some("1.00"));
}
