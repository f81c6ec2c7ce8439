//! Bulk load into an empty desk. Inserting a million rows one by one into
//! the secondary indexes is random B-tree work; building each index once
//! at the end is one sort. Likewise the search index: fed batch by batch it
//! merges its segments over and over; fed once, in rowid order, it writes
//! them once. So an import into a desk with no tickets drops the secondary
//! indexes first and builds each once when it is done; its search index is
//! built beside the load, on a thread of its own (store::search_build).
//!
//! What is owed waits in `meta` ('deferred_indexes', 'deferred_search') in
//! the same transaction that drops the indexes, so whichever comes first —
//! the importer's end, or the next open of the file after an import that
//! died half-way — builds them. Nothing is left without its indexes for good.

use super::phases::Phases;
use super::rows::search_document;
use super::search_build::{Docs, SearchBuild};
use super::verdicts::parse_stored;
use anyhow::Context;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

const KEY: &str = "deferred_indexes";
const SEARCH_KEY: &str = "deferred_search";
/// Search documents handed to the builder at a time while rebuilding.
const SEARCH_CHUNK: usize = 20_000;

/// Indexes the importer itself reads through while loading: an account's
/// history decides its verdicts (see verdicts::recompute_account). Partial
/// indexes are kept too: no imported row falls in one (none is assigned,
/// pending or paid out yet), so they cost nothing per row, while building
/// one afterwards would read the whole table for nothing.
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
            "SELECT s.name, s.sql FROM sqlite_schema s
              WHERE s.type = 'index' AND s.sql IS NOT NULL AND s.tbl_name IN ('tickets', 'events')
                AND NOT EXISTS (SELECT 1 FROM pragma_index_list(s.tbl_name) p
                                 WHERE p.name = s.name AND p.partial)
              ORDER BY s.name",
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

/// Builds back what a bulk load deferred: its indexes, then its search
/// index. Cheap when nothing is owed.
pub(crate) fn restore_indexes(conn: &mut Connection, phases: &mut Phases) -> anyhow::Result<()> {
    build_indexes(conn, phases)?;
    if search_owed(conn)? {
        phases.time("search index rebuild", || rebuild_search(conn))?;
    }
    Ok(())
}

/// Builds the indexes a bulk load dropped, in one transaction that also
/// clears them from what is owed.
pub(crate) fn build_indexes(conn: &mut Connection, phases: &mut Phases) -> anyhow::Result<()> {
    if owed_work(conn)?.0.is_none() {
        return Ok(());
    }
    // Pages the load left in the log are copied into the file first (the
    // checkpoint is owed anyway): the builds then read the table from the
    // file, not page by page through the log's index. Readers in the way
    // only make it partial.
    phases.time("checkpoint before index builds", || {
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
    })?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have built them while this one waited for the lock.
    let Some(definitions) = owed_work(&tx)?.0 else {
        return Ok(());
    };
    let definitions: Vec<String> = serde_json::from_str(&definitions)?;
    // Each CREATE INDEX streams the whole table once: a big page cache only
    // costs bookkeeping then, and a small one makes the sorter spill sorted
    // runs, which a second sorter thread sorts on the other core. Measured
    // (16 KB pages): 2 MiB builds faster than 64 MiB, in memory or mapped,
    // at 200,000 tickets and at a million.
    let cache: i64 = tx.pragma_query_value(None, "cache_size", |r| r.get(0))?;
    tx.pragma_update(None, "cache_size", -2_000)?;
    tx.pragma_update(None, "threads", 2)?;
    phases.time("index builds", || {
        definitions.iter().try_for_each(|sql| tx.execute_batch(sql))
    })?;
    tx.pragma_update(None, "threads", 0)?;
    tx.pragma_update(None, "cache_size", cache)?;
    tx.execute("DELETE FROM meta WHERE key = ?1", [KEY])?;
    phases.time("index commit", || tx.commit())?;
    Ok(())
}

/// Indexes every stored ticket's search document afresh: this thread reads
/// and parses them while the builder's tokenises (on two cores, one each).
fn rebuild_search(conn: &Connection) -> anyhow::Result<()> {
    let path = conn
        .path()
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from)
        .context("the desk has no file for the search builder to open")?;
    let build = SearchBuild::start(&path)?;
    read_documents(conn, |chunk| build.add(chunk))?;
    build.finish(SEARCH_KEY).map(drop)
}

/// The key that marks the search index owed, for `SearchBuild::finish`.
pub(crate) fn search_key() -> &'static str {
    SEARCH_KEY
}

/// Every stored ticket's search document, in rowid order and in chunks.
fn read_documents(
    conn: &Connection,
    mut each: impl FnMut(Docs) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut stmt = conn.prepare("SELECT rowid, id, raw FROM tickets ORDER BY rowid")?;
    let mut rows = stmt.query([])?;
    let mut docs = Docs::new();
    while let Some(r) = rows.next()? {
        let (rowid, id, raw): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        docs.push((rowid, search_document(&parse_stored(&id, &raw)?), false));
        if docs.len() == SEARCH_CHUNK {
            each(std::mem::take(&mut docs))?;
        }
    }
    each(docs)
}
