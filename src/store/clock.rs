//! Business time. The system clock, or an instant pinned by
//! `REFUND_DESK_NOW` — read once at the edge (the command line) and handed
//! to the store, which accepts a pinned clock only on a desk created with
//! one (a test or demo desk). Nothing deeper reads the environment, so a
//! real desk's events can never be back-dated by a variable.

use chrono::{DateTime, FixedOffset};

/// The variable that pins business time on test and demo desks.
pub const PIN_VAR: &str = "REFUND_DESK_NOW";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Clock {
    #[default]
    System,
    Pinned(DateTime<FixedOffset>),
}

impl Clock {
    /// `REFUND_DESK_NOW` when set (an RFC 3339 instant), else the system
    /// clock. A value that does not parse is an error, not silently the
    /// system clock: a script that meant to pin time must know it did not.
    pub fn from_env() -> anyhow::Result<Clock> {
        match std::env::var(PIN_VAR) {
            Ok(s) if !s.trim().is_empty() => DateTime::parse_from_rfc3339(s.trim())
                .map(Clock::Pinned)
                .map_err(|e| {
                    anyhow::anyhow!(
                        "{PIN_VAR}={:?} is not an RFC 3339 instant ({e})",
                        crate::text::inert(&s)
                    )
                }),
            _ => Ok(Clock::System),
        }
    }

    pub fn now(&self) -> DateTime<FixedOffset> {
        match self {
            Clock::System => chrono::Utc::now().fixed_offset(),
            Clock::Pinned(t) => *t,
        }
    }

    pub fn is_pinned(&self) -> bool {
        matches!(self, Clock::Pinned(_))
    }
}
