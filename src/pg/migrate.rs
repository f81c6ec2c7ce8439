//! `refund-desk migrate --to URL`: a SQLite desk copied into an empty
//! PostgreSQL database, whole — tickets, the audit trail with its sequence
//! numbers, leases, the desk's policy history, its marks and its roles —
//! in one transaction, then verified: every table's row count and a digest
//! of its rows, read back from the server over a new connection, must equal
//! the source's before success is reported.

use super::open::{connect, create_with, ident, Made, Names};
use super::{explain, query::search_document};
use crate::store::Store;
use sha2::{Digest, Sha256};

/// One table of the copy: its rows and the digest of them, on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCheck {
    pub table: &'static str,
    pub source_rows: u64,
    pub target_rows: u64,
    pub source_digest: String,
    pub target_digest: String,
}

impl TableCheck {
    pub fn matches(&self) -> bool {
        self.source_rows == self.target_rows && self.source_digest == self.target_digest
    }
}

/// The tables compared, each with the columns both engines hold (as text,
/// NULL apart) in primary-key order.
const TABLES: &[(&str, &str, &str)] = &[
    (
        "tickets",
        "id, raw, received_us, received_at, product, account_id, customer, currency, requested, \
         verdict, verdict_kind, policy_version, state, assignee, pending, due_target, due_breach, \
         wf, version, updated_at, updated_by, payout_reference",
        "id",
    ),
    (
        "events",
        "seq, ticket_id, action, from_state, to_state, operator, at, note, payload",
        "seq",
    ),
    (
        "policy_history",
        "seq, reason, version, files, calendar_name, calendar_version, calendar, applied_by, \
         applied_at, payload",
        "seq",
    ),
    ("leases", "ticket_id, operator, until_us", "ticket_id"),
];

/// The marks a desk carries over (schema_version is the target's own;
/// bulk-load bookkeeping stays behind).
const META_KEYS: &[&str] = &["desk_kind", "clock", "policy_version"];

/// A row as text fields, the same on both engines: NULL is `None`, a
/// boolean is "1"/"0", numbers in decimal.
type TextRow = Vec<Option<String>>;

#[derive(Default)]
struct Digester {
    hash: Sha256,
    rows: u64,
}

impl Digester {
    fn add(&mut self, row: &TextRow) {
        for field in row {
            match field {
                None => self.hash.update([0u8]),
                Some(s) => {
                    self.hash.update([1u8]);
                    self.hash.update((s.len() as u64).to_le_bytes());
                    self.hash.update(s.as_bytes());
                }
            }
        }
        self.rows += 1;
    }

    fn finish(self) -> (u64, String) {
        let d = self.hash.finalize();
        (
            self.rows,
            d.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        )
    }
}

fn sqlite_rows(
    conn: &rusqlite::Connection,
    table: &str,
    columns: &str,
    key: &str,
    mut each: impl FnMut(TextRow) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let n = columns.split(',').count();
    let mut stmt = conn.prepare(&format!("SELECT {columns} FROM {table} ORDER BY {key}"))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            use rusqlite::types::ValueRef;
            out.push(match r.get_ref(i)? {
                ValueRef::Null => None,
                ValueRef::Integer(v) => Some(v.to_string()),
                ValueRef::Real(v) => Some(v.to_string()),
                ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
            });
        }
        each(out)?;
    }
    Ok(())
}

fn pg_digest(
    tx: &mut postgres::Transaction,
    table: &str,
    columns: &str,
    key: &str,
) -> anyhow::Result<(u64, String)> {
    let n = columns.split(',').count();
    // Every column as text on the server, booleans as 1/0 like SQLite's.
    let select: Vec<String> = columns
        .split(',')
        .map(|c| {
            let c = c.trim();
            if c == "pending" {
                "CASE WHEN pending THEN '1' ELSE '0' END".to_string()
            } else {
                format!("{c}::text")
            }
        })
        .collect();
    let sql = format!(
        // Qualified: a bare name would sort by the text output column.
        "SELECT {} FROM refund_desk.{table} AS t ORDER BY t.{key}",
        select.join(", ")
    );
    let portal = tx.bind(sql.as_str(), &[]).map_err(explain)?;
    let mut d = Digester::default();
    loop {
        let rows = tx.query_portal(&portal, 10_000).map_err(explain)?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let row: TextRow = (0..n).map(|i| r.get::<_, Option<String>>(i)).collect();
            d.add(&row);
        }
    }
    Ok(d.finish())
}

/// COPY's text format: `\N` for NULL, backslash escapes for the rest.
fn copy_field(out: &mut Vec<u8>, field: Option<&str>) {
    let Some(s) = field else {
        out.extend_from_slice(b"\\N");
        return;
    };
    for b in s.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

fn copy_row(out: &mut Vec<u8>, row: &[Option<&str>]) {
    for (i, f) in row.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        copy_field(out, *f);
    }
    out.push(b'\n');
}

/// Copies the desk open in `source` into the empty database at `url` and
/// verifies the copy. Refused (nothing written) when the database holds a
/// desk, or when an operator of the desk has no login role there.
pub fn migrate(source: &Store, url: &str) -> anyhow::Result<Vec<TableCheck>> {
    use std::io::Write as _;
    let shown = crate::desk::Location::Postgres(url.to_string()).shown();
    let conn = source.conn();
    // One read transaction: the copy and the source digests see one state.
    conn.execute_batch("BEGIN DEFERRED")?;
    let result = (|| {
        let operators: Vec<(String, String)> = conn
            .prepare("SELECT name, role FROM operators ORDER BY name")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        {
            let mut probe = connect(url)?;
            let missing: Vec<String> = operators
                .iter()
                .filter(|(name, _)| {
                    !probe
                        .query_one(
                            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1 AND rolcanlogin)",
                            &[name],
                        )
                        .map(|r| r.get::<_, bool>(0))
                        .unwrap_or(false)
                })
                .map(|(n, _)| n.clone())
                .collect();
            if !missing.is_empty() {
                anyhow::bail!(
                    "{shown}: these operators of the desk have no login role on the server: {}; \
                     the DBA creates one per operator first (CREATE ROLE name LOGIN)",
                    crate::text::inert(&missing.join(", "))
                );
            }
        }
        let mut sources = Vec::new();
        let made = create_with(url, |tx, names, _me| {
            copy_meta(conn, tx)?;
            for (table, columns, key) in TABLES {
                let digest = copy_table(conn, tx, table, columns, key)?;
                sources.push(digest);
            }
            grant_roles(tx, names, &operators)?;
            // Identities continue after the copied sequence numbers.
            tx.batch_execute(
                "SELECT setval(pg_get_serial_sequence('refund_desk.events', 'seq'),
                               coalesce((SELECT max(seq) FROM refund_desk.events), 0) + 1, false);
                 SELECT setval(pg_get_serial_sequence('refund_desk.policy_history', 'seq'),
                               coalesce((SELECT max(seq) FROM refund_desk.policy_history), 0) + 1, false);",
            )
            .map_err(explain)?;
            Ok(())
        })?;
        if let Made::AlreadyThere = made {
            anyhow::bail!("{shown}: this database holds a desk already; migrate copies only into an empty database");
        }
        // Read back over a new connection: what the server committed.
        let mut client = connect(url)?;
        let mut tx = client.transaction().map_err(explain)?;
        let mut checks = Vec::new();
        for ((table, columns, key), (source_rows, source_digest)) in TABLES.iter().zip(sources) {
            let (target_rows, target_digest) = pg_digest(&mut tx, table, columns, key)?;
            checks.push(TableCheck {
                table,
                source_rows,
                target_rows,
                source_digest,
                target_digest,
            });
        }
        checks.push(roles_check(&operators, &mut tx)?);
        let _ = std::io::stderr().flush();
        Ok(checks)
    })();
    conn.execute_batch("COMMIT")?;
    result
}

fn copy_meta(conn: &rusqlite::Connection, tx: &mut postgres::Transaction) -> anyhow::Result<()> {
    for key in META_KEYS {
        let value: Option<String> = {
            use rusqlite::OptionalExtension;
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()?
        };
        if let Some(v) = value {
            tx.execute(
                "INSERT INTO refund_desk.meta (key, value) VALUES ($1, $2)",
                &[key, &v],
            )
            .map_err(explain)?;
        }
    }
    Ok(())
}

/// One table by COPY, digesting the source rows as they go.
fn copy_table(
    conn: &rusqlite::Connection,
    tx: &mut postgres::Transaction,
    table: &str,
    columns: &str,
    key: &str,
) -> anyhow::Result<(u64, String)> {
    let target_columns = if table == "tickets" {
        format!("{columns}, search")
    } else {
        columns.to_string()
    };
    let mut writer = tx
        .copy_in(format!("COPY refund_desk.{table} ({target_columns}) FROM STDIN").as_str())
        .map_err(explain)?;
    let mut digest = Digester::default();
    let mut buf = Vec::with_capacity(1 << 20);
    let pending_col = columns.split(',').position(|c| c.trim() == "pending");
    sqlite_rows(conn, table, columns, key, |mut row| {
        if let Some(i) = pending_col {
            // SQLite's 0/1 is PostgreSQL's boolean; the digest keeps 0/1.
            row[i] = row[i]
                .as_deref()
                .map(|v| (if v == "0" { "0" } else { "1" }).to_string());
        }
        digest.add(&row);
        let mut fields: Vec<Option<&str>> = row.iter().map(|f| f.as_deref()).collect();
        let search;
        if table == "tickets" {
            let raw = row[1].as_deref().unwrap_or_default();
            let id = row[0].as_deref().unwrap_or_default();
            search = search_document(&crate::store::parse_stored_ticket(id, raw)?);
            fields.push(Some(&search));
        }
        copy_row(&mut buf, &fields);
        if buf.len() > (1 << 20) {
            std::io::Write::write_all(&mut writer, &buf)?;
            buf.clear();
        }
        Ok(())
    })?;
    std::io::Write::write_all(&mut writer, &buf)?;
    writer.finish().map_err(explain)?;
    Ok(digest.finish())
}

fn grant_roles(
    tx: &mut postgres::Transaction,
    names: &Names,
    operators: &[(String, String)],
) -> anyhow::Result<()> {
    for (name, role) in operators {
        let group = if role == "supervisor" {
            &names.supervisor
        } else {
            &names.agent
        };
        tx.batch_execute(&format!("GRANT {} TO {}", ident(group), ident(name)))
            .map_err(explain)?;
    }
    Ok(())
}

/// The desk's roles as memberships of its group roles, against the source's.
fn roles_check(
    operators: &[(String, String)],
    tx: &mut postgres::Transaction,
) -> anyhow::Result<TableCheck> {
    let mut source = Digester::default();
    for (name, role) in operators {
        source.add(&vec![Some(name.clone()), Some(role.clone())]);
    }
    let db: String = tx
        .query_one("SELECT current_database()", &[])
        .map_err(explain)?
        .get(0);
    let names = Names::of(&db);
    let rows = tx
        .query(
            "SELECT m.rolname::text,
                    CASE WHEN bool_or(g.rolname = $1) THEN 'supervisor' ELSE 'agent' END
               FROM pg_auth_members am
               JOIN pg_roles g ON g.oid = am.roleid
               JOIN pg_roles m ON m.oid = am.member
              WHERE g.rolname IN ($1, $2) AND m.rolname <> $3
              GROUP BY m.rolname ORDER BY m.rolname",
            &[&names.supervisor, &names.agent, &names.owner],
        )
        .map_err(explain)?;
    let mut target = Digester::default();
    for r in &rows {
        target.add(&vec![Some(r.get(0)), Some(r.get(1))]);
    }
    let (source_rows, source_digest) = source.finish();
    let (target_rows, target_digest) = target.finish();
    Ok(TableCheck {
        table: "roles",
        source_rows,
        target_rows,
        source_digest,
        target_digest,
    })
}
