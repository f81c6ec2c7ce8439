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
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Holiday Wed 2026-11-25, a holiday on Sat 2026-11-28 (no effect),
    /// and make-up Saturday 2026-12-05.
    fn sample() -> Calendar {
        Calendar::from_toml(
            "sample.toml",
            "name = \"Sample\"\n\
             holidays = [2026-11-25, 2026-11-28]\n\
             workdays = [2026-12-05]\n",
        )
        .unwrap()
    }

    // 2026-11-23 is a Monday ("today").

    #[test]
    fn weekends_are_not_business_days() {
        let cal = Calendar::plain();
        assert!(cal.is_business_day(d(2026, 11, 23)));
        assert!(cal.is_business_day(d(2026, 11, 27)));
        assert!(!cal.is_business_day(d(2026, 11, 28)));
        assert!(!cal.is_business_day(d(2026, 11, 29)));
        // Mon + 5 bd skips the weekend.
        assert_eq!(cal.add_bd(d(2026, 11, 23), 5), d(2026, 11, 30));
        // Starting on a Saturday: Mon is the first business day after it.
        assert_eq!(cal.add_bd(d(2026, 11, 28), 1), d(2026, 11, 30));
    }

    #[test]
    fn friday_plus_one_is_monday() {
        assert_eq!(
            Calendar::plain().add_bd(d(2026, 11, 27), 1),
            d(2026, 11, 30)
        );
    }

    #[test]
    fn zero_days_returns_the_date_itself() {
        let cal = Calendar::plain();
        assert_eq!(cal.add_bd(d(2026, 11, 23), 0), d(2026, 11, 23));
        assert_eq!(cal.add_bd(d(2026, 11, 28), 0), d(2026, 11, 28));
    }

    #[test]
    fn holidays_are_skipped() {
        let cal = sample();
        assert!(!cal.is_business_day(d(2026, 11, 25)));
        // Mon + 2: Tue, (Wed holiday), Thu.
        assert_eq!(cal.add_bd(d(2026, 11, 23), 2), d(2026, 11, 26));
        assert_eq!(cal.bd_between(d(2026, 11, 23), d(2026, 11, 27)), 3);
    }

    #[test]
    fn make_up_saturday_is_counted() {
        let cal = sample();
        assert!(cal.is_business_day(d(2026, 12, 5)));
        // Fri 2026-12-04 + 1 = the make-up Saturday.
        assert_eq!(cal.add_bd(d(2026, 12, 4), 1), d(2026, 12, 5));
        assert_eq!(cal.add_bd(d(2026, 12, 4), 2), d(2026, 12, 7));
        assert_eq!(cal.bd_between(d(2026, 12, 4), d(2026, 12, 7)), 2);
    }

    #[test]
    fn holiday_on_a_weekend_changes_nothing() {
        let cal = sample();
        assert!(!cal.is_business_day(d(2026, 11, 28)));
        // Thu 26 + 2 = Mon 30, same as the plain calendar.
        assert_eq!(cal.add_bd(d(2026, 11, 26), 2), d(2026, 11, 30));
        assert_eq!(cal.bd_between(d(2026, 11, 26), d(2026, 11, 30)), 2);
    }

    #[test]
    fn bd_between_is_antisymmetric_and_matches_add_bd() {
        let cal = sample();
        let (mon, next_mon) = (d(2026, 11, 23), d(2026, 11, 30));
        assert_eq!(cal.bd_between(mon, next_mon), 4); // Tue, Thu, Fri, Mon
        assert_eq!(cal.bd_between(next_mon, mon), -4);
        assert_eq!(cal.bd_between(mon, mon), 0);
        // Sat → Sun: nothing in between.
        assert_eq!(cal.bd_between(d(2026, 11, 28), d(2026, 11, 29)), 0);
        // The arithmetic count agrees with walking, over a long stretch
        // including both sets and dates before/after them.
        let start = d(2026, 10, 1);
        for n in 0..120 {
            assert_eq!(cal.bd_between(start, cal.add_bd(start, n)), i64::from(n));
        }
        let cn = cn_2026();
        for n in 0..300 {
            assert_eq!(
                cn.bd_between(d(2025, 12, 20), cn.add_bd(d(2025, 12, 20), n)),
                i64::from(n)
            );
        }
    }

    #[test]
    fn stage_due_dates() {
        let cal = Calendar::plain();
        let mon = d(2026, 11, 23);
        assert_eq!(
            stage_due(&cal, Stage::InitialReview, mon, 0),
            Due {
                target: d(2026, 11, 26),
                breach: Some(d(2026, 11, 30))
            }
        );
        assert_eq!(
            stage_due(&cal, Stage::Evaluation, mon, 0),
            Due {
                target: d(2026, 11, 30),
                breach: Some(d(2026, 12, 7))
            }
        );
        assert_eq!(
            stage_due(&cal, Stage::Execution, mon, 0),
            Due {
                target: d(2026, 12, 14),
                breach: Some(d(2027, 1, 4))
            }
        );
        assert_eq!(
            stage_due(&cal, Stage::Feedback, mon, 0),
            Due {
                target: d(2026, 12, 8),
                breach: None
            }
        );
    }

    #[test]
    fn pauses_shift_target_and_breach() {
        let cal = Calendar::plain();
        let mon = d(2026, 11, 23);
        // Waiting from Tue 24 to Fri 27 = 3 bd (Wed, Thu, Fri).
        let paused = paused_bd(&cal, d(2026, 11, 24), d(2026, 11, 27));
        assert_eq!(paused, 3);
        assert_eq!(
            stage_due(&cal, Stage::InitialReview, mon, paused),
            // add_bd(mon, 3 + 3) and add_bd(mon, 5 + 3)
            Due {
                target: d(2026, 12, 1),
                breach: Some(d(2026, 12, 3))
            }
        );
        // Same-day resume and reversed clocks cost nothing.
        assert_eq!(paused_bd(&cal, mon, mon), 0);
        assert_eq!(paused_bd(&cal, d(2026, 11, 27), mon), 0);
        // A weekend-only wait costs nothing either.
        assert_eq!(paused_bd(&cal, d(2026, 11, 27), d(2026, 11, 29)), 0);
    }

    #[test]
    fn due_labels() {
        let cal = Calendar::plain();
        let today = d(2026, 11, 23);
        let due_wed = Due {
            target: d(2026, 11, 25),
            breach: None,
        };
        assert_eq!(
            due_label(&cal, Stage::Evaluation, &due_wed, today),
            "due in 2 bd"
        );
        let due_today = Due {
            target: today,
            breach: None,
        };
        assert_eq!(
            due_label(&cal, Stage::Evaluation, &due_today, today),
            "due today"
        );
        let due_fri = Due {
            target: d(2026, 11, 20),
            breach: None,
        };
        assert_eq!(
            due_label(&cal, Stage::Execution, &due_fri, today),
            "overdue 1 bd"
        );
        assert_eq!(
            due_label(&cal, Stage::Execution, &due_fri, d(2026, 11, 21)),
            "overdue 0 bd"
        );
        // Due next Monday, seen on Friday: 1 bd, not 3 calendar days.
        let due_mon = Due {
            target: d(2026, 11, 30),
            breach: None,
        };
        assert_eq!(
            due_label(&cal, Stage::InitialReview, &due_mon, d(2026, 11, 27)),
            "due in 1 bd"
        );

        let appeal = stage_due(&cal, Stage::Feedback, d(2026, 11, 11), 0); // ends 26th
        assert_eq!(
            due_label(&cal, Stage::Feedback, &appeal, today),
            "appeal 3 d left"
        );
        assert_eq!(
            due_label(&cal, Stage::Feedback, &appeal, d(2026, 11, 26)),
            "appeal closes today"
        );
        assert_eq!(
            due_label(&cal, Stage::Feedback, &appeal, d(2026, 11, 27)),
            "appeal closed"
        );
    }

    #[test]
    fn toml_syntax_error_reports_its_line() {
        let err = Calendar::from_toml("bad.toml", "name = \"x\"\n\nholidays = [2026-13-01]\n")
            .unwrap_err();
        assert_eq!(err.calendar, "bad.toml");
        assert_eq!(err.line, 3);
        assert!(
            err.to_string().starts_with("calendar `bad.toml`, line 3: "),
            "{err}"
        );
    }

    #[test]
    fn unknown_key_is_rejected() {
        let err =
            Calendar::from_toml("bad.toml", "name = \"x\"\nholiday = [2026-01-01]\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.reason.contains("holiday"), "{err}");
    }

    #[test]
    fn non_date_values_are_rejected() {
        let err = Calendar::from_toml("bad.toml", "holidays = [\n  2026-01-01T10:00:00,\n]\n")
            .unwrap_err();
        assert_eq!(err.line, 2);
        let err = Calendar::from_toml("bad.toml", "holidays = [\"2026-01-01\"]\n").unwrap_err();
        assert_eq!(err.line, 1);
    }

    #[test]
    fn workday_on_a_weekday_is_rejected_with_its_line() {
        let err = Calendar::from_toml(
            "bad.toml",
            "holidays = []\nworkdays = [\n  2026-10-10,\n  2026-10-12,\n]\n",
        )
        .unwrap_err();
        assert_eq!(err.line, 4);
        assert!(err.reason.contains("2026-10-12"), "{err}");
        assert!(err.reason.contains("Monday"), "{err}");
    }

    #[test]
    fn date_both_holiday_and_workday_is_rejected() {
        let err = Calendar::from_toml(
            "bad.toml",
            "holidays = [2026-10-10]\nworkdays = [2026-10-10]\n",
        )
        .unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.reason.contains("2026-10-10"), "{err}");
        assert!(err.reason.contains("line 1"), "{err}");
    }

    #[test]
    fn name_falls_back_to_the_source_name() {
        assert_eq!(Calendar::from_toml("x.toml", "").unwrap().name(), "x.toml");
    }

    #[test]
    fn default_file_is_plain_monday_to_friday() {
        let cal = Calendar::builtin_default();
        assert!(cal.holidays().is_empty());
        assert!(cal.workdays().is_empty());
        assert_eq!(cal.name(), Calendar::plain().name());
        assert_eq!(cal, Calendar::plain());
    }

    fn cn_2026() -> Calendar {
        Calendar::from_toml(
            "cn-2026.toml",
            include_str!("../../assets/calendars/cn-2026.toml"),
        )
        .unwrap()
    }

    #[test]
    fn cn_2026_file_parses() {
        let cal = cn_2026();
        assert_eq!(cal.workdays().len(), 6);
        // Spring Festival: off Mon 2026-02-23, worked Sat 2026-02-28.
        assert!(!cal.is_business_day(d(2026, 2, 23)));
        assert!(cal.is_business_day(d(2026, 2, 28)));
        // National Day week: Wed 2026-09-30 + 1 bd = Thu 2026-10-08.
        assert_eq!(cal.add_bd(d(2026, 9, 30), 1), d(2026, 10, 8));
        // 2026 has 261 Mon–Fri days; 14 of the 33 holidays fall on a
        // weekend, and 19 weekday holidays = 13 statutory days + 6 make-up
        // days, as the notice intends.
        assert_eq!(
            cal.bd_between(d(2025, 12, 31), d(2026, 12, 31)),
            261 - 19 + 6
        );
    }
}
