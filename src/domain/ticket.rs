//! The ticket as imported (SPEC §1): typed facts for the policy, validated
//! from untrusted JSON with one clear reason per rejected line.

use super::money::{parse_amount, parse_hours};
use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;

use serde_json::{Map, Value};

pub type Timestamp = DateTime<FixedOffset>;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),+ } }
            pub fn parse(s: &str) -> Option<$name> { match s { $($text => Some($name::$variant),)+ _ => None } }
            /// "a|b|c", for error messages and help.
            pub fn choices() -> String { [$($text),+].join("|") }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
pub(crate) use string_enum;

string_enum!(Product { Lcic = "lcic", Trtc = "trtc", Chat = "chat", Live = "live" });
string_enum!(AccountStatus {
    Active = "active",
    SuspendedViolation = "suspended_violation",
    SuspendedContent = "suspended_content",
    SuspendedIllegal = "suspended_illegal",
    SuspendedOverdue = "suspended_overdue",
});
string_enum!(Billing { Monthly = "monthly", Prepaid = "prepaid", Payg = "payg", Contract = "contract" });
string_enum!(Source { Purchased = "purchased", FreeTrial = "free_trial", Promotion = "promotion", Gift = "gift" });
string_enum!(Reason {
    Unused = "unused",
    ServiceUnavailable = "service_unavailable",
    Outage = "outage",
    Quality = "quality",
    ChangedMind = "changed_mind",
    CustomerError = "customer_error",
    ThirdParty = "third_party",
    Other = "other",
});
string_enum!(Language { En = "en", Zh = "zh", Ja = "ja", Ko = "ko" });

impl AccountStatus {
    /// `suspended_overdue` is a billing matter, not a violation.
    pub fn is_violation(self) -> bool {
        matches!(
            self,
            Self::SuspendedViolation | Self::SuspendedContent | Self::SuspendedIllegal
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ticket {
    pub id: String,
    pub received_at: Timestamp,
    pub product: Product,
    pub account_id: String,
    pub account_name: Option<String>,
    pub account_status: AccountStatus,
    pub package: Package,
    pub payment: Payment,
    pub contract: Contract,
    pub incident: Incident,
    pub reason: Reason,
    pub requested_amount: Option<Decimal>,
    pub email: Option<String>,
    pub language: Language,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub evidence: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Package {
    pub name: Option<String>,
    pub billing: Billing,
    pub source: Source,
    pub sdk_app_id: Option<String>,
    pub purchased_at: Option<Timestamp>,
    pub activated_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub term_days: Option<u64>,
    pub total_units: Option<u64>,
    pub used_units: u64,
    pub gifted_units_used: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Payment {
    pub currency: String,
    pub cash: Decimal,
    pub commission_credit: Decimal,
    pub free_credit: Decimal,
    pub voucher: Decimal,
    pub discount: Decimal,
    pub frozen: Decimal,
    pub invoice_issued_at: Option<Timestamp>,
}

impl Payment {
    /// The refundable base: cash and credits; vouchers and discounts never come back.
    pub fn base(&self) -> Decimal {
        self.cash + self.commission_credit + self.free_credit
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Contract {
    pub number: Option<String>,
    pub signed_at: Option<Timestamp>,
    pub overrides_policy: bool,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Incident {
    pub started_at: Option<Timestamp>,
    pub unresolved_hours: Option<Decimal>,
    pub outage_hours: Option<Decimal>,
    pub provider_caused: Option<bool>,
    pub quality_gap_confirmed: Option<bool>,
}

/// Reads one field path of a JSON object; `null` counts as absent.
struct Reader<'a> {
    root: &'a Map<String, Value>,
}

type Res<T> = Result<T, String>;

impl<'a> Reader<'a> {
    /// Paths are at most two deep (`package.billing`); this runs ~40 times
    /// per imported line, so it allocates nothing unless it fails.
    fn get(&self, path: &str) -> Res<Option<&'a Value>> {
        let (head, tail) = match path.split_once('.') {
            Some((h, t)) => (h, Some(t)),
            None => (path, None),
        };
        let cur = match self.root.get(head) {
            None | Some(Value::Null) => return Ok(None),
            Some(v) => v,
        };
        let Some(tail) = tail else {
            return Ok(Some(cur));
        };
        let obj = cur
            .as_object()
            .ok_or_else(|| format!("{head}: expected an object"))?;
        Ok(obj.get(tail).filter(|v| !v.is_null()))
    }

    fn required<T>(&self, path: &str, f: impl Fn(&str, &'a Value) -> Res<T>) -> Res<T> {
        match self.get(path)? {
            Some(v) => f(path, v),
            None => Err(format!("missing required field {path}")),
        }
    }

    fn optional<T>(&self, path: &str, f: impl Fn(&str, &'a Value) -> Res<T>) -> Res<Option<T>> {
        self.get(path)?.map(|v| f(path, v)).transpose()
    }
}

fn string(path: &str, v: &Value) -> Res<String> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{path}: expected a string, got {}", kind_of(v)))
}

fn timestamp(path: &str, v: &Value) -> Res<Timestamp> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("{path}: expected an RFC 3339 timestamp string"))?;
    DateTime::parse_from_rfc3339(s).map_err(|_| {
        format!("{path}: {s:?} is not an RFC 3339 timestamp with offset (e.g. 2026-11-03T10:00:00+08:00)")
    })
}

fn amount(path: &str, v: &Value) -> Res<Decimal> {
    match v {
        Value::String(s) => parse_amount(s).map_err(|e| format!("{path}: {e}")),
        Value::Number(_) => Err(format!(
            "{path}: amounts must be JSON strings like \"95.00\", not numbers"
        )),
        other => Err(format!(
            "{path}: expected an amount string, got {}",
            kind_of(other)
        )),
    }
}

/// The largest value of an integer field (SPEC §1 "Value formats").
pub const MAX_INTEGER: u64 = 1_000_000_000_000_000;
/// `package.term_days` runs from 1 to 36,600 days (a hundred years).
pub const MAX_TERM_DAYS: u64 = 36_600;

fn integer_max(path: &str) -> u64 {
    if path == "package.term_days" {
        MAX_TERM_DAYS
    } else {
        MAX_INTEGER
    }
}

fn too_large(path: &str, n: impl std::fmt::Display) -> String {
    format!("{path}: {n} is too large (at most {})", integer_max(path))
}

fn integer(path: &str, v: &Value) -> Res<u64> {
    match v {
        // The number's own text (arbitrary_precision): a value past u64 is
        // still named as too large rather than as "not a whole number".
        Value::Number(n) => match n.as_u64() {
            Some(x) if x > integer_max(path) => Err(too_large(path, x)),
            Some(x) => Ok(x),
            None if n.to_string().bytes().all(|b| b.is_ascii_digit()) => Err(too_large(path, n)),
            None => Err(format!("{path}: expected a whole number ≥ 0, got {n}")),
        },
        other => Err(format!(
            "{path}: expected an integer, got {}",
            kind_of(other)
        )),
    }
}

fn hours(path: &str, v: &Value) -> Res<Decimal> {
    match v {
        // With serde_json's arbitrary_precision the number keeps its decimal text.
        Value::Number(n) => parse_hours(&n.to_string()).map_err(|e| format!("{path}: {e}")),
        other => Err(format!(
            "{path}: expected a number of hours, got {}",
            kind_of(other)
        )),
    }
}

fn boolean(path: &str, v: &Value) -> Res<bool> {
    v.as_bool()
        .ok_or_else(|| format!("{path}: expected true or false, got {}", kind_of(v)))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn enumerated<E>(
    parse: fn(&str) -> Option<E>,
    choices: fn() -> String,
) -> impl Fn(&str, &Value) -> Res<E> {
    move |path, v| {
        let s = string(path, v)?;
        parse(&s).ok_or_else(|| format!("{path}: unknown value {s:?} (expected {})", choices()))
    }
}

/// True for a valid ticket id: 1–64 of `[A-Za-z0-9._-]`.
pub fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl Ticket {
    /// Validates one imported JSON value against SPEC §1, contradictions included.
    pub fn from_json(value: &Value) -> Res<Ticket> {
        let root = value
            .as_object()
            .ok_or_else(|| format!("expected a JSON object, got {}", kind_of(value)))?;
        let r = Reader { root };
        let id = r.required("id", string)?;
        if !valid_id(&id) {
            return Err(format!(
                "id: {id:?} is not 1–64 characters of letters, digits, '.', '_' or '-'"
            ));
        }
        // Checked in the order of the import table, so the first problem reported is the first one a reader meets.
        let received_at = r.required("received_at", timestamp)?;
        let product = r.required("product", enumerated(Product::parse, Product::choices))?;
        let account_id = r.required("account.id", string)?;
        let package = Package {
            name: r.optional("package.name", string)?,
            billing: r.required(
                "package.billing",
                enumerated(Billing::parse, Billing::choices),
            )?,
            source: r
                .optional("package.source", enumerated(Source::parse, Source::choices))?
                .unwrap_or(Source::Purchased),
            sdk_app_id: r.optional("package.sdk_app_id", string)?,
            purchased_at: r.optional("package.purchased_at", timestamp)?,
            activated_at: r.optional("package.activated_at", timestamp)?,
            expires_at: r.optional("package.expires_at", timestamp)?,
            term_days: r.optional("package.term_days", integer)?,
            total_units: r.optional("package.total_units", integer)?,
            used_units: r.optional("package.used_units", integer)?.unwrap_or(0),
            gifted_units_used: r
                .optional("package.gifted_units_used", integer)?
                .unwrap_or(0),
        };
        let money =
            |field: &str| -> Res<Decimal> { Ok(r.optional(field, amount)?.unwrap_or_default()) };
        let currency = r.required("payment.currency", string)?;
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "payment.currency: {currency:?} is not an ISO 4217 code (3 upper-case letters)"
            ));
        }
        let payment = Payment {
            currency,
            cash: money("payment.cash")?,
            commission_credit: money("payment.commission_credit")?,
            free_credit: money("payment.free_credit")?,
            voucher: money("payment.voucher")?,
            discount: money("payment.discount")?,
            frozen: money("payment.frozen")?,
            invoice_issued_at: r.optional("payment.invoice_issued_at", timestamp)?,
        };
        let evidence = match r.get("evidence")? {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| string(&format!("evidence[{i}]"), v))
                .collect::<Res<Vec<_>>>()?,
            Some(other) => {
                return Err(format!(
                    "evidence: expected an array of strings, got {}",
                    kind_of(other)
                ))
            }
        };
        let ticket = Ticket {
            received_at,
            product,
            account_id,
            account_name: r.optional("account.name", string)?,
            account_status: r
                .optional(
                    "account.status",
                    enumerated(AccountStatus::parse, AccountStatus::choices),
                )?
                .unwrap_or(AccountStatus::Active),
            package,
            payment,
            contract: Contract {
                number: r.optional("contract.number", string)?,
                signed_at: r.optional("contract.signed_at", timestamp)?,
                overrides_policy: r
                    .optional("contract.overrides_policy", boolean)?
                    .unwrap_or(false),
            },
            incident: Incident {
                started_at: r.optional("incident.started_at", timestamp)?,
                unresolved_hours: r.optional("incident.unresolved_hours", hours)?,
                outage_hours: r.optional("incident.outage_hours", hours)?,
                provider_caused: r.optional("incident.provider_caused", boolean)?,
                quality_gap_confirmed: r.optional("incident.quality_gap_confirmed", boolean)?,
            },
            reason: r.required("reason", enumerated(Reason::parse, Reason::choices))?,
            requested_amount: r.optional("requested_amount", amount)?,
            email: r.optional("contact.email", string)?,
            language: r
                .optional(
                    "contact.language",
                    enumerated(Language::parse, Language::choices),
                )?
                .unwrap_or(Language::En),
            subject: r.optional("subject", string)?,
            description: r.optional("description", string)?,
            evidence,
            id,
        };
        ticket.check_consistency()?;
        Ok(ticket)
    }

    pub(crate) fn check_consistency(&self) -> Res<()> {
        let p = &self.package;
        if p.term_days == Some(0) {
            return Err("package.term_days: must be at least 1".into());
        }
        // The fast path reads integers straight into u64: the limits are
        // checked here so that both paths refuse the same values.
        for (path, value) in [
            ("package.term_days", p.term_days),
            ("package.total_units", p.total_units),
            ("package.used_units", Some(p.used_units)),
            ("package.gifted_units_used", Some(p.gifted_units_used)),
        ] {
            if let Some(x) = value.filter(|x| *x > integer_max(path)) {
                return Err(too_large(path, x));
            }
        }
        if let Some(total) = p.total_units {
            if p.used_units > total {
                return Err(format!(
                    "package.used_units ({}) is greater than package.total_units ({total})",
                    p.used_units
                ));
            }
        }
        let received = self.received_at;
        // "Earlier" is decided by the instant (SPEC §2), and the desk keeps
        // instants to the microsecond: a finer one would be ordered by a
        // rounded value, so it is refused rather than guessed.
        if !received.timestamp_subsec_nanos().is_multiple_of(1_000) {
            return Err(format!(
                "received_at: {} has more than 6 fractional digits: tickets are ordered to the microsecond",
                received.to_rfc3339()
            ));
        }
        if let Some(at) = p.purchased_at.filter(|at| received < *at) {
            return Err(format!("received_at is before package.purchased_at ({at})"));
        }
        if let Some(at) = self.contract.signed_at.filter(|at| received < *at) {
            return Err(format!("received_at is before contract.signed_at ({at})"));
        }
        if let Some(started) = self.incident.started_at {
            if started > received {
                return Err(format!(
                    "incident.started_at ({started}) is after received_at"
                ));
            }
            if let Some(at) = p.activated_at.filter(|at| started < *at) {
                return Err(format!(
                    "incident.started_at ({started}) is before package.activated_at ({at})"
                ));
            }
        }
        for (field, text) in [
            ("subject", &self.subject),
            ("description", &self.description),
        ] {
            if text.as_ref().is_some_and(|t| t.len() > 64 * 1024) {
                return Err(format!("{field}: longer than 64 KiB"));
            }
        }
        Ok(())
    }

    /// Sort key for "earlier": the exact instant, then the id byte-wise.
    pub fn order_key(&self) -> (i64, u32, &str) {
        let t = self.received_at;
        (t.timestamp(), t.timestamp_subsec_nanos(), self.id.as_str())
    }
}

/// Microseconds since the epoch: the store's index key for instants. It
/// covers every RFC 3339 year (nanoseconds would overflow after 2262); the
/// store breaks sub-microsecond ties by id.
pub fn instant_key(t: &Timestamp) -> i64 {
    t.timestamp_micros()
}
