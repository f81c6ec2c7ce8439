//! Import on PostgreSQL.

use super::PgStore;
use crate::ingest::Rejected;
use crate::store::{ImportOptions, ImportReport, ImportStep};
use std::io::Read;

impl PgStore {
    pub fn import(
        &mut self,
        _name: &str,
        _reader: impl Read + Send,
        _opts: ImportOptions,
        _on_reject: impl FnMut(&Rejected),
        _progress: impl FnMut(ImportStep),
    ) -> anyhow::Result<ImportReport> {
        anyhow::bail!("not yet on PostgreSQL")
    }
}
