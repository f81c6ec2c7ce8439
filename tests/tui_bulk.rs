//! Bulk work in the console: marks (Space, Shift-arrows, Ctrl-Space,
//! Ctrl-a, Esc), one action on every marked ticket with a grouped preview,
//! each ticket its own transaction at the version the confirmation judged,
//! and a summary of what became of each. Two stores on one desk file play
//! the second agent.

mod tui_support;

use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::domain::workflow::{Action, Decision, Role};
use refund_desk::store::Store;
use tui_support::*;

fn open_as(first: &mut Store, name: &str, role: Role) -> Store {
    first.set_role(name, Some(role)).unwrap();
    Store::open(
        &first.path.clone(),
        Policy::builtin(),
        Calendar::builtin_default(),
        name,
    )
    .unwrap()
}

fn state(store: &refund_desk::desk::Desk, id: &str) -> String {
    store.detail(id).unwrap().case.state.to_string()
}

/// The examples as the All queue lists them, first rows: LC-1001, LC-1004,
/// LC-1005, LC-1006, LC-1007, LC-1008, TR-2001, TR-2002, …
const FIVE: [&str; 5] = ["LC-1004", "LC-1005", "LC-1006", "LC-1007", "TR-2002"];

#[test]
fn bulk_reject_of_five_one_stale_one_not_possible_each_its_own_transaction() {
    let (_dir, mut store) = store("");
    let mut bob = open_as(&mut store, "bob", Role::Agent);
    // Four duplicates taken into review; TR-2002 still submitted, where
    // no rejection is possible.
    for id in &FIVE[..4] {
        act(&mut store, id, Action::Take);
    }
    let mut app = app(store);
    press(&mut app, "<S-Tab>j<Space><Space><Space><Space>jj<Space>");
    assert_eq!(app.marks.ids(), FIVE);
    assert!(screen(&mut app, 80, 24).contains("✓ 5 marked"));

    // R on the marks: one form for all five. Clauses are those valid for
    // every ticket that can take it (LCIC and COMMON), nothing pre-ticked
    // since their deciding clauses differ.
    press(&mut app, "R");
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("reject 5 marked tickets"), "{text}");
    assert!(text.contains("(none ticked)"), "{text}");
    press(&mut app, "<Space>");
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("COMMON-NOTHING-PAID") && text.contains("LCIC-USED"));
    assert!(!text.contains("] TRTC-"), "{text}");
    press(&mut app, "<Space><Enter><Tab>duplicate of LC-1001<Enter>");
    let text = screen(&mut app, 100, 30);
    for line in [
        "reject on 5 marked tickets?",
        "Clauses: COMMON-NOTHING-PAID",
        "Note: duplicate of LC-1001",
        "• 4 will move to feedback: LC-1004, LC-1005, LC-1006, LC-1007",
        "• 1 is not possible now (state submitted): TR-2002",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }

    // Between the confirmation and the yes, bob changes LC-1006.
    let actor = bob.actor().unwrap();
    bob.act(
        "LC-1006",
        &Action::RequestInfo {
            note: "which order is this?".into(),
        },
        &actor,
        None,
        at(NOW),
    )
    .unwrap();
    press(&mut app, "y");
    let text = screen(&mut app, 100, 30);
    for line in [
        "reject on 5 marked tickets",
        "3 done · 1 stale · 1 not attempted",
        "✓ LC-1004  done: now feedback",
        "✓ LC-1005  done: now feedback",
        "✗ LC-1006  stale: changed by bob at 2026-11-05 10:00:00 after the",
        "✓ LC-1007  done: now feedback",
        "– TR-2002  not attempted: not possible now (state submitted)",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    insta::assert_snapshot!("bulk_summary_100x30", text);

    let store = &app.store;
    for id in ["LC-1004", "LC-1005", "LC-1007"] {
        let d = store.detail(id).unwrap();
        assert_eq!(d.case.state.as_str(), "feedback", "{id}");
        assert_eq!(
            d.case.decision,
            Some(Decision::Reject {
                clauses: vec!["COMMON-NOTHING-PAID".into()]
            })
        );
        let rejects: Vec<_> = d.events.iter().filter(|e| e.action == "reject").collect();
        assert_eq!(rejects.len(), 1, "{id}: one transaction, one event");
        assert_eq!(rejects[0].note.as_deref(), Some("duplicate of LC-1001"));
    }
    // The stale one is as bob left it; the impossible one untouched.
    assert_eq!(state(store, "LC-1006"), "awaiting_info");
    assert!(!store
        .detail("LC-1006")
        .unwrap()
        .events
        .iter()
        .any(|e| e.action == "reject"));
    assert_eq!(state(store, "TR-2002"), "submitted");
    // All shows every ticket: all five stay marked for the next step.
    assert_eq!(app.marks.ids(), FIVE);
    press(&mut app, "<Esc>");
    assert!(app.popups.is_empty());
    press(&mut app, "<Esc>");
    assert!(app.marks.is_empty());
}

#[test]
fn bulk_approve_groups_what_goes_through_and_what_becomes_a_proposal() {
    let (_dir, mut store) = store("");
    let mut bob = open_as(&mut store, "bob", Role::Agent);
    // bob, an agent, on two full refunds and two rejects in evaluation.
    let actor = bob.actor().unwrap();
    for id in ["LC-1001", "TR-2001", "LC-1004", "LC-1005"] {
        for a in [Action::Take, Action::Evaluate] {
            bob.act(id, &a, &actor, None, at(NOW)).unwrap();
        }
    }
    drop(store);
    let mut app = app(bob);
    // Evaluation is the fourth queue; Ctrl-a marks all of it.
    press(&mut app, "lll<C-a>");
    assert_eq!(app.marks.len(), 4);
    assert!(screen(&mut app, 80, 24).contains("marked all 4 tickets in this view"));
    // Their verdict amounts differ: the amount is typed once for all.
    press(&mut app, "A");
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("differs per ticket: one value for all"),
        "{text}"
    );
    press(&mut app, "90.00<Enter>");
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("approve on 4 marked tickets?"), "{text}");
    assert!(
        text.contains("• 2 will move to feedback: LC-1001, TR-2001"),
        "{text}"
    );
    // Grouped by what the domain says: here each has its own limit.
    assert_eq!(
        text.matches("• 1 becomes a proposal for a second supervisor because approving against")
            .count(),
        2,
        "{text}"
    );
    assert!(
        text.contains("a reject verdict; 90.00 is above the verdict's limit 80.00: LC-1004"),
        "{text}"
    );
    assert!(
        text.contains("a reject verdict; 90.00 is above the verdict's limit 0.00: LC-1005"),
        "{text}"
    );
    press(&mut app, "y");
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("2 done · 2 proposed"), "{text}");
    assert!(
        text.contains("⧗ LC-1004  proposal: waits for a second supervisor's sign-off"),
        "{text}"
    );
    let s = &app.store;
    assert_eq!(state(s, "LC-1001"), "feedback");
    assert_eq!(state(s, "TR-2001"), "feedback");
    for id in ["LC-1004", "LC-1005"] {
        let d = s.detail(id).unwrap();
        assert_eq!(d.case.state.as_str(), "evaluation", "{id} waits, unchanged");
        assert_eq!(d.case.pending.as_ref().unwrap().proposer, "bob");
    }
}

#[test]
fn marks_render_as_a_glyph_and_a_count() {
    let (_dir, store) = store("");
    let mut app = app(store);
    press(&mut app, "<S-Tab><Space>j<Space><S-Down>");
    assert_eq!(
        app.marks.ids(),
        ["LC-1001", "LC-1005", "LC-1006", "LC-1007"]
    );
    let text = screen(&mut app, 80, 24);
    insta::assert_snapshot!("marks_80x24", text.clone());
    assert!(text.contains("✓ 4 marked · 23 tickets"), "{text}");
    assert!(text.contains("a actions on 4 marked"), "{text}");
    assert!(text.contains("<Esc> clear marks"), "{text}");
    // The same in monochrome: the mark is a glyph, not a colour.
    let (_dir2, store2) = tui_support::store("");
    let mut mono = app_at(store2, NOW, refund_desk::tui::theme::Theme::mono());
    press(&mut mono, "<S-Tab><Space>");
    let text = screen(&mut mono, 80, 24);
    assert!(text.lines().any(|l| l.starts_with("✓ LC-1001")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("  LC-1004")), "{text}");
    // The menu on the marks says on how many each action applies.
    press(&mut app, "a");
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("actions on 4 marked tickets"), "{text}");
    assert!(text.contains("4 of 4: take the ticket"), "{text}");
}

#[test]
fn marks_survive_paging_and_live_refresh_and_drop_when_their_ticket_leaves_the_view() {
    let (_dir, mut store) = store("");
    let mut bob = open_as(&mut store, "bob", Role::Agent);
    let mut app = app(store);
    draw(&mut app, 80, 24);
    // Incoming: LC-1001 and LC-1004 marked, then a page away and back.
    press(&mut app, "<Space><Space><PgDn><PgDn>");
    assert!(!app.pager.rows.iter().any(|r| r.id == "LC-1001"));
    assert_eq!(app.marks.len(), 2);
    press(&mut app, "g");
    let text = screen(&mut app, 80, 24);
    assert!(text.lines().any(|l| l.starts_with("✓ LC-1001")), "{text}");

    // Another agent's change to an unmarked ticket: a refresh, marks kept.
    let actor = bob.actor().unwrap();
    bob.act("TR-2001", &Action::Take, &actor, None, at(NOW))
        .unwrap();
    assert!(app.tick());
    assert_eq!(app.marks.ids(), ["LC-1001", "LC-1004"]);
    // bob takes LC-1004: it leaves Incoming, and its mark goes with it.
    bob.act("LC-1004", &Action::Take, &actor, None, at(NOW))
        .unwrap();
    assert!(app.tick());
    assert_eq!(app.marks.ids(), ["LC-1001"]);
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("unmarked 1 ticket no longer in this view: LC-1004"),
        "{text}"
    );

    // Another queue keeps the marks of tickets it shows (All shows every
    // one), drops the others (Review shows none of them).
    press(&mut app, "<S-Tab>");
    assert_eq!(app.marks.ids(), ["LC-1001"]);
    press(&mut app, "<Tab><Tab><Tab>");
    assert!(app.marks.is_empty());
}

#[test]
fn a_range_reaches_across_pages_and_a_verb_without_a_form_goes_straight_to_the_confirmation() {
    let (_dir, store) = store("");
    let mut app = app(store);
    draw(&mut app, 80, 24);
    // Ctrl-Space without a mark to start from says what to do.
    press(&mut app, "<C-Space>");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("mark a ticket with Space first"), "{text}");
    // From LC-1001 (first page) to the last ticket of Incoming.
    press(&mut app, "<Space>k<End><C-Space>");
    assert_eq!(app.marks.len(), 23, "{:?}", app.marks.ids());
    // And back up from the bottom: the same, nothing twice.
    press(&mut app, "<Esc><End>");
    let last = app.selected_id().unwrap();
    press(&mut app, "<Space>g<C-Space>");
    assert_eq!(app.marks.len(), 23);
    assert_eq!(app.marks.ids()[0], last);

    // Take needs nothing typed: the confirmation comes at once.
    press(&mut app, "<Esc>g<Space><Space><Space>t");
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("take on 3 marked tickets?"), "{text}");
    assert!(
        text.contains("• 3 will move to initial_review: LC-1001, LC-1004, LC-1005"),
        "{text}"
    );
    press(&mut app, "n");
    assert_eq!(state(&app.store, "LC-1001"), "submitted");
    assert!(screen(&mut app, 80, 24).contains("cancelled; nothing changed"));
    press(&mut app, "t<Enter>");
    for id in ["LC-1001", "LC-1004", "LC-1005"] {
        assert_eq!(state(&app.store, id), "initial_review", "{id}");
    }
    // They left Incoming: no mark is left behind on a ticket out of view.
    assert!(app.marks.is_empty());
}
