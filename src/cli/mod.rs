//! The command line (SPEC §4): argument shapes here, one file per subcommand.

pub mod act;
pub mod admin;
pub mod console;
pub mod deferred;
pub mod demo;
pub mod eval;
pub mod export;
pub mod export_events;
pub mod import;
pub mod init;
pub mod letter;
pub mod list;
pub mod policy;
pub mod show;
pub mod snapshot;

use crate::desk::{Desk, Location};
use crate::domain::calendar::Calendar;
use crate::domain::policy::Policy;
use crate::ingest::Rejected;
use crate::pg::PgStore;
use crate::store::{self, Access, Clock, DeskKind, Opening, Store};
use clap::{Parser, Subcommand};
use deferred::Deferred;
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
    /// Open the console (or snapshot) on a fresh demo database.
    #[arg(long, global = true)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// Commands that read and write tickets on several threads at once.
    pub fn loads_in_bulk(&self) -> bool {
        matches!(
            self.command,
            Some(Command::Import { .. } | Command::Demo { .. })
        )
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create an empty desk; you become its first supervisor.
    Init,
    /// Import tickets from JSON Lines or CSV files (- for stdin).
    Import {
        /// JSON Lines or CSV files; - for stdin.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// Apply changed content to existing tickets (recorded as events).
        #[arg(long)]
        update: bool,
    },
    /// List tickets with their verdicts.
    List(Deferred<list::ListArgs>),
    /// Show one ticket: verdict with clause texts, due dates, history.
    Show {
        /// The ticket id.
        id: String,
        /// Print JSON (times in RFC 3339) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Perform a workflow action on one ticket or several.
    #[command(allow_missing_positional = true)]
    Act(Deferred<act::ActArgs>),
    /// Print the verdicts of a JSONL file without touching any database.
    Eval {
        /// The file, or - for stdin.
        file: String,
        /// Policy files replacing the built-in ones of the same name.
        #[arg(long, value_name = "DIR")]
        policy_dir: Option<PathBuf>,
    },
    /// Generate N realistic demo tickets into the database.
    Demo {
        /// How many tickets to generate.
        #[arg(long, default_value_t = 500)]
        tickets: u64,
        /// The generator's seed: the same seed gives the same tickets.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Print the tickets as JSON Lines instead of importing them.
        #[arg(long)]
        print: bool,
    },
    /// Show or change who may act (supervisors only change).
    Roles {
        #[command(subcommand)]
        command: Option<Deferred<admin::RolesCommand>>,
    },
    /// Print the customer reply draft for the ticket's current decision or offer.
    Letter {
        /// The ticket id.
        id: String,
        /// Record that this exact text was sent to the customer (an event on
        /// the ticket; needs a role on the desk).
        #[arg(long)]
        sent: bool,
    },
    /// The desk's policy: show it, preview a change, apply one (supervisors).
    Policy {
        #[command(subcommand)]
        command: Deferred<policy::PolicyCommand>,
    },
    /// Take a consistent online copy of the database.
    Backup {
        /// Where the copy goes (must not exist yet).
        path: PathBuf,
    },
    /// Check the database: integrity, and every stored verdict against a fresh evaluation.
    Check,
    /// Copy this SQLite desk into an empty PostgreSQL database and verify the copy.
    Migrate {
        /// The PostgreSQL database: postgres://… or postgresql://…
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Write the desk's records out: payouts for finance, the audit trail for archiving.
    Export {
        #[command(subcommand)]
        command: Deferred<export::ExportCommand>,
    },
    /// Render the console headless after feeding it keys; print the screen as text.
    Snapshot(Deferred<snapshot::SnapshotArgs>),
    /// Print shell completions: `refund-desk completions bash > /etc/bash_completion.d/refund-desk`.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

/// Opens a named file, or stdin for `-`.
pub fn open_input(name: &str) -> anyhow::Result<Box<dyn Read + Send>> {
    if name == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    let f = std::fs::File::open(name).map_err(|e| anyhow::anyhow!("cannot open {name}: {e}"))?;
    Ok(Box::new(f))
}

pub fn report_rejected(file: &str, r: &Rejected) {
    eprintln!("{}:{}: {}", file, r.line, crate::text::inert(&r.reason));
}

/// Policy, calendar, clock and database as the global options and the
/// environment say: read here, at the edge, and handed to the store.
pub struct Setup {
    pub db: Option<PathBuf>,
    pub policy: Policy,
    pub calendar: Calendar,
    pub clock: Clock,
}

impl Setup {
    /// Where the desk is: `--db`, else `$REFUND_DESK_DB`, else the data directory.
    pub fn location(&self, creating: bool) -> anyhow::Result<Location> {
        Location::resolve(self.db.as_deref(), creating)
    }

    fn open(&self, access: Access) -> anyhow::Result<Desk> {
        let how = Opening::new(access, self.clock);
        let (policy, calendar) = (self.policy.clone(), self.calendar.clone());
        Ok(match self.location(false)? {
            Location::File(path) => Desk::Sqlite(Store::open_with(
                &path,
                policy,
                calendar,
                &crate::operator::current()?,
                how,
            )?),
            Location::Postgres(url) => {
                Desk::Postgres(Box::new(PgStore::open_with(&url, policy, calendar, how)?))
            }
        })
    }

    /// Writing commands: an existing desk, brought up to date on open.
    pub fn open_store(&self) -> anyhow::Result<Desk> {
        self.open(Access::Write)
    }

    /// Reading commands: an existing desk, read-only, and only for an
    /// operator with a role on it (no role, no tickets).
    pub fn open_reader(&self) -> anyhow::Result<Desk> {
        with_role(self.open(Access::Read)?)
    }

    /// Reading what is not tickets (who has which role): read-only, no role needed.
    pub fn open_reader_any(&self) -> anyhow::Result<Desk> {
        self.open(Access::Read)
    }

    /// The console: may act, changes nothing by opening; a role is needed.
    pub fn open_console(&self) -> anyhow::Result<Desk> {
        with_role(self.open(Access::Console)?)
    }

    /// `import` and `demo`: the desk, created (as `kind`) if there is none.
    pub fn open_or_create(&self, kind: DeskKind) -> anyhow::Result<Desk> {
        let (policy, calendar) = (self.policy.clone(), self.calendar.clone());
        Ok(match self.location(true)? {
            Location::File(path) => Desk::Sqlite(Store::open_or_create(
                &path,
                policy,
                calendar,
                &crate::operator::current()?,
                kind,
                self.clock,
            )?),
            Location::Postgres(url) => Desk::Postgres(Box::new(PgStore::open_or_create(
                &url, policy, calendar, kind, self.clock,
            )?)),
        })
    }
}

fn with_role(store: Desk) -> anyhow::Result<Desk> {
    store.actor().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(store)
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    store::file_modes::keep_group_access();
    // SQLite failures get an operator's explanation whichever road they took.
    run_command(cli).map_err(store::explain_any)
}

fn run_command(cli: Cli) -> anyhow::Result<ExitCode> {
    let setup = Setup {
        db: cli.db,
        policy: Policy::builtin(),
        calendar: Calendar::builtin_default(),
        clock: Clock::from_env()?,
    };
    match cli.command {
        Some(Command::Eval { file, policy_dir }) => eval::run(&file, policy_dir.as_deref()),
        Some(Command::Init) => init::run(&setup),
        Some(Command::Import { files, update }) => import::run(&setup, &files, update),
        Some(Command::List(Deferred(args))) => list::run(&setup, &args),
        Some(Command::Show { id, json }) => show::run(&setup, &id, json),
        Some(Command::Act(Deferred(args))) => act::run(&setup, args),
        Some(Command::Demo {
            tickets,
            seed,
            print,
        }) => demo::run(&setup, tickets, seed, print),
        Some(Command::Roles { command }) => admin::roles(&setup, command.map(|c| c.0)),
        Some(Command::Letter { id, sent }) => letter::run(&setup, &id, sent),
        Some(Command::Policy { command }) => policy::run(&setup, command.0),
        Some(Command::Backup { path }) => admin::backup(&setup, &path),
        Some(Command::Check) => admin::check(&setup),
        Some(Command::Migrate { to }) => admin::migrate(&setup, &to),
        Some(Command::Export { command }) => export::run(&setup, command.0),
        Some(Command::Snapshot(Deferred(args))) => snapshot::run(&setup, cli.demo, &args),
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "refund-desk",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::Ok)
        }
        None => console::run(&setup, cli.demo),
    }
}
