//! Keystroke to frame and first frame of the console on `TestBackend`.
//!
//! `BENCH_DB=path/to/desk.db cargo bench --bench console` measures an
//! existing file (scripts/bench.sh builds a 1,000,000-ticket one); without
//! it a 20,000-ticket demo file is built first. `BENCH_DB=postgresql:///…`
//! measures a PostgreSQL desk over its socket the same way. Prints p50 / p99 / max per
//! keystroke kind, against the p99 ≤ 5 ms target.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use refund_desk::desk::{Desk, Location};
use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::pg::PgStore;
use refund_desk::store::{Access, Clock, Opening, Store};
use refund_desk::tui::app::App;
use refund_desk::tui::keymap::{Key, Keymap};
use refund_desk::tui::theme::Theme;
use std::time::{Duration, Instant};

fn open(path: &std::path::Path) -> Desk {
    match Location::parse(path) {
        Location::File(path) => Store::open(
            &path,
            Policy::builtin(),
            Calendar::builtin_default(),
            "bench",
        )
        .expect("open the bench database")
        .into(),
        Location::Postgres(url) => PgStore::open_with(
            &url,
            Policy::builtin(),
            Calendar::builtin_default(),
            Opening::new(Access::Console, Clock::from_env().expect("the clock")),
        )
        .expect("open the bench database")
        .into(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: run small then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let _tmp;
    let db = match std::env::var_os("BENCH_DB") {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            _tmp = tempfile::tempdir().unwrap();
            let db = _tmp.path().join("bench.db");
            let store = Store::create(
                &db,
                Policy::builtin(),
                Calendar::builtin_default(),
                "bench",
                refund_desk::store::DeskKind::Demo,
                refund_desk::store::Clock::System,
            )
            .expect("create the bench database");
            let tickets = if quick { 500 } else { 20_000 };
            let mut desk = refund_desk::desk::Desk::from(store);
            refund_desk::cli::demo::fill(&mut desk, tickets, 7, |_| {}).unwrap();
            db
        }
    };
    let now = chrono::Utc::now().fixed_offset();
    let (w, h) = (120, 40);

    let started = Instant::now();
    let mut app = App::new(open(&db), Keymap::load().unwrap(), Theme::from_env(), now);
    app.resize(w, h);
    app.settle();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
    println!(
        "first frame (open + queries + draw, {w}x{h}): {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let rounds = if quick { 3 } else { 200 };
    let scenarios: &[(&str, &str)] = &[
        ("scroll down", "j"),
        ("scroll up", "k"),
        ("page down", "<PgDn>"),
        ("jump to end", "G"),
        ("jump to top", "g"),
        ("next queue tab", "<Tab>"),
        ("filter by verdict", "v"),
        ("filter by state", "f"),
        ("clear filters", "F"),
        ("open detail (zoom)", "<Enter>"),
        ("search: type + enter", "/refund<Enter>"),
    ];
    println!(
        "{:<24} {:>9} {:>9} {:>9}   target p99 ≤ 5 ms",
        "keystroke", "p50", "p99", "max"
    );
    for (name, keys) in scenarios {
        let keys = Key::parse_seq(keys).unwrap();
        let mut times = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let t = Instant::now();
            for k in &keys {
                app.handle_key(*k);
            }
            app.settle();
            terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
            times.push(t.elapsed());
            // Undo modal or filter state so each round measures the same thing.
            for k in Key::parse_seq("<Esc>").unwrap() {
                app.handle_key(k);
            }
            app.settle();
        }
        times.sort();
        let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
        println!(
            "{:<24} {:>9} {:>9} {:>9}",
            name,
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
            ms(*times.last().unwrap())
        );
    }
    // After a narrowing keystroke the other queues are counted one at a
    // time while no key is pressed: the longest a key can wait is one count.
    let mut slices = Vec::new();
    for _ in 0..rounds.min(20) {
        for k in Key::parse_seq("/refund<Enter>").unwrap() {
            app.handle_key(k);
        }
        app.settle();
        while app.counts_owed() {
            let t = Instant::now();
            app.count_owed();
            slices.push(t.elapsed());
        }
        for k in Key::parse_seq("<Esc>").unwrap() {
            app.handle_key(k);
        }
        app.settle();
    }
    slices.sort();
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
    println!(
        "{:<24} {:>9} {:>9} {:>9}",
        "count one queue (pause)",
        ms(percentile(&slices, 0.5)),
        ms(percentile(&slices, 0.99)),
        ms(*slices.last().unwrap())
    );
}
