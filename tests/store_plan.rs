//! The store picks the index of every list itself (store::plan), splitting a
//! set of states into one ordered range each. Whatever it picks, a page must
//! hold exactly the rows a plain full scan finds, in the same order, paging
//! forwards and backwards — for every queue, filter and sort the console
//! offers — and counts must agree.

use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::{Policy, VerdictKind};
use refund_desk::store::{ListFilter, ListRow, Page, Sort, Store, NO_DUE};
use refund_desk::tui::app::{queue_filter, QUEUES};

const NOW: &str = "2026-11-23T10:00:00+08:00";

fn desk() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(
        &dir.path().join("desk.db"),
        Policy::builtin(),
        Calendar::builtin_default(),
        "alice",
        refund_desk::store::DeskKind::Test,
        refund_desk::store::Clock::Pinned(chrono::DateTime::parse_from_rfc3339(NOW).unwrap()),
    )
    .unwrap();
    // Demo tickets, a few hundred walked through the workflow by alice and
    // bob: queues of very different sizes, as on a real desk.
    let mut either = refund_desk::desk::Desk::from(store);
    let walked = refund_desk::cli::demo::fill(&mut either, 1_500, 3, |_| {}).unwrap();
    assert!(walked > 300);
    let refund_desk::desk::Desk::Sqlite(store) = either else {
        unreachable!("made as a SQLite desk")
    };
    (dir, store)
}

/// Every matching row, by a plain scan, in the order of `sort`.
fn reference(store: &Store, f: &ListFilter, sort: Sort) -> Vec<String> {
    let mut rows: Vec<ListRow> = Vec::new();
    store
        .for_each(f, |r| {
            rows.push(r);
            Ok(())
        })
        .unwrap();
    if sort == Sort::Due {
        rows.sort_by(|a, b| {
            let due = |r: &ListRow| r.due_target.clone().unwrap_or_else(|| NO_DUE.into());
            (due(a), &a.id).cmp(&(due(b), &b.id))
        });
    }
    rows.into_iter().map(|r| r.id).collect()
}

fn ids(rows: &[ListRow]) -> Vec<String> {
    rows.iter().map(|r| r.id.clone()).collect()
}

/// Walks the whole list in pages of `size`, forwards from the first page
/// and backwards from the last.
fn walk(store: &Store, f: &ListFilter, sort: Sort, size: usize) -> (Vec<String>, Vec<String>) {
    let mut forwards = Vec::new();
    let mut page = store.page(f, sort, &Page::First, size).unwrap();
    while let Some(last) = page.last().cloned() {
        forwards.extend(ids(&page));
        page = store
            .page(f, sort, &Page::After(last.key(sort)), size)
            .unwrap();
    }
    let mut backwards: Vec<String> = Vec::new();
    let mut page = store.page(f, sort, &Page::Last, size).unwrap();
    while let Some(first) = page.first().cloned() {
        let mut ahead = ids(&page);
        ahead.append(&mut backwards);
        backwards = ahead;
        page = store
            .page(f, sort, &Page::Before(first.key(sort)), size)
            .unwrap();
    }
    (forwards, backwards)
}

#[test]
fn every_list_pages_exactly_like_a_full_scan() {
    let (_dir, store) = desk();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let mut checked = 0;
    let mut non_empty = 0;
    for (queue, name) in QUEUES.iter().enumerate() {
        for me in ["alice", "bob"] {
            let verdicts =
                std::iter::once(None).chain(VerdictKind::ALL.iter().map(|v| Some(v.as_str())));
            for verdict in verdicts {
                for product in [None, Some("lcic"), Some("trtc")] {
                    let mut f = queue_filter(queue, me, today);
                    f.verdict = verdict.map(str::to_string);
                    f.product = product.map(str::to_string);
                    for sort in [Sort::Received, Sort::Due] {
                        let expected = reference(&store, &f, sort);
                        let (forwards, backwards) = walk(&store, &f, sort, 17);
                        let what = format!("{name} {f:?} {sort:?}");
                        assert_eq!(forwards, expected, "forwards: {what}");
                        assert_eq!(backwards, expected, "backwards: {what}");
                        assert_eq!(store.count(&f).unwrap(), expected.len() as u64, "{what}");
                        let capped = store
                            .count_at_most(&f, 100, std::time::Duration::from_secs(60))
                            .unwrap();
                        let want = (expected.len() < 100).then_some(expected.len() as u64);
                        assert_eq!(capped, want, "count_at_most: {what}");
                        checked += 1;
                        non_empty += usize::from(!expected.is_empty());
                    }
                }
            }
        }
    }
    assert!(
        non_empty > checked / 3,
        "{non_empty} of {checked} lists had rows"
    );
}
