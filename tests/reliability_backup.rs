//! Backups while the desk is busy: `refund-desk backup PATH` taken while
//! another process keeps acting gives a copy that passes integrity_check and
//! opens with `refund-desk --db COPY list`. `refund-desk check` says ok on a
//! healthy file and names a stored verdict that was tampered with.

mod reliability_util;
use reliability_util::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// Cycles a ticket through actions that never end it.
const CYCLE: &[&[&str]] = &[
    &["take"],
    &["request_info", "--note", "statement"],
    &["info_received"],
    &["evaluate"],
    &["request_info", "--note", "again"],
    &["info_received"],
];

#[test]
fn a_backup_taken_while_agents_act_is_sound() {
    let tickets = 2_000 * scale() as usize; // several MB: the copy takes many steps
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, lcic_file("B", tickets)).unwrap();
    let out = run(&db, &["import", input.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");

    let stop = AtomicBool::new(false);
    let acted = AtomicU64::new(0);
    let copies = 3 * scale();
    let mut took = Vec::new();
    std::thread::scope(|s| {
        // Two agents keep writing while the copies are taken.
        for agent in 0..2u64 {
            let (db, stop, acted) = (&db, &stop, &acted);
            s.spawn(move || {
                let mut i = 0usize;
                while !stop.load(Relaxed) {
                    let id = format!("B-{}", agent as usize * 7 + (i / CYCLE.len()) * 2);
                    let mut a = vec!["act", id.as_str()];
                    a.extend_from_slice(CYCLE[i % CYCLE.len()]);
                    let out = run(db, &a);
                    assert!(
                        out.code == 0 || out.code == 1,
                        "writer during backup: {out:?}"
                    );
                    assert!(!out.stderr.contains("busy"), "writer: {out:?}");
                    if out.code == 0 {
                        acted.fetch_add(1, Relaxed);
                    }
                    i += 1;
                }
            });
        }
        for n in 0..copies {
            std::thread::sleep(Duration::from_millis(150));
            let copy = dir.path().join(format!("copy-{n}.db"));
            let before = acted.load(Relaxed);
            let t0 = Instant::now();
            let mut child = desk_cmd(&db)
                .arg("backup")
                .arg(&copy)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            // A backup that restarts for ever under writes would hang here.
            let status = loop {
                if let Some(st) = child.try_wait().unwrap() {
                    break st;
                }
                if t0.elapsed() > Duration::from_secs(60) {
                    child.kill().unwrap();
                    stop.store(true, Relaxed);
                    panic!("backup {n} did not finish in 60 s while agents acted");
                }
                std::thread::sleep(Duration::from_millis(10));
            };
            let out = Out::of(child.wait_with_output().unwrap());
            assert!(status.success(), "backup {n}: {out:?}");
            took.push((t0.elapsed(), acted.load(Relaxed) - before));
            assert_eq!(integrity(&copy), "ok", "copy {n}");
            let listed = run(&copy, &["list", "--json"]);
            assert_eq!(listed.code, 0, "copy {n}: {listed:?}");
            let rows: Vec<serde_json::Value> = serde_json::from_str(&listed.stdout).unwrap();
            assert_eq!(rows.len(), tickets, "copy {n} holds every ticket");
            // A consistent cut: every committed version bump has its event
            // (desk-level events, such as the creator's role, bump none).
            assert_eq!(
                count(&copy, "SELECT sum(version - 1) FROM tickets"),
                count(
                    &copy,
                    "SELECT count(*) FROM events
                      WHERE action NOT IN ('import', 'reverdict') AND ticket_id IS NOT NULL"
                ),
                "copy {n} is a consistent snapshot"
            );
            let check = run(&copy, &["check"]);
            assert_eq!(check.code, 0, "copy {n}: {check:?}");
        }
        stop.store(true, Relaxed);
    });
    println!(
        "backup: {copies} copies of {tickets} tickets while 2 agents acted ({} actions in all); \
         (time, actions during) per copy: {took:?}",
        acted.load(Relaxed)
    );
    // Backing up onto an existing file is refused, the file left alone.
    let existing = dir.path().join("copy-0.db");
    let before = std::fs::read(&existing).unwrap();
    run(&db, &["backup", existing.to_str().unwrap()]).assert_one_line_error("already exists");
    assert_eq!(std::fs::read(&existing).unwrap(), before);
}

#[test]
fn check_says_ok_when_healthy_and_names_a_tampered_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, lcic_file("V", 40)).unwrap();
    assert_eq!(run(&db, &["import", input.to_str().unwrap()]).code, 0);
    let ok = run(&db, &["check"]);
    assert_eq!(ok.code, 0, "{ok:?}");
    assert!(ok.stdout.contains("integrity: ok"), "{ok:?}");
    assert!(ok.stdout.contains("40 checked, 0 mismatches"), "{ok:?}");

    let c = sql(&db);
    // A reject turned into a refund, and a refund's amount inflated.
    c.execute(
        "UPDATE tickets SET verdict = replace(verdict, '\"full_refund\"', '\"reject\"'),
                verdict_kind = 'reject' WHERE id = 'V-3'",
        [],
    )
    .unwrap();
    c.execute(
        "UPDATE tickets SET verdict = replace(verdict, '\"90.00\"', '\"9000.00\"') WHERE id = 'V-17'",
        [],
    )
    .unwrap();
    drop(c);
    let bad = run(&db, &["check"]);
    assert_eq!(bad.code, 1, "{bad:?}");
    assert!(bad.stdout.contains("verdict mismatch V-3:"), "{bad:?}");
    assert!(bad.stdout.contains("verdict mismatch V-17:"), "{bad:?}");
    assert!(bad.stdout.contains("40 checked, 2 mismatches"), "{bad:?}");
    // check only reads: the tampered rows are still there for the auditor.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM tickets WHERE verdict LIKE '%9000.00%'"
        ),
        1
    );
}

/// `kill -9` of `backup` at moments spread over its length: PATH holds either
/// nothing or a whole desk that passes integrity_check; never a partial copy.
#[test]
fn a_backup_killed_half_way_leaves_nothing_at_its_destination() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, lcic_file("K", 4_000)).unwrap();
    assert_eq!(run(&db, &["import", input.to_str().unwrap()]).code, 0);

    // How long a whole backup takes here, to spread the kills over it.
    let started = Instant::now();
    let whole = dir.path().join("whole.db");
    assert_eq!(run(&db, &["backup", whole.to_str().unwrap()]).code, 0);
    let length = started.elapsed();
    assert_eq!(integrity(&whole), "ok");

    let kills = 12 * scale();
    let (mut absent, mut complete) = (0, 0);
    for n in 0..kills {
        let dest = dir.path().join(format!("killed-{n}.db"));
        let mut child = desk_cmd(&db)
            .args(["backup", dest.to_str().unwrap()])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(length.mul_f64((n + 1) as f64 / (kills + 1) as f64));
        let _ = child.kill();
        child.wait().unwrap();
        if !dest.exists() {
            absent += 1;
            continue;
        }
        assert_eq!(integrity(&dest), "ok", "kill {n}: a partial copy at PATH");
        assert_eq!(
            count(&dest, "SELECT count(*) FROM tickets"),
            4_000,
            "kill {n}: a copy at PATH without every ticket"
        );
        complete += 1;
    }
    eprintln!("{kills} kills over {length:?}: {absent} left nothing, {complete} a whole copy");
    assert!(absent > 0, "no kill landed before the end of the copy");
}
