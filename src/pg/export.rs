//! The audit trail and the payout exports on PostgreSQL: the same rows as
//! a file desk's (store::export, store::audit), read by the same code.

use super::PgStore;
use crate::store::{
    finding, payout_rows, AuditEvent, LastDecision, PayoutEvent, PayoutFinding, PayoutRow,
    StoreError,
};
use chrono::NaiveDate;
use postgres::fallible_iterator::FallibleIterator;

/// The payout events ticket by ticket (store::export::PAYOUT_EVENTS),
/// served by the partial index `events_payouts`.
const PAYOUT_EVENTS: &str =
    "SELECT e.seq, e.ticket_id, e.action, e.operator, e.at, e.payload, t.account_id, t.product, t.currency
       FROM refund_desk.events e JOIN refund_desk.tickets t ON t.id = e.ticket_id
      WHERE e.action IN ('execute', 'sign_off', 'payout_returned', 'complete')
      ORDER BY e.ticket_id, e.seq";

impl PgStore {
    /// Every event with a seq above `since`, in seq order, streamed: one
    /// statement, so one snapshot; events committed meanwhile wait for the
    /// next export.
    pub fn for_each_event(
        &self,
        since: i64,
        mut each: impl FnMut(AuditEvent) -> anyhow::Result<()>,
    ) -> Result<u64, StoreError> {
        let mut client = self.client();
        let mut rows = client.query_raw(
            "SELECT seq, ticket_id, action, from_state, to_state, operator, at, note, payload
               FROM refund_desk.events WHERE seq > $1 ORDER BY seq",
            [since],
        )?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let payload: String = r.get(8);
            each(AuditEvent {
                seq: r.get(0),
                ticket: r.get(1),
                action: r.get(2),
                from: r.get(3),
                to: r.get(4),
                operator: r.get(5),
                at: r.get(6),
                note: r.get(7),
                payload: serde_json::from_str(&payload)
                    .unwrap_or(serde_json::Value::String(payload)),
            })?;
            n += 1;
        }
        Ok(n)
    }

    /// Every executed payout whose local execution date is in `from..=to`,
    /// in the order they were executed.
    pub fn payouts(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> anyhow::Result<Vec<PayoutRow>> {
        // Read whole first: an old execution's decision is asked of the
        // same connection.
        let events: Vec<anyhow::Result<PayoutEvent>> = self
            .client()
            .query(PAYOUT_EVENTS, &[])
            .map_err(super::explain)?
            .into_iter()
            .map(|r| {
                Ok(PayoutEvent {
                    seq: r.get(0),
                    ticket: r.get(1),
                    action: r.get(2),
                    operator: r.get(3),
                    at: r.get(4),
                    payload: r.get(5),
                    account: r.get(6),
                    product: r.get(7),
                    currency: r.get(8),
                })
            })
            .collect();
        payout_rows(
            events,
            |ticket, seq| self.last_decision(ticket, seq),
            from,
            to,
        )
    }

    fn last_decision(&self, ticket: &str, seq: i64) -> anyhow::Result<LastDecision> {
        let row = self
            .client()
            .query_opt(
                "SELECT action, operator, payload FROM refund_desk.events
                  WHERE ticket_id = $1 AND seq < $2
                    AND action IN ('approve', 'agree', 'revise', 'sign_off')
                    AND (payload::jsonb -> 'pending') IS DISTINCT FROM 'true'::jsonb
                    AND coalesce(payload::jsonb #>> '{proposal,action}', '') <> 'execute'
                  ORDER BY seq DESC LIMIT 1",
                &[&ticket, &seq],
            )
            .map_err(super::explain)?;
        Ok(row.map(|r| (r.get(0), r.get(1), r.get(2))))
    }

    /// Executed payouts (still out or completed) whose amount or route needs
    /// a sign-off under the verdict and policy in force that none covered.
    pub fn payout_findings(&self) -> anyhow::Result<Vec<PayoutFinding>> {
        // Ids in byte order, as a file desk sorts them.
        let rows = self
            .client()
            .query(
                "SELECT id, raw, verdict, wf FROM refund_desk.tickets
                  WHERE state IN ('execution', 'completed') AND wf <> '' ORDER BY id COLLATE \"C\"",
                &[],
            )
            .map_err(super::explain)?;
        let mut found = Vec::new();
        for r in rows {
            found.extend(finding(
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                &self.policy,
            )?);
        }
        Ok(found)
    }

    /// Payout references held by more than one ticket: (reference, tickets).
    /// The unique index refuses a second one on this engine, so this finds
    /// only what a desk migrated from an old file brought along.
    pub fn duplicate_references(&self) -> anyhow::Result<Vec<(String, Vec<String>)>> {
        let rows = self
            .client()
            .query(
                "SELECT wf::jsonb ->> 'payout_reference' AS ref, array_agg(id ORDER BY id COLLATE \"C\")
                   FROM refund_desk.tickets
                  WHERE state = 'completed' AND wf <> '' AND wf::jsonb ->> 'payout_reference' IS NOT NULL
                  GROUP BY 1 HAVING count(*) > 1
                  ORDER BY (wf::jsonb ->> 'payout_reference') COLLATE \"C\"",
                &[],
            )
            .map_err(super::explain)?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}
