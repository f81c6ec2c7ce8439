//! Desk roles are the database's group roles `<db>_agent` and
//! `<db>_supervisor` (SPEC §5): membership is what the server checks in the
//! desk's functions, so a role given here is the role `psql` sees too.
//! Grants and revokes go through `refund_desk.set_role`, supervisors only,
//! each an event of the audit trail.

use super::PgStore;
use crate::domain::workflow::Role;
use crate::store::StoreError;

impl PgStore {
    pub fn role_of(&self, name: &str) -> Result<Option<Role>, StoreError> {
        let row = self.client().query_one(
            "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) THEN NULL
                         WHEN pg_has_role($1, $2, 'MEMBER') THEN 'supervisor'
                         WHEN pg_has_role($1, $3, 'MEMBER') THEN 'agent' END",
            &[&name, &self.names.supervisor, &self.names.agent],
        )?;
        let role: Option<String> = row.get(0);
        // The owner role is a member of both groups (it grants them); it is
        // no operator.
        if name == self.names.owner {
            return Ok(None);
        }
        Ok(role.as_deref().and_then(Role::parse))
    }

    /// Every operator with a desk role, with who granted it and when (from
    /// the audit trail's last grant).
    pub fn operators(&self) -> Result<Vec<(String, Role, String, String)>, StoreError> {
        let rows = self.client().query(
            "SELECT m.rolname::text, g.rolname::text,
                    coalesce(e.operator, ''), coalesce(e.at, '')
               FROM pg_auth_members am
               JOIN pg_roles g ON g.oid = am.roleid
               JOIN pg_roles m ON m.oid = am.member
               LEFT JOIN LATERAL (
                    SELECT operator, at FROM refund_desk.events
                     WHERE ticket_id IS NULL AND action = 'role_grant'
                       AND payload::jsonb ->> 'user' = m.rolname::text
                     ORDER BY seq DESC LIMIT 1) e ON true
              WHERE g.rolname IN ($1, $2) AND m.rolname <> $3
              ORDER BY m.rolname, g.rolname DESC",
            &[&self.names.supervisor, &self.names.agent, &self.names.owner],
        )?;
        let mut out: Vec<(String, Role, String, String)> = Vec::new();
        for r in rows {
            let name: String = r.get(0);
            let group: String = r.get(1);
            let role = if group == self.names.supervisor {
                Role::Supervisor
            } else {
                Role::Agent
            };
            // A supervisor who is also in the agent group is listed once.
            if out.last().is_some_and(|(n, ..)| *n == name) {
                continue;
            }
            out.push((name, role, r.get(2), r.get(3)));
        }
        Ok(out)
    }

    /// Grants (or changes) a role; `None` revokes. The desk's function checks
    /// that the caller is a supervisor and not changing their own role.
    pub fn set_role(&mut self, name: &str, role: Option<Role>) -> Result<bool, StoreError> {
        self.writable()?;
        let at = crate::store::stamp(self.now());
        let row = self.client().query_one(
            "SELECT refund_desk.set_role($1, $2, $3, NULL)",
            &[&name, &role.map(Role::as_str), &at],
        )?;
        Ok(row.get(0))
    }
}
