//! The dashboard screen: the store's numbers as charts, loaded when shown
//! and when the database changes, never per frame.

mod tui_support;

use refund_desk::store::{Dashboard, DayTotals};
use refund_desk::tui::keymap::Mode;
use tui_support::*;

fn fake() -> Dashboard {
    let row = |day: &str, product: &str, kind: &str, cur: &str, n: u64, amount: &str| DayTotals {
        day: day.parse().unwrap(),
        product: product.into(),
        kind: kind.into(),
        currency: cur.into(),
        tickets: n,
        amount: amount.parse().unwrap(),
    };
    let mut days = Vec::new();
    for d in 0..30u32 {
        let day = format!("2026-10-{:02}", 7 + d).replace("2026-10-32", "2026-11-01");
        let day = match 7 + d {
            x if x > 31 => format!("2026-11-{:02}", x - 31),
            _ => day,
        };
        days.push(row(
            &day,
            "lcic",
            "full_refund",
            "USD",
            (d % 7 + 1) as u64,
            "1234.56",
        ));
        if d % 3 == 0 {
            days.push(row(&day, "trtc", "reject", "USD", 2, "0"));
            days.push(row(&day, "live", "compensation", "CNY", 1, "88888.88"));
        }
    }
    days.push(row("2026-11-05", "chat", "manual_review", "JPY", 4, "0"));
    days.push(row("2026-11-05", "live", "pro_rata", "USD", 1, "0.01"));
    Dashboard {
        per_state: [
            ("submitted", 1_000_000u64),
            ("initial_review", 42),
            ("evaluation", 7),
            ("negotiation", 3),
            ("completed", 250_000),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
        overdue: 12_345,
        breached: 678,
        days,
    }
}

#[test]
fn fake_dashboard_80x24_and_120x40() {
    let (_dir, store) = store("");
    let mut app = app(store);
    app.show_dashboard(fake());
    assert_eq!(app.mode(), Mode::Dashboard);
    let text = screen(&mut app, 80, 24);
    insta::assert_snapshot!("dashboard_fake_80x24", text);
    let text = screen(&mut app, 120, 40);
    insta::assert_snapshot!("dashboard_fake_120x40", text);
    // Exact sums (30 × 1234.56 and 10 × 88888.88), grouped as a person reads them.
    assert!(text.contains("37,036.80"), "{text}");
    assert!(text.contains("888,888.80"), "{text}");
    assert!(text.contains("overdue 12345"), "{text}");
}

#[test]
fn b_shows_the_store_numbers_and_b_goes_back() {
    let (_dir, mut store) = store(EXTRA);
    negotiation(&mut store);
    let mut app = app(store);
    press(&mut app, "b");
    assert!(matches!(app.dashboard, Some(Ok(_))), "{:?}", app.dashboard);
    let text = screen(&mut app, 120, 40);
    insta::assert_snapshot!("dashboard_examples_120x40", text);
    assert!(text.contains("negotiation"), "{text}");
    press(&mut app, "b");
    assert!(app.dashboard.is_none());
    assert_eq!(app.mode(), Mode::List);
    press(&mut app, "b<Esc>");
    assert!(app.dashboard.is_none());
}

#[test]
fn reloaded_when_another_agent_changes_something_not_per_frame() {
    let (dir, store) = store("");
    let mut app = app(store);
    press(&mut app, "b");
    let before = app.dashboard.clone();
    // Drawing and an idle poll read nothing new.
    draw(&mut app, 80, 24);
    app.tick();
    assert_eq!(app.dashboard, before);
    // Another console takes a ticket: the next poll reloads the numbers.
    let mut other = refund_desk::store::Store::open(
        &dir.path().join("desk.db"),
        refund_desk::domain::policy::Policy::builtin(),
        refund_desk::domain::calendar::Calendar::builtin_default(),
        "alice",
    )
    .unwrap();
    act(
        &mut other,
        "LC-1001",
        refund_desk::domain::workflow::Action::Take,
    );
    assert!(app.tick());
    let Some(Ok(board)) = &app.dashboard else {
        panic!()
    };
    assert_eq!(board.data.per_state.get("initial_review"), Some(&1));
}

#[test]
fn footer_and_help_show_the_dashboard_key() {
    let (_dir, store) = store("");
    let mut app = app(store);
    press(&mut app, "b");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("b back to the queues"), "{text}");
    press(&mut app, "?");
    let help: String = refund_desk::tui::ui::help_lines(&app)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    assert!(
        help.contains("dashboard: stages, SLA, 30-day refunds"),
        "{help}"
    );
    press(&mut app, "<Esc>");
    assert_eq!(app.mode(), Mode::Dashboard);
}

#[test]
fn sla_counts_carry_the_overdue_and_breach_styles() {
    let (_dir, store) = store("");
    let mut app = app(store);
    app.show_dashboard(fake());
    let buf = draw(&mut app, 80, 24);
    let (x, y) = find(&buf, "overdue 12345", "overdue").unwrap();
    assert_eq!(buf[(x, y)].fg, ratatui::style::Color::Red);
    let (x, y) = find(&buf, "overdue 12345", "breached").unwrap();
    assert_eq!(buf[(x, y)].bg, ratatui::style::Color::Red);
}
