//! A desk a team works in (issue 12), in the console: hand-offs picked from
//! the people on the desk (an agent hands off only their own tickets, as the
//! domain says), internal notes, facts received typed into a form that asks
//! exactly what the verdict is missing, and the history read as `show`
//! reads it. A second store on the same desk file plays the second person.

mod tui_support;

use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::domain::workflow::{Action, Role};
use refund_desk::store::Store;
use refund_desk::tui::app::{App, Popup};
use refund_desk::tui::form::Value;
use refund_desk::tui::theme::Theme;
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

fn footer(text: &str) -> &str {
    text.lines().last().unwrap()
}

/// The selected ticket's whole detail, history included: zoomed, tall.
fn whole_detail(app: &mut App) -> String {
    press(app, "z");
    let text = screen(app, 200, 100);
    press(app, "z");
    text
}

/// The choices of the form's field `key` and the one chosen.
fn choices(app: &App, key: &str) -> (Vec<String>, String) {
    let Some(Popup::Form(f)) = app.popups.last() else {
        panic!("no form: {:?}", app.popups.last())
    };
    let field = f.fields.iter().find(|x| x.key == key).unwrap();
    let Value::One { options, .. } = &field.value else {
        panic!("{key} is not a pick list: {field:?}")
    };
    (
        options.iter().map(|o| o.value.clone()).collect(),
        field.shown(),
    )
}

#[test]
fn assign_picks_from_the_people_on_the_desk_and_an_agent_hands_off_only_their_own() {
    let (_dir, mut store) = store("");
    let bob = open_as(&mut store, "bob", Role::Agent);
    store.set_role("carol", Some(Role::Supervisor)).unwrap();
    let mut app = app(store);
    // LC-1001, unassigned: a supervisor may hand it to anyone with a role.
    let text = screen(&mut app, 120, 40);
    assert!(footer(&text).contains(" H assign "), "{}", footer(&text));
    press(&mut app, "H");
    assert_eq!(
        choices(&app, "to").0,
        ["alice", "bob", "carol"],
        "everyone with a role, by name"
    );
    // Letters typed go nowhere: no name that is not on the desk can be entered.
    press(&mut app, "zed<Right>");
    assert_eq!(choices(&app, "to").1, "bob");
    press(&mut app, "<Tab>yours now");
    insta::assert_snapshot!("assign_form_80x24", screen(&mut app, 80, 24));
    press(&mut app, "<Enter>");
    let d = app.store.detail("LC-1001").unwrap();
    assert_eq!(d.case.assignee.as_deref(), Some("bob"));
    assert_eq!(
        d.case.state.to_string(),
        "submitted",
        "a hand-off moves nothing"
    );
    let text = whole_detail(&mut app);
    assert!(
        text.contains("alice assign · to bob (from nobody) “yours now”"),
        "the history says who to whom:\n{text}"
    );

    // Bob, an agent: his own ticket he may pass on (not to himself)…
    let mut bob = App::new(
        bob,
        refund_desk::tui::keymap::Keymap::default(),
        Theme::color(),
        at(NOW),
    );
    let text = screen(&mut bob, 120, 40);
    assert_eq!(bob.selected_id().as_deref(), Some("LC-1001"));
    assert!(footer(&text).contains(" H assign "), "{}", footer(&text));
    press(&mut bob, "H");
    assert_eq!(choices(&bob, "to").0, ["alice", "carol"]);
    press(&mut bob, "<Esc>");
    // …someone else's he is not offered, and the key says why, in the domain's words.
    press(&mut bob, "j");
    assert_eq!(bob.selected_id().as_deref(), Some("LC-1004"));
    let text = screen(&mut bob, 120, 40);
    assert!(!footer(&text).contains("assign"), "{}", footer(&text));
    press(&mut bob, "a");
    let Some(Popup::Menu { items, .. }) = bob.popups.last() else {
        panic!("menu")
    };
    assert!(!items.iter().any(|v| v.name() == "assign"), "{items:?}");
    press(&mut bob, "<Esc>H");
    assert!(bob.popups.is_empty(), "no form to fill in for nothing");
    let text = screen(&mut bob, 120, 40);
    assert!(
        text.contains("LC-1004 assign: an agent hands off only their own tickets"),
        "{text}"
    );
}

#[test]
fn a_note_is_required_stays_in_its_state_and_shows_in_the_history() {
    let (_dir, store) = store("");
    let mut app = app(store);
    let text = screen(&mut app, 120, 40);
    assert!(footer(&text).contains(" n note "), "{}", footer(&text));
    press(&mut app, "n<Enter>");
    let Some(Popup::Form(f)) = app.popups.last() else {
        panic!("the form stays")
    };
    assert_eq!(f.error.as_deref(), Some("write the note"));
    press(&mut app, "customer called, wants it by Friday<Enter>");
    assert!(app.popups.is_empty(), "{:?}", app.popups);
    let d = app.detail.clone().unwrap();
    assert_eq!(d.ticket.id, "LC-1001");
    assert_eq!(d.case.state.to_string(), "submitted");
    let last = d.events.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.note.as_deref()),
        ("note", Some("customer called, wants it by Friday"))
    );
    let text = whole_detail(&mut app);
    assert!(
        text.contains("alice note “customer called, wants it by Friday”"),
        "{text}"
    );
}

/// LC-1008 (needs_info: the purchase date is missing) taken and asked for it.
fn awaiting_purchase_date() -> (tempfile::TempDir, App) {
    let (dir, mut store) = store("");
    act(&mut store, "LC-1008", Action::Take);
    act(
        &mut store,
        "LC-1008",
        Action::RequestInfo {
            note: "when did you buy it?".into(),
        },
    );
    let mut app = app(store);
    press(&mut app, "<S-Tab>/LC-1008<Enter>");
    assert_eq!(app.selected_id().as_deref(), Some("LC-1008"));
    (dir, app)
}

#[test]
fn info_received_asks_in_plain_words_for_exactly_what_is_missing_and_the_verdict_follows() {
    let (_dir, mut app) = awaiting_purchase_date();
    let before = app.detail.clone().unwrap();
    assert_eq!(before.verdict.missing, ["package.purchased_at"]);
    press(&mut app, "I");
    let Some(Popup::Form(f)) = app.popups.last() else {
        panic!("form")
    };
    let keys: Vec<&str> = f.fields.iter().map(|x| x.key).collect();
    assert_eq!(keys, ["package.purchased_at", "note"]);
    // The words the customer's letter asked for it in, not the field's name.
    assert_eq!(f.fields[0].label, "the date you purchased the package");

    // A value that is no date is refused by the domain; the form stays as typed.
    press(&mut app, "last week<Tab>on the phone<Enter>");
    let Some(Popup::Form(f)) = app.popups.last() else {
        panic!("the form stays after a refusal")
    };
    assert_eq!(f.fields[0].shown(), "last week");
    assert_eq!(f.fields[1].shown(), "on the phone");
    let why = f.error.clone().unwrap();
    assert!(why.contains("purchased_at"), "{why}");
    insta::assert_snapshot!("info_received_refused_80x24", screen(&mut app, 80, 24));
    let d = app.store.detail("LC-1008").unwrap();
    assert_eq!(d.case.state.to_string(), "awaiting_info", "nothing changed");

    press(&mut app, "<S-Tab><C-u>2026-11-02T09:00:00+08:00<Enter>");
    assert!(app.popups.is_empty(), "{:?}", app.popups);
    let d = app.detail.clone().unwrap();
    assert_eq!(d.case.state.to_string(), "initial_review");
    assert_eq!(d.verdict.kind.to_string(), "full_refund", "recomputed");
    assert!(d.verdict.missing.is_empty());
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("✔ full_refund"), "the verdict shown:\n{text}");
    assert!(!text.contains("? needs_info"), "{text}");
    insta::assert_snapshot!("info_received_done_120x40", text);
    // The history says what arrived, before → after, and that the clock ran again.
    let text = whole_detail(&mut app);
    assert!(
        text.contains(
            "alice info_received awaiting_info → initial_review · package.purchased_at: (absent) → \
             2026-11-02T09:00:00+08:00"
        ),
        "{text}"
    );
}

#[test]
fn the_history_reads_amounts_parties_and_references_as_show_does() {
    let (_dir, mut store) = store(EXTRA);
    negotiation(&mut store);
    let mut app = app(store);
    press(&mut app, "<S-Tab>/LV-9001<Enter>");
    let text = whole_detail(&mut app);
    for line in [
        "alice approve evaluation → feedback · 5,000.00 USD “gap confirmed for 10 days”",
        "alice appeal feedback → negotiation · customer asks 20,000.00 USD",
        "alice offer · desk offers 8,000.00 USD “two weeks of the term”",
        "alice offer · customer offers 15,000.00 USD",
        "alice agree · proposed: agree 12,000.00 USD; needs a second supervisor:",
    ] {
        assert!(text.contains(line), "{line}:\n{text}");
    }
    assert!(!text.contains("amount="), "no raw payload keys:\n{text}");
}

#[test]
fn a_request_for_information_starts_empty_and_its_letter_names_no_raw_field() {
    let (_dir, mut store) = store(EXTRA);
    // A Japanese ticket missing its purchase date.
    store
        .import(
            "ja",
            br#"{"id":"JA-5001","received_at":"2026-11-04T10:00:00+08:00","product":"lcic","account":{"id":"300400777"},"package":{"billing":"monthly","used_units":0},"payment":{"currency":"JPY","cash":"9000.00"},"reason":"unused","contact":{"language":"ja"}}"#
                .as_slice(),
            refund_desk::store::ImportOptions::default(),
            |r| panic!("{r:?}"),
            |_| {},
        )
        .unwrap();
    act(&mut store, "JA-5001", Action::Take);
    let mut app = app(store);
    press(&mut app, "<S-Tab>/JA-5001<Enter>i");
    let Some(Popup::Form(f)) = app.popups.last() else {
        panic!("form")
    };
    assert_eq!(f.fields[0].shown(), "", "nothing pre-filled");
    assert_eq!(
        f.fields[0].hint,
        "for the customer (ja); the letter lists the facts"
    );
    press(&mut app, "<Enter>");
    assert!(
        matches!(app.popups.last(), Some(Popup::Form(_))),
        "required"
    );
    press(&mut app, "レシートの日付で結構です。<Enter>m");
    let Some(Popup::Letter { letter, .. }) = app.popups.last() else {
        panic!("letter: {:?}", app.message)
    };
    assert!(
        letter.body.contains("- パッケージのご購入日"),
        "{}",
        letter.body
    );
    assert!(
        letter
            .body
            .contains("担当者からの補足：レシートの日付で結構です。"),
        "{}",
        letter.body
    );
    assert!(!letter.body.contains("package."), "{}", letter.body);
}

#[test]
fn yen_reads_without_minor_units_in_the_list_the_detail_the_form_and_the_confirmation() {
    let asked = r#"{"id":"JA-3002","received_at":"2026-11-04T11:00:00+08:00","product":"lcic","account":{"id":"300400501"},"package":{"billing":"monthly","purchased_at":"2026-11-02T10:00:00+08:00"},"payment":{"currency":"JPY","cash":"12000.00"},"requested_amount":"12000","reason":"unused"}"#;
    let (_dir, store) = store(&format!("{EXTRA}\n{asked}"));
    let mut app = app(store);
    press(&mut app, "<S-Tab>/JA-3002<Enter>");
    let text = screen(&mut app, 120, 40);
    let row = text.lines().find(|l| l.starts_with("JA-3002 ")).unwrap();
    assert!(row.contains(" 12,000 JPY ✔ full 12,000 "), "{row}");
    assert!(text.contains("requested    12,000 JPY"), "{text}");
    press(&mut app, "F/JA-3001<Enter>");
    let text = screen(&mut app, 120, 40);
    let row = text.lines().find(|l| l.starts_with("JA-3001 ")).unwrap();
    assert!(row.contains("✔ full 9,000 "), "{row}");
    assert!(text.contains("✔ full_refund 9,000 JPY"), "{text}");
    assert!(!text.contains("9000.00"), "{text}");
    press(&mut app, "teA");
    let Some(Popup::Form(f)) = app.popups.last() else {
        panic!("form")
    };
    assert_eq!(f.fields[0].shown(), "9000", "plain digits to edit");
    press(&mut app, "<Enter>");
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("Approve JA-3001: refund 9,000 JPY?"),
        "{text}"
    );
    assert!(text.contains("limit 9,000 JPY"), "{text}");
}
