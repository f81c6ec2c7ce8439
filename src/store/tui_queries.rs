//! Queries the console needs beyond the general list API.

use super::{Store, StoreError};

impl Store {
    /// Open tickets whose SLA target is before `today` (YYYY-MM-DD), the
    /// same set as `ListFilter { overdue_on: Some(today) }`, summed from the
    /// per-day counts (constant time). Tickets without a running clock carry
    /// `NO_DUE`, after every date.
    pub fn overdue_count(&self, today: &str) -> Result<u64, StoreError> {
        Ok(self
            .conn()
            .prepare_cached("SELECT coalesce(sum(n), 0) FROM due_counts WHERE day < ?1")?
            .query_row([today], |r| r.get::<_, i64>(0))? as u64)
    }
}

/// A waiting proposal with the version of the ticket it was read from.
pub type VersionedProposal = (i64, crate::domain::workflow::Proposal);

impl Store {
    /// The list row of ticket `id` if it matches `f` (the console follows a
    /// ticket into the queue it moved to).
    pub fn list_row(
        &self,
        id: &str,
        f: &super::ListFilter,
    ) -> Result<Option<super::ListRow>, StoreError> {
        use rusqlite::OptionalExtension;
        let mut args = vec![rusqlite::types::Value::Text(id.to_string())];
        let w = super::query::where_clause(f, &mut args);
        let sql = format!(
            "SELECT {} FROM tickets WHERE id = ?1 AND {w}",
            super::query::ROW_COLUMNS
        );
        Ok(self
            .conn()
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(args), super::query::read_row)
            .optional()?)
    }

    /// The waiting proposals of these tickets, with each ticket's version
    /// (the Pending queue shows what is proposed, by whom and why).
    pub fn proposals(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, VersionedProposal)>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT version, wf FROM tickets WHERE id = ?1 AND pending = 1")?;
        let mut out = Vec::new();
        for id in ids {
            let row: Option<(i64, String)> = {
                use rusqlite::OptionalExtension;
                stmt.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?
            };
            let Some((version, wf)) = row else { continue };
            let case: crate::domain::workflow::Case = serde_json::from_str(&wf)
                .map_err(|e| StoreError::Other(anyhow::anyhow!("{id}: workflow record: {e}")))?;
            if let Some(p) = case.pending {
                out.push((id.clone(), (version, p)));
            }
        }
        Ok(out)
    }
}
