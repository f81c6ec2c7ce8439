//! `refund-desk list [--state S] [--verdict K] [--product P] [--json]`

use super::{ExitCode, Setup};
use crate::domain::policy::VerdictKind;
use crate::domain::ticket::Product;
use crate::domain::workflow::State;
use crate::store::{ListFilter, ListRow};
use crate::text::fit;
use clap::builder::PossibleValuesParser;
use serde_json::json;
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// Only tickets in this workflow state.
    #[arg(long, value_parser = PossibleValuesParser::new(State::ALL.iter().map(|s| s.as_str())))]
    pub state: Option<String>,
    /// Only tickets with this verdict.
    #[arg(long, value_parser = PossibleValuesParser::new(VerdictKind::ALL.iter().map(|s| s.as_str())))]
    pub verdict: Option<String>,
    /// Only tickets of this product.
    #[arg(long, value_parser = PossibleValuesParser::new(Product::ALL.iter().map(|s| s.as_str())))]
    pub product: Option<String>,
    /// Only tickets assigned to this operator.
    #[arg(long)]
    pub assignee: Option<String>,
    /// Only proposals waiting for a supervisor's sign-off.
    #[arg(long)]
    pub pending: bool,
    /// Only tickets whose id, account, customer or words match (every word; CJK by characters).
    #[arg(long)]
    pub search: Option<String>,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

pub fn row_json(r: &ListRow) -> serde_json::Value {
    json!({
        "id": r.id,
        "state": r.state,
        "verdict": r.verdict,
        "received_at": r.received_at,
        "product": r.product,
        "account": r.account_id,
        "customer": r.customer,
        "requested_amount": r.requested,
        "assignee": r.assignee,
        "pending_approval": r.pending,
        "due": r.due_target.as_ref().map(|t| json!({"target": t, "breach": r.due_breach})),
        "version": r.version,
    })
}

/// "full_refund 95.00 USD · LCIC-5DAY": kind, amount or ceiling, deciding clause.
pub fn verdict_cell(r: &ListRow) -> String {
    let v = &r.verdict;
    let mut cell = v.kind.to_string();
    if let Some(a) = v.amount.or(v.ceiling) {
        cell += &format!(" {} {}", crate::domain::money::fmt2(a), v.currency);
    }
    if let Some(c) = v.deciding_clause() {
        cell += &format!(" · {c}");
    }
    cell
}

/// The received time as a local time in the policy's timezone.
pub fn local_time(received_at: &str, tz: chrono::FixedOffset) -> String {
    chrono::DateTime::parse_from_rfc3339(received_at)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| received_at.to_string())
}

pub fn run(setup: &Setup, args: &ListArgs) -> anyhow::Result<ExitCode> {
    let store = setup.open_reader()?;
    let tz = store.policy().tz;
    let filter = ListFilter {
        states: args.state.iter().cloned().collect(),
        verdict: args.verdict.clone(),
        product: args.product.clone(),
        assignee: args.assignee.clone(),
        pending: args.pending,
        search: args.search.clone(),
        ..ListFilter::default()
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    if args.json {
        // Streamed: a million rows never sit in memory at once.
        let mut first = true;
        out.write_all(b"[")?;
        store.for_each(&filter, |r| {
            out.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            let row = serde_json::to_string(&row_json(&r))?;
            out.write_all(crate::text::json_for_terminal(row).as_bytes())?;
            Ok(())
        })?;
        out.write_all(b"\n]\n")?;
    } else {
        writeln!(
            out,
            "{} {} {} {} {} {} DUE",
            fit("ID", 12),
            fit("RECEIVED", 16),
            fit("PRODUCT", 7),
            fit("CUSTOMER", 20),
            fit("VERDICT", 44),
            fit("STATE", 14),
        )?;
        store.for_each(&filter, |r| {
            writeln!(
                out,
                "{} {} {} {} {} {} {}",
                fit(&r.id, 12),
                fit(&local_time(&r.received_at, tz), 16),
                fit(&r.product, 7),
                fit(r.customer.as_deref().unwrap_or(&r.account_id), 20),
                fit(&verdict_cell(&r), 44),
                fit(&r.state, 14),
                r.due_target.as_deref().unwrap_or("-")
            )?;
            Ok(())
        })?;
    }
    out.flush()?;
    Ok(ExitCode::Ok)
}
