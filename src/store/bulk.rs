//! Bulk load into an empty desk. Inserting a million rows one by one into
//! the secondary indexes is random B-tree work; building each index once
//! at the end is one sort. Likewise the search index: fed batch by batch it
//! merges its segments over and over; fed once, in rowid order, it writes
//! them once. So an import into a desk with no tickets drops the secondary
//! indexes first, leaves search for later, and builds both when it is done.
//!
//! What is owed waits in `meta` ('deferred_indexes', 'deferred_search') in
//! the same transaction that drops the indexes, so whichever comes first —
//! the importer's end, or the next open of the file after an import that
//! died half-way — builds them. Nothing is left without its indexes for good.

use super::phases::Phases;
use super::rows::{flush_search_index, search_document, SearchDocs};
use super::verdicts::parse_stored;
use anyhow::Context;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::Path;

const KEY: &str = "deferred_indexes";
const SEARCH_KEY: &str = "deferred_search";
/// Search documents per statement while rebuilding.
const SEARCH_CHUNK: usize = 50_000;
/// FTS5 writes a segment whenever this much pending data has piled up; the
/// default (1 MiB) makes hundreds of small segments to merge on a rebuild.
const SEARCH_HASH_BYTES: i64 = 64 << 20;

/// Indexes the importer itself reads through while loading: an account's
/// history decides its verdicts (see verdicts::recompute_account).
const KEPT: &[&str] = &["tickets_by_account"];

/// Drops the secondary indexes of `tickets` and `events` when the desk has
/// no tickets yet. Returns whether it did.
pub(crate) fn defer_indexes(conn: &mut Connection) -> anyhow::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let empty: bool = tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM tickets)", [], |r| {
        r.get(0)
    })?;
    if !empty || owed_work(&tx)?.0.is_some() {
        return Ok(false);
    }
    let indexes: Vec<(String, String)> = tx
        .prepare(
            "SELECT name, sql FROM sqlite_schema
              WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('tickets', 'events')
              ORDER BY name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|(name, _): &(String, String)| !KEPT.contains(&name.as_str()))
        .collect();
    let definitions: Vec<&str> = indexes.iter().map(|(_, sql)| sql.as_str()).collect();
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2), (?3, '1')",
        (KEY, serde_json::to_string(&definitions)?, SEARCH_KEY),
    )?;
    for (name, _) in &indexes {
        tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
    }
    tx.commit()?;
    Ok(true)
}

/// Held by the process doing a bulk load for its whole length: an `flock`
/// on `DB-bulk`, which the OS releases if that process dies. Work owed is
/// built by whoever finds it and can take this lock — the loader at its end,
/// or the next open after the loader died. Anyone else leaves it to the
/// loader rather than hold the write lock for the seconds a build takes (a
/// console opened mid-load opens at once; the loader's batches never wait).
pub(crate) struct LoadLock(#[allow(dead_code)] std::fs::File);

impl LoadLock {
    /// None when another process holds it.
    pub(crate) fn try_hold(db: &Path) -> anyhow::Result<Option<LoadLock>> {
        use std::os::unix::fs::OpenOptionsExt;
        let mut path = db.as_os_str().to_owned();
        path.push("-bulk");
        let opened = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o660)
            .open(&path);
        // Another agent's lock file may not be writable by us; a lock needs
        // only a descriptor.
        let file = match opened {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                std::fs::File::open(&path)
            }
            other => other,
        }
        .with_context(|| {
            format!(
                "cannot open the bulk-load lock {} (its owner can fix it with chmod 660)",
                Path::new(&path).display()
            )
        })?;
        super::file_modes::match_desk_mode(&file, db).with_context(|| {
            format!(
                "cannot share {} with the desk's group",
                Path::new(&path).display()
            )
        })?;
        match file.try_lock() {
            Ok(()) => Ok(Some(LoadLock(file))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
        }
    }
}

/// What a bulk load still owes: the definitions of the indexes it dropped
/// (JSON), and whether the search index waits for its end.
fn owed_work(conn: &Connection) -> rusqlite::Result<(Option<String>, bool)> {
    conn.query_row(
        "SELECT (SELECT value FROM meta WHERE key = ?1),
                EXISTS (SELECT 1 FROM meta WHERE key = ?2)",
        [KEY, SEARCH_KEY],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Whether a bulk load owes indexes or search documents.
pub(crate) fn owed(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(owed_work(conn)? != (None, false))
}

/// Whether the search index still waits for a bulk load's end.
pub(crate) fn search_owed(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(owed_work(conn)?.1)
}

/// Builds back any indexes a bulk load deferred. Cheap when there are none.
pub(crate) fn restore_indexes(conn: &mut Connection, phases: &mut Phases) -> anyhow::Result<()> {
    if !owed(conn)? {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have built them while this one waited for the lock.
    let (definitions, search) = owed_work(&tx)?;
    let definitions: Vec<String> = match definitions {
        Some(json) => serde_json::from_str(&json)?,
        None => Vec::new(),
    };
    // Each CREATE INDEX streams the whole table once: a big page cache only
    // costs bookkeeping then (measured: 2 MiB builds faster than 256 MiB),
    // and a second sorter thread uses the other core.
    let cache: i64 = tx.pragma_query_value(None, "cache_size", |r| r.get(0))?;
    tx.pragma_update(None, "cache_size", -2_000)?;
    tx.pragma_update(None, "threads", 2)?;
    phases.time("index builds", || {
        definitions.iter().try_for_each(|sql| tx.execute_batch(sql))
    })?;
    tx.pragma_update(None, "threads", 0)?;
    tx.pragma_update(None, "cache_size", cache)?;
    if search {
        phases.time("search index build", || rebuild_search(&tx))?;
    }
    tx.execute("DELETE FROM meta WHERE key IN (?1, ?2)", [KEY, SEARCH_KEY])?;
    phases.time("final commit", || tx.commit())?;
    Ok(())
}

/// Indexes every ticket's search document afresh, in rowid order. A second
/// connection reads and parses the stored tickets on its own thread while
/// this one feeds the index: on two cores each gets one.
fn rebuild_search(tx: &Transaction) -> anyhow::Result<()> {
    tx.execute(
        "INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('hashsize', ?1)",
        [SEARCH_HASH_BYTES],
    )?;
    tx.execute(
        "INSERT INTO tickets_fts (tickets_fts) VALUES ('delete-all')",
        [],
    )?;

    let path = tx
        .path()
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from);
    let Some(path) = path else {
        // An in-memory database has no second connection: read it here.
        let mut docs = SearchDocs::new();
        read_documents(tx, |chunk| {
            docs.append(chunk);
            Ok(true)
        })?;
        return flush_search_index(tx, &docs);
    };
    let (send, receive) = std::sync::mpsc::sync_channel::<SearchDocs>(4);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> anyhow::Result<()> {
            let conn = Connection::open_with_flags(
                &path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            conn.busy_timeout(super::busy_timeout())?;
            // A closed channel means the writer failed: stop reading.
            read_documents(&conn, |chunk| Ok(send.send(std::mem::take(chunk)).is_ok()))
        });
        for docs in receive.iter() {
            flush_search_index(tx, &docs)?;
        }
        reader
            .join()
            .map_err(|_| anyhow::anyhow!("the search index reader panicked"))?
    })
}

/// Every stored ticket's search document, in rowid order and in chunks.
/// `each` takes a chunk (leaving it empty) and says whether to go on.
fn read_documents(
    conn: &Connection,
    mut each: impl FnMut(&mut SearchDocs) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let mut stmt = conn.prepare("SELECT rowid, id, raw FROM tickets ORDER BY rowid")?;
    let mut rows = stmt.query([])?;
    let mut docs = SearchDocs::new();
    while let Some(r) = rows.next()? {
        let (rowid, id, raw): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        docs.insert(rowid, search_document(&parse_stored(&id, &raw)?));
        if docs.len() == SEARCH_CHUNK && !each(&mut docs)? {
            return Ok(());
        }
    }
    if !docs.is_empty() {
        each(&mut docs)?;
    }
    Ok(())
}
