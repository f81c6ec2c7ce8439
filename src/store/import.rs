//! Import (SPEC §1): every good line lands, every bad one is reported with
//! its line number, re-imports are idempotent, and nothing is half-written —
//! lines are applied in batches, each batch one transaction.

use super::bulk_seen::Seen;
use super::checkpointer::Checkpointer;
use super::import_batch::BatchWriter;
use super::phases::Phases;
use super::rows::{search_document, SearchSink};
use super::search_build::SearchBuild;
use super::Store;
use crate::ingest::{self, Parsed, Rejected};
use std::io::Read;

const BATCH: usize = 20_000;
/// The first batch: the writer starts once this many lines are parsed, not
/// a whole batch (a tenth of a second idle at the start of every import);
/// each batch after it is twice the last, up to `BATCH`.
const FIRST_BATCH: usize = 2_000;

#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    /// Apply changed content of an existing id (recorded as an event).
    pub update: bool,
}

/// How far an import has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportStep {
    /// Bytes of input consumed and committed.
    Read(u64),
    /// Building indexes and search documents after a bulk load.
    Indexing,
}

/// A good line with its search document, made on the parser thread.
pub(super) struct Line {
    pub p: Parsed,
    pub doc: String,
}

type Chunk = Vec<(Result<Line, Rejected>, u64)>;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// Stored verdicts of earlier-imported tickets that changed.
    pub reverdicts: u64,
}

impl Store {
    /// Imports one file. `on_reject` hears each bad line as it is found;
    /// `progress` hears the bytes consumed so far, then whether indexes are
    /// being built (a bulk load's last, long step).
    pub fn import(
        &mut self,
        name: &str,
        reader: impl Read + Send,
        opts: ImportOptions,
        mut on_reject: impl FnMut(&Rejected),
        mut progress: impl FnMut(ImportStep),
    ) -> anyhow::Result<ImportReport> {
        // Checkpoint every 256 MiB of log rather than every 4 MiB: pages that
        // several batches touch (index and search pages) are copied into the
        // database file once, not once per batch.
        let page: i64 = self
            .conn
            .pragma_query_value(None, "page_size", |r| r.get(0))?;
        self.conn
            .pragma_update(None, "wal_autocheckpoint", (256 << 20) / page.max(512))?;
        let mut phases = Phases::from_env();
        let started = std::time::Instant::now();
        let load = self.start_bulk_load()?;
        // Writes into a populated desk touch ten indexes per row: give them
        // 256 MiB of cache for the duration, then go back to the console's
        // small footprint. A bulk load writes its rows in order and keeps
        // one index: 64 MiB hold a batch, and every page of cache is a page
        // the kernel must zero first (a second of system time at 256 MiB).
        let cache = if load.is_some() { -65_536 } else { -262_144 };
        self.conn.pragma_update(None, "cache_size", cache)?;
        // A bulk load builds its search index beside the rows (store::search_build).
        let mut search = match &load {
            Some(_) => Some(SearchBuild::start(&self.path)?),
            None => None,
        };
        let mut seen = match &load {
            Some(_) => Some(super::bulk_seen::Seen::start(&self.conn)?),
            None => None,
        };
        // A bulk load's log is copied into the file beside it (store::checkpointer).
        let checkpointer = match &load {
            Some(_) => {
                self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
                Some(Checkpointer::start(&self.path, &self.conn)?)
            }
            None => None,
        };
        // A bulk load's events name the tickets it has just written, in the
        // same transaction: the foreign key check looked up every one again.
        if load.is_some() {
            self.conn.pragma_update(None, "foreign_keys", false)?;
        }
        let mut result = self.import_batches(
            name,
            reader,
            opts,
            (search.as_ref(), seen.as_mut(), checkpointer.as_ref()),
            (&mut on_reject, &mut progress),
            &mut phases,
        );
        self.conn.pragma_update(None, "foreign_keys", true)?;
        if load.is_some() {
            progress(ImportStep::Indexing);
            if let Some(search) = search.as_mut() {
                search.close();
            }
            // Also after a failed import: the lines that landed keep their
            // indexes. The search builder works on while the indexes build.
            let mut restored = super::bulk::build_indexes(&mut self.conn, &mut phases);
            if let Some(c) = &checkpointer {
                c.nudge();
            }
            if let (Ok(()), Some(search)) = (&restored, search) {
                let waited = std::time::Instant::now();
                restored = search.finish(super::bulk::search_key()).map(|cpu| {
                    phases.add("cpu: search builder", cpu);
                });
                phases.add("search index: wait + install", waited.elapsed());
            }
            if let (Ok(_), Err(e)) = (&result, restored) {
                result = Err(e);
            }
            phases.time("checkpoint: wait", || drop(checkpointer));
        }
        self.conn.pragma_update(None, "wal_autocheckpoint", 1_000)?;
        self.conn.pragma_update(None, "cache_size", -8_192)?;
        phases.add("cpu: writer", Phases::thread_cpu(phases.on()));
        phases.add("total", started.elapsed());
        phases.report();
        result
    }

    /// A bulk load (see store::bulk) when the desk has no tickets and no
    /// other load is running: the lock, held until the load's end.
    fn start_bulk_load(&mut self) -> anyhow::Result<Option<super::bulk::LoadLock>> {
        let empty: bool =
            self.conn
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM tickets)", [], |r| {
                    r.get(0)
                })?;
        if !empty {
            return Ok(None);
        }
        let Some(lock) = super::bulk::LoadLock::try_hold(&self.path)? else {
            return Ok(None);
        };
        Ok(super::bulk::defer_indexes(&mut self.conn)?.then_some(lock))
    }

    /// Parsing runs on a second thread while this one writes: on a 2-core
    /// box validation and SQLite each get a core.
    fn import_batches(
        &mut self,
        name: &str,
        reader: impl Read + Send,
        opts: ImportOptions,
        (search, mut seen, checkpointer): (
            Option<&SearchBuild>,
            Option<&mut Seen>,
            Option<&Checkpointer>,
        ),
        (on_reject, progress): (&mut impl FnMut(&Rejected), &mut impl FnMut(ImportStep)),
        phases: &mut Phases,
    ) -> anyhow::Result<ImportReport> {
        const CHUNK: usize = 2_000;
        let (send, receive) = std::sync::mpsc::sync_channel::<Chunk>(8);
        let timed = phases.on();
        std::thread::scope(|scope| {
            // Owned here, so that a writer's error drops it on the way out:
            // the parser, blocked on a full channel, then sees it closed and
            // ends, and the scope's join returns. (Left outside, the join
            // waited for a parser that waited for this reader: an import
            // whose writer failed mid-way hung for good.)
            let receive = receive;
            let parser = scope.spawn(move || {
                let mut chunk = Vec::with_capacity(CHUNK);
                let mut open = true;
                // Time spent parsing, not waiting for the writer.
                let started = std::time::Instant::now();
                let mut waited = std::time::Duration::ZERO;
                let read = ingest::read_all(name, reader, |outcome, bytes| {
                    if !open {
                        return;
                    }
                    // The search document here too: the writer's thread is
                    // the one everything else waits for.
                    let line = outcome.map(|p| Line {
                        doc: search_document(&p.ticket),
                        p,
                    });
                    chunk.push((line, bytes));
                    if chunk.len() == CHUNK {
                        let t = timed.then(std::time::Instant::now);
                        // A closed channel means the writer failed: stop sending.
                        open = send
                            .send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))
                            .is_ok();
                        waited += t.map(|t| t.elapsed()).unwrap_or_default();
                    }
                });
                if open && !chunk.is_empty() {
                    let _ = send.send(chunk);
                }
                let cpu = Phases::thread_cpu(timed);
                read.map(|()| (started.elapsed().saturating_sub(waited), cpu))
            });
            let mut report = ImportReport::default();
            let mut batch: Vec<Line> = Vec::with_capacity(BATCH);
            let mut batch_size = FIRST_BATCH;
            let mut waiting = std::time::Instant::now();
            for chunk in receive.iter() {
                phases.add("writer waits for parser", waiting.elapsed());
                let mut last = 0;
                for (outcome, bytes) in chunk {
                    last = bytes;
                    match outcome {
                        Err(r) => {
                            report.rejected += 1;
                            on_reject(&r);
                        }
                        Ok(p) => batch.push(p),
                    }
                }
                if batch.len() >= batch_size {
                    batch_size = (batch_size * 2).min(BATCH);
                    if let Some(c) = checkpointer {
                        c.before_batch(&self.conn)?;
                    }
                    self.apply_batch(
                        name,
                        &mut batch,
                        (opts, search, seen.as_deref_mut()),
                        &mut report,
                        on_reject,
                        phases,
                    )?;
                    if let Some(c) = checkpointer {
                        c.nudge();
                    }
                    progress(ImportStep::Read(last));
                }
                waiting = std::time::Instant::now();
            }
            let (parsing, cpu) = parser
                .join()
                .map_err(|_| anyhow::anyhow!("the import parser thread panicked"))??;
            phases.add("parse + validate (parser thread)", parsing);
            phases.add("cpu: parser", cpu);
            self.apply_batch(
                name,
                &mut batch,
                (opts, search, seen),
                &mut report,
                on_reject,
                phases,
            )?;
            Ok(report)
        })
    }

    fn apply_batch(
        &mut self,
        file: &str,
        batch: &mut Vec<Line>,
        (opts, search, seen): (ImportOptions, Option<&SearchBuild>, Option<&mut Seen>),
        report: &mut ImportReport,
        on_reject: &mut impl FnMut(&Rejected),
        phases: &mut Phases,
    ) -> anyhow::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let started = std::time::Instant::now();
        self.follow_desk_policy()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        super::policy::ensure_current(&tx, &self.policy, &self.calendar)?;
        // A bulk load hands its documents to its builder once the batch is
        // committed; any other import indexes them in the batch.
        let sink = match search {
            Some(_) => SearchSink::Builder(Vec::new()),
            None => SearchSink::Desk(Default::default()),
        };
        let mut w = BatchWriter::new(
            &tx,
            file,
            (&self.policy, &self.calendar),
            (&self.operator, super::stamp(self.clock.now())),
            (sink, seen),
            batch.len(),
        )?;
        for line in batch.drain(..) {
            w.line(line, opts)?;
        }
        w.flush_fresh(false)?;
        let (local, rejects, sink) = w.finish()?;
        phases.add("rows: evaluate + insert", started.elapsed());
        phases.time("batch commits", || tx.commit())?;
        if let (Some(search), SearchSink::Builder(docs)) = (search, sink) {
            search.add(docs)?;
        }
        // Only now is the batch durable: report its rejections and counts.
        for r in &rejects {
            on_reject(r);
        }
        report.added += local.added;
        report.updated += local.updated;
        report.unchanged += local.unchanged;
        report.rejected += local.rejected;
        report.reverdicts += local.reverdicts;
        Ok(())
    }
}
