//! The console's and the list's reads on a PostgreSQL desk (SPEC §5): the
//! same rows, counts, searches and screens as the SQLite desk it was
//! migrated from, and a console that follows another process's changes
//! through LISTEN/NOTIFY.

mod common;
mod tui_support;

use common::{pg, Desk};
use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::pg::PgStore;
use refund_desk::store::{Access, Clock, Opening};
use refund_desk::tui::app::App;
use refund_desk::tui::keymap::Keymap;
use refund_desk::tui::theme::Theme;

/// Tickets whose words a search must tell apart: CJK one and two
/// characters at a time, Hangul, a word inside another, shared accounts.
fn extra_lines() -> String {
    let line = |id: &str, account: &str, name: &str, subject: &str, text: &str| {
        serde_json::json!({
            "id": id, "received_at": "2026-11-02T09:00:00+08:00", "product": "lcic",
            "account": {"id": account, "name": name}, "reason": "unused",
            "package": {"billing": "monthly", "purchased_at": "2026-11-01T09:00:00+08:00"},
            "payment": {"currency": "USD", "cash": "90.00"},
            "subject": subject, "description": text
        })
        .to_string()
    };
    [
        line(
            "LC-9001",
            "300100",
            "北京星火教育",
            "申请退款",
            "课程没有开始，请退款。",
        ),
        line(
            "LC-9002",
            "300100",
            "Blue Fern Tutoring",
            "Refund please",
            "bluefern ordered twice",
        ),
        line(
            "LC-9003",
            "300200",
            "서울 학원",
            "환불 요청",
            "환불해 주세요",
        ),
        line(
            "LC-9004",
            "300300",
            "Abacus Ltd",
            "Wrong plan",
            "we need a refund of the tab",
        ),
        line("LC-9005", "300300", "Fernwood", "退货", "星期一 purchased"),
    ]
    .join("\n")
}

fn cluster() -> &'static pg::Cluster {
    pg::cluster().unwrap_or_else(|| {
        pg::say_skipped();
        std::process::exit(0)
    })
}

/// A SQLite desk with the examples and `extra_lines`, a few tickets taken,
/// and the same desk migrated into a fresh PostgreSQL database (its URL).
fn both_desks() -> (Desk, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let file = Desk::sqlite_at(dir, db);
    let (code, _, err) = file.run(&["import", common::examples().to_str().unwrap()]);
    assert!(code == 0 || code == 3, "{err}");
    let (code, _, err) = file.import("extra.jsonl", &extra_lines());
    assert_eq!(code, 0, "{err}");
    for id in ["LC-9001", "LC-9004"] {
        let (code, _, err) = file.act(id, &["take"]);
        assert_eq!(code, 0, "{id}: {err}");
    }
    let url = cluster().fresh_database();
    let (code, out, err) = file.run(&["migrate", "--to", &url]);
    assert_eq!(code, 0, "{out}{err}");
    (file, url)
}

fn on(url: &str, args: &[&str]) -> (i32, String, String) {
    common::run_on(url, args)
}

#[test]
fn lists_searches_and_screens_read_the_same_on_both_engines() {
    let (file, url) = both_desks();
    let me = refund_desk::operator::current().unwrap();
    let mut runs: Vec<Vec<String>> = [
        &["list"][..],
        &["list", "--json"],
        &["list", "--state", "initial_review", "--json"],
        &["list", "--verdict", "full_refund", "--json"],
        &["list", "--product", "lcic", "--verdict", "reject"],
        &["list", "--assignee", &me],
        &["list", "--pending"],
    ]
    .iter()
    .map(|a| a.iter().map(|s| s.to_string()).collect())
    .collect();
    // One and two CJK characters, Hangul, an account, an id's prefix, a
    // word's prefix but not its middle ("fern": Blue Fern, Fernwood, not
    // bluefern), two letters, every word of several.
    for q in [
        "退款",
        "星",
        "星期一",
        "환불",
        "300300",
        "LC-90",
        "fern",
        "ab",
        "refund twice",
        "退 Fern",
        "nothing-like-this",
    ] {
        runs.push(vec![
            "list".into(),
            "--json".into(),
            "--search".into(),
            q.into(),
        ]);
    }
    // Screens without a search (whose counts are bounded by time, so a
    // loaded machine may say "many" on either engine).
    for keys in [
        "",
        "s",
        "s<PgDn>",
        "G",
        "<Tab><Tab>",
        "<S-Tab><S-Tab><S-Tab>",
        "sG",
        "b",
        "jj<Enter>",
    ] {
        runs.push(
            [
                "snapshot", "--width", "120", "--height", "40", "--keys", keys,
            ]
            .map(String::from)
            .to_vec(),
        );
    }
    let mut matched = 0;
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (a_code, a, a_err) = file.run(&args);
        let (b_code, b, b_err) = on(&url, &args);
        assert_eq!((a_code, b_code), (0, 0), "{args:?}: {a_err} / {b_err}");
        assert_eq!(a, b, "{args:?}");
        matched += usize::from(a.contains("LC-900"));
    }
    assert!(matched > 10, "the searches found the extra tickets");
    let (_, fern, _) = on(&url, &["list", "--search", "fern"]);
    assert!(
        fern.contains("LC-9002") && fern.contains("LC-9005"),
        "{fern}"
    );
    let (_, bluefern, _) = on(&url, &["list", "--search", "ern"]);
    assert!(
        !bluefern.contains("LC-9002"),
        "a word's middle is no match: {bluefern}"
    );
}

/// A console (Access::Console, so LISTENing) on the PostgreSQL desk, on
/// the suite's pinned clock.
fn console_on(url: &str) -> App {
    let store = PgStore::open_with(
        url,
        Policy::builtin(),
        Calendar::builtin_default(),
        Opening::new(Access::Console, Clock::Pinned(tui_support::at(common::NOW))),
    )
    .unwrap();
    let mut app = App::new(
        store,
        Keymap::default(),
        Theme::color(),
        tui_support::at(common::NOW),
    );
    app.resize(120, 40);
    app.settle();
    app
}

/// Polls the console as its tick does until it says the screen changed.
/// NOTIFY reaches the socket a moment after the other process's commit;
/// the bound is only there so a broken refresh fails instead of hanging.
fn tick_until_changed(app: &mut App) {
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !app.tick() {
        assert!(std::time::Instant::now() < give_up, "no refresh came");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn the_console_follows_another_process_change_through_notify() {
    let (_file, url) = both_desks();
    let mut app = console_on(&url);
    // The All queue, on LC-9003.
    refund_desk_press(&mut app, "<S-Tab>");
    let row = app
        .pager
        .rows
        .iter()
        .position(|r| r.id == "LC-9003")
        .unwrap();
    for _ in 0..row {
        refund_desk_press(&mut app, "j");
    }
    assert_eq!(app.selected_id().as_deref(), Some("LC-9003"));
    assert!(!app.tick(), "nothing changed yet");

    // Another process takes the ticket (the binary, through the desk's own function).
    let (code, _, err) = on(&url, &["act", "LC-9003", "take"]);
    assert_eq!(code, 0, "{err}");
    let me = cluster().test_user().to_string();

    tick_until_changed(&mut app);
    app.settle();
    assert_eq!(
        app.selected_id().as_deref(),
        Some("LC-9003"),
        "the selection is kept"
    );
    let row = app.pager.rows.iter().find(|r| r.id == "LC-9003").unwrap();
    assert_eq!(
        (row.state.as_str(), row.assignee.as_deref()),
        ("initial_review", Some(me.as_str()))
    );
    let detail = app.detail.as_ref().unwrap();
    assert!(detail
        .events
        .iter()
        .any(|e| e.action == "take" && e.operator == me));
    assert!(!app.tick(), "one change, one refresh");

    // A lease writes no event: its NOTIFY wakes the console all the same.
    let out = cluster().psql_as(
        None,
        &url,
        "SELECT refund_desk.claim('LC-9001', 9000000000000000, 0)",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    tick_until_changed(&mut app);
}

fn refund_desk_press(app: &mut App, keys: &str) {
    tui_support::press(app, keys);
}

type Totals = std::collections::BTreeMap<(String, String, String, String), (u64, String)>;

fn open_as(url: &str, access: Access) -> PgStore {
    PgStore::open_with(
        url,
        Policy::builtin(),
        Calendar::builtin_default(),
        Opening::new(access, Clock::Pinned(tui_support::at(common::NOW))),
    )
    .unwrap()
}

fn from_dashboard(store: &PgStore, today: chrono::NaiveDate) -> Totals {
    let mut out = Totals::new();
    for d in store.dashboard(today).unwrap().days {
        let key = (d.day.to_string(), d.product, d.kind, d.currency);
        out.insert(key, (d.tickets, d.amount.to_string()));
    }
    out
}

/// The 30 days' totals counted afresh from the tickets as listed.
fn from_scratch(store: &PgStore, today: chrono::NaiveDate) -> Totals {
    let from = today - chrono::Days::new(29);
    let mut sums = std::collections::BTreeMap::new();
    store
        .for_each(&Default::default(), |r| {
            let day = chrono::DateTime::parse_from_rfc3339(&r.received_at)?
                .with_timezone(&store.policy.tz)
                .date_naive();
            if day >= from && day <= today {
                let key = (
                    day.to_string(),
                    r.product.clone(),
                    r.verdict.kind.to_string(),
                    r.verdict.currency.clone(),
                );
                let e = sums
                    .entry(key)
                    .or_insert((0u64, rust_decimal::Decimal::ZERO));
                e.0 += 1;
                e.1 += r.verdict.amount.unwrap_or_default();
            }
            Ok(())
        })
        .unwrap();
    sums.into_iter()
        .map(|(k, (n, a))| {
            (
                k,
                (
                    n,
                    rust_decimal::Decimal::new(
                        (a * rust_decimal::Decimal::from(100))
                            .trunc()
                            .try_into()
                            .unwrap(),
                        2,
                    )
                    .to_string(),
                ),
            )
        })
        .collect()
}

#[test]
fn day_totals_follow_every_change_and_are_made_again_for_another_timezone() {
    let (_file, url) = both_desks();
    let today = tui_support::at(common::NOW).date_naive();
    let store = open_as(&url, Access::Console);
    let before = from_dashboard(&store, today);
    assert!(before.len() > 5, "{before:?}");
    assert_eq!(before, from_scratch(&store, today));

    // Another process gives LC-9002 another verdict and moves it two days
    // back. (No workflow move does that to a stored row: the server's move
    // checks refuse it to any desk role, so it is written as the owner —
    // the kept counts follow whoever writes.)
    let refund = store.detail("LC-9001").unwrap();
    let moved = chrono::DateTime::parse_from_rfc3339("2026-10-31T09:00:00+08:00").unwrap();
    let verdict = refund_desk::domain::policy::Verdict {
        kind: refund_desk::domain::policy::VerdictKind::FullRefund,
        amount: Some("12.34".parse().unwrap()),
        currency: "EUR".into(),
        ..refund.verdict.clone()
    };
    let db = url.split('?').next().unwrap().rsplit('/').next().unwrap();
    cluster().superuser_sql(
        db,
        &format!(
            "UPDATE refund_desk.tickets SET verdict = {}, verdict_kind = 'full_refund',
                    received_us = {}, received_at = {} WHERE id = 'LC-9002'",
            pg::literal(&serde_json::to_string(&verdict).unwrap()),
            moved.timestamp_micros(),
            pg::literal(&moved.to_rfc3339()),
        ),
    );
    let after = from_dashboard(&store, today);
    assert_ne!(after, before);
    assert_eq!(after, from_scratch(&store, today));
    let eur = after
        .iter()
        .find(|(k, _)| k.0 == "2026-10-31" && k.2 == "full_refund" && k.3 == "EUR")
        .unwrap();
    assert_eq!(eur.1 .1, "12.34");

    // Totals kept in another timezone: a reader sums the tickets and
    // writes nothing, a console makes them again.
    let offset = |sql: &str| cluster().superuser_sql(db, sql).trim().to_string();
    offset("UPDATE refund_desk.meta SET value = '0' WHERE key = 'day_offset_us'");
    let reader = open_as(&url, Access::Read);
    assert_eq!(from_dashboard(&reader, today), after);
    let kept = "SELECT value FROM refund_desk.meta WHERE key = 'day_offset_us'";
    assert_eq!(offset(kept), "0", "a reader never writes");
    assert_eq!(
        from_dashboard(&open_as(&url, Access::Console), today),
        after
    );
    assert_eq!(offset(kept), (8 * 3600 * 1_000_000i64).to_string());
    assert_eq!(from_dashboard(&reader, today), after);
}
