//! Business-day calendar and SLA due dates.
//!
//! Business days are Monday–Friday in the policy timezone, minus the
//! holidays and plus the make-up working days of the configured calendar
//! (`assets/calendars/*.toml`). Everything here works on *local dates*
//! (`NaiveDate`): converting `received_at` and stage-entry timestamps to the
//! policy timezone is the caller's job, so this module never sees a timezone.
//!
//! Counting convention, used everywhere: a span of business days is counted
//! over `(from, to]` — the start date itself never counts, the end date does.
//! That is what makes "`add_bd(d, n)` counts n business days after `d`" and
//! `bd_between(d, add_bd(d, n)) == n` hold together.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A loaded calendar file could not be used.
///
/// Carries the 1-based line so the operator can fix the file without
/// hunting for the offending date.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("calendar `{calendar}`, line {line}: {reason}")]
pub struct CalendarError {
    /// The name passed to [`Calendar::from_toml`] (usually the file name).
    pub calendar: String,
    /// 1-based line in the TOML text.
    pub line: usize,
    pub reason: String,
}

/// Which dates are business days.
///
/// The weekend is always Saturday/Sunday. Invariants (enforced by
/// [`Calendar::from_toml`], which is why the fields are private): every
/// workday is a Saturday or Sunday, and no date is both a holiday and a
/// workday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    name: String,
    /// Days off. May include weekend days (harmless: they are off anyway).
    holidays: BTreeSet<NaiveDate>,
    /// Make-up working days: weekend days that are worked.
    workdays: BTreeSet<NaiveDate>,
}

/// On-disk shape of `assets/calendars/*.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    name: Option<String>,
    #[serde(default)]
    holidays: Vec<toml::Spanned<toml::value::Datetime>>,
    #[serde(default)]
    workdays: Vec<toml::Spanned<toml::value::Datetime>>,
}

impl Calendar {
    /// Monday–Friday, no holidays.
    pub fn plain() -> Calendar {
        Calendar {
            name: "Plain Monday–Friday".to_owned(),
            holidays: BTreeSet::new(),
            workdays: BTreeSet::new(),
        }
    }

    /// Parse a calendar file. `name` identifies the source in errors and is
    /// the calendar's name when the file has no `name` key.
    ///
    /// Rejects unknown keys, values that are not TOML local dates, workdays
    /// that are not on a weekend (a make-up day on a weekday is almost
    /// certainly a typo), and dates listed as both holiday and workday
    /// (ambiguous: we refuse to guess which one wins).
    pub fn from_toml(name: &str, text: &str) -> Result<Calendar, CalendarError> {
        let err = |span: Option<Range<usize>>, reason: String| CalendarError {
            calendar: name.to_owned(),
            line: line_of(text, span.map_or(0, |s| s.start)),
            reason,
        };
        let file: CalendarFile =
            toml::from_str(text).map_err(|e| err(e.span(), e.message().trim().to_owned()))?;

        let mut holidays = BTreeSet::new();
        // Remember where each holiday was written, for the conflict message.
        let mut holiday_lines = BTreeMap::new();
        for h in &file.holidays {
            let d = local_date(h.get_ref()).map_err(|r| err(Some(h.span()), r))?;
            holidays.insert(d);
            holiday_lines
                .entry(d)
                .or_insert_with(|| line_of(text, h.span().start));
        }

        let mut workdays = BTreeSet::new();
        for w in &file.workdays {
            let d = local_date(w.get_ref()).map_err(|r| err(Some(w.span()), r))?;
            if !is_weekend(d) {
                return Err(err(
                    Some(w.span()),
                    format!(
                        "workday {d} is a {}; workdays are make-up working days \
                         and must fall on a Saturday or Sunday",
                        d.format("%A")
                    ),
                ));
            }
            if let Some(hline) = holiday_lines.get(&d) {
                return Err(err(
                    Some(w.span()),
                    format!("{d} is listed both as a workday and as a holiday (line {hline})"),
                ));
            }
            workdays.insert(d);
        }

        Ok(Calendar {
            name: file.name.unwrap_or_else(|| name.to_owned()),
            holidays,
            workdays,
        })
    }

    /// The shipped `assets/calendars/default.toml`, compiled into the binary
    /// so the app works without an assets directory.
    ///
    /// Panics only if that file is broken, which the tests below catch.
    pub fn builtin_default() -> Calendar {
        Calendar::from_toml(
            "default.toml",
            include_str!("../../assets/calendars/default.toml"),
        )
        .expect("built-in assets/calendars/default.toml must parse")
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    pub fn workdays(&self) -> &BTreeSet<NaiveDate> {
        &self.workdays
    }

    /// Workdays win over the weekend; holidays win over Monday–Friday.
    /// (A date can't be both, see the type invariants.)
    pub fn is_business_day(&self, d: NaiveDate) -> bool {
        if is_weekend(d) {
            self.workdays.contains(&d)
        } else {
            !self.holidays.contains(&d)
        }
    }

    /// The date `n` business days after `d`; `d` itself is not counted, so
    /// a Friday + 1 is the next Monday and `n = 0` returns `d` unchanged
    /// (even if `d` is not a business day).
    ///
    /// Walks day by day: callers use n ≤ 60, each step is two `BTreeSet`
    /// lookups at most, and a walk is easy to trust. Always terminates since
    /// a calendar lists finitely many holidays.
    pub fn add_bd(&self, d: NaiveDate, n: u32) -> NaiveDate {
        let mut date = d;
        let mut left = n;
        while left > 0 {
            date = date + Days::new(1);
            if self.is_business_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// Business days in `(from, to]`, or minus the business days in
    /// `(to, from]` when `to < from` (so `bd_between(a, b) ==
    /// -bd_between(b, a)`).
    ///
    /// Used for "due in 2 bd" / "overdue 1 bd" and for measuring pauses.
    /// Computed arithmetically (weekday count, then correct for the
    /// holidays and workdays inside the range) because pauses can be long.
    pub fn bd_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.bd_between(to, from);
        }
        let weekdays = weekdays_through(to) - weekdays_through(from);
        let (start, end) = (
            std::ops::Bound::Excluded(from),
            std::ops::Bound::Included(to),
        );
        let holidays_on_weekdays = self
            .holidays
            .range((start, end))
            .filter(|d| !is_weekend(**d))
            .count() as i64;
        // Every workday is on a weekend (invariant), so each one adds a day.
        let workdays = self.workdays.range((start, end)).count() as i64;
        weekdays - holidays_on_weekdays + workdays
    }
}

/// SLA stages with a clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Clock starts at the local date of `received_at`.
    InitialReview,
    /// Clock starts on entering evaluation.
    Evaluation,
    /// Clock starts on entering feedback; counts calendar days (appeal window).
    Feedback,
    /// Clock starts on entering execution.
    Execution,
}

/// Due dates of one stage. `breach` is `None` when the stage has no breach
/// (feedback: the appeal window simply closes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Due {
    pub target: NaiveDate,
    pub breach: Option<NaiveDate>,
}

/// Calendar days in the feedback appeal window.
const APPEAL_WINDOW_DAYS: u64 = 15;

/// Business days spent waiting between entering awaiting_info on
/// `paused_on` and info_received on `resumed_on` (local dates), i.e.
/// `bd_between(paused_on, resumed_on)`: the pause date still counts towards
/// the SLA, the resume date does not. Pausing and resuming the same day
/// costs nothing. Clamped at 0 so bad clock data can't pull due dates
/// earlier. Sum this over all pauses of a stage to get `paused_bd`.
pub fn paused_bd(cal: &Calendar, paused_on: NaiveDate, resumed_on: NaiveDate) -> u32 {
    u32::try_from(cal.bd_between(paused_on, resumed_on).max(0)).unwrap_or(u32::MAX)
}

/// Due dates of a stage that started on `start` (a local date), with
/// `paused_bd` business days spent in awaiting_info added (see
/// [`paused_bd`]).
///
/// The pause moves both dates by the same number of business days:
/// `target = add_bd(start, 3 + paused_bd)` and
/// `breach = add_bd(start, 5 + paused_bd)` for initial review, likewise for
/// the other business-day stages. Feedback counts calendar days
/// (`target = start + 15 days`, no breach) and ignores `paused_bd`, because
/// awaiting_info can't be entered from feedback.
pub fn stage_due(cal: &Calendar, stage: Stage, start: NaiveDate, paused_bd: u32) -> Due {
    let (target_bd, breach_bd) = match stage {
        Stage::InitialReview => (3, 5),
        Stage::Evaluation => (5, 10),
        Stage::Execution => (15, 30),
        Stage::Feedback => {
            return Due {
                target: start + Days::new(APPEAL_WINDOW_DAYS),
                breach: None,
            };
        }
    };
    Due {
        target: cal.add_bd(start, target_bd + paused_bd),
        breach: Some(cal.add_bd(start, breach_bd + paused_bd)),
    }
}

/// Short label for the ticket list.
///
/// Business-day stages: "due in 2 bd", "due today", "overdue 1 bd", the
/// counts being business days between today and the target. A day after
/// the target that is not itself a business day (e.g. the Saturday after a
/// Friday target) reads "overdue 0 bd": it is late, but no business day has
/// been lost yet.
///
/// Feedback counts calendar days to the end of the appeal window:
/// "appeal 3 d left", "appeal closes today" on the last day, then
/// "appeal closed".
pub fn due_label(cal: &Calendar, stage: Stage, due: &Due, today: NaiveDate) -> String {
    if stage == Stage::Feedback {
        let left = (due.target - today).num_days();
        return match left {
            1.. => format!("appeal {left} d left"),
            0 => "appeal closes today".to_owned(),
            _ => "appeal closed".to_owned(),
        };
    }
    if today == due.target {
        "due today".to_owned()
    } else if today < due.target {
        format!("due in {} bd", cal.bd_between(today, due.target))
    } else {
        format!("overdue {} bd", cal.bd_between(due.target, today))
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Monday–Friday days from an arbitrary fixed origin through `d`; only
/// differences are meaningful. Day 1 of the common era (0001-01-01) is a
/// Monday, so within each 7-day block counted from it the first five days
/// are weekdays. `div_euclid`/`rem_euclid` keep that true before the origin.
fn weekdays_through(d: NaiveDate) -> i64 {
    let n = i64::from(d.num_days_from_ce());
    5 * n.div_euclid(7) + n.rem_euclid(7).min(5)
}

/// 1-based line containing byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A TOML local date (`2026-10-01`, unquoted), nothing more: a time or an
/// offset would suggest the author meant something we don't model.
fn local_date(v: &toml::value::Datetime) -> Result<NaiveDate, String> {
    match (v.date, v.time, v.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .ok_or_else(|| format!("{v} is not a valid date"))
        }
        _ => Err(format!("expected a local date like 2026-10-01, found {v}")),
    }
}

#[cfg(test)]
mod tests;
