//! CSV with the JSON fields flattened by dots. Every cell is text, turned
//! into the JSON type its field takes and then validated by the same rules
//! as JSON Lines; an empty cell is absent.

use super::{parse_json_line, Outcome, Rejected};
use serde_json::{Map, Value};
use std::io::Read;

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

pub(super) fn read(reader: impl Read, each: &mut impl FnMut(Outcome, u64)) -> std::io::Result<()> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
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
        let line = rdr.position().line() as usize;
        match rdr.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(line);
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
                let line = record.position().map(|p| p.line() as usize).unwrap_or(line);
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
