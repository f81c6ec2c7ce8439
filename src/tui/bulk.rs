//! One action on every marked ticket. The form is filled once; the
//! confirmation judges each ticket with the domain's `preview` (the guards
//! and four-eyes reasons the store would apply) and says, grouped, what
//! will happen; on yes each ticket is its own `Store::act` transaction at
//! the version the confirmation judged, so a ticket changed meanwhile is
//! refused as stale and the others go on. A summary says what became of
//! each. Nothing here names a verb: an action the console knows as a
//! `Verb` with a form works on marks as it does on one ticket.

use super::action::{Action, Verb};
use super::app::{App, Popup};
use super::form::{Field, Form, Value};
use super::input::TextInput;
use crate::domain::workflow::{self, Action as Wf, Actor, Context, State};
use crate::store::{ActOutcome, Detail, StoreError};

/// What the domain says one marked ticket would do.
#[derive(Clone, Debug, PartialEq)]
enum Judged {
    Moves(State),
    Stays(State),
    Proposal(String),
    Refused(String),
    NotPossible(String),
}

impl Judged {
    fn acts(&self) -> bool {
        matches!(
            self,
            Judged::Moves(_) | Judged::Stays(_) | Judged::Proposal(_)
        )
    }

    /// Groups are listed in this order: what goes through first.
    fn rank(&self) -> u8 {
        match self {
            Judged::Moves(_) | Judged::Stays(_) => 0,
            Judged::Proposal(_) => 1,
            Judged::Refused(_) => 2,
            Judged::NotPossible(_) => 3,
        }
    }

    /// Why a ticket is not attempted, for the summary.
    fn why_not(&self) -> String {
        match self {
            Judged::Refused(why) => format!("it would be refused: {why}"),
            Judged::NotPossible(why) => format!("not possible now ({why})"),
            _ => String::new(),
        }
    }

    fn heading(&self, n: usize) -> String {
        let one = n == 1;
        match self {
            Judged::Moves(s) if s.is_terminal() => format!("{n} will move to {s} (final)"),
            Judged::Moves(s) => format!("{n} will move to {s}"),
            Judged::Stays(s) => format!("{n} will stay in {s}"),
            Judged::Proposal(why) => format!(
                "{n} {} for a second supervisor because {why}",
                if one {
                    "becomes a proposal"
                } else {
                    "become proposals"
                }
            ),
            Judged::Refused(why) => format!("{n} will be refused: {why}"),
            Judged::NotPossible(why) => {
                format!(
                    "{n} {} not possible now ({why})",
                    if one { "is" } else { "are" }
                )
            }
        }
    }
}

/// The confirmation of an action on the marks.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkConfirm {
    pub verb: Verb,
    pub action: Wf,
    /// Each marked ticket in mark order: the version it was judged at, or
    /// why it is not attempted.
    pub plan: Vec<(String, Result<i64, String>)>,
    pub lines: Vec<String>,
}

/// What became of each ticket, shown after a bulk action.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: u16,
}

/// Ids for a confirmation line: a dozen, then how many more.
fn some_ids(ids: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut s = ids
        .iter()
        .take(SHOWN)
        .map(|id| crate::text::inert(id))
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        s.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    s
}

/// Makes one form serve every ticket: a list field offers only the answers
/// valid for all of them; a value pre-filled from one ticket's facts (an
/// amount, a deciding clause) stays only if every ticket's form has it.
fn merge(form: &mut Form, others: &[Form]) {
    for f in &mut form.fields {
        let same: Vec<&Field> = others
            .iter()
            .filter_map(|o| o.fields.iter().find(|g| g.key == f.key))
            .collect();
        let has = |g: &Field, v: &str| match &g.value {
            Value::One { options, .. } | Value::Many { options, .. } => {
                options.iter().any(|o| o.value == v)
            }
            Value::Text(_) => false,
        };
        let ticked = |g: &Field, v: &str| match &g.value {
            Value::Many { options, chosen } => {
                options.iter().zip(chosen).any(|(o, c)| *c && o.value == v)
            }
            _ => false,
        };
        let shown = f.shown();
        match &mut f.value {
            Value::Text(t) => {
                if same.iter().any(|g| g.shown() != shown) {
                    *t = TextInput::new(String::new());
                    f.hint = "differs per ticket: one value for all".into();
                }
            }
            Value::One { options, index } => {
                let current = options.get(*index).map(|o| o.value.clone());
                options.retain(|o| same.iter().all(|g| has(g, &o.value)));
                *index = current
                    .and_then(|c| options.iter().position(|o| o.value == c))
                    .unwrap_or(0);
            }
            Value::Many { options, chosen } => {
                let mut kept = Vec::new();
                let mut ticks = Vec::new();
                for (o, c) in options.iter().zip(chosen.iter()) {
                    if same.iter().all(|g| has(g, &o.value)) {
                        ticks.push(*c && same.iter().all(|g| ticked(g, &o.value)));
                        kept.push(o.clone());
                    }
                }
                *options = kept;
                *chosen = ticks;
            }
        }
    }
}

impl App {
    /// The detail of each marked ticket that can still be read.
    fn marked_details(&self) -> Vec<Result<Detail, (String, String)>> {
        self.marks
            .ids()
            .iter()
            .map(|id| {
                self.store
                    .detail(id)
                    .map_err(|e| (id.clone(), e.to_string()))
            })
            .collect()
    }

    /// The action menu over the marks: each verb possible on at least one
    /// marked ticket, with how many.
    pub(super) fn open_bulk_menu(&mut self) {
        let details: Vec<Detail> = self.marked_details().into_iter().flatten().collect();
        let (items, counts): (Vec<Verb>, Vec<usize>) = Verb::ALL
            .into_iter()
            .map(|v| {
                let n = details.iter().filter(|d| v.valid_from(&d.case)).count();
                (v, n)
            })
            .filter(|(_, n)| *n > 0)
            .unzip();
        if items.is_empty() {
            return self.error("no action is possible on any marked ticket now");
        }
        self.popups.push(Popup::Menu {
            items,
            cursor: 0,
            counts,
        });
    }

    /// Starts `verb` on the marks: one form for all (built from the
    /// selected ticket's, or the first marked one's, and `merge`d), or
    /// straight to the confirmation.
    pub(super) fn begin_bulk(&mut self, verb: Verb) {
        let details: Vec<Detail> = self.marked_details().into_iter().flatten().collect();
        let able: Vec<&Detail> = details
            .iter()
            .filter(|d| verb.valid_from(&d.case))
            .collect();
        let selected = self.selected_id();
        let Some(lead) = able
            .iter()
            .find(|d| Some(&d.ticket.id) == selected.as_ref())
            .or(able.first())
        else {
            let mut states: Vec<String> =
                details.iter().map(|d| d.case.state.to_string()).collect();
            states.sort();
            states.dedup();
            return self.error(format!(
                "{} is not possible on any of the {} marked (states: {})",
                verb.name(),
                self.marks.len(),
                states.join(", ")
            ));
        };
        let (policy, team, me) = (self.store.policy(), &self.team, self.operator());
        let ids = self.marks.ids().to_vec();
        match Form::for_verb(verb, lead, policy, team, me) {
            Some(mut form) => {
                let others: Vec<Form> = able
                    .iter()
                    .filter_map(|d| Form::for_verb(verb, d, policy, team, me))
                    .collect();
                merge(&mut form, &others);
                form.marked = ids;
                self.popups.push(Popup::Form(form));
            }
            None => {
                let mut form = Form::bare(verb, &lead.ticket.id);
                form.marked = ids;
                match form.to_action() {
                    Ok(a) => self.confirm_bulk(form, a),
                    Err(e) => self.error(e),
                }
            }
        }
    }

    fn judge(&self, d: &Detail, verb: Verb, action: &Wf, actor: &Actor) -> Judged {
        if !verb.valid_from(&d.case) {
            let waits = if d.case.pending.is_some() {
                ", a proposal waits"
            } else {
                ""
            };
            return Judged::NotPossible(format!("state {}{waits}", d.case.state));
        }
        let cx = Context {
            ticket: &d.ticket,
            verdict: &d.verdict,
            policy: self.store.policy(),
            calendar: self.store.calendar(),
            actor,
            now: self.now,
        };
        match workflow::preview(&d.case, action, &cx) {
            Err(r) => Judged::Refused(r.0),
            Ok(p) if !p.proposal.is_empty() => Judged::Proposal(p.proposal.join("; ")),
            Ok(p) if p.to == d.case.state => Judged::Stays(p.to),
            Ok(p) => Judged::Moves(p.to),
        }
    }

    /// The form is filled in: judge every marked ticket now, at the
    /// version read now, and ask. When none would take it, the form comes
    /// back saying why.
    pub(super) fn confirm_bulk(&mut self, form: Form, action: Wf) {
        let actor = match self.store.actor() {
            Ok(a) => a,
            Err(e) => return self.error(e.to_string()),
        };
        let mut plan = Vec::new();
        let mut groups: Vec<(Judged, Vec<String>)> = Vec::new();
        let mut busy = Vec::new();
        for id in &form.marked {
            let (version, judged) = match self.store.detail(id) {
                Ok(d) => (d.version, self.judge(&d, form.verb, &action, &actor)),
                Err(e) => (0, Judged::NotPossible(e.to_string())),
            };
            if judged.acts() {
                if let Ok(Some(other)) = self.store.held_by_other(id, self.now) {
                    busy.push(format!("⚑ {other} is working on {id} right now"));
                }
            }
            plan.push((
                id.clone(),
                if judged.acts() {
                    Ok(version)
                } else {
                    Err(judged.why_not())
                },
            ));
            match groups.iter_mut().find(|(j, _)| *j == judged) {
                Some((_, ids)) => ids.push(id.clone()),
                None => groups.push((judged, vec![id.clone()])),
            }
        }
        groups.sort_by_key(|(j, _)| j.rank());
        let n = form.marked.len();
        if !groups.iter().any(|(j, _)| j.acts()) {
            let why: Vec<String> = groups.iter().map(|(j, ids)| j.heading(ids.len())).collect();
            let why = format!("none of the {n} marked would take it: {}", why.join("; "));
            if form.fields.is_empty() {
                return self.error(why);
            }
            let mut form = form;
            form.error = Some(why);
            return self.popups.push(Popup::Form(form));
        }
        let mut lines = vec![format!("{} on {n} marked tickets?", form.verb.name())];
        lines.extend(
            form.fields
                .iter()
                .map(|f| (&f.label, f.shown()))
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(label, v)| format!("  {label}: {}", crate::text::inert(v.trim()))),
        );
        for (j, ids) in &groups {
            lines.push(format!("• {}: {}", j.heading(ids.len()), some_ids(ids)));
        }
        lines.extend(busy);
        lines.push(
            "Each ticket is its own transaction at the version judged now: one changed \
             meanwhile is refused as stale, the others go on."
                .into(),
        );
        self.popups.push(Popup::BulkConfirm(BulkConfirm {
            verb: form.verb,
            action,
            plan,
            lines,
        }));
    }

    pub(super) fn update_bulk_confirm(&mut self, action: Action) {
        let Some(Popup::BulkConfirm(c)) = self.popups.last().cloned() else {
            return;
        };
        match action {
            Action::Confirm | Action::Choose => self.commit_bulk(c),
            Action::Cancel => {
                self.popups.pop();
                self.info("cancelled; nothing changed");
            }
            _ => {}
        }
    }

    /// One transaction per ticket, each at the version judged; then the
    /// summary. Marks stay on the tickets still in the view — the next step
    /// on the same tickets (take, then evaluate…) is one key, and one that
    /// did not go through can be tried again; Esc clears them.
    fn commit_bulk(&mut self, c: BulkConfirm) {
        self.popups.clear();
        let actor = match self.store.actor() {
            Ok(a) => a,
            Err(e) => return self.error(e.to_string()),
        };
        let tz = self.store.policy().tz;
        let (mut done, mut proposed, mut stale, mut refused, mut skipped) = (0, 0, 0, 0, 0);
        let mut lines = Vec::new();
        for (id, plan) in &c.plan {
            let shown = crate::text::inert(id);
            let version = match plan {
                Ok(v) => *v,
                Err(why) => {
                    skipped += 1;
                    lines.push(format!("– {shown}  not attempted: {why}"));
                    continue;
                }
            };
            let result = self
                .store
                .act(id, &c.action, &actor, Some(version), self.now);
            lines.push(match result {
                Ok(ActOutcome::Done { pending: true, .. }) => {
                    proposed += 1;
                    format!("⧗ {shown}  proposal: waits for a second supervisor's sign-off")
                }
                Ok(ActOutcome::Done { to, .. }) => {
                    done += 1;
                    format!("✓ {shown}  done: now {to}")
                }
                Ok(ActOutcome::NoOp) => {
                    done += 1;
                    format!("✓ {shown}  already done")
                }
                Err(StoreError::Stale { by, at }) => {
                    stale += 1;
                    let at = super::ui::local(&at, tz, "%Y-%m-%d %H:%M:%S");
                    format!(
                        "✗ {shown}  stale: changed by {} at {at} after the confirmation \
                         opened; left as it is",
                        crate::text::inert(&by)
                    )
                }
                Err(StoreError::Refused(why)) => {
                    refused += 1;
                    format!("✗ {shown}  refused: {why}")
                }
                Err(e) => {
                    refused += 1;
                    format!("✗ {shown}  not done: {e}")
                }
            });
        }
        let mut head: Vec<String> = Vec::new();
        for (n, what) in [
            (done, "done"),
            (proposed, "proposed"),
            (stale, "stale"),
            (refused, "refused"),
            (skipped, "not attempted"),
        ] {
            if n > 0 {
                head.push(format!("{n} {what}"));
            }
        }
        let head = head.join(" · ");
        let title = format!("{} on {} marked tickets", c.verb.name(), c.plan.len());
        self.refresh(None);
        let mut text = vec![head.clone(), String::new()];
        text.extend(lines);
        if !self.marks.is_empty() {
            text.push(String::new());
            text.push(format!(
                "Still marked: {} (those still in this view) — Esc in the list clears them.",
                self.marks.len()
            ));
        }
        self.info(format!("{title}: {head}"));
        self.popups.push(Popup::Summary(Summary {
            title,
            lines: text,
            scroll: 0,
        }));
    }

    pub(super) fn update_summary(&mut self, action: Action) {
        let Some(Popup::Summary(s)) = self.popups.last_mut() else {
            return;
        };
        let max = s.lines.len().saturating_sub(1) as u16;
        match action {
            Action::Down => s.scroll = s.scroll.saturating_add(1).min(max),
            Action::Up => s.scroll = s.scroll.saturating_sub(1),
            Action::PageDown => s.scroll = s.scroll.saturating_add(10).min(max),
            Action::PageUp => s.scroll = s.scroll.saturating_sub(10),
            Action::Cancel => {
                self.popups.pop();
            }
            _ => {}
        }
    }
}
