//! The console as k9s / lazygit / gh-dash users expect it (issue 12): every
//! queue on the tab bar, amounts never cut, search that says where the
//! matches are, pick lists, a real cursor, selection that follows the
//! ticket, the mouse, copying the id.

mod tui_support;

use ratatui::crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::style::Modifier;
use refund_desk::tui::app::{Effect, Popup};
use refund_desk::tui::keymap::Keymap;
use refund_desk::tui::theme::Theme;
use tui_support::*;

/// A live ticket refunded pro rata (13611.87 USD) for a company whose
/// name is fourteen CJK glyphs (28 cells).
const PRO_RATA: &str = r#"{"id":"LV-4903","received_at":"2026-11-04T10:00:00+08:00","product":"live","account":{"id":"400500602","name":"上海云端互动网络科技有限公司"},"package":{"billing":"contract","activated_at":"2026-10-20T00:00:00+08:00","term_days":90,"used_units":5000},"payment":{"currency":"USD","cash":"15706.00"},"contract":{"number":"LS-2026-120","signed_at":"2026-10-15T00:00:00+08:00"},"incident":{"started_at":"2026-11-01T09:00:00+08:00","unresolved_hours":60,"outage_hours":60,"provider_caused":true},"reason":"service_unavailable"}"#;

fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?}:\n{text}"))
}

#[test]
fn every_queue_and_its_count_at_100_columns_and_scroll_markers_when_narrower() {
    let (_dir, store) = store("");
    let mut app = app(store);
    let text = screen(&mut app, 100, 24);
    insta::assert_snapshot!("tabs_100x24", text.clone());
    let bar = text.lines().nth(1).unwrap();
    for (name, n) in [
        ("New", 23),
        ("Mine", 0),
        ("Review", 0),
        ("Eval", 0),
        ("Feedback", 0),
        ("Nego", 0),
        ("Exec", 0),
        ("Pending", 0),
        ("Overdue", 0),
        ("Done", 0),
        ("All", 23),
    ] {
        assert!(bar.contains(&format!("{name} {n}")), "{name}: {bar}");
    }
    assert!(!bar.contains('‹') && !bar.contains('›'), "{bar}");
    // Narrower: the bar says there is more to the right, then to the left.
    let text = screen(&mut app, 80, 24);
    let bar = text.lines().nth(1).unwrap();
    assert!(bar.ends_with('›') && !bar.contains("All"), "{bar}");
    press(&mut app, "<S-Tab>");
    let text = screen(&mut app, 80, 24);
    let bar = text.lines().nth(1).unwrap();
    assert!(bar.starts_with('‹') && bar.contains("All 23"), "{bar}");
    insta::assert_snapshot!("tabs_all_80x24", text);
}

#[test]
fn verdict_amounts_are_never_cut_at_100_columns_or_more() {
    let (_dir, store) = store(PRO_RATA);
    let mut app = app(store);
    press(&mut app, "<S-Tab>/LV-4903<Enter>");
    for w in [100, 120, 160, 200] {
        let text = screen(&mut app, w, 40);
        let row = line_with(&text, "LV-4903 ");
        assert!(row.contains("◐ pro-rata 13,611.87"), "{w}: {row}");
        // The wide name gives way (or not) on cell boundaries.
        assert!(
            unicode_width::UnicodeWidthStr::width(row) <= w as usize,
            "{row}"
        );
    }
    insta::assert_snapshot!("pro_rata_cjk_100x24", screen(&mut app, 100, 24));
}

#[test]
fn search_counts_matches_in_every_queue_and_says_where_they_are() {
    let (_dir, mut store) = store(EXTRA);
    negotiation(&mut store);
    let mut app = app(store);
    // In Incoming, where LV-9001 is not.
    press(&mut app, "/LV-9001<Enter>");
    let text = screen(&mut app, 100, 24);
    insta::assert_snapshot!("search_elsewhere_100x24", text.clone());
    let status = text.lines().nth(22).unwrap();
    assert!(
        status.starts_with(
            "0 tickets match “LV-9001” here · 1 more in other queues: Nego 1, Pending 1"
        ),
        "{status}"
    );
    let bar = text.lines().nth(1).unwrap();
    assert!(bar.contains("Nego 1") && bar.contains("New 0"), "{bar}");
    // Where it is, the count says one ticket, singular.
    press(&mut app, "<Tab><Tab><Tab><Tab><Tab>");
    let text = screen(&mut app, 100, 24);
    assert!(text.contains("1 ticket matches “LV-9001” here"), "{text}");
    assert_eq!(app.selected_id().as_deref(), Some("LV-9001"));
}

/// A narrowing key counts the queue on screen only; the other queues are
/// counted while no key is pressed, one at a time, by the loop.
#[test]
fn narrowing_counts_the_other_queues_in_a_pause() {
    let (_dir, mut store) = store(EXTRA);
    negotiation(&mut store);
    let mut app = app(store);
    press_without_pause(&mut app, "/LV-9001<Enter>");
    assert_eq!(
        app.counts[0],
        Some(0),
        "the queue on screen is counted at once"
    );
    assert!(app.counts_owed());
    assert!(
        app.counts[1..].iter().all(Option::is_none),
        "{:?}",
        app.counts
    );
    // A key before the pause: still owed (the loop counts once keys stop).
    press_without_pause(&mut app, "j");
    assert!(app.counts_owed());
    // Moving to an owed queue counts it there and then.
    press_without_pause(&mut app, "<Tab><Tab><Tab><Tab><Tab>");
    assert_eq!(app.counts[5], Some(1));
    // The loop: the quiet spell after the keys counts the rest.
    let events = std::collections::VecDeque::new();
    let mut io = refund_desk::tui::ScriptIo::new(events);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 24)).unwrap();
    refund_desk::tui::run_loop(&mut t, &mut app, &mut io).unwrap();
    assert!(!app.counts_owed());
    assert_eq!((app.counts[7], app.counts[10]), (Some(1), Some(1)));
    let bar = refund_desk::tui::ui::buffer_text(t.backend().buffer());
    let bar = bar.lines().nth(1).unwrap();
    assert!(bar.contains("Pending 1") && bar.contains("New 0"), "{bar}");
}

#[test]
fn one_ticket_not_one_tickets() {
    let (_dir, store) = store("");
    let mut app = app(store);
    press(&mut app, "<S-Tab>/LC-1001<Enter>");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("1 ticket matches “LC-1001” here"), "{text}");
    assert!(!text.contains("1 tickets"), "{text}");
}

#[test]
fn reject_picks_only_the_clauses_of_the_tickets_product_and_common() {
    let (_dir, store) = store("");
    let mut app = app(store);
    // LC-1005, taken: the reject form, its clause list opened.
    press(&mut app, "<S-Tab>jjtR");
    // Letters typed into a list field go nowhere: no wrong clause can be typed.
    press(&mut app, "TRTC-USED");
    let Some(Popup::Form(f)) = app.popups.last() else {
        panic!("no form")
    };
    assert_eq!(f.fields[0].shown(), "LCIC-NOT-PURCHASED");
    press(&mut app, "<Space>");
    let text = screen(&mut app, 80, 24);
    insta::assert_snapshot!("pick_clauses_80x24", text.clone());
    insta::assert_snapshot!("pick_clauses_120x40", screen(&mut app, 120, 40));
    assert!(text.contains("[x] LCIC-NOT-PURCHASED"), "{text}");
    assert!(text.contains("[ ] COMMON-NOTHING-PAID"), "{text}");
    assert!(!text.contains("TRTC-") && !text.contains("LIVE-"), "{text}");
    // Tick a second clause, done, submit: the confirmation names both.
    press(&mut app, "j<Space><Enter><Enter>");
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("Reject LC-1005 under LCIC-NOT-PURCHASED, LCIC-PAYG?"),
        "{text}"
    );
}

#[test]
fn route_party_and_filters_are_picked_from_lists() {
    let (_dir, mut store) = store("");
    // LC-1001 (lcic) to execution: its payout can only go back the original way.
    use refund_desk::domain::workflow::Action as Wf;
    for a in [
        Wf::Take,
        Wf::Evaluate,
        Wf::Approve {
            amount: None,
            note: None,
        },
        Wf::Accept,
    ] {
        act(&mut store, "LC-1001", a);
    }
    let mut app = app(store);
    press(&mut app, "<S-Tab>/LC-1001<Enter>x<Space>");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("› original"), "{text}");
    assert!(!text.contains("alternate"), "{text}");
    press(&mut app, "<Esc><Esc>");
    // The verdict filter: a list of the kinds, not a cycle.
    press(&mut app, "Fv");
    let text = screen(&mut app, 80, 24);
    insta::assert_snapshot!("pick_verdict_filter_80x24", text.clone());
    assert!(
        text.contains("(any)") && text.contains("needs_info"),
        "{text}"
    );
    press(&mut app, "jjjjj<Enter>");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("verdict=reject"), "{text}");
    assert!(
        app.pager
            .rows
            .iter()
            .all(|r| r.verdict.kind.as_str() == "reject"),
        "{text}"
    );
}

#[test]
fn offer_party_is_a_choice_of_two() {
    let (_dir, mut store) = store(EXTRA);
    negotiation(&mut store);
    // Back to an open negotiation: the desk declines its own proposal.
    act(
        &mut store,
        "LV-9001",
        refund_desk::domain::workflow::Action::Decline { note: None },
    );
    let mut app = app(store);
    press(&mut app, "<S-Tab>/LV-9001<Enter>o<C-u>9000<Tab><Right>");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("( ) desk  (•) customer"), "{text}");
    // An offer commits without a confirmation: the ledger has it.
    press(&mut app, "<Enter>");
    let d = app.store.detail("LV-9001").unwrap();
    let last = d.case.ledger.last().unwrap();
    assert_eq!(last.party.as_str(), "customer");
    assert_eq!(last.amount, Some(dec("9000.00")));
}

#[test]
fn text_fields_have_a_cursor_that_moves_inserts_and_deletes_in_the_middle() {
    let (_dir, store) = store("");
    let mut app = app(store);
    // The withdraw form's note: type, go back, insert, delete under the cursor.
    press(
        &mut app,
        "<S-Tab>Whello world<Home><Right><Right><Right><Right><Right>,<End>!",
    );
    press(&mut app, "<Left><Del>?");
    let Some(Popup::Form(f)) = app.popups.last() else {
        panic!("no form")
    };
    assert_eq!(f.fields[0].shown(), "hello, world?");
    // CJK: the cursor stands on the second glyph, two cells in.
    press(&mut app, "<C-u>退款<Left>X");
    let Some(Popup::Form(f)) = app.popups.last() else {
        panic!("no form")
    };
    assert_eq!(f.fields[0].shown(), "退X款");
    let buf = draw(&mut app, 80, 24);
    let (x, y) = find(&buf, "Note", "退X款").expect("the note field");
    assert_eq!(buf[(x + 3, y)].symbol(), "款");
    assert!(buf[(x + 3, y)].modifier.contains(Modifier::REVERSED));
    assert!(!buf[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn after_take_the_selection_follows_the_ticket_into_its_new_queue() {
    let (_dir, store) = store("");
    let mut app = app(store);
    assert_eq!(app.selected_id().as_deref(), Some("LC-1001"));
    press(&mut app, "t");
    let text = screen(&mut app, 80, 24);
    assert_eq!(app.tab, 2, "Review");
    assert_eq!(app.selected_id().as_deref(), Some("LC-1001"));
    assert!(
        text.contains("LC-1001 take: now initial_review · followed it to Review (from Incoming)"),
        "{text}"
    );
    // The next step on the same ticket is one key away.
    press(&mut app, "e");
    assert_eq!(app.tab, 3, "Evaluation");
    assert_eq!(app.selected_id().as_deref(), Some("LC-1001"));
}

fn as_supervisor(name: &str, store: &mut refund_desk::store::Store) -> refund_desk::store::Store {
    use refund_desk::domain::{calendar::Calendar, policy::Policy, workflow::Role};
    store.set_role(name, Some(Role::Supervisor)).unwrap();
    refund_desk::store::Store::open(
        &store.path.clone(),
        Policy::builtin(),
        Calendar::builtin_default(),
        name,
    )
    .unwrap()
}

#[test]
fn pending_shows_the_proposal_and_offers_sign_off_to_others_withdraw_to_its_proposer() {
    let (_dir, mut store) = store(EXTRA);
    negotiation(&mut store);
    let carol = as_supervisor("carol", &mut store);
    let mut app = app(carol);
    press(&mut app, "<Tab><Tab><Tab><Tab><Tab><Tab><Tab>");
    assert_eq!(app.tab, 7, "Pending");
    let text = screen(&mut app, 80, 24);
    insta::assert_snapshot!("pending_carol_80x24", text.clone());
    insta::assert_snapshot!("pending_carol_120x40", screen(&mut app, 120, 40));
    let row = line_with(&text, "LV-9001 ");
    assert!(
        row.contains("⧗ agree 12,000.00 USD") && row.contains("alice"),
        "{row}"
    );
    assert!(
        !row.contains("nego ≤"),
        "the verdict is not the point here: {row}"
    );
    let footer = text.lines().last().unwrap();
    assert!(
        footer.contains("S sign_off") && footer.contains("D decline"),
        "{footer}"
    );

    // alice proposed it: no sign-off for her, and declining is withdrawing.
    let mut app = app_with(store);
    press(&mut app, "<Tab><Tab><Tab><Tab><Tab><Tab><Tab>");
    let text = screen(&mut app, 120, 40);
    let footer = text.lines().last().unwrap();
    assert!(footer.contains("D withdraw proposal"), "{footer}");
    assert!(
        !footer.contains("sign_off") && !footer.contains("D decline"),
        "{footer}"
    );
    press(&mut app, "a");
    let text = screen(&mut app, 80, 24);
    insta::assert_snapshot!("pending_alice_menu_80x24", text.clone());
    assert!(
        text.contains("withdraw proposal") && !text.contains("sign_off"),
        "{text}"
    );
    press(&mut app, "<Esc>D<Enter>");
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("Withdraw your proposal on LV-9001: agree 12,000.00 USD?"),
        "{text}"
    );
    press(&mut app, "y");
    let d = app.store.detail("LV-9001").unwrap();
    assert!(d.case.pending.is_none());
    let last = d.events.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.operator.as_str()),
        ("decline", "alice")
    );
    // Selection followed it out of Pending, back to Negotiation.
    assert_eq!(app.tab, 5);
    assert_eq!(app.selected_id().as_deref(), Some("LV-9001"));
}

fn app_with(store: refund_desk::store::Store) -> refund_desk::tui::app::App {
    app(store)
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Event {
    Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn a_click_selects_a_tab_or_a_row_and_the_wheel_moves_the_selection() {
    let (_dir, store) = store("");
    let mut app = app(store);
    let buf = draw(&mut app, 100, 24);
    let (x, y) = find(&buf, "All 23", "All 23").unwrap();
    app.handle_event(&mouse(MouseEventKind::Down(MouseButton::Left), x + 1, y));
    assert_eq!(app.tab, 10, "All");
    let buf = draw(&mut app, 100, 24);
    let (_, y) = find(&buf, "LC-1006", "LC-1006").unwrap();
    app.handle_event(&mouse(MouseEventKind::Down(MouseButton::Left), 3, y));
    app.settle();
    assert_eq!(app.selected_id().as_deref(), Some("LC-1006"));
    app.handle_event(&mouse(MouseEventKind::ScrollDown, 3, y));
    app.handle_event(&mouse(MouseEventKind::ScrollDown, 3, y));
    assert_eq!(app.selected_id().as_deref(), Some("LC-1008"));
    app.handle_event(&mouse(MouseEventKind::ScrollUp, 3, y));
    assert_eq!(app.selected_id().as_deref(), Some("LC-1007"));
    // Over the detail pane the wheel scrolls the detail instead.
    app.handle_event(&mouse(MouseEventKind::ScrollDown, 3, 20));
    assert_eq!(app.selected_id().as_deref(), Some("LC-1007"));
    assert_eq!(app.detail_scroll, 3);
}

#[test]
fn y_copies_the_ticket_id_through_the_loop() {
    let (_dir, store) = store("");
    let mut app = app(store);
    let keys = refund_desk::tui::keymap::Key::parse_seq("jY").unwrap();
    let events = keys.into_iter().map(|k| Event::Key(k.event())).collect();
    let mut io = refund_desk::tui::ScriptIo::new(events);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    refund_desk::tui::run_loop(&mut t, &mut app, &mut io).unwrap();
    assert_eq!(io.performed, vec![Effect::Copy("LC-1004".into())]);
    press(&mut app, "Y");
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("copied LC-1004 to the clipboard (OSC 52)"),
        "{text}"
    );
}

#[test]
fn new_keys_are_in_the_footer_and_help_from_the_keymap() {
    let (_dir, store) = store("");
    let km = Keymap::with_overrides(
        "[list]\ncopy_id = \"<F3>\"\n[form]\npick = \"<F2>\"\nleft = \"<C-h>\"\n",
    )
    .unwrap();
    let mut app = refund_desk::tui::app::App::new(store, km, Theme::color(), at(NOW));
    // Wide enough for the footer to reach copy id after the team verbs.
    let text = screen(&mut app, 160, 40);
    assert!(
        text.lines().last().unwrap().contains("<F3> copy id"),
        "{text}"
    );
    press(&mut app, "<S-Tab>jjtR");
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("<F2> pick list"), "{text}");
    press(&mut app, "<Esc>?");
    let help = refund_desk::tui::ui::help_lines(&app)
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    for line in [
        "<F3>",
        "copy the ticket id to the clipboard (OSC 52)",
        "<F2>",
        "pick list of a list field",
        "<C-h>",
        "── Pick lists",
    ] {
        assert!(help.contains(line), "{line}:\n{help}");
    }
}
