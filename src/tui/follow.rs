//! Selection follows the ticket an action was taken on. An agent on a
//! deadline acts on one ticket several times in a row (take, evaluate,
//! approve…), and each step moves it to another queue: a ticket that
//! vanished from view after `take` had to be searched for again. So the
//! console goes where the ticket went — the queue of its new stage, or
//! Pending when it waits for a sign-off — keeps it selected, and says so
//! on the message line; the queue left is one `h` (or a click) away.

use super::app::{App, Level, QUEUES};
use super::queues::home_queue;
use crate::domain::workflow::State;
use crate::store::{ListFilter, ListRow};

impl App {
    pub(super) fn follow(&mut self, id: &str) {
        if self.selected_id().as_deref() == Some(id) {
            return;
        }
        // Still in this queue, sorted off the page: page to it.
        match self.store.list_row(id, &self.filter()) {
            Ok(Some(row)) => return self.show_row(row),
            Ok(None) => {}
            Err(e) => return self.error(e.to_string()),
        }
        let Ok(Some(row)) = self.store.list_row(id, &ListFilter::default()) else {
            return;
        };
        let Some(state) = State::parse(&row.state) else {
            return;
        };
        let from = self.tab;
        self.tab = home_queue(state, row.pending);
        let mut cleared = "";
        let row = match self.store.list_row(id, &self.filter()) {
            Ok(Some(r)) => r,
            _ => {
                // The filters would hide it there: the ticket matters more.
                self.state_filter = None;
                self.verdict_filter = None;
                self.product_filter = None;
                self.search = None;
                cleared = "; filters cleared";
                self.recount();
                row
            }
        };
        self.count_tab();
        self.show_row(row);
        let note = format!(
            " · followed it to {} (from {}{cleared})",
            QUEUES[self.tab], QUEUES[from]
        );
        if let Some((Level::Info, m)) = &mut self.message {
            m.push_str(&note);
        }
    }

    fn show_row(&mut self, row: ListRow) {
        self.with_pager(|p, s| p.around(s, row));
        self.detail_stale = true;
    }
}
