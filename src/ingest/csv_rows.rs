//! CSV with the JSON fields flattened by dots. Every cell is text, turned
//! into the JSON type its field takes and then validated by the same rules
//! as JSON Lines; an empty cell is absent.
//!
//! Nothing may vanish: a header naming a column twice refuses the file, a
//! rejected row that runs over several lines says which, and a quoted cell
//! left open at the end of the file (which the csv crate closes silently,
//! swallowing every later row into it) is reported at the line where it
//! opened and the lines after that line are read again as rows.

use super::{parse_json_line, Outcome, Rejected};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::io::Read;
use std::rc::Rc;

const INTEGERS: &[&str] = &[
    "package.term_days",
    "package.total_units",
    "package.used_units",
    "package.gifted_units_used",
];
const NUMBERS: &[&str] = &["incident.unresolved_hours", "incident.outage_hours"];
const BOOLEANS: &[&str] = &[
    "contract.overrides_policy",
    "incident.provider_caused",
    "incident.quality_gap_confirmed",
];

/// A cell as the JSON value its field takes. Text that does not fit the
/// field's type stays a string, so validation names the field and the type.
pub(super) fn cell_value(field: &str, text: &str) -> Value {
    let typed = if INTEGERS.contains(&field) || NUMBERS.contains(&field) {
        let looks_numeric = text
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
        looks_numeric
            .then(|| serde_json::from_str::<Value>(text).ok())
            .flatten()
    } else if BOOLEANS.contains(&field) {
        match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        }
    } else if field == "evidence" {
        Some(Value::Array(
            text.split(';')
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ))
    } else {
        None
    };
    typed.unwrap_or_else(|| Value::String(text.to_string()))
}

fn insert(root: &mut Map<String, Value>, path: &str, value: Value) -> Result<(), String> {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap_or_default();
    let mut cur = root;
    for part in parts {
        let slot = cur
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        cur = slot
            .as_object_mut()
            .ok_or_else(|| format!("column {path:?} clashes with column {part:?}"))?;
    }
    // `package` after `package.billing` would replace the object silently.
    if cur.contains_key(last) {
        return Err(format!(
            "column {path:?} clashes with the columns inside it"
        ));
    }
    cur.insert(last.to_string(), value);
    Ok(())
}

/// Where csv-core stands, mirrored byte by byte (default dialect: `,`,
/// `"` doubled to escape, `\r`/`\n` ending records) to learn what it never
/// says: that the input ended inside a quoted cell.
#[derive(Clone, Copy, PartialEq)]
enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// What the reader has seen of the input: line breaks (to turn byte
/// offsets into physical lines, as the csv crate's own count skips blank
/// lines and miscounts CRLF), the quoting state, and the bytes of the
/// current row onward (to read them again after an unclosed quote).
struct Seen {
    /// Offsets of every `\n`, and of every `\r` or `\n` (line-break bytes).
    lf: Vec<u64>,
    any: Vec<u64>,
    quoting: Quoting,
    /// Where the quoted cell the input is in (or was last in) opened.
    opened_at: u64,
    offset: u64,
    eof: bool,
    tail: Vec<u8>,
    /// The offset of `tail[0]`.
    tail_start: u64,
}

impl Seen {
    fn new() -> Seen {
        Seen {
            lf: Vec::new(),
            any: Vec::new(),
            quoting: Quoting::FieldStart,
            opened_at: 0,
            offset: 0,
            eof: false,
            tail: Vec::new(),
            tail_start: 0,
        }
    }

    fn see(&mut self, bytes: &[u8]) {
        use Quoting::*;
        for (i, &b) in bytes.iter().enumerate() {
            let at = self.offset + i as u64;
            if matches!(b, b'\n' | b'\r') {
                self.any.push(at);
                if b == b'\n' {
                    self.lf.push(at);
                }
            }
            self.quoting = match (self.quoting, b) {
                (FieldStart, b'"') => {
                    self.opened_at = at;
                    Quoted
                }
                (Quoted, b'"') => QuoteInQuoted,
                (Quoted, _) => Quoted,
                (QuoteInQuoted, b'"') => Quoted,
                (_, b',' | b'\r' | b'\n') => FieldStart,
                _ => Unquoted,
            };
        }
        self.tail.extend_from_slice(bytes);
        self.offset += bytes.len() as u64;
    }

    /// Bytes before `from` will not be needed again. Dropped in large
    /// steps so that a million short rows do not move the tail a million times.
    fn forget_before(&mut self, from: u64) {
        let drop = from.saturating_sub(self.tail_start) as usize;
        if drop >= 1 << 20 {
            self.tail.drain(..drop.min(self.tail.len()));
            self.tail_start += drop as u64;
        }
    }

    /// The physical line of the first content byte at or after `byte` (the
    /// csv crate reports a record as starting where the blank lines before
    /// it start).
    fn line_at(&self, byte: u64) -> usize {
        let mut at = byte;
        let mut i = self.any.partition_point(|&x| x < at);
        while self.any.get(i) == Some(&at) {
            at += 1;
            i += 1;
        }
        self.line_of(at)
    }

    /// The physical line holding `byte`.
    fn line_of(&self, byte: u64) -> usize {
        self.lf.partition_point(|&nl| nl < byte) + 1
    }

    /// The line a record ending just before `end` ends on (its own
    /// terminator not counted).
    fn last_line(&self, end: u64) -> usize {
        let mut e = end;
        while e > 0 && self.any.binary_search(&(e - 1)).is_ok() {
            e -= 1;
        }
        self.line_of(e.saturating_sub(1))
    }

    /// Whether the input ended inside a quoted cell opened in `start..end`.
    fn left_open(&self, start: u64, end: u64) -> bool {
        // Only the last record can hold it: the cell ran on to the end.
        self.eof && self.quoting == Quoting::Quoted && (start..end).contains(&self.opened_at)
    }
}

struct Tracked<R> {
    inner: R,
    seen: Rc<RefCell<Seen>>,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut seen = self.seen.borrow_mut();
        if n == 0 && !buf.is_empty() {
            seen.eof = true;
        }
        seen.see(&buf[..n]);
        Ok(n)
    }
}

/// Where a part of the input sits in the whole file.
#[derive(Clone, Copy)]
struct Origin {
    /// Lines of the file before this part.
    lines: usize,
    /// Progress never goes back: a part read again reports the whole file.
    bytes: u64,
}

/// A csv reader over `inner` and what it has seen. The header is read as
/// a record, so that it goes through the same checks.
fn csv_reader<R: Read>(inner: R) -> (csv::Reader<Tracked<R>>, Rc<RefCell<Seen>>) {
    let seen = Rc::new(RefCell::new(Seen::new()));
    let rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(Tracked {
            inner,
            seen: seen.clone(),
        });
    (rdr, seen)
}

pub(super) fn read(reader: impl Read, each: &mut impl FnMut(Outcome, u64)) -> std::io::Result<()> {
    let (mut rdr, seen) = csv_reader(reader);
    let mut header = csv::StringRecord::new();
    let refuse = |each: &mut dyn FnMut(Outcome, u64), line, reason: String| {
        each(Err(Rejected { line, reason }), 0);
    };
    match rdr.read_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Ok(()),
        Err(e) => {
            refuse(each, 1, format!("unreadable CSV header: {e}"));
            return Ok(());
        }
    }
    let header_line = seen.borrow().line_at(0);
    if seen.borrow().left_open(0, rdr.position().byte()) {
        let line = seen.borrow().line_of(seen.borrow().opened_at);
        refuse(
            each,
            line,
            "unreadable CSV header: a quoted cell opened on this line is never closed; the file is not read".into(),
        );
        return Ok(());
    }
    let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    for (i, name) in names.iter().enumerate() {
        if let Some(j) = names[..i].iter().position(|n| n == name) {
            refuse(
                each,
                header_line,
                format!(
                    "the header names the column {name:?} twice (columns {} and {}): which one is meant cannot be known, so the file is not read",
                    j + 1,
                    i + 1
                ),
            );
            return Ok(());
        }
    }
    let mut part = rows(rdr, &seen, &names, Origin { lines: 0, bytes: 0 }, each)?;
    // Each pass that stops at an unclosed quote hands back the lines after
    // the quote's line, which are read again on their own.
    while let Some((bytes, origin)) = part {
        let (rdr, seen) = csv_reader(std::io::Cursor::new(bytes));
        part = rows(rdr, &seen, &names, origin, each)?;
    }
    Ok(())
}

type Rest = Option<(Vec<u8>, Origin)>;

/// Reads records until the end, or until the one an unclosed quote
/// swallowed: that one is reported and the bytes after its quote's line are
/// handed back.
fn rows<R: Read>(
    mut rdr: csv::Reader<Tracked<R>>,
    seen: &RefCell<Seen>,
    names: &[String],
    origin: Origin,
    each: &mut impl FnMut(Outcome, u64),
) -> std::io::Result<Rest> {
    let mut record = csv::StringRecord::new();
    loop {
        let start = rdr.position().byte();
        seen.borrow_mut().forget_before(start);
        let progress = |rdr: &csv::Reader<_>| origin.bytes.max(rdr.position().byte());
        match rdr.read_record(&mut record) {
            Ok(false) => return Ok(None),
            Err(e) => {
                let s = seen.borrow();
                let line = e
                    .position()
                    .map(|p| s.line_at(p.byte()))
                    .unwrap_or_else(|| s.line_at(start));
                drop(s);
                each(
                    Err(Rejected {
                        line: origin.lines + line,
                        reason: format!("unreadable CSV row: {e}"),
                    }),
                    progress(&rdr),
                );
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Ok(None);
                }
            }
            Ok(true) => {
                let end = rdr.position().byte();
                let s = seen.borrow();
                let first = s.line_at(start);
                if s.left_open(start, end) {
                    let opened = s.opened_at;
                    let line = s.line_of(opened);
                    let since = if first < line {
                        format!(" (in the row that starts on line {})", origin.lines + first)
                    } else {
                        String::new()
                    };
                    // The lines after the quote's own line are read again.
                    let next_line = s.lf.get(line - 1).map(|nl| nl + 1);
                    let rest = next_line
                        .map(|from| s.tail[(from - s.tail_start) as usize..].to_vec())
                        .filter(|rest| !rest.is_empty());
                    let total = origin.bytes.max(s.offset);
                    drop(s);
                    let reread = if rest.is_some() {
                        "; the lines after it are read as rows of their own"
                    } else {
                        ""
                    };
                    each(
                        Err(Rejected {
                            line: origin.lines + line,
                            reason: format!(
                                "a quoted cell opened on this line{since} is never closed before the end of the file{reread}"
                            ),
                        }),
                        total,
                    );
                    return Ok(rest.map(|bytes| {
                        (
                            bytes,
                            Origin {
                                lines: origin.lines + line,
                                bytes: total,
                            },
                        )
                    }));
                }
                let last = s.last_line(end).max(first);
                drop(s);
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                let line = origin.lines + first;
                let outcome = row_to_json(names, &record)
                    .map_err(|reason| Rejected { line, reason })
                    .and_then(|json| parse_json_line(line, &json))
                    .map_err(|mut r| {
                        if last > first {
                            r.reason.push_str(&format!(
                                " (this row runs from line {line} to line {}: a quoted cell spans lines)",
                                origin.lines + last
                            ));
                        }
                        r
                    });
                each(outcome, progress(&rdr));
            }
        }
    }
}

fn row_to_json(names: &[String], record: &csv::StringRecord) -> Result<String, String> {
    if record.len() != names.len() {
        return Err(format!(
            "{} cells where the header has {} columns",
            record.len(),
            names.len()
        ));
    }
    let mut root = Map::new();
    for (field, text) in names.iter().zip(record.iter()) {
        if !text.is_empty() {
            insert(&mut root, field, cell_value(field, text))?;
        }
    }
    Ok(Value::Object(root).to_string())
}
