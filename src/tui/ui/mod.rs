//! Pure drawing: the frame is a function of the `App` alone (no clock, no
//! store writes). Every customer string passes through `text::inert`/`fit`.

mod columns;
mod dashboard;
mod detail;
mod fields;
pub(crate) mod finance;
mod footer;
mod help;
pub mod letter;
mod list;
mod pick;
mod popups;
mod tabs;
pub(crate) mod timeline;
pub mod wrap;

pub use help::help_lines;

use super::app::App;
use chrono::FixedOffset;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

pub use crate::tui::layout::{areas, Areas, WIDE};

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let a = areas(area, self.zoom);
        footer::header(self, a.header, buf);
        if self.finance.is_some() {
            finance::render(self, a.tabs, a.body, buf);
        } else if self.dashboard.is_some() {
            dashboard::render(self, a.tabs, a.body, buf);
        } else {
            tabs::render(self, a.tabs, buf);
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
            let sym = c.symbol();
            // One printable ASCII byte is one cell (the common case, and
            // the width lookup was a sixth of a snapshot's drawing).
            let w = match sym.as_bytes() {
                [b] if (0x20..0x7f).contains(b) => 1,
                _ => unicode_width::UnicodeWidthStr::width(sym),
            };
            skip = skip.max(w).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
