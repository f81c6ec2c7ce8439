//! Helpers shared by the integration tests: a fresh database per test and
//! the real binary.
#![allow(dead_code)]

mod tickets;
#[allow(unused_imports)]
pub use tickets::*;
/// Used as `common::input::…`: its `lcic` differs from [`lcic`] below.
pub mod input;
/// A throwaway PostgreSQL cluster for the tests of that backend.
pub mod pg;

use assert_cmd::Command;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The database engine a test binary's desks live in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// PostgreSQL when `REFUND_DESK_TEST_ENGINE=postgres`, or when the test
/// binary's name starts with `pg_`: a `tests/pg_X.rs` holding only
///
/// ```ignore
/// #[path = "X.rs"]
/// mod tests;
/// ```
///
/// runs the tests of `X.rs` against PostgreSQL. (Not `include!("X.rs")`: it
/// refuses the file's `//!` doc comment.) Tests that make their own SQLite
/// path instead of a [`Desk`] still run on SQLite there: use a `Desk`, or
/// return early on `engine() == Engine::Postgres`.
pub fn engine() -> Engine {
    match std::env::var("REFUND_DESK_TEST_ENGINE").as_deref() {
        Ok("postgres") => return Engine::Postgres,
        Ok("sqlite") | Ok("") | Err(_) => {}
        Ok(other) => panic!("REFUND_DESK_TEST_ENGINE={other:?}: expected postgres or sqlite"),
    }
    let exe = std::env::current_exe().unwrap();
    let name = exe.file_name().unwrap().to_string_lossy();
    if name.starts_with("pg_") {
        Engine::Postgres
    } else {
        Engine::Sqlite
    }
}

pub struct Desk {
    pub dir: tempfile::TempDir,
    /// The SQLite file (on PostgreSQL, a path nothing creates).
    pub db: PathBuf,
    /// What `REFUND_DESK_DB` says: the SQLite path, or a PostgreSQL URL.
    pub url: String,
    pub engine: Engine,
}

/// Pinned clock for every command, so due dates and events are stable.
pub const NOW: &str = "2026-11-23T10:00:00+08:00";

impl Desk {
    /// A fresh desk in the binary's [`engine`]: a new SQLite file, or a new
    /// database on the process's PostgreSQL cluster.
    ///
    /// On PostgreSQL without a server (and `REFUND_DESK_REQUIRE_PG` unset)
    /// this ends the whole test process with exit 0 after a SKIPPED line on
    /// the real stderr: libtest has no skip, a pg_ binary can run none of its
    /// desk tests without a server, and any fallback to SQLite would let a
    /// PostgreSQL run pass without touching PostgreSQL. (With
    /// `REFUND_DESK_REQUIRE_PG=1` it panics instead, see [`pg::cluster`].)
    pub fn new() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.db");
        let engine = engine();
        let url = match engine {
            Engine::Sqlite => db.to_str().unwrap().to_owned(),
            Engine::Postgres => match pg::cluster() {
                Some(c) => c.fresh_database(),
                None => {
                    let exe = std::env::current_exe().unwrap();
                    let _ = writeln!(
                        std::io::stderr(),
                        "SKIPPED (no PostgreSQL server): every test of {}",
                        exe.file_name().unwrap().to_string_lossy()
                    );
                    std::process::exit(0)
                }
            },
        };
        Desk {
            dir,
            db,
            url,
            engine,
        }
    }

    /// A SQLite desk at `db` (e.g. in a directory several OS users share).
    pub fn sqlite_at(dir: tempfile::TempDir, db: PathBuf) -> Desk {
        Desk {
            url: db.to_str().unwrap().to_owned(),
            engine: Engine::Sqlite,
            dir,
            db,
        }
    }

    /// Lets these OS users (throwaway test users) connect to the desk as
    /// themselves: a LOGIN role each on PostgreSQL; nothing on SQLite, where
    /// the file's directory decides.
    pub fn grant_login(&self, os_users: &[&str]) {
        if self.engine == Engine::Postgres {
            let pg = pg::cluster().expect("a PostgreSQL desk has a cluster");
            for u in os_users {
                pg.login_role(u);
            }
        }
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("refund-desk").unwrap();
        c.env("REFUND_DESK_DB", &self.url)
            .env("REFUND_DESK_NOW", NOW)
            .env_remove("NO_COLOR");
        c
    }

    /// The same command as a std `Command`, for a child to watch while it runs.
    pub fn cmd_std(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("refund-desk"));
        c.env("REFUND_DESK_DB", &self.url)
            .env("REFUND_DESK_NOW", NOW)
            .env_remove("NO_COLOR");
        c
    }

    /// Runs a command and returns (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        outcome(self.cmd().args(args).output().unwrap())
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    pub fn import(&self, name: &str, text: &str) -> (i32, String, String) {
        let p = self.write(name, text);
        self.run(&["import", p.to_str().unwrap()])
    }

    pub fn show(&self, id: &str) -> serde_json::Value {
        let (code, out, err) = self.run(&["show", id, "--json"]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    }

    pub fn act(&self, id: &str, args: &[&str]) -> (i32, String, String) {
        let mut all = vec!["act", id];
        all.extend_from_slice(args);
        self.run(&all)
    }
}

/// A finished command as (exit code, stdout, stderr).
pub fn outcome(out: std::process::Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the binary on the desk at `url` (a path or a PostgreSQL URL) with
/// the pinned clock: (exit code, stdout, stderr).
pub fn run_on(url: &str, args: &[&str]) -> (i32, String, String) {
    outcome(
        Command::cargo_bin("refund-desk")
            .unwrap()
            .env("REFUND_DESK_DB", url)
            .env("REFUND_DESK_NOW", NOW)
            .args(args)
            .output()
            .unwrap(),
    )
}

pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/examples/tickets.jsonl")
}

/// A valid LCIC ticket line with the given id, account and received time.
pub fn lcic(id: &str, account: &str, received: &str) -> String {
    serde_json::json!({
        "id": id, "received_at": received, "product": "lcic",
        "account": {"id": account}, "reason": "unused",
        "package": {"billing": "monthly", "purchased_at": received},
        "payment": {"currency": "USD", "cash": "90.00"}
    })
    .to_string()
}

/// The desk at `path` through the library as `who`, created as a test desk
/// on the suite's pinned clock if there is none yet (so the binary, run with
/// `REFUND_DESK_NOW`, may open it too).
pub fn open_test_desk(path: &Path, who: &str) -> refund_desk::store::Store {
    refund_desk::store::Store::open_or_create(
        path,
        refund_desk::domain::policy::Policy::builtin(),
        refund_desk::domain::calendar::Calendar::plain(),
        who,
        refund_desk::store::DeskKind::Test,
        refund_desk::store::Clock::Pinned(chrono::DateTime::parse_from_rfc3339(NOW).unwrap()),
    )
    .unwrap()
}
