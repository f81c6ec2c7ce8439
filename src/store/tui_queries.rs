//! Queries the console needs beyond the general list API.

use super::{Store, StoreError};

impl Store {
    /// Open tickets whose SLA target is before `today` (YYYY-MM-DD), the
    /// same set as `ListFilter { overdue_on: Some(today) }`, counted on the
    /// due index alone. No state test is needed: tickets without a running
    /// clock (terminal states among them) carry `NO_DUE`, after every date.
    pub fn overdue_count(&self, today: &str) -> Result<u64, StoreError> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT count(*) FROM tickets INDEXED BY tickets_by_due \
                 WHERE due_target < ?1",
            )?
            .query_row([today], |r| r.get::<_, i64>(0))? as u64)
    }
}
