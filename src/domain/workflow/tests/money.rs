use super::*;

fn live(extra: serde_json::Value) -> Ticket {
    let mut v = json!({
        "id": "LV-1", "received_at": "2026-11-06T10:00:00+08:00", "product": "live",
        "account": {"id": "L1"}, "reason": "changed_mind",
        "package": {"billing": "contract", "term_days": 90, "used_units": 0},
        "contract": {"signed_at": "2026-10-30T16:00:00+08:00"},
        "payment": {"currency": "USD", "cash": "900.00"}
    });
    merge(&mut v, extra);
    Ticket::from_json(&v).unwrap()
}

#[test]
fn alternate_payout_route_is_for_live_only_needs_account_details_and_four_eyes() {
    let mut d = Desk::new(live(json!({})));
    let sue = supervisor("sue");
    d.walk_to_feedback(None, &sue);
    d.act(Action::Accept, &sue);
    assert!(d
        .refused(
            Action::Execute {
                route: Route::Alternate,
                account: None
            },
            &sue
        )
        .contains("--account"));
    let t = d.act(
        Action::Execute {
            route: Route::Alternate,
            account: Some("IBAN DE00 1234".into()),
        },
        &sue,
    );
    assert_eq!(
        t.payload["reasons"],
        json!(["payout to an alternate route"])
    );
    assert!(d.case.execution.is_none() && d.case.pending.is_some());
    assert!(d
        .refused(Action::SignOff { note: None }, &sue)
        .contains("proposer cannot sign off"));
    d.act(Action::SignOff { note: None }, &supervisor("sam"));
    let exec = d.case.execution.as_ref().unwrap();
    assert_eq!(exec.route, Route::Alternate);
    assert_eq!(exec.signed_off_by, vec!["sam".to_string()]);
    assert_eq!(exec.executed_by.as_deref(), Some("sue"));

    // LCIC, TRTC and Chat refunds go back by the original path only.
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    d.walk_to_feedback(None, &a);
    d.act(Action::Accept, &a);
    let why = d.refused(
        Action::Execute {
            route: Route::Alternate,
            account: Some("IBAN DE00 1234".into()),
        },
        &a,
    );
    assert!(why.contains("only for live refunds"), "{why}");
}

#[test]
fn the_threshold_table_needs_a_default_and_currency_codes() {
    let dir = tempfile::tempdir().unwrap();
    let common = crate::domain::policy::config::BUILTIN[0].1;
    let write = |text: String| std::fs::write(dir.path().join("common.toml"), text).unwrap();
    write(common.replace("default = \"10000.00\"\n", ""));
    let e = Policy::load(Some(dir.path())).unwrap_err().to_string();
    assert!(
        e.contains("approval_threshold: a table with a `default`"),
        "{e}"
    );
    write(common.replace("JPY = ", "yen = "));
    let e = Policy::load(Some(dir.path())).unwrap_err().to_string();
    assert!(e.contains("\"yen\" is not an ISO 4217 code"), "{e}");
    write(common.replace("JPY = \"1500000\"", "JPY = \"1.5e6\""));
    let e = Policy::load(Some(dir.path())).unwrap_err().to_string();
    assert!(e.contains("JPY: \"1.5e6\" is not an amount"), "{e}");
}

#[test]
fn the_approval_threshold_is_per_currency() {
    // 15,000 JPY is about 100 USD: an agent approves it alone.
    let yen = |cash: &str| lcic(json!({"payment": {"currency": "JPY", "cash": cash}}));
    let mut d = Desk::new(yen("15000"));
    let a = agent("a");
    d.walk_to_feedback(None, &a);
    assert_eq!(d.case.state, State::Feedback);
    assert!(d.case.pending.is_none());
    // Above 1,500,000 JPY (about 10,000 USD) it needs a second supervisor.
    let mut d = Desk::new(yen("1600000"));
    let t = d.act(Action::Take, &a);
    assert_eq!(t.to, State::InitialReview);
    let t = d.act(
        Action::Approve {
            amount: None,
            note: None,
        },
        &a,
    );
    assert_eq!(
        t.payload["reasons"],
        json!(["1600000.00 is above the approval threshold 1500000.00 JPY"])
    );
    // A currency not listed uses the default.
    let p = Policy::builtin();
    assert_eq!(p.approval_threshold.for_currency("CHF"), dec("10000.00"));
    assert_eq!(p.approval_threshold.for_currency("KRW"), dec("13500000"));
}

#[test]
fn a_rejection_cites_the_tickets_own_product_or_common_clauses() {
    let mut d = Desk::new(live(json!({})));
    let a = agent("a");
    d.act(Action::Take, &a);
    let why = d.refused(
        Action::Reject {
            clauses: vec!["LIVE-EXCL-UNILATERAL".into(), "LCIC-USED".into()],
            note: None,
        },
        &a,
    );
    assert!(why.contains("LCIC-USED is not a live clause"), "{why}");
    d.act(
        Action::Reject {
            clauses: vec!["LIVE-EXCL-UNILATERAL".into(), "COMMON-NOTHING-PAID".into()],
            note: None,
        },
        &a,
    );
    d.act(
        Action::Appeal {
            amount: None,
            note: None,
        },
        &a,
    );
    let why = d.refused(
        Action::Revise {
            decision: Decision::Reject {
                clauses: vec!["TRTC-USED".into()],
            },
            note: None,
        },
        &a,
    );
    assert!(why.contains("TRTC-USED is not a live clause"), "{why}");
}

#[test]
fn an_executed_payout_is_completed_or_returned_never_withdrawn() {
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    d.walk_to_feedback(None, &a);
    d.act(Action::Accept, &a);
    assert!(d
        .refused(Action::PayoutReturned { note: "x".into() }, &a)
        .contains("no executed payout to return"));
    let original = Action::Execute {
        route: Route::Original,
        account: None,
    };
    d.act(original.clone(), &a);
    let why = d.refused(Action::Withdraw { note: None }, &a);
    assert!(why.contains("payout was already executed"), "{why}");
    assert!(d
        .refused(Action::PayoutReturned { note: " ".into() }, &a)
        .contains("why the payout came back"));
    let t = d.act(
        Action::PayoutReturned {
            note: "account closed".into(),
        },
        &a,
    );
    assert_eq!((t.from, t.to), (State::Execution, State::Execution));
    assert!(d.case.execution.is_none());
    assert_eq!(d.case.returned.len(), 1);
    assert_eq!(d.case.returned[0].execution.amount, dec("90.00"));
    d.act(original, &a);
    d.act(
        Action::Complete {
            reference: "PAY-2".into(),
        },
        &a,
    );
    assert_eq!(d.case.state, State::Completed);
}

#[test]
fn execute_checks_the_amount_against_the_verdict_in_force_once_more() {
    // An agreed amount that nobody signed off for the verdict now in force
    // (a desk from before four-eyes held, or a policy applied since): the
    // payout becomes a proposal for a second supervisor.
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    d.case.state = State::Execution;
    d.case.agreed = Some(dec("95.00"));
    let original = Action::Execute {
        route: Route::Original,
        account: None,
    };
    let t = d.act(original.clone(), &a);
    assert_eq!(
        t.payload["reasons"],
        json!(["95.00 is above the verdict's limit 90.00"])
    );
    assert!(d.case.execution.is_none());
    d.act(Action::SignOff { note: None }, &supervisor("sue"));
    let exec = d.case.execution.clone().unwrap();
    assert_eq!(exec.signed_off_by, vec!["sue".to_string()]);

    // Signed off for this very amount and reason: execute goes through.
    let mut d = Desk::new(lcic(json!({})));
    d.act(Action::Take, &a);
    d.act(
        Action::Approve {
            amount: Some(dec("95.00")),
            note: None,
        },
        &a,
    );
    d.act(Action::SignOff { note: None }, &supervisor("sue"));
    d.act(Action::Accept, &a);
    d.act(original.clone(), &a);
    let exec = d.case.execution.clone().unwrap();
    assert_eq!(exec.decided_by.as_deref(), Some("a"));
    assert_eq!(exec.signed_off_by, vec!["sue".to_string()]);
    assert_eq!(
        exec.signed_reasons,
        vec!["95.00 is above the verdict's limit 90.00".to_string()]
    );
}

#[test]
fn a_sign_off_whose_basis_moved_is_refused() {
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    d.act(Action::Take, &a);
    d.act(
        Action::Approve {
            amount: Some(dec("95.00")),
            note: None,
        },
        &a,
    );
    d.verdict.amount = Some(dec("80.00"));
    let why = d.refused(Action::SignOff { note: None }, &supervisor("sue"));
    assert!(why.contains("basis of this proposal changed"), "{why}");
    assert!(why.contains("above the verdict's limit 80.00"), "{why}");
}

use super::standing::{review, Change};

impl Desk {
    /// What a verdict (or facts) change to `verdict` would void now.
    fn review(&self, verdict: &Verdict, change: Change) -> Option<standing::Voided> {
        let today = self.now.with_timezone(&self.policy.tz).date_naive();
        review(
            &self.case,
            &self.ticket,
            (&self.verdict, verdict),
            &self.policy,
            change,
            today,
        )
    }
}

fn full_refund(amount: &str) -> Verdict {
    let mut v = evaluate(&lcic(json!({})), &Policy::builtin(), &[]);
    v.amount = Some(dec(amount));
    v
}

#[test]
fn a_decision_the_new_verdict_no_longer_supports_is_voided() {
    let mut d = Desk::with_verdict(lcic(json!({})), Some(full_refund("500.00")));
    let a = agent("a");
    d.walk_to_feedback(Some("500.00"), &a);
    assert_eq!(d.case.state, State::Feedback);
    // The same verdict, or a higher one: the decision stands.
    assert_eq!(d.review(&full_refund("500.00"), Change::Verdict), None);
    assert_eq!(d.review(&full_refund("600.00"), Change::Verdict), None);
    // Lowered below the approved amount: it would need four-eyes now.
    d.now = at("2026-11-25T10:00:00+08:00");
    let v = d.review(&full_refund("90.00"), Change::Verdict).unwrap();
    assert_eq!(v.case.state, State::Evaluation);
    assert_eq!(
        v.case.stage_start.to_string(),
        "2026-11-25",
        "clock restarted"
    );
    assert_eq!((v.case.decision.clone(), v.case.agreed), (None, None));
    assert_eq!(
        v.payload["decision"],
        json!({"amount": "500.00", "reasons": ["500.00 is above the verdict's limit 90.00"]})
    );
    assert!(v.note.contains("decision 500.00"), "{}", v.note);

    // Accepted (agreed, not yet executed): voided the same way.
    d.act(Action::Accept, &a);
    let v = d.review(&full_refund("90.00"), Change::Verdict).unwrap();
    assert_eq!(v.case.state, State::Evaluation);
    assert!(v.payload["agreed"].is_object());
    // A reject verdict: approving at all would need four-eyes.
    let mut reject = full_refund("90.00");
    reject.kind = crate::domain::policy::VerdictKind::Reject;
    reject.amount = None;
    assert!(d.review(&reject, Change::Verdict).is_some());

    // Executed: the money moved; nothing is voided.
    d.act(
        Action::Execute {
            route: Route::Original,
            account: None,
        },
        &a,
    );
    assert_eq!(d.review(&full_refund("90.00"), Change::Verdict), None);
}

#[test]
fn a_sign_off_under_the_old_verdict_covers_nothing_under_the_new() {
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    d.act(Action::Take, &a);
    d.act(
        Action::Approve {
            amount: Some(dec("95.00")),
            note: None,
        },
        &a,
    );
    d.act(Action::SignOff { note: None }, &supervisor("sue"));
    assert_eq!(d.case.state, State::Feedback);
    // Any change of the verdict: a fresh sign-off is needed.
    let mut flagged = d.verdict.clone();
    flagged.flags.push(crate::domain::policy::Flag::FrozenFunds);
    assert!(d.review(&flagged, Change::Verdict).is_some());
    // The ticket changed but its verdict reads the same: the sign-off still
    // covers exactly what it was given for.
    let same = d.verdict.clone();
    assert_eq!(d.review(&same, Change::Facts), None);
}

#[test]
fn a_pending_proposal_and_a_desk_offer_above_the_new_limit_are_voided() {
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    d.act(Action::Take, &a);
    d.act(
        Action::Approve {
            amount: Some(dec("95.00")),
            note: None,
        },
        &a,
    );
    // A proposal whose basis changed is voided; the ticket stays where it is.
    let v = d.review(&full_refund("200.00"), Change::Verdict).unwrap();
    assert_eq!(v.case.state, State::InitialReview);
    assert!(v.case.pending.is_none());
    assert_eq!(v.payload["proposal"]["proposer"], "a");

    let mut d = Desk::new(lcic(json!({})));
    d.walk_to_feedback(Some("50.00"), &a);
    d.act(
        Action::Appeal {
            amount: None,
            note: None,
        },
        &a,
    );
    d.act(
        Action::Offer {
            amount: dec("80.00"),
            party: Party::Desk,
            note: None,
        },
        &a,
    );
    assert_eq!(d.review(&full_refund("85.00"), Change::Verdict), None);
    let v = d.review(&full_refund("70.00"), Change::Verdict).unwrap();
    assert_eq!(v.case.state, State::Evaluation);
    assert_eq!(v.payload["desk_offer"]["amount"], "80.00");
    assert!(v.case.ledger.is_empty());
    // The same figures in another currency are other amounts.
    let mut yen = full_refund("90.00");
    yen.currency = "JPY".into();
    let v = d.review(&yen, Change::Verdict).unwrap();
    assert_eq!(
        v.payload["decision"]["reasons"],
        json!(["the currency changed from USD to JPY"])
    );
}
