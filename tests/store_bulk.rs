//! A bulk load (an import into a desk with no tickets builds its indexes and
//! search documents at the end) leaves exactly the desk that importing the
//! same lines into a non-empty desk does: same rows, verdicts, events,
//! counts, search results and indexes.

mod common;
use common::*;

fn demo_lines(n: usize) -> String {
    let desk = Desk::new();
    let (code, out, err) = desk.run(&["demo", "--tickets", &n.to_string(), "--print"]);
    assert_eq!(code, 0, "{err}");
    out
}

fn listing(desk: &Desk, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["list", "--json"];
    args.extend_from_slice(extra);
    let (code, out, err) = desk.run(&args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn ids(rows: &[serde_json::Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn rows_of(desk: &Desk, query: &str) -> Vec<Vec<String>> {
    let c = rusqlite::Connection::open(&desk.db).unwrap();
    let mut stmt = c.prepare(query).unwrap();
    let n = stmt.column_count();
    let rows = stmt
        .query_map([], |r| {
            (0..n)
                .map(|i| {
                    r.get::<_, rusqlite::types::Value>(i)
                        .map(|v| format!("{v:?}"))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

#[test]
fn bulk_load_equals_incremental_import() {
    let lines = demo_lines(2_500);
    let first = lines.lines().next().unwrap();

    let bulk = Desk::new();
    let (code, _, err) = bulk.import("all.jsonl", &lines);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("imported 2500 new"), "{err}");

    // One ticket first: the desk is no longer empty, so the rest takes the
    // row-by-row path with live indexes.
    let incremental = Desk::new();
    let (code, _, err) = incremental.import("one.jsonl", first);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = incremental.import("all.jsonl", &lines);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2499 new, 0 updated, 1 unchanged"), "{err}");

    assert_eq!(listing(&bulk, &[]), listing(&incremental, &[]));
    for word in ["refund", "outage", "LV-00001", "退款", "Media", "200300"] {
        let found = ids(&listing(&bulk, &["--search", word]));
        assert!(!found.is_empty(), "nothing found for {word}");
        assert_eq!(
            found,
            ids(&listing(&incremental, &["--search", word])),
            "search {word}"
        );
    }
    for query in [
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name",
        "SELECT * FROM meta ORDER BY key",
        "SELECT * FROM state_counts ORDER BY state",
        "SELECT * FROM due_counts ORDER BY day",
        "SELECT * FROM breach_counts ORDER BY day",
        "SELECT * FROM daily_totals ORDER BY day, product, kind, currency",
        "SELECT id, verdict, verdict_kind, state, due_target, due_breach FROM tickets ORDER BY id",
        "SELECT ticket_id, action, from_state, to_state FROM events ORDER BY ticket_id, seq",
    ] {
        assert_eq!(
            rows_of(&bulk, query),
            rows_of(&incremental, query),
            "{query}"
        );
    }
    let fts = "SELECT count(*) FROM tickets_fts_docsize";
    assert_eq!(rows_of(&bulk, fts), vec![vec!["Integer(2500)".to_string()]]);
    assert_eq!(rows_of(&incremental, fts), rows_of(&bulk, fts));
    // The bulk load's search index was built apart and copied in: FTS5's own
    // check reads it through.
    for desk in [&bulk, &incremental] {
        rusqlite::Connection::open(&desk.db)
            .unwrap()
            .execute_batch("INSERT INTO tickets_fts (tickets_fts) VALUES ('integrity-check')")
            .unwrap();
    }
}

/// New desks have 16 KB pages (a bulk load writes a quarter of the pages);
/// a desk made with 4 KB pages takes a bulk load just the same.
#[test]
fn new_desks_have_16_kb_pages_and_older_ones_load_alike() {
    let lines = demo_lines(600);
    let page = |desk: &Desk| rows_of(desk, "PRAGMA page_size");
    let new = Desk::new();
    let (code, _, err) = new.import("all.jsonl", &lines);
    assert_eq!(code, 0, "{err}");
    assert_eq!(page(&new), vec![vec!["Integer(16384)".to_string()]]);

    let old = Desk::new();
    let (code, _, err) = old.run(&["init"]);
    assert_eq!(code, 0, "{err}");
    rusqlite::Connection::open(&old.db)
        .unwrap()
        .execute_batch(
            "PRAGMA journal_mode = DELETE; PRAGMA page_size = 4096; VACUUM; PRAGMA journal_mode = WAL;",
        )
        .unwrap();
    assert_eq!(page(&old), vec![vec!["Integer(4096)".to_string()]]);
    let (code, _, err) = old.import("all.jsonl", &lines);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("imported 600 new"), "{err}");
    assert_eq!(page(&old), vec![vec!["Integer(4096)".to_string()]]);
    assert_eq!(listing(&old, &[]), listing(&new, &[]));
    assert_eq!(
        ids(&listing(&old, &["--search", "refund"])),
        ids(&listing(&new, &["--search", "refund"]))
    );
}

#[test]
fn a_failed_bulk_load_keeps_its_good_lines_indexed() {
    let lines = demo_lines(300);
    let broken = format!("{lines}{{not json\n");
    let desk = Desk::new();
    let (code, _, err) = desk.import("broken.jsonl", &broken);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains(":301: "), "{err}");
    assert_eq!(listing(&desk, &[]).len(), 300);
    assert_eq!(
        rows_of(
            &desk,
            "SELECT count(*) FROM meta WHERE key LIKE 'deferred%'"
        ),
        vec![vec!["Integer(0)".to_string()]]
    );
    assert!(!ids(&listing(&desk, &["--search", "refund"])).is_empty());
}

/// Another refund-desk opening the file in the middle of a bulk load opens
/// at once and leaves the owed indexes to the loader (which holds the load
/// lock) instead of taking the write lock for the build; at the end every
/// ticket is indexed and searchable.
#[test]
fn opening_the_file_mid_load_leaves_the_build_to_the_loader() {
    let desk = Desk::new();
    let lines = demo_lines(45_000);
    let input = desk.write("big.jsonl", &lines);
    let mut child = desk
        .cmd_std()
        .args(["import", input.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let tickets = || -> i64 {
        // Opening a missing path with rusqlite would make an empty file there.
        if !desk.db.exists() {
            return 0;
        }
        rusqlite::Connection::open(&desk.db)
            .and_then(|c| c.query_row("SELECT count(*) FROM tickets", [], |r| r.get(0)))
            .unwrap_or(0)
    };
    let started = std::time::Instant::now();
    while tickets() == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "import ended before its first batch was seen"
        );
        assert!(
            started.elapsed().as_secs() < 300,
            "first batch never committed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (code, _, err) = desk.run(&["list", "--state", "closed"]);
    assert_eq!(code, 0, "{err}");
    let owed_after_open = rows_of(
        &desk,
        "SELECT count(*) FROM meta WHERE key LIKE 'deferred%'",
    );
    let mid_load = child.try_wait().unwrap().is_none();
    assert!(child.wait().unwrap().success());
    assert!(
        mid_load,
        "the import finished before the second open: nothing was tested"
    );
    let owed = vec![vec!["Integer(2)".to_string()]];
    assert_eq!(owed_after_open, owed, "the open built the loader's indexes");
    assert_eq!(
        rows_of(&desk, "SELECT count(*) FROM tickets_fts_docsize"),
        vec![vec!["Integer(45000)".to_string()]]
    );
    assert_eq!(
        rows_of(
            &desk,
            "SELECT count(*) FROM meta WHERE key LIKE 'deferred%'"
        ),
        vec![vec!["Integer(0)".to_string()]]
    );
    let last = lines.lines().last().unwrap();
    let id = serde_json::from_str::<serde_json::Value>(last).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(ids(&listing(&desk, &["--search", &id])), [id]);
}
