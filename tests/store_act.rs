//! Workflow actions through `act` and through the store: every action and
//! guard, one event per committed action, stale writes refused.

mod common;
use common::*;
use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::domain::workflow::{Action, Role};
use refund_desk::store::{ActOutcome, Store, StoreError};
use serde_json::json;

fn ok(r: (i32, String, String)) -> String {
    assert_eq!(r.0, 0, "stdout: {}\nstderr: {}", r.1, r.2);
    r.1
}

fn refused(r: (i32, String, String), why: &str) {
    assert_eq!(r.0, 1, "expected a refusal, got: {} {}", r.1, r.2);
    assert!(r.2.contains(why), "refusal {:?} does not say {why:?}", r.2);
    assert_eq!(r.2.trim().lines().count(), 1, "one line: {}", r.2);
}

#[test]
fn every_action_through_act_with_its_guards() {
    let desk = Desk::new();
    ok(desk.run(&["import", examples().to_str().unwrap()]));
    // LC-1001: the straight path with info requested on the way.
    ok(desk.act("LC-1001", &["take"]));
    let r = desk.act("LC-1001", &["request_info"]);
    assert_eq!(r.0, 2, "a missing option is bad usage");
    assert!(r.2.contains("needs --note"));
    ok(desk.act("LC-1001", &["request_info", "--note", "bank statement"]));
    ok(desk.act("LC-1001", &["info_received", "--note", "got it"]));
    ok(desk.act("LC-1001", &["evaluate"]));
    refused(
        desk.act("LC-1001", &["approve", "--amount", "0"]),
        "greater than 0",
    );
    ok(desk.act(
        "LC-1001",
        &["approve", "--amount", "95.00", "--note", "unused, day 2"],
    ));
    ok(desk.act("LC-1001", &["accept"]));
    refused(
        desk.act("LC-1001", &["complete", "--reference", "P1"]),
        "execute the payout",
    );
    ok(desk.act("LC-1001", &["execute", "--route", "original"]));
    ok(desk.act("LC-1001", &["complete", "--reference", "P1"]));
    assert!(ok(desk.act("LC-1001", &["complete", "--reference", "P1"])).contains("already done"));
    refused(
        desk.act("LC-1001", &["complete", "--reference", "P2"]),
        "already completed with reference P1",
    );
    let shown = desk.show("LC-1001");
    assert_eq!(shown["state"], "completed");
    let events: Vec<(String, String, String)> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().into(),
                e["from"].as_str().unwrap().into(),
                e["to"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expect = [
        ("import", "submitted", "submitted"),
        ("take", "submitted", "initial_review"),
        ("request_info", "initial_review", "awaiting_info"),
        ("info_received", "awaiting_info", "initial_review"),
        ("evaluate", "initial_review", "evaluation"),
        ("approve", "evaluation", "feedback"),
        ("accept", "feedback", "execution"),
        ("execute", "execution", "execution"),
        ("complete", "execution", "completed"),
    ];
    assert_eq!(events.len(), expect.len(), "{events:?}");
    for (got, want) in events.iter().zip(expect) {
        assert_eq!((got.0.as_str(), got.1.as_str(), got.2.as_str()), want);
    }
    assert_eq!(
        shown["events"][5]["operator"],
        shown["events"][1]["operator"]
    );
    assert_eq!(shown["events"][8]["payload"]["reference"], "P1");
    assert_eq!(shown["due"], serde_json::Value::Null);

    // LC-1003 (reject verdict): reject needs a clause, then close.
    ok(desk.act("LC-1003", &["take"]));
    refused(desk.act("LC-1003", &["reject"]), "at least one clause");
    ok(desk.act("LC-1003", &["reject", "--clause", "LCIC-WINDOW"]));
    refused(desk.act("LC-1003", &["accept"]), "decision was reject");
    ok(desk.act("LC-1003", &["close", "--note", "customer informed"]));
    refused(
        desk.act("LC-1003", &["withdraw"]),
        "not possible in state closed",
    );

    // LV-4004 (negotiate, ceiling 9000): appeal, offers, revise, agree.
    ok(desk.act("LV-4004", &["take"]));
    ok(desk.act("LV-4004", &["approve", "--amount", "3000.00"]));
    ok(desk.act(
        "LV-4004",
        &[
            "appeal",
            "--amount",
            "9000.00",
            "--note",
            "latency all month",
        ],
    ));
    refused(
        desk.act(
            "LV-4004",
            &["offer", "--amount", "9500.00", "--party", "desk"],
        ),
        "cannot offer more",
    );
    ok(desk.act(
        "LV-4004",
        &["offer", "--amount", "5000.00", "--party", "desk"],
    ));
    ok(desk.act(
        "LV-4004",
        &["offer", "--amount", "6000.00", "--party", "customer"],
    ));
    ok(desk.act("LV-4004", &["revise", "--amount", "5500.00"]));
    assert_eq!(desk.show("LV-4004")["state"], "feedback");
    ok(desk.act("LV-4004", &["appeal"]));
    ok(desk.act("LV-4004", &["agree", "--amount", "5800.00"]));
    let w = desk.show("LV-4004")["workflow"].clone();
    assert_eq!(w["agreed"], "5800.00");
    assert_eq!(w["ledger"].as_array().unwrap().len(), 4);
    ok(desk.act("LV-4004", &["execute"]));

    // Withdraw from the middle.
    ok(desk.act("TR-2001", &["take"]));
    ok(desk.act(
        "TR-2001",
        &["withdraw", "--note", "customer found the invoice"],
    ));
    assert_eq!(desk.show("TR-2001")["state"], "closed");

    // Unknown ticket, bad usage.
    refused(desk.act("NOPE", &["take"]), "no ticket NOPE");
    assert_eq!(desk.act("LC-1002", &["fly"]).0, 2);
    assert_eq!(desk.act("LC-1002", &["approve", "--amount", "1.234"]).0, 2);
}

#[test]
fn a_stale_write_is_refused_and_changes_nothing() {
    let desk = Desk::new();
    ok(desk.run(&["import", examples().to_str().unwrap()]));
    let seen = desk.show("LC-1002")["version"].as_i64().unwrap();
    ok(desk.act("LC-1002", &["take", "--expect-version", &seen.to_string()]));
    let r = desk.act(
        "LC-1002",
        &["evaluate", "--expect-version", &seen.to_string()],
    );
    refused(r, "ticket changed by");
    assert_eq!(desk.show("LC-1002")["state"], "initial_review");
}

/// Run by pg_store_act too: a test that works a SQLite file through the
/// library as made-up operators has nothing to say about a server, where
/// the operator is the session's user; it names where PostgreSQL is tried.
fn file_only(twin: &str) -> bool {
    if engine() == Engine::Postgres {
        eprintln!("SQLite only (the library as made-up operators); on PostgreSQL: {twin}");
        return true;
    }
    false
}

fn open(path: &std::path::Path, who: &str) -> Store {
    common::open_test_desk(path, who)
}

/// A new desk, `who` its first supervisor.
fn create(path: &std::path::Path, who: &str) -> Store {
    Store::create(
        path,
        Policy::builtin(),
        Calendar::plain(),
        who,
        refund_desk::store::DeskKind::Test,
        refund_desk::store::Clock::Pinned(chrono::DateTime::parse_from_rfc3339(NOW).unwrap()),
    )
    .unwrap()
}

#[test]
fn four_eyes_across_operators_on_one_file() {
    if file_only("pg_security four_eyes_holds_on_the_server_whoever_calls_it, pg_cli_money four_eyes_between_two_real_os_users_through_the_binary") {
        return;
    }
    let desk = Desk::new();
    let mut alice = create(&desk.db, "alice"); // creator: first supervisor
    alice.set_role("bob", Some(Role::Supervisor)).unwrap();
    alice.set_role("carol", Some(Role::Agent)).unwrap();
    alice
        .import(
            "ex",
            std::fs::File::open(examples()).unwrap(),
            Default::default(),
            |_| {},
            |_| {},
        )
        .unwrap();
    let mut bob = open(&desk.db, "bob");
    let mut carol = open(&desk.db, "carol");
    let now = alice.now();
    assert!(matches!(
        carol.set_role("carol", Some(Role::Supervisor)),
        Err(StoreError::Refused(_))
    ));
    assert!(
        matches!(open(&desk.db, "mallory").actor(), Err(StoreError::Refused(m)) if m.contains("no role"))
    );

    // LC-1003 has a reject verdict: approving it needs a second supervisor.
    let a = alice.actor().unwrap();
    alice.act("LC-1003", &Action::Take, &a, None, now).unwrap();
    let r = alice
        .act(
            "LC-1003",
            &Action::Approve {
                amount: Some("100.00".parse().unwrap()),
                note: None,
            },
            &a,
            None,
            now,
        )
        .unwrap();
    assert!(matches!(r, ActOutcome::Done { pending: true, .. }));
    let own = alice.act("LC-1003", &Action::SignOff { note: None }, &a, None, now);
    assert!(matches!(own, Err(StoreError::Refused(m)) if m.contains("proposer cannot sign off")));
    let c = carol.actor().unwrap();
    let agent = carol.act("LC-1003", &Action::SignOff { note: None }, &c, None, now);
    assert!(matches!(agent, Err(StoreError::Refused(m)) if m.contains("only a supervisor")));
    let b = bob.actor().unwrap();
    let r = bob
        .act("LC-1003", &Action::SignOff { note: None }, &b, None, now)
        .unwrap();
    assert!(matches!(r, ActOutcome::Done { pending: false, .. }));
    let d = bob.detail("LC-1003").unwrap();
    assert_eq!(d.case.state.as_str(), "feedback");
    let last = d.events.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.operator.as_str()),
        ("sign_off", "bob")
    );
    assert_eq!(last.payload["proposer"], "alice");
}

#[test]
fn state_counts_follow_every_insert_and_transition() {
    if file_only("the PostgreSQL query suites (state_counts kept by trigger)") {
        return;
    }
    let desk = Desk::new();
    let mut alice = create(&desk.db, "alice");
    alice
        .import(
            "ex",
            std::fs::File::open(examples()).unwrap(),
            Default::default(),
            |_| {},
            |_| {},
        )
        .unwrap();
    let a = alice.actor().unwrap();
    let now = alice.now();
    alice.act("LC-1001", &Action::Take, &a, None, now).unwrap();
    alice.act("LC-1002", &Action::Take, &a, None, now).unwrap();
    alice
        .act("LC-1002", &Action::Withdraw { note: None }, &a, None, now)
        .unwrap();
    let counts = alice.state_counts().unwrap();
    assert_eq!(counts.get("submitted"), Some(&21));
    assert_eq!(counts.get("initial_review"), Some(&1));
    assert_eq!(counts.get("closed"), Some(&1));
    let all = refund_desk::store::ListFilter::default();
    let budget = std::time::Duration::from_secs(5);
    assert_eq!(alice.count_at_most(&all, 100, budget).unwrap(), Some(23));
    assert_eq!(
        alice.count_at_most(&all, 23, budget).unwrap(),
        None,
        "at the cap: many"
    );
    for (state, n) in &counts {
        let f = refund_desk::store::ListFilter {
            states: vec![state.clone()],
            ..Default::default()
        };
        assert_eq!(alice.count(&f).unwrap(), *n, "{state}");
    }
}

/// Imports JSON values (one ticket each) through the store.
fn load(store: &mut Store, tickets: &[serde_json::Value], update: bool) {
    let text: String = tickets.iter().map(|t| format!("{t}\n")).collect();
    let opts = refund_desk::store::ImportOptions { update };
    store
        .import(
            "t.jsonl",
            text.as_bytes(),
            opts,
            |r| panic!("{r:?}"),
            |_| {},
        )
        .unwrap();
}

fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}

fn refusal(r: Result<ActOutcome, StoreError>) -> String {
    match r {
        Err(StoreError::Refused(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_supervisor_alone_never_goes_past_the_limit() {
    if file_only(
        "pg_cli_money a_supervisor_alone_proposes_past_any_limit_and_thresholds_are_per_currency",
    ) {
        return;
    }
    // "A supervisor alone approved 5,000.00 on a 333.33 verdict."
    let desk = Desk::new();
    let mut alice = open(&desk.db, "alice");
    alice.set_role("bob", Some(Role::Supervisor)).unwrap();
    load(&mut alice, &[base("live")], false);
    let mut bob = open(&desk.db, "bob");
    let (a, b) = (alice.actor().unwrap(), bob.actor().unwrap());
    let now = alice.now();
    alice.act("V-1", &Action::Take, &a, None, now).unwrap();
    let approve = Action::Approve {
        amount: Some(dec("5000.00")),
        note: None,
    };
    let r = alice.act("V-1", &approve, &a, None, now).unwrap();
    assert!(matches!(r, ActOutcome::Done { pending: true, .. }), "{r:?}");
    let d = alice.detail("V-1").unwrap();
    assert_eq!(d.case.state.as_str(), "initial_review");
    assert_eq!(
        d.case.pending.unwrap().reasons,
        ["5000.00 is above the verdict's limit 333.33"]
    );
    assert!(
        refusal(alice.act("V-1", &Action::SignOff { note: None }, &a, None, now))
            .contains("proposer cannot sign off")
    );
    bob.act("V-1", &Action::SignOff { note: None }, &b, None, now)
        .unwrap();
    let d = bob.detail("V-1").unwrap();
    assert_eq!(d.case.state.as_str(), "feedback");
    let approval = d.case.approval.unwrap();
    assert_eq!(
        (approval.by.as_str(), approval.signed_off_by.as_deref()),
        ("alice", Some("bob"))
    );
}

fn events_of(store: &Store, id: &str, action: &str) -> Vec<serde_json::Value> {
    let d = store.detail(id).unwrap();
    d.events
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| e.payload)
        .collect()
}

#[test]
fn an_update_lowering_the_verdict_voids_the_decision_it_no_longer_supports() {
    if file_only("pg_cli_money an_update_raising_cash_then_back_never_pays_the_raised_amount") {
        return;
    }
    let desk = Desk::new();
    let mut alice = open(&desk.db, "alice");
    let a = alice.actor().unwrap();
    let now = alice.now();
    let raised = with("lcic", json!({"payment": {"cash": "5000.00"}}));
    load(&mut alice, &[base("lcic")], false);
    load(&mut alice, &[raised], true);
    alice.act("L-1", &Action::Take, &a, None, now).unwrap();
    let approve = Action::Approve {
        amount: None,
        note: None,
    };
    alice.act("L-1", &approve, &a, None, now).unwrap();
    alice.act("L-1", &Action::Accept, &a, None, now).unwrap();
    let before = alice.detail("L-1").unwrap();
    assert_eq!(before.case.agreed, Some(dec("5000.00")));

    load(&mut alice, &[base("lcic")], true);
    let d = alice.detail("L-1").unwrap();
    assert_eq!(d.case.state.as_str(), "evaluation");
    assert_eq!((d.case.agreed, d.case.decision.clone()), (None, None));
    assert!(
        d.version > before.version,
        "a voided decision is a new version"
    );
    let voided = events_of(&alice, "L-1", "decision_voided");
    assert_eq!(voided.len(), 1);
    assert_eq!(voided[0]["old_verdict"]["amount"], "5000.00");
    assert_eq!(voided[0]["new_verdict"]["amount"], "100.00");
    assert_eq!(voided[0]["voided"]["agreed"]["amount"], "5000.00");
    let last = d.events.last().unwrap();
    assert_eq!(
        (last.from.as_str(), last.to.as_str()),
        ("execution", "evaluation")
    );
    // Nothing to execute: the raised amount is never paid.
    let execute = Action::Execute {
        route: refund_desk::domain::workflow::Route::Original,
        account: None,
    };
    assert!(refusal(alice.act("L-1", &execute, &a, None, now)).contains("state evaluation"));
    assert!(refusal(alice.act("L-1", &Action::Accept, &a, None, now)).contains("evaluation"));
    alice.act("L-1", &approve, &a, None, now).unwrap();
    alice.act("L-1", &Action::Accept, &a, None, now).unwrap();
    alice.act("L-1", &execute, &a, None, now).unwrap();
    let d = alice.detail("L-1").unwrap();
    assert_eq!(d.case.execution.unwrap().amount, dec("100.00"));
}

#[test]
fn a_policy_change_voids_decisions_and_after_execute_is_only_recorded() {
    if file_only(
        "pg_cli_money check_lists_an_executed_payout_the_verdict_in_force_no_longer_supports",
    ) {
        return;
    }
    let desk = Desk::new();
    let mut alice = open(&desk.db, "alice");
    let a = alice.actor().unwrap();
    let now = alice.now();
    // Two tickets on day 2 of the LCIC window: one decided, one paid.
    let paid = with("lcic", json!({"id": "L-2", "account": {"id": "acc-2"}}));
    load(&mut alice, &[base("lcic"), paid], false);
    let approve = Action::Approve {
        amount: None,
        note: None,
    };
    for id in ["L-1", "L-2"] {
        alice.act(id, &Action::Take, &a, None, now).unwrap();
        alice.act(id, &approve, &a, None, now).unwrap();
    }
    alice.act("L-2", &Action::Accept, &a, None, now).unwrap();
    let execute = Action::Execute {
        route: refund_desk::domain::workflow::Route::Original,
        account: None,
    };
    alice.act("L-2", &execute, &a, None, now).unwrap();
    assert!(alice.payout_findings().unwrap().is_empty());
    drop(alice);

    // A one-day window: both tickets' verdicts become LCIC-WINDOW rejects.
    let dir = tempfile::tempdir().unwrap();
    let builtin = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/policies/lcic.toml");
    let lcic = std::fs::read_to_string(builtin)
        .unwrap()
        .replace("window_days = 5", "window_days = 1");
    std::fs::write(dir.path().join("lcic.toml"), lcic).unwrap();
    let policy = Policy::load(Some(dir.path())).unwrap();
    let mut alice = open(&desk.db, "alice");
    alice.apply_policy(policy, None).unwrap();
    let d = alice.detail("L-1").unwrap();
    assert_eq!(d.verdict.kind.as_str(), "reject");
    assert_eq!(d.case.state.as_str(), "evaluation");
    let voided = events_of(&alice, "L-1", "decision_voided");
    assert_eq!(voided[0]["new_verdict"]["kind"], "reject");
    assert_eq!(
        voided[0]["voided"]["decision"]["reasons"][0],
        "approving against a reject verdict"
    );
    // The paid one keeps its payout; the change is recorded and listed.
    let d = alice.detail("L-2").unwrap();
    assert_eq!(d.case.execution.unwrap().amount, dec("100.00"));
    assert!(events_of(&alice, "L-2", "decision_voided").is_empty());
    assert_eq!(events_of(&alice, "L-2", "reverdict").len(), 1);
    let found = alice.payout_findings().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].ticket, "L-2");
    assert_eq!(found[0].unsigned, ["approving against a reject verdict"]);
}

#[test]
fn a_payout_reference_is_unique_across_the_desk_in_the_database_too() {
    if file_only("pg_security racing_processes_never_pay_twice_nor_reuse_a_reference, pg_cli_money an_executed_payout_is_completed_or_returned_and_references_are_unique") {
        return;
    }
    let desk = Desk::new();
    let mut alice = open(&desk.db, "alice");
    let a = alice.actor().unwrap();
    let now = alice.now();
    let other = with("lcic", json!({"id": "L-2", "account": {"id": "acc-2"}}));
    load(&mut alice, &[base("lcic"), other], false);
    let steps = [
        Action::Take,
        Action::Approve {
            amount: None,
            note: None,
        },
        Action::Accept,
        Action::Execute {
            route: refund_desk::domain::workflow::Route::Original,
            account: None,
        },
    ];
    for id in ["L-1", "L-2"] {
        for s in &steps {
            alice.act(id, s, &a, None, now).unwrap();
        }
    }
    let complete = Action::Complete {
        reference: "PAY-1".into(),
    };
    alice.act("L-1", &complete, &a, None, now).unwrap();
    let why = refusal(alice.act("L-2", &complete, &a, None, now));
    assert_eq!(why, "payout reference PAY-1 is already used by ticket L-1");
    assert_eq!(
        alice.detail("L-2").unwrap().case.state.as_str(),
        "execution"
    );
    // Whoever writes to the file, the database itself refuses a second use.
    let c = rusqlite::Connection::open(&desk.db).unwrap();
    let err = c
        .execute(
            "UPDATE tickets SET payout_reference = 'PAY-1' WHERE id = 'L-2'",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("UNIQUE"), "{err}");
}
