//! Workflow actions, notes, leases and letters on PostgreSQL: the same
//! transactions as the SQLite store's (store::act, leases, letters), each
//! write through `refund_desk.record`, which checks the move again on the
//! server (moves.sql) and records the operator as the session's user.

use super::PgStore;
use crate::domain::letter::Letter;
use crate::domain::workflow::{Action, Actor, State};
use crate::store::{decide, facts_received, ActOutcome, StoreError};
use chrono::{DateTime, FixedOffset};
use postgres::Transaction;
use serde_json::{json, Value};

impl PgStore {
    /// One workflow action in one transaction, the ticket's row locked from
    /// the read to the commit. `expected_version` is the version the
    /// operator saw; a different stored version is stale.
    pub fn act(
        &mut self,
        id: &str,
        action: &Action,
        actor: &Actor,
        expected_version: Option<i64>,
        now: DateTime<FixedOffset>,
    ) -> Result<ActOutcome, StoreError> {
        self.writable()?;
        self.acting_as(actor)?;
        self.follow_desk_policy()?;
        let (policy, calendar) = (&self.policy, &self.calendar);
        let mut client = self.client();
        let mut tx = client.transaction()?;
        super::policy::ensure_current(&mut tx, policy, calendar)?;
        if let Action::Complete { reference } = action {
            // Two completions with one reference wait for each other here,
            // so the second names the first's ticket (as a file desk, whose
            // writers queue, does) rather than meeting the unique index.
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 7210000002))",
                &[reference],
            )?;
        }
        let row = tx.query_opt(
            "SELECT raw, verdict, wf, version, updated_by, updated_at
               FROM refund_desk.lock_ticket($1)",
            &[&id],
        )?;
        let Some(row) = row else {
            return Err(StoreError::NotFound(id.to_string()));
        };
        let (raw, verdict_text, wf): (String, String, String) =
            (row.get(0), row.get(1), row.get(2));
        let version: i64 = row.get(3);
        if expected_version.is_some_and(|v| v != version) {
            return Err(StoreError::Stale {
                by: row.get(4),
                at: row.get(5),
            });
        }
        let (ticket, t) = decide(
            id,
            (&raw, &verdict_text, &wf),
            (policy, calendar),
            (action, actor, now),
        )?;
        let Some(mut t) = t else {
            return Ok(ActOutcome::NoOp);
        };
        if let (Action::Complete { reference }, Some(other)) =
            (action, reference_holder(&mut tx, id, action)?)
        {
            return Err(StoreError::Refused(format!(
                "payout reference {reference} is already used by ticket {other}"
            )));
        }
        if let Action::Assign { to, .. } = action {
            ensure_has_role(&mut tx, to.trim())?;
        }
        let facts = facts_received(&raw, action)?;
        if let (Some(f), Some(map)) = (&facts, t.payload.as_object_mut()) {
            map.insert(
                "facts".into(),
                serde_json::to_value(&f.changes).map_err(anyhow::Error::from)?,
            );
        }
        let due = t.case.due(calendar);
        let stamp = crate::store::stamp(now);
        let event = json!({
            "ticket_id": id,
            "action": t.action,
            "from_state": t.from.as_str(),
            "to_state": t.to.as_str(),
            "at": stamp,
            "note": t.note,
            "payload": t.payload.to_string(),
            "expected_version": version,
            "change": {
                "state": t.case.state.as_str(),
                "assignee": t.case.assignee,
                "pending": t.case.pending.is_some(),
                "due_target": crate::store::due_target_text(due),
                "due_breach": due.and_then(|d| d.breach).map(|d| d.to_string()),
                "wf": serde_json::to_string(&t.case).map_err(anyhow::Error::from)?,
                "updated_at": stamp,
                "payout_reference": t.case.payout_reference,
            },
        });
        record(&mut tx, &[event])?;
        if let Some(f) = facts {
            super::import::apply_new_facts(
                &mut tx,
                (&ticket, &raw, &verdict_text),
                &f.ticket,
                &f.raw,
                (policy, calendar),
                (&actor.name, &stamp),
            )?;
        }
        // New facts can move the verdict and void what stood on it: the
        // ticket is wherever that left it.
        let row = tx.query_one(
            "SELECT state, version, pending FROM refund_desk.tickets WHERE id = $1",
            &[&id],
        )?;
        let (to, version, pending): (String, i64, bool) = (row.get(0), row.get(1), row.get(2));
        tx.commit()?;
        Ok(ActOutcome::Done {
            to: State::parse(&to).unwrap_or(t.to),
            version,
            pending,
        })
    }

    /// On a server the operator is the session's user, whoever the caller
    /// names: acting in another's name is refused, not recorded as ours.
    fn acting_as(&self, actor: &Actor) -> Result<(), StoreError> {
        if actor.name == self.operator {
            return Ok(());
        }
        Err(StoreError::Refused(format!(
            "on a PostgreSQL desk the operator is the database user {}; {} acts only through their own login",
            self.operator, actor.name
        )))
    }

    /// Records a note on a ticket without changing it.
    pub fn note(
        &mut self,
        id: &str,
        action: &str,
        note: &str,
        payload: Value,
    ) -> Result<(), StoreError> {
        self.writable()?;
        let at = crate::store::stamp(self.clock.now());
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let state = locked_state(&mut tx, id)?.0;
        record(
            &mut tx,
            &[json!({
                "ticket_id": id,
                "action": action,
                "from_state": state,
                "to_state": state,
                "at": at,
                "note": note,
                "payload": payload.to_string(),
            })],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Takes or renews the operator's lease on a ticket; returns the other
    /// operator holding it while their lease runs (then nothing is taken).
    pub fn claim(
        &mut self,
        id: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<String>, StoreError> {
        self.writable()?;
        let now_us = now.timestamp_micros();
        let until = now_us + crate::store::LEASE_SECONDS * 1_000_000;
        let row = self.client().query_one(
            "SELECT refund_desk.claim($1, $2, $3)",
            &[&id, &until, &now_us],
        )?;
        Ok(row.get(0))
    }

    /// Gives up the operator's lease (closing the ticket's detail).
    pub fn release(&mut self, id: &str) -> Result<(), StoreError> {
        self.client()
            .execute("SELECT refund_desk.release($1)", &[&id])?;
        Ok(())
    }

    /// Who else holds a running lease on the ticket.
    pub fn held_by_other(
        &self,
        id: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<String>, StoreError> {
        let row = self.client().query_opt(
            "SELECT operator FROM refund_desk.leases
              WHERE ticket_id = $1 AND operator <> $2 AND until_us > $3",
            &[&id, &self.operator, &now.timestamp_micros()],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Records that `letter`, drafted from the ticket at `version`, was
    /// sent: a `letter_sent` event carrying the exact text, refused as stale
    /// if the ticket changed since the draft. The ticket is unchanged.
    pub fn record_letter_sent(
        &mut self,
        id: &str,
        version: i64,
        letter: &Letter,
    ) -> Result<(), StoreError> {
        self.actor()?;
        self.writable()?;
        let sent_at = crate::store::stamp(self.now());
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let (state, now_version, by, at) = locked_state(&mut tx, id)?;
        if now_version != version {
            return Err(StoreError::Stale { by, at });
        }
        let payload = json!({
            "language": letter.language,
            "subject": letter.subject,
            "body": letter.body,
            "version": version,
        });
        record(
            &mut tx,
            &[json!({
                "ticket_id": id,
                "action": "letter_sent",
                "from_state": state,
                "to_state": state,
                "at": sent_at,
                "note": null,
                "payload": payload.to_string(),
                "expected_version": version,
            })],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// Events through the desk's own function (schema.sql `record`).
pub(crate) fn record(tx: &mut Transaction, events: &[Value]) -> Result<(), StoreError> {
    let batch = Value::from(events.to_vec()).to_string();
    tx.execute("SELECT refund_desk.record($1::text::jsonb)", &[&batch])?;
    Ok(())
}

/// The ticket's state, version and last writer, its row locked.
fn locked_state(
    tx: &mut Transaction,
    id: &str,
) -> Result<(String, i64, String, String), StoreError> {
    let row = tx.query_opt(
        "SELECT state, version, updated_by, updated_at FROM refund_desk.lock_ticket($1)",
        &[&id],
    )?;
    match row {
        Some(r) => Ok((r.get(0), r.get(1), r.get(2), r.get(3))),
        None => Err(StoreError::NotFound(id.to_string())),
    }
}

/// A ticket is handed only to someone who may work on it: a login role in
/// one of the desk's groups (the owner role is in both, and no operator).
fn ensure_has_role(tx: &mut Transaction, name: &str) -> Result<(), StoreError> {
    let row = tx.query_one(
        "SELECT refund_desk.role_of($1::text) IS NOT NULL
            AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname::text = $1::text AND rolcanlogin)",
        &[&name],
    )?;
    if row.get(0) {
        return Ok(());
    }
    Err(StoreError::Refused(format!(
        "{name} has no role on this desk; a supervisor can grant one first: refund-desk roles grant {name} agent"
    )))
}

/// The other ticket already completed with the reference `complete` gives.
fn reference_holder(
    tx: &mut Transaction,
    id: &str,
    action: &Action,
) -> Result<Option<String>, StoreError> {
    let Action::Complete { reference } = action else {
        return Ok(None);
    };
    let row = tx.query_opt(
        "SELECT id FROM refund_desk.tickets WHERE payout_reference = $1 AND id <> $2",
        &[reference, &id],
    )?;
    Ok(row.map(|r| r.get(0)))
}
