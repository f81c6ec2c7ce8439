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
        1 => {
            f.assignee = Some(me.to_string());
            f.states = states(&OPEN);
        }
        2 => f.states = states(&[State::InitialReview, State::AwaitingInfo]),
        3 => f.states = states(&[State::Evaluation]),
        4 => f.states = states(&[State::Feedback]),
        5 => f.states = states(&[State::Negotiation]),
        6 => f.states = states(&[State::Execution]),
        7 => f.pending = true,
        8 => f.overdue_on = Some(today.to_string()),
        9 => f.states = states(&[State::Completed, State::Closed]),
        _ => {}
    }
    f
}
