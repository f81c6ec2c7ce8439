//! Keeping stored verdicts true: a ticket's verdict depends on the policy and
//! on the same account's earlier tickets, so an import, an update or a policy
//! change recomputes every verdict it can affect, in received order.

use super::dashboard::TotalsDelta;
use super::Store;
use crate::domain::calendar::Calendar;
use crate::domain::policy::{evaluate, Policy, PriorRefund, Verdict, VerdictKind};
use crate::domain::ticket::Ticket;
use crate::domain::workflow::standing::{self, Change};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

/// How far back a ⟲ rule can look, in microseconds, with a day of slack for
/// offsets: earlier refunds older than this cannot change a verdict.
pub(crate) fn lookback_us(policy: &Policy) -> i64 {
    let days = policy.abuse.window_days.max(policy.trtc.one_at_a_time_days) + 2;
    days * 86_400 * 1_000_000
}

pub(crate) fn parse_stored(id: &str, raw: &str) -> anyhow::Result<Ticket> {
    Ticket::from_text(raw)
        .map_err(|e| anyhow::anyhow!("stored ticket {id} no longer validates: {e}"))
}

/// Recomputes the account's verdicts from (received_us, id) onward. Returns
/// how many stored verdicts changed. Brand-new tickets (empty policy_version)
/// get their first verdict without a "reverdict" event. Tickets in `known`
/// were just updated: what stands on them is judged again even when their
/// verdict reads the same (a manual_review's limit is the ticket's base).
#[allow(clippy::too_many_arguments)]
pub(crate) fn recompute_account(
    tx: &Connection,
    policy: &Policy,
    calendar: &Calendar,
    account: &str,
    from: (i64, &str),
    known: &super::FastMap<String, Ticket>,
    who: (&str, &str),
    delta: &mut TotalsDelta,
) -> anyhow::Result<usize> {
    let mut prior: Vec<PriorRefund> = Vec::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT id, raw FROM tickets INDEXED BY tickets_by_account WHERE account_id = ?1 AND verdict_kind = 'full_refund'
               AND received_us >= ?2 AND (received_us < ?3 OR (received_us = ?3 AND id < ?4))",
        )?;
        let mut rows = stmt.query(params![
            account,
            from.0 - lookback_us(policy),
            from.0,
            from.1
        ])?;
        while let Some(r) = rows.next()? {
            let (id, raw): (String, String) = (r.get(0)?, r.get(1)?);
            prior.push(PriorRefund::of(&parse_stored(&id, &raw)?));
        }
    }
    let later: Vec<(String, String, String, String, String)> = tx
        .prepare_cached(
            "SELECT id, raw, verdict, policy_version, state FROM tickets WHERE account_id = ?1
               AND (received_us > ?2 OR (received_us = ?2 AND id >= ?3)) ORDER BY received_us, id",
        )?
        .query_map(params![account, from.0, from.1], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut changed = 0;
    for (id, raw, old, old_version, state) in later {
        // Tickets of the current batch were parsed moments ago: don't parse twice.
        let parsed;
        let t = match known.get(&id) {
            Some(t) => t,
            None => {
                parsed = parse_stored(&id, &raw)?;
                &parsed
            }
        };
        let v = evaluate(t, policy, &prior);
        if v.kind == VerdictKind::FullRefund {
            prior.push(PriorRefund::of(t));
        }
        let facts = if known.contains_key(&id) {
            Change::Facts
        } else {
            Change::Verdict
        };
        let stored = Stored {
            id,
            verdict: old,
            policy_version: old_version,
            state,
        };
        if store_verdict(tx, (policy, calendar), t, &v, &stored, who, delta, facts)? {
            changed += 1;
        }
    }
    Ok(changed)
}

/// Writes a verdict if it differs from the stored one, keeping the
/// dashboard's day totals in step; records the change as an event unless
/// the ticket never had a verdict. Every verdict change passes here, so here
/// a decision that no longer stands on its verdict is voided (SPEC §3).
/// `facts` is `Change::Facts` when the ticket itself was just updated.
#[allow(clippy::too_many_arguments)]
pub(crate) fn store_verdict(
    tx: &Connection,
    (policy, calendar): (&Policy, &Calendar),
    t: &Ticket,
    v: &Verdict,
    stored: &Stored,
    who: (&str, &str),
    delta: &mut TotalsDelta,
    facts: Change,
) -> anyhow::Result<bool> {
    let (operator, at) = who;
    let text = serde_json::to_string(v)?;
    // An unchanged verdict is not rewritten: the row keeps the version that
    // produced it, and meta.policy_version says every verdict was re-checked
    // under the current policy. (Rewriting a million unchanged rows to bump a
    // version tag was most of the cost of a policy change.)
    if text == stored.verdict {
        if facts == Change::Facts && !stored.policy_version.is_empty() {
            let old: Verdict = serde_json::from_str(&stored.verdict)?;
            void_what_no_longer_stands(tx, (policy, calendar), t, (&old, v), stored, who, facts)?;
        }
        return Ok(false);
    }
    tx.prepare_cached(
        "UPDATE tickets SET verdict = ?2, verdict_kind = ?3, policy_version = ?4 WHERE id = ?1",
    )?
    .execute(params![t.id, text, v.kind.as_str(), policy.version])?;
    let old_v: Option<Verdict> = serde_json::from_str(&stored.verdict).ok();
    if let Some(old) = &old_v {
        delta.add(t, old, policy.tz, -1);
    }
    delta.add(t, v, policy.tz, 1);
    if stored.policy_version.is_empty() {
        return Ok(false);
    }
    let (note, payload) = reverdict_event(old_v.as_ref(), v, policy);
    tx.prepare_cached(
        "INSERT INTO events (ticket_id, action, from_state, to_state, operator, at, note, payload)
         VALUES (?1, 'reverdict', ?2, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![t.id, stored.state, operator, at, note, payload])?;
    if let Some(old) = &old_v {
        void_what_no_longer_stands(
            tx,
            (policy, calendar),
            t,
            (old, v),
            stored,
            who,
            Change::Verdict,
        )?;
    }
    Ok(true)
}

/// The note and payload of a `reverdict` event, on either engine.
pub(crate) fn reverdict_event(
    old: Option<&Verdict>,
    new: &Verdict,
    policy: &Policy,
) -> (String, String) {
    (
        format!("verdict changed under policy {}", policy.version),
        json!({"old": old, "new": new, "policy_version": policy.version}).to_string(),
    )
}

/// The payload of a `decision_voided` event, on either engine.
pub(crate) fn voided_payload(
    (old, new): (&Verdict, &Verdict),
    voided: &serde_json::Value,
    change: Change,
) -> String {
    json!({
        "old_verdict": old,
        "new_verdict": new,
        "voided": voided,
        "ticket_changed": change == Change::Facts,
    })
    .to_string()
}

/// The engine-neutral part of `void_what_no_longer_stands`: the case as
/// stored (`wf`, read only when something can stand) and what voiding
/// leaves of it; `None` when everything standing still stands.
pub(crate) fn void_review(
    state: &str,
    wf: impl FnOnce() -> anyhow::Result<String>,
    t: &Ticket,
    (old, new): (&Verdict, &Verdict),
    policy: &Policy,
    change: Change,
    at: &str,
) -> anyhow::Result<Option<(crate::domain::workflow::Case, standing::Voided)>> {
    // Nothing can stand before anyone acted, nor after the end.
    if matches!(state, "submitted" | "completed" | "closed") {
        return Ok(None);
    }
    let wf = wf()?;
    if wf.is_empty() {
        return Ok(None);
    }
    let case = super::rows::load_case(&wf, t, policy)?;
    let today = chrono::DateTime::parse_from_rfc3339(at)?
        .with_timezone(&policy.tz)
        .date_naive();
    Ok(standing::review(&case, t, (old, new), policy, change, today).map(|v| (case, v)))
}

/// Judges what stands on the ticket against its new verdict as if proposed
/// anew; what would now need four-eyes or be refused is voided and the
/// ticket goes back to evaluation, with a `decision_voided` event. Once the
/// payout is executed nothing is voided: the change is only recorded (and
/// `check` lists a payout the verdict in force no longer supports).
fn void_what_no_longer_stands(
    tx: &Connection,
    (policy, calendar): (&Policy, &Calendar),
    t: &Ticket,
    (old, new): (&Verdict, &Verdict),
    stored: &Stored,
    (operator, at): (&str, &str),
    change: Change,
) -> anyhow::Result<()> {
    let wf = || -> anyhow::Result<String> {
        Ok(tx
            .prepare_cached("SELECT wf FROM tickets WHERE id = ?1")?
            .query_row([&t.id], |r| r.get(0))?)
    };
    let Some((case, voided)) = void_review(&stored.state, wf, t, (old, new), policy, change, at)?
    else {
        return Ok(());
    };
    let due = voided.case.due(calendar);
    tx.prepare_cached(
        "UPDATE tickets SET state = ?2, pending = ?3, due_target = ?4, due_breach = ?5, wf = ?6,
            version = version + 1, updated_at = ?7, updated_by = ?8 WHERE id = ?1",
    )?
    .execute(params![
        t.id,
        voided.case.state.as_str(),
        voided.case.pending.is_some(),
        super::due_target_text(due),
        due.and_then(|d| d.breach).map(|d| d.to_string()),
        serde_json::to_string(&voided.case)?,
        at,
        operator,
    ])?;
    tx.prepare_cached(
        "INSERT INTO events (ticket_id, action, from_state, to_state, operator, at, note, payload)
         VALUES (?1, 'decision_voided', ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        t.id,
        case.state.as_str(),
        voided.case.state.as_str(),
        operator,
        at,
        voided.note,
        voided_payload((old, new), &voided.payload, change),
    ])?;
    Ok(())
}

impl Store {
    /// The policy version the stored verdicts were computed with.
    pub fn stored_policy_version(&self) -> anyhow::Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'policy_version'",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The upgrade path and nothing else: verdicts are rewritten at open only
    /// when they were last checked under another policy than the desk's own
    /// (a desk made before the policy was stored, see store::policy). The
    /// process's built-in policy never enters into it.
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
        let at = super::stamp(self.clock.now());
        let (policy, operator) = (self.policy.clone(), self.operator.clone());
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let calendar = self.calendar.clone();
        let counts = recompute_in(
            &tx,
            (&policy, &calendar),
            (&operator, &at),
            false,
            &mut progress,
        )?;
        tx.commit()?;
        Ok(counts)
    }

    /// Open tickets whose verdict would differ under `other`, writing nothing:
    /// `each(id, state, stored, would_be)`.
    pub fn diff_verdicts(
        &self,
        other: &Policy,
        mut each: impl FnMut(&str, &str, &Verdict, &Verdict),
    ) -> anyhow::Result<()> {
        walk_all(&self.conn, other, &mut |_, _| {}, |row, _, fresh| {
            if matches!(row.state.as_str(), "completed" | "closed") {
                return Ok(());
            }
            let stored: Verdict = serde_json::from_str(&row.verdict)?;
            if &stored != fresh {
                each(&row.id, &row.state, &stored, fresh);
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Compares every stored verdict with a fresh evaluation, writing nothing.
    /// Returns (checked, mismatches).
    pub fn verify_verdicts(
        &self,
        mut mismatch: impl FnMut(&str, &str, &str),
    ) -> anyhow::Result<(u64, u64)> {
        let mut bad = 0u64;
        let seen = walk_all(&self.conn, &self.policy, &mut |_, _| {}, |row, _, fresh| {
            let fresh = serde_json::to_string(fresh)?;
            if fresh != row.verdict {
                bad += 1;
                mismatch(&row.id, &row.verdict, &fresh);
            }
            Ok(())
        })?;
        Ok((seen, bad))
    }
}

/// Recomputes every stored verdict under `policy` inside the caller's
/// transaction, each change an event, and marks them all checked under it.
/// `rebuild_totals`: the timezone changed, so the dashboard's day totals are
/// counted afresh (a ticket's day moves with it; removing the old verdict
/// from its old day would need the old timezone). Returns (tickets, changed).
pub(crate) fn recompute_in(
    tx: &Connection,
    (policy, calendar): (&Policy, &Calendar),
    who: (&str, &str),
    rebuild_totals: bool,
    progress: &mut impl FnMut(u64, u64),
) -> anyhow::Result<(u64, u64)> {
    let mut changed = 0u64;
    let mut delta = TotalsDelta::default();
    let mut rebuilt = TotalsDelta::default();
    let seen = walk_all(tx, policy, progress, |row, t, fresh| {
        let verdict_only = standing::Change::Verdict;
        if store_verdict(
            tx,
            (policy, calendar),
            t,
            fresh,
            row,
            who,
            &mut delta,
            verdict_only,
        )? {
            changed += 1;
        }
        if rebuild_totals {
            rebuilt.add(t, fresh, policy.tz, 1);
        }
        Ok(())
    })?;
    if rebuild_totals {
        tx.execute("DELETE FROM daily_totals", [])?;
        rebuilt.flush(tx)?;
    } else {
        delta.flush(tx)?;
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('policy_version', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [&policy.version],
    )?;
    Ok((seen, changed))
}

/// A stored ticket as the walk sees it.
pub(crate) struct Stored {
    pub id: String,
    pub verdict: String,
    pub policy_version: String,
    pub state: String,
}

/// Visits every ticket, account by account in received order, with its fresh
/// verdict. Keyset chunks keep memory flat however large the file is.
fn walk_all(
    conn: &Connection,
    policy: &Policy,
    progress: &mut impl FnMut(u64, u64),
    mut visit: impl FnMut(&Stored, &Ticket, &Verdict) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    let total = conn.query_row("SELECT count(*) FROM tickets", [], |r| r.get::<_, i64>(0))? as u64;
    let mut seen = 0u64;
    let mut cursor = (String::new(), i64::MIN, String::new());
    let mut account: Option<String> = None;
    let mut prior: Vec<PriorRefund> = Vec::new();
    loop {
        type Row = (String, i64, String, String, Stored);
        let chunk: Vec<Row> = conn
            .prepare_cached(
                "SELECT account_id, received_us, id, raw, verdict, policy_version, state FROM tickets
                  WHERE (account_id, received_us, id) > (?1, ?2, ?3)
                  ORDER BY account_id, received_us, id LIMIT 20000",
            )?
            .query_map(params![cursor.0, cursor.1, cursor.2], |r| {
                let id: String = r.get(2)?;
                Ok((r.get(0)?, r.get(1)?, r.get(3)?, id.clone(), Stored { id, verdict: r.get(4)?, policy_version: r.get(5)?, state: r.get(6)? }))
            })?
            .collect::<Result<_, _>>()?;
        let Some(last) = chunk.last() else { break };
        cursor = (last.0.clone(), last.1, last.3.clone());
        for (acct, _, raw, id, stored) in chunk {
            if account.as_deref() != Some(acct.as_str()) {
                account = Some(acct);
                prior.clear();
            }
            let t = parse_stored(&id, &raw)?;
            let v = evaluate(&t, policy, &prior);
            if v.kind == VerdictKind::FullRefund {
                prior.push(PriorRefund::of(&t));
            }
            visit(&stored, &t, &v)?;
            seen += 1;
        }
        progress(seen, total);
    }
    Ok(seen)
}
