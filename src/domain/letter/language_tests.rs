//! Letters wholly in the customer's language (issue 12): customer texts
//! only, plain-word requests with the agent's note, amounts per currency,
//! a neutral salutation, and dates only once the payout exists.

use super::*;
use crate::domain::policy::evaluate;
use crate::domain::workflow::{Execution, InvoiceAction};
use chrono::NaiveDate;
use serde_json::{json, Value};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                match t.get_mut(&k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        t.insert(k, v);
                    }
                }
            }
        }
        (t, p) => *t = p,
    }
}

/// An LCIC full refund of 300,000 in `currency`, merged with `patch`.
fn ticket(lang: &str, currency: &str, patch: Value) -> Ticket {
    let mut v = json!({
        "id": "LC-77", "received_at": "2026-11-03T10:00:00+08:00", "product": "lcic",
        "account": {"id": "200306114", "name": "Bright Minds"}, "reason": "unused",
        "package": {"billing": "monthly", "purchased_at": "2026-11-02T10:00:00+08:00"},
        "payment": {"currency": currency, "cash": "300000.00"}, "contact": {"language": lang}
    });
    merge(&mut v, patch);
    Ticket::from_json(&v).unwrap()
}

/// A Chat plan, active when the customer applied: manual review, CHAT-NO-RULE.
fn chat(lang: &str, patch: Value) -> Ticket {
    let mut v = json!({"id": "CH-5", "product": "chat",
        "package": {"billing": "prepaid", "purchased_at": null,
                    "expires_at": "2026-11-20T00:00:00+08:00"}});
    merge(&mut v, patch);
    ticket(lang, "CNY", v)
}

fn case(state: State, decision: Option<Decision>) -> Case {
    let mut c = Case::new(day(23));
    c.state = state;
    c.decision = decision;
    c
}

fn approve(amount: &str) -> Option<Decision> {
    Some(Decision::Approve {
        amount: amount.parse().unwrap(),
    })
}

fn reject(clause: &str) -> Option<Decision> {
    Some(Decision::Reject {
        clauses: vec![clause.into()],
    })
}

fn letter(t: &Ticket, c: &Case, asked: Option<&str>) -> Letter {
    let p = Policy::builtin();
    let v = evaluate(t, &p, &[]);
    draft(t, &v, c, &p, asked).unwrap()
}

fn executed(amount: &str) -> Case {
    let mut c = case(State::Execution, approve(amount));
    c.agreed = Some(amount.parse().unwrap());
    c.execution = Some(Execution {
        route: Route::Original,
        account: None,
        invoice_action: InvoiceAction::NoInvoice,
        amount: amount.parse().unwrap(),
        frozen_to_unfreeze: Decimal::ZERO,
        executed_on: day(24),
        expected_from: NaiveDate::from_ymd_opt(2026, 12, 15).unwrap(),
        expected_by: NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(),
        decided_by: None,
        signed_off_by: Vec::new(),
        signed_reasons: Vec::new(),
        executed_by: None,
        executed_at: None,
    });
    c
}

/// Desk texts that must never reach a customer: each clause's desk text in
/// the four languages wherever it differs from the customer text.
fn desk_texts_in(body: &str) -> Vec<String> {
    let p = Policy::builtin();
    let mut found = Vec::new();
    for c in Clause::ALL {
        let t = p.clause_text(*c);
        for lang in Language::ALL {
            // A short desk text may be part of its customer text: no leak.
            let desk = t.desk(*lang);
            if body.contains(desk) && !t.customer(*lang).contains(desk) {
                found.push(format!("{c} desk {lang}"));
            }
        }
    }
    found
}

#[test]
fn japanese_and_korean_letters_quote_the_customer_text_in_their_own_language() {
    let p = Policy::builtin();
    let term = p.clause_text(Clause::Lcic5Day);
    for lang in [Language::Zh, Language::Ja, Language::Ko] {
        let t = ticket(lang.as_str(), "USD", json!({}));
        let l = letter(&t, &case(State::Feedback, approve("100.00")), None);
        assert!(l.body.contains(term.customer(lang)), "{lang}: {}", l.body);
        assert!(
            !l.body.contains(&term.en),
            "{lang} quotes English: {}",
            l.body
        );
        assert!(!l.body.contains(term.customer(Language::En)), "{}", l.body);
        assert!(!l.body.contains("LCIC-5DAY"), "{lang}: {}", l.body);
        assert!(
            desk_texts_in(&l.body).is_empty(),
            "{:?}",
            desk_texts_in(&l.body)
        );
    }
}

#[test]
fn chat_rejection_carries_no_reviewer_instruction() {
    let p = Policy::builtin();
    for lang in Language::ALL {
        let t = chat(lang.as_str(), json!({}));
        let l = letter(&t, &case(State::Feedback, reject("CHAT-NO-RULE")), None);
        let text = p.clause_text(Clause::ChatNoRule);
        assert!(l.body.contains(text.customer(*lang)), "{lang}: {}", l.body);
        for instruction in [
            "人工审核",
            "review by hand",
            "人手で審査",
            "수동으로 검토",
            "请结合",
        ] {
            assert!(!l.body.contains(instruction), "{lang}: {}", l.body);
        }
        assert!(
            desk_texts_in(&l.body).is_empty(),
            "{lang}: {:?}",
            desk_texts_in(&l.body)
        );
    }
}

#[test]
fn request_for_information_lists_plain_words_and_the_agents_note() {
    let asked = "Please also send the order screenshot.";
    let expect = [
        ("en", "- the date your plan expires"),
        ("zh", "- 套餐的到期日期"),
        ("ja", "- プランの有効期限"),
        ("ko", "- 요금제 만료일"),
    ];
    for (lang, label) in expect {
        let t = chat(lang, json!({"package": {"expires_at": null}}));
        let l = letter(&t, &case(State::AwaitingInfo, None), Some(asked));
        assert!(l.body.contains(label), "{lang}: {}", l.body);
        assert!(l.body.contains(asked), "{lang}: {}", l.body);
        assert!(!l.body.contains("package.expires_at"), "{lang}: {}", l.body);
        assert!(!l.body.contains(": \n"), "{lang}: empty list in {}", l.body);
    }
}

#[test]
fn a_request_without_a_missing_field_is_the_agents_note() {
    // A full-refund verdict: the agent asks for something the policy did not.
    let t = ticket("ja", "JPY", json!({}));
    let l = letter(&t, &case(State::AwaitingInfo, None), Some("請求書の写し"));
    assert!(
        l.body
            .contains("次の情報をご提供ください。\n- 請求書の写し"),
        "{}",
        l.body
    );
    let p = Policy::builtin();
    let v = evaluate(&t, &p, &[]);
    let none = draft(&t, &v, &case(State::AwaitingInfo, None), &p, None);
    assert!(none.unwrap_err().contains("nothing to ask"));
}

#[test]
fn every_field_the_engine_can_ask_for_has_a_label_in_every_language() {
    // The engine names missing fields as string literals in its `needs` calls.
    let engine = include_str!("../policy/engine.rs");
    let mut fields: Vec<&str> = engine
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            ["package.", "contract.", "incident."]
                .iter()
                .any(|p| s.starts_with(p))
        })
        .collect();
    fields.sort();
    fields.dedup();
    assert!(fields.len() >= 12, "{fields:?}");
    for lang in Language::ALL {
        let t = templates(*lang);
        for f in &fields {
            let label = t.fields.get(*f);
            assert!(
                label.is_some_and(|l| !l.trim().is_empty() && !l.contains(f)),
                "{lang}: {f}"
            );
        }
    }
}

#[test]
fn yen_and_won_letters_show_no_minor_units() {
    for (lang, cur, shown) in [
        ("ja", "JPY", "300,000 JPY"),
        ("ko", "KRW", "300,000 KRW"),
        ("zh", "JPY", "300,000 JPY"),
    ] {
        let t = ticket(lang, cur, json!({"payment": {"frozen": "1500"}}));
        for c in [
            case(State::Feedback, approve("300000.00")),
            executed("300000.00"),
        ] {
            let l = letter(&t, &c, None);
            assert!(l.body.contains(shown), "{lang}: {}", l.body);
            assert!(l.body.contains(&format!("1,500 {cur}")), "{}", l.body);
            assert!(!l.body.contains(".00"), "{lang}: {}", l.body);
        }
    }
}

#[test]
fn a_customer_without_a_name_is_not_addressed_by_account_number() {
    for (lang, greeting) in [
        ("en", "Dear customer,"),
        ("zh", "尊敬的客户："),
        ("ja", "お客様\n"),
        ("ko", "고객님께,"),
    ] {
        for name in [Value::Null, json!("  ")] {
            let t = ticket(lang, "USD", json!({"account": {"name": name}}));
            let l = letter(&t, &case(State::Feedback, approve("100")), None);
            assert!(l.body.starts_with(greeting), "{lang}: {}", l.body);
            assert!(!l.body.contains("200306114"), "{lang}: {}", l.body);
        }
    }
    let named = ticket("zh", "USD", json!({}));
    let l = letter(&named, &case(State::Feedback, approve("100")), None);
    assert!(l.body.starts_with("尊敬的Bright Minds："), "{}", l.body);
}

#[test]
fn payout_dates_appear_only_once_the_payout_is_executed() {
    for lang in Language::ALL {
        let t = ticket(lang.as_str(), "USD", json!({}));
        let mut agreed = case(State::Execution, approve("100"));
        agreed.agreed = Some(Decimal::from(100));
        for before in [case(State::Feedback, approve("100")), agreed] {
            let l = letter(&t, &before, None);
            // The appeal deadline exists from the decision on; nothing else.
            let dates: Vec<&str> = (0..l.body.len().saturating_sub(9))
                .filter_map(|i| l.body.get(i..i + 10))
                .filter(|w| NaiveDate::parse_from_str(w, "%Y-%m-%d").is_ok())
                .filter(|w| *w != "2026-12-08")
                .collect();
            assert!(
                dates.is_empty(),
                "{lang} before execution: {dates:?} in {}",
                l.body
            );
        }
        let after = letter(&t, &executed("100"), None);
        assert!(
            after.body.contains("2026-12-15") && after.body.contains("2027-01-05"),
            "{lang} after execution: {}",
            after.body
        );
    }
}

#[test]
fn every_built_in_letter_is_filled_and_in_its_own_language() {
    let cases = [
        case(State::Feedback, approve("100")),
        case(State::Feedback, reject("LCIC-WINDOW")),
        executed("100"),
        case(State::AwaitingInfo, None),
    ];
    for lang in Language::ALL {
        let t = ticket(lang.as_str(), "USD", json!({}));
        for c in &cases {
            let l = letter(&t, c, Some("x"));
            assert!(
                !l.body.contains('{') && !l.subject.contains('{'),
                "{}",
                l.body
            );
            if *lang != Language::En {
                // No English sentence from the English template leaks in.
                assert!(!l.body.contains("refund"), "{lang}: {}", l.body);
            }
            assert!(desk_texts_in(&l.body).is_empty(), "{lang}");
        }
    }
}
