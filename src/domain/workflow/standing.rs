//! "A decision stands on its verdict" (SPEC §3): when a ticket's verdict (or
//! the facts its limit is read from) changes before the payout is executed,
//! every amount still standing is judged again as if proposed anew.

use super::guards::{amount_reasons, covered, limit};
use super::{Case, Decision, Party, State};
use crate::domain::money::fmt2;
use crate::domain::policy::{Policy, Verdict};
use crate::domain::ticket::Ticket;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

/// What changed under the standing amounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The stored verdict itself changed: a second supervisor's sign-off was
    /// given on the old one and covers nothing under the new.
    Verdict,
    /// Only the ticket's facts changed (the verdict reads the same): a
    /// sign-off still covers the reasons it was given for, word for word.
    Facts,
}

/// The case after voiding, and what the `decision_voided` event says.
#[derive(Clone, Debug, PartialEq)]
pub struct Voided {
    pub case: Case,
    pub note: String,
    /// What was voided (decision, agreed, desk_offer, proposal) and why.
    pub payload: Value,
}

/// `None` when everything standing still stands (or the money already moved:
/// after `execute` a verdict change is recorded, never applied to money).
pub fn review(
    case: &Case,
    ticket: &Ticket,
    (old, verdict): (&Verdict, &Verdict),
    policy: &Policy,
    change: Change,
    today: NaiveDate,
) -> Option<Voided> {
    if case.state.is_terminal() || case.execution.is_some() {
        return None;
    }
    // An amount decided in one currency means nothing in another.
    let currency = (old.currency != verdict.currency).then(|| {
        format!(
            "the currency changed from {} to {}",
            old.currency, verdict.currency
        )
    });
    let mut voided = Map::new();
    let mut why: Vec<String> = Vec::new();
    let mut judge = |what: &str, amount: Decimal, voided: &mut Map<String, Value>| {
        let mut reasons: Vec<String> = match amount_reasons(amount, ticket, verdict, policy) {
            Err(refusal) => vec![refusal.0],
            Ok(r) => r
                .into_iter()
                .filter(|r| {
                    change == Change::Verdict || !covered(case.approval.as_ref(), amount, r)
                })
                .collect(),
        };
        reasons.extend(currency.clone());
        if !reasons.is_empty() {
            why.push(format!("{what} {} ({})", fmt2(amount), reasons.join("; ")));
            voided.insert(
                what.into(),
                json!({"amount": fmt2(amount), "reasons": reasons}),
            );
        }
    };
    if matches!(case.state, State::Feedback | State::Negotiation) {
        if let Some(Decision::Approve { amount }) = case.decision {
            judge("decision", amount, &mut voided);
        }
    }
    if case.state == State::Execution {
        if let Some(amount) = case.agreed {
            judge("agreed", amount, &mut voided);
        }
    }
    if case.state == State::Negotiation {
        // The desk's latest offer is its standing position; an offer above
        // the limit is refused outright, never proposed.
        let offer = case.ledger.iter().rev().find(|o| o.party == Party::Desk);
        if let Some(amount) = offer.and_then(|o| o.amount) {
            let limit = limit(ticket, verdict);
            let mut reasons: Vec<String> = Vec::new();
            if amount > limit {
                reasons.push(format!("above the verdict's limit {}", fmt2(limit)));
            }
            reasons.extend(currency.clone());
            if !reasons.is_empty() {
                why.push(format!(
                    "desk offer {} ({})",
                    fmt2(amount),
                    reasons.join("; ")
                ));
                voided.insert(
                    "desk_offer".into(),
                    json!({"amount": fmt2(amount), "reasons": reasons}),
                );
            }
        }
    }
    let money_voided = !voided.is_empty();
    if let Some(p) = &case.pending {
        why.push(format!(
            "the proposal to {} by {}",
            p.action.name(),
            p.proposer
        ));
        voided.insert(
            "proposal".into(),
            json!({"action": p.action, "proposer": p.proposer, "reasons": p.reasons}),
        );
    }
    if voided.is_empty() {
        return None;
    }
    let mut next = case.clone();
    next.pending = None;
    if money_voided {
        // Back to a fresh decision under the verdict in force.
        next.state = State::Evaluation;
        next.stage_start = today;
        next.paused_bd = 0;
        next.resume_to = None;
        next.paused_on = None;
        next.decision = None;
        next.agreed = None;
        next.approval = None;
        voided.insert("ledger".into(), json!(case.ledger));
        next.ledger.clear();
    }
    Some(Voided {
        case: next,
        note: format!(
            "{} no longer stands on the verdict in force: {}",
            if money_voided {
                "the decision"
            } else {
                "the proposal"
            },
            why.join("; ")
        ),
        payload: Value::Object(voided),
    })
}
