//! What a confirmation says. Everything but the wording comes from
//! `workflow::preview`, i.e. from `apply` run on the ticket as loaded: the
//! amount, the verdict's limit, whether the step becomes a proposal and why,
//! the route and the invoice action. No rule of the desk is restated here.

use crate::domain::money::format_amount;
use crate::domain::workflow::{Action as Wf, Case, Decision, InvoiceAction, Preview, Route};
use crate::store::Detail;
use rust_decimal::Decimal;

/// The lines of the confirmation of `action` on `d`, whose outcome is `p`.
pub fn lines(d: &Detail, action: &Wf, p: &Preview, me: &str) -> Vec<String> {
    let id = &d.ticket.id;
    let cur = &d.verdict.currency;
    let money = |a: Decimal| format_amount(a, cur);
    let done = p.done.as_ref();
    let mut out = vec![question(id, action, &d.case, done, cur, me)];
    if let Some(pending) = d.case.pending.as_ref().filter(|_| on_proposal(action)) {
        out.push(format!(
            "Proposed by {} because: {}",
            pending.proposer,
            pending.reasons.join("; ")
        ));
    }
    let effective = match action {
        a if on_proposal(a) => d.case.pending.as_ref().map(|p| &p.action),
        a => Some(a),
    };
    if effective
        .and_then(|a| amount_of(a, &d.case, done))
        .is_some()
    {
        out.push(format!(
            "Verdict {} — limit {}",
            d.verdict.kind,
            money(p.limit)
        ));
    }
    let executes = matches!(effective, Some(Wf::Execute { .. }));
    if let Some(x) = done.and_then(|c| c.execution.as_ref()).filter(|_| executes) {
        out.push(match (&x.route, &x.account) {
            (Route::Original, _) => "Route: original — back by the path it was paid".into(),
            (route, Some(acct)) => format!("Route: {route} — to {acct}"),
            (route, None) => format!("Route: {route}"),
        });
        out.push(format!(
            "Invoice: {} — {}",
            x.invoice_action,
            invoice_words(x.invoice_action)
        ));
        if x.frozen_to_unfreeze > Decimal::ZERO {
            out.push(format!("Unfreeze: {}", money(x.frozen_to_unfreeze)));
        }
        out.push(format!(
            "Funds expected {} to {}",
            x.expected_from, x.expected_by
        ));
    }
    if p.proposal.is_empty() {
        let fin = if p.to.is_terminal() { " (final)" } else { "" };
        out.push(if p.to == d.case.state {
            format!("Then: {id} stays in {}", p.to)
        } else {
            format!("Then: {id} moves to {}{fin}", p.to)
        });
    } else {
        out.push("⧗ This becomes a proposal for a second supervisor because:".into());
        out.extend(p.proposal.iter().map(|r| format!("  • {r}")));
        out.push(format!(
            "{id} waits in {} until another supervisor signs it off;",
            d.case.state
        ));
        out.push(match done {
            Some(c) if c.state != d.case.state => format!("then it moves to {}.", c.state),
            Some(_) => "then it takes effect.".into(),
            None => "then the sign-off is judged again.".into(),
        });
    }
    if let Some(n) = note(action) {
        out.push(format!("Note: {n}"));
    }
    out
}

/// Sign-off and decline act on the waiting proposal, not on the ticket directly.
fn on_proposal(a: &Wf) -> bool {
    matches!(a, Wf::SignOff { .. } | Wf::Decline { .. })
}

fn question(id: &str, a: &Wf, case: &Case, done: Option<&Case>, cur: &str, me: &str) -> String {
    let money = |d: Decimal| format_amount(d, cur);
    let amount = amount_of(a, case, done).map(money);
    let or = |what: &str| amount.clone().unwrap_or_else(|| what.to_string());
    match a {
        Wf::Approve { .. } => format!("Approve {id}: refund {}?", or("the verdict amount")),
        Wf::Reject { clauses, .. } => format!("Reject {id} under {}?", clauses.join(", ")),
        Wf::Revise { decision, .. } => match decision {
            Decision::Approve { .. } => format!("Revise {id}: approve {}?", or("")),
            Decision::Reject { clauses } => {
                format!("Revise {id}: reject under {}?", clauses.join(", "))
            }
        },
        Wf::Agree { .. } => format!("Agree on {} for {id}?", or("the last offer")),
        Wf::Accept => format!(
            "Accept for {id}: the customer takes {}?",
            or("the approval")
        ),
        Wf::Offer { party, .. } => format!("Record a {party} offer of {} on {id}?", or("")),
        Wf::Execute { .. } => format!(
            "Execute the payout of {} for {id}?",
            or("the agreed amount")
        ),
        Wf::Complete { reference } => {
            format!(
                "Complete {id}: {} paid, payout reference {reference}?",
                or("the payout")
            )
        }
        Wf::Close { .. } => format!("Close {id} with this outcome?"),
        Wf::Withdraw { .. } => format!("Withdraw {id}: the customer withdrew?"),
        Wf::SignOff { .. } | Wf::Decline { .. } => {
            let verb = if matches!(a, Wf::SignOff { .. }) {
                "Sign off"
            } else {
                "Decline"
            };
            match &case.pending {
                Some(p) => {
                    // Declining leaves the case as it is: its amount is the proposal's own.
                    let shown = if matches!(a, Wf::SignOff { .. }) {
                        done
                    } else {
                        None
                    };
                    let what = amount_of(&p.action, case, shown)
                        .map(|x| format!(" {}", money(x)))
                        .unwrap_or_default();
                    if p.proposer == me && matches!(a, Wf::Decline { .. }) {
                        // The proposer declining is withdrawing (SPEC §3).
                        format!("Withdraw your proposal on {id}: {}{what}?", p.action.name())
                    } else {
                        format!(
                            "{verb} {}'s proposal on {id}: {}{what}?",
                            p.proposer,
                            p.action.name()
                        )
                    }
                }
                None => format!("{verb} the proposal on {id}?"),
            }
        }
        other => format!("{} {id}?", other.name()),
    }
}

/// The amount the step decides, agrees, pays or offers, as the domain worked it out.
fn amount_of(a: &Wf, case: &Case, done: Option<&Case>) -> Option<Decimal> {
    let decided = |c: &Case| match &c.decision {
        Some(Decision::Approve { amount }) => Some(*amount),
        _ => None,
    };
    match a {
        Wf::Approve { amount, .. } => done.and_then(decided).or(*amount),
        Wf::Revise {
            decision: Decision::Approve { amount },
            ..
        } => Some(*amount),
        Wf::Agree { amount, .. } => done.and_then(|c| c.agreed).or(*amount),
        Wf::Accept => done.and_then(|c| c.agreed).or_else(|| decided(case)),
        Wf::Offer { amount, .. } => Some(*amount),
        Wf::Execute { .. } | Wf::Complete { .. } => done
            .and_then(|c| c.execution.as_ref())
            .or(case.execution.as_ref())
            .map(|x| x.amount),
        _ => None,
    }
}

fn note(a: &Wf) -> Option<&str> {
    match a {
        Wf::Approve { note, .. }
        | Wf::Reject { note, .. }
        | Wf::Agree { note, .. }
        | Wf::Revise { note, .. }
        | Wf::Offer { note, .. }
        | Wf::Close { note, .. }
        | Wf::Withdraw { note, .. }
        | Wf::SignOff { note, .. }
        | Wf::Decline { note, .. } => note.as_deref(),
        _ => None,
    }
}

fn invoice_words(a: InvoiceAction) -> &'static str {
    match a {
        InvoiceAction::VoidAndReissue => "void the invoice and reissue it",
        InvoiceAction::RedLetter => "issue a red-letter reversal invoice",
        InvoiceAction::NoInvoice => "no invoice was issued",
    }
}
