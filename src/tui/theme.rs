//! One theme value for the whole console. `NO_COLOR` selects the monochrome
//! variant: no colours at all, meaning carried by symbols and modifiers.

use crate::domain::policy::VerdictKind;
use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub mono: bool,
    pub base: Style,
    pub header: Style,
    pub dim: Style,
    pub column_header: Style,
    pub tab: Style,
    pub tab_active: Style,
    pub selected: Style,
    pub due_soon: Style,
    pub overdue: Style,
    pub breached: Style,
    pub key: Style,
    pub title: Style,
    pub error: Style,
    pub info: Style,
    pub popup: Style,
    pub field_focus: Style,
    /// The cell under a text field's cursor.
    pub cursor: Style,
    pub not_refunded: Style,
    full_refund: Style,
    pro_rata: Style,
    compensation: Style,
    negotiate: Style,
    reject: Style,
    needs_info: Style,
    manual_review: Style,
}

impl Theme {
    pub fn color() -> Theme {
        let s = Style::new;
        Theme {
            mono: false,
            base: s(),
            header: s().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            dim: s().fg(Color::DarkGray),
            column_header: s().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            tab: s().fg(Color::Gray),
            tab_active: s()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            selected: s().bg(Color::DarkGray).add_modifier(Modifier::BOLD),
            due_soon: s().fg(Color::Yellow),
            overdue: s().fg(Color::Red).add_modifier(Modifier::BOLD),
            breached: s()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            key: s().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            title: s().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            error: s().fg(Color::Red).add_modifier(Modifier::BOLD),
            info: s().fg(Color::Green),
            popup: s(),
            field_focus: s().add_modifier(Modifier::UNDERLINED),
            cursor: s().add_modifier(Modifier::REVERSED),
            not_refunded: s().fg(Color::DarkGray).add_modifier(Modifier::CROSSED_OUT),
            full_refund: s().fg(Color::Green),
            pro_rata: s().fg(Color::Cyan),
            compensation: s().fg(Color::Blue),
            negotiate: s().fg(Color::Magenta),
            reject: s().fg(Color::Red),
            needs_info: s().fg(Color::Yellow),
            manual_review: s().fg(Color::LightBlue),
        }
    }

    /// No colour anywhere: selection REVERSED, urgency BOLD/UNDERLINED,
    /// verdicts told apart by their symbols.
    pub fn mono() -> Theme {
        let s = Style::new;
        let b = Modifier::BOLD;
        Theme {
            mono: true,
            base: s(),
            header: s().add_modifier(b),
            dim: s(),
            column_header: s().add_modifier(b | Modifier::UNDERLINED),
            tab: s(),
            tab_active: s().add_modifier(Modifier::REVERSED | b),
            selected: s().add_modifier(Modifier::REVERSED),
            due_soon: s().add_modifier(Modifier::UNDERLINED),
            overdue: s().add_modifier(b),
            breached: s().add_modifier(b | Modifier::UNDERLINED),
            key: s().add_modifier(b),
            title: s().add_modifier(b),
            error: s().add_modifier(b),
            info: s(),
            popup: s(),
            field_focus: s().add_modifier(Modifier::UNDERLINED),
            cursor: s().add_modifier(Modifier::REVERSED),
            not_refunded: s().add_modifier(Modifier::CROSSED_OUT),
            full_refund: s().add_modifier(b),
            pro_rata: s(),
            compensation: s(),
            negotiate: s().add_modifier(Modifier::ITALIC),
            reject: s().add_modifier(b),
            needs_info: s().add_modifier(Modifier::UNDERLINED),
            manual_review: s().add_modifier(Modifier::ITALIC),
        }
    }

    /// Monochrome when `NO_COLOR` is set to anything non-empty (no-color.org).
    pub fn from_env() -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::mono(),
            _ => Theme::color(),
        }
    }

    pub fn verdict(&self, kind: VerdictKind) -> Style {
        match kind {
            VerdictKind::FullRefund => self.full_refund,
            VerdictKind::ProRata => self.pro_rata,
            VerdictKind::Compensation => self.compensation,
            VerdictKind::Negotiate => self.negotiate,
            VerdictKind::Reject => self.reject,
            VerdictKind::NeedsInfo => self.needs_info,
            VerdictKind::ManualReview => self.manual_review,
        }
    }
}

/// The symbol that makes a verdict readable without colour.
pub fn verdict_symbol(kind: VerdictKind) -> &'static str {
    match kind {
        VerdictKind::FullRefund => "✔",
        VerdictKind::ProRata => "◐",
        VerdictKind::Compensation => "✚",
        VerdictKind::Negotiate => "⇄",
        VerdictKind::Reject => "✘",
        VerdictKind::NeedsInfo => "?",
        VerdictKind::ManualReview => "✎",
    }
}

/// Short kind names for the list column.
pub fn verdict_short(kind: VerdictKind) -> &'static str {
    match kind {
        VerdictKind::FullRefund => "full",
        VerdictKind::ProRata => "pro-rata",
        VerdictKind::Compensation => "comp",
        VerdictKind::Negotiate => "nego",
        VerdictKind::Reject => "reject",
        VerdictKind::NeedsInfo => "needs info",
        VerdictKind::ManualReview => "manual",
    }
}
