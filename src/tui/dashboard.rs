//! The dashboard screen's model: the store's pre-aggregated numbers (loaded
//! when the screen opens and when another agent changes something, never
//! per frame), summed once into what the charts show.

use super::action::Action;
use super::app::{App, Popup};
use crate::store::Dashboard;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Days the charts cover, today included.
pub const DAYS: u64 = 30;

/// One line of a refund table: tickets and exact refund total.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Total {
    pub tickets: u64,
    pub amount: Decimal,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Board {
    pub today: NaiveDate,
    pub data: Dashboard,
    /// Tickets received on each of the `DAYS` days, oldest first.
    pub per_day: Vec<u64>,
    /// (product, currency) → totals.
    pub by_product: BTreeMap<(String, String), Total>,
    /// (verdict kind, currency) → totals.
    pub by_kind: BTreeMap<(String, String), Total>,
}

impl Board {
    pub fn new(data: Dashboard, today: NaiveDate) -> Board {
        let first = today - chrono::Days::new(DAYS - 1);
        let mut per_day = vec![0u64; DAYS as usize];
        let mut by_product: BTreeMap<_, Total> = BTreeMap::new();
        let mut by_kind: BTreeMap<_, Total> = BTreeMap::new();
        for d in &data.days {
            if d.day < first || d.day > today {
                continue;
            }
            per_day[(d.day - first).num_days() as usize] += d.tickets;
            for t in [
                by_product
                    .entry((d.product.clone(), d.currency.clone()))
                    .or_default(),
                by_kind
                    .entry((d.kind.clone(), d.currency.clone()))
                    .or_default(),
            ] {
                t.tickets += d.tickets;
                t.amount += d.amount;
            }
        }
        Board {
            today,
            data,
            per_day,
            by_product,
            by_kind,
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        self.today - chrono::Days::new(DAYS - 1)
    }
}

impl App {
    /// Shows the dashboard, loading it; or goes back to the queues.
    pub(super) fn toggle_dashboard(&mut self) {
        if self.dashboard.take().is_none() {
            self.load_dashboard();
        }
    }

    /// Reads the store's numbers for today. An error keeps the screen up
    /// with the reason, so the operator sees why it is empty.
    pub(super) fn load_dashboard(&mut self) {
        let today = self.today();
        self.dashboard = Some(
            self.store
                .dashboard(today)
                .map(|d| Board::new(d, today))
                .map_err(|e| e.to_string()),
        );
    }

    /// Shows `data` as if the store had returned it (tests, demos).
    pub fn show_dashboard(&mut self, data: Dashboard) {
        self.dashboard = Some(Ok(Board::new(data, self.today())));
    }

    pub(super) fn update_dashboard(&mut self, action: Action) {
        match action {
            Action::Dashboard | Action::Cancel => self.dashboard = None,
            Action::Refresh => self.refresh(None),
            Action::Help => self.popups.push(Popup::Help { scroll: 0 }),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::DayTotals;

    fn row(day: &str, product: &str, kind: &str, cur: &str, n: u64, amount: &str) -> DayTotals {
        DayTotals {
            day: day.parse().unwrap(),
            product: product.into(),
            kind: kind.into(),
            currency: cur.into(),
            tickets: n,
            amount: amount.parse().unwrap(),
        }
    }

    #[test]
    fn sums_per_day_product_and_kind_exactly() {
        let today: NaiveDate = "2026-11-05".parse().unwrap();
        let data = Dashboard {
            days: vec![
                row("2026-10-06", "lcic", "full_refund", "USD", 9, "900.00"), // 31 days ago
                row("2026-10-07", "lcic", "full_refund", "USD", 1, "0.10"),
                row("2026-11-05", "lcic", "full_refund", "USD", 2, "0.20"),
                row("2026-11-05", "lcic", "reject", "USD", 3, "0"),
                row("2026-11-05", "trtc", "full_refund", "CNY", 1, "99.99"),
            ],
            ..Default::default()
        };
        let b = Board::new(data, today);
        assert_eq!(b.per_day.len(), 30);
        assert_eq!(b.per_day[0], 1);
        assert_eq!(b.per_day[29], 6);
        assert_eq!(b.per_day.iter().sum::<u64>(), 7);
        let lcic = &b.by_product[&("lcic".into(), "USD".into())];
        assert_eq!(
            (lcic.tickets, lcic.amount.to_string().as_str()),
            (6, "0.30")
        );
        let full_cny = &b.by_kind[&("full_refund".into(), "CNY".into())];
        assert_eq!(full_cny.amount, "99.99".parse::<Decimal>().unwrap());
        assert_eq!(b.by_kind[&("reject".into(), "USD".into())].tickets, 3);
    }
}
