//! `refund-desk init`: an empty desk, the creator its first supervisor. On
//! a desk of an older schema it is the explicit upgrade (reading commands
//! never write, so they refuse such a desk and point here).

use super::{ExitCode, Setup};
use crate::desk::Location;
use crate::pg::PgStore;
use crate::store::{self, Access, DeskKind, OlderSchema, Opening, Store};

pub fn run(setup: &Setup) -> anyhow::Result<ExitCode> {
    let path = match setup.location(true)? {
        Location::File(path) => path,
        Location::Postgres(url) => return run_postgres(setup, &url),
    };
    let operator = crate::operator::current()?;
    let open = |access| {
        Store::open_with(
            &path,
            setup.policy.clone(),
            setup.calendar.clone(),
            &operator,
            Opening::new(access, setup.clock),
        )
    };
    if std::fs::symlink_metadata(&path).is_ok() {
        return match open(Access::Read) {
            Ok(desk) => {
                eprintln!(
                    "refund-desk: {} is already a desk ({}); nothing changed",
                    path.display(),
                    desk.kind().as_str()
                );
                Ok(ExitCode::Error)
            }
            Err(e) => match e.downcast_ref::<OlderSchema>() {
                Some(old) => {
                    let from = old.version;
                    open(Access::Write)?;
                    eprintln!(
                        "upgraded {} from schema version {from} to {}",
                        path.display(),
                        store::schema_version()
                    );
                    Ok(ExitCode::Ok)
                }
                None => Err(e),
            },
        };
    }
    let kind = DeskKind::for_clock(setup.clock);
    let desk = Store::create(
        &path,
        setup.policy.clone(),
        setup.calendar.clone(),
        &operator,
        kind,
        setup.clock,
    )?;
    eprintln!(
        "created an empty {} desk at {}; {} is its first supervisor",
        desk.kind().as_str(),
        path.display(),
        crate::text::inert(&operator)
    );
    Ok(ExitCode::Ok)
}

/// `init` on a PostgreSQL database: the desk's roles, schema and first
/// supervisor (whoever runs it: the DBA's setup in the README).
fn run_postgres(setup: &Setup, url: &str) -> anyhow::Result<ExitCode> {
    let shown = Location::Postgres(url.to_string()).shown();
    if PgStore::exists(url)? {
        let desk = PgStore::open_with(
            url,
            setup.policy.clone(),
            setup.calendar.clone(),
            Opening::new(Access::Read, setup.clock),
        )?;
        eprintln!(
            "refund-desk: {shown} is already a desk ({}); nothing changed",
            desk.kind().as_str()
        );
        return Ok(ExitCode::Error);
    }
    let desk = PgStore::create(
        url,
        setup.policy.clone(),
        setup.calendar.clone(),
        DeskKind::for_clock(setup.clock),
        setup.clock,
    )?;
    eprintln!(
        "created an empty {} desk at {shown}; {} is its first supervisor",
        desk.kind().as_str(),
        crate::text::inert(&desk.operator)
    );
    Ok(ExitCode::Ok)
}
