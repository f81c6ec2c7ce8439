//! Desk administration: roles, backups, checks, demo data.

use super::{ExitCode, Setup};
use crate::domain::workflow::Role;
use clap::builder::PossibleValuesParser;
use std::path::Path;

#[derive(clap::Subcommand, Debug)]
pub enum RolesCommand {
    /// Give an OS user a role (supervisors only).
    Grant {
        user: String,
        #[arg(value_parser = PossibleValuesParser::new(["agent", "supervisor"]))]
        role: String,
    },
    /// Take an OS user's role away (supervisors only).
    Revoke { user: String },
}

pub fn roles(setup: &Setup, cmd: Option<RolesCommand>) -> anyhow::Result<ExitCode> {
    let mut store = setup.open_store()?;
    let result = match cmd {
        None => {
            for (name, role, by, at) in store.operators()? {
                println!("{name:<16} {role:<10} granted by {by} at {at}");
            }
            return Ok(ExitCode::Ok);
        }
        Some(RolesCommand::Grant { user, role }) => store.set_role(&user, Role::parse(&role)),
        Some(RolesCommand::Revoke { user }) => store.set_role(&user, None),
    };
    match result {
        Ok(()) => Ok(ExitCode::Ok),
        Err(e) => {
            eprintln!("refund-desk: {e}");
            Ok(ExitCode::Error)
        }
    }
}

pub fn backup(setup: &Setup, dest: &Path) -> anyhow::Result<ExitCode> {
    let store = setup.open_store()?;
    store.backup_to(dest)?;
    eprintln!("backed up {} to {}", store.path.display(), dest.display());
    Ok(ExitCode::Ok)
}

pub fn check(setup: &Setup) -> anyhow::Result<ExitCode> {
    let store = setup.open_store()?;
    let integrity = store.integrity_check()?;
    println!("integrity: {integrity}");
    let mismatches = store.verify_verdicts(|id, stored, fresh| {
        println!("verdict mismatch {id}: stored {stored}, fresh {fresh}");
    })?;
    println!(
        "verdicts: {} checked, {} mismatches",
        mismatches.0, mismatches.1
    );
    Ok(if integrity == "ok" && mismatches.1 == 0 {
        ExitCode::Ok
    } else {
        ExitCode::Error
    })
}
