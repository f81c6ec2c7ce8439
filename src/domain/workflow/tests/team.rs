use super::*;

#[test]
fn a_supervisor_assigns_any_ticket_an_agent_hands_off_only_their_own() {
    let mut d = Desk::new(lcic(json!({})));
    let (ann, ben, sue) = (agent("ann"), agent("ben"), supervisor("sue"));
    let assign = |to: &str| Action::Assign {
        to: to.into(),
        note: None,
    };
    // Unassigned and submitted: a supervisor may share it out, state unchanged.
    let t = d.act(assign("ann"), &sue);
    assert_eq!(
        (t.from, t.to, t.action),
        (State::Submitted, State::Submitted, "assign")
    );
    assert_eq!(d.case.assignee.as_deref(), Some("ann"));
    assert_eq!(t.payload["previous_assignee"], serde_json::Value::Null);
    d.act(Action::Take, &ann);
    d.act(Action::Evaluate, &ann);
    assert!(d
        .refused(assign("ann"), &ben)
        .contains("hands off only their own tickets: it is assigned to ann"));
    assert!(d
        .refused(assign("ann"), &ann)
        .contains("already assigned to ann"));
    assert!(d.refused(assign("  "), &ann).contains("--to"));
    let t = d.act(
        Action::Assign {
            to: "ben".into(),
            note: Some("on leave from Monday".into()),
        },
        &ann,
    );
    assert_eq!((t.from, t.to), (State::Evaluation, State::Evaluation));
    assert_eq!(t.note.as_deref(), Some("on leave from Monday"));
    assert_eq!(t.payload["assignee"], "ben");
    assert_eq!(t.payload["previous_assignee"], "ann");
    assert_eq!(d.case.assignee.as_deref(), Some("ben"));
    // Now ann holds nothing here.
    assert!(d.refused(assign("ann"), &ann).contains("assigned to ben"));
    // A finished ticket is handed to nobody.
    d.act(Action::Withdraw { note: None }, &ben);
    assert!(d
        .refused(assign("sue"), &sue)
        .contains("assign is not possible in state closed"));
}

#[test]
fn a_note_changes_nothing_in_any_state_and_leaves_a_waiting_proposal_waiting() {
    let mut d = Desk::new(lcic(json!({})));
    let (ann, sue) = (agent("ann"), supervisor("sue"));
    let note = |n: &str| Action::Note { note: n.into() };
    assert!(d.refused(note(" "), &ann).contains("--note"));
    d.act(Action::Take, &ann);
    // Over the verdict's limit: a proposal waits for a second supervisor.
    d.act(
        Action::Approve {
            amount: Some(dec("500.00")),
            note: None,
        },
        &ann,
    );
    assert!(d.case.pending.is_some());
    let before = d.case.clone();
    let t = d.act(note("customer phoned, asks for news"), &ann);
    assert_eq!(
        d.case, before,
        "a note moves nothing, the proposal still waits"
    );
    assert_eq!(
        (t.action, t.from, t.to),
        ("note", State::InitialReview, State::InitialReview)
    );
    assert_eq!(t.note.as_deref(), Some("customer phoned, asks for news"));
    // A hand-off keeps the proposal too.
    d.act(
        Action::Assign {
            to: "ben".into(),
            note: None,
        },
        &sue,
    );
    assert!(d.case.pending.is_some());
    d.act(Action::Decline { note: None }, &sue);
    d.act(Action::Withdraw { note: None }, &sue);
    let t = d.act(note("closed after the call"), &sue);
    assert_eq!((t.from, t.to), (State::Closed, State::Closed));
}

#[test]
fn info_received_with_facts_resumes_like_without_the_facts_being_the_stores() {
    let mut d = Desk::new(lcic(json!({})));
    let a = agent("a");
    d.act(Action::Take, &a);
    d.act(
        Action::RequestInfo {
            note: "purchase date".into(),
        },
        &a,
    );
    let t = d.act(
        Action::InfoReceived {
            note: None,
            set: vec![SetFact {
                field: "package.purchased_at".into(),
                value: "2026-11-02T10:00:00+08:00".into(),
            }],
        },
        &a,
    );
    assert_eq!(t.to, State::InitialReview);
    assert_eq!(t.action, "info_received");
}

#[test]
fn each_kind_is_valid_from_exactly_its_states() {
    use ActionKind as K;
    let mut case = Case::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 3).unwrap());
    let valid = |case: &Case| -> Vec<ActionKind> {
        ActionKind::ALL
            .into_iter()
            .filter(|k| k.valid_from(case))
            .collect()
    };
    assert_eq!(valid(&case), [K::Take, K::Withdraw, K::Assign, K::Note]);
    case.state = State::Closed;
    assert_eq!(valid(&case), [K::Note]);
    case.state = State::Feedback;
    case.decision = Some(Decision::Reject {
        clauses: vec!["LCIC-USED".into()],
    });
    assert_eq!(
        valid(&case),
        [K::Appeal, K::Close, K::Withdraw, K::Assign, K::Note]
    );
}
