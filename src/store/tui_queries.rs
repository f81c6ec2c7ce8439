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
