//! Workflow actions, notes, leases and letters on PostgreSQL. (Filled in by the act helper.)

use super::PgStore;
use crate::domain::letter::Letter;
use crate::domain::workflow::{Action, Actor};
use crate::store::{ActOutcome, StoreError};
use chrono::{DateTime, FixedOffset};

impl PgStore {
    pub fn act(
        &mut self,
        _id: &str,
        _action: &Action,
        _actor: &Actor,
        _expected_version: Option<i64>,
        _now: DateTime<FixedOffset>,
    ) -> Result<ActOutcome, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn note(
        &mut self,
        _id: &str,
        _action: &str,
        _note: &str,
        _payload: serde_json::Value,
    ) -> Result<(), StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn claim(
        &mut self,
        _id: &str,
        _now: DateTime<FixedOffset>,
    ) -> Result<Option<String>, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn release(&mut self, _id: &str) -> Result<(), StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn held_by_other(
        &self,
        _id: &str,
        _now: DateTime<FixedOffset>,
    ) -> Result<Option<String>, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
    pub fn record_letter_sent(
        &mut self,
        _id: &str,
        _version: i64,
        _letter: &Letter,
    ) -> Result<(), StoreError> {
        Err(StoreError::Other(anyhow::anyhow!("not yet on PostgreSQL")))
    }
}
