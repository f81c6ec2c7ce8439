//! The built-in policy files as build.rs compiled them: JSON read with the
//! same serde types as the TOML (so the same checks apply), their digest
//! and the text a desk stores for them, all fixed when the binary is built.

use super::config::Contents;
use rust_decimal::Decimal;
use serde::de::{Error, MapAccess, Visitor};
use serde::Deserializer;

include!(concat!(env!("OUT_DIR"), "/builtin_policy.rs"));

/// The built-in files read, their digest and their stored text.
pub(super) fn compiled() -> (Contents, u64, &'static str) {
    let read = |i: usize| -> &'static str { JSON[i] };
    let contents = (|| -> serde_json::Result<Contents> {
        Ok(Contents {
            common: serde_json::from_str(read(0))?,
            lcic: serde_json::from_str(read(1))?,
            trtc: serde_json::from_str(read(2))?,
            chat: serde_json::from_str(read(3))?,
            live: serde_json::from_str(read(4))?,
        })
    })()
    .expect("build.rs compiles valid policy files (checked by tests)");
    (contents, DIGEST, STORED)
}

/// A decimal parameter, written as a number or a string. A TOML number is
/// an integer or a float; a JSON number reaches a type that takes any
/// value as a one-entry map (serde_json's `arbitrary_precision`), which
/// `Decimal`'s own deserializer refuses.
pub(super) fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    d.deserialize_any(DecimalValue)
}

struct DecimalValue;

impl DecimalValue {
    fn text<E: Error>(s: &str) -> Result<Decimal, E> {
        s.parse::<Decimal>()
            .or_else(|_| Decimal::from_scientific(s))
            .map_err(|_| E::custom(format!("{s:?} is not a decimal number")))
    }
}

impl<'de> Visitor<'de> for DecimalValue {
    type Value = Decimal;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a decimal number")
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<Decimal, E> {
        Self::text(&v.to_string())
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Decimal, E> {
        Self::text(v)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        // serde_json's arbitrary-precision number: {"$serde_json::private::Number": "48"}.
        match map.next_entry::<String, String>()? {
            Some((_, digits)) => Self::text(&digits),
            None => Err(A::Error::custom("a decimal number, not a table")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::config::{Policy, BUILTIN};
    use super::super::{Clause, Flag};

    /// The compiled form is the TOML, read again: any difference (a stale
    /// build, a type that reads JSON otherwise) fails here.
    #[test]
    fn the_compiled_builtin_policy_is_the_policy_of_the_toml_files() {
        let compiled = Policy::builtin();
        let parsed = Policy::from_texts(
            "built-in",
            &BUILTIN
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        assert_eq!(compiled.version, parsed.version);
        assert_eq!(compiled.tz, parsed.tz);
        assert_eq!(compiled.approval_threshold, parsed.approval_threshold);
        let params = |p: &Policy| {
            format!(
                "{:?} {:?} {:?} {:?} {:?}",
                p.abuse, p.lcic, p.trtc, p.chat, p.live
            )
        };
        assert_eq!(params(&compiled), params(&parsed));
        for c in Clause::ALL {
            assert_eq!(compiled.clause_text(*c), parsed.clause_text(*c), "{c}");
        }
        for f in Flag::ALL {
            assert_eq!(compiled.flag_text(*f), parsed.flag_text(*f), "{f}");
        }
        assert_eq!(compiled.texts(), parsed.texts());
        assert_eq!(compiled.stored_texts(), parsed.stored_texts());
    }

    #[derive(serde::Deserialize, Debug)]
    struct Hours {
        #[serde(deserialize_with = "super::decimal")]
        h: rust_decimal::Decimal,
    }

    #[test]
    fn decimal_parameters_read_from_integers_floats_strings_and_json() {
        let read = |toml_text: &str| -> String {
            let from_toml: Hours = toml::from_str(toml_text).unwrap();
            let value: toml::Value = toml::from_str(toml_text).unwrap();
            let from_json: Hours =
                serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap();
            assert_eq!(from_toml.h, from_json.h, "{toml_text}");
            from_toml.h.to_string()
        };
        assert_eq!(read("h = 48"), "48");
        assert_eq!(read("h = 1.5"), "1.5");
        assert_eq!(read("h = \"72.25\""), "72.25");
        let e = toml::from_str::<Hours>("h = \"x\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a decimal number"), "{e}");
    }
}
