//! The customer letter in the console: drafted in the customer's language,
//! wrapped without splitting wide glyphs, scrolled, and copied through the
//! terminal loop (OSC 52) without the model doing any I/O.

mod tui_support;

use refund_desk::tui::app::{Effect, Popup};
use tui_support::*;

/// JA-3001 taken, evaluated and approved with keystrokes alone.
const APPROVE_JA: &str = "<S-Tab>/JA-3001<Enter>teA<Enter>y";

#[test]
fn japanese_approval_letter_80x24_and_120x40() {
    let (_dir, store) = store(EXTRA);
    let mut app = app(store);
    press(&mut app, APPROVE_JA);
    assert_eq!(
        app.detail.as_ref().unwrap().case.state.to_string(),
        "feedback"
    );
    press(&mut app, "m");
    insta::assert_snapshot!("letter_ja_80x24", screen(&mut app, 80, 24));
    insta::assert_snapshot!("letter_ja_120x40", screen(&mut app, 120, 40));
}

#[test]
fn korean_offer_letter_80x24_and_scrolling_at_50x14() {
    let (_dir, mut store) = store(EXTRA);
    negotiation(&mut store);
    let mut app = app(store);
    press(&mut app, "<S-Tab>/LV-9001<Enter>m");
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("8,000.00 USD"),
        "the last desk offer:\n{text}"
    );
    insta::assert_snapshot!("letter_ko_80x24", text);
    // On a small screen the letter scrolls as far as its text and no further.
    draw(&mut app, 50, 14);
    press(&mut app, &"j".repeat(60));
    insta::assert_snapshot!("letter_ko_end_50x14", screen(&mut app, 50, 14));
    let Some(Popup::Letter { scroll, .. }) = app.popups.last().cloned() else {
        panic!("letter closed")
    };
    assert!(scroll > 0 && scroll < 60, "{scroll}");
    press(&mut app, "k");
    let Some(Popup::Letter { scroll: up, .. }) = app.popups.last() else {
        panic!()
    };
    assert_eq!(*up, scroll - 1);
}

#[test]
fn copy_asks_the_loop_for_osc52_and_says_so() {
    let (_dir, store) = store(EXTRA);
    let mut app = app(store);
    press(&mut app, APPROVE_JA);
    press(&mut app, "my");
    let effects = app.take_effects();
    let [Effect::Copy(text)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(text.starts_with("Subject: "), "{text}");
    assert!(text.contains("9,000 JPY"), "{text}");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    let screen = screen(&mut app, 80, 24);
    assert!(
        screen.contains("copied the ja letter for JA-3001 to the clipboard"),
        "{screen}"
    );
    assert!(app.take_effects().is_empty(), "taken once");
    press(&mut app, "<Esc>");
    assert!(app.popups.is_empty());
}

#[test]
fn the_loop_performs_the_copy() {
    use ratatui::crossterm::event::Event;
    use refund_desk::tui::keymap::Key;
    let (_dir, store) = store(EXTRA);
    let mut app = app(store);
    let keys = format!("{APPROVE_JA}my");
    let events = Key::parse_seq(&keys)
        .unwrap()
        .into_iter()
        .map(|k| Event::Key(k.event()))
        .collect();
    let mut io = refund_desk::tui::ScriptIo::new(events);
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    refund_desk::tui::run_loop(&mut term, &mut app, &mut io).unwrap();
    assert!(
        matches!(io.performed.as_slice(), [Effect::Copy(t)] if t.contains("JA-3001")),
        "{:?}",
        io.performed
    );
}

#[test]
fn nothing_to_write_is_a_message() {
    let (_dir, store) = store("");
    let mut app = app(store);
    press(&mut app, "m");
    assert!(app.popups.is_empty());
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("no letter for LC-1001: no decision or offer to write about yet"),
        "{text}"
    );
}

#[test]
fn footer_and_help_show_the_letter_keys() {
    let (_dir, store) = store(EXTRA);
    let mut app = app(store);
    let text = screen(&mut app, 120, 40);
    assert!(
        !text.contains(" m letter "),
        "nothing to write yet:\n{text}"
    );
    press(&mut app, APPROVE_JA);
    let text = screen(&mut app, 120, 40);
    assert!(text.contains(" m letter "), "{text}");
    press(&mut app, "?");
    let help: String = refund_desk::tui::ui::help_lines(&app)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    assert!(help.contains("draft letter to the customer"), "{help}");
    assert!(help.contains("copy to the clipboard (OSC 52)"), "{help}");
}

#[test]
fn wide_glyphs_under_the_popup_never_spill_into_its_border() {
    // LC-1002's Chinese words sit in the detail pane under the letter.
    let (_dir, mut store) = store(EXTRA);
    use refund_desk::domain::workflow::Action as Wf;
    act(&mut store, "LC-1002", Wf::Take);
    act(
        &mut store,
        "LC-1002",
        Wf::Approve {
            amount: None,
            note: None,
        },
    );
    let mut app = app(store);
    press(&mut app, "<S-Tab>/LC-1002<Enter>m");
    assert!(matches!(app.popups.last(), Some(Popup::Letter { .. })));
    let buf = draw(&mut app, 100, 30);
    let (x, _) = find(&buf, "letter to the customer", "┌").unwrap();
    assert!(x > 0);
    for y in 0..30 {
        let w = unicode_width::UnicodeWidthStr::width(buf[(x - 1, y)].symbol());
        assert!(w <= 1, "row {y}: {:?}", buf[(x - 1, y)].symbol());
    }
}

fn letters_sent(store: &refund_desk::desk::Desk, id: &str) -> Vec<serde_json::Value> {
    sent_in(store.detail(id).unwrap())
}

fn sent_in(detail: refund_desk::store::Detail) -> Vec<serde_json::Value> {
    detail
        .events
        .into_iter()
        .filter(|e| e.action == "letter_sent")
        .map(|e| e.payload)
        .collect()
}

#[test]
fn the_letter_on_screen_is_recorded_as_sent_once_with_its_exact_text() {
    let (_dir, store) = store(EXTRA);
    let mut app = app(store);
    press(&mut app, APPROVE_JA);
    press(&mut app, "m");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("s record as sent"), "{text}");
    let Some(Popup::Letter { letter, .. }) = app.popups.last().cloned() else {
        panic!("letter")
    };
    press(&mut app, "s");
    let sent = letters_sent(&app.store, "JA-3001");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["language"], "ja");
    assert_eq!(sent[0]["body"], letter.body.as_str());
    assert_eq!(sent[0]["subject"], letter.subject.as_str());
    insta::assert_snapshot!("letter_ja_sent_80x24", screen(&mut app, 80, 24));
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("✓ recorded as sent by alice at 2026-11-05 10:00"),
        "{text}"
    );
    assert!(!text.contains("s record as sent"), "offered once: {text}");
    // A second press records nothing more.
    press(&mut app, "s");
    assert_eq!(letters_sent(&app.store, "JA-3001").len(), 1);
    // The history under the popup has it.
    press(&mut app, "<Esc>z");
    let text = screen(&mut app, 120, 60);
    assert!(text.contains("alice letter_sent · letter in ja"), "{text}");
}

#[test]
fn a_letter_drafted_before_the_ticket_changed_is_not_recorded() {
    use refund_desk::domain::calendar::Calendar;
    use refund_desk::domain::policy::Policy;
    use refund_desk::domain::workflow::{Action, Role};
    let (_dir, mut store) = store(EXTRA);
    store.set_role("bob", Some(Role::Supervisor)).unwrap();
    let mut bob = refund_desk::store::Store::open(
        &store.path.clone(),
        Policy::builtin(),
        Calendar::builtin_default(),
        "bob",
    )
    .unwrap();
    let mut app = app(store);
    press(&mut app, APPROVE_JA);
    press(&mut app, "m");
    // The customer appeals (bob records it) while the approval letter is open.
    let actor = bob.actor().unwrap();
    let appeal = Action::Appeal {
        amount: None,
        note: Some("wants more".into()),
    };
    bob.act("JA-3001", &appeal, &actor, None, at(NOW)).unwrap();
    press(&mut app, "s");
    assert!(sent_in(bob.detail("JA-3001").unwrap()).is_empty());
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("JA-3001 changed by bob at") && text.contains("not recorded"),
        "{text}"
    );
    assert!(matches!(
        app.popups.last(),
        Some(Popup::Letter { sent: None, .. })
    ));
}
