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
    // as a proposal; an empty reject is refused outright by the form.
    press(&mut app, "<S-Tab>teR<C-u><Enter>");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("name at least one clause"), "{text}");
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
