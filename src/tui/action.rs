//! What a key means: navigation, popups, and the workflow verbs of SPEC §3.
//! No Tick/Render noise: the loop handles time and drawing itself.

/// A workflow verb: the domain's action kind itself, so the console can
/// name no action the domain does not know, and misses none it does.
pub use crate::domain::workflow::ActionKind as Verb;

impl Verb {
    /// Irreversible steps (SPEC §3, issue 10): each goes through a
    /// confirmation that says what will happen. A revision is a decision too.
    pub fn needs_confirm(self) -> bool {
        matches!(
            self,
            Verb::Approve
                | Verb::Reject
                | Verb::Revise
                | Verb::Accept
                | Verb::Agree
                | Verb::Execute
                | Verb::Complete
                | Verb::Close
                | Verb::Withdraw
                | Verb::SignOff
                | Verb::Decline
        )
    }
}

/// Everything a key can mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextTab,
    PrevTab,
    Search,
    FilterState,
    FilterVerdict,
    FilterProduct,
    ClearFilters,
    ToggleSort,
    ToggleLang,
    Zoom,
    DetailDown,
    DetailUp,
    Refresh,
    Help,
    Menu,
    Letter,
    Copy,
    /// Record the letter on screen as sent to the customer.
    RecordSent,
    CopyId,
    Dashboard,
    Finance,
    // marks (bulk work)
    ToggleMark,
    MarkDown,
    MarkUp,
    MarkRange,
    MarkAll,
    ClearMarks,
    // the finance screen
    PrevMonth,
    NextMonth,
    SetRange,
    WriteCsv,
    Do(Verb),
    // popups
    Choose,
    Confirm,
    Cancel,
    NextField,
    PrevField,
    DeleteChar,
    ClearField,
    Left,
    Right,
    Home,
    End,
    DeleteNext,
    DeleteWord,
    Pick,
    Toggle,
}

const PLAIN: [(Action, &str, &str); 53] = [
    (Action::Quit, "quit", "quit"),
    (Action::Up, "up", "previous ticket"),
    (Action::Down, "down", "next ticket"),
    (Action::PageUp, "page_up", "page up"),
    (Action::PageDown, "page_down", "page down"),
    (Action::Top, "top", "first ticket"),
    (Action::Bottom, "bottom", "last ticket"),
    (Action::NextTab, "next_queue", "next queue"),
    (Action::PrevTab, "prev_queue", "previous queue"),
    (
        Action::Search,
        "search",
        "search id, account, customer text in every queue",
    ),
    (Action::FilterState, "filter_state", "pick the state filter"),
    (
        Action::FilterVerdict,
        "filter_verdict",
        "pick the verdict filter",
    ),
    (
        Action::FilterProduct,
        "filter_product",
        "pick the product filter",
    ),
    (
        Action::ClearFilters,
        "clear_filters",
        "clear filters and search",
    ),
    (Action::ToggleSort, "sort", "sort by received / due date"),
    (
        Action::ToggleLang,
        "language",
        "clause texts in English / 中文",
    ),
    (Action::Zoom, "zoom", "detail full screen / back"),
    (Action::DetailDown, "detail_down", "scroll the detail down"),
    (Action::DetailUp, "detail_up", "scroll the detail up"),
    (Action::Refresh, "refresh", "reload now"),
    (Action::Help, "help", "this help"),
    (Action::Menu, "actions", "actions possible now"),
    (
        Action::Letter,
        "letter",
        "draft letter to the customer, in their language",
    ),
    (Action::Copy, "copy", "copy to the clipboard (OSC 52)"),
    (
        Action::RecordSent,
        "record_sent",
        "record this letter as sent to the customer (its exact text)",
    ),
    (
        Action::CopyId,
        "copy_id",
        "copy the ticket id to the clipboard (OSC 52)",
    ),
    (
        Action::Dashboard,
        "dashboard",
        "dashboard: stages, SLA, 30-day refunds",
    ),
    (
        Action::Finance,
        "finance",
        "finance: executed payouts, totals, CSV export",
    ),
    (
        Action::ToggleMark,
        "mark",
        "mark / unmark the ticket (then the next one)",
    ),
    (
        Action::MarkDown,
        "mark_down",
        "mark this ticket and the next (extend a range)",
    ),
    (
        Action::MarkUp,
        "mark_up",
        "mark this ticket and the one above (extend a range)",
    ),
    (
        Action::MarkRange,
        "mark_range",
        "mark every ticket from the last one marked to here",
    ),
    (
        Action::MarkAll,
        "mark_all",
        "mark every ticket in this view (at most 500)",
    ),
    (Action::ClearMarks, "clear_marks", "clear the marks"),
    (Action::PrevMonth, "prev_month", "the month before"),
    (Action::NextMonth, "next_month", "the month after"),
    (
        Action::SetRange,
        "range",
        "type the dates: 2026-11, 2026-11-03, or FROM..TO",
    ),
    (
        Action::WriteCsv,
        "write_csv",
        "write what is shown to a CSV file (as export payouts)",
    ),
    (Action::Choose, "choose", "choose"),
    (Action::Confirm, "confirm", "confirm"),
    (Action::Cancel, "cancel", "cancel"),
    (Action::NextField, "next_field", "next field"),
    (Action::PrevField, "prev_field", "previous field"),
    (Action::DeleteChar, "delete_char", "delete a character"),
    (Action::ClearField, "clear_field", "clear the field"),
    (
        Action::Left,
        "left",
        "cursor left; a list field: previous choice",
    ),
    (
        Action::Right,
        "right",
        "cursor right; a list field: next choice",
    ),
    (Action::Home, "start", "cursor to the start"),
    (Action::End, "end", "cursor to the end"),
    (
        Action::DeleteNext,
        "delete_next",
        "delete the character under the cursor",
    ),
    (
        Action::DeleteWord,
        "delete_word",
        "delete the word before the cursor",
    ),
    (
        Action::Pick,
        "pick",
        "pick list of a list field (in text: a space)",
    ),
    (Action::Toggle, "toggle", "tick / untick (one-of: choose)"),
];

impl Action {
    /// The name used in keymap.toml.
    pub fn name(self) -> &'static str {
        match self {
            Action::Do(v) => v.name(),
            a => PLAIN.iter().find(|p| p.0 == a).map(|p| p.1).unwrap_or("?"),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Action::Do(v) => v.describe(),
            a => PLAIN.iter().find(|p| p.0 == a).map(|p| p.2).unwrap_or("?"),
        }
    }

    pub fn parse(name: &str) -> Option<Action> {
        PLAIN.iter().find(|p| p.1 == name).map(|p| p.0).or_else(|| {
            Verb::ALL
                .iter()
                .find(|v| v.name() == name)
                .map(|v| Action::Do(*v))
        })
    }

    /// Every action, for error messages.
    pub fn all_names() -> Vec<&'static str> {
        PLAIN
            .iter()
            .map(|p| p.1)
            .chain(Verb::ALL.iter().map(|v| v.name()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keymap_name_parses_back() {
        for n in Action::all_names() {
            assert_eq!(Action::parse(n).unwrap().name(), n);
        }
    }
}
