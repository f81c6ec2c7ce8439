//! People and money: customers, currencies, payments and the plain draft
//! every scenario starts from.

use super::texts::{Lang, Product, MAILBOXES, NAMES};
use super::{Customer, DemoGenerator, Draft, Payment, HOUR, POLICY_OFFSET};
use chrono::{DateTime, Datelike};

impl DemoGenerator {
    pub(super) fn customer(&mut self) -> Customer {
        self.accounts += 1;
        let lang = self.rng.pick(&[
            Lang::En,
            Lang::En,
            Lang::En,
            Lang::Zh,
            Lang::Zh,
            Lang::Zh,
            Lang::Ja,
            Lang::Ko,
        ]);
        let name = self.rng.below(NAMES[lang as usize].len() as u64) as usize;
        let status = match self.rng.below(100) {
            0..=59 => None,
            60..=96 => Some("active"),
            _ => Some("suspended_overdue"),
        };
        Customer {
            id: 200_300_000 + self.accounts * 17 + self.rng.below(17),
            name,
            lang,
            status,
        }
    }

    pub(super) fn sdk_app(&mut self) -> u64 {
        self.sdk_apps += 1;
        1_400_500_000 + self.sdk_apps
    }

    fn currency_for(&mut self, lang: Lang) -> &'static str {
        let native = match lang {
            Lang::En => self.rng.pick(&["USD", "USD", "USD", "EUR"]),
            Lang::Zh => "CNY",
            Lang::Ja => "JPY",
            Lang::Ko => "KRW",
        };
        if self.rng.chance(85) {
            native
        } else {
            self.rng.pick(&["USD", "CNY", "JPY", "KRW", "EUR"])
        }
    }

    /// US cents to the currency's cents; yen and won are whole units.
    pub(super) fn convert(&mut self, currency: &str, usd: u64) -> u64 {
        let odd = if self.rng.chance(20) {
            self.rng.below(99) + 1
        } else {
            0
        };
        match currency {
            "EUR" => usd * 92 / 100 / 100 * 100 + odd,
            "CNY" => usd * 7 + odd,
            // Yen rounded to 100, won to 1,000; then in hundredths.
            "JPY" => usd * 150 / 100 / 100 * 100 * 100,
            "KRW" => usd * 1_350 / 100 / 1_000 * 1_000 * 100,
            _ => usd + odd,
        }
    }

    fn whole(currency: &str, cents: u64) -> u64 {
        match currency {
            "JPY" | "KRW" => cents / 100 * 100,
            _ => cents,
        }
    }

    /// Splits a price into cash, credits, vouchers and discounts.
    pub(super) fn pay(&mut self, d: &mut Draft, price: u64) {
        let c = d.currency;
        let mut p = Payment::default();
        if self.rng.chance(10) {
            p.commission = Some(Self::whole(c, price / 10));
        }
        if self.rng.chance(8) {
            p.free = Some(Self::whole(c, price / 20));
        }
        if self.rng.chance(15) {
            p.voucher = Some(Self::whole(c, price / 10));
        }
        if self.rng.chance(12) {
            p.discount = Some(Self::whole(c, price * 15 / 100));
        }
        let others = p.base() + p.voucher.unwrap_or(0) + p.discount.unwrap_or(0);
        p.cash = Some(price.saturating_sub(others));
        if self.rng.chance(7) {
            let share = self.rng.range(5, 50) as u64;
            p.frozen = Some(Self::whole(c, price * share / 100).max(100));
        }
        d.requested = match self.rng.below(100) {
            0..=69 => Some(p.base()),
            70..=79 => Some(p.base() + p.voucher.unwrap_or(0)),
            _ => None,
        };
        d.pay = p;
    }

    pub(super) fn pay_list(&mut self, d: &mut Draft) {
        let usd = self.rng.pick(d.product.prices());
        let price = self.convert(d.currency, usd);
        self.pay(d, price);
    }

    /// Nothing refundable: a voucher or promotion covered the whole price.
    pub(super) fn pay_nothing(&mut self, d: &mut Draft) {
        let usd = self.rng.pick(d.product.prices());
        let price = self.convert(d.currency, usd);
        let mut p = Payment::default();
        if self.rng.chance(50) {
            p.voucher = Some(price);
        } else {
            p.discount = Some(price);
        }
        if self.rng.chance(40) {
            p.cash = Some(0);
        }
        d.requested = Some(price);
        d.pay = p;
    }

    pub(super) fn draft(&mut self, product: Product, received: i64, who: &Customer) -> Draft {
        self.ids[product as usize] += 1;
        let id = self.ids[product as usize];
        let zone = match who.lang {
            Lang::Zh => self.rng.pick(&[8, 8, 8, 0]),
            Lang::Ja | Lang::Ko => self.rng.pick(&[9, 9, 8, 0]),
            Lang::En => self.rng.pick(&[0, 0, -5, -5, 8]),
        } * HOUR;
        let pkg_zone = if self.rng.chance(70) { 8 * HOUR } else { zone };
        let language = if self.rng.chance(12) {
            None
        } else if self.rng.chance(92) {
            Some(who.lang)
        } else {
            Some(self.rng.pick(&Lang::ALL))
        };
        let text_lang = match language {
            Some(l) if self.rng.chance(93) => l,
            None if self.rng.chance(80) => who.lang,
            _ => self.rng.pick(&Lang::ALL),
        };
        let email = self.rng.chance(85).then(|| {
            (
                who.lang,
                who.name,
                self.rng.below(MAILBOXES.len() as u64) as usize,
            )
        });
        let currency = self.currency_for(who.lang);
        let mut d = Draft {
            id,
            product,
            received,
            zone,
            pkg_zone,
            account_id: who.id,
            account_name: self.rng.chance(80).then_some((who.lang, who.name)),
            status: who.status,
            package_name: self
                .rng
                .chance(75)
                .then(|| self.rng.below(product.packages().len() as u64) as usize),
            billing: "monthly",
            source: self.rng.chance(35).then_some("purchased"),
            sdk_app_id: None,
            purchased: None,
            activated: None,
            expires: None,
            term_days: None,
            total_units: None,
            used_units: None,
            gifted_units_used: None,
            currency,
            pay: Payment::default(),
            invoice: None,
            contract: None,
            incident: None,
            reason: "unused",
            requested: None,
            email,
            language,
            text_lang,
        };
        self.pay_list(&mut d);
        d
    }

    pub(super) fn contract_number(&mut self, signed: i64) -> (u64, u64) {
        self.contracts += 1;
        let year = DateTime::from_timestamp(signed + POLICY_OFFSET, 0).map_or(2026, |t| t.year());
        (year as u64, self.contracts)
    }

    pub(super) fn violation(&mut self) -> &'static str {
        self.rng.pick(&[
            "suspended_violation",
            "suspended_content",
            "suspended_illegal",
        ])
    }
}
