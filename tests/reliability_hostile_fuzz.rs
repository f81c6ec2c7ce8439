//! Hostile input: `parse_json_line` never panics on random bytes, JSON-ish
//! noise or mutations of valid tickets; `evaluate` never panics on a ticket
//! that validated. Customer text full of escape sequences is in
//! reliability_hostile_text.rs.
//!
//! Default: 256 proptest cases per property; RELIABILITY_SCALE multiplies.

mod reliability_util;
use proptest::prelude::*;
use proptest::test_runner::Config;
use refund_desk::domain::policy::{evaluate, Policy, PriorRefund};
use refund_desk::ingest::parse_json_line;
use reliability_util::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;

static CASES: AtomicU64 = AtomicU64::new(0);
static VALID: AtomicU64 = AtomicU64::new(0);

fn cases() -> u32 {
    256 * scale() as u32
}

fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(Policy::builtin)
}

/// Valid tickets of every product with most optional fields present, so that
/// mutations reach deep into validation and the policy.
fn templates() -> Vec<Value> {
    vec![
        json!({"id": "L-1", "received_at": "2026-11-03T10:00:00+08:00", "product": "lcic",
            "account": {"id": "acc-1", "name": "Bright Minds", "status": "active"},
            "package": {"name": "LCIC 500", "billing": "monthly", "source": "purchased",
                "purchased_at": "2026-11-01T10:00:00+08:00", "total_units": 500, "used_units": 0,
                "gifted_units_used": 0},
            "payment": {"currency": "USD", "cash": "100.00", "commission_credit": "5.00",
                "free_credit": "1.50", "voucher": "3.00", "discount": "0", "frozen": "2.00",
                "invoice_issued_at": "2026-11-01T10:00:00+08:00"},
            "reason": "unused", "requested_amount": "100.00",
            "contact": {"email": "a@example.com", "language": "zh"},
            "subject": "退款", "description": "no class held", "evidence": ["receipt.pdf"]}),
        json!({"id": "T-1", "received_at": "2026-11-03T10:00:00+08:00", "product": "trtc",
            "account": {"id": "acc-2"},
            "package": {"billing": "monthly", "sdk_app_id": "1400000001",
                "purchased_at": "2026-11-01T10:00:00+08:00", "total_units": 1000,
                "used_units": 0, "gifted_units_used": 0},
            "payment": {"currency": "CNY", "cash": "1200.00"}, "reason": "unused"}),
        json!({"id": "C-1", "received_at": "2026-11-03T10:00:00+08:00", "product": "chat",
            "account": {"id": "acc-3"},
            "package": {"billing": "monthly", "sdk_app_id": "1400000009",
                "expires_at": "2026-11-04T00:00:00+08:00"},
            "payment": {"currency": "USD", "cash": "49.00"}, "reason": "other"}),
        json!({"id": "V-1", "received_at": "2026-11-20T10:00:00+08:00", "product": "live",
            "account": {"id": "acc-4"},
            "package": {"billing": "payg", "activated_at": "2026-11-01T00:00:00+08:00",
                "term_days": 90, "total_units": 1000, "used_units": 100},
            "payment": {"currency": "USD", "cash": "9000.00", "free_credit": "10.00"},
            "contract": {"number": "LS-1", "signed_at": "2026-10-25T00:00:00+08:00",
                "overrides_policy": false},
            "incident": {"started_at": "2026-11-10T00:00:00+08:00", "unresolved_hours": 50,
                "outage_hours": 80, "provider_caused": true, "quality_gap_confirmed": true},
            "reason": "service_unavailable"}),
    ]
}

/// Every field the format names (and one it does not).
const PATHS: &[&str] = &[
    "id",
    "received_at",
    "product",
    "account",
    "account.id",
    "account.name",
    "account.status",
    "package",
    "package.billing",
    "package.source",
    "package.sdk_app_id",
    "package.purchased_at",
    "package.activated_at",
    "package.expires_at",
    "package.term_days",
    "package.total_units",
    "package.used_units",
    "package.gifted_units_used",
    "payment",
    "payment.currency",
    "payment.cash",
    "payment.commission_credit",
    "payment.free_credit",
    "payment.voucher",
    "payment.discount",
    "payment.frozen",
    "payment.invoice_issued_at",
    "contract",
    "contract.signed_at",
    "contract.overrides_policy",
    "incident",
    "incident.started_at",
    "incident.unresolved_hours",
    "incident.outage_hours",
    "incident.provider_caused",
    "incident.quality_gap_confirmed",
    "reason",
    "requested_amount",
    "contact.language",
    "subject",
    "description",
    "evidence",
    "x_unknown.deep",
];

/// Values chosen to sit on edges: huge and tiny numbers, the largest amounts
/// the format allows, extreme timestamps, wrong types, every enum value.
fn edge_value() -> impl Strategy<Value = Value> {
    const TEXTS: &[&str] = &[
        "0",
        "0.00",
        "0.01",
        "99999999999999999999.99",
        "99999999999999999999",
        "79228162514264337593543950335",
        "1e400",
        "-1",
        "1.234",
        "",
        " 1.00",
        "NaN",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59+14:00",
        "9999-12-31T23:59:59.999999999-14:00",
        "1970-01-01T00:00:00Z",
        "2026-02-30T10:00:00+08:00",
        "2026-11-03T10:00:00",
        "2026-11-03T10:00:00.123456789123+08:00",
        "2026-11-03T10:00:00+24:00",
        "lcic",
        "trtc",
        "chat",
        "live",
        "monthly",
        "prepaid",
        "payg",
        "contract",
        "purchased",
        "free_trial",
        "gift",
        "suspended_violation",
        "suspended_overdue",
        "unused",
        "service_unavailable",
        "outage",
        "quality",
        "changed_mind",
        "customer_error",
        "third_party",
        "other",
        "USD",
        "usd",
        "\u{1b}[31m",
        "\u{202e}",
        "\u{0}",
    ];
    const NUMBERS: &[&str] = &[
        "0",
        "1",
        "-1",
        "0.5",
        "1e-28",
        "1e28",
        "1e29",
        "1e308",
        "1e400",
        "-0",
        "4294967295",
        "4294967296",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "79228162514264337593543950335",
        "79228162514264337593543950336",
        "0.0000000000000000000000000001",
        "123456789012345678901234567890.5",
        "72.0000000000000000000000000001",
        "48.0000000000000000000000000001",
    ];
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        proptest::sample::select(NUMBERS)
            .prop_map(|n| serde_json::from_str::<Value>(n).unwrap_or(Value::Null)),
        proptest::sample::select(TEXTS).prop_map(|s| json!(s)),
        "[0-9]{1,22}(\\.[0-9]{1,3})?".prop_map(Value::String),
        "\\PC{0,12}".prop_map(Value::String),
        Just(json!([])),
        Just(json!({})),
        Just(json!(["a", 1, null])),
    ]
}

fn set_path(v: &mut Value, path: &str, new: Option<Value>) {
    let parts: Vec<&str> = path.split('.').collect();
    let mut cur = v;
    for p in &parts[..parts.len() - 1] {
        if !cur.is_object() {
            return;
        }
        cur = cur
            .as_object_mut()
            .unwrap()
            .entry(p.to_string())
            .or_insert_with(|| json!({}));
    }
    if let Some(obj) = cur.as_object_mut() {
        let last = parts[parts.len() - 1].to_string();
        match new {
            Some(n) => {
                obj.insert(last, n);
            }
            None => {
                obj.remove(&last);
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, Value),
    Remove(usize),
    /// Replace the byte at (position % len) of the line's text.
    Byte(usize, u8),
    /// Cut the text at (position % len).
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => (0..PATHS.len(), edge_value()).prop_map(|(p, v)| Mutation::Set(p, v)),
        2 => (0..PATHS.len()).prop_map(Mutation::Remove),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Byte(p, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// Parses; a line that validates must also evaluate, alone and after an
/// earlier refund of its own account, and its verdict must serialize.
fn parse_and_judge(text: &str) {
    CASES.fetch_add(1, Relaxed);
    if let Ok(p) = parse_json_line(1, text) {
        VALID.fetch_add(1, Relaxed);
        let v = evaluate(&p.ticket, policy(), &[]);
        serde_json::to_string(&v).expect("a verdict serializes");
        let prior = [PriorRefund::of(&p.ticket), PriorRefund::of(&p.ticket)];
        let v = evaluate(&p.ticket, policy(), &prior);
        serde_json::to_string(&v).expect("a verdict serializes");
    }
}

proptest! {
    #![proptest_config(Config { cases: cases(), failure_persistence: None, ..Config::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        parse_and_judge(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn json_ish_noise_never_panics(text in "[{}\\[\\]\":,0-9a-zA-Z._+\\- \\\\/eE]{0,300}") {
        parse_and_judge(&text);
    }

    #[test]
    fn mutated_valid_tickets_never_panic(
        which in 0..4usize,
        muts in proptest::collection::vec(mutation(), 1..6),
    ) {
        let mut v = templates()[which].clone();
        let mut text_muts = Vec::new();
        for m in muts {
            match m {
                Mutation::Set(p, val) => set_path(&mut v, PATHS[p], Some(val)),
                Mutation::Remove(p) => set_path(&mut v, PATHS[p], None),
                other => text_muts.push(other),
            }
        }
        let mut bytes = v.to_string().into_bytes();
        for m in text_muts {
            match m {
                Mutation::Byte(p, b) if !bytes.is_empty() => {
                    let i = p % bytes.len();
                    bytes[i] = b;
                }
                Mutation::Truncate(p) if !bytes.is_empty() => bytes.truncate(p % bytes.len()),
                _ => {}
            }
        }
        parse_and_judge(&String::from_utf8_lossy(&bytes));
    }
}

/// A value of the right type for `path`, drawn from its whole range: the
/// mutated ticket often still validates, so the policy sees the extremes.
fn typed_value(path: &'static str) -> BoxedStrategy<Value> {
    let leaf = path.rsplit('.').next().unwrap();
    let ts = (
        0i32..=9999,
        1u32..=12,
        1u32..=31,
        0u32..24,
        0u32..60,
        -14i32..=14,
        proptest::option::of(0u32..1_000_000_000),
    )
        .prop_map(|(y, mo, d, h, mi, off, frac)| {
            let frac = frac.map(|f| format!(".{f:09}")).unwrap_or_default();
            let sign = if off < 0 { '-' } else { '+' };
            json!(format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:00{frac}{sign}{:02}:00",
                off.abs()
            ))
        });
    let near = (-40i64..40, 0u32..24).prop_map(|(days, h)| {
        let d =
            chrono::NaiveDate::from_ymd_opt(2026, 11, 3).unwrap() + chrono::TimeDelta::days(days);
        json!(format!("{}T{h:02}:00:00+08:00", d.format("%Y-%m-%d")))
    });
    let amount = prop_oneof![
        "[0-9]{1,20}(\\.[0-9]{1,2})?".prop_map(Value::String),
        proptest::sample::select(&["0", "0.01", "99999999999999999999.99", "1.00"][..])
            .prop_map(|s| json!(s)),
    ];
    let hours = prop_oneof![
        any::<u32>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        (0u32..200, 0u32..100)
            .prop_map(|(a, b)| serde_json::from_str::<Value>(&format!("{a}.{b}")).unwrap()),
        proptest::sample::select(
            &[
                "1e27",
                "1e28",
                "7.9e28",
                "1e-28",
                "72.0000000000000000000001",
                "0"
            ][..]
        )
        .prop_map(|n| serde_json::from_str::<Value>(n).unwrap()),
    ];
    let units = prop_oneof![
        any::<u64>().prop_map(|n| json!(n)),
        (0u64..2_000).prop_map(|n| json!(n))
    ];
    let pick =
        |xs: &'static [&'static str]| proptest::sample::select(xs).prop_map(|s| json!(s)).boxed();
    match leaf {
        "received_at" | "purchased_at" | "activated_at" | "expires_at" | "signed_at"
        | "started_at" | "invoice_issued_at" => prop_oneof![3 => near, 1 => ts].boxed(),
        "cash" | "commission_credit" | "free_credit" | "voucher" | "discount" | "frozen"
        | "requested_amount" => amount.boxed(),
        "unresolved_hours" | "outage_hours" => hours.boxed(),
        "term_days" | "total_units" | "used_units" | "gifted_units_used" => units.boxed(),
        "overrides_policy" | "provider_caused" | "quality_gap_confirmed" => {
            prop_oneof![any::<bool>().prop_map(Value::Bool), Just(Value::Null)].boxed()
        }
        "product" => pick(&["lcic", "trtc", "chat", "live"]),
        "billing" => pick(&["monthly", "prepaid", "payg", "contract"]),
        "source" => pick(&["purchased", "free_trial", "promotion", "gift"]),
        "status" => pick(&[
            "active",
            "suspended_violation",
            "suspended_content",
            "suspended_illegal",
            "suspended_overdue",
        ]),
        "reason" => pick(&[
            "unused",
            "service_unavailable",
            "outage",
            "quality",
            "changed_mind",
            "customer_error",
            "third_party",
            "other",
        ]),
        "language" => pick(&["en", "zh", "ja", "ko"]),
        "currency" => pick(&["USD", "CNY", "JPY", "KRW", "EUR"]),
        _ => Just(Value::Null).boxed(),
    }
}

/// Fields `typed_value` knows how to fill.
const TYPED: &[&str] = &[
    "received_at",
    "product",
    "account.status",
    "package.billing",
    "package.source",
    "package.purchased_at",
    "package.activated_at",
    "package.expires_at",
    "package.term_days",
    "package.total_units",
    "package.used_units",
    "package.gifted_units_used",
    "payment.currency",
    "payment.cash",
    "payment.commission_credit",
    "payment.free_credit",
    "payment.voucher",
    "payment.discount",
    "payment.frozen",
    "payment.invoice_issued_at",
    "contract.signed_at",
    "contract.overrides_policy",
    "incident.started_at",
    "incident.unresolved_hours",
    "incident.outage_hours",
    "incident.provider_caused",
    "incident.quality_gap_confirmed",
    "reason",
    "requested_amount",
    "contact.language",
];

fn typed_mutation() -> impl Strategy<Value = (&'static str, Option<Value>)> {
    proptest::sample::select(TYPED).prop_flat_map(|p| {
        prop_oneof![
            5 => typed_value(p).prop_map(move |v| (p, Some(v))),
            1 => Just((p, None)),
        ]
    })
}

proptest! {
    #![proptest_config(Config { cases: cases() * 4, failure_persistence: None, ..Config::default() })]

    /// Typed mutations keep many tickets valid: `evaluate` then runs on
    /// extreme amounts, hours, unit counts and dates across all products.
    #[test]
    fn typed_mutations_reach_the_policy_and_never_panic(
        which in 0..4usize,
        muts in proptest::collection::vec(typed_mutation(), 1..8),
    ) {
        let mut v = templates()[which].clone();
        for (path, val) in muts {
            set_path(&mut v, path, val);
        }
        parse_and_judge(&v.to_string());
    }
}

/// Runs after (or beside) the properties; prints what the fuzzers covered.
#[test]
fn zz_templates_are_valid_and_report_fuzz_figures() {
    for t in templates() {
        parse_json_line(1, &t.to_string()).expect("template validates");
    }
    println!(
        "hostile: {} fuzz cases so far in this binary ({} validated and were evaluated)",
        CASES.load(Relaxed),
        VALID.load(Relaxed)
    );
}
