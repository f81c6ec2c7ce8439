//! The command line (SPEC §4): argument shapes here, one file per subcommand.

pub mod eval;

use crate::ingest::Rejected;
use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    Ok = 0,
    Error = 1,
    Usage = 2,
    Rejected = 3,
}

#[derive(Parser, Debug)]
#[command(
    name = "refund-desk",
    version,
    about = "Terminal console for the refund desk"
)]
pub struct Cli {
    /// The SQLite file (else $REFUND_DESK_DB, else the user's data directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Directory of policy files overriding the built-in ones of the same name.
    #[arg(long, global = true, value_name = "DIR")]
    pub policy_dir: Option<PathBuf>,
    /// Open the console on a fresh demo database.
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the verdicts of a JSONL file without touching any database.
    Eval {
        /// The file, or - for stdin.
        file: String,
    },
}

/// Opens a named file, or stdin for `-`.
pub fn open_input(name: &str) -> anyhow::Result<Box<dyn Read>> {
    if name == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    let f = std::fs::File::open(name).map_err(|e| anyhow::anyhow!("cannot open {name}: {e}"))?;
    Ok(Box::new(f))
}

pub fn report_rejected(file: &str, r: &Rejected) {
    eprintln!("{}:{}: {}", file, r.line, crate::text::inert(&r.reason));
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let policy = crate::domain::policy::Policy::load(cli.policy_dir.as_deref())?;
    match cli.command {
        Some(Command::Eval { file }) => eval::run(&file, &policy),
        None => anyhow::bail!("the console is not built yet"),
    }
}
