//! What serde_json lets through but SPEC §1 refuses: an object naming a key
//! twice (serde_json keeps the last value silently, so which one was meant
//! cannot be known) and nesting deeper than 32 levels (deep enough for any
//! ticket, and far from the 128 at which serde_json itself gives up, so a
//! stored ticket can always be read back).
//!
//! One pass over the bytes of text serde_json has already accepted as JSON,
//! without building a tree: import reads millions of lines, and the typed
//! fast path never sees the keys it does not know.

use std::borrow::Cow;

/// The deepest nesting accepted; the line's own object is level 1.
pub const MAX_DEPTH: usize = 32;

/// Marks an open array in the frame stack (objects hold where their keys start).
const ARRAY: usize = usize::MAX;

/// Refuses a duplicate key in any object, at any depth, or nesting past
/// [`MAX_DEPTH`]. `text` must be valid JSON (the caller parsed it first);
/// on anything else the answer means nothing, but it never panics.
pub fn check(text: &str) -> Result<(), String> {
    let b = text.as_bytes();
    let mut frames: Vec<usize> = Vec::new();
    let mut keys: Vec<Cow<str>> = Vec::new();
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
                    duplicate(&mut keys[start..])?;
                    keys.truncate(start);
                }
                expect_key = false;
            }
            b',' => expect_key = frames.last().is_some_and(|f| *f != ARRAY),
            b'"' => {
                let (end, escaped) = string_end(b, i + 1);
                if expect_key {
                    let raw = &text[i + 1..end.min(b.len())];
                    keys.push(if escaped {
                        // `"c\u0061sh"` is the key "cash": compare what it means.
                        let quoted = &text[i..(end + 1).min(b.len())];
                        Cow::Owned(serde_json::from_str::<String>(quoted).unwrap_or_default())
                    } else {
                        Cow::Borrowed(raw)
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

/// The index of the closing quote of the string whose content starts at
/// `from`, and whether it holds an escape.
fn string_end(b: &[u8], from: usize) -> (usize, bool) {
    let mut i = from;
    let mut escaped = false;
    // A plain loop: memchr2 measured only ~15% faster on ticket lines,
    // whose strings are short, and it is no direct dependency.
    while i < b.len() {
        match b[i] {
            b'"' => return (i, escaped),
            b'\\' => {
                escaped = true;
                i += 2;
            }
            _ => i += 1,
        }
    }
    (b.len(), escaped)
}

/// Sorting is cheap for the handful of keys a ticket object has, and keeps
/// an object of many thousand keys from costing their square.
fn duplicate(keys: &mut [Cow<str>]) -> Result<(), String> {
    if keys.len() < 2 {
        return Ok(());
    }
    keys.sort_unstable();
    match keys.windows(2).find(|w| w[0] == w[1]) {
        Some(w) => Err(format!(
            "names the key {:?} twice in one object (which value is meant cannot be known)",
            w[0]
        )),
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
