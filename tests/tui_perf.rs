//! Timings of the console's store work on a big database. Not run by
//! default: build one with `refund-desk --db ~/big.db demo --tickets 1000000` (not directly in /tmp:
//! a world-writable directory is refused),
//! then `REFUND_DESK_PERF_DB=~/big.db cargo test --release --test tui_perf -- --ignored --nocapture`.

mod tui_support;

use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::store::Store;
use refund_desk::tui::{app::App, keymap::Keymap, theme::Theme};
use std::time::Instant;
use tui_support::{at, press, NOW};

fn timed(what: &str, f: impl FnOnce()) {
    let t = Instant::now();
    f();
    eprintln!("{what:<40} {:>9.1} ms", t.elapsed().as_secs_f64() * 1e3);
}

#[test]
#[ignore]
fn console_stays_fast_on_a_big_database() {
    let Ok(path) = std::env::var("REFUND_DESK_PERF_DB") else {
        eprintln!("set REFUND_DESK_PERF_DB");
        return;
    };
    let mut store = None;
    timed("open the store", || {
        store = Some(
            Store::open(
                path.as_ref(),
                Policy::builtin(),
                Calendar::builtin_default(),
                "perf",
            )
            .unwrap(),
        )
    });
    let store = store.unwrap();
    timed("overdue_count (due index only)", || {
        store.overdue_count("2026-11-05").unwrap();
    });
    let today = at(NOW).date_naive();
    timed("dashboard numbers (store)", || {
        store.dashboard(today).unwrap();
    });
    for (i, q) in refund_desk::tui::app::QUEUES.iter().enumerate() {
        let f = refund_desk::tui::app::queue_filter(i, "alice", today);
        timed(&format!("count {q}"), || {
            store.count(&f).unwrap();
        });
        timed(&format!("first page {q}"), || {
            store
                .page(&f, Default::default(), &refund_desk::store::Page::First, 40)
                .unwrap();
        });
    }
    let mut app: Option<App> = None;
    timed("open console (counts + first page)", || {
        app = Some(App::new(store, Keymap::default(), Theme::color(), at(NOW)));
    });
    let mut app = app.unwrap();
    app.resize(120, 40);
    for (what, keys) in [
        (
            "j x 50",
            "jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj",
        ),
        ("PgDn x 20", &"<PgDn>".repeat(20)),
        ("G (end)", "G"),
        ("g (home)", "g"),
        ("next queue x 10", &"<Tab>".repeat(10)),
        ("sort by due", "s"),
        ("PgDn x 5 by due", &"<PgDn>".repeat(5)),
        ("sort by received", "s"),
        ("filter verdict (pick list)", "v<Down><Enter>"),
        ("filter product (pick list)", "p<Down><Enter>"),
        ("clear filters", "F"),
        ("search", "/Academy<Enter>"),
        ("clear search", "F"),
        // From All (the 11th queue) back two to Overdue.
        ("Overdue queue", "<S-Tab><S-Tab>"),
        ("Overdue sorted by due", "s"),
        ("Overdue PgDn x 5", &"<PgDn>".repeat(5)),
        ("Overdue G (end)", "G"),
        ("back to sort by received", "s"),
        ("dashboard open (b)", "b"),
        ("dashboard close (b)", "b"),
    ] {
        timed(what, || press(&mut app, keys));
    }
    assert_eq!(app.tab, 8, "Overdue");
    timed("refresh after a change (counts + page)", || {
        app.refresh(None)
    });
    timed("poll with no change", || {
        app.tick();
    });
}
