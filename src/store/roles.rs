//! Roles live in the database: the creator is the first supervisor, and
//! only supervisors grant or revoke. Every change is an event of the audit
//! trail (a desk-level one: it belongs to no ticket), written in the same
//! transaction as the role itself.

use super::{Store, StoreError};
use crate::domain::workflow::Role;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

/// Appends a role change to the audit trail.
fn record(
    tx: &Connection,
    operator: &str,
    at: &str,
    user: &str,
    role: Option<Role>,
    previous: Option<Role>,
    note: Option<&str>,
) -> rusqlite::Result<()> {
    let action = if role.is_some() {
        "role_grant"
    } else {
        "role_revoke"
    };
    tx.execute(
        "INSERT INTO events (ticket_id, action, from_state, to_state, operator, at, note, payload)
         VALUES (NULL, ?1, NULL, NULL, ?2, ?3, ?4, ?5)",
        params![
            action,
            operator,
            at,
            note,
            json!({
                "user": user,
                "role": role.map(Role::as_str),
                "previous": previous.map(Role::as_str),
            })
            .to_string()
        ],
    )?;
    Ok(())
}

/// The creator of a desk, its first supervisor (inside the creating transaction).
pub(crate) fn record_first_supervisor(
    tx: &Connection,
    operator: &str,
    at: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO operators (name, role, granted_by, granted_at) VALUES (?1, 'supervisor', ?1, ?2)",
        params![operator, at],
    )?;
    record(
        tx,
        operator,
        at,
        operator,
        Some(Role::Supervisor),
        None,
        Some("created the desk"),
    )
}

impl Store {
    pub fn role_of(&self, name: &str) -> Result<Option<Role>, StoreError> {
        let role: Option<String> = self
            .conn
            .query_row("SELECT role FROM operators WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(role.as_deref().and_then(Role::parse))
    }

    pub fn operators(&self) -> Result<Vec<(String, Role, String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, role, granted_by, granted_at FROM operators ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            let role: String = r.get(1)?;
            Ok((
                r.get(0)?,
                Role::parse(&role).unwrap_or(Role::Agent),
                r.get(2)?,
                r.get(3)?,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Grants (or changes) a role; `None` revokes. Only a supervisor may, and
    /// not on themselves, so the last supervisor cannot lock the desk out by
    /// accident. Returns whether anything changed (granting a role someone
    /// already has records nothing).
    pub fn set_role(&mut self, name: &str, role: Option<Role>) -> Result<bool, StoreError> {
        self.writable()?;
        let me = self.actor()?;
        if me.role != Role::Supervisor {
            return Err(StoreError::Refused(format!(
                "only a supervisor can change roles; {} is an agent",
                me.name
            )));
        }
        if name == me.name {
            return Err(StoreError::Refused(
                "a supervisor cannot change their own role; ask another supervisor".into(),
            ));
        }
        let at = super::stamp(self.clock.now());
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let previous: Option<Role> = tx
            .query_row("SELECT role FROM operators WHERE name = ?1", [name], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .as_deref()
            .and_then(Role::parse);
        if previous == role {
            return match role {
                Some(_) => Ok(false),
                None => Err(StoreError::Refused(format!(
                    "{name} has no role on this desk; nothing to revoke"
                ))),
            };
        }
        match role {
            Some(r) => tx.execute(
                "INSERT INTO operators (name, role, granted_by, granted_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name) DO UPDATE SET role = excluded.role, granted_by = excluded.granted_by, granted_at = excluded.granted_at",
                params![name, r.as_str(), me.name, at],
            )?,
            None => tx.execute("DELETE FROM operators WHERE name = ?1", [name])?,
        };
        record(&tx, &me.name, &at, name, role, previous, None)?;
        tx.commit()?;
        Ok(true)
    }
}
