//! The finance screen: one row per execution of a payout in the date range
//! (what `export payouts` lists), amounts as a person reads them per
//! currency, and the totals per currency under the table.

use super::columns::{fit_columns, Align, Column};
use super::local;
use crate::domain::money::format_amount;
use crate::store::PayoutRow;
use crate::text::{fit, inert, width};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::finance::{Finance, Total};
use crate::tui::keymap::Mode;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use rust_decimal::Decimal;

fn columns() -> Vec<Column> {
    let c = Column::new;
    vec![
        c("TICKET", 0).max(24),
        c("ACCOUNT", 1).flex(9, 12).max(20),
        c("AMOUNT", 0).align(Align::Right),
        c("ROUTE", 1).flex(8, 9).max(30),
        c("INVOICE", 1),
        c("DECIDED/SIGNED", 0).max(30),
        c("EXECUTED", 0),
        c("COMPLETED", 0),
        c("REFERENCE", 1).flex(9, 12).max(24),
    ]
}

fn cells(app: &App, p: &PayoutRow) -> Vec<String> {
    let tz = app.store.policy().tz;
    let when = |at: &str| local(at, tz, "%m-%d %H:%M");
    let amount = p
        .amount
        .parse::<Decimal>()
        .map(|a| format_amount(a, &p.currency))
        .unwrap_or_else(|_| format!("{} {}", p.amount, p.currency));
    let ticket = match p.execution {
        1 => p.ticket.clone(),
        n => format!("{} #{n}", p.ticket),
    };
    let route = match &p.alternate_account {
        Some(acct) => format!("{} → {acct}", p.route),
        None => p.route.clone(),
    };
    let mut decided = p.decided_by.clone().unwrap_or_else(|| "—".into());
    if !p.signed_off_by.is_empty() {
        decided = format!("{decided} / {}", p.signed_off_by.join(", "));
    }
    // The exact times are on the status line; here what finance scans for.
    let completed = match (&p.completed_at, &p.returned_at) {
        (Some(at), _) => when(at),
        (None, Some(at)) => format!("returned {}", local(at, tz, "%m-%d")),
        (None, None) => "— (out)".into(),
    };
    let invoice = match p.invoice_action.as_str() {
        "void_and_reissue" => "void+reissue".to_string(),
        "red_letter" => "red-letter".to_string(),
        other => other.to_string(),
    };
    [
        ticket,
        p.account.clone(),
        amount,
        route,
        invoice,
        decided,
        when(&p.executed_at),
        completed,
        p.reference.clone().unwrap_or_else(|| "—".into()),
    ]
    .iter()
    .map(|s| inert(s))
    .collect()
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn total_line(currency: &str, t: &Total) -> String {
    let mut s = format!(
        "  {currency:4} paid out {} in {}",
        format_amount(t.paid, currency),
        count(t.payouts, "payout")
    );
    if t.returns > 0 {
        s.push_str(&format!(
            " · came back {} ({})",
            format_amount(t.returned, currency),
            count(t.returns, "payout")
        ));
    }
    s
}

/// The status line on this screen: what the columns leave out of the
/// selected execution (product, who executed it, exact times).
pub fn status_text(app: &App) -> Option<String> {
    let f = app.finance.as_ref()?;
    let p = f.rows.as_ref().ok()?.get(f.cursor)?;
    let tz = app.store.policy().tz;
    let at = |t: &str| local(t, tz, "%Y-%m-%d %H:%M");
    let mut s = format!(
        "{} #{} · {} · {} · executed by {} at {}",
        p.ticket,
        p.execution,
        p.product,
        p.status,
        p.executed_by,
        at(&p.executed_at)
    );
    if let Some(acct) = &p.alternate_account {
        s.push_str(&format!(" · to {acct}"));
    }
    if let Some(t) = &p.returned_at {
        s.push_str(&format!(" · came back {}", at(t)));
    }
    if let Some(t) = &p.completed_at {
        s.push_str(&format!(" · completed {}", at(t)));
    }
    Some(inert(&s))
}

/// `title` is the row the queue tabs use; `body` the rest down to the status line.
pub fn render(app: &App, title: Rect, body: Rect, buf: &mut Buffer) {
    let Some(f) = &app.finance else {
        return;
    };
    let n = f.rows.as_ref().map_or(0, |r| r.len());
    let mut head = format!(
        " payouts executed {} … {} · {}",
        f.from,
        f.to,
        count(n, "execution")
    );
    if let Some(p) = &f.written {
        head.push_str(&format!(
            " · CSV written to {}",
            inert(&p.display().to_string())
        ));
    }
    Line::from(vec![
        Span::styled(" Finance ", app.theme.tab_active),
        Span::styled(
            fit(&head, title.width.saturating_sub(9) as usize),
            app.theme.header,
        ),
    ])
    .render(title, buf);
    let rows = match &f.rows {
        Ok(r) => r,
        Err(e) => {
            let text = format!("cannot read the payouts: {e}");
            Line::styled(fit(&text, body.width as usize), app.theme.error).render(body, buf);
            return;
        }
    };
    let totals_h = (f.totals.len() as u16 + 2).min(body.height / 2);
    let [table_area, totals_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(totals_h)]).areas(body);
    table(app, f, rows, table_area, buf);
    let mut lines = vec![Line::styled("── Totals per currency", app.theme.title)];
    if f.totals.is_empty() {
        lines.push(Line::styled("  none", app.theme.dim));
    }
    for (cur, t) in &f.totals {
        lines.push(Line::raw(fit(
            &total_line(cur, t),
            totals_area.width as usize,
        )));
    }
    for (i, l) in lines.into_iter().enumerate() {
        if i as u16 >= totals_area.height {
            break;
        }
        let row = Rect::new(
            totals_area.x,
            totals_area.y + i as u16,
            totals_area.width,
            1,
        );
        l.render(row, buf);
    }
}

fn table(app: &App, f: &Finance, rows: &[PayoutRow], area: Rect, buf: &mut Buffer) {
    if area.height < 2 {
        return;
    }
    let visible = (area.height - 1) as usize;
    let top = f.cursor.saturating_sub(visible.saturating_sub(1));
    let shown_rows: Vec<Vec<String>> = rows
        .iter()
        .skip(top)
        .take(visible)
        .map(|p| cells(app, p))
        .collect();
    let mut cols = columns();
    for (i, c) in cols.iter_mut().enumerate() {
        c.need = shown_rows
            .iter()
            .map(|r| width(&r[i]))
            .chain([width(c.title)])
            .max()
            .unwrap_or(0);
    }
    let shown = fit_columns(&cols, area.width as usize);
    let header: String = shown
        .iter()
        .map(|&(i, w)| match cols[i].align {
            Align::Right => {
                " ".repeat(w.saturating_sub(width(cols[i].title))) + cols[i].title + " "
            }
            Align::Left => fit(cols[i].title, w) + " ",
        })
        .collect();
    Line::styled(header, app.theme.column_header).render(Rect { height: 1, ..area }, buf);
    if shown_rows.is_empty() {
        let keys = |a| {
            app.keymap
                .keys_for(Mode::Finance, a)
                .first()
                .map(|k| k.to_string())
                .unwrap_or_default()
        };
        let text = format!(
            "  no payout was executed in these dates ({} / {}: other months, {}: dates)",
            keys(Action::PrevMonth),
            keys(Action::NextMonth),
            keys(Action::SetRange)
        );
        let row = Rect::new(area.x, area.y + 1, area.width, 1);
        Line::styled(fit(&text, area.width as usize), app.theme.dim).render(row, buf);
        return;
    }
    for (y, r) in shown_rows.iter().enumerate() {
        let text: String = shown
            .iter()
            .map(|&(i, w)| {
                let t = &r[i];
                match cols[i].align {
                    Align::Right if width(t) < w => " ".repeat(w - width(t)) + t + " ",
                    _ => fit(t, w) + " ",
                }
            })
            .collect();
        let row = Rect::new(area.x, area.y + 1 + y as u16, area.width, 1);
        let mut line = Line::raw(text);
        if top + y == f.cursor {
            buf.set_style(row, app.theme.selected);
            line = line.style(app.theme.selected);
        }
        line.render(row, buf);
    }
}
