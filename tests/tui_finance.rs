//! The finance screen (`$`): the executed payouts of a date range, as
//! `refund-desk export payouts` lists them, with totals per currency, and
//! the CSV it writes byte for byte the one that command prints.

mod tui_support;

use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::domain::workflow::{Action, Role, Route};
use refund_desk::store::Store;
use tui_support::*;

fn execute(route: Route, account: Option<&str>) -> Action {
    Action::Execute {
        route,
        account: account.map(String::from),
    }
}

/// Five executions in November: LC-1001 completed, JA-3001 (yen) out,
/// TR-2001 returned and executed again, LV-4001 to an alternate account
/// that carol signed off.
fn desk() -> (tempfile::TempDir, Store) {
    let (dir, mut alice) = store(EXTRA);
    alice.set_role("carol", Some(Role::Supervisor)).unwrap();
    // The CLI below runs as the OS user: a reader of the desk.
    alice.set_role("root", Some(Role::Agent)).unwrap();
    let decided = [
        Action::Take,
        Action::Evaluate,
        Action::Approve {
            amount: None,
            note: None,
        },
        Action::Accept,
    ];
    for id in ["LC-1001", "JA-3001", "TR-2001", "LV-4001"] {
        for a in &decided {
            act(&mut alice, id, a.clone());
        }
    }
    for id in ["LC-1001", "JA-3001", "TR-2001"] {
        act(&mut alice, id, execute(Route::Original, None));
    }
    act(
        &mut alice,
        "LC-1001",
        Action::Complete {
            reference: "PAY-0001".into(),
        },
    );
    act(
        &mut alice,
        "TR-2001",
        Action::PayoutReturned {
            note: "account closed".into(),
        },
    );
    act(&mut alice, "TR-2001", execute(Route::Original, None));
    act(
        &mut alice,
        "LV-4001",
        execute(Route::Alternate, Some("DE89 3704 0044 0532")),
    );
    let mut carol = Store::open(
        &alice.path.clone(),
        Policy::builtin(),
        Calendar::builtin_default(),
        "carol",
    )
    .unwrap();
    act(&mut carol, "LV-4001", Action::SignOff { note: None });
    (dir, alice)
}

#[test]
fn finance_lists_each_execution_with_amounts_per_currency_and_totals_120x40() {
    let (_dir, store) = desk();
    let mut app = app(store);
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("$ finance"), "the footer names it: {text}");
    press(&mut app, "$");
    let text = screen(&mut app, 120, 40);
    insta::assert_snapshot!("finance_120x40", text.clone());
    for piece in [
        "payouts executed 2026-11-01 … 2026-11-30 · 5 executions",
        "9,000 JPY",
        "95.00 USD",
        "TR-2001 #2",
        "alternate → DE89 3704",
        "alice / carol",
        "PAY-0001",
        "USD  paid out 9,294.00 USD in 3 payouts · came back 199.00 USD (1 payout)",
        "JPY  paid out 9,000 JPY in 1 payout",
    ] {
        assert!(text.contains(piece), "{piece:?} in\n{text}");
    }
    assert!(!text.contains("9000.00 JPY"), "{text}");
    // The status line tells what the columns leave out of the selection.
    assert!(
        text.contains("LC-1001 #1 · lcic · completed · executed by alice at 2026-11-05 10:00"),
        "{text}"
    );

    // An alternate account cut in its column is whole on the status line.
    press(&mut app, "G");
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("LV-4001 #1 · live · executed ·")
            && text.contains("· to DE89 3704 0044 0532"),
        "{text}"
    );

    // Other dates: a month back holds none; a typed day holds them all.
    press(&mut app, "[");
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("payouts executed 2026-10-01 … 2026-10-31 · 0 executions"),
        "{text}"
    );
    assert!(
        text.contains("no payout was executed in these dates"),
        "{text}"
    );
    press(&mut app, "r<C-u>2026-11-05<Enter>");
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("payouts executed 2026-11-05 … 2026-11-05 · 5 executions"),
        "{text}"
    );
    press(&mut app, "r<C-u>2026-11-09..2026-11-01<Enter>");
    assert!(screen(&mut app, 120, 40).contains("2026-11-09 is after 2026-11-01"));
    // Esc goes back to the queues; the help lists the screen's keys.
    press(&mut app, "<Esc>");
    assert!(app.finance.is_none());
    let help: Vec<String> = refund_desk::tui::ui::help_lines(&app)
        .iter()
        .map(|l| l.to_string())
        .collect();
    assert!(help.iter().any(|l| l.contains("── Finance")), "{help:?}");
    assert!(
        help.iter()
            .any(|l| l.starts_with('w') && l.contains("write what is shown to a CSV file")),
        "{help:?}"
    );
}

#[test]
fn the_csv_written_is_the_one_export_payouts_prints_for_the_same_range() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, store) = desk();
    let db = store.path.clone();
    let mut app = app(store);
    let file = dir.path().join("november.csv");
    press(&mut app, &format!("$w<C-u>{}<Enter>", file.display()));
    let text = screen(&mut app, 120, 40);
    let said = format!(
        "wrote 5 payouts (2026-11-01 … 2026-11-30) to {}",
        file.display()
    );
    assert!(text.contains(&said), "{said:?} in\n{text}");
    assert!(text.contains("CSV written to"), "{text}");
    let written = std::fs::read(&file).unwrap();
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "names accounts: its writer's only");

    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("refund-desk"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "export",
            "payouts",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
        ])
        .env("REFUND_DESK_NOW", NOW)
        .env("HOME", dir.path())
        .env_remove("REFUND_DESK_DB")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(written).unwrap(),
        String::from_utf8(out.stdout).unwrap()
    );

    // A second write to the same name leaves the first file alone.
    press(&mut app, &format!("w<C-u>{}<Enter>", file.display()));
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("exists: nothing written (give another name)"),
        "{text}"
    );
}
