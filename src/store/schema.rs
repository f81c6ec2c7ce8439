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

/// The policy in force belongs to the desk, not to the process (SPEC §2): the
/// last row holds every policy file's text and the calendar's text, so every
/// process that opens the desk judges alike. Append-only like the events: the
/// rows are the record of who made which policy the desk's, and when.
const V4: &str = r#"
CREATE TABLE policy_history (
    seq              INTEGER PRIMARY KEY,
    reason           TEXT NOT NULL CHECK (reason IN ('created', 'adopted', 'applied')),
    version          TEXT NOT NULL,
    files            TEXT NOT NULL,          -- JSON object: file name -> text
    calendar_name    TEXT NOT NULL,
    calendar_version TEXT NOT NULL,
    calendar         TEXT NOT NULL,          -- the calendar file's text
    applied_by       TEXT NOT NULL,
    applied_at       TEXT NOT NULL,
    payload          TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE TRIGGER policy_history_no_update BEFORE UPDATE ON policy_history
BEGIN SELECT RAISE(ABORT, 'policy history is append-only: UPDATE refused'); END;
CREATE TRIGGER policy_history_no_delete BEFORE DELETE ON policy_history
BEGIN SELECT RAISE(ABORT, 'policy history is append-only: DELETE refused'); END;
CREATE TRIGGER policy_history_no_replace BEFORE INSERT ON policy_history
WHEN NEW.seq IS NOT NULL AND EXISTS (SELECT 1 FROM policy_history WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'policy history is append-only: REPLACE refused'); END;
"#;

/// A payout reference names one payout: unique across the desk (SPEC §3),
/// held by the database itself, not only by the program's check. Existing
/// completions are carried over, the first use of a reference keeping it;
/// `refund-desk check` lists any later duplicate.
const V5: &str = r#"
ALTER TABLE tickets ADD COLUMN payout_reference TEXT;
UPDATE tickets SET payout_reference = r.ref
  FROM (SELECT id, ref FROM (
          SELECT id, wf ->> '$.payout_reference' AS ref,
                 row_number() OVER (PARTITION BY wf ->> '$.payout_reference' ORDER BY rowid) AS n
            FROM tickets WHERE state = 'completed' AND wf <> '' AND wf ->> '$.payout_reference' IS NOT NULL)
        WHERE n = 1) AS r
 WHERE tickets.id = r.id;
CREATE UNIQUE INDEX tickets_by_payout_reference ON tickets (payout_reference)
    WHERE payout_reference IS NOT NULL;
-- `export payouts` reads a payout's history from these events alone.
CREATE INDEX events_payouts ON events (ticket_id, seq)
    WHERE action IN ('execute', 'sign_off', 'payout_returned', 'complete');
"#;

/// Desk-level events: role grants and revokes (and policy changes) belong
/// to the audit trail but to no ticket, so `ticket_id`, `from_state` and
/// `to_state` may be NULL. SQLite cannot drop a NOT NULL, so the table is
/// rebuilt in `desk_level_events`: every row keeps its seq.
const V6: &str = "-- rebuilds events: see desk_level_events";

const EVENTS_REBUILT: &str = r#"
CREATE TABLE events_rebuilt (
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
INSERT INTO events_rebuilt (seq, ticket_id, action, from_state, to_state, operator, at, note, payload)
    SELECT seq, ticket_id, action, from_state, to_state, operator, at, note, payload FROM events ORDER BY seq;
DROP TABLE events;
ALTER TABLE events_rebuilt RENAME TO events;
"#;

/// A DROP TABLE takes the table's indexes and triggers with it: the
/// append-only triggers and every index on `events` (whichever migrations
/// made them) are read first and made again, word for word. Indexes a bulk
/// load deferred are not in the schema now and stay owed (store::bulk).
fn desk_level_events(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    let kept: Vec<String> = tx
        .prepare(
            "SELECT sql FROM sqlite_schema
              WHERE tbl_name = 'events' AND type IN ('index', 'trigger') AND sql IS NOT NULL
              ORDER BY type, name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    tx.execute_batch(EVENTS_REBUILT)?;
    for sql in kept {
        tx.execute_batch(&sql)?;
    }
    Ok(())
}

/// The All list narrowed by verdict reads `tickets_by_state_verdict`, one
/// range per state (store::plan): `tickets_by_verdict` served nothing else,
/// and every bulk load built it. One a killed load still owes goes too.
const V7: &str = r#"
DROP INDEX IF EXISTS tickets_by_verdict;
UPDATE meta SET value = (SELECT json_group_array(d.value) FROM json_each(meta.value) AS d
                          WHERE d.value NOT LIKE 'CREATE INDEX tickets_by_verdict %')
 WHERE key = 'deferred_indexes';
"#;

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2),
        M::up(V3),
        M::up(V4),
        M::up(V5),
        M::up_with_hook(V6, desk_level_events),
        M::up(V7),
    ])
}

/// The schema version this binary writes.
pub fn latest() -> usize {
    7
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn names(c: &Connection) -> Vec<(String, String)> {
        c.prepare(
            "SELECT type, name FROM sqlite_schema WHERE tbl_name = 'events' AND sql IS NOT NULL ORDER BY 1, 2",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    /// A schema-3 desk with `n` tickets, one event each (seqs with a gap).
    fn desk_at_3(n: usize) -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "foreign_keys", true).unwrap();
        migrations().to_version(&mut c, 3).unwrap();
        let tx = c.transaction().unwrap();
        for i in 0..n {
            tx.execute(
                "INSERT INTO tickets (id, raw, received_us, received_at, product, account_id, currency,
                                      verdict, verdict_kind, policy_version, state, wf, updated_at, updated_by)
                 VALUES (?1, '{}', ?2, 'at', 'lcic', 'a', 'USD', '{}', 'reject', 'p', 'submitted', '{}', 'at', 'x')",
                rusqlite::params![format!("T-{i}"), i as i64],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO events (seq, ticket_id, action, from_state, to_state, operator, at)
                 VALUES (?1, ?2, 'import', 'submitted', 'submitted', 'x', 'at')",
                rusqlite::params![(i * 2 + 1) as i64, format!("T-{i}")],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        c
    }

    #[test]
    fn desk_level_events_keep_every_row_index_and_trigger() {
        let mut c = desk_at_3(50);
        let before = names(&c);
        let rows = |c: &Connection| -> Vec<(i64, String)> {
            c.prepare("SELECT seq, ticket_id FROM events ORDER BY seq")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let old = rows(&c);
        // Schema 3 refuses an event without a ticket.
        let desk_level = "INSERT INTO events (ticket_id, action, operator, at) VALUES (NULL, 'role_grant', 'x', 'at')";
        assert!(c.execute(desk_level, []).is_err());
        migrations().to_latest(&mut c).unwrap();
        // V5, between schema 3 and the rebuild, adds an index of its own.
        let mut expected = before.clone();
        expected.push(("index".into(), "events_payouts".into()));
        expected.sort();
        assert_eq!(names(&c), expected, "indexes and triggers made again");
        assert_eq!(rows(&c), old, "every event with its seq");
        c.execute(desk_level, []).unwrap();
        let seq: i64 = c
            .query_row("SELECT max(seq) FROM events", [], |r| r.get(0))
            .unwrap();
        assert_eq!(seq, 100, "seq goes on after the highest");
        for attack in [
            "UPDATE events SET operator = 'y'",
            "DELETE FROM events",
            "INSERT OR REPLACE INTO events (seq, ticket_id, action, operator, at) VALUES (1, NULL, 'x', 'y', 'z')",
        ] {
            let e = c.execute(attack, []).unwrap_err().to_string();
            assert!(e.contains("append-only"), "{attack}: {e}");
        }
        // Still tied to real tickets when it names one.
        assert!(c
            .execute(
                "INSERT INTO events (ticket_id, action, operator, at) VALUES ('NO-SUCH', 'x', 'x', 'at')",
                []
            )
            .is_err());
    }

    /// An index a killed bulk load dropped stays owed: not made here, so its
    /// later build (from the definition kept in meta) does not collide.
    #[test]
    fn an_index_a_bulk_load_deferred_stays_deferred() {
        let mut c = desk_at_3(3);
        c.execute_batch("DROP INDEX events_by_ticket").unwrap();
        migrations().to_latest(&mut c).unwrap();
        assert!(!names(&c).iter().any(|(_, n)| n == "events_by_ticket"));
        c.execute_batch("CREATE INDEX events_by_ticket ON events (ticket_id, seq)")
            .unwrap();
    }

    /// The verdict index goes, from the schema and from what a killed bulk
    /// load still owes; every other owed index stays owed.
    #[test]
    fn the_verdict_index_goes_even_when_owed() {
        let owed = |c: &Connection| -> Vec<String> {
            let v: String = c
                .query_row(
                    "SELECT value FROM meta WHERE key = 'deferred_indexes'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            serde_json::from_str(&v).unwrap()
        };
        let index_exists = |c: &Connection, name: &str| -> bool {
            c.query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?1)",
                [name],
                |r| r.get(0),
            )
            .unwrap()
        };
        let mut c = desk_at_3(3);
        migrations().to_version(&mut c, 6).unwrap();
        assert!(index_exists(&c, "tickets_by_verdict"));
        let mut live = desk_at_3(3);
        migrations().to_latest(&mut live).unwrap();
        assert!(!index_exists(&live, "tickets_by_verdict"));

        // A load killed after dropping its indexes: they wait in meta.
        let definitions: Vec<String> = c
            .prepare("SELECT sql FROM sqlite_schema WHERE name IN ('tickets_by_verdict', 'tickets_by_due') ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(definitions.len(), 2);
        c.execute_batch("DROP INDEX tickets_by_verdict; DROP INDEX tickets_by_due")
            .unwrap();
        c.execute(
            "INSERT INTO meta (key, value) VALUES ('deferred_indexes', ?1)",
            [serde_json::to_string(&definitions).unwrap()],
        )
        .unwrap();
        migrations().to_latest(&mut c).unwrap();
        assert_eq!(
            owed(&c),
            vec![definitions[0].clone()],
            "tickets_by_due still owed"
        );
        for sql in owed(&c) {
            c.execute_batch(&sql).unwrap();
        }
        assert!(index_exists(&c, "tickets_by_due"));
        assert!(!index_exists(&c, "tickets_by_verdict"));
    }

    /// What the rebuild costs, on a desk of `REFUND_DESK_MIGRATION_TICKETS`
    /// tickets (default 100,000) with one event each: run with
    /// `cargo test --lib migration_cost -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn migration_cost() {
        let n = std::env::var("REFUND_DESK_MIGRATION_TICKETS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(100_000);
        let mut c = desk_at_3(n);
        let t = std::time::Instant::now();
        migrations().to_latest(&mut c).unwrap();
        eprintln!(
            "V4 on {n} events: {:.0} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
}
