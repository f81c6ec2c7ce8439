//! The header line, the message/search line, and the footer of keys that
//! apply now — the footer read from the keymap's reverse map.

use crate::store::Sort;
use crate::text::{fit, inert};
use crate::tui::action::{Action, Verb};
use crate::tui::app::{App, Level, Popup};
use crate::tui::keymap::Mode;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub fn header(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let role = app.role.map(|r| r.to_string()).unwrap_or("no role".into());
    // Filters and the search first: they change what every count means.
    let mut parts = vec![format!("{} ({role})", inert(app.operator()))];
    if let Some(s) = app.state_filter {
        parts.push(format!("state={s}"));
    }
    if let Some(v) = app.verdict_filter {
        parts.push(format!("verdict={v}"));
    }
    if let Some(p) = app.product_filter {
        parts.push(format!("product={p}"));
    }
    if let Some(q) = &app.search {
        parts.push(format!("search “{}”", inert(q)));
    }
    parts.push(
        app.now
            .with_timezone(&app.store.policy().tz)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
    );
    parts.push(format!(
        "sort {}",
        match app.sort {
            Sort::Received => "received",
            Sort::Due => "due",
        }
    ));
    if app.chinese {
        parts.push("中文".into());
    }
    let line = Line::from(vec![
        Span::styled(" refund-desk ", app.theme.tab_active),
        Span::styled(
            fit(&format!(" {}", parts.join(" │ ")), area.width as usize),
            app.theme.header,
        ),
    ]);
    line.render(area, buf);
}

pub fn status(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let w = area.width as usize;
    let line = if let Some(Popup::Search { input }) = app.popups.last() {
        let mut spans = vec![Span::styled("/", app.theme.key)];
        spans.extend(super::fields::search_spans(app, input, w.saturating_sub(1)));
        Line::from(spans)
    } else if let Some(Popup::Input { purpose, input }) = app.popups.last() {
        let prompt = purpose.prompt();
        let mut spans = vec![Span::styled(prompt, app.theme.key)];
        let room = w.saturating_sub(crate::text::width(prompt));
        spans.extend(super::fields::search_spans(app, input, room));
        Line::from(spans)
    } else if let Some((level, msg)) = &app.message {
        let style = match level {
            Level::Info => app.theme.info,
            Level::Error => app.theme.error,
        };
        Line::styled(fit(msg, w), style)
    } else if let Some(text) = super::finance::status_text(app).filter(|_| app.popups.is_empty()) {
        Line::styled(fit(&text, w), app.theme.dim)
    } else {
        Line::styled(fit(&count_line(app), w), app.theme.dim)
    };
    line.render(area, buf);
}

/// "1 ticket", "12 tickets"…
pub fn tickets(n: u64) -> String {
    if n == 1 {
        "1 ticket".into()
    } else {
        format!("{n} tickets")
    }
}

/// How many tickets are marked, then how many the list holds and,
/// narrowed, where else matches are.
fn count_line(app: &App) -> String {
    let marked = match app.marks.len() {
        0 => String::new(),
        n => format!("{} {n} marked · ", super::list::MARK),
    };
    format!("{marked}{}", list_count(app))
}

fn list_count(app: &App) -> String {
    let here = app.shown.map(tickets).unwrap_or("many tickets".into());
    let verb = if app.shown == Some(1) {
        "matches"
    } else {
        "match"
    };
    let what = match &app.search {
        Some(q) => format!(" {verb} “{}” here", inert(q)),
        None if app.narrowed => format!(" {verb} the filters here"),
        None => String::new(),
    };
    let Some((more, queues)) = app.elsewhere() else {
        return format!("{here}{what}");
    };
    let more = match more {
        Some(n) => format!("{n} more"),
        None => "more".into(),
    };
    let wher: Vec<String> = queues
        .iter()
        .take(4)
        .map(|(q, n)| format!("{} {n}", crate::tui::queues::SHORT[*q]))
        .collect();
    let keys = app
        .keymap
        .keys_for(Mode::List, Action::NextTab)
        .first()
        .map(|k| k.to_string())
        .unwrap_or_default();
    if wher.is_empty() {
        return format!("{here}{what}");
    }
    format!(
        "{here}{what} · {more} in other queues: {} ({keys}: next queue)",
        wher.join(", ")
    )
}

/// (keys, label) hints for what applies now, in order.
pub fn hints(app: &App) -> Vec<(String, String)> {
    let mode = app.mode();
    let km = &app.keymap;
    let hint = |a: Action, label: &str| -> Option<(String, String)> {
        let key = km.keys_for(mode, a).first()?.to_string();
        Some((key, label.to_string()))
    };
    let mut out = Vec::new();
    match mode {
        Mode::List | Mode::Global if !app.marks.is_empty() => {
            let n = app.marks.len();
            out.extend(hint(Action::Menu, &format!("actions on {n} marked")));
            out.extend(hint(Action::ClearMarks, "clear marks"));
            out.extend(hint(Action::ToggleMark, "mark"));
            out.extend(hint(Action::MarkRange, "range"));
            out.extend(hint(Action::MarkAll, "all"));
            out.extend(hint(Action::Search, "search"));
            out.extend(hint(Action::Help, "help"));
            out.extend(hint(Action::Quit, "quit"));
        }
        Mode::List | Mode::Global => {
            out.extend(hint(Action::Menu, "actions"));
            // The steps of this ticket's workflow first; a hand-off and a
            // note are possible nearly always, so they come after the letter.
            let (team, steps): (Vec<_>, Vec<_>) = app
                .valid_verbs()
                .into_iter()
                .partition(|v| matches!(v, Verb::Assign | Verb::Note));
            for v in steps {
                out.extend(hint(Action::Do(v), app.verb_label(v)));
            }
            if app.letter_possible() {
                out.extend(hint(Action::Letter, "letter"));
            }
            for v in team {
                out.extend(hint(Action::Do(v), app.verb_label(v)));
            }
            out.extend(hint(Action::Search, "search"));
            out.extend(hint(Action::NextTab, "queue"));
            out.extend(hint(Action::FilterState, "filter"));
            out.extend(hint(Action::ToggleMark, "mark"));
            out.extend(hint(Action::Finance, "finance"));
            out.extend(hint(Action::CopyId, "copy id"));
            out.extend(hint(Action::Zoom, "zoom"));
            out.extend(hint(Action::Help, "help"));
            out.extend(hint(Action::Quit, "quit"));
        }
        Mode::Menu => {
            out.extend(hint(Action::Choose, "choose"));
            out.extend(hint(Action::Down, "down"));
            out.extend(hint(Action::Up, "up"));
            out.extend(hint(Action::Cancel, "cancel"));
        }
        Mode::Form => {
            out.extend(hint(Action::Confirm, "submit"));
            out.extend(hint(Action::NextField, "next field"));
            let field = match app.popups.last() {
                Some(Popup::Form(f)) => f.fields.get(f.focus),
                _ => None,
            };
            if field.is_some_and(|f| f.is_list()) {
                out.extend(hint(Action::Pick, "pick list"));
                if field.is_some_and(|f| matches!(f.value, crate::tui::form::Value::One { .. })) {
                    out.extend(hint(Action::Right, "next choice"));
                }
            } else {
                out.extend(hint(Action::Left, "cursor"));
                out.extend(hint(Action::Home, "start"));
                out.extend(hint(Action::End, "end"));
                out.extend(hint(Action::ClearField, "clear"));
            }
            out.extend(hint(Action::Cancel, "cancel"));
        }
        Mode::Pick => {
            out.extend(hint(Action::Choose, "choose"));
            let multi = matches!(app.popups.last(), Some(Popup::Pick(p)) if p.multi);
            if multi {
                out.extend(hint(Action::Toggle, "tick"));
            }
            out.extend(hint(Action::Down, "down"));
            out.extend(hint(Action::Up, "up"));
            out.extend(hint(Action::Cancel, "cancel"));
        }
        Mode::Confirm => {
            out.extend(hint(Action::Confirm, "confirm"));
            out.extend(hint(Action::Cancel, "cancel"));
        }
        Mode::Search => {
            let enter = match app.popups.last() {
                Some(Popup::Input { purpose, .. }) => purpose.confirm_label(),
                _ => "search all queues",
            };
            out.extend(hint(Action::Confirm, enter));
            out.extend(hint(Action::Left, "cursor"));
            out.extend(hint(Action::ClearField, "clear"));
            out.extend(hint(Action::Cancel, "cancel"));
        }
        Mode::Letter => {
            out.extend(hint(Action::Copy, "copy"));
            let sent = matches!(app.popups.last(), Some(Popup::Letter { sent: Some(_), .. }));
            if !sent {
                out.extend(hint(Action::RecordSent, "record as sent"));
            }
            out.extend(hint(Action::Down, "down"));
            out.extend(hint(Action::Up, "up"));
            out.extend(hint(Action::PageDown, "page"));
            out.extend(hint(Action::Cancel, "close"));
        }
        Mode::Dashboard => {
            out.extend(hint(Action::Dashboard, "back to the queues"));
            out.extend(hint(Action::Refresh, "reload"));
            out.extend(hint(Action::Help, "help"));
            out.extend(hint(Action::Quit, "quit"));
        }
        Mode::Finance => {
            out.extend(hint(Action::Finance, "back"));
            out.extend(hint(Action::PrevMonth, "month before"));
            out.extend(hint(Action::NextMonth, "month after"));
            out.extend(hint(Action::SetRange, "dates"));
            out.extend(hint(Action::WriteCsv, "write CSV"));
            out.extend(hint(Action::Down, "down"));
            out.extend(hint(Action::Help, "help"));
            out.extend(hint(Action::Quit, "quit"));
        }
        Mode::Help => {
            out.extend(hint(Action::Down, "scroll"));
            out.extend(hint(Action::Cancel, "close"));
        }
    }
    out
}

pub fn footer(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let mut spans = Vec::new();
    let mut used = 0usize;
    let room = area.width as usize;
    let mut hints = hints(app);
    // The way to every other key is never cut: help goes last, room kept.
    let help = hints
        .iter()
        .position(|(_, l)| l == "help")
        .map(|i| hints.remove(i));
    let cost =
        |(key, label): &(String, String)| crate::text::width(key) + crate::text::width(label) + 3;
    let kept = help.as_ref().map_or(0, cost);
    let mut shown = Vec::new();
    for h in hints {
        if used + cost(&h) + kept > room {
            break;
        }
        used += cost(&h);
        shown.push(h);
    }
    shown.extend(help.filter(|h| used + cost(h) <= room));
    for (key, label) in shown {
        spans.push(Span::styled(format!(" {key}"), app.theme.key));
        spans.push(Span::raw(format!(" {label} ")));
    }
    Line::from(spans).render(area, buf);
}
