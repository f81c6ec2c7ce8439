//! How a form field shows its value: text with the cursor cell reversed,
//! a one-of list with every choice visible, a ticked list as its ticks.

use crate::text::{fit, inert, width};
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::form::{Field, Value};
use crate::tui::input::TextInput;
use crate::tui::keymap::Mode;
use ratatui::text::Span;
use unicode_width::UnicodeWidthChar;

pub fn value_spans(app: &App, f: &Field, focused: bool, box_w: usize) -> Vec<Span<'static>> {
    let th = &app.theme;
    let style = if focused { th.field_focus } else { th.base };
    match &f.value {
        Value::Text(t) if focused => text_with_cursor(app, t, box_w),
        Value::Text(t) => vec![Span::styled(fit(t.value(), box_w), style)],
        Value::One { options, index } => {
            let mut out = Vec::new();
            let mut used = 0;
            for (i, o) in options.iter().enumerate() {
                let text = if i == *index {
                    format!("(•) {}", o.value)
                } else {
                    format!("( ) {}", o.value)
                };
                let w = width(&text) + 2;
                if used + w > box_w {
                    break;
                }
                used += w;
                let st = if i == *index { style } else { th.dim };
                out.push(Span::styled(inert(&text), st));
                out.push(Span::raw("  "));
            }
            out
        }
        Value::Many { .. } => {
            let shown = f.shown();
            let text = if shown.is_empty() {
                "(none ticked)".to_string()
            } else {
                shown
            };
            vec![Span::styled(fit(&text, box_w), style)]
        }
    }
}

/// The part of the value that fits, scrolled so the cursor is in view,
/// with the cell under the cursor (a space past the end) reversed.
fn text_with_cursor(app: &App, t: &TextInput, box_w: usize) -> Vec<Span<'static>> {
    let value = inert(t.value());
    let skip = t.scroll(box_w);
    let cursor = t.visual_cursor();
    let (mut before, mut under, mut after) = (String::new(), String::new(), String::new());
    let mut x = 0;
    let mut used = 0;
    for c in value.chars() {
        let w = c.width().unwrap_or(0);
        if x < skip {
            x += w;
            continue;
        }
        if used + w > box_w {
            break;
        }
        if x < cursor {
            before.push(c);
        } else if x == cursor && under.is_empty() {
            under.push(c);
        } else {
            after.push(c);
        }
        x += w;
        used += w;
    }
    if under.is_empty() {
        under.push(' ');
        used += 1;
    }
    let th = &app.theme;
    // A value typing would replace is shown as a selection.
    let body = if t.is_selected() {
        th.selected
    } else {
        th.field_focus
    };
    vec![
        Span::styled(before, body),
        Span::styled(under, th.cursor),
        Span::styled(after, body),
        Span::styled(" ".repeat(box_w.saturating_sub(used)), th.field_focus),
    ]
}

/// The hint under a field; list fields name the keys that change them.
pub fn hint(app: &App, f: &Field) -> String {
    let key = |a| app.keymap.label(Mode::Form, a);
    match &f.value {
        Value::Text(_) => f.hint.to_string(),
        Value::One { .. } => format!(
            "{} · {}/{} change · {} list",
            f.hint,
            key(Action::Left),
            key(Action::Right),
            key(Action::Pick)
        ),
        Value::Many { .. } => format!("{} · {} pick list", f.hint, key(Action::Pick)),
    }
}

/// The search line's text and cursor.
pub fn search_spans(app: &App, t: &TextInput, w: usize) -> Vec<Span<'static>> {
    text_with_cursor(app, t, w)
}
