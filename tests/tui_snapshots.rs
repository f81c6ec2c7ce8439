//! Whole screens on TestBackend at 80×24 and 120×40 (insta), with the clock
//! pinned, plus cell styles where colour carries meaning.

mod tui_support;

use ratatui::style::{Color, Modifier};
use refund_desk::tui::theme::Theme;
use tui_support::*;

fn snap(name: &str, keys: &str, w: u16, h: u16) {
    let (_dir, store) = store("");
    let mut app = app(store);
    press(&mut app, keys);
    insta::assert_snapshot!(name, screen(&mut app, w, h));
}

#[test]
fn list_80x24() {
    snap("list_80x24", "", 80, 24);
}

#[test]
fn list_all_queue_120x40() {
    snap("list_all_120x40", "<S-Tab>jj", 120, 40);
}

#[test]
fn detail_zoomed_80x24() {
    snap("detail_zoom_80x24", "<Enter>", 80, 24);
}

#[test]
fn detail_zoomed_chinese_120x40() {
    snap(
        "detail_zoom_zh_120x40",
        "<S-Tab>/LV-4001<Enter><Enter>L",
        120,
        40,
    );
}

#[test]
fn detail_beside_the_list_when_wide() {
    snap("wide_160x40", "<S-Tab>", 160, 40);
}

#[test]
fn action_menu_80x24() {
    snap("menu_80x24", "a", 80, 24);
}

#[test]
fn approve_form_prefilled_80x24() {
    snap("approve_form_80x24", "<S-Tab>te<Down>kA", 80, 24);
}

#[test]
fn reject_form_prefilled_with_deciding_clause_120x40() {
    snap("reject_form_120x40", "<S-Tab>j<Down>tR", 120, 40);
}

#[test]
fn confirm_popup_80x24() {
    snap("confirm_80x24", "<S-Tab>teA<Enter>", 80, 24);
}

#[test]
fn help_80x24_and_120x40() {
    snap("help_80x24", "?", 80, 24);
    snap("help_120x40", "?", 120, 40);
}

#[test]
fn refused_action_shows_a_message_and_changes_nothing() {
    let (_dir, store) = store("");
    let mut app = app(store);
    press(&mut app, "e");
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("evaluate is not possible now: LC-1001 is submitted"),
        "{text}"
    );
    assert_eq!(
        app.detail.as_ref().unwrap().events.len(),
        1,
        "only the import event"
    );
}

#[test]
fn verdict_colours_and_symbols() {
    let (_dir, store) = store("");
    let mut app = app(store);
    let buf = draw(&mut app, 80, 24);
    let (x, y) = find(&buf, "LC-1004", "✘ reject").expect("reject row");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    let (x, y) = find(&buf, "TR-2001", "✔ full 199.00").expect("full refund row");
    assert_eq!(buf[(x, y)].fg, Color::Green);
    let (x, y) = find(&buf, "LC-1008", "? needs info").expect("needs info row");
    assert_eq!(buf[(x, y)].fg, Color::Yellow);
}

#[test]
fn overdue_sla_stands_out() {
    let (_dir, store) = store("");
    // LC-1004: received 11-03, target 11-06, breach 11-10.
    let mut app = app_at(store, "2026-11-09T10:00:00+08:00", Theme::color());
    let buf = draw(&mut app, 80, 24);
    let (x, y) = find(&buf, "LC-1004", "▲ past target 1 bd").expect("past target label");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    let (x, y) = find(&buf, "TR-2002", "due in").expect("a ticket not yet due");
    assert_ne!(buf[(x, y)].fg, Color::Red);

    let (_dir, store) = tui_support::store("");
    let mut app = app_at(store, "2026-11-12T10:00:00+08:00", Theme::color());
    let buf = draw(&mut app, 80, 24);
    let (x, y) = find(&buf, "LC-1004", "✖ breached 2 bd").expect("breached label");
    assert_eq!(buf[(x, y)].bg, Color::Red, "past the breach date");
}

/// Past target and breached differ in words, in symbol and, without
/// colour, in modifiers: never in colour alone (issue 12).
#[test]
fn past_target_and_breached_differ_without_colour() {
    let texts = [
        "2026-11-09T10:00:00+08:00",
        "2026-11-10T10:00:00+08:00",
        "2026-11-12T10:00:00+08:00",
    ]
    .map(|now| {
        let (_dir, store) = store("");
        let mut app = app_at(store, now, Theme::mono());
        let buf = draw(&mut app, 100, 24);
        let text = refund_desk::tui::ui::buffer_text(&buf);
        let line = text
            .lines()
            .find(|l| l.contains("LC-1004"))
            .unwrap()
            .to_string();
        let (x, y) = find(&buf, "LC-1004", "▲")
            .or_else(|| find(&buf, "LC-1004", "✖"))
            .unwrap();
        (line, buf[(x, y)].modifier)
    });
    assert!(texts[0].0.ends_with("▲ past target 1 bd"), "{}", texts[0].0);
    assert!(texts[1].0.ends_with("▲ breaches today"), "{}", texts[1].0);
    assert!(texts[2].0.ends_with("✖ breached 2 bd"), "{}", texts[2].0);
    assert_eq!(texts[0].1, Modifier::BOLD);
    assert_eq!(texts[2].1, Modifier::BOLD | Modifier::UNDERLINED);
}

#[test]
fn no_color_theme_uses_modifiers_only() {
    let (_dir, store) = store("");
    let mut app = app_at(store, "2026-11-09T10:00:00+08:00", Theme::mono());
    let buf = draw(&mut app, 120, 40);
    for cell in buf.content.iter() {
        assert_eq!(cell.fg, Color::Reset, "{cell:?}");
        assert_eq!(cell.bg, Color::Reset, "{cell:?}");
    }
    let (x, y) = find(&buf, "LC-1001", "LC-1001").unwrap();
    assert!(
        buf[(x, y)].modifier.contains(Modifier::REVERSED),
        "selection"
    );
    let (x, y) = find(&buf, "LC-1004", "▲ past target").unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD), "past target");
    let (x, y) = find(&buf, "LC-1004", "✘ reject").unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
}

#[test]
fn negotiation_timeline_with_a_pending_proposal() {
    let (_dir, mut store) = store(EXTRA);
    negotiation(&mut store);
    let mut app = app(store);
    press(&mut app, "<S-Tab>/LV-9001<Enter><Enter>");
    let text = screen(&mut app, 120, 40);
    insta::assert_snapshot!("negotiation_zoom_120x40", text);
    // The proposal is the first thing under the ticket's header line.
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("⧗ AWAITING SIGN-OFF"))
        .unwrap();
    assert!(
        lines[at].contains("agree 12,000.00 USD — proposed by alice"),
        "{text}"
    );
    assert!(at <= 5, "{text}");
    insta::assert_snapshot!("negotiation_80x24", screen(&mut app, 80, 24));
    // Scrolled to the timeline at 80 columns.
    press(&mut app, &"J".repeat(9));
    let text = screen(&mut app, 80, 24);
    insta::assert_snapshot!("negotiation_timeline_80x24", text);
    let buf = draw(&mut app, 80, 24);
    let (x, y) = find(&buf, "AWAITING", "⧗")
        .or_else(|| find(&buf, "appeal", "customer"))
        .unwrap();
    assert_ne!(buf[(x, y)].fg, ratatui::style::Color::Reset);
}

/// A confirmation at 80×24 and 120×40 after `setup` and `keys`, as `op`.
fn confirm_snaps(
    name: &str,
    extra: &str,
    op: Option<&str>,
    setup: fn(&mut refund_desk::store::Store),
    keys: &str,
) -> String {
    let (_dir, mut store) = store(extra);
    setup(&mut store);
    let store = match op {
        None => store,
        Some(who) => {
            use refund_desk::domain::{calendar::Calendar, policy::Policy, workflow::Role};
            store.set_role(who, Some(Role::Agent)).unwrap();
            refund_desk::store::Store::open(
                &store.path.clone(),
                Policy::builtin(),
                Calendar::builtin_default(),
                who,
            )
            .unwrap()
        }
    };
    let mut app = app(store);
    press(&mut app, keys);
    assert!(
        matches!(
            app.popups.last(),
            Some(refund_desk::tui::app::Popup::Confirm(_))
        ),
        "{}",
        screen(&mut app, 120, 40)
    );
    insta::assert_snapshot!(format!("{name}_80x24"), screen(&mut app, 80, 24));
    let wide = screen(&mut app, 120, 40);
    insta::assert_snapshot!(format!("{name}_120x40"), wide.clone());
    wide
}

fn nothing(_: &mut refund_desk::store::Store) {}

fn to_execution(store: &mut refund_desk::store::Store) {
    use refund_desk::domain::workflow::Action as Wf;
    let id = "LC-7001";
    for a in [
        Wf::Take,
        Wf::Evaluate,
        Wf::Approve {
            amount: None,
            note: None,
        },
        Wf::Accept,
    ] {
        act(store, id, a);
    }
}

/// LC-1001's twin, bought and invoiced in October: executed in November,
/// its invoice is reversed with a red-letter invoice.
fn invoiced_in_october() -> String {
    EXAMPLES
        .lines()
        .find(|l| l.contains(r#""id":"LC-1001""#))
        .unwrap()
        .replace("LC-1001", "LC-7001")
        .replace("2026-11-01T09:30:00+08:00", "2026-10-31T09:30:00+08:00")
        .replace(
            r#""currency":"USD","#,
            r#""currency":"USD","invoice_issued_at":"2026-10-31T12:00:00+08:00","#,
        )
}

#[test]
fn confirm_approve_within_the_limit() {
    let text = confirm_snaps("confirm_approve", "", None, nothing, "<S-Tab>teA<Enter>");
    assert!(
        text.contains("Verdict full_refund — limit 95.00 USD"),
        "{text}"
    );
    assert!(text.contains("Then: LC-1001 moves to feedback"), "{text}");
    assert!(!text.contains("proposal"), "{text}");
}

#[test]
fn confirm_approve_over_the_limit_is_a_proposal_with_the_domains_reasons() {
    // An agent approving more than the verdict allows.
    let keys = "<S-Tab>teA<C-u>120.00<Tab>customer insists<Enter>";
    let text = confirm_snaps("confirm_approve_proposal", "", Some("bob"), nothing, keys);
    assert!(
        text.contains("Approve LC-1001: refund 120.00 USD?"),
        "{text}"
    );
    assert!(text.contains("limit 95.00 USD"), "{text}");
    assert!(
        text.contains("This becomes a proposal for a second supervisor because:"),
        "{text}"
    );
    assert!(
        text.contains("LC-1001 waits in evaluation until another supervisor signs it off;"),
        "{text}"
    );
    assert!(text.contains("then it moves to feedback."), "{text}");
    assert!(text.contains("Note: customer insists"), "{text}");
}

#[test]
fn confirm_execute_names_route_and_invoice_action() {
    let extra = invoiced_in_october();
    let keys = "<S-Tab>/LC-7001<Enter>x<Enter>";
    let text = confirm_snaps("confirm_execute", &extra, None, to_execution, keys);
    assert!(
        text.contains("Execute the payout of 95.00 USD for LC-7001?"),
        "{text}"
    );
    assert!(text.contains("Route: original"), "{text}");
    assert!(
        text.contains("Invoice: red_letter — issue a red-letter reversal invoice"),
        "{text}"
    );
}

#[test]
fn confirm_withdraw() {
    let keys = "<S-Tab>Wcustomer found another provider<Enter>";
    let text = confirm_snaps("confirm_withdraw", "", None, nothing, keys);
    assert!(
        text.contains("Withdraw LC-1001: the customer withdrew?"),
        "{text}"
    );
    assert!(
        text.contains("Then: LC-1001 moves to closed (final)"),
        "{text}"
    );
    assert!(
        text.contains("Note: customer found another provider"),
        "{text}"
    );
}

#[test]
fn confirm_sign_off_names_the_proposer_their_reasons_and_the_outcome() {
    use refund_desk::domain::{calendar::Calendar, policy::Policy, workflow::Role};
    let (_dir, mut store) = store(EXTRA);
    negotiation(&mut store);
    store.set_role("carol", Some(Role::Supervisor)).unwrap();
    let carol = refund_desk::store::Store::open(
        &store.path.clone(),
        Policy::builtin(),
        Calendar::builtin_default(),
        "carol",
    )
    .unwrap();
    let mut app = app(carol);
    press(&mut app, "<S-Tab>/LV-9001<Enter>S<Enter>");
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("Sign off alice's proposal on LV-9001: agree 12,000.00 USD?"),
        "{text}"
    );
    assert!(
        text.contains("Proposed by alice because: 12000.00 is above the approval threshold"),
        "{text}"
    );
    assert!(text.contains("Then: LV-9001 moves to execution"), "{text}");
    press(&mut app, "<Esc>D<Enter>");
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("Decline alice's proposal on LV-9001: agree 12,000.00 USD?"),
        "{text}"
    );
    assert!(
        text.contains("Then: LV-9001 stays in negotiation"),
        "{text}"
    );
}
