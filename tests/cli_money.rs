//! The money rules through the real binary (SPEC §3, §4 `act`, `check`,
//! `export payouts`): a decision stands on its verdict, payouts are
//! completed or returned, references are unique, finance gets every payout
//! — and four-eyes between two real OS users.

mod common;
mod reliability_util;
use common::{base, with, Desk};
use refund_desk::domain::workflow::{Action, Role, Route};
use refund_desk::store::Store;
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

fn lines(tickets: &[Value]) -> String {
    tickets.iter().map(|t| format!("{t}\n")).collect()
}

fn import(desk: &Desk, name: &str, tickets: &[Value], update: bool) {
    let p = desk.write(name, &lines(tickets));
    let mut args = vec!["import", p.to_str().unwrap()];
    if update {
        args.push("--update");
    }
    ok(desk.run(&args));
}

fn actions(shown: &Value) -> Vec<String> {
    shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_update_raising_cash_then_back_never_pays_the_raised_amount() {
    // The scenario: `import --update` raising a ticket's cash, an
    // approval at the raised amount, then `--update` back.
    let desk = Desk::new();
    import(&desk, "a.jsonl", &[base("lcic")], false);
    let raised = with("lcic", json!({"payment": {"cash": "5000.00"}}));
    import(&desk, "b.jsonl", &[raised], true);
    ok(desk.act("L-1", &["take"]));
    let out = ok(desk.act("L-1", &["approve"]));
    assert!(out.contains("now feedback"), "{out}");
    import(&desk, "c.jsonl", &[base("lcic")], true);

    let shown = desk.show("L-1");
    assert_eq!(shown["state"], "evaluation");
    assert_eq!(shown["workflow"]["decision"], Value::Null);
    let voided = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "decision_voided")
        .expect("a decision_voided event")
        .clone();
    assert_eq!(
        (voided["from"].as_str(), voided["to"].as_str()),
        (Some("feedback"), Some("evaluation"))
    );
    assert_eq!(voided["payload"]["old_verdict"]["amount"], "5000.00");
    assert_eq!(voided["payload"]["new_verdict"]["amount"], "100.00");
    assert_eq!(voided["payload"]["voided"]["decision"]["amount"], "5000.00");
    refused(
        desk.act("L-1", &["accept"]),
        "not possible in state evaluation",
    );
    refused(
        desk.act("L-1", &["execute"]),
        "not possible in state evaluation",
    );

    // Decided again on the verdict in force, it pays that.
    ok(desk.act("L-1", &["approve"]));
    ok(desk.act("L-1", &["accept"]));
    ok(desk.act("L-1", &["execute"]));
    assert_eq!(
        desk.show("L-1")["workflow"]["execution"]["amount"],
        "100.00"
    );
    let out = ok(desk.run(&["check"]));
    assert!(out.contains("payouts: 0 not supported"), "{out}");
}

#[test]
fn check_lists_an_executed_payout_the_verdict_in_force_no_longer_supports() {
    let desk = Desk::new();
    import(&desk, "a.jsonl", &[base("lcic")], false);
    let raised = with("lcic", json!({"payment": {"cash": "5000.00"}}));
    import(&desk, "b.jsonl", &[raised], true);
    for step in [&["take"][..], &["approve"], &["accept"], &["execute"]] {
        ok(desk.act("L-1", step));
    }
    assert!(ok(desk.run(&["check"])).contains("payouts: 0 not supported"));
    // After execute the verdict change is recorded, never applied to money.
    import(&desk, "c.jsonl", &[base("lcic")], true);
    let shown = desk.show("L-1");
    assert_eq!(shown["workflow"]["execution"]["amount"], "5000.00");
    let seen = actions(&shown);
    assert!(seen.contains(&"reverdict".to_string()), "{seen:?}");
    assert!(!seen.contains(&"decision_voided".to_string()), "{seen:?}");
    let (code, out, _) = desk.run(&["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("payout not supported L-1: 5000.00 USD executed")
            && out.contains("5000.00 is above the verdict's limit 100.00"),
        "{out}"
    );
}

#[test]
fn a_supervisor_alone_proposes_past_any_limit_and_thresholds_are_per_currency() {
    let desk = Desk::new();
    let yen = |id: &str, cash: &str| {
        with(
            "lcic",
            json!({"id": id, "account": {"id": id}, "payment": {"currency": "JPY", "cash": cash}}),
        )
    };
    import(
        &desk,
        "a.jsonl",
        &[base("live"), yen("J-1", "15000"), yen("J-2", "1600000")],
        false,
    );
    // The desk's creator is its supervisor; 5,000.00 on a 333.33 verdict.
    ok(desk.act("V-1", &["take"]));
    let out = ok(desk.act("V-1", &["approve", "--amount", "5000.00"]));
    assert!(out.contains("waiting for a supervisor"), "{out}");
    refused(desk.act("V-1", &["sign_off"]), "proposer cannot sign off");
    // The proposer may withdraw it.
    ok(desk.act("V-1", &["decline", "--note", "wrong amount"]));
    assert_eq!(desk.show("V-1")["workflow"]["pending"], Value::Null);
    // Nor may the desk offer above the limit.
    ok(desk.act("V-1", &["approve"]));
    ok(desk.act("V-1", &["appeal"]));
    refused(
        desk.act("V-1", &["offer", "--amount", "333.34", "--party", "desk"]),
        "cannot offer more than the verdict allows (333.33)",
    );
    // 15,000 JPY (about 100 USD) needs no second person; 1,600,000 JPY does.
    ok(desk.act("J-1", &["take"]));
    assert!(ok(desk.act("J-1", &["approve"])).contains("now feedback"));
    ok(desk.act("J-2", &["take"]));
    let out = ok(desk.act("J-2", &["approve"]));
    assert!(out.contains("waiting for a supervisor"), "{out}");
    let reasons = desk.show("J-2")["workflow"]["pending"]["reasons"].clone();
    assert_eq!(
        reasons,
        json!(["1600000.00 is above the approval threshold 1500000.00 JPY"])
    );
}

#[test]
fn an_executed_payout_is_completed_or_returned_and_references_are_unique() {
    let desk = Desk::new();
    let second = with("lcic", json!({"id": "L-2", "account": {"id": "acc-2"}}));
    let live_pre = common::live_pre("2026-11-06T10:00:00+08:00", json!({}));
    import(
        &desk,
        "a.jsonl",
        &[base("lcic"), second, live_pre.clone()],
        false,
    );
    for id in ["L-1", "L-2"] {
        for step in [&["take"][..], &["approve"], &["accept"]] {
            ok(desk.act(id, step));
        }
    }
    refused(
        desk.act(
            "L-1",
            &["execute", "--route", "alternate", "--account", "IBAN X"],
        ),
        "only for live refunds",
    );
    refused(
        desk.act("L-1", &["payout_returned", "--note", "x"]),
        "no executed payout",
    );
    ok(desk.act("L-1", &["execute"]));
    refused(
        desk.act("L-1", &["withdraw"]),
        "payout was already executed",
    );
    assert_eq!(
        desk.act("L-1", &["payout_returned"]).0,
        2,
        "the note is required"
    );
    ok(desk.act("L-1", &["payout_returned", "--note", "account closed"]));
    let w = desk.show("L-1")["workflow"].clone();
    assert_eq!(
        (w["execution"].clone(), w["returned"][0]["note"].clone()),
        (Value::Null, json!("account closed"))
    );
    ok(desk.act("L-1", &["execute"]));
    ok(desk.act("L-1", &["complete", "--reference", "PAY-1"]));
    ok(desk.act("L-2", &["execute"]));
    refused(
        desk.act("L-2", &["complete", "--reference", "PAY-1"]),
        "payout reference PAY-1 is already used by ticket L-1",
    );
    ok(desk.act("L-2", &["complete", "--reference", "PAY-2"]));
    // A live ticket is rejected with live (or COMMON-) clauses only.
    let id = live_pre["id"].as_str().unwrap();
    ok(desk.act(id, &["take"]));
    refused(
        desk.act(id, &["reject", "--clause", "LCIC-USED"]),
        "LCIC-USED is not a live clause",
    );
    ok(desk.act(id, &["reject", "--clause", "LIVE-EXCL-UNILATERAL"]));
}

fn at(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(s).unwrap()
}

#[test]
fn export_payouts_gives_finance_every_execution_exactly() {
    let desk = Desk::new();
    // Set up as alice and bob through the library, on set days; read with
    // the binary as its supervisor (the OS user running the tests).
    let me = refund_desk::operator::current().unwrap();
    {
        let open = |who: &str| common::open_test_desk(&desk.db, who);
        let mut alice = open("alice");
        alice.set_role("bob", Some(Role::Supervisor)).unwrap();
        alice.set_role(&me, Some(Role::Supervisor)).unwrap();
        let odd = with(
            "lcic",
            json!({"account": {"id": "acc \"quoted\", with comma"}}),
        );
        let live = common::live_pre(
            "2026-11-06T10:00:00+08:00",
            json!({"account": {"id": "=SUM(1,2)"}, "payment": {"invoice_issued_at": "2026-10-28T10:00:00+08:00"}}),
        );
        let text = lines(&[odd, live.clone()]);
        alice
            .import(
                "t",
                text.as_bytes(),
                Default::default(),
                |r| panic!("{r:?}"),
                |_| {},
            )
            .unwrap();
        let bob = open("bob");
        let (a, b) = (alice.actor().unwrap(), bob.actor().unwrap());
        let act = |s: &mut Store,
                   who: &refund_desk::domain::workflow::Actor,
                   id: &str,
                   action: Action,
                   when: &str| {
            s.act(id, &action, who, None, at(when)).unwrap();
        };
        let original = || Action::Execute {
            route: Route::Original,
            account: None,
        };
        let approve = || Action::Approve {
            amount: None,
            note: None,
        };
        act(
            &mut alice,
            &a,
            "L-1",
            Action::Take,
            "2026-11-23T09:00:00+08:00",
        );
        act(
            &mut alice,
            &a,
            "L-1",
            approve(),
            "2026-11-23T09:10:00+08:00",
        );
        act(
            &mut alice,
            &a,
            "L-1",
            Action::Accept,
            "2026-11-23T09:20:00+08:00",
        );
        act(
            &mut alice,
            &a,
            "L-1",
            original(),
            "2026-11-23T23:30:00+08:00",
        );
        let back = Action::PayoutReturned {
            note: "account closed".into(),
        };
        act(&mut alice, &a, "L-1", back, "2026-11-24T10:00:00+08:00");
        act(
            &mut alice,
            &a,
            "L-1",
            original(),
            "2026-11-25T10:00:00+08:00",
        );
        let done = Action::Complete {
            reference: "PAY-1".into(),
        };
        act(&mut alice, &a, "L-1", done, "2026-11-26T10:00:00+08:00");
        let id = live["id"].as_str().unwrap().to_string();
        let mut bob = bob;
        act(
            &mut alice,
            &a,
            &id,
            Action::Take,
            "2026-11-27T09:00:00+08:00",
        );
        act(&mut alice, &a, &id, approve(), "2026-11-27T09:10:00+08:00");
        act(
            &mut alice,
            &a,
            &id,
            Action::Accept,
            "2026-11-27T09:20:00+08:00",
        );
        let alternate = Action::Execute {
            route: Route::Alternate,
            account: Some("IBAN DE00, \"savings\"".into()),
        };
        act(&mut alice, &a, &id, alternate, "2026-11-30T10:00:00+08:00");
        act(
            &mut bob,
            &b,
            &id,
            Action::SignOff { note: None },
            "2026-11-30T11:00:00+08:00",
        );
    }
    if desk.engine == common::Engine::Postgres {
        // The history made as alice and bob (names with no login there)
        // arrives on a PostgreSQL desk by migrate, as a file desk's would.
        desk.grant_login(&["alice", "bob"]);
        let file = desk.db.to_str().unwrap();
        ok(desk.run(&["--db", file, "migrate", "--to", &desk.url]));
    }
    let before = std::fs::read(&desk.db).unwrap();

    let out = ok(desk.run(&["export", "payouts", "--format", "json"]));
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    let brief: Vec<(String, u64, String, String, String)> = rows
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
            (
                s("ticket"),
                r["execution"].as_u64().unwrap(),
                s("status"),
                s("amount"),
                s("executed_on"),
            )
        })
        .collect();
    let live_id = brief[2].0.clone();
    assert_eq!(
        brief,
        vec![
            (
                "L-1".into(),
                1,
                "returned".into(),
                "100.00".into(),
                "2026-11-23".into()
            ),
            (
                "L-1".into(),
                2,
                "completed".into(),
                "100.00".into(),
                "2026-11-25".into()
            ),
            (
                live_id,
                1,
                "executed".into(),
                "9000.00".into(),
                "2026-11-30".into()
            ),
        ]
    );
    assert_eq!(rows[1]["reference"], "PAY-1");
    assert_eq!(rows[1]["completed_at"], "2026-11-26T02:00:00.000Z");
    assert_eq!(rows[0]["returned_at"], "2026-11-24T02:00:00.000Z");
    assert_eq!(rows[0]["executed_at"], "2026-11-23T15:30:00.000Z");
    assert_eq!(rows[0]["reference"], Value::Null);
    assert_eq!(
        (
            rows[0]["decided_by"].as_str(),
            rows[0]["invoice_action"].as_str()
        ),
        (Some("alice"), Some("none"))
    );
    let alt = &rows[2];
    assert_eq!(alt["route"], "alternate");
    assert_eq!(alt["alternate_account"], "IBAN DE00, \"savings\"");
    assert_eq!(alt["invoice_action"], "red_letter");
    assert_eq!(
        (alt["decided_by"].clone(), alt["signed_off_by"].clone()),
        (json!("alice"), json!(["bob"]))
    );
    assert_eq!(alt["account"], "=SUM(1,2)");

    // CSV: quoted where needed, a formula-looking cell made inert, the range
    // read by local execution date, inclusive.
    let csv = ok(desk.run(&["export", "payouts"]));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &header[..7],
        [
            "ticket",
            "execution",
            "status",
            "account",
            "product",
            "currency",
            "amount"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3);
    assert_eq!(&records[0][3], "acc \"quoted\", with comma");
    assert!(csv.contains("\"acc \"\"quoted\"\", with comma\""), "{csv}");
    assert_eq!(&records[2][3], "'=SUM(1,2)");
    assert_eq!(&records[2][8], "IBAN DE00, \"savings\"");
    assert_eq!(&records[2][11], "bob");
    let ranged = ok(desk.run(&[
        "export",
        "payouts",
        "--from",
        "2026-11-24",
        "--to",
        "2026-11-25",
    ]));
    let ranged: Vec<csv::StringRecord> = csv::Reader::from_reader(ranged.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ranged.len(), 1);
    assert_eq!((&ranged[0][0], &ranged[0][1]), ("L-1", "2"));
    let day = ok(desk.run(&[
        "export",
        "payouts",
        "--from",
        "2026-11-23",
        "--to",
        "2026-11-23",
    ]));
    assert_eq!(
        csv::Reader::from_reader(day.as_bytes()).records().count(),
        1,
        "{day}"
    );
    assert_eq!(
        desk.run(&[
            "export",
            "payouts",
            "--from",
            "2026-11-26",
            "--to",
            "2026-11-25"
        ])
        .0,
        2
    );
    assert_eq!(
        desk.run(&["export", "payouts", "--from", "26/11/2026"]).0,
        2
    );

    // Reading never writes.
    assert!(
        std::fs::read(&desk.db).unwrap() == before,
        "export changed the desk file"
    );
}

#[test]
fn four_eyes_between_two_real_os_users_through_the_binary() {
    let users = TempUsers::create("mo", 2);
    let users = match users {
        Some(u) => u,
        None if is_root() => {
            panic!("running as root but could not create OS users (useradd, groupadd, runuser)")
        }
        None => panic!("this test needs root to create two OS users (CI runs as root)"),
    };
    let (ann, ben) = (users.users[0].clone(), users.users[1].clone());
    let tmp = tempfile::tempdir().unwrap();
    let dir = users.shared_dir(tmp.path());
    let db = dir.join("desk.db");
    let input = dir.join("t.jsonl");
    let second = with("live", json!({"id": "V-2", "account": {"id": "acc-2"}}));
    std::fs::write(&input, lines(&[base("live"), second])).unwrap();
    let root = |a: &[&str]| reliability_util::run(&db, a);
    assert_eq!(root(&["import", input.to_str().unwrap()]).code, 0);
    for u in [&ann, &ben] {
        assert_eq!(root(&["roles", "grant", u, "supervisor"]).code, 0);
    }
    let me = |u: &str, a: &[&str]| users.run_as(u, &db, a);
    let ok = |o: Out| {
        assert_eq!(o.code, 0, "{o:?}");
        o.stdout
    };
    // Ann, a supervisor, alone: 5,000.00 on a 333.33 verdict is a proposal.
    ok(me(&ann, &["act", "V-1", "take"]));
    let out = ok(me(&ann, &["act", "V-1", "approve", "--amount", "5000.00"]));
    assert!(out.contains("waiting for a supervisor"), "{out}");
    me(&ann, &["act", "V-1", "sign_off"]).assert_one_line_error("proposer cannot sign off");
    me(&ann, &["act", "V-1", "accept"]).assert_one_line_error("not possible");
    // Ben, the other supervisor, signs it off; Ann carries it through.
    ok(me(
        &ben,
        &["act", "V-1", "sign_off", "--note", "contract says so"],
    ));
    ok(me(&ann, &["act", "V-1", "accept"]));
    let out = ok(me(&ann, &["act", "V-1", "execute"]));
    assert!(out.contains("now execution"), "{out}");
    // Ann may withdraw her own proposal (decline it); Ben's is Ben's.
    ok(me(&ben, &["act", "V-2", "take"]));
    ok(me(&ben, &["act", "V-2", "approve", "--amount", "400.00"]));
    ok(me(&ben, &["act", "V-2", "decline", "--note", "typo"]));

    let out = ok(root(&["export", "payouts", "--format", "json"]));
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 1, "{out}");
    assert_eq!(rows[0]["amount"], "5000.00");
    assert_eq!(rows[0]["decided_by"], json!(ann));
    assert_eq!(rows[0]["signed_off_by"], json!([ben]));
    assert_eq!(rows[0]["executed_by"], json!(ann));
    let check = root(&["check"]);
    assert_eq!(check.code, 0, "{check:?}");
}
