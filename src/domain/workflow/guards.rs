//! The money guards of SPEC §3: when an amount, a payout route or a clause
//! is allowed, and when it needs a second person. Pure and actor-free: the
//! answer is the same whoever asks, so no role can go around it.

use super::{Approval, Case, Route};
use crate::domain::money::fmt2;
use crate::domain::policy::{Clause, Flag, Policy, Verdict, VerdictKind};
use crate::domain::ticket::{Product, Ticket};
use rust_decimal::Decimal;

pub use super::apply::Refusal;

/// The most the desk may pay on this verdict without a second person: its
/// amount or ceiling, else the refundable base (negotiate, manual_review).
pub fn limit(ticket: &Ticket, verdict: &Verdict) -> Decimal {
    verdict.limit().unwrap_or_else(|| ticket.payment.base())
}

/// Why approving, agreeing or paying `amount` needs a second supervisor
/// (empty: it does not), or a refusal when it is never allowed.
pub fn amount_reasons(
    amount: Decimal,
    ticket: &Ticket,
    verdict: &Verdict,
    policy: &Policy,
) -> Result<Vec<String>, Refusal> {
    if amount <= Decimal::ZERO {
        return Err(Refusal("the amount must be greater than 0".into()));
    }
    let mut reasons = Vec::new();
    if verdict.kind == VerdictKind::Reject {
        reasons.push("approving against a reject verdict".to_string());
    }
    if verdict.has_flag(Flag::AbuseSuspected) {
        reasons.push("the verdict is flagged abuse_suspected".to_string());
    }
    let currency = &ticket.payment.currency;
    let threshold = policy.approval_threshold.for_currency(currency);
    if amount > threshold {
        reasons.push(format!(
            "{} is above the approval threshold {} {currency}",
            fmt2(amount),
            fmt2(threshold)
        ));
    }
    let limit = limit(ticket, verdict);
    if amount > limit {
        reasons.push(format!(
            "{} is above the verdict's limit {}",
            fmt2(amount),
            fmt2(limit)
        ));
    }
    Ok(reasons)
}

pub const ALTERNATE_ROUTE: &str = "payout to an alternate route";

/// The route rule: only live refunds may leave by another path than the
/// paying account's (LCIC, TRTC and Chat sources allow nothing else).
pub fn check_route(ticket: &Ticket, route: Route, account: Option<&str>) -> Result<(), Refusal> {
    if route != Route::Alternate {
        return Ok(());
    }
    if ticket.product != Product::Live {
        return Err(Refusal(format!(
            "an alternate payout route is only for live refunds; {} refunds return to the paying account by the original path",
            ticket.product
        )));
    }
    if account.is_none_or(|a| a.trim().is_empty()) {
        return Err(Refusal(
            "an alternate payout route needs the account details (--account)".into(),
        ));
    }
    Ok(())
}

/// Why executing the standing amount by `route` needs a second supervisor:
/// the amount's own reasons under the verdict in force that no sign-off of
/// that very amount already covered, and an alternate route.
pub fn execute_reasons(
    case: &Case,
    route: Route,
    ticket: &Ticket,
    verdict: &Verdict,
    policy: &Policy,
) -> Result<Vec<String>, Refusal> {
    let amount = case.agreed.unwrap_or_default();
    let mut reasons: Vec<String> = amount_reasons(amount, ticket, verdict, policy)?
        .into_iter()
        .filter(|r| !covered(case.approval.as_ref(), amount, r))
        .collect();
    if route == Route::Alternate {
        reasons.push(ALTERNATE_ROUTE.into());
    }
    Ok(reasons)
}

/// A reason is covered when a second supervisor signed off this amount for
/// that reason. Reasons name the amounts and limits they compare, so one
/// signed off under another verdict does not cover today's.
pub(super) fn covered(approval: Option<&Approval>, amount: Decimal, reason: &str) -> bool {
    approval.is_some_and(|a| {
        a.amount == amount && a.signed_off_by.is_some() && a.reasons.iter().any(|r| r == reason)
    })
}

/// A rejection names clauses of the ticket's own product, or COMMON- ones.
pub fn check_clauses(ticket: &Ticket, clauses: &[String]) -> Result<(), Refusal> {
    if clauses.is_empty() {
        return Err(Refusal(
            "a rejection names at least one clause (--clause)".into(),
        ));
    }
    for id in clauses {
        let Some(clause) = Clause::parse(id) else {
            return Err(Refusal(format!("unknown clause {id:?}")));
        };
        if !clause_fits(clause, ticket.product) {
            return Err(Refusal(format!(
                "clause {clause} is not a {} clause: a {} ticket is rejected with its own product's clauses or COMMON- ones",
                ticket.product, ticket.product
            )));
        }
    }
    Ok(())
}

fn clause_fits(clause: Clause, product: Product) -> bool {
    let id = clause.as_str();
    let prefix = match product {
        Product::Lcic => "LCIC-",
        Product::Trtc => "TRTC-",
        Product::Chat => "CHAT-",
        Product::Live => "LIVE-",
    };
    id.starts_with("COMMON-") || id.starts_with(prefix)
}
