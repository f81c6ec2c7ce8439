//! Workflow actions as transactions: load, judge with the domain, write the
//! ticket only if its version is unchanged, append the event.

use super::rows::{insert_event, load_case};
use super::verdicts::parse_stored;
use super::{Store, StoreError};
use crate::domain::calendar::Calendar;
use crate::domain::policy::{Policy, Verdict};
use crate::domain::ticket::Ticket;
use crate::domain::workflow::{apply, Action, Actor, Context, State, Transition};
use crate::ingest::{set_facts, FactChange};
use chrono::{DateTime, FixedOffset};
use rusqlite::{params, OptionalExtension};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActOutcome {
    /// The action committed; the ticket is now at `version`.
    Done {
        to: State,
        version: i64,
        pending: bool,
    },
    /// Already done (a repeated `complete` with the same reference).
    NoOp,
}

/// What an action does to a stored ticket, either engine: its facts
/// (`raw`), verdict and case as stored, judged by the domain. `None` when
/// the action is already done (a repeated `complete`).
pub(crate) fn decide(
    id: &str,
    (raw, verdict, wf): (&str, &str, &str),
    (policy, calendar): (&Policy, &Calendar),
    (action, actor, now): (&Action, &Actor, DateTime<FixedOffset>),
) -> Result<(Ticket, Option<Transition>), StoreError> {
    let ticket = parse_stored(id, raw)?;
    let verdict: Verdict = serde_json::from_str(verdict).map_err(anyhow::Error::from)?;
    let case = load_case(wf, &ticket, policy)?;
    let cx = Context {
        ticket: &ticket,
        verdict: &verdict,
        policy,
        calendar,
        actor,
        now,
    };
    let t = apply(&case, action, &cx).map_err(|r| StoreError::Refused(r.0))?;
    Ok((ticket, (!t.noop).then_some(t)))
}

impl Store {
    /// One workflow action in one IMMEDIATE transaction. `expected_version`
    /// is the version the operator saw; a different stored version is stale.
    pub fn act(
        &mut self,
        id: &str,
        action: &Action,
        actor: &Actor,
        expected_version: Option<i64>,
        now: DateTime<FixedOffset>,
    ) -> Result<ActOutcome, StoreError> {
        self.writable()?;
        self.follow_desk_policy()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        super::policy::ensure_current(&tx, &self.policy, &self.calendar)?;
        let row: Option<(String, String, String, i64, String, String)> = tx
            .query_row(
                "SELECT raw, verdict, wf, version, updated_by, updated_at FROM tickets WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?;
        let Some((raw, verdict, wf, version, by, at)) = row else {
            return Err(StoreError::NotFound(id.to_string()));
        };
        if expected_version.is_some_and(|v| v != version) {
            return Err(StoreError::Stale { by, at });
        }
        let verdict_text = verdict;
        let (ticket, t) = decide(
            id,
            (&raw, &verdict_text, &wf),
            (&self.policy, &self.calendar),
            (action, actor, now),
        )?;
        let Some(mut t) = t else {
            return Ok(ActOutcome::NoOp);
        };
        if let (Action::Complete { reference }, Some(other)) =
            (action, reference_holder(&tx, id, action)?)
        {
            return Err(StoreError::Refused(format!(
                "payout reference {reference} is already used by ticket {other}"
            )));
        }
        if let Action::Assign { to, .. } = action {
            ensure_has_role(&tx, to.trim())?;
        }
        let facts = facts_received(&raw, action)?;
        if let (Some(f), Some(map)) = (&facts, t.payload.as_object_mut()) {
            map.insert(
                "facts".into(),
                serde_json::to_value(&f.changes).map_err(anyhow::Error::from)?,
            );
        }
        let due = t.case.due(&self.calendar);
        let stamp = super::stamp(now);
        let updated = tx.execute(
            "UPDATE tickets SET state = ?2, assignee = ?3, pending = ?4, due_target = ?5, due_breach = ?6,
                wf = ?7, version = version + 1, updated_at = ?8, updated_by = ?9, payout_reference = ?11
             WHERE id = ?1 AND version = ?10",
            params![
                id,
                t.case.state.as_str(),
                t.case.assignee,
                t.case.pending.is_some(),
                super::due_target_text(due),
                due.and_then(|d| d.breach).map(|d| d.to_string()),
                serde_json::to_string(&t.case).map_err(anyhow::Error::from)?,
                stamp,
                actor.name,
                version,
                t.case.payout_reference,
            ],
        )?;
        if updated != 1 {
            // Unreachable under IMMEDIATE, kept as a last line of defence.
            return Err(StoreError::Stale { by, at });
        }
        tx.execute(
            "INSERT INTO events (ticket_id, action, from_state, to_state, operator, at, note, payload)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![id, t.action, t.from.as_str(), t.to.as_str(), actor.name, stamp, t.note, t.payload.to_string()],
        )?;
        if let Some(f) = facts {
            super::import_batch::apply_new_facts(
                &tx,
                (&ticket, &raw, &verdict_text),
                &f.ticket,
                &f.raw,
                (&self.policy, &self.calendar),
                (&actor.name, &stamp),
            )?;
        }
        // New facts can move the verdict and void what stood on it: the
        // ticket is wherever that left it.
        let (to, version, pending): (String, i64, bool) = tx.query_row(
            "SELECT state, version, pending FROM tickets WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        tx.commit()?;
        Ok(ActOutcome::Done {
            to: State::parse(&to).unwrap_or(t.to),
            version,
            pending,
        })
    }
}

/// The ticket with the facts `info_received --set` brings, validated as an
/// import line; `None` when the action brings none.
pub(crate) struct Facts {
    pub raw: String,
    pub ticket: Ticket,
    pub changes: Vec<FactChange>,
}

pub(crate) fn facts_received(raw: &str, action: &Action) -> Result<Option<Facts>, StoreError> {
    let Action::InfoReceived { set, .. } = action else {
        return Ok(None);
    };
    if set.is_empty() {
        return Ok(None);
    }
    let stored: serde_json::Value = serde_json::from_str(raw).map_err(anyhow::Error::from)?;
    let pairs: Vec<(&str, &str)> = set
        .iter()
        .map(|s| (s.field.as_str(), s.value.as_str()))
        .collect();
    let (value, changes) = set_facts(&stored, &pairs).map_err(StoreError::Refused)?;
    if changes.is_empty() {
        return Ok(None);
    }
    let raw = value.to_string();
    let ticket = Ticket::from_text(&raw)
        .map_err(|why| StoreError::Refused(format!("the facts received do not fit: {why}")))?;
    Ok(Some(Facts {
        raw,
        ticket,
        changes,
    }))
}

/// A ticket is handed only to someone who may work on it.
fn ensure_has_role(tx: &rusqlite::Transaction, name: &str) -> Result<(), StoreError> {
    let role: Option<String> = tx
        .query_row("SELECT role FROM operators WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?;
    match role {
        Some(_) => Ok(()),
        None => Err(StoreError::Refused(format!(
            "{name} has no role on this desk; a supervisor can grant one first: refund-desk roles grant {name} agent"
        ))),
    }
}

/// The other ticket already completed with the reference `complete` gives.
/// The unique index on `payout_reference` refuses it too; asking first
/// names the other ticket.
fn reference_holder(
    tx: &rusqlite::Transaction,
    id: &str,
    action: &Action,
) -> Result<Option<String>, StoreError> {
    let Action::Complete { reference } = action else {
        return Ok(None);
    };
    Ok(tx
        .query_row(
            "SELECT id FROM tickets WHERE payout_reference = ?1 AND id <> ?2",
            [reference, id],
            |r| r.get(0),
        )
        .optional()?)
}

impl Store {
    /// Records a note on a ticket without changing it (e.g. a letter sent).
    pub fn note(
        &mut self,
        id: &str,
        action: &str,
        note: &str,
        payload: serde_json::Value,
    ) -> Result<(), StoreError> {
        self.writable()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        insert_event(
            &tx,
            id,
            action,
            "",
            &self.operator.clone(),
            &super::stamp(self.clock.now()),
            Some(note),
            payload,
        )?;
        tx.commit()?;
        Ok(())
    }
}
