//! The desk's policy on PostgreSQL: the same `policy_history` as a file
//! desk, written only through `refund_desk.record_policy` (supervisors) —
//! or by `init`, as the owner, for the desk's first policy.

use super::{explain, PgStore};
use crate::domain::calendar::Calendar;
use crate::domain::policy::Policy;
use crate::store::{CalendarSource, PolicyChange, StoreError};
use serde_json::json;

/// The desk's policy row in force.
pub(crate) struct Current {
    pub version: String,
    pub files: String,
    pub calendar_name: String,
    pub calendar: String,
}

pub(crate) fn current(
    client: &mut impl postgres::GenericClient,
) -> anyhow::Result<Option<Current>> {
    let row = client
        .query_opt(
            "SELECT version, files, calendar_name, calendar FROM refund_desk.policy_history
              ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .map_err(explain)?;
    Ok(row.map(|r| Current {
        version: r.get(0),
        files: r.get(1),
        calendar_name: r.get(2),
        calendar: r.get(3),
    }))
}

fn event_payload(
    policy: &Policy,
    calendar: &CalendarSource,
    payload: &serde_json::Value,
) -> String {
    json!({
        "version": policy.version,
        "calendar": calendar.calendar.name(),
        "calendar_version": calendar.version(),
        "detail": payload,
    })
    .to_string()
}

fn event_note(policy: &Policy, calendar: &CalendarSource) -> String {
    format!(
        "policy {} with calendar {}",
        policy.version,
        calendar.calendar.name()
    )
}

/// The policy's four-eyes thresholds as the server's money checks read
/// them (moves.sql `threshold`): `{"default": "10000.00", "JPY": ...}`.
fn thresholds(policy: &Policy) -> String {
    let t = &policy.approval_threshold;
    let mut all = serde_json::Map::new();
    all.insert("default".into(), json!(t.default.to_string()));
    for (currency, amount) in &t.by_currency {
        all.insert(currency.clone(), json!(amount.to_string()));
    }
    serde_json::Value::Object(all).to_string()
}

/// The desk's first policy, written by `init` as the owner role.
pub(crate) fn record_change(
    tx: &mut postgres::Transaction,
    reason: &str,
    policy: &Policy,
    calendar: &CalendarSource,
    who: (&str, &str),
    payload: serde_json::Value,
) -> anyhow::Result<()> {
    tx.execute(
        "INSERT INTO refund_desk.policy_history (reason, version, files, calendar_name,
             calendar_version, calendar, applied_by, applied_at, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &reason,
            &policy.version,
            &policy.stored_texts(),
            &calendar.calendar.name(),
            &calendar.version(),
            &calendar.text,
            &who.0,
            &who.1,
            &payload.to_string(),
        ],
    )
    .map_err(explain)?;
    tx.execute(
        "INSERT INTO refund_desk.events (ticket_id, action, operator, at, note, payload)
         VALUES (NULL, $1, $2, $3, $4, $5)",
        &[
            &format!("policy_{reason}"),
            &who.0,
            &who.1,
            &event_note(policy, calendar),
            &event_payload(policy, calendar, &payload),
        ],
    )
    .map_err(explain)?;
    set_thresholds(tx, policy)?;
    Ok(())
}

/// A migrated desk's thresholds beside its copied policy in force (as the
/// owner: the row's author need not be the one migrating).
pub(crate) fn copied_thresholds(
    tx: &mut postgres::Transaction,
    policy: &Policy,
) -> anyhow::Result<()> {
    tx.execute(
        "INSERT INTO refund_desk.policy_thresholds (policy_seq, amounts)
         SELECT max(seq), $1 FROM refund_desk.policy_history HAVING max(seq) IS NOT NULL",
        &[&thresholds(policy)],
    )
    .map_err(explain)?;
    Ok(())
}

/// The thresholds beside the policy row just written (moves.sql
/// `set_thresholds`), so the server's four-eyes check reads this policy's.
pub(crate) fn set_thresholds(
    tx: &mut postgres::Transaction,
    policy: &Policy,
) -> Result<(), StoreError> {
    tx.execute(
        "SELECT refund_desk.set_thresholds($1)",
        &[&thresholds(policy)],
    )?;
    Ok(())
}

/// A supervisor's change of the desk's policy, through the desk's function
/// (which checks the role and takes the operator from the session).
pub(crate) fn record_applied(
    tx: &mut postgres::Transaction,
    policy: &Policy,
    calendar: &CalendarSource,
    at: &str,
    payload: serde_json::Value,
) -> Result<(), StoreError> {
    tx.execute(
        "SELECT refund_desk.record_policy('applied', $1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &policy.version,
            &policy.stored_texts(),
            &calendar.calendar.name(),
            &calendar.version(),
            &calendar.text,
            &at,
            &payload.to_string(),
            &event_note(policy, calendar),
            &event_payload(policy, calendar, &payload),
        ],
    )?;
    set_thresholds(tx, policy)?;
    Ok(())
}

/// Whether `policy` and `calendar` are still the desk's.
pub(crate) fn is_current(
    client: &mut impl postgres::GenericClient,
    policy: &Policy,
    calendar: &Calendar,
) -> anyhow::Result<bool> {
    let Some(row) = current(client)? else {
        return Ok(false);
    };
    Ok(crate::store::policy::stored_is(
        (&row.version, &row.calendar_name, &row.calendar),
        policy,
        calendar,
    ))
}

/// The refusal for a write that met a policy applied a moment before it.
pub(crate) fn ensure_current(
    client: &mut impl postgres::GenericClient,
    policy: &Policy,
    calendar: &Calendar,
) -> Result<(), StoreError> {
    if is_current(client, policy, calendar)? {
        return Ok(());
    }
    Err(StoreError::Refused(
        "the desk's policy changed a moment ago (policy apply); nothing was written: try again"
            .into(),
    ))
}

impl PgStore {
    /// The stored policy and calendar replace the process's (SPEC §2).
    pub(crate) fn load_desk_policy(&mut self) -> anyhow::Result<()> {
        let shown = crate::desk::Location::Postgres(self.url.clone()).shown();
        let row = current(&mut *self.client())?
            .ok_or_else(|| anyhow::anyhow!("{shown}: the desk has no policy"))?;
        crate::store::policy::adopt_stored(
            &shown,
            (
                row.files.as_bytes(),
                row.version,
                &row.calendar_name,
                &row.calendar,
            ),
            &mut self.policy,
            &mut self.calendar,
        )
    }

    /// A process that stays open picks up a policy applied since it opened
    /// the desk: called before each write.
    pub(crate) fn follow_desk_policy(&mut self) -> anyhow::Result<()> {
        let (policy, calendar) = (self.policy.clone(), self.calendar.clone());
        if !is_current(&mut *self.client(), &policy, &calendar)? {
            self.load_desk_policy()?;
        }
        Ok(())
    }

    /// Every change of the desk's policy, oldest first.
    pub fn policy_history(&self) -> anyhow::Result<Vec<PolicyChange>> {
        let rows = self
            .client()
            .query(
                "SELECT seq, reason, version, calendar_name, calendar_version, applied_by,
                        applied_at, payload
                   FROM refund_desk.policy_history ORDER BY seq",
                &[],
            )
            .map_err(explain)?;
        Ok(rows
            .iter()
            .map(|r| PolicyChange {
                seq: r.get(0),
                reason: r.get(1),
                version: r.get(2),
                calendar_name: r.get(3),
                calendar_version: r.get(4),
                by: r.get(5),
                at: r.get(6),
                payload: serde_json::from_str(r.get::<_, &str>(7)).unwrap_or(json!({})),
            })
            .collect())
    }

    /// The desk's calendar with the text it stores.
    pub fn calendar_source(&self) -> anyhow::Result<CalendarSource> {
        let row = current(&mut *self.client())?
            .ok_or_else(|| anyhow::anyhow!("the desk has no policy"))?;
        CalendarSource::parse(&row.calendar_name, &row.calendar)
    }
}
