//! Pure drawing: the frame is a function of the `App` alone (no clock, no
//! store writes). Every customer string passes through `text::inert`/`fit`.

mod dashboard;
mod detail;
mod footer;
mod help;
pub mod letter;
mod list;
mod popups;
pub(crate) mod timeline;
pub mod wrap;

pub use help::help_lines;

use super::app::App;
use chrono::FixedOffset;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Widget;

/// Wide enough to put the detail beside the list rather than below it.
pub const WIDE: u16 = 140;

pub struct Areas {
    pub header: Rect,
    pub tabs: Rect,
    pub list: Rect,
    pub detail: Rect,
    pub beside: bool,
    pub status: Rect,
    pub footer: Rect,
    pub body: Rect,
}

pub fn areas(area: Rect, zoom: bool) -> Areas {
    let [header, tabs, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let empty = Rect::new(body.x, body.y, body.width, 0);
    let (list, detail, beside) = if zoom {
        (empty, body, false)
    } else if body.width >= WIDE {
        let detail_w = (body.width * 2 / 5).max(50);
        let [l, d] =
            Layout::horizontal([Constraint::Min(0), Constraint::Length(detail_w)]).areas(body);
        (l, d, true)
    } else if body.height >= 10 {
        let list_h = (body.height * 9 / 20).max(4);
        let [l, d] = Layout::vertical([Constraint::Length(list_h), Constraint::Min(0)]).areas(body);
        (l, d, false)
    } else {
        (body, Rect::new(body.x, body.bottom(), body.width, 0), false)
    };
    Areas {
        header,
        tabs,
        list,
        detail,
        beside,
        status,
        footer,
        body,
    }
}

/// How many ticket rows the list shows at this terminal size.
pub fn list_rows(app: &App, width: u16, height: u16) -> usize {
    let a = areas(Rect::new(0, 0, width, height), app.zoom);
    a.list.height.saturating_sub(1) as usize
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let a = areas(area, self.zoom);
        footer::header(self, a.header, buf);
        if self.dashboard.is_some() {
            dashboard::render(self, a.tabs, a.body, buf);
        } else {
            list::tabs(self, a.tabs, buf);
            list::table(self, a.list, buf);
            detail::render(self, a.detail, a.beside, buf);
        }
        footer::status(self, a.status, buf);
        footer::footer(self, a.footer, buf);
        popups::render(self, area, buf);
    }
}

/// An RFC 3339 instant shown in the policy's timezone with `fmt`.
pub fn local(at: &str, tz: FixedOffset, fmt: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&tz).format(fmt).to_string())
        .unwrap_or_else(|_| crate::text::inert(at))
}

/// The screen as text, one line per row, trailing spaces trimmed; the cell
/// hidden behind a wide glyph is skipped (as `TestBackend` shows it).
pub fn buffer_text(buf: &Buffer) -> String {
    let width = buf.area.width as usize;
    let mut out = String::new();
    if width == 0 {
        return out;
    }
    for cells in buf.content.chunks(width) {
        let mut line = String::new();
        let mut skip = 0usize;
        for c in cells {
            if skip == 0 {
                line.push_str(c.symbol());
            }
            let w = unicode_width::UnicodeWidthStr::width(c.symbol());
            skip = skip.max(w).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
