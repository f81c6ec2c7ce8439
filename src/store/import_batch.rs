//! One import batch's writes inside its transaction: new tickets (their
//! verdicts evaluated in memory when their account is new), changed ones
//! (`--update`), their events, search documents and counts.

use super::bulk_seen::Seen;
use super::dashboard::TotalsDelta;
use super::import::{ImportOptions, ImportReport, Line};
use super::rows::{
    insert_event, insert_ticket, move_received_clock, record_imports, update_ticket, NewRow,
    SearchSink, INSERT_TICKET,
};
use super::verdicts::recompute_account;
use super::FastMap;
use crate::domain::calendar::Calendar;
use crate::domain::policy::{evaluate, Policy, PriorRefund, Verdict, VerdictKind};
use crate::domain::ticket::{instant_key, Ticket};
use crate::domain::workflow::Case;
use crate::ingest::{Parsed, Rejected};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Statement, Transaction};
use serde_json::{json, Value};
use std::collections::BTreeMap;

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

/// A stored ticket's facts replaced by `t` (read from `raw`): its row, the
/// clock of its first stage, its search document (`doc`, into `search`)
/// and the day totals move with it. The caller recomputes the verdicts of
/// both accounts it was and is on.
#[allow(clippy::too_many_arguments)]
fn write_new_facts(
    tx: &Transaction,
    t: &Ticket,
    (raw, doc): (&str, String),
    (old_raw, old_verdict): (&str, &str),
    (policy, calendar): (&Policy, &Calendar),
    (operator, at): (&str, &str),
    delta: &mut TotalsDelta,
    search: &mut SearchSink,
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
    let rowid = tx
        .prepare_cached("SELECT rowid FROM tickets WHERE id = ?1")?
        .query_row([&t.id], |r| r.get(0))?;
    search.replace(tx, rowid, doc)
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
    let mut search = SearchSink::Desk(Default::default());
    write_new_facts(
        tx,
        t,
        (raw, super::rows::search_document(t)),
        (old_raw, old_verdict),
        (policy, calendar),
        (operator, at),
        &mut delta,
        &mut search,
    )?;
    search.flush(tx)?;
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
    let mut known = FastMap::default();
    known.insert(t.id.clone(), t.clone());
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

/// A batch's counts, rejections and search documents.
pub(super) type Finished = (ImportReport, Vec<Rejected>, SearchSink);

/// One batch's writes inside its transaction.
pub(super) struct BatchWriter<'a> {
    tx: &'a Transaction<'a>,
    file: &'a str,
    policy: &'a Policy,
    calendar: &'a Calendar,
    operator: &'a str,
    at: String,
    affected: Affected,
    /// Tickets parsed in this batch, so recomputing does not parse them again.
    known: FastMap<String, Ticket>,
    /// New ids, held back so that brand-new accounts get their verdicts in
    /// memory and are written once.
    fresh: Vec<Line>,
    fresh_ids: FastMap<String, usize>,
    local: ImportReport,
    rejects: Vec<Rejected>,
    /// Day-total changes, written once at the end of the batch.
    delta: TotalsDelta,
    /// New tickets per target and breach date (see the schema's due_counts).
    due_days: FastMap<NaiveDate, i64>,
    breach_days: FastMap<NaiveDate, i64>,
    /// Where the batch's search documents go.
    search: SearchSink,
    /// (ticket id, line) of new tickets, recorded in one statement.
    import_events: Vec<(String, usize)>,
    stmts: Statements<'a>,
    /// A bulk load's memory of what it wrote (store::bulk_seen).
    seen: Option<&'a mut Seen>,
    /// Written lines, handed back to be dropped where they were made
    /// (ingest::batches).
    spent: Vec<Line>,
}

/// The statements run per line or per new ticket, prepared once a batch.
struct Statements<'a> {
    stored: Statement<'a>,
    has_history: Statement<'a>,
    insert: Statement<'a>,
}

impl<'a> BatchWriter<'a> {
    pub(super) fn new(
        tx: &'a Transaction<'a>,
        file: &'a str,
        (policy, calendar): (&'a Policy, &'a Calendar),
        (operator, at): (&'a str, String),
        (search, seen): (SearchSink, Option<&'a mut Seen>),
        lines: usize,
    ) -> anyhow::Result<BatchWriter<'a>> {
        // Trusted only while no one else has written since the last batch.
        let seen = match seen {
            Some(s) => s.check(tx)?.then_some(s),
            None => None,
        };
        let stmts = Statements {
            stored: tx.prepare(
                "SELECT raw, account_id, received_us, verdict FROM tickets WHERE id = ?1",
            )?,
            has_history: tx
                .prepare("SELECT EXISTS (SELECT 1 FROM tickets WHERE account_id = ?1)")?,
            insert: tx.prepare(INSERT_TICKET)?,
        };
        Ok(BatchWriter {
            tx,
            file,
            policy,
            calendar,
            operator,
            at,
            affected: Affected::new(),
            known: FastMap::with_capacity_and_hasher(lines, Default::default()),
            // Sized for the batch up front: grown by doubling, a batch's
            // held-back lines were copied over and over into fresh pages.
            fresh: Vec::with_capacity(lines),
            fresh_ids: FastMap::with_capacity_and_hasher(lines, Default::default()),
            local: ImportReport::default(),
            rejects: Vec::new(),
            delta: TotalsDelta::default(),
            due_days: FastMap::default(),
            breach_days: FastMap::default(),
            search,
            import_events: Vec::with_capacity(lines),
            stmts,
            seen,
            spent: Vec::with_capacity(lines),
        })
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

    pub(super) fn line(&mut self, line: Line, opts: ImportOptions) -> anyhow::Result<()> {
        let p = &line.p;
        if let Some(&i) = self.fresh_ids.get(&p.ticket.id) {
            if self.fresh[i].p.value() == p.value() {
                self.local.unchanged += 1;
                return Ok(());
            }
            if !opts.update {
                self.conflict(p);
                return Ok(());
            }
            // Rare: the same file changes a ticket it added. Write what is
            // held back so the update below applies to a real row.
            self.flush_fresh(true)?;
        }
        let stored = self
            .seen
            .as_ref()
            .is_none_or(|s| s.may_have_id(&p.ticket.id));
        let existing: Option<(String, String, i64, String)> = match stored {
            false => None,
            true => self
                .stmts
                .stored
                .query_row([&p.ticket.id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?,
        };
        let Some((old_raw, old_account, old_us, old_verdict)) = existing else {
            self.fresh_ids.insert(p.ticket.id.clone(), self.fresh.len());
            self.fresh.push(line);
            self.local.added += 1;
            return Ok(());
        };
        let old_value: Value = serde_json::from_str(&old_raw).unwrap_or(Value::Null);
        if old_value == p.value() {
            self.local.unchanged += 1;
        } else if !opts.update {
            self.conflict(p);
        } else {
            let Line { p, doc } = line;
            let t = &p.ticket;
            write_new_facts(
                self.tx,
                t,
                (&p.raw, doc),
                (&old_raw, &old_verdict),
                (self.policy, self.calendar),
                (self.operator, &self.at),
                &mut self.delta,
                &mut self.search,
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
            if let Some(s) = self.seen.as_deref_mut() {
                s.wrote(&t.id, &t.account_id);
            }
            self.known.insert(t.id.clone(), p.ticket);
        }
        Ok(())
    }

    /// Inserts the held-back new tickets. An account with no stored tickets
    /// gets its verdicts here, in received order; others are recomputed with
    /// their history afterwards. `all_later` forces the second path.
    pub(super) fn flush_fresh(&mut self, all_later: bool) -> anyhow::Result<()> {
        // Grouped by account, each in received order, through a list of
        // positions rather than by moving every (large) line into a list per
        // account. Ids are unique here, so the order is total.
        let fresh = &self.fresh;
        let mut order: Vec<usize> = (0..fresh.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (&fresh[a].p.ticket, &fresh[b].p.ticket);
            (a.account_id.as_str(), a.order_key()).cmp(&(b.account_id.as_str(), b.order_key()))
        });
        let accounts: Vec<&[usize]> = order
            .chunk_by(|&a, &b| fresh[a].p.ticket.account_id == fresh[b].p.ticket.account_id)
            .collect();
        let mut known_later = vec![false; fresh.len()];
        self.fresh_ids.clear();
        for positions in accounts {
            let account = self.fresh[positions[0]].p.ticket.account_id.clone();
            let has_history = all_later
                || match self.seen.as_ref() {
                    Some(s) if !s.may_have_account(&account) => false,
                    _ => self
                        .stmts
                        .has_history
                        .query_row([&account], |r| r.get::<_, bool>(0))?,
                };
            let mut prior: Vec<PriorRefund> = Vec::new();
            for &i in positions {
                let line = &mut self.fresh[i];
                let doc = std::mem::take(&mut line.doc);
                let (p, t) = (&line.p, &line.p.ticket);
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
                    &mut self.stmts.insert,
                    &row,
                    &Case::new(local_day),
                    self.calendar,
                    self.operator,
                    &self.at,
                )?;
                self.search.add(self.tx.last_insert_rowid(), doc);
                if let Some(s) = self.seen.as_deref_mut() {
                    s.inserted(self.tx.last_insert_rowid());
                    s.wrote(&t.id, &t.account_id);
                }
                if let Some(d) = due {
                    *self.due_days.entry(d.target).or_default() += 1;
                    if let Some(b) = d.breach {
                        *self.breach_days.entry(b).or_default() += 1;
                    }
                }
                self.import_events.push((t.id.clone(), p.line));
                known_later[i] = has_history;
            }
        }
        for (line, later) in self.fresh.drain(..).zip(known_later) {
            if later {
                self.known.insert(line.p.ticket.id.clone(), line.p.ticket);
            } else {
                self.spent.push(line);
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

    /// Counts, totals and verdicts of the batch; its search documents are
    /// indexed here unless they go to a bulk load's builder (returned), and
    /// its written lines are returned too.
    pub(super) fn finish(mut self) -> anyhow::Result<(Finished, Vec<Line>)> {
        self.search.flush(self.tx)?;
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
                stmt.execute(rusqlite::params![super::day_text(*day), n])?;
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
        Ok(((self.local, self.rejects, self.search), self.spent))
    }
}
