//! Read queries on PostgreSQL: the same lists, counts and details as the
//! file desk (store::query), each served by an index of `schema.sql`.
//! Statements go out with their parameter types (`query_typed`): one round
//! trip each, and a plan made for the values at hand — the states are far
//! from even ('submitted' can be 99 % of a desk), so a generic plan would be
//! wrong for most of them.

use super::{explain, PgStore};
use crate::domain::workflow::Case;
use crate::store::{
    Detail, EventRow, ListFilter, ListRow, Page, Sort, SortValue, StoreError, VersionedProposal,
    NO_DUE,
};
use postgres::types::{ToSql, Type};

const ROW_COLUMNS: &str =
    "id, received_at, received_us, product, account_id, customer, currency, requested, \
    state, assignee, pending, due_target, due_breach, version, verdict";

/// A list row as `store::query::read_row` reads it.
fn read_row(r: &postgres::Row) -> Result<ListRow, StoreError> {
    let verdict: String = r.try_get(14)?;
    Ok(ListRow {
        id: r.try_get(0)?,
        received_at: r.try_get(1)?,
        received_us: r.try_get(2)?,
        product: r.try_get(3)?,
        account_id: r.try_get(4)?,
        customer: r.try_get(5)?,
        currency: r.try_get(6)?,
        requested: r.try_get(7)?,
        state: r.try_get(8)?,
        assignee: r.try_get(9)?,
        pending: r.try_get(10)?,
        due_target: r.try_get::<_, Option<String>>(11)?.filter(|d| d != NO_DUE),
        due_breach: r.try_get(12)?,
        version: r.try_get(13)?,
        verdict: serde_json::from_str(&verdict).map_err(|e| {
            StoreError::Other(anyhow::anyhow!(
                "ticket {}: stored verdict: {e}",
                r.get::<_, String>(0)
            ))
        })?,
    })
}

/// The parameters of one statement, with their types.
#[derive(Default)]
pub(super) struct Args(Vec<(Box<dyn ToSql + Sync>, Type)>);

impl Args {
    /// Adds a text parameter; returns its placeholder.
    pub fn text(&mut self, s: &str) -> String {
        self.0.push((Box::new(s.to_string()), Type::TEXT));
        format!("${}", self.0.len())
    }

    pub fn int(&mut self, n: i64) -> String {
        self.0.push((Box::new(n), Type::INT8));
        format!("${}", self.0.len())
    }

    pub fn texts(&mut self, v: &[String]) -> String {
        self.0.push((Box::new(v.to_vec()), Type::TEXT_ARRAY));
        format!("${}", self.0.len())
    }

    fn value(&mut self, v: &SortValue) -> String {
        match v {
            SortValue::Int(n) => self.int(*n),
            SortValue::Text(s) => self.text(s),
        }
    }

    pub fn refs(&self) -> Vec<(&(dyn ToSql + Sync), Type)> {
        self.0
            .iter()
            .map(|(v, t)| (v.as_ref(), t.clone()))
            .collect()
    }
}

/// One word of a search as SQL: a regular expression that says what a
/// file desk's full-text query says (the word's letter-and-digit runs as
/// consecutive words of the document, the last a prefix: "LC-10" finds
/// "lc-1001", "fern" finds "Blue Fern" but not "bluefern"), and `LIKE`
/// patterns the trigram index can serve, one per run it can find: three
/// letters or digits, or a CJK character, which the document sets apart by
/// spaces (`search_document`) so that it is a word of its own there.
#[derive(Debug, PartialEq)]
struct Word {
    regex: String,
    likes: Vec<String>,
}

fn search_words(typed: &str) -> Vec<Word> {
    let mut words = Vec::new();
    for w in typed.split_whitespace() {
        let spaced = crate::text::spaced_cjk(&w.to_lowercase());
        let runs: Vec<&str> = spaced
            .split(|c: char| !c.is_alphanumeric())
            .filter(|r| !r.is_empty())
            .collect();
        if runs.is_empty() {
            continue;
        }
        // Runs hold letters and digits only: nothing to escape in either.
        let likes = runs
            .iter()
            .filter_map(|r| {
                let n = r.chars().count();
                if n >= 3 {
                    Some(format!("%{r}%"))
                } else if n == 1 && crate::text::spaced_cjk(r).len() != r.len() {
                    Some(format!("% {r} %"))
                } else {
                    None
                }
            })
            .collect();
        words.push(Word {
            regex: format!("(^|[^[:alnum:]]){}", runs.join("[^[:alnum:]]+")),
            likes,
        });
    }
    words
}

/// What the list of every ticket says instead of "true": the condition of
/// the partial index `tickets_by_received`, so that only this list may walk
/// it. On a desk written in received order the planner took that walk for
/// a queue too (the rows lie in that order, so it looks cheap) and passed
/// 300,000 closed tickets to find 40 new ones (360 ms, against 0.1 from the
/// queue's own index): old tickets are done tickets, which it cannot know.
const EVERY_TICKET: &str = "received_us >= -9223372036854775807";

/// The conditions of `f`, joined with AND (`EVERY_TICKET` when there are none).
pub(super) fn where_clause(f: &ListFilter, args: &mut Args) -> String {
    let mut w: Vec<String> = Vec::new();
    match f.states.as_slice() {
        [] => {}
        [one] => w.push(format!("state = {}", args.text(one))),
        many => w.push(format!("state = ANY({})", args.texts(many))),
    }
    for (col, v) in [
        ("verdict_kind", &f.verdict),
        ("product", &f.product),
        ("assignee", &f.assignee),
    ] {
        if let Some(v) = v {
            w.push(format!("{col} = {}", args.text(v)));
        }
    }
    if f.pending {
        w.push("pending".into());
    }
    if let Some(day) = &f.overdue_on {
        w.push(format!("due_target < {}", args.text(day)));
    }
    w.extend(search_conditions(f, args));
    if w.is_empty() {
        EVERY_TICKET.into()
    } else {
        w.join(" AND ")
    }
}

/// The conditions of `f`'s search, if it has one.
fn search_conditions(f: &ListFilter, args: &mut Args) -> Vec<String> {
    let mut w = Vec::new();
    for word in f.search.as_deref().map(search_words).unwrap_or_default() {
        for like in &word.likes {
            w.push(format!("search LIKE {}", args.text(like)));
        }
        w.push(format!("search ~ {}", args.text(&word.regex)));
    }
    w
}

/// How many rows a searched page looks at in list order before it asks
/// the trigram index instead (see `page`).
const SEARCH_WINDOW: usize = 2000;

/// The filters a list runs, each as its own query merged in sort order:
/// one per state of a set of states, so every arm walks its own range of
/// the (state, sort) index in order instead of sorting a whole queue. A
/// search, an assignee or the pending flag is narrow enough to drive alone.
fn arms(f: &ListFilter) -> Vec<ListFilter> {
    if f.states.len() < 2 || f.search.is_some() || f.assignee.is_some() || f.pending {
        return vec![f.clone()];
    }
    f.states
        .iter()
        .map(|s| ListFilter {
            states: vec![s.clone()],
            ..f.clone()
        })
        .collect()
}

fn sort_column(sort: Sort) -> &'static str {
    match sort {
        Sort::Received => "received_us",
        // NO_DUE sorts after every date: rows without a clock come last.
        Sort::Due => "due_target",
    }
}

impl PgStore {
    /// One page of at most `limit` rows in display order (ascending by the sort key).
    pub fn page(
        &self,
        f: &ListFilter,
        sort: Sort,
        at: &Page,
        limit: usize,
    ) -> Result<Vec<ListRow>, StoreError> {
        let col = sort_column(sort);
        let (after, desc) = match at {
            Page::First => (None, false),
            Page::Last => (None, true),
            Page::After(k) => (Some((">", k)), false),
            Page::Before(k) => (Some(("<", k)), true),
        };
        let dir = if desc { "DESC" } else { "ASC" };
        let order = format!("ORDER BY {col} {dir}, id {dir} LIMIT {limit}");
        let mut args = Args::default();
        // A number searched for is an id, an account, a contract: a few
        // tickets, straight from the index.
        let words = match f.search.as_deref() {
            Some(s) if !s.chars().any(|c| c.is_ascii_digit()) => search_conditions(f, &mut args),
            _ => Vec::new(),
        };
        if !words.is_empty() {
            // A word the desk is full of (a customer's name on a twentieth
            // of a million tickets) is found in list order in a few hundred
            // rows; from the index, all 47,800 matches were read to sort
            // them (300 ms). A rare one is the other way round. So: the
            // first rows in order, and the index only when they hold too
            // few matches — one statement, the second part skipped unless
            // needed.
            let plain = ListFilter {
                search: None,
                ..f.clone()
            };
            let mut w = where_clause(&plain, &mut args);
            if let Some((op, (v, id))) = after {
                let (v, id) = (args.value(v), args.text(id));
                w = format!("{w} AND ({col}, id) {op} ({v}, {id})");
            }
            let words = words.join(" AND ");
            let sql = format!(
                "WITH near AS (
                    SELECT {ROW_COLUMNS} FROM (
                        SELECT {ROW_COLUMNS}, search FROM refund_desk.tickets WHERE {w}
                         ORDER BY {col} {dir}, id {dir} LIMIT {SEARCH_WINDOW}) AS walk
                     WHERE {words} {order})
                 (SELECT * FROM near WHERE (SELECT count(*) FROM near) >= {limit}
                  UNION ALL
                  (SELECT {ROW_COLUMNS} FROM refund_desk.tickets
                    WHERE {w} AND {words} AND (SELECT count(*) FROM near) < {limit} {order}))
                 {order}"
            );
            return self.rows_of(&sql, &args, desc);
        }
        let mut selects = Vec::new();
        for arm in arms(f) {
            let mut w = where_clause(&arm, &mut args);
            if let Some((op, (v, id))) = after {
                let (v, id) = (args.value(v), args.text(id));
                w = format!("{w} AND ({col}, id) {op} ({v}, {id})");
            }
            selects.push(if arm.overdue_on.is_some() {
                // The page's ids first, from the index alone (tickets_open
                // holds the target date): in received order the walk passes
                // every open ticket not yet due, a hundred thousand rows
                // read for nothing at 1M (190 ms) where it reads entries.
                format!(
                    "SELECT {ROW_COLUMNS} FROM refund_desk.tickets WHERE id = ANY(ARRAY(
                        SELECT id FROM refund_desk.tickets WHERE {w} {order})) {order}"
                )
            } else {
                format!("SELECT {ROW_COLUMNS} FROM refund_desk.tickets WHERE {w} {order}")
            });
        }
        let sql = match selects.as_slice() {
            [one] => one.clone(),
            // Each arm is in order; the page is the first `limit` of their union.
            _ => format!(
                "({}) {order}",
                selects
                    .iter()
                    .map(|s| format!("({s})"))
                    .collect::<Vec<_>>()
                    .join(" UNION ALL ")
            ),
        };
        self.rows_of(&sql, &args, desc)
    }

    /// The rows of a page query, in display order.
    fn rows_of(&self, sql: &str, args: &Args, desc: bool) -> Result<Vec<ListRow>, StoreError> {
        let rows = self.client().query_typed(sql, &args.refs())?;
        let mut out = rows.iter().map(read_row).collect::<Result<Vec<_>, _>>()?;
        if desc {
            out.reverse();
        }
        Ok(out)
    }

    /// Calls `each` for every matching row in received order, streaming:
    /// a portal hands the rows over a thousand at a time, so `list --json`
    /// of a million tickets never holds them all.
    pub fn for_each(
        &self,
        f: &ListFilter,
        mut each: impl FnMut(ListRow) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut args = Args::default();
        let w = where_clause(f, &mut args);
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM refund_desk.tickets WHERE {w} ORDER BY received_us, id"
        );
        let mut client = self.client();
        let mut tx = client
            .build_transaction()
            .read_only(true)
            .start()
            .map_err(explain)?;
        let types: Vec<Type> = args.0.iter().map(|(_, t)| t.clone()).collect();
        let stmt = tx.prepare_typed(&sql, &types).map_err(explain)?;
        let params: Vec<&(dyn ToSql + Sync)> = args.0.iter().map(|(v, _)| v.as_ref()).collect();
        let portal = tx.bind(&stmt, &params).map_err(explain)?;
        loop {
            let rows = tx.query_portal(&portal, 1000).map_err(explain)?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                each(read_row(r)?)?;
            }
        }
        tx.commit().map_err(explain)?;
        Ok(())
    }

    pub fn count(&self, f: &ListFilter) -> Result<u64, StoreError> {
        let mut args = Args::default();
        let w = where_clause(f, &mut args);
        let sql = format!("SELECT count(*) FROM refund_desk.tickets WHERE {w}");
        let n: i64 = self.client().query_typed(&sql, &args.refs())?[0].try_get(0)?;
        Ok(n as u64)
    }

    /// The count when it is below `cap` and quick to get; `None` when there
    /// are at least `cap` rows or counting would take longer than `budget`
    /// (the server cancels it): a narrowed list in the console shows "many"
    /// rather than stall a keystroke on a million-row count.
    pub fn count_at_most(
        &self,
        f: &ListFilter,
        cap: u64,
        budget: std::time::Duration,
    ) -> Result<Option<u64>, StoreError> {
        let mut args = Args::default();
        let w = where_clause(f, &mut args);
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM refund_desk.tickets WHERE {w} LIMIT {cap}) AS s"
        );
        let ms = budget.as_millis().clamp(1, i32::MAX as u128);
        let mut client = self.client();
        // One message, for this transaction only: the timeout, and, for a
        // search the trigram index can serve on a desk of up to 50,000
        // tickets, no sequential scan — the planner prices a LIKE over a
        // 1 KB document as one operator, and walked every row of a small
        // desk rather than the index (8 ms against 2 at 5,000 tickets). Not
        // on a big desk: there the index gathers every match of a common
        // word before the first row, and the timeout cannot stop it there
        // (30 ms a queue for one Chinese character at a million).
        let words = f.search.as_deref().map(search_words).unwrap_or_default();
        let no_scan = if !words.is_empty() && words.iter().all(|w| !w.likes.is_empty()) {
            "; SELECT set_config('enable_seqscan',
                 CASE WHEN (SELECT sum(n) FROM refund_desk.state_counts) > 50000
                      THEN 'on' ELSE 'off' END, true)"
        } else {
            ""
        };
        client.batch_execute(&format!(
            "BEGIN READ ONLY; SET LOCAL statement_timeout = {ms}{no_scan}"
        ))?;
        let counted = client.query_typed(&sql, &args.refs());
        let end = if counted.is_ok() {
            "COMMIT"
        } else {
            "ROLLBACK"
        };
        client.batch_execute(end)?;
        let n: i64 = match counted {
            Ok(rows) => rows[0].try_get(0)?,
            Err(e) if e.code() == Some(&postgres::error::SqlState::QUERY_CANCELED) => {
                return Ok(None)
            }
            Err(e) => return Err(e.into()),
        };
        Ok(((n as u64) < cap).then_some(n as u64))
    }

    /// Tickets per workflow state, from the trigger-kept table (constant time).
    pub fn state_counts(&self) -> Result<std::collections::BTreeMap<String, u64>, StoreError> {
        let rows = self.client().query_typed(
            "SELECT state, n FROM refund_desk.state_counts WHERE n > 0",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get::<_, i64>(1)? as u64)))
            .collect()
    }

    /// A number that moves whenever anything on the desk changed, by this
    /// process or another: on a console's connection (which LISTENs, see
    /// open), the notifications that arrived; elsewhere the last event.
    pub fn change_mark(&self) -> Result<i64, StoreError> {
        if self.access != crate::store::Access::Console {
            let row = self
                .client()
                .query_typed_one("SELECT coalesce(max(seq), 0) FROM refund_desk.events", &[])?;
            return Ok(row.try_get(0)?);
        }
        let mut client = self.client();
        if client.is_closed() {
            return Err(StoreError::Other(anyhow::anyhow!(
                "{}: the connection to the server was lost",
                crate::desk::Location::Postgres(self.url.clone()).shown()
            )));
        }
        use fallible_iterator::FallibleIterator as _;
        // Not `iter()`: it polls the connection without ever letting the
        // client's runtime read the socket, so a notification that came
        // while the console sat idle stayed unseen until its next query.
        // A zero timeout turns the runtime once (an epoll with no wait).
        let arrived = client
            .notifications()
            .timeout_iter(std::time::Duration::ZERO)
            .count()
            .map_err(explain)?;
        self.changes.set(self.changes.get() + arrived as i64);
        Ok(self.changes.get())
    }

    pub fn detail(&self, id: &str) -> Result<Detail, StoreError> {
        let mut client = self.client();
        let row = client.query_typed_opt(
            "SELECT raw, verdict, policy_version, wf, version, updated_at, updated_by,
                    (SELECT value FROM refund_desk.meta WHERE key = 'policy_version')
               FROM refund_desk.tickets WHERE id = $1",
            &[(&id, Type::TEXT)],
        )?;
        let Some(row) = row else {
            return Err(StoreError::NotFound(id.to_string()));
        };
        let (raw, verdict, wf): (String, String, String) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(3)?);
        let ticket = crate::store::parse_stored_ticket(id, &raw)?;
        let case = crate::store::load_case(&wf, &ticket, &self.policy)?;
        let events = client
            .query_typed(
                "SELECT seq, action, coalesce(from_state, ''), coalesce(to_state, ''), operator,
                        at, note, payload
                   FROM refund_desk.events WHERE ticket_id = $1 ORDER BY seq",
                &[(&id, Type::TEXT)],
            )?
            .iter()
            .map(|r| {
                let payload: String = r.try_get(7)?;
                Ok(EventRow {
                    seq: r.try_get(0)?,
                    action: r.try_get(1)?,
                    from: r.try_get(2)?,
                    to: r.try_get(3)?,
                    operator: r.try_get(4)?,
                    at: r.try_get(5)?,
                    note: r.try_get(6)?,
                    payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Detail {
            due: case.due(&self.calendar),
            raw: serde_json::from_str(&raw).map_err(anyhow::Error::from)?,
            verdict: serde_json::from_str(&verdict).map_err(anyhow::Error::from)?,
            ticket,
            policy_version: row.try_get::<_, Option<String>>(7)?.unwrap_or_default(),
            verdict_since: row.try_get(2)?,
            case,
            version: row.try_get(4)?,
            updated_at: row.try_get(5)?,
            updated_by: row.try_get(6)?,
            events,
        })
    }

    /// The list row of ticket `id` if it matches `f` (the console follows a
    /// ticket into the queue it moved to).
    pub fn list_row(&self, id: &str, f: &ListFilter) -> Result<Option<ListRow>, StoreError> {
        let mut args = Args::default();
        let key = args.text(id);
        let w = where_clause(f, &mut args);
        let sql = format!("SELECT {ROW_COLUMNS} FROM refund_desk.tickets WHERE id = {key} AND {w}");
        self.client()
            .query_typed_opt(&sql, &args.refs())?
            .as_ref()
            .map(read_row)
            .transpose()
    }

    /// The waiting proposals of these tickets, in the order asked, with each
    /// ticket's version (the Pending queue shows what is proposed, by whom
    /// and why).
    pub fn proposals(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, VersionedProposal)>, StoreError> {
        let rows = self.client().query_typed(
            "SELECT id, version, wf FROM refund_desk.tickets WHERE id = ANY($1) AND pending",
            &[(&ids, Type::TEXT_ARRAY)],
        )?;
        let mut found = std::collections::HashMap::new();
        for r in &rows {
            let (id, version, wf): (String, i64, String) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            let case: Case = serde_json::from_str(&wf)
                .map_err(|e| StoreError::Other(anyhow::anyhow!("{id}: workflow record: {e}")))?;
            if let Some(p) = case.pending {
                found.insert(id, (version, p));
            }
        }
        Ok(ids
            .iter()
            .filter_map(|id| found.remove(id).map(|p| (id.clone(), p)))
            .collect())
    }
}

/// What the search column holds: the same fields a file desk indexes, one
/// per line, lower-cased, CJK characters set apart by spaces (as the file
/// desk's document has them), so a trigram index finds any substring in any
/// script (`search_words`).
pub(crate) fn search_document(t: &crate::domain::ticket::Ticket) -> String {
    crate::store::search_document(t).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::search_words;

    fn sql(typed: &str) -> Vec<(String, Vec<String>)> {
        search_words(typed)
            .into_iter()
            .map(|w| (w.regex, w.likes))
            .collect()
    }

    #[test]
    fn a_search_is_the_file_desks_word_prefixes_with_what_the_index_can_find() {
        let b = "[^[:alnum:]]";
        assert_eq!(
            sql("LC-10 Bright"),
            [
                (format!("(^|{b})lc{b}+10"), vec![]),
                (format!("(^|{b})bright"), vec!["%bright%".to_string()]),
            ]
        );
        assert_eq!(
            sql("退款"),
            [(
                format!("(^|{b})退{b}+款"),
                vec!["% 退 %".to_string(), "% 款 %".to_string()]
            )]
        );
        assert_eq!(
            sql("100%_off"),
            [(
                format!("(^|{b})100{b}+off"),
                vec!["%100%".to_string(), "%off%".to_string()]
            )]
        );
        assert!(sql(" \" * ").is_empty());
        assert_eq!(sql("ab")[0].1, Vec::<String>::new());
    }
}
