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
    let err =
        Calendar::from_toml("bad.toml", "name = \"x\"\n\nholidays = [2026-13-01]\n").unwrap_err();
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
    let err =
        Calendar::from_toml("bad.toml", "holidays = [\n  2026-01-01T10:00:00,\n]\n").unwrap_err();
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
        include_str!("../../../assets/calendars/cn-2026.toml"),
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
