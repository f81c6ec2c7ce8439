//! Policy files: parameters and clause texts, embedded in the binary and
//! overridable per file with `--policy-dir`.

use super::clause::{Clause, Flag};
use chrono::FixedOffset;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The built-in files, in load order.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "common.toml",
        include_str!("../../../assets/policies/common.toml"),
    ),
    (
        "lcic.toml",
        include_str!("../../../assets/policies/lcic.toml"),
    ),
    (
        "trtc.toml",
        include_str!("../../../assets/policies/trtc.toml"),
    ),
    (
        "chat.toml",
        include_str!("../../../assets/policies/chat.toml"),
    ),
    (
        "live.toml",
        include_str!("../../../assets/policies/live.toml"),
    ),
];

#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct PolicyError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbuseParams {
    pub min_earlier_full_refunds: usize,
    pub window_days: i64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LcicParams {
    pub window_days: i64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrtcParams {
    pub window_days: i64,
    pub one_at_a_time_days: i64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatParams {
    pub reminder_days: i64,
    pub suspend_after_hours: i64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveParams {
    pub pre_use_days: i64,
    pub early_failure_days: i64,
    pub unresolved_hours: Decimal,
    pub outage_hours: Decimal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommonFile {
    version: String,
    timezone: String,
    approval_threshold: BTreeMap<String, String>,
    abuse: AbuseParams,
    #[serde(default)]
    clauses: BTreeMap<String, Text>,
    #[serde(default)]
    flags: BTreeMap<String, Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductFile<P> {
    params: P,
    #[serde(default)]
    clauses: BTreeMap<String, Text>,
}

#[derive(Clone, Debug)]
pub struct Policy {
    /// The files' declared version plus a digest of their text, so that any
    /// edit, even one that forgot to bump `version`, triggers a recompute.
    pub version: String,
    pub tz: FixedOffset,
    pub approval_threshold: ApprovalThresholds,
    pub abuse: AbuseParams,
    pub lcic: LcicParams,
    pub trtc: TrtcParams,
    pub chat: ChatParams,
    pub live: LiveParams,
    clause_texts: HashMap<Clause, Text>,
    flag_texts: HashMap<Flag, Text>,
}

/// Four-eyes thresholds (SPEC §3): one per currency, `default` for the rest.
/// One figure for every currency made a 15,000 JPY refund (about 100 USD)
/// wait for a second supervisor while 9,000 USD went through alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalThresholds {
    pub default: Decimal,
    pub by_currency: BTreeMap<String, Decimal>,
}

impl ApprovalThresholds {
    pub fn for_currency(&self, currency: &str) -> Decimal {
        self.by_currency
            .get(currency)
            .copied()
            .unwrap_or(self.default)
    }

    fn parse(table: &BTreeMap<String, String>) -> Result<ApprovalThresholds, String> {
        let amount = |key: &str, text: &str| {
            crate::domain::money::parse_amount(text).map_err(|e| format!("{key}: {e}"))
        };
        let default = table.get("default").ok_or(
            "a table with a `default` amount and one per currency code (e.g. JPY = \"1500000\")",
        )?;
        let mut by_currency = BTreeMap::new();
        for (key, text) in table.iter().filter(|(k, _)| *k != "default") {
            if key.len() != 3 || !key.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(format!(
                    "{key:?} is not an ISO 4217 code (3 upper-case letters)"
                ));
            }
            by_currency.insert(key.clone(), amount(key, text)?);
        }
        Ok(ApprovalThresholds {
            default: amount("default", default)?,
            by_currency,
        })
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn parse<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<T, PolicyError> {
    toml::from_str(text).map_err(|e| PolicyError {
        file: file.to_string(),
        line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
        reason: e.message().trim().to_string(),
    })
}

/// FNV-1a: stable across builds and platforms, unlike std's hasher.
fn digest(parts: &[(String, String)]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    // Built-in names, not paths: the same texts give the same version wherever they live.
    for ((name, _), (_, text)) in BUILTIN.iter().zip(parts) {
        for b in name.bytes().chain([0]).chain(text.bytes()).chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    h
}

impl Policy {
    pub fn builtin() -> Policy {
        Self::from_files(
            BUILTIN
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        )
        .expect("built-in policy files are valid (checked by tests)")
    }

    /// Built-in files, each replaced by the file of the same name in `dir`.
    pub fn load(dir: Option<&Path>) -> Result<Policy, PolicyError> {
        let Some(dir) = dir else {
            return Ok(Self::builtin());
        };
        let display = |name: &str| dir.join(name).display().to_string();
        let entries = std::fs::read_dir(dir).map_err(|e| PolicyError {
            file: dir.display().to_string(),
            line: 1,
            reason: format!("cannot read policy directory: {e}"),
        })?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.ends_with(".toml") && !BUILTIN.iter().any(|(n, _)| *n == name) {
                return Err(PolicyError {
                    file: display(&name),
                    line: 1,
                    reason: format!(
                        "unknown policy file (expected one of {})",
                        BUILTIN
                            .iter()
                            .map(|(n, _)| *n)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
        let mut files = Vec::new();
        for (name, text) in BUILTIN {
            let path = dir.join(name);
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => text.to_string(),
                Err(e) => {
                    return Err(PolicyError {
                        file: display(name),
                        line: 1,
                        reason: e.to_string(),
                    })
                }
            };
            files.push((path.display().to_string(), text));
        }
        Self::from_files(files)
    }

    /// `files` in BUILTIN order: (display name, text).
    fn from_files(files: Vec<(String, String)>) -> Result<Policy, PolicyError> {
        let [common, lcic, trtc, chat, live] = &files[..] else {
            unreachable!("one entry per built-in file")
        };
        let err = |file: &str, reason: String| PolicyError {
            file: file.to_string(),
            line: 1,
            reason,
        };
        let c: CommonFile = parse(&common.0, &common.1)?;
        let l: ProductFile<LcicParams> = parse(&lcic.0, &lcic.1)?;
        let t: ProductFile<TrtcParams> = parse(&trtc.0, &trtc.1)?;
        let ch: ProductFile<ChatParams> = parse(&chat.0, &chat.1)?;
        let lv: ProductFile<LiveParams> = parse(&live.0, &live.1)?;

        let tz = parse_offset(&c.timezone).ok_or_else(|| {
            err(
                &common.0,
                format!("timezone {:?} is not an offset like \"+08:00\"", c.timezone),
            )
        })?;
        let approval_threshold = ApprovalThresholds::parse(&c.approval_threshold)
            .map_err(|e| err(&common.0, format!("approval_threshold: {e}")))?;

        let mut clause_texts = HashMap::new();
        for ((file, _), clauses) in [
            (common, &c.clauses),
            (lcic, &l.clauses),
            (trtc, &t.clauses),
            (chat, &ch.clauses),
            (live, &lv.clauses),
        ] {
            for (id, text) in clauses {
                let clause =
                    Clause::parse(id).ok_or_else(|| err(file, format!("unknown clause {id:?}")))?;
                if clause_texts.insert(clause, text.clone()).is_some() {
                    return Err(err(file, format!("clause {id} is defined twice")));
                }
            }
        }
        if let Some(missing) = Clause::ALL.iter().find(|c| !clause_texts.contains_key(c)) {
            return Err(err(&common.0, format!("no text for clause {missing}")));
        }
        let mut flag_texts = HashMap::new();
        for (id, text) in &c.flags {
            let flag =
                Flag::parse(id).ok_or_else(|| err(&common.0, format!("unknown flag {id:?}")))?;
            flag_texts.insert(flag, text.clone());
        }
        if let Some(missing) = Flag::ALL.iter().find(|f| !flag_texts.contains_key(f)) {
            return Err(err(&common.0, format!("no text for flag {missing}")));
        }
        Ok(Policy {
            version: format!("{}+{:08x}", c.version, digest(&files) as u32),
            tz,
            approval_threshold,
            abuse: c.abuse,
            lcic: l.params,
            trtc: t.params,
            chat: ch.params,
            live: lv.params,
            clause_texts,
            flag_texts,
        })
    }

    pub fn clause_text(&self, c: Clause) -> &Text {
        &self.clause_texts[&c]
    }

    pub fn flag_text(&self, f: Flag) -> &Text {
        &self.flag_texts[&f]
    }
}

fn parse_offset(s: &str) -> Option<FixedOffset> {
    if s == "Z" || s == "UTC" {
        return FixedOffset::east_opt(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = s[1..].split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_policy_loads_with_every_clause_text() {
        let p = Policy::builtin();
        assert_eq!(p.tz, FixedOffset::east_opt(8 * 3600).unwrap());
        for c in Clause::ALL {
            assert!(!p.clause_text(*c).en.is_empty() && !p.clause_text(*c).zh.is_empty());
        }
        assert!(p.version.starts_with("2026.11+"));
    }

    #[test]
    fn a_bad_policy_file_is_refused_with_file_line_and_reason() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("lcic.toml"),
            "[params]\nwindow_days = 5\n\n[clauses.LCIC-5DAY]\nen = \"x\"\nzh = 3\n",
        )
        .unwrap();
        let e = Policy::load(Some(dir.path())).unwrap_err();
        assert!(e.file.ends_with("lcic.toml"), "{e}");
        assert_eq!(e.line, 6, "{e}");

        std::fs::write(dir.path().join("lcic.toml"), "[params]\nwindow_dayz = 5\n").unwrap();
        let e = Policy::load(Some(dir.path())).unwrap_err().to_string();
        assert!(e.contains("lcic.toml:2: unknown field"), "{e}");
    }

    #[test]
    fn an_override_changes_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let text = BUILTIN[1].1.replace("window_days = 5", "window_days = 7");
        std::fs::write(dir.path().join("lcic.toml"), text).unwrap();
        let p = Policy::load(Some(dir.path())).unwrap();
        assert_eq!(p.lcic.window_days, 7);
        assert_ne!(p.version, Policy::builtin().version);
    }
}
