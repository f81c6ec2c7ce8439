//! Timings of the console's store work on a big PostgreSQL desk, over the
//! server's Unix socket. Not run by default: point it at a desk with
//! `REFUND_DESK_PERF_PG='postgresql:///DB?host=/SOCKDIR' cargo test --test
//! tui_perf_pg -- --ignored --nocapture`. Prints p50 / p99 / max of each call
//! (and of each keystroke to a drawn frame), against the p99 ≤ 5 ms.

mod tui_support;

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::pg::PgStore;
use refund_desk::store::{Access, Clock, ListFilter, Opening, Page, Sort};
use refund_desk::tui::app::{queue_filter, App, QUEUES};
use refund_desk::tui::keymap::{Key, Keymap};
use refund_desk::tui::theme::Theme;
use std::time::{Duration, Instant};
use tui_support::{at, NOW};

const ROUNDS: usize = 50;

fn line(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1e3);
    eprintln!(
        "{what:<44} {:>8} {:>8} {:>8}",
        ms(pct(0.5)),
        ms(pct(0.99)),
        ms(*times.last().unwrap())
    );
}

fn timed(what: &str, mut f: impl FnMut()) {
    f();
    line(
        what,
        (0..ROUNDS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    );
}

fn open(url: &str) -> PgStore {
    PgStore::open_with(
        url,
        Policy::builtin(),
        Calendar::builtin_default(),
        Opening::new(Access::Console, Clock::Pinned(at(NOW))),
    )
    .unwrap()
}

#[test]
#[ignore]
fn console_stays_fast_on_a_big_postgres_desk() {
    let Ok(url) = std::env::var("REFUND_DESK_PERF_PG") else {
        eprintln!("set REFUND_DESK_PERF_PG");
        return;
    };
    let search = |s: &str| ListFilter {
        search: Some(s.into()),
        ..ListFilter::default()
    };
    let cjk = std::env::var("PERF_CJK").unwrap_or_else(|_| "星火".into());
    let account = std::env::var("PERF_ACCOUNT").unwrap_or_else(|_| "200300020".into());
    let store = open(&url);
    let today = at(NOW).date_naive();
    eprintln!("{:<44} {:>8} {:>8} {:>8}", "ms", "p50", "p99", "max");
    timed("state_counts", || drop(store.state_counts().unwrap()));
    timed("overdue_count", || {
        store.overdue_count(&today.to_string()).unwrap();
    });
    timed("dashboard", || drop(store.dashboard(today).unwrap()));
    timed("change_mark", || {
        store.change_mark().unwrap();
    });
    for (i, q) in QUEUES.iter().enumerate() {
        let f = queue_filter(i, "alice", today);
        for sort in [Sort::Received, Sort::Due] {
            let first = store.page(&f, sort, &Page::First, 40).unwrap();
            timed(&format!("first page {q} {sort:?}"), || {
                store.page(&f, sort, &Page::First, 40).unwrap();
            });
            if let Some(last) = first.last() {
                let key = last.key(sort);
                timed(&format!("next page {q} {sort:?}"), || {
                    store.page(&f, sort, &Page::After(key.clone()), 40).unwrap();
                });
            }
            timed(&format!("last page {q} {sort:?}"), || {
                store.page(&f, sort, &Page::Last, 40).unwrap();
            });
        }
        if f.assignee.is_some() || f.pending {
            timed(&format!("count {q}"), || {
                store.count(&f).unwrap();
            });
        }
    }
    let one: String = cjk.chars().take(1).collect();
    for (i, q) in QUEUES.iter().enumerate() {
        let f = ListFilter {
            search: Some(cjk.clone()),
            ..queue_filter(i, "alice", today)
        };
        timed(&format!("narrowed count_at_most {q} {cjk}"), || {
            store
                .count_at_most(&f, 10_000, Duration::from_millis(5))
                .unwrap();
        });
        timed(&format!("narrowed first page {q} {cjk}"), || {
            store.page(&f, Sort::Received, &Page::First, 40).unwrap();
        });
    }
    for s in [
        cjk.as_str(),
        one.as_str(),
        account.as_str(),
        "refund",
        "LC-0100001",
        "zzqx",
    ] {
        let f = search(s);
        eprintln!("  ({s}: {} matches)", store.count(&f).unwrap());
        timed(&format!("search first page {s}"), || {
            store.page(&f, Sort::Received, &Page::First, 40).unwrap();
        });
        timed(&format!("search count_at_most 10000/5ms {s}"), || {
            store
                .count_at_most(&f, 10_000, Duration::from_millis(5))
                .unwrap();
        });
    }
    let id = store
        .page(&ListFilter::default(), Sort::Received, &Page::Last, 1)
        .unwrap()[0]
        .id
        .clone();
    timed("detail", || drop(store.detail(&id).unwrap()));

    let mut app = App::new(store, Keymap::default(), Theme::color(), at(NOW));
    let (w, h) = (120, 40);
    app.resize(w, h);
    app.settle();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    for (name, keys) in [
        ("key: scroll down", "j"),
        ("key: page down", "<PgDn>"),
        ("key: jump to end", "G"),
        ("key: jump to top", "g"),
        ("key: next queue tab", "<Tab>"),
        ("key: filter by verdict", "v"),
        ("key: open detail (zoom)", "<Enter>"),
        ("key: search type + enter (CJK)", &format!("/{cjk}<Enter>")),
        (
            "key: search type + enter (account)",
            &format!("/{account}<Enter>"),
        ),
        ("key: dashboard", "b"),
    ] {
        let keys = Key::parse_seq(keys).unwrap();
        let times = (0..ROUNDS)
            .map(|_| {
                let t = Instant::now();
                for k in &keys {
                    app.handle_key(*k);
                }
                app.settle();
                terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
                let took = t.elapsed();
                for k in Key::parse_seq("<Esc>").unwrap() {
                    app.handle_key(k);
                }
                app.settle();
                took
            })
            .collect();
        line(name, times);
    }
}
