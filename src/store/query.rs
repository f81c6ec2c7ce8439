//! Read queries. The list never loads the whole table: pages are keyset
//! pages over an index that serves the filter and the sort.

use super::plan::Arm;
use super::verdicts::parse_stored;
use super::{Store, StoreError};
use crate::domain::calendar::Due;
use crate::domain::policy::Verdict;
use crate::domain::ticket::Ticket;
use crate::domain::workflow::Case;
use rusqlite::types::Value as Sql;
use rusqlite::{params_from_iter, OptionalExtension, Row};
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Any of these states (empty: all).
    pub states: Vec<String>,
    pub verdict: Option<String>,
    pub product: Option<String>,
    pub assignee: Option<String>,
    /// Only proposals waiting for a supervisor.
    pub pending: bool,
    /// Only tickets whose target date is before this date (YYYY-MM-DD).
    pub overdue_on: Option<String>,
    /// Case-insensitive substring of id, account, customer name or the customer's text.
    pub search: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Received,
    Due,
}

/// Where a page starts: the ends, or just past a row's key.
#[derive(Clone, Debug, PartialEq)]
pub enum Page {
    First,
    Last,
    After(SortKey),
    Before(SortKey),
}

/// The value a list is sorted by, whichever engine holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortValue {
    Int(i64),
    Text(String),
}

impl SortValue {
    pub(super) fn sql(&self) -> Sql {
        match self {
            SortValue::Int(n) => Sql::Integer(*n),
            SortValue::Text(s) => Sql::Text(s.clone()),
        }
    }
}

/// (sort value, id): the keyset position of a row.
pub type SortKey = (SortValue, String);

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ListRow {
    pub id: String,
    pub received_at: String,
    #[serde(skip)]
    pub received_us: i64,
    pub product: String,
    pub account_id: String,
    pub customer: Option<String>,
    pub currency: String,
    pub requested: Option<String>,
    pub state: String,
    pub assignee: Option<String>,
    pub pending: bool,
    pub due_target: Option<String>,
    pub due_breach: Option<String>,
    pub version: i64,
    pub verdict: Verdict,
}

impl ListRow {
    pub fn key(&self, sort: Sort) -> SortKey {
        let v = match sort {
            Sort::Received => SortValue::Int(self.received_us),
            Sort::Due => SortValue::Text(
                self.due_target
                    .clone()
                    .unwrap_or_else(|| super::NO_DUE.into()),
            ),
        };
        (v, self.id.clone())
    }
}

pub(super) const ROW_COLUMNS: &str =
    "id, received_at, received_us, product, account_id, customer, currency, requested, \
    state, assignee, pending, due_target, due_breach, version, verdict";

pub(super) fn read_row(r: &Row) -> rusqlite::Result<ListRow> {
    let verdict: String = r.get(14)?;
    Ok(ListRow {
        id: r.get(0)?,
        received_at: r.get(1)?,
        received_us: r.get(2)?,
        product: r.get(3)?,
        account_id: r.get(4)?,
        customer: r.get(5)?,
        currency: r.get(6)?,
        requested: r.get(7)?,
        state: r.get(8)?,
        assignee: r.get(9)?,
        pending: r.get(10)?,
        due_target: r
            .get::<_, Option<String>>(11)?
            .filter(|d| d != super::NO_DUE),
        due_breach: r.get(12)?,
        version: r.get(13)?,
        verdict: serde_json::from_str(&verdict).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(14, rusqlite::types::Type::Text, Box::new(e))
        })?,
    })
}

/// Prepares the SQL that `sql` makes of an `INDEXED BY` clause naming the
/// arm's index — or of nothing while that index does not exist (a bulk load
/// into this desk is still to build it): slow then, never wrong.
fn prepare_for<'c>(
    conn: &'c rusqlite::Connection,
    arm: &Arm,
    sql: impl Fn(&str) -> String,
) -> rusqlite::Result<rusqlite::CachedStatement<'c>> {
    let hint = arm
        .index
        .map(|i| format!(" INDEXED BY {i}"))
        .unwrap_or_default();
    match conn.prepare_cached(&sql(&hint)) {
        Err(e) if arm.index.is_some() && e.to_string().contains("no such index") => {
            conn.prepare_cached(&sql(""))
        }
        r => r,
    }
}

/// The order of a list: the sort column, then id (rows without a clock last).
fn sort_key(r: &ListRow, sort: Sort) -> (i64, &str, &str) {
    match sort {
        Sort::Received => (r.received_us, "", &r.id),
        Sort::Due => (0, r.due_target.as_deref().unwrap_or(super::NO_DUE), &r.id),
    }
}

pub(super) fn where_clause(f: &ListFilter, args: &mut Vec<Sql>) -> String {
    let mut w: Vec<String> = Vec::new();
    if !f.states.is_empty() {
        let marks: Vec<String> = f
            .states
            .iter()
            .map(|s| {
                args.push(Sql::Text(s.clone()));
                format!("?{}", args.len())
            })
            .collect();
        w.push(format!("state IN ({})", marks.join(", ")));
    }
    let mut eq = |col: &str, v: &Option<String>, w: &mut Vec<String>| {
        if let Some(v) = v {
            args.push(Sql::Text(v.clone()));
            w.push(format!("{col} = ?{}", args.len()));
        }
    };
    eq("verdict_kind", &f.verdict, &mut w);
    eq("product", &f.product, &mut w);
    eq("assignee", &f.assignee, &mut w);
    if f.pending {
        w.push("pending = 1".into());
    }
    if let Some(day) = &f.overdue_on {
        args.push(Sql::Text(day.clone()));
        w.push(format!("due_target < ?{}", args.len()));
    }
    if let Some(q) = f.search.as_deref().and_then(crate::text::search_query) {
        args.push(Sql::Text(q));
        w.push(format!(
            "rowid IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?{})",
            args.len()
        ));
    }
    if w.is_empty() {
        "1".into()
    } else {
        w.join(" AND ")
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct EventRow {
    pub seq: i64,
    pub action: String,
    pub from: String,
    pub to: String,
    pub operator: String,
    pub at: String,
    pub note: Option<String>,
    pub payload: serde_json::Value,
}

/// Everything the detail view and `show` need about one ticket.
#[derive(Clone, Debug)]
pub struct Detail {
    pub ticket: Ticket,
    pub raw: serde_json::Value,
    pub verdict: Verdict,
    /// The policy version every stored verdict was last checked against.
    pub policy_version: String,
    /// The policy version under which this verdict last changed.
    pub verdict_since: String,
    pub case: Case,
    pub due: Option<Due>,
    pub version: i64,
    pub updated_at: String,
    pub updated_by: String,
    pub events: Vec<EventRow>,
}

impl Store {
    /// One page of at most `limit` rows in display order (ascending by the sort key).
    pub fn page(
        &self,
        f: &ListFilter,
        sort: Sort,
        at: &Page,
        limit: usize,
    ) -> Result<Vec<ListRow>, StoreError> {
        let arms = self.plan(f, sort)?;
        if let [arm] = arms.as_slice() {
            return self.page_of(arm, sort, at, limit);
        }
        // Each arm's page is in order; the merged page is the first (or,
        // paging backwards, the last) `limit` of their union.
        let mut rows = Vec::new();
        for arm in &arms {
            rows.extend(self.page_of(arm, sort, at, limit)?);
        }
        rows.sort_by(|a, b| sort_key(a, sort).cmp(&sort_key(b, sort)));
        if matches!(at, Page::Last | Page::Before(_)) {
            rows.drain(..rows.len().saturating_sub(limit));
        } else {
            rows.truncate(limit);
        }
        Ok(rows)
    }

    fn page_of(
        &self,
        arm: &Arm,
        sort: Sort,
        at: &Page,
        limit: usize,
    ) -> Result<Vec<ListRow>, StoreError> {
        let f = &arm.filter;
        let mut args = Vec::new();
        let mut w = where_clause(f, &mut args);
        let col = match sort {
            Sort::Received => "received_us",
            // Rows without a clock sort after every dated row.
            Sort::Due => "due_target",
        };
        let (cmp, desc) = match at {
            Page::First => (None, false),
            Page::Last => (None, true),
            Page::After(k) => (Some((">", k)), false),
            Page::Before(k) => (Some(("<", k)), true),
        };
        if let Some((op, (v, id))) = cmp {
            args.push(v.sql());
            args.push(Sql::Text(id.clone()));
            let n = args.len();
            w = format!("{w} AND ({col}, id) {op} (?{}, ?{n})", n - 1);
        }
        let dir = if desc { "DESC" } else { "ASC" };
        let mut stmt = prepare_for(self.conn(), arm, |hint| {
            format!("SELECT {ROW_COLUMNS} FROM tickets{hint} WHERE {w} ORDER BY {col} {dir}, id {dir} LIMIT {limit}")
        })?;
        let mut rows: Vec<ListRow> = stmt
            .query_map(params_from_iter(args), read_row)?
            .collect::<Result<_, _>>()?;
        if desc {
            rows.reverse();
        }
        Ok(rows)
    }

    /// Calls `each` for every matching row in received order, streaming.
    pub fn for_each(
        &self,
        f: &ListFilter,
        mut each: impl FnMut(ListRow) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut args = Vec::new();
        let w = where_clause(f, &mut args);
        let sql = format!("SELECT {ROW_COLUMNS} FROM tickets WHERE {w} ORDER BY received_us, id");
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            each(read_row(r)?)?;
        }
        Ok(())
    }

    pub fn count(&self, f: &ListFilter) -> Result<u64, StoreError> {
        let mut total = 0;
        for arm in self.plan(f, Sort::Received)? {
            let mut args = Vec::new();
            let w = where_clause(&arm.filter, &mut args);
            total += prepare_for(self.conn(), &arm, |hint| {
                format!("SELECT count(*) FROM tickets{hint} WHERE {w}")
            })?
            .query_row(params_from_iter(args), |r| r.get::<_, i64>(0))? as u64;
        }
        Ok(total)
    }

    /// The count when it is below `cap` and quick to get; `None` when there
    /// are at least `cap` rows or counting would take longer than `budget`.
    /// A narrowed list in the console shows "many" rather than stall a
    /// keystroke on a million-row count.
    pub fn count_at_most(
        &self,
        f: &ListFilter,
        cap: u64,
        budget: std::time::Duration,
    ) -> Result<Option<u64>, StoreError> {
        // The arms of a plan are disjoint (one state each): their counts add up.
        let deadline = std::time::Instant::now() + budget;
        let mut total = 0;
        for arm in self.plan(f, Sort::Received)? {
            let mut args = Vec::new();
            let w = where_clause(&arm.filter, &mut args);
            self.conn()
                .progress_handler(20_000, Some(move || std::time::Instant::now() > deadline))?;
            let counted = prepare_for(self.conn(), &arm, |hint| {
                format!("SELECT count(*) FROM (SELECT 1 FROM tickets{hint} WHERE {w} LIMIT {cap})")
            })
            .and_then(|mut s| s.query_row(params_from_iter(args), |r| r.get::<_, i64>(0)));
            self.conn().progress_handler(0, None::<fn() -> bool>)?;
            match counted {
                Ok(n) => total += n as u64,
                Err(e)
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) =>
                {
                    return Ok(None)
                }
                Err(e) => return Err(e.into()),
            }
            if total >= cap {
                return Ok(None);
            }
        }
        Ok(Some(total))
    }

    /// Tickets per workflow state, from the trigger-kept table (constant time).
    pub fn state_counts(&self) -> Result<std::collections::BTreeMap<String, u64>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT state, n FROM state_counts WHERE n > 0")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A number that changes whenever any ticket or event is written, by
    /// this process or another: the console polls it to refresh.
    pub fn change_mark(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0))?)
    }

    pub fn detail(&self, id: &str) -> Result<Detail, StoreError> {
        let row: Option<(String, String, String, String, i64, String, String)> = self
            .conn()
            .prepare_cached("SELECT raw, verdict, policy_version, wf, version, updated_at, updated_by FROM tickets WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
            .optional()?;
        let Some((raw, verdict, policy_version, wf, version, updated_at, updated_by)) = row else {
            return Err(StoreError::NotFound(id.to_string()));
        };
        let ticket = parse_stored(id, &raw)?;
        let case = super::rows::load_case(&wf, &ticket, &self.policy)?;
        let events = self
            .conn()
            .prepare_cached("SELECT seq, action, from_state, to_state, operator, at, note, payload FROM events WHERE ticket_id = ?1 ORDER BY seq")?
            .query_map([id], |r| {
                let payload: String = r.get(7)?;
                Ok(EventRow {
                    seq: r.get(0)?,
                    action: r.get(1)?,
                    from: r.get(2)?,
                    to: r.get(3)?,
                    operator: r.get(4)?,
                    at: r.get(5)?,
                    note: r.get(6)?,
                    payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Detail {
            due: case.due(&self.calendar),
            raw: serde_json::from_str(&raw).map_err(anyhow::Error::from)?,
            verdict: serde_json::from_str(&verdict).map_err(anyhow::Error::from)?,
            ticket,
            policy_version: self.stored_policy_version()?.unwrap_or_default(),
            verdict_since: policy_version,
            case,
            version,
            updated_at,
            updated_by,
            events,
        })
    }
}
