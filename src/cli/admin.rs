//! Desk administration: roles, backups, checks, demo data.

use super::{ExitCode, Setup};
use crate::domain::workflow::Role;
use clap::builder::PossibleValuesParser;
use std::path::Path;

#[derive(clap::Subcommand, Debug)]
pub enum RolesCommand {
    /// Give an OS user a role (supervisors only).
    Grant {
        /// The OS login name.
        user: String,
        /// The role to give.
        #[arg(value_parser = PossibleValuesParser::new(["agent", "supervisor"]))]
        role: String,
    },
    /// Take an OS user's role away (supervisors only).
    Revoke {
        /// The OS login name.
        user: String,
    },
}

pub fn roles(setup: &Setup, cmd: Option<RolesCommand>) -> anyhow::Result<ExitCode> {
    let Some(cmd) = cmd else {
        let store = setup.open_reader_any()?;
        for (name, role, by, at) in store.operators()? {
            println!("{name:<16} {role:<10} granted by {by} at {at}");
        }
        return Ok(ExitCode::Ok);
    };
    if let RolesCommand::Grant { user, .. } = &cmd {
        // A role for a name no one logs in as could never be used — or could
        // be by whoever creates that account later.
        if !crate::operator::exists(user)? {
            eprintln!(
                "refund-desk: roles grant: there is no OS user {}: a role is for someone who logs in",
                crate::text::inert(user)
            );
            return Ok(ExitCode::Error);
        }
    }
    let mut store = setup.open_store()?;
    let result = match cmd {
        RolesCommand::Grant { user, role } => store.set_role(&user, Role::parse(&role)),
        RolesCommand::Revoke { user } => store.set_role(&user, None),
    };
    match result {
        Ok(_) => Ok(ExitCode::Ok),
        Err(e) => {
            eprintln!("refund-desk: {e}");
            Ok(ExitCode::Error)
        }
    }
}

pub fn backup(setup: &Setup, dest: &Path) -> anyhow::Result<ExitCode> {
    // A copy only reads the desk.
    let store = setup.open_reader()?;
    store.backup_to(dest)?;
    eprintln!("backed up {} to {}", store.shown(), dest.display());
    Ok(ExitCode::Ok)
}

pub fn check(setup: &Setup) -> anyhow::Result<ExitCode> {
    let store = setup.open_reader()?;
    let integrity = store.integrity_check()?;
    println!("integrity: {integrity}");
    let mismatches = store.verify_verdicts(|id, stored, fresh| {
        println!("verdict mismatch {id}: stored {stored}, fresh {fresh}");
    })?;
    println!(
        "verdicts: {} checked, {} mismatches",
        mismatches.0, mismatches.1
    );
    // Money that left without the sign-off the verdict in force asks for:
    // a verdict changed after execute, or a payout from before four-eyes held.
    let findings = store.payout_findings()?;
    for f in &findings {
        println!(
            "payout not supported {}: {} {} executed; needs a second supervisor's sign-off it did not get: {}",
            f.ticket,
            f.amount,
            f.currency,
            crate::text::inert(&f.unsigned.join("; "))
        );
    }
    let duplicates = store.duplicate_references()?;
    for (reference, tickets) in &duplicates {
        println!(
            "payout reference {} used by several tickets: {}",
            crate::text::inert(reference),
            tickets.join(", ")
        );
    }
    println!(
        "payouts: {} not supported by the verdict in force, {} duplicate references",
        findings.len(),
        duplicates.len()
    );
    let money_ok = findings.is_empty() && duplicates.is_empty();
    Ok(if integrity == "ok" && mismatches.1 == 0 && money_ok {
        ExitCode::Ok
    } else {
        ExitCode::Error
    })
}

/// `migrate --to URL`: the desk (a SQLite file) into an empty PostgreSQL
/// database; success only once every table's count and digest match.
pub fn migrate(setup: &Setup, to: &str) -> anyhow::Result<ExitCode> {
    if !crate::desk::location::is_url(to) {
        eprintln!("refund-desk: migrate: --to takes a postgres:// or postgresql:// URL");
        return Ok(ExitCode::Usage);
    }
    let mut desk = setup.open_reader()?;
    let shown = desk.shown();
    let Some(source) = desk.sqlite() else {
        eprintln!("refund-desk: migrate: {shown} is a PostgreSQL desk already; migrate copies a SQLite desk");
        return Ok(ExitCode::Usage);
    };
    // Only a supervisor moves the whole desk, audit trail and roles included.
    if source.actor()?.role != crate::domain::workflow::Role::Supervisor {
        eprintln!("refund-desk: migrate: only a supervisor can migrate the desk");
        return Ok(ExitCode::Error);
    }
    let checks = crate::pg::migrate::migrate(source, to)?;
    let target = crate::desk::Location::Postgres(to.to_string()).shown();
    let mut all = true;
    for c in &checks {
        let ok = c.matches();
        all &= ok;
        println!(
            "{:<15} {:>9} rows → {:>9} rows  sha256 {}…  {}",
            c.table,
            c.source_rows,
            c.target_rows,
            &c.target_digest[..16],
            if ok { "same" } else { "DIFFERENT" }
        );
    }
    if all {
        eprintln!("migrated {shown} to {target}: every table's rows and digest match");
        Ok(ExitCode::Ok)
    } else {
        eprintln!("refund-desk: migrate: the copy at {target} does NOT match {shown}; drop that database and try again");
        Ok(ExitCode::Error)
    }
}
