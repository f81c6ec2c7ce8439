//! Short leases: an agent who opens a ticket holds it for a couple of
//! minutes so others see "alice is on this" before they collide. A lease is
//! advice, never a lock: the version check is what refuses stale writes.

use super::{Store, StoreError};
use chrono::{DateTime, FixedOffset};
use rusqlite::{params, OptionalExtension};

/// How long opening a ticket holds it.
pub const LEASE_SECONDS: i64 = 120;

impl Store {
    /// Takes or renews the operator's lease on a ticket. Returns the other
    /// operator holding it, if someone else's lease is still running (then
    /// nothing is taken).
    pub fn claim(
        &mut self,
        id: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<String>, StoreError> {
        self.writable()?;
        let now_us = now.timestamp_micros();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let holder: Option<(String, i64)> = tx
            .query_row(
                "SELECT operator, until_us FROM leases WHERE ticket_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((who, until)) = holder {
            if who != self.operator && until > now_us {
                return Ok(Some(who));
            }
        }
        tx.execute(
            "INSERT INTO leases (ticket_id, operator, until_us) VALUES (?1, ?2, ?3)
             ON CONFLICT (ticket_id) DO UPDATE SET operator = excluded.operator, until_us = excluded.until_us",
            params![id, self.operator, now_us + LEASE_SECONDS * 1_000_000],
        )?;
        tx.commit()?;
        Ok(None)
    }

    /// Gives up the operator's lease (closing the ticket's detail).
    pub fn release(&mut self, id: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM leases WHERE ticket_id = ?1 AND operator = ?2",
            params![id, self.operator],
        )?;
        Ok(())
    }

    /// Who else holds a running lease on the ticket.
    pub fn held_by_other(
        &self,
        id: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT operator FROM leases WHERE ticket_id = ?1 AND operator <> ?2 AND until_us > ?3")?
            .query_row(params![id, self.operator, now.timestamp_micros()], |r| r.get(0))
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::calendar::Calendar;
    use crate::domain::policy::Policy;
    use crate::store::Store;

    #[test]
    fn a_lease_shows_who_is_on_a_ticket_until_it_runs_out() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("d.db");
        let line = r#"{"id":"L-1","received_at":"2026-11-03T10:00:00+08:00","product":"lcic","account":{"id":"A"},"reason":"unused","package":{"billing":"monthly"},"payment":{"currency":"USD"}}"#;
        let mut alice = Store::create(
            &db,
            Policy::builtin(),
            Calendar::plain(),
            "alice",
            crate::store::DeskKind::Test,
            crate::store::Clock::System,
        )
        .unwrap();
        alice
            .import("t", line.as_bytes(), Default::default(), |_| {}, |_| {})
            .unwrap();
        let mut bob = Store::open(&db, Policy::builtin(), Calendar::plain(), "bob").unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00+08:00").unwrap();
        assert_eq!(alice.claim("L-1", now).unwrap(), None);
        assert_eq!(bob.claim("L-1", now).unwrap(), Some("alice".into()));
        assert_eq!(bob.held_by_other("L-1", now).unwrap(), Some("alice".into()));
        assert_eq!(alice.held_by_other("L-1", now).unwrap(), None);
        let later = now + chrono::Duration::seconds(super::LEASE_SECONDS + 1);
        assert_eq!(bob.claim("L-1", later).unwrap(), None);
        assert_eq!(
            alice.held_by_other("L-1", later).unwrap(),
            Some("bob".into())
        );
        bob.release("L-1").unwrap();
        assert_eq!(alice.held_by_other("L-1", later).unwrap(), None);
    }
}
