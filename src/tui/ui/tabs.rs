//! The queue tabs: every queue with its count when there is room, else a
//! window around the active one with ‹ › saying that more are hidden.

use crate::tui::app::App;
use crate::tui::layout::{tab_bar, SEPARATOR};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let bar = tab_bar(&app.counts, app.tab, area.width);
    let marker = |on: bool, m: &'static str| Span::styled(if on { m } else { " " }, app.theme.key);
    let mut spans = vec![marker(bar.left, "‹")];
    let mut x = 1u16;
    for t in &bar.tabs {
        // Tabs sit where the layout put them (mouse clicks use the same).
        if t.x > x {
            spans.push(Span::raw(" ".repeat((t.x - x) as usize)));
        }
        let style = if t.queue == app.tab {
            app.theme.tab_active
        } else {
            app.theme.tab
        };
        spans.push(Span::styled(t.text.clone(), style));
        spans.push(Span::styled(SEPARATOR, app.theme.dim));
        x = t.x + crate::text::width(&t.text) as u16 + 1;
    }
    if bar.right {
        let room = area.width.saturating_sub(1);
        if room > x {
            spans.push(Span::raw(" ".repeat((room - x) as usize)));
        }
        spans.push(marker(true, "›"));
    }
    Line::from(spans).render(area, buf);
}
