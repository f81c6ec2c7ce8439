//! The search index of a bulk load, built beside the load instead of after
//! it. SQLite lets one connection write a file at a time, and tokenising
//! every document took a quarter of an import on the writer's connection
//! (issue 14). So a thread of its own feeds the documents of committed
//! batches into a copy of the search table in a private temporary
//! database, while the writer goes on with rows and indexes; at the end its
//! connection copies the finished index into the desk's search tables in
//! one transaction, which also clears what was owed.
//!
//! Until that transaction commits, the desk's search stays owed in `meta`
//! (store::bulk): a load killed at any moment leaves the rebuild to the
//! next open, which goes through here too. The temporary database is
//! SQLite's own (`ATTACH ''`), removed by the OS whatever happens.

use super::phases::Phases;
use super::rows::search_document;
use super::verdicts::parse_stored;
use anyhow::Context as _;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;
use std::time::Duration;

/// (rowid, search document, whether it replaces one sent before).
pub(crate) type Docs = Vec<(i64, String, bool)>;

/// FTS5 writes a segment whenever this much pending data has piled up; the
/// default (1 MiB) makes hundreds of small segments to merge.
const HASH_BYTES: i64 = 64 << 20;

/// The shadow tables of the search table that hold the index itself (the
/// fourth, `_config`, holds settings, the same on both sides).
const SHADOWS: [&str; 3] = ["data", "idx", "docsize"];

pub(crate) struct SearchBuild {
    send: Option<SyncSender<Docs>>,
    worker: Option<JoinHandle<anyhow::Result<(Connection, Duration)>>>,
}

impl SearchBuild {
    /// Starts the builder on a connection of its own to the desk at `desk`.
    pub(crate) fn start(desk: &Path) -> anyhow::Result<SearchBuild> {
        let conn = Connection::open_with_flags(
            desk,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(super::explain)?;
        conn.busy_timeout(super::busy_timeout())?;
        let definition: String = conn.query_row(
            "SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = 'tickets_fts'",
            [],
            |r| r.get(0),
        )?;
        // The desk's own definition, so the copy is laid out as the desk reads it.
        let scratch = definition
            .strip_prefix("CREATE VIRTUAL TABLE tickets_fts")
            .map(|rest| format!("CREATE VIRTUAL TABLE scratch.tickets_fts{rest}"))
            .with_context(|| format!("unexpected search table definition: {definition}"))?;
        conn.execute_batch(&format!(
            "ATTACH '' AS scratch;
             PRAGMA scratch.cache_size = -65536;
             PRAGMA scratch.journal_mode = OFF;
             {scratch};
             INSERT INTO scratch.tickets_fts (tickets_fts, rank) VALUES ('hashsize', {HASH_BYTES});"
        ))?;
        // Eight batches in flight at most (a few MB each): enough that the
        // writer never waits for the builder on a two-core box, and a slow
        // builder still holds it back before documents pile up in memory.
        let (send, receive) = sync_channel::<Docs>(8);
        let worker = std::thread::Builder::new()
            .name("search index".into())
            .spawn(move || -> anyhow::Result<(Connection, Duration)> {
                // Only the temporary database is written here: the desk is
                // not locked while documents are tokenised.
                conn.execute_batch("BEGIN")?;
                {
                    let mut insert = conn
                        .prepare("INSERT INTO scratch.tickets_fts (rowid, body) VALUES (?1, ?2)")?;
                    let mut delete =
                        conn.prepare("DELETE FROM scratch.tickets_fts WHERE rowid = ?1")?;
                    for docs in receive.iter() {
                        for (rowid, doc, replaces) in docs {
                            if replaces {
                                delete.execute([rowid])?;
                            }
                            insert.execute((rowid, doc))?;
                        }
                    }
                }
                conn.execute_batch("COMMIT")?;
                Ok((conn, Phases::thread_cpu(true)))
            })?;
        Ok(SearchBuild {
            send: Some(send),
            worker: Some(worker),
        })
    }

    /// Hands over the documents of a committed batch. Fails if the
    /// builder stopped (its error comes with `finish`).
    pub(crate) fn add(&self, docs: Docs) -> anyhow::Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        let sent = self.send.as_ref().map(|s| s.send(docs).is_ok());
        anyhow::ensure!(sent == Some(true), "the search index builder stopped");
        Ok(())
    }

    /// Waits for the builder, then puts its index in the desk: one
    /// transaction that also clears the owed search (`owed_key`). Returns
    /// the CPU time the builder spent (for `REFUND_DESK_IMPORT_PHASES`).
    pub(crate) fn finish(mut self, owed_key: &str) -> anyhow::Result<Duration> {
        drop(self.send.take());
        let (conn, cpu) = self
            .worker
            .take()
            .expect("finished once")
            .join()
            .map_err(|_| anyhow::anyhow!("the search index builder panicked"))??;
        install(conn, owed_key)?;
        Ok(cpu)
    }
}

impl Drop for SearchBuild {
    fn drop(&mut self) {
        // A load that failed: stop the builder and leave the search owed.
        drop(self.send.take());
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

/// Copies the built index over the desk's, under the desk's write lock.
/// Documents another process indexed meanwhile (a ticket imported by
/// another agent, facts received for one of this load's) are in the desk's
/// search table: each is indexed again from the ticket as stored now.
fn install(mut conn: Connection, owed_key: &str) -> anyhow::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let theirs: Vec<(i64, String, String)> = tx
        .prepare(
            "SELECT t.rowid, t.id, t.raw FROM main.tickets_fts_docsize d
               JOIN main.tickets t ON t.rowid = d.id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (rowid, id, raw) in theirs {
        let doc = search_document(&parse_stored(&id, &raw)?);
        tx.execute("DELETE FROM scratch.tickets_fts WHERE rowid = ?1", [rowid])?;
        tx.execute(
            "INSERT INTO scratch.tickets_fts (rowid, body) VALUES (?1, ?2)",
            (rowid, doc),
        )?;
    }
    for t in SHADOWS {
        tx.execute_batch(&format!(
            "DELETE FROM main.tickets_fts_{t};
             INSERT INTO main.tickets_fts_{t} SELECT * FROM scratch.tickets_fts_{t};"
        ))?;
    }
    tx.execute("DELETE FROM main.meta WHERE key = ?1", [owed_key])?;
    tx.commit()?;
    Ok(())
}
