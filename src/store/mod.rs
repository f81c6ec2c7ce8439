//! The SQLite store: one file shared by every agent. WAL for concurrent
//! readers, IMMEDIATE transactions for writers, a version per ticket for
//! optimistic concurrency, and an append-only event log.

mod act;
mod bulk;
mod dashboard;
mod export;
pub mod file_modes;
mod import;
mod leases;
mod letters;
mod plan;
mod policy;
mod query;
mod roles;
mod rows;
mod schema;
mod tui_queries;
mod verdicts;

pub use act::ActOutcome;
pub use dashboard::{Dashboard, DayTotals};
pub use export::{PayoutFinding, PayoutRow};
pub use import::{ImportOptions, ImportReport, ImportStep};
pub use policy::{Applied, CalendarSource, DueText, PolicyChange};
pub use query::{Detail, EventRow, ListFilter, ListRow, Page, Sort};

use crate::domain::calendar::Calendar;
use crate::domain::policy::Policy;
use crate::domain::workflow::Actor;
use anyhow::Context as _;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Errors a caller must tell apart; everything else is `Other`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no ticket {0}")]
    NotFound(String),
    #[error("{0}")]
    Refused(String),
    #[error("ticket changed by {by} at {at} — reloaded")]
    Stale { by: String, at: String },
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Other(explain(e))
    }
}

/// Turns SQLite's terse errors into a sentence an operator can act on.
pub fn explain(e: rusqlite::Error) -> anyhow::Error {
    match e.sqlite_error_code().and_then(advice) {
        Some(msg) => anyhow::anyhow!("{msg} ({e})"),
        None => anyhow::Error::new(e),
    }
}

fn advice(code: rusqlite::ErrorCode) -> Option<&'static str> {
    use rusqlite::ErrorCode::*;
    Some(match code {
        DatabaseBusy | DatabaseLocked => {
            "the database is busy: another refund-desk kept it locked too long; try again"
        }
        NotADatabase => "the file is not a refund-desk database",
        ReadOnly => "the database is read-only for this user",
        DiskFull => "the disk is full; the write in progress was rolled back (work committed before it is kept)",
        CannotOpen => "the database file cannot be opened",
        _ => return None,
    })
}

/// `explain` for an error that reached the command line by another road (a
/// `?` inside import, say): the first SQLite error in its chain decides.
/// Without it a locked, read-only or full database surfaced as SQLite's own
/// words ("database is locked: Error code 5") — found by reliability_env.
pub fn explain_any(e: anyhow::Error) -> anyhow::Error {
    let code = e
        .chain()
        .find_map(|c| c.downcast_ref::<rusqlite::Error>())
        .and_then(|r| r.sqlite_error_code());
    match code.and_then(advice) {
        Some(msg) if !format!("{e:#}").contains(msg) => e.context(msg),
        _ => e,
    }
}

pub struct Store {
    conn: Connection,
    pub path: PathBuf,
    pub policy: Policy,
    pub calendar: Calendar,
    pub operator: String,
}

/// `--db`, else `$REFUND_DESK_DB`, else the user's data directory.
pub fn default_path(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("REFUND_DESK_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("", "", "refund-desk")
        .context("no home directory to keep the database in; pass --db PATH")?;
    std::fs::create_dir_all(dirs.data_dir())
        .with_context(|| format!("cannot create {}", dirs.data_dir().display()))?;
    Ok(dirs.data_dir().join("desk.db"))
}

impl Store {
    /// Opens (creating if needed) the desk database. The creator becomes its
    /// first supervisor. `policy` and `calendar` only seed a desk that has no
    /// policy of its own yet; the store judges with the desk's (see
    /// store::policy). A desk from before the policy was stored recomputes
    /// its verdicts once, under the policy it adopts.
    pub fn open(
        path: &Path,
        policy: Policy,
        calendar: Calendar,
        operator: &str,
    ) -> anyhow::Result<Store> {
        let mut store = Self::open_as_is(path, policy, calendar, operator)?;
        store.refresh_verdicts_if_policy_changed()?;
        Ok(store)
    }

    /// Opens without recomputing stored verdicts, for reading them as they
    /// are (`policy show`, `policy diff`).
    pub fn open_as_is(
        path: &Path,
        policy: Policy,
        calendar: Calendar,
        operator: &str,
    ) -> anyhow::Result<Store> {
        let shown = path.display();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            anyhow::ensure!(
                dir.is_dir(),
                "{shown}: directory {} does not exist",
                dir.display()
            );
        }
        let existed = path.exists();
        if !existed {
            match create_private(path) {
                // Another refund-desk created it this very moment: open theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                r => r.with_context(|| format!("{shown}: cannot create the database"))?,
            }
        }
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(explain)
        .with_context(|| format!("{shown}: cannot open"))?;
        conn.busy_timeout(busy_timeout())?;
        let version = conn
            .query_row("PRAGMA user_version", [], |r| {
                r.get::<_, i64>(0).map(|v| v as usize)
            })
            .map_err(explain)
            .with_context(|| format!("{shown}: cannot read"))?;
        anyhow::ensure!(
            version <= schema::latest(),
            "{shown} has schema version {version}, newer than this refund-desk knows ({}): upgrade refund-desk",
            schema::latest()
        );
        if existed && version == 0 {
            // Version and tables read in one statement (one snapshot): another
            // refund-desk may have created the schema since `version` was read.
            let (now, tables): (i64, i64) = conn.query_row(
                "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_schema)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            anyhow::ensure!(
                tables == 0 || now as usize == schema::latest(),
                "{shown} is an SQLite file but not a refund-desk database"
            );
        }
        // A brand-new file is switched to WAL once. Agents racing to open it
        // can get SQLITE_BUSY here without SQLite calling the busy handler
        // (its deadlock avoidance), so retry within the busy timeout.
        let deadline = std::time::Instant::now() + busy_timeout();
        let mut pause = Duration::from_millis(2);
        let wal = loop {
            match conn.pragma_update(None, "journal_mode", "WAL") {
                Err(e)
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
                r => break r,
            }
        };
        wal.map_err(explain)
            .with_context(|| format!("{shown}: cannot switch to WAL"))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // 8 MiB of page cache keeps the console small; imports raise it.
        conn.pragma_update(None, "cache_size", -8_192)?;
        if version < schema::latest() {
            // Several agents may open a brand-new file at the same moment. The
            // migration takes the write lock up front (IMMEDIATE), so a loser
            // waits for the winner's commit, then fails on "table already
            // exists": that is fine when the schema is now current.
            conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
            let result = schema::migrations().to_latest(&mut conn);
            conn.set_transaction_behavior(rusqlite::TransactionBehavior::Deferred);
            if let Err(e) = result {
                let now: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
                anyhow::ensure!(
                    now as usize == schema::latest(),
                    "{shown}: migration failed: {e}"
                );
            }
        }
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            policy,
            calendar,
            operator: operator.to_string(),
        };
        if version == 0 {
            store.bootstrap_first_supervisor()?;
        }
        // From here on the desk's own policy and calendar, not the process's.
        store.load_desk_policy()?;
        // A bulk import that died half-way left its indexes to build; one
        // still running (it holds the load lock) builds them itself.
        if bulk::owed(&store.conn)? {
            if let Some(_lock) = bulk::LoadLock::try_hold(path)? {
                bulk::restore_indexes(&mut store.conn).with_context(|| {
                    format!("{shown}: cannot rebuild the indexes of an interrupted import")
                })?;
            }
        }
        Ok(store)
    }

    /// Read-only handle on the connection for queries in this crate.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The operator with their role, or a refusal naming how to get one.
    pub fn actor(&self) -> Result<Actor, StoreError> {
        self.actor_named(&self.operator)
    }

    pub fn actor_named(&self, name: &str) -> Result<Actor, StoreError> {
        match self.role_of(name)? {
            Some(role) => Ok(Actor { name: name.to_string(), role }),
            None => Err(StoreError::Refused(format!(
                "{name} has no role on this desk; a supervisor can grant one: refund-desk roles grant {name} agent"
            ))),
        }
    }

    /// `PRAGMA integrity_check`, "ok" when sound.
    pub fn integrity_check(&self) -> anyhow::Result<String> {
        let rows: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows.join("\n"))
    }

    /// A consistent online copy through SQLite's backup API. The copy is
    /// written beside `dest`, checked, and only then linked into place, so
    /// `dest` never holds a partial copy (a backup killed half-way left an
    /// empty desk there that passed `check`).
    pub fn backup_to(&self, dest: &Path) -> anyhow::Result<()> {
        let shown = dest.display();
        anyhow::ensure!(!dest.exists(), "{shown} already exists; not overwriting it");
        let name = dest
            .file_name()
            .with_context(|| format!("{shown}: not a file name"))?;
        let mut partial = name.to_owned();
        partial.push(format!(".partial-{}", std::process::id()));
        let partial = dest.with_file_name(partial);
        create_private(&partial)
            .with_context(|| format!("{}: cannot create", partial.display()))?;
        let copied = self.copy_into(&partial).and_then(|()| {
            // A hard link never replaces an existing file: a backup that
            // appeared at `dest` meanwhile is left alone.
            std::fs::hard_link(&partial, dest)
                .with_context(|| format!("{shown}: cannot put the checked copy in place"))
        });
        let _ = std::fs::remove_file(&partial);
        copied
    }

    fn copy_into(&self, dest: &Path) -> anyhow::Result<()> {
        let mut out = Connection::open(dest)?;
        let backup = rusqlite::backup::Backup::new(&self.conn, &mut out)?;
        // All pages in one step, under one read snapshot: in WAL mode writers
        // carry on meanwhile. Copying 256 pages per step restarted the copy
        // after every write by another process, so a big desk with agents at
        // work was never backed up (found by tests/reliability_backup.rs).
        backup
            .run_to_completion(i32::MAX, Duration::from_millis(5), None)
            .map_err(explain)?;
        drop(backup);
        let verdict: String = out.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        anyhow::ensure!(verdict == "ok", "the copy fails integrity_check: {verdict}");
        let version: i64 = out.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        anyhow::ensure!(
            version as usize == schema::latest(),
            "the copy has schema version {version}, not {}",
            schema::latest()
        );
        // On disk before it is linked into place.
        out.close().map_err(|(_, e)| explain(e))?;
        std::fs::File::open(dest)?.sync_all()?;
        Ok(())
    }
}

/// How long to wait for another writer's lock: 10 s, or
/// `REFUND_DESK_BUSY_TIMEOUT_MS` (tests use a short one to stay fast).
fn busy_timeout() -> Duration {
    std::env::var("REFUND_DESK_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_secs(10))
}

/// Owner and group may read and write; others nothing (customer data).
fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::fs::PermissionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o660)
        .open(path)?;
    // The umask may have taken the group's write bit; agents share the file by group.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
}

/// Current time; tests and demos may pin it with REFUND_DESK_NOW (RFC 3339).
pub fn now() -> chrono::DateTime<chrono::FixedOffset> {
    std::env::var("REFUND_DESK_NOW")
        .ok()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
        .unwrap_or_else(|| chrono::Utc::now().fixed_offset())
}

/// How event times are written: UTC, milliseconds.
pub fn stamp(t: chrono::DateTime<chrono::FixedOffset>) -> String {
    t.to_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Stored as the due date of a ticket with no running clock: later than any
/// real date, so `due_target < today` and the due-date order need no NULL
/// handling and one index serves both.
pub const NO_DUE: &str = "9999-12-31";

pub(crate) fn due_target_text(due: Option<crate::domain::calendar::Due>) -> String {
    due.map(|d| d.target.to_string())
        .unwrap_or_else(|| NO_DUE.to_string())
}
