//! The fast path for reading a ticket: serde straight into typed fields, no
//! JSON tree. It accepts exactly what `Ticket::from_json` accepts — every
//! field goes through the same checks — and whenever it cannot read a line
//! it gives up (`None`) so the tree-based validator, the authority, decides
//! and words the error. Import, eval and recompute read millions of lines;
//! building a `serde_json::Value` tree for each was most of their time.

use super::money::{parse_amount, parse_hours};
use super::ticket::*;
use chrono::DateTime;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::borrow::Cow;

pub mod shape;

type S<'a> = Option<Cow<'a, str>>;

fn owned(s: &S) -> Option<String> {
    s.as_deref().map(str::to_owned)
}

fn time(s: &S) -> Result<Option<Timestamp>, ()> {
    s.as_deref()
        .map(|t| DateTime::parse_from_rfc3339(t).map_err(|_| ()))
        .transpose()
}

fn money(s: &S) -> Result<Decimal, ()> {
    Ok(s.as_deref()
        .map(|a| parse_amount(a).map_err(|_| ()))
        .transpose()?
        .unwrap_or_default())
}

fn hours(n: &Option<serde_json::Number>) -> Result<Option<Decimal>, ()> {
    n.as_ref()
        .map(|n| parse_hours(&n.to_string()).map_err(|_| ()))
        .transpose()
}

fn choice<E>(s: &S, parse: fn(&str) -> Option<E>) -> Result<Option<E>, ()> {
    s.as_deref().map(|v| parse(v).ok_or(())).transpose()
}

/// The wire types and their conversion, made twice: strict (every key
/// known, so serde's own "duplicate field" check covers every object and
/// the nesting is the types' own) and lenient (unknown keys ignored, so
/// `shape::check` must look at the text). Import reads the strict way
/// first: the byte pass of the shape check was a quarter of its parsing.
macro_rules! wire {
    ($(#[$strict:meta])*) => {
        use super::*;

        #[derive(Deserialize)]
        $(#[$strict])*
        struct Wire<'a> {
            #[serde(borrow)]
            id: S<'a>,
            #[serde(borrow)]
            received_at: S<'a>,
            #[serde(borrow)]
            product: S<'a>,
            #[serde(borrow)]
            account: Option<WireAccount<'a>>,
            #[serde(borrow)]
            package: Option<WirePackage<'a>>,
            #[serde(borrow)]
            payment: Option<WirePayment<'a>>,
            #[serde(borrow)]
            contract: Option<WireContract<'a>>,
            #[serde(borrow)]
            incident: Option<WireIncident<'a>>,
            #[serde(borrow)]
            reason: S<'a>,
            #[serde(borrow)]
            requested_amount: S<'a>,
            #[serde(borrow)]
            contact: Option<WireContact<'a>>,
            #[serde(borrow)]
            subject: S<'a>,
            #[serde(borrow)]
            description: S<'a>,
            #[serde(borrow)]
            evidence: Option<Vec<Cow<'a, str>>>,
        }

        #[derive(Deserialize, Default)]
        $(#[$strict])*
        struct WireAccount<'a> {
            #[serde(borrow)]
            id: S<'a>,
            #[serde(borrow)]
            name: S<'a>,
            #[serde(borrow)]
            status: S<'a>,
        }

        #[derive(Deserialize, Default)]
        $(#[$strict])*
        struct WirePackage<'a> {
            #[serde(borrow)]
            name: S<'a>,
            #[serde(borrow)]
            billing: S<'a>,
            #[serde(borrow)]
            source: S<'a>,
            #[serde(borrow)]
            sdk_app_id: S<'a>,
            #[serde(borrow)]
            purchased_at: S<'a>,
            #[serde(borrow)]
            activated_at: S<'a>,
            #[serde(borrow)]
            expires_at: S<'a>,
            term_days: Option<u64>,
            total_units: Option<u64>,
            used_units: Option<u64>,
            gifted_units_used: Option<u64>,
        }

        #[derive(Deserialize, Default)]
        $(#[$strict])*
        struct WirePayment<'a> {
            #[serde(borrow)]
            currency: S<'a>,
            #[serde(borrow)]
            cash: S<'a>,
            #[serde(borrow)]
            commission_credit: S<'a>,
            #[serde(borrow)]
            free_credit: S<'a>,
            #[serde(borrow)]
            voucher: S<'a>,
            #[serde(borrow)]
            discount: S<'a>,
            #[serde(borrow)]
            frozen: S<'a>,
            #[serde(borrow)]
            invoice_issued_at: S<'a>,
        }

        #[derive(Deserialize, Default)]
        $(#[$strict])*
        struct WireContract<'a> {
            #[serde(borrow)]
            number: S<'a>,
            #[serde(borrow)]
            signed_at: S<'a>,
            overrides_policy: Option<bool>,
        }

        #[derive(Deserialize, Default)]
        $(#[$strict])*
        struct WireIncident<'a> {
            #[serde(borrow)]
            started_at: S<'a>,
            unresolved_hours: Option<serde_json::Number>,
            outage_hours: Option<serde_json::Number>,
            provider_caused: Option<bool>,
            quality_gap_confirmed: Option<bool>,
        }

        #[derive(Deserialize, Default)]
        $(#[$strict])*
        struct WireContact<'a> {
            #[serde(borrow)]
            email: S<'a>,
            #[serde(borrow)]
            language: S<'a>,
        }


        /// The ticket of one JSON text, or `None` when this reading cannot
        /// tell (the line may still be valid: ask `Ticket::from_json`).
        pub(super) fn read(text: &str) -> Option<Ticket> {
            let w: Wire = serde_json::from_str(text).ok()?;
            convert(w).ok()
        }

        fn convert(w: Wire) -> Result<Ticket, ()> {
            let (acc, pkg, pay) = (
                w.account.unwrap_or_default(),
                w.package.unwrap_or_default(),
                w.payment.unwrap_or_default(),
            );
            let (con, inc, contact) = (
                w.contract.unwrap_or_default(),
                w.incident.unwrap_or_default(),
                w.contact.unwrap_or_default(),
            );
            let id = owned(&w.id).ok_or(())?;
            let currency = owned(&pay.currency).ok_or(())?;
            if !valid_id(&id) || currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(());
            }
            let ticket = Ticket {
                id,
                received_at: time(&w.received_at)?.ok_or(())?,
                product: choice(&w.product, Product::parse)?.ok_or(())?,
                account_id: owned(&acc.id).ok_or(())?,
                account_name: owned(&acc.name),
                account_status: choice(&acc.status, AccountStatus::parse)?.unwrap_or(AccountStatus::Active),
                package: Package {
                    name: owned(&pkg.name),
                    billing: choice(&pkg.billing, Billing::parse)?.ok_or(())?,
                    source: choice(&pkg.source, Source::parse)?.unwrap_or(Source::Purchased),
                    sdk_app_id: owned(&pkg.sdk_app_id),
                    purchased_at: time(&pkg.purchased_at)?,
                    activated_at: time(&pkg.activated_at)?,
                    expires_at: time(&pkg.expires_at)?,
                    term_days: pkg.term_days,
                    total_units: pkg.total_units,
                    used_units: pkg.used_units.unwrap_or(0),
                    gifted_units_used: pkg.gifted_units_used.unwrap_or(0),
                },
                payment: Payment {
                    currency,
                    cash: money(&pay.cash)?,
                    commission_credit: money(&pay.commission_credit)?,
                    free_credit: money(&pay.free_credit)?,
                    voucher: money(&pay.voucher)?,
                    discount: money(&pay.discount)?,
                    frozen: money(&pay.frozen)?,
                    invoice_issued_at: time(&pay.invoice_issued_at)?,
                },
                contract: Contract {
                    number: owned(&con.number),
                    signed_at: time(&con.signed_at)?,
                    overrides_policy: con.overrides_policy.unwrap_or(false),
                },
                incident: Incident {
                    started_at: time(&inc.started_at)?,
                    unresolved_hours: hours(&inc.unresolved_hours)?,
                    outage_hours: hours(&inc.outage_hours)?,
                    provider_caused: inc.provider_caused,
                    quality_gap_confirmed: inc.quality_gap_confirmed,
                },
                reason: choice(&w.reason, Reason::parse)?.ok_or(())?,
                requested_amount: w
                    .requested_amount
                    .as_deref()
                    .map(|a| parse_amount(a).map_err(|_| ()))
                    .transpose()?,
                email: owned(&contact.email),
                language: choice(&contact.language, Language::parse)?.unwrap_or(Language::En),
                subject: owned(&w.subject),
                description: owned(&w.description),
                evidence: w
                    .evidence
                    .unwrap_or_default()
                    .into_iter()
                    .map(Cow::into_owned)
                    .collect(),
            };
            ticket.check_consistency().map_err(|_| ())?;
            Ok(ticket)
        }

    };
}

mod strict {
    wire!(#[serde(deny_unknown_fields)]);
}

mod lenient {
    wire!();
}

/// The ticket of one JSON text, or `None` when the fast path cannot tell
/// (the line may still be valid: ask `Ticket::from_json`). Its shape is
/// checked by the caller.
pub fn read_fast(text: &str) -> Option<Ticket> {
    lenient::read(text)
}

impl Ticket {
    /// Reads one JSON text: the fast typed path, else the validating tree
    /// path that words the error. Either way the text's shape is checked
    /// too (no key twice, no deep nesting), once it is known to be JSON.
    pub fn from_text(text: &str) -> Result<Ticket, String> {
        // No key unknown: serde refused any key given twice, and the types
        // nest three deep at most. Nothing left for the shape check.
        if let Some(t) = strict::read(text) {
            return Ok(t);
        }
        if let Some(t) = read_fast(text) {
            shape::check(text)?;
            return Ok(t);
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            let why = format!("not valid JSON: {e}");
            // serde_json stops at 128 levels: name the limit the spec sets.
            if why.contains("recursion limit") {
                shape::check(text).err().unwrap_or(why)
            } else {
                why
            }
        })?;
        shape::check(text)?;
        Ticket::from_json(&value)
    }
}
