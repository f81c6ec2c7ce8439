//! The queue tabs and the ticket table.

use super::local;
use crate::domain::calendar::{due_label, Due};
use crate::domain::money::fmt2;
use crate::domain::policy::{Verdict, VerdictKind};
use crate::domain::workflow::State;
use crate::store::ListRow;
use crate::text::{fit, width};
use crate::tui::app::{App, QUEUES};
use crate::tui::theme::{verdict_short, verdict_symbol};
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub fn tabs(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let labels: Vec<String> = QUEUES
        .iter()
        .enumerate()
        .map(|(i, q)| match app.counts[i] {
            Some(n) => format!(" {q} {n} "),
            None => format!(" {q} "),
        })
        .collect();
    // Start late enough that the active tab is on screen.
    let room = (area.width as usize).saturating_sub(2);
    let mut start = 0;
    while start < app.tab
        && labels[start..=app.tab]
            .iter()
            .map(|l| width(l) + 1)
            .sum::<usize>()
            > room
    {
        start += 1;
    }
    let mut spans = vec![Span::styled(
        if start > 0 { "‹" } else { " " },
        app.theme.dim,
    )];
    for (i, l) in labels.iter().enumerate().skip(start) {
        let style = if i == app.tab {
            app.theme.tab_active
        } else {
            app.theme.tab
        };
        spans.push(Span::styled(l.clone(), style));
        spans.push(Span::raw("│"));
    }
    Line::from(spans).render(area, buf);
}

#[derive(Clone, Copy, PartialEq)]
enum Col {
    Id,
    Received,
    Product,
    Customer,
    Requested,
    Verdict,
    State,
    Assignee,
    Sla,
}

/// (column, title, width, priority): lower priority numbers stay longest.
const COLUMNS: [(Col, &str, usize, u8); 9] = [
    (Col::Id, "ID", 10, 0),
    (Col::Received, "RECEIVED", 11, 2),
    (Col::Product, "PROD", 4, 1),
    (Col::Customer, "CUSTOMER", 8, 0),
    (Col::Requested, "REQUESTED", 12, 2),
    (Col::Verdict, "VERDICT", 17, 0),
    (Col::State, "STATE", 14, 0),
    (Col::Assignee, "ASSIGNEE", 8, 3),
    (Col::Sla, "SLA", 13, 0),
];

/// The columns that fit `total` cells, with their widths; the customer
/// column takes what is left.
fn layout(total: usize) -> Vec<(Col, &'static str, usize)> {
    let mut keep = 0u8;
    for prio in 0..=3u8 {
        let need: usize = COLUMNS
            .iter()
            .filter(|c| c.3 <= prio)
            .map(|c| c.2 + 1)
            .sum();
        if need <= total || prio == 0 {
            keep = prio;
        }
    }
    let cols: Vec<_> = COLUMNS.iter().filter(|c| c.3 <= keep).collect();
    let fixed: usize = cols.iter().map(|c| c.2 + 1).sum();
    let spare = total.saturating_sub(fixed);
    cols.iter()
        .map(|c| {
            let w = if c.0 == Col::Customer {
                c.2 + spare
            } else {
                c.2
            };
            (c.0, c.1, w)
        })
        .collect()
}

pub fn verdict_cell(v: &Verdict) -> String {
    let amount = match (v.kind, v.amount, v.ceiling) {
        (VerdictKind::Negotiate, _, Some(c)) => format!(" ≤{}", fmt2(c)),
        (_, Some(a), _) => format!(" {}", fmt2(a)),
        _ => String::new(),
    };
    format!(
        "{} {}{amount}",
        verdict_symbol(v.kind),
        verdict_short(v.kind)
    )
}

/// The SLA cell text and how urgent it is (0 fine, 1 due today, 2 overdue, 3 breached).
pub fn sla(app: &App, state: &str, target: Option<&str>, breach: Option<&str>) -> (String, u8) {
    let today = app.today();
    let stage = State::parse(state)
        .filter(|s| !s.is_terminal())
        .and_then(|s| s.stage());
    let target = target.and_then(|t| t.parse::<NaiveDate>().ok());
    let (Some(stage), Some(target)) = (stage, target) else {
        return ("—".into(), 0);
    };
    let breach = breach.and_then(|b| b.parse::<NaiveDate>().ok());
    let label = due_label(&app.store.calendar, stage, &Due { target, breach }, today);
    let label = label
        .replace("appeal closes today", "appeal today")
        .replace(" d left", " d");
    let level = if breach.is_some_and(|b| today > b) {
        3
    } else if today > target {
        2
    } else if today == target {
        1
    } else {
        0
    };
    (label, level)
}

fn row_line(app: &App, r: &ListRow, cols: &[(Col, &str, usize)], selected: bool) -> Line<'static> {
    let t = &app.theme;
    let mut spans = Vec::with_capacity(cols.len() * 2);
    for (col, _, w) in cols {
        let (text, style) = match col {
            Col::Id => (r.id.clone(), Style::new()),
            Col::Received => (
                local(&r.received_at, app.store.policy.tz, "%m-%d %H:%M"),
                Style::new(),
            ),
            Col::Product => (r.product.clone(), Style::new()),
            Col::Customer => (
                r.customer.clone().unwrap_or_else(|| r.account_id.clone()),
                Style::new(),
            ),
            Col::Requested => (
                match &r.requested {
                    Some(a) => format!("{a:>w$}", w = w.saturating_sub(4)) + " " + &r.currency,
                    None => format!("{:>w$}", "—", w = w.saturating_sub(4)),
                },
                Style::new(),
            ),
            Col::Verdict => (verdict_cell(&r.verdict), t.verdict(r.verdict.kind)),
            Col::State => (
                if r.pending {
                    format!("⧗{}", r.state)
                } else {
                    r.state.clone()
                },
                Style::new(),
            ),
            Col::Assignee => (
                r.assignee.clone().unwrap_or_else(|| "—".into()),
                Style::new(),
            ),
            Col::Sla => {
                let (label, level) = sla(
                    app,
                    &r.state,
                    r.due_target.as_deref(),
                    r.due_breach.as_deref(),
                );
                let style = [Style::new(), t.due_soon, t.overdue, t.breached][level as usize];
                (label, style)
            }
        };
        spans.push(Span::styled(fit(&text, *w), style));
        spans.push(Span::raw(" "));
    }
    let line = Line::from(spans);
    if selected {
        line.style(t.selected)
    } else {
        line
    }
}

pub fn table(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let cols = layout(area.width as usize);
    let header: String = cols
        .iter()
        .map(|(_, title, w)| fit(title, *w) + " ")
        .collect();
    let head = Rect { height: 1, ..area };
    Line::styled(header, app.theme.column_header).render(head, buf);
    let body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    if app.pager.rows.is_empty() && !body.is_empty() {
        Line::styled("  no tickets here", app.theme.dim).render(body, buf);
        return;
    }
    for (i, r) in app.pager.rows.iter().enumerate().take(body.height as usize) {
        let line = row_line(app, r, &cols, i == app.pager.cursor);
        let row = Rect {
            y: body.y + i as u16,
            height: 1,
            ..body
        };
        if i == app.pager.cursor {
            buf.set_style(row, app.theme.selected);
        }
        line.render(row, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::layout;

    #[test]
    fn columns_fit_the_width() {
        for w in [20, 60, 80, 100, 120, 200] {
            let used: usize = layout(w).iter().map(|c| c.2 + 1).sum();
            assert!(used <= w.max(67), "{w}: {used}");
        }
        assert_eq!(layout(80).len(), 6);
        assert_eq!(layout(120).len(), 9);
    }
}
