//! Crash safety: `refund-desk import` of a big file is killed with SIGKILL at
//! varied moments (a random delay, a random WAL size reached mid-write, or
//! just after a batch committed). After every kill the file passes
//! `PRAGMA integrity_check`, holds only whole batches (no ticket without its
//! verdict or its import event), reading commands leave it as it is, the
//! next writing command builds every index and search document a killed
//! bulk load had deferred, and
//! re-running the import completes with exit 0 and no duplicates.
//!
//! Default: 12 kills, on files of 4,000 and 24,000 lines (the latter more
//! than four batches: they grow from 2,000 lines to 20,000).
//! RELIABILITY_SCALE=10: 120 kills, 30,000 lines.

mod reliability_util;
use reliability_util::*;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Lines sharing accounts out of received order, so a later batch changes
/// verdicts of an earlier one (the recompute path runs under the kill too).
fn big_file(lines: usize) -> String {
    let accounts = (lines / 4).max(1);
    let mut s = String::with_capacity(lines * 260);
    for i in 0..lines {
        let day = 1 + (i * 7 % 28);
        let received = format!("2026-10-{day:02}T{:02}:{:02}:00+08:00", i % 24, i % 60);
        s.push_str(&lcic(
            &format!("K-{i}"),
            &format!("ACC-{}", i % accounts),
            &received,
        ));
        s.push('\n');
    }
    s
}

#[derive(Debug, Clone, Copy)]
enum Trigger {
    /// After this many milliseconds.
    Delay(u64),
    /// As soon as the write-ahead log has grown past this many bytes.
    WalBytes(u64),
    /// As soon as another reader sees more tickets than before the run.
    AfterCommit,
}

fn wal_len(db: &Path) -> u64 {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn tickets(db: &Path) -> i64 {
    if !db.exists() {
        return 0;
    }
    let c = sql(db);
    // The table may not exist yet if the very first run was cut early.
    c.query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))
        .unwrap_or(0)
}

/// How many lines an import has committed after each of its batches: 2,000,
/// then twice the last batch, up to 20,000 a batch (store::import).
fn batch_ends(lines: i64) -> Vec<i64> {
    let (mut ends, mut size, mut at) = (vec![0], 2_000, 0);
    while at < lines {
        at = (at + size).min(lines);
        ends.push(at);
        size = (size * 2).min(20_000);
    }
    ends
}

/// Every stored ticket is whole: verdict computed, one import event.
fn assert_no_half_written(db: &Path, lines: i64) {
    let n = tickets(db);
    assert!(
        batch_ends(lines).contains(&n),
        "{n} tickets: not a whole number of batches ({:?})",
        batch_ends(lines)
    );
    if n == 0 {
        return;
    }
    let half = count(
        db,
        "SELECT count(*) FROM tickets t WHERE t.verdict = '' OR t.verdict_kind = ''
            OR t.policy_version = ''
            OR (SELECT count(*) FROM events e WHERE e.ticket_id = t.id AND e.action = 'import') != 1",
    );
    assert_eq!(half, 0, "half-written tickets");
    assert_eq!(
        count(db, "SELECT count(*) FROM events WHERE action = 'import'"),
        n,
        "one import event per ticket"
    );
}

fn index_names(db: &Path) -> Vec<String> {
    let c = sql(db);
    let mut stmt = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name")
        .unwrap();
    let names = stmt.query_map([], |r| r.get(0)).unwrap();
    names.collect::<Result<_, _>>().unwrap()
}

/// A reading command reads a file a killed load left behind and leaves
/// what it owes alone (reading never writes); the next writing command (an
/// empty import here) leaves it whole: every index of a fresh desk, nothing
/// owed in `meta`, one search document per ticket.
/// Returns whether a killed bulk load had left work owed.
fn assert_whole_after_open(db: &Path, fresh_indexes: &[String]) -> bool {
    let owed_rows = |db: &Path| {
        sql(db)
            .query_row(
                "SELECT count(*) FROM meta WHERE key LIKE 'deferred%'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_or(0)
    };
    let owed = db.exists() && owed_rows(db) > 0;
    if !db.exists() {
        // Killed before the desk was linked into place: nothing to open.
        return false;
    }
    let read = run(db, &["list", "--state", "closed"]);
    assert_eq!(read.code, 0, "{read:?}");
    assert_eq!(
        owed_rows(db) > 0,
        owed,
        "a reading command changed what is owed"
    );
    let empty = db.with_extension("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let opened = run(db, &["import", empty.to_str().unwrap()]);
    assert_eq!(opened.code, 0, "{opened:?}");
    assert_eq!(index_names(db), fresh_indexes, "indexes after reopening");
    assert_eq!(
        count(db, "SELECT count(*) FROM meta WHERE key LIKE 'deferred%'"),
        0
    );
    assert_eq!(
        count(db, "SELECT count(*) FROM tickets_fts_docsize"),
        tickets(db),
        "one search document per ticket"
    );
    owed
}

struct Target {
    db: PathBuf,
    input: String,
    lines: usize,
}

/// Re-running the import after kills completes and adds nothing twice; then
/// either a third run changes nothing, or (`check_verdicts`, cheaper on the
/// big file) every stored verdict equals a fresh evaluation. Then starts over.
fn complete(t: &Target, check_verdicts: bool) {
    let db = &t.db;
    let lines = t.lines as i64;
    let out = run(db, &["import", &t.input]);
    assert_eq!(out.code, 0, "re-run after kills: {out:?}");
    assert_eq!(tickets(db), lines, "row count = line count");
    assert_no_half_written(db, lines);
    assert_eq!(
        count(
            db,
            "SELECT count(DISTINCT ticket_id) FROM events WHERE action = 'import'"
        ),
        lines
    );
    if !check_verdicts {
        let again = run(db, &["import", &t.input]);
        assert_eq!(again.code, 0, "{again:?}");
        assert!(
            again
                .stderr
                .contains(&format!("0 new, 0 updated, {lines} unchanged")),
            "{again:?}"
        );
    } else {
        let check = run(db, &["check"]);
        assert_eq!(check.code, 0, "{check:?}");
        assert!(check.stdout.contains(" 0 mismatches"), "{check:?}");
    }
    for ext in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(ext);
        let _ = std::fs::remove_file(p);
    }
}

#[test]
fn import_killed_at_random_moments_leaves_a_sound_file_and_resumes() {
    let scale = scale();
    let kills = 12 * scale;
    let dir = tempfile::tempdir().unwrap();
    let target = |name: &str, lines: usize| {
        let input = dir.path().join(format!("{name}.jsonl"));
        std::fs::write(&input, big_file(lines)).unwrap();
        Target {
            db: dir.path().join(format!("{name}.db")),
            input: input.to_str().unwrap().to_string(),
            lines,
        }
    };
    // Most kills on a one-batch file (quick), every sixth on a file of
    // several batches (kills between and inside batches).
    let small = target("small", 4_000);
    let big = target("big", if scale >= 10 { 30_000 } else { 24_000 });
    let reference = dir.path().join("fresh.db");
    assert_eq!(run(&reference, &["init"]).code, 0);
    let fresh_indexes = index_names(&reference);
    let mut rng = Prng::new(0x5EED_C4A5);
    let started = Instant::now();
    let (mut killed, mut finished_first, mut completions) = (0u64, 0u64, 0u64);
    let mut repaired = 0u64;
    let mut seen_counts = std::collections::BTreeMap::<(usize, i64), u64>::new();
    for k in 0..kills {
        let t = if k % 6 == 5 { &big } else { &small };
        let db = &t.db;
        if tickets(db) == t.lines as i64 {
            complete(t, false);
            completions += 1;
        }
        let ms_scale = (t.lines / 2_000) as u64; // ~ the run's length in debug
        let trigger = match rng.below(3) {
            0 => Trigger::Delay(rng.below(300 * ms_scale)),
            1 => Trigger::WalBytes(rng.below(1_800_000 * ms_scale)),
            _ => Trigger::AfterCommit,
        };
        let before = tickets(db);
        let mut child = desk_cmd(db)
            .args(["import", &t.input])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        let limit = Duration::from_secs(120);
        let exited = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break Some(st);
            }
            let fire = match trigger {
                Trigger::Delay(ms) => t0.elapsed() >= Duration::from_millis(ms),
                Trigger::WalBytes(b) => wal_len(db) > b,
                Trigger::AfterCommit => tickets(db) > before,
            };
            if fire || t0.elapsed() > limit {
                break None;
            }
            std::thread::sleep(Duration::from_millis(match trigger {
                Trigger::AfterCommit => 10,
                _ => 1,
            }));
        };
        match exited {
            Some(st) => {
                assert!(st.success(), "import ended on its own with {st}");
                finished_first += 1;
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                killed += 1;
            }
        }
        // A desk appears whole or not at all (it is linked into place).
        if db.exists() {
            assert_eq!(integrity(db), "ok", "after kill {k} ({trigger:?})");
        }
        repaired += u64::from(assert_whole_after_open(db, &fresh_indexes));
        assert_no_half_written(db, t.lines as i64);
        *seen_counts.entry((t.lines, tickets(db))).or_default() += 1;
    }
    complete(&small, false);
    complete(&big, true);
    completions += 2;
    println!(
        "crash: {killed} SIGKILLs survived ({finished_first} runs finished before their \
         trigger, {repaired} bulk loads cut short and completed by the next open), \
         {completions} re-runs to completion; (file lines, tickets) after each run: \
         {seen_counts:?}; {:.1?}",
        started.elapsed()
    );
    assert!(killed >= kills / 2, "too few runs were actually killed");
}
