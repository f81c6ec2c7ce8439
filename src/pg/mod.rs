//! The PostgreSQL store (SPEC §5): the same desk as `store::Store`, on a
//! server. One synchronous connection per process. The operator is the
//! session's authenticated user (peer authentication on the box, password
//! or certificate over TCP), never a name the client claims; desk roles are
//! the database's group roles, and every write goes through the desk's own
//! SECURITY DEFINER functions (`schema.sql`), so `psql` is no road around
//! the workflow, the audit trail or the roles.

mod act;
mod dashboard;
mod export;
mod import;
pub mod migrate;
mod open;
mod policy;
mod query;
mod roles;
mod rules;
mod verdicts;
mod writes;

pub use open::Names;

use crate::domain::calendar::Calendar;
use crate::domain::policy::Policy;
use crate::domain::workflow::Actor;
use crate::store::{Access, Clock, DeskKind, StoreError};
use std::cell::{Cell, RefCell};

/// The schema version a PostgreSQL desk of this binary has.
pub const SCHEMA_VERSION: i64 = 1;

pub struct PgStore {
    client: RefCell<postgres::Client>,
    /// The URL as given (messages show it without its password).
    pub url: String,
    pub policy: Policy,
    pub calendar: Calendar,
    /// `session_user`: who the server says we are.
    pub operator: String,
    names: Names,
    clock: Clock,
    kind: DeskKind,
    access: Access,
    /// Counts the NOTIFYs seen, for `change_mark`.
    changes: Cell<i64>,
}

impl PgStore {
    /// Business time: the system clock, or the pinned instant on a test or
    /// demo desk opened with one.
    pub fn now(&self) -> chrono::DateTime<chrono::FixedOffset> {
        self.clock.now()
    }

    pub fn kind(&self) -> DeskKind {
        self.kind
    }

    pub(crate) fn writable(&self) -> Result<(), StoreError> {
        if self.access == Access::Read {
            return Err(StoreError::Refused(
                "the desk is open for reading only: reading commands such as snapshot never write"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The connection, for one statement or one transaction at a time.
    pub(crate) fn client(&self) -> std::cell::RefMut<'_, postgres::Client> {
        self.client.borrow_mut()
    }

    /// The operator with their role, or a refusal naming how to get one.
    pub fn actor(&self) -> Result<Actor, StoreError> {
        self.actor_named(&self.operator)
    }

    pub fn actor_named(&self, name: &str) -> Result<Actor, StoreError> {
        match self.role_of(name)? {
            Some(role) => Ok(Actor {
                name: name.to_string(),
                role,
            }),
            None => Err(StoreError::Refused(format!(
                "{name} has no role on this desk; ask a supervisor: refund-desk roles grant {name} agent"
            ))),
        }
    }

    /// The server checks its own pages; here: the desk's schema is whole.
    pub fn integrity_check(&self) -> anyhow::Result<String> {
        let row = self.client().query_one(
            "SELECT (SELECT count(*) FROM refund_desk.tickets)
                  = coalesce((SELECT sum(n) FROM refund_desk.state_counts), 0)",
            &[],
        )?;
        Ok(if row.get::<_, bool>(0) {
            "ok".into()
        } else {
            "state counts disagree with the tickets".into()
        })
    }
}

/// A server error as the operator should read it: the desk's own refusals
/// (raised by its functions) as refusals, a stale version as `Stale`.
pub(crate) fn store_error(e: postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        if code == "RD409" {
            let detail: serde_json::Value = db
                .detail()
                .and_then(|d| serde_json::from_str(d).ok())
                .unwrap_or_default();
            let field = |k: &str| detail[k].as_str().unwrap_or("?").to_string();
            return StoreError::Stale {
                by: field("by"),
                at: field("at"),
            };
        }
        if code == "P0002" {
            return StoreError::NotFound(db.message().trim_start_matches("no ticket ").into());
        }
        if matches!(code, "42501" | "22023" | "42704" | "23505") {
            return StoreError::Refused(db.message().to_string());
        }
    }
    StoreError::Other(explain(e))
}

/// `store_error` for the anyhow roads.
pub(crate) fn explain(e: postgres::Error) -> anyhow::Error {
    match e.as_db_error() {
        Some(db) => anyhow::anyhow!("PostgreSQL: {} ({})", db.message(), db.code().code()),
        None => anyhow::anyhow!("PostgreSQL: {e}"),
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        store_error(e)
    }
}
