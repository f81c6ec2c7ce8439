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

/// New facts for a ticket (`info_received --set`), inside the caller's
/// transaction: the ticket's raw JSON and columns replaced, the verdicts of
/// its account recomputed from it onward, what no longer stands voided —
/// as an `--update` import does (store::import_batch::apply_new_facts).
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply_new_facts(
    _tx: &mut postgres::Transaction<'_>,
    _old: (&crate::domain::ticket::Ticket, &str, &str),
    _ticket: &crate::domain::ticket::Ticket,
    _raw: &str,
    _rules: (
        &crate::domain::policy::Policy,
        &crate::domain::calendar::Calendar,
    ),
    _who: (&str, &str),
) -> anyhow::Result<()> {
    anyhow::bail!("not yet on PostgreSQL")
}
