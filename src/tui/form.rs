//! Small forms for the parameters of an action (amount, clauses, note…),
//! pre-filled from the verdict, and their translation into a domain action.
//! Values with a fixed set of answers (route, party, clauses) are picked
//! from a list of what is valid for this ticket, never typed.

use super::action::Verb;
use super::input::TextInput;
use crate::domain::money::{minor_units, parse_amount, round2};
use crate::domain::policy::{Clause, Policy};
use crate::domain::ticket::{Language, Product};
use crate::domain::workflow::{Action as Wf, Decision, Party, Role, Route, SetFact};
use crate::store::Detail;
use rust_decimal::Decimal;
use std::borrow::Cow;

/// One answer a list field offers, with a few words on what it means.
#[derive(Clone, Debug, PartialEq)]
pub struct Opt {
    pub value: String,
    pub note: String,
}

impl Opt {
    pub fn new(value: impl Into<String>, note: impl Into<String>) -> Opt {
        Opt {
            value: value.into(),
            note: note.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(TextInput),
    /// Exactly one of the options.
    One {
        options: Vec<Opt>,
        index: usize,
    },
    /// Any of the options, ticked.
    Many {
        options: Vec<Opt>,
        chosen: Vec<bool>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The parameter, or for a fact received its dotted SPEC §1 name.
    pub key: &'static str,
    pub label: Cow<'static, str>,
    pub value: Value,
    pub hint: Cow<'static, str>,
}

impl Field {
    /// What the field holds, as text.
    pub fn shown(&self) -> String {
        match &self.value {
            Value::Text(t) => t.value().to_string(),
            Value::One { options, index } => options
                .get(*index)
                .map(|o| o.value.clone())
                .unwrap_or_default(),
            Value::Many { .. } => self.picked().join(", "),
        }
    }

    fn picked(&self) -> Vec<String> {
        match &self.value {
            Value::Many { options, chosen } => options
                .iter()
                .zip(chosen)
                .filter(|(_, c)| **c)
                .map(|(o, _)| o.value.clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn is_list(&self) -> bool {
        !matches!(self.value, Value::Text(_))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub verb: Verb,
    pub id: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    /// The ticket's version when the form opened: the write is judged
    /// against it, whatever live refreshes load meanwhile.
    pub version: i64,
    /// Re-opened after a stale refusal: Enter counts only once a frame of
    /// the reloaded ticket was drawn.
    pub held: bool,
    /// Filled once for these marked tickets (bulk work); empty: for `id` alone.
    pub marked: Vec<String>,
}

fn text(key: &'static str, label: &'static str, value: String, hint: &'static str) -> Field {
    Field {
        key,
        label: label.into(),
        value: Value::Text(TextInput::new(value)),
        hint: hint.into(),
    }
}

fn note() -> Field {
    text("note", "Note", String::new(), "optional")
}

/// An amount to pre-fill a field with: plain digits (no grouping, which
/// would have to be typed around), the currency's minor units unless the
/// amount has a fraction it lacks (`9000` yen, `95.00` dollars).
fn editable(amount: Decimal, currency: &str) -> String {
    let v = round2(amount);
    let minor = minor_units(currency);
    if v.normalize().scale() <= minor {
        v.round_dp(minor).to_string()
    } else {
        v.to_string()
    }
}

/// The clauses a rejection of this ticket may name (SPEC §3): its
/// product's and the COMMON- ones, with their desk texts.
pub fn clause_options(product: Product, policy: &Policy) -> Vec<Opt> {
    let own = format!("{}-", product.as_str().to_uppercase());
    Clause::ALL
        .iter()
        .filter(|c| c.as_str().starts_with(&own) || c.as_str().starts_with("COMMON-"))
        .map(|c| Opt::new(c.as_str(), policy.clause_text(*c).en.clone()))
        .collect()
}

fn clauses(d: &Detail, policy: &Policy, tick_deciding: bool) -> Field {
    let options = clause_options(d.ticket.product, policy);
    let deciding = d.verdict.deciding_clause().map(|c| c.as_str());
    let chosen = options
        .iter()
        .map(|o| tick_deciding && Some(o.value.as_str()) == deciding)
        .collect();
    Field {
        key: "clauses",
        label: "Clauses".into(),
        value: Value::Many { options, chosen },
        hint: "product and COMMON- clauses".into(),
    }
}

fn one(key: &'static str, label: &'static str, options: Vec<Opt>, hint: &'static str) -> Field {
    Field {
        key,
        label: label.into(),
        value: Value::One { options, index: 0 },
        hint: hint.into(),
    }
}

/// Whom the ticket can be handed to: everyone with a role on the desk but
/// its assignee (the domain refuses a hand-off to the one who holds it).
fn to_whom(d: &Detail, team: &[(String, Role)], me: &str) -> Field {
    let options = team
        .iter()
        .filter(|(name, _)| Some(name.as_str()) != d.case.assignee.as_deref())
        .map(|(name, role)| {
            let you = if name == me { " (you)" } else { "" };
            Opt::new(name.clone(), format!("{role}{you}"))
        })
        .collect();
    one("to", "To", options, "who takes it over")
}

/// One text field per fact the verdict says is missing, labelled in the
/// plain words the customer's letter asked for it in (English here).
fn facts_missing(d: &Detail) -> Vec<Field> {
    d.verdict
        .missing
        .iter()
        .filter_map(|m| crate::ingest::FIELDS.iter().find(|f| **f == m.as_str()))
        .map(|&key| {
            let label = crate::domain::letter::field_label(Language::En, key)
                .unwrap_or_else(|| key.to_string());
            let like = if key.ends_with("_at") {
                "as 2026-12-01T10:00:00+08:00"
            } else {
                "as in an import file"
            };
            Field {
                key,
                label: label.into(),
                value: Value::Text(TextInput::new(String::new())),
                hint: format!("{key}: {like}").into(),
            }
        })
        .collect()
}

impl Form {
    /// The form a verb needs, or `None` when it takes no parameters.
    /// `team` is who holds a role on the desk, `me` the operator.
    pub fn for_verb(
        verb: Verb,
        d: &Detail,
        policy: &Policy,
        team: &[(String, Role)],
        me: &str,
    ) -> Option<Form> {
        let v = &d.verdict;
        let fmt2 = |a: Decimal| editable(a, &v.currency);
        let limit = v.amount.or(v.ceiling).map(fmt2).unwrap_or_default();
        let last_offer = d
            .case
            .ledger
            .iter()
            .rev()
            .find_map(|o| o.amount)
            .map(fmt2)
            .unwrap_or_default();
        let live = d.ticket.product == Product::Live;
        let fields = match verb {
            Verb::Take | Verb::Evaluate | Verb::Accept => return None,
            Verb::Approve => vec![text("amount", "Amount", limit, "refund amount"), note()],
            Verb::Reject => vec![clauses(d, policy, true), note()],
            Verb::RequestInfo => {
                // The note goes into the customer's letter, which lists the
                // missing facts in their language itself: nothing is
                // pre-filled, least of all a field's raw name.
                let lang = d.ticket.language;
                let hint = if v.missing.is_empty() {
                    format!("what is missing, for the customer ({lang}), required")
                } else {
                    format!("for the customer ({lang}); the letter lists the facts")
                };
                let mut f = text("note", "Note", String::new(), "");
                f.hint = hint.into();
                vec![f]
            }
            Verb::InfoReceived => {
                let mut f = facts_missing(d);
                f.push(note());
                f
            }
            Verb::Assign => vec![to_whom(d, team, me), note()],
            Verb::Note => vec![text(
                "note",
                "Note",
                String::new(),
                "internal, never shown to the customer (required)",
            )],
            Verb::Appeal => vec![
                text(
                    "amount",
                    "Amount",
                    String::new(),
                    "customer's counter-request, optional",
                ),
                note(),
            ],
            Verb::Offer => vec![
                text("amount", "Amount", last_offer, "offered amount"),
                one(
                    "party",
                    "Party",
                    vec![
                        Opt::new(Party::Desk.as_str(), "the desk offers"),
                        Opt::new(Party::Customer.as_str(), "the customer counter-offers"),
                    ],
                    "who makes this offer",
                ),
                note(),
            ],
            Verb::Agree => vec![
                text("amount", "Amount", last_offer, "agreed amount"),
                note(),
            ],
            Verb::Revise => vec![
                text(
                    "amount",
                    "Amount",
                    limit,
                    "approve this amount, or leave empty",
                ),
                clauses(d, policy, false),
                note(),
            ],
            Verb::Execute => {
                let mut routes = vec![Opt::new(
                    Route::Original.as_str(),
                    "back by the path it was paid",
                )];
                // SPEC §3: only live refunds may go elsewhere.
                if live {
                    routes.push(Opt::new(
                        Route::Alternate.as_str(),
                        "to other account details (four-eyes)",
                    ));
                }
                let mut f = vec![one("route", "Route", routes, "payout route")];
                if live {
                    f.push(text(
                        "account",
                        "Account",
                        String::new(),
                        "account details (alternate route)",
                    ));
                }
                f
            }
            Verb::PayoutReturned => vec![text(
                "note",
                "Why",
                String::new(),
                "why the payout came back (required)",
            )],
            Verb::Complete => vec![text(
                "reference",
                "Reference",
                String::new(),
                "payout reference (required)",
            )],
            Verb::Close | Verb::Withdraw | Verb::SignOff | Verb::Decline => vec![note()],
        };
        Some(Form {
            verb,
            id: d.ticket.id.clone(),
            fields,
            focus: 0,
            error: None,
            version: d.version,
            held: false,
            marked: Vec::new(),
        })
    }

    /// A form with no fields: what `verb` means when nothing is typed.
    pub fn bare(verb: Verb, id: &str) -> Form {
        Form {
            verb,
            id: id.to_string(),
            fields: Vec::new(),
            focus: 0,
            error: None,
            version: 0,
            held: false,
            marked: Vec::new(),
        }
    }

    /// What the form acts on, for titles: the ticket, or the marked tickets.
    pub fn subject(&self) -> String {
        match self.marked.len() {
            0 => self.id.clone(),
            1 => "1 marked ticket".into(),
            n => format!("{n} marked tickets"),
        }
    }

    fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    fn get(&self, key: &str) -> Option<String> {
        self.field(key)
            .map(|f| f.shown().trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn amount(&self) -> Result<Option<Decimal>, String> {
        self.get("amount")
            .map(|a| parse_amount(&a).map_err(|e| format!("amount: {e}")))
            .transpose()
    }

    fn clauses(&self) -> Vec<String> {
        self.field("clauses")
            .map(|f| f.picked())
            .unwrap_or_default()
    }

    /// The domain action the form describes, or what is wrong with it.
    pub fn to_action(&self) -> Result<Wf, String> {
        let note = self.get("note");
        Ok(match self.verb {
            Verb::Take => Wf::Take,
            Verb::Evaluate => Wf::Evaluate,
            Verb::Accept => Wf::Accept,
            Verb::Approve => Wf::Approve {
                amount: Some(self.amount()?.ok_or("enter the amount to approve")?),
                note,
            },
            Verb::Reject => {
                let clauses = self.clauses();
                if clauses.is_empty() {
                    return Err("pick at least one clause".into());
                }
                Wf::Reject { clauses, note }
            }
            Verb::RequestInfo => Wf::RequestInfo {
                note: note.ok_or("say what is missing")?,
            },
            Verb::InfoReceived => Wf::InfoReceived {
                note,
                // Every field but the note is a fact received; one left
                // empty was not received and changes nothing.
                set: self
                    .fields
                    .iter()
                    .filter(|f| f.key != "note")
                    .map(|f| (f.key, f.shown().trim().to_string()))
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(field, value)| SetFact {
                        field: field.to_string(),
                        value,
                    })
                    .collect(),
            },
            Verb::Assign => Wf::Assign {
                to: self
                    .get("to")
                    .ok_or("nobody else has a role on the desk to take it over")?,
                note,
            },
            Verb::Note => Wf::Note {
                note: note.ok_or("write the note")?,
            },
            Verb::Appeal => Wf::Appeal {
                amount: self.amount()?,
                note,
            },
            Verb::Offer => Wf::Offer {
                amount: self.amount()?.ok_or("enter the offered amount")?,
                party: self
                    .get("party")
                    .and_then(|p| Party::parse(&p))
                    .ok_or("pick the party")?,
                note,
            },
            Verb::Agree => Wf::Agree {
                amount: self.amount()?,
                note,
            },
            Verb::Revise => {
                let clauses = self.clauses();
                let decision = match (self.amount()?, clauses.is_empty()) {
                    (Some(amount), true) => Decision::Approve { amount },
                    (None, false) => Decision::Reject { clauses },
                    _ => {
                        return Err("give an amount (approve) or clauses (reject), not both".into())
                    }
                };
                Wf::Revise { decision, note }
            }
            Verb::Execute => Wf::Execute {
                route: self
                    .get("route")
                    .and_then(|r| Route::parse(&r))
                    .ok_or("pick the route")?,
                account: self.get("account"),
            },
            Verb::PayoutReturned => Wf::PayoutReturned {
                note: note.ok_or("say why the payout came back")?,
            },
            Verb::Complete => Wf::Complete {
                reference: self.get("reference").ok_or("enter the payout reference")?,
            },
            Verb::Close => Wf::Close { note },
            Verb::Withdraw => Wf::Withdraw { note },
            Verb::SignOff => Wf::SignOff { note },
            Verb::Decline => Wf::Decline { note },
        })
    }

    pub fn focused(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus)
    }

    /// A printable key: typed into a text field; a list field takes none.
    pub fn type_char(&mut self, c: char) {
        if let Some(Field {
            value: Value::Text(t),
            ..
        }) = self.focused()
        {
            t.type_char(c);
        }
        self.error = None;
    }

    /// Left/right on a one-of field steps through its options.
    pub fn step_choice(&mut self, forward: bool) -> bool {
        let Some(Field {
            value: Value::One { options, index },
            ..
        }) = self.focused()
        else {
            return false;
        };
        let n = options.len().max(1);
        *index = if forward {
            (*index + 1) % n
        } else {
            (*index + n - 1) % n
        };
        true
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    pub fn prev(&mut self) {
        let n = self.fields.len().max(1);
        self.focus = (self.focus + n - 1) % n;
    }
}
