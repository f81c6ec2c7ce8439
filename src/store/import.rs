//! Import (SPEC §1): every good line lands, every bad one is reported with
//! its line number, re-imports are idempotent, and nothing is half-written —
//! lines are applied in batches, each batch one transaction.

use super::verdicts::recompute_account;
use super::Store;
use crate::domain::ticket::{instant_key, Ticket};
use crate::domain::workflow::Case;
use crate::ingest::{self, Parsed, Rejected};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

const BATCH: usize = 20_000;

#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    /// Apply changed content of an existing id (recorded as an event).
    pub update: bool,
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
    /// `progress` hears the bytes consumed so far.
    pub fn import(
        &mut self,
        name: &str,
        reader: impl Read,
        opts: ImportOptions,
        mut on_reject: impl FnMut(&Rejected),
        mut progress: impl FnMut(u64),
    ) -> anyhow::Result<ImportReport> {
        // Bulk writes touch eight indexes per row: give them 64 MiB of cache
        // for the duration, then go back to the console's small footprint.
        self.conn.pragma_update(None, "cache_size", -65_536)?;
        let result = self.import_batches(name, reader, opts, &mut on_reject, &mut progress);
        self.conn.pragma_update(None, "cache_size", -8_192)?;
        result
    }

    fn import_batches(
        &mut self,
        name: &str,
        reader: impl Read,
        opts: ImportOptions,
        on_reject: &mut impl FnMut(&Rejected),
        progress: &mut impl FnMut(u64),
    ) -> anyhow::Result<ImportReport> {
        let mut report = ImportReport::default();
        let mut batch: Vec<Parsed> = Vec::with_capacity(BATCH);
        let mut failure: Option<anyhow::Error> = None;
        ingest::read_all(name, reader, |outcome, bytes| {
            if failure.is_some() {
                return;
            }
            match outcome {
                Err(r) => {
                    report.rejected += 1;
                    on_reject(&r);
                }
                Ok(p) => batch.push(p),
            }
            if batch.len() >= BATCH {
                if let Err(e) =
                    self.apply_batch(name, &mut batch, opts, &mut report, on_reject)
                {
                    failure = Some(e);
                }
                progress(bytes);
            }
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        self.apply_batch(name, &mut batch, opts, &mut report, on_reject)?;
        Ok(report)
    }

    fn apply_batch(
        &mut self,
        file: &str,
        batch: &mut Vec<Parsed>,
        opts: ImportOptions,
        report: &mut ImportReport,
        on_reject: &mut impl FnMut(&Rejected),
    ) -> anyhow::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let at = super::stamp(super::now());
        let (policy, operator) = (self.policy.clone(), self.operator.clone());
        let calendar = self.calendar.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut affected = Affected::new();
        let mut local = ImportReport::default();
        let mut rejects = Vec::new();
        let mut known: HashMap<String, Ticket> = HashMap::with_capacity(batch.len());
        for p in batch.drain(..) {
            let t = &p.ticket;
            let existing: Option<(String, String, i64)> = tx
                .prepare_cached("SELECT raw, account_id, received_us FROM tickets WHERE id = ?1")?
                .query_row([&t.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            match existing {
                None => {
                    let local_day = t.received_at.with_timezone(&policy.tz).date_naive();
                    insert_ticket(
                        &tx,
                        t,
                        &p.raw,
                        &Case::new(local_day),
                        &calendar,
                        &operator,
                        &at,
                    )?;
                    insert_event(
                        &tx,
                        &t.id,
                        "import",
                        "submitted",
                        &operator,
                        &at,
                        None,
                        json!({"file": file, "line": p.line}),
                    )?;
                    touch(
                        &mut affected,
                        &t.account_id,
                        (instant_key(&t.received_at), &t.id),
                    );
                    local.added += 1;
                    known.insert(p.ticket.id.clone(), p.ticket);
                }
                Some((old_raw, old_account, old_ns)) => {
                    let old_value: Value = serde_json::from_str(&old_raw).unwrap_or(Value::Null);
                    if old_value == p.value {
                        local.unchanged += 1;
                    } else if !opts.update {
                        local.rejected += 1;
                        rejects.push(Rejected {
                            line: p.line,
                            reason: format!("id {} conflicts with existing ticket (different content; use --update to apply it)", t.id),
                        });
                    } else {
                        update_ticket(&tx, t, &p.raw, &operator, &at)?;
                        insert_event(
                            &tx,
                            &t.id,
                            "update",
                            "",
                            &operator,
                            &at,
                            None,
                            json!({"file": file, "line": p.line, "previous": old_value}),
                        )?;
                        touch(&mut affected, &old_account, (old_ns, &t.id));
                        touch(
                            &mut affected,
                            &t.account_id,
                            (instant_key(&t.received_at), &t.id),
                        );
                        local.updated += 1;
                        known.insert(p.ticket.id.clone(), p.ticket);
                    }
                }
            }
        }
        for (account, (ns, id)) in &affected {
            local.reverdicts +=
                recompute_account(&tx, &policy, account, (*ns, id), &known, &operator, &at)? as u64;
        }
        tx.commit()?;
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

fn insert_ticket(
    tx: &Transaction,
    t: &Ticket,
    raw: &str,
    case: &Case,
    calendar: &crate::domain::calendar::Calendar,
    operator: &str,
    at: &str,
) -> anyhow::Result<()> {
    let due = case.due(calendar);
    tx.prepare_cached(
        "INSERT INTO tickets (id, raw, received_us, received_at, product, account_id, customer, currency,
            requested, verdict, verdict_kind, policy_version, state, due_target, due_breach, wf, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '', '', '', ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        t.id,
        raw,
        instant_key(&t.received_at),
        t.received_at.to_rfc3339(),
        t.product.as_str(),
        t.account_id,
        t.account_name,
        t.payment.currency,
        t.requested_amount.map(|d| d.to_string()),
        case.state.as_str(),
        due.map(|d| d.target.to_string()),
        due.and_then(|d| d.breach).map(|d| d.to_string()),
        serde_json::to_string(case)?,
        at,
        operator,
    ])?;
    Ok(())
}

fn update_ticket(
    tx: &Transaction,
    t: &Ticket,
    raw: &str,
    operator: &str,
    at: &str,
) -> anyhow::Result<()> {
    tx.prepare_cached(
        "UPDATE tickets SET raw = ?2, received_us = ?3, received_at = ?4, product = ?5, account_id = ?6,
            customer = ?7, currency = ?8, requested = ?9, version = version + 1, updated_at = ?10, updated_by = ?11
         WHERE id = ?1",
    )?
    .execute(params![
        t.id,
        raw,
        instant_key(&t.received_at),
        t.received_at.to_rfc3339(),
        t.product.as_str(),
        t.account_id,
        t.account_name,
        t.payment.currency,
        t.requested_amount.map(|d| d.to_string()),
        at,
        operator,
    ])?;
    Ok(())
}

/// Appends an event. `state` empty means "the ticket's current state" (from = to).
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_event(
    tx: &Transaction,
    ticket: &str,
    action: &str,
    state: &str,
    operator: &str,
    at: &str,
    note: Option<&str>,
    payload: Value,
) -> anyhow::Result<()> {
    tx.prepare_cached(
        "INSERT INTO events (ticket_id, action, from_state, to_state, operator, at, note, payload)
         SELECT ?1, ?2, s, s, ?3, ?4, ?5, ?6 FROM (SELECT CASE WHEN ?7 = '' THEN
             (SELECT state FROM tickets WHERE id = ?1) ELSE ?7 END AS s)",
    )?
    .execute(params![
        ticket,
        action,
        operator,
        at,
        note,
        payload.to_string(),
        state
    ])?;
    Ok(())
}
