//! The SQLite store: one file shared by every agent. WAL for concurrent
//! readers, IMMEDIATE transactions for writers, a version per ticket for
//! optimistic concurrency, and an append-only event log.

mod act;
mod audit;
mod bulk;
mod bulk_seen;
mod checkpointer;
mod clock;
mod dashboard;
mod export;
pub mod file_modes;
mod helper_priority;
mod import;
mod import_batch;
mod leases;
mod letters;
mod open;
mod phases;
mod plan;
pub(crate) mod policy;
mod query;
mod roles;
mod rows;
mod schema;
mod search_build;
mod tui_queries;
mod verdicts;

/// The maps an import fills per line (ids, accounts, day totals). std's
/// SipHash made hashing a twentieth of the writer's time; foldhash is seeded
/// per process, so keys a file chooses cannot be made to collide.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub(crate) type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

pub use act::ActOutcome;
pub(crate) use act::{decide, facts_received};
pub use audit::AuditEvent;
pub use clock::{Clock, PIN_VAR};
pub use dashboard::{Dashboard, DayTotals};
pub(crate) use export::{finding, payout_rows, LastDecision, PayoutEvent};
pub use export::{PayoutFinding, PayoutRow};
pub use import::{ImportOptions, ImportReport, ImportStep};
pub use leases::LEASE_SECONDS;
pub(crate) use open::busy_timeout;
pub use open::{Access, DeskKind, OlderSchema, Opening};
pub use policy::{Applied, CalendarSource, DueText, PolicyChange};
pub use query::{Detail, EventRow, ListFilter, ListRow, Page, Sort, SortKey, SortValue};
pub(crate) use rows::{load_case, search_document};
pub use tui_queries::VersionedProposal;
pub(crate) use verdicts::parse_stored;
pub(crate) use verdicts::parse_stored as parse_stored_ticket;
// Engine-neutral pieces the PostgreSQL store shares (pg::import, pg::verdicts).
pub(crate) use policy::due_under;
pub(crate) use rows::received_clock;
pub(crate) use verdicts::{lookback_us, reverdict_event, void_review, voided_payload};

use crate::domain::calendar::Calendar;
use crate::domain::policy::Policy;
use crate::domain::workflow::Actor;
use anyhow::Context as _;
use rusqlite::Connection;
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
        DatabaseCorrupt => "the desk file is damaged (malformed or truncated): restore it from a backup",
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
    clock: Clock,
    kind: DeskKind,
    access: Access,
}

/// `--db`, else `$REFUND_DESK_DB`, else the user's data directory.
pub fn default_path(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    resolve_path(explicit, false)
}

/// `default_path` for the commands that create a desk: the user's data
/// directory is made if it is the one chosen. (Other commands make nothing.)
pub fn default_path_creating(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    resolve_path(explicit, true)
}

fn resolve_path(explicit: Option<&Path>, create: bool) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("REFUND_DESK_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("", "", "refund-desk")
        .context("no home directory to keep the database in; pass --db PATH")?;
    if create {
        std::fs::create_dir_all(dirs.data_dir())
            .with_context(|| format!("cannot create {}", dirs.data_dir().display()))?;
    }
    Ok(dirs.data_dir().join("desk.db"))
}

impl Store {
    /// Opens an existing desk for a writing command, on the system clock:
    /// the schema is upgraded if it is behind, and verdicts computed under
    /// another policy version are recomputed before anything is shown.
    pub fn open(
        path: &Path,
        policy: Policy,
        calendar: Calendar,
        operator: &str,
    ) -> anyhow::Result<Store> {
        Self::open_with(
            path,
            policy,
            calendar,
            operator,
            Opening::new(Access::Write, Clock::System),
        )
    }

    /// Opens an existing desk as `how` says. Only `Access::Write` may change
    /// anything in it; reading and the console's opening write nothing.
    pub fn open_with(
        path: &Path,
        policy: Policy,
        calendar: Calendar,
        operator: &str,
        how: Opening,
    ) -> anyhow::Result<Store> {
        let (conn, marks) = open::open_existing(path, operator, how)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            policy,
            calendar,
            operator: operator.to_string(),
            clock: if marks.pinned {
                how.clock
            } else {
                Clock::System
            },
            kind: marks.kind,
            access: how.access,
        };
        // From here on the desk's own policy and calendar, not the process's.
        store.load_desk_policy()?;
        if how.access == Access::Write {
            store.refresh_verdicts_if_policy_changed()?;
        }
        Ok(store)
    }

    /// Creates an empty desk (`init`): `operator` is its first supervisor,
    /// `kind` and whether `clock` is pinned are marked in it for good.
    /// Refused if anything is at `path` already.
    pub fn create(
        path: &Path,
        policy: Policy,
        calendar: Calendar,
        operator: &str,
        kind: DeskKind,
        clock: Clock,
    ) -> anyhow::Result<Store> {
        if open::create_desk(path, operator, kind, clock)? == open::Created::AlreadyThere {
            anyhow::bail!(
                "{} already exists; not making a desk over it",
                path.display()
            );
        }
        Self::open_with(
            path,
            policy,
            calendar,
            operator,
            Opening::new(Access::Write, clock),
        )
    }

    /// The desk at `path`, created as `create` does if there is none
    /// (`import`, `demo`). Of several processes creating it at once, one
    /// does and the others open theirs.
    pub fn open_or_create(
        path: &Path,
        policy: Policy,
        calendar: Calendar,
        operator: &str,
        kind: DeskKind,
        clock: Clock,
    ) -> anyhow::Result<Store> {
        if std::fs::symlink_metadata(path).is_err() {
            open::create_desk(path, operator, kind, clock)?;
        }
        Self::open_with(
            path,
            policy,
            calendar,
            operator,
            Opening::new(Access::Write, clock),
        )
    }

    /// Business time: the system clock, or the pinned instant on a test or
    /// demo desk opened with one.
    pub fn now(&self) -> chrono::DateTime<chrono::FixedOffset> {
        self.clock.now()
    }

    /// Refuses a write on a desk opened for reading (`snapshot` feeding the
    /// console keys that act, say) with the reason, not SQLite's "read-only".
    pub(crate) fn writable(&self) -> Result<(), StoreError> {
        if self.access == Access::Read {
            return Err(StoreError::Refused(
                "the desk is open for reading only: reading commands such as snapshot never write"
                    .into(),
            ));
        }
        Ok(())
    }

    /// What the desk was created as.
    pub fn kind(&self) -> DeskKind {
        self.kind
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
                "{name} has no role on this desk; ask a supervisor: refund-desk roles grant {name} agent"
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

/// Owner and group may read and write; others nothing (customer data).
pub(crate) fn create_private(path: &Path) -> std::io::Result<()> {
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

/// The schema version this binary reads and writes.
pub fn schema_version() -> usize {
    schema::latest()
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
    due.map(|d| day_text(d.target))
        .unwrap_or_else(|| NO_DUE.to_string())
}

/// A date as stored, YYYY-MM-DD: what chrono's Display writes, without its
/// formatting machinery (four dates per imported ticket, a tenth of a
/// batch's own time).
pub(crate) fn day_text(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        return d.to_string();
    }
    let digits = [
        y / 1000,
        y / 100 % 10,
        y / 10 % 10,
        y % 10,
        -1,
        (m / 10) as i32,
        (m % 10) as i32,
        -1,
        (day / 10) as i32,
        (day % 10) as i32,
    ];
    digits
        .iter()
        .map(|&n| {
            if n < 0 {
                '-'
            } else {
                char::from(b'0' + n as u8)
            }
        })
        .collect()
}

#[cfg(test)]
mod day_text_tests {
    #[test]
    fn writes_what_chrono_writes() {
        let mut d = chrono::NaiveDate::from_ymd_opt(-3, 1, 1).unwrap();
        let end = chrono::NaiveDate::from_ymd_opt(10_002, 12, 31).unwrap();
        while d < end {
            assert_eq!(super::day_text(d), d.to_string());
            d = d + chrono::Days::new(17);
        }
    }
}
