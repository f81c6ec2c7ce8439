//! One-line text fields with a real cursor (tui-input): move, insert and
//! delete anywhere, one grapheme at a time, wide glyphs counted two cells.

use super::action::Action;
use tui_input::{Input, InputRequest};

/// Longest value a field takes: a note, not an essay.
const MAX_CHARS: usize = 500;

#[derive(Clone, Debug, Default)]
pub struct TextInput(Input, bool);

impl PartialEq for TextInput {
    fn eq(&self, other: &Self) -> bool {
        self.0.value() == other.0.value() && self.0.cursor() == other.0.cursor()
    }
}

impl TextInput {
    pub fn new(value: impl Into<String>) -> TextInput {
        TextInput(Input::new(value.into()), false)
    }

    /// A value shown selected, as a browser's search bar shows the last
    /// search: the first character typed replaces it, a cursor key or a
    /// deletion keeps it to be edited.
    pub fn selected(value: impl Into<String>) -> TextInput {
        let value = value.into();
        let selected = !value.is_empty();
        TextInput(Input::new(value), selected)
    }

    /// Whether the value is still shown selected (typing replaces it).
    pub fn is_selected(&self) -> bool {
        self.1
    }

    pub fn value(&self) -> &str {
        self.0.value()
    }

    /// Cells from the start of the value to the cursor.
    pub fn visual_cursor(&self) -> usize {
        self.0.visual_cursor()
    }

    /// Cells to skip so that the cursor is on screen in a box `width` wide.
    pub fn scroll(&self, width: usize) -> usize {
        // One cell is kept for the cursor standing after the last glyph.
        self.0.visual_scroll(width.saturating_sub(1))
    }

    /// Types a character at the cursor. Fields are one line: a pasted
    /// newline or control character goes nowhere.
    pub fn type_char(&mut self, c: char) {
        if std::mem::take(&mut self.1) && !c.is_control() {
            self.0.reset();
        }
        if !c.is_control() && self.0.value().chars().count() < MAX_CHARS {
            self.0.handle(InputRequest::InsertChar(c));
        }
    }

    /// Applies an editing action; false if the action is not one.
    pub fn edit(&mut self, action: Action) -> bool {
        let req = match action {
            Action::Left => InputRequest::GoToPrevChar,
            Action::Right => InputRequest::GoToNextChar,
            Action::Home => InputRequest::GoToStart,
            Action::End => InputRequest::GoToEnd,
            Action::DeleteChar => InputRequest::DeletePrevChar,
            Action::DeleteNext => InputRequest::DeleteNextChar,
            Action::DeleteWord => InputRequest::DeletePrevWord,
            Action::ClearField => InputRequest::DeleteLine,
            _ => return false,
        };
        self.1 = false;
        self.0.handle(req);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_in_the_middle_and_delete_under_the_cursor_with_wide_glyphs() {
        let mut t = TextInput::new("退款ok");
        t.edit(Action::Home);
        t.edit(Action::Right);
        t.type_char('X');
        assert_eq!(t.value(), "退X款ok");
        assert_eq!(t.visual_cursor(), 3);
        t.edit(Action::DeleteNext);
        assert_eq!(t.value(), "退Xok");
        t.edit(Action::End);
        t.edit(Action::DeleteChar);
        assert_eq!(t.value(), "退Xo");
        t.type_char('\n');
        assert_eq!(t.value(), "退Xo");
    }

    #[test]
    fn a_selected_value_is_replaced_by_typing_and_kept_by_editing() {
        let mut t = TextInput::selected("LC-1002");
        t.type_char('T');
        assert_eq!(t.value(), "T");
        t.type_char('R');
        assert_eq!(t.value(), "TR", "replaced once, then typed into");
        let mut t = TextInput::selected("LC-10");
        t.edit(Action::End);
        t.type_char('0');
        assert_eq!(t.value(), "LC-100");
        assert!(!TextInput::selected("").is_selected());
    }
}
