//! The rows an import writes: tickets, their events, their search
//! documents and their clocks. The batching around them is in `import`.

use crate::domain::calendar::Calendar;
use crate::domain::policy::{Policy, Verdict};
use crate::domain::ticket::{instant_key, Ticket};
use crate::domain::workflow::Case;
use rusqlite::{params, Transaction};
use serde_json::Value;
use std::collections::BTreeMap;

/// Search documents by rowid, indexed in one statement at the end of a batch.
pub(crate) type SearchDocs = BTreeMap<i64, String>;

/// A ticket about to be inserted, with its verdict when already known.
pub(super) struct NewRow<'a> {
    pub ticket: &'a Ticket,
    pub raw: &'a str,
    pub verdict: Option<&'a Verdict>,
    pub policy_version: &'a str,
}

/// The statement `insert_ticket` runs, prepared once per batch: looking it
/// up in the statement cache per row cost more than binding it.
pub(super) const INSERT_TICKET: &str =
    "INSERT INTO tickets (id, raw, received_us, received_at, product, account_id, customer, currency,
        requested, verdict, verdict_kind, policy_version, state, due_target, due_breach, wf, updated_at, updated_by)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, '', ?16, ?17)";

pub(super) fn insert_ticket(
    insert: &mut rusqlite::Statement,
    row: &NewRow,
    case: &Case,
    calendar: &Calendar,
    operator: &str,
    at: &str,
) -> anyhow::Result<Option<crate::domain::calendar::Due>> {
    let t = row.ticket;
    let due = case.due(calendar);
    let (verdict, kind, version) = match row.verdict {
        Some(v) => (
            serde_json::to_string(v)?,
            v.kind.as_str(),
            row.policy_version,
        ),
        None => (String::new(), "", ""),
    };
    // A fresh case is stored as '' (see load_case): a million new tickets
    // need not carry a million copies of the same empty workflow record.
    insert.execute(params![
        t.id,
        row.raw,
        instant_key(&t.received_at),
        t.received_at.to_rfc3339(),
        t.product.as_str(),
        t.account_id,
        t.account_name,
        t.payment.currency,
        t.requested_amount.map(|d| d.to_string()),
        verdict,
        kind,
        version,
        case.state.as_str(),
        super::due_target_text(due),
        due.and_then(|d| d.breach).map(super::day_text),
        at,
        operator,
    ])?;
    Ok(due)
}

/// The first stage's clock starts on the local date of `received_at` (SPEC
/// §5): an update that moves `received_at` moves that clock while the
/// ticket is still in the stage, and with it the stored due dates (and so
/// the Overdue queue and its counts, kept by trigger).
pub(super) fn move_received_clock(
    tx: &Transaction,
    t: &Ticket,
    policy: &Policy,
    calendar: &Calendar,
) -> anyhow::Result<()> {
    let wf: String = tx
        .prepare_cached("SELECT wf FROM tickets WHERE id = ?1")?
        .query_row([&t.id], |r| r.get(0))?;
    let (wf, due) = received_clock(wf, t, policy, calendar)?;
    tx.prepare_cached(
        "UPDATE tickets SET wf = ?2, due_target = ?3, due_breach = ?4 WHERE id = ?1",
    )?
    .execute(params![
        t.id,
        wf,
        super::due_target_text(due),
        due.and_then(|d| d.breach).map(|d| d.to_string()),
    ])?;
    Ok(())
}

/// The workflow record and due dates of a stored ticket (`wf` as stored)
/// whose facts became `t`: what `move_received_clock` writes, on either engine.
pub(crate) fn received_clock(
    wf: String,
    t: &Ticket,
    policy: &Policy,
    calendar: &Calendar,
) -> anyhow::Result<(String, Option<crate::domain::calendar::Due>)> {
    use crate::domain::workflow::State;
    // '' derives its clock from the ticket itself, already the new one.
    let mut case = load_case(&wf, t, policy)?;
    let first_stage = match case.state {
        State::Submitted | State::InitialReview => true,
        State::AwaitingInfo => case.resume_to == Some(State::InitialReview),
        _ => false,
    };
    let wf = if !wf.is_empty() && first_stage {
        case.stage_start = t.received_at.with_timezone(&policy.tz).date_naive();
        serde_json::to_string(&case)?
    } else {
        wf
    };
    Ok((wf, case.due(calendar)))
}

/// The stored workflow record; '' is a ticket nobody has acted on yet.
pub(crate) fn load_case(wf: &str, ticket: &Ticket, policy: &Policy) -> anyhow::Result<Case> {
    if wf.is_empty() {
        return Ok(Case::new(
            ticket.received_at.with_timezone(&policy.tz).date_naive(),
        ));
    }
    Ok(serde_json::from_str(wf)?)
}

pub(super) fn update_ticket(
    tx: &Transaction,
    t: &Ticket,
    raw: &str,
    operator: &str,
    at: &str,
) -> anyhow::Result<()> {
    tx.prepare_cached(
        "UPDATE tickets SET raw = ?2, received_us = ?3, received_at = ?4, product = ?5, account_id = ?6,
            customer = ?7, currency = ?8, requested = ?9, version = version + 1, updated_at = ?10, updated_by = ?11
         WHERE id = ?1",
    )?
    .execute(params![
        t.id,
        raw,
        instant_key(&t.received_at),
        t.received_at.to_rfc3339(),
        t.product.as_str(),
        t.account_id,
        t.account_name,
        t.payment.currency,
        t.requested_amount.map(|d| d.to_string()),
        at,
        operator,
    ])?;
    Ok(())
}

/// Appends an event. `state` empty means "the ticket's current state" (from = to).
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_event(
    tx: &Transaction,
    ticket: &str,
    action: &str,
    state: &str,
    operator: &str,
    at: &str,
    note: Option<&str>,
    payload: Value,
) -> anyhow::Result<()> {
    tx.prepare_cached(
        "INSERT INTO events (ticket_id, action, from_state, to_state, operator, at, note, payload)
         SELECT ?1, ?2, s, s, ?3, ?4, ?5, ?6 FROM (SELECT CASE WHEN ?7 = '' THEN
             (SELECT state FROM tickets WHERE id = ?1) ELSE ?7 END AS s)",
    )?
    .execute(params![
        ticket,
        action,
        operator,
        at,
        note,
        payload.to_string(),
        state
    ])?;
    Ok(())
}

/// The "import" events of a batch's new tickets, in one statement: the
/// events table's append-only trigger makes every INSERT statement keep a
/// statement journal, so one statement per row cost more than the row.
/// They come as one JSON object, id -> line, in insertion order: an array
/// of pairs made SQLite parse every pair again for each of its two fields.
pub(super) fn record_imports(
    tx: &Transaction,
    file: &str,
    operator: &str,
    at: &str,
    imports: &[(String, usize)],
) -> anyhow::Result<()> {
    use std::fmt::Write as _;
    if imports.is_empty() {
        return Ok(());
    }
    // Ids are unique among a batch's new tickets (store::import_batch).
    let mut lines = String::with_capacity(imports.len() * 24);
    for (i, (id, line)) in imports.iter().enumerate() {
        let sep = if i == 0 { '{' } else { ',' };
        write!(lines, "{sep}{}:{line}", serde_json::to_string(id)?)?;
    }
    lines.push('}');
    tx.prepare_cached(
        "INSERT INTO events (ticket_id, action, from_state, to_state, operator, at, payload)
         SELECT e.key, 'import', 'submitted', 'submitted', ?2, ?3,
                json_object('file', ?4, 'line', e.value)
           FROM json_each(?1) AS e",
    )?
    .execute(params![lines, operator, at, file])?;
    Ok(())
}

/// Where a batch's search documents go: into the desk's search index at the
/// batch's end, or (a bulk load) to its builder once the batch is committed.
pub(crate) enum SearchSink {
    Desk(SearchDocs),
    Builder(super::search_build::Docs),
}

impl SearchSink {
    /// A new ticket's document.
    pub(crate) fn add(&mut self, rowid: i64, doc: String) {
        match self {
            SearchSink::Desk(docs) => {
                docs.insert(rowid, doc);
            }
            SearchSink::Builder(docs) => docs.push((rowid, doc, false)),
        }
    }

    /// A stored ticket's new document: the old one leaves the index.
    pub(crate) fn replace(
        &mut self,
        tx: &Transaction,
        rowid: i64,
        doc: String,
    ) -> anyhow::Result<()> {
        match self {
            SearchSink::Desk(docs) => {
                if docs.insert(rowid, doc).is_none() {
                    tx.prepare_cached("DELETE FROM tickets_fts WHERE rowid = ?1")?
                        .execute([rowid])?;
                }
            }
            SearchSink::Builder(docs) => docs.push((rowid, doc, true)),
        }
        Ok(())
    }

    /// Indexes what is for the desk, in one statement.
    pub(crate) fn flush(&mut self, tx: &Transaction) -> anyhow::Result<()> {
        if let SearchSink::Desk(docs) = self {
            flush_search_index(tx, docs)?;
            docs.clear();
        }
        Ok(())
    }
}

/// The text the search index holds for a ticket: ids, account, customer
/// name and the customer's own words.
pub(crate) fn search_document(t: &Ticket) -> String {
    crate::text::search_document(&[
        Some(&t.id),
        Some(&t.account_id),
        t.account_name.as_deref(),
        t.email.as_deref(),
        t.package.sdk_app_id.as_deref(),
        t.contract.number.as_deref(),
        t.subject.as_deref(),
        t.description.as_deref(),
    ])
}

/// Indexes a batch's search documents with one statement. (FTS5 flushes its
/// pending data at every statement savepoint, and each INSERT into a virtual
/// table opens one: row-by-row inserts made imports three times slower.)
pub(crate) fn flush_search_index(tx: &Transaction, docs: &SearchDocs) -> anyhow::Result<()> {
    if docs.is_empty() {
        return Ok(());
    }
    let rows: Vec<(&i64, &String)> = docs.iter().collect();
    tx.prepare_cached(
        "INSERT INTO tickets_fts (rowid, body) SELECT e.value ->> 0, e.value ->> 1 FROM json_each(?1) AS e",
    )?
    .execute([serde_json::to_string(&rows)?])?;
    Ok(())
}
