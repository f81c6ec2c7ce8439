//! Connecting to a PostgreSQL desk, and making one (`init`, or the first
//! `import`/`demo` into an empty database).
//!
//! The DBA's setup (README): a database, and one LOGIN role per operator.
//! Whoever runs `init` needs CREATEROLE and CREATE on the database; `init`
//! makes the desk's roles — `<db>_owner` (NOLOGIN, owns every table and
//! function), `<db>_agent` and `<db>_supervisor` (the desk roles, NOLOGIN
//! groups) — and becomes the first supervisor.

use super::{explain, PgStore, SCHEMA_VERSION};
use crate::domain::calendar::Calendar;
use crate::domain::policy::Policy;
use crate::store::{Access, Clock, DeskKind, Opening};
use anyhow::Context as _;
use std::cell::{Cell, RefCell};

const SCHEMA: &str = include_str!("schema.sql");
/// The workflow as the server checks it, run after SCHEMA.
const MOVES: &str = include_str!("moves.sql");

/// The desk's role names, made from its database's name.
#[derive(Clone, Debug)]
pub struct Names {
    pub database: String,
    pub owner: String,
    pub agent: String,
    pub supervisor: String,
}

impl Names {
    pub(crate) fn of(database: &str) -> Names {
        Names {
            database: database.to_string(),
            owner: format!("{database}_owner"),
            agent: format!("{database}_agent"),
            supervisor: format!("{database}_supervisor"),
        }
    }

    pub fn group(&self, role: crate::domain::workflow::Role) -> &str {
        match role {
            crate::domain::workflow::Role::Agent => &self.agent,
            crate::domain::workflow::Role::Supervisor => &self.supervisor,
        }
    }
}

/// `"name"`: an identifier quoted for SQL.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A connection to `url`. Without a user in the URL the OS login name is
/// asked for; the server decides whether that is who we are.
pub(crate) fn connect(url: &str) -> anyhow::Result<postgres::Client> {
    let shown = crate::desk::Location::Postgres(url.to_string()).shown();
    let mut config: postgres::Config = url
        .parse()
        .map_err(|e| anyhow::anyhow!("{shown}: not a PostgreSQL URL ({e})"))?;
    if config.get_user().is_none() {
        config.user(&crate::operator::current()?);
    }
    if config.get_application_name().is_none() {
        config.application_name("refund-desk");
    }
    config.connect_timeout(std::time::Duration::from_secs(10));
    config
        .connect(postgres::NoTls)
        .map_err(|e| anyhow::anyhow!("{shown}: cannot connect: {}", one_line(&e)))
}

fn one_line(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => {
            let mut s = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(inner) = source {
                s = format!("{s}: {inner}");
                source = inner.source();
            }
            s
        }
    }
}

/// Whether the database holds a desk already.
fn has_desk(client: &mut postgres::Client) -> anyhow::Result<bool> {
    let row = client
        .query_one("SELECT to_regclass('refund_desk.meta') IS NOT NULL", &[])
        .map_err(explain)?;
    Ok(row.get(0))
}

pub(crate) enum Made {
    Made,
    AlreadyThere,
}

/// Makes the desk in the (empty) database at `url`: roles, schema, marks,
/// the first supervisor and the desk's policy, in one transaction.
pub(crate) fn create(
    url: &str,
    policy: &Policy,
    calendar: &Calendar,
    kind: DeskKind,
    clock: Clock,
) -> anyhow::Result<Made> {
    create_with(url, |tx, names, me| {
        let at = crate::store::stamp(clock.now());
        let pinned = if clock.is_pinned() {
            "pinned"
        } else {
            "system"
        };
        tx.execute(
            "INSERT INTO refund_desk.meta (key, value)
             VALUES ('desk_kind', $1), ('clock', $2), ('day_offset_us', $3)",
            &[
                &kind.as_str(),
                &pinned,
                // The day totals are kept in the desk's timezone (schema.sql).
                &(i64::from(policy.tz.local_minus_utc()) * 1_000_000).to_string(),
            ],
        )
        .map_err(explain)?;
        tx.batch_execute(&format!(
            "GRANT {} TO {}",
            ident(&names.supervisor),
            ident(me)
        ))
        .map_err(explain)?;
        tx.execute(
            "INSERT INTO refund_desk.events (ticket_id, action, operator, at, note, payload)
             VALUES (NULL, 'role_grant', $1, $2, 'created the desk', $3)",
            &[
                &me,
                &at,
                &serde_json::json!({"user": me, "role": "supervisor", "previous": null})
                    .to_string(),
            ],
        )
        .map_err(explain)?;
        super::policy::record_change(
            tx,
            "created",
            policy,
            &crate::store::CalendarSource::of(calendar),
            (me, &at),
            serde_json::json!({}),
        )
    })
}

/// Makes the desk's roles and schema in the database at `url`, then lets
/// `fill` write its first rows as the owner role, all in one transaction
/// (`init` seeds a new desk; `migrate` copies one in).
pub(crate) fn create_with(
    url: &str,
    fill: impl FnOnce(&mut postgres::Transaction, &Names, &str) -> anyhow::Result<()>,
) -> anyhow::Result<Made> {
    let shown = crate::desk::Location::Postgres(url.to_string()).shown();
    let mut client = connect(url)?;
    if has_desk(&mut client)? {
        return Ok(Made::AlreadyThere);
    }
    let (database, me): (String, String) = {
        let r = client
            .query_one("SELECT current_database(), session_user::text", &[])
            .map_err(explain)?;
        (r.get(0), r.get(1))
    };
    let names = Names::of(&database);
    let mut tx = client.transaction().map_err(explain)?;
    // Several creators at once: the first takes the lock, the others find the desk.
    tx.execute("SELECT pg_advisory_xact_lock(7210000001)", &[])
        .map_err(explain)?;
    let exists: bool = tx
        .query_one("SELECT to_regclass('refund_desk.meta') IS NOT NULL", &[])
        .map_err(explain)?
        .get(0);
    if exists {
        return Ok(Made::AlreadyThere);
    }
    let (owner, agent, supervisor) = (
        ident(&names.owner),
        ident(&names.agent),
        ident(&names.supervisor),
    );
    for role in [&names.owner, &names.agent, &names.supervisor] {
        let there: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                &[role],
            )
            .map_err(explain)?
            .get(0);
        if !there {
            tx.batch_execute(&format!("CREATE ROLE {} NOLOGIN", ident(role)))
                .with_context(|| {
                    format!("{shown}: cannot make the desk's roles: whoever runs init needs CREATEROLE (see the README's DBA setup)")
                })?;
        }
    }
    tx.batch_execute(&format!(
        "GRANT {owner} TO {me_q};
         GRANT CREATE ON DATABASE {db} TO {owner};
         GRANT {agent}, {supervisor} TO {owner} WITH ADMIN OPTION;
         SET LOCAL ROLE {owner};
         CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;",
        me_q = ident(&me),
        db = ident(&database),
    ))
    .with_context(|| format!("{shown}: cannot set up the desk's owner role"))?;
    let ddl = [SCHEMA, MOVES]
        .concat()
        .replace("{owner}", &owner)
        .replace("{agent}", &agent)
        .replace("{supervisor}", &supervisor);
    tx.batch_execute(&ddl)
        .map_err(explain)
        .with_context(|| format!("{shown}: cannot make the desk's tables"))?;
    super::rules::install(&mut tx)?;
    tx.execute(
        "INSERT INTO refund_desk.meta (key, value) VALUES ('schema_version', $1)",
        &[&SCHEMA_VERSION.to_string()],
    )
    .map_err(explain)?;
    fill(&mut tx, &names, &me)?;
    tx.batch_execute("RESET ROLE").map_err(explain)?;
    tx.commit().map_err(explain)?;
    Ok(Made::Made)
}

impl PgStore {
    /// Opens the desk at `url` as `how` says (SPEC §5: the same rules as a
    /// file: reading opens change nothing, writing opens bring verdicts up
    /// to date).
    pub fn open_with(
        url: &str,
        policy: Policy,
        calendar: Calendar,
        how: Opening,
    ) -> anyhow::Result<PgStore> {
        let shown = crate::desk::Location::Postgres(url.to_string()).shown();
        let mut client = connect(url)?;
        if !has_desk(&mut client)? {
            anyhow::bail!(
                "{shown}: no desk in this database; create one with refund-desk init --db URL"
            );
        }
        let row = client
            .query_one(
                "SELECT current_database(), session_user::text,
                        (SELECT value FROM refund_desk.meta WHERE key = 'schema_version'),
                        (SELECT value FROM refund_desk.meta WHERE key = 'desk_kind'),
                        (SELECT value FROM refund_desk.meta WHERE key = 'clock')",
                &[],
            )
            .map_err(|e| anyhow::anyhow!("{shown}: {}", one_line(&e)))?;
        let (database, operator): (String, String) = (row.get(0), row.get(1));
        let version: Option<String> = row.get(2);
        let kind: Option<String> = row.get(3);
        let clock: Option<String> = row.get(4);
        let version: i64 = version.and_then(|v| v.parse().ok()).unwrap_or(0);
        if version > SCHEMA_VERSION {
            anyhow::bail!(
                "{shown}: the desk has schema version {version}, newer than this refund-desk ({SCHEMA_VERSION}); upgrade refund-desk"
            );
        }
        let kind = match kind.as_deref() {
            Some("test") => DeskKind::Test,
            Some("demo") => DeskKind::Demo,
            _ => DeskKind::Real,
        };
        // Live refresh: every change NOTIFYs; the console polls this connection.
        if how.access == Access::Console {
            client
                .batch_execute("LISTEN refund_desk")
                .map_err(explain)?;
        }
        let mut store = PgStore {
            client: RefCell::new(client),
            url: url.to_string(),
            policy,
            calendar,
            operator,
            names: Names::of(&database),
            clock: if clock.as_deref() == Some("pinned") {
                how.clock
            } else {
                Clock::System
            },
            kind,
            access: how.access,
            changes: Cell::new(0),
        };
        store.load_desk_policy()?;
        if how.access == Access::Write {
            store.refresh_verdicts_if_policy_changed()?;
        }
        Ok(store)
    }

    /// Creates the desk (`init`); refused when the database holds one.
    pub fn create(
        url: &str,
        policy: Policy,
        calendar: Calendar,
        kind: DeskKind,
        clock: Clock,
    ) -> anyhow::Result<PgStore> {
        if let Made::AlreadyThere = create(url, &policy, &calendar, kind, clock)? {
            anyhow::bail!(
                "{}: this database holds a desk already; not making another over it",
                crate::desk::Location::Postgres(url.to_string()).shown()
            );
        }
        Self::open_with(url, policy, calendar, Opening::new(Access::Write, clock))
    }

    /// The desk at `url`, made first if the database has none (`import`, `demo`).
    pub fn open_or_create(
        url: &str,
        policy: Policy,
        calendar: Calendar,
        kind: DeskKind,
        clock: Clock,
    ) -> anyhow::Result<PgStore> {
        create(url, &policy, &calendar, kind, clock)?;
        Self::open_with(url, policy, calendar, Opening::new(Access::Write, clock))
    }

    /// Whether the database at `url` holds a desk (without opening it).
    pub fn exists(url: &str) -> anyhow::Result<bool> {
        has_desk(&mut connect(url)?)
    }
}
