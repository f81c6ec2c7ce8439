//! What keys do while a popup is on top: the action menu, a form, a
//! confirmation, the search line, help. The popups themselves live in
//! `app::Popup`; drawing is in `ui::popups`.

use super::action::Action;
use super::app::{App, Attempt, Popup};
use super::form::{Field, Value};

impl App {
    pub(super) fn update_menu(&mut self, action: Action) {
        let Some(Popup::Menu { items, cursor, .. }) = self.popups.last_mut() else {
            return;
        };
        match action {
            Action::Down => *cursor = (*cursor + 1).min(items.len().saturating_sub(1)),
            Action::Up => *cursor = cursor.saturating_sub(1),
            Action::Choose | Action::Confirm => {
                let verb = items.get(*cursor).copied();
                self.popups.pop();
                if let Some(v) = verb {
                    self.begin(v);
                }
            }
            Action::Cancel => {
                self.popups.pop();
            }
            _ => {}
        }
    }

    pub(super) fn update_form(&mut self, action: Action) {
        let Some(Popup::Form(form)) = self.popups.last_mut() else {
            return;
        };
        let list = form.fields.get(form.focus).is_some_and(|f| f.is_list());
        match action {
            Action::NextField => form.next(),
            Action::PrevField => form.prev(),
            Action::Left | Action::Right if list => {
                form.step_choice(action == Action::Right);
            }
            Action::Pick if list => self.open_field_pick(),
            Action::Pick => form.type_char(' '),
            Action::Cancel => {
                let id = form.id.clone();
                self.popups.pop();
                let _ = self.store.release(&id);
            }
            Action::Confirm | Action::Choose if form.held => {}
            Action::Confirm | Action::Choose => match form.to_action() {
                Ok(a) if !form.marked.is_empty() => {
                    let form = form.clone();
                    self.popups.pop();
                    self.confirm_bulk(form, a);
                }
                Ok(a) => {
                    let attempt = Attempt::from_form(form);
                    self.popups.pop();
                    self.proceed(attempt, a);
                }
                Err(e) => form.error = Some(e),
            },
            edit => {
                if let Some(Field {
                    value: Value::Text(t),
                    ..
                }) = form.focused()
                {
                    t.edit(edit);
                }
            }
        }
    }

    pub(super) fn update_confirm(&mut self, action: Action) {
        let Some(Popup::Confirm(c)) = self.popups.last().cloned() else {
            return;
        };
        match action {
            Action::Confirm | Action::Choose if c.held => {}
            Action::Confirm | Action::Choose => self.commit(c.attempt, c.action, true),
            Action::Cancel => {
                self.popups.pop();
                let _ = self.store.release(&c.attempt.id);
                self.info("cancelled; nothing changed");
            }
            _ => {}
        }
    }

    pub(super) fn update_search(&mut self, action: Action) {
        let Some(Popup::Search { input }) = self.popups.last_mut() else {
            return;
        };
        match action {
            Action::Cancel => {
                self.popups.pop();
            }
            Action::Confirm | Action::Choose => {
                let q = input.value().trim().to_string();
                self.popups.pop();
                self.search = (!q.is_empty()).then_some(q);
                self.refilter();
            }
            edit => {
                input.edit(edit);
            }
        }
    }

    pub(super) fn update_help(&mut self, action: Action) {
        let Some(Popup::Help { scroll }) = self.popups.last_mut() else {
            return;
        };
        match action {
            Action::Down => *scroll = scroll.saturating_add(1),
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::PageDown => *scroll = scroll.saturating_add(10),
            Action::PageUp => *scroll = scroll.saturating_sub(10),
            Action::Cancel => {
                self.popups.pop();
            }
            _ => {}
        }
    }
}
