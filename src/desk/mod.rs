//! The desk whichever engine holds it: the command line and the console
//! work on a `Desk` and never learn which. A path is a SQLite file (the
//! embedded default); a `postgres://` or `postgresql://` URL is a desk on a
//! PostgreSQL server (SPEC §5). Every method has the same meaning on both.

pub mod location;

pub use location::Location;

use crate::domain::calendar::Calendar;
use crate::domain::letter::Letter;
use crate::domain::policy::{Policy, Verdict};
use crate::domain::workflow::{Action, Actor, Role};
use crate::ingest::Rejected;
use crate::pg::PgStore;
use crate::store::{
    ActOutcome, Applied, AuditEvent, CalendarSource, Dashboard, DeskKind, Detail, DueText,
    ImportOptions, ImportReport, ImportStep, ListFilter, ListRow, Page, PayoutFinding, PayoutRow,
    PolicyChange, Sort, Store, StoreError, VersionedProposal,
};
use chrono::{DateTime, FixedOffset, NaiveDate};
use std::io::Read;
use std::path::Path;

// One desk per process: the size of the SQLite variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Desk {
    Sqlite(Store),
    Postgres(Box<PgStore>),
}

impl From<Store> for Desk {
    fn from(s: Store) -> Desk {
        Desk::Sqlite(s)
    }
}

impl From<PgStore> for Desk {
    fn from(s: PgStore) -> Desk {
        Desk::Postgres(Box::new(s))
    }
}

/// The same call on whichever store the desk is.
macro_rules! on_both {
    ($desk:expr, $s:ident => $call:expr) => {
        match $desk {
            Desk::Sqlite($s) => $call,
            Desk::Postgres($s) => $call,
        }
    };
}

impl Desk {
    pub fn location(&self) -> Location {
        match self {
            Desk::Sqlite(s) => Location::File(s.path.clone()),
            Desk::Postgres(p) => Location::Postgres(p.url.clone()),
        }
    }

    /// Where the desk is, for messages (a URL without its password).
    pub fn shown(&self) -> String {
        self.location().shown()
    }

    pub fn policy(&self) -> &Policy {
        on_both!(self, s => &s.policy)
    }

    pub fn calendar(&self) -> &Calendar {
        on_both!(self, s => &s.calendar)
    }

    pub fn operator(&self) -> &str {
        on_both!(self, s => &s.operator)
    }

    pub fn now(&self) -> DateTime<FixedOffset> {
        on_both!(self, s => s.now())
    }

    pub fn kind(&self) -> DeskKind {
        on_both!(self, s => s.kind())
    }

    pub fn actor(&self) -> Result<Actor, StoreError> {
        on_both!(self, s => s.actor())
    }

    pub fn actor_named(&self, name: &str) -> Result<Actor, StoreError> {
        on_both!(self, s => s.actor_named(name))
    }

    pub fn role_of(&self, name: &str) -> Result<Option<Role>, StoreError> {
        on_both!(self, s => s.role_of(name))
    }

    pub fn operators(&self) -> Result<Vec<(String, Role, String, String)>, StoreError> {
        on_both!(self, s => s.operators())
    }

    pub fn set_role(&mut self, name: &str, role: Option<Role>) -> Result<bool, StoreError> {
        on_both!(self, s => s.set_role(name, role))
    }

    pub fn act(
        &mut self,
        id: &str,
        action: &Action,
        actor: &Actor,
        expected_version: Option<i64>,
        now: DateTime<FixedOffset>,
    ) -> Result<ActOutcome, StoreError> {
        on_both!(self, s => s.act(id, action, actor, expected_version, now))
    }

    pub fn note(
        &mut self,
        id: &str,
        action: &str,
        note: &str,
        payload: serde_json::Value,
    ) -> Result<(), StoreError> {
        on_both!(self, s => s.note(id, action, note, payload))
    }

    pub fn import(
        &mut self,
        name: &str,
        reader: impl Read + Send,
        opts: ImportOptions,
        on_reject: impl FnMut(&Rejected),
        progress: impl FnMut(ImportStep),
    ) -> anyhow::Result<ImportReport> {
        on_both!(self, s => s.import(name, reader, opts, on_reject, progress))
    }

    pub fn claim(
        &mut self,
        id: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<String>, StoreError> {
        on_both!(self, s => s.claim(id, now))
    }

    pub fn release(&mut self, id: &str) -> Result<(), StoreError> {
        on_both!(self, s => s.release(id))
    }

    pub fn held_by_other(
        &self,
        id: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<String>, StoreError> {
        on_both!(self, s => s.held_by_other(id, now))
    }

    pub fn record_letter_sent(
        &mut self,
        id: &str,
        version: i64,
        letter: &Letter,
    ) -> Result<(), StoreError> {
        on_both!(self, s => s.record_letter_sent(id, version, letter))
    }

    pub fn page(
        &self,
        f: &ListFilter,
        sort: Sort,
        at: &Page,
        limit: usize,
    ) -> Result<Vec<ListRow>, StoreError> {
        on_both!(self, s => s.page(f, sort, at, limit))
    }

    pub fn for_each(
        &self,
        f: &ListFilter,
        each: impl FnMut(ListRow) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        on_both!(self, s => s.for_each(f, each))
    }

    pub fn count(&self, f: &ListFilter) -> Result<u64, StoreError> {
        on_both!(self, s => s.count(f))
    }

    pub fn count_at_most(
        &self,
        f: &ListFilter,
        cap: u64,
        budget: std::time::Duration,
    ) -> Result<Option<u64>, StoreError> {
        on_both!(self, s => s.count_at_most(f, cap, budget))
    }

    pub fn state_counts(&self) -> Result<std::collections::BTreeMap<String, u64>, StoreError> {
        on_both!(self, s => s.state_counts())
    }

    /// Changes whenever anything on the desk changed: the console polls it.
    pub fn change_mark(&self) -> Result<i64, StoreError> {
        on_both!(self, s => s.change_mark())
    }

    pub fn detail(&self, id: &str) -> Result<Detail, StoreError> {
        on_both!(self, s => s.detail(id))
    }

    pub fn overdue_count(&self, today: &str) -> Result<u64, StoreError> {
        on_both!(self, s => s.overdue_count(today))
    }

    pub fn list_row(&self, id: &str, f: &ListFilter) -> Result<Option<ListRow>, StoreError> {
        on_both!(self, s => s.list_row(id, f))
    }

    pub fn proposals(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, VersionedProposal)>, StoreError> {
        on_both!(self, s => s.proposals(ids))
    }

    pub fn dashboard(&self, today: NaiveDate) -> Result<Dashboard, StoreError> {
        on_both!(self, s => s.dashboard(today))
    }

    pub fn for_each_event(
        &self,
        since: i64,
        each: impl FnMut(AuditEvent) -> anyhow::Result<()>,
    ) -> Result<u64, StoreError> {
        on_both!(self, s => s.for_each_event(since, each))
    }

    pub fn payouts(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> anyhow::Result<Vec<PayoutRow>> {
        on_both!(self, s => s.payouts(from, to))
    }

    pub fn payout_findings(&self) -> anyhow::Result<Vec<PayoutFinding>> {
        on_both!(self, s => s.payout_findings())
    }

    pub fn duplicate_references(&self) -> anyhow::Result<Vec<(String, Vec<String>)>> {
        on_both!(self, s => s.duplicate_references())
    }

    pub fn integrity_check(&self) -> anyhow::Result<String> {
        on_both!(self, s => s.integrity_check())
    }

    /// A consistent copy of a SQLite desk; a PostgreSQL desk is backed up
    /// by its server (`pg_dump`), which says so.
    pub fn backup_to(&self, dest: &Path) -> anyhow::Result<()> {
        match self {
            Desk::Sqlite(s) => s.backup_to(dest),
            Desk::Postgres(_) => anyhow::bail!(
                "a PostgreSQL desk is backed up by its server: pg_dump (or the server's own backups), not refund-desk backup"
            ),
        }
    }

    pub fn policy_history(&self) -> anyhow::Result<Vec<PolicyChange>> {
        on_both!(self, s => s.policy_history())
    }

    pub fn calendar_source(&self) -> anyhow::Result<CalendarSource> {
        on_both!(self, s => s.calendar_source())
    }

    pub fn apply_policy(
        &mut self,
        policy: Policy,
        calendar: Option<CalendarSource>,
    ) -> Result<Option<Applied>, StoreError> {
        on_both!(self, s => s.apply_policy(policy, calendar))
    }

    pub fn diff_due_dates(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        each: impl FnMut(&str, &str, &DueText, &DueText),
    ) -> anyhow::Result<()> {
        on_both!(self, s => s.diff_due_dates(policy, calendar, each))
    }

    pub fn stored_policy_version(&self) -> anyhow::Result<Option<String>> {
        on_both!(self, s => s.stored_policy_version())
    }

    pub fn recompute_all(&mut self, progress: impl FnMut(u64, u64)) -> anyhow::Result<(u64, u64)> {
        on_both!(self, s => s.recompute_all(progress))
    }

    pub fn diff_verdicts(
        &self,
        other: &Policy,
        each: impl FnMut(&str, &str, &Verdict, &Verdict),
    ) -> anyhow::Result<()> {
        on_both!(self, s => s.diff_verdicts(other, each))
    }

    pub fn verify_verdicts(
        &self,
        mismatch: impl FnMut(&str, &str, &str),
    ) -> anyhow::Result<(u64, u64)> {
        on_both!(self, s => s.verify_verdicts(mismatch))
    }

    /// The SQLite store underneath, for what only a file has (backup, the
    /// bulk loader's phases); `None` on PostgreSQL.
    pub fn sqlite(&mut self) -> Option<&mut Store> {
        match self {
            Desk::Sqlite(s) => Some(s),
            Desk::Postgres(_) => None,
        }
    }
}
