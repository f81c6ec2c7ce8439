//! `refund-desk init`: an empty desk, the creator its first supervisor. On
//! a desk of an older schema it is the explicit upgrade (reading commands
//! never write, so they refuse such a desk and point here).

use super::{ExitCode, Setup};
use crate::store::{self, Access, DeskKind, OlderSchema, Opening, Store};

pub fn run(setup: &Setup) -> anyhow::Result<ExitCode> {
    let path = store::default_path_creating(setup.db.as_deref())?;
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
