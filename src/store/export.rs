//! What finance and the auditors read: every executed payout, from the
//! event trail (so a payout that came back and went out again is there once
//! per execution), and the executed payouts the verdict in force does not
//! support. Read only.

use super::verdicts::parse_stored;
use super::Store;
use crate::domain::money::fmt2;
use crate::domain::policy::Verdict;
use crate::domain::workflow::guards::{amount_reasons, ALTERNATE_ROUTE};
use crate::domain::workflow::{Execution, Route};
use chrono::NaiveDate;
use rusqlite::params;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// One execution of one ticket's payout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PayoutRow {
    pub ticket: String,
    /// 1 for a ticket's first execution, 2 after one payout came back, …
    pub execution: u32,
    /// `executed` (waiting for completion), `completed`, or `returned`.
    pub status: &'static str,
    pub account: String,
    pub product: String,
    pub currency: String,
    /// Exact, two decimals.
    pub amount: String,
    pub route: String,
    pub alternate_account: Option<String>,
    pub invoice_action: String,
    pub decided_by: Option<String>,
    pub signed_off_by: Vec<String>,
    pub executed_by: String,
    /// Local date of execution in the policy's timezone (what --from/--to read).
    pub executed_on: NaiveDate,
    pub executed_at: String,
    pub returned_at: Option<String>,
    pub completed_at: Option<String>,
    pub reference: Option<String>,
}

/// An executed payout the verdict in force does not support.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutFinding {
    pub ticket: String,
    pub amount: String,
    pub currency: String,
    /// The four-eyes reasons no sign-off covered.
    pub unsigned: Vec<String>,
}

/// The events a payout's history is read from, ticket by ticket: the
/// schema's partial index `events_payouts` holds exactly these, in this
/// order. (Ordered by seq alone, SQLite scans the whole trail instead.)
const PAYOUT_EVENTS: &str =
    "SELECT e.seq, e.ticket_id, e.action, e.operator, e.at, e.payload, t.account_id, t.product, t.currency
       FROM events e JOIN tickets t ON t.id = e.ticket_id
      WHERE e.action IN ('execute', 'sign_off', 'payout_returned', 'complete')
      ORDER BY e.ticket_id, e.seq";

/// One event a payout's history is read from, with its ticket's columns.
pub(crate) struct PayoutEvent {
    pub seq: i64,
    pub ticket: String,
    pub action: String,
    pub operator: String,
    pub at: String,
    pub payload: String,
    pub account: String,
    pub product: String,
    pub currency: String,
}

/// The last approve, agree, revise or sign-off before an execution (its
/// action, operator and payload), for payouts executed before executions
/// recorded who stood behind them.
pub(crate) type LastDecision = Option<(String, String, String)>;

/// Every executed payout whose local execution date is in `from..=to`, in
/// the order they were executed, from the payout events ticket by ticket
/// (each ticket's in seq order). `last_decision(ticket, seq)` asks the
/// store for an old execution's decision; either engine reads them alike.
pub(crate) fn payout_rows(
    events: impl IntoIterator<Item = anyhow::Result<PayoutEvent>>,
    mut last_decision: impl FnMut(&str, i64) -> anyhow::Result<LastDecision>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> anyhow::Result<Vec<PayoutRow>> {
    let mut rows: Vec<PayoutRow> = Vec::new();
    let mut executed_seq: Vec<i64> = Vec::new();
    // Each ticket's latest execution: (its row, how many so far).
    let mut latest: HashMap<String, (usize, u32)> = HashMap::new();
    for e in events {
        let PayoutEvent {
            seq,
            ticket,
            action,
            operator,
            at,
            payload,
            account,
            product,
            currency,
        } = e?;
        let payload: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
        let executed = match action.as_str() {
            "execute" if payload["pending"] != Value::Bool(true) => Some(payload),
            "sign_off" if payload["proposal"]["action"] == "execute" => {
                Some(payload["result"].clone())
            }
            "payout_returned" | "complete" => {
                if let Some(row) = latest.get(&ticket).map(|&(i, _)| &mut rows[i]) {
                    if action == "complete" {
                        row.status = "completed";
                        row.completed_at = Some(at.clone());
                        row.reference = payload["reference"].as_str().map(String::from);
                    } else {
                        row.status = "returned";
                        row.returned_at = Some(at.clone());
                    }
                }
                None
            }
            _ => None,
        };
        let Some(exec) = executed else { continue };
        let exec: Execution = serde_json::from_value(exec)?;
        let (decided_by, signed_off_by) = match &exec.decided_by {
            Some(by) => (Some(by.clone()), exec.signed_off_by.clone()),
            None => who_decided(last_decision(&ticket, seq)?, &action, &operator),
        };
        let n = latest.get(&ticket).map_or(1, |&(_, n)| n + 1);
        latest.insert(ticket.clone(), (rows.len(), n));
        executed_seq.push(seq);
        rows.push(PayoutRow {
            execution: n,
            status: "executed",
            account,
            product,
            currency,
            amount: fmt2(exec.amount),
            route: exec.route.as_str().into(),
            alternate_account: exec.account.filter(|_| exec.route == Route::Alternate),
            invoice_action: exec.invoice_action.as_str().into(),
            decided_by,
            signed_off_by,
            executed_by: exec.executed_by.unwrap_or(operator),
            executed_on: exec.executed_on,
            executed_at: at,
            returned_at: None,
            completed_at: None,
            reference: None,
            ticket,
        });
    }
    let mut rows: Vec<(i64, PayoutRow)> = executed_seq.into_iter().zip(rows).collect();
    rows.retain(|(_, p)| {
        from.is_none_or(|d| p.executed_on >= d) && to.is_none_or(|d| p.executed_on <= d)
    });
    rows.sort_by_key(|(seq, _)| *seq);
    Ok(rows.into_iter().map(|(_, p)| p).collect())
}

/// Who stood behind an old execution: the last decision's operator, or
/// for a sign-off its proposer, with the signers.
fn who_decided(last: LastDecision, action: &str, operator: &str) -> (Option<String>, Vec<String>) {
    let mut signers = Vec::new();
    let decided = last.map(|(a, by, payload)| {
        if a != "sign_off" {
            return by;
        }
        signers.push(by);
        let p: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
        p["proposer"].as_str().unwrap_or_default().to_string()
    });
    if action == "sign_off" && !signers.iter().any(|s| s == operator) {
        signers.push(operator.to_string());
    }
    (decided, signers)
}

/// An executed payout (still out or completed) whose amount or route needs
/// a sign-off under the verdict and policy in force that none covered:
/// above the verdict after it changed, or never signed off at all.
pub(crate) fn finding(
    id: String,
    raw: &str,
    verdict: &str,
    wf: &str,
    policy: &crate::domain::policy::Policy,
) -> anyhow::Result<Option<PayoutFinding>> {
    let ticket = parse_stored(&id, raw)?;
    let case = super::rows::load_case(wf, &ticket, policy)?;
    let Some(exec) = case.execution else {
        return Ok(None);
    };
    let verdict: Verdict = serde_json::from_str(verdict)?;
    let mut needed = amount_reasons(exec.amount, &ticket, &verdict, policy)
        .unwrap_or_else(|refusal| vec![refusal.0]);
    if exec.route == Route::Alternate {
        needed.push(ALTERNATE_ROUTE.to_string());
    }
    let unsigned: Vec<String> = needed
        .into_iter()
        .filter(|r| exec.signed_off_by.is_empty() || !exec.signed_reasons.contains(r))
        .collect();
    Ok((!unsigned.is_empty()).then(|| PayoutFinding {
        ticket: id,
        amount: fmt2(exec.amount),
        currency: ticket.payment.currency.clone(),
        unsigned,
    }))
}

impl Store {
    /// Every executed payout whose local execution date is in `from..=to`,
    /// in the order they were executed.
    pub fn payouts(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> anyhow::Result<Vec<PayoutRow>> {
        let mut stmt = self.conn().prepare(PAYOUT_EVENTS)?;
        let events = stmt.query_map([], |r| {
            Ok(PayoutEvent {
                seq: r.get(0)?,
                ticket: r.get(1)?,
                action: r.get(2)?,
                operator: r.get(3)?,
                at: r.get(4)?,
                payload: r.get(5)?,
                account: r.get(6)?,
                product: r.get(7)?,
                currency: r.get(8)?,
            })
        })?;
        payout_rows(
            events.map(|e| e.map_err(anyhow::Error::from)),
            |ticket, seq| self.last_decision(ticket, seq),
            from,
            to,
        )
    }

    fn last_decision(&self, ticket: &str, seq: i64) -> anyhow::Result<LastDecision> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT action, operator, payload FROM events WHERE ticket_id = ?1 AND seq < ?2
                   AND action IN ('approve', 'agree', 'revise', 'sign_off')
                   AND coalesce(payload ->> '$.pending', 0) = 0
                   AND coalesce(payload ->> '$.proposal.action', '') <> 'execute'
                 ORDER BY seq DESC LIMIT 1",
            )?
            .query_row(params![ticket, seq], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .ok())
    }

    /// Executed payouts (still out or completed) whose amount or route needs
    /// a sign-off under the verdict and policy in force that none covered.
    pub fn payout_findings(&self) -> anyhow::Result<Vec<PayoutFinding>> {
        let mut found = Vec::new();
        let mut stmt = self.conn().prepare(
            "SELECT id, raw, verdict, wf FROM tickets
              WHERE state IN ('execution', 'completed') AND wf <> '' ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (id, raw, verdict, wf): (String, String, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            found.extend(finding(id, &raw, &verdict, &wf, &self.policy)?);
        }
        Ok(found)
    }

    /// Payout references held by more than one ticket (possible only in a
    /// desk completed before references were unique): (reference, tickets).
    pub fn duplicate_references(&self) -> anyhow::Result<Vec<(String, Vec<String>)>> {
        let mut stmt = self.conn().prepare(
            "SELECT wf ->> '$.payout_reference' AS ref, json_group_array(id) FROM tickets
              WHERE state = 'completed' AND wf <> '' AND ref IS NOT NULL
              GROUP BY ref HAVING count(*) > 1 ORDER BY ref",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(reference, ids)| Ok((reference, serde_json::from_str(&ids)?)))
            .collect()
    }
}
