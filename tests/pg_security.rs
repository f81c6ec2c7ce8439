//! What a PostgreSQL desk enforces on its own (SPEC §5), tried by real OS
//! users through their own login roles, with `psql` as much as with the
//! program: the audit trail and the tickets are written only through the
//! desk's functions, nobody gives themselves a role, and those functions
//! move a ticket and its money only as the workflow does — four-eyes and
//! the amount executed included. The operator is always the authenticated
//! user, and two processes racing to pay pay once.

mod common;
mod reliability_util;

use common::pg::{cluster, literal};
use common::{base, with, Desk, NOW};
use reliability_util::TempUsers;
use serde_json::{json, Value};
use std::process::Output;

/// A desk with three real people: ann an agent, ben and cat supervisors.
struct Team {
    desk: Desk,
    users: TempUsers,
    ann: String,
    ben: String,
    cat: String,
}

fn team(tag: &str, tickets: &[Value]) -> Option<Team> {
    let Some(users) = TempUsers::create(tag, 3) else {
        eprintln!("SKIPPED (not root): PostgreSQL security with real OS users");
        return None;
    };
    let desk = Desk::new();
    let lines: String = tickets.iter().map(|t| format!("{t}\n")).collect();
    let r = desk.import("t.jsonl", &lines);
    assert_eq!(r.0, 0, "{} {}", r.1, r.2);
    let [ann, ben, cat] = [0, 1, 2].map(|i| users.users[i].clone());
    desk.grant_login(&[&ann, &ben, &cat]);
    for (who, role) in [(&ann, "agent"), (&ben, "supervisor"), (&cat, "supervisor")] {
        let r = desk.run(&["roles", "grant", who, role]);
        assert_eq!(r.0, 0, "{}", r.2);
    }
    Some(Team {
        desk,
        users,
        ann,
        ben,
        cat,
    })
}

impl Team {
    /// The program run by `user`, on the desk's URL.
    fn run(&self, user: &str, args: &[&str]) -> (i32, String, String) {
        self.run_on(user, &self.desk.url, args)
    }

    fn run_on(&self, user: &str, url: &str, args: &[&str]) -> (i32, String, String) {
        let out = self
            .users
            .cmd_as(user, std::path::Path::new(url))
            .env("REFUND_DESK_NOW", NOW)
            .args(args)
            .output()
            .unwrap();
        text(&out)
    }

    fn ok(&self, user: &str, args: &[&str]) -> String {
        let r = self.run(user, args);
        assert_eq!(r.0, 0, "{user} {args:?}: {} {}", r.1, r.2);
        r.1
    }

    /// `psql` as `user` on the desk: what an agent with a shell can try.
    fn psql(&self, user: &str, sql: &str) -> Output {
        cluster().unwrap().psql_as(Some(user), &self.desk.url, sql)
    }

    /// `sql` must fail for `user`, saying `why`.
    fn denied(&self, user: &str, sql: &str, why: &str) {
        let out = self.psql(user, sql);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{user} was allowed: {sql}");
        assert!(
            err.contains(why),
            "{user}: {sql}\nsays {err:?}, not {why:?}"
        );
    }

    fn database(&self) -> String {
        let after = self.desk.url.split("///").nth(1).unwrap();
        after.split('?').next().unwrap().to_string()
    }

    /// A query as the cluster's superuser, to look without any desk rule.
    fn look(&self, sql: &str) -> String {
        cluster()
            .unwrap()
            .superuser_sql(&self.database(), sql)
            .trim()
            .to_string()
    }
}

fn text(out: &Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A `refund_desk.record` call as psql would write it by hand for one
/// ticket: the move `action` from its state to `to`, its workflow record
/// patched with `patch` (a jsonb expression over `w`, the stored record),
/// the event's payload `payload` (jsonb over `w`).
fn forged(id: &str, action: &str, to: &str, patch: &str, payload: &str) -> String {
    format!(
        "SELECT refund_desk.record(jsonb_build_array(jsonb_build_object(
            'ticket_id', id, 'action', {action}, 'from_state', state, 'to_state', {to},
            'at', '2026-11-23T02:00:00.000Z', 'payload', ({payload})::text,
            'change', jsonb_build_object('state', {to},
                'pending', jsonb_typeof(({patch}) -> 'pending') = 'object',
                'wf', ({patch})::text))))
           FROM (SELECT id, state, wf::jsonb AS w FROM refund_desk.tickets WHERE id = {id}) t",
        id = literal(id),
        action = literal(action),
        to = literal(to),
    )
}

#[test]
fn the_audit_trail_and_the_tickets_are_written_only_through_the_desks_functions() {
    let Some(t) = team("ps", &[base("lcic")]) else {
        return;
    };
    t.ok(&t.ann, &["act", "L-1", "take"]);
    let events = t.look("SELECT count(*) FROM refund_desk.events");
    for who in [&t.ann, &t.ben] {
        for sql in [
            "UPDATE refund_desk.events SET operator = 'nobody'",
            "DELETE FROM refund_desk.events",
            "TRUNCATE refund_desk.events",
            "INSERT INTO refund_desk.events (ticket_id, action, operator, at) VALUES ('L-1', 'execute', 'x', 'x')",
            "UPDATE refund_desk.tickets SET state = 'completed'",
            "DELETE FROM refund_desk.tickets",
            "UPDATE refund_desk.policy_history SET version = 'x'",
            "INSERT INTO refund_desk.leases VALUES ('L-1', 'x', 9223372036854775807)",
        ] {
            t.denied(who, sql, "permission denied");
        }
        // A desk-level event (roles, policy) only by the desk's own functions.
        t.denied(
            who,
            "SELECT refund_desk.record('[{\"action\": \"role_grant\", \"payload\": \"{}\"}]')",
            "desk-level event",
        );
    }
    assert_eq!(t.look("SELECT count(*) FROM refund_desk.events"), events);
    assert_eq!(
        t.look("SELECT state FROM refund_desk.tickets WHERE id = 'L-1'"),
        "initial_review"
    );
}

#[test]
fn nobody_gives_themselves_a_role() {
    let Some(t) = team("pr", &[base("lcic")]) else {
        return;
    };
    let db = t.database();
    t.denied(
        &t.ann,
        &format!("GRANT \"{db}_supervisor\" TO \"{}\"", t.ann),
        "admin option",
    );
    t.denied(
        &t.ann,
        &format!("SET ROLE \"{db}_owner\""),
        "permission denied to set role",
    );
    t.denied(
        &t.ann,
        &format!(
            "SELECT refund_desk.set_role({}, 'supervisor', 'x', NULL)",
            literal(&t.ann)
        ),
        "only a supervisor",
    );
    t.denied(
        &t.ben,
        &format!(
            "SELECT refund_desk.set_role({}, 'agent', 'x', NULL)",
            literal(&t.ben)
        ),
        "cannot change their own role",
    );
    // The thresholds the server's four-eyes check reads ride only with a
    // policy change, by its author.
    t.denied(
        &t.ann,
        "SELECT refund_desk.set_thresholds('{\"default\": \"1000000000\"}')",
        "permission denied",
    );
    t.denied(
        &t.ben,
        "SELECT refund_desk.set_thresholds('{\"default\": \"1000000000\"}')",
        "only with the policy change",
    );
    let roles = t.ok(&t.ben, &["roles"]);
    let role_of = |who: &str| {
        roles
            .lines()
            .find(|l| l.split_whitespace().next() == Some(who))
            .and_then(|l| l.split_whitespace().nth(1))
            .map(String::from)
    };
    assert_eq!(role_of(&t.ann).as_deref(), Some("agent"), "{roles}");
    assert_eq!(role_of(&t.ben).as_deref(), Some("supervisor"), "{roles}");
}

#[test]
fn four_eyes_holds_on_the_server_whoever_calls_it() {
    let big = with(
        "lcic",
        json!({"id": "L-3", "account": {"id": "acc-3"}, "payment": {"cash": "20000.00"}}),
    );
    let second = with("lcic", json!({"id": "L-2", "account": {"id": "acc-2"}}));
    let Some(t) = team("pf", &[base("lcic"), second, big]) else {
        return;
    };
    // Ben proposes 5,000.00 on a 100.00 verdict; he cannot sign it himself.
    t.ok(&t.ben, &["act", "L-1", "take"]);
    let out = t.ok(&t.ben, &["act", "L-1", "approve", "--amount", "5000.00"]);
    assert!(out.contains("waiting for a supervisor"), "{out}");
    let signed = |by: &str| {
        forged(
            "L-1",
            "sign_off",
            "feedback",
            &format!(
                "w || jsonb_build_object('pending', NULL, 'state', 'feedback',
                    'decision', '{{\"decision\": \"approve\", \"amount\": \"5000.00\"}}'::jsonb,
                    'approval', jsonb_build_object('amount', '5000.00', 'by', {ben},
                        'signed_off_by', {by}, 'reasons', w -> 'pending' -> 'reasons'))",
                ben = literal(&t.ben),
                by = literal(by),
            ),
            "jsonb_build_object('proposal', w -> 'pending' -> 'action',
                'proposer', w -> 'pending' ->> 'proposer', 'result', '{}'::jsonb)",
        )
    };
    t.denied(&t.ben, &signed(&t.ben), "four-eyes");
    t.denied(&t.ann, &signed(&t.ann), "only a supervisor can sign off");

    // Ann decides straight past four-eyes: above the verdict's limit, and
    // within the limit but above the currency's threshold (10,000.00 USD).
    let approve = |id: &str, amount: &str| {
        forged(
            id,
            "approve",
            "feedback",
            &format!(
                "w || jsonb_build_object('state', 'feedback',
                    'decision', jsonb_build_object('decision', 'approve', 'amount', {a}),
                    'approval', jsonb_build_object('amount', {a}, 'by', {ann},
                        'signed_off_by', NULL, 'reasons', '[]'::jsonb))",
                a = literal(amount),
                ann = literal(&t.ann),
            ),
            &format!(
                "jsonb_build_object('decision', 'approve', 'amount', {})",
                literal(amount)
            ),
        )
    };
    t.ok(&t.ann, &["act", "L-2", "take"]);
    t.ok(&t.ann, &["act", "L-3", "take"]);
    t.denied(
        &t.ann,
        &approve("L-2", "5000.00"),
        "needs a second supervisor",
    );
    t.denied(
        &t.ann,
        &approve("L-3", "15000.00"),
        "needs a second supervisor",
    );
    // What the program would do is what the server lets through.
    let out = t.psql(&t.ann, &approve("L-2", "50.00"));
    assert!(out.status.success(), "{}", text(&out).2);
    assert_eq!(
        t.look("SELECT state, wf::jsonb -> 'decision' ->> 'amount' FROM refund_desk.tickets WHERE id = 'L-2'"),
        "feedback|50.00"
    );

    // A second supervisor signs off through the program: that stands.
    let out = t.ok(&t.cat, &["act", "L-1", "sign_off"]);
    assert!(out.contains("now feedback"), "{out}");
    assert_eq!(
        t.look("SELECT wf::jsonb -> 'approval' ->> 'signed_off_by' FROM refund_desk.tickets WHERE id = 'L-1'"),
        t.cat
    );
}

#[test]
fn execute_pays_only_what_the_stored_case_agreed() {
    let Some(t) = team("px", &[base("lcic")]) else {
        return;
    };
    for step in ["take", "approve", "accept"] {
        t.ok(&t.ann, &["act", "L-1", step]);
    }
    let execution = |amount: &str, route: &str| {
        format!(
            "jsonb_build_object('route', {route}, 'account', NULL, 'invoice_action', 'none',
                'amount', {amount}, 'frozen_to_unfreeze', '0', 'executed_on', '2026-11-23',
                'expected_from', '2026-12-14', 'expected_by', '2027-01-04',
                'decided_by', w -> 'approval' ->> 'by', 'signed_off_by', '[]'::jsonb,
                'signed_reasons', '[]'::jsonb, 'executed_by', {ann},
                'executed_at', '2026-11-23T10:00:00+08:00')",
            amount = literal(amount),
            route = literal(route),
            ann = literal(&t.ann),
        )
    };
    let execute = |amount: &str, route: &str| {
        let x = execution(amount, route);
        forged(
            "L-1",
            "execute",
            "execution",
            &format!("w || jsonb_build_object('execution', {x})"),
            &x,
        )
    };
    t.denied(
        &t.ann,
        &execute("100000.00", "original"),
        "pays 100.00, the amount agreed",
    );
    t.denied(&t.ann, &execute("100.00", "alternate"), "alternate route");
    // Nor is the agreed amount raised first under another name.
    for action in ["note", "offer", "assign", "take"] {
        t.denied(
            &t.ann,
            &forged(
                "L-1",
                action,
                "execution",
                "w || '{\"agreed\": \"100000.00\"}'",
                "'{}'::jsonb",
            ),
            "",
        );
    }
    assert_eq!(
        t.look("SELECT wf::jsonb ->> 'agreed', wf::jsonb -> 'execution' FROM refund_desk.tickets WHERE id = 'L-1'"),
        "100.00|null"
    );
    // The program's own execute passes the same checks, once.
    t.ok(&t.ann, &["act", "L-1", "execute"]);
    t.denied(&t.ann, &execute("100.00", "original"), "already executed");
    let payouts = t.ok(&t.ann, &["export", "payouts", "--format", "json"]);
    let rows: Vec<Value> = serde_json::from_str(&payouts).unwrap();
    assert_eq!(rows.len(), 1, "{payouts}");
    assert_eq!(rows[0]["amount"], "100.00");
    assert_eq!(rows[0]["executed_by"], t.ann.as_str());
}

#[test]
fn the_operator_is_the_authenticated_user_whatever_the_client_claims() {
    let Some(t) = team("po", &[base("lcic")]) else {
        return;
    };
    // A URL naming ben, run by ann: peer authentication lets nobody in.
    let as_ben = format!("{}&user={}", t.desk.url, t.ben);
    let r = t.run_on(&t.ann, &as_ben, &["act", "L-1", "take"]);
    assert_eq!(r.0, 1, "{r:?}");
    assert!(r.2.contains("cannot connect"), "{}", r.2);
    assert_eq!(r.2.trim().lines().count(), 1, "{}", r.2);
    // Names in the environment change nothing either.
    let out = t
        .users
        .cmd_as(&t.ann, std::path::Path::new(&t.desk.url))
        .env("REFUND_DESK_NOW", NOW)
        .env("USER", &t.ben)
        .env("LOGNAME", &t.ben)
        .env("PGUSER", &t.ben)
        .args(["act", "L-1", "take"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    // Through psql the event is the session user's, whatever it says.
    let out = t.psql(
        &t.ann,
        "SELECT refund_desk.record('[{\"ticket_id\": \"L-1\", \"action\": \"note\",
            \"from_state\": \"initial_review\", \"to_state\": \"initial_review\",
            \"at\": \"x\", \"note\": \"from psql\", \"operator\": \"nobody\"}]')",
    );
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(
        t.look(
            "SELECT string_agg(action || ' ' || operator, ', ' ORDER BY seq)
               FROM refund_desk.events WHERE ticket_id = 'L-1' AND action <> 'import'"
        ),
        format!("take {0}, note {0}", t.ann)
    );
    assert_eq!(
        t.look("SELECT assignee || ' ' || updated_by FROM refund_desk.tickets WHERE id = 'L-1'"),
        format!("{0} {0}", t.ann)
    );
}

#[test]
fn racing_processes_never_pay_twice_nor_reuse_a_reference() {
    let ids: Vec<String> = (1..=6).map(|i| format!("L-{i}")).collect();
    let tickets: Vec<Value> = ids
        .iter()
        .map(|id| {
            with(
                "lcic",
                json!({"id": id, "account": {"id": format!("acc-{id}")}}),
            )
        })
        .collect();
    let Some(t) = team("pp", &tickets) else {
        return;
    };
    for id in &ids {
        for step in ["take", "approve", "accept"] {
            t.ok(&t.ben, &["act", id, step]);
        }
    }
    let spawn = |who: &str, args: &[&str]| {
        t.users
            .cmd_as(who, std::path::Path::new(&t.desk.url))
            .env("REFUND_DESK_NOW", NOW)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let racing: Vec<_> = ids
        .iter()
        .flat_map(|id| {
            [&t.ann, &t.ben].map(|who| (id.clone(), spawn(who, &["act", id, "execute"])))
        })
        .collect();
    let mut paid = std::collections::BTreeMap::new();
    for (id, child) in racing {
        let (code, out, err) = text(&child.wait_with_output().unwrap());
        if code == 0 {
            *paid.entry(id).or_insert(0) += 1;
        } else {
            assert!(err.contains("the payout was already executed"), "{err}");
        }
        let _ = out;
    }
    assert_eq!(paid.len(), ids.len(), "{paid:?}");
    assert!(paid.values().all(|&n| n == 1), "{paid:?}");
    assert_eq!(
        t.look("SELECT count(*) FROM refund_desk.events WHERE action = 'execute'"),
        ids.len().to_string()
    );
    // Two tickets completed with one reference at once: one keeps it.
    let (a, b) = (
        spawn(&t.ann, &["act", "L-1", "complete", "--reference", "PAY-9"]),
        spawn(&t.ben, &["act", "L-2", "complete", "--reference", "PAY-9"]),
    );
    let results = [
        text(&a.wait_with_output().unwrap()),
        text(&b.wait_with_output().unwrap()),
    ];
    let done: Vec<_> = results.iter().filter(|r| r.0 == 0).collect();
    assert_eq!(done.len(), 1, "{results:?}");
    let refused = results.iter().find(|r| r.0 != 0).unwrap();
    assert!(
        refused
            .2
            .contains("payout reference PAY-9 is already used by ticket L-"),
        "{}",
        refused.2
    );
    assert_eq!(
        t.look("SELECT count(*) FROM refund_desk.tickets WHERE payout_reference = 'PAY-9'"),
        "1"
    );
}
