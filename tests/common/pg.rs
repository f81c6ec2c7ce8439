//! A throwaway PostgreSQL cluster per test process, on the real server.
//!
//! [`cluster`] starts it on first use: `initdb` in a temporary directory (as a
//! throwaway unprivileged OS user when the tests run as root, since the server
//! refuses root), a private Unix socket, no TCP, and peer authentication only,
//! so the role a connection gets is the OS user that opened it — the identity
//! guarantee the PostgreSQL backend relies on (SPEC §5). It is stopped, its
//! directory and its OS user removed, when the test process exits.
//!
//! Two things make that cleanup hold:
//! * the server runs under a small `sh` watchdog, our own child, that stops
//!   the server and removes everything when it reads `stop` on its stdin or
//!   when that pipe closes — so a test process killed outright (SIGKILL, a
//!   timeout) leaves nothing behind either;
//! * an `atexit` handler says `stop` and waits for the watchdog, so when the
//!   test binary exits normally the cluster is already gone and every process
//!   of it reaped (the server is the watchdog's child, not an orphan: on a box
//!   whose init does not reap, an orphaned server would stay as a zombie).
//!
//! No server installed: with `REFUND_DESK_REQUIRE_PG=1` (CI) the first use
//! panics with one line; otherwise [`cluster`] prints
//! `SKIPPED (no PostgreSQL server): <test>` straight to stderr (past libtest's
//! capture, so it shows even when the test passes) and returns `None`.
//! `REFUND_DESK_PG_BINDIR=DIR` picks the server binaries (and, pointed at a
//! directory without them, shows the skip path).
#![allow(dead_code)]

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The cluster's bootstrap superuser. Not an OS user's name, so the OS user
/// running the tests gets a role of its own name that is not a superuser.
pub const SUPERUSER: &str = "rd_super";

const NOT_FOUND: &str = "PostgreSQL server not found (initdb); install postgresql";

pub struct Cluster {
    base: PathBuf,
    data: PathBuf,
    sock: PathBuf,
    psql: PathBuf,
    /// The OS user running the tests (and the name of its role).
    me: String,
    /// The unprivileged OS user the server runs as, when the tests run as root.
    os_user: Option<String>,
    watchdog_pid: u32,
    /// ` STRATEGY FILE_COPY` on PostgreSQL 15+: a fresh database in a third
    /// of the time WAL_LOG (the default) takes; older servers only copy.
    create_strategy: &'static str,
    next_db: AtomicU64,
    roles: Mutex<()>,
}

/// The process's cluster, started on first use; `None` (after a printed
/// SKIPPED line) when no server is installed and `REFUND_DESK_REQUIRE_PG` is
/// unset. A server that is installed but fails to start always panics.
pub fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Result<Option<Cluster>, String>> = OnceLock::new();
    // Stored as a Result so a failed start is reported to every caller
    // instead of being retried (and leaving a new user and directory) by each.
    let started = CLUSTER.get_or_init(|| {
        std::panic::catch_unwind(start).unwrap_or_else(|p| {
            Err(p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "starting the PostgreSQL cluster panicked".into()))
        })
    });
    match started {
        Ok(Some(c)) => Some(c),
        Ok(None) => {
            say_skipped();
            None
        }
        Err(e) => panic!("{e}"),
    }
}

/// `REFUND_DESK_REQUIRE_PG` set (and not `0`): a missing server is a failure.
pub fn required() -> bool {
    std::env::var_os("REFUND_DESK_REQUIRE_PG").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The loud skip line, written to the real stderr: libtest captures only the
/// print macros, and a skip must show even when the test counts as passed.
pub fn say_skipped() {
    let test = std::thread::current()
        .name()
        .unwrap_or("<unnamed test>")
        .to_owned();
    let _ = writeln!(std::io::stderr(), "SKIPPED (no PostgreSQL server): {test}");
}

impl Cluster {
    /// The directory holding the server's socket (the URL's `host=`).
    pub fn socket_dir(&self) -> &Path {
        &self.sock
    }

    /// The temporary directory holding the data directory, socket and log.
    pub fn base_dir(&self) -> &Path {
        &self.base
    }

    /// The OS user running the tests; its role owns every fresh database.
    pub fn test_user(&self) -> &str {
        &self.me
    }

    /// The throwaway OS user the server runs as (only when tests run as root).
    pub fn os_user(&self) -> Option<&str> {
        self.os_user.as_deref()
    }

    /// The postmaster's process id.
    pub fn server_pid(&self) -> u32 {
        let pid = std::fs::read_to_string(self.data.join("postmaster.pid")).unwrap();
        pid.lines().next().unwrap().trim().parse().unwrap()
    }

    /// The watchdog that stops the server when this process ends, however.
    pub fn watchdog_pid(&self) -> u32 {
        self.watchdog_pid
    }

    /// The URL of database `db` on this cluster, with no user: a client gets
    /// the role of the OS user it runs as.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgresql:///{}?host={}",
            pct(db),
            pct(self.sock.to_str().unwrap())
        )
    }

    /// A new empty database with a unique name (pid + counter), owned by the
    /// test user's role (LOGIN CREATEROLE, not a superuser); its URL.
    pub fn fresh_database(&self) -> String {
        let n = self.next_db.fetch_add(1, Ordering::Relaxed);
        let name = format!("rd_{}_{n}", std::process::id());
        self.superuser_sql(
            "postgres",
            &format!(
                "CREATE DATABASE {} OWNER {}{}",
                ident(&name),
                ident(&self.me),
                self.create_strategy
            ),
        );
        self.url(&name)
    }

    /// A plain LOGIN role named like OS user `name` (idempotent), so that
    /// user may connect as itself and only as itself.
    pub fn login_role(&self, name: &str) {
        // Roles are cluster-wide: two tests of this process may ask at once.
        let _one = self.roles.lock().unwrap_or_else(|p| p.into_inner());
        self.superuser_sql(
            "postgres",
            &format!(
                "DO $do$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {}) \
                 THEN CREATE ROLE {} LOGIN; END IF; END $do$",
                literal(name),
                ident(name)
            ),
        );
    }

    /// Runs `sql` (any number of statements) in database `db` as the
    /// cluster's superuser; stdout of `psql -At`. Panics with stderr on error.
    pub fn superuser_sql(&self, db: &str, sql: &str) -> String {
        let url = format!("{}&user={SUPERUSER}", self.url(db));
        let out = self.psql_as(None, &url, sql);
        assert!(
            out.status.success(),
            "psql as {SUPERUSER} on {db} failed ({}): {}\nSQL: {sql}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `psql -X -v ON_ERROR_STOP=1 -At` on `url` with `sql` on stdin, as OS
    /// user `os_user` (`runuser`, so the tests must run as root) or, with
    /// `None`, as the test user: what an agent with psql can and cannot do.
    pub fn psql_as(&self, os_user: Option<&str>, url: &str, sql: &str) -> Output {
        let mut c = match os_user {
            Some(u) if u != self.me => {
                assert!(is_root(), "psql as OS user {u} needs root (runuser)");
                let mut c = Command::new("runuser");
                c.args(["-u", u, "--"]).arg(&self.psql);
                c
            }
            _ => Command::new(&self.psql),
        };
        c.args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-f",
            "-",
            "-d",
            url,
        ])
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        // Only the URL says where and who: no PGHOST/PGUSER/PGPORT from outside.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("PG") {
                c.env_remove(k);
            }
        }
        let mut child = c.spawn().expect("spawn psql");
        let mut stdin = child.stdin.take().unwrap();
        // psql may refuse the connection before reading: a broken pipe is its answer.
        let _ = stdin.write_all(sql.as_bytes());
        drop(stdin);
        child.wait_with_output().expect("wait for psql")
    }
}

/// A quoted SQL identifier.
pub fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A quoted SQL string literal.
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Percent-encodes all but unreserved characters and `/` (libpq URLs).
fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// The directory holding `initdb`, `postgres` and (usually) `psql`.
pub fn server_bindir() -> Option<PathBuf> {
    let has_server = |d: &Path| d.join("initdb").is_file() && d.join("postgres").is_file();
    if let Some(d) = std::env::var_os("REFUND_DESK_PG_BINDIR") {
        let d = PathBuf::from(d);
        return has_server(&d).then_some(d);
    }
    // initdb on PATH is often a symlink (Debian's wrappers, /usr/local/bin):
    // the real directory also holds the matching postgres and psql.
    if let Some(initdb) = on_path("initdb") {
        for p in [initdb.canonicalize().ok(), Some(initdb)]
            .into_iter()
            .flatten()
        {
            if let Some(d) = p.parent().filter(|d| has_server(d)) {
                return Some(d.to_path_buf());
            }
        }
    }
    // Debian installs the server off PATH, one directory per major version.
    let newest = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, d)| has_server(d))
        .max_by_key(|(v, _)| *v);
    if let Some((_, d)) = newest {
        return Some(d);
    }
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    let d = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    has_server(&d).then_some(d)
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// What the exit handler (or the watchdog, if we die first) must undo.
struct Teardown {
    base: Option<PathBuf>,
    user: Option<String>,
    watchdog: Option<Child>,
}

static TEARDOWN: Mutex<Teardown> = Mutex::new(Teardown {
    base: None,
    user: None,
    watchdog: None,
});

fn teardown() -> std::sync::MutexGuard<'static, Teardown> {
    TEARDOWN.lock().unwrap_or_else(|p| p.into_inner())
}

extern "C" fn at_exit() {
    // Never panic here: unwinding out of an exit handler aborts the process.
    let mut t = teardown();
    if let Some(mut w) = t.watchdog.take() {
        if let Some(mut stdin) = w.stdin.take() {
            let _ = stdin.write_all(b"stop\n");
        }
        let _ = w.wait();
    }
    if let Some(base) = t.base.take() {
        if base.exists() && std::fs::remove_dir_all(&base).is_err() {
            let _ = writeln!(std::io::stderr(), "pg: could not remove {}", base.display());
        }
    }
    if let Some(user) = t.user.take() {
        if nix::unistd::User::from_name(&user).ok().flatten().is_some() && !userdel(&user) {
            let _ = writeln!(std::io::stderr(), "pg: could not remove OS user {user}");
        }
    }
}

/// Another test process may hold the lock on /etc/passwd: retry.
fn retried(mut c: impl FnMut() -> bool) -> bool {
    (0..5).any(|i| {
        std::thread::sleep(Duration::from_millis(200 * i));
        c()
    })
}

fn userdel(user: &str) -> bool {
    retried(|| {
        Command::new("userdel")
            .arg(user)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Stops the server when told `stop` or when our end of its stdin closes
/// (this process died), then removes the directory and the OS user. Signals
/// from the terminal are ignored: the pipe is the only way to end it.
const WATCHDOG: &str = r#"
base=$1 data=$2 user=$3
shift 3
"$@" </dev/null >>"$base/server.log" 2>&1 &
server=$!
trap '' INT TERM HUP QUIT PIPE
read -r _ || :
if [ -s "$data/postmaster.pid" ]; then
    kill -QUIT "$(head -n 1 "$data/postmaster.pid")" 2>/dev/null || kill -TERM "$server" 2>/dev/null
else
    kill -TERM "$server" 2>/dev/null
fi
wait "$server"
rm -rf "$base"
if [ -n "$user" ]; then
    for i in 1 2 3 4 5; do userdel "$user" 2>/dev/null && break; sleep 1; done
fi
"#;

fn start() -> Result<Option<Cluster>, String> {
    let Some(bindir) = server_bindir() else {
        return if required() {
            Err(NOT_FOUND.into())
        } else {
            Ok(None)
        };
    };
    let psql = Some(bindir.join("psql"))
        .filter(|p| p.is_file())
        .or_else(|| on_path("psql"))
        .ok_or("PostgreSQL client not found (psql); install postgresql-client")?;
    let me = nix::unistd::User::from_uid(nix::unistd::geteuid())
        .ok()
        .flatten()
        .ok_or("the OS user running the tests has no name (peer authentication needs one)")?
        .name;

    static REGISTER: std::sync::Once = std::sync::Once::new();
    // SAFETY: `at_exit` is a plain `extern "C" fn()` that never unwinds.
    REGISTER.call_once(|| assert_eq!(unsafe { nix::libc::atexit(at_exit) }, 0));

    let base = short_temp_dir()?;
    teardown().base = Some(base.clone());
    std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o755)).unwrap();
    let data = base.join("data");
    let sock = base.join("sock");
    std::fs::create_dir(&data).unwrap();
    std::fs::create_dir(&sock).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
    // Every throwaway test OS user must reach the socket: peer auth decides.
    std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o755)).unwrap();

    let os_user = if is_root() {
        let u = cluster_os_user()?;
        teardown().user = Some(u.clone());
        let uid = nix::unistd::User::from_name(&u).unwrap().unwrap().uid;
        for d in [&data, &sock] {
            nix::unistd::chown(d.as_path(), Some(uid), None).map_err(|e| e.to_string())?;
        }
        Some(u)
    } else {
        None
    };
    let as_server = |prog: &Path| -> Command {
        let mut c = match &os_user {
            Some(u) => {
                let mut c = Command::new("runuser");
                c.args(["-u", u, "--"]).arg(prog);
                c
            }
            None => Command::new(prog),
        };
        c.current_dir(&base).stdin(Stdio::null());
        c
    };

    initdb(&as_server, &bindir, &data)?;
    configure(&data, &sock, &me, os_user.as_deref())?;

    let mut server = as_server(&bindir.join("postgres"));
    server.arg("-D").arg(&data);
    let mut watchdog = Command::new("/bin/sh");
    watchdog
        .args(["-c", WATCHDOG, "pg-watchdog"])
        .arg(&base)
        .arg(&data)
        .arg(os_user.as_deref().unwrap_or(""))
        .arg(server.get_program())
        .args(server.get_args())
        .current_dir(&base)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group: ^C in the terminal reaches the tests only.
        .process_group(0);
    let child = watchdog
        .spawn()
        .map_err(|e| format!("spawn watchdog: {e}"))?;
    let watchdog_pid = child.id();
    teardown().watchdog = Some(child);

    wait_ready(&base, &data)?;
    let mut cluster = Cluster {
        base,
        data,
        sock,
        psql,
        me,
        os_user,
        watchdog_pid,
        create_strategy: "",
        next_db: AtomicU64::new(0),
        roles: Mutex::new(()),
    };
    let version: u32 = cluster
        .superuser_sql("postgres", "SHOW server_version_num")
        .trim()
        .parse()
        .map_err(|e| format!("server_version_num: {e}"))?;
    if version >= 150_000 {
        cluster.create_strategy = " STRATEGY FILE_COPY";
    }
    if cluster.me != SUPERUSER {
        cluster.superuser_sql(
            "postgres",
            &format!("CREATE ROLE {} LOGIN CREATEROLE", ident(&cluster.me)),
        );
    }
    Ok(Some(cluster))
}

/// A temporary directory short enough for a Unix socket path (~107 bytes).
fn short_temp_dir() -> Result<PathBuf, String> {
    let mut tmp = std::env::temp_dir();
    if tmp.as_os_str().len() > 60 {
        tmp = PathBuf::from("/tmp");
    }
    tempfile::Builder::new()
        .prefix("rd-pg-")
        .tempdir_in(tmp)
        .map(|d| d.keep())
        .map_err(|e| format!("temporary directory for the cluster: {e}"))
}

/// A throwaway OS user for the server (initdb and postgres refuse root).
fn cluster_os_user() -> Result<String, String> {
    let id = std::process::id() % 100_000;
    for k in 0..5 {
        let name = format!("rdsrv{id}x{k}");
        if nix::unistd::User::from_name(&name).ok().flatten().is_some() {
            continue; // left by a process with our pid that was killed
        }
        let made = retried(|| {
            Command::new("useradd")
                .args(["-M", "-N", "-s", "/usr/sbin/nologin", &name])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
        if made {
            return Ok(name);
        }
    }
    Err("cannot create an OS user for the PostgreSQL server (useradd, as root)".into())
}

fn initdb(as_server: &dyn Fn(&Path) -> Command, bindir: &Path, data: &Path) -> Result<(), String> {
    // C.UTF-8 classifies every script (pg_trgm keeps CJK); not every libc has it.
    let mut last = String::new();
    for locale in ["--locale=C.UTF-8", "--no-locale"] {
        let out = as_server(&bindir.join("initdb"))
            .arg("-D")
            .arg(data)
            .args(["-U", SUPERUSER, "--auth=peer", "-E", "UTF8", locale])
            .args(["--no-sync", "--no-instructions"])
            .output()
            .map_err(|e| format!("run initdb: {e}"))?;
        if out.status.success() {
            return Ok(());
        }
        last = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // A half-made data directory must go before the next try.
        for e in std::fs::read_dir(data)
            .map_err(|e| e.to_string())?
            .flatten()
        {
            let _ = std::fs::remove_dir_all(e.path()).or_else(|_| std::fs::remove_file(e.path()));
        }
    }
    Err(format!("initdb failed: {last}"))
}

/// Unix socket only, peer authentication only, nothing durable (throwaway).
fn configure(data: &Path, sock: &Path, me: &str, os_user: Option<&str>) -> Result<(), String> {
    let conf = format!(
        "\n# refund-desk test cluster (tests/common/pg.rs)\n\
         listen_addresses = ''\n\
         port = 5432\n\
         unix_socket_directories = {}\n\
         unix_socket_permissions = 0777\n\
         fsync = off\n\
         synchronous_commit = off\n\
         full_page_writes = off\n\
         wal_level = minimal\n\
         max_wal_senders = 0\n\
         max_connections = 200\n\
         shared_buffers = 32MB\n\
         jit = off\n",
        literal(sock.to_str().unwrap())
    );
    let hba = "local all all peer map=desk\n".to_string();
    // The test user may act as the superuser (to set databases up); every OS
    // user, the test user included, as the role of its own name.
    let ident_map = format!("desk {} {SUPERUSER}\ndesk /^(.*)$ \\1\n", ident(me));
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(data.join("postgresql.conf"))
        .map_err(|e| e.to_string())?;
    f.write_all(conf.as_bytes()).map_err(|e| e.to_string())?;
    for (name, text) in [("pg_hba.conf", hba), ("pg_ident.conf", ident_map)] {
        let p = data.join(name);
        std::fs::write(&p, text).map_err(|e| e.to_string())?;
        if let Some(u) = os_user {
            let uid = nix::unistd::User::from_name(u).unwrap().unwrap().uid;
            nix::unistd::chown(&p, Some(uid), None).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Waits until the postmaster reports "ready" in postmaster.pid, as pg_ctl -w
/// does; the deadline only bounds a server that will never come up.
fn wait_ready(base: &Path, data: &Path) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = std::fs::read_to_string(data.join("postmaster.pid")).unwrap_or_default();
        if status.lines().nth(7).is_some_and(|l| l.trim() == "ready") {
            return Ok(());
        }
        let log = std::fs::read_to_string(base.join("server.log")).unwrap_or_default();
        // No client has connected yet: any FATAL is the server giving up.
        if log.contains("FATAL:") || log.contains("PANIC:") || Instant::now() > deadline {
            return Err(format!("PostgreSQL did not start:\n{log}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
