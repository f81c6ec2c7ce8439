//! The dashboard screen: tickets per state (bar chart), the SLA counts,
//! tickets received per day (sparkline) and 30-day refund totals per
//! product and per verdict, per currency, as exact decimals with bars.

use crate::domain::money::format_number;
use crate::domain::policy::VerdictKind;
use crate::domain::workflow::State;
use crate::text::{fit, width};
use crate::tui::app::App;
use crate::tui::dashboard::{Board, Total, DAYS};
use crate::tui::theme::verdict_symbol;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Borders, Paragraph, Sparkline, Widget};
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeMap;

/// `title` is the row the queue tabs use; `body` the rest down to the status line.
pub fn render(app: &App, title: Rect, body: Rect, buf: &mut Buffer) {
    let board = match &app.dashboard {
        Some(Ok(b)) => b,
        Some(Err(e)) => {
            Line::styled(" Dashboard", app.theme.tab_active).render(title, buf);
            Paragraph::new(Line::styled(
                fit(
                    &format!("cannot read the dashboard: {e}"),
                    body.width as usize,
                ),
                app.theme.error,
            ))
            .render(body, buf);
            return;
        }
        None => return,
    };
    Line::from(vec![
        Span::styled(" Dashboard ", app.theme.tab_active),
        Span::styled(
            fit(
                &format!(" last {DAYS} days: {} … {}", board.first_day(), board.today),
                title.width.saturating_sub(11) as usize,
            ),
            app.theme.header,
        ),
    ])
    .render(title, buf);
    if body.height < 3 || body.width < 10 {
        return;
    }
    let spark_h = (body.height / 3).clamp(3, 12);
    let [top, bottom] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(spark_h)]).areas(body);
    let left_w = (top.width / 2).clamp(30, 56).min(top.width);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(top);
    states(app, board, left, buf);
    refunds(app, board, right, buf);
    received(app, board, bottom, buf);
}

fn titled(app: &App, name: &str) -> Block<'static> {
    Block::new()
        .borders(Borders::TOP)
        .border_style(app.theme.dim)
        .title(Span::styled(format!("── {name} "), app.theme.title))
}

fn states(app: &App, b: &Board, area: Rect, buf: &mut Buffer) {
    let block = titled(app, "Tickets per state");
    let inner = block.inner(area);
    block.render(area, buf);
    let n = State::ALL.len() as u16;
    // A blank row between bars when the screen is tall enough for it.
    let gap = u16::from(inner.height >= 2 * n - 1 + 2);
    let [chart, sla] =
        Layout::vertical([Constraint::Length(n + gap * (n - 1)), Constraint::Length(2)])
            .areas(inner.inner(ratatui::layout::Margin::new(1, 0)));
    let bars: Vec<Bar> = State::ALL
        .iter()
        .map(|s| {
            let n = b.data.per_state.get(&s.to_string()).copied().unwrap_or(0);
            Bar::new(n)
                .label(Line::raw(s.to_string()))
                .text_value(n.to_string())
        })
        .collect();
    BarChart::horizontal(bars)
        .bar_width(1)
        .bar_gap(gap)
        .bar_style(app.theme.header)
        .value_style(app.theme.tab_active)
        .label_style(app.theme.base)
        .render(chart, buf);
    let line = Line::from(vec![
        Span::styled(format!("overdue {}", b.data.overdue), app.theme.overdue),
        Span::raw("  "),
        Span::styled(format!("breached {}", b.data.breached), app.theme.breached),
        Span::styled("  open past target / breach", app.theme.dim),
    ]);
    Paragraph::new(vec![Line::raw(""), line]).render(sla, buf);
}

/// One table of exact totals, bars scaled within each currency.
fn table(
    app: &App,
    rows: &BTreeMap<(String, String), Total>,
    label: impl Fn(&str) -> (String, Style),
    area: Rect,
    buf: &mut Buffer,
) {
    let mut max: BTreeMap<&str, u64> = BTreeMap::new();
    for ((_, cur), t) in rows {
        let units = t.amount.trunc().to_u64().unwrap_or(0);
        let m = max.entry(cur.as_str()).or_default();
        *m = (*m).max(units);
    }
    let amounts: Vec<String> = rows
        .iter()
        .map(|((_, cur), t)| format_number(t.amount, cur))
        .collect();
    let aw = amounts.iter().map(|a| width(a)).max().unwrap_or(4);
    let lw = rows
        .keys()
        .map(|(k, _)| width(&label(k).0))
        .max()
        .unwrap_or(4);
    let nw = rows
        .values()
        .map(|t| t.tickets.to_string().len())
        .max()
        .unwrap_or(1);
    let fixed = lw + 1 + 3 + 1 + aw + 1 + nw + 4;
    let bar_w = (area.width as usize).saturating_sub(fixed + 1);
    let mut lines = Vec::new();
    if rows.is_empty() {
        lines.push(Line::styled(
            "no tickets received in these days",
            app.theme.dim,
        ));
    }
    for (((key, cur), t), amount) in rows.iter().zip(amounts) {
        let (text, style) = label(key);
        let units = t.amount.trunc().to_u64().unwrap_or(0);
        let top = max.get(cur.as_str()).copied().unwrap_or(0);
        let bar = if top == 0 {
            0
        } else {
            ((units as u128 * bar_w as u128) / top as u128) as usize
        };
        let bar = if bar == 0 && units > 0 { 1 } else { bar };
        lines.push(Line::from(vec![
            Span::styled(fit(&text, lw), style),
            Span::raw(" "),
            Span::styled(fit(cur, 3), app.theme.dim),
            Span::raw(format!(" {}{amount} ", " ".repeat(aw - width(&amount)))),
            Span::styled(format!("{:>nw$} tk ", t.tickets), app.theme.dim),
            Span::styled("█".repeat(bar), style),
        ]));
    }
    if lines.len() > area.height as usize && area.height > 0 {
        let hidden = lines.len() - area.height as usize + 1;
        lines.truncate(area.height as usize - 1);
        lines.push(Line::styled(format!("… {hidden} more"), app.theme.dim));
    }
    Paragraph::new(lines).render(area, buf);
}

fn refunds(app: &App, b: &Board, area: Rect, buf: &mut Buffer) {
    // Both tables stay in view: the product table gives up rows past half
    // the height when the verdict table needs them.
    let want = |n: usize| (n.max(1) + 1).min(u16::MAX as usize) as u16;
    let (p, k) = (want(b.by_product.len()), want(b.by_kind.len()));
    let prod_h = p.min((area.height / 2).max(area.height.saturating_sub(k)));
    let [prod, kind] =
        Layout::vertical([Constraint::Length(prod_h), Constraint::Min(0)]).areas(area);
    let block = titled(app, "Refunds by product");
    let inner = block.inner(prod);
    block.render(prod, buf);
    table(
        app,
        &b.by_product,
        |p| (p.to_string(), app.theme.key),
        inner.inner(ratatui::layout::Margin::new(1, 0)),
        buf,
    );
    let block = titled(app, "Refunds by verdict");
    let inner = block.inner(kind);
    block.render(kind, buf);
    table(
        app,
        &b.by_kind,
        |k| match VerdictKind::parse(k) {
            Some(v) => (format!("{} {k}", verdict_symbol(v)), app.theme.verdict(v)),
            None => (k.to_string(), app.theme.base),
        },
        inner.inner(ratatui::layout::Margin::new(1, 0)),
        buf,
    );
}

fn received(app: &App, b: &Board, area: Rect, buf: &mut Buffer) {
    let total: u64 = b.per_day.iter().sum();
    let peak = b.per_day.iter().copied().max().unwrap_or(0);
    let block = titled(
        app,
        &format!("Received per day ({total} in {DAYS} days, peak {peak})"),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 2 || inner.width < 4 {
        return;
    }
    let inner = inner.inner(ratatui::layout::Margin::new(1, 0));
    let [spark, axis] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    // Each day gets the same number of columns, so the days line up with the axis.
    let per = (spark.width as usize / b.per_day.len()).max(1);
    let data: Vec<u64> = b
        .per_day
        .iter()
        .flat_map(|n| std::iter::repeat_n(*n, per))
        .collect();
    Sparkline::default()
        .data(&data)
        .style(app.theme.header)
        .render(spark, buf);
    let used = (per * b.per_day.len()).min(axis.width as usize);
    let first = b.first_day().format("%m-%d").to_string();
    let last = b.today.format("%m-%d").to_string();
    let gap = used.saturating_sub(first.len() + last.len());
    Line::styled(format!("{first}{}{last}", " ".repeat(gap)), app.theme.dim).render(axis, buf);
}
