//! One-line text fields with a real cursor (tui-input): move, insert and
//! delete anywhere, one grapheme at a time, wide glyphs counted two cells.

use super::action::Action;
use tui_input::{Input, InputRequest};

/// Longest value a field takes: a note, not an essay.
const MAX_CHARS: usize = 500;

#[derive(Clone, Debug, Default)]
pub struct TextInput(Input);

impl PartialEq for TextInput {
    fn eq(&self, other: &Self) -> bool {
        self.0.value() == other.0.value() && self.0.cursor() == other.0.cursor()
    }
}

impl TextInput {
    pub fn new(value: impl Into<String>) -> TextInput {
        TextInput(Input::new(value.into()))
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
}
