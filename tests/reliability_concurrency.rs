//! Concurrent agents: 8 processes of the real binary act on overlapping
//! tickets of one database file, each reading the version with `show --json`
//! just before acting with `--expect-version`. Every action commits or is
//! refused with one line; the events table holds exactly the committed ones;
//! nobody ever sees "database is locked/busy".
//!
//! Default: 8 agents x 60 actions. RELIABILITY_SCALE=10 gives 8 x 600.

mod reliability_util;
use reliability_util::*;
use serde_json::Value;
use std::path::Path;

const AGENTS: usize = 8;

#[derive(Default, Debug, Clone)]
struct Tally {
    done: u64,
    noop: u64,
    stale: u64,
    guarded: u64,
    /// Guard refusals by reason (ticket id taken out).
    reasons: std::collections::BTreeMap<String, u64>,
    bad: Vec<String>,
}

fn looks_busy(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    s.contains("database is locked") || s.contains("database is busy") || s.contains("is busy")
}

/// An action for the state the agent just saw. Mostly moves that keep the
/// ticket alive (loops through awaiting_info and negotiation), sometimes a
/// deliberate guard violation, rarely a terminal step.
fn choose(rng: &mut Prng, shown: &Value) -> Vec<String> {
    let state = shown["state"].as_str().unwrap_or("");
    let wf = &shown["workflow"];
    let pending = !wf["pending"].is_null();
    let approved = wf["decision"]["decision"] == "approve";
    let executed = !wf["execution"].is_null();
    let r = rng.below(100);
    let v: &[&str] = if pending {
        // Every agent here is the same OS user: signing off one's own
        // proposal is refused (four-eyes); declining clears it.
        if r < 50 {
            &["sign_off"]
        } else {
            &["decline", "--note", "not this route"]
        }
    } else {
        match state {
            "submitted" => &["take"],
            "initial_review" | "evaluation" => match r {
                0..=24 => &["request_info", "--note", "bank statement"],
                25..=44 if state == "initial_review" => &["evaluate"],
                25..=64 => &["approve", "--amount", "50.00"],
                65..=79 => &["reject", "--clause", "LCIC-WINDOW"],
                80..=89 => &["approve", "--amount", "0"], // guard: > 0
                _ => &["reject"],                         // guard: names a clause
            },
            "awaiting_info" => &["info_received", "--note", "got it"],
            "feedback" => match (approved, r) {
                (_, 0..=49) => &["appeal", "--amount", "80.00", "--note", "more please"],
                (true, _) => &["accept"],
                (false, 50..=69) => &["accept"], // guard: decision was reject
                (false, 70..=79) => &["close", "--note", "informed"],
                (false, _) => &["appeal", "--note", "please reconsider"],
            },
            "negotiation" => match r {
                0..=34 => &["offer", "--amount", "60.00", "--party", "desk"],
                35..=54 => &["offer", "--amount", "85.00", "--party", "customer"],
                55..=64 => &["offer", "--amount", "900.00", "--party", "desk"], // guard
                65..=79 => &["revise", "--amount", "70.00"],
                80..=94 => &["agree", "--amount", "65.00"],
                _ => match rng.below(4) {
                    0 => &["close", "--note", "no agreement"],
                    _ => &["offer", "--amount", "55.00", "--party", "desk"],
                },
            },
            "execution" if !executed => match r {
                0..=79 => &["execute", "--route", "original"],
                // Needs a second person: becomes a pending proposal.
                _ => &["execute", "--route", "alternate", "--account", "IBAN X"],
            },
            "execution" => match r {
                0..=29 => &["complete", "--reference", "PAY-1"],
                _ => &["request_info", "--note", "payout details"], // guard
            },
            // Terminal: anything is refused by a guard, nothing changes.
            _ => match r {
                0..=89 => &["withdraw"],
                _ => &["take"],
            },
        }
    };
    if !pending && state != "closed" && state != "completed" && rng.chance(1) {
        return vec!["withdraw".into(), "--note".into(), "customer left".into()];
    }
    v.iter().map(|s| s.to_string()).collect()
}

fn agent(db: &Path, seed: u64, tickets: usize, actions: u64) -> Tally {
    let mut rng = Prng::new(seed);
    let mut t = Tally::default();
    // Tickets this agent saw terminal: mostly skipped, sometimes retried (refused).
    let mut done_with = std::collections::BTreeSet::new();
    for _ in 0..actions {
        let mut n = rng.below(tickets as u64);
        for _ in 0..8 {
            if !done_with.contains(&n) || rng.chance(5) {
                break;
            }
            n = rng.below(tickets as u64);
        }
        let id = format!("CC-{n}");
        let shown = run(db, &["show", &id, "--json"]);
        if shown.code != 0 || looks_busy(&shown.stderr) {
            t.bad.push(format!("show {id}: {shown:?}"));
            continue;
        }
        let v: Value = serde_json::from_str(&shown.stdout).expect("show --json is JSON");
        let version = v["version"].as_i64().expect("version").to_string();
        if matches!(v["state"].as_str(), Some("closed" | "completed")) {
            done_with.insert(n);
        }
        let mut args: Vec<String> = vec!["act".into(), id.clone()];
        args.extend(choose(&mut rng, &v));
        args.extend(["--expect-version".into(), version]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(db, &argv);
        let one_line = out.stderr.trim_end().lines().count() == 1;
        match out.code {
            _ if looks_busy(&out.stderr) || looks_busy(&out.stdout) => {
                t.bad.push(format!("{argv:?}: {out:?}"))
            }
            0 if out.stdout.contains("already done") => t.noop += 1,
            0 if out.stdout.contains(": now ") || out.stdout.contains(": proposed;") => t.done += 1,
            1 if one_line && out.stderr.contains("ticket changed by") => t.stale += 1,
            1 if one_line && out.stderr.starts_with("refund-desk: ") => {
                t.guarded += 1;
                let why = out.stderr.trim().replace(&format!("{id} "), "");
                *t.reasons.entry(why).or_default() += 1;
            }
            _ => t.bad.push(format!("{argv:?}: {out:?}")),
        }
    }
    t
}

#[test]
fn eight_agents_on_one_file_commit_or_are_refused_and_every_commit_is_one_event() {
    let per_agent = 60 * scale();
    let tickets = (AGENTS as u64 * per_agent / 12).max(12) as usize;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let mut file = String::new();
    for i in 0..tickets {
        // Distinct accounts: each a plain full_refund of 90.00.
        file.push_str(&lcic(
            &format!("CC-{i}"),
            &format!("ACC-{i}"),
            "2026-11-03T10:00:00+08:00",
        ));
        file.push('\n');
    }
    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, file).unwrap();
    let imp = run(&db, &["import", input.to_str().unwrap()]);
    assert_eq!(imp.code, 0, "{imp:?}");
    let before = count(&db, "SELECT count(*) FROM events");

    // Meanwhile a supervisor imports the next files (each one write
    // transaction of 1,500 tickets): agents wait for it, they never fail.
    let imports: Vec<std::path::PathBuf> = (0..3 * scale())
        .map(|n| {
            let p = dir.path().join(format!("more-{n}.jsonl"));
            std::fs::write(&p, lcic_file(&format!("IM{n}"), 1_500)).unwrap();
            p
        })
        .collect();
    let started = std::time::Instant::now();
    let (tallies, imported): (Vec<Tally>, Vec<Out>) = std::thread::scope(|s| {
        let hs: Vec<_> = (0..AGENTS)
            .map(|a| {
                let db = db.clone();
                s.spawn(move || agent(&db, 0xC0FFEE + a as u64, tickets, per_agent))
            })
            .collect();
        let importer = s.spawn(|| {
            imports
                .iter()
                .map(|p| {
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    run(&db, &["import", p.to_str().unwrap()])
                })
                .collect::<Vec<_>>()
        });
        let t = hs.into_iter().map(|h| h.join().unwrap()).collect();
        (t, importer.join().unwrap())
    });
    for o in &imported {
        assert_eq!(o.code, 0, "import beside the agents: {o:?}");
        assert!(!looks_busy(&o.stderr), "{o:?}");
    }
    let mut all = Tally::default();
    for t in &tallies {
        all.done += t.done;
        all.noop += t.noop;
        all.stale += t.stale;
        all.guarded += t.guarded;
        all.bad.extend(t.bad.iter().cloned());
        for (k, n) in &t.reasons {
            *all.reasons.entry(k.clone()).or_default() += n;
        }
    }
    println!(
        "concurrency: {} agents x {per_agent} actions on {tickets} tickets (and {} imports \
         of 1,500 lines beside them) in {:.1?}: \
         {} committed, {} no-ops, {} stale refusals, {} guard refusals",
        AGENTS,
        imported.len(),
        started.elapsed(),
        all.done,
        all.noop,
        all.stale,
        all.guarded
    );
    for (why, n) in &all.reasons {
        println!("  {n:5} x {why}");
    }
    assert!(
        all.bad.is_empty(),
        "{} unexpected outcomes, first: {:#?}",
        all.bad.len(),
        &all.bad[..all.bad.len().min(5)]
    );
    assert_eq!(
        all.done + all.noop + all.stale + all.guarded,
        AGENTS as u64 * per_agent
    );
    let events = count(
        &db,
        "SELECT count(*) FROM events WHERE action NOT IN ('import', 'reverdict') AND ticket_id IS NOT NULL",
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM tickets") as usize,
        tickets + 1_500 * imported.len()
    );
    assert_eq!(events as u64, all.done, "committed events vs actions done");
    assert_eq!(
        count(&db, "SELECT count(*) FROM events") - before,
        events + 1_500 * imported.len() as i64,
        "workflow events and one import event per imported ticket, nothing else"
    );
    // Every commit bumped exactly one version: no lost update.
    assert_eq!(
        count(&db, "SELECT sum(version - 1) FROM tickets") as u64,
        all.done
    );
    assert!(all.stale > 0, "overlapping agents should collide sometimes");
    assert_eq!(integrity(&db), "ok");
}

/// The first morning: 8 agents import into a brand-new file at the same
/// moment (only creating commands make a desk). Every one gets in; the desk
/// is made once, whole; one first supervisor; every ticket once.
#[test]
fn eight_agents_opening_a_brand_new_file_at_once_all_get_in() {
    let rounds = 6 * scale();
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("alone.db");
    assert_eq!(run(&reference, &["init"]).code, 0);
    let schema_version = count(&reference, "PRAGMA user_version");
    let input = dir.path().join("first.jsonl");
    std::fs::write(&input, lcic_file("F", 20)).unwrap();
    let input = input.to_str().unwrap();
    for round in 0..rounds {
        let db = dir.path().join(format!("fresh-{round}.db"));
        let outs: Vec<Out> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..AGENTS)
                .map(|_| s.spawn(|| run(&db, &["import", input])))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for o in &outs {
            assert_eq!(o.code, 0, "round {round}: {o:?}");
            assert!(!looks_busy(&o.stderr), "round {round}: {o:?}");
        }
        assert_eq!(count(&db, "PRAGMA user_version"), schema_version);
        assert_eq!(count(&db, "SELECT count(*) FROM operators"), 1);
        assert_eq!(count(&db, "SELECT count(*) FROM tickets"), 20);
        assert_eq!(integrity(&db), "ok");
    }
    // Nothing half-made is left beside the desks.
    let litter: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(litter.is_empty(), "{litter:?}");
    println!("first open: {rounds} rounds of {AGENTS} simultaneous openers, all in");
}
