//! Pick lists: the answers a field or a filter may take, chosen with the
//! cursor, so that a value that does not exist cannot be entered at all.

use super::action::Action;
use super::app::{App, Popup};
use super::form::{Opt, Value};
use crate::domain::policy::VerdictKind;
use crate::domain::ticket::Product;
use crate::domain::workflow::State;

/// What the chosen value goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickFor {
    /// A list field of the form just below in the stack.
    Field(usize),
    StateFilter,
    VerdictFilter,
    ProductFilter,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pick {
    pub title: String,
    pub options: Vec<Opt>,
    /// Several may be ticked (clauses), else exactly one is chosen.
    pub multi: bool,
    pub chosen: Vec<bool>,
    pub cursor: usize,
    pub target: PickFor,
}

/// The "no filter" entry heading a filter's list.
const ANY: &str = "(any)";

fn filter_pick(title: &str, values: Vec<String>, current: Option<String>, t: PickFor) -> Pick {
    let mut options = vec![Opt::new(ANY, "no filter")];
    options.extend(values.into_iter().map(|v| Opt::new(v, "")));
    let cursor = current
        .and_then(|c| options.iter().position(|o| o.value == c))
        .unwrap_or(0);
    Pick {
        title: title.into(),
        chosen: vec![false; options.len()],
        options,
        multi: false,
        cursor,
        target: t,
    }
}

impl App {
    pub(super) fn open_filter_pick(&mut self, target: PickFor) {
        let strings = |v: Vec<&str>| v.into_iter().map(String::from).collect();
        let pick = match target {
            PickFor::StateFilter => filter_pick(
                "filter by state",
                strings(State::ALL.iter().map(|s| s.as_str()).collect()),
                self.state_filter.map(|s| s.to_string()),
                target,
            ),
            PickFor::VerdictFilter => filter_pick(
                "filter by verdict",
                strings(VerdictKind::ALL.iter().map(|s| s.as_str()).collect()),
                self.verdict_filter.map(|s| s.to_string()),
                target,
            ),
            PickFor::ProductFilter => filter_pick(
                "filter by product",
                strings(Product::ALL.iter().map(|s| s.as_str()).collect()),
                self.product_filter.map(|s| s.to_string()),
                target,
            ),
            PickFor::Field(_) => return,
        };
        self.popups.push(Popup::Pick(pick));
    }

    /// Opens the pick list of the focused form field.
    pub(super) fn open_field_pick(&mut self) {
        let Some(Popup::Form(f)) = self.popups.last() else {
            return;
        };
        let Some(field) = f.fields.get(f.focus) else {
            return;
        };
        let (options, chosen, multi, cursor) = match &field.value {
            Value::Text(_) => return,
            Value::One { options, index } => {
                (options.clone(), vec![false; options.len()], false, *index)
            }
            Value::Many { options, chosen } => {
                let first = chosen.iter().position(|c| *c).unwrap_or(0);
                (options.clone(), chosen.clone(), true, first)
            }
        };
        let pick = Pick {
            title: format!("{} for {}", field.label, f.subject()),
            options,
            multi,
            chosen,
            cursor,
            target: PickFor::Field(f.focus),
        };
        self.popups.push(Popup::Pick(pick));
    }

    pub(super) fn update_pick(&mut self, action: Action) {
        let Some(Popup::Pick(p)) = self.popups.last_mut() else {
            return;
        };
        let n = p.options.len();
        match action {
            Action::Down => p.cursor = (p.cursor + 1).min(n.saturating_sub(1)),
            Action::Up => p.cursor = p.cursor.saturating_sub(1),
            Action::Top => p.cursor = 0,
            Action::Bottom => p.cursor = n.saturating_sub(1),
            Action::Toggle if p.multi => {
                if let Some(c) = p.chosen.get_mut(p.cursor) {
                    *c = !*c;
                }
            }
            Action::Toggle | Action::Choose | Action::Confirm => {
                let p = p.clone();
                self.popups.pop();
                self.apply_pick(p);
            }
            Action::Cancel => {
                self.popups.pop();
            }
            _ => {}
        }
    }

    fn apply_pick(&mut self, p: Pick) {
        let value = p.options.get(p.cursor).map(|o| o.value.clone());
        let value = value.filter(|v| v != ANY);
        match p.target {
            PickFor::Field(i) => {
                if let Some(Popup::Form(f)) = self.popups.last_mut() {
                    if let Some(field) = f.fields.get_mut(i) {
                        match &mut field.value {
                            Value::One { index, .. } => *index = p.cursor,
                            Value::Many { chosen, .. } => *chosen = p.chosen,
                            Value::Text(_) => {}
                        }
                    }
                    f.error = None;
                }
                return;
            }
            PickFor::StateFilter => self.state_filter = value.and_then(|v| State::parse(&v)),
            PickFor::VerdictFilter => {
                self.verdict_filter = value.and_then(|v| VerdictKind::parse(&v))
            }
            PickFor::ProductFilter => self.product_filter = value.and_then(|v| Product::parse(&v)),
        }
        self.refilter();
    }
}
