//! `refund-desk import FILE... [--update]`

use super::{open_input, report_rejected, ExitCode, Setup};
use crate::store::{ImportOptions, ImportReport, ImportStep};
use std::io::IsTerminal;

pub fn run(setup: &Setup, files: &[String], update: bool) -> anyhow::Result<ExitCode> {
    let mut store = setup.open_or_create(crate::store::DeskKind::for_clock(setup.clock))?;
    // Importing (and --update above all) changes what agents act on: only
    // operators the desk knows may do it.
    if let Err(e) = store.actor() {
        eprintln!("refund-desk: import: {e}");
        return Ok(ExitCode::Error);
    }
    let mut total = ImportReport::default();
    for file in files {
        let size = (file != "-")
            .then(|| std::fs::metadata(file).map(|m| m.len()).ok())
            .flatten();
        let input = open_input(file)?;
        let mut bar = Progress::new(file, size);
        let report = store.import(
            file,
            input,
            ImportOptions { update },
            |r| report_rejected(file, r),
            |step| bar.step(step),
        )?;
        bar.finish();
        total.added += report.added;
        total.updated += report.updated;
        total.unchanged += report.unchanged;
        total.rejected += report.rejected;
        total.reverdicts += report.reverdicts;
    }
    eprintln!(
        "imported {} new, {} updated, {} unchanged, {} rejected{}",
        total.added,
        total.updated,
        total.unchanged,
        total.rejected,
        if total.reverdicts > 0 {
            format!("; {} earlier verdicts changed", total.reverdicts)
        } else {
            String::new()
        }
    );
    Ok(if total.rejected > 0 {
        ExitCode::Rejected
    } else {
        ExitCode::Ok
    })
}

/// A one-line progress bar on stderr, only when stderr is a terminal.
pub struct Progress {
    label: String,
    total: Option<u64>,
    on: bool,
    started: std::time::Instant,
    /// Something is on the line for `finish` to clear.
    drawn: bool,
}

impl Progress {
    pub fn new(label: &str, total: Option<u64>) -> Progress {
        Progress {
            label: crate::text::inert(label),
            total,
            on: std::io::stderr().is_terminal(),
            started: std::time::Instant::now(),
            drawn: false,
        }
    }

    pub fn show(&mut self, done: u64) {
        if !self.on || self.started.elapsed().as_millis() < 500 {
            return;
        }
        match self.total.filter(|t| *t > 0) {
            Some(total) => {
                let pct = (done.min(total) * 100 / total) as usize;
                let bar = "█".repeat(pct / 4) + &"░".repeat(25 - pct / 4);
                eprint!("\r{} {bar} {pct:3}%", self.label);
            }
            None => eprint!("\r{} {} …", self.label, done),
        }
        self.drawn = true;
    }

    pub fn step(&mut self, step: ImportStep) {
        match step {
            ImportStep::Read(bytes) => self.show(bytes),
            ImportStep::Indexing if self.on => {
                eprint!("\r\x1b[2K{} building indexes and search …", self.label);
                self.drawn = true;
            }
            ImportStep::Indexing => {}
        }
    }

    pub fn finish(&mut self) {
        if self.drawn {
            eprint!("\r\x1b[2K");
            self.drawn = false;
        }
    }
}
