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

/// FTS5 writes a segment whenever this much pending data has piled up. The
/// default (1 MiB) makes hundreds of small segments to merge; a big one
/// (64 MiB) makes each write-out sort a million terms in one list, out of
/// the cache (200k lines: 2.0–2.2 s of the builder's CPU at 4 MiB against
/// 2.2–2.5 s at 64 MiB).
const HASH_BYTES: i64 = 4 << 20;

/// Segments FTS5 lets pile up at a level before merging them. The default
/// (4) merges the scratch index over and over while it is built; at 16 the
/// builder spends a seventh less CPU (an `sqlite3` experiment on 200,000
/// documents: 1.20–1.25 s of user time against 1.38–1.47 s) for a few more
/// segments in the finished index. Only the scratch copy is built so: the
/// desk's own search table keeps its settings (they live in `_config`,
/// which is not copied in).
const AUTOMERGE: i64 = 16;

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
             INSERT INTO scratch.tickets_fts (tickets_fts, rank) VALUES ('hashsize', {HASH_BYTES});
             INSERT INTO scratch.tickets_fts (tickets_fts, rank) VALUES ('automerge', {AUTOMERGE});"
        ))?;
        // Eight batches in flight at most (a few MB each): enough that the
        // writer never waits for the builder on a two-core box, and a slow
        // builder still holds it back before documents pile up in memory.
        let (send, receive) = sync_channel::<Docs>(8);
        let worker = std::thread::Builder::new()
            .name("search index".into())
            .spawn(move || -> anyhow::Result<(Connection, Duration)> {
                super::helper_priority::below_the_writer();
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

    /// Every document is sent: the builder writes out what it holds while
    /// the caller goes on (a bulk load builds its other indexes meanwhile).
    pub(crate) fn close(&mut self) {
        drop(self.send.take());
    }

    /// Waits for the builder, then puts its index in the desk: one
    /// transaction that also clears the owed search (`owed_key`). Returns
    /// the CPU time the builder spent (for `REFUND_DESK_IMPORT_PHASES`).
    pub(crate) fn finish(mut self, owed_key: &str) -> anyhow::Result<Duration> {
        self.close();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::demo::DemoGenerator;

    /// A demo ticket with `words` for a description.
    fn ticket(g: &mut DemoGenerator, words: &str) -> (String, String) {
        let mut v: serde_json::Value = serde_json::from_str(&g.next_line()).unwrap();
        v["description"] = words.into();
        (v["id"].as_str().unwrap().to_string(), v.to_string())
    }

    fn insert(c: &Connection, rowid: i64, (id, raw): &(String, String)) {
        c.execute(
            "INSERT INTO tickets (rowid, id, raw, received_us, received_at, product, account_id, currency,
                                  verdict, verdict_kind, policy_version, state, wf, updated_at, updated_by)
             VALUES (?1, ?2, ?3, 0, 'at', 'lcic', 'a', 'USD', '', '', '', 'submitted', '', 'at', 'x')",
            rusqlite::params![rowid, id, raw],
        )
        .unwrap();
    }

    fn doc(raw: &(String, String)) -> String {
        search_document(&parse_stored(&raw.0, &raw.1).unwrap())
    }

    fn found(c: &Connection, word: &str) -> Vec<i64> {
        c.prepare("SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?1 ORDER BY rowid")
            .unwrap()
            .query_map([word], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// What another process indexed while the builder worked (a ticket it
    /// imported, facts it received for one of the load's) is in the desk
    /// once the build is installed, as the desk now stores it.
    #[test]
    fn the_installed_index_keeps_what_others_indexed_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        let mut desk = Connection::open(&path).unwrap();
        desk.pragma_update(None, "journal_mode", "WAL").unwrap();
        super::super::schema::migrations()
            .to_latest(&mut desk)
            .unwrap();
        desk.execute(
            "INSERT INTO meta (key, value) VALUES ('deferred_search', '1')",
            [],
        )
        .unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00+08:00").unwrap();
        let mut g = DemoGenerator::new(3, now);
        let (a, b) = (ticket(&mut g, "alphaword"), ticket(&mut g, "betaword"));
        insert(&desk, 1, &a);
        insert(&desk, 2, &b);

        let build = SearchBuild::start(&path).unwrap();
        build
            .add(vec![(1, doc(&a), false), (2, doc(&b), false)])
            .unwrap();
        // Another writer: a ticket of its own, and new facts for the load's
        // second ticket, each indexed into the desk's search as it writes.
        let c = ticket(&mut g, "gammaword");
        insert(&desk, 3, &c);
        let b2 = (b.0.clone(), b.1.replace("betaword", "zebracorn"));
        desk.execute("UPDATE tickets SET raw = ?1 WHERE rowid = 2", [&b2.1])
            .unwrap();
        desk.execute_batch("DELETE FROM tickets_fts WHERE rowid = 2")
            .unwrap();
        for (rowid, t) in [(3, &c), (2, &b2)] {
            desk.execute(
                "INSERT INTO tickets_fts (rowid, body) VALUES (?1, ?2)",
                rusqlite::params![rowid, doc(t)],
            )
            .unwrap();
        }
        build.finish("deferred_search").unwrap();

        assert_eq!(found(&desk, "alphaword"), [1]);
        assert_eq!(found(&desk, "gammaword"), [3]);
        assert_eq!(found(&desk, "zebracorn"), [2]);
        assert!(
            found(&desk, "betaword").is_empty(),
            "the stale document left"
        );
        desk.execute_batch("INSERT INTO tickets_fts (tickets_fts) VALUES ('integrity-check')")
            .unwrap();
        let owed: i64 = desk
            .query_row(
                "SELECT count(*) FROM meta WHERE key = 'deferred_search'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(owed, 0);
    }
}
