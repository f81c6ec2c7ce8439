//! `refund-desk policy diff --policy-dir NEW`: which open tickets would get
//! another verdict under new policy files, and what it does to the refund
//! total — before anyone switches.

use super::{ExitCode, Setup};
use crate::domain::money::fmt2;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

pub fn run(setup: &Setup, json: bool) -> anyhow::Result<ExitCode> {
    let store = setup.open_reader()?;
    let new_policy = &store.policy;
    let stored_version = store.stored_policy_version()?.unwrap_or_default();
    let mut changes = Vec::new();
    // Per currency: (old total, new total) of the open tickets that change.
    let mut totals: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    store.diff_verdicts(new_policy, |id, state, old, new| {
        let t = totals.entry(old.currency.clone()).or_default();
        t.0 += old.amount.unwrap_or_default();
        t.1 += new.amount.unwrap_or_default();
        changes.push(serde_json::json!({"id": id, "state": state, "old": old, "new": new}));
    })?;
    if json {
        let totals: Vec<_> = totals
            .iter()
            .map(|(c, (o, n))| serde_json::json!({"currency": c, "old": fmt2(*o), "new": fmt2(*n), "change": fmt2(*n - *o)}))
            .collect();
        println!(
            "{}",
            serde_json::json!({"from": stored_version, "to": new_policy.version, "changes": changes, "totals": totals})
        );
        return Ok(ExitCode::Ok);
    }
    println!(
        "policy {} → {}: {} open tickets change verdict",
        stored_version,
        new_policy.version,
        changes.len()
    );
    for c in &changes {
        let show = |v: &serde_json::Value| {
            let amount = v["amount"]
                .as_str()
                .or(v["ceiling"].as_str())
                .map(|a| format!(" {a}"))
                .unwrap_or_default();
            format!(
                "{}{amount} ({})",
                v["kind"].as_str().unwrap_or("?"),
                v["clauses"][0].as_str().unwrap_or("-")
            )
        };
        println!(
            "  {:<14} {:<14} {} → {}",
            c["id"].as_str().unwrap_or(""),
            c["state"].as_str().unwrap_or(""),
            show(&c["old"]),
            show(&c["new"])
        );
    }
    for (currency, (old, new)) in &totals {
        println!(
            "refund total {currency}: {} → {} ({}{})",
            fmt2(*old),
            fmt2(*new),
            if new >= old { "+" } else { "" },
            fmt2(*new - *old)
        );
    }
    Ok(ExitCode::Ok)
}
