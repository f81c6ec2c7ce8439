//! Marks: the tickets the next action applies to all at once (bulk work).
//! Keys as k9s and ranger users expect: Space marks the ticket and moves on,
//! Shift-arrows extend a range (lazygit), Ctrl-Space marks from the last
//! mark to the cursor (k9s), Ctrl-a marks the whole view, Esc clears.
//!
//! A mark is kept by ticket id, so paging and live refreshes keep it. It
//! lasts as long as its ticket is in the view on screen: whatever takes a
//! ticket out — another agent's action, another queue, a filter, a search —
//! drops its mark and the message line names it. An action on the marks
//! then never reaches a ticket the operator can no longer see.

use super::action::Action;
use super::app::App;
use crate::store::Page;

/// At most this many tickets are marked at once: each is judged, then
/// written in its own transaction, while the operator waits.
pub const MAX_MARKS: usize = 500;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Marks {
    /// In the order they were marked.
    ids: Vec<String>,
    /// The last ticket marked or unmarked by itself: where a range starts.
    anchor: Option<String>,
}

impl Marks {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.ids.iter().any(|m| m == id)
    }

    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Marks `id` unless it already is, or there are `MAX_MARKS`.
    fn add(&mut self, id: &str) -> bool {
        if self.contains(id) {
            return true;
        }
        if self.ids.len() >= MAX_MARKS {
            return false;
        }
        self.ids.push(id.to_string());
        true
    }

    pub fn clear(&mut self) {
        self.ids.clear();
        self.anchor = None;
    }

    /// Keeps the marks `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.ids.retain(|id| keep(id));
        if self.anchor.as_deref().is_some_and(|a| !self.contains(a)) {
            self.anchor = None;
        }
    }
}

fn tickets(n: usize) -> String {
    if n == 1 {
        "1 ticket".into()
    } else {
        format!("{n} tickets")
    }
}

impl App {
    pub(super) fn update_marks(&mut self, action: Action) {
        match action {
            Action::ToggleMark => self.toggle_mark(),
            Action::MarkDown => self.mark_step(true),
            Action::MarkUp => self.mark_step(false),
            Action::MarkRange => self.mark_range(),
            Action::MarkAll => self.mark_all(),
            Action::ClearMarks if !self.marks.is_empty() => {
                let n = self.marks.len();
                self.marks.clear();
                self.info(format!("cleared the marks of {}", tickets(n)));
            }
            _ => {}
        }
    }

    fn too_many(&mut self) {
        self.error(format!(
            "at most {MAX_MARKS} tickets can be marked at once: act on these first"
        ));
    }

    /// Space: marks or unmarks the selected ticket, then selects the next,
    /// so a run of Space presses marks a run of tickets.
    fn toggle_mark(&mut self) {
        let Some(id) = self.selected_id() else {
            return self.error("no ticket selected");
        };
        if self.marks.contains(&id) {
            self.marks.retain(|m| m != id);
        } else if !self.marks.add(&id) {
            return self.too_many();
        }
        self.marks.anchor = Some(id);
        self.with_pager(|p, s| p.down(s));
    }

    /// Shift-Down / Shift-Up: marks this ticket and the next one over.
    fn mark_step(&mut self, down: bool) {
        let Some(id) = self.selected_id() else {
            return self.error("no ticket selected");
        };
        if self.marks.anchor.is_none() {
            self.marks.anchor = Some(id.clone());
        }
        if !self.marks.add(&id) {
            return self.too_many();
        }
        if down {
            self.with_pager(|p, s| p.down(s));
        } else {
            self.with_pager(|p, s| p.up(s));
        }
        if let Some(next) = self.selected_id() {
            if !self.marks.add(&next) {
                self.too_many();
            }
        }
    }

    /// Ctrl-Space: marks every ticket of the view between the last one
    /// marked with Space and the cursor, both included, in list order —
    /// across pages, since the rows between are read from the store.
    fn mark_range(&mut self) {
        let Some(here) = self.selected_id() else {
            return self.error("no ticket selected");
        };
        let Some(anchor) = self.marks.anchor.clone() else {
            return self.error("mark a ticket with Space first: the range starts there");
        };
        let filter = self.filter();
        let range: Result<Option<Vec<String>>, crate::store::StoreError> = (|| {
            let Some(start) = self.store.list_row(&anchor, &filter)? else {
                return Ok(None);
            };
            let key = start.key(self.sort);
            let after =
                self.store
                    .page(&filter, self.sort, &Page::After(key.clone()), MAX_MARKS)?;
            if let Some(i) = after.iter().position(|r| r.id == here) {
                let mut ids = vec![anchor.clone()];
                ids.extend(after[..=i].iter().map(|r| r.id.clone()));
                return Ok(Some(ids));
            }
            let before = self
                .store
                .page(&filter, self.sort, &Page::Before(key), MAX_MARKS)?;
            Ok(before.iter().position(|r| r.id == here).map(|i| {
                let mut ids: Vec<String> = before[i..].iter().map(|r| r.id.clone()).collect();
                ids.push(anchor.clone());
                ids
            }))
        })();
        match range {
            Ok(Some(ids)) => {
                let before = self.marks.len();
                if ids.iter().any(|id| !self.marks.add(id)) {
                    return self.too_many();
                }
                let more = match self.marks.len() - before {
                    1 => "1 more ticket".to_string(),
                    n => format!("{n} more tickets"),
                };
                self.info(format!("marked {more} (range from {anchor})"));
            }
            Ok(None) => self.error(format!(
                "no range: {anchor} is not in this view, or more than {MAX_MARKS} tickets lie between"
            )),
            Err(e) => self.error(e.to_string()),
        }
    }

    /// Ctrl-a: every ticket of the view (queue, filters, search).
    fn mark_all(&mut self) {
        let rows = match self
            .store
            .page(&self.filter(), self.sort, &Page::First, MAX_MARKS + 1)
        {
            Ok(r) => r,
            Err(e) => return self.error(e.to_string()),
        };
        if rows.len() > MAX_MARKS {
            return self.error(format!(
                "this view holds more than {MAX_MARKS} tickets: narrow it (search, filters) to mark them all"
            ));
        }
        if rows.iter().any(|r| !self.marks.add(&r.id)) {
            return self.too_many();
        }
        self.info(format!("marked all {} in this view", tickets(rows.len())));
    }

    /// Drops the marks of tickets no longer in the view; returns their ids.
    pub(super) fn prune_marks(&mut self) -> Vec<String> {
        if self.marks.is_empty() {
            return Vec::new();
        }
        let filter = self.filter();
        let gone: Vec<String> = self
            .marks
            .ids()
            .iter()
            // A failed read keeps the mark: only a ticket known gone loses it.
            .filter(|id| matches!(self.store.list_row(id, &filter), Ok(None)))
            .cloned()
            .collect();
        self.marks.retain(|id| !gone.contains(&id.to_string()));
        gone
    }

    /// Prunes the marks and says on the message line which were dropped.
    pub(super) fn prune_marks_and_say(&mut self) {
        let gone = self.prune_marks();
        if gone.is_empty() {
            return;
        }
        let shown: Vec<&str> = gone.iter().take(5).map(String::as_str).collect();
        let more = if gone.len() > 5 {
            format!(" and {} more", gone.len() - 5)
        } else {
            String::new()
        };
        self.info(format!(
            "unmarked {} no longer in this view: {}{more}",
            tickets(gone.len()),
            shown.join(", ")
        ));
    }
}
