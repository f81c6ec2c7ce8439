//! Audit trail and payout exports on PostgreSQL.

use super::PgStore;
use crate::store::{AuditEvent, PayoutFinding, PayoutRow, StoreError};
use chrono::NaiveDate;

impl PgStore {
    pub fn for_each_event(
        &self,
        _since: i64,
        _each: impl FnMut(AuditEvent) -> anyhow::Result<()>,
    ) -> Result<u64, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn payouts(
        &self,
        _from: Option<NaiveDate>,
        _to: Option<NaiveDate>,
    ) -> anyhow::Result<Vec<PayoutRow>> {
        anyhow::bail!("not yet on PostgreSQL")
    }
    pub fn payout_findings(&self) -> anyhow::Result<Vec<PayoutFinding>> {
        anyhow::bail!("not yet on PostgreSQL")
    }
    pub fn duplicate_references(&self) -> anyhow::Result<Vec<(String, Vec<String>)>> {
        anyhow::bail!("not yet on PostgreSQL")
    }
}
