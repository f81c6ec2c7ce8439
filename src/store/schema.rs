//! Schema migrations. Each migration is append-only: never edit a shipped one.

use rusqlite_migration::{Migrations, M};

const V1: &str = r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

CREATE TABLE tickets (
    id             TEXT PRIMARY KEY,
    raw            TEXT NOT NULL,          -- the JSON as received
    received_us    INTEGER NOT NULL,       -- instant, for "earlier" and sorting
    received_at    TEXT NOT NULL,          -- as given, offset included
    product        TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    customer       TEXT,                   -- account name, for the list
    currency       TEXT NOT NULL,
    requested      TEXT,
    verdict        TEXT NOT NULL,          -- verdict JSON
    verdict_kind   TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    state          TEXT NOT NULL,
    assignee       TEXT,
    pending        INTEGER NOT NULL DEFAULT 0,
    due_target     TEXT,
    due_breach     TEXT,
    wf             TEXT NOT NULL,          -- workflow case JSON
    version        INTEGER NOT NULL DEFAULT 1,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL
) STRICT;
CREATE INDEX tickets_by_received ON tickets (received_us, id);
CREATE INDEX tickets_by_account ON tickets (account_id, received_us, id);
CREATE INDEX tickets_by_state ON tickets (state, received_us, id);
CREATE INDEX tickets_by_verdict ON tickets (verdict_kind, received_us, id);
-- A queue (state) narrowed by verdict: both equalities, then received order.
CREATE INDEX tickets_by_state_verdict ON tickets (state, verdict_kind, received_us, id);
CREATE INDEX tickets_by_product ON tickets (product, received_us, id);
CREATE INDEX tickets_by_assignee ON tickets (assignee, received_us, id) WHERE assignee IS NOT NULL;
-- due_target is '9999-12-31' when no clock runs (see store::NO_DUE), so
-- one full index serves both the Overdue queue and the sort by due date.
CREATE INDEX tickets_by_due ON tickets (due_target, id);
CREATE INDEX tickets_pending ON tickets (received_us, id) WHERE pending = 1;

CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    operator   TEXT NOT NULL,
    at         TEXT NOT NULL,
    note       TEXT,
    payload    TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX events_by_ticket ON events (ticket_id, seq);
-- The audit trail is append-only at the database level, whoever writes.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END;

-- Full-text search over id, account, customer name and the customer's words.
-- Contentless (the text is in tickets.raw); CJK is indexed character by
-- character (see text::search_document), so any script can be searched.
CREATE VIRTUAL TABLE tickets_fts USING fts5 (body, content = '', contentless_delete = 1);

-- Tickets per state so queue counts cost nothing at any size. Transitions
-- are counted by trigger; inserts are counted by the importer once per batch,
-- because a trigger on INSERT makes every row open a statement savepoint,
-- which flushes the full-text index row by row.
CREATE TABLE state_counts (state TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT;
CREATE TRIGGER state_counts_update AFTER UPDATE OF state ON tickets WHEN old.state <> new.state BEGIN
    UPDATE state_counts SET n = n - 1 WHERE state = old.state;
    INSERT INTO state_counts (state, n) VALUES (new.state, 1)
    ON CONFLICT (state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER state_counts_delete AFTER DELETE ON tickets BEGIN
    UPDATE state_counts SET n = n - 1 WHERE state = old.state;
END;

-- Tickets and verdict amounts per local day of receipt, product, verdict kind
-- and currency, kept by the store wherever a verdict is written, so the
-- dashboard's 30-day totals cost the same at a million tickets as at ten.
CREATE TABLE daily_totals (
    day      TEXT NOT NULL,
    product  TEXT NOT NULL,
    kind     TEXT NOT NULL,
    currency TEXT NOT NULL,
    tickets  INTEGER NOT NULL,
    cents    INTEGER NOT NULL,     -- exact: amounts have two decimals
    PRIMARY KEY (day, product, kind, currency)
) STRICT, WITHOUT ROWID;

-- Open tickets per target date and per breach date, so "overdue" and
-- "breached" are sums over a few hundred days, not counts over a million
-- index entries. Transitions are counted by trigger; inserts by the importer
-- (see state_counts).
CREATE TABLE due_counts (day TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT, WITHOUT ROWID;
CREATE TABLE breach_counts (day TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT, WITHOUT ROWID;
CREATE TRIGGER due_counts_update AFTER UPDATE OF due_target ON tickets
WHEN old.due_target IS NOT new.due_target BEGIN
    UPDATE due_counts SET n = n - 1 WHERE day = old.due_target;
    INSERT INTO due_counts (day, n) SELECT new.due_target, 1 WHERE new.due_target IS NOT NULL
    ON CONFLICT (day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER breach_counts_update AFTER UPDATE OF due_breach ON tickets
WHEN old.due_breach IS NOT new.due_breach BEGIN
    UPDATE breach_counts SET n = n - 1 WHERE day = old.due_breach;
    INSERT INTO breach_counts (day, n) SELECT new.due_breach, 1 WHERE new.due_breach IS NOT NULL
    ON CONFLICT (day) DO UPDATE SET n = n + 1;
END;

CREATE TABLE operators (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role IN ('agent', 'supervisor')),
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL
) STRICT;

CREATE TABLE leases (
    ticket_id TEXT PRIMARY KEY REFERENCES tickets (id),
    operator  TEXT NOT NULL,
    until_us  INTEGER NOT NULL
) STRICT;
"#;

/// `INSERT OR REPLACE` (and `REPLACE INTO`) deletes the row it replaces
/// without firing delete triggers (unless recursive_triggers is on), so V1
/// let anyone rewrite an event by reusing its seq. Found by
/// tests/reliability_access.rs.
const V2: &str = r#"
CREATE TRIGGER events_no_replace BEFORE INSERT ON events
WHEN NEW.seq IS NOT NULL AND EXISTS (SELECT 1 FROM events WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'events are append-only: REPLACE refused'); END;
"#;

/// Every list walks one index in display order (see store::plan) and tests
/// the other filters of the console on each entry. With those columns in the
/// index itself the test costs nothing; without them each entry meant a
/// lookup of its 1 KB row — at a million tickets, "Overdue" or "Mine"
/// narrowed by verdict read thousands of rows for one page (10–80 ms).
const V3: &str = r#"
DROP INDEX tickets_by_received;
CREATE INDEX tickets_by_received ON tickets (received_us, id, due_target);
DROP INDEX tickets_by_state;
CREATE INDEX tickets_by_state ON tickets (state, received_us, id, product, due_target);
DROP INDEX tickets_by_state_verdict;
CREATE INDEX tickets_by_state_verdict ON tickets (state, verdict_kind, received_us, id, product, due_target);
DROP INDEX tickets_by_verdict;
CREATE INDEX tickets_by_verdict ON tickets (verdict_kind, received_us, id, product, due_target);
DROP INDEX tickets_by_product;
CREATE INDEX tickets_by_product ON tickets (product, received_us, id, due_target);
DROP INDEX tickets_by_due;
CREATE INDEX tickets_by_due ON tickets (due_target, id, state, verdict_kind, product);
DROP INDEX tickets_by_assignee;
CREATE INDEX tickets_by_assignee ON tickets (assignee, received_us, id, state, verdict_kind, product, due_target)
    WHERE assignee IS NOT NULL;
"#;

/// Desk-level events: role grants and revokes (and policy changes) belong
/// to the audit trail but to no ticket, so `ticket_id`, `from_state` and
/// `to_state` may be NULL. SQLite cannot drop a NOT NULL, so the table is
/// rebuilt: every row keeps its seq, and the append-only triggers come back
/// (a DROP TABLE takes a table's triggers with it). Its index is made in
/// `desk_events_index`, unless a bulk load deferred it.
const V4: &str = r#"
CREATE TABLE events_v4 (
    seq        INTEGER PRIMARY KEY,
    ticket_id  TEXT REFERENCES tickets (id),   -- NULL: a desk-level event
    action     TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT,
    operator   TEXT NOT NULL,
    at         TEXT NOT NULL,
    note       TEXT,
    payload    TEXT NOT NULL DEFAULT '{}'
) STRICT;
INSERT INTO events_v4 (seq, ticket_id, action, from_state, to_state, operator, at, note, payload)
    SELECT seq, ticket_id, action, from_state, to_state, operator, at, note, payload FROM events ORDER BY seq;
DROP TABLE events;
ALTER TABLE events_v4 RENAME TO events;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END;
CREATE TRIGGER events_no_replace BEFORE INSERT ON events
WHEN NEW.seq IS NOT NULL AND EXISTS (SELECT 1 FROM events WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'events are append-only: REPLACE refused'); END;
"#;

/// The events index of V4. A bulk load that died half-way keeps the
/// definitions of the indexes it dropped in `meta` and builds them later
/// (store::bulk): making it here as well would make that build fail.
fn desk_events_index(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    let deferred: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'deferred_indexes' AND value LIKE '%events_by_ticket%')",
        [],
        |r| r.get(0),
    )?;
    if !deferred {
        tx.execute_batch("CREATE INDEX events_by_ticket ON events (ticket_id, seq);")?;
    }
    Ok(())
}

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2),
        M::up(V3),
        M::up_with_hook(V4, desk_events_index),
    ])
}

/// The schema version this binary writes.
pub fn latest() -> usize {
    4
}
