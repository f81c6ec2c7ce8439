//! An action from the moment the operator begins it to its commit. The
//! version it is judged against is the one on screen when its form (or, with
//! no form, its confirmation) opened; live refreshes never move it. A write
//! refused as stale brings the form back with what was typed, at the new
//! version, and only once the operator has had a frame to see the new state.

use super::action::Verb;
use super::app::{App, Popup};
use super::form::Form;
use crate::domain::workflow::{self, Action as Wf, Context, Preview};
use crate::store::{ActOutcome, Detail, StoreError};

/// An action under way on one ticket.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub verb: Verb,
    pub id: String,
    /// The ticket's version when the operator began: what the store checks.
    pub version: i64,
    /// The form it was typed into, brought back if the write is refused.
    pub form: Option<Form>,
}

impl Attempt {
    pub fn from_form(form: &Form) -> Attempt {
        Attempt {
            verb: form.verb,
            id: form.id.clone(),
            version: form.version,
            form: Some(form.clone()),
        }
    }
}

/// A confirmation waiting for yes or no.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    pub attempt: Attempt,
    pub action: Wf,
    pub lines: Vec<String>,
    /// Re-opened after a stale refusal: a yes counts only once a frame of
    /// the reloaded ticket was drawn (a key typed ahead is not a decision).
    pub held: bool,
}

impl App {
    /// Starts a verb on the selected ticket: its form, its confirmation, or
    /// straight to the store.
    pub(super) fn begin(&mut self, verb: Verb) {
        if !self.marks.is_empty() {
            return self.begin_bulk(verb);
        }
        self.settle();
        let Some(d) = self.detail.as_ref() else {
            return self.error("no ticket selected");
        };
        if !verb.valid_from(&d.case) {
            let why = if d.case.pending.is_some() {
                " (a proposal waits for sign-off)".to_string()
            } else {
                String::new()
            };
            let msg = format!(
                "{} is not possible now: {} is {}{why}",
                verb.name(),
                d.ticket.id,
                d.case.state
            );
            return self.error(msg);
        }
        // A verb whose form would only be refused on submit (an agent handing
        // off someone else's ticket) says why now, as the domain puts it.
        if verb.without_params().is_none() {
            if let Some(why) = self.refusal(d, verb) {
                return self.error(format!("{} {}: {why}", d.ticket.id, verb.name()));
            }
        }
        let (id, version) = (d.ticket.id.clone(), d.version);
        let form = Form::for_verb(verb, d, self.store.policy(), &self.team, self.operator());
        self.claim(&id, true);
        if let Some(form) = form {
            self.popups.push(Popup::Form(form));
            return;
        }
        // No form means no parameters; a verb that needs some and has no
        // form is refused here rather than done as some other action.
        let Some(action) = verb.without_params() else {
            return self.error(format!("{} needs its form", verb.name()));
        };
        let attempt = Attempt {
            verb,
            id,
            version,
            form: None,
        };
        self.proceed(attempt, action);
    }

    /// A lease tells other consoles someone is on this ticket; it is advice,
    /// the version check is what refuses a collision. `announce` says so on
    /// the message line (not when it holds a refusal worth reading).
    fn claim(&mut self, id: &str, announce: bool) {
        match self.store.claim(id, self.now) {
            Ok(Some(other)) => {
                self.lease_holder = Some(other.clone());
                if announce {
                    self.error(format!("{other} is working on {id} right now"));
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("lease on {id}: {e}"),
        }
    }

    /// The form is filled in (or there was none): confirm, or commit.
    pub(super) fn proceed(&mut self, attempt: Attempt, action: Wf) {
        // Someone else on the ticket: every action asks first.
        if !attempt.verb.needs_confirm() && self.lease_holder.is_none() {
            return self.commit(attempt, action, false);
        }
        let d = match self.loaded(&attempt.id) {
            Ok(d) => d,
            Err(e) => return self.error(e),
        };
        if d.version != attempt.version {
            // Already known to be stale: the store refuses it with who
            // changed it, and the form comes back at the new version.
            return self.commit(attempt, action, true);
        }
        match self.confirmation(&d, attempt.clone(), action) {
            Ok(c) => self.popups.push(Popup::Confirm(c)),
            Err(why) => {
                self.error(format!("{} {}: {why}", attempt.id, attempt.verb.name()));
                self.reopen(attempt, Some(why), false);
            }
        }
    }

    /// The detail of `id`: the one on screen, else read afresh.
    fn loaded(&self, id: &str) -> Result<Detail, String> {
        match &self.detail {
            Some(d) if d.ticket.id == id => Ok(d.clone()),
            _ => self.store.detail(id).map_err(|e| e.to_string()),
        }
    }

    /// What `action` would do on `d`, as the store would judge it now.
    fn preview(&self, d: &Detail, action: &Wf) -> Result<Preview, String> {
        let actor = self.store.actor().map_err(|e| e.to_string())?;
        let cx = Context {
            ticket: &d.ticket,
            verdict: &d.verdict,
            policy: self.store.policy(),
            calendar: self.store.calendar(),
            actor: &actor,
            now: self.now,
        };
        workflow::preview(&d.case, action, &cx).map_err(|r| r.0)
    }

    fn confirmation(&self, d: &Detail, attempt: Attempt, action: Wf) -> Result<Confirm, String> {
        let preview = self.preview(d, &action)?;
        let mut lines = super::confirm::lines(d, &action, &preview, self.operator());
        if let Some(other) = &self.lease_holder {
            lines.insert(
                0,
                format!(
                    "⚑ {other} is working on {} right now — act anyway?",
                    d.ticket.id
                ),
            );
        }
        Ok(Confirm {
            attempt,
            action,
            lines,
            held: false,
        })
    }

    /// Puts the attempt's form back on screen, as typed, with `error`; an
    /// attempt without one ends here.
    fn reopen(&mut self, attempt: Attempt, error: Option<String>, held: bool) {
        let Some(mut f) = attempt.form else {
            let _ = self.store.release(&attempt.id);
            return;
        };
        f.version = attempt.version;
        f.error = error;
        f.held = held;
        self.claim(&f.id, false);
        self.popups.push(Popup::Form(f));
    }

    /// One store transaction; refusals and stale versions become the
    /// message line and change nothing. The row and detail reload after.
    pub(super) fn commit(&mut self, attempt: Attempt, action: Wf, confirmed: bool) {
        self.popups.clear();
        let id = attempt.id.clone();
        let _ = self.store.release(&id);
        let was = self
            .detail
            .as_ref()
            .filter(|d| d.ticket.id == id)
            .map(|d| d.case.state);
        let result = self.store.actor().and_then(|actor| {
            self.store
                .act(&id, &action, &actor, Some(attempt.version), self.now)
        });
        let name = action.name();
        match &result {
            Ok(ActOutcome::Done { pending: true, .. }) => self.info(format!(
                "{id} {name}: proposed; waiting for a supervisor's sign-off"
            )),
            Ok(ActOutcome::Done { to, .. }) => self.info(match &action {
                Wf::Assign { to: who, .. } => format!("{id} handed to {who} (stays in {to})"),
                Wf::Note { .. } => format!("{id}: note added (stays in {to})"),
                _ if was == Some(*to) => format!("{id} {name}: done (stays in {to})"),
                _ => format!("{id} {name}: now {to}"),
            }),
            Ok(ActOutcome::NoOp) => self.info(format!("{id} {name}: already done")),
            Err(e) => self.error(format!("{id} {name}: {e}")),
        }
        if let (Some(other), Some((_, m))) = (&self.lease_holder, &mut self.message) {
            m.push_str(&format!(" ({other} was working on it)"));
        }
        self.refresh(Some(id.clone()));
        if result.is_ok() {
            self.follow(&id);
        }
        match result {
            Err(StoreError::Stale { .. }) => self.try_again(attempt, action, confirmed),
            Err(StoreError::Refused(why)) => self.reopen(attempt, Some(why), false),
            _ => {}
        }
    }

    /// After a stale refusal: the same attempt at the version now on screen,
    /// if the ticket is still there and the verb still possible.
    fn try_again(&mut self, mut attempt: Attempt, action: Wf, confirmed: bool) {
        self.settle();
        let Some(d) = self.detail.clone().filter(|d| d.ticket.id == attempt.id) else {
            return;
        };
        let why = match d.events.last() {
            Some(e) => {
                let facts = crate::tui::ui::timeline::facts(e, &d.verdict.currency);
                let facts = if facts.is_empty() {
                    facts
                } else {
                    format!(" [{facts}]")
                };
                format!("⚑ now: {} {}{facts}", e.operator, e.action)
            }
            None => "⚑ the ticket changed".into(),
        };
        if !attempt.verb.valid_from(&d.case) {
            if let Some((_, m)) = &mut self.message {
                m.push_str(&format!(
                    "; {} is no longer possible (now {})",
                    attempt.verb.name(),
                    d.case.state
                ));
            }
            return;
        }
        attempt.version = d.version;
        if attempt.form.is_some() {
            let again = format!("{why}\nLook at the ticket, then Enter submits what you typed.");
            return self.reopen(attempt, Some(again), true);
        }
        if !confirmed {
            return;
        }
        self.claim(&attempt.id, false);
        match self.confirmation(&d, attempt, action) {
            Ok(mut c) => {
                c.lines.splice(
                    0..0,
                    [why, "Look at the ticket, then confirm again.".into()],
                );
                c.held = true;
                self.popups.push(Popup::Confirm(c));
            }
            Err(e) => self.error(format!("{}: {e}", d.ticket.id)),
        }
    }

    /// A frame was drawn: the operator has seen what is on screen, so a
    /// popup re-opened after a stale refusal may now be answered.
    pub fn drawn(&mut self) {
        match self.popups.last_mut() {
            Some(Popup::Form(f)) => f.held = false,
            Some(Popup::Confirm(c)) => c.held = false,
            _ => {}
        }
    }
}
