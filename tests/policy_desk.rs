//! The policy belongs to the desk (SPEC §2, §4 `policy show/diff/apply`):
//! stored in the desk, the same for every process that opens it, changed only
//! by a supervisor's `policy apply`, recorded, verdicts recomputed as events.
//! Through the real binary, with real OS users where identities matter.

mod common;
mod reliability_util;
use common::{examples, lcic, open_test_desk, Desk};
use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::store::Store;
use reliability_util::TempUsers;
use serde_json::Value;
use std::path::{Path, PathBuf};

const BUILTIN_LCIC: &str = include_str!("../assets/policies/lcic.toml");

/// A policy directory whose only file widens the LCIC window to 7 days:
/// LC-1003 (day 6, `reject` under the built-in policy) becomes a full refund.
fn wider_window(parent: &Path) -> PathBuf {
    let dir = parent.join("policy-7");
    std::fs::create_dir(&dir).unwrap();
    let text = BUILTIN_LCIC.replace("window_days = 5", "window_days = 7");
    assert_ne!(text, BUILTIN_LCIC);
    std::fs::write(dir.join("lcic.toml"), text).unwrap();
    dir
}

/// Holidays on the Monday and Tuesday after LV-4003 was received (Sunday
/// 2026-12-20), so its initial-review clock ends two business days later.
fn holidays(parent: &Path) -> PathBuf {
    let p = parent.join("holidays.toml");
    std::fs::write(
        &p,
        "name = \"Year-end test\"\nholidays = [2026-12-21, 2026-12-22]\nworkdays = []\n",
    )
    .unwrap();
    p
}

/// Everything the desk holds that a policy can touch, row by row, so "changed
/// nothing" is checked on content (a read may still checkpoint the WAL).
fn content(db: &Path) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut out = String::new();
    for (table, order) in [
        ("tickets", "id"),
        ("events", "seq"),
        ("meta", "key"),
        ("policy_history", "seq"),
        ("daily_totals", "day, product, kind, currency"),
        ("due_counts", "day"),
        ("breach_counts", "day"),
    ] {
        // Read as it is on a desk of any schema (policy_history is new).
        let Ok(mut stmt) = c.prepare(&format!("SELECT * FROM {table} ORDER BY {order}")) else {
            continue;
        };
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..n {
                out.push_str(&format!("{:?}|", r.get_ref(i).unwrap()));
            }
            out.push('\n');
        }
    }
    out
}

fn count(db: &Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn policy_show(desk: &Desk) -> Value {
    let (code, out, err) = desk.run(&["policy", "show", "--json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// Real OS users. CI runs as root, where failing to make them fails the
/// test; on a developer's own account the test says it was skipped.
fn os_users(tag: &str, n: usize) -> Option<TempUsers> {
    let made = TempUsers::create(tag, n);
    if made.is_none() {
        assert!(
            !reliability_util::is_root(),
            "cannot create throwaway OS users (needs useradd, groupadd, userdel, groupdel, runuser)"
        );
        println!("NOTE skipped: needs root to run as several OS users");
    }
    made
}

/// A desk in a directory the temporary users' group shares, created by root
/// (its first supervisor) from the spec's examples.
fn shared_desk(users: &TempUsers) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let shared = users.shared_dir(dir.path());
    let desk = Desk::sqlite_at(dir, shared.join("desk.db"));
    let (code, _, err) = desk.run(&["import", examples().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    desk
}

#[test]
fn an_agent_cannot_bring_its_own_policy_files_to_desk_commands() {
    let Some(users) = os_users("pd", 1) else {
        return;
    };
    let agent = users.users[0].clone();
    let desk = shared_desk(&users);
    assert_eq!(desk.run(&["roles", "grant", &agent, "agent"]).0, 0);
    let policy = wider_window(desk.db.parent().unwrap());
    let p = policy.to_str().unwrap();
    let cal = holidays(desk.db.parent().unwrap());
    let c = cal.to_str().unwrap();
    let file = desk.db.parent().unwrap().join("more.jsonl");
    std::fs::write(&file, lcic("AG-1", "acc-ag", "2026-11-20T10:00:00+08:00")).unwrap();
    let f = file.to_str().unwrap();
    let before = content(&desk.db);
    for args in [
        &["act", "LC-1003", "take", "--policy-dir", p][..],
        &["--policy-dir", p, "act", "LC-1003", "take"],
        &[
            "act",
            "LC-1003",
            "approve",
            "--amount",
            "1200.00",
            "--policy-dir",
            p,
        ],
        &["list", "--policy-dir", p],
        &["--policy-dir", p, "list"],
        &["import", f, "--policy-dir", p],
        &["show", "LC-1003", "--policy-dir", p],
        &["check", "--policy-dir", p],
        &["snapshot", "--policy-dir", p],
        // The console: no subcommand.
        &["--policy-dir", p],
        &["--calendar", c],
        &["list", "--calendar", c],
        &["act", "LC-1003", "take", "--calendar", c],
    ] {
        let out = users.run_as(&agent, &desk.db, args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains("unexpected argument"),
            "{args:?}: {out:?}"
        );
    }
    assert_eq!(content(&desk.db), before, "a usage error touches nothing");

    // Nor can it make the files the desk's.
    let out = users.run_as(&agent, &desk.db, &["policy", "apply", "--policy-dir", p]);
    out.assert_one_line_error("only a supervisor can apply a policy");
    let out = users.run_as(&agent, &desk.db, &["policy", "apply", "--calendar", c]);
    out.assert_one_line_error("only a supervisor can apply a policy");
    assert_eq!(content(&desk.db), before);

    // The agent acts on the desk's verdict, a reject: approving 1200.00 does
    // not decide the ticket (at most it waits for a supervisor).
    assert_eq!(
        users
            .run_as(&agent, &desk.db, &["act", "LC-1003", "take"])
            .code,
        0
    );
    users.run_as(
        &agent,
        &desk.db,
        &["act", "LC-1003", "approve", "--amount", "1200.00"],
    );
    let t = desk.show("LC-1003");
    assert_eq!(t["verdict"]["kind"], "reject");
    assert_eq!(t["state"], "initial_review", "{t}");
}

#[test]
fn a_user_with_no_role_cannot_rewrite_stored_verdicts() {
    let Some(users) = os_users("pn", 1) else {
        return;
    };
    let nobody = users.users[0].clone();
    let desk = shared_desk(&users);
    let policy = wider_window(desk.db.parent().unwrap());
    let p = policy.to_str().unwrap();
    let cal = holidays(desk.db.parent().unwrap());
    let before = content(&desk.db);
    for args in [
        &["list", "--policy-dir", p][..],
        &["--policy-dir", p, "list"],
        &["--calendar", cal.to_str().unwrap(), "list"],
    ] {
        let out = users.run_as(&nobody, &desk.db, args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
    }
    // Whatever a plain read answers a user without a role, it rewrites nothing.
    for args in [
        &["list"][..],
        &["show", "LC-1003"],
        &["check"],
        &["policy", "show"],
    ] {
        users.run_as(&nobody, &desk.db, args);
    }
    let out = users.run_as(&nobody, &desk.db, &["policy", "apply", "--policy-dir", p]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("no role on this desk"), "{out:?}");
    assert_eq!(content(&desk.db), before);
}

#[test]
fn a_supervisor_applies_a_policy_recorded_with_reverdict_events() {
    let desk = Desk::new();
    desk.run(&["import", examples().to_str().unwrap()]);
    let created = policy_show(&desk);
    assert_eq!(created["version"], created["builtin"]["version"]);
    assert_eq!(created["builtin"]["differs"], false);
    assert_eq!(created["history"].as_array().unwrap().len(), 1);
    assert_eq!(created["history"][0]["reason"], "created");
    assert_eq!(created["calendar"]["name"], "Plain Monday–Friday");
    assert_eq!(desk.show("LC-1003")["verdict"]["kind"], "reject");

    let policy = wider_window(desk.dir.path());
    let (code, out, err) = desk.run(&["policy", "apply", "--policy-dir", policy.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 verdicts changed"), "{out}");

    let t = desk.show("LC-1003");
    assert_eq!(t["verdict"]["kind"], "full_refund");
    let last = t["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "reverdict");
    assert_eq!(last["operator"], "root");
    let shown = policy_show(&desk);
    assert_ne!(shown["version"], created["version"]);
    assert_eq!(t["policy_version"], shown["version"]);
    assert_eq!(shown["builtin"]["differs"], true);
    let history = shown["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["reason"], "applied");
    assert_eq!(history[1]["by"], "root");
    assert_eq!(history[1]["version"], shown["version"]);
    assert_eq!(history[1]["payload"]["from"], created["version"]);
    assert_eq!(history[1]["payload"]["verdicts_changed"], 1);
    let (_, text, _) = desk.run(&["policy", "show"]);
    assert!(
        text.contains(&format!(
            "the built-in policy of this refund-desk is {}",
            created["version"].as_str().unwrap()
        )),
        "{text}"
    );
    // `check` judges the stored verdicts by the desk's policy, not the binary's.
    let (code, out, _) = desk.run(&["check"]);
    assert_eq!(code, 0, "{out}");

    // The same files again change nothing and record nothing.
    let before = content(&desk.db);
    let (code, out, _) = desk.run(&["policy", "apply", "--policy-dir", policy.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("nothing changed"), "{out}");
    assert_eq!(content(&desk.db), before);

    // The history is append-only for whoever opens the file.
    let c = rusqlite::Connection::open(&desk.db).unwrap();
    for sql in [
        "UPDATE policy_history SET applied_by = 'mallory'",
        "DELETE FROM policy_history",
        "INSERT OR REPLACE INTO policy_history SELECT * FROM policy_history WHERE seq = 1",
    ] {
        let e = c.execute(sql, []).unwrap_err().to_string();
        assert!(e.contains("append-only"), "{sql}: {e}");
    }
}

#[test]
fn policy_diff_shows_verdict_and_due_date_changes_and_changes_nothing() {
    let desk = Desk::new();
    desk.run(&["import", examples().to_str().unwrap()]);
    let policy = wider_window(desk.dir.path());
    let cal = holidays(desk.dir.path());
    let before = content(&desk.db);
    let (code, out, err) = desk.run(&[
        "policy",
        "diff",
        "--policy-dir",
        policy.to_str().unwrap(),
        "--calendar",
        cal.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let ids = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("changes"), ["LC-1003"]);
    assert!(ids("due_changes").contains(&"LV-4003".to_string()), "{v}");
    let lv = v["due_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "LV-4003")
        .unwrap();
    assert_eq!(lv["old"]["target"], "2026-12-23");
    assert_eq!(lv["new"]["target"], "2026-12-25");
    assert!(v["calendar"]["to"]
        .as_str()
        .unwrap()
        .starts_with("Year-end test ("));
    let (code, text, _) = desk.run(&["policy", "diff", "--policy-dir", policy.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(text.contains("1 open tickets change verdict"), "{text}");
    assert_eq!(content(&desk.db), before, "policy diff changed the desk");
    assert_eq!(desk.show("LC-1003")["verdict"]["kind"], "reject");
}

#[test]
fn every_process_judges_by_the_desks_policy_whatever_its_binary_holds() {
    let desk = Desk::new();
    desk.run(&["import", examples().to_str().unwrap()]);
    let policy = wider_window(desk.dir.path());
    let (code, _, err) = desk.run(&["policy", "apply", "--policy-dir", policy.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let applied = policy_show(&desk)["version"].clone();
    let events = count(&desk.db, "SELECT count(*) FROM events");

    // This binary's built-in policy rejects day 6; the desk's grants it. A new
    // ticket is judged by the desk's, and plain reads rewrite nothing.
    let late = lcic("NEW-1", "acc-new", "2026-11-20T10:00:00+08:00").replace(
        r#""purchased_at":"2026-11-20T10:00:00+08:00""#,
        r#""purchased_at":"2026-11-14T10:00:00+08:00""#,
    );
    let file = desk.write("late.jsonl", &late);
    let (code, out, _) = desk.run(&["eval", file.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        out.contains(r#""kind":"reject""#),
        "eval has no desk: {out}"
    );
    let (code, out, _) = desk.run(&[
        "eval",
        file.to_str().unwrap(),
        "--policy-dir",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains(r#""kind":"full_refund""#), "{out}");
    assert_eq!(desk.run(&["import", file.to_str().unwrap()]).0, 0);
    assert_eq!(desk.show("NEW-1")["verdict"]["kind"], "full_refund");
    assert_eq!(desk.show("NEW-1")["policy_version"], applied);
    for args in [&["list"][..], &["check"], &["show", "LC-1003"]] {
        assert_eq!(desk.run(args).0, 0, "{args:?}");
    }
    // One import event more, no reverdict.
    assert_eq!(count(&desk.db, "SELECT count(*) FROM events"), events + 1);

    // A binary built with other policy files: its policy only seeds new desks.
    let elsewhere = desk.dir.path().join("other-build");
    std::fs::create_dir(&elsewhere).unwrap();
    let other = Policy::load(Some(&wider_window(&elsewhere))).unwrap();
    let store = Store::open(&desk.db, other.clone(), Calendar::plain(), "root").unwrap();
    assert_eq!(store.policy.version, applied.as_str().unwrap());
    drop(store);
    let fresh = desk.dir.path().join("fresh.db");
    let store = Store::open_or_create(
        &fresh,
        other.clone(),
        Calendar::plain(),
        "root",
        refund_desk::store::DeskKind::Test,
        refund_desk::store::Clock::System,
    )
    .unwrap();
    assert_eq!(store.policy.version, other.version);
    drop(store);
    let store = Store::open(&fresh, Policy::builtin(), Calendar::plain(), "root").unwrap();
    assert_eq!(
        store.policy.version, other.version,
        "the fresh desk keeps its own"
    );
    assert_ne!(other.version, Policy::builtin().version);
}

#[test]
fn the_calendar_changes_only_through_policy_apply() {
    let desk = Desk::new();
    desk.run(&["import", examples().to_str().unwrap()]);
    let cal = holidays(desk.dir.path());
    let c = cal.to_str().unwrap();
    for args in [
        &["--calendar", c, "show", "LV-4003"][..],
        &["list", "--calendar", c],
    ] {
        assert_eq!(desk.run(args).0, 2, "{args:?}");
    }
    assert_eq!(desk.show("LV-4003")["due"]["target"], "2026-12-23");
    let (code, out, err) = desk.run(&["policy", "apply", "--calendar", c]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("0 verdicts changed") && out.contains("due dates changed"),
        "{out}"
    );
    assert_eq!(desk.show("LV-4003")["due"]["target"], "2026-12-25");
    let shown = policy_show(&desk);
    assert_eq!(shown["calendar"]["name"], "Year-end test");
    // The policy stayed: only the calendar was given.
    assert_eq!(shown["version"], shown["builtin"]["version"]);
    let history = shown["history"].as_array().unwrap();
    assert!(history[1]["payload"]["due_changed"].as_u64().unwrap() >= 1);
    // A ticket imported later runs on the desk's calendar too.
    let t = lcic("CAL-1", "acc-cal", "2026-12-20T10:00:00+08:00");
    desk.import("cal.jsonl", &t);
    assert_eq!(desk.show("CAL-1")["due"]["target"], "2026-12-25");
    // The dashboard's due counters follow the rewritten dates.
    let stale = count(
        &desk.db,
        "SELECT count(*) FROM (SELECT due_target d, count(*) n FROM tickets WHERE due_target < '9999'
           GROUP BY d) t LEFT JOIN due_counts c ON c.day = t.d WHERE c.n IS NOT t.n",
    );
    assert_eq!(stale, 0);
}

#[test]
fn a_desk_from_before_the_stored_policy_adopts_the_builtin_once() {
    let desk = Desk::new();
    desk.run(&["import", examples().to_str().unwrap()]);
    let policy = wider_window(desk.dir.path());
    assert_eq!(
        desk.run(&["policy", "apply", "--policy-dir", policy.to_str().unwrap()])
            .0,
        0
    );
    let wide = policy_show(&desk)["version"].clone();
    // Back to a schema-3 desk whose last opener had passed --policy-dir.
    let c = rusqlite::Connection::open(&desk.db).unwrap();
    c.execute_batch(
        "DROP TABLE policy_history; DROP INDEX tickets_by_payout_reference; DROP INDEX events_payouts;
         ALTER TABLE tickets DROP COLUMN payout_reference; PRAGMA user_version = 3;",
    )
    .unwrap();
    drop(c);
    let reverdicts = "SELECT count(*) FROM events WHERE action = 'reverdict'";
    let before = count(&desk.db, reverdicts);

    // Readers refuse an older schema; `init` upgrades it.
    let (code, _, err) = desk.run(&["init"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(desk.show("LC-1003")["verdict"]["kind"], "reject");
    assert_eq!(count(&desk.db, reverdicts), before + 1);
    let shown = policy_show(&desk);
    assert_eq!(shown["version"], shown["builtin"]["version"]);
    let history = shown["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["reason"], "adopted");
    assert_eq!(history[0]["payload"]["verdicts_checked_under"], wide);
    // Once: the next opens find the desk's own policy.
    desk.run(&["init"]);
    desk.run(&["import", examples().to_str().unwrap()]);
    assert_eq!(count(&desk.db, reverdicts), before + 1);
    assert_eq!(policy_show(&desk)["history"].as_array().unwrap().len(), 1);
}

#[test]
fn a_process_open_before_an_apply_writes_under_the_new_policy() {
    let desk = Desk::new();
    let mut console = open_test_desk(&desk.db, "alice");
    let mut other = open_test_desk(&desk.db, "alice");
    // The binary below runs as the OS user, who needs a role to read.
    let me = refund_desk::operator::current().unwrap();
    other
        .set_role(&me, Some(refund_desk::domain::workflow::Role::Agent))
        .unwrap();
    let wide = Policy::load(Some(&wider_window(desk.dir.path()))).unwrap();
    other.apply_policy(wide.clone(), None).unwrap().unwrap();
    // Day 6 of the LCIC window: only the applied policy grants it.
    let late = lcic("OPEN-1", "acc-open", "2026-11-20T10:00:00+08:00").replace(
        r#""purchased_at":"2026-11-20T10:00:00+08:00""#,
        r#""purchased_at":"2026-11-14T10:00:00+08:00""#,
    );
    console
        .import("late", late.as_bytes(), Default::default(), |_| {}, |_| {})
        .unwrap();
    assert_eq!(console.policy.version, wide.version);
    let (code, out, err) = desk.run(&["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(desk.show("OPEN-1")["verdict"]["kind"], "full_refund");
}
