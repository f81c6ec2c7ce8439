//! Deterministic demo data: realistic refund tickets as JSON Lines (spec §1).
//!
//! Most tickets are an ordinary weighted mix; every fourth freshly generated
//! ticket instead takes the next scenario of a fixed rotation, so any few
//! hundred lines reach every policy clause, Chat plan state and flag, and a
//! thousand or so every `missing` list the scenarios make (tests.rs names the
//! needs_info cases they do not make). History rules (TRTC-ONE-AT-A-TIME, `abuse_suspected`) need
//! several tickets of one account: those scenarios build them together and
//! release the later ones a few lines afterwards.
//!
//! Lines are built as strings (a `serde_json::Value` tree per ticket would
//! dominate the cost); every piece of text goes through `serde_json::to_string`.
//! All timestamps are plain Unix seconds inside; policy days are local dates
//! at UTC+08:00, so windows are set up on those dates, not on 24-hour spans.
//!
//! Layout: this file holds the generator, the draft types every part fills in
//! and the time helpers; `scenarios` decides what each ticket is, `draft` the
//! people and money, `texts` the fixed tables, `json` the rendering.

mod draft;
mod json;
mod rng;
mod scenarios;
#[cfg(test)]
mod tests;
mod texts;

use chrono::{DateTime, FixedOffset};
use json::Escaped;
use rng::Rng;
use scenarios::SCENARIOS;
use std::collections::VecDeque;
use texts::{Lang, Product};

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
/// The policy timezone: local dates decide every window.
const POLICY_OFFSET: i64 = 8 * HOUR;
/// Roughly one ticket in this many carries terminal-hostile text.
const HOSTILE_EVERY: u64 = 500;

struct Customer {
    id: u64,
    /// Index into `NAMES[lang]`.
    name: usize,
    lang: Lang,
    status: Option<&'static str>,
}

#[derive(Default)]
struct Contract {
    /// (year, serial), shown as `LS-2026-00042`.
    number: Option<(u64, u64)>,
    signed: Option<i64>,
    overrides: Option<bool>,
}

/// Hour fields are kept in tenths so "60.5" stays exact.
#[derive(Default)]
struct Incident {
    started: Option<i64>,
    unresolved: Option<u32>,
    outage: Option<u32>,
    provider: Option<bool>,
    gap: Option<bool>,
}

#[derive(Default)]
struct Payment {
    cash: Option<u64>,
    commission: Option<u64>,
    free: Option<u64>,
    voucher: Option<u64>,
    discount: Option<u64>,
    frozen: Option<u64>,
}

impl Payment {
    fn base(&self) -> u64 {
        self.cash.unwrap_or(0) + self.commission.unwrap_or(0) + self.free.unwrap_or(0)
    }
}

/// One ticket before rendering. Times are Unix seconds; amounts are cents.
struct Draft {
    /// Per-product serial number, shown as e.g. `LC-0000001`.
    id: u64,
    product: Product,
    received: i64,
    zone: i64,
    pkg_zone: i64,
    account_id: u64,
    /// (language, index into `NAMES`).
    account_name: Option<(Lang, usize)>,
    status: Option<&'static str>,
    /// Index into the product's package names.
    package_name: Option<usize>,
    billing: &'static str,
    source: Option<&'static str>,
    sdk_app_id: Option<u64>,
    purchased: Option<i64>,
    activated: Option<i64>,
    expires: Option<i64>,
    term_days: Option<i64>,
    total_units: Option<u64>,
    used_units: Option<u64>,
    gifted_units_used: Option<u64>,
    currency: &'static str,
    pay: Payment,
    invoice: Option<i64>,
    contract: Option<Contract>,
    incident: Option<Incident>,
    reason: &'static str,
    requested: Option<u64>,
    /// (language, name, mailbox) indices.
    email: Option<(Lang, usize, usize)>,
    language: Option<Lang>,
    text_lang: Lang,
}

/// Deterministic generator of realistic refund tickets as JSON Lines (one compact JSON object per call, no trailing newline).
pub struct DemoGenerator {
    rng: Rng,
    now: i64,
    /// Lines of multi-ticket scenarios, with the call index they are due at.
    pending: VecDeque<(u64, String)>,
    emitted: u64,
    fresh: u64,
    built: u64,
    rotation: usize,
    weight_total: u64,
    escaped: Escaped,
    ids: [u64; 4],
    accounts: u64,
    sdk_apps: u64,
    contracts: u64,
}

impl DemoGenerator {
    /// `now` anchors the demo: tickets are received over the ~120 days before it.
    pub fn new(seed: u64, now: DateTime<FixedOffset>) -> Self {
        DemoGenerator {
            rng: Rng::new(seed ^ 0x5EED_D3E0_0000_0001),
            now: now.timestamp(),
            pending: VecDeque::new(),
            emitted: 0,
            fresh: 0,
            built: 0,
            rotation: 0,
            weight_total: SCENARIOS.iter().map(|s| s.1).sum(),
            escaped: Escaped::new(),
            ids: [0; 4],
            accounts: 0,
            sdk_apps: 0,
            contracts: 0,
        }
    }

    /// The next ticket as one compact JSON object (no trailing newline).
    /// The same seed and `now` always give the same sequence.
    pub fn next_line(&mut self) -> String {
        let index = self.emitted;
        self.emitted += 1;
        if self.pending.front().is_some_and(|p| p.0 <= index) {
            return self.pending.pop_front().expect("checked").1;
        }
        // Every fourth fresh ticket walks the rotation so coverage never
        // depends on luck; the rest follow the weights.
        let scenario = if self.fresh.is_multiple_of(4) {
            let s = SCENARIOS[self.rotation % SCENARIOS.len()].0;
            self.rotation += 1;
            s
        } else {
            let mut roll = self.rng.below(self.weight_total);
            let mut chosen = SCENARIOS[0].0;
            for &(s, w) in SCENARIOS {
                if roll < w {
                    chosen = s;
                    break;
                }
                roll -= w;
            }
            chosen
        };
        self.fresh += 1;
        let mut lines = self.scenario(scenario);
        let first = lines.remove(0);
        let mut due = index;
        for line in lines {
            due += self.rng.range(1, 12) as u64;
            let at = self.pending.partition_point(|p| p.0 <= due);
            self.pending.insert(at, (due, line));
        }
        first
    }

    // ----- time helpers (local = UTC+08:00 policy dates) -----

    fn day_of(t: i64) -> i64 {
        (t + POLICY_OFFSET).div_euclid(DAY)
    }

    /// A random instant on local `day`, within `[lo, hi]` when that overlaps
    /// the day (office hours preferred); `lo` when it cannot.
    fn on_day(&mut self, day: i64, lo: i64, hi: i64) -> i64 {
        let start = day * DAY - POLICY_OFFSET;
        let l = lo.max(start);
        let h = hi.min(start + DAY - 1);
        if l > h {
            return lo;
        }
        let bl = l.max(start + 9 * HOUR);
        let bh = h.min(start + 19 * HOUR);
        if bl <= bh && self.rng.chance(75) {
            self.rng.range(bl, bh)
        } else {
            self.rng.range(l, h)
        }
    }

    /// An instant `k` local days before `t` (same day: not after `t`).
    fn before(&mut self, t: i64, k: i64) -> i64 {
        self.on_day(Self::day_of(t) - k, i64::MIN / 2, t)
    }

    /// An instant `k` local days after `t` (same day: strictly after `t`).
    fn after(&mut self, t: i64, k: i64) -> i64 {
        self.on_day(Self::day_of(t) + k, t + 1, i64::MAX / 2)
    }

    /// When the customer applied, `days_ago` local days before now.
    fn received(&mut self, days_ago: i64) -> i64 {
        let latest = self.now - 60;
        // Never a day whose start is after `latest` (now just past midnight).
        let day = (Self::day_of(self.now) - days_ago).min(Self::day_of(latest));
        let start = day * DAY - POLICY_OFFSET;
        let t = self.on_day(day, start, latest);
        // Keep room after it on the same day (grace/reminder set-ups).
        t.min(start + 23 * HOUR + 30 * 60).min(latest)
    }

    /// Mostly recent: half of the tickets fall in the last 30 days.
    fn recent(&mut self) -> i64 {
        let u = self.rng.below(1 << 20) as f64 / f64::from(1 << 20);
        let days = (120.0 * u * u) as i64;
        self.received(days)
    }
}
