//! Changes by another process show up on the next poll, without losing the
//! selection or the scroll position; guard and stale refusals change nothing.

mod tui_support;

use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::domain::workflow::{Action, Role};
use refund_desk::store::Store;
use tui_support::*;

fn second_agent(first: &mut Store) -> Store {
    first.set_role("bob", Some(Role::Agent)).unwrap();
    Store::open(
        &first.path.clone(),
        Policy::builtin(),
        Calendar::builtin_default(),
        "bob",
    )
    .unwrap()
}

#[test]
fn another_agents_change_appears_on_the_next_poll_keeping_selection_and_scroll() {
    let (_dir, mut store) = store("");
    let mut bob = second_agent(&mut store);
    let mut app = app(store);
    press(&mut app, "<S-Tab>jjjjjjjjjj");
    draw(&mut app, 80, 24);
    let selected = app.selected_id().unwrap();
    let top = app.pager.rows[0].id.clone();
    assert_ne!(top, "LC-1001", "scrolled away from the top");
    let review_before = app.counts[2].unwrap();

    assert!(!app.tick(), "nothing changed yet");
    let actor = bob.actor().unwrap();
    bob.act(&selected, &Action::Take, &actor, None, at(NOW))
        .unwrap();
    assert!(app.tick(), "the change mark moved");
    app.settle();

    assert_eq!(app.selected_id().unwrap(), selected);
    assert_eq!(app.pager.rows[0].id, top);
    assert_eq!(app.counts[2].unwrap(), review_before + 1);
    let d = app.detail.as_ref().unwrap();
    assert_eq!(d.case.assignee.as_deref(), Some("bob"));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("assignee bob"), "{text}");
}

#[test]
fn a_stale_action_is_refused_with_who_changed_it() {
    let (_dir, mut store) = store("");
    let mut bob = second_agent(&mut store);
    let mut app = app(store);
    press(&mut app, "<S-Tab>");
    assert_eq!(app.selected_id().as_deref(), Some("LC-1001"));
    // Bob takes LC-1001 before this console has polled.
    let actor = bob.actor().unwrap();
    bob.act("LC-1001", &Action::Take, &actor, None, at(NOW))
        .unwrap();
    press(&mut app, "t");
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("LC-1001 take: ticket changed by bob at") && text.contains("reloaded"),
        "{text}"
    );
    // Reloaded: the detail now shows bob's take, and only it.
    let d = app.detail.as_ref().unwrap();
    assert_eq!(d.case.assignee.as_deref(), Some("bob"));
    assert_eq!(d.events.iter().filter(|e| e.action == "take").count(), 1);
}

#[test]
fn a_guard_refusal_is_a_message_and_nothing_changes() {
    let (_dir, store) = store("");
    let mut app = app(store);
    // Approving more than the verdict allows is fine for a supervisor only
    // as a proposal; an empty reject is refused outright by the form (the
    // deciding clause comes ticked: untick it in the pick list).
    press(&mut app, "<S-Tab>teR<Space><Space><Enter><Enter>");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("pick at least one clause"), "{text}");
    press(&mut app, "<Esc>A<C-u>0<Enter>y");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("the amount must be greater than 0"), "{text}");
    let d = app.detail.as_ref().unwrap();
    assert_eq!(d.case.state.as_str(), "evaluation");
}

#[test]
fn the_loop_polls_and_quits_on_script_end() {
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    use refund_desk::tui::{run_loop, ScriptIo};
    let (_dir, store) = store("");
    let mut app = app(store);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let keys = refund_desk::tui::keymap::Key::parse_seq("jj<S-Tab>").unwrap();
    let events = keys
        .into_iter()
        .map(|k| ratatui::crossterm::event::Event::Key(k.event()))
        .collect();
    run_loop(&mut terminal, &mut app, &mut ScriptIo::new(events)).unwrap();
    assert!(app.quit);
    assert_eq!(app.tab, 10);
    let text = refund_desk::tui::ui::buffer_text(terminal.backend().buffer());
    assert!(text.contains("All 23"), "{text}");
}

#[test]
fn another_agents_lease_is_shown_and_warned_about() {
    let (_dir, mut store) = store("");
    let mut bob = second_agent(&mut store);
    let mut app = app(store);
    press(&mut app, "<S-Tab>");
    bob.claim("LC-1001", at(NOW)).unwrap();
    assert!(app.tick(), "the lease shows up on the next poll");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("bob is working on this ticket"), "{text}");
    // Acting on a ticket someone else holds asks first; Esc changes nothing.
    press(&mut app, "t");
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("bob is working on LC-1001 right now — act anyway?"),
        "{text}"
    );
    press(&mut app, "<Esc>");
    assert_eq!(
        app.detail.as_ref().unwrap().case.state.as_str(),
        "submitted"
    );
    press(&mut app, "t");
    press(&mut app, "y");
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("now initial_review (bob was working on it)"),
        "{text}"
    );
    let d = app.detail.as_ref().unwrap();
    assert_eq!(
        d.case.assignee.as_deref(),
        Some("alice"),
        "advice, not a lock"
    );
    // Our own lease is released once the action is done.
    bob.release("LC-1001").unwrap();
    assert_eq!(bob.held_by_other("LC-1001", at(NOW)).unwrap(), None);
}

#[test]
fn opening_a_form_claims_the_ticket_and_cancelling_releases_it() {
    let (_dir, mut store) = store("");
    let bob = second_agent(&mut store);
    let mut app = app(store);
    press(&mut app, "<S-Tab>teA");
    assert_eq!(
        bob.held_by_other("LC-1001", at(NOW)).unwrap().as_deref(),
        Some("alice")
    );
    press(&mut app, "<Esc>");
    assert_eq!(bob.held_by_other("LC-1001", at(NOW)).unwrap(), None);
}

#[test]
fn overdue_count_matches_the_overdue_filter() {
    let (_dir, mut store) = store("");
    // Move some tickets on, including to terminal states, then compare.
    let actor = store.actor().unwrap();
    for id in ["LC-1001", "LC-1004", "TR-2001"] {
        store.act(id, &Action::Take, &actor, None, at(NOW)).unwrap();
    }
    store
        .act(
            "LC-1004",
            &Action::Withdraw { note: None },
            &actor,
            None,
            at(NOW),
        )
        .unwrap();
    for day in ["2026-11-01", "2026-11-07", "2026-11-12", "2026-12-31"] {
        let f = refund_desk::store::ListFilter {
            overdue_on: Some(day.into()),
            ..Default::default()
        };
        assert_eq!(
            store.overdue_count(day).unwrap(),
            store.count(&f).unwrap(),
            "{day}"
        );
    }
}

/// LV-9001 in negotiation with no offer yet: taken, evaluated, approved at
/// 5000.00 and appealed at 20000.00.
fn negotiating(store: &mut Store) {
    use refund_desk::domain::workflow::Action as Wf;
    let id = "LV-9001";
    act(store, id, Wf::Take);
    act(store, id, Wf::Evaluate);
    act(
        store,
        id,
        Wf::Approve {
            amount: Some(dec("5000.00")),
            note: None,
        },
    );
    act(
        store,
        id,
        Wf::Appeal {
            amount: Some(dec("20000.00")),
            note: None,
        },
    );
}

fn form_value(app: &refund_desk::tui::app::App, key: &str) -> Option<String> {
    match app.popups.last() {
        Some(refund_desk::tui::app::Popup::Form(f)) => {
            f.fields.iter().find(|x| x.key == key).map(|x| x.shown())
        }
        _ => None,
    }
}

fn offers(store: &Store, id: &str) -> Vec<(String, String)> {
    store
        .detail(id)
        .unwrap()
        .case
        .ledger
        .iter()
        .filter(|o| o.kind == "offer")
        .map(|o| {
            (
                o.by.clone(),
                o.amount.map(|a| a.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn an_offer_form_open_across_another_agents_offer_is_refused_keeps_what_was_typed_and_retries() {
    use refund_desk::domain::workflow::Party;
    let (_dir, mut store) = store(EXTRA);
    negotiating(&mut store);
    let mut bob = second_agent(&mut store);
    let mut app = app(store);
    press(
        &mut app,
        "<S-Tab>/LV-9001<Enter>o<C-u>7000.00<Tab><Tab>first try",
    );
    draw(&mut app, 120, 40);

    // Bob's offer lands while the form is open; the console polls it in.
    let actor = bob.actor().unwrap();
    let offer = Action::Offer {
        amount: dec("8000.00"),
        party: Party::Desk,
        note: None,
    };
    bob.act("LV-9001", &offer, &actor, None, at(NOW)).unwrap();
    assert!(app.tick());
    app.settle();
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("⚑ changed by bob at")
            && text.contains("since you opened this form: Enter reloads"),
        "{text}"
    );

    // Submit: refused as stale, nothing of ours committed, the form is back
    // as typed. An Enter typed ahead, before a frame of the reloaded ticket
    // was drawn, does not count as the retry.
    press(&mut app, "<Enter><Enter>");
    assert_eq!(offers(&bob, "LV-9001"), [("bob".into(), "8000.00".into())]);
    assert_eq!(form_value(&app, "amount").as_deref(), Some("7000.00"));
    assert_eq!(form_value(&app, "note").as_deref(), Some("first try"));
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("LV-9001 offer: ticket changed by bob at") && text.contains("— reloaded"),
        "{text}"
    );
    assert!(
        text.contains("⚑ now: bob offer [desk offers 8,000.00 USD]")
            && text.contains("Look at the ticket, then Enter submits what you typed."),
        "the form says what changed: {text}"
    );

    // Seen: the same form now submits at the new version.
    press(&mut app, "<Enter>");
    assert_eq!(
        offers(&bob, "LV-9001"),
        [
            ("bob".into(), "8000.00".into()),
            ("alice".into(), "7000.00".into())
        ]
    );
    assert!(app.popups.is_empty());
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("LV-9001 offer: done (stays in negotiation)"),
        "{text}"
    );
}

/// Another process changes LC-1001's customer text (a version bump that
/// leaves every action possible), as bob.
fn bob_updates_lc_1001(bob: &mut Store) {
    let line = EXAMPLES
        .lines()
        .find(|l| l.contains(r#""id":"LC-1001""#))
        .unwrap()
        .replace(
            "No class has been held yet.",
            "No class was held; please hurry.",
        );
    let opts = refund_desk::store::ImportOptions { update: true };
    bob.import("bob", line.as_bytes(), opts, |r| panic!("{r:?}"), |_| {})
        .unwrap();
}

#[test]
fn a_confirmation_without_a_form_is_judged_at_the_version_it_opened_on() {
    let (_dir, mut store) = store("");
    for a in [
        Action::Take,
        Action::Evaluate,
        Action::Approve {
            amount: None,
            note: None,
        },
    ] {
        act(&mut store, "LC-1001", a);
    }
    let mut bob = second_agent(&mut store);
    let mut app = app(store);
    press(&mut app, "<S-Tab>c");
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("Accept for LC-1001: the customer takes 95.00 USD?"),
        "{text}"
    );
    bob_updates_lc_1001(&mut bob);
    assert!(
        app.tick(),
        "the live refresh loads bob's change under the popup"
    );
    app.settle();

    press(&mut app, "yy");
    assert_eq!(
        bob.detail("LC-1001").unwrap().case.state.as_str(),
        "feedback"
    );
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("LC-1001 accept: ticket changed by bob at") && text.contains("reloaded"),
        "{text}"
    );
    assert!(text.contains("⚑ now: bob update"), "re-opened: {text}");

    press(&mut app, "y");
    let d = bob.detail("LC-1001").unwrap();
    assert_eq!(d.case.state.as_str(), "execution");
    assert_eq!(d.events.iter().filter(|e| e.action == "accept").count(), 1);
}

#[test]
fn a_take_confirmed_over_a_lease_is_refused_if_the_ticket_changed_then_retried() {
    let (_dir, mut store) = store("");
    let mut bob = second_agent(&mut store);
    let mut app = app(store);
    press(&mut app, "<S-Tab>");
    bob.claim("LC-1001", at(NOW)).unwrap();
    assert!(app.tick());
    press(&mut app, "t");
    assert!(screen(&mut app, 80, 24).contains("act anyway?"));
    bob_updates_lc_1001(&mut bob);
    press(&mut app, "y");
    assert_eq!(bob.detail("LC-1001").unwrap().case.assignee, None);
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("LC-1001 take: ticket changed by bob at"),
        "{text}"
    );
    press(&mut app, "y");
    let d = bob.detail("LC-1001").unwrap();
    assert_eq!(d.case.assignee.as_deref(), Some("alice"));
}

#[test]
fn a_confirmation_opened_from_a_form_goes_back_to_the_form_when_stale() {
    let (_dir, mut store) = store("");
    act(&mut store, "LC-1001", Action::Take);
    act(&mut store, "LC-1001", Action::Evaluate);
    let mut bob = second_agent(&mut store);
    let mut app = app(store);
    press(&mut app, "<S-Tab>A<C-u>90.00<Tab>partial<Enter>");
    assert!(screen(&mut app, 80, 24).contains("Approve LC-1001: refund 90.00 USD?"));
    bob_updates_lc_1001(&mut bob);
    assert!(app.tick());
    press(&mut app, "y");
    assert_eq!(bob.detail("LC-1001").unwrap().case.decision, None);
    assert_eq!(form_value(&app, "amount").as_deref(), Some("90.00"));
    assert_eq!(form_value(&app, "note").as_deref(), Some("partial"));
    draw(&mut app, 80, 24);
    press(&mut app, "<Enter>y");
    let d = bob.detail("LC-1001").unwrap();
    assert_eq!(d.case.state.as_str(), "feedback");
    let approve = d.events.iter().find(|e| e.action == "approve").unwrap();
    assert_eq!(approve.payload["amount"], "90.00");
}
