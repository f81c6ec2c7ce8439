//! Read queries on PostgreSQL.

use super::PgStore;
use crate::store::{
    Dashboard, Detail, ListFilter, ListRow, Page, Sort, StoreError, VersionedProposal,
};
use chrono::NaiveDate;

impl PgStore {
    pub fn page(
        &self,
        _f: &ListFilter,
        _sort: Sort,
        _at: &Page,
        _limit: usize,
    ) -> Result<Vec<ListRow>, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn for_each(
        &self,
        _f: &ListFilter,
        _each: impl FnMut(ListRow) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        anyhow::bail!("not yet on PostgreSQL")
    }
    pub fn count(&self, _f: &ListFilter) -> Result<u64, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn count_at_most(
        &self,
        _f: &ListFilter,
        _cap: u64,
        _budget: std::time::Duration,
    ) -> Result<Option<u64>, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn state_counts(&self) -> Result<std::collections::BTreeMap<String, u64>, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn change_mark(&self) -> Result<i64, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn detail(&self, _id: &str) -> Result<Detail, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn overdue_count(&self, _today: &str) -> Result<u64, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn list_row(&self, _id: &str, _f: &ListFilter) -> Result<Option<ListRow>, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn proposals(
        &self,
        _ids: &[String],
    ) -> Result<Vec<(String, VersionedProposal)>, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn dashboard(&self, _today: NaiveDate) -> Result<Dashboard, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
}

/// What the search column holds: the same fields a file desk indexes,
/// lower-cased, one per line, so a trigram index finds any substring in
/// any script (CJK included) and `search` is a case-insensitive substring.
pub(crate) fn search_document(t: &crate::domain::ticket::Ticket) -> String {
    [
        Some(t.id.as_str()),
        Some(t.account_id.as_str()),
        t.account_name.as_deref(),
        t.email.as_deref(),
        t.package.sdk_app_id.as_deref(),
        t.contract.number.as_deref(),
        t.subject.as_deref(),
        t.description.as_deref(),
    ]
    .iter()
    .flatten()
    .map(|s| s.to_lowercase())
    .collect::<Vec<_>>()
    .join("\n")
}
