//! How late a ticket is, in words and a symbol as well as a colour: past
//! its target (late, still inside the service level) is not the same as
//! past its breach date (the service level is broken), and an agent
//! reading a monochrome terminal must tell them apart.

use crate::domain::calendar::{Calendar, Due, Stage};
use crate::domain::workflow::State;
use chrono::NaiveDate;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Fine,
    DueToday,
    PastTarget,
    Breached,
}

pub const PAST_TARGET: &str = "▲";
pub const BREACHED: &str = "✖";
pub const DUE_TODAY: &str = "◷";

/// The label and urgency of a ticket in `state` with due dates `due`.
pub fn label(
    cal: &Calendar,
    state: State,
    due: Option<Due>,
    today: NaiveDate,
) -> (String, Urgency) {
    let stage = Some(state)
        .filter(|s| !s.is_terminal())
        .and_then(|s| s.stage());
    let (Some(stage), Some(due)) = (stage, due) else {
        return ("—".into(), Urgency::Fine);
    };
    if stage == Stage::Feedback {
        // The appeal window closes; nothing is breached.
        let left = (due.target - today).num_days();
        return match left {
            1.. => (format!("appeal {left} d"), Urgency::Fine),
            0 => (format!("{DUE_TODAY} appeal today"), Urgency::DueToday),
            _ => ("appeal closed".into(), Urgency::Fine),
        };
    }
    match due.breach {
        Some(b) if today > b => (
            format!("{BREACHED} breached {} bd", cal.bd_between(b, today)),
            Urgency::Breached,
        ),
        Some(b) if today == b => (format!("{PAST_TARGET} breaches today"), Urgency::PastTarget),
        _ if today > due.target => (
            format!(
                "{PAST_TARGET} past target {} bd",
                cal.bd_between(due.target, today)
            ),
            Urgency::PastTarget,
        ),
        _ if today == due.target => (format!("{DUE_TODAY} due today"), Urgency::DueToday),
        _ => (
            format!("due in {} bd", cal.bd_between(today, due.target)),
            Urgency::Fine,
        ),
    }
}

/// The same from a list row's stored text fields.
pub fn row_label(
    cal: &Calendar,
    state: &str,
    target: Option<&str>,
    breach: Option<&str>,
    today: NaiveDate,
) -> (String, Urgency) {
    let due = target
        .and_then(|t| t.parse::<NaiveDate>().ok())
        .map(|target| Due {
            target,
            breach: breach.and_then(|b| b.parse().ok()),
        });
    match State::parse(state) {
        Some(s) => label(cal, s, due, today),
        None => ("—".into(), Urgency::Fine),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_target_and_breached_read_differently() {
        let cal = Calendar::builtin_default();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let due = Some(Due {
            target: d("2026-11-06"),
            breach: Some(d("2026-11-10")),
        });
        let at = |day: &str| label(&cal, State::InitialReview, due, d(day));
        assert_eq!(at("2026-11-05"), ("due in 1 bd".into(), Urgency::Fine));
        assert_eq!(at("2026-11-06").1, Urgency::DueToday);
        assert_eq!(
            at("2026-11-09"),
            ("▲ past target 1 bd".into(), Urgency::PastTarget)
        );
        assert_eq!(at("2026-11-10").0, "▲ breaches today");
        assert_eq!(
            at("2026-11-12"),
            ("✖ breached 2 bd".into(), Urgency::Breached)
        );
    }
}
