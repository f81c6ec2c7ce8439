//! Screen geometry shared by the drawing code and the model (mouse hits,
//! page height): where each pane and each queue tab is, from the terminal
//! size and the counts alone, so neither has to ask the other.

use super::queues::{QUEUES, SHORT};
use crate::text::width;
use ratatui::layout::{Constraint, Layout, Rect};

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
    plain_areas(area, zoom).unwrap_or_else(|| solved_areas(area, zoom))
}

/// `solved_areas` by arithmetic, for every screen big enough that each
/// length is met (the constraint solver was a tenth of a first frame):
/// `None` for the tiny ones, which the solver settles.
fn plain_areas(area: Rect, zoom: bool) -> Option<Areas> {
    let row = |y: u16, h: u16| Rect::new(area.x, y, area.width, h);
    if area.height < 4 {
        return None;
    }
    let body = row(area.y + 2, area.height - 4);
    let empty = Rect::new(body.x, body.y, body.width, 0);
    let (list, detail, beside) = if zoom {
        (empty, body, false)
    } else if body.width >= WIDE {
        let detail_w = (body.width * 2 / 5).max(50);
        let list_w = body.width - detail_w;
        (
            Rect::new(body.x, body.y, list_w, body.height),
            Rect::new(body.x + list_w, body.y, detail_w, body.height),
            true,
        )
    } else if body.height >= 10 {
        let list_h = (body.height * 9 / 20).max(4);
        (
            Rect::new(body.x, body.y, body.width, list_h),
            Rect::new(body.x, body.y + list_h, body.width, body.height - list_h),
            false,
        )
    } else {
        (body, Rect::new(body.x, body.bottom(), body.width, 0), false)
    };
    Some(Areas {
        header: row(area.y, 1),
        tabs: row(area.y + 1, 1),
        list,
        detail,
        beside,
        status: row(area.y + area.height - 2, 1),
        footer: row(area.y + area.height - 1, 1),
        body,
    })
}

fn solved_areas(area: Rect, zoom: bool) -> Areas {
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
pub fn list_rows(zoom: bool, width: u16, height: u16) -> usize {
    let a = areas(Rect::new(0, 0, width, height), zoom);
    a.list.height.saturating_sub(1) as usize
}

/// One queue tab on the bar: which queue, where (columns from the bar's
/// left edge), and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tab {
    pub queue: usize,
    pub x: u16,
    pub text: String,
}

/// The tab bar laid out for one width: the tabs that fit, and whether
/// some are hidden to the left (‹) or to the right (›).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TabBar {
    pub tabs: Vec<Tab>,
    pub left: bool,
    pub right: bool,
}

pub const SEPARATOR: &str = "│";

/// A count in at most four cells for the tightest bar: exact below 10,000
/// (the status line always has the exact number of the queue on screen).
fn short_count(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{}k", n / 1_000),
        _ => format!("{:.1}M", n as f64 / 1_000_000.0),
    }
}

/// The labels at one of three densities: full names with padding, short
/// names with padding, short names and short counts without padding.
fn labels(counts: &[Option<u64>], level: u8) -> Vec<String> {
    (0..QUEUES.len())
        .map(|i| {
            let name = if level == 0 { QUEUES[i] } else { SHORT[i] };
            let count = counts.get(i).copied().flatten().map(|n| match level {
                2 => short_count(n),
                _ => n.to_string(),
            });
            let text = match count {
                Some(c) => format!("{name} {c}"),
                None => name.to_string(),
            };
            if level < 2 {
                format!(" {text} ")
            } else {
                text
            }
        })
        .collect()
}

/// The densest labels that show every queue in `room` cells; else the
/// tightest ones, scrolled so the active tab is on screen, with markers on
/// the sides that hide tabs.
pub fn tab_bar(counts: &[Option<u64>], active: usize, room: u16) -> TabBar {
    let room = room as usize;
    // One cell at each end is kept for the scroll markers.
    let inner = room.saturating_sub(2);
    let total = |ls: &[String]| ls.iter().map(|l| width(l) + 1).sum::<usize>();
    for level in 0..3u8 {
        let ls = labels(counts, level);
        if total(&ls) <= inner {
            return place(ls, 0, inner, false);
        }
    }
    let ls = labels(counts, 2);
    let mut start = 0;
    while start < active
        && ls[start..=active]
            .iter()
            .map(|l| width(l) + 1)
            .sum::<usize>()
            > inner
    {
        start += 1;
    }
    place(ls, start, inner, start > 0)
}

fn place(ls: Vec<String>, start: usize, inner: usize, left: bool) -> TabBar {
    let mut x = 1usize;
    let mut tabs = Vec::new();
    for (i, text) in ls.into_iter().enumerate().skip(start) {
        let w = width(&text);
        if x + w > inner + 1 {
            break;
        }
        tabs.push(Tab {
            queue: i,
            x: x as u16,
            text,
        });
        x += w + width(SEPARATOR);
    }
    let right = tabs.last().is_some_and(|t| t.queue + 1 < QUEUES.len());
    TabBar { tabs, left, right }
}

/// The queue whose tab covers column `x` of the bar, if any.
pub fn tab_at(bar: &TabBar, x: u16) -> Option<usize> {
    bar.tabs
        .iter()
        .find(|t| x >= t.x && x < t.x + width(&t.text) as u16)
        .map(|t| t.queue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_areas_are_the_solver_s() {
        let key = |a: &Areas| {
            format!(
                "{:?}",
                [a.header, a.tabs, a.list, a.detail, a.status, a.footer, a.body]
            ) + if a.beside { " beside" } else { "" }
        };
        let sizes = (0..=320u16)
            .step_by(7)
            .chain([139, 140, 141, 142, 143])
            .flat_map(|w| {
                (0..=90u16)
                    .step_by(3)
                    .chain([11, 13, 14])
                    .map(move |h| (w, h))
            });
        for (w, h) in sizes {
            for zoom in [false, true] {
                let area = Rect::new(3, 2, w, h);
                if let Some(plain) = plain_areas(area, zoom) {
                    assert_eq!(
                        key(&plain),
                        key(&solved_areas(area, zoom)),
                        "{w}x{h} {zoom}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_tab_fits_at_100_columns_with_realistic_counts() {
        let counts: Vec<Option<u64>> = [42, 0, 28, 53, 11, 11, 3, 39, 24, 252, 400]
            .map(Some)
            .to_vec();
        let bar = tab_bar(&counts, 0, 100);
        assert_eq!(bar.tabs.len(), QUEUES.len(), "{bar:?}");
        assert!(!bar.left && !bar.right);
        let narrow = tab_bar(&counts, 10, 60);
        assert!(narrow.left && !narrow.right, "{narrow:?}");
        assert_eq!(narrow.tabs.last().unwrap().queue, 10);
        assert_eq!(short_count(1_234_567), "1.2M");
        assert_eq!(short_count(12_345), "12k");
        assert_eq!(tab_at(&bar, bar.tabs[3].x), Some(3));
    }
}
