//! Import (SPEC §1): every good line lands, every bad one is reported with
//! its line number, re-imports are idempotent, and nothing is half-written —
//! lines are applied in batches, each batch one transaction.

use super::dashboard::TotalsDelta;
use super::phases::Phases;
use super::rows::{
    flush_search_index, index_ticket, insert_event, insert_ticket, move_received_clock,
    record_imports, update_ticket, NewRow, SearchDocs,
};
use super::verdicts::recompute_account;
use super::Store;
use crate::domain::calendar::Calendar;
use crate::domain::policy::{evaluate, Policy, PriorRefund, Verdict, VerdictKind};
use crate::domain::ticket::{instant_key, Ticket};
use crate::domain::workflow::Case;
use crate::ingest::{self, Outcome, Parsed, Rejected};
use rusqlite::{OptionalExtension, Transaction};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

const BATCH: usize = 20_000;

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

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// Stored verdicts of earlier-imported tickets that changed.
    pub reverdicts: u64,
}

/// The earliest (received_us, id) touched per account in a batch.
type Affected = BTreeMap<String, (i64, String)>;

fn touch(affected: &mut Affected, account: &str, key: (i64, &str)) {
    let e = affected
        .entry(account.to_string())
        .or_insert((key.0, key.1.to_string()));
    if (key.0, key.1) < (e.0, e.1.as_str()) {
        *e = (key.0, key.1.to_string());
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
        // Bulk writes touch ten indexes per row: give them 256 MiB of cache
        // for the duration, then go back to the console's small footprint.
        self.conn.pragma_update(None, "cache_size", -262_144)?;
        // Checkpoint every 256 MiB of log rather than every 4 MiB: pages that
        // several batches touch (index and search pages) are copied into the
        // database file once, not once per batch.
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 65_536)?;
        let mut phases = Phases::from_env();
        let started = std::time::Instant::now();
        let load = self.start_bulk_load()?;
        let bulk = load.is_some();
        let mut result = self.import_batches(
            name,
            reader,
            opts,
            bulk,
            (&mut on_reject, &mut progress),
            &mut phases,
        );
        if bulk {
            progress(ImportStep::Indexing);
            // Also after a failed import: the lines that landed keep their indexes.
            let restored = super::bulk::restore_indexes(&mut self.conn, &mut phases);
            if let (Ok(_), Err(e)) = (&result, restored) {
                result = Err(e);
            }
        }
        self.conn.pragma_update(None, "wal_autocheckpoint", 1_000)?;
        self.conn.pragma_update(None, "cache_size", -8_192)?;
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
        bulk: bool,
        (on_reject, progress): (&mut impl FnMut(&Rejected), &mut impl FnMut(ImportStep)),
        phases: &mut Phases,
    ) -> anyhow::Result<ImportReport> {
        const CHUNK: usize = 2_000;
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<(Outcome, u64)>>(8);
        let timed = phases.on();
        std::thread::scope(|scope| {
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
                    chunk.push((outcome, bytes));
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
                read.map(|()| started.elapsed().saturating_sub(waited))
            });
            let mut report = ImportReport::default();
            let mut batch: Vec<Parsed> = Vec::with_capacity(BATCH);
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
                if batch.len() >= BATCH {
                    self.apply_batch(
                        name,
                        &mut batch,
                        (opts, bulk),
                        &mut report,
                        on_reject,
                        phases,
                    )?;
                    progress(ImportStep::Read(last));
                }
                waiting = std::time::Instant::now();
            }
            let parsing = parser
                .join()
                .map_err(|_| anyhow::anyhow!("the import parser thread panicked"))??;
            phases.add("parse + validate (parser thread)", parsing);
            self.apply_batch(
                name,
                &mut batch,
                (opts, bulk),
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
        batch: &mut Vec<Parsed>,
        (opts, bulk): (ImportOptions, bool),
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
        let mut w = BatchWriter {
            tx: &tx,
            file,
            policy: &self.policy,
            calendar: &self.calendar,
            operator: &self.operator,
            at: super::stamp(self.clock.now()),
            affected: Affected::new(),
            known: HashMap::with_capacity(batch.len()),
            fresh: Vec::new(),
            fresh_ids: HashMap::new(),
            local: ImportReport::default(),
            rejects: Vec::new(),
            delta: TotalsDelta::default(),
            due_days: HashMap::new(),
            breach_days: HashMap::new(),
            search_docs: BTreeMap::new(),
            // Another refund-desk opening the file mid-load builds what is
            // owed so far (bulk.rs); from then on each batch indexes its own.
            search_deferred: bulk && super::bulk::search_owed(&tx)?,
            import_events: Vec::new(),
        };
        for p in batch.drain(..) {
            w.line(p, opts)?;
        }
        w.flush_fresh(false)?;
        let (local, rejects) = w.finish()?;
        phases.add("rows: evaluate + insert", started.elapsed());
        phases.time("batch commits", || tx.commit())?;
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

/// A stored ticket's facts replaced by `t` (read from `raw`): its row, the
/// clock of its first stage, its search document (into `search`, when the
/// search index is kept now) and the day totals move with it. The caller
/// recomputes the verdicts of both accounts it was and is on.
#[allow(clippy::too_many_arguments)]
fn write_new_facts(
    tx: &Transaction,
    t: &Ticket,
    raw: &str,
    (old_raw, old_verdict): (&str, &str),
    (policy, calendar): (&Policy, &Calendar),
    (operator, at): (&str, &str),
    delta: &mut TotalsDelta,
    search: Option<&mut SearchDocs>,
) -> anyhow::Result<()> {
    // The stored verdict moves with the ticket to its new day and product
    // in the day totals; the recompute then swaps it.
    if let (Ok(old_t), Ok(old_v)) = (
        super::verdicts::parse_stored(&t.id, old_raw),
        serde_json::from_str::<Verdict>(old_verdict),
    ) {
        delta.add(&old_t, &old_v, policy.tz, -1);
        delta.add(t, &old_v, policy.tz, 1);
    }
    update_ticket(tx, t, raw, operator, at)?;
    move_received_clock(tx, t, policy, calendar)?;
    if let Some(docs) = search {
        index_ticket(tx, t, true, docs)?;
    }
    Ok(())
}

/// Facts received for one stored ticket (`info_received --set`), inside the
/// caller's transaction: written exactly as an `--update` import writes a
/// changed line, and the verdicts of its account recomputed from it on, so
/// that either road leaves the same ticket. `old` is the ticket as stored.
#[allow(clippy::too_many_arguments)]
pub(super) fn apply_new_facts(
    tx: &Transaction,
    old: (&Ticket, &str, &str),
    t: &Ticket,
    raw: &str,
    (policy, calendar): (&Policy, &Calendar),
    (operator, at): (&str, &str),
) -> anyhow::Result<()> {
    let (old_t, old_raw, old_verdict) = old;
    let mut delta = TotalsDelta::default();
    let mut docs = SearchDocs::new();
    write_new_facts(
        tx,
        t,
        raw,
        (old_raw, old_verdict),
        (policy, calendar),
        (operator, at),
        &mut delta,
        Some(&mut docs),
    )?;
    flush_search_index(tx, &docs)?;
    let mut affected = Affected::new();
    touch(
        &mut affected,
        &old_t.account_id,
        (instant_key(&old_t.received_at), &t.id),
    );
    touch(
        &mut affected,
        &t.account_id,
        (instant_key(&t.received_at), &t.id),
    );
    let known = HashMap::from([(t.id.clone(), t.clone())]);
    for (account, (us, id)) in &affected {
        recompute_account(
            tx,
            policy,
            calendar,
            account,
            (*us, id),
            &known,
            (operator, at),
            &mut delta,
        )?;
    }
    delta.flush(tx)?;
    Ok(())
}

/// One batch's writes inside its transaction.
struct BatchWriter<'a> {
    tx: &'a Transaction<'a>,
    file: &'a str,
    policy: &'a Policy,
    calendar: &'a Calendar,
    operator: &'a str,
    at: String,
    affected: Affected,
    /// Tickets parsed in this batch, so recomputing does not parse them again.
    known: HashMap<String, Ticket>,
    /// New ids, held back so that brand-new accounts get their verdicts in
    /// memory and are written once.
    fresh: Vec<Parsed>,
    fresh_ids: HashMap<String, usize>,
    local: ImportReport,
    rejects: Vec<Rejected>,
    /// Day-total changes, written once at the end of the batch.
    delta: TotalsDelta,
    /// New tickets per target and breach date (see the schema's due_counts).
    due_days: HashMap<String, i64>,
    breach_days: HashMap<String, i64>,
    /// Search documents by rowid, indexed in one statement at the end.
    search_docs: SearchDocs,
    /// A bulk load indexes every document at its end (see store::bulk).
    search_deferred: bool,
    /// (ticket id, line) of new tickets, recorded in one statement.
    import_events: Vec<(String, usize)>,
}

impl BatchWriter<'_> {
    fn conflict(&mut self, p: &Parsed) {
        self.local.rejected += 1;
        self.rejects.push(Rejected {
            line: p.line,
            reason: format!(
                "id {} conflicts with existing ticket (different content; use --update to apply it)",
                p.ticket.id
            ),
        });
    }

    fn line(&mut self, p: Parsed, opts: ImportOptions) -> anyhow::Result<()> {
        if let Some(&i) = self.fresh_ids.get(&p.ticket.id) {
            if self.fresh[i].value() == p.value() {
                self.local.unchanged += 1;
                return Ok(());
            }
            if !opts.update {
                self.conflict(&p);
                return Ok(());
            }
            // Rare: the same file changes a ticket it added. Write what is
            // held back so the update below applies to a real row.
            self.flush_fresh(true)?;
        }
        let existing: Option<(String, String, i64, String)> = self
            .tx
            .prepare_cached(
                "SELECT raw, account_id, received_us, verdict FROM tickets WHERE id = ?1",
            )?
            .query_row([&p.ticket.id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((old_raw, old_account, old_us, old_verdict)) = existing else {
            self.fresh_ids.insert(p.ticket.id.clone(), self.fresh.len());
            self.fresh.push(p);
            self.local.added += 1;
            return Ok(());
        };
        let old_value: Value = serde_json::from_str(&old_raw).unwrap_or(Value::Null);
        if old_value == p.value() {
            self.local.unchanged += 1;
        } else if !opts.update {
            self.conflict(&p);
        } else {
            let t = &p.ticket;
            write_new_facts(
                self.tx,
                t,
                &p.raw,
                (&old_raw, &old_verdict),
                (self.policy, self.calendar),
                (self.operator, &self.at),
                &mut self.delta,
                (!self.search_deferred).then_some(&mut self.search_docs),
            )?;
            let payload = json!({"file": self.file, "line": p.line, "previous": old_value});
            insert_event(
                self.tx,
                &t.id,
                "update",
                "",
                self.operator,
                &self.at,
                None,
                payload,
            )?;
            touch(&mut self.affected, &old_account, (old_us, &t.id));
            touch(
                &mut self.affected,
                &t.account_id,
                (instant_key(&t.received_at), &t.id),
            );
            self.local.updated += 1;
            self.known.insert(t.id.clone(), p.ticket);
        }
        Ok(())
    }

    /// Inserts the held-back new tickets. An account with no stored tickets
    /// gets its verdicts here, in received order; others are recomputed with
    /// their history afterwards. `all_later` forces the second path.
    fn flush_fresh(&mut self, all_later: bool) -> anyhow::Result<()> {
        let mut by_account: BTreeMap<String, Vec<Parsed>> = BTreeMap::new();
        for p in self.fresh.drain(..) {
            by_account
                .entry(p.ticket.account_id.clone())
                .or_default()
                .push(p);
        }
        self.fresh_ids.clear();
        for (account, mut items) in by_account {
            let has_history = all_later
                || self
                    .tx
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM tickets WHERE account_id = ?1)")?
                    .query_row([&account], |r| r.get::<_, bool>(0))?;
            items.sort_by(|a, b| a.ticket.order_key().cmp(&b.ticket.order_key()));
            let mut prior: Vec<PriorRefund> = Vec::new();
            for p in items {
                let t = &p.ticket;
                let verdict = if has_history {
                    touch(
                        &mut self.affected,
                        &account,
                        (instant_key(&t.received_at), &t.id),
                    );
                    None
                } else {
                    let v = evaluate(t, self.policy, &prior);
                    if v.kind == VerdictKind::FullRefund {
                        prior.push(PriorRefund::of(t));
                    }
                    self.delta.add(t, &v, self.policy.tz, 1);
                    Some(v)
                };
                let local_day = t.received_at.with_timezone(&self.policy.tz).date_naive();
                let row = NewRow {
                    ticket: t,
                    raw: &p.raw,
                    verdict: verdict.as_ref(),
                    policy_version: &self.policy.version,
                };
                let due = insert_ticket(
                    self.tx,
                    &row,
                    &Case::new(local_day),
                    self.calendar,
                    self.operator,
                    &self.at,
                )?;
                if !self.search_deferred {
                    index_ticket(self.tx, t, false, &mut self.search_docs)?;
                }
                if let Some(d) = due {
                    *self.due_days.entry(d.target.to_string()).or_default() += 1;
                    if let Some(b) = d.breach {
                        *self.breach_days.entry(b.to_string()).or_default() += 1;
                    }
                }
                self.import_events.push((t.id.clone(), p.line));
                if has_history {
                    self.known.insert(t.id.clone(), p.ticket);
                }
            }
        }
        // Before any later event of these tickets (an update, a reverdict).
        record_imports(
            self.tx,
            self.file,
            self.operator,
            &self.at,
            &self.import_events,
        )?;
        self.import_events.clear();
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<(ImportReport, Vec<Rejected>)> {
        flush_search_index(self.tx, &self.search_docs)?;
        // New tickets all start submitted (see the schema's note on state_counts).
        self.tx
            .prepare_cached(
                "INSERT INTO state_counts (state, n) VALUES ('submitted', ?1)
                 ON CONFLICT (state) DO UPDATE SET n = n + excluded.n",
            )?
            .execute([self.local.added as i64])?;
        for (table, days) in [
            ("due_counts", &self.due_days),
            ("breach_counts", &self.breach_days),
        ] {
            let sql = format!(
                "INSERT INTO {table} (day, n) VALUES (?1, ?2) ON CONFLICT (day) DO UPDATE SET n = n + excluded.n"
            );
            let mut stmt = self.tx.prepare_cached(&sql)?;
            for (day, n) in days {
                stmt.execute(rusqlite::params![day, n])?;
            }
        }
        for (account, (us, id)) in &self.affected {
            self.local.reverdicts += recompute_account(
                self.tx,
                self.policy,
                self.calendar,
                account,
                (*us, id),
                &self.known,
                (self.operator, &self.at),
                &mut self.delta,
            )? as u64;
        }
        self.delta.flush(self.tx)?;
        Ok((self.local, self.rejects))
    }
}
