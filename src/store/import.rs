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
use crate::ingest::batches::{self, Sizes, Step};
use crate::ingest::{Parsed, Rejected};
use std::io::Read;

/// Batches of up to 20,000 lines; the first of 2,000, so that the writer
/// starts once that many are read, not a whole batch (a tenth of a second
/// idle at the start of every import).
const SIZES: Sizes = Sizes {
    first: 2_000,
    most: 20_000,
};

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

/// A good line with its search document, made on the parser thread. The
/// parsed ticket (600 bytes) is boxed: a line changes hands five times
/// between the file and its row, and each was a copy of it.
pub(super) struct Line {
    pub p: Box<Parsed>,
    pub doc: String,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// Stored verdicts of earlier-imported tickets that changed.
    pub reverdicts: u64,
}

/// A batch's counts added to the import's.
impl std::ops::AddAssign for ImportReport {
    fn add_assign(&mut self, batch: ImportReport) {
        self.added += batch.added;
        self.updated += batch.updated;
        self.unchanged += batch.unchanged;
        self.rejected += batch.rejected;
        self.reverdicts += batch.reverdicts;
    }
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

    /// The file's batches (ingest::batches), each one transaction.
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
        let mut report = ImportReport::default();
        let cpu: Option<fn() -> std::time::Duration> =
            phases.on().then_some(|| Phases::thread_cpu(true));
        // The search document is made on the reading thread too: the
        // writer's thread is the one everything else waits for.
        let prepare = |p: Parsed| Line {
            doc: search_document(&p.ticket),
            p: Box::new(p),
        };
        let timing = batches::in_batches(name, reader, prepare, SIZES, cpu, |step| {
            match step {
                Step::Rejected(r) => {
                    report.rejected += 1;
                    on_reject(&r);
                }
                Step::Batch(batch, read) => {
                    if let (Some(c), Some(_)) = (checkpointer, read) {
                        c.before_batch(&self.conn)?;
                    }
                    self.apply_batch(
                        name,
                        batch,
                        (opts, search, seen.as_deref_mut()),
                        &mut report,
                        on_reject,
                        phases,
                    )?;
                    if let Some(bytes) = read {
                        if let Some(c) = checkpointer {
                            c.nudge();
                        }
                        progress(ImportStep::Read(bytes));
                    }
                }
            }
            Ok(())
        })?;
        phases.add("writer waits for parser", timing.writer_waited);
        phases.add("parse + validate (parser thread)", timing.reading);
        phases.add("cpu: parser", timing.reading_cpu);
        Ok(report)
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
        let ((local, rejects, sink), spent) = w.finish()?;
        // Dropped on the reading thread, which made them (ingest::batches).
        batch.extend(spent);
        phases.add("rows: evaluate + insert", started.elapsed());
        phases.time("batch commits", || tx.commit())?;
        if let (Some(search), SearchSink::Builder(docs)) = (search, sink) {
            search.add(docs)?;
        }
        // Only now is the batch durable: report its rejections and counts.
        for r in &rejects {
            on_reject(r);
        }
        *report += local;
        Ok(())
    }
}
