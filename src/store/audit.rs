//! The audit trail as a whole, in the order it was written: tickets'
//! events and desk-level ones (role changes, policy changes) alike, for
//! `export events`.

use super::{Store, StoreError};
use serde::Serialize;

/// One event as archived. `ticket`, `from` and `to` are null for a
/// desk-level event.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub ticket: Option<String>,
    pub action: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub operator: String,
    pub at: String,
    pub note: Option<String>,
    pub payload: serde_json::Value,
}

impl Store {
    /// Every event with a seq above `since`, in seq order, streamed so a
    /// desk's whole history never sits in memory. Read under one snapshot:
    /// events committed meanwhile wait for the next export.
    pub fn for_each_event(
        &self,
        since: i64,
        mut each: impl FnMut(AuditEvent) -> anyhow::Result<()>,
    ) -> Result<u64, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, ticket_id, action, from_state, to_state, operator, at, note, payload
               FROM events WHERE seq > ?1 ORDER BY seq",
        )?;
        let mut rows = stmt.query([since])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let payload: String = r.get(8)?;
            each(AuditEvent {
                seq: r.get(0)?,
                ticket: r.get(1)?,
                action: r.get(2)?,
                from: r.get(3)?,
                to: r.get(4)?,
                operator: r.get(5)?,
                at: r.get(6)?,
                note: r.get(7)?,
                payload: serde_json::from_str(&payload)
                    .unwrap_or(serde_json::Value::String(payload)),
            })?;
            n += 1;
        }
        Ok(n)
    }
}
