//! The team's own actions (SPEC §3): hand-offs and internal notes. Neither
//! moves the ticket, its money or a proposal waiting for sign-off.

use super::apply::transition;
use super::{ActionKind, Case, Context, Refusal, Role, Transition};
use serde_json::json;

pub(super) fn assign(
    case: &Case,
    to: &str,
    note: &Option<String>,
    cx: &Context,
) -> Result<Transition, Refusal> {
    let to = to.trim();
    if to.is_empty() {
        return Err(Refusal("say who takes the ticket over (--to USER)".into()));
    }
    let me = &cx.actor.name;
    // A supervisor shares out the work; an agent passes on only what they hold.
    if cx.actor.role != Role::Supervisor && case.assignee.as_deref() != Some(me.as_str()) {
        let held = match &case.assignee {
            Some(who) => format!("it is assigned to {who}"),
            None => "it is assigned to nobody".into(),
        };
        return Err(Refusal(format!(
            "an agent hands off only their own tickets: {held} (a supervisor can assign it)"
        )));
    }
    if case.assignee.as_deref() == Some(to) {
        return Err(Refusal(format!("already assigned to {to}")));
    }
    let mut next = case.clone();
    next.assignee = Some(to.to_string());
    let payload = json!({"assignee": to, "previous_assignee": case.assignee});
    Ok(transition(
        next,
        "assign",
        case.state,
        note.clone(),
        payload,
    ))
}

pub(super) fn note(case: &Case, note: &str) -> Result<Transition, Refusal> {
    if note.trim().is_empty() {
        return Err(Refusal("write the note (--note)".into()));
    }
    Ok(transition(
        case.clone(),
        ActionKind::Note.name(),
        case.state,
        Some(note.to_string()),
        json!({}),
    ))
}
