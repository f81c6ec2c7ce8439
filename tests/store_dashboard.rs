//! The dashboard's pre-aggregated day totals always equal a fresh count of
//! the stored verdicts, through imports, updates and policy changes.

mod common;
use common::*;
use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::store::Store;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

type Totals = BTreeMap<(String, String, String, String), (u64, Decimal)>;

fn from_dashboard(store: &Store, today: chrono::NaiveDate) -> Totals {
    let mut out = Totals::new();
    for d in store.dashboard(today).unwrap().days {
        out.insert(
            (d.day.to_string(), d.product, d.kind, d.currency),
            (d.tickets, d.amount),
        );
    }
    out
}

fn from_scratch(store: &Store, today: chrono::NaiveDate) -> Totals {
    let tz = store.policy.tz;
    let from = today - chrono::Days::new(29);
    let mut out = Totals::new();
    store
        .for_each(&Default::default(), |r| {
            let day = chrono::DateTime::parse_from_rfc3339(&r.received_at)
                .unwrap()
                .with_timezone(&tz)
                .date_naive();
            if day >= from && day <= today {
                let e = out
                    .entry((
                        day.to_string(),
                        r.product.clone(),
                        r.verdict.kind.to_string(),
                        r.verdict.currency.clone(),
                    ))
                    .or_default();
                e.0 += 1;
                e.1 += r.verdict.amount.unwrap_or_default();
            }
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn day_totals_follow_imports_updates_and_policy_changes() {
    let desk = Desk::new();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let open = |policy: Policy| Store::open(&desk.db, policy, Calendar::plain(), "alice").unwrap();
    let store = Store::create(
        &desk.db,
        Policy::builtin(),
        Calendar::plain(),
        "alice",
        refund_desk::store::DeskKind::Demo,
        refund_desk::store::Clock::System,
    )
    .unwrap();
    let mut either = refund_desk::desk::Desk::from(store);
    refund_desk::cli::demo::fill(&mut either, 1_500, 3, |_| {}).unwrap();
    let refund_desk::desk::Desk::Sqlite(mut store) = either else {
        unreachable!("made as a SQLite desk")
    };
    let totals = from_dashboard(&store, today);
    assert!(totals.len() > 50, "{}", totals.len());
    assert_eq!(totals, from_scratch(&store, today));

    // An update moving a ticket to another day and product, and earlier tickets changing later verdicts.
    let a = lcic("DASH-1", "ACC-D", "2026-11-20T10:00:00+08:00");
    store
        .import("a", a.as_bytes(), Default::default(), |_| {}, |_| {})
        .unwrap();
    let moved = a
        .replace("2026-11-20T10:00:00", "2026-11-21T10:00:00")
        .replace("90.00", "70.00");
    let opts = refund_desk::store::ImportOptions { update: true };
    store
        .import("b", moved.as_bytes(), opts, |_| {}, |_| {})
        .unwrap();
    let earlier = [
        lcic("DASH-0", "ACC-D", "2026-11-01T10:00:00+08:00"),
        lcic("DASH-00", "ACC-D", "2026-11-02T10:00:00+08:00"),
    ]
    .join("\n");
    store
        .import("c", earlier.as_bytes(), Default::default(), |_| {}, |_| {})
        .unwrap();
    assert_eq!(from_dashboard(&store, today), from_scratch(&store, today));

    // A policy change recomputes every verdict; the totals follow.
    drop(store);
    let dir = desk.dir.path().join("policy");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("lcic.toml"),
        include_str!("../assets/policies/lcic.toml").replace("window_days = 5", "window_days = 1"),
    )
    .unwrap();
    // Opening with other files changes nothing: the desk judges by its own
    // policy until its supervisor (alice, who created it) applies another.
    let mut store = open(Policy::load(Some(&dir)).unwrap());
    assert_eq!(store.policy.version, Policy::builtin().version);
    store
        .apply_policy(Policy::load(Some(&dir)).unwrap(), None)
        .unwrap()
        .expect("a different policy");
    assert_eq!(from_dashboard(&store, today), from_scratch(&store, today));
    let d = store.dashboard(today).unwrap();
    assert_eq!(d.per_state.values().sum::<u64>(), 1_503);
    assert!(
        d.overdue > 0 && d.breached <= d.overdue,
        "{} {}",
        d.overdue,
        d.breached
    );
}
