//! Reading ticket files (JSON Lines or CSV) into validated tickets, one
//! outcome per line so that a bad line never hides the good ones.

pub mod batches;
mod csv_rows;
mod facts;

pub use facts::{check_field, set_facts, FactChange, FIELDS};

use crate::domain::ticket::Ticket;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};

/// A valid line: the JSON as received and the ticket read from it.
#[derive(Debug)]
pub struct Parsed {
    pub line: usize,
    /// The JSON as received (for CSV: the row as JSON), stored verbatim.
    pub raw: String,
    pub ticket: Ticket,
}

impl Parsed {
    /// The line as a JSON value, for "same content" comparisons. Parsed on
    /// demand: only re-imports and duplicate ids need it.
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.raw).unwrap_or(Value::Null)
    }
}

/// A rejected line.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub line: usize,
    pub reason: String,
}

pub type Outcome = Result<Parsed, Rejected>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Csv,
}

impl Format {
    /// `.csv` files are CSV and `.jsonl`/`.json`/`.ndjson` are JSON Lines.
    /// Anything else (stdin included) is CSV only if its first line is a
    /// header naming an `id` column; otherwise it is JSON Lines, so a broken
    /// first line is reported as such instead of being taken for a header.
    pub fn detect(name: &str, first_bytes: &[u8]) -> Format {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            return Format::Csv;
        }
        if [".jsonl", ".json", ".ndjson"]
            .iter()
            .any(|e| lower.ends_with(e))
        {
            return Format::JsonLines;
        }
        let first_line = first_bytes
            .split(|b| *b == b'\n')
            .next()
            .unwrap_or_default();
        let text = String::from_utf8_lossy(first_line);
        let is_header = !text.trim_start().starts_with('{')
            && text
                .trim_end()
                .split(',')
                .any(|f| f.trim().trim_matches('"') == "id");
        if is_header {
            Format::Csv
        } else {
            Format::JsonLines
        }
    }
}

/// Validates one JSON Lines line.
pub fn parse_json_line(line: usize, text: &str) -> Outcome {
    let ticket = Ticket::from_text(text).map_err(|reason| Rejected { line, reason })?;
    Ok(Parsed {
        line,
        raw: text.to_string(),
        ticket,
    })
}

/// Streams the outcomes of a reader, calling `each` per non-blank line, so a
/// million-line file never sits in memory at once. `bytes_read` lets callers
/// show progress.
pub fn read_all(
    name: &str,
    reader: impl Read,
    mut each: impl FnMut(Outcome, u64),
) -> std::io::Result<()> {
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    // A byte-order mark is no part of the first line, in either format.
    let bom = reader.fill_buf()?.starts_with(b"\xef\xbb\xbf");
    if bom {
        reader.consume(3);
    }
    let format = Format::detect(name, reader.fill_buf()?);
    match format {
        Format::Csv => csv_rows::read(reader, &mut each),
        Format::JsonLines => {
            let mut buf = Vec::new();
            let mut line_no = 0;
            let mut consumed = if bom { 3 } else { 0 };
            loop {
                buf.clear();
                let n = reader.read_until(b'\n', &mut buf)?;
                if n == 0 {
                    return Ok(());
                }
                consumed += n as u64;
                line_no += 1;
                let outcome = match std::str::from_utf8(&buf) {
                    Err(e) => Err(Rejected {
                        line: line_no,
                        reason: format!("not valid UTF-8 (byte {})", e.valid_up_to()),
                    }),
                    Ok(text) => {
                        let text = text.trim_end_matches(['\n', '\r']);
                        if text.trim().is_empty() {
                            continue;
                        }
                        parse_json_line(line_no, text)
                    }
                };
                each(outcome, consumed);
            }
        }
    }
}

#[cfg(test)]
mod tests;
