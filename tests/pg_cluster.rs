//! The PostgreSQL test harness itself (tests/common/pg.rs), on the real
//! server: who may connect as whom, fresh databases, and that a test process
//! leaves no server, directory or OS user behind, however it ends.
//!
//! Some tests run this binary again as a child (`child_*` below, ignored
//! unless `RD_PG_CHILD` is set) to watch a whole process's lifetime.

mod common;
mod reliability_util;

use common::pg::{self, Cluster};
use common::{Desk, Engine};
use reliability_util::TempUsers;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// psql's answer, or a panic showing why it failed.
fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "psql failed: {}",
        text(&out.stderr).trim()
    );
    text(&out.stdout).trim().to_owned()
}

/// psql refused to connect: exit 2 and the server's reason.
#[track_caller]
fn refused(out: &Output, why: &str) {
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected a refused connection, got {out:?}"
    );
    assert!(err.contains(why), "stderr {err:?} does not say {why:?}");
}

fn db_name(url: &str) -> &str {
    url.strip_prefix("postgresql:///")
        .unwrap()
        .split('?')
        .next()
        .unwrap()
}

#[test]
fn a_fresh_database_accepts_the_test_user_as_its_own_role() {
    let Some(pg) = pg::cluster() else { return };
    let url = pg.fresh_database();
    let host = format!("host={}", pg.socket_dir().display());
    assert!(
        url.starts_with("postgresql:///rd_") && url.ends_with(&host),
        "{url}"
    );
    let name = db_name(&url);
    assert!(name.contains(&std::process::id().to_string()), "{name}");
    let who = ok(pg.psql_as(None, &url, "SELECT session_user, current_database()"));
    assert_eq!(who, format!("{}|{name}", pg.test_user()));
    // The owner, able to make the desk's group roles, but no superuser.
    let role = ok(pg.psql_as(
        None,
        &url,
        "SELECT rolsuper, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = session_user;
         SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()",
    ));
    assert_eq!(role, format!("f|t|t\n{}", pg.test_user()));
}

#[test]
fn the_server_listens_on_its_socket_only_and_trusts_nobody() {
    let Some(pg) = pg::cluster() else { return };
    let sql = |q: &str| pg.superuser_sql("postgres", q).trim().to_owned();
    assert_eq!(sql("SHOW listen_addresses"), "");
    assert_eq!(
        sql("SHOW unix_socket_directories"),
        pg.socket_dir().to_str().unwrap()
    );
    assert_eq!(
        sql("SELECT type, database, user_name, auth_method, options FROM pg_hba_file_rules"),
        "local|{all}|{all}|peer|{map=desk}"
    );
    assert_eq!(
        sql("SELECT count(*) FROM pg_ident_file_mappings WHERE error IS NOT NULL"),
        "0"
    );
}

#[test]
fn an_os_user_connects_as_its_own_role_and_as_no_other() {
    let Some(users) = TempUsers::create("pgc", 3) else {
        eprintln!("SKIPPED: needs root for throwaway OS users");
        return;
    };
    let Some(pg) = pg::cluster() else { return };
    let [alice, bob, carol] = [0, 1, 2].map(|i| users.users[i].as_str());
    pg.login_role(alice);
    pg.login_role(bob);
    pg.login_role(alice); // idempotent
    let url = pg.fresh_database();

    assert_eq!(
        ok(pg.psql_as(Some(alice), &url, "SELECT session_user")),
        alice
    );
    assert_eq!(ok(pg.psql_as(Some(bob), &url, "SELECT session_user")), bob);
    // What the product relies on: the role is the OS user, not a claim.
    for other in [bob, pg.test_user(), pg::SUPERUSER] {
        let claim = format!("{url}&user={other}");
        refused(
            &pg.psql_as(Some(alice), &claim, "SELECT session_user"),
            &format!("Peer authentication failed for user \"{other}\""),
        );
    }
    // An OS user nobody gave a role cannot connect at all.
    refused(
        &pg.psql_as(Some(carol), &url, "SELECT 1"),
        &format!("role \"{carol}\" does not exist"),
    );
    // The login role is plain: nothing beyond logging in.
    let attrs = pg.superuser_sql(
        "postgres",
        &format!(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin FROM pg_roles WHERE rolname = {}",
            pg::literal(alice)
        ),
    );
    assert_eq!(attrs.trim(), "f|f|f|t");
}

#[test]
fn two_fresh_databases_are_distinct() {
    let Some(pg) = pg::cluster() else { return };
    let (a, b) = (pg.fresh_database(), pg.fresh_database());
    assert_ne!(a, b);
    ok(pg.psql_as(None, &a, "CREATE TABLE t (x int); INSERT INTO t VALUES (7)"));
    assert_eq!(ok(pg.psql_as(None, &a, "SELECT x FROM t")), "7");
    let out = pg.psql_as(None, &b, "SELECT x FROM t");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("relation \"t\" does not exist"),
        "{out:?}"
    );
}

#[test]
fn a_desk_in_a_pg_binary_is_a_fresh_database_and_the_binary_is_told_so() {
    // This binary's name starts with pg_: its desks are on PostgreSQL.
    assert_eq!(common::engine(), Engine::Postgres);
    if pg::cluster().is_none() {
        return; // Desk::new would end the process (see its doc)
    }
    let (one, two) = (Desk::new(), Desk::new());
    assert_eq!(one.engine, Engine::Postgres);
    assert!(one.url.starts_with("postgresql:///"), "{}", one.url);
    assert_ne!(one.url, two.url);
    let pg = pg::cluster().unwrap();
    assert_eq!(ok(pg.psql_as(None, &one.url, "SELECT 1")), "1");
    let cmd = one.cmd_std();
    let db = cmd
        .get_envs()
        .find(|(k, _)| *k == "REFUND_DESK_DB")
        .and_then(|(_, v)| v);
    assert_eq!(db.and_then(|v| v.to_str()), Some(one.url.as_str()));
}

#[test]
fn a_desk_lets_the_os_users_it_is_given_connect_as_themselves() {
    let Some(users) = TempUsers::create("pgd", 2) else {
        eprintln!("SKIPPED: needs root for throwaway OS users");
        return;
    };
    let Some(pg) = pg::cluster() else { return };
    let desk = Desk::new();
    let (ann, ben) = (users.users[0].as_str(), users.users[1].as_str());
    desk.grant_login(&[ann]);
    assert_eq!(
        ok(pg.psql_as(Some(ann), &desk.url, "SELECT session_user")),
        ann
    );
    refused(
        &pg.psql_as(Some(ben), &desk.url, "SELECT 1"),
        &format!("role \"{ben}\" does not exist"),
    );
}

// ---- whole processes ------------------------------------------------------

/// This test binary again, running one test with `RD_PG_CHILD=mode`.
fn child(test: &str, mode: &str) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args(["--exact", test, "--include-ignored", "--test-threads=1"])
        .env("RD_PG_CHILD", mode);
    c
}

fn child_mode() -> Option<String> {
    std::env::var("RD_PG_CHILD").ok()
}

/// What a child reported about its cluster.
struct Seen {
    base: String,
    user: Option<String>,
    uid: Option<u32>,
    server: u32,
    watchdog: u32,
}

fn seen(out: &Output) -> Seen {
    let stdout = text(&out.stdout);
    let field = |k: &str| {
        stdout
            .lines()
            // libtest's "test child_cluster ... " may start the first line.
            .find_map(|l| l.split_once(&format!("pgchild {k}=")).map(|(_, v)| v))
            .unwrap_or_else(|| panic!("child did not report {k}: {out:?}"))
            .to_owned()
    };
    let user = Some(field("user")).filter(|u| !u.is_empty());
    Seen {
        base: field("base"),
        uid: user.as_ref().map(|_| field("uid").parse().unwrap()),
        user,
        server: field("server").parse().unwrap(),
        watchdog: field("watchdog").parse().unwrap(),
    }
}

/// Nothing of the cluster is left: no directory, no OS user, no process of
/// that user or running from that directory.
fn assert_gone(s: &Seen, child: &Output) {
    let said = text(&child.stderr);
    assert!(
        !Path::new(&s.base).exists(),
        "{} is still there; the child said {said:?}",
        s.base
    );
    if let Some(u) = &s.user {
        assert!(
            nix::unistd::User::from_name(u).unwrap().is_none(),
            "OS user {u} is still there"
        );
    }
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let status = std::fs::read_to_string(e.path().join("status")).unwrap_or_default();
        let uid = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|l| l.split_whitespace().next()?.parse::<u32>().ok());
        let comm = std::fs::read_to_string(e.path().join("comm")).unwrap_or_default();
        // By name and uid: a backend rewrites its command line, and a
        // postmaster nobody reaped (a zombie) has none.
        let server_of_ours = comm.trim() == "postgres" && s.uid.is_some() && uid == s.uid;
        assert!(
            !text(&cmdline).contains(&s.base) && !server_of_ours,
            "process {pid} of the cluster is left: {comm:?} {:?} (postmaster was {})",
            text(&cmdline),
            s.server
        );
    }
}

/// Waits (without a timing assertion) until process `pid` has exited:
/// pidfd_open + poll, which also sees a process that exited but that its new
/// parent never reaps. The generous deadline only turns a hang into a failure.
fn wait_exit(pid: u32) {
    use nix::libc;
    // SAFETY: a plain syscall returning a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::c_int, 0) };
    if fd < 0 {
        return; // ESRCH: gone and reaped already
    }
    let mut p = libc::pollfd {
        fd: fd as libc::c_int,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd; the fd is ours to close.
    let n = unsafe { libc::poll(&mut p, 1, 300_000) };
    unsafe { libc::close(fd as libc::c_int) };
    assert_eq!(n, 1, "process {pid} did not exit");
}

#[test]
fn a_test_process_that_exits_leaves_no_cluster_behind() {
    if pg::cluster().is_none() {
        return;
    }
    let out = child("child_cluster", "exit").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let s = seen(&out);
    // The exit handler already waited for the watchdog: nothing to wait for.
    assert_gone(&s, &out);
}

#[test]
fn a_killed_test_process_leaves_no_cluster_behind() {
    if pg::cluster().is_none() {
        return;
    }
    let out = child("child_cluster", "kill").output().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(9), "{out:?}");
    let s = seen(&out);
    // No exit handler ran: the watchdog saw its pipe close and cleaned up.
    wait_exit(s.watchdog);
    assert_gone(&s, &out);
}

#[test]
fn without_a_server_tests_skip_loudly_unless_postgres_is_required() {
    let no_server = |test: &str, required: bool| {
        let mut c = child(test, "none");
        c.env("REFUND_DESK_PG_BINDIR", "/nonexistent/postgresql/bin");
        if required {
            c.env("REFUND_DESK_REQUIRE_PG", "1");
        } else {
            c.env_remove("REFUND_DESK_REQUIRE_PG");
        }
        c.output().unwrap()
    };
    let test = "a_fresh_database_accepts_the_test_user_as_its_own_role";
    let out = no_server(test, false);
    assert!(out.status.success(), "{out:?}");
    assert!(
        text(&out.stderr).contains(&format!("SKIPPED (no PostgreSQL server): {test}")),
        "{out:?}"
    );
    let out = no_server(test, true);
    assert!(!out.status.success(), "{out:?}");
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(
        all.contains("PostgreSQL server not found (initdb); install postgresql"),
        "{all}"
    );

    // A desk test of a pg_ binary never falls back to SQLite: the process
    // ends before the test body runs, and says so.
    let out = no_server("child_desk", false);
    assert!(out.status.success(), "{out:?}");
    assert!(
        text(&out.stderr).contains("SKIPPED (no PostgreSQL server): every test of pg_cluster"),
        "{out:?}"
    );
    assert!(!text(&out.stdout).contains("pgchild desk"), "{out:?}");
    assert!(!text(&out.stdout).contains("test result"), "{out:?}");
    let out = no_server("child_desk", true);
    assert!(!out.status.success(), "{out:?}");
    assert!(!text(&out.stdout).contains("pgchild desk"), "{out:?}");
}

/// Run by the tests above in a child process: starts the cluster, reports it,
/// then exits normally or is killed outright.
#[test]
#[ignore = "run by the whole-process tests in a child"]
fn child_cluster() {
    let Some(mode) = child_mode() else { return };
    let pg: &Cluster = pg::cluster().unwrap();
    let url = pg.fresh_database();
    assert_eq!(ok(pg.psql_as(None, &url, "SELECT 1")), "1");
    let uid = pg.os_user().map(|u| {
        nix::unistd::User::from_name(u)
            .unwrap()
            .unwrap()
            .uid
            .as_raw()
    });
    let mut o = std::io::stdout();
    writeln!(o, "pgchild base={}", pg.base_dir().display()).unwrap();
    writeln!(o, "pgchild user={}", pg.os_user().unwrap_or("")).unwrap();
    writeln!(o, "pgchild uid={}", uid.unwrap_or(0)).unwrap();
    writeln!(o, "pgchild server={}", pg.server_pid()).unwrap();
    writeln!(o, "pgchild watchdog={}", pg.watchdog_pid()).unwrap();
    o.flush().unwrap();
    if mode == "kill" {
        // SAFETY: raising a signal; SIGKILL does not return.
        unsafe { nix::libc::raise(nix::libc::SIGKILL) };
    }
}

#[test]
#[ignore = "run by the whole-process tests in a child"]
fn child_desk() {
    if child_mode().is_none() {
        return;
    }
    let desk = Desk::new();
    writeln!(std::io::stdout(), "pgchild desk={}", desk.url).unwrap();
}
