//! `policy apply` and `policy diff` through the binary on either engine
//! (pg_policy_apply runs this against PostgreSQL): verdicts recomputed as
//! `reverdict` events, a decision that no longer stands voided, due dates
//! moved by a new calendar, the history recorded, `diff` and a second
//! apply of the same files changing nothing, an agent refused.

mod common;

use common::{lcic, Desk};
use serde_json::Value;
use std::path::{Path, PathBuf};

const BUILTIN_COMMON: &str = include_str!("../assets/policies/common.toml");

/// A policy directory whose common.toml looks back 150 days for abuse.
fn longer_memory(parent: &Path) -> PathBuf {
    let dir = parent.join("policy-150");
    std::fs::create_dir(&dir).unwrap();
    let text = BUILTIN_COMMON.replace("window_days = 90", "window_days = 150");
    assert_ne!(text, BUILTIN_COMMON);
    std::fs::write(dir.join("common.toml"), text).unwrap();
    dir
}

/// Holidays on the three business days after 2 Nov 2026 (a Monday).
fn holidays(parent: &Path) -> PathBuf {
    let p = parent.join("holidays.toml");
    std::fs::write(
        &p,
        "name = \"Early November\"\nholidays = [2026-11-03, 2026-11-04, 2026-11-05]\nworkdays = []\n",
    )
    .unwrap();
    p
}

/// What a reader sees of every ticket: the list, and each one shown.
fn everything(desk: &Desk) -> String {
    let (code, out, err) = desk.run(&["list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    let mut all = out;
    for r in &rows {
        all.push_str(&desk.show(r["id"].as_str().unwrap()).to_string());
    }
    all
}

fn events_of(desk: &Desk, id: &str) -> Vec<Value> {
    desk.show(id)["events"].as_array().unwrap().clone()
}

/// Account A's full refunds 61 and 62 days apart: under the built-in
/// 90-day window the third has one earlier refund (no abuse), under 150
/// days two (abuse suspected, so its standing approval needs four-eyes).
fn desk_with_an_approval() -> Desk {
    let desk = Desk::new();
    let lines = [
        lcic("A-1", "A", "2026-07-01T10:00:00+08:00"),
        lcic("A-2", "A", "2026-09-01T10:00:00+08:00"),
        lcic("A-3", "A", "2026-11-02T10:00:00+08:00"),
        lcic("B-1", "B", "2026-11-02T11:00:00+08:00"),
        lcic("C-1", "C", "2026-10-30T11:00:00+08:00"),
    ];
    let (code, _, err) = desk.import("a.jsonl", &lines.join("\n"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(desk.show("A-3")["verdict"]["flags"], serde_json::json!([]));
    assert_eq!(desk.act("A-3", &["take"]).0, 0);
    let (code, _, err) = desk.act("A-3", &["approve", "--amount", "90.00"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(desk.show("A-3")["state"], "feedback");
    desk
}

#[test]
fn an_applied_policy_recomputes_verdicts_and_voids_what_no_longer_stands() {
    let desk = desk_with_an_approval();
    let policy = longer_memory(desk.dir.path());
    let policy = policy.to_str().unwrap();

    let before = everything(&desk);
    let (code, out, err) = desk.run(&["policy", "diff", "--policy-dir", policy, "--json"]);
    assert_eq!(code, 0, "{err}");
    let diff: Value = serde_json::from_str(&out).unwrap();
    let changes = diff["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{diff}");
    assert_eq!(changes[0]["id"], "A-3");
    assert_eq!(
        changes[0]["new"]["flags"],
        serde_json::json!(["abuse_suspected"])
    );
    assert_eq!(everything(&desk), before, "policy diff changed the desk");

    let (code, out, err) = desk.run(&["policy", "apply", "--policy-dir", policy]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("5 tickets checked, 1 verdicts changed"),
        "{out}"
    );
    let a3 = desk.show("A-3");
    assert_eq!(
        a3["verdict"]["flags"],
        serde_json::json!(["abuse_suspected"])
    );
    assert_eq!(a3["state"], "evaluation", "{a3}");
    let events = events_of(&desk, "A-3");
    let tail: Vec<&str> = events[events.len() - 2..]
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(tail, ["reverdict", "decision_voided"], "{events:?}");
    let voided = &events[events.len() - 1];
    assert_eq!(
        (&voided["from"], &voided["to"]),
        (&"feedback".into(), &"evaluation".into())
    );
    // Untouched tickets keep their version: a recompute is not an action.
    assert_eq!(desk.show("B-1")["version"], 1);
    assert_eq!(events_of(&desk, "B-1").len(), 1);

    let (code, out, err) = desk.run(&["policy", "show", "--json"]);
    assert_eq!(code, 0, "{err}");
    let shown: Value = serde_json::from_str(&out).unwrap();
    let applied = shown["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(applied["reason"], "applied");
    assert_eq!(applied["by"], "root");
    assert_eq!(applied["payload"]["verdicts_changed"], 1, "{applied}");
    assert_eq!(applied["payload"]["due_changed"], 0, "{applied}");
    assert_eq!(a3["policy_version"], shown["version"]);
    let (_, out, _) = desk.run(&["check"]);
    assert!(out.contains("5 checked, 0 mismatches"), "{out}");

    // The same files again change nothing and record nothing.
    let before = everything(&desk);
    let (code, out, _) = desk.run(&["policy", "apply", "--policy-dir", policy]);
    assert_eq!(code, 0);
    assert!(out.contains("nothing changed"), "{out}");
    assert_eq!(everything(&desk), before);
}

#[test]
fn a_new_calendar_moves_the_running_clocks_and_only_those() {
    let desk = desk_with_an_approval();
    let cal = holidays(desk.dir.path());
    let cal = cal.to_str().unwrap();
    let dir = desk.dir.path().join("same-policy");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("common.toml"), BUILTIN_COMMON).unwrap();
    let dir = dir.to_str().unwrap();
    // B-1 waits in initial review from Mon 2 Nov (+3 business days), C-1
    // from Fri 30 Oct; A-3's appeal window counts calendar days.
    assert_eq!(desk.show("B-1")["due"]["target"], "2026-11-05");
    assert_eq!(desk.show("C-1")["due"]["target"], "2026-11-04");
    let (code, out, err) = desk.run(&[
        "policy",
        "diff",
        "--policy-dir",
        dir,
        "--calendar",
        cal,
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let diff: Value = serde_json::from_str(&out).unwrap();
    let moved: Vec<&str> = diff["due_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(moved, ["B-1", "C-1"], "{diff}");

    let (code, out, err) = desk.run(&["policy", "apply", "--policy-dir", dir, "--calendar", cal]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("0 verdicts changed, 2 due dates changed"),
        "{out}"
    );
    // Three holidays later: Thu 5 Nov + 3 business days = Tue 10 Nov.
    let b1 = desk.show("B-1");
    assert_eq!(b1["due"]["target"], "2026-11-10", "{b1}");
    assert_eq!(b1["version"], 1);
    assert_eq!(desk.show("C-1")["due"]["target"], "2026-11-09");
    // A clock that ended before the holidays keeps its dates.
    let a1 = desk.show("A-1");
    assert_eq!(a1["due"]["target"], "2026-07-06");
    let (code, out, err) = desk.run(&["policy", "show", "--json"]);
    assert_eq!(code, 0, "{err}");
    let shown: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["calendar"]["name"], "Early November");
    let applied = shown["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(applied["payload"]["due_changed"], 2, "{applied}");
}
