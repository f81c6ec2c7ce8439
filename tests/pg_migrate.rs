//! `migrate --to URL` (SPEC §5): a SQLite desk into an empty PostgreSQL
//! database on the real server, verified, and the migrated desk lists,
//! shows and continues exactly as the file does.

mod common;
mod reliability_util;

use common::{pg, Desk};
use reliability_util::TempUsers;

/// A SQLite desk with history: the examples imported, a few tickets walked
/// through the workflow, a role granted to a real OS user.
fn sqlite_desk_with_history(agent: &str) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let desk = Desk::sqlite_at(dir, db);
    let (code, _, err) = desk.run(&["import", common::examples().to_str().unwrap()]);
    assert!(code == 0 || code == 3, "{err}");
    let (code, _, err) = desk.run(&["roles", "grant", agent, "agent"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = desk.run(&["list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    for row in rows.iter().take(6) {
        let id = row["id"].as_str().unwrap();
        let (code, _, err) = desk.act(id, &["take"]);
        assert_eq!(code, 0, "{id}: {err}");
        desk.act(id, &["note", "--note", "多语言 note ✓"]);
    }
    desk
}

fn on(url: &str, args: &[&str]) -> (i32, String, String) {
    common::run_on(url, args)
}

fn cluster() -> &'static pg::Cluster {
    pg::cluster().unwrap_or_else(|| {
        pg::say_skipped();
        std::process::exit(0)
    })
}

#[test]
fn a_migrated_desk_lists_shows_and_continues_as_the_file_does() {
    let Some(users) = TempUsers::create("mg", 1) else {
        eprintln!("SKIPPED (not root): migrate with a real agent");
        return;
    };
    let agent = &users.users[0];
    let file = sqlite_desk_with_history(agent);
    let pg = cluster();
    let url = pg.fresh_database();
    pg.login_role(agent);

    let (code, out, err) = file.run(&["migrate", "--to", &url]);
    assert_eq!(code, 0, "{out}{err}");
    for table in ["tickets", "events", "policy_history", "leases", "roles"] {
        let line = out
            .lines()
            .find(|l| l.starts_with(table))
            .unwrap_or_else(|| panic!("{table} missing: {out}"));
        assert!(line.ends_with("same"), "{line}");
    }
    assert!(err.contains("every table's rows and digest match"), "{err}");

    // The same desk, whichever engine: every reading command prints the same.
    for args in [
        &["list", "--json"][..],
        &["roles"],
        &["policy", "show"],
        &["export", "events"],
        &["export", "payouts"],
    ] {
        let (a_code, a, a_err) = file.run(args);
        let (b_code, b, b_err) = on(&url, args);
        assert_eq!((a_code, b_code), (0, 0), "{args:?}: {a_err} / {b_err}");
        assert_eq!(a, b, "{args:?}");
    }
    let (_, listed, _) = file.run(&["list", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&listed).unwrap();
    assert!(rows.len() >= 20);
    for row in &rows {
        let id = row["id"].as_str().unwrap();
        assert_eq!(
            file.run(&["show", id, "--json"]).1,
            on(&url, &["show", id, "--json"]).1,
            "{id}"
        );
    }

    // And it continues: the next action on each gets the same result.
    let id = rows[0]["id"].as_str().unwrap();
    let a = file.act(id, &["evaluate"]);
    let b = on(&url, &["act", id, "evaluate"]);
    assert_eq!((a.0, &a.1), (b.0, &b.1), "{} / {}", a.2, b.2);
    assert_eq!(
        file.run(&["show", id, "--json"]).1,
        on(&url, &["show", id, "--json"]).1
    );

    // A desk already there is never migrated over.
    let (code, _, err) = file.run(&["migrate", "--to", &url]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("holds a desk already"), "{err}");
}

#[test]
fn an_operator_without_a_login_role_stops_the_migration_before_anything_is_written() {
    let Some(users) = TempUsers::create("mh", 1) else {
        eprintln!("SKIPPED (not root): migrate with a real agent");
        return;
    };
    let agent = &users.users[0];
    let file = sqlite_desk_with_history(agent);
    let pg = cluster();
    let url = pg.fresh_database();
    let (code, _, err) = file.run(&["migrate", "--to", &url]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(agent.as_str()) && err.contains("login role"),
        "{err}"
    );
    let db = url.split('/').nth(3).unwrap().split('?').next().unwrap();
    let schemas = pg.superuser_sql(
        db,
        "SELECT count(*) FROM pg_namespace WHERE nspname = 'refund_desk'",
    );
    assert_eq!(schemas.trim(), "0", "nothing written");
}

#[test]
fn migrate_takes_only_a_postgres_url_and_only_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let file = Desk::sqlite_at(dir, db);
    assert_eq!(file.run(&["init"]).0, 0);
    let (code, _, err) = file.run(&["migrate", "--to", "/tmp/elsewhere.db"]);
    assert_eq!(code, 2, "{err}");
    let pg = cluster();
    let url = pg.fresh_database();
    assert_eq!(on(&url, &["init"]).0, 0);
    let other = pg.fresh_database();
    let (code, _, err) = on(&url, &["migrate", "--to", &other]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("PostgreSQL desk already"), "{err}");
}
