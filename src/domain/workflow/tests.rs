use super::*;

/// The money rules of SPEC §3: four-eyes, routes, payouts, standing decisions.
mod money;
/// Hand-offs, notes and the facts that arrive (SPEC §3 team actions).
mod team;
use crate::domain::calendar::Calendar;
use crate::domain::policy::{evaluate, Policy, Verdict};
use crate::domain::ticket::{Ticket, Timestamp};
use serde_json::json;
use std::str::FromStr;

fn at(s: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(s).unwrap()
}

fn lcic(extra: serde_json::Value) -> Ticket {
    let mut v = json!({
        "id": "LC-1", "received_at": "2026-11-03T10:00:00+08:00", "product": "lcic",
        "account": {"id": "A1"}, "reason": "unused",
        "package": {"billing": "monthly", "purchased_at": "2026-11-02T10:00:00+08:00"},
        "payment": {"currency": "USD", "cash": "90.00", "voucher": "10.00"}
    });
    merge(&mut v, extra);
    Ticket::from_json(&v).unwrap()
}

fn merge(base: &mut serde_json::Value, extra: serde_json::Value) {
    match (base, extra) {
        (serde_json::Value::Object(b), serde_json::Value::Object(e)) => {
            for (k, v) in e {
                merge(b.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (b, e) => *b = e,
    }
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

struct Desk {
    ticket: Ticket,
    verdict: Verdict,
    policy: Policy,
    calendar: Calendar,
    case: Case,
    now: Timestamp,
}

fn agent(name: &str) -> Actor {
    Actor {
        name: name.into(),
        role: Role::Agent,
    }
}

fn supervisor(name: &str) -> Actor {
    Actor {
        name: name.into(),
        role: Role::Supervisor,
    }
}

impl Desk {
    fn new(ticket: Ticket) -> Desk {
        Self::with_verdict(ticket, None)
    }

    fn with_verdict(ticket: Ticket, verdict: Option<Verdict>) -> Desk {
        let policy = Policy::builtin();
        let verdict = verdict.unwrap_or_else(|| evaluate(&ticket, &policy, &[]));
        let case = Case::new(ticket.received_at.with_timezone(&policy.tz).date_naive());
        Desk {
            ticket,
            verdict,
            policy,
            calendar: Calendar::plain(),
            case,
            now: at("2026-11-23T10:00:00+08:00"),
        }
    }

    fn try_act(&mut self, action: Action, actor: &Actor) -> Result<Transition, Refusal> {
        let cx = Context {
            ticket: &self.ticket,
            verdict: &self.verdict,
            policy: &self.policy,
            calendar: &self.calendar,
            actor,
            now: self.now,
        };
        let t = apply(&self.case, &action, &cx)?;
        self.case = t.case.clone();
        Ok(t)
    }

    fn act(&mut self, action: Action, actor: &Actor) -> Transition {
        self.try_act(action, actor).unwrap()
    }

    fn refused(&mut self, action: Action, actor: &Actor) -> String {
        let before = self.case.clone();
        let e = self.try_act(action, actor).unwrap_err().0;
        assert_eq!(self.case, before, "a refusal changes nothing");
        e
    }

    fn walk_to_feedback(&mut self, amount: Option<&str>, actor: &Actor) {
        self.act(Action::Take, actor);
        self.act(Action::Evaluate, actor);
        self.act(
            Action::Approve {
                amount: amount.map(dec),
                note: None,
            },
            actor,
        );
    }
}

#[test]
fn a_ticket_walks_from_submitted_to_completed() {
    let mut d = Desk::new(lcic(json!({})));
    let alice = agent("alice");
    let t = d.act(Action::Take, &alice);
    assert_eq!((t.from, t.to), (State::Submitted, State::InitialReview));
    assert_eq!(d.case.assignee.as_deref(), Some("alice"));
    d.act(Action::Evaluate, &alice);
    assert_eq!(d.case.stage_start.to_string(), "2026-11-23");
    let t = d.act(
        Action::Approve {
            amount: None,
            note: Some("unused".into()),
        },
        &alice,
    );
    assert_eq!(t.to, State::Feedback);
    assert_eq!(
        d.case.decision,
        Some(Decision::Approve {
            amount: dec("90.00")
        })
    );
    d.act(Action::Accept, &alice);
    assert_eq!(d.case.state, State::Execution);
    d.act(
        Action::Execute {
            route: Route::Original,
            account: None,
        },
        &alice,
    );
    let exec = d.case.execution.clone().unwrap();
    assert_eq!(exec.amount, dec("90.00"));
    assert_eq!(exec.invoice_action, InvoiceAction::NoInvoice);
    assert_eq!(exec.expected_from.to_string(), "2026-12-14"); // +15 bd from Mon 23 Nov
    let t = d.act(
        Action::Complete {
            reference: "PAY-1".into(),
        },
        &alice,
    );
    assert_eq!(t.to, State::Completed);
}

#[test]
fn completion_is_idempotent_and_a_second_reference_is_refused() {
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    d.walk_to_feedback(None, &a);
    d.act(Action::Accept, &a);
    assert!(d
        .refused(
            Action::Complete {
                reference: "P".into()
            },
            &a
        )
        .contains("execute the payout"));
    d.act(
        Action::Execute {
            route: Route::Original,
            account: None,
        },
        &a,
    );
    d.act(
        Action::Complete {
            reference: "P-1".into(),
        },
        &a,
    );
    assert!(
        d.act(
            Action::Complete {
                reference: "P-1".into()
            },
            &a
        )
        .noop
    );
    assert!(d
        .refused(
            Action::Complete {
                reference: "P-2".into()
            },
            &a
        )
        .contains("already completed with reference P-1"));
}

#[test]
fn actions_are_only_valid_from_their_states() {
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    assert!(d
        .refused(Action::Evaluate, &a)
        .contains("not possible in state submitted"));
    assert!(d.refused(Action::Accept, &a).contains("submitted"));
    d.act(Action::Take, &a);
    assert!(d.refused(Action::Take, &a).contains("initial_review"));
    d.act(
        Action::Reject {
            clauses: vec!["LCIC-USED".into()],
            note: None,
        },
        &a,
    );
    assert!(d
        .refused(Action::Accept, &a)
        .contains("decision was reject"));
    d.act(
        Action::Close {
            note: Some("customer informed".into()),
        },
        &a,
    );
    assert!(d
        .refused(Action::Withdraw { note: None }, &a)
        .contains("closed"));
}

#[test]
fn reject_names_a_known_clause() {
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    d.act(Action::Take, &a);
    assert!(d
        .refused(
            Action::Reject {
                clauses: vec![],
                note: None
            },
            &a
        )
        .contains("at least one clause"));
    assert!(d
        .refused(
            Action::Reject {
                clauses: vec!["NOPE".into()],
                note: None
            },
            &a
        )
        .contains("unknown clause"));
}

#[test]
fn amounts_must_be_positive_and_within_the_verdict_or_signed_off_by_a_second_supervisor() {
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    d.act(Action::Take, &a);
    assert!(d
        .refused(
            Action::Approve {
                amount: Some(dec("0")),
                note: None
            },
            &a
        )
        .contains("greater than 0"));
    // An agent above the limit proposes; a supervisor signs off.
    let t = d.act(
        Action::Approve {
            amount: Some(dec("95.00")),
            note: None,
        },
        &a,
    );
    assert_eq!(t.to, State::InitialReview);
    assert!(d.case.pending.is_some());
    assert!(d
        .refused(Action::Evaluate, &a)
        .contains("waits for a supervisor"));
    d.act(Action::SignOff { note: None }, &supervisor("sue"));
    assert_eq!(d.case.state, State::Feedback);
    assert_eq!(
        d.case.decision,
        Some(Decision::Approve {
            amount: dec("95.00")
        })
    );
    let approval = d.case.approval.clone().unwrap();
    assert_eq!(
        (approval.by.as_str(), approval.signed_off_by.as_deref()),
        ("a", Some("sue"))
    );

    // A supervisor above the limit proposes too: only another supervisor
    // signs off, and the proposer may withdraw (decline) their own proposal.
    let mut d = Desk::new(lcic(json!({})));
    let sue = supervisor("sue");
    d.walk_to_feedback(Some("95.00"), &sue);
    assert_eq!(d.case.state, State::Evaluation);
    let reasons = &d.case.pending.as_ref().unwrap().reasons;
    assert_eq!(reasons, &["95.00 is above the verdict's limit 90.00"]);
    assert!(d
        .refused(Action::SignOff { note: None }, &sue)
        .contains("proposer cannot sign off"));
    d.act(Action::Decline { note: None }, &sue);
    assert!(d.case.pending.is_none() && d.case.decision.is_none());
    d.act(
        Action::Approve {
            amount: Some(dec("95.00")),
            note: None,
        },
        &sue,
    );
    d.act(Action::SignOff { note: None }, &supervisor("sam"));
    assert_eq!(d.case.state, State::Feedback);

    // The desk's own offer above the limit is refused outright, for anyone.
    d.act(
        Action::Appeal {
            amount: None,
            note: None,
        },
        &sue,
    );
    assert!(d
        .refused(
            Action::Offer {
                amount: dec("90.01"),
                party: Party::Desk,
                note: None
            },
            &sue
        )
        .contains("cannot offer more than the verdict allows (90.00)"));
}

#[test]
fn four_eyes_needs_a_supervisor_other_than_the_proposer() {
    // Approving against a reject verdict.
    let mut d = Desk::new(lcic(json!({"package": {"used_units": 3}})));
    assert_eq!(d.verdict.kind, crate::domain::policy::VerdictKind::Reject);
    let sue = supervisor("sue");
    d.act(Action::Take, &sue);
    let t = d.act(
        Action::Approve {
            amount: Some(dec("50.00")),
            note: None,
        },
        &sue,
    );
    assert_eq!(t.payload["pending"], json!(true));
    assert!(d
        .refused(Action::SignOff { note: None }, &sue)
        .contains("proposer cannot sign off"));
    assert!(d
        .refused(Action::SignOff { note: None }, &agent("al"))
        .contains("only a supervisor"));
    let t = d.act(Action::SignOff { note: None }, &supervisor("sam"));
    assert_eq!((t.action, t.to), ("sign_off", State::Feedback));
    assert!(d.case.pending.is_none());
}

#[test]
fn threshold_and_abuse_flag_need_four_eyes_and_decline_clears_the_proposal() {
    let big = lcic(json!({"payment": {"cash": "12000.00"}}));
    let mut d = Desk::new(big);
    let sue = supervisor("sue");
    d.act(Action::Take, &sue);
    let t = d.act(
        Action::Approve {
            amount: None,
            note: None,
        },
        &sue,
    );
    assert!(t
        .note
        .unwrap()
        .contains("above the approval threshold 10000.00"));
    d.act(
        Action::Decline {
            note: Some("split the payout".into()),
        },
        &supervisor("sam"),
    );
    assert!(d.case.pending.is_none());
    assert_eq!(d.case.state, State::InitialReview);

    let mut flagged = evaluate(&lcic(json!({})), &Policy::builtin(), &[]);
    flagged
        .flags
        .push(crate::domain::policy::Flag::AbuseSuspected);
    let mut d = Desk::with_verdict(lcic(json!({})), Some(flagged));
    d.act(Action::Take, &sue);
    let t = d.act(
        Action::Approve {
            amount: None,
            note: None,
        },
        &sue,
    );
    assert!(t.note.unwrap().contains("abuse_suspected"));
}

#[test]
fn invoice_action_follows_the_local_month_of_execution() {
    let p = Policy::builtin();
    let day = |s: &str| chrono::NaiveDate::from_str(s).unwrap();
    let issued = Some(at("2026-11-30T23:00:00+08:00"));
    assert_eq!(
        apply::invoice_action(issued, day("2026-11-30"), &p),
        InvoiceAction::VoidAndReissue
    );
    assert_eq!(
        apply::invoice_action(issued, day("2026-12-01"), &p),
        InvoiceAction::RedLetter
    );
    // 16:00 UTC on 30 Nov is already 1 Dec in UTC+08:00.
    let issued = Some(at("2026-11-30T16:00:00Z"));
    assert_eq!(
        apply::invoice_action(issued, day("2026-12-01"), &p),
        InvoiceAction::VoidAndReissue
    );
    assert_eq!(
        apply::invoice_action(issued, day("2026-11-30"), &p),
        InvoiceAction::RedLetter
    );
    assert_eq!(
        apply::invoice_action(None, day("2026-11-30"), &p),
        InvoiceAction::NoInvoice
    );
}

#[test]
fn waiting_for_information_pauses_the_clock() {
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    d.act(Action::Take, &a);
    d.act(Action::Evaluate, &a); // evaluation starts Mon 23 Nov: target +5 bd = Mon 30 Nov
    assert_eq!(
        d.case.due(&d.calendar).unwrap().target.to_string(),
        "2026-11-30"
    );
    assert!(d
        .refused(Action::RequestInfo { note: " ".into() }, &a)
        .contains("what is missing"));
    d.act(
        Action::RequestInfo {
            note: "invoice copy".into(),
        },
        &a,
    );
    assert_eq!(d.case.due(&d.calendar), None);
    d.now = at("2026-11-26T10:00:00+08:00"); // Thursday: 3 business days later
    let t = d.act(
        Action::InfoReceived {
            note: None,
            set: Vec::new(),
        },
        &a,
    );
    assert_eq!(t.to, State::Evaluation);
    assert_eq!(d.case.paused_bd, 3);
    let due = d.case.due(&d.calendar).unwrap();
    assert_eq!(due.target.to_string(), "2026-12-03");
    assert_eq!(due.breach.unwrap().to_string(), "2026-12-10");
}

#[test]
fn negotiation_keeps_a_ledger_bounded_by_the_ceiling() {
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    d.walk_to_feedback(Some("50.00"), &a);
    d.act(
        Action::Appeal {
            amount: Some(dec("90.00")),
            note: Some("we want it all".into()),
        },
        &a,
    );
    assert_eq!(d.case.state, State::Negotiation);
    assert!(d
        .refused(
            Action::Offer {
                amount: dec("120.00"),
                party: Party::Desk,
                note: None
            },
            &a
        )
        .contains("cannot offer more"));
    d.act(
        Action::Offer {
            amount: dec("70.00"),
            party: Party::Desk,
            note: None,
        },
        &a,
    );
    d.act(
        Action::Offer {
            amount: dec("80.00"),
            party: Party::Customer,
            note: None,
        },
        &a,
    );
    assert_eq!(d.case.ledger.len(), 3);
    d.act(
        Action::Agree {
            amount: None,
            note: None,
        },
        &a,
    );
    assert_eq!(d.case.agreed, Some(dec("80.00")));
    assert_eq!(d.case.state, State::Execution);
}

#[test]
fn the_appeal_window_is_fifteen_calendar_days() {
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    d.walk_to_feedback(None, &a);
    d.now = at("2026-12-08T23:00:00+08:00"); // day 15
    d.act(
        Action::Appeal {
            amount: None,
            note: None,
        },
        &a,
    );
    let mut d = Desk::new(lcic(json!({})));
    d.walk_to_feedback(None, &a);
    d.now = at("2026-12-09T00:30:00+08:00"); // day 16
    assert!(d
        .refused(
            Action::Appeal {
                amount: None,
                note: None
            },
            &a
        )
        .contains("closed on 2026-12-08"));
}

#[test]
fn withdraw_closes_any_open_ticket() {
    let mut d = Desk::new(lcic(json!({})));
    let t = d.act(
        Action::Withdraw {
            note: Some("customer changed mind".into()),
        },
        &agent("a"),
    );
    assert_eq!((t.from, t.to), (State::Submitted, State::Closed));
}
