//! The desk file (SPEC §4): only `init`, `import` and `demo` create a desk;
//! a zero-byte file is not one; reading commands — and a console that only
//! looks — change nothing in it, not even a write-ahead log left by a
//! process that died; an older schema is refused by readers and upgraded by
//! `init`; `demo` writes only into a desk `demo` made.

mod reliability_util;
use reliability_util::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn with_suffix(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    p.into()
}

/// The desk file's bytes and its write-ahead log's (None: no log there).
#[derive(PartialEq, Eq)]
struct Bytes(Vec<u8>, Option<Vec<u8>>);

/// Where two versions first differ, rather than a megabyte of numbers.
impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digest = |b: &[u8]| {
            b.iter()
                .fold(0u64, |h, x| h.wrapping_mul(31).wrapping_add(*x as u64))
        };
        write!(
            f,
            "desk {} bytes #{:x}, log {:?}",
            self.0.len(),
            digest(&self.0),
            self.1.as_ref().map(|w| (w.len(), digest(w)))
        )
    }
}

fn bytes(db: &Path) -> Bytes {
    Bytes(
        std::fs::read(db).unwrap(),
        std::fs::read(with_suffix(db, "-wal")).ok(),
    )
}

/// The offset of the first byte where `a` and `b` differ.
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i))
}

/// Every command that may not create a desk, on `db` (which need not exist).
fn non_creating(db: &Path) -> Vec<Vec<String>> {
    let copy = db.with_extension("copy");
    // An empty policy directory: the built-in policy, nothing to read.
    let policy = db.with_extension("policy");
    std::fs::create_dir_all(&policy).unwrap();
    [
        vec!["list"],
        vec!["list", "--json"],
        vec!["show", "E-1"],
        vec!["letter", "E-1"],
        vec!["snapshot"],
        vec!["check"],
        vec!["export", "events"],
        vec!["policy", "diff", "--policy-dir", policy.to_str().unwrap()],
        vec!["roles"],
        vec!["roles", "grant", "nobody", "agent"],
        vec!["act", "E-1", "take"],
        vec!["backup", copy.to_str().unwrap()],
        vec![], // the console
    ]
    .into_iter()
    .map(|v| v.into_iter().map(String::from).collect())
    .collect()
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn only_init_import_and_demo_create_a_desk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    for a in non_creating(&db) {
        let out = run(&db, &args(&a));
        out.assert_one_line_error(&format!("no desk at {}", db.display()));
        assert!(out.stderr.contains("refund-desk init"), "{a:?}: {out:?}");
        assert_eq!(
            names(dir.path()),
            ["desk.policy".to_string()].into(),
            "{a:?} made a file"
        );
    }

    let out = run(&db, &["init"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("is its first supervisor"), "{out:?}");
    assert_eq!(count(&db, "SELECT count(*) FROM tickets"), 0);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM operators WHERE role = 'supervisor'"
        ),
        1
    );
    let made = bytes(&db);
    run(&db, &["init"]).assert_one_line_error("is already a desk");
    let again = bytes(&db);
    assert_eq!(
        first_difference(&again.0, &made.0),
        None,
        "a second init changed the desk"
    );
    assert_eq!(run(&db, &["list"]).code, 0);

    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, lcic_file("E", 3)).unwrap();
    let imported = dir.path().join("imported.db");
    assert_eq!(run(&imported, &["import", input.to_str().unwrap()]).code, 0);
    assert_eq!(count(&imported, "SELECT count(*) FROM tickets"), 3);
    let demo = dir.path().join("demo.db");
    assert_eq!(run(&demo, &["demo", "--tickets", "5"]).code, 0);
    assert_eq!(count(&demo, "SELECT count(*) FROM tickets"), 5);
    // Only the desks and SQLite's own companions: no half-made files left.
    assert!(
        names(dir.path())
            .iter()
            .all(|n| !n.starts_with('.') && n.contains(".db")
                || n == "t.jsonl"
                || n == "desk.policy"),
        "{:?}",
        names(dir.path())
    );
}

#[test]
fn a_zero_byte_file_is_not_a_desk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    std::fs::write(&db, b"").unwrap();
    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, lcic_file("E", 2)).unwrap();
    let mut all = non_creating(&db);
    for creating in [
        vec!["init".to_string()],
        vec!["import".into(), input.to_str().unwrap().into()],
        vec!["demo".into(), "--tickets".into(), "3".into()],
    ] {
        all.push(creating);
    }
    for a in all {
        let out = run(&db, &args(&a));
        out.assert_one_line_error("is empty: not a refund-desk desk");
        assert_eq!(
            std::fs::metadata(&db).unwrap().len(),
            0,
            "{a:?} wrote into it"
        );
        assert_eq!(
            names(dir.path()),
            ["desk.db", "desk.policy", "t.jsonl"]
                .map(String::from)
                .into(),
            "{a:?} made a file"
        );
    }
}

/// A desk with tickets in several states, a decision to write a letter for,
/// and the example tickets' words to search.
fn working_desk(dir: &Path) -> PathBuf {
    let db = dir.join("desk.db");
    let input = dir.join("t.jsonl");
    std::fs::write(&input, lcic_file("E", 6)).unwrap();
    assert_eq!(run(&db, &["import", input.to_str().unwrap()]).code, 0);
    for a in [
        &["act", "E-1", "take"][..],
        &["act", "E-1", "approve", "--amount", "90.00"],
        &["act", "E-2", "take"],
    ] {
        let out = run(&db, a);
        assert_eq!(out.code, 0, "{a:?}: {out:?}");
    }
    db
}

/// The reading commands. `policy diff` is handed a policy of its own, which
/// it compares with the desk's and applies nowhere.
fn readers(policy_dir: &Path) -> Vec<Vec<String>> {
    let p = policy_dir.to_str().unwrap();
    [
        &["list"][..],
        &["list", "--json", "--search", "E-1"],
        &["show", "E-1"],
        &["show", "E-2", "--json"],
        &["letter", "E-1"],
        &["snapshot", "--keys", "jj<Enter><Esc>/E-2<Enter>"],
        &["check"],
        &["export", "events"],
        &["policy", "diff", "--policy-dir", p],
        &["roles"],
    ]
    .iter()
    .map(|a| a.iter().map(|s| s.to_string()).collect())
    .collect()
}

fn longer_window(dir: &Path) -> PathBuf {
    let p = dir.join("my-policy");
    std::fs::create_dir(&p).unwrap();
    let lcic =
        include_str!("../assets/policies/lcic.toml").replace("window_days = 5", "window_days = 30");
    std::fs::write(p.join("lcic.toml"), lcic).unwrap();
    p
}

/// What a bulk import killed before its end leaves owed in `meta` (see
/// store::bulk): the search index, which any writer then builds.
fn owe_search(db: &Path) {
    sql(db)
        .execute(
            "INSERT INTO meta (key, value) VALUES ('deferred_search', '1')",
            [],
        )
        .unwrap();
}

fn owes_search(db: &Path) -> bool {
    count(
        db,
        "SELECT count(*) FROM meta WHERE key = 'deferred_search'",
    ) == 1
}

#[test]
fn reading_commands_change_nothing_in_the_desk() {
    let tmp = tempfile::tempdir().unwrap();
    let db = working_desk(tmp.path());
    // Upkeep a reader could be tempted to do (on main, any open did it).
    owe_search(&db);
    let policy = longer_window(tmp.path());
    let before = bytes(&db);
    assert_eq!(before.1, None, "the writers closed the log");
    for a in readers(&policy) {
        let out = run(&db, &args(&a));
        assert!(out.code == 0, "{a:?}: {out:?}");
        let after = bytes(&db);
        assert_eq!(after.0, before.0, "{a:?} changed the desk file");
        // SQLite may leave an empty log for the next writer; never content.
        assert!(after.1.is_none_or(|w| w.is_empty()), "{a:?} wrote a log");
    }
    assert!(owes_search(&db), "a reader did the upkeep");
    // The next writing command does it.
    let empty = tmp.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    assert_eq!(run(&db, &["import", empty.to_str().unwrap()]).code, 0);
    assert!(!owes_search(&db));
}

#[test]
fn reading_a_desk_whose_writer_died_changes_neither_file_nor_log() {
    let tmp = tempfile::tempdir().unwrap();
    let db = working_desk(tmp.path());
    // A writer that commits and dies before any checkpoint: its work lives
    // only in the -wal (copied while it is open, like a crash image).
    let crashed = tmp.path().join("crashed");
    std::fs::create_dir(&crashed).unwrap();
    let image = crashed.join("desk.db");
    {
        let w = sql(&db);
        w.execute_batch(
            "PRAGMA wal_autocheckpoint = 0;
             UPDATE tickets SET customer = 'Only In The Log' WHERE id = 'E-3';",
        )
        .unwrap();
        std::fs::copy(&db, &image).unwrap();
        std::fs::copy(with_suffix(&db, "-wal"), with_suffix(&image, "-wal")).unwrap();
    }
    let before = bytes(&image);
    assert!(before.1.as_ref().is_some_and(|w| !w.is_empty()));
    let policy = longer_window(tmp.path());
    for a in readers(&policy) {
        let out = run(&image, &args(&a));
        assert!(out.code == 0, "{a:?}: {out:?}");
        assert_eq!(bytes(&image), before, "{a:?} changed the file or its log");
    }
    // What the log holds is read, not lost.
    let out = run(&image, &["list"]);
    assert!(out.stdout.contains("Only In The Log"), "{out:?}");
}

#[test]
fn a_console_that_only_looks_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let db = working_desk(tmp.path());
    // Upkeep the console could be tempted to do as it opens (main did).
    owe_search(&db);
    let before = bytes(&db);
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(r#"stty rows 24 cols 100 && exec "$0" "$@""#)
        .arg(bin())
        .arg("--db")
        .arg(&db)
        .env_remove("REFUND_DESK_NOW")
        .env_remove("REFUND_DESK_DB")
        .env("HOME", tmp.path())
        .env("XDG_DATA_HOME", tmp.path().join("data"))
        .env("XDG_CONFIG_HOME", tmp.path().join("config"))
        .env("TERM", "xterm-256color");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("E-0").unwrap();
    // Queues, moving, a ticket's detail, search, help: looking only.
    for keys in ["h", "l", "j", "j", "\r", "\x1b", "/E-2\r", "?", "\x1b", "k"] {
        p.send(keys).unwrap();
        p.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }
    p.send("q").unwrap();
    p.flush().unwrap();
    p.exp_eof().unwrap();
    let start = Instant::now();
    while with_suffix(&db, "-wal").exists() && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let after = bytes(&db);
    assert_eq!(after.0, before.0, "the console changed the desk file");
    assert!(
        after.1.is_none_or(|w| w.is_empty()),
        "the console wrote a log"
    );
    assert!(owes_search(&db));
}

/// The indexes and triggers on `events`, by kind and name.
fn events_schema(db: &Path) -> Vec<(String, String)> {
    sql(db)
        .prepare(
            "SELECT type, name FROM sqlite_schema
              WHERE tbl_name = 'events' AND sql IS NOT NULL ORDER BY 1, 2",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Turns a current desk back into the shape it had at schema version 5,
/// before events could belong to no ticket (6) and while the verdict index
/// was still made (7): every event tied to a ticket (NOT NULL), no
/// desk-level events, no kind or clock marks. Returns that version.
fn back_before_desk_events(db: &Path) -> i64 {
    let c = sql(db);
    let kept: Vec<String> = c
        .prepare(
            "SELECT sql FROM sqlite_schema
              WHERE tbl_name = 'events' AND type IN ('index', 'trigger') AND sql IS NOT NULL",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    c.execute_batch(
        "BEGIN;
         CREATE TABLE events_old (
             seq INTEGER PRIMARY KEY, ticket_id TEXT NOT NULL REFERENCES tickets (id),
             action TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL,
             operator TEXT NOT NULL, at TEXT NOT NULL, note TEXT,
             payload TEXT NOT NULL DEFAULT '{}') STRICT;
         INSERT INTO events_old SELECT * FROM events WHERE ticket_id IS NOT NULL;
         DROP TABLE events;
         ALTER TABLE events_old RENAME TO events;
         DELETE FROM meta WHERE key IN ('desk_kind', 'clock');
         CREATE INDEX tickets_by_verdict ON tickets (verdict_kind, received_us, id, product, due_target);",
    )
    .unwrap();
    for sql in kept {
        c.execute_batch(&sql).unwrap();
    }
    c.execute_batch("COMMIT; PRAGMA user_version = 5;").unwrap();
    5
}

#[test]
fn an_older_schema_is_refused_by_readers_and_upgraded_by_init() {
    let tmp = tempfile::tempdir().unwrap();
    let db = working_desk(tmp.path());
    let shape = events_schema(&db);
    let old = back_before_desk_events(&db);
    let trail = |db: &Path| -> Vec<(i64, String, String)> {
        sql(db)
            .prepare("SELECT seq, ticket_id, action FROM events ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let old_trail = trail(&db);
    let before = bytes(&db);
    let policy = longer_window(tmp.path());
    let mut all = readers(&policy);
    all.push(vec![]); // the console
    for a in all {
        let out = run(&db, &args(&a));
        out.assert_one_line_error(&format!(
            "has schema version {old}, older than this refund-desk's"
        ));
        assert!(out.stderr.contains("refund-desk --db"), "{out:?}");
        assert!(out.stderr.contains("init` upgrades it"), "{out:?}");
        assert_eq!(bytes(&db).0, before.0, "{a:?} changed the desk");
    }

    let out = run(&db, &["init"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr
            .contains(&format!("from schema version {old} to {}", old + 2)),
        "{out:?}"
    );
    assert_eq!(count(&db, "PRAGMA user_version"), old + 2);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM sqlite_schema WHERE name = 'tickets_by_verdict'"
        ),
        0
    );
    // Every event kept with its seq; desk-level events now fit.
    assert_eq!(trail(&db), old_trail);
    assert_eq!(run(&db, &["roles", "grant", "nobody", "agent"]).code, 0);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM events WHERE ticket_id IS NULL AND action = 'role_grant'"
        ),
        1
    );
    // Still append-only, still indexed.
    let c = sql(&db);
    for attack in [
        "UPDATE events SET operator = 'x'",
        "DELETE FROM events",
        "REPLACE INTO events (seq, ticket_id, action, operator, at)
           SELECT max(seq), NULL, 'x', 'x', 'x' FROM events",
    ] {
        let err = c.execute(attack, []).expect_err(attack);
        assert!(err.to_string().contains("append-only"), "{attack}: {err}");
    }
    assert_eq!(
        events_schema(&db),
        shape,
        "every index and trigger made again"
    );
    assert_eq!(run(&db, &["list"]).code, 0);
}

#[test]
fn demo_writes_only_into_a_desk_demo_made() {
    let tmp = tempfile::tempdir().unwrap();
    let real = working_desk(tmp.path());
    let before = bytes(&real);
    run(&real, &["demo", "--tickets", "3"]).assert_one_line_error(
        "is a real desk: demo writes only into a new file or a desk demo created",
    );
    assert_eq!(bytes(&real).0, before.0, "demo changed a real desk");
    assert_eq!(count(&real, "SELECT count(*) FROM tickets"), 6);

    // A test desk (made with a pinned clock) is not a demo desk either.
    let test = tmp.path().join("test.db");
    let input = tmp.path().join("t.jsonl");
    let made = desk_cmd(&test)
        .env("REFUND_DESK_NOW", "2026-11-23T10:00:00+08:00")
        .args(["import", input.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let out = Out::of(
        desk_cmd(&test)
            .env("REFUND_DESK_NOW", "2026-11-23T10:00:00+08:00")
            .args(["demo", "--tickets", "3"])
            .output()
            .unwrap(),
    );
    out.assert_one_line_error("is a test desk");

    let demo = tmp.path().join("demo.db");
    let out = run(&demo, &["demo", "--tickets", "4"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        sql(&demo)
            .query_row("SELECT value FROM meta WHERE key = 'desk_kind'", [], |r| {
                r.get::<_, String>(0)
            })
            .unwrap(),
        "demo"
    );
    // Into a desk demo made, demo goes on (on a pinned clock, the same
    // tickets again: nothing new, nothing refused).
    let pinned = tmp.path().join("pinned-demo.db");
    for _ in 0..2 {
        let out = Out::of(
            desk_cmd(&pinned)
                .env("REFUND_DESK_NOW", "2026-11-23T10:00:00+08:00")
                .args(["demo", "--tickets", "4"])
                .output()
                .unwrap(),
        );
        assert_eq!(out.code, 0, "{out:?}");
    }
    assert_eq!(count(&pinned, "SELECT count(*) FROM tickets"), 4);
}
