//! The SQLite store: one file shared by every agent. WAL for concurrent
//! readers, IMMEDIATE transactions for writers, a version per ticket for
//! optimistic concurrency, and an append-only event log.

mod act;
mod import;
mod leases;
mod query;
mod roles;
mod schema;
mod tui_queries;
mod verdicts;

pub use act::ActOutcome;
pub use import::{ImportOptions, ImportReport};
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
    use rusqlite::ErrorCode::*;
    let msg = match e.sqlite_error_code() {
        Some(DatabaseBusy) | Some(DatabaseLocked) => {
            "the database is busy: another refund-desk kept it locked too long; try again"
                .to_string()
        }
        Some(NotADatabase) => "the file is not a refund-desk database".to_string(),
        Some(ReadOnly) => "the database is read-only for this user".to_string(),
        Some(DiskFull) => "the disk is full; nothing was written".to_string(),
        Some(CannotOpen) => "the database file cannot be opened".to_string(),
        _ => return anyhow::Error::new(e),
    };
    anyhow::anyhow!("{msg} ({e})")
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
    /// first supervisor. Verdicts computed under another policy version are
    /// recomputed before anything is shown.
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

    /// Opens without recomputing stored verdicts, for comparing them with
    /// another policy (`policy diff`).
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
            create_private(path).with_context(|| format!("{shown}: cannot create the database"))?;
        }
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(explain)
        .with_context(|| format!("{shown}: cannot open"))?;
        conn.busy_timeout(Duration::from_secs(10))?;
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
            let tables: i64 =
                conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
            anyhow::ensure!(
                tables == 0,
                "{shown} is an SQLite file but not a refund-desk database"
            );
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(explain)
            .with_context(|| format!("{shown}: cannot switch to WAL"))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // 8 MiB of page cache keeps the console small; imports raise it.
        conn.pragma_update(None, "cache_size", -8_192)?;
        if version < schema::latest() {
            schema::migrations()
                .to_latest(&mut conn)
                .map_err(|e| anyhow::anyhow!("{shown}: migration failed: {e}"))?;
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

    /// A consistent online copy through SQLite's backup API.
    pub fn backup_to(&self, dest: &Path) -> anyhow::Result<()> {
        anyhow::ensure!(
            !dest.exists(),
            "{} already exists; not overwriting it",
            dest.display()
        );
        create_private(dest)?;
        let mut out = Connection::open(dest)?;
        let backup = rusqlite::backup::Backup::new(&self.conn, &mut out)?;
        backup
            .run_to_completion(256, Duration::from_millis(5), None)
            .map_err(explain)?;
        Ok(())
    }
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
