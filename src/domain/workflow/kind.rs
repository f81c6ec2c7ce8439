//! The kinds of workflow action (SPEC §3), one typed list for the domain,
//! the command line and the console: which states each starts from, what
//! it says to a person, and which parameters it takes.

use super::{Action, ActionKind, Case, Decision, State};
use strum::VariantArray;

/// A parameter an action can take. The command line's options and the
/// console's form fields are these; an action is given only its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, strum::VariantArray)]
pub enum Param {
    Amount,
    Clause,
    Note,
    Party,
    Route,
    Account,
    Reference,
    To,
    Set,
}

impl ActionKind {
    /// Every kind, in workflow order (the order of [`Action`]'s variants).
    pub const ALL: [ActionKind; ActionKind::VARIANTS.len()] = {
        let mut all = [ActionKind::Take; ActionKind::VARIANTS.len()];
        let mut i = 0;
        while i < all.len() {
            all[i] = ActionKind::VARIANTS[i];
            i += 1;
        }
        all
    };

    /// The name on the command line, in events and in the keymap.
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn parse(name: &str) -> Option<ActionKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// What the action does, in a few words (menus, `act --help`).
    pub fn describe(self) -> &'static str {
        use ActionKind::*;
        match self {
            Take => "take the ticket (assign to me)",
            Assign => "hand to someone on the desk",
            Note => "internal note, never sent",
            RequestInfo => "ask the customer for missing information",
            InfoReceived => "information arrived: resume",
            Evaluate => "move to evaluation",
            Approve => "decide: approve an amount",
            Reject => "decide: reject with clause(s)",
            Appeal => "customer appeals (counter-request)",
            Offer => "record an offer or counter-offer",
            Agree => "agree on an amount",
            Accept => "customer accepts the approval",
            Revise => "revise the decision",
            Execute => "execute the payout",
            PayoutReturned => "the payout came back: execute it again",
            Complete => "complete with the payout reference",
            Close => "close with the final outcome",
            Withdraw => "customer withdrew",
            SignOff => "supervisor signs off the proposal",
            Decline => "supervisor declines the proposal",
        }
    }

    /// The parameters this action takes; any other is refused.
    pub fn params(self) -> &'static [Param] {
        use ActionKind::*;
        use Param as P;
        match self {
            Take | Evaluate | Accept => &[],
            Assign => &[P::To, P::Note],
            Note | RequestInfo | PayoutReturned | Close | Withdraw | SignOff | Decline => {
                &[P::Note]
            }
            InfoReceived => &[P::Note, P::Set],
            Approve | Appeal | Agree => &[P::Amount, P::Note],
            Reject => &[P::Clause, P::Note],
            Offer => &[P::Amount, P::Party, P::Note],
            Revise => &[P::Amount, P::Clause, P::Note],
            Execute => &[P::Route, P::Account],
            Complete => &[P::Reference],
        }
    }

    /// The action of a kind that takes no parameters; `None` for the others,
    /// which need their values (a form, options).
    pub fn without_params(self) -> Option<Action> {
        use ActionKind::*;
        match self {
            Take => Some(Action::Take),
            Evaluate => Some(Action::Evaluate),
            Accept => Some(Action::Accept),
            Assign | Note | RequestInfo | InfoReceived | Approve | Reject | Appeal | Offer
            | Agree | Revise | Execute | PayoutReturned | Complete | Close | Withdraw | SignOff
            | Decline => None,
        }
    }

    /// Whether the action can start from the case as it is (the SPEC §3
    /// table), for menus and before any guard.
    pub fn valid_from(self, case: &Case) -> bool {
        use State::*;
        let s = case.state;
        let pending = case.pending.is_some();
        let decided = |approve: bool| match &case.decision {
            Some(Decision::Approve { .. }) => approve,
            Some(Decision::Reject { .. }) => !approve,
            None => false,
        };
        match self {
            ActionKind::Take => s == Submitted,
            // Who works on it and what the team knows move at any time; a
            // hand-off of a finished ticket has no one to work for.
            ActionKind::Assign => !s.is_terminal(),
            ActionKind::Note => true,
            ActionKind::RequestInfo | ActionKind::Approve | ActionKind::Reject => {
                !pending && matches!(s, InitialReview | Evaluation)
            }
            ActionKind::Evaluate => !pending && s == InitialReview,
            ActionKind::InfoReceived => s == AwaitingInfo,
            ActionKind::Appeal => s == Feedback,
            ActionKind::Accept => s == Feedback && decided(true),
            ActionKind::Close => {
                !pending && (s == Negotiation || (s == Feedback && decided(false)))
            }
            ActionKind::Offer | ActionKind::Revise | ActionKind::Agree => {
                !pending && s == Negotiation
            }
            ActionKind::Execute => !pending && s == Execution && case.execution.is_none(),
            ActionKind::PayoutReturned => !pending && s == Execution && case.execution.is_some(),
            ActionKind::Complete => s == Execution && case.execution.is_some(),
            // Once the money left, the ticket is completed or the payout
            // comes back (payout_returned); nobody closes it over the payout.
            ActionKind::Withdraw => !s.is_terminal() && case.execution.is_none(),
            ActionKind::SignOff | ActionKind::Decline => pending,
        }
    }
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_named_as_the_serialized_actions_and_parse_back() {
        let samples = [
            Action::Take,
            Action::Note { note: "n".into() },
            Action::InfoReceived {
                note: None,
                set: Vec::new(),
            },
            Action::PayoutReturned { note: "n".into() },
            Action::SignOff { note: None },
        ];
        for a in samples {
            let tag = serde_json::to_value(&a).unwrap()["action"].clone();
            assert_eq!(tag, a.name(), "{a:?}");
        }
        for k in ActionKind::ALL {
            assert_eq!(ActionKind::parse(k.name()), Some(k));
            assert!(!k.describe().is_empty());
            assert_eq!(k.without_params().is_some(), k.params().is_empty(), "{k}");
        }
        assert_eq!(ActionKind::ALL.len(), 20);
        assert_eq!(ActionKind::parse("accept_all"), None);
    }
}
