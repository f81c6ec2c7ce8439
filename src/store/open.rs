//! Opening and creating the desk file (SPEC §4 "The desk file").
//!
//! Only `init`, `import` and `demo` create a desk, and they create it whole:
//! schema, kind, clock and first supervisor are written to a file beside the
//! desk, which is then linked into place, so no one ever opens a half-made
//! desk — and a file of zero bytes is never mistaken for one. Everything else
//! opens an existing desk, after the checks that can be made before SQLite
//! touches it, each failing with one line that names the file and the cause.
//! Reading commands open read-only and refuse what would need a write (an
//! older schema); only writing commands bring a desk up to date.

use super::{bulk, explain, schema, Clock};
use anyhow::Context as _;
use rusqlite::{Connection, OpenFlags};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What the process will do with the desk it opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `list`, `show`, `export`, `check`…: a read-only connection. Nothing in
    /// the desk changes, so an older schema is refused, not upgraded.
    Read,
    /// The console: it may act later, but opening it changes nothing (an
    /// older schema is refused as for reading).
    Console,
    /// Writing commands: the schema is upgraded and owed indexes are built
    /// before the command runs.
    Write,
}

/// Marked in `meta` when the desk is created, never changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeskKind {
    Real,
    /// Created with `REFUND_DESK_NOW` set (the test suite's desks).
    Test,
    /// Created by `demo` (or the console's `--demo`): the only kind `demo` fills.
    Demo,
}

impl DeskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeskKind::Real => "real",
            DeskKind::Test => "test",
            DeskKind::Demo => "demo",
        }
    }

    fn parse(s: &str) -> Option<DeskKind> {
        Some(match s {
            "real" => DeskKind::Real,
            "test" => DeskKind::Test,
            "demo" => DeskKind::Demo,
            _ => return None,
        })
    }

    /// What `init` or `import` makes: a test desk when the clock is pinned.
    pub fn for_clock(clock: Clock) -> DeskKind {
        if clock.is_pinned() {
            DeskKind::Test
        } else {
            DeskKind::Real
        }
    }
}

/// How to open: what for, and with which clock.
#[derive(Clone, Copy, Debug)]
pub struct Opening {
    pub access: Access,
    pub clock: Clock,
}

impl Opening {
    pub fn new(access: Access, clock: Clock) -> Opening {
        Opening { access, clock }
    }
}

/// What the desk says of itself in `meta`. Desks made before these were
/// written are real desks on the system clock.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Marks {
    pub kind: DeskKind,
    pub pinned: bool,
}

fn read_marks(conn: &Connection) -> anyhow::Result<Marks> {
    let (kind, clock): (Option<String>, Option<String>) = conn.query_row(
        "SELECT (SELECT value FROM meta WHERE key = 'desk_kind'),
                (SELECT value FROM meta WHERE key = 'clock')",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Marks {
        kind: kind
            .as_deref()
            .and_then(DeskKind::parse)
            .unwrap_or(DeskKind::Real),
        pinned: clock.as_deref() == Some("pinned"),
    })
}

pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    p.into()
}

fn user_name(uid: u32) -> String {
    nix::unistd::User::from_uid(uid.into())
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| format!("uid {uid}"))
}

fn group_name(gid: u32) -> String {
    nix::unistd::Group::from_gid(gid.into())
        .ok()
        .flatten()
        .map(|g| g.name)
        .unwrap_or_else(|| format!("gid {gid}"))
}

/// "owner alice, group desk, mode 0640"
fn ownership(m: &std::fs::Metadata) -> String {
    format!(
        "owner {}, group {}, mode {:04o}",
        user_name(m.uid()),
        group_name(m.gid()),
        m.permissions().mode() & 0o7777
    )
}

/// The directory the desk lives in: it exists, and others cannot write it
/// (they could plant a `-wal` or `-shm` beside the desk, or swap the file).
fn check_dir(path: &Path) -> anyhow::Result<()> {
    let shown = path.display();
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d,
        None => Path::new("."),
    };
    let meta = match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => m,
        _ => anyhow::bail!("{shown}: directory {} does not exist", dir.display()),
    };
    let mode = meta.permissions().mode();
    anyhow::ensure!(
        mode & 0o002 == 0,
        "{shown}: directory {} is writable by everyone (mode {:04o}): anyone could plant files beside the desk; fix it with `chmod o-w {}` or keep the desk in another directory",
        dir.display(),
        mode & 0o7777,
        dir.display()
    );
    Ok(())
}

/// The desk file itself: there, a regular file, not empty, not writable by others.
fn check_file(path: &Path) -> anyhow::Result<std::fs::Metadata> {
    let shown = path.display();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
            "no desk at {shown}: create one with `refund-desk init` (or `refund-desk import FILE`)"
        ),
        Err(e) => anyhow::bail!("{shown}: cannot open: {e}"),
    };
    anyhow::ensure!(
        !meta.is_dir(),
        "{shown} is a directory, not a refund-desk desk"
    );
    anyhow::ensure!(
        meta.is_file(),
        "{shown} is not a regular file, not a refund-desk desk"
    );
    anyhow::ensure!(meta.len() > 0, "{shown} is empty: not a refund-desk desk");
    let mode = meta.permissions().mode();
    anyhow::ensure!(
        mode & 0o002 == 0,
        "{shown} is writable by everyone (mode {:04o}): anyone could rewrite the desk; fix it with `chmod o-w {shown}`",
        mode & 0o7777
    );
    Ok(meta)
}

/// SQLite's `-wal` and `-shm` beside the desk: made by the desk's owner or
/// someone of its group, and usable by this user. Returns whether a `-wal`
/// is there (some process has the desk open, or one died with it open).
fn check_companions(path: &Path, desk: &std::fs::Metadata, operator: &str) -> anyhow::Result<bool> {
    let mut wal = false;
    for suffix in ["-wal", "-shm"] {
        let p = with_suffix(path, suffix);
        let m = match std::fs::symlink_metadata(&p) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => anyhow::bail!("{}: cannot look at it: {e}", p.display()),
        };
        let shown = p.display();
        anyhow::ensure!(
            m.is_file(),
            "{shown} is not a regular file: someone else made it; remove it once no refund-desk has {} open",
            path.display()
        );
        // SQLite gives these files its creator and the creator's group (the
        // directory's, when setgid): anything else was planted, or made by
        // an agent whose files the others cannot share.
        anyhow::ensure!(
            m.uid() == desk.uid() || m.gid() == desk.gid(),
            "{shown} belongs to neither the desk's owner nor its group {} ({}): remove it once no refund-desk has {} open, and keep the desk in a setgid directory (`chmod g+s`) so SQLite's files get the desk's group",
            group_name(desk.gid()),
            ownership(&m),
            path.display()
        );
        let usable = std::fs::OpenOptions::new().read(true).write(true).open(&p);
        match usable {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ReadOnlyFilesystem => {}
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => anyhow::bail!(
                "{shown} cannot be written by {operator} ({}): every agent of the desk needs it; fix it with `chmod g+rw {shown}`",
                ownership(&m)
            ),
            Err(e) => anyhow::bail!("{shown}: cannot open: {e}"),
        }
        wal |= suffix == "-wal";
    }
    Ok(wal)
}

/// No process has the desk open: SQLite's companions exist from a
/// connection's first read to the last one's close.
fn quiet(path: &Path) -> bool {
    ["-wal", "-shm"]
        .iter()
        .all(|s| std::fs::symlink_metadata(with_suffix(path, s)).is_err())
}

/// The first 100 bytes say whether this is an SQLite file at all and how
/// long it should be. A file shorter than its header says is only judged
/// truncated while no process has it open before and after the look: a
/// checkpoint writes the header (page 1) before the pages that grow the file.
fn check_header(path: &Path) -> anyhow::Result<()> {
    use std::io::Read;
    let shown = path.display();
    let was_quiet = quiet(path);
    let mut head = [0u8; 100];
    let mut file = std::fs::File::open(path).with_context(|| format!("{shown}: cannot read"))?;
    let len = file.metadata()?.len();
    let read = file.read_exact(&mut head);
    match read {
        Ok(_) if head.starts_with(b"SQLite format 3\0") => {}
        Ok(_) => anyhow::bail!("{shown} is not a refund-desk database (not an SQLite file)"),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            anyhow::bail!("{shown} is not a refund-desk database (too short for an SQLite file)")
        }
        Err(e) => anyhow::bail!("{shown}: cannot read: {e}"),
    }
    let page = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65_536u64,
        n => n as u64,
    };
    anyhow::ensure!(
        page.is_power_of_two() && (512..=65_536).contains(&page),
        "{shown} is malformed: its header names a page size of {page} bytes; restore it from a backup"
    );
    // SQLite grows and shrinks the file by whole pages, whatever is running.
    anyhow::ensure!(
        len % page == 0,
        "{shown} is truncated: {len} bytes, not a whole number of {page}-byte pages; restore it from a backup"
    );
    let pages = u32::from_be_bytes([head[28], head[29], head[30], head[31]]) as u64;
    // The page count is valid only when written by the same change as the
    // rest of the header (SQLite's own rule).
    let valid = head[24..28] == head[92..96] && pages > 0;
    if valid && len < pages * page && was_quiet && quiet(path) {
        anyhow::bail!(
            "{shown} is truncated: {len} bytes where its header says {}; restore it from a backup",
            pages * page
        );
    }
    Ok(())
}

/// Whether the desk can be opened as `access` needs: readable, writable for
/// writers and the console. Returns whether its filesystem is read-only.
fn check_access(
    path: &Path,
    meta: &std::fs::Metadata,
    access: Access,
    operator: &str,
) -> anyhow::Result<bool> {
    let shown = path.display();
    let writable = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path);
    let why = match writable {
        Ok(_) => return Ok(false),
        Err(e) => e,
    };
    let rofs = why.kind() == std::io::ErrorKind::ReadOnlyFilesystem;
    if access == Access::Read {
        return match std::fs::File::open(path) {
            Ok(_) => Ok(rofs),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                anyhow::bail!("{shown} cannot be read by {operator} ({})", ownership(meta))
            }
            Err(e) => anyhow::bail!("{shown}: cannot read: {e}"),
        };
    }
    let what = if access == Access::Console {
        "the console"
    } else {
        "this command"
    };
    if rofs {
        anyhow::bail!(
            "{shown} is on a read-only filesystem: {what} needs to write; reading commands (list, show, export) still work"
        );
    }
    if why.kind() == std::io::ErrorKind::PermissionDenied {
        anyhow::bail!(
            "{shown} is read-only for {operator} ({}): {what} needs to write; agents share the desk through its group",
            ownership(meta)
        );
    }
    anyhow::bail!("{shown}: cannot open: {why}")
}

/// `file:` URI of a path, for the query parameters SQLite takes only there.
fn uri(path: &Path) -> String {
    let mut s = String::from("file:");
    for b in path.as_os_str().as_encoded_bytes() {
        match b {
            b'?' | b'#' | b'%' | b' ' => s += &format!("%{b:02X}"),
            _ => s.push(*b as char),
        }
    }
    s
}

fn connect(path: &Path, access: Access, rofs: bool, wal: bool) -> anyhow::Result<Connection> {
    let shown = path.display();
    let base = OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = match access {
        // On a read-only filesystem SQLite cannot make the `-shm` a WAL
        // reader needs; with no `-wal` there, nothing can change the file
        // either, so it may be read as immutable.
        Access::Read if rofs && !wal => Connection::open_with_flags(
            format!("{}?immutable=1", uri(path)),
            base | OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
        ),
        Access::Read => Connection::open_with_flags(path, base | OpenFlags::SQLITE_OPEN_READ_ONLY),
        Access::Console | Access::Write => {
            Connection::open_with_flags(path, base | OpenFlags::SQLITE_OPEN_READ_WRITE)
        }
    };
    let conn = conn
        .map_err(explain)
        .with_context(|| format!("{shown}: cannot open"))?;
    conn.busy_timeout(busy_timeout())?;
    Ok(conn)
}

/// The page size of new desks (see `build`).
const PAGE_SIZE: u32 = 16_384;

/// How long to wait for another writer's lock: 10 s, or
/// `REFUND_DESK_BUSY_TIMEOUT_MS` (tests use a short one to stay fast).
pub(crate) fn busy_timeout() -> Duration {
    std::env::var("REFUND_DESK_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_secs(10))
}

/// Switches to WAL, retrying within the busy timeout: agents racing to open
/// can get SQLITE_BUSY here without SQLite calling the busy handler (its
/// deadlock avoidance). A no-op on a desk already in WAL.
fn use_wal(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + busy_timeout();
    let mut pause = Duration::from_millis(2);
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            r => return r,
        }
    }
}

fn tune(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // 8 MiB of page cache keeps the console small; imports raise it.
    conn.pragma_update(None, "cache_size", -8_192)
}

/// Opens an existing desk. Writes nothing unless `access` is `Write` and
/// the desk is behind (schema, or indexes a bulk load still owes).
pub(crate) fn open_existing(
    path: &Path,
    operator: &str,
    how: Opening,
) -> anyhow::Result<(Connection, Marks)> {
    let shown = path.display();
    check_dir(path)?;
    let meta = check_file(path)?;
    let wal = check_companions(path, &meta, operator)?;
    check_header(path)?;
    let rofs = check_access(path, &meta, how.access, operator)?;
    let mut conn = connect(path, how.access, rofs, wal)?;
    let (version, tables): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_schema)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(explain)
        .with_context(|| format!("{shown}: cannot read"))?;
    let version = version as usize;
    anyhow::ensure!(
        version <= schema::latest(),
        "{shown} has schema version {version}, newer than this refund-desk knows ({}): upgrade refund-desk",
        schema::latest()
    );
    anyhow::ensure!(
        version > 0 && tables > 0,
        "{shown} is an SQLite file but not a refund-desk database"
    );
    let marks = read_marks(&conn)
        .map_err(super::explain_any)
        .with_context(|| format!("{shown}: cannot read"))?;
    if how.clock.is_pinned() && !marks.pinned {
        anyhow::bail!(
            "{} is set, but {shown} is a {} desk on the system clock: the variable pins business time only on test and demo desks created with it; unset it",
            super::clock::PIN_VAR,
            marks.kind.as_str()
        );
    }
    tune(&conn)?;
    if version < schema::latest() {
        if how.access != Access::Write {
            return Err(OlderSchema {
                path: path.to_path_buf(),
                version,
            }
            .into());
        }
        use_wal(&conn)
            .map_err(explain)
            .with_context(|| format!("{shown}: cannot switch to WAL"))?;
        migrate(&mut conn).with_context(|| format!("{shown}: migration failed"))?;
    }
    // A bulk import that died half-way left its indexes to build; one
    // still running (it holds the load lock) builds them itself. Readers
    // and the console read without them: slower, never wrong.
    if how.access == Access::Write && bulk::owed(&conn)? {
        if let Some(_lock) = bulk::LoadLock::try_hold(path)? {
            bulk::restore_indexes(&mut conn, &mut super::phases::Phases::default()).with_context(
                || format!("{shown}: cannot rebuild the indexes of an interrupted import"),
            )?;
        }
    }
    Ok((conn, marks))
}

/// Brings the schema to the latest version. Several writers may find the
/// desk behind at once: the migration takes the write lock up front
/// (IMMEDIATE), so a loser waits for the winner's commit, then fails on
/// "table already exists": fine when the schema is now current.
fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    let result = schema::migrations().to_latest(conn);
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Deferred);
    if let Err(e) = result {
        let now: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        anyhow::ensure!(now as usize == schema::latest(), "{e}");
    }
    Ok(())
}

/// A desk behind this binary's schema, opened by a command that must not
/// write: `init` catches it to upgrade.
#[derive(Debug)]
pub struct OlderSchema {
    pub path: PathBuf,
    pub version: usize,
}

impl std::fmt::Display for OlderSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = self.path.display();
        write!(
            f,
            "{shown} has schema version {}, older than this refund-desk's ({}): reading never writes; `refund-desk --db {shown} init` upgrades it",
            self.version,
            schema::latest()
        )
    }
}

impl std::error::Error for OlderSchema {}

/// Whether `create_desk` made the desk or found one there.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Created {
    Made,
    AlreadyThere,
}

/// Makes a complete desk at `path` — schema, kind, clock and `operator` as
/// its first supervisor — in a file beside it, then links it into place:
/// the desk appears whole or not at all, and of several processes creating
/// it at once exactly one does (the others find it there).
pub(crate) fn create_desk(
    path: &Path,
    operator: &str,
    kind: DeskKind,
    clock: Clock,
) -> anyhow::Result<Created> {
    let shown = path.display();
    check_dir(path)?;
    if std::fs::symlink_metadata(path).is_ok() {
        return Ok(Created::AlreadyThere);
    }
    let name = path
        .file_name()
        .with_context(|| format!("{shown}: not a file name"))?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".new-{}-{stamp}", std::process::id()));
    let temp = path.with_file_name(temp_name);
    let cleanup = |temp: &Path| {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(with_suffix(temp, suffix));
        }
    };
    let made =
        build(&temp, operator, kind, clock).and_then(|()| match std::fs::hard_link(&temp, path) {
            Ok(()) => Ok(Created::Made),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(Created::AlreadyThere),
            Err(e) => Err(anyhow::anyhow!("{shown}: cannot create the desk: {e}")),
        });
    cleanup(&temp);
    made
}

fn build(temp: &Path, operator: &str, kind: DeskKind, clock: Clock) -> anyhow::Result<()> {
    super::create_private(temp)
        .with_context(|| format!("{}: cannot create the desk", temp.display()))?;
    let mut conn = Connection::open_with_flags(
        temp,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(explain)?;
    // Set before anything is written: it is the file's for good. A ticket
    // row is about 1.5 KB, so a 4 KB page held two and wasted a quarter;
    // at 16 KB a bulk load writes a sixth of the pages it did, and its log
    // commits took a fifth of the time (issue 14). Desks made before keep
    // their 4 KB pages.
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    use_wal(&conn).map_err(explain)?;
    tune(&conn)?;
    schema::migrations().to_latest(&mut conn)?;
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('desk_kind', ?1), ('clock', ?2)",
        [
            kind.as_str(),
            if clock.is_pinned() {
                "pinned"
            } else {
                "system"
            },
        ],
    )?;
    super::roles::record_first_supervisor(&tx, operator, &super::stamp(clock.now()))?;
    tx.commit()?;
    // Closing checkpoints the WAL into the file before it is linked.
    conn.close().map_err(|(_, e)| explain(e))?;
    Ok(())
}
