//! Customer reply drafts in the customer's language, from the templates in
//! assets/templates. Pure: the desk's state in, text out.

use super::calendar::Calendar;
use super::money::fmt2;
use super::policy::{Policy, Verdict};
use super::ticket::{Language, Ticket};
use super::workflow::{Case, Decision, Party, Route, State};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Templates {
    greeting: String,
    subject: String,
    approve: String,
    reject: String,
    offer: String,
    execution: String,
    completed: String,
    needs_info: String,
    route_original: String,
    route_alternate: String,
    arrival: String,
    frozen: String,
    clauses: String,
    appeal: String,
    closing: String,
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

/// The draft for the ticket's current decision or offer; an error says why
/// there is nothing to write yet.
pub fn draft(
    ticket: &Ticket,
    verdict: &Verdict,
    case: &Case,
    policy: &Policy,
    calendar: &Calendar,
    today: NaiveDate,
) -> Result<Letter, String> {
    let t = templates(ticket.language);
    let mut vars: BTreeMap<&str, String> = BTreeMap::new();
    vars.insert("ticket", ticket.id.clone());
    vars.insert(
        "customer",
        ticket
            .account_name
            .clone()
            .unwrap_or_else(|| ticket.account_id.clone()),
    );
    vars.insert("currency", ticket.payment.currency.clone());
    vars.insert("frozen", fmt2(ticket.payment.frozen));
    vars.insert(
        "appeal_until",
        (case.stage_start + chrono::Days::new(15)).to_string(),
    );
    let mut paragraphs: Vec<String> = Vec::new();
    let money = |amount| fmt2(amount);
    let payout = |vars: &mut BTreeMap<&str, String>,
                  route: Route,
                  account: Option<&str>,
                  from: NaiveDate,
                  to: NaiveDate| {
        vars.insert("account", account.unwrap_or_default().to_string());
        vars.insert("from", from.to_string());
        vars.insert("to", to.to_string());
        let mut p = vec![
            fill(
                if route == Route::Original {
                    &t.route_original
                } else {
                    &t.route_alternate
                },
                vars,
            ),
            fill(&t.arrival, vars),
        ];
        if ticket.payment.frozen > rust_decimal::Decimal::ZERO {
            p.push(fill(&t.frozen, vars));
        }
        p.join(" ")
    };
    let clause_list = |clauses: &[String]| -> String {
        let mut lines = vec![t.clauses.clone()];
        for id in clauses {
            let text = super::policy::Clause::parse(id).map(|c| {
                let txt = policy.clause_text(c);
                if ticket.language == Language::Zh {
                    txt.zh.clone()
                } else {
                    txt.en.clone()
                }
            });
            lines.push(format!("- {id}: {}", text.unwrap_or_default()));
        }
        lines.join("\n")
    };
    let arrival_from = calendar.add_bd(today, 15);
    let arrival_to = calendar.add_bd(today, 30);
    match (case.state, &case.decision) {
        (State::Feedback, Some(Decision::Approve { amount })) => {
            vars.insert("amount", money(*amount));
            paragraphs.push(fill(&t.approve, &vars));
            paragraphs.push(payout(
                &mut vars,
                Route::Original,
                None,
                arrival_from,
                arrival_to,
            ));
            paragraphs.push(clause_list(
                &verdict
                    .clauses
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>(),
            ));
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
            paragraphs.push(payout(
                &mut vars,
                Route::Original,
                None,
                arrival_from,
                arrival_to,
            ));
        }
        (State::Execution, _) => {
            vars.insert("amount", money(case.agreed.unwrap_or_default()));
            paragraphs.push(fill(&t.execution, &vars));
            let (route, account, from, to) = match &case.execution {
                Some(e) => (
                    e.route,
                    e.account.as_deref(),
                    e.expected_from,
                    e.expected_by,
                ),
                None => (Route::Original, None, arrival_from, arrival_to),
            };
            paragraphs.push(payout(&mut vars, route, account, from, to));
        }
        (State::Completed, _) => {
            vars.insert("amount", money(case.agreed.unwrap_or_default()));
            vars.insert(
                "reference",
                case.payout_reference.clone().unwrap_or_default(),
            );
            paragraphs.push(fill(&t.completed, &vars));
        }
        (State::AwaitingInfo, _) => {
            let missing = if verdict.missing.is_empty() {
                String::new()
            } else {
                verdict.missing.join(", ")
            };
            vars.insert("note", missing);
            paragraphs.push(fill(&t.needs_info, &vars));
        }
        (state, _) => {
            return Err(format!(
                "no decision or offer to write about yet (state {state})"
            ))
        }
    }
    let body = [
        fill(&t.greeting, &vars),
        paragraphs.join("\n\n"),
        t.closing.clone(),
    ]
    .join("\n\n");
    Ok(Letter {
        language: ticket.language,
        subject: fill(&t.subject, &vars),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::evaluate;
    use crate::domain::ticket::Language;
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
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let expect = [
            ("en", "approved a refund of 90.00 USD", "until 2026-12-08"),
            ("zh", "批准退款 90.00 USD", "2026-12-08 前"),
            ("ja", "90.00 USD の返金を承認", "2026-12-08 までに"),
            ("ko", "90.00 USD 환불을 승인", "2026-12-08까지"),
        ];
        for (lang, decision, appeal) in expect {
            let t = ticket(lang);
            let v = evaluate(&t, &p, &[]);
            let l = draft(&t, &v, &approved(), &p, &Calendar::plain(), today).unwrap();
            assert_eq!(l.language, Language::parse(lang).unwrap());
            assert!(l.body.contains(decision), "{lang}: {}", l.body);
            assert!(l.body.contains(appeal), "{lang}: {}", l.body);
            assert!(
                l.body.contains("2026-12-14") && l.body.contains("2027-01-04"),
                "{lang} arrival: {}",
                l.body
            );
            assert!(l.body.contains("LCIC-5DAY"), "{lang}: {}", l.body);
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
        let l = draft(&t, &v, &c, &p, &Calendar::plain(), c.stage_start).unwrap();
        assert!(
            l.body.contains("未能通过") && l.body.contains("距购买之日已超过五天"),
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
        assert!(draft(&t, &v, &c, &p, &Calendar::plain(), c.stage_start)
            .unwrap_err()
            .contains("no decision"));
    }
}
