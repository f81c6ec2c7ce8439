//! `?` help, generated from the keymap so it can never disagree with it.

use crate::text::fit;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::keymap::{Keymap, Mode};
use ratatui::text::{Line, Span};

const SECTIONS: [(Mode, &str); 11] = [
    (Mode::List, "Ticket list"),
    (Mode::Global, "Everywhere"),
    (Mode::Menu, "Action menu"),
    (Mode::Form, "Forms"),
    (Mode::Pick, "Pick lists"),
    (Mode::Confirm, "Confirmation"),
    (Mode::Search, "Search"),
    (Mode::Letter, "Customer letter"),
    (Mode::Dashboard, "Dashboard"),
    (Mode::Finance, "Finance"),
    (Mode::Help, "Help and the bulk summary"),
];

/// (keys, description) per mode, straight from the bindings.
pub fn help_entries(km: &Keymap) -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    SECTIONS
        .iter()
        .map(|(mode, title)| {
            let rows = km
                .bindings(*mode)
                .into_iter()
                .map(|(a, keys): (Action, _)| {
                    let keys = if keys.is_empty() {
                        "(menu)".to_string()
                    } else {
                        keys.iter()
                            .map(|k| k.to_string())
                            .collect::<Vec<_>>()
                            .join(" ")
                    };
                    (keys, a.describe())
                })
                .collect();
            (*title, rows)
        })
        .collect()
}

pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for (title, rows) in help_entries(&app.keymap) {
        out.push(Line::styled(format!("── {title}"), app.theme.title));
        for (keys, desc) in rows {
            out.push(Line::from(vec![
                Span::styled(fit(&keys, 20), app.theme.key),
                Span::raw(format!(" {desc}")),
            ]));
        }
    }
    out.push(Line::styled(
        "Keys can be changed in keymap.toml ($REFUND_DESK_KEYMAP).",
        app.theme.dim,
    ));
    out
}
