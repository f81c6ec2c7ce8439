//! A desk a team works in (SPEC §3 team actions, §4 `act ID,ID…` and
//! `--ids-from`), through the real binary: hand-offs between real OS users,
//! internal notes, facts that arrive with `info_received --set`, and one
//! action on several tickets, each its own transaction.

mod common;
mod reliability_util;
use common::{base, with, without, Desk};
use reliability_util::{is_root, Out, TempUsers};
use serde_json::{json, Value};

fn ok(r: (i32, String, String)) -> String {
    assert_eq!(r.0, 0, "stdout: {}\nstderr: {}", r.1, r.2);
    r.1
}

fn refused(r: (i32, String, String), why: &str) {
    assert_eq!(r.0, 1, "expected a refusal, got: {} {}", r.1, r.2);
    assert!(r.2.contains(why), "refusal {:?} does not say {why:?}", r.2);
    assert_eq!(r.2.trim().lines().count(), 1, "one line: {}", r.2);
}

fn import(desk: &Desk, name: &str, tickets: &[Value], update: bool) -> String {
    let text: String = tickets.iter().map(|t| format!("{t}\n")).collect();
    let p = desk.write(name, &text);
    let mut args = vec!["import", p.to_str().unwrap()];
    if update {
        args.push("--update");
    }
    let (code, out, err) = desk.run(&args);
    assert_eq!(code, 0, "{out}{err}");
    err
}

fn events(shown: &Value) -> Vec<Value> {
    shown["events"].as_array().unwrap().clone()
}

fn actions(shown: &Value) -> Vec<String> {
    events(shown)
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

fn last(shown: &Value) -> Value {
    events(shown).last().unwrap().clone()
}

#[test]
fn a_supervisor_shares_out_work_and_an_agent_hands_off_only_their_own() {
    let users = match TempUsers::create("tm", 2) {
        Some(u) => u,
        None if is_root() => panic!("running as root but could not create OS users"),
        None => panic!("this test needs root to create two OS users (CI runs as root)"),
    };
    let (ann, ben) = (users.users[0].clone(), users.users[1].clone());
    let tmp = tempfile::tempdir().unwrap();
    let dir = users.shared_dir(tmp.path());
    let db = dir.join("desk.db");
    let input = dir.join("t.jsonl");
    let second = with("lcic", json!({"id": "L-2", "account": {"id": "acc-2"}}));
    std::fs::write(&input, format!("{}\n{second}\n", base("lcic"))).unwrap();
    // root creates the desk: its first supervisor.
    let root = |a: &[&str]| reliability_util::run(&db, a);
    assert_eq!(root(&["import", input.to_str().unwrap()]).code, 0);
    for u in [&ann, &ben] {
        assert_eq!(root(&["roles", "grant", u, "agent"]).code, 0);
    }
    let me = |u: &str, a: &[&str]| users.run_as(u, &db, a);
    let ok = |o: Out| {
        assert_eq!(o.code, 0, "{o:?}");
        o.stdout
    };
    let assignee = |id: &str| -> Value {
        let out = root(&["show", id, "--json"]);
        serde_json::from_str::<Value>(&out.stdout).unwrap()["assignee"].clone()
    };

    ok(me(&ann, &["act", "L-1", "take"]));
    ok(me(&ann, &["act", "L-1", "evaluate"]));
    // Ben may not take Ann's ticket by handing it to himself.
    me(&ben, &["act", "L-1", "assign", "--to", &ben]).assert_one_line_error(&format!(
        "hands off only their own tickets: it is assigned to {ann}"
    ));
    // Nobody without a role on the desk can be given a ticket.
    me(&ann, &["act", "L-1", "assign", "--to", "nobody-here"])
        .assert_one_line_error("nobody-here has no role on this desk");
    let out = ok(me(
        &ann,
        &[
            "act",
            "L-1",
            "assign",
            "--to",
            &ben,
            "--note",
            "on leave from Monday",
        ],
    ));
    assert!(
        out.contains(&format!("L-1 assign to {ben}: now evaluation")),
        "{out}"
    );
    assert_eq!(assignee("L-1"), json!(ben));
    let shown: Value = serde_json::from_str(&root(&["show", "L-1", "--json"]).stdout).unwrap();
    let e = last(&shown);
    assert_eq!(
        (e["action"].as_str(), e["from"].as_str(), e["to"].as_str()),
        (Some("assign"), Some("evaluation"), Some("evaluation"))
    );
    assert_eq!(e["operator"], json!(ann));
    assert_eq!(e["payload"]["previous_assignee"], json!(ann));
    assert_eq!(e["note"], "on leave from Monday");
    // Now it is Ben's to work on and Ann's no longer to hand off.
    me(&ann, &["act", "L-1", "assign", "--to", &ann]).assert_one_line_error("assigned to");
    ok(me(&ben, &["act", "L-1", "approve"]));

    // The supervisor assigns any ticket, even one nobody took.
    let out = ok(root(&["act", "L-2", "assign", "--to", &ann]));
    assert!(out.contains("now submitted"), "{out}");
    assert_eq!(assignee("L-2"), json!(ann));
    ok(me(&ann, &["act", "L-2", "withdraw"]));
    root(&["act", "L-2", "assign", "--to", &ben])
        .assert_one_line_error("assign is not possible in state closed");
}

#[test]
fn a_note_is_for_the_team_in_any_state_and_never_in_a_letter() {
    let desk = Desk::new();
    import(&desk, "a.jsonl", &[base("lcic")], false);
    ok(desk.act("L-1", &["take"]));
    ok(desk.act("L-1", &["request_info", "--note", "the purchase receipt"]));
    let before = desk.show("L-1");
    let out = ok(desk.act(
        "L-1",
        &["note", "--note", "TEAM-ONLY: customer called twice"],
    ));
    assert!(out.contains("L-1 note: now awaiting_info"), "{out}");
    let shown = desk.show("L-1");
    // The note moved nothing but the version.
    for key in ["state", "assignee", "verdict", "due", "workflow", "ticket"] {
        assert_eq!(shown[key], before[key], "{key}");
    }
    assert_eq!(
        shown["version"],
        json!(before["version"].as_i64().unwrap() + 1)
    );
    let e = last(&shown);
    assert_eq!(
        (e["from"].as_str(), e["to"].as_str()),
        (Some("awaiting_info"), Some("awaiting_info"))
    );
    assert_eq!(e["note"], "TEAM-ONLY: customer called twice");
    let letter = ok(desk.run(&["letter", "L-1"]));
    assert!(letter.contains("the purchase receipt"), "{letter}");
    assert!(
        !letter.contains("TEAM-ONLY"),
        "an internal note reached the letter:\n{letter}"
    );

    // Even on a finished ticket; never without its text.
    ok(desk.act("L-1", &["withdraw"]));
    ok(desk.act("L-1", &["note", "--note", "closed after the call"]));
    assert_eq!(last(&desk.show("L-1"))["to"], "closed");
    let (code, _, err) = desk.act("L-1", &["note"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("note needs --note"), "{err}");
}

/// T-1 lacks its purchase date (needs_info); T-2, the same account and app
/// a day later, is a full refund only while T-1 is not one.
fn trtc_pair() -> (Value, Value) {
    let first = without("trtc", json!({}), &["package.purchased_at"]);
    let second = with(
        "trtc",
        json!({"id": "T-2", "received_at": "2026-11-04T10:00:00+08:00",
               "package": {"purchased_at": "2026-11-02T10:00:00+08:00"}}),
    );
    (first, second)
}

const PURCHASED: &str = "2026-11-01T10:00:00+08:00";

/// Both tickets imported, T-2 approved, T-1 waiting for its purchase date.
fn waiting_desk() -> Desk {
    let desk = Desk::new();
    let (first, second) = trtc_pair();
    import(&desk, "a.jsonl", &[first, second], false);
    assert_eq!(
        desk.show("T-1")["verdict"]["missing"],
        json!(["package.purchased_at"])
    );
    assert_eq!(desk.show("T-2")["verdict"]["kind"], "full_refund");
    ok(desk.act("T-2", &["take"]));
    ok(desk.act("T-2", &["approve"]));
    ok(desk.act("T-1", &["take"]));
    ok(desk.act("T-1", &["request_info", "--note", "when was it bought?"]));
    desk
}

#[test]
fn facts_received_update_the_ticket_recompute_the_account_and_void_what_no_longer_stands() {
    let desk = waiting_desk();
    let set = format!("package.purchased_at={PURCHASED}");
    let out = ok(desk.act(
        "T-1",
        &["info_received", "--set", &set, "--note", "receipt by mail"],
    ));
    assert!(
        out.contains("T-1 info_received: now initial_review"),
        "{out}"
    );
    assert!(out.contains("verdict full_refund 100.00 USD"), "{out}");

    let t1 = desk.show("T-1");
    assert_eq!(t1["ticket"]["package"]["purchased_at"], PURCHASED);
    assert_eq!(t1["verdict"]["kind"], "full_refund");
    // The change is recorded with before and after, then the verdict's own event.
    let seen = actions(&t1);
    assert_eq!(
        seen[seen.len() - 2..],
        ["info_received", "reverdict"],
        "{seen:?}"
    );
    let received = &events(&t1)[seen.len() - 2];
    assert_eq!(
        received["payload"]["facts"],
        json!([{"field": "package.purchased_at", "before": null, "after": PURCHASED}])
    );
    assert_eq!(received["note"], "receipt by mail");

    // T-2 is now the second refund of the same app in five days: its verdict
    // changes and the approval standing on the old one is voided.
    let t2 = desk.show("T-2");
    assert_eq!(t2["verdict"]["clauses"][0], "TRTC-ONE-AT-A-TIME");
    assert_eq!(t2["state"], "evaluation");
    assert_eq!(t2["workflow"]["decision"], Value::Null);
    let voided = events(&t2)
        .into_iter()
        .find(|e| e["action"] == "decision_voided")
        .expect("a decision_voided event on T-2");
    assert_eq!(voided["payload"]["old_verdict"]["kind"], "full_refund");
    assert_eq!(voided["payload"]["new_verdict"]["kind"], "reject");
    refused(
        desk.act("T-2", &["accept"]),
        "not possible in state evaluation",
    );
}

#[test]
fn set_and_an_update_import_of_the_same_facts_leave_the_same_tickets() {
    let by_set = waiting_desk();
    ok(by_set.act(
        "T-1",
        &[
            "info_received",
            "--set",
            &format!("package.purchased_at={PURCHASED}"),
        ],
    ));

    let by_import = waiting_desk();
    let (mut first, _) = trtc_pair();
    first["package"]["purchased_at"] = json!(PURCHASED);
    import(&by_import, "b.jsonl", &[first.clone()], true);
    ok(by_import.act("T-1", &["info_received"]));

    for id in ["T-1", "T-2"] {
        let (a, b) = (by_set.show(id), by_import.show(id));
        for key in [
            "state",
            "assignee",
            "verdict",
            "ticket",
            "due",
            "workflow",
            "policy_version",
            "verdict_since",
        ] {
            assert_eq!(a[key], b[key], "{id} {key}");
        }
    }
    // The facts set are the line's facts: importing it again changes nothing.
    let said = import(&by_set, "c.jsonl", &[first], true);
    assert!(said.contains("0 new, 0 updated, 1 unchanged"), "{said}");
    // Found by search on the new facts' ticket as on the imported one.
    let (a, b) = (
        ok(by_set.run(&["list", "--verdict", "full_refund", "--json"])),
        ok(by_import.run(&["list", "--verdict", "full_refund", "--json"])),
    );
    assert_eq!(a, b);
}

#[test]
fn facts_are_judged_as_an_import_line_and_a_refusal_changes_nothing() {
    let desk = waiting_desk();
    let before = desk.show("T-1");
    for (set, why) in [
        (
            "package.purchased_at=yesterday",
            "package.purchased_at: \"yesterday\" is not an RFC 3339 timestamp",
        ),
        // After received_at: the facts would contradict each other.
        (
            "package.purchased_at=2026-11-05T10:00:00+08:00",
            "received_at is before package.purchased_at",
        ),
        ("package.used_units=-1", "package.used_units"),
        ("payment.cash=12.345", "payment.cash"),
    ] {
        refused(desk.act("T-1", &["info_received", "--set", set]), why);
    }
    assert_eq!(desk.show("T-1"), before, "a refused --set changes nothing");
    // Not a §1 field, the id, or no '=': bad usage, refused before the desk opens.
    for (set, why) in [
        ("package.colour=red", "not a ticket field"),
        ("id=T-9", "id cannot be changed"),
        ("package.purchased_at", "expected FIELD=VALUE"),
    ] {
        let (code, _, err) = desk.act("T-1", &["info_received", "--set", set]);
        assert_eq!(code, 2, "{set}: {err}");
        assert!(err.contains(why), "{set}: {err}");
    }
    // Only info_received takes facts.
    let (code, _, err) = desk.act("T-1", &["note", "--note", "x", "--set", "reason=other"]);
    assert_eq!(code, 2);
    assert!(err.contains("--set is not an option of note"), "{err}");
    assert_eq!(desk.show("T-1"), before);
}

#[test]
fn several_tickets_are_each_their_own_transaction_with_one_line_each() {
    let desk = Desk::new();
    let tickets: Vec<Value> = (1..=4)
        .map(|i| {
            with(
                "lcic",
                json!({"id": format!("L-{i}"), "account": {"id": format!("acc-{i}")}}),
            )
        })
        .collect();
    import(&desk, "a.jsonl", &tickets, false);
    ok(desk.act("L-1,L-2,L-3", &["take"]));
    // L-4 was never taken: refused on its own, the others go through.
    let (code, out, err) = desk.act("L-1,L-4,L-2", &["reject", "--clause", "LCIC-USED"]);
    assert_eq!(code, 1, "{out}{err}");
    let done: Vec<&str> = out.lines().collect();
    assert_eq!(done.len(), 2, "{out}");
    assert!(done[0].starts_with("L-1 reject: now feedback"), "{out}");
    assert!(done[1].starts_with("L-2 reject: now feedback"), "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("L-4 reject: reject is not possible in state submitted"),
        "{err}"
    );
    assert_eq!(desk.show("L-4")["state"], "submitted");
    assert_eq!(
        desk.show("L-2")["workflow"]["decision"]["clauses"],
        json!(["LCIC-USED"])
    );

    // Four-eyes per ticket: each over-limit approval is its own proposal.
    let list = desk.write("ids.txt", "L-3\n\n  L-4  \n");
    ok(desk.act("L-4", &["take"]));
    let out = ok(desk.run(&[
        "act",
        "--ids-from",
        list.to_str().unwrap(),
        "approve",
        "--amount",
        "150.00",
    ]));
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(
        out.lines()
            .all(|l| l.contains("proposed; waiting for a supervisor")),
        "{out}"
    );
    for id in ["L-3", "L-4"] {
        assert_eq!(desk.show(id)["workflow"]["pending"]["proposer"], "root");
    }

    // From stdin; an unknown id is one refused line among the others.
    let out = desk
        .cmd()
        .args([
            "act",
            "--ids-from",
            "-",
            "note",
            "--note",
            "checked in the weekly review",
        ])
        .write_stdin("L-1\nL-9\nL-3\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stderr.contains("L-9 note: no ticket L-9"), "{stderr}");
    assert_eq!(last(&desk.show("L-3"))["action"], "note");

    // Ids and a file at once, an empty id, or a version for several: bad usage.
    for args in [
        &["act", "L-1", "--ids-from", "-", "note", "--note", "x"][..],
        &["act", "L-1,,L-2", "note", "--note", "x"],
        &[
            "act",
            "L-1,L-2",
            "note",
            "--note",
            "x",
            "--expect-version",
            "3",
        ],
    ] {
        let (code, _, err) = desk.run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
    }
}

#[test]
fn show_history_reads_amounts_parties_and_references_in_the_desks_local_time() {
    let desk = Desk::new();
    import(&desk, "a.jsonl", &[base("lcic")], false);
    for step in [
        &["take"][..],
        &["approve", "--amount", "95.00"],
        &["appeal", "--amount", "100.00", "--note", "the voucher too"],
        &["offer", "--amount", "97.50", "--party", "desk"],
        &["agree"],
        &["execute"],
        &["complete", "--reference", "PAY-20261123-1"],
    ] {
        ok(desk.act("L-1", step));
    }
    let text = ok(desk.run(&["show", "L-1"]));
    let history: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("history"))
        .collect();
    // The pinned clock is 10:00 at +08:00, the policy's timezone; stored as 02:00Z.
    assert!(history[0].contains("local time, UTC+08:00"), "{text}");
    assert!(
        history[1..]
            .iter()
            .all(|l| l.trim_start().starts_with("2026-11-23 10:00")),
        "{text}"
    );
    assert!(
        !text.contains("02:00:00"),
        "UTC leaked into the text:\n{text}"
    );
    let line = |action: &str| -> &str {
        history
            .iter()
            .find(|l| l.split_whitespace().nth(2) == Some(action))
            .unwrap_or_else(|| panic!("no {action} in\n{text}"))
    };
    assert!(line("approve").contains("95.00 USD"), "{text}");
    assert!(
        line("appeal").contains("customer asks 100.00 USD"),
        "{text}"
    );
    assert!(line("appeal").contains("the voucher too"), "{text}");
    assert!(line("offer").contains("desk offers 97.50 USD"), "{text}");
    assert!(line("agree").contains("97.50 USD"), "{text}");
    assert!(
        line("execute").contains("97.50 USD by the original route"),
        "{text}"
    );
    assert!(
        line("complete").contains("reference PAY-20261123-1"),
        "{text}"
    );
    assert!(line("take").contains("assignee root"), "{text}");
    // The JSON keeps the instants as stored, RFC 3339.
    for e in events(&desk.show("L-1")) {
        let at = e["at"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
        assert!(at.ends_with('Z'), "{at}");
    }
}
