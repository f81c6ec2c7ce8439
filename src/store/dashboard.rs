//! The dashboard's numbers, all from small tables or index ranges, so they
//! are instant whatever the size of the file.

use super::{Store, StoreError};
use crate::domain::policy::Verdict;
use crate::domain::ticket::Ticket;
use chrono::NaiveDate;
use rusqlite::{params, Connection};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayTotals {
    pub day: NaiveDate,
    pub product: String,
    pub kind: String,
    pub currency: String,
    pub tickets: u64,
    /// Sum of the verdict amounts (monetary verdicts only), exact.
    pub amount: Decimal,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dashboard {
    pub per_state: BTreeMap<String, u64>,
    /// Open tickets past their target date.
    pub overdue: u64,
    /// Open tickets past their breach date.
    pub breached: u64,
    /// One row per (day, product, verdict kind, currency) received in the 30
    /// days up to today, oldest first.
    pub days: Vec<DayTotals>,
}

/// (local day, product, verdict kind, currency).
type Key = (NaiveDate, &'static str, &'static str, String);

/// Changes to `daily_totals` gathered in memory and written once per
/// transaction (an upsert per changed group, not per ticket).
#[derive(Default)]
pub(crate) struct TotalsDelta(super::FastMap<Key, (i64, i64)>);

impl TotalsDelta {
    /// Counts a verdict for (`sign` = 1) or against (-1) the ticket's day.
    pub fn add(&mut self, t: &Ticket, v: &Verdict, tz: chrono::FixedOffset, sign: i64) {
        let key = (
            t.received_at.with_timezone(&tz).date_naive(),
            t.product.as_str(),
            v.kind.as_str(),
            v.currency.clone(),
        );
        let cents = v
            .amount
            .map(|a| (a * Decimal::from(100)).trunc().try_into().unwrap_or(0i64))
            .unwrap_or(0);
        let e = self.0.entry(key).or_default();
        e.0 += sign;
        e.1 += sign * cents;
    }

    pub fn flush(&mut self, conn: &Connection) -> anyhow::Result<()> {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO daily_totals (day, product, kind, currency, tickets, cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (day, product, kind, currency) DO UPDATE
             SET tickets = tickets + excluded.tickets, cents = cents + excluded.cents",
        )?;
        for ((day, product, kind, currency), (n, cents)) in self.0.drain() {
            if n != 0 || cents != 0 {
                stmt.execute(params![
                    super::day_text(day),
                    product,
                    kind,
                    currency,
                    n,
                    cents
                ])?;
            }
        }
        Ok(())
    }
}

impl Store {
    pub fn dashboard(&self, today: NaiveDate) -> Result<Dashboard, StoreError> {
        let day = today.to_string();
        let from = (today - chrono::Days::new(29)).to_string();
        let breached: i64 = self
            .conn()
            .prepare_cached("SELECT coalesce(sum(n), 0) FROM breach_counts WHERE day < ?1")?
            .query_row([&day], |r| r.get(0))?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT day, product, kind, currency, tickets, cents FROM daily_totals
             WHERE day BETWEEN ?1 AND ?2 AND tickets > 0 ORDER BY day, product, kind, currency",
        )?;
        let days = stmt
            .query_map([&from, &day], |r| {
                let day: String = r.get(0)?;
                Ok(DayTotals {
                    day: day.parse().unwrap_or(today),
                    product: r.get(1)?,
                    kind: r.get(2)?,
                    currency: r.get(3)?,
                    tickets: r.get::<_, i64>(4)? as u64,
                    amount: Decimal::new(r.get(5)?, 2),
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Dashboard {
            per_state: self.state_counts()?,
            overdue: self.overdue_count(&day)?,
            breached: breached as u64,
            days,
        })
    }
}
