//! Customer text is untrusted: it is stored as given, and shown through
//! these helpers so that no control character reaches a terminal.

/// Replaces control characters (C0, DEL, C1) and bidi overrides with visible
/// stand-ins; everything else, any script, passes unchanged.
pub fn inert(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            '\n' | '\r' => out.push('⏎'),
            '\u{1b}' => out.push('␛'),
            c if (c as u32) < 0x20 => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('�')),
            '\u{7f}' => out.push('␡'),
            '\u{80}'..='\u{9f}' => out.push('�'),
            // Bidi embeddings, overrides and isolates can reorder what follows them.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => {
                out.push('�')
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn control_and_bidi_characters_become_visible_stand_ins() {
        let s = inert("a\u{1b}[31mred\u{7}\u{202e}x\ty\nz");
        assert!(!s.chars().any(|c| c.is_control()), "{s:?}");
        assert_eq!(s, "a␛[31mred␇�x y⏎z");
        assert_eq!(inert("申请退款 환불 返金"), "申请退款 환불 返金");
    }
}

/// Display width in terminal cells (CJK counts two).
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` made inert, cut to at most `cells` columns on a glyph boundary (with
/// an ellipsis when cut), then padded with spaces to exactly `cells`.
pub fn fit(s: &str, cells: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let s = inert(s);
    if width(&s) <= cells {
        let pad = cells - width(&s);
        return s + &" ".repeat(pad);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > cells {
            break;
        }
        out.push(c);
        used += w;
    }
    if cells > 0 {
        out.push('…');
        used += 1;
    }
    out + &" ".repeat(cells.saturating_sub(used))
}

#[cfg(test)]
mod fit_tests {
    use super::{fit, width};

    #[test]
    fn wide_glyphs_are_never_cut_in_half() {
        assert_eq!(fit("申请退款", 5), "申请…");
        assert_eq!(width(&fit("申请退款", 5)), 5);
        assert_eq!(fit("申请退款", 8), "申请退款");
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(width(&fit("한빛미디어 주식회사", 7)), 7);
    }
}
