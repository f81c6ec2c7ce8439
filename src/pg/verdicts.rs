//! Keeping stored verdicts true on PostgreSQL, and applying a policy.

use super::PgStore;
use crate::domain::calendar::Calendar;
use crate::domain::policy::{Policy, Verdict};
use crate::store::{Applied, CalendarSource, DueText, StoreError};

impl PgStore {
    pub fn stored_policy_version(&self) -> anyhow::Result<Option<String>> {
        anyhow::bail!("not yet on PostgreSQL")
    }
    pub(crate) fn refresh_verdicts_if_policy_changed(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
    pub fn recompute_all(&mut self, _progress: impl FnMut(u64, u64)) -> anyhow::Result<(u64, u64)> {
        anyhow::bail!("not yet on PostgreSQL")
    }
    pub fn diff_verdicts(
        &self,
        _other: &Policy,
        _each: impl FnMut(&str, &str, &Verdict, &Verdict),
    ) -> anyhow::Result<()> {
        anyhow::bail!("not yet on PostgreSQL")
    }
    pub fn verify_verdicts(
        &self,
        _mismatch: impl FnMut(&str, &str, &str),
    ) -> anyhow::Result<(u64, u64)> {
        anyhow::bail!("not yet on PostgreSQL")
    }
    pub fn apply_policy(
        &mut self,
        _policy: Policy,
        _calendar: Option<CalendarSource>,
    ) -> Result<Option<Applied>, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn diff_due_dates(
        &self,
        _policy: &Policy,
        _calendar: &Calendar,
        _each: impl FnMut(&str, &str, &DueText, &DueText),
    ) -> anyhow::Result<()> {
        anyhow::bail!("not yet on PostgreSQL")
    }
}
