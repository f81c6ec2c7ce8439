//! `refund-desk policy show | diff | apply`: the desk's policy (SPEC §2, §4).
//! Only `apply`, by a supervisor, changes it; `diff` previews what applying
//! other files would do to the open tickets before anyone switches.

use super::{ExitCode, Setup};
use crate::domain::money::fmt2;
use crate::domain::policy::Policy;
use crate::store::{CalendarSource, DueText, StoreError, NO_DUE};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand, Debug)]
pub enum PolicyCommand {
    /// The desk's policy version and calendar, and who applied them when.
    Show {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// What applying these files would change on the open tickets (verdicts
    /// and due dates); changes nothing.
    Diff {
        #[command(flatten)]
        files: PolicyFiles,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Make these files the desk's policy (supervisors only): recorded, every
    /// verdict and due date recomputed.
    Apply {
        #[command(flatten)]
        files: PolicyFiles,
    },
}

/// What to make the desk's policy: its own files edited by `--policy-dir`,
/// or the built-in ones (`--builtin`, edited by `--policy-dir` if given), and
/// `--calendar`. At least one must be given.
#[derive(clap::Args, Debug)]
#[group(required = true, multiple = true)]
pub struct PolicyFiles {
    /// Policy files replacing the desk's files of the same name (with
    /// --builtin: the built-in ones).
    #[arg(long, value_name = "DIR")]
    pub policy_dir: Option<PathBuf>,
    /// Start from the built-in policy of this refund-desk, not the desk's.
    #[arg(long)]
    pub builtin: bool,
    /// Business-day calendar file (without it the desk's calendar stays).
    #[arg(long, value_name = "FILE")]
    pub calendar: Option<PathBuf>,
}

impl PolicyFiles {
    fn load(
        &self,
        setup: &Setup,
        desk: &Policy,
    ) -> anyhow::Result<(Policy, Option<CalendarSource>)> {
        let base = if self.builtin { &setup.policy } else { desk };
        let policy = match &self.policy_dir {
            Some(dir) => base.overridden_by(dir)?,
            None => base.clone(),
        };
        let calendar = self.calendar.as_deref().map(read_calendar).transpose()?;
        Ok((policy, calendar))
    }
}

fn read_calendar(path: &Path) -> anyhow::Result<CalendarSource> {
    let text = crate::text::read_limited(path, crate::text::SETTINGS_FILE_LIMIT)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    CalendarSource::parse(&path.display().to_string(), &text)
}

pub fn run(setup: &Setup, cmd: PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Show { json } => show(setup, json),
        PolicyCommand::Diff { files, json } => diff(setup, &files, json),
        PolicyCommand::Apply { files } => apply(setup, &files),
    }
}

fn show(setup: &Setup, json: bool) -> anyhow::Result<ExitCode> {
    let store = setup.open_reader()?;
    let calendar = store.calendar_source()?;
    let history = store.policy_history()?;
    // Texts, not versions: the version is a digest of them, shortened.
    let builtin_differs = store.policy().texts() != setup.policy.texts();
    if json {
        println!(
            "{}",
            json!({
                "version": store.policy().version,
                "calendar": {"name": calendar.calendar.name(), "version": calendar.version()},
                "builtin": {"version": setup.policy.version, "differs": builtin_differs},
                "history": history,
            })
        );
        return Ok(ExitCode::Ok);
    }
    println!("policy    {}", store.policy().version);
    println!("calendar  {}", calendar.label());
    println!("history");
    for h in &history {
        let outcome = match h.reason.as_str() {
            "applied" => format!(
                "  (was {}: {} verdicts, {} due dates changed)",
                h.payload["from"].as_str().unwrap_or("?"),
                h.payload["verdicts_changed"],
                h.payload["due_changed"]
            ),
            _ => String::new(),
        };
        println!(
            "  #{:<3} {}  {:<8} policy {}  calendar {} ({})  by {}{outcome}",
            h.seq,
            h.at,
            h.reason,
            h.version,
            crate::text::inert(&h.calendar_name),
            h.calendar_version,
            h.by,
        );
    }
    if builtin_differs {
        println!(
            "the built-in policy of this refund-desk is {}; `refund-desk policy diff --builtin` shows what applying it would change",
            setup.policy.version
        );
    }
    Ok(ExitCode::Ok)
}

/// A stored due pair as JSON: `null` when no clock runs.
fn due_json(d: &DueText) -> Value {
    if d.0 == NO_DUE {
        return Value::Null;
    }
    json!({"target": d.0, "breach": d.1})
}

fn due_text(d: &DueText) -> String {
    if d.0 == NO_DUE {
        return "-".into();
    }
    format!("{}/{}", d.0, d.1.as_deref().unwrap_or("-"))
}

fn diff(setup: &Setup, files: &PolicyFiles, json: bool) -> anyhow::Result<ExitCode> {
    let store = setup.open_reader()?;
    let (new_policy, new_calendar) = files.load(setup, store.policy())?;
    // It lists tickets: only for people of the desk.
    if let Err(e) = store.actor() {
        eprintln!("refund-desk: {e}");
        return Ok(ExitCode::Error);
    }
    let old_calendar = store.calendar_source()?;
    let new_calendar = new_calendar.unwrap_or_else(|| old_calendar.clone());
    let mut changes = Vec::new();
    // Per currency: (old total, new total) of the open tickets that change.
    let mut totals: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    store.diff_verdicts(&new_policy, |id, state, old, new| {
        let t = totals.entry(old.currency.clone()).or_default();
        t.0 += old.amount.unwrap_or_default();
        t.1 += new.amount.unwrap_or_default();
        changes.push(json!({"id": id, "state": state, "old": old, "new": new}));
    })?;
    let mut due_changes = Vec::new();
    store.diff_due_dates(
        &new_policy,
        &new_calendar.calendar,
        |id, state, old, new| {
            due_changes.push(
                json!({"id": id, "state": state, "old": due_json(old), "new": due_json(new),
            "text": [due_text(old), due_text(new)]}),
            );
        },
    )?;
    let (cal_from, cal_to) = (old_calendar.label(), new_calendar.label());
    if json {
        let totals: Vec<_> = totals
            .iter()
            .map(|(c, (o, n))| json!({"currency": c, "old": fmt2(*o), "new": fmt2(*n), "change": fmt2(*n - *o)}))
            .collect();
        for c in &mut due_changes {
            c.as_object_mut().map(|o| o.remove("text"));
        }
        println!(
            "{}",
            json!({"from": store.policy().version, "to": new_policy.version, "changes": changes,
                   "totals": totals, "calendar": {"from": cal_from, "to": cal_to},
                   "due_changes": due_changes})
        );
        return Ok(ExitCode::Ok);
    }
    println!(
        "policy {} → {}: {} open tickets change verdict",
        store.policy().version,
        new_policy.version,
        changes.len()
    );
    for c in &changes {
        let show = |v: &Value| {
            let amount = v["amount"]
                .as_str()
                .or(v["ceiling"].as_str())
                .map(|a| format!(" {a}"))
                .unwrap_or_default();
            format!(
                "{}{amount} ({})",
                v["kind"].as_str().unwrap_or("?"),
                v["clauses"][0].as_str().unwrap_or("-")
            )
        };
        println!(
            "  {:<14} {:<14} {} → {}",
            c["id"].as_str().unwrap_or(""),
            c["state"].as_str().unwrap_or(""),
            show(&c["old"]),
            show(&c["new"])
        );
    }
    for (currency, (old, new)) in &totals {
        println!(
            "refund total {currency}: {} → {} ({}{})",
            fmt2(*old),
            fmt2(*new),
            if new >= old { "+" } else { "" },
            fmt2(*new - *old)
        );
    }
    let cal = if cal_from == cal_to {
        crate::text::inert(&cal_from)
    } else {
        format!(
            "{} → {}",
            crate::text::inert(&cal_from),
            crate::text::inert(&cal_to)
        )
    };
    println!(
        "calendar {cal}: {} open tickets change due dates (target/breach)",
        due_changes.len()
    );
    for c in &due_changes {
        println!(
            "  {:<14} {:<14} {} → {}",
            c["id"].as_str().unwrap_or(""),
            c["state"].as_str().unwrap_or(""),
            c["text"][0].as_str().unwrap_or(""),
            c["text"][1].as_str().unwrap_or("")
        );
    }
    Ok(ExitCode::Ok)
}

fn apply(setup: &Setup, files: &PolicyFiles) -> anyhow::Result<ExitCode> {
    let mut store = setup.open_store()?;
    let (policy, calendar) = files.load(setup, store.policy())?;
    match store.apply_policy(policy, calendar) {
        Ok(Some(a)) => {
            println!(
                "policy {} → {} applied by {}: {} tickets checked, {} verdicts changed, {} due dates changed",
                a.from, a.to, store.operator(), a.tickets, a.verdicts_changed, a.due_changed
            );
            if a.calendar_from == a.calendar_to {
                println!(
                    "calendar {} (unchanged)",
                    crate::text::inert(&a.calendar_to)
                );
            } else {
                println!(
                    "calendar {} → {}",
                    crate::text::inert(&a.calendar_from),
                    crate::text::inert(&a.calendar_to)
                );
            }
            Ok(ExitCode::Ok)
        }
        Ok(None) => {
            println!(
                "policy {} and calendar {} are already the desk's; nothing changed",
                store.policy().version,
                crate::text::inert(&store.calendar_source()?.label())
            );
            Ok(ExitCode::Ok)
        }
        Err(e @ (StoreError::Refused(_) | StoreError::NotFound(_))) => {
            eprintln!("refund-desk: {e}");
            Ok(ExitCode::Error)
        }
        Err(e) => Err(e.into()),
    }
}
