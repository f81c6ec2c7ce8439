//! `refund-desk act ID[,ID...] ACTION [options]` (or `--ids-from FILE`):
//! one workflow action on one or several tickets, each its own transaction.
//! Which options an action takes is the domain's table
//! (`ActionKind::params`); any other is refused before the desk is opened.

use super::{ExitCode, Setup};
use crate::desk::Desk;
use crate::domain::money::{fmt2, format_amount, parse_amount};
use crate::domain::workflow::{Action, ActionKind, Decision, Param, Party, Route, SetFact};
use crate::store::{ActOutcome, StoreError};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use rust_decimal::Decimal;
use std::io::Read;
use strum::VariantArray;

#[derive(clap::Args, Debug)]
#[command(after_long_help = options_table())]
pub struct ActArgs {
    /// The ticket, or several separated by commas; each is its own transaction.
    #[arg(
        value_name = "ID[,ID...]",
        required_unless_present = "ids_from",
        conflicts_with = "ids_from"
    )]
    pub ids: Option<String>,
    /// The workflow action (SPEC §3).
    pub action: ActionKind,
    #[arg(long, value_parser = amount, help = param_help(Param::Amount))]
    pub amount: Option<Decimal>,
    #[arg(long = "clause", value_name = "CLAUSE", help = param_help(Param::Clause))]
    pub clauses: Vec<String>,
    #[arg(long, value_name = "TEXT", help = param_help(Param::Note))]
    pub note: Option<String>,
    #[arg(long, value_parser = party(), help = param_help(Param::Party))]
    pub party: Option<Party>,
    #[arg(long, value_parser = route(), help = param_help(Param::Route))]
    pub route: Option<Route>,
    #[arg(long, value_name = "TEXT", help = param_help(Param::Account))]
    pub account: Option<String>,
    #[arg(long, value_name = "TEXT", help = param_help(Param::Reference))]
    pub reference: Option<String>,
    #[arg(long, value_name = "USER", help = param_help(Param::To))]
    pub to: Option<String>,
    #[arg(long = "set", value_name = "FIELD=VALUE", value_parser = set_fact, help = param_help(Param::Set))]
    pub set: Vec<SetFact>,
    /// Refuse the action if the ticket is no longer at this version (what you looked at); one ticket only.
    #[arg(long, value_name = "N")]
    pub expect_version: Option<i64>,
    /// Read the ticket ids from FILE, one a line (- for stdin), instead of the ID argument.
    #[arg(long, value_name = "FILE")]
    pub ids_from: Option<String>,
}

impl clap::ValueEnum for ActionKind {
    fn value_variants<'a>() -> &'a [Self] {
        ActionKind::VARIANTS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()).help(self.describe()))
    }
}

/// The option that carries a parameter.
pub fn flag(p: Param) -> &'static str {
    match p {
        Param::Amount => "--amount",
        Param::Clause => "--clause",
        Param::Note => "--note",
        Param::Party => "--party",
        Param::Route => "--route",
        Param::Account => "--account",
        Param::Reference => "--reference",
        Param::To => "--to",
        Param::Set => "--set",
    }
}

fn param_help(p: Param) -> String {
    let what = match p {
        Param::Amount => "The amount, e.g. 95.00",
        Param::Clause => "A clause id (repeatable), e.g. LCIC-USED",
        Param::Note => "A note: what is missing, why, or for the team",
        Param::Party => "Who makes the offer: desk or customer",
        Param::Route => "Payout route: original (default) or alternate (live only, four-eyes)",
        Param::Account => "Account details for an alternate payout route",
        Param::Reference => "The payout reference, unique across the desk",
        Param::To => "Who takes the ticket over: a user with a role on the desk",
        Param::Set => "A fact received, e.g. package.expires_at=2026-12-01T00:00:00+08:00 (repeatable; validated as on import)",
    };
    format!("{what} [{}]", takers(p).join(", "))
}

/// The actions that take a parameter, in workflow order.
fn takers(p: Param) -> Vec<&'static str> {
    ActionKind::ALL
        .into_iter()
        .filter(|k| k.params().contains(&p))
        .map(ActionKind::name)
        .collect()
}

/// Each action with the options it takes, for `act --help`.
pub fn options_table() -> String {
    let mut out = String::from("Options each action takes:\n");
    for k in ActionKind::ALL {
        let flags: Vec<&str> = k.params().iter().map(|p| flag(*p)).collect();
        let flags = if flags.is_empty() {
            "(none)".to_string()
        } else {
            flags.join(" ")
        };
        out.push_str(&format!("  {:<16} {flags}\n", k.name()));
    }
    out.push_str("\nWith several tickets each is its own transaction: one result line per ticket, exit 1 if any was refused.");
    out
}

fn amount(s: &str) -> Result<Decimal, String> {
    parse_amount(s)
}

fn party() -> impl TypedValueParser<Value = Party> {
    PossibleValuesParser::new(["desk", "customer"])
        .map(|s| Party::parse(&s).expect("one of the possible values"))
}

fn route() -> impl TypedValueParser<Value = Route> {
    PossibleValuesParser::new(["original", "alternate"])
        .map(|s| Route::parse(&s).expect("one of the possible values"))
}

/// `FIELD=VALUE`, the field one of SPEC §1; the value is judged with the ticket.
fn set_fact(s: &str) -> Result<SetFact, String> {
    let (field, value) = s
        .split_once('=')
        .ok_or("expected FIELD=VALUE, e.g. package.expires_at=2026-12-01T00:00:00+08:00")?;
    let field = field.trim();
    crate::ingest::check_field(field)?;
    Ok(SetFact {
        field: field.to_string(),
        value: value.to_string(),
    })
}

fn given(a: &ActArgs, p: Param) -> bool {
    match p {
        Param::Amount => a.amount.is_some(),
        Param::Clause => !a.clauses.is_empty(),
        Param::Note => a.note.is_some(),
        Param::Party => a.party.is_some(),
        Param::Route => a.route.is_some(),
        Param::Account => a.account.is_some(),
        Param::Reference => a.reference.is_some(),
        Param::To => a.to.is_some(),
        Param::Set => !a.set.is_empty(),
    }
}

/// Refuses an option the action does not take: silently ignoring it would
/// let a typo (or a wrong guess) pass for what was meant.
pub fn check_options(a: &ActArgs) -> Result<(), String> {
    let takes = a.action.params();
    let Some(stray) = Param::VARIANTS
        .iter()
        .find(|p| given(a, **p) && !takes.contains(p))
    else {
        return Ok(());
    };
    let options: Vec<&str> = takes.iter().map(|p| flag(*p)).collect();
    let takes = if options.is_empty() {
        "no options".to_string()
    } else {
        options.join(", ")
    };
    Err(format!(
        "{} is not an option of {}; {} takes {takes}",
        flag(*stray),
        a.action,
        a.action
    ))
}

/// Builds the domain action from the options, or says what is missing.
pub fn to_action(a: &ActArgs) -> Result<Action, String> {
    use ActionKind as K;
    let note = a.note.clone();
    let needs = |what: &str| format!("{} needs {what}", a.action);
    Ok(match a.action {
        K::Take => Action::Take,
        K::Evaluate => Action::Evaluate,
        K::Accept => Action::Accept,
        K::Assign => Action::Assign {
            to: a.to.clone().ok_or_else(|| needs("--to USER"))?,
            note,
        },
        K::Note => Action::Note {
            note: note
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| needs("--note TEXT"))?,
        },
        K::RequestInfo => Action::RequestInfo {
            note: note.ok_or_else(|| needs("--note saying what is missing"))?,
        },
        K::InfoReceived => Action::InfoReceived {
            note,
            set: a.set.clone(),
        },
        K::Approve => Action::Approve {
            amount: a.amount,
            note,
        },
        K::Reject => Action::Reject {
            clauses: a.clauses.clone(),
            note,
        },
        K::Appeal => Action::Appeal {
            amount: a.amount,
            note,
        },
        K::Offer => Action::Offer {
            amount: a.amount.ok_or_else(|| needs("--amount"))?,
            party: a.party.ok_or_else(|| needs("--party desk|customer"))?,
            note,
        },
        K::Agree => Action::Agree {
            amount: a.amount,
            note,
        },
        K::Revise => Action::Revise {
            decision: match (a.amount, a.clauses.is_empty()) {
                (Some(amount), true) => Decision::Approve { amount },
                (None, false) => Decision::Reject {
                    clauses: a.clauses.clone(),
                },
                _ => return Err(needs("--amount (approve) or --clause (reject), not both")),
            },
            note,
        },
        K::Execute => Action::Execute {
            route: a.route.unwrap_or(Route::Original),
            account: a.account.clone(),
        },
        K::PayoutReturned => Action::PayoutReturned {
            note: note
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| needs("--note saying why the payout came back"))?,
        },
        K::Complete => Action::Complete {
            reference: a.reference.clone().ok_or_else(|| needs("--reference"))?,
        },
        K::Close => Action::Close { note },
        K::Withdraw => Action::Withdraw { note },
        K::SignOff => Action::SignOff { note },
        K::Decline => Action::Decline { note },
    })
}

/// The tickets named: `ID,ID,…` or the lines of `--ids-from`.
fn ticket_ids(a: &ActArgs) -> anyhow::Result<Result<Vec<String>, String>> {
    let (text, source, sep) = match (&a.ids, &a.ids_from) {
        (Some(ids), _) => (ids.clone(), "the ID argument".to_string(), ','),
        (None, Some(file)) => {
            let mut text = String::new();
            super::open_input(file)?
                .read_to_string(&mut text)
                .map_err(|e| anyhow::anyhow!("cannot read {file}: {e}"))?;
            (text, file.clone(), '\n')
        }
        (None, None) => return Ok(Err("give the ticket id, or --ids-from FILE".into())),
    };
    let mut ids = Vec::new();
    for piece in text.split(sep) {
        let id = piece.trim();
        match (id.is_empty(), sep) {
            // Blank lines in a file are nothing; an empty id between commas is a slip.
            (true, '\n') => {}
            (true, _) => return Ok(Err(format!("an empty ticket id in {text:?}"))),
            (false, _) => ids.push(id.to_string()),
        }
    }
    if ids.is_empty() {
        return Ok(Err(format!("no ticket ids in {source}")));
    }
    if ids.len() > 1 && a.expect_version.is_some() {
        return Ok(Err(
            "--expect-version is one ticket's version: give one ticket".into(),
        ));
    }
    Ok(Ok(ids))
}

fn usage(why: &str) -> anyhow::Result<ExitCode> {
    eprintln!("refund-desk: {}", crate::text::inert(why));
    Ok(ExitCode::Usage)
}

pub fn run(setup: &Setup, args: ActArgs) -> anyhow::Result<ExitCode> {
    if let Err(e) = check_options(&args) {
        return usage(&e);
    }
    let action = match to_action(&args) {
        Ok(a) => a,
        Err(e) => return usage(&e),
    };
    let ids = match ticket_ids(&args)? {
        Ok(ids) => ids,
        Err(e) => return usage(&e),
    };
    let mut store = setup.open_store()?;
    let actor = store.actor();
    let mut refused = false;
    for id in &ids {
        let result = actor
            .as_ref()
            .map_err(clone_refusal)
            .and_then(|actor| store.act(id, &action, actor, args.expect_version, store.now()));
        match result {
            Ok(outcome) => println!("{}", done_line(&store, id, &action, &outcome)),
            Err(
                e @ (StoreError::Refused(_) | StoreError::Stale { .. } | StoreError::NotFound(_)),
            ) => {
                refused = true;
                eprintln!(
                    "refund-desk: {} {}: {}",
                    crate::text::inert(id),
                    action.name(),
                    crate::text::inert(&e.to_string())
                );
            }
            // One ticket: the error is the command's. Several: it is this
            // ticket's line, and the others still get theirs.
            Err(StoreError::Other(e)) if ids.len() == 1 => return Err(e),
            Err(StoreError::Other(e)) => {
                refused = true;
                let e = crate::store::explain_any(e);
                eprintln!(
                    "refund-desk: {} {}: {}",
                    crate::text::inert(id),
                    action.name(),
                    crate::text::inert(&format!("{e:#}"))
                );
            }
        }
    }
    Ok(if refused {
        ExitCode::Error
    } else {
        ExitCode::Ok
    })
}

fn clone_refusal(e: &StoreError) -> StoreError {
    match e {
        StoreError::Refused(why) => StoreError::Refused(why.clone()),
        other => StoreError::Refused(other.to_string()),
    }
}

/// What an action did to one ticket, in one line.
fn done_line(store: &Desk, id: &str, action: &Action, outcome: &ActOutcome) -> String {
    let id_shown = crate::text::inert(id);
    let name = action.name();
    match outcome {
        ActOutcome::NoOp => format!("{id_shown} {name}: already done, nothing changed"),
        ActOutcome::Done {
            to,
            version,
            pending: true,
        } => format!(
            "{id_shown} {name}: proposed; waiting for a supervisor's sign-off (state {to}, version {version})"
        ),
        ActOutcome::Done { to, version, .. } => {
            let detail = match action {
                Action::Approve {
                    amount: Some(a), ..
                } => format!(" {}", fmt2(*a)),
                Action::Assign { to, .. } => format!(" to {}", crate::text::inert(to.trim())),
                _ => String::new(),
            };
            let verdict = match action {
                Action::InfoReceived { set, .. } if !set.is_empty() => verdict_now(store, id),
                _ => String::new(),
            };
            format!("{id_shown} {name}{detail}: now {to} (version {version}){verdict}")
        }
    }
}

/// The verdict after facts arrived, as `; verdict full_refund 100.00 USD`.
fn verdict_now(store: &Desk, id: &str) -> String {
    let Ok(d) = store.detail(id) else {
        return String::new();
    };
    let v = &d.verdict;
    let amount = match (v.amount, v.ceiling) {
        (Some(a), _) => format!(" {}", format_amount(a, &v.currency)),
        (None, Some(c)) => format!(" up to {}", format_amount(c, &v.currency)),
        (None, None) => String::new(),
    };
    let missing = if v.missing.is_empty() {
        String::new()
    } else {
        format!(" (still missing: {})", v.missing.join(", "))
    };
    format!("; verdict {}{amount}{missing}", v.kind)
}
