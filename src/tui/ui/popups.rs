//! The modal stack drawn over the screen: action menu, form, confirm, help.

use super::help_lines;
use crate::text::{fit, inert, width};
use crate::tui::action::Action;
use crate::tui::app::{App, Popup};
use crate::tui::form::Form;
use crate::tui::keymap::Mode;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

/// A `w`×`h` box centred in `area`, never larger than it.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub(super) fn frame(app: &App, area: Rect, title: &str, buf: &mut Buffer) -> Rect {
    Clear.render(area, buf);
    // A wide glyph just left of the box would spill into its border: the
    // terminal draws both halves and the diff skips the cell it covers.
    if area.x > buf.area.x {
        for y in area.top()..area.bottom() {
            let cell = &mut buf[(area.x - 1, y)];
            if width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(app.theme.title)
        .title(Span::styled(format!(" {} ", inert(title)), app.theme.title))
        .style(app.theme.popup);
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    for p in &app.popups {
        match p {
            Popup::Menu {
                items,
                cursor,
                counts,
            } => menu(app, area, items, *cursor, counts, buf),
            Popup::Pick(p) => super::pick::render(app, area, p, buf),
            Popup::Form(f) => form(app, area, f, buf),
            Popup::Confirm(c) => confirm(app, area, &c.lines, buf),
            Popup::BulkConfirm(c) => confirm(app, area, &c.lines, buf),
            Popup::Summary(s) => summary(app, area, s, buf),
            Popup::Input { .. } => {} // drawn on the status line
            Popup::Help { scroll } => help(app, area, *scroll, buf),
            Popup::Letter {
                id,
                letter,
                scroll,
                sent,
                ..
            } => super::letter::render(app, area, id, letter, *scroll, sent.as_deref(), buf),
            Popup::Search { .. } => {} // drawn on the status line
        }
    }
}

fn menu(
    app: &App,
    area: Rect,
    items: &[crate::tui::action::Verb],
    cursor: usize,
    counts: &[usize],
    buf: &mut Buffer,
) {
    let id = app
        .detail
        .as_ref()
        .map(|d| d.ticket.id.clone())
        .unwrap_or_default();
    // Over the marks: a verb is named plainly, and said on how many it applies.
    let marked = app.marks.len();
    let subject = if counts.is_empty() {
        id
    } else {
        format!("{marked} marked tickets")
    };
    let describe = |i: usize, v: crate::tui::action::Verb| match counts.get(i) {
        Some(n) => format!("{n} of {marked}: {}", v.describe()),
        None => app.verb_description(v).to_string(),
    };
    let rows: Vec<(String, String)> = items
        .iter()
        .map(|v| {
            let name = if counts.is_empty() {
                app.verb_label(*v)
            } else {
                v.name()
            };
            (
                app.keymap.label(Mode::List, Action::Do(*v)),
                name.to_string(),
            )
        })
        .collect();
    let nw = rows
        .iter()
        .map(|(_, n)| width(n))
        .max()
        .unwrap_or(0)
        .max(14);
    let dw = items
        .iter()
        .enumerate()
        .map(|(i, v)| width(&describe(i, *v)))
        .max()
        .unwrap_or(0);
    let w = ((nw + dw + 10) as u16).clamp(54, 100).min(area.width);
    let r = centered(area, w, items.len() as u16 + 2);
    let inner = frame(app, r, &format!("actions on {subject}"), buf);
    for (i, (v, (keys, name))) in items.iter().zip(rows).enumerate() {
        if i as u16 >= inner.height {
            break;
        }
        let row = Rect::new(inner.x, inner.y + i as u16, inner.width, 1);
        let text = format!(" {} {} {}", fit(&keys, 5), fit(&name, nw), describe(i, *v));
        let mut line = Line::from(fit(&text, inner.width as usize));
        if i == cursor {
            line = line.style(app.theme.selected);
        }
        line.render(row, buf);
    }
}

fn form(app: &App, area: Rect, f: &Form, buf: &mut Buffer) {
    // A live refresh loaded a newer ticket than the one this form was opened
    // on: say so before Enter is refused for it.
    // (A form over the marks is judged when its confirmation opens.)
    let changed: Vec<String> = app
        .detail
        .as_ref()
        .filter(|d| f.marked.is_empty() && d.ticket.id == f.id && d.version != f.version)
        .map(|d| {
            [
                format!(
                    "⚑ changed by {} at {}",
                    d.updated_by,
                    super::local(&d.updated_at, app.store.policy().tz, "%Y-%m-%d %H:%M:%S")
                ),
                "  since you opened this form: Enter reloads, keeps your input".to_string(),
            ]
        })
        .into_iter()
        .flatten()
        .collect();
    const W: u16 = 64;
    // Errors wrap (a refusal names a rule, a reload what changed); blank when none.
    let error = match &f.error {
        Some(e) => super::wrap::wrap(e, W as usize - 2),
        None => vec![String::new()],
    };
    // A label in plain words (a fact received) gets a line of its own.
    const LABEL: usize = 11;
    let long = |field: &crate::tui::form::Field| width(&field.label) > LABEL;
    let h = f.fields.iter().map(|x| 2 + long(x) as u16).sum::<u16>()
        + 2
        + (changed.len() + error.len()) as u16;
    let r = centered(area, W, h);
    let verb = app.verb_label(f.verb);
    let inner = frame(app, r, &format!("{verb} {}", f.subject()), buf);
    let iw = inner.width as usize;
    let mut lines = Vec::new();
    for (i, field) in f.fields.iter().enumerate() {
        let box_w = iw.saturating_sub(LABEL + 1);
        let focused = i == f.focus;
        let label = if long(field) {
            lines.push(Line::styled(fit(&field.label, iw), app.theme.key));
            String::new()
        } else {
            field.label.to_string()
        };
        let mut spans = vec![
            Span::styled(fit(&label, LABEL), app.theme.key),
            Span::raw(" "),
        ];
        spans.extend(super::fields::value_spans(app, field, focused, box_w));
        lines.push(Line::from(spans));
        lines.push(Line::styled(
            fit(&format!("{:12}{}", "", super::fields::hint(app, field)), iw),
            app.theme.dim,
        ));
    }
    for c in changed.iter().chain(&error) {
        lines.push(Line::styled(fit(c, iw), app.theme.error));
    }
    Paragraph::new(lines).render(inner, buf);
}

fn confirm(app: &App, area: Rect, text: &[String], buf: &mut Buffer) {
    let yes = app.keymap.label(Mode::Confirm, Action::Confirm);
    let no = app.keymap.label(Mode::Confirm, Action::Cancel);
    let keys = format!("{yes} confirm   {no} cancel");
    let widest = text.iter().chain([&keys]).map(|l| width(l)).max();
    let w = (widest.unwrap_or(20).clamp(30, 72) as u16 + 4).min(area.width);
    // Wrapped here, so the box is as tall as what it says.
    let wrapped: Vec<String> = text
        .iter()
        .flat_map(|l| super::wrap::wrap(l, w.saturating_sub(4) as usize))
        .collect();
    let r = centered(area, w, wrapped.len() as u16 + 4);
    let inner = frame(app, r, "confirm", buf);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    let mut lines: Vec<Line> = wrapped.into_iter().map(Line::raw).collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(yes, app.theme.key),
        Span::raw(" confirm   "),
        Span::styled(no, app.theme.key),
        Span::raw(" cancel"),
    ]));
    Paragraph::new(lines).render(inner, buf);
}

fn help(app: &App, area: Rect, scroll: u16, buf: &mut Buffer) {
    let r = centered(area, 76, area.height.saturating_sub(2));
    let inner = frame(app, r, "help — keys", buf);
    Paragraph::new(help_lines(app))
        .scroll((scroll, 0))
        .render(inner, buf);
}

fn summary(app: &App, area: Rect, s: &crate::tui::bulk::Summary, buf: &mut Buffer) {
    let widest = s.lines.iter().map(|l| width(l)).max().unwrap_or(20);
    let w = (widest.clamp(40, 96) as u16 + 4).min(area.width);
    let wrapped: Vec<String> = s
        .lines
        .iter()
        .flat_map(|l| super::wrap::wrap(l, w.saturating_sub(4) as usize))
        .collect();
    let close = app.keymap.label(Mode::Help, Action::Cancel);
    let h = (wrapped.len() as u16 + 4).min(area.height.saturating_sub(2));
    let r = centered(area, w, h);
    let inner = frame(app, r, &s.title, buf);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    let [text, keys] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Min(0),
        ratatui::layout::Constraint::Length(1),
    ])
    .areas(inner);
    let lines: Vec<Line> = wrapped.into_iter().map(Line::raw).collect();
    Paragraph::new(lines)
        .scroll((s.scroll, 0))
        .render(text, buf);
    Line::from(vec![
        Span::styled(close, app.theme.key),
        Span::raw(" close   "),
        Span::styled(app.keymap.label(Mode::Help, Action::Down), app.theme.key),
        Span::raw(" scroll"),
    ])
    .render(keys, buf);
}
