//! The queues shown as tabs: each is a filter over the same list.

use crate::domain::workflow::State;
use crate::store::ListFilter;
use chrono::NaiveDate;

/// The queues shown as tabs, in order.
pub const QUEUES: [&str; 11] = [
    "Incoming",
    "Mine",
    "Review",
    "Evaluation",
    "Feedback",
    "Negotiation",
    "Execution",
    "Pending",
    "Overdue",
    "Done",
    "All",
];

/// The same queues in a few letters, for a tab bar that must show all of
/// them with their counts at 100 columns.
pub const SHORT: [&str; 11] = [
    "New", "Mine", "Review", "Eval", "Feedback", "Nego", "Exec", "Pending", "Overdue", "Done",
    "All",
];

pub const MINE: usize = 1;
pub const PENDING: usize = 7;
pub const OVERDUE: usize = 8;
pub const ALL: usize = 10;

const OPEN: [State; 7] = [
    State::Submitted,
    State::InitialReview,
    State::AwaitingInfo,
    State::Evaluation,
    State::Feedback,
    State::Negotiation,
    State::Execution,
];

pub fn queue_filter(i: usize, me: &str, today: NaiveDate) -> ListFilter {
    let states = |s: &[State]| s.iter().map(|s| s.to_string()).collect();
    let mut f = ListFilter::default();
    match i {
        0 => f.states = states(&[State::Submitted]),
        MINE => {
            f.assignee = Some(me.to_string());
            f.states = states(&OPEN);
        }
        2 => f.states = states(&[State::InitialReview, State::AwaitingInfo]),
        3 => f.states = states(&[State::Evaluation]),
        4 => f.states = states(&[State::Feedback]),
        5 => f.states = states(&[State::Negotiation]),
        6 => f.states = states(&[State::Execution]),
        PENDING => f.pending = true,
        OVERDUE => f.overdue_on = Some(today.to_string()),
        9 => f.states = states(&[State::Completed, State::Closed]),
        _ => {}
    }
    f
}

/// The queue a ticket belongs to by its stage: where the console follows a
/// ticket that an action moved out of the queue on screen. A waiting
/// proposal is what matters most about a ticket, so it goes to Pending.
pub fn home_queue(state: State, pending: bool) -> usize {
    if pending {
        return PENDING;
    }
    match state {
        State::Submitted => 0,
        State::InitialReview | State::AwaitingInfo => 2,
        State::Evaluation => 3,
        State::Feedback => 4,
        State::Negotiation => 5,
        State::Execution => 6,
        State::Completed | State::Closed => 9,
    }
}
