//! The workflow's tables written into a new desk (`moves`, `move_fields`,
//! the fresh case; moves.sql), from the program's own: the server's checks
//! then read exactly what `apply` does (domain::workflow::moves). Beside
//! the workflow's actions, the moves the store itself records.

use super::explain;
use crate::domain::workflow::{ActionKind, Case, State};

/// Moves the store records itself: the action, the states it is recorded
/// in (from = to), and the case fields it may change.
const SYSTEM: &[(&str, &[State], &[&str])] = &[
    // Facts and verdicts move a first stage's clock (rows::move_received_clock).
    ("update", State::ALL, &["stage_start"]),
    ("reverdict", State::ALL, &["stage_start"]),
    ("letter_sent", State::ALL, &[]),
    (
        "decision_voided",
        &[
            State::InitialReview,
            State::AwaitingInfo,
            State::Evaluation,
            State::Feedback,
            State::Negotiation,
            State::Execution,
        ],
        &[
            "pending",
            "state",
            "stage_start",
            "paused_bd",
            "resume_to",
            "paused_on",
            "decision",
            "agreed",
            "approval",
            "ledger",
        ],
    ),
];

/// Every (action, from, to) the server allows.
pub(crate) fn moves() -> Vec<(String, State, State)> {
    let mut all = Vec::new();
    for k in ActionKind::ALL {
        for from in k.from_states() {
            for to in k.leads_to(from) {
                all.push((k.name().to_string(), from, to));
            }
        }
    }
    for (action, states, _) in SYSTEM {
        for &s in *states {
            all.push((action.to_string(), s, s));
            // Money that no longer stands sends the ticket back to a decision.
            if *action == "decision_voided" && s != State::Evaluation {
                all.push((action.to_string(), s, State::Evaluation));
            }
        }
    }
    all
}

/// Every (action, case field) the server allows to change.
pub(crate) fn fields() -> Vec<(String, String)> {
    let mut all = Vec::new();
    for k in ActionKind::ALL {
        for f in k.case_fields() {
            all.push((k.name().to_string(), f.to_string()));
        }
    }
    for (action, _, fields) in SYSTEM {
        for f in *fields {
            all.push((action.to_string(), f.to_string()));
        }
    }
    all
}

/// Writes the tables into the desk being made (as its owner, inside init's
/// transaction).
pub(crate) fn install(tx: &mut postgres::Transaction) -> anyhow::Result<()> {
    let moves: Vec<serde_json::Value> = moves()
        .into_iter()
        .map(|(a, f, t)| serde_json::json!([a, f.as_str(), t.as_str()]))
        .collect();
    tx.execute(
        "INSERT INTO refund_desk.moves (action, from_state, to_state)
         SELECT m ->> 0, m ->> 1, m ->> 2 FROM jsonb_array_elements($1::text::jsonb) m
         ON CONFLICT DO NOTHING",
        &[&serde_json::Value::from(moves).to_string()],
    )
    .map_err(explain)?;
    let fields: Vec<serde_json::Value> = fields()
        .into_iter()
        .map(|(a, f)| serde_json::json!([a, f]))
        .collect();
    tx.execute(
        "INSERT INTO refund_desk.move_fields (action, field)
         SELECT m ->> 0, m ->> 1 FROM jsonb_array_elements($1::text::jsonb) m
         ON CONFLICT DO NOTHING",
        &[&serde_json::Value::from(fields).to_string()],
    )
    .map_err(explain)?;
    let fresh = serde_json::to_string(&Case::new(chrono::NaiveDate::default()))?;
    tx.execute(
        "INSERT INTO refund_desk.meta (key, value) VALUES ('fresh_case', $1)",
        &[&fresh],
    )
    .map_err(explain)?;
    Ok(())
}
