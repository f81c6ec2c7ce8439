//! A ticket's verdict never depends on the order tickets were imported in
//! (SPEC §2): thousands of generated tickets, shuffled and imported in
//! pieces, end with the verdicts `eval` gives the whole file, earlier
//! verdicts recomputed as earlier tickets arrive. And importers racing on
//! one file lose and duplicate nothing. On either engine (pg_import_order
//! runs this against PostgreSQL).

mod common;
mod reliability_util;

use common::Desk;
use reliability_util::Prng;
use serde_json::Value;
use std::collections::BTreeMap;

/// `n` realistic tickets from the demo generator, one JSON line each.
fn generated(desk: &Desk, n: usize, seed: u64) -> Vec<String> {
    let (code, out, err) = desk.run(&[
        "demo",
        "--print",
        "--tickets",
        &n.to_string(),
        "--seed",
        &seed.to_string(),
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<String> = out.lines().map(str::to_string).collect();
    assert_eq!(lines.len(), n);
    lines
}

fn shuffled(mut lines: Vec<String>, rng: &mut Prng) -> Vec<String> {
    for i in (1..lines.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        lines.swap(i, j);
    }
    lines
}

/// id -> verdict, as `eval` gives them for the file (no desk touched).
fn evaluated(desk: &Desk, lines: &[String]) -> BTreeMap<String, Value> {
    let file = desk.write("whole.jsonl", &(lines.join("\n") + "\n"));
    let (code, out, err) = desk.run(&["eval", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), v["verdict"].clone())
        })
        .collect()
}

/// id -> verdict, as the desk stores them.
fn stored(desk: &Desk) -> BTreeMap<String, Value> {
    let (code, out, err) = desk.run(&["list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    let by_id: BTreeMap<String, Value> = rows
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r["verdict"].clone()))
        .collect();
    assert_eq!(by_id.len(), rows.len(), "an id listed twice");
    by_id
}

fn assert_same(got: &BTreeMap<String, Value>, want: &BTreeMap<String, Value>, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: ticket count");
    for (id, verdict) in want {
        assert_eq!(got.get(id), Some(verdict), "{what}: {id}");
    }
}

/// The counts of an import's last line: (new, updated, unchanged, rejected).
fn counts(stderr: &str) -> (u64, u64, u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("imported "))
        .unwrap_or_else(|| panic!("no summary in {stderr}"));
    let n: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (n[0], n[1], n[2], n[3])
}

#[test]
fn shuffled_pieces_of_thousands_of_tickets_get_the_verdicts_eval_gives() {
    let mut reverdicted = 0;
    for seed in [3_u64, 14, 15] {
        let desk = Desk::new();
        let lines = generated(&desk, 2_000, seed);
        let want = evaluated(&desk, &lines);
        let mut rng = Prng::new(seed);
        let lines = shuffled(lines, &mut rng);
        // Four imports of uneven size: later pieces bring earlier tickets of
        // accounts the desk already judged.
        let mut cuts = vec![0, lines.len()];
        for _ in 0..3 {
            cuts.push(1 + rng.below(lines.len() as u64 - 1) as usize);
        }
        cuts.sort_unstable();
        for (k, w) in cuts.windows(2).enumerate() {
            let text = lines[w[0]..w[1]].join("\n") + "\n";
            let (code, _, err) = desk.import(&format!("piece-{k}.jsonl"), &text);
            assert_eq!(code, 0, "seed {seed} piece {k}: {err}");
            assert_eq!(counts(&err).0, (w[1] - w[0]) as u64, "{err}");
            reverdicted += err.contains("earlier verdicts changed") as u32;
        }
        assert_same(&stored(&desk), &want, &format!("seed {seed}"));
        let (code, out, err) = desk.run(&["check"]);
        assert!(
            out.contains("2000 checked, 0 mismatches"),
            "seed {seed}: exit {code}\n{out}{err}"
        );
        // Again, whole and in received order: nothing new, nothing changes.
        let (code, _, err) = desk.import("again.jsonl", &(lines.join("\n") + "\n"));
        assert_eq!((code, counts(&err)), (0, (0, 0, 2_000, 0)), "{err}");
        assert_same(&stored(&desk), &want, &format!("seed {seed}, again"));
    }
    assert!(reverdicted > 0, "no piece brought an earlier ticket");
}

#[test]
fn importers_racing_on_one_file_lose_and_duplicate_nothing() {
    const RACERS: usize = 4;
    let desk = Desk::new();
    assert_eq!(desk.run(&["init"]).0, 0);
    let lines = generated(&desk, 1_500, 9);
    let want = evaluated(&desk, &lines);
    let lines = shuffled(lines, &mut Prng::new(9));
    let file = desk.write("shared.jsonl", &(lines.join("\n") + "\n"));
    let outs: Vec<std::process::Output> = std::thread::scope(|s| {
        let racers: Vec<_> = (0..RACERS)
            .map(|_| {
                s.spawn(|| {
                    desk.cmd_std()
                        .args(["import", file.to_str().unwrap()])
                        .output()
                        .unwrap()
                })
            })
            .collect();
        racers.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let (mut added, mut unchanged) = (0, 0);
    for o in &outs {
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{err}");
        let (new, updated, same, rejected) = counts(&err);
        assert_eq!((updated, rejected), (0, 0), "{err}");
        added += new;
        unchanged += same;
    }
    assert_eq!((added, unchanged), (1_500, 1_500 * (RACERS as u64 - 1)));
    assert_same(&stored(&desk), &want, "after the race");
    // Each ticket was imported once: one import event in its history.
    for id in want.keys().step_by(97) {
        let events = desk.show(id)["events"].clone();
        let imports = events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "import")
            .count();
        assert_eq!(imports, 1, "{id}: {events}");
    }
}
