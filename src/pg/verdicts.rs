//! Keeping stored verdicts true on PostgreSQL, and applying a policy: the
//! same judging as store::verdicts (each account in received order, the
//! earlier full refunds within the look-back, a decision that no longer
//! stands voided), its writes sent to `refund_desk.record`.

use super::writes::{self, Events, Row, ROW_COLUMNS};
use super::{explain, PgStore};
use crate::domain::calendar::Calendar;
use crate::domain::policy::{evaluate, Policy, PriorRefund, Verdict, VerdictKind};
use crate::domain::ticket::Ticket;
use crate::domain::workflow::standing::Change;
use crate::domain::workflow::Role;
use crate::store::{parse_stored, Applied, CalendarSource, DueText, StoreError};
use postgres::GenericClient;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How many tickets a walk reads at a time (and how many events it sends).
const CHUNK: i64 = 20_000;

/// The rules a recompute judges by, and when.
pub(crate) struct Judge<'a> {
    pub policy: &'a Policy,
    pub calendar: &'a Calendar,
    pub at: &'a str,
}

impl Judge<'_> {
    /// store::verdicts::store_verdict on PostgreSQL: writes `v` if it differs
    /// from the stored verdict (a `reverdict` event unless the ticket never
    /// had one) and voids what no longer stands on it. `change` is
    /// `Change::Facts` when the ticket itself was just updated.
    pub fn store(
        &self,
        row: &mut Row,
        t: &Ticket,
        v: &Verdict,
        change: Change,
        events: &mut Events,
    ) -> anyhow::Result<bool> {
        let text = serde_json::to_string(v)?;
        if text == row.verdict {
            if change == Change::Facts && !row.policy_version.is_empty() {
                let old: Verdict = serde_json::from_str(&row.verdict)?;
                self.void(row, t, (&old, v), change, events)?;
            }
            return Ok(false);
        }
        let old: Option<Verdict> = serde_json::from_str(&row.verdict).ok();
        let mut set = Map::new();
        set.insert("verdict".into(), text.clone().into());
        set.insert("verdict_kind".into(), v.kind.as_str().into());
        set.insert("policy_version".into(), self.policy.version.clone().into());
        let first = row.policy_version.is_empty();
        row.verdict = text;
        row.verdict_kind = v.kind.as_str().to_string();
        row.policy_version = self.policy.version.clone();
        if first {
            events.attach(row, set, true);
            return Ok(false);
        }
        let (note, payload) = crate::store::reverdict_event(old.as_ref(), v, self.policy);
        let state = row.state.clone();
        events.on(
            row,
            "reverdict",
            &state,
            Some(note),
            payload,
            Some(set),
            true,
        );
        if let Some(old) = &old {
            self.void(row, t, (old, v), Change::Verdict, events)?;
        }
        Ok(true)
    }

    fn void(
        &self,
        row: &mut Row,
        t: &Ticket,
        verdicts: (&Verdict, &Verdict),
        change: Change,
        events: &mut Events,
    ) -> anyhow::Result<()> {
        let wf = row.wf.clone();
        let Some((case, voided)) = crate::store::void_review(
            &row.state,
            || Ok(wf),
            t,
            verdicts,
            self.policy,
            change,
            self.at,
        )?
        else {
            return Ok(());
        };
        let mut set = Map::new();
        set.insert("state".into(), voided.case.state.as_str().into());
        set.insert("pending".into(), voided.case.pending.is_some().into());
        writes::due_change(&mut set, voided.case.due(self.calendar));
        let wf = serde_json::to_string(&voided.case)?;
        set.insert("wf".into(), wf.clone().into());
        set.insert("updated_at".into(), self.at.into());
        // The event's from-state is the case's, as on a file desk.
        row.state = case.state.as_str().to_string();
        events.on(
            row,
            "decision_voided",
            voided.case.state.as_str(),
            Some(voided.note.clone()),
            crate::store::voided_payload(verdicts, &voided.payload, change),
            Some(set),
            false,
        );
        row.wf = wf;
        Ok(())
    }

    /// store::verdicts::recompute_account over one account's rows in
    /// received order (those before `from` only as earlier refunds).
    /// Returns how many stored verdicts changed.
    pub fn account(
        &self,
        rows: &mut [Row],
        from: (i64, &str),
        known: &HashMap<String, &Ticket>,
        events: &mut Events,
    ) -> anyhow::Result<usize> {
        let lookback = crate::store::lookback_us(self.policy);
        let mut prior: Vec<PriorRefund> = Vec::new();
        let mut changed = 0;
        for row in rows.iter_mut() {
            if row.key() < from {
                if row.verdict_kind == VerdictKind::FullRefund.as_str()
                    && row.received_us >= from.0 - lookback
                {
                    prior.push(PriorRefund::of(&ticket_of(row, known)?));
                }
                continue;
            }
            let t = ticket_of(row, known)?;
            let v = evaluate(&t, self.policy, &prior);
            if v.kind == VerdictKind::FullRefund {
                prior.push(PriorRefund::of(&t));
            }
            let change = if known.contains_key(&row.id) {
                Change::Facts
            } else {
                Change::Verdict
            };
            if self.store(row, &t, &v, change, events)? {
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// Recomputes each account of `affected` from its earliest touched
    /// (received_us, id) onward: the stored rows read in one query, the
    /// rows this transaction wrote (`overlay`, with `dirty` their ids) in
    /// place of theirs. Returns how many stored verdicts changed.
    pub fn affected(
        &self,
        tx: &mut postgres::Transaction<'_>,
        affected: &BTreeMap<String, (i64, String)>,
        overlay: &mut HashMap<String, Row>,
        dirty: &HashSet<String>,
        known: &HashMap<String, &Ticket>,
        events: &mut Events,
    ) -> anyhow::Result<u64> {
        if affected.is_empty() {
            return Ok(0);
        }
        let lookback = crate::store::lookback_us(self.policy);
        let accounts: Vec<&str> = affected.keys().map(String::as_str).collect();
        let lows: Vec<i64> = affected.values().map(|(us, _)| us - lookback).collect();
        let stored = tx
            .query(
                &format!(
                    "SELECT {} FROM refund_desk.tickets t
                       JOIN unnest($1::text[], $2::bigint[]) AS a (account, low)
                         ON t.account_id = a.account AND t.received_us >= a.low",
                    prefixed(ROW_COLUMNS)
                ),
                &[&accounts, &lows],
            )
            .map_err(explain)?;
        let mut by_account: HashMap<String, Vec<Row>> = HashMap::new();
        for r in &stored {
            let row = Row::from_pg(r);
            if !dirty.contains(&row.id) {
                by_account.entry(row.account.clone()).or_default().push(row);
            }
        }
        for id in dirty {
            let row = &overlay[id];
            if let Some((us, _)) = affected.get(&row.account) {
                if row.received_us >= us - lookback {
                    by_account
                        .entry(row.account.clone())
                        .or_default()
                        .push(row.clone());
                }
            }
        }
        let mut changed = 0u64;
        for (account, (us, id)) in affected {
            let Some(mut rows) = by_account.remove(account) else {
                continue;
            };
            rows.sort_by(|a, b| a.key().cmp(&b.key()));
            changed += self.account(&mut rows, (*us, id), known, events)? as u64;
            for row in rows {
                if dirty.contains(&row.id) || overlay.contains_key(&row.id) {
                    overlay.insert(row.id.clone(), row);
                }
            }
        }
        Ok(changed)
    }
}

/// `t.`-prefixed column list.
fn prefixed(columns: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn ticket_of(row: &Row, known: &HashMap<String, &Ticket>) -> anyhow::Result<Ticket> {
    match known.get(&row.id) {
        Some(t) => Ok((*t).clone()),
        None => parse_stored(&row.id, &row.raw),
    }
}

/// Every ticket, account by account in received order (ids and accounts
/// byte by byte, as on a file desk), with its fresh verdict under the
/// walk's policy: keyset chunks keep memory flat.
struct Walk<'a> {
    policy: &'a Policy,
    cursor: (String, i64, String),
    account: Option<String>,
    prior: Vec<PriorRefund>,
    seen: u64,
    done: bool,
}

impl<'a> Walk<'a> {
    fn new(policy: &'a Policy) -> Walk<'a> {
        Walk {
            policy,
            cursor: (String::new(), i64::MIN, String::new()),
            account: None,
            prior: Vec::new(),
            seen: 0,
            done: false,
        }
    }

    fn next(
        &mut self,
        client: &mut impl GenericClient,
    ) -> anyhow::Result<Option<Vec<(Row, Ticket, Verdict)>>> {
        if self.done {
            return Ok(None);
        }
        let rows = client
            .query(
                &format!(
                    "SELECT {ROW_COLUMNS} FROM refund_desk.tickets
                      WHERE (account_id COLLATE \"C\", received_us, id COLLATE \"C\") > ($1, $2, $3)
                      ORDER BY account_id COLLATE \"C\", received_us, id COLLATE \"C\" LIMIT $4"
                ),
                &[&self.cursor.0, &self.cursor.1, &self.cursor.2, &CHUNK],
            )
            .map_err(explain)?;
        if (rows.len() as i64) < CHUNK {
            self.done = true;
        }
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let row = Row::from_pg(r);
            if self.account.as_deref() != Some(row.account.as_str()) {
                self.account = Some(row.account.clone());
                self.prior.clear();
            }
            let t = parse_stored(&row.id, &row.raw)?;
            let v = evaluate(&t, self.policy, &self.prior);
            if v.kind == VerdictKind::FullRefund {
                self.prior.push(PriorRefund::of(&t));
            }
            self.cursor = (row.account.clone(), row.received_us, row.id.clone());
            out.push((row, t, v));
        }
        self.seen += out.len() as u64;
        Ok((!out.is_empty()).then_some(out))
    }
}

fn ticket_count(client: &mut impl GenericClient) -> anyhow::Result<u64> {
    let n: i64 = client
        .query_one("SELECT count(*) FROM refund_desk.tickets", &[])
        .map_err(explain)?
        .get(0);
    Ok(n as u64)
}

/// Recomputes every stored verdict under `policy` inside the caller's
/// transaction (holding the verdict lock), each change an event, and
/// marks them all checked under it. Returns (tickets, changed).
pub(crate) fn recompute_in(
    tx: &mut postgres::Transaction<'_>,
    judge: &Judge,
    progress: &mut impl FnMut(u64, u64),
) -> Result<(u64, u64), StoreError> {
    let total = ticket_count(tx)?;
    let mut walk = Walk::new(judge.policy);
    let mut events = Events::new(judge.at);
    let mut changed = 0u64;
    while let Some(chunk) = walk.next(tx)? {
        for (mut row, t, v) in chunk {
            if judge.store(&mut row, &t, &v, Change::Verdict, &mut events)? {
                changed += 1;
            }
        }
        events.send(tx)?;
        progress(walk.seen, total);
    }
    tx.execute(
        "SELECT refund_desk.set_policy_version($1)",
        &[&judge.policy.version],
    )?;
    Ok((walk.seen, changed))
}

/// Every ticket with a running clock whose due dates differ under `policy`
/// and `calendar`: (row, stored, would_be). Keyset by id: the dates a
/// visitor rewrites are no part of the key.
fn walk_due(
    client: &mut impl GenericClient,
    policy: &Policy,
    calendar: &Calendar,
    mut visit: impl FnMut(Row, &DueText, &DueText) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut after = String::new();
    loop {
        let rows = client
            .query(
                &format!(
                    "SELECT {ROW_COLUMNS}, due_target, due_breach FROM refund_desk.tickets
                      WHERE id COLLATE \"C\" > $1 AND due_target COLLATE \"C\" < $2
                      ORDER BY id COLLATE \"C\" LIMIT $3"
                ),
                &[&after, &crate::store::NO_DUE, &CHUNK],
            )
            .map_err(explain)?;
        let Some(last) = rows.last() else { break };
        after = last.get(0);
        for r in &rows {
            let row = Row::from_pg(r);
            let old: DueText = (r.get(10), r.get(11));
            let raw = row.wf.is_empty().then_some(row.raw.as_str());
            let new = crate::store::due_under((&row.id, raw, &row.wf), policy, calendar)?;
            if new != old {
                visit(row, &old, &new)?;
            }
        }
        if (rows.len() as i64) < CHUNK {
            break;
        }
    }
    Ok(())
}

impl PgStore {
    /// The policy version the stored verdicts were computed with.
    pub fn stored_policy_version(&self) -> anyhow::Result<Option<String>> {
        let row = self
            .client()
            .query_opt(
                "SELECT value FROM refund_desk.meta WHERE key = 'policy_version'",
                &[],
            )
            .map_err(explain)?;
        Ok(row.map(|r| r.get(0)))
    }

    /// As on a file desk: verdicts are rewritten at open only when they
    /// were last checked under another policy than the desk's own.
    pub(crate) fn refresh_verdicts_if_policy_changed(&mut self) -> anyhow::Result<()> {
        let stored = self.stored_policy_version()?;
        if stored.as_deref() == Some(self.policy.version.as_str()) {
            return Ok(());
        }
        self.recompute_all(|_, _| {})?;
        Ok(())
    }

    /// Recomputes every stored verdict under the desk's policy, account by
    /// account in received order, in one transaction. Returns (tickets, changed).
    pub fn recompute_all(
        &mut self,
        mut progress: impl FnMut(u64, u64),
    ) -> anyhow::Result<(u64, u64)> {
        let at = crate::store::stamp(self.now());
        let mut client = self.client();
        let mut tx = client.transaction().map_err(explain)?;
        writes::hold_exclusive(&mut tx)?;
        let judge = Judge {
            policy: &self.policy,
            calendar: &self.calendar,
            at: &at,
        };
        let counts = recompute_in(&mut tx, &judge, &mut progress)?;
        tx.commit().map_err(explain)?;
        Ok(counts)
    }

    /// Open tickets whose verdict would differ under `other`, writing nothing:
    /// `each(id, state, stored, would_be)`.
    pub fn diff_verdicts(
        &self,
        other: &Policy,
        mut each: impl FnMut(&str, &str, &Verdict, &Verdict),
    ) -> anyhow::Result<()> {
        let mut client = self.client();
        let mut walk = Walk::new(other);
        while let Some(chunk) = walk.next(&mut *client)? {
            for (row, _, fresh) in chunk {
                if matches!(row.state.as_str(), "completed" | "closed") {
                    continue;
                }
                let stored: Verdict = serde_json::from_str(&row.verdict)?;
                if stored != fresh {
                    each(&row.id, &row.state, &stored, &fresh);
                }
            }
        }
        Ok(())
    }

    /// Compares every stored verdict with a fresh evaluation, writing nothing.
    /// Returns (checked, mismatches).
    pub fn verify_verdicts(
        &self,
        mut mismatch: impl FnMut(&str, &str, &str),
    ) -> anyhow::Result<(u64, u64)> {
        let mut client = self.client();
        let mut walk = Walk::new(&self.policy);
        let mut bad = 0u64;
        while let Some(chunk) = walk.next(&mut *client)? {
            for (row, _, fresh) in chunk {
                let fresh = serde_json::to_string(&fresh)?;
                if fresh != row.verdict {
                    bad += 1;
                    mismatch(&row.id, &row.verdict, &fresh);
                }
            }
        }
        Ok((walk.seen, bad))
    }

    /// A supervisor makes `policy` (and `calendar`, else the desk's own
    /// stays) the desk's policy: recorded, every verdict and every running
    /// clock's due dates recomputed, in one transaction. `None` when they
    /// already are the desk's.
    pub fn apply_policy(
        &mut self,
        policy: Policy,
        calendar: Option<CalendarSource>,
    ) -> Result<Option<Applied>, StoreError> {
        let me = self.actor()?;
        if me.role != Role::Supervisor {
            return Err(StoreError::Refused(format!(
                "only a supervisor can apply a policy; {} is an agent",
                me.name
            )));
        }
        let at = crate::store::stamp(self.now());
        let applied = {
            let mut client = self.client();
            let mut tx = client.transaction()?;
            writes::hold_exclusive(&mut tx)?;
            // Read again under the lock: another supervisor may have applied one since open.
            let row = super::policy::current(&mut tx)?
                .ok_or_else(|| anyhow::anyhow!("the desk has no policy"))?;
            let old_calendar = CalendarSource::parse(&row.calendar_name, &row.calendar)?;
            let calendar = calendar.unwrap_or_else(|| old_calendar.clone());
            if row.files == policy.stored_texts() && row.calendar == calendar.text {
                return Ok(None);
            }
            let old_tz = if row.version == self.policy.version {
                self.policy.tz
            } else {
                let texts: BTreeMap<String, String> =
                    serde_json::from_str(&row.files).map_err(anyhow::Error::from)?;
                let texts: Vec<_> = texts.into_iter().collect();
                Policy::from_texts("desk policy", &texts)
                    .map_err(anyhow::Error::from)?
                    .tz
            };
            let judge = Judge {
                policy: &policy,
                calendar: &calendar.calendar,
                at: &at,
            };
            let (tickets, verdicts_changed) = recompute_in(&mut tx, &judge, &mut |_, _| {})?;
            // The new dates are written once the policy_applied event that
            // covers them is in the trail (the desk checks it).
            let mut moved: Vec<(Row, DueText)> = Vec::new();
            if old_tz != policy.tz || calendar.text != row.calendar {
                walk_due(&mut tx, &policy, &calendar.calendar, |row, _, new| {
                    moved.push((row, new.clone()));
                    Ok(())
                })?;
            }
            let due_changed = moved.len() as u64;
            let applied = Applied {
                from: row.version.clone(),
                to: policy.version.clone(),
                calendar_from: old_calendar.label(),
                calendar_to: calendar.label(),
                tickets,
                verdicts_changed,
                due_changed,
            };
            super::policy::record_applied(
                &mut tx,
                &policy,
                &calendar,
                &at,
                json!({
                    "from": applied.from,
                    "calendar_from": applied.calendar_from,
                    "verdicts_changed": verdicts_changed,
                    "due_changed": due_changed,
                }),
            )?;
            let mut events = Events::new(&at);
            for chunk in moved.chunks_mut(CHUNK as usize) {
                for (row, (target, breach)) in chunk {
                    let mut set = Map::new();
                    set.insert("due_target".into(), Value::from(target.clone()));
                    set.insert("due_breach".into(), Value::from(breach.clone()));
                    events.attach(row, set, true);
                }
                events.send(&mut tx)?;
            }
            tx.commit()?;
            (applied, calendar)
        };
        let (applied, calendar) = applied;
        self.policy = policy;
        self.calendar = calendar.calendar;
        Ok(Some(applied))
    }

    /// Tickets whose running clock would get other due dates under `policy`
    /// and `calendar`, writing nothing: `each(id, state, stored, would_be)`.
    pub fn diff_due_dates(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        mut each: impl FnMut(&str, &str, &DueText, &DueText),
    ) -> anyhow::Result<()> {
        // Due dates depend on nothing else of the policy: spare the walk.
        if policy.tz == self.policy.tz && *calendar == self.calendar {
            return Ok(());
        }
        walk_due(&mut *self.client(), policy, calendar, |row, old, new| {
            each(&row.id, &row.state, old, new);
            Ok(())
        })
    }
}
