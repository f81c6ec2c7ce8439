//! Policy files: parameters and clause texts, embedded in the binary. A desk
//! keeps the texts of its own policy (see store::policy); `eval` and
//! `policy diff/apply` read other files with `--policy-dir`.

use super::clause::{Clause, Flag};
use crate::domain::ticket::Language;
use chrono::FixedOffset;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

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

const BUILTIN_NAMES: [&str; 5] = [
    BUILTIN[0].0,
    BUILTIN[1].0,
    BUILTIN[2].0,
    BUILTIN[3].0,
    BUILTIN[4].0,
];

#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct PolicyError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

/// A clause's or flag's texts in two voices (SPEC §2): the desk text, shown
/// to agents, may carry internal instructions; the customer text is the only
/// one a letter may quote. In a file: `[clauses.X] en zh ja ko` and
/// `[clauses.X.customer] en zh ja ko`, all eight required and non-empty.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Text {
    #[serde(deserialize_with = "non_empty")]
    pub en: String,
    #[serde(deserialize_with = "non_empty")]
    pub zh: String,
    #[serde(deserialize_with = "non_empty")]
    pub ja: String,
    #[serde(deserialize_with = "non_empty")]
    pub ko: String,
    pub customer: Wording,
}

/// One wording in the four languages a customer can be written to in.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Wording {
    #[serde(deserialize_with = "non_empty")]
    pub en: String,
    #[serde(deserialize_with = "non_empty")]
    pub zh: String,
    #[serde(deserialize_with = "non_empty")]
    pub ja: String,
    #[serde(deserialize_with = "non_empty")]
    pub ko: String,
}

impl Wording {
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::En => &self.en,
            Language::Zh => &self.zh,
            Language::Ja => &self.ja,
            Language::Ko => &self.ko,
        }
    }
}

impl Text {
    /// The desk voice, for agents.
    pub fn desk(&self, lang: Language) -> &str {
        match lang {
            Language::En => &self.en,
            Language::Zh => &self.zh,
            Language::Ja => &self.ja,
            Language::Ko => &self.ko,
        }
    }

    /// The customer voice, for letters.
    pub fn customer(&self, lang: Language) -> &str {
        self.customer.get(lang)
    }
}

#[cfg(test)]
mod text_tests;

/// A blank text would leave a hole in a letter: refused where it is written
/// (the error carries the value's line).
fn non_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(serde::de::Error::custom("empty text"));
    }
    Ok(s)
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
    #[serde(deserialize_with = "super::builtin::decimal")]
    pub unresolved_hours: Decimal,
    #[serde(deserialize_with = "super::builtin::decimal")]
    pub outage_hours: Decimal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CommonFile {
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
pub(super) struct ProductFile<P> {
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
    /// (built-in name, text) of every file, in BUILTIN order: what a desk
    /// stores as its policy. Shared, so cloning a policy stays cheap.
    files: Arc<[(String, String)]>,
    /// `files` as a desk stores them, when known when the binary was built
    /// (the built-in policy): opening a desk compares it, no serializing.
    stored: Option<&'static str>,
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

/// The five files, read (from TOML, or for the built-in ones from the
/// JSON compiled into the binary).
pub(super) struct Contents {
    pub common: CommonFile,
    pub lcic: ProductFile<LcicParams>,
    pub trtc: ProductFile<TrtcParams>,
    pub chat: ProductFile<ChatParams>,
    pub live: ProductFile<LiveParams>,
}

impl Policy {
    /// The policy of the files shipped in the binary, read from the form
    /// build.rs compiled them to (a test checks it equals `from_files`).
    pub fn builtin() -> Policy {
        let (contents, digest, stored) = super::builtin::compiled();
        let files: Arc<[(String, String)]> = BUILTIN
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let mut p = Self::assemble(BUILTIN_NAMES, contents, digest, files)
            .expect("built-in policy files are valid (checked by tests)");
        p.stored = Some(stored);
        p
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
            let text = match crate::text::read_limited(&path, crate::text::SETTINGS_FILE_LIMIT) {
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
        let contents = Contents {
            common: parse(&common.0, &common.1)?,
            lcic: parse(&lcic.0, &lcic.1)?,
            trtc: parse(&trtc.0, &trtc.1)?,
            chat: parse(&chat.0, &chat.1)?,
            live: parse(&live.0, &live.1)?,
        };
        let names = [&common.0, &lcic.0, &trtc.0, &chat.0, &live.0].map(String::as_str);
        let texts = BUILTIN
            .iter()
            .zip(&files)
            .map(|((name, _), (_, text))| (name.to_string(), text.clone()))
            .collect();
        Self::assemble(names, contents, digest(&files), texts)
    }

    /// The policy of files read, checked: `names` (in BUILTIN order) are
    /// where errors point, `digest` that of their texts.
    fn assemble(
        names: [&str; 5],
        contents: Contents,
        digest: u64,
        files: Arc<[(String, String)]>,
    ) -> Result<Policy, PolicyError> {
        let err = |file: &str, reason: String| PolicyError {
            file: file.to_string(),
            line: 1,
            reason,
        };
        let Contents {
            common: c,
            lcic: l,
            trtc: t,
            chat: ch,
            live: lv,
        } = contents;
        let tz = parse_offset(&c.timezone).ok_or_else(|| {
            err(
                names[0],
                format!("timezone {:?} is not an offset like \"+08:00\"", c.timezone),
            )
        })?;
        let approval_threshold = ApprovalThresholds::parse(&c.approval_threshold)
            .map_err(|e| err(names[0], format!("approval_threshold: {e}")))?;

        let mut clause_texts = HashMap::new();
        for (file, clauses) in names
            .into_iter()
            .zip([c.clauses, l.clauses, t.clauses, ch.clauses, lv.clauses])
        {
            for (id, text) in clauses {
                let clause = Clause::parse(&id)
                    .ok_or_else(|| err(file, format!("unknown clause {id:?}")))?;
                if clause_texts.insert(clause, text).is_some() {
                    return Err(err(file, format!("clause {id} is defined twice")));
                }
            }
        }
        if let Some(missing) = Clause::ALL.iter().find(|c| !clause_texts.contains_key(c)) {
            return Err(err(names[0], format!("no text for clause {missing}")));
        }
        let mut flag_texts = HashMap::new();
        for (id, text) in c.flags {
            let flag =
                Flag::parse(&id).ok_or_else(|| err(names[0], format!("unknown flag {id:?}")))?;
            flag_texts.insert(flag, text);
        }
        if let Some(missing) = Flag::ALL.iter().find(|f| !flag_texts.contains_key(f)) {
            return Err(err(names[0], format!("no text for flag {missing}")));
        }
        Ok(Policy {
            version: format!("{}+{:08x}", c.version, digest as u32),
            tz,
            approval_threshold,
            abuse: c.abuse,
            lcic: l.params,
            trtc: t.params,
            chat: ch.params,
            live: lv.params,
            clause_texts,
            flag_texts,
            files,
            stored: None,
        })
    }

    /// A desk's stored policy: every built-in file name exactly once, with
    /// its text. `origin` names where the texts came from in errors.
    pub fn from_texts(origin: &str, texts: &[(String, String)]) -> Result<Policy, PolicyError> {
        let err = |file: &str, reason: String| PolicyError {
            file: format!("{origin} {file}"),
            line: 1,
            reason,
        };
        if let Some((name, _)) = texts
            .iter()
            .find(|(n, _)| !BUILTIN.iter().any(|(b, _)| b == n))
        {
            return Err(err(name, "unknown policy file".into()));
        }
        let mut files = Vec::with_capacity(BUILTIN.len());
        for (name, _) in BUILTIN {
            let mut same = texts.iter().filter(|(n, _)| n == name);
            let (Some((_, text)), None) = (same.next(), same.next()) else {
                return Err(err(name, "missing or stored twice".into()));
            };
            files.push((format!("{origin} {name}"), text.clone()));
        }
        Self::from_files(files)
    }

    /// (built-in name, text) of every file, in load order.
    pub fn texts(&self) -> &[(String, String)] {
        &self.files
    }

    /// The texts as a desk stores them: a JSON object, file name -> text.
    pub fn stored_texts(&self) -> std::borrow::Cow<'static, str> {
        if let Some(s) = self.stored {
            return s.into();
        }
        let files: BTreeMap<&str, &str> = self
            .files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        serde_json::to_string(&files)
            .expect("strings serialize")
            .into()
    }

    /// These files, each replaced by the file of the same name in `dir`: a
    /// desk's policy edited file by file (`load` starts from the built-in ones).
    pub fn overridden_by(&self, dir: &Path) -> Result<Policy, PolicyError> {
        // `load` checks the directory and every file in it.
        let read = Self::load(Some(dir))?;
        let texts: Vec<(String, String)> = self
            .files
            .iter()
            .zip(read.texts())
            .map(|((name, mine), (_, theirs))| {
                let text = if dir.join(name).exists() {
                    theirs
                } else {
                    mine
                };
                (name.clone(), text.clone())
            })
            .collect();
        Self::from_texts(&dir.display().to_string(), &texts)
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

    #[test]
    fn stored_texts_give_back_the_same_policy() {
        let p = Policy::builtin();
        let again = Policy::from_texts("desk", p.texts()).unwrap();
        assert_eq!(again.version, p.version);
        assert_eq!(again.texts(), p.texts());
        let short = &p.texts()[1..];
        let e = Policy::from_texts("desk", short).unwrap_err().to_string();
        assert!(
            e.contains("desk common.toml") && e.contains("missing"),
            "{e}"
        );
        let mut extra = p.texts().to_vec();
        extra.push(("evil.toml".into(), String::new()));
        let e = Policy::from_texts("desk", &extra).unwrap_err().to_string();
        assert!(e.contains("evil.toml") && e.contains("unknown"), "{e}");
    }

    #[test]
    fn a_directory_overrides_a_desk_policy_file_by_file() {
        let dir = tempfile::tempdir().unwrap();
        let lcic = BUILTIN[1].1.replace("window_days = 5", "window_days = 7");
        std::fs::write(dir.path().join("lcic.toml"), lcic).unwrap();
        let desk = Policy::load(Some(dir.path())).unwrap();
        let other = tempfile::tempdir().unwrap();
        let trtc = BUILTIN[2]
            .1
            .replace("one_at_a_time_days = 5", "one_at_a_time_days = 9");
        assert_ne!(trtc, BUILTIN[2].1, "the replacement must hit");
        std::fs::write(other.path().join("trtc.toml"), trtc).unwrap();
        let edited = desk.overridden_by(other.path()).unwrap();
        assert_eq!(
            (edited.lcic.window_days, edited.trtc.one_at_a_time_days),
            (7, 9)
        );
    }
}
