//! `refund-desk show ID [--json]`

use super::{ExitCode, Setup};
use crate::domain::money::fmt2;
use crate::domain::workflow::history::event_facts;
use crate::store::{Detail, EventRow};
use crate::text::inert;
use chrono::FixedOffset;
use serde_json::json;

pub fn detail_json(d: &Detail, policy: &crate::domain::policy::Policy) -> serde_json::Value {
    let texts: Vec<_> = d
        .verdict
        .clauses
        .iter()
        .map(|c| {
            let t = policy.clause_text(*c);
            json!({"clause": c, "en": t.en, "zh": t.zh})
        })
        .collect();
    json!({
        "id": d.ticket.id,
        "state": d.case.state,
        "assignee": d.case.assignee,
        "version": d.version,
        "verdict": d.verdict,
        "clause_texts": texts,
        "policy_version": d.policy_version,
        "verdict_since": d.verdict_since,
        "due": d.due.map(|due| json!({"target": due.target.to_string(), "breach": due.breach.map(|b| b.to_string())})),
        "workflow": d.case,
        "ticket": d.raw,
        "events": d.events,
    })
}

pub fn run(setup: &Setup, id: &str, as_json: bool) -> anyhow::Result<ExitCode> {
    let store = setup.open_reader()?;
    let d = store.detail(id)?;
    if as_json {
        let json = serde_json::to_string_pretty(&detail_json(&d, store.policy()))?;
        println!("{}", crate::text::json_for_terminal(json));
        return Ok(ExitCode::Ok);
    }
    let t = &d.ticket;
    let v = &d.verdict;
    println!(
        "{}  {}  {}  received {}",
        inert(&t.id),
        t.product,
        d.case.state,
        t.received_at.to_rfc3339()
    );
    println!(
        "account   {} {}",
        inert(&t.account_id),
        inert(t.account_name.as_deref().unwrap_or(""))
    );
    if let Some(s) = &t.subject {
        println!("subject   {}", inert(s));
    }
    if let Some(s) = &t.description {
        println!("words     {}", inert(s));
    }
    let amount = v
        .amount
        .map(|a| format!(" {} {}", fmt2(a), v.currency))
        .unwrap_or_default();
    let ceiling = v
        .ceiling
        .map(|a| format!(" up to {} {}", fmt2(a), v.currency))
        .unwrap_or_default();
    println!("verdict   {}{amount}{ceiling}", v.kind);
    for c in &v.clauses {
        println!("  {c}: {}", store.policy().clause_text(*c).en);
    }
    for f in &v.flags {
        println!("  flag {f}: {}", store.policy().flag_text(*f).en);
    }
    if !v.missing.is_empty() {
        println!("  missing: {}", v.missing.join(", "));
    }
    for (k, val) in &v.facts {
        println!("  {k}: {val}");
    }
    if let Some(due) = d.due {
        println!(
            "due       target {}  breach {}",
            due.target,
            due.breach.map(|b| b.to_string()).unwrap_or("-".into())
        );
    }
    if let Some(p) = &d.case.pending {
        println!(
            "pending   {} proposed by {}: {}",
            p.action.name(),
            inert(&p.proposer),
            inert(&p.reasons.join("; "))
        );
    }
    let tz = store.policy().tz;
    println!("history   (local time, UTC{tz})");
    for e in &d.events {
        println!("  {}", event_line(e, tz, &t.payment.currency));
    }
    Ok(ExitCode::Ok)
}

/// One event for a person: local time, what happened, who, and the amounts,
/// parties and references its payload carries. Everything shown is inert.
pub fn event_line(e: &EventRow, tz: FixedOffset, currency: &str) -> String {
    let when = chrono::DateTime::parse_from_rfc3339(&e.at)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| e.at.clone());
    let moved = if e.from == e.to || e.from.is_empty() {
        format!("in {}", e.to)
    } else {
        format!("{} → {}", e.from, e.to)
    };
    let facts = event_facts(&e.action, &e.payload, currency);
    let facts = if facts.is_empty() {
        facts
    } else {
        format!("  {facts}")
    };
    let note = e
        .note
        .as_deref()
        .map(|n| format!("  “{n}”"))
        .unwrap_or_default();
    inert(&format!(
        "{when}  {:<15} {moved}  by {}{facts}{note}",
        e.action, e.operator
    ))
}
