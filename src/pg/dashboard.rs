//! The dashboard's numbers and the overdue count on PostgreSQL.

use super::PgStore;
use crate::store::{Dashboard, DayTotals, StoreError};
use chrono::NaiveDate;
use postgres::types::Type;
use rust_decimal::Decimal;

const DAY_US: i64 = 86_400_000_000;

impl PgStore {
    /// Open tickets whose SLA target is before `today` (YYYY-MM-DD): the
    /// same set as `ListFilter { overdue_on: Some(today) }`.
    pub fn overdue_count(&self, today: &str) -> Result<u64, StoreError> {
        let n: i64 = self
            .client()
            .query_typed_one(
                "SELECT count(*) FROM refund_desk.tickets WHERE due_target < $1",
                &[(&today, Type::TEXT)],
            )?
            .try_get(0)?;
        Ok(n as u64)
    }

    pub fn dashboard(&self, today: NaiveDate) -> Result<Dashboard, StoreError> {
        let day = today.to_string();
        let offset_us = i64::from(self.policy.tz.local_minus_utc()) * 1_000_000;
        let epoch_day = |d: NaiveDate| (d - NaiveDate::default()).num_days();
        let (first, last) = (epoch_day(today) - 29, epoch_day(today));
        // Local days of the desk's timezone, as the file desk keys its totals.
        let (from_us, to_us) = (first * DAY_US - offset_us, (last + 1) * DAY_US - offset_us);
        let rows = self.client().query_typed(
            "SELECT (received_us + $3) / 86400000000 AS day, product, verdict_kind,
                    verdict::jsonb ->> 'currency' AS currency, count(*),
                    coalesce(sum(trunc((verdict::jsonb ->> 'amount')::numeric * 100)), 0)::bigint
               FROM refund_desk.tickets
              WHERE received_us >= $1 AND received_us < $2 AND verdict <> ''
              GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
            &[
                (&from_us, Type::INT8),
                (&to_us, Type::INT8),
                (&offset_us, Type::INT8),
            ],
        )?;
        let days = rows
            .iter()
            .map(|r| {
                Ok(DayTotals {
                    day: NaiveDate::default() + chrono::Days::new(r.try_get::<_, i64>(0)? as u64),
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
                "SELECT count(*) FROM refund_desk.tickets WHERE due_breach < $1",
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
