//! The verdict and its JSON shape (SPEC §2 "Verdict JSON").

use super::clause::{Clause, Flag, VerdictKind};
use crate::domain::money::fmt2;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub kind: VerdictKind,
    #[serde(serialize_with = "two_decimals", deserialize_with = "decimal_text")]
    pub amount: Option<Decimal>,
    #[serde(serialize_with = "two_decimals", deserialize_with = "decimal_text")]
    pub ceiling: Option<Decimal>,
    pub currency: String,
    /// The deciding clause first; any later ones are context.
    pub clauses: Vec<Clause>,
    /// Alphabetical.
    pub flags: Vec<Flag>,
    /// Field paths a needs_info verdict waits for, alphabetical.
    pub missing: Vec<String>,
    /// Only Chat's `plan_state`, per the spec.
    pub facts: BTreeMap<String, String>,
    /// Ids of the earlier full refunds a ⟲ rule or flag relied on: the
    /// evidence an agent checks before acting on them.
    #[serde(default)]
    pub related: Vec<String>,
}

fn two_decimals<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(d) => s.serialize_str(&fmt2(*d)),
        None => s.serialize_none(),
    }
}

fn decimal_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    text.map(|t| t.parse().map_err(serde::de::Error::custom))
        .transpose()
}

impl Verdict {
    pub fn deciding_clause(&self) -> Option<Clause> {
        self.clauses.first().copied()
    }

    pub fn has_flag(&self, f: Flag) -> bool {
        self.flags.contains(&f)
    }

    /// The most a desk may approve without a supervisor: the amount, or the
    /// base for negotiate / manual review.
    pub fn limit(&self) -> Option<Decimal> {
        self.amount.or(self.ceiling)
    }
}
