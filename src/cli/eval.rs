//! `refund-desk eval FILE [--policy-dir DIR]`: verdicts of a JSONL file, no
//! database; the file is the whole context for the ⟲ rules.

use super::{open_input, report_rejected, ExitCode};
use crate::domain::policy::{evaluate_all, Policy};
use crate::ingest::{self, Parsed};
use serde_json::json;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

pub fn run(file: &str, policy_dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let policy = &Policy::load(policy_dir)?;
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut rejected = 0usize;
    // Which parsed entry an id first appeared at, for duplicate detection.
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    // Per valid line: the index of the ticket it shows.
    let mut lines: Vec<usize> = Vec::new();
    ingest::read_all(file, open_input(file)?, |outcome, _| match outcome {
        Err(r) => {
            rejected += 1;
            report_rejected(file, &r);
        }
        Ok(p) => match first_seen.get(&p.ticket.id) {
            Some(&i) if parsed[i].value() == p.value() => lines.push(i),
            Some(_) => {
                rejected += 1;
                report_rejected(
                    file,
                    &ingest::Rejected {
                        line: p.line,
                        reason: format!(
                            "id {} conflicts with an earlier line of the same id",
                            p.ticket.id
                        ),
                    },
                );
            }
            None => {
                first_seen.insert(p.ticket.id.clone(), parsed.len());
                lines.push(parsed.len());
                parsed.push(p);
            }
        },
    })?;
    let tickets: Vec<_> = parsed.into_iter().map(|p| p.ticket).collect();
    let verdicts = evaluate_all(&tickets, policy);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for i in lines {
        writeln!(
            out,
            "{}",
            json!({"id": tickets[i].id, "verdict": verdicts[i]})
        )?;
    }
    out.flush()?;
    Ok(if rejected > 0 {
        ExitCode::Rejected
    } else {
        ExitCode::Ok
    })
}
