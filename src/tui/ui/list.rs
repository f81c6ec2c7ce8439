//! The ticket table. Column widths come from what the visible rows hold
//! (display width, so CJK names count two cells): an amount is never cut
//! while the customer column can give way. The Pending queue shows the
//! proposals (what, how much, by whom, why) instead of the verdicts.

use super::columns::{fit_columns, Align, Column};
use super::local;
use crate::domain::money::{format_amount, format_number};
use crate::domain::policy::{Verdict, VerdictKind};
use crate::store::ListRow;
use crate::text::{fit, inert, width};
use crate::tui::app::App;
use crate::tui::queues::PENDING;
use crate::tui::sla::{row_label, Urgency};
use crate::tui::theme::{verdict_short, verdict_symbol};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// What a marked ticket carries in the first column.
pub const MARK: &str = "✓";

pub fn verdict_cell(v: &Verdict) -> String {
    let amount = match (v.kind, v.amount, v.ceiling) {
        // Grouped and with the currency's own minor units (no ".00" yen).
        (VerdictKind::Negotiate, _, Some(c)) => format!(" ≤{}", format_number(c, &v.currency)),
        (_, Some(a), _) => format!(" {}", format_number(a, &v.currency)),
        _ => String::new(),
    };
    format!(
        "{} {}{amount}",
        verdict_symbol(v.kind),
        verdict_short(v.kind)
    )
}

/// The SLA cell of a row and its style.
fn sla_cell(app: &App, r: &ListRow) -> (String, Style) {
    let (label, level) = row_label(
        app.store.calendar(),
        &r.state,
        r.due_target.as_deref(),
        r.due_breach.as_deref(),
        app.today(),
    );
    let t = &app.theme;
    let style = match level {
        Urgency::Fine => Style::new(),
        Urgency::DueToday => t.due_soon,
        Urgency::PastTarget => t.overdue,
        Urgency::Breached => t.breached,
    };
    (label, style)
}

/// (title, priority, flexible, alignment) of the columns of this queue;
/// lower priorities stay longest, flexible columns take the room left.
fn columns(pending: bool) -> Vec<Column> {
    let c = Column::new;
    if pending {
        vec![
            c("ID", 0).max(24),
            c("CUSTOMER", 2).flex(8, 12).max(24),
            c("PROPOSAL", 0),
            c("BY", 0).max(12),
            c("WHY", 1).flex(12, 24),
            c("SLA", 1),
        ]
    } else {
        vec![
            c("ID", 0).max(24),
            c("RECEIVED", 2),
            c("PROD", 1),
            c("CUSTOMER", 0).flex(8, 14),
            c("REQUESTED", 2).align(Align::Right),
            c("VERDICT", 0),
            c("STATE", 0).max(16),
            c("ASSIGNEE", 3).max(12),
            c("SLA", 0),
        ]
    }
}

fn cells(app: &App, r: &ListRow, pending: bool) -> Vec<(String, Style)> {
    let plain = |s: String| (inert(&s), Style::new());
    let id = plain(r.id.clone());
    let customer = plain(r.customer.clone().unwrap_or_else(|| r.account_id.clone()));
    if pending {
        let (what, by, why) = match app.proposals.get(&r.id).map(|p| &p.1) {
            Some(p) => (
                super::detail::proposal_text(&p.action, &r.currency),
                p.proposer.clone(),
                p.reasons.join("; "),
            ),
            None => ("⧗ (no proposal)".into(), "—".into(), String::new()),
        };
        return vec![
            id,
            customer,
            (inert(&format!("⧗ {what}")), app.theme.error),
            plain(by),
            plain(why),
            sla_cell(app, r),
        ];
    }
    let state = if r.pending {
        format!("⧗{}", r.state)
    } else {
        r.state.clone()
    };
    vec![
        id,
        plain(local(&r.received_at, app.store.policy().tz, "%m-%d %H:%M")),
        plain(r.product.clone()),
        customer,
        plain(match &r.requested {
            Some(a) => match a.parse() {
                Ok(d) => format_amount(d, &r.currency),
                Err(_) => format!("{a} {}", r.currency),
            },
            None => "—".into(),
        }),
        (verdict_cell(&r.verdict), app.theme.verdict(r.verdict.kind)),
        plain(state),
        plain(r.assignee.clone().unwrap_or_else(|| "—".into())),
        sla_cell(app, r),
    ]
}

pub fn table(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let pending = app.tab == PENDING;
    let mut cols = columns(pending);
    // With marks, a first column carries them: a glyph, not colour alone.
    let marking = !app.marks.is_empty();
    if marking {
        cols.insert(0, Column::new(" ", 0));
    }
    let rows: Vec<Vec<(String, Style)>> = app
        .pager
        .rows
        .iter()
        .take(area.height.saturating_sub(1) as usize)
        .map(|r| {
            let mut c = cells(app, r, pending);
            if marking {
                let mark = if app.marks.contains(&r.id) {
                    (MARK.to_string(), app.theme.key)
                } else {
                    (" ".to_string(), Style::new())
                };
                c.insert(0, mark);
            }
            c
        })
        .collect();
    for (i, c) in cols.iter_mut().enumerate() {
        c.need = rows
            .iter()
            .map(|r| width(&r[i].0))
            .chain([width(c.title)])
            .max()
            .unwrap_or(0);
    }
    let shown = fit_columns(&cols, area.width as usize);
    let header: String = shown
        .iter()
        .map(|&(i, w)| fit(cols[i].title, w) + " ")
        .collect();
    let head = Rect { height: 1, ..area };
    Line::styled(header, app.theme.column_header).render(head, buf);
    let body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    if rows.is_empty() && !body.is_empty() {
        Line::styled("  no tickets here", app.theme.dim).render(body, buf);
        return;
    }
    for (y, r) in rows.iter().enumerate() {
        let mut spans = Vec::with_capacity(shown.len() * 2);
        for &(i, w) in &shown {
            let (text, style) = &r[i];
            let text = match cols[i].align {
                Align::Right if width(text) < w => " ".repeat(w - width(text)) + text,
                _ => fit(text, w),
            };
            spans.push(Span::styled(text, *style));
            spans.push(Span::raw(" "));
        }
        let row = Rect {
            y: body.y + y as u16,
            height: 1,
            ..body
        };
        let mut line = Line::from(spans);
        if y == app.pager.cursor {
            buf.set_style(row, app.theme.selected);
            line = line.style(app.theme.selected);
        }
        line.render(row, buf);
    }
}
