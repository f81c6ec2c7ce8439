//! Import on PostgreSQL (SPEC §1), as on a file desk: every good line
//! lands, every bad one is reported with its line number, re-imports are
//! idempotent, and nothing is half-written. Lines are applied in batches,
//! each one transaction and one call of `refund_desk.record`.
//!
//! Racing importers: each batch takes the verdict lock (pg::writes) before
//! it reads anything, so a second importer of the same file finds the first
//! one's tickets and counts them unchanged, and two importers never judge
//! one account from two views. A workflow action that changed a ticket the
//! batch read is caught by the version the batch's events expect: the batch
//! rolls back and is planned again from what is now stored.

use super::verdicts::Judge;
use super::writes::{self, facts_change, pg_text, Events, Row, ROW_COLUMNS};
use super::{explain, PgStore};
use crate::domain::calendar::Calendar;
use crate::domain::policy::{evaluate, Policy, PriorRefund, VerdictKind};
use crate::domain::ticket::{instant_key, Ticket};
use crate::domain::workflow::Case;
use crate::ingest::batches::{self, Sizes, Step};
use crate::ingest::{Parsed, Rejected};
use crate::store::{ImportOptions, ImportReport, ImportStep, StoreError};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

/// Batches as on a file desk (store::import): the first small, so that
/// the server starts writing once 2,000 lines are read.
const SIZES: Sizes = Sizes {
    first: 2_000,
    most: 20_000,
};

/// How often a batch is planned again after a workflow action changed a
/// ticket it read, before the import gives up.
const ATTEMPTS: usize = 5;

/// A good line with its search document, made on the parser thread.
struct Line {
    p: Parsed,
    doc: String,
}

/// The earliest (received_us, id) touched per account (accounts as stored).
type Affected = BTreeMap<String, (i64, String)>;

fn touch(affected: &mut Affected, account: &str, key: (i64, &str)) {
    let e = affected
        .entry(account.to_string())
        .or_insert((key.0, key.1.to_string()));
    if (key.0, key.1) < (e.0, e.1.as_str()) {
        *e = (key.0, key.1.to_string());
    }
}

impl PgStore {
    /// Imports one file. `on_reject` hears each bad line as it is found;
    /// `progress` hears the bytes consumed once their batch is committed.
    pub fn import(
        &mut self,
        name: &str,
        reader: impl Read + Send,
        opts: ImportOptions,
        mut on_reject: impl FnMut(&Rejected),
        mut progress: impl FnMut(ImportStep),
    ) -> anyhow::Result<ImportReport> {
        let mut report = ImportReport::default();
        let prepare = |p: Parsed| Line {
            doc: super::query::search_document(&p.ticket),
            p,
        };
        batches::in_batches(name, reader, prepare, SIZES, None, |step| {
            match step {
                Step::Rejected(r) => {
                    report.rejected += 1;
                    on_reject(&r);
                }
                Step::Batch(batch, read) => {
                    self.apply_batch(name, batch, opts, &mut report, &mut on_reject)?;
                    if let Some(bytes) = read {
                        progress(ImportStep::Read(bytes));
                    }
                }
            }
            Ok(())
        })?;
        Ok(report)
    }

    fn apply_batch(
        &mut self,
        file: &str,
        batch: &mut Vec<Line>,
        opts: ImportOptions,
        report: &mut ImportReport,
        on_reject: &mut impl FnMut(&Rejected),
    ) -> anyhow::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut attempt = 1;
        let (local, rejects) = loop {
            self.follow_desk_policy()?;
            match self.write_batch(file, batch, opts) {
                Err(StoreError::Stale { .. }) if attempt < ATTEMPTS => attempt += 1,
                done => break done?,
            }
        };
        batch.clear();
        // Only now is the batch durable: report its rejections and counts.
        for r in &rejects {
            on_reject(r);
        }
        *report += local;
        Ok(())
    }

    fn write_batch(
        &self,
        file: &str,
        lines: &[Line],
        opts: ImportOptions,
    ) -> Result<(ImportReport, Vec<Rejected>), StoreError> {
        let at = crate::store::stamp(self.now());
        let mut client = self.client();
        let mut tx = client.transaction()?;
        writes::hold_exclusive(&mut tx)?;
        super::policy::ensure_current(&mut tx, &self.policy, &self.calendar)?;
        let mut plan = Plan {
            file,
            judge: Judge {
                policy: &self.policy,
                calendar: &self.calendar,
                at: &at,
            },
            rows: HashMap::new(),
            dirty: HashSet::new(),
            known: HashMap::new(),
            affected: Affected::new(),
            fresh: Vec::new(),
            fresh_ids: HashMap::new(),
            local: ImportReport::default(),
            rejects: Vec::new(),
            events: Events::new(&at),
        };
        plan.load(&mut tx, lines)?;
        for line in lines {
            plan.line(line, opts)?;
        }
        plan.flush_fresh(&mut tx, false)?;
        let (local, rejects) = plan.finish(&mut tx)?;
        tx.commit()?;
        Ok((local, rejects))
    }
}

/// One batch, planned in memory against what is stored (the same steps as
/// store::import_batch::BatchWriter), then sent in one call.
struct Plan<'a> {
    file: &'a str,
    judge: Judge<'a>,
    /// The stored rows of the batch's ids, and every row the batch wrote.
    rows: HashMap<String, Row>,
    /// Ids whose row the batch wrote (their stored copy is out of date).
    dirty: HashSet<String>,
    /// Tickets the batch wrote, parsed: recomputing does not parse them again.
    known: HashMap<String, &'a Ticket>,
    affected: Affected,
    /// New ids, held back so that brand-new accounts get their verdicts in
    /// memory.
    fresh: Vec<&'a Line>,
    fresh_ids: HashMap<&'a str, usize>,
    local: ImportReport,
    rejects: Vec<Rejected>,
    events: Events,
}

impl<'a> Plan<'a> {
    fn load(&mut self, tx: &mut postgres::Transaction<'_>, lines: &[Line]) -> anyhow::Result<()> {
        let ids: Vec<&str> = lines.iter().map(|l| l.p.ticket.id.as_str()).collect();
        let stored = tx
            .query(
                &format!("SELECT {ROW_COLUMNS} FROM refund_desk.tickets WHERE id = ANY($1)"),
                &[&ids],
            )
            .map_err(explain)?;
        for r in &stored {
            let row = Row::from_pg(r);
            self.rows.insert(row.id.clone(), row);
        }
        Ok(())
    }

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

    fn line(&mut self, line: &'a Line, opts: ImportOptions) -> anyhow::Result<()> {
        let p = &line.p;
        if let Some(&i) = self.fresh_ids.get(p.ticket.id.as_str()) {
            if self.fresh[i].p.value() == p.value() {
                self.local.unchanged += 1;
                return Ok(());
            }
            if !opts.update {
                self.conflict(p);
                return Ok(());
            }
            // Rare: the same file changes a ticket it added. What is held
            // back is written first, so the update applies to a real row.
            self.create_fresh(None)?;
        }
        let Some(row) = self.rows.get(&p.ticket.id) else {
            self.fresh_ids.insert(&p.ticket.id, self.fresh.len());
            self.fresh.push(line);
            self.local.added += 1;
            return Ok(());
        };
        let old_value: Value = serde_json::from_str(&row.raw).unwrap_or(Value::Null);
        if old_value == p.value() {
            self.local.unchanged += 1;
            return Ok(());
        }
        if !opts.update {
            self.conflict(p);
            return Ok(());
        }
        let mut row = self.rows[&p.ticket.id].clone();
        let t = &p.ticket;
        let (old_account, old_us) = (row.account.clone(), row.received_us);
        let change = take_facts(&mut row, t, (&p.raw, &line.doc), &self.judge)?;
        let payload = json!({"file": self.file, "line": p.line, "previous": old_value});
        let state = row.state.clone();
        self.events.on(
            &mut row,
            "update",
            &state,
            None,
            payload.to_string(),
            Some(change),
            false,
        );
        touch(&mut self.affected, &old_account, (old_us, &t.id));
        touch(&mut self.affected, &row.account, (row.received_us, &t.id));
        self.local.updated += 1;
        self.known.insert(t.id.clone(), t);
        self.dirty.insert(t.id.clone());
        self.rows.insert(t.id.clone(), row);
        Ok(())
    }

    /// Writes the held-back new tickets. An account with no stored tickets
    /// gets its verdicts here, in received order; others are recomputed
    /// with their history in `finish`. `all_later` forces the second path.
    fn flush_fresh(
        &mut self,
        tx: &mut postgres::Transaction<'_>,
        all_later: bool,
    ) -> anyhow::Result<()> {
        if self.fresh.is_empty() {
            return Ok(());
        }
        if all_later {
            return self.create_fresh(None);
        }
        let accounts: Vec<String> = self
            .fresh
            .iter()
            .map(|l| pg_text(&l.p.ticket.account_id).into_owned())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut with_history: HashSet<String> = HashSet::new();
        for r in &tx
            .query(
                "SELECT account_id, id FROM refund_desk.tickets WHERE account_id = ANY($1)",
                &[&accounts],
            )
            .map_err(explain)?
        {
            let id: &str = r.get(1);
            if !self.dirty.contains(id) {
                with_history.insert(r.get(0));
            }
        }
        for id in &self.dirty {
            with_history.insert(self.rows[id].account.clone());
        }
        self.create_fresh(Some(&with_history))
    }

    /// `flush_fresh` once it knows which accounts have history (`None`:
    /// treat every account as having some).
    fn create_fresh(&mut self, with_history: Option<&HashSet<String>>) -> anyhow::Result<()> {
        let mut by_account: BTreeMap<String, Vec<&'a Line>> = BTreeMap::new();
        for line in self.fresh.drain(..) {
            by_account
                .entry(pg_text(&line.p.ticket.account_id).into_owned())
                .or_default()
                .push(line);
        }
        self.fresh_ids.clear();
        let (policy, calendar) = (self.judge.policy, self.judge.calendar);
        for (account, mut items) in by_account {
            let has_history = with_history.is_none_or(|h| h.contains(&account));
            items.sort_by(|a, b| a.p.ticket.order_key().cmp(&b.p.ticket.order_key()));
            let mut prior: Vec<PriorRefund> = Vec::new();
            for line in items {
                let t = &line.p.ticket;
                let us = instant_key(&t.received_at);
                let mut change = facts_change(t, &line.p.raw, &line.doc);
                let row = new_row(t, &line.p.raw, &account);
                let (verdict, kind, version) = if has_history {
                    touch(&mut self.affected, &account, (us, &t.id));
                    (String::new(), "", "")
                } else {
                    let v = evaluate(t, policy, &prior);
                    if v.kind == VerdictKind::FullRefund {
                        prior.push(PriorRefund::of(t));
                    }
                    (
                        serde_json::to_string(&v)?,
                        v.kind.as_str(),
                        policy.version.as_str(),
                    )
                };
                let local_day = t.received_at.with_timezone(&policy.tz).date_naive();
                new_ticket_columns(&mut change, &Case::new(local_day), calendar);
                change.insert("verdict".into(), verdict.clone().into());
                change.insert("verdict_kind".into(), kind.into());
                change.insert("policy_version".into(), version.into());
                let row = Row {
                    verdict,
                    verdict_kind: kind.to_string(),
                    policy_version: version.to_string(),
                    ..row
                };
                let payload = json!({"file": self.file, "line": line.p.line}).to_string();
                self.events.create(&row, change, payload);
                self.known.insert(t.id.clone(), t);
                self.dirty.insert(t.id.clone());
                self.rows.insert(t.id.clone(), row);
            }
        }
        Ok(())
    }

    /// The batch's verdicts recomputed and everything sent.
    fn finish(
        mut self,
        tx: &mut postgres::Transaction<'_>,
    ) -> Result<(ImportReport, Vec<Rejected>), StoreError> {
        self.local.reverdicts += self.judge.affected(
            tx,
            &self.affected,
            &mut self.rows,
            &self.dirty,
            &self.known,
            &mut self.events,
        )?;
        self.events.send(tx)?;
        Ok((self.local, self.rejects))
    }
}

/// A new ticket's row as the recompute sees it before its verdict.
fn new_row(t: &Ticket, raw: &str, account: &str) -> Row {
    Row {
        id: t.id.clone(),
        raw: raw.to_string(),
        account: account.to_string(),
        received_us: instant_key(&t.received_at),
        verdict: String::new(),
        verdict_kind: String::new(),
        policy_version: String::new(),
        state: "submitted".into(),
        wf: String::new(),
        version: 1,
    }
}

/// The columns of a new ticket beyond its facts and verdict. A fresh case
/// is stored as '' (see store::rows::load_case).
fn new_ticket_columns(
    change: &mut serde_json::Map<String, Value>,
    case: &Case,
    calendar: &Calendar,
) {
    change.insert("state".into(), case.state.as_str().into());
    change.insert("assignee".into(), Value::Null);
    change.insert("pending".into(), false.into());
    change.insert("wf".into(), "".into());
    change.insert("payout_reference".into(), Value::Null);
    writes::due_change(change, case.due(calendar));
}

/// `row` takes the facts of `t`; returns the columns they set on a stored
/// ticket: the facts, the clock of its first stage moved with
/// `received_at` (store::received_clock) and the time.
fn take_facts(
    row: &mut Row,
    t: &Ticket,
    (raw, doc): (&str, &str),
    judge: &Judge,
) -> anyhow::Result<serde_json::Map<String, Value>> {
    let (wf, due) =
        crate::store::received_clock(std::mem::take(&mut row.wf), t, judge.policy, judge.calendar)?;
    let mut change = facts_change(t, raw, doc);
    change.insert("wf".into(), wf.clone().into());
    writes::due_change(&mut change, due);
    change.insert("updated_at".into(), judge.at.into());
    row.raw = raw.to_string();
    row.account = pg_text(&t.account_id).into_owned();
    row.received_us = instant_key(&t.received_at);
    row.wf = wf;
    Ok(change)
}

/// New facts for a ticket (`info_received --set`), inside the caller's
/// transaction, after its event: the ticket's raw JSON and columns
/// replaced, the verdicts of its account(s) recomputed from it onward,
/// what no longer stands voided — as an `--update` import does
/// (store::import_batch::apply_new_facts). Takes the verdict lock.
#[allow(clippy::too_many_arguments)]
#[allow(dead_code)] // until pg::act's info_received --set calls it
pub(crate) fn apply_new_facts(
    tx: &mut postgres::Transaction<'_>,
    old: (&Ticket, &str, &str),
    ticket: &Ticket,
    raw: &str,
    (policy, calendar): (&Policy, &Calendar),
    (_operator, at): (&str, &str),
) -> anyhow::Result<()> {
    let (old_t, _, _) = old;
    writes::hold_exclusive(tx)?;
    let stored = tx
        .query_one(
            &format!("SELECT {ROW_COLUMNS} FROM refund_desk.tickets WHERE id = $1"),
            &[&ticket.id],
        )
        .map_err(explain)?;
    let mut row = Row::from_pg(&stored);
    let judge = Judge {
        policy,
        calendar,
        at,
    };
    let mut events = Events::new(at);
    let doc = super::query::search_document(ticket);
    let change = take_facts(&mut row, ticket, (raw, &doc), &judge)?;
    // The facts ride with the info_received event already recorded.
    events.attach(&mut row, change, false);
    let mut affected = Affected::new();
    touch(
        &mut affected,
        &pg_text(&old_t.account_id),
        (instant_key(&old_t.received_at), &ticket.id),
    );
    touch(&mut affected, &row.account, (row.received_us, &ticket.id));
    let known = HashMap::from([(ticket.id.clone(), ticket)]);
    let dirty = HashSet::from([ticket.id.clone()]);
    let mut rows = HashMap::from([(ticket.id.clone(), row)]);
    judge.affected(tx, &affected, &mut rows, &dirty, &known, &mut events)?;
    events.send(tx)?;
    Ok(())
}
