//! The event history: who did what, when, with which note.

use super::local;
use crate::store::EventRow;
use crate::text::inert;
use crate::tui::app::App;
use ratatui::text::{Line, Span};
use serde_json::Value;

/// The payload's scalar facts worth a glance (amount, clauses, route…).
pub(crate) fn payload_summary(p: &Value) -> String {
    let Some(map) = p.as_object() else {
        return String::new();
    };
    map.iter()
        .filter(|(k, _)| !matches!(k.as_str(), "proposal" | "pending" | "reasons"))
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some(format!("{k}={s}")),
            Value::Number(n) => Some(format!("{k}={n}")),
            Value::Bool(b) => Some(format!("{k}={b}")),
            Value::Array(a) if !a.is_empty() => Some(format!(
                "{k}={}",
                a.iter()
                    .map(|x| x
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| x.to_string()))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn lines(app: &App, events: &[EventRow]) -> Vec<Line<'static>> {
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
            let extra = payload_summary(&e.payload);
            let extra = if extra.is_empty() {
                extra
            } else {
                format!(" [{extra}]")
            };
            let note = e
                .note
                .as_deref()
                .map(|n| format!(" · {n}"))
                .unwrap_or_default();
            Line::from(vec![
                Span::styled(
                    local(&e.at, app.store.policy.tz, "%m-%d %H:%M "),
                    app.theme.dim,
                ),
                Span::styled(format!("{} ", inert(&e.operator)), app.theme.key),
                Span::styled(inert(&e.action), app.theme.header),
                Span::raw(inert(&format!("{moved}{extra}{note}"))),
            ])
        })
        .collect()
}
