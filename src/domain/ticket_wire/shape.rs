//! What serde_json lets through but SPEC §1 refuses: an object naming a key
//! twice (serde_json keeps the last value silently, so which one was meant
//! cannot be known) and nesting deeper than 32 levels (deep enough for any
//! ticket, and far from the 128 at which serde_json itself gives up, so a
//! stored ticket can always be read back).
//!
//! One pass over the bytes of text serde_json has already accepted as JSON,
//! without building a tree: import reads millions of lines, and the typed
//! fast path never sees the keys it does not know.

/// The deepest nesting accepted; the line's own object is level 1.
pub const MAX_DEPTH: usize = 32;

/// Marks an open array in the frame stack (objects hold where their keys start).
const ARRAY: usize = usize::MAX;

/// Refuses a duplicate key in any object, at any depth, or nesting past
/// [`MAX_DEPTH`]. `text` must be valid JSON (the caller parsed it first);
/// on anything else the answer means nothing, but it never panics.
///
/// Keys are kept as byte ranges of `text` (decoded only when escaped), so
/// a line costs no allocation beyond two small vectors; a ticket's objects
/// have a handful of keys, compared pairwise (sorted only past 16).
pub fn check(text: &str) -> Result<(), String> {
    let b = text.as_bytes();
    let mut frames: Vec<usize> = Vec::with_capacity(8);
    let mut keys: Vec<Key> = Vec::with_capacity(32);
    let mut expect_key = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            open @ (b'{' | b'[') => {
                if frames.len() == MAX_DEPTH {
                    return Err(format!(
                        "nests deeper than {MAX_DEPTH} levels (objects and arrays inside one another)"
                    ));
                }
                frames.push(if open == b'{' { keys.len() } else { ARRAY });
                expect_key = open == b'{';
            }
            b'}' | b']' => {
                if let Some(start) = frames.pop().filter(|s| *s != ARRAY) {
                    let start = start.min(keys.len());
                    duplicate(text, &mut keys[start..])?;
                    keys.truncate(start);
                }
                expect_key = false;
            }
            b',' => expect_key = frames.last().is_some_and(|f| *f != ARRAY),
            b'"' => {
                let (end, escaped) = string_end(b, i + 1);
                if expect_key {
                    keys.push(if escaped {
                        // `"c\u0061sh"` is the key "cash": compare what it means.
                        let quoted = &text[i..(end + 1).min(b.len())];
                        Key::Decoded(serde_json::from_str::<String>(quoted).unwrap_or_default())
                    } else {
                        Key::Span(i + 1, end.min(b.len()))
                    });
                    expect_key = false;
                }
                i = end + 1;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// A key: where it is in the text, or what it means when it was escaped.
enum Key {
    Span(usize, usize),
    Decoded(String),
}

impl Key {
    fn text<'t>(&'t self, text: &'t str) -> &'t str {
        match self {
            Key::Span(from, to) => text.get(*from..*to).unwrap_or_default(),
            Key::Decoded(s) => s,
        }
    }
}

/// The index of the closing quote of the string whose content starts at
/// `from`, and whether it holds an escape. Eight bytes at a time: a ticket
/// line is mostly the text inside its strings.
fn string_end(b: &[u8], from: usize) -> (usize, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has = |w: u64, c: u8| {
        (w ^ (ONES * c as u64)).wrapping_sub(ONES) & !(w ^ (ONES * c as u64)) & HIGHS != 0
    };
    let mut i = from;
    let mut escaped = false;
    loop {
        // Skip whole words with neither a quote nor a backslash.
        while let Some(chunk) = b.get(i..i + 8) {
            let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            if has(w, b'"') || has(w, b'\\') {
                break;
            }
            i += 8;
        }
        match b.get(i) {
            None => return (b.len(), escaped),
            Some(b'"') => return (i, escaped),
            Some(b'\\') => {
                escaped = true;
                i += 2;
            }
            Some(_) => i += 1,
        }
    }
}

/// Pairwise for the handful of keys a ticket object has; sorted past 16,
/// so that an object of many thousand keys does not cost their square.
fn duplicate(text: &str, keys: &mut [Key]) -> Result<(), String> {
    let twice = |k: &str| {
        Err(format!(
            "names the key {k:?} twice in one object (which value is meant cannot be known)"
        ))
    };
    if keys.len() <= 16 {
        for (n, k) in keys.iter().enumerate() {
            let k = k.text(text);
            if keys[..n].iter().any(|e| e.text(text) == k) {
                return twice(k);
            }
        }
        return Ok(());
    }
    keys.sort_unstable_by(|a, b| a.text(text).cmp(b.text(text)));
    match keys.windows(2).find(|w| w[0].text(text) == w[1].text(text)) {
        Some(w) => twice(w[0].text(text)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        format!("{}1{}", "[".repeat(levels), "]".repeat(levels))
    }

    #[test]
    fn duplicate_keys_are_found_at_any_depth_and_however_spelt() {
        assert!(check(r#"{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}"#).is_ok());
        for dup in [
            r#"{"cash":"1","cash":"2"}"#,
            r#"{"p":{"cash":"1","x":[1,{"y":2}],"cash":"2"}}"#,
            r#"{"p":[{"q":{"cash":1, "cash" : 2}}]}"#,
            r#"{"cash":"1","c\u0061sh":"2"}"#,
            r#"{ "cash" : "1" , "z":"cash", "cash":"2"}"#,
        ] {
            let e = check(dup).unwrap_err();
            assert!(e.contains("\"cash\" twice"), "{dup}: {e}");
        }
        // A value equal to a key, or a key in a string, is no duplicate.
        assert!(check(r#"{"cash":"cash","s":"\"cash\":1,\"cash\":2"}"#).is_ok());
    }

    #[test]
    fn nesting_is_limited_to_32_levels() {
        let wrap = |inner: String| format!(r#"{{"x":{inner}}}"#);
        assert!(check(&wrap(nested(MAX_DEPTH - 1))).is_ok());
        let e = check(&wrap(nested(MAX_DEPTH))).unwrap_err();
        assert!(e.contains("32 levels"), "{e}");
        // Brackets inside strings are text.
        assert!(check(&format!(r#"{{"x":"{}"}}"#, "[{".repeat(100))).is_ok());
    }
}
