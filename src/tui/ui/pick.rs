//! A pick list over the screen: the valid answers, the cursor, the ticks.

use super::popups::{centered, frame};
use crate::text::{fit, width};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Mode;
use crate::tui::pick::Pick;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub fn render(app: &App, area: Rect, p: &Pick, buf: &mut Buffer) {
    let key = |a| app.keymap.label(Mode::Pick, a);
    let keys = if p.multi {
        format!(
            "{} tick · {} done · {} cancel",
            key(Action::Toggle),
            key(Action::Choose),
            key(Action::Cancel)
        )
    } else {
        format!(
            "{} choose · {} cancel",
            key(Action::Choose),
            key(Action::Cancel)
        )
    };
    let widest = p
        .options
        .iter()
        .map(|o| width(&o.value) + width(&o.note) + 8)
        .chain([width(&keys) + 2, width(&p.title) + 4])
        .max()
        .unwrap_or(20);
    let w = (widest as u16).clamp(30, 90).min(area.width);
    let h = (p.options.len() as u16 + 3).min(area.height);
    let r = centered(area, w, h);
    let inner = frame(app, r, &p.title, buf);
    let rows = inner.height.saturating_sub(1) as usize;
    // Scroll so the cursor stays in the box.
    let top = (p.cursor + 1).saturating_sub(rows);
    let vw = p.options.iter().map(|o| width(&o.value)).max().unwrap_or(0);
    for (row, (i, o)) in p
        .options
        .iter()
        .enumerate()
        .skip(top)
        .take(rows)
        .enumerate()
    {
        let mark = match (p.multi, p.chosen.get(i).copied().unwrap_or(false)) {
            (true, true) => "[x] ",
            (true, false) => "[ ] ",
            (false, _) if i == p.cursor => "› ",
            (false, _) => "  ",
        };
        let text = format!("{mark}{} {}", fit(&o.value, vw), o.note);
        let mut line = Line::from(fit(&text, inner.width as usize));
        if i == p.cursor {
            line = line.style(app.theme.selected);
        }
        line.render(
            Rect::new(inner.x, inner.y + row as u16, inner.width, 1),
            buf,
        );
    }
    let foot = Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1);
    Line::from(Span::styled(
        fit(&keys, inner.width as usize),
        app.theme.dim,
    ))
    .render(foot, buf);
}
