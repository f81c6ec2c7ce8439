//! What an action would do, without doing it: `apply` run on the loaded case
//! and read back, so a confirmation states the same outcome the store would
//! commit (the guards and four-eyes reasons are never worked out twice).

use super::{apply, Action, Actor, Case, Context, Refusal, Role, State};
use rust_decimal::Decimal;

/// The outcome `apply` gives an action now.
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    /// The state the ticket is in right after the action (unchanged for a proposal).
    pub to: State,
    /// Why it becomes a proposal for a second supervisor; empty when it goes through.
    pub proposal: Vec<String>,
    /// The verdict's limit the amount is judged against.
    pub limit: Decimal,
    /// The case once the action has taken effect: at once, or for a proposal
    /// after a second supervisor signs it off. `None` when that sign-off
    /// would itself be refused.
    pub done: Option<Case>,
}

/// Runs `apply` without committing. A refusal is the one the store would give.
pub fn preview(case: &Case, action: &Action, cx: &Context) -> Result<Preview, Refusal> {
    let t = apply(case, action, cx)?;
    let limit = cx.limit();
    let Some(p) = t.case.pending.as_ref() else {
        return Ok(Preview {
            to: t.to,
            proposal: Vec::new(),
            limit,
            done: Some(t.case),
        });
    };
    // What the proposal does once signed off: ask the domain, as a supervisor
    // who is not the proposer, rather than guessing its effect here.
    let second = Actor {
        name: format!("{} (second supervisor)", cx.actor.name),
        role: Role::Supervisor,
    };
    let cx2 = Context {
        actor: &second,
        ..*cx
    };
    let done = apply(&t.case, &Action::SignOff { note: None }, &cx2)
        .ok()
        .map(|s| s.case);
    Ok(Preview {
        to: t.to,
        proposal: p.reasons.clone(),
        limit,
        done,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::Calendar;
    use crate::domain::policy::{evaluate, Policy};
    use crate::domain::ticket::Ticket;
    use crate::domain::workflow::Decision;
    use serde_json::json;

    fn check(amount: &str, role: Role) -> (Case, Result<Preview, Refusal>) {
        let ticket = Ticket::from_json(&json!({
            "id": "LC-1", "received_at": "2026-11-03T10:00:00+08:00", "product": "lcic",
            "account": {"id": "A1"}, "reason": "unused",
            "package": {"billing": "monthly", "purchased_at": "2026-11-02T10:00:00+08:00"},
            "payment": {"currency": "USD", "cash": "90.00"}
        }))
        .unwrap();
        let policy = Policy::builtin();
        let verdict = evaluate(&ticket, &policy, &[]);
        let calendar = Calendar::plain();
        let actor = Actor {
            name: "ann".into(),
            role,
        };
        let cx = Context {
            ticket: &ticket,
            verdict: &verdict,
            policy: &policy,
            calendar: &calendar,
            actor: &actor,
            now: chrono::DateTime::parse_from_rfc3339("2026-11-04T10:00:00+08:00").unwrap(),
        };
        let mut case = Case::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 3).unwrap());
        case.state = State::Evaluation;
        let approve = Action::Approve {
            amount: Some(amount.parse().unwrap()),
            note: None,
        };
        let p = preview(&case, &approve, &cx);
        (case, p)
    }

    #[test]
    fn within_the_limit_it_goes_through_with_the_amount() {
        let (_, p) = check("90.00", Role::Agent);
        let p = p.unwrap();
        assert_eq!(p.to, State::Feedback);
        assert!(p.proposal.is_empty());
        assert_eq!(p.limit, "90.00".parse().unwrap());
        let done = p.done.unwrap();
        assert_eq!(
            done.decision,
            Some(Decision::Approve {
                amount: "90.00".parse().unwrap()
            })
        );
    }

    #[test]
    fn over_the_limit_it_is_a_proposal_with_the_domains_reasons_and_its_effect() {
        let (case, p) = check("120.00", Role::Agent);
        let p = p.unwrap();
        assert_eq!(p.to, case.state, "the ticket waits, unchanged");
        assert_eq!(p.proposal.len(), 1, "{:?}", p.proposal);
        assert!(p.proposal[0].contains("120.00"), "{:?}", p.proposal);
        let done = p.done.expect("a second supervisor may sign it off");
        assert_eq!(done.state, State::Feedback);
        assert!(done.pending.is_none());
    }

    #[test]
    fn a_refusal_is_the_one_apply_gives() {
        let (_, p) = check("0", Role::Supervisor);
        assert_eq!(p.unwrap_err().0, "the amount must be greater than 0");
    }
}
