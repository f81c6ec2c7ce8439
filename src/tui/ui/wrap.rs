//! Word wrapping that knows terminal cells: Latin words stay whole, CJK text
//! (written without spaces) breaks between any two glyphs, and a wide glyph
//! is never split across lines.

use crate::text::{inert, width};
use unicode_width::UnicodeWidthChar;

/// Pieces a line may break between: a run of spaces, one wide glyph, or a
/// run of anything else (a word).
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut kind = 0u8; // 0 none, 1 space, 2 word
    for (i, c) in s.char_indices() {
        let k = if c == ' ' {
            1
        } else if c.width().unwrap_or(0) >= 2 {
            3
        } else {
            2
        };
        if k == 3 || k != kind {
            if i > start {
                out.push(&s[start..i]);
            }
            start = i;
        }
        if k == 3 {
            out.push(&s[i..i + c.len_utf8()]);
            start = i + c.len_utf8();
            kind = 0;
        } else {
            kind = k;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// `text` made inert line by line and wrapped to at most `cells` columns.
/// Blank lines are kept; spaces at a break are dropped.
pub fn wrap(text: &str, cells: usize) -> Vec<String> {
    let cells = cells.max(2);
    let mut out = Vec::new();
    for raw in text.split('\n') {
        let line = inert(raw.trim_end_matches('\r'));
        let mut cur = String::new();
        let mut used = 0;
        for tok in tokens(&line) {
            let w = width(tok);
            if tok.starts_with(' ') {
                if used + w <= cells {
                    cur.push_str(tok);
                    used += w;
                } else {
                    out.push(std::mem::take(&mut cur).trim_end().to_string());
                    used = 0;
                }
                continue;
            }
            if used + w > cells && used > 0 {
                out.push(std::mem::take(&mut cur).trim_end().to_string());
                used = 0;
            }
            if w <= cells {
                cur.push_str(tok);
                used += w;
                continue;
            }
            // A word wider than the line: cut it on glyph boundaries.
            for c in tok.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > cells {
                    out.push(std::mem::take(&mut cur));
                    used = 0;
                }
                cur.push(c);
                used += cw;
            }
        }
        out.push(cur.trim_end().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_words_stay_whole() {
        assert_eq!(
            wrap("we approved a refund of 90.00 USD", 12),
            ["we approved", "a refund of", "90.00 USD"]
        );
    }

    #[test]
    fn cjk_breaks_between_glyphs_never_inside_one() {
        let lines = wrap("您好，我们已批准退款 90.00 USD。", 9);
        for l in &lines {
            assert!(width(l) <= 9, "{l:?} in {lines:?}");
        }
        assert_eq!(
            lines.concat().replace(' ', ""),
            "您好，我们已批准退款90.00USD。"
        );
        // An odd width leaves a cell empty rather than halving a glyph.
        assert_eq!(wrap("申请退款", 3), ["申", "请", "退", "款"]);
    }

    #[test]
    fn long_words_are_cut_and_blank_lines_kept() {
        assert_eq!(wrap("abcdefgh\n\nx", 3), ["abc", "def", "gh", "", "x"]);
    }

    #[test]
    fn control_characters_are_made_visible() {
        assert_eq!(wrap("a\u{1b}[2Jb", 20), ["a␛[2Jb"]);
    }
}
