//! Rendering: a draft to one compact JSON line, with every fixed text
//! escaped once up front.

use super::texts::{Product, EVIDENCE, HOSTILE, MAILBOXES, NAMES, TEXTS};
use super::{DemoGenerator, Draft, HOSTILE_EVERY};
use chrono::{DateTime, Datelike, Timelike};

impl DemoGenerator {
    pub(super) fn render(&mut self, d: Draft) -> String {
        self.built += 1;
        let lang = d.text_lang as usize;
        let family = match d.reason {
            "unused" | "changed_mind" => 0,
            "service_unavailable" | "outage" | "quality" => 1,
            _ => 2,
        };
        let subjects = TEXTS[lang].subjects[family].len() as u64;
        let subject = self
            .rng
            .chance(92)
            .then(|| self.rng.below(subjects) as usize);
        let descriptions = TEXTS[lang].descriptions[family].len() as u64;
        let description = self
            .rng
            .chance(88)
            .then(|| self.rng.below(descriptions) as usize);
        let hostile =
            (self.built % HOSTILE_EVERY == HOSTILE_EVERY / 4).then(|| self.rng.pick(HOSTILE));
        let evidence = if self.rng.chance(45) {
            let n = self.rng.range(1, 3) as usize;
            let mut picked = [0usize; 3];
            for slot in picked.iter_mut().take(n) {
                *slot = self.rng.below(EVIDENCE.len() as u64) as usize;
            }
            (n, picked)
        } else {
            (0, [0; 3])
        };
        let esc = &self.escaped;

        let mut w = Json::with_capacity(1_024);
        w.open();
        w.key("id");
        w.raw("\"");
        w.raw(d.product.prefix());
        w.num(d.id, 7);
        w.raw("\"");
        w.key("received_at");
        w.time(d.received, d.zone);
        w.key("product");
        w.code(d.product.code());
        w.key("account");
        w.open();
        w.key("id");
        w.raw("\"");
        w.num(d.account_id, 1);
        w.raw("\"");
        if let Some((l, n)) = d.account_name {
            w.key("name");
            w.raw(&esc.names[l as usize][n]);
        }
        if let Some(s) = d.status {
            w.key("status");
            w.code(s);
        }
        w.close();
        w.key("package");
        w.open();
        if let Some(n) = d.package_name {
            w.key("name");
            w.raw(&esc.packages[d.product as usize][n]);
        }
        w.key("billing");
        w.code(d.billing);
        if let Some(s) = d.source {
            w.key("source");
            w.code(s);
        }
        if let Some(a) = d.sdk_app_id {
            w.key("sdk_app_id");
            w.raw("\"");
            w.num(a, 1);
            w.raw("\"");
        }
        let z = d.pkg_zone;
        w.opt_time("purchased_at", d.purchased, z);
        w.opt_time("activated_at", d.activated, z);
        w.opt_time("expires_at", d.expires, z);
        w.opt_int("term_days", d.term_days.map(|t| t as u64));
        w.opt_int("total_units", d.total_units);
        w.opt_int("used_units", d.used_units);
        w.opt_int("gifted_units_used", d.gifted_units_used);
        w.close();
        w.key("payment");
        w.open();
        w.key("currency");
        w.code(d.currency);
        let whole = matches!(d.currency, "JPY" | "KRW");
        let p = &d.pay;
        w.opt_amount("cash", p.cash, whole);
        w.opt_amount("commission_credit", p.commission, whole);
        w.opt_amount("free_credit", p.free, whole);
        w.opt_amount("voucher", p.voucher, whole);
        w.opt_amount("discount", p.discount, whole);
        w.opt_amount("frozen", p.frozen, whole);
        w.opt_time("invoice_issued_at", d.invoice, z);
        w.close();
        if let Some(c) = &d.contract {
            w.key("contract");
            w.open();
            if let Some(n) = c.number {
                w.key("number");
                w.raw("\"LS-");
                w.num(n.0, 4);
                w.raw("-");
                w.num(n.1, 5);
                w.raw("\"");
            }
            w.opt_time("signed_at", c.signed, z);
            w.opt_bool("overrides_policy", c.overrides);
            w.close();
        }
        if let Some(i) = &d.incident {
            w.key("incident");
            w.open();
            w.opt_time("started_at", i.started, d.zone);
            w.opt_hours("unresolved_hours", i.unresolved);
            w.opt_hours("outage_hours", i.outage);
            w.opt_bool("provider_caused", i.provider);
            w.opt_bool("quality_gap_confirmed", i.gap);
            w.close();
        }
        w.key("reason");
        w.code(d.reason);
        w.opt_amount("requested_amount", d.requested, whole);
        if d.email.is_some() || d.language.is_some() {
            w.key("contact");
            w.open();
            if let Some((l, n, m)) = d.email {
                w.key("email");
                w.raw(&esc.emails[l as usize][n][m]);
            }
            if let Some(l) = d.language {
                w.key("language");
                w.code(l.code());
            }
            w.close();
        }
        let product = d.product as usize;
        match (hostile, subject) {
            (Some(evil), s) => {
                let s = s.map_or("", |s| TEXTS[lang].subjects[family][s]);
                w.key("subject");
                w.text(&format!("{s} {evil}"));
            }
            (None, Some(s)) => {
                w.key("subject");
                w.raw(&esc.subjects[lang][family][s]);
            }
            (None, None) => {}
        }
        match (hostile, description) {
            (Some(evil), s) => {
                let s = s.map_or(String::new(), |s| {
                    TEXTS[lang].descriptions[family][s]
                        .replace("{P}", TEXTS[lang].products[product])
                });
                w.key("description");
                w.text(&format!("{evil}\n{s}"));
            }
            (None, Some(s)) => {
                w.key("description");
                w.raw(&esc.descriptions[lang][product][family][s]);
            }
            (None, None) => {}
        }
        let (n, picked) = evidence;
        if n > 0 {
            w.key("evidence");
            w.raw("[");
            for (i, e) in picked[..n].iter().enumerate() {
                if i > 0 {
                    w.raw(",");
                }
                w.raw(&esc.evidence[*e]);
            }
            w.raw("]");
        }
        w.close();
        w.s
    }
}

/// Every fixed text, JSON-escaped once (by serde_json) when the generator is
/// made, so a ticket only copies it.
pub(super) struct Escaped {
    /// [language][family][i]
    subjects: Vec<Vec<Vec<String>>>,
    /// [language][product][family][i], with the product name filled in.
    descriptions: Vec<Vec<Vec<Vec<String>>>>,
    /// [language][i]
    names: Vec<Vec<String>>,
    /// [language][name][mailbox]
    emails: Vec<Vec<Vec<String>>>,
    /// [product][i]
    packages: Vec<Vec<String>>,
    evidence: Vec<String>,
}

fn escape(text: &str) -> String {
    serde_json::to_string(text).expect("a str always serialises")
}

impl Escaped {
    pub(super) fn new() -> Self {
        let all = |items: &[&str]| items.iter().map(|t| escape(t)).collect::<Vec<_>>();
        let products = [Product::Lcic, Product::Trtc, Product::Chat, Product::Live];
        Escaped {
            subjects: TEXTS
                .iter()
                .map(|t| t.subjects.iter().map(|f| all(f)).collect())
                .collect(),
            descriptions: TEXTS
                .iter()
                .map(|t| {
                    products
                        .iter()
                        .map(|&p| {
                            let name = t.products[p as usize];
                            t.descriptions
                                .iter()
                                .map(|f| {
                                    f.iter().map(|d| escape(&d.replace("{P}", name))).collect()
                                })
                                .collect()
                        })
                        .collect()
                })
                .collect(),
            names: NAMES
                .iter()
                .map(|ns| ns.iter().map(|n| escape(n.0)).collect())
                .collect(),
            emails: NAMES
                .iter()
                .map(|ns| {
                    ns.iter()
                        .map(|(_, slug)| {
                            MAILBOXES
                                .iter()
                                .map(|m| escape(&format!("{m}@{slug}.example")))
                                .collect()
                        })
                        .collect()
                })
                .collect(),
            packages: products.iter().map(|p| all(p.packages())).collect(),
            evidence: all(EVIDENCE),
        }
    }
}

/// A minimal compact JSON writer. Free text goes through serde_json; codes,
/// digits and timestamps are plain ASCII built here.
struct Json {
    s: String,
    first: bool,
}

impl Json {
    fn with_capacity(n: usize) -> Self {
        Json {
            s: String::with_capacity(n),
            first: true,
        }
    }
    fn open(&mut self) {
        self.s.push('{');
        self.first = true;
    }
    fn close(&mut self) {
        self.s.push('}');
        self.first = false;
    }
    fn key(&mut self, k: &str) {
        if !self.first {
            self.s.push(',');
        }
        self.first = false;
        self.s.push('"');
        self.s.push_str(k);
        self.s.push_str("\":");
    }
    fn raw(&mut self, r: &str) {
        self.s.push_str(r);
    }
    /// An enum value from this file's constants (plain ASCII, no escaping).
    fn code(&mut self, c: &str) {
        debug_assert!(c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        self.s.push('"');
        self.s.push_str(c);
        self.s.push('"');
    }
    fn text(&mut self, t: &str) {
        self.s.push_str(&escape(t));
    }
    /// Decimal digits, zero-padded to at least `width`.
    fn num(&mut self, mut v: u64, width: usize) {
        let mut buf = [b'0'; 20];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        let i = i.min(buf.len() - width.min(buf.len()));
        self.s
            .push_str(std::str::from_utf8(&buf[i..]).expect("ASCII digits"));
    }
    fn time(&mut self, t: i64, zone: i64) {
        let local = DateTime::from_timestamp(t + zone, 0)
            .expect("demo timestamps are in range")
            .naive_utc();
        self.s.push('"');
        self.num(local.year() as u64, 4);
        self.s.push('-');
        self.num(u64::from(local.month()), 2);
        self.s.push('-');
        self.num(u64::from(local.day()), 2);
        self.s.push('T');
        self.num(u64::from(local.hour()), 2);
        self.s.push(':');
        self.num(u64::from(local.minute()), 2);
        self.s.push(':');
        self.num(u64::from(local.second()), 2);
        if zone == 0 {
            self.s.push_str("Z\"");
        } else {
            self.s.push(if zone < 0 { '-' } else { '+' });
            let m = zone.unsigned_abs() / 60;
            self.num(m / 60, 2);
            self.s.push(':');
            self.num(m % 60, 2);
            self.s.push('"');
        }
    }
    fn opt_time(&mut self, k: &str, t: Option<i64>, zone: i64) {
        if let Some(t) = t {
            self.key(k);
            self.time(t, zone);
        }
    }
    fn opt_int(&mut self, k: &str, v: Option<u64>) {
        if let Some(v) = v {
            self.key(k);
            self.num(v, 1);
        }
    }
    fn opt_bool(&mut self, k: &str, v: Option<bool>) {
        if let Some(v) = v {
            self.key(k);
            self.s.push_str(if v { "true" } else { "false" });
        }
    }
    /// Amounts are strings: "1234.50", or whole units for yen and won.
    fn opt_amount(&mut self, k: &str, cents: Option<u64>, whole: bool) {
        if let Some(c) = cents {
            self.key(k);
            self.s.push('"');
            self.num(c / 100, 1);
            if !(whole && c % 100 == 0) {
                self.s.push('.');
                self.num(c % 100, 2);
            }
            self.s.push('"');
        }
    }
    /// Hours as JSON numbers with at most one decimal ("60" or "60.5").
    fn opt_hours(&mut self, k: &str, tenths: Option<u32>) {
        if let Some(t) = tenths {
            self.key(k);
            self.num(u64::from(t / 10), 1);
            if t % 10 != 0 {
                self.s.push('.');
                self.num(u64::from(t % 10), 1);
            }
        }
    }
}
