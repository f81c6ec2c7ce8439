//! What keys do on the queues: moving, switching queues, filters, and the
//! verbs on offer for the selected ticket.

use super::action::{Action, Verb};
use super::app::{App, Effect, Popup, QUEUES};
use super::input::TextInput;
use super::pick::PickFor;
use crate::domain::workflow::{self, Action as Wf, Actor, Context};
use crate::store::Sort;

impl App {
    pub(super) fn update_list(&mut self, action: Action) {
        match action {
            Action::Down => self.with_pager(|p, s| p.down(s)),
            Action::Up => self.with_pager(|p, s| p.up(s)),
            Action::PageDown => self.with_pager(|p, s| p.page_down(s)),
            Action::PageUp => self.with_pager(|p, s| p.page_up(s)),
            Action::Top => self.with_pager(|p, s| p.first(s)),
            Action::Bottom => self.with_pager(|p, s| p.last(s)),
            Action::NextTab | Action::PrevTab => {
                let n = QUEUES.len();
                let tab = if action == Action::NextTab {
                    (self.tab + 1) % n
                } else {
                    (self.tab + n - 1) % n
                };
                self.switch_tab(tab);
            }
            Action::FilterState => self.open_filter_pick(PickFor::StateFilter),
            Action::FilterVerdict => self.open_filter_pick(PickFor::VerdictFilter),
            Action::FilterProduct => self.open_filter_pick(PickFor::ProductFilter),
            Action::ClearFilters => {
                self.state_filter = None;
                self.verdict_filter = None;
                self.product_filter = None;
                self.search = None;
                self.refilter();
            }
            Action::ToggleSort => {
                self.sort = match self.sort {
                    Sort::Received => Sort::Due,
                    Sort::Due => Sort::Received,
                };
                self.refilter();
            }
            Action::ToggleLang => self.chinese = !self.chinese,
            Action::Zoom => {
                self.zoom = !self.zoom;
                self.detail_scroll = 0;
                self.resize(self.size.0, self.size.1);
            }
            Action::DetailDown => self.detail_scroll = self.detail_scroll.saturating_add(3),
            Action::DetailUp => self.detail_scroll = self.detail_scroll.saturating_sub(3),
            Action::Refresh => self.refresh(None),
            Action::Search => self.popups.push(Popup::Search {
                input: TextInput::selected(self.search.clone().unwrap_or_default()),
            }),
            Action::Help => self.popups.push(Popup::Help { scroll: 0 }),
            Action::Menu => self.open_menu(),
            Action::Letter => self.open_letter(),
            Action::CopyId => self.copy_id(),
            Action::Dashboard => self.toggle_dashboard(),
            Action::Finance => self.open_finance(),
            Action::ToggleMark
            | Action::MarkDown
            | Action::MarkUp
            | Action::MarkRange
            | Action::MarkAll
            | Action::ClearMarks => self.update_marks(action),
            Action::Do(v) => self.begin(v),
            _ => {}
        }
    }

    pub(super) fn switch_tab(&mut self, tab: usize) {
        if tab < QUEUES.len() && tab != self.tab {
            self.tab = tab;
            self.retab();
        }
    }

    fn copy_id(&mut self) {
        match self.selected_id() {
            Some(id) => {
                self.info(format!("copied {id} to the clipboard (OSC 52)"));
                self.effects.push(Effect::Copy(id));
            }
            None => self.error("no ticket selected"),
        }
    }

    /// Whether the operator proposed the selected ticket's waiting proposal.
    pub fn my_proposal(&self) -> bool {
        self.detail
            .as_ref()
            .and_then(|d| d.case.pending.as_ref())
            .is_some_and(|p| p.proposer == self.operator())
    }

    /// What a verb is called for this operator on this ticket: declining
    /// one's own proposal is withdrawing it (SPEC §3).
    pub fn verb_label(&self, v: Verb) -> &'static str {
        match v {
            Verb::Decline if self.my_proposal() => "withdraw proposal",
            v => v.name(),
        }
    }

    pub fn verb_description(&self, v: Verb) -> &'static str {
        match v {
            Verb::Decline if self.my_proposal() => "withdraw my proposal; nothing else changes",
            v => v.describe(),
        }
    }

    /// The verbs valid for the selected ticket now, in workflow order. A
    /// verb is asked of the domain as this operator would do it (see
    /// `probe`): one it would refuse (a proposer signing off their own
    /// proposal, an agent declining one or handing off someone else's
    /// ticket, withdrawing after the payout) is not offered.
    pub fn valid_verbs(&self) -> Vec<Verb> {
        let Some(d) = self.detail.as_ref() else {
            return Vec::new();
        };
        Verb::ALL
            .into_iter()
            .filter(|v| v.valid_from(&d.case))
            .filter(|v| self.refusal(d, *v).is_none())
            .collect()
    }

    /// Why the domain would refuse `v` on `d` for this operator before
    /// anything is typed; `None` when it would not (or cannot tell yet).
    pub(super) fn refusal(&self, d: &crate::store::Detail, v: Verb) -> Option<String> {
        // The role read at the last refresh: drawing the footer asks no query.
        let actor = Actor {
            name: self.operator().to_string(),
            role: self.role?,
        };
        let action = match probe(v, d, &self.team) {
            Probe::Ask(a) => a,
            Probe::Offer => return None,
            Probe::Nobody => return Some("nobody else has a role on the desk".into()),
        };
        let cx = Context {
            ticket: &d.ticket,
            verdict: &d.verdict,
            policy: self.store.policy(),
            calendar: self.store.calendar(),
            actor: &actor,
            now: self.now,
        };
        workflow::preview(&d.case, &action, &cx).err().map(|r| r.0)
    }

    fn open_menu(&mut self) {
        if !self.marks.is_empty() {
            return self.open_bulk_menu();
        }
        self.settle();
        let items = self.valid_verbs();
        if self.detail.is_none() {
            return self.error("no ticket selected");
        }
        if items.is_empty() {
            return self.error("no action is possible on this ticket now");
        }
        self.popups.push(Popup::Menu {
            items,
            cursor: 0,
            counts: Vec::new(),
        });
    }
}

/// How the menu decides whether to offer a verb before its form is filled.
enum Probe {
    /// Ask the domain about this action.
    Ask(Wf),
    /// Its form asks for what decides it: offer it, the domain judges on submit.
    Offer,
    /// Nobody it could be done for (a hand-off with no one to take it).
    Nobody,
}

/// A hand-off is asked of the domain with someone who could take it — who
/// may hand off what is the domain's rule (an agent only their own) — and
/// a note with some text; the other verbs as `no_input_action` says.
fn probe(v: Verb, d: &crate::store::Detail, team: &[(String, workflow::Role)]) -> Probe {
    match v {
        Verb::Assign => team
            .iter()
            .find(|(name, _)| Some(name.as_str()) != d.case.assignee.as_deref())
            .map_or(Probe::Nobody, |(to, _)| {
                Probe::Ask(Wf::Assign {
                    to: to.clone(),
                    note: None,
                })
            }),
        Verb::Note => Probe::Ask(Wf::Note {
            note: "(a note)".into(),
        }),
        v => no_input_action(v).map_or(Probe::Offer, Probe::Ask),
    }
}

/// The action a verb stands for when nothing is typed (notes left empty);
/// `None` for verbs whose form asks for something.
fn no_input_action(v: Verb) -> Option<Wf> {
    Some(match v {
        Verb::Take => Wf::Take,
        Verb::Evaluate => Wf::Evaluate,
        Verb::Accept => Wf::Accept,
        Verb::InfoReceived => Wf::InfoReceived {
            note: None,
            set: Vec::new(),
        },
        Verb::Close => Wf::Close { note: None },
        Verb::Withdraw => Wf::Withdraw { note: None },
        Verb::SignOff => Wf::SignOff { note: None },
        Verb::Decline => Wf::Decline { note: None },
        _ => return None,
    })
}
