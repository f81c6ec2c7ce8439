//! Customer text is untrusted: it is stored as given, and shown through
//! these helpers so that no control character reaches a terminal.

/// Characters a terminal draws as nothing, or that move or reorder what
/// follows them: zero-width spaces and joiners, direction marks,
/// embeddings, overrides and isolates, line and paragraph separators,
/// invisible operators, the byte-order mark, tag characters. Terminals
/// disagree with `unicode-width` about their width (a U+200D in a name
/// shifts the rest of the row), and a reader cannot see them at all.
pub fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00ad                // soft hyphen
        | 0x061c              // Arabic letter mark
        | 0x180e              // Mongolian vowel separator
        | 0x200b..=0x200f     // zero-width space, non-joiner, joiner; LRM, RLM
        | 0x2028 | 0x2029     // line and paragraph separators
        | 0x202a..=0x202e     // bidi embeddings and overrides
        | 0x2060..=0x2064     // word joiner, invisible operators
        | 0x2066..=0x206f     // bidi isolates, deprecated format characters
        | 0xfeff              // zero-width no-break space (byte-order mark)
        | 0xfff9..=0xfffb     // interlinear annotation
        | 0xe0000..=0xe007f) // tag characters
}

/// The one filter between customer text and a screen or a letter: control
/// characters (C0, DEL, C1) and the invisible characters of [`is_invisible`]
/// become visible stand-ins; everything else, any script, passes unchanged.
pub fn inert(s: &str) -> String {
    // Most text on a screen is printable ASCII: nothing to replace.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push('⏎'),
            '\u{1b}' => out.push('␛'),
            c if (c as u32) < 0x20 => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('�')),
            '\u{7f}' => out.push('␡'),
            '\u{80}'..='\u{9f}' => out.push('�'),
            c if is_invisible(c) => out.push('�'),
            c => out.push(c),
        }
    }
    out
}

/// JSON text as serde_json writes it, with DEL, C1 and the invisible
/// characters written as `\u` escapes (serde_json escapes only C0). The
/// JSON value is the same for any reader; printed raw to a terminal, it can
/// no longer reorder or hide what follows. Outside its strings serde_json
/// writes only ASCII, so every character replaced is inside a string.
pub fn json_for_terminal(json: String) -> String {
    let hazard = |c: char| matches!(c, '\u{7f}'..='\u{9f}') || is_invisible(c);
    if !json.chars().any(hazard) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if hazard(c) {
            for unit in c.encode_utf16(&mut [0; 2]) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{inert, json_for_terminal};

    #[test]
    fn control_and_bidi_characters_become_visible_stand_ins() {
        let s = inert("a\u{1b}[31mred\u{7}\u{202e}x\ty\nz");
        assert!(!s.chars().any(|c| c.is_control()), "{s:?}");
        assert_eq!(s, "a␛[31mred␇�x y⏎z");
        assert_eq!(inert("申请退款 환불 返金"), "申请退款 환불 返金");
    }

    #[test]
    fn invisible_and_separator_characters_become_visible_stand_ins() {
        let invisible: Vec<char> = [
            0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029, 0x2060, 0x2061, 0x2062, 0x2063,
            0x2064, 0xfeff, 0x061c, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068,
            0x2069,
        ]
        .into_iter()
        .filter_map(char::from_u32)
        .collect();
        for c in invisible {
            let s = inert(&format!("a{c}b"));
            assert_eq!(s.chars().count(), 3, "U+{:04X}: {s:?}", c as u32);
            assert_eq!(super::width(&s), 3, "U+{:04X} stands in one cell", c as u32);
            assert!(!s.contains(c), "U+{:04X} passed through", c as u32);
        }
        assert_eq!(inert("x\u{2028}y"), "x⏎y");
    }

    #[test]
    fn json_for_terminal_keeps_the_value_and_hides_nothing() {
        let v = serde_json::json!({"name": "a\u{200d}b\u{202e}c\u{7f}\u{e0041}申", "n": 1});
        let out = json_for_terminal(serde_json::to_string_pretty(&v).unwrap());
        assert!(
            out.is_ascii()
                || out
                    .chars()
                    .all(|c| !super::is_invisible(c) && c != '\u{7f}')
        );
        assert!(
            out.contains("\\u200d") && out.contains("\\udb40\\udc41"),
            "{out}"
        );
        assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap(), v);
    }
}

/// The most a keymap, policy or calendar file may hold.
pub const SETTINGS_FILE_LIMIT: u64 = 1 << 20;

/// Reads a settings file of at most `limit` bytes. Reading stops one byte
/// past the limit, so `/dev/zero` or a runaway file is refused at once
/// instead of being read until memory runs out.
pub fn read_limited(path: &std::path::Path, limit: u64) -> std::io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes, the most a settings file may hold"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        )
    })
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
    // Runs without a CJK character are copied whole (every ticket is
    // spaced on import, and char by char was a fifth of reading it).
    let b = s.as_bytes();
    let (mut run, mut at) = (0, 0);
    while at < b.len() {
        // CJK characters are three or four bytes in UTF-8, all led by a
        // byte of 0xE0 or more: everything else is skipped a byte at a time.
        if b[at] < 0xe0 {
            at += 1;
            continue;
        }
        let c = s[at..].chars().next().expect("a char starts here");
        let next = at + c.len_utf8();
        if is_cjk(c) {
            out.push_str(&s[run..at]);
            out.push(' ');
            out.push(c);
            out.push(' ');
            run = next;
        }
        at = next;
    }
    out.push_str(&s[run..]);
}

/// `s` with every CJK character set apart by spaces, as search documents
/// have them: a trigram index then holds each such character as a word.
pub fn spaced_cjk(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    spaced(s, &mut out);
    out
}

/// The text the search index holds for a ticket.
pub fn search_document(parts: &[Option<&str>]) -> String {
    let len: usize = parts.iter().flatten().map(|p| p.len() + 1).sum();
    let mut out = String::with_capacity(len + len / 2);
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
    fn spacing_is_character_by_character_whatever_the_encoding() {
        let reference = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if is_cjk(c) {
                        format!(" {c} ")
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        };
        for s in [
            "",
            "plain ascii",
            "申请退款",
            "Müller ñ é — “quotes” 😤 emoji",
            "mixed 申请 Müller 환불요청 ᄀᄁ 𠀀𠀁 ｦｧ end",
            "退",
            "a退b",
        ] {
            let mut out = String::new();
            spaced(s, &mut out);
            assert_eq!(out, reference(s), "{s:?}");
        }
    }

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
