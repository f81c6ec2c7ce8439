//! The finance screen's model: the executed payouts of a date range, read
//! with `Store::payouts` — the query `refund-desk export payouts` runs — and
//! written to a CSV file by that command's own writer, so the file is the
//! one the command prints for the same range.

use super::action::Action;
use super::app::{App, Popup};
use super::input::TextInput;
use crate::store::PayoutRow;
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What a line typed on the finance screen is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFor {
    Range,
    CsvPath,
}

impl InputFor {
    pub fn prompt(self) -> &'static str {
        match self {
            InputFor::Range => "dates (2026-11, 2026-11-03, FROM..TO): ",
            InputFor::CsvPath => "write CSV to: ",
        }
    }

    /// What Enter does, for the footer.
    pub fn confirm_label(self) -> &'static str {
        match self {
            InputFor::Range => "show these dates",
            InputFor::CsvPath => "write the file",
        }
    }
}

/// Per currency: what went out and stayed out, and what came back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Total {
    pub paid: Decimal,
    pub payouts: usize,
    pub returned: Decimal,
    pub returns: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finance {
    /// Local execution dates, both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The payouts, or why they could not be read.
    pub rows: Result<Vec<PayoutRow>, String>,
    pub totals: BTreeMap<String, Total>,
    pub cursor: usize,
    /// The last CSV written from this screen.
    pub written: Option<PathBuf>,
}

/// The first and last day of `day`'s month.
pub fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let last = first + Months::new(1) - chrono::Days::new(1);
    (first, last)
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{:?} is not a date (YYYY-MM-DD)", s.trim()))
}

/// `2026-11` (a month), `2026-11-03` (a day), `FROM..TO` or `FROM TO`.
pub fn parse_range(s: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let s = s.trim();
    let parts: Vec<&str> = s
        .split("..")
        .flat_map(|p| p.split_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    let (from, to) = match parts.as_slice() {
        [one] if one.len() == 7 => return date(&format!("{one}-01")).map(month_of),
        [one] => (date(one)?, date(one)?),
        [a, b] => (date(a)?, date(b)?),
        _ => return Err(format!("{s:?}: give a month, a day, or FROM..TO")),
    };
    if from > to {
        return Err(format!("{from} is after {to}"));
    }
    Ok((from, to))
}

fn totals(rows: &[PayoutRow]) -> BTreeMap<String, Total> {
    let mut out: BTreeMap<String, Total> = BTreeMap::new();
    for r in rows {
        let t = out.entry(r.currency.clone()).or_default();
        // The store writes exact two-decimal amounts; anything else is not money.
        let amount: Decimal = r.amount.parse().unwrap_or_default();
        if r.status == "returned" {
            t.returned += amount;
            t.returns += 1;
        } else {
            t.paid += amount;
            t.payouts += 1;
        }
    }
    out
}

impl App {
    /// Opens the screen on this month, or closes it.
    pub(super) fn open_finance(&mut self) {
        let (from, to) = month_of(self.today());
        self.finance = Some(Finance {
            from,
            to,
            rows: Ok(Vec::new()),
            totals: BTreeMap::new(),
            cursor: 0,
            written: None,
        });
        self.load_finance();
    }

    /// Reads the payouts of the screen's range again.
    pub(super) fn load_finance(&mut self) {
        let Some(f) = self.finance.as_ref() else {
            return;
        };
        let rows = self
            .store
            .payouts(Some(f.from), Some(f.to))
            .map_err(|e| e.to_string());
        let Some(f) = self.finance.as_mut() else {
            return;
        };
        f.totals = rows.as_deref().map(totals).unwrap_or_default();
        let n = rows.as_ref().map_or(0, |r| r.len());
        f.cursor = f.cursor.min(n.saturating_sub(1));
        f.rows = rows;
    }

    fn set_range(&mut self, from: NaiveDate, to: NaiveDate) {
        if let Some(f) = self.finance.as_mut() {
            (f.from, f.to, f.cursor) = (from, to, 0);
        }
        self.load_finance();
    }

    pub(super) fn update_finance(&mut self, action: Action) {
        let Some(f) = self.finance.as_mut() else {
            return;
        };
        let n = f.rows.as_ref().map_or(0, |r| r.len());
        let last = n.saturating_sub(1);
        match action {
            Action::Finance | Action::Cancel => self.finance = None,
            Action::Down => f.cursor = (f.cursor + 1).min(last),
            Action::Up => f.cursor = f.cursor.saturating_sub(1),
            Action::PageDown => f.cursor = (f.cursor + 10).min(last),
            Action::PageUp => f.cursor = f.cursor.saturating_sub(10),
            Action::Top => f.cursor = 0,
            Action::Bottom => f.cursor = last,
            Action::PrevMonth | Action::NextMonth => {
                let (from, back) = (f.from, action == Action::PrevMonth);
                let first = from.with_day(1).unwrap_or(from);
                let moved = if back {
                    first - Months::new(1)
                } else {
                    first + Months::new(1)
                };
                let (from, to) = month_of(moved);
                self.set_range(from, to);
            }
            Action::SetRange => {
                let text = format!("{}..{}", f.from, f.to);
                self.popups.push(Popup::Input {
                    purpose: InputFor::Range,
                    input: TextInput::new(text),
                });
            }
            Action::WriteCsv => {
                let name = format!("payouts-{}-{}.csv", f.from, f.to);
                self.popups.push(Popup::Input {
                    purpose: InputFor::CsvPath,
                    input: TextInput::new(name),
                });
            }
            Action::Refresh => self.refresh(None),
            Action::Help => self.popups.push(Popup::Help { scroll: 0 }),
            _ => {}
        }
    }

    pub(super) fn update_input(&mut self, action: Action) {
        let Some(Popup::Input { purpose, input }) = self.popups.last_mut() else {
            return;
        };
        match action {
            Action::Cancel => {
                self.popups.pop();
            }
            Action::Confirm | Action::Choose => {
                let (purpose, text) = (*purpose, input.value().trim().to_string());
                self.popups.pop();
                match purpose {
                    InputFor::Range => match parse_range(&text) {
                        Ok((from, to)) => self.set_range(from, to),
                        Err(e) => self.error(e),
                    },
                    InputFor::CsvPath => self.write_csv(&text),
                }
            }
            edit => {
                input.edit(edit);
            }
        }
    }

    /// Writes the rows on screen as `export payouts` prints them. A file
    /// that exists is left alone (the name says which range it holds, so
    /// it is most likely an earlier export); it is created readable by its
    /// writer only, as it names accounts and amounts.
    fn write_csv(&mut self, path: &str) {
        use std::os::unix::fs::OpenOptionsExt;
        let Some(f) = self.finance.as_mut() else {
            return;
        };
        let Ok(rows) = &f.rows else {
            return self.error("nothing to write: the payouts could not be read");
        };
        if path.is_empty() {
            return self.error("no file name given; nothing written");
        }
        let path = std::path::absolute(path).unwrap_or_else(|_| PathBuf::from(path));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(anyhow::Error::from)
            .and_then(|file| {
                let mut out = std::io::BufWriter::new(file);
                crate::cli::export::write_csv(&mut out, rows)?;
                std::io::Write::flush(&mut out)?;
                Ok(())
            });
        let (n, range) = (rows.len(), format!("{} … {}", f.from, f.to));
        match written {
            Ok(()) => {
                f.written = Some(path.clone());
                self.info(format!(
                    "wrote {n} payouts ({range}) to {}",
                    crate::text::inert(&path.display().to_string())
                ));
            }
            Err(e) => {
                let shown = crate::text::inert(&path.display().to_string());
                let exists = e
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::AlreadyExists);
                self.error(if exists {
                    format!("{shown} exists: nothing written (give another name)")
                } else {
                    format!("could not write {shown}: {e}")
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_a_month_a_day_or_two_dates() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            parse_range("2026-02").unwrap(),
            (d("2026-02-01"), d("2026-02-28"))
        );
        assert_eq!(
            parse_range(" 2026-11-03 ").unwrap(),
            (d("2026-11-03"), d("2026-11-03"))
        );
        assert_eq!(
            parse_range("2026-11-01..2026-12-15").unwrap(),
            (d("2026-11-01"), d("2026-12-15"))
        );
        assert_eq!(
            parse_range("2026-11-01 2026-11-02").unwrap(),
            (d("2026-11-01"), d("2026-11-02"))
        );
        assert!(parse_range("2026-11-05..2026-11-01").is_err());
        assert!(parse_range("last week").is_err());
        assert_eq!(
            month_of(d("2026-12-31")),
            (d("2026-12-01"), d("2026-12-31"))
        );
    }
}
