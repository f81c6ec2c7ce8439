//! The refund policy: clause kinds (code), parameters and texts (data), and
//! the pure evaluation of SPEC §2.

mod builtin;
pub mod clause;
pub mod config;
pub mod engine;
pub mod verdict;

pub use clause::{Clause, Flag, VerdictKind};
pub use config::{Policy, PolicyError};
pub use engine::{evaluate, PriorRefund};
pub use verdict::Verdict;

use crate::domain::ticket::Ticket;
use std::collections::HashMap;

/// Verdicts of a self-contained set of tickets (an `eval` file), returned in
/// input order. Each ticket sees only the tickets received before it, so the
/// result does not depend on the order of `tickets`.
pub fn evaluate_all(tickets: &[Ticket], policy: &Policy) -> Vec<Verdict> {
    let mut order: Vec<usize> = (0..tickets.len()).collect();
    order.sort_by(|&a, &b| tickets[a].order_key().cmp(&tickets[b].order_key()));
    let mut refunds: HashMap<&str, Vec<PriorRefund>> = HashMap::new();
    let mut out: Vec<Option<Verdict>> = vec![None; tickets.len()];
    for i in order {
        let t = &tickets[i];
        let prior = refunds.entry(t.account_id.as_str()).or_default();
        let v = evaluate(t, policy, prior);
        if v.kind == VerdictKind::FullRefund {
            prior.push(PriorRefund::of(t));
        }
        out[i] = Some(v);
    }
    out.into_iter()
        .map(|v| v.expect("every index visited"))
        .collect()
}
