//! `apply`: one action on one case, guards first. Pure: the caller passes
//! the clock, the calendar and the actor; the store commits the result.

use super::guards::{self, amount_reasons, check_clauses, check_route, execute_reasons};
use super::*;
use crate::domain::calendar::paused_bd;
use crate::domain::money::fmt2;
use crate::domain::policy::{Policy, Verdict};
use crate::domain::ticket::{Ticket, Timestamp};
use serde_json::{json, Value};

/// Everything an action is judged against.
pub struct Context<'a> {
    pub ticket: &'a Ticket,
    pub verdict: &'a Verdict,
    pub policy: &'a Policy,
    pub calendar: &'a Calendar,
    pub actor: &'a Actor,
    pub now: Timestamp,
}

impl Context<'_> {
    fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.policy.tz).date_naive()
    }

    /// The most that may be paid without a second supervisor.
    pub(super) fn limit(&self) -> Decimal {
        guards::limit(self.ticket, self.verdict)
    }

    fn amount_reasons(&self, amount: Decimal) -> Result<Vec<String>, Refusal> {
        amount_reasons(amount, self.ticket, self.verdict, self.policy)
    }
}

/// Why an action was refused; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

fn refuse<T>(msg: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(msg.into()))
}

/// The outcome of an accepted action: the new case and the event to append.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub case: Case,
    pub action: &'static str,
    pub from: State,
    pub to: State,
    pub note: Option<String>,
    pub payload: Value,
    /// True when the action was already done (a repeated `complete`): no event.
    pub noop: bool,
}

pub fn apply(case: &Case, action: &Action, cx: &Context) -> Result<Transition, Refusal> {
    let kind = action.kind();
    if let Some(repeat) = repeated_completion(case, action) {
        return repeat.map(|()| Transition {
            noop: true,
            ..transition(case.clone(), "complete", case.state, None, json!({}))
        });
    }
    if !kind.valid_from(case) {
        return refuse(not_valid_message(kind, case));
    }
    let t = match action {
        Action::SignOff { note } => sign_off(case, note, cx),
        Action::Decline { note } => decline(case, note, cx),
        // Team actions leave a waiting proposal, and the money, as they are.
        Action::Assign { to, note } => super::team::assign(case, to, note, cx),
        Action::Note { note } => super::team::note(case, note),
        _ => step(case, action, cx, None),
    }?;
    // A PostgreSQL desk refuses on the server what these tables do not allow.
    debug_assert!(
        super::moves::declared(case, t.action, t.from, t.to, &t.case),
        "{} from {} to {} changing {:?} is not in the workflow's tables (moves.rs)",
        t.action,
        t.from,
        t.to,
        super::moves::changed_fields(case, &t.case)
    );
    Ok(t)
}

fn not_valid_message(kind: ActionKind, case: &Case) -> String {
    use ActionKind as K;
    let name = kind.name();
    let waits_aside = matches!(
        kind,
        K::SignOff | K::Decline | K::Withdraw | K::Assign | K::Note
    );
    if case.pending.is_some() && !waits_aside {
        return format!(
            "{name} is not possible while a proposal waits for a supervisor's sign-off"
        );
    }
    if matches!(kind, K::SignOff | K::Decline) {
        return "there is no proposal waiting for sign-off".into();
    }
    match (kind, case.state) {
        (K::Execute, State::Execution) => "the payout was already executed".into(),
        (K::Withdraw, State::Execution) => {
            "the payout was already executed: complete the ticket, or record the payout as returned (payout_returned)".into()
        }
        (K::PayoutReturned, State::Execution) => "no executed payout to return".into(),
        (K::Complete, State::Execution) => "execute the payout before completing it".into(),
        (K::Complete, State::Completed) => "already completed".into(),
        (K::Accept, State::Feedback) => {
            "accept needs an approved decision (the decision was reject)".into()
        }
        (K::Close, State::Feedback) => "close in feedback needs a rejected decision".into(),
        _ => format!("{name} is not possible in state {}", case.state),
    }
}

pub(super) fn transition(
    case: Case,
    action: &'static str,
    from: State,
    note: Option<String>,
    payload: Value,
) -> Transition {
    Transition {
        to: case.state,
        case,
        action,
        from,
        note,
        payload,
        noop: false,
    }
}

fn enter(case: &mut Case, state: State, today: NaiveDate) {
    case.state = state;
    case.stage_start = today;
    case.paused_bd = 0;
}

fn propose(case: &Case, action: &Action, reasons: Vec<String>, cx: &Context) -> Transition {
    let mut next = case.clone();
    next.pending = Some(Proposal {
        action: action.clone(),
        proposer: cx.actor.name.clone(),
        at: cx.now.to_rfc3339(),
        reasons: reasons.clone(),
    });
    let payload = json!({"pending": true, "reasons": reasons, "proposal": action});
    transition(
        next,
        action.name(),
        case.state,
        Some(format!("waiting for a supervisor: {}", reasons.join("; "))),
        payload,
    )
}

/// Why `action` needs a second supervisor now (empty: it does not), or why
/// it is refused. The same question at proposal and at sign-off.
fn four_eyes(case: &Case, action: &Action, cx: &Context) -> Result<Vec<String>, Refusal> {
    match action {
        Action::Approve { amount, .. } => {
            let amount = amount.or(cx.verdict.amount).or(cx.verdict.ceiling);
            let Some(amount) = amount else {
                return refuse("this verdict has no amount: give one with --amount");
            };
            cx.amount_reasons(amount)
        }
        Action::Agree { amount, .. } => match amount.or_else(|| last_offer(case)) {
            Some(amount) => cx.amount_reasons(amount),
            None => refuse("no offer to agree on: give the agreed amount with --amount"),
        },
        Action::Revise {
            decision: Decision::Approve { amount },
            ..
        } => cx.amount_reasons(*amount),
        Action::Execute { route, account } => {
            check_route(cx.ticket, *route, account.as_deref())?;
            execute_reasons(case, *route, cx.ticket, cx.verdict, cx.policy)
        }
        _ => Ok(Vec::new()),
    }
}

fn last_offer(case: &Case) -> Option<Decimal> {
    case.ledger.iter().rev().find_map(|o| o.amount)
}

/// Who stands behind an amount decided now: the proposer and the second
/// supervisor when it was signed off, else the operator alone.
fn approval(amount: Decimal, cx: &Context, signed: Option<&Proposal>) -> Approval {
    match signed {
        Some(p) => Approval {
            amount,
            by: p.proposer.clone(),
            signed_off_by: Some(cx.actor.name.clone()),
            reasons: p.reasons.clone(),
        },
        None => Approval {
            amount,
            by: cx.actor.name.clone(),
            signed_off_by: None,
            reasons: Vec::new(),
        },
    }
}

/// One action; `signed` is the proposal a second supervisor is signing off.
fn step(
    case: &Case,
    action: &Action,
    cx: &Context,
    signed: Option<&Proposal>,
) -> Result<Transition, Refusal> {
    let from = case.state;
    let today = cx.today();
    let mut next = case.clone();
    next.pending = None;
    let name = action.name();
    let reasons = four_eyes(case, action, cx)?;
    if !reasons.is_empty() && signed.is_none() {
        return Ok(propose(case, action, reasons, cx));
    }
    let t = match action {
        Action::Take => {
            next.state = State::InitialReview;
            next.assignee = Some(cx.actor.name.clone());
            transition(next, name, from, None, json!({"assignee": cx.actor.name}))
        }
        Action::RequestInfo { note } => {
            if note.trim().is_empty() {
                return refuse("say what is missing (--note)");
            }
            next.resume_to = Some(from);
            next.paused_on = Some(today);
            next.state = State::AwaitingInfo;
            transition(
                next,
                name,
                from,
                Some(note.clone()),
                json!({"clock_paused": today}),
            )
        }
        // The facts received (`set`) live with the ticket, not the case: the
        // store applies them in the same transaction and recomputes the verdict.
        Action::InfoReceived { note, .. } => {
            let back = case.resume_to.unwrap_or(State::InitialReview);
            let waited = case
                .paused_on
                .map(|d| paused_bd(cx.calendar, d, today))
                .unwrap_or(0);
            next.state = back;
            next.paused_bd += waited;
            next.resume_to = None;
            next.paused_on = None;
            transition(
                next,
                name,
                from,
                note.clone(),
                json!({"clock_resumed": today, "paused_bd": waited}),
            )
        }
        Action::Evaluate => {
            enter(&mut next, State::Evaluation, today);
            transition(next, name, from, None, json!({}))
        }
        Action::Approve { amount, note } => {
            let amount = amount.or(cx.verdict.amount).or(cx.verdict.ceiling);
            let Some(amount) = amount else {
                return refuse("this verdict has no amount: give one with --amount");
            };
            next.decision = Some(Decision::Approve { amount });
            next.approval = Some(approval(amount, cx, signed));
            enter(&mut next, State::Feedback, today);
            transition(
                next,
                name,
                from,
                note.clone(),
                json!({"decision": "approve", "amount": fmt2(amount)}),
            )
        }
        Action::Reject { clauses, note } => {
            check_clauses(cx.ticket, clauses)?;
            next.decision = Some(Decision::Reject {
                clauses: clauses.clone(),
            });
            next.approval = None;
            enter(&mut next, State::Feedback, today);
            transition(
                next,
                name,
                from,
                note.clone(),
                json!({"decision": "reject", "clauses": clauses}),
            )
        }
        Action::Appeal { amount, note } => {
            let closes = case.stage_start + chrono::Days::new(15);
            if today > closes {
                return refuse(format!("the appeal window closed on {closes}"));
            }
            next.ledger
                .push(ledger_line(Party::Customer, *amount, note, "appeal", cx));
            next.state = State::Negotiation;
            transition(
                next,
                name,
                from,
                note.clone(),
                json!({"amount": amount.map(fmt2)}),
            )
        }
        Action::Offer {
            amount,
            party,
            note,
        } => {
            if *amount <= Decimal::ZERO {
                return refuse("an offer must be greater than 0");
            }
            if *party == Party::Desk && *amount > cx.limit() {
                return refuse(format!(
                    "the desk cannot offer more than the verdict allows ({})",
                    fmt2(cx.limit())
                ));
            }
            next.ledger
                .push(ledger_line(*party, Some(*amount), note, "offer", cx));
            transition(
                next,
                name,
                from,
                note.clone(),
                json!({"amount": fmt2(*amount), "party": party}),
            )
        }
        Action::Agree { amount, note } => {
            let Some(amount) = amount.or_else(|| last_offer(case)) else {
                return refuse("no offer to agree on: give the agreed amount with --amount");
            };
            next.agreed = Some(amount);
            next.approval = Some(approval(amount, cx, signed));
            enter(&mut next, State::Execution, today);
            transition(
                next,
                name,
                from,
                note.clone(),
                json!({"amount": fmt2(amount)}),
            )
        }
        Action::Accept => {
            let Some(Decision::Approve { amount }) = case.decision else {
                return refuse("accept needs an approved decision");
            };
            next.agreed = Some(amount);
            enter(&mut next, State::Execution, today);
            transition(next, name, from, None, json!({"amount": fmt2(amount)}))
        }
        Action::Revise { decision, note } => {
            next.approval = match decision {
                Decision::Approve { amount } => Some(approval(*amount, cx, signed)),
                Decision::Reject { clauses } => {
                    check_clauses(cx.ticket, clauses)?;
                    None
                }
            };
            next.decision = Some(decision.clone());
            enter(&mut next, State::Feedback, today);
            transition(
                next,
                name,
                from,
                note.clone(),
                json!({"decision": decision}),
            )
        }
        Action::Execute { route, account } => {
            let exec = execution(case, *route, account.clone(), cx, signed);
            let payload = serde_json::to_value(&exec).unwrap_or_default();
            next.execution = Some(exec);
            transition(next, name, from, None, payload)
        }
        Action::PayoutReturned { note } => {
            if note.trim().is_empty() {
                return refuse("say why the payout came back (--note)");
            }
            let exec = case
                .execution
                .clone()
                .expect("valid_from checked execution");
            let payload = json!({"returned": exec});
            next.returned.push(ReturnedPayout {
                execution: exec,
                at: cx.now.to_rfc3339(),
                by: cx.actor.name.clone(),
                note: note.clone(),
            });
            next.execution = None;
            transition(next, name, from, Some(note.clone()), payload)
        }
        Action::Complete { reference } => {
            if reference.trim().is_empty() {
                return refuse("a completion needs the payout reference (--reference)");
            }
            next.payout_reference = Some(reference.clone());
            next.state = State::Completed;
            transition(next, name, from, None, json!({"reference": reference}))
        }
        Action::Close { note } => {
            next.outcome = note.clone();
            next.state = State::Closed;
            transition(next, name, from, note.clone(), json!({}))
        }
        Action::Withdraw { note } => {
            next.outcome = Some("withdrawn by the customer".into());
            next.state = State::Closed;
            transition(next, name, from, note.clone(), json!({}))
        }
        Action::SignOff { .. }
        | Action::Decline { .. }
        | Action::Assign { .. }
        | Action::Note { .. } => unreachable!("handled in apply"),
    };
    Ok(t)
}

fn ledger_line(
    party: Party,
    amount: Option<Decimal>,
    note: &Option<String>,
    kind: &str,
    cx: &Context,
) -> Offer {
    Offer {
        party,
        amount,
        note: note.clone(),
        at: cx.now.to_rfc3339(),
        by: cx.actor.name.clone(),
        kind: kind.into(),
    }
}

/// The payout: amount agreed, invoice handling by month, funds expected in
/// 15–30 business days, and every person behind it.
fn execution(
    case: &Case,
    route: Route,
    account: Option<String>,
    cx: &Context,
    signed: Option<&Proposal>,
) -> Execution {
    let today = cx.today();
    let mut signed_off_by = Vec::new();
    let mut signed_reasons = Vec::new();
    if let Some(a) = &case.approval {
        signed_off_by.extend(a.signed_off_by.clone());
        signed_reasons.extend(a.reasons.iter().cloned());
    }
    if let Some(p) = signed {
        if !signed_off_by.contains(&cx.actor.name) {
            signed_off_by.push(cx.actor.name.clone());
        }
        signed_reasons.extend(p.reasons.iter().cloned());
    }
    Execution {
        route,
        account,
        invoice_action: invoice_action(cx.ticket.payment.invoice_issued_at, today, cx.policy),
        amount: case.agreed.unwrap_or_default(),
        frozen_to_unfreeze: cx.ticket.payment.frozen,
        executed_on: today,
        expected_from: cx.calendar.add_bd(today, 15),
        expected_by: cx.calendar.add_bd(today, 30),
        decided_by: case.approval.as_ref().map(|a| a.by.clone()),
        signed_off_by,
        signed_reasons,
        executed_by: Some(signed.map_or(&cx.actor.name, |p| &p.proposer).clone()),
        executed_at: Some(cx.now.to_rfc3339()),
    }
}

/// Same local calendar month as the execution: void and reissue; later: a red-letter reversal.
pub fn invoice_action(
    issued: Option<Timestamp>,
    execution_day: NaiveDate,
    policy: &Policy,
) -> InvoiceAction {
    use chrono::Datelike;
    match issued {
        None => InvoiceAction::NoInvoice,
        Some(at) => {
            let d = at.with_timezone(&policy.tz).date_naive();
            if (d.year(), d.month()) == (execution_day.year(), execution_day.month()) {
                InvoiceAction::VoidAndReissue
            } else {
                InvoiceAction::RedLetter
            }
        }
    }
}

fn sign_off(case: &Case, note: &Option<String>, cx: &Context) -> Result<Transition, Refusal> {
    let p = case.pending.as_ref().expect("valid_from checked pending");
    if cx.actor.role != Role::Supervisor {
        return refuse(format!(
            "only a supervisor can sign off; {} is an agent",
            cx.actor.name
        ));
    }
    if p.proposer == cx.actor.name {
        return refuse("four-eyes: the proposer cannot sign off their own proposal");
    }
    // What the signer sees must be what they sign: a proposal whose reasons
    // moved since (a policy applied, say) is declined and proposed again.
    let now = four_eyes(case, &p.action, cx)?;
    if now != p.reasons {
        return refuse(format!(
            "the basis of this proposal changed since it was made (now: {}); decline it and propose again",
            if now.is_empty() { "no sign-off needed".to_string() } else { now.join("; ") }
        ));
    }
    let mut t = step(case, &p.action, cx, Some(p))?;
    t.payload = json!({"proposal": p.action, "proposer": p.proposer, "result": t.payload});
    t.action = "sign_off";
    t.note = note.clone();
    Ok(t)
}

fn decline(case: &Case, note: &Option<String>, cx: &Context) -> Result<Transition, Refusal> {
    let p = case.pending.as_ref().expect("valid_from checked pending");
    if cx.actor.role != Role::Supervisor && p.proposer != cx.actor.name {
        return refuse(
            "only a supervisor (or the proposer, to withdraw it) can decline a proposal",
        );
    }
    let mut next = case.clone();
    next.pending = None;
    Ok(transition(
        next,
        "decline",
        case.state,
        note.clone(),
        json!({"proposal": p.action, "proposer": p.proposer}),
    ))
}

/// `complete` a second time with the same reference is a no-op, not an error.
fn repeated_completion(case: &Case, action: &Action) -> Option<Result<(), Refusal>> {
    let (Action::Complete { reference }, State::Completed) = (action, case.state) else {
        return None;
    };
    Some(match &case.payout_reference {
        Some(r) if r == reference => Ok(()),
        Some(r) => refuse(format!("already completed with reference {r}")),
        None => refuse("already completed"),
    })
}
