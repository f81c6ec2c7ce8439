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
