//! What a write sends to `refund_desk.record`: the tickets as the write
//! sees them (the stored row with what this transaction changed in it so
//! far) and the events, built in memory and sent in one call, so that a
//! batch of twenty thousand lines costs one round trip, not forty thousand.

use crate::domain::ticket::Ticket;
use crate::store::StoreError;
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;

/// The columns `Row::from_pg` reads, in its order.
pub(crate) const ROW_COLUMNS: &str =
    "id, raw, account_id, received_us, verdict, verdict_kind, policy_version, state, wf, version";

/// A stored ticket as a write sees it.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub id: String,
    pub raw: String,
    /// As stored (`pg_text`).
    pub account: String,
    pub received_us: i64,
    pub verdict: String,
    pub verdict_kind: String,
    pub policy_version: String,
    pub state: String,
    pub wf: String,
    pub version: i64,
}

impl Row {
    pub fn from_pg(r: &postgres::Row) -> Row {
        Row {
            id: r.get(0),
            raw: r.get(1),
            account: r.get(2),
            received_us: r.get(3),
            verdict: r.get(4),
            verdict_kind: r.get(5),
            policy_version: r.get(6),
            state: r.get(7),
            wf: r.get(8),
            version: r.get(9),
        }
    }

    /// "Earlier" (SPEC §2): received instant, ties by id byte by byte.
    pub fn key(&self) -> (i64, &str) {
        (self.received_us, self.id.as_str())
    }
}

/// Text as PostgreSQL can hold it: a text value cannot contain NUL, which
/// customer text may (a file desk keeps it). NUL becomes U+FFFD there;
/// the ticket's raw JSON, where it is escaped, keeps it exactly.
pub(crate) fn pg_text(s: &str) -> Cow<'_, str> {
    if s.contains('\0') {
        Cow::Owned(s.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The columns a ticket's facts set: what an import writes for a new line
/// and an update (or `info_received --set`) rewrites.
pub(crate) fn facts_change(t: &Ticket, raw: &str, doc: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("raw".into(), raw.into());
    m.insert(
        "received_us".into(),
        crate::domain::ticket::instant_key(&t.received_at).into(),
    );
    m.insert("received_at".into(), t.received_at.to_rfc3339().into());
    m.insert("product".into(), t.product.as_str().into());
    m.insert("account_id".into(), pg_text(&t.account_id).into());
    m.insert(
        "customer".into(),
        t.account_name
            .as_deref()
            .map(|n| pg_text(n).into_owned())
            .into(),
    );
    m.insert("currency".into(), t.payment.currency.as_str().into());
    m.insert(
        "requested".into(),
        t.requested_amount.map(|d| d.to_string()).into(),
    );
    m.insert("search".into(), pg_text(doc).into());
    m
}

/// The columns of due dates as stored.
pub(crate) fn due_change(m: &mut Map<String, Value>, due: Option<crate::domain::calendar::Due>) {
    m.insert(
        "due_target".into(),
        crate::store::due_target_text(due).into(),
    );
    m.insert(
        "due_breach".into(),
        due.and_then(|d| d.breach).map(|d| d.to_string()).into(),
    );
}

/// A write's events, in the order the audit trail gets them.
pub(crate) struct Events {
    at: String,
    list: Vec<Value>,
    /// Per ticket, the last event in `list` that changes its row.
    last_change: HashMap<String, usize>,
}

impl Events {
    pub fn new(at: &str) -> Events {
        Events {
            at: at.to_string(),
            list: Vec::new(),
            last_change: HashMap::new(),
        }
    }

    /// A new ticket and its `import` event.
    pub fn create(&mut self, row: &Row, mut change: Map<String, Value>, payload: String) {
        change.insert("id".into(), row.id.clone().into());
        change.insert("updated_at".into(), self.at.clone().into());
        self.last_change.insert(row.id.clone(), self.list.len());
        self.list.push(json!({
            "ticket_id": row.id,
            "action": "import",
            "from_state": "submitted",
            "to_state": "submitted",
            "at": self.at,
            "note": null,
            "payload": payload,
            "change": change,
            "create": true,
        }));
    }

    /// An event on a stored ticket, checked against the version and state
    /// `row` has; its change (if any) bumps the version unless `keep`.
    #[allow(clippy::too_many_arguments)]
    pub fn on(
        &mut self,
        row: &mut Row,
        action: &str,
        to: &str,
        note: Option<String>,
        payload: String,
        change: Option<Map<String, Value>>,
        keep: bool,
    ) {
        let mut ev = json!({
            "ticket_id": row.id,
            "action": action,
            "from_state": row.state,
            "to_state": to,
            "at": self.at,
            "note": note,
            "payload": payload,
            "expected_version": row.version,
        });
        if let Some(change) = change {
            if !keep {
                row.version += 1;
            }
            ev["change"] = Value::Object(change);
            ev["keep_version"] = keep.into();
            self.last_change.insert(row.id.clone(), self.list.len());
        }
        row.state = to.to_string();
        self.list.push(ev);
    }

    /// A change with no event of its own. It rides with the last event of
    /// this write that changes the ticket when there is one (a new ticket's
    /// first verdict with its `import`); otherwise it is attached to the
    /// transaction's other event on it, which the desk checks.
    pub fn attach(&mut self, row: &mut Row, change: Map<String, Value>, keep: bool) {
        if keep {
            if let Some(&i) = self.last_change.get(&row.id) {
                if let Some(m) = self.list[i]["change"].as_object_mut() {
                    m.extend(change);
                    return;
                }
            }
        }
        // Judged by the desk as an update: facts, verdict or due dates
        // change, the workflow does not.
        let ev = json!({
            "ticket_id": row.id,
            "action": "update",
            "to_state": row.state,
            "from_state": row.state,
            "at": self.at,
            "expected_version": row.version,
            "change": change,
            "keep_version": keep,
            "attach": true,
        });
        if !keep {
            row.version += 1;
        }
        self.last_change.insert(row.id.clone(), self.list.len());
        self.list.push(ev);
    }

    /// Everything so far, in one call; the list starts again empty.
    pub fn send(&mut self, tx: &mut postgres::Transaction<'_>) -> Result<(), StoreError> {
        if self.list.is_empty() {
            return Ok(());
        }
        let list = Value::Array(std::mem::take(&mut self.list));
        self.last_change.clear();
        tx.execute("SELECT refund_desk.record($1)", &[&list])?;
        Ok(())
    }
}

/// Serialises the writes that judge verdicts (imports, `info_received
/// --set`, policy apply, recompute): a ticket's verdict depends on its
/// account's earlier tickets, so two of them judging the same account at
/// once would each write what their own view made true. A workflow action
/// needs no part of it: it locks its ticket's row from its read to its
/// commit, and the version a judging write expects catches it.
const VERDICT_LOCK: i64 = 7_210_000_003;

pub(crate) fn hold_exclusive(tx: &mut postgres::Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&VERDICT_LOCK])?;
    Ok(())
}
