//! Roles live in the database: the creator is the first supervisor, and
//! only supervisors grant or revoke.

use super::{Store, StoreError};
use crate::domain::workflow::Role;
use rusqlite::{params, OptionalExtension};

impl Store {
    pub(crate) fn bootstrap_first_supervisor(&mut self) -> anyhow::Result<()> {
        self.conn.execute(
            // Only while the desk has no operator at all: of several agents
            // opening a brand-new file at once, only the first becomes supervisor.
            "INSERT INTO operators (name, role, granted_by, granted_at)
             SELECT ?1, 'supervisor', ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM operators)",
            params![self.operator, super::stamp(super::now())],
        )?;
        Ok(())
    }

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
    /// not on themselves, so the last supervisor cannot lock the desk out by accident.
    pub fn set_role(&mut self, name: &str, role: Option<Role>) -> Result<(), StoreError> {
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
        let at = super::stamp(super::now());
        match role {
            Some(r) => self.conn.execute(
                "INSERT INTO operators (name, role, granted_by, granted_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name) DO UPDATE SET role = excluded.role, granted_by = excluded.granted_by, granted_at = excluded.granted_at",
                params![name, r.as_str(), me.name, at],
            )?,
            None => self.conn.execute("DELETE FROM operators WHERE name = ?1", [name])?,
        };
        Ok(())
    }
}
