//! What an event of a ticket's history says beyond its action and note —
//! amounts, parties, references, routes, facts received — read from its
//! payload and put in words for a person (`show`). The payload stays the
//! record; this is only its reading, so an unknown shape reads as nothing.

use super::{Action, Decision, Execution};
use crate::domain::money::format_amount;
use crate::domain::policy::Verdict;
use rust_decimal::Decimal;
use serde_json::Value;

/// The facts of one event, `; `-separated; empty when it carries none.
/// Customer and operator text in it is as stored: the caller makes it inert.
pub fn event_facts(action: &str, payload: &Value, currency: &str) -> String {
    let money = |v: &Value| amount_text(v, currency);
    let s = |k: &str| payload.get(k).and_then(Value::as_str);
    let mut out: Vec<String> = Vec::new();
    if payload.get("pending").and_then(Value::as_bool) == Some(true) {
        if let Some(p) = payload.get("proposal") {
            out.push(format!("proposed: {}", proposal_text(p, currency)));
        }
        if let Some(r) = string_list(payload.get("reasons")) {
            out.push(format!("needs a second supervisor: {r}"));
        }
        return out.join("; ");
    }
    match action {
        "take" => out.extend(s("assignee").map(|a| format!("assignee {a}"))),
        "assign" => {
            let from = s("previous_assignee").unwrap_or("nobody");
            out.extend(s("assignee").map(|a| format!("to {a} (from {from})")));
        }
        "request_info" => out.extend(s("clock_paused").map(|d| format!("clock paused {d}"))),
        "info_received" => {
            for f in payload
                .get("facts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(format!(
                    "{}: {} → {}",
                    f.get("field").and_then(Value::as_str).unwrap_or("?"),
                    fact_text(f.get("before")),
                    fact_text(f.get("after"))
                ));
            }
            let waited = payload.get("paused_bd").and_then(Value::as_u64);
            if let Some(n) = waited.filter(|n| *n > 0) {
                out.push(format!("clock resumed after {n} business day(s)"));
            }
        }
        "approve" | "agree" | "accept" | "appeal" | "offer" => {
            let amount = payload.get("amount").and_then(money);
            out.extend(match (action, s("party"), amount) {
                (_, Some(party), Some(a)) => Some(format!("{party} offers {a}")),
                ("appeal", _, Some(a)) => Some(format!("customer asks {a}")),
                (_, _, a) => a,
            });
        }
        "reject" => out.extend(string_list(payload.get("clauses")).map(|c| format!("clauses {c}"))),
        "revise" => {
            if let Some(d) = payload.get("decision") {
                out.extend(decision_text(d, currency));
            }
        }
        "execute" => out.extend(execution_text(payload, currency)),
        "payout_returned" => out.extend(
            payload
                .get("returned")
                .and_then(|e| execution_text(e, currency))
                .map(|e| format!("returned: {e}")),
        ),
        "complete" => out.extend(s("reference").map(|r| format!("reference {r}"))),
        "sign_off" | "decline" => {
            let by = s("proposer").unwrap_or("?");
            if let Some(p) = payload.get("proposal") {
                out.push(format!("{by}'s proposal: {}", proposal_text(p, currency)));
            }
            // A signed-off payout says where the money went; an amount
            // would only repeat the proposal.
            if let Some(result) = payload.get("result").filter(|r| r.get("route").is_some()) {
                out.extend(execution_text(result, currency));
            }
        }
        "reverdict" => {
            if let (Some(old), Some(new)) =
                (verdict(payload.get("old")), verdict(payload.get("new")))
            {
                out.push(format!(
                    "verdict {} → {}",
                    verdict_text(&old),
                    verdict_text(&new)
                ));
            }
        }
        "decision_voided" => {
            if let Some(map) = payload.get("voided").and_then(Value::as_object) {
                for (what, v) in map {
                    if let Some(a) = v.get("amount").and_then(money) {
                        out.push(format!("voided {} {a}", what.replace('_', " ")));
                    }
                }
            }
            if let (Some(old), Some(new)) = (
                verdict(payload.get("old_verdict")),
                verdict(payload.get("new_verdict")),
            ) {
                out.push(format!(
                    "verdict {} → {}",
                    verdict_text(&old),
                    verdict_text(&new)
                ));
            }
        }
        "import" | "update" => {
            if let (Some(file), Some(line)) = (s("file"), payload.get("line")) {
                let line = line
                    .as_str()
                    .map_or_else(|| line.to_string(), str::to_string);
                out.push(format!("from {file}:{line}"));
            }
        }
        "letter_sent" => out.extend(s("language").map(|l| format!("letter in {l}"))),
        _ => {}
    }
    out.join("; ")
}

fn amount_text(v: &Value, currency: &str) -> Option<String> {
    let d: Decimal = v.as_str()?.parse().ok()?;
    Some(format_amount(d, currency))
}

fn string_list(v: Option<&Value>) -> Option<String> {
    let items: Vec<&str> = v?.as_array()?.iter().filter_map(Value::as_str).collect();
    (!items.is_empty()).then(|| items.join(", "))
}

fn fact_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "(absent)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn decision_text(v: &Value, currency: &str) -> Option<String> {
    let d: Decision = serde_json::from_value(v.clone()).ok()?;
    Some(match d {
        Decision::Approve { amount } => format!("approve {}", format_amount(amount, currency)),
        Decision::Reject { clauses } => format!("reject under {}", clauses.join(", ")),
    })
}

fn proposal_text(v: &Value, currency: &str) -> String {
    let Ok(action) = serde_json::from_value::<Action>(v.clone()) else {
        return v
            .get("action")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
    };
    let money = |a: Option<Decimal>, fallback: &str| {
        a.map_or_else(|| fallback.to_string(), |a| format_amount(a, currency))
    };
    match &action {
        Action::Approve { amount, .. } => {
            format!("approve {}", money(*amount, "the verdict amount"))
        }
        Action::Agree { amount, .. } => format!("agree {}", money(*amount, "the last offer")),
        Action::Revise { decision, .. } => match decision {
            Decision::Approve { amount } => {
                format!("revise to approve {}", format_amount(*amount, currency))
            }
            Decision::Reject { clauses } => {
                format!("revise to reject under {}", clauses.join(", "))
            }
        },
        Action::Execute { route, account } => match account {
            Some(acc) => format!("execute by the {route} route to {acc}"),
            None => format!("execute by the {route} route"),
        },
        other => other.name().to_string(),
    }
}

fn execution_text(v: &Value, currency: &str) -> Option<String> {
    let e: Execution = serde_json::from_value(v.clone()).ok()?;
    let to = e
        .account
        .as_deref()
        .map(|a| format!(" to {a}"))
        .unwrap_or_default();
    let mut text = format!(
        "{} by the {} route{to}, invoice {}, funds expected {} – {}",
        format_amount(e.amount, currency),
        e.route,
        e.invoice_action,
        e.expected_from,
        e.expected_by
    );
    if !e.signed_off_by.is_empty() {
        text.push_str(&format!(", signed off by {}", e.signed_off_by.join(", ")));
    }
    Some(text)
}

fn verdict(v: Option<&Value>) -> Option<Verdict> {
    serde_json::from_value(v?.clone()).ok()
}

fn verdict_text(v: &Verdict) -> String {
    match (v.amount, v.ceiling) {
        (Some(a), _) => format!("{} {}", v.kind, format_amount(a, &v.currency)),
        (None, Some(c)) => format!("{} up to {}", v.kind, format_amount(c, &v.currency)),
        (None, None) => v.kind.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_parties_references_and_proposals_read_in_words() {
        assert_eq!(
            event_facts(
                "offer",
                &json!({"amount": "1234.50", "party": "desk"}),
                "USD"
            ),
            "desk offers 1,234.50 USD"
        );
        assert_eq!(
            event_facts(
                "approve",
                &json!({"decision": "approve", "amount": "300000.00"}),
                "JPY"
            ),
            "300,000 JPY"
        );
        assert_eq!(
            event_facts("complete", &json!({"reference": "PAY-9"}), "USD"),
            "reference PAY-9"
        );
        let proposal = json!({"pending": true, "reasons": ["above the limit"],
            "proposal": {"action": "approve", "amount": "5000.00", "note": null}});
        assert_eq!(
            event_facts("approve", &proposal, "USD"),
            "proposed: approve 5,000.00 USD; needs a second supervisor: above the limit"
        );
        let set = json!({"facts": [{"field": "package.expires_at", "before": null,
            "after": "2026-12-01T00:00:00+08:00"}], "paused_bd": 2});
        assert_eq!(
            event_facts("info_received", &set, "USD"),
            "package.expires_at: (absent) → 2026-12-01T00:00:00+08:00; clock resumed after 2 business day(s)"
        );
        assert_eq!(
            event_facts(
                "assign",
                &json!({"assignee": "ben", "previous_assignee": "ann"}),
                "USD"
            ),
            "to ben (from ann)"
        );
        let signed = json!({"proposer": "ann", "result": {"decision": "approve", "amount": "5000.00"},
            "proposal": {"action": "approve", "amount": "5000.00", "note": null}});
        assert_eq!(
            event_facts("sign_off", &signed, "USD"),
            "ann's proposal: approve 5,000.00 USD"
        );
        assert_eq!(event_facts("note", &json!({}), "USD"), "");
        assert_eq!(event_facts("approve", &json!("not an object"), "USD"), "");
    }
}
