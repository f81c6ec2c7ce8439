//! evaluate(): SPEC §2 as code. Pure: the ticket, the policy and the
//! account's earlier full refunds in, a verdict out.

use super::clause::{Clause, Flag, VerdictKind};
use super::config::Policy;
use super::verdict::Verdict;
use crate::domain::money::round2;
use crate::domain::ticket::{Billing, Product, Reason, Source, Ticket, Timestamp};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// An earlier ticket of the same account whose verdict was `full_refund`:
/// the only kind of history the ⟲ rules read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorRefund {
    pub id: String,
    pub received_at: Timestamp,
    pub product: Product,
    pub sdk_app_id: Option<String>,
}

impl PriorRefund {
    pub fn of(t: &Ticket) -> PriorRefund {
        PriorRefund {
            id: t.id.clone(),
            received_at: t.received_at,
            product: t.product,
            sdk_app_id: t.package.sdk_app_id.clone(),
        }
    }
}

struct Ctx<'a> {
    t: &'a Ticket,
    p: &'a Policy,
}

impl Ctx<'_> {
    /// Local date of b minus local date of a, in whole days.
    fn elapsed(&self, a: &Timestamp, b: &Timestamp) -> i64 {
        let tz = self.p.tz;
        (b.with_timezone(&tz).date_naive() - a.with_timezone(&tz).date_naive()).num_days()
    }

    fn since(&self, a: &Timestamp) -> i64 {
        self.elapsed(a, &self.t.received_at)
    }

    fn verdict(&self, kind: VerdictKind, clause: Clause) -> Verdict {
        Verdict {
            kind,
            amount: None,
            ceiling: None,
            currency: self.t.payment.currency.clone(),
            clauses: vec![clause],
            flags: Vec::new(),
            missing: Vec::new(),
            facts: BTreeMap::new(),
            related: Vec::new(),
        }
    }

    fn reject(&self, clause: Clause) -> Verdict {
        self.verdict(VerdictKind::Reject, clause)
    }

    fn pay(&self, kind: VerdictKind, clause: Clause, amount: Decimal) -> Verdict {
        if self.t.payment.base().is_zero() {
            // COMMON-NOTHING-PAID decides; the clause that would have paid is context.
            let mut v = self.reject(Clause::CommonNothingPaid);
            v.clauses.push(clause);
            return v;
        }
        Verdict {
            amount: Some(round2(amount)),
            ..self.verdict(kind, clause)
        }
    }

    /// A needs_info verdict for the named fields that are missing, if any are.
    fn needs(&self, fields: &[(&str, bool)]) -> Option<Verdict> {
        let mut missing: Vec<String> = fields
            .iter()
            .filter(|(_, present)| !present)
            .map(|(name, _)| name.to_string())
            .collect();
        if missing.is_empty() {
            return None;
        }
        missing.sort();
        let mut v = self.verdict(VerdictKind::NeedsInfo, Clause::CommonNothingPaid);
        v.clauses.clear();
        v.missing = missing;
        Some(v)
    }
}

/// `prior`: the account's earlier full refunds (earlier by received_at, then
/// id); any order, any age — the windows are applied here.
pub fn evaluate(t: &Ticket, p: &Policy, prior: &[PriorRefund]) -> Verdict {
    let cx = Ctx { t, p };
    let mut v = match t.product {
        Product::Lcic => lcic(&cx),
        Product::Trtc => trtc(&cx, prior),
        Product::Chat => chat(&cx),
        Product::Live => live(&cx),
    };
    if v.kind == VerdictKind::FullRefund {
        let recent: Vec<&PriorRefund> = prior
            .iter()
            .filter(|r| cx.since(&r.received_at) <= p.abuse.window_days)
            .collect();
        if recent.len() >= p.abuse.min_earlier_full_refunds {
            v.flags.push(Flag::AbuseSuspected);
            v.related.extend(recent.iter().map(|r| r.id.clone()));
        }
    }
    if t.payment.frozen > Decimal::ZERO {
        v.flags.push(Flag::FrozenFunds);
    }
    v.flags.sort();
    v.related.sort();
    v.related.dedup();
    v
}

fn lcic(cx: &Ctx) -> Verdict {
    let (t, w) = (cx.t, cx.p.lcic.window_days);
    let pkg = &t.package;
    if t.account_status.is_violation() {
        return cx.reject(Clause::LcicSuspended);
    }
    if pkg.source != Source::Purchased {
        return cx.reject(Clause::LcicNotPurchased);
    }
    if pkg.billing == Billing::Payg {
        return cx.reject(Clause::LcicPayg);
    }
    if pkg.used_units > 0 {
        return cx.reject(Clause::LcicUsed);
    }
    let Some(purchased) = pkg.purchased_at else {
        return cx.needs(&[("package.purchased_at", false)]).unwrap();
    };
    if cx.since(&purchased) > w {
        return cx.reject(Clause::LcicWindow);
    }
    cx.pay(VerdictKind::FullRefund, Clause::Lcic5Day, t.payment.base())
}

fn trtc(cx: &Ctx, prior: &[PriorRefund]) -> Verdict {
    let (t, params) = (cx.t, &cx.p.trtc);
    let pkg = &t.package;
    if t.account_status.is_violation() {
        return cx.reject(Clause::TrtcSuspended);
    }
    if pkg.billing != Billing::Monthly {
        return cx.reject(Clause::TrtcScope);
    }
    if pkg.gifted_units_used > 0 {
        return cx.reject(Clause::TrtcGiftUsed);
    }
    if pkg.used_units > 0 {
        return cx.reject(Clause::TrtcUsed);
    }
    if let Some(v) = cx.needs(&[
        ("package.purchased_at", pkg.purchased_at.is_some()),
        ("package.sdk_app_id", pkg.sdk_app_id.is_some()),
    ]) {
        return v;
    }
    let (Some(purchased), Some(app)) = (pkg.purchased_at, pkg.sdk_app_id.as_deref()) else {
        unreachable!("checked by needs() above")
    };
    if cx.since(&purchased) > params.window_days {
        return cx.reject(Clause::TrtcWindow);
    }
    let blocking: Vec<&PriorRefund> = prior
        .iter()
        .filter(|r| {
            r.product == Product::Trtc
                && r.sdk_app_id.as_deref() == Some(app)
                && cx.since(&r.received_at) <= params.one_at_a_time_days
        })
        .collect();
    if !blocking.is_empty() {
        let mut v = cx.reject(Clause::TrtcOneAtATime);
        v.related = blocking.iter().map(|r| r.id.clone()).collect();
        return v;
    }
    cx.pay(VerdictKind::FullRefund, Clause::Trtc5Day, t.payment.base())
}

fn chat(cx: &Ctx) -> Verdict {
    let (t, params) = (cx.t, &cx.p.chat);
    let state = if t.package.billing == Billing::Payg {
        "payg"
    } else {
        let Some(expires) = t.package.expires_at else {
            return cx.needs(&[("package.expires_at", false)]).unwrap();
        };
        let received = t.received_at;
        if received >= expires {
            if received - expires >= chrono::Duration::hours(params.suspend_after_hours) {
                "suspended"
            } else {
                "grace"
            }
        } else if cx.elapsed(&received, &expires) < params.reminder_days {
            "renewal_reminder"
        } else {
            "active"
        }
    };
    let mut v = cx.verdict(VerdictKind::ManualReview, Clause::ChatNoRule);
    v.facts.insert("plan_state".into(), state.into());
    v
}

fn live(cx: &Ctx) -> Verdict {
    let (t, params) = (cx.t, &cx.p.live);
    let (pkg, inc) = (&t.package, &t.incident);
    let base = t.payment.base();
    if t.contract.overrides_policy {
        return cx.verdict(VerdictKind::ManualReview, Clause::LiveContract);
    }
    let Some(signed) = t.contract.signed_at else {
        return cx.needs(&[("contract.signed_at", false)]).unwrap();
    };
    if pkg.used_units == 0 && cx.since(&signed) <= params.pre_use_days {
        return cx.pay(VerdictKind::FullRefund, Clause::LivePre, base);
    }
    match t.reason {
        Reason::CustomerError => return cx.reject(Clause::LiveExclCustomer),
        Reason::ThirdParty => return cx.reject(Clause::LiveExclThirdParty),
        Reason::ChangedMind | Reason::Unused => return cx.reject(Clause::LiveExclUnilateral),
        Reason::Other => return cx.verdict(VerdictKind::ManualReview, Clause::LiveOther),
        Reason::ServiceUnavailable | Reason::Outage | Reason::Quality => {}
    }
    if let Some(v) = cx.needs(&[
        ("package.activated_at", pkg.activated_at.is_some()),
        ("package.term_days", pkg.term_days.is_some()),
    ]) {
        return v;
    }
    let (Some(activated), Some(term)) = (pkg.activated_at, pkg.term_days) else {
        unreachable!("checked by needs() above")
    };
    let term = i64::try_from(term).unwrap_or(i64::MAX);
    if cx.since(&activated) >= term {
        return cx.reject(Clause::LiveExclLate);
    }
    let term_dec = Decimal::from(term);
    let outage = |provider_caused: bool| -> Option<Verdict> {
        let hours = inc.outage_hours?;
        (provider_caused && hours > params.outage_hours).then(|| {
            let share = round2(mul_div(base, hours, term_dec * Decimal::from(24)));
            cx.pay(
                VerdictKind::Compensation,
                Clause::LiveOutage,
                share.min(base),
            )
        })
    };
    match t.reason {
        Reason::ServiceUnavailable => {
            if let Some(v) = cx.needs(&[
                ("incident.started_at", inc.started_at.is_some()),
                ("incident.unresolved_hours", inc.unresolved_hours.is_some()),
                ("incident.provider_caused", inc.provider_caused.is_some()),
            ]) {
                return v;
            }
            let (Some(started), Some(unresolved), Some(provider)) =
                (inc.started_at, inc.unresolved_hours, inc.provider_caused)
            else {
                unreachable!("checked by needs() above")
            };
            let used_days = cx.elapsed(&activated, &started);
            if provider
                && used_days <= params.early_failure_days
                && unresolved > params.unresolved_hours
            {
                let amount = if pkg.billing == Billing::Payg {
                    match pkg.total_units {
                        Some(total) if total > 0 => mul_div(
                            base,
                            Decimal::from(total - pkg.used_units),
                            Decimal::from(total),
                        ),
                        _ => return cx.needs(&[("package.total_units", false)]).unwrap(),
                    }
                } else {
                    mul_div(base, Decimal::from(term - used_days), term_dec)
                };
                return cx.pay(VerdictKind::ProRata, Clause::LiveEarly, amount);
            }
            outage(provider).unwrap_or_else(|| cx.reject(Clause::LiveNotMet))
        }
        Reason::Outage => {
            if let Some(v) = cx.needs(&[
                ("incident.outage_hours", inc.outage_hours.is_some()),
                ("incident.provider_caused", inc.provider_caused.is_some()),
            ]) {
                return v;
            }
            outage(inc.provider_caused == Some(true))
                .unwrap_or_else(|| cx.reject(Clause::LiveNotMet))
        }
        _ => {
            if inc.quality_gap_confirmed == Some(true) {
                Verdict {
                    ceiling: Some(round2(base)),
                    ..cx.verdict(VerdictKind::Negotiate, Clause::LiveQuality)
                }
            } else {
                cx.needs(&[("incident.quality_gap_confirmed", false)])
                    .unwrap()
            }
        }
    }
}

/// base × num / den, multiplying first as the spec asks; absurd inputs that
/// overflow 96 bits divide first instead of panicking.
fn mul_div(base: Decimal, num: Decimal, den: Decimal) -> Decimal {
    match base.checked_mul(num) {
        Some(product) => product.checked_div(den).unwrap_or(Decimal::ZERO),
        None => (num / den).checked_mul(base).unwrap_or(Decimal::MAX),
    }
}
