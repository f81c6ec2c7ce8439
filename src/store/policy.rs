//! The desk's policy (SPEC §2): the texts of the policy files and of the
//! calendar, kept in the desk with who made them its own and when. Every
//! process that opens the desk judges with them, whatever policy its binary
//! was built with; only a supervisor's `apply` changes them.

use super::rows::load_case;
use super::verdicts::{parse_stored, recompute_in};
use super::{due_target_text, Store, StoreError};
use crate::domain::calendar::Calendar;
use crate::domain::policy::Policy;
use crate::domain::workflow::{Case, Role};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// The text a desk stores for the plain Monday–Friday calendar.
const PLAIN_CALENDAR: &str = include_str!("../../assets/calendars/default.toml");

/// A calendar with the text it was read from: the desk stores the text.
#[derive(Clone, Debug)]
pub struct CalendarSource {
    pub calendar: Calendar,
    pub text: String,
}

impl CalendarSource {
    /// `name` is the calendar's name when the file has no `name` key (and
    /// where errors point).
    pub fn parse(name: &str, text: &str) -> anyhow::Result<CalendarSource> {
        Ok(CalendarSource {
            calendar: Calendar::from_toml(name, text)?,
            text: text.to_string(),
        })
    }

    /// The text to store for a calendar given already parsed (the seed of a
    /// new desk): the shipped file for the plain calendar, else the same
    /// dates written out.
    pub(crate) fn of(calendar: &Calendar) -> CalendarSource {
        let text = if *calendar == Calendar::plain() {
            PLAIN_CALENDAR.to_string()
        } else {
            let dates = |ds: &std::collections::BTreeSet<chrono::NaiveDate>| {
                ds.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!(
                "name = {}\nholidays = [{}]\nworkdays = [{}]\n",
                toml::Value::String(calendar.name().to_string()),
                dates(calendar.holidays()),
                dates(calendar.workdays()),
            )
        };
        CalendarSource {
            calendar: calendar.clone(),
            text,
        }
    }

    /// "name (digest)", how a calendar is shown.
    pub fn label(&self) -> String {
        format!("{} ({})", self.calendar.name(), self.version())
    }

    /// A digest of the text: two calendars of the same name are told apart.
    pub fn version(&self) -> String {
        format!("{:08x}", fnv32(&self.text))
    }
}

/// FNV-1a folded to 32 bits: stable across builds, like the policy version.
fn fnv32(text: &str) -> u32 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h as u32
}

/// One change of the desk's policy, as `policy show` and an audit export
/// list them (the texts themselves stay in the desk).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyChange {
    pub seq: i64,
    /// `created` (a new desk), `adopted` (a desk made before the policy was
    /// stored took the built-in one on upgrade) or `applied` (`policy apply`).
    pub reason: String,
    pub version: String,
    pub calendar_name: String,
    pub calendar_version: String,
    pub by: String,
    pub at: String,
    /// For `applied`: what it replaced and how many verdicts and due dates changed.
    pub payload: serde_json::Value,
}

/// What `apply` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub from: String,
    pub to: String,
    pub calendar_from: String,
    pub calendar_to: String,
    pub tickets: u64,
    pub verdicts_changed: u64,
    pub due_changed: u64,
}

/// A ticket's due dates as stored: target ('9999-12-31' when no clock runs) and breach.
pub type DueText = (String, Option<String>);

/// The desk's policy row in force.
struct Current {
    version: String,
    /// JSON, kept as bytes: compared as they are, and checked as UTF-8
    /// only when they must be read (35 KB of mostly CJK text otherwise
    /// cost a tenth of a snapshot).
    files: Vec<u8>,
    calendar_name: String,
    calendar: String,
}

fn current(conn: &Connection) -> rusqlite::Result<Option<Current>> {
    conn.query_row(
        "SELECT version, files, calendar_name, calendar FROM policy_history ORDER BY seq DESC LIMIT 1",
        [],
        |r| {
            Ok(Current {
                version: r.get(0)?,
                files: r.get_ref(1)?.as_bytes()?.to_vec(),
                calendar_name: r.get(2)?,
                calendar: r.get(3)?,
            })
        },
    )
    .optional()
}

/// The one place a change of the desk's policy is recorded: the texts in
/// `policy_history`, and a desk-level event in the audit trail, so that
/// `export events` carries policy changes beside role changes.
pub(crate) fn record_policy_change(
    tx: &Connection,
    reason: &str,
    policy: &Policy,
    calendar: &CalendarSource,
    who: (&str, &str),
    payload: serde_json::Value,
) -> anyhow::Result<()> {
    tx.execute(
        "INSERT INTO policy_history (reason, version, files, calendar_name, calendar_version, calendar,
             applied_by, applied_at, payload)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            reason,
            policy.version,
            policy.stored_texts(),
            calendar.calendar.name(),
            calendar.version(),
            calendar.text,
            who.0,
            who.1,
            payload.to_string()
        ],
    )?;
    tx.execute(
        "INSERT INTO events (ticket_id, action, operator, at, note, payload)
         VALUES (NULL, ?1, ?2, ?3, ?4, ?5)",
        params![
            format!("policy_{reason}"),
            who.0,
            who.1,
            format!(
                "policy {} with calendar {}",
                policy.version,
                calendar.calendar.name()
            ),
            serde_json::json!({
                "version": policy.version,
                "calendar": calendar.calendar.name(),
                "calendar_version": calendar.version(),
                "detail": payload,
            })
            .to_string()
        ],
    )?;
    Ok(())
}

impl Store {
    /// Called once at open, after the migrations: the policy and calendar the
    /// process was given become the desk's own if it has none yet (a new desk,
    /// or one made before the policy was stored); otherwise the stored ones
    /// replace them. The stored texts are compared, not parsed, so a desk
    /// on the built-in policy costs one small query.
    pub(crate) fn load_desk_policy(&mut self) -> anyhow::Result<()> {
        let Some(row) = current(&self.conn)? else {
            // A reader never writes: a desk its creator has not seeded yet
            // is read under the built-in policy it is about to store.
            if self.access == super::Access::Read {
                return Ok(());
            }
            return self.seed_desk_policy();
        };
        let shown = self.path.display().to_string();
        adopt_stored(
            &shown,
            (&row.files, row.version, &row.calendar_name, &row.calendar),
            &mut self.policy,
            &mut self.calendar,
        )
    }

    /// A process that stays open (the console, a long import) picks up a
    /// policy applied since it opened the desk: called before each write.
    pub(crate) fn follow_desk_policy(&mut self) -> anyhow::Result<()> {
        if !is_current(&self.conn, &self.policy, &self.calendar)? {
            self.load_desk_policy()?;
        }
        Ok(())
    }

    fn seed_desk_policy(&mut self) -> anyhow::Result<()> {
        let at = super::stamp(self.now());
        let calendar = CalendarSource::of(&self.calendar);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Several processes may open a new (or upgraded) desk at once: the
        // first seeds it, the others load what it stored.
        if current(&tx)?.is_some() {
            drop(tx);
            return self.load_desk_policy();
        }
        // Verdicts already checked under some policy: a desk from before the
        // policy was stored. It adopts this one; the open that follows
        // recomputes its verdicts, each change an event.
        let before: Option<String> = tx
            .query_row(
                "SELECT value FROM meta WHERE key = 'policy_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let (reason, payload) = match &before {
            Some(v) => ("adopted", json!({ "verdicts_checked_under": v })),
            None => ("created", json!({})),
        };
        record_policy_change(
            &tx,
            reason,
            &self.policy,
            &calendar,
            (&self.operator, &at),
            payload,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every change of the desk's policy, oldest first.
    pub fn policy_history(&self) -> anyhow::Result<Vec<PolicyChange>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, reason, version, calendar_name, calendar_version, applied_by, applied_at, payload
               FROM policy_history ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            let payload: String = r.get(7)?;
            Ok(PolicyChange {
                seq: r.get(0)?,
                reason: r.get(1)?,
                version: r.get(2)?,
                calendar_name: r.get(3)?,
                calendar_version: r.get(4)?,
                by: r.get(5)?,
                at: r.get(6)?,
                payload: serde_json::from_str(&payload).unwrap_or(json!({})),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The desk's calendar with the text it stores.
    pub fn calendar_source(&self) -> anyhow::Result<CalendarSource> {
        let row = current(&self.conn)?.ok_or_else(|| anyhow::anyhow!("the desk has no policy"))?;
        CalendarSource::parse(&row.calendar_name, &row.calendar)
    }

    /// A supervisor makes `policy` (and `calendar`, else the desk's own stays)
    /// the desk's policy: recorded, every verdict recomputed (each change an
    /// event) and every running clock's due dates recomputed, in one
    /// transaction. `None` when they already are the desk's.
    pub fn apply_policy(
        &mut self,
        policy: Policy,
        calendar: Option<CalendarSource>,
    ) -> Result<Option<Applied>, StoreError> {
        let me = self.actor()?;
        if me.role != Role::Supervisor {
            return Err(StoreError::Refused(format!(
                "only a supervisor can apply a policy; {} is an agent",
                me.name
            )));
        }
        let at = super::stamp(self.now());
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Read again under the write lock: another supervisor may have applied one since open.
        let row = current(&tx)?.ok_or_else(|| anyhow::anyhow!("the desk has no policy"))?;
        let old_calendar = CalendarSource::parse(&row.calendar_name, &row.calendar)?;
        let calendar = calendar.unwrap_or_else(|| old_calendar.clone());
        if row.files == policy.stored_texts().as_bytes() && row.calendar == calendar.text {
            return Ok(None);
        }
        let old_tz = if row.version == self.policy.version {
            self.policy.tz
        } else {
            let texts: BTreeMap<String, String> =
                serde_json::from_slice(&row.files).map_err(anyhow::Error::from)?;
            let texts: Vec<_> = texts.into_iter().collect();
            Policy::from_texts("desk policy", &texts)
                .map_err(anyhow::Error::from)?
                .tz
        };
        let tz_changed = old_tz != policy.tz;
        let (tickets, verdicts_changed) = recompute_in(
            &tx,
            (&policy, &calendar.calendar),
            (&me.name, &at),
            tz_changed,
            &mut |_, _| {},
        )?;
        let mut due_changed = 0u64;
        if tz_changed || calendar.text != row.calendar {
            walk_due(&tx, &policy, &calendar.calendar, |id, _, _, new| {
                tx.prepare_cached(
                    "UPDATE tickets SET due_target = ?2, due_breach = ?3 WHERE id = ?1",
                )?
                .execute(params![id, new.0, new.1])?;
                due_changed += 1;
                Ok(())
            })?;
        }
        let applied = Applied {
            from: row.version.clone(),
            to: policy.version.clone(),
            calendar_from: old_calendar.label(),
            calendar_to: calendar.label(),
            tickets,
            verdicts_changed,
            due_changed,
        };
        record_policy_change(
            &tx,
            "applied",
            &policy,
            &calendar,
            (&me.name, &at),
            json!({
                "from": applied.from,
                "calendar_from": applied.calendar_from,
                "verdicts_changed": verdicts_changed,
                "due_changed": due_changed,
            }),
        )?;
        tx.commit()?;
        self.policy = policy;
        self.calendar = calendar.calendar;
        Ok(Some(applied))
    }

    /// Tickets whose running clock would get other due dates under `policy`
    /// and `calendar`, writing nothing: `each(id, state, stored, would_be)`.
    pub fn diff_due_dates(
        &self,
        policy: &Policy,
        calendar: &Calendar,
        mut each: impl FnMut(&str, &str, &DueText, &DueText),
    ) -> anyhow::Result<()> {
        // Due dates depend on nothing else of the policy: spare the walk.
        if policy.tz == self.policy.tz && *calendar == self.calendar {
            return Ok(());
        }
        // In id order, as a PostgreSQL desk walks them (rowids are SQLite's own).
        let mut changes = Vec::new();
        walk_due(&self.conn, policy, calendar, |id, state, old, new| {
            changes.push((id.to_string(), state.to_string(), old.clone(), new.clone()));
            Ok(())
        })?;
        changes.sort_by(|a, b| a.0.cmp(&b.0));
        for (id, state, old, new) in &changes {
            each(id, state, old, new);
        }
        Ok(())
    }
}

/// The desk's stored policy and calendar (`files` JSON, version, calendar
/// name and text) replace `policy` and `calendar`, either engine: the same
/// texts are stored as the same text, so a desk on this binary's built-in
/// policy parses nothing. `shown` names the desk in errors.
pub(crate) fn adopt_stored(
    shown: &str,
    (files, version, calendar_name, calendar_text): (&[u8], String, &str, &str),
    policy: &mut Policy,
    calendar: &mut Calendar,
) -> anyhow::Result<()> {
    if files != policy.stored_texts().as_bytes() {
        let stored: BTreeMap<String, String> = serde_json::from_slice(files)
            .map_err(|e| anyhow::anyhow!("{shown}: the desk's stored policy is unreadable: {e}"))?;
        let texts: Vec<(String, String)> = stored.into_iter().collect();
        *policy = Policy::from_texts("desk policy", &texts).map_err(|e| {
            anyhow::anyhow!(
                "{shown}: the desk's policy {version} does not load with this refund-desk ({e}); \
                 a supervisor can replace it: refund-desk policy apply --policy-dir DIR"
            )
        })?;
    }
    // The stored version is what every verdict of the desk is tagged with.
    if policy.version != version {
        policy.version = version;
    }
    if CalendarSource::of(calendar).text != calendar_text {
        *calendar = Calendar::from_toml(calendar_name, calendar_text)
            .map_err(|e| anyhow::anyhow!("{shown}: the desk's calendar: {e}"))?;
    }
    Ok(())
}

/// Whether the stored row (version, calendar name and text) is still
/// `policy` and `calendar`, either engine.
pub(crate) fn stored_is(
    (version, calendar_name, calendar_text): (&str, &str, &str),
    policy: &Policy,
    calendar: &Calendar,
) -> bool {
    version == policy.version
        && (CalendarSource::of(calendar).text == calendar_text
            || Calendar::from_toml(calendar_name, calendar_text).as_ref() == Ok(calendar))
}

/// Whether `policy` and `calendar` are still the desk's. Inside a write
/// transaction, after `follow_desk_policy`, false means a `policy apply`
/// committed in between: the write is refused rather than judged by the old one.
pub(crate) fn is_current(
    conn: &Connection,
    policy: &Policy,
    calendar: &Calendar,
) -> anyhow::Result<bool> {
    let Some(row) = current(conn)? else {
        return Ok(false);
    };
    Ok(stored_is(
        (&row.version, &row.calendar_name, &row.calendar),
        policy,
        calendar,
    ))
}

/// The refusal for a write that met a policy applied a moment before it.
pub(crate) fn ensure_current(
    conn: &Connection,
    policy: &Policy,
    calendar: &Calendar,
) -> Result<(), StoreError> {
    if is_current(conn, policy, calendar)? {
        return Ok(());
    }
    Err(StoreError::Refused(
        "the desk's policy changed a moment ago (policy apply); nothing was written: try again"
            .into(),
    ))
}

/// A stored ticket's due dates under `policy` and `calendar`: `raw` is
/// needed only for a fresh case (`wf` ''), which derives its clock from it.
pub(crate) fn due_under(
    (id, raw, wf): (&str, Option<&str>, &str),
    policy: &Policy,
    calendar: &Calendar,
) -> anyhow::Result<DueText> {
    let case: Case = match raw {
        Some(raw) => load_case(wf, &parse_stored(id, raw)?, policy)?,
        None => serde_json::from_str(wf)?,
    };
    let due = case.due(calendar);
    Ok((
        due_target_text(due),
        due.and_then(|d| d.breach).map(|d| d.to_string()),
    ))
}

/// Visits every ticket with a running clock whose due dates differ under
/// `policy` and `calendar`. Rowid chunks: a visitor may rewrite the dates,
/// which an index walk over them would then meet again.
fn walk_due(
    conn: &Connection,
    policy: &Policy,
    calendar: &Calendar,
    mut visit: impl FnMut(&str, &str, &DueText, &DueText) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut after = i64::MIN;
    loop {
        type Row = (i64, String, String, Option<String>, String, DueText);
        let chunk: Vec<Row> = conn
            .prepare_cached(
                // A fresh case ('') derives its clock from the ticket, so only then is raw needed.
                "SELECT rowid, id, state, CASE WHEN wf = '' THEN raw END, wf, due_target, due_breach
                   FROM tickets WHERE rowid > ?1 AND due_target < ?2 ORDER BY rowid LIMIT 20000",
            )?
            .query_map(params![after, super::NO_DUE], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    (r.get(5)?, r.get(6)?),
                ))
            })?
            .collect::<Result<_, _>>()?;
        let Some(last) = chunk.last() else { break };
        after = last.0;
        for (_, id, state, raw, wf, old) in chunk {
            let new = due_under((&id, raw.as_deref(), &wf), policy, calendar)?;
            if new != old {
                visit(&id, &state, &old, &new)?;
            }
        }
    }
    Ok(())
}
