//! Workflow actions through `act` and through the store: every action and
//! guard, one event per committed action, stale writes refused.

mod common;
use common::*;
use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::domain::workflow::{Action, Role};
use refund_desk::store::{ActOutcome, Store, StoreError};

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

fn open(path: &std::path::Path, who: &str) -> Store {
    Store::open(path, Policy::builtin(), Calendar::plain(), who).unwrap()
}

/// A new desk, `who` its first supervisor.
fn create(path: &std::path::Path, who: &str) -> Store {
    Store::create(
        path,
        Policy::builtin(),
        Calendar::plain(),
        who,
        refund_desk::store::DeskKind::Test,
        refund_desk::store::Clock::System,
    )
    .unwrap()
}

#[test]
fn four_eyes_across_operators_on_one_file() {
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
