//! The mouse: a click selects a queue tab or a ticket row, the wheel moves
//! the selection (or scrolls the detail, help, letter and lists under it).
//! Hits are judged on the same geometry the frame is drawn with.

use super::action::Action;
use super::app::App;
use super::keymap::Mode;
use super::layout::{areas, tab_at, tab_bar};
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

impl App {
    /// One mouse event; returns whether a redraw is due.
    pub fn handle_mouse(&mut self, m: &MouseEvent) -> bool {
        let screen = Rect::new(0, 0, self.size.0, self.size.1);
        let at = Position::new(m.column, m.row);
        let a = areas(screen, self.zoom);
        let mode = self.mode();
        match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let down = m.kind == MouseEventKind::ScrollDown;
                let over_detail = a.detail.contains(at);
                match mode {
                    Mode::List if over_detail => self.update(if down {
                        Action::DetailDown
                    } else {
                        Action::DetailUp
                    }),
                    Mode::List
                    | Mode::Help
                    | Mode::Letter
                    | Mode::Menu
                    | Mode::Pick
                    | Mode::Finance => self.update(if down { Action::Down } else { Action::Up }),
                    _ => return false,
                }
                true
            }
            MouseEventKind::Down(MouseButton::Left) if mode == Mode::List => {
                if a.tabs.contains(at) {
                    let bar = tab_bar(&self.counts, self.tab, a.tabs.width);
                    if let Some(q) = tab_at(&bar, at.x - a.tabs.x) {
                        self.message = None;
                        self.switch_tab(q);
                    }
                    return true;
                }
                // The list's first line is its column header.
                if a.list.contains(at) && at.y > a.list.y {
                    let i = (at.y - a.list.y - 1) as usize;
                    if i < self.pager.rows.len() {
                        self.message = None;
                        self.pager.cursor = i;
                    }
                    return true;
                }
                false
            }
            _ => false,
        }
    }
}
