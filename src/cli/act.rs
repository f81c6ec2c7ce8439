//! `refund-desk act ID ACTION [options]`: one workflow action from a script.

use super::{ExitCode, Setup};
use crate::domain::money::{fmt2, parse_amount};
use crate::domain::workflow::{Action, Decision, Party, Route};
use crate::store::{ActOutcome, StoreError};
use clap::builder::PossibleValuesParser;
use rust_decimal::Decimal;

#[derive(clap::Args, Debug)]
pub struct ActArgs {
    pub id: String,
    #[arg(value_parser = PossibleValuesParser::new(Action::NAMES))]
    pub action: String,
    #[arg(long, value_parser = amount)]
    pub amount: Option<Decimal>,
    /// A clause id (repeatable), for reject and revise.
    #[arg(long = "clause")]
    pub clauses: Vec<String>,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long, value_parser = PossibleValuesParser::new(["desk", "customer"]))]
    pub party: Option<String>,
    #[arg(long, value_parser = PossibleValuesParser::new(["original", "alternate"]), default_value = "original")]
    pub route: String,
    /// Account details for an alternate payout route.
    #[arg(long)]
    pub account: Option<String>,
    /// Payout reference, for complete.
    #[arg(long)]
    pub reference: Option<String>,
    /// Refuse the action if the ticket is no longer at this version (what you looked at).
    #[arg(long)]
    pub expect_version: Option<i64>,
}

fn amount(s: &str) -> Result<Decimal, String> {
    parse_amount(s)
}

/// Builds the domain action from the options, or says what is missing.
pub fn to_action(a: &ActArgs) -> Result<Action, String> {
    let note = a.note.clone();
    Ok(match a.action.as_str() {
        "take" => Action::Take,
        "request_info" => Action::RequestInfo {
            note: note.ok_or("request_info needs --note saying what is missing")?,
        },
        "info_received" => Action::InfoReceived { note },
        "evaluate" => Action::Evaluate,
        "approve" => Action::Approve {
            amount: a.amount,
            note,
        },
        "reject" => Action::Reject {
            clauses: a.clauses.clone(),
            note,
        },
        "appeal" => Action::Appeal {
            amount: a.amount,
            note,
        },
        "offer" => Action::Offer {
            amount: a.amount.ok_or("offer needs --amount")?,
            party: Party::parse(
                a.party
                    .as_deref()
                    .ok_or("offer needs --party desk|customer")?,
            )
            .ok_or("bad --party")?,
            note,
        },
        "agree" => Action::Agree {
            amount: a.amount,
            note,
        },
        "accept" => Action::Accept,
        "revise" => Action::Revise {
            decision: match a.amount {
                Some(amount) => Decision::Approve { amount },
                None if !a.clauses.is_empty() => Decision::Reject {
                    clauses: a.clauses.clone(),
                },
                None => return Err("revise needs --amount (approve) or --clause (reject)".into()),
            },
            note,
        },
        "execute" => Action::Execute {
            route: Route::parse(&a.route).ok_or("bad --route")?,
            account: a.account.clone(),
        },
        "payout_returned" => Action::PayoutReturned {
            note: note
                .filter(|n| !n.trim().is_empty())
                .ok_or("payout_returned needs --note saying why the payout came back")?,
        },
        "complete" => Action::Complete {
            reference: a.reference.clone().ok_or("complete needs --reference")?,
        },
        "close" => Action::Close { note },
        "withdraw" => Action::Withdraw { note },
        "sign_off" => Action::SignOff { note },
        "decline" => Action::Decline { note },
        other => return Err(format!("unknown action {other}")),
    })
}

pub fn run(setup: &Setup, args: ActArgs) -> anyhow::Result<ExitCode> {
    let action = match to_action(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("refund-desk: {e}");
            return Ok(ExitCode::Usage);
        }
    };
    let mut store = setup.open_store()?;
    let result = store
        .actor()
        .and_then(|actor| store.act(&args.id, &action, &actor, args.expect_version, store.now()));
    match result {
        Ok(ActOutcome::Done {
            to,
            version,
            pending: true,
        }) => {
            println!("{} {}: proposed; waiting for a supervisor's sign-off (state {to}, version {version})", args.id, action.name());
        }
        Ok(ActOutcome::Done { to, version, .. }) => {
            let detail = if let Action::Approve {
                amount: Some(a), ..
            } = &action
            {
                format!(" {}", fmt2(*a))
            } else {
                String::new()
            };
            println!(
                "{} {}{detail}: now {to} (version {version})",
                args.id,
                action.name()
            );
        }
        Ok(ActOutcome::NoOp) => println!(
            "{} {}: already done, nothing changed",
            args.id,
            action.name()
        ),
        Err(e @ (StoreError::Refused(_) | StoreError::Stale { .. } | StoreError::NotFound(_))) => {
            eprintln!(
                "refund-desk: {} {}: {}",
                args.id,
                action.name(),
                crate::text::inert(&e.to_string())
            );
            return Ok(ExitCode::Error);
        }
        Err(StoreError::Other(e)) => return Err(e),
    }
    Ok(ExitCode::Ok)
}
