//! Small forms for the parameters of an action (amount, clauses, note…),
//! pre-filled from the verdict, and their translation into a domain action.

use super::action::Verb;
use crate::domain::money::{fmt2, parse_amount};
use crate::domain::workflow::{Action as Wf, Decision, Party, Route};
use crate::store::Detail;
use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    pub hint: &'static str,
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
}

fn field(key: &'static str, label: &'static str, value: String, hint: &'static str) -> Field {
    Field {
        key,
        label,
        value,
        hint,
    }
}

fn note(value: String) -> Field {
    field("note", "Note", value, "optional")
}

impl Form {
    /// The form a verb needs, or `None` when it takes no parameters.
    pub fn for_verb(verb: Verb, d: &Detail) -> Option<Form> {
        let v = &d.verdict;
        let limit = v.amount.or(v.ceiling).map(fmt2).unwrap_or_default();
        let last_offer = d
            .case
            .ledger
            .iter()
            .rev()
            .find_map(|o| o.amount)
            .map(fmt2)
            .unwrap_or_default();
        let clause = v
            .deciding_clause()
            .map(|c| c.to_string())
            .unwrap_or_default();
        let fields = match verb {
            Verb::Take | Verb::Evaluate | Verb::Accept => return None,
            Verb::Approve => vec![
                field("amount", "Amount", limit, "refund amount"),
                note(String::new()),
            ],
            Verb::Reject => vec![
                field("clauses", "Clauses", clause, "comma-separated clause ids"),
                note(String::new()),
            ],
            Verb::RequestInfo => {
                let missing = if v.missing.is_empty() {
                    String::new()
                } else {
                    format!("please send: {}", v.missing.join(", "))
                };
                vec![field(
                    "note",
                    "Missing",
                    missing,
                    "what is missing (required)",
                )]
            }
            Verb::InfoReceived => vec![note(String::new())],
            Verb::Assign => vec![
                field("to", "To", String::new(), "a user with a role on the desk"),
                note(String::new()),
            ],
            Verb::Note => vec![field(
                "note",
                "Note",
                String::new(),
                "internal, never shown to the customer (required)",
            )],
            Verb::Appeal => vec![
                field(
                    "amount",
                    "Amount",
                    String::new(),
                    "customer's counter-request, optional",
                ),
                note(String::new()),
            ],
            Verb::Offer => vec![
                field("amount", "Amount", last_offer, "offered amount"),
                field("party", "Party", "desk".into(), "desk | customer"),
                note(String::new()),
            ],
            Verb::Agree => vec![
                field("amount", "Amount", last_offer, "agreed amount"),
                note(String::new()),
            ],
            Verb::Revise => vec![
                field(
                    "amount",
                    "Amount",
                    limit,
                    "approve this amount, or leave empty",
                ),
                field(
                    "clauses",
                    "Clauses",
                    String::new(),
                    "…or reject with these clauses",
                ),
                note(String::new()),
            ],
            Verb::Execute => vec![
                field("route", "Route", "original".into(), "original | alternate"),
                field(
                    "account",
                    "Account",
                    String::new(),
                    "account details (alternate route)",
                ),
            ],
            Verb::PayoutReturned => vec![field(
                "note",
                "Why",
                String::new(),
                "why the payout came back (required)",
            )],
            Verb::Complete => vec![field(
                "reference",
                "Reference",
                String::new(),
                "payout reference (required)",
            )],
            Verb::Close | Verb::Withdraw | Verb::SignOff | Verb::Decline => {
                vec![note(String::new())]
            }
        };
        Some(Form {
            verb,
            id: d.ticket.id.clone(),
            fields,
            focus: 0,
            error: None,
            version: d.version,
            held: false,
        })
    }

    fn get(&self, key: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn amount(&self) -> Result<Option<Decimal>, String> {
        self.get("amount")
            .map(|a| parse_amount(&a).map_err(|e| format!("amount: {e}")))
            .transpose()
    }

    fn clauses(&self) -> Vec<String> {
        self.get("clauses")
            .map(|c| {
                c.split([',', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_uppercase)
                    .collect()
            })
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
                    return Err("name at least one clause".into());
                }
                Wf::Reject { clauses, note }
            }
            Verb::RequestInfo => Wf::RequestInfo {
                note: note.ok_or("say what is missing")?,
            },
            Verb::InfoReceived => Wf::InfoReceived {
                note,
                set: Vec::new(),
            },
            Verb::Assign => Wf::Assign {
                to: self.get("to").ok_or("say who takes the ticket over")?,
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
                    .and_then(|p| Party::parse(&p.to_lowercase()))
                    .ok_or("party is desk or customer")?,
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
                    .and_then(|r| Route::parse(&r.to_lowercase()))
                    .ok_or("route is original or alternate")?,
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

    pub fn type_char(&mut self, c: char) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            // Fields are one line: a pasted newline or control ends nowhere.
            if !c.is_control() && f.value.chars().count() < 500 {
                f.value.push(c);
            }
        }
        self.error = None;
    }

    pub fn backspace(&mut self) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.value.pop();
        }
    }

    pub fn clear(&mut self) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.value.clear();
        }
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    pub fn prev(&mut self) {
        let n = self.fields.len().max(1);
        self.focus = (self.focus + n - 1) % n;
    }
}
