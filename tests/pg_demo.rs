//! `demo` into a PostgreSQL desk: the same tickets walked the same way as
//! on a file, every step by the session's user (the server records no
//! other operator, and made-up names have no login there).

mod common;

use common::{Desk, Engine};
use serde_json::Value;

fn states(desk: &Desk) -> Vec<(String, String)> {
    let (code, out, err) = desk.run(&["list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    let mut all: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().into(),
                r["state"].as_str().unwrap().into(),
            )
        })
        .collect();
    all.sort();
    all
}

#[test]
fn demo_walks_the_same_tickets_as_the_session_user() {
    let pg = Desk::new();
    assert_eq!(pg.engine, Engine::Postgres);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let file = Desk::sqlite_at(dir, db);
    let mut walked = Vec::new();
    for desk in [&pg, &file] {
        let (code, out, err) = desk.run(&["demo", "--tickets", "120"]);
        assert_eq!(code, 0, "{out}{err}");
        let line = err.lines().find(|l| l.starts_with("generated")).unwrap();
        // "(N moved through the workflow)"
        let moved = line.split(" (").nth(1).unwrap().split(')').next().unwrap();
        walked.push(moved.to_string());
    }
    assert_eq!(walked[0], walked[1]);
    assert_eq!(states(&pg), states(&file));
    let me = refund_desk::operator::current().unwrap();
    let (code, out, err) = pg.run(&["export", "events"]);
    assert_eq!(code, 0, "{err}");
    let operators: std::collections::BTreeSet<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["operator"]
                .as_str()
                .unwrap()
                .into()
        })
        .collect();
    assert_eq!(operators.into_iter().collect::<Vec<_>>(), vec![me]);
}
