//! The refund workflow (SPEC §3): states, the case record a ticket carries
//! through them, actions, and `apply` with its guards.

mod apply;
pub mod guards;
pub mod history;
mod kind;
pub mod moves;
mod preview;
pub mod standing;
mod team;
#[cfg(test)]
mod tests;

pub use apply::{apply, Context, Refusal, Transition};
pub use kind::Param;
pub use preview::{preview, Preview};

use crate::domain::calendar::{stage_due, Calendar, Due, Stage};
use crate::domain::ticket::string_enum;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

string_enum!(State {
    Submitted = "submitted",
    InitialReview = "initial_review",
    AwaitingInfo = "awaiting_info",
    Evaluation = "evaluation",
    Feedback = "feedback",
    Negotiation = "negotiation",
    Execution = "execution",
    Completed = "completed",
    Closed = "closed",
});

impl State {
    pub fn is_terminal(self) -> bool {
        matches!(self, State::Completed | State::Closed)
    }

    /// The service-level stage whose clock runs in this state.
    pub fn stage(self) -> Option<Stage> {
        match self {
            State::Submitted | State::InitialReview => Some(Stage::InitialReview),
            State::Evaluation => Some(Stage::Evaluation),
            State::Feedback => Some(Stage::Feedback),
            State::Execution => Some(Stage::Execution),
            _ => None,
        }
    }
}

string_enum!(Role { Agent = "agent", Supervisor = "supervisor" });
string_enum!(Party { Desk = "desk", Customer = "customer" });
string_enum!(Route { Original = "original", Alternate = "alternate" });
string_enum!(InvoiceAction { VoidAndReissue = "void_and_reissue", RedLetter = "red_letter", NoInvoice = "none" });

/// Who is acting: the OS user and the role the desk gave them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Approve { amount: Decimal },
    Reject { clauses: Vec<String> },
}

/// One line of the negotiation ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub party: Party,
    pub amount: Option<Decimal>,
    pub note: Option<String>,
    pub at: String,
    pub by: String,
    /// "appeal" for the customer's counter-request, else "offer".
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Execution {
    pub route: Route,
    pub account: Option<String>,
    pub invoice_action: InvoiceAction,
    pub amount: Decimal,
    pub frozen_to_unfreeze: Decimal,
    pub executed_on: NaiveDate,
    pub expected_from: NaiveDate,
    pub expected_by: NaiveDate,
    /// Who put the amount in place (the proposer, when it was signed off).
    #[serde(default)]
    pub decided_by: Option<String>,
    /// Every second supervisor behind this payout: of the amount, of the route.
    #[serde(default)]
    pub signed_off_by: Vec<String>,
    /// The four-eyes reasons those sign-offs were given for, word for word.
    #[serde(default)]
    pub signed_reasons: Vec<String>,
    #[serde(default)]
    pub executed_by: Option<String>,
    /// RFC 3339, the moment the payout was executed.
    #[serde(default)]
    pub executed_at: Option<String>,
}

/// Who stands behind the amount now decided or agreed: the operator who
/// proposed it and, where four-eyes applied, the supervisor who signed off
/// and the reasons they signed off for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub amount: Decimal,
    pub by: String,
    #[serde(default)]
    pub signed_off_by: Option<String>,
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// A payout that came back (account closed, refused by the bank).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedPayout {
    pub execution: Execution,
    pub at: String,
    pub by: String,
    pub note: String,
}

/// A step that needs a second person, waiting for a supervisor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub action: Action,
    pub proposer: String,
    pub at: String,
    pub reasons: Vec<String>,
}

/// The workflow record of one ticket, stored beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub state: State,
    pub assignee: Option<String>,
    /// Where `info_received` returns to.
    #[serde(default)]
    pub resume_to: Option<State>,
    #[serde(default)]
    pub paused_on: Option<NaiveDate>,
    /// Business days the current stage spent in awaiting_info.
    #[serde(default)]
    pub paused_bd: u32,
    /// Local date the current stage's clock started.
    pub stage_start: NaiveDate,
    #[serde(default)]
    pub decision: Option<Decision>,
    #[serde(default)]
    pub ledger: Vec<Offer>,
    #[serde(default)]
    pub agreed: Option<Decimal>,
    #[serde(default)]
    pub execution: Option<Execution>,
    #[serde(default)]
    pub payout_reference: Option<String>,
    #[serde(default)]
    pub pending: Option<Proposal>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub approval: Option<Approval>,
    /// Earlier executions of this ticket's payout that came back, oldest first.
    #[serde(default)]
    pub returned: Vec<ReturnedPayout>,
}

impl Case {
    /// A freshly imported ticket: its clock starts on the local date it was received.
    pub fn new(received_local: NaiveDate) -> Case {
        Case {
            state: State::Submitted,
            assignee: None,
            resume_to: None,
            paused_on: None,
            paused_bd: 0,
            stage_start: received_local,
            decision: None,
            ledger: Vec::new(),
            agreed: None,
            execution: None,
            payout_reference: None,
            pending: None,
            outcome: None,
            approval: None,
            returned: Vec::new(),
        }
    }

    /// Due dates of the current stage; none in states without a clock.
    pub fn due(&self, cal: &Calendar) -> Option<Due> {
        let stage = self.state.stage()?;
        Some(stage_due(cal, stage, self.stage_start, self.paused_bd))
    }
}

/// A workflow action with its parameters (SPEC §3 and §4 `act`). Its kind
/// (`ActionKind`, derived from these variants so the two never drift) is
/// what the CLI, the console and the guards name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[serde(tag = "action", rename_all = "snake_case")]
#[strum_discriminants(
    name(ActionKind),
    derive(Hash, PartialOrd, Ord, strum::VariantArray, strum::IntoStaticStr),
    strum(serialize_all = "snake_case")
)]
pub enum Action {
    Take,
    RequestInfo {
        note: String,
    },
    /// The information asked for arrived; `set` carries the facts received.
    InfoReceived {
        note: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        set: Vec<SetFact>,
    },
    Evaluate,
    Approve {
        amount: Option<Decimal>,
        note: Option<String>,
    },
    Reject {
        clauses: Vec<String>,
        note: Option<String>,
    },
    Appeal {
        amount: Option<Decimal>,
        note: Option<String>,
    },
    Offer {
        amount: Decimal,
        party: Party,
        note: Option<String>,
    },
    Agree {
        amount: Option<Decimal>,
        note: Option<String>,
    },
    Accept,
    Revise {
        decision: Decision,
        note: Option<String>,
    },
    Execute {
        route: Route,
        account: Option<String>,
    },
    /// The executed payout came back: cleared, to be executed again.
    PayoutReturned {
        note: String,
    },
    Complete {
        reference: String,
    },
    Close {
        note: Option<String>,
    },
    Withdraw {
        note: Option<String>,
    },
    /// A supervisor approves a pending proposal (four-eyes).
    SignOff {
        note: Option<String>,
    },
    /// A supervisor declines a pending proposal.
    Decline {
        note: Option<String>,
    },
    /// Hands the ticket to another person on the desk; the state stays.
    Assign {
        to: String,
        note: Option<String>,
    },
    /// An internal note for the team, never shown to the customer.
    Note {
        note: String,
    },
}

/// One fact received with `info_received --set FIELD=VALUE`: a dotted SPEC §1
/// field name and the value as text, read by the import's rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetFact {
    pub field: String,
    pub value: String,
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        ActionKind::from(self)
    }

    /// The name used on the command line and in events.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}
