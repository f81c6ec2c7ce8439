//! The dashboard's numbers and the overdue count on PostgreSQL, from the
//! trigger-kept tables of `schema.sql` (measured at a million tickets, half
//! of them in the last 30 days: the same totals summed from the tickets
//! took over a second; from the kept tables well under a millisecond).

use super::PgStore;
use crate::store::{Access, Dashboard, DayTotals, StoreError};
use chrono::NaiveDate;
use postgres::types::Type;
use rust_decimal::Decimal;

/// Days since 1970-01-01, as `daily_totals` keys them.
fn epoch_day(d: NaiveDate) -> i64 {
    (d - NaiveDate::default()).num_days()
}

impl PgStore {
    /// Open tickets whose SLA target is before `today` (YYYY-MM-DD), the
    /// same set as `ListFilter { overdue_on: Some(today) }`, summed from the
    /// per-day counts.
    pub fn overdue_count(&self, today: &str) -> Result<u64, StoreError> {
        let n: i64 = self
            .client()
            .query_typed_one(
                "SELECT coalesce(sum(n), 0)::bigint FROM refund_desk.due_counts WHERE day < $1",
                &[(&today, Type::TEXT)],
            )?
            .try_get(0)?;
        Ok(n as u64)
    }

    pub fn dashboard(&self, today: NaiveDate) -> Result<Dashboard, StoreError> {
        let day = today.to_string();
        let offset_us = i64::from(self.policy.tz.local_minus_utc()) * 1_000_000;
        let (first, last) = (epoch_day(today) - 29, epoch_day(today));
        let kept: Option<String> = self
            .client()
            .query_typed_opt(
                "SELECT value FROM refund_desk.meta WHERE key = 'day_offset_us'",
                &[],
            )?
            .map(|r| r.try_get(0))
            .transpose()?;
        let mut in_step = kept.as_deref() == Some(offset_us.to_string().as_str());
        // Kept in another timezone (the desk's policy changed it): a console
        // makes them again once; a reader, which must not write, sums them
        // from the tickets.
        if !in_step && self.access != Access::Read {
            self.client()
                .execute("SELECT refund_desk.rebuild_day_totals($1)", &[&offset_us])?;
            in_step = true;
        }
        let sql = if in_step {
            "SELECT day, product, kind, currency, tickets, cents FROM refund_desk.daily_totals
              WHERE day BETWEEN $1 AND $2 AND tickets > 0 ORDER BY 1, 2, 3, 4"
        } else {
            "SELECT (received_us + $3) / 86400000000 AS day, product, verdict_kind,
                    coalesce(verdict::jsonb ->> 'currency', ''), count(*),
                    coalesce(sum(trunc((verdict::jsonb ->> 'amount')::numeric * 100)), 0)::bigint
               FROM refund_desk.tickets
              WHERE received_us >= $1 * 86400000000 - $3
                AND received_us < ($2 + 1) * 86400000000 - $3 AND verdict <> ''
              GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
        };
        let mut params: Vec<(&(dyn postgres::types::ToSql + Sync), Type)> =
            vec![(&first, Type::INT8), (&last, Type::INT8)];
        if !in_step {
            params.push((&offset_us, Type::INT8));
        }
        let rows = self.client().query_typed(sql, &params)?;
        let days = rows
            .iter()
            .map(|r| {
                let d: i64 = r.try_get(0)?;
                Ok(DayTotals {
                    day: NaiveDate::default() + chrono::Days::new(d.max(0) as u64),
                    product: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    currency: r.try_get(3)?,
                    tickets: r.try_get::<_, i64>(4)? as u64,
                    amount: Decimal::new(r.try_get(5)?, 2),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let breached: i64 = self
            .client()
            .query_typed_one(
                "SELECT coalesce(sum(n), 0)::bigint FROM refund_desk.breach_counts WHERE day < $1",
                &[(&day, Type::TEXT)],
            )?
            .try_get(0)?;
        Ok(Dashboard {
            per_state: self.state_counts()?,
            overdue: self.overdue_count(&day)?,
            breached: breached as u64,
            days,
        })
    }
}
