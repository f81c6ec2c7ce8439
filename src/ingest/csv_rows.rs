//! CSV with the JSON fields flattened by dots. Every cell is text, turned
//! into the JSON type its field takes and then validated by the same rules
//! as JSON Lines; an empty cell is absent.

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
fn cell_value(field: &str, text: &str) -> Value {
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
    cur.insert(last.to_string(), value);
    Ok(())
}

/// Remembers where every newline is, so a record's starting byte gives its
/// physical line number: the csv crate's own count skips blank lines and
/// miscounts CRLF endings.
struct LineIndex<R> {
    inner: R,
    offset: u64,
    newlines: Rc<RefCell<Breaks>>,
}

/// Offsets of every `\n`, and of every `\r` or `\n` (line-break bytes).
#[derive(Default)]
struct Breaks {
    lf: Vec<u64>,
    any: Vec<u64>,
}

impl<R: Read> Read for LineIndex<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut nl = self.newlines.borrow_mut();
        for (i, b) in buf[..n].iter().enumerate() {
            if matches!(b, b'\n' | b'\r') {
                nl.any.push(self.offset + i as u64);
                if *b == b'\n' {
                    nl.lf.push(self.offset + i as u64);
                }
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// The physical line of the first content byte at or after `byte` (the csv
/// crate reports a record as starting where the blank lines before it start).
fn line_at(breaks: &RefCell<Breaks>, byte: u64) -> usize {
    let b = breaks.borrow();
    let mut at = byte;
    let mut i = b.any.partition_point(|&x| x < at);
    while b.any.get(i) == Some(&at) {
        at += 1;
        i += 1;
    }
    b.lf.partition_point(|&nl| nl < at) + 1
}

pub(super) fn read(reader: impl Read, each: &mut impl FnMut(Outcome, u64)) -> std::io::Result<()> {
    let newlines = Rc::new(RefCell::new(Breaks::default()));
    let indexed = LineIndex {
        inner: reader,
        offset: 0,
        newlines: newlines.clone(),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(indexed);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            each(
                Err(Rejected {
                    line: 1,
                    reason: format!("unreadable CSV header: {e}"),
                }),
                0,
            );
            return Ok(());
        }
    };
    let mut record = csv::StringRecord::new();
    loop {
        let line = line_at(&newlines, rdr.position().byte());
        match rdr.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| line_at(&newlines, p.byte()))
                    .unwrap_or(line);
                each(
                    Err(Rejected {
                        line,
                        reason: format!("unreadable CSV row: {e}"),
                    }),
                    rdr.position().byte(),
                );
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Ok(());
                }
            }
            Ok(true) => {
                let line = record
                    .position()
                    .map(|p| line_at(&newlines, p.byte()))
                    .unwrap_or(line);
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                let outcome = row_to_json(&headers, &record)
                    .map_err(|reason| Rejected { line, reason })
                    .and_then(|json| parse_json_line(line, &json));
                each(outcome, rdr.position().byte());
            }
        }
    }
}

fn row_to_json(headers: &csv::StringRecord, record: &csv::StringRecord) -> Result<String, String> {
    if record.len() != headers.len() {
        return Err(format!(
            "{} cells where the header has {} columns",
            record.len(),
            headers.len()
        ));
    }
    let mut root = Map::new();
    for (field, text) in headers.iter().zip(record.iter()) {
        if !text.is_empty() {
            insert(&mut root, field.trim(), cell_value(field.trim(), text))?;
        }
    }
    Ok(Value::Object(root).to_string())
}
