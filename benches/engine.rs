//! Policy evaluation and import throughput (`cargo bench --bench engine`).
//! Targets (issue 5): evaluation ≥ 1,000,000 tickets/s on one core.

use refund_desk::domain::demo::DemoGenerator;
use refund_desk::domain::policy::{evaluate, evaluate_all, Policy};
use refund_desk::domain::ticket::Ticket;

fn main() {
    divan::main();
}

fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00+08:00").unwrap()
}

fn demo_lines(n: usize) -> Vec<String> {
    let mut g = DemoGenerator::new(7, now());
    (0..n).map(|_| g.next_line()).collect()
}

fn demo_tickets(n: usize) -> Vec<Ticket> {
    demo_lines(n)
        .iter()
        .map(|l| Ticket::from_json(&serde_json::from_str(l).unwrap()).unwrap())
        .collect()
}

/// One verdict, no history: the engine's raw speed.
#[divan::bench(counter = divan::counter::ItemsCount::new(10_000usize))]
fn evaluate_one_by_one(bencher: divan::Bencher) {
    let tickets = demo_tickets(10_000);
    let policy = Policy::builtin();
    bencher.bench_local(|| {
        for t in &tickets {
            divan::black_box(evaluate(t, &policy, &[]));
        }
    });
}

/// A whole file with ⟲ history, as `eval` does it.
#[divan::bench(counter = divan::counter::ItemsCount::new(10_000usize))]
fn evaluate_file_with_history(bencher: divan::Bencher) {
    let tickets = demo_tickets(10_000);
    let policy = Policy::builtin();
    bencher.bench_local(|| divan::black_box(evaluate_all(&tickets, &policy)));
}

/// JSON text to validated ticket.
#[divan::bench(counter = divan::counter::ItemsCount::new(10_000usize))]
fn parse_and_validate(bencher: divan::Bencher) {
    let lines = demo_lines(10_000);
    bencher.bench_local(|| {
        for (i, l) in lines.iter().enumerate() {
            divan::black_box(refund_desk::ingest::parse_json_line(i, l).unwrap());
        }
    });
}

/// Import into a fresh SQLite file: parse, verdicts, rows, events, search index.
#[divan::bench(sample_count = 5, counter = divan::counter::ItemsCount::new(20_000usize))]
fn import_into_sqlite(bencher: divan::Bencher) {
    let text = demo_lines(20_000).join("\n");
    bencher
        .with_inputs(|| tempfile::tempdir().unwrap())
        .bench_local_values(|dir| {
            let db = dir.path().join("bench.db");
            let mut store = refund_desk::store::Store::create(
                &db,
                Policy::builtin(),
                refund_desk::domain::calendar::Calendar::plain(),
                "bench",
                refund_desk::store::DeskKind::Test,
                refund_desk::store::Clock::System,
            )
            .unwrap();
            store
                .import("bench", text.as_bytes(), Default::default(), |_| {}, |_| {})
                .unwrap();
            dir
        });
}
