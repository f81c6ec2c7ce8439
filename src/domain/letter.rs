//! Customer reply drafts in the customer's language, from the templates in
//! assets/templates. Pure: the desk's state in, text out. Everything a
//! letter says is in the customer's language: the templates, the clauses'
//! customer texts (never the desk texts, which may carry instructions for
//! agents), plain-word labels for missing facts, amounts formatted for their
//! currency, and dates only once they exist.

use super::money::format_amount;
use super::policy::{Clause, Policy, Verdict, VerdictKind};
use super::ticket::{Language, Ticket};
use super::workflow::{Case, Decision, Party, Route, State};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Templates {
    greeting: String,
    greeting_nameless: String,
    subject: String,
    approve: String,
    reject: String,
    offer: String,
    agreed: String,
    pay_later: String,
    execution: String,
    completed: String,
    needs_info: String,
    needs_info_note: String,
    needs_info_reply: String,
    route_original: String,
    route_alternate: String,
    arrival: String,
    frozen: String,
    clauses: String,
    appeal: String,
    closing: String,
    /// A plain-word label per field a verdict's `missing` can name.
    fields: BTreeMap<String, String>,
}

fn templates(lang: Language) -> Templates {
    let text = match lang {
        Language::En => include_str!("../../assets/templates/en.toml"),
        Language::Zh => include_str!("../../assets/templates/zh.toml"),
        Language::Ja => include_str!("../../assets/templates/ja.toml"),
        Language::Ko => include_str!("../../assets/templates/ko.toml"),
    };
    toml::from_str(text).expect("built-in templates are valid (checked by tests)")
}

/// The plain words a letter in `lang` uses for a field a verdict's
/// `missing` names (`package.expires_at`), so the console asks the agent
/// for a fact in the words the customer was asked for it; `None` for a
/// field no letter names.
pub fn field_label(lang: Language, field: &str) -> Option<String> {
    templates(lang).fields.remove(field)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Letter {
    pub language: Language,
    pub subject: String,
    pub body: String,
}

/// One pass over the template: each `{name}` it holds is replaced by its
/// value, and a value is never scanned again, so a customer named
/// `{ticket}` is written as such. A placeholder with no value stays as written.
fn fill(template: &str, vars: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after
            .find('}')
            .and_then(|close| Some((vars.get(&after[..close])?, close)));
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The draft for the ticket's current decision, offer, payout or request
/// for information; an error says why there is nothing to write yet.
/// `asked` is the agent's note on the `request_info` that opened the
/// current wait for information (it lives in that event, not in the case).
pub fn draft(
    ticket: &Ticket,
    verdict: &Verdict,
    case: &Case,
    policy: &Policy,
    asked: Option<&str>,
) -> Result<Letter, String> {
    let lang = ticket.language;
    let t = templates(lang);
    let currency = ticket.payment.currency.as_str();
    let money = |amount: Decimal| format_amount(amount, currency);
    let mut vars: BTreeMap<&str, String> = BTreeMap::new();
    vars.insert("ticket", ticket.id.clone());
    vars.insert("frozen", money(ticket.payment.frozen));
    vars.insert(
        "appeal_until",
        (case.stage_start + chrono::Days::new(15)).to_string(),
    );
    // Chinese and Japanese set sentences one after the other, without a space.
    let gap = match lang {
        Language::Zh | Language::Ja => "",
        Language::En | Language::Ko => " ",
    };
    let frozen = |vars: &BTreeMap<&str, String>| {
        (ticket.payment.frozen > Decimal::ZERO).then(|| fill(&t.frozen, vars))
    };
    // No payout dates exist before the payout is executed: promise none.
    let pay_later = |vars: &BTreeMap<&str, String>| {
        std::iter::once(t.pay_later.clone())
            .chain(frozen(vars))
            .collect::<Vec<_>>()
            .join(gap)
    };
    let clause_list = |ids: &[String]| -> String {
        let lines = ids
            .iter()
            .filter_map(|id| Clause::parse(id))
            .map(|c| format!("- {}", policy.clause_text(c).customer(lang)));
        std::iter::once(t.clauses.clone())
            .chain(lines)
            .collect::<Vec<_>>()
            .join("\n")
    };
    // What was (or will be) paid: the executed amount once there is one.
    let paid = case
        .execution
        .as_ref()
        .map(|e| e.amount)
        .or(case.agreed)
        .unwrap_or_default();
    let mut paragraphs: Vec<String> = Vec::new();
    match (case.state, &case.decision) {
        (State::Feedback, Some(Decision::Approve { amount })) => {
            vars.insert("amount", money(*amount));
            paragraphs.push(fill(&t.approve, &vars));
            paragraphs.push(pay_later(&vars));
            // The terms behind a refund; a verdict that rejected (approved
            // past it by a supervisor) or asked for facts explains nothing.
            if !matches!(verdict.kind, VerdictKind::Reject | VerdictKind::NeedsInfo) {
                let ids: Vec<String> = verdict.clauses.iter().map(|c| c.to_string()).collect();
                paragraphs.push(clause_list(&ids));
            }
            paragraphs.push(fill(&t.appeal, &vars));
        }
        (State::Feedback, Some(Decision::Reject { clauses })) => {
            paragraphs.push(fill(&t.reject, &vars));
            paragraphs.push(clause_list(clauses));
            paragraphs.push(fill(&t.appeal, &vars));
        }
        (State::Negotiation, _) => {
            let offer = case
                .ledger
                .iter()
                .rev()
                .find(|o| o.party == Party::Desk && o.amount.is_some());
            let Some(amount) = offer.and_then(|o| o.amount) else {
                return Err("no desk offer yet: make one with the offer action".into());
            };
            vars.insert("amount", money(amount));
            paragraphs.push(fill(&t.offer, &vars));
            paragraphs.push(pay_later(&vars));
        }
        (State::Execution, _) => {
            vars.insert("amount", money(paid));
            match &case.execution {
                None => {
                    paragraphs.push(fill(&t.agreed, &vars));
                    paragraphs.push(pay_later(&vars));
                }
                Some(e) => {
                    paragraphs.push(fill(&t.execution, &vars));
                    vars.insert("account", e.account.clone().unwrap_or_default());
                    vars.insert("from", e.expected_from.to_string());
                    vars.insert("to", e.expected_by.to_string());
                    let route = match e.route {
                        Route::Original => &t.route_original,
                        Route::Alternate => &t.route_alternate,
                    };
                    let mut payout = vec![fill(route, &vars), fill(&t.arrival, &vars)];
                    payout.extend(frozen(&vars));
                    paragraphs.push(payout.join(gap));
                }
            }
        }
        (State::Completed, _) => {
            vars.insert("amount", money(paid));
            vars.insert(
                "reference",
                case.payout_reference.clone().unwrap_or_default(),
            );
            paragraphs.push(fill(&t.completed, &vars));
        }
        (State::AwaitingInfo, _) => paragraphs.extend(info_request(&t, verdict, &vars, asked)?),
        (state, _) => {
            return Err(format!(
                "no decision or offer to write about yet (state {state})"
            ))
        }
    }
    // The name is the customer's own text: filled alone, so nothing in it is
    // read as a placeholder; without one, a neutral salutation (an account
    // number is no way to address a person).
    let greeting = match ticket
        .account_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(name) => fill(
            &t.greeting,
            &BTreeMap::from([("customer", name.to_string())]),
        ),
        None => t.greeting_nameless.clone(),
    };
    let body = [greeting, paragraphs.join("\n\n"), t.closing.clone()].join("\n\n");
    Ok(Letter {
        language: lang,
        subject: fill(&t.subject, &vars),
        body,
    })
}

/// What a request for information asks: a plain-word line per missing fact
/// and the agent's note (the whole request when no fact is named).
fn info_request(
    t: &Templates,
    verdict: &Verdict,
    vars: &BTreeMap<&str, String>,
    asked: Option<&str>,
) -> Result<Vec<String>, String> {
    // A field without a label is left to the agent's note rather than shown
    // by its raw name (a test keeps every field the engine names labelled).
    let mut items: Vec<String> = verdict
        .missing
        .iter()
        .filter_map(|f| t.fields.get(f))
        .map(|label| format!("- {label}"))
        .collect();
    let note = asked.map(str::trim).filter(|n| !n.is_empty());
    let mut after = Vec::new();
    match note {
        Some(n) if items.is_empty() => items.push(format!("- {n}")),
        Some(n) => after.push(fill(
            &t.needs_info_note,
            &BTreeMap::from([("note", n.to_string())]),
        )),
        None if items.is_empty() => {
            return Err("nothing to ask for: no missing fact and no note on the request".into())
        }
        None => {}
    }
    let list = std::iter::once(fill(&t.needs_info, vars))
        .chain(items)
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = vec![list];
    out.extend(after);
    out.push(t.needs_info_reply.clone());
    Ok(out)
}

#[cfg(test)]
mod language_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::evaluate;
    use crate::domain::ticket::Language;
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    fn ticket(lang: &str) -> Ticket {
        let v = serde_json::json!({
            "id": "LC-9", "received_at": "2026-11-03T10:00:00+08:00", "product": "lcic",
            "account": {"id": "A1", "name": "Bright Minds"}, "reason": "unused",
            "package": {"billing": "monthly", "purchased_at": "2026-11-02T10:00:00+08:00"},
            "payment": {"currency": "USD", "cash": "90.00", "frozen": "5.00"}, "contact": {"language": lang}
        });
        Ticket::from_json(&v).unwrap()
    }

    fn approved() -> Case {
        let mut c = Case::new(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        c.state = State::Feedback;
        c.decision = Some(Decision::Approve {
            amount: Decimal::new(9000, 2),
        });
        c
    }

    #[test]
    fn approval_letters_in_all_four_languages() {
        let p = Policy::builtin();
        let expect = [
            ("en", "approved a refund of 90.00 USD", "until 2026-12-08"),
            ("zh", "批准退款 90.00 USD", "2026-12-08 前"),
            ("ja", "90.00 USD の返金を承認", "2026-12-08 までに"),
            ("ko", "90.00 USD 환불을 승인", "2026-12-08까지"),
        ];
        for (lang, decision, appeal) in expect {
            let t = ticket(lang);
            let v = evaluate(&t, &p, &[]);
            let l = draft(&t, &v, &approved(), &p, None).unwrap();
            assert_eq!(l.language, Language::parse(lang).unwrap());
            assert!(l.body.contains(decision), "{lang}: {}", l.body);
            assert!(l.body.contains(appeal), "{lang}: {}", l.body);
            // No payout dates before the payout is executed.
            assert!(
                !l.body.contains("2026-12-14") && !l.body.contains("2027-01-04"),
                "{lang} arrival: {}",
                l.body
            );
            let term = p.clause_text(crate::domain::policy::Clause::Lcic5Day);
            assert!(
                l.body.contains(term.customer(t.language)),
                "{lang}: {}",
                l.body
            );
            assert!(
                l.body.contains("5.00 USD"),
                "{lang} frozen funds: {}",
                l.body
            );
            assert!(
                !l.body.contains('{'),
                "{lang}: unfilled placeholder in {}",
                l.body
            );
        }
    }

    #[test]
    fn rejection_letters_list_the_reasons_with_clause_texts() {
        let p = Policy::builtin();
        let t = ticket("zh");
        let v = evaluate(&t, &p, &[]);
        let mut c = approved();
        c.decision = Some(Decision::Reject {
            clauses: vec!["LCIC-WINDOW".into()],
        });
        let l = draft(&t, &v, &c, &p, None).unwrap();
        assert!(
            l.body.contains("未能通过") && l.body.contains("距您购买该套餐之日已超过五天"),
            "{}",
            l.body
        );
    }

    #[test]
    fn placeholders_in_customer_text_are_never_expanded() {
        let vars: BTreeMap<&str, String> = [
            ("customer", "{ticket} {reference} {".to_string()),
            ("ticket", "LC-9".to_string()),
            ("reference", "PAY-1".to_string()),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            fill(
                "Dear {customer}, {ticket} ({reference}) {unknown} {x",
                &vars
            ),
            "Dear {ticket} {reference} {, LC-9 (PAY-1) {unknown} {x"
        );
        assert_eq!(fill("{{ticket}}", &vars), "{LC-9}");
    }

    #[test]
    fn nothing_to_write_before_a_decision() {
        let p = Policy::builtin();
        let t = ticket("en");
        let v = evaluate(&t, &p, &[]);
        let c = Case::new(NaiveDate::from_ymd_opt(2026, 11, 3).unwrap());
        assert!(draft(&t, &v, &c, &p, None)
            .unwrap_err()
            .contains("no decision"));
    }
}
