//! The customer letter popup: subject and body wrapped to the popup, a
//! scroll position, and the keys to copy or close it.

use super::popups::frame;
use super::wrap::wrap;
use crate::domain::letter::Letter;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::Mode;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The popup: the body area of the screen (header, tabs, message line and
/// footer stay visible), at most 90 columns wide.
pub fn area(screen: Rect) -> Rect {
    let (top, bottom) = if screen.height >= 8 { (2, 2) } else { (0, 0) };
    let h = screen.height.saturating_sub(top + bottom);
    let w = screen.width.min(90);
    Rect::new(screen.x + (screen.width - w) / 2, screen.y + top, w, h)
}

/// Where the text goes inside the popup (the last row holds the keys).
pub fn text_area(screen: Rect) -> Rect {
    let a = area(screen);
    // Inside the border, one column of margin each side.
    let inner = Rect::new(
        a.x + 2,
        a.y + 1,
        a.width.saturating_sub(4),
        a.height.saturating_sub(2),
    );
    Rect::new(
        inner.x,
        inner.y,
        inner.width,
        inner.height.saturating_sub(1),
    )
}

/// The letter as display lines at `cells` columns.
pub fn lines(letter: &Letter, cells: usize) -> Vec<String> {
    let mut out = wrap(&format!("Subject: {}", letter.subject), cells);
    out.push(String::new());
    out.extend(wrap(&letter.body, cells));
    out
}

/// How far the letter can scroll on a screen of this size.
pub fn max_scroll(letter: &Letter, screen: Rect) -> u16 {
    let t = text_area(screen);
    let n = lines(letter, t.width as usize).len();
    n.saturating_sub(t.height as usize).min(u16::MAX as usize) as u16
}

/// `sent`: how it was recorded as sent, once it was.
pub fn render(
    app: &App,
    screen: Rect,
    id: &str,
    letter: &Letter,
    scroll: u16,
    sent: Option<&str>,
    buf: &mut Buffer,
) {
    let a = area(screen);
    if a.width < 6 || a.height < 3 {
        return;
    }
    frame(
        app,
        a,
        &format!("letter to the customer — {id} ({})", letter.language),
        buf,
    );
    let t = text_area(screen);
    let all = lines(letter, t.width as usize);
    let scroll = scroll.min(max_scroll(letter, screen)) as usize;
    let shown: Vec<Line> = all
        .iter()
        .skip(scroll)
        .take(t.height as usize)
        .enumerate()
        .map(|(i, l)| {
            if i + scroll == 0 {
                Line::styled(l.clone(), app.theme.header)
            } else {
                Line::raw(l.clone())
            }
        })
        .collect();
    Paragraph::new(shown).render(t, buf);

    let end = (scroll + t.height as usize).min(all.len());
    let pos = format!("lines {}–{end} of {}  ", (scroll + 1).min(end), all.len());
    let mut spans = vec![Span::styled(pos, app.theme.dim)];
    if let Some(s) = sent {
        spans.push(Span::styled(format!("✓ {s}  "), app.theme.info));
    }
    let km = &app.keymap;
    let key = |a: Action| km.keys_for(Mode::Letter, a).first().map(|k| k.to_string());
    let record = (sent.is_none()).then_some((Action::RecordSent, "record as sent"));
    for (a, label) in [(Action::Copy, "copy"), (Action::Down, "scroll")]
        .into_iter()
        .chain(record)
        .chain([(Action::Cancel, "close")])
    {
        if let Some(k) = key(a) {
            spans.push(Span::styled(k, app.theme.key));
            spans.push(Span::raw(format!(" {label}  ")));
        }
    }
    let keys = Rect::new(t.x, t.bottom(), t.width, 1);
    if keys.bottom() <= a.bottom().saturating_sub(1) {
        Line::from(spans).render(keys, buf);
    }
}
