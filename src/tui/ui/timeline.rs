//! The event history: who did what, when, with which note — and what it
//! carried (amounts, parties, references, facts before → after), read by
//! the same `history::event_facts` that `show` prints, so the console and
//! the command line never tell one event two ways.

use super::local;
use crate::domain::workflow::history::event_facts;
use crate::store::EventRow;
use crate::text::inert;
use crate::tui::app::App;
use ratatui::text::{Line, Span};

/// What an event carried, in words, for a line that has room for a few.
pub(crate) fn facts(e: &EventRow, currency: &str) -> String {
    event_facts(&e.action, &e.payload, currency)
}

pub fn lines(app: &App, events: &[EventRow], currency: &str) -> Vec<Line<'static>> {
    if events.is_empty() {
        return vec![Line::styled("no events", app.theme.dim)];
    }
    events
        .iter()
        .map(|e| {
            let moved = if e.from == e.to || e.from.is_empty() {
                String::new()
            } else {
                format!(" {} → {}", e.from, e.to)
            };
            let extra = facts(e, currency);
            let extra = if extra.is_empty() {
                extra
            } else {
                format!(" · {extra}")
            };
            let note = e
                .note
                .as_deref()
                .map(|n| format!(" “{n}”"))
                .unwrap_or_default();
            Line::from(vec![
                Span::styled(
                    local(&e.at, app.store.policy().tz, "%m-%d %H:%M "),
                    app.theme.dim,
                ),
                Span::styled(format!("{} ", inert(&e.operator)), app.theme.key),
                Span::styled(inert(&e.action), app.theme.header),
                Span::raw(inert(&format!("{moved}{extra}{note}"))),
            ])
        })
        .collect()
}
