//! `refund-desk export …`: what leaves the desk for others to keep — for
//! now the payouts, for finance (SPEC §4). Reading never writes.

use super::{ExitCode, Setup};
use crate::store::PayoutRow;
use chrono::NaiveDate;
use clap::builder::PossibleValuesParser;
use std::io::Write;

#[derive(clap::Subcommand, Debug)]
pub enum ExportCommand {
    /// Every executed payout in a date range, for finance (CSV or JSON).
    Payouts(PayoutsArgs),
    /// The audit trail as JSON Lines, in order: tickets' events, role and policy changes.
    Events {
        /// Only events after this seq: the last one an earlier export wrote.
        #[arg(long, value_name = "SEQ", default_value_t = 0)]
        since: i64,
    },
}

#[derive(clap::Args, Debug)]
pub struct PayoutsArgs {
    /// First local execution date (YYYY-MM-DD), inclusive.
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub from: Option<NaiveDate>,
    /// Last local execution date (YYYY-MM-DD), inclusive.
    #[arg(long, value_name = "DATE", value_parser = date)]
    pub to: Option<NaiveDate>,
    /// Output format.
    #[arg(long, default_value = "csv", value_parser = PossibleValuesParser::new(["csv", "json"]))]
    pub format: String,
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

pub fn run(setup: &Setup, command: ExportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ExportCommand::Payouts(args) => payouts(setup, &args),
        ExportCommand::Events { since } => super::export_events::events(setup, since),
    }
}

/// The CSV header, in the order of [`csv_record`].
const COLUMNS: &[&str] = &[
    "ticket",
    "execution",
    "status",
    "account",
    "product",
    "currency",
    "amount",
    "route",
    "alternate_account",
    "invoice_action",
    "decided_by",
    "signed_off_by",
    "executed_by",
    "executed_on",
    "executed_at",
    "returned_at",
    "completed_at",
    "reference",
];

fn payouts(setup: &Setup, args: &PayoutsArgs) -> anyhow::Result<ExitCode> {
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if from > to {
            eprintln!("refund-desk: --from {from} is after --to {to}");
            return Ok(ExitCode::Usage);
        }
    }
    // As is: an export reports what the desk holds, recomputing nothing.
    let store = setup.open_reader()?;
    let rows = store.payouts(args.from, args.to)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.format == "json" {
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
    } else {
        write_csv(&mut out, &rows)?;
    }
    out.flush()?;
    Ok(ExitCode::Ok)
}

/// The CSV finance receives: the header, then one record per execution.
/// The console's finance screen writes its files with this too.
pub fn write_csv(out: impl Write, rows: &[PayoutRow]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for row in rows {
        w.write_record(csv_record(row))?;
    }
    w.flush()?;
    Ok(())
}

fn csv_record(p: &PayoutRow) -> Vec<String> {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    [
        p.ticket.clone(),
        p.execution.to_string(),
        p.status.to_string(),
        p.account.clone(),
        p.product.clone(),
        p.currency.clone(),
        p.amount.clone(),
        p.route.clone(),
        opt(&p.alternate_account),
        p.invoice_action.clone(),
        opt(&p.decided_by),
        p.signed_off_by.join(";"),
        p.executed_by.clone(),
        p.executed_on.to_string(),
        p.executed_at.clone(),
        opt(&p.returned_at),
        opt(&p.completed_at),
        opt(&p.reference),
    ]
    .into_iter()
    .map(inert_cell)
    .collect()
}

/// A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before
/// one) as a formula. Account ids and alternate account details come from
/// customers: such a cell gets a leading apostrophe, the usual guard.
fn inert_cell(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}
