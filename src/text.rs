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

/// CJK ideographs, kana and hangul: scripts written without spaces, indexed
/// one character per token so that any run of them can be found.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff
        | 0xac00..=0xd7af | 0x1100..=0x11ff | 0x3130..=0x318f | 0xff66..=0xff9f
        | 0x20000..=0x2ffff)
}

fn spaced(s: &str, out: &mut String) {
    for c in s.chars() {
        if is_cjk(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
}

/// The text the search index holds for a ticket.
pub fn search_document(parts: &[Option<&str>]) -> String {
    let mut out = String::new();
    for p in parts.iter().flatten() {
        spaced(p, &mut out);
        out.push('\n');
    }
    out
}

/// An FTS5 query for what an agent typed: every word must match; a word is
/// a prefix match, a CJK run a phrase of its characters. None when nothing
/// searchable was typed.
pub fn search_query(typed: &str) -> Option<String> {
    let mut terms = Vec::new();
    for word in typed.split_whitespace() {
        let mut doc = String::new();
        spaced(word, &mut doc);
        // Keep letters and digits; FTS5 treats the rest as separators anyway.
        let tokens: Vec<String> = doc
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        if tokens.is_empty() {
            continue;
        }
        let last_is_cjk = tokens
            .last()
            .and_then(|t| t.chars().next())
            .is_some_and(is_cjk);
        let phrase = format!("\"{}\"", tokens.join(" "));
        terms.push(if last_is_cjk { phrase } else { phrase + "*" });
    }
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

#[cfg(test)]
mod search_tests {
    use super::*;

    #[test]
    fn queries_quote_every_word_and_split_cjk() {
        assert_eq!(
            search_query("LC-10 bright").unwrap(),
            "\"LC 10\"* AND \"bright\"*"
        );
        assert_eq!(search_query("退款").unwrap(), "\"退 款\"");
        assert_eq!(search_query("환불요청").unwrap(), "\"환 불 요 청\"");
        assert_eq!(search_query(" \" * ").as_deref(), None);
        assert!(search_document(&[Some("申请退款"), None, Some("ab")]).contains(" 退  款 "));
    }
}
