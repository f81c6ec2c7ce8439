//! The scenario table and the drafting of each scenario's ticket(s).

use super::texts::Product;
use super::{Contract, DemoGenerator, Draft, Incident, DAY};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Scenario {
    LcicSuspended,
    LcicNotPurchased,
    LcicPayg,
    LcicUsed,
    LcicNoDate,
    LcicWindow,
    LcicNothingPaid,
    LcicFull,
    TrtcSuspended,
    TrtcScope,
    TrtcGiftUsed,
    TrtcUsed,
    TrtcMissing,
    TrtcWindow,
    TrtcPair,
    TrtcNothingPaid,
    TrtcFull,
    SerialRefunder,
    ChatPayg,
    ChatSuspended,
    ChatGrace,
    ChatReminder,
    ChatActive,
    ChatMissing,
    LiveContract,
    LiveNoSigned,
    LivePre,
    LivePreNothingPaid,
    LiveCustomer,
    LiveThirdParty,
    LiveUnilateral,
    LiveOther,
    LiveMissingTerm,
    LiveLate,
    LiveEarly,
    LiveEarlyPayg,
    LiveSuOutage,
    LiveSuNotMet,
    LiveSuNeeds,
    LiveOutage,
    LiveOutageNotMet,
    LiveOutageNeeds,
    LiveQuality,
    LiveQualityNeeds,
}

/// Weights of the ordinary mix; the order is also the coverage rotation.
pub(super) const SCENARIOS: &[(Scenario, u64)] = {
    use Scenario::*;
    &[
        (LcicFull, 100),
        (LcicWindow, 50),
        (LcicUsed, 50),
        (LcicNotPurchased, 20),
        (LcicPayg, 20),
        (LcicSuspended, 8),
        (LcicNoDate, 10),
        (LcicNothingPaid, 8),
        (TrtcFull, 80),
        (TrtcWindow, 40),
        (TrtcUsed, 40),
        (TrtcGiftUsed, 20),
        (TrtcScope, 30),
        (TrtcSuspended, 8),
        (TrtcMissing, 10),
        (TrtcNothingPaid, 8),
        (TrtcPair, 8),
        (SerialRefunder, 5),
        (ChatPayg, 30),
        (ChatSuspended, 30),
        (ChatGrace, 15),
        (ChatReminder, 40),
        (ChatActive, 40),
        (ChatMissing, 10),
        (LiveContract, 15),
        (LiveNoSigned, 8),
        (LivePre, 30),
        (LivePreNothingPaid, 3),
        (LiveCustomer, 15),
        (LiveThirdParty, 10),
        (LiveUnilateral, 25),
        (LiveOther, 10),
        (LiveMissingTerm, 8),
        (LiveLate, 15),
        (LiveEarly, 15),
        (LiveEarlyPayg, 4),
        (LiveSuOutage, 6),
        (LiveSuNotMet, 10),
        (LiveSuNeeds, 6),
        (LiveOutage, 15),
        (LiveOutageNotMet, 10),
        (LiveOutageNeeds, 6),
        (LiveQuality, 8),
        (LiveQualityNeeds, 8),
    ]
};

impl DemoGenerator {
    pub(super) fn scenario(&mut self, s: Scenario) -> Vec<String> {
        use Scenario::*;
        let product = match s {
            LcicSuspended | LcicNotPurchased | LcicPayg | LcicUsed | LcicNoDate | LcicWindow
            | LcicNothingPaid | LcicFull => Product::Lcic,
            TrtcSuspended | TrtcScope | TrtcGiftUsed | TrtcUsed | TrtcMissing | TrtcWindow
            | TrtcPair | TrtcNothingPaid | TrtcFull => Product::Trtc,
            SerialRefunder => return self.serial_refunder(),
            ChatPayg | ChatSuspended | ChatGrace | ChatReminder | ChatActive | ChatMissing => {
                Product::Chat
            }
            _ => Product::Live,
        };
        if let TrtcPair = s {
            return self.trtc_pair();
        }
        let who = self.customer();
        let received = self.recent();
        let mut d = self.draft(product, received, &who);
        match product {
            Product::Lcic | Product::Trtc => self.package(&mut d, s),
            Product::Chat => self.chat(&mut d, s),
            Product::Live => self.live(&mut d, s),
        }
        vec![self.render(d)]
    }

    /// An unused, in-window LCIC or TRTC package: the 5-day full refund.
    fn refundable(&mut self, d: &mut Draft) {
        let k = self.rng.range(0, 5);
        d.purchased = Some(self.before(d.received, k));
        d.billing = if d.product == Product::Trtc || self.rng.chance(70) {
            "monthly"
        } else {
            "prepaid"
        };
        d.total_units = self
            .rng
            .chance(80)
            .then(|| self.rng.pick(&[500, 2_000, 10_000, 50_000, 100_000]));
        d.used_units = self.rng.chance(50).then_some(0);
        if d.product == Product::Trtc {
            d.sdk_app_id = Some(self.sdk_app());
            d.gifted_units_used = self.rng.chance(40).then_some(0);
        }
        d.reason = self
            .rng
            .pick(&["unused", "unused", "unused", "changed_mind"]);
        if let Some(p) = d.purchased {
            if self.rng.chance(40) {
                d.invoice = Some(self.on_day(Self::day_of(p), p, d.received));
            }
        }
    }

    fn package(&mut self, d: &mut Draft, s: Scenario) {
        use Scenario::*;
        self.refundable(d);
        match s {
            LcicSuspended | TrtcSuspended => {
                d.status = Some(self.violation());
                if self.rng.chance(40) {
                    d.used_units = Some(self.rng.range(1, 300) as u64);
                    d.total_units = Some(500);
                }
            }
            LcicNotPurchased => {
                d.source = Some(self.rng.pick(&["free_trial", "promotion", "gift"]));
                if self.rng.chance(60) {
                    self.pay_nothing(d);
                }
            }
            LcicPayg => {
                d.billing = "payg";
                d.total_units = None;
                d.purchased = None;
                d.used_units = Some(self.rng.range(0, 9_000) as u64);
                d.reason = self.rng.pick(&["other", "quality", "customer_error"]);
            }
            TrtcScope => {
                d.billing = self.rng.pick(&["prepaid", "payg", "contract"]);
                if d.billing == "contract" {
                    let signed = self.before(d.purchased.unwrap_or(d.received), 3);
                    d.contract = Some(Contract {
                        number: Some(self.contract_number(signed)),
                        signed: Some(signed),
                        overrides: None,
                    });
                } else if d.billing == "payg" {
                    d.purchased = None;
                    d.reason = "other";
                }
            }
            LcicUsed | TrtcUsed | TrtcGiftUsed => {
                let total = d.total_units.unwrap_or(2_000);
                if s == TrtcGiftUsed {
                    d.gifted_units_used = Some(self.rng.range(1, 600) as u64);
                    d.used_units = self.rng.chance(50).then_some(0);
                } else {
                    d.used_units = Some(self.rng.range(1, total as i64) as u64);
                }
                if self.rng.chance(50) {
                    d.reason = self.rng.pick(&["quality", "other", "customer_error"]);
                }
                if self.rng.chance(30) {
                    let k = self.rng.range(6, 40);
                    d.purchased = Some(self.before(d.received, k));
                }
            }
            LcicNoDate => d.purchased = None,
            TrtcMissing => match self.rng.below(3) {
                0 => d.purchased = None,
                1 => d.sdk_app_id = None,
                _ => {
                    d.purchased = None;
                    d.sdk_app_id = None;
                }
            },
            LcicWindow | TrtcWindow => {
                let k = self.rng.range(6, 45);
                d.purchased = Some(self.before(d.received, k));
            }
            LcicNothingPaid | TrtcNothingPaid => self.pay_nothing(d),
            _ => {}
        }
        if d.status.is_none() && self.rng.chance(5) {
            d.status = Some("active");
        }
    }

    /// Two unused monthly TRTC packages on one application, refunds asked a
    /// few days apart: the second is TRTC-ONE-AT-A-TIME.
    fn trtc_pair(&mut self) -> Vec<String> {
        let who = self.customer();
        let d1 = self.rng.range(6, 100);
        let r1 = self.received(d1);
        let mut first = self.draft(Product::Trtc, r1, &who);
        self.refundable(&mut first);
        if first.pay.base() == 0 {
            self.pay_list(&mut first);
        }
        let sdk = first.sdk_app_id;
        let p1 = first.purchased.unwrap_or(r1);
        let gap = self.rng.range(0, 5);
        let r2 = self.on_day(Self::day_of(r1) + gap, r1 + 1, self.now - 60);
        let mut second = self.draft(Product::Trtc, r2, &who);
        self.refundable(&mut second);
        second.sdk_app_id = sdk;
        let span = (Self::day_of(r2) - Self::day_of(p1)).min(5);
        let k = self.rng.range(0, span);
        second.purchased = Some(self.on_day(Self::day_of(r2) - k, p1 + 1, r2));
        second.invoice = None;
        vec![self.render(first), self.render(second)]
    }

    /// Three or four unused LCIC/TRTC packages refunded weeks apart: the
    /// third and later refunds carry `abuse_suspected`.
    fn serial_refunder(&mut self) -> Vec<String> {
        let who = self.customer();
        let n = self.rng.range(3, 4);
        let gaps: Vec<i64> = (1..n).map(|_| self.rng.range(8, 25)).collect();
        let span: i64 = gaps.iter().sum();
        let mut day = self.rng.range(span, 119.max(span));
        let mut lines = Vec::new();
        for i in 0..n as usize {
            let product = if self.rng.chance(50) {
                Product::Lcic
            } else {
                Product::Trtc
            };
            let r = self.received(day);
            let mut d = self.draft(product, r, &who);
            self.refundable(&mut d);
            if d.pay.base() == 0 {
                self.pay_list(&mut d);
            }
            lines.push(self.render(d));
            if let Some(g) = gaps.get(i) {
                day -= g;
            }
        }
        lines
    }

    fn chat(&mut self, d: &mut Draft, s: Scenario) {
        use Scenario::*;
        let r = d.received;
        d.sdk_app_id = Some(self.sdk_app());
        d.billing = self.rng.pick(&["monthly", "monthly", "prepaid"]);
        let term = if d.billing == "monthly" { 30 } else { 365 };
        d.reason = self.rng.pick(&[
            "changed_mind",
            "unused",
            "other",
            "quality",
            "customer_error",
        ]);
        let expires = match s {
            ChatPayg => {
                d.billing = "payg";
                None
            }
            ChatSuspended => Some(r - DAY - self.rng.range(0, 60 * DAY)),
            ChatGrace => Some(r - self.rng.range(0, DAY - 1)),
            ChatReminder => {
                let k = self.rng.range(0, 6);
                Some(self.after(r, k))
            }
            ChatActive => {
                let k = self.rng.range(7, term - 1);
                Some(self.after(r, k))
            }
            _ => None,
        };
        d.expires = expires;
        d.purchased = match expires {
            Some(e) if e - term * DAY <= r => Some(e - term * DAY),
            _ if d.billing == "payg" && self.rng.chance(70) => None,
            _ => {
                let k = self.rng.range(1, 25);
                Some(self.before(r, k))
            }
        };
        if d.billing != "payg" && self.rng.chance(40) {
            d.term_days = Some(term);
        }
        if let Some(p) = d.purchased {
            if self.rng.chance(40) {
                d.invoice = Some(self.on_day(Self::day_of(p), p, r));
            }
        }
    }

    fn live(&mut self, d: &mut Draft, s: Scenario) {
        use Scenario::*;
        let r = d.received;
        d.billing = self
            .rng
            .pick(&["contract", "contract", "contract", "prepaid", "monthly"]);
        let term = self.rng.pick(&[30, 90, 90, 180, 365]);
        d.term_days = Some(term);
        d.total_units = self
            .rng
            .chance(50)
            .then(|| self.rng.pick(&[50_000, 100_000, 500_000]));
        let total = d.total_units.unwrap_or(500_000) as i64;
        d.used_units = Some(self.rng.range(1, total / 2) as u64);
        // Days between activation and the application, inside the term.
        let a = self.rng.range(1, term - 1);
        let mut activated = self.before(r, a);
        let lead = self.rng.range(0, 14);
        let mut signed = self.before(activated, lead);
        let mut incident = Incident::default();
        let mut overrides = self.rng.chance(30).then_some(false);
        d.reason = match s {
            LiveCustomer => "customer_error",
            LiveThirdParty => "third_party",
            LiveUnilateral => self.rng.pick(&["changed_mind", "unused"]),
            LiveOther => "other",
            LiveQuality | LiveQualityNeeds => "quality",
            LiveOutage | LiveOutageNotMet | LiveOutageNeeds => "outage",
            LiveEarly | LiveEarlyPayg | LiveSuOutage | LiveSuNotMet | LiveSuNeeds => {
                "service_unavailable"
            }
            // Rules 8 and 9 are reached only by incident reasons.
            LiveLate | LiveMissingTerm => {
                self.rng.pick(&["service_unavailable", "outage", "quality"])
            }
            _ => self
                .rng
                .pick(&["service_unavailable", "outage", "quality", "changed_mind"]),
        };
        let mut drop_activated = false;
        match s {
            LiveContract => {
                overrides = Some(true);
                let usd = self.rng.pick(&[1_200_000, 2_500_000, 4_800_000, 8_500_000]);
                let price = self.convert(d.currency, usd);
                self.pay(d, price);
            }
            LiveNoSigned => {
                if self.rng.chance(50) {
                    d.contract = None;
                    overrides = None;
                }
                d.used_units = self.rng.chance(50).then_some(0);
            }
            LivePre | LivePreNothingPaid => {
                let k = self.rng.range(0, 7);
                signed = self.before(r, k);
                let k = self.rng.range(0, 2);
                activated = self.on_day(Self::day_of(signed) + k, signed, r);
                d.used_units = self.rng.chance(60).then_some(0);
                d.reason = self
                    .rng
                    .pick(&["changed_mind", "unused", "other", "customer_error"]);
                if s == LivePreNothingPaid {
                    self.pay_nothing(d);
                } else if self.rng.chance(25) {
                    let usd = self.rng.pick(&[1_500_000, 3_000_000]);
                    let price = self.convert(d.currency, usd);
                    self.pay(d, price);
                }
            }
            LiveMissingTerm => {
                match self.rng.below(3) {
                    0 => d.term_days = None,
                    1 => drop_activated = true,
                    _ => {
                        d.term_days = None;
                        drop_activated = true;
                    }
                }
                if self.rng.chance(50) {
                    incident.started = Some(self.on_day(Self::day_of(activated), activated, r));
                }
            }
            LiveLate => {
                let late = self.rng.range(term, term + 40);
                activated = self.before(r, late);
                signed = self.before(activated, lead);
                let s_off = self.rng.range(0, late);
                incident.started = Some(self.on_day(Self::day_of(activated) + s_off, activated, r));
                incident.outage = Some(self.rng.range(100, 1_500) as u32);
                incident.provider = Some(self.rng.chance(70));
            }
            LiveEarly | LiveEarlyPayg => {
                if s == LiveEarlyPayg {
                    d.billing = "payg";
                    d.total_units = Some(total as u64);
                }
                let s_off = self.rng.range(0, a.min(30));
                incident.started = Some(self.on_day(Self::day_of(activated) + s_off, activated, r));
                incident.unresolved = Some(self.rng.range(481, 2_400) as u32);
                incident.provider = Some(true);
                if self.rng.chance(50) {
                    incident.outage = Some(self.rng.range(10, 1_500) as u32);
                }
            }
            LiveSuOutage => {
                let s_off = self.rng.range(0, a);
                incident.started = Some(self.on_day(Self::day_of(activated) + s_off, activated, r));
                incident.unresolved = Some(self.rng.range(5, 480) as u32);
                incident.outage = Some(self.rng.range(721, 2_000) as u32);
                incident.provider = Some(true);
            }
            LiveSuNotMet => {
                let s_off = self.rng.range(0, a);
                incident.started = Some(self.on_day(Self::day_of(activated) + s_off, activated, r));
                incident.unresolved = Some(self.rng.range(5, 2_000) as u32);
                incident.provider = Some(false);
                if self.rng.chance(50) {
                    incident.outage = Some(self.rng.range(5, 700) as u32);
                    incident.unresolved = Some(self.rng.range(5, 480) as u32);
                    incident.provider = Some(true);
                }
            }
            LiveSuNeeds => {
                let s_off = self.rng.range(0, a);
                incident.started = Some(self.on_day(Self::day_of(activated) + s_off, activated, r));
                incident.unresolved = Some(self.rng.range(481, 2_000) as u32);
                incident.provider = Some(true);
                match self.rng.below(3) {
                    0 => incident.started = None,
                    1 => incident.unresolved = None,
                    _ => incident.provider = None,
                }
            }
            LiveOutage | LiveOutageNotMet | LiveOutageNeeds => {
                let s_off = self.rng.range(0, a);
                if self.rng.chance(85) {
                    incident.started =
                        Some(self.on_day(Self::day_of(activated) + s_off, activated, r));
                }
                incident.outage = Some(self.rng.range(721, 3_000) as u32);
                incident.provider = Some(true);
                if s == LiveOutageNotMet {
                    if self.rng.chance(50) {
                        incident.provider = Some(false);
                    } else {
                        incident.outage = Some(self.rng.range(5, 720) as u32);
                    }
                } else if s == LiveOutageNeeds {
                    if self.rng.chance(50) {
                        incident.outage = None;
                    } else {
                        incident.provider = None;
                    }
                }
            }
            LiveQuality | LiveQualityNeeds => {
                let s_off = self.rng.range(0, a);
                incident.started = Some(self.on_day(Self::day_of(activated) + s_off, activated, r));
                incident.provider = self.rng.chance(50).then_some(true);
                incident.gap = if s == LiveQuality {
                    Some(true)
                } else if self.rng.chance(50) {
                    Some(false)
                } else {
                    None
                };
            }
            LiveThirdParty => {
                let s_off = self.rng.range(0, a);
                incident.started = Some(self.on_day(Self::day_of(activated) + s_off, activated, r));
                incident.outage = Some(self.rng.range(5, 200) as u32);
                incident.provider = Some(false);
            }
            _ => {}
        }
        d.activated = (!drop_activated).then_some(activated);
        d.purchased = self.rng.chance(50).then_some(signed);
        let has_contract = !(s == LiveNoSigned && overrides.is_none());
        d.contract = has_contract.then(|| Contract {
            number: Some(self.contract_number(signed)),
            signed: (s != LiveNoSigned).then_some(signed),
            overrides,
        });
        if s == LiveNoSigned {
            d.purchased = None;
        }
        let any = incident.started.is_some()
            || incident.unresolved.is_some()
            || incident.outage.is_some()
            || incident.provider.is_some()
            || incident.gap.is_some();
        d.incident = any.then_some(incident);
        if self.rng.chance(30) {
            d.invoice = Some(self.on_day(Self::day_of(signed), signed, r));
        }
    }
}
