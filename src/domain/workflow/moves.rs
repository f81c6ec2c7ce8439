//! The workflow's moves as data: from which states each action can start,
//! where it can leave the ticket, and which fields of the case it may
//! change. A PostgreSQL desk writes these into its own tables at `init` so
//! the server refuses, on its own, a write the workflow could never make
//! (SPEC §5: `psql` is no road around the workflow). `apply` checks every
//! transition it makes against them in debug builds, so the tables cannot
//! drift from the code that decides.

use super::{Action, ActionKind, Case, Decision, Execution, InvoiceAction, Proposal, Route, State};
use chrono::NaiveDate;

impl ActionKind {
    /// The states the action can start from, whatever else the case holds:
    /// `valid_from` asked of every shape a case in that state can take.
    pub fn from_states(self) -> Vec<State> {
        State::ALL
            .iter()
            .copied()
            .filter(|&s| shapes(s).iter().any(|c| self.valid_from(c)))
            .collect()
    }

    /// Whether the action can become a proposal waiting for a second
    /// supervisor (four-eyes): the ticket then stays where it is.
    pub fn proposable(self) -> bool {
        matches!(
            self,
            ActionKind::Approve | ActionKind::Agree | ActionKind::Revise | ActionKind::Execute
        )
    }

    /// The states the action can leave a ticket in that was in `from`.
    pub fn leads_to(self, from: State) -> Vec<State> {
        use ActionKind as K;
        use State::*;
        let mut to = match self {
            K::Take => vec![InitialReview],
            K::Assign | K::Note | K::Offer | K::Execute | K::PayoutReturned | K::Decline => {
                vec![from]
            }
            K::RequestInfo => vec![AwaitingInfo],
            // Back to wherever the information was asked for.
            K::InfoReceived => K::RequestInfo.from_states(),
            K::Evaluate => vec![Evaluation],
            K::Approve | K::Reject | K::Revise => vec![Feedback],
            K::Appeal => vec![Negotiation],
            K::Agree | K::Accept => vec![Execution],
            K::Complete => vec![Completed],
            K::Close | K::Withdraw => vec![Closed],
            // Signing a proposal makes its step.
            K::SignOff => ActionKind::ALL
                .into_iter()
                .filter(|k| k.proposable() && k.from_states().contains(&from))
                .flat_map(|k| k.leads_to(from))
                .collect(),
        };
        if self.proposable() {
            to.push(from);
        }
        let mut seen = Vec::new();
        to.retain(|s| {
            let first = !seen.contains(s);
            seen.push(*s);
            first
        });
        to
    }

    /// The fields of the case (as serialized) the action may change. A
    /// sign-off changes what its proposal's action may, and `pending`.
    pub fn case_fields(self) -> &'static [&'static str] {
        use ActionKind as K;
        // Every step clears a proposal that was waiting (`pending`).
        const ENTER: [&str; 4] = ["state", "stage_start", "paused_bd", "pending"];
        match self {
            K::Take => &["state", "assignee", "pending"],
            K::Assign => &["assignee"],
            K::Note => &[],
            K::RequestInfo => &["state", "resume_to", "paused_on", "pending"],
            K::InfoReceived => &["state", "paused_bd", "resume_to", "paused_on", "pending"],
            K::Evaluate => &ENTER,
            K::Approve | K::Reject | K::Revise => &[
                "decision",
                "approval",
                "state",
                "stage_start",
                "paused_bd",
                "pending",
            ],
            K::Appeal => &["ledger", "state", "pending"],
            K::Offer => &["ledger", "pending"],
            K::Agree => &[
                "agreed",
                "approval",
                "state",
                "stage_start",
                "paused_bd",
                "pending",
            ],
            K::Accept => &["agreed", "state", "stage_start", "paused_bd", "pending"],
            K::Execute => &["execution", "pending"],
            K::PayoutReturned => &["execution", "returned", "pending"],
            K::Complete => &["payout_reference", "state", "pending"],
            K::Close | K::Withdraw => &["outcome", "state", "pending"],
            K::SignOff | K::Decline => &["pending"],
        }
    }
}

/// Every shape a case in state `s` can take, as far as `valid_from` looks:
/// with or without a proposal, a decision either way, an execution.
fn shapes(s: State) -> Vec<Case> {
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
    let proposal = Proposal {
        action: Action::Take,
        proposer: String::new(),
        at: String::new(),
        reasons: Vec::new(),
    };
    let execution = Execution {
        route: Route::Original,
        account: None,
        invoice_action: InvoiceAction::NoInvoice,
        amount: Default::default(),
        frozen_to_unfreeze: Default::default(),
        executed_on: day,
        expected_from: day,
        expected_by: day,
        decided_by: None,
        signed_off_by: Vec::new(),
        signed_reasons: Vec::new(),
        executed_by: None,
        executed_at: None,
    };
    let decisions = [
        None,
        Some(Decision::Approve {
            amount: Default::default(),
        }),
        Some(Decision::Reject {
            clauses: Vec::new(),
        }),
    ];
    let mut all = Vec::new();
    for pending in [None, Some(proposal)] {
        for decision in &decisions {
            for exec in [None, Some(execution.clone())] {
                let mut c = Case::new(day);
                c.state = s;
                c.pending = pending.clone();
                c.decision = decision.clone();
                c.execution = exec;
                all.push(c);
            }
        }
    }
    all
}

/// Whether a transition `apply` made is one the tables above allow: the
/// action (a sign-off under its proposal's) from that state to that state,
/// changing only its own fields.
pub(super) fn declared(before: &Case, action: &str, from: State, to: State, after: &Case) -> bool {
    let Some(kind) = ActionKind::parse(action) else {
        return false;
    };
    let mut fields: Vec<&str> = kind.case_fields().to_vec();
    if kind == ActionKind::SignOff {
        if let Some(p) = &before.pending {
            fields.extend(p.action.kind().case_fields());
        }
    }
    kind.from_states().contains(&from)
        && kind.leads_to(from).contains(&to)
        && changed_fields(before, after)
            .iter()
            .all(|f| fields.contains(&f.as_str()))
}

/// The serialized fields that differ between two cases.
pub fn changed_fields(before: &Case, after: &Case) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return vec!["?".into()];
    };
    b.iter()
        .filter(|(k, v)| a.get(*k) != Some(v))
        .map(|(k, _)| k.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_read_as_the_spec_table() {
        use State::*;
        assert_eq!(ActionKind::Take.from_states(), vec![Submitted]);
        assert_eq!(
            ActionKind::Approve.from_states(),
            vec![InitialReview, Evaluation]
        );
        assert_eq!(
            ActionKind::Approve.leads_to(Evaluation),
            vec![Feedback, Evaluation]
        );
        assert_eq!(ActionKind::Reject.leads_to(Evaluation), vec![Feedback]);
        assert_eq!(ActionKind::Execute.from_states(), vec![Execution]);
        assert_eq!(ActionKind::Close.from_states(), vec![Feedback, Negotiation]);
        assert!(!ActionKind::Withdraw.from_states().contains(&Completed));
        assert_eq!(
            ActionKind::InfoReceived.leads_to(AwaitingInfo),
            vec![InitialReview, Evaluation]
        );
        assert_eq!(
            ActionKind::SignOff.leads_to(Negotiation),
            vec![Execution, Negotiation, Feedback]
        );
        assert_eq!(ActionKind::Note.from_states().len(), State::ALL.len());
    }
}
