//! Queries the console needs beyond the general list API.

use super::{Store, StoreError};

impl Store {
    /// Open tickets whose SLA target is before `today` (YYYY-MM-DD), the
    /// same set as `ListFilter { overdue_on: Some(today) }`, counted on the
    /// partial due index alone. No state test is needed: `due_target` is only
    /// ever written from `Case::due`, which is `None` in the terminal states.
    pub fn overdue_count(&self, today: &str) -> Result<u64, StoreError> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT count(*) FROM tickets INDEXED BY tickets_by_due \
                 WHERE due_target IS NOT NULL AND due_target < ?1",
            )?
            .query_row([today], |r| r.get::<_, i64>(0))? as u64)
    }
}
