//! The model: what is on screen, the selection, the open popups. Keys become
//! `Action`s (keymap), `update` applies them, effects go to the store, and
//! the frame is drawn from this state alone.

use super::action::Action;
use super::form::Form;
use super::input::TextInput;
use super::keymap::{Key, Keymap, Mode};
use super::pager::{Pager, Source};
use super::pick::Pick;
use super::theme::Theme;
use crate::desk::Desk;
use crate::domain::letter::Letter;
use crate::domain::policy::VerdictKind;
use crate::domain::ticket::Product;
use crate::domain::workflow::{Proposal, Role, State};
use crate::store::{Detail, ListFilter, Sort, StoreError};
use chrono::{DateTime, FixedOffset, NaiveDate};
use ratatui::crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};
use std::collections::HashMap;

pub use super::attempt::{Attempt, Confirm};
use super::queues::ALL;
pub use super::queues::{queue_filter, QUEUES};

#[derive(Clone, Debug, PartialEq)]
pub enum Popup {
    Menu {
        items: Vec<super::action::Verb>,
        cursor: usize,
        /// With marks: on how many marked tickets each item is possible.
        counts: Vec<usize>,
    },
    Pick(Pick),
    Form(Form),
    Confirm(Confirm),
    /// The confirmation of one action on every marked ticket.
    BulkConfirm(super::bulk::BulkConfirm),
    /// What a bulk action did to each ticket.
    Summary(super::bulk::Summary),
    /// A line typed for the finance screen (its dates, a file to write).
    Input {
        purpose: super::finance::InputFor,
        input: TextInput,
    },
    Search {
        input: TextInput,
    },
    Help {
        scroll: u16,
    },
    /// The customer letter drafted for `id`, as it stood when opened.
    Letter {
        id: String,
        letter: Letter,
        scroll: u16,
        /// The ticket's version when the letter was drafted: recording it
        /// as sent is refused if the ticket changed since.
        version: i64,
        /// Set once recorded as sent (what the popup then says).
        sent: Option<String>,
    },
}

/// Something the terminal loop does on the app's behalf, so that the model
/// stays free of I/O (tests only see that it was asked for).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Put this text on the operator's clipboard (OSC 52, works over SSH).
    Copy(String),
}

/// Matches outside the queue on screen: how many (`None`: too many to
/// count quickly), and (queue, count) of the queues holding some.
pub type Elsewhere = (Option<u64>, Vec<(usize, u64)>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

pub struct App {
    pub store: Desk,
    pub keymap: Keymap,
    pub theme: Theme,
    /// The clock everything on screen is judged against; pinned in tests.
    pub now: DateTime<FixedOffset>,
    /// Follow the store's clock (`Store::now`) on each tick.
    pub live_clock: bool,
    pub role: Option<Role>,
    /// The people with a role on the desk, by name: whom a ticket can be
    /// handed to. Read with the role, so drawing asks no query.
    pub team: Vec<(String, Role)>,
    pub tab: usize,
    /// Tickets per queue, narrowed by the filters and the search when any
    /// is set (so the tabs say where the matches are); `None`: too many to
    /// count quickly.
    pub counts: [Option<u64>; QUEUES.len()],
    /// Narrowed queues not counted yet: the keystroke that narrows counts
    /// only the queue on screen, the rest wait for a pause in typing
    /// (`count_owed`). Counting all eleven each with its own budget made
    /// one Enter in the search box cost 165 ms at a million tickets.
    owed: Vec<usize>,
    pub shown: Option<u64>,
    /// Whether a filter or a search narrows the queues.
    pub narrowed: bool,
    /// Waiting proposals of the rows on screen, by id, with the row's version.
    pub proposals: HashMap<String, (i64, Proposal)>,
    pub state_filter: Option<State>,
    pub verdict_filter: Option<VerdictKind>,
    pub product_filter: Option<Product>,
    pub search: Option<String>,
    pub sort: Sort,
    pub pager: Pager,
    pub detail: Option<Detail>,
    /// Another operator holding a lease on the selected ticket (advice only).
    pub lease_holder: Option<String>,
    pub(super) detail_stale: bool,
    pub detail_scroll: u16,
    pub zoom: bool,
    pub chinese: bool,
    pub popups: Vec<Popup>,
    /// The dashboard screen, when shown (else the queues): its numbers, or
    /// why they could not be read.
    pub dashboard: Option<Result<super::dashboard::Board, String>>,
    /// The finance screen, when shown: executed payouts in a date range.
    pub finance: Option<super::finance::Finance>,
    /// Tickets marked for one action on all of them.
    pub marks: super::marks::Marks,
    pub message: Option<(Level, String)>,
    pub quit: bool,
    pub size: (u16, u16),
    /// Effects asked for since the loop last took them.
    pub effects: Vec<Effect>,
    mark: i64,
}

/// A narrowed count on a keystroke's path: the queue on screen.
const KEY_BUDGET: std::time::Duration = std::time::Duration::from_millis(5);
/// A narrowed count in a pause in typing: longer, so that a search for a
/// common word still says how many of its matches each small queue holds
/// (at 5 ms every one ran out at a million tickets), short enough that a
/// key pressed meanwhile is not kept waiting.
const PAUSE_BUDGET: std::time::Duration = std::time::Duration::from_millis(20);

impl App {
    pub fn new(
        store: impl Into<Desk>,
        keymap: Keymap,
        theme: Theme,
        now: DateTime<FixedOffset>,
    ) -> App {
        Self::with_size(store, keymap, theme, now, (80, 24))
    }

    /// `new` for a screen of `size` (columns, rows) known up front: the
    /// first page is loaded once, as long as the list shows (issue 14).
    pub fn with_size(
        store: impl Into<Desk>,
        keymap: Keymap,
        theme: Theme,
        now: DateTime<FixedOffset>,
        size: (u16, u16),
    ) -> App {
        let mut app = App {
            store: store.into(),
            keymap,
            theme,
            now,
            live_clock: false,
            role: None,
            team: Vec::new(),
            tab: 0,
            counts: [None; QUEUES.len()],
            owed: Vec::new(),
            shown: None,
            narrowed: false,
            proposals: HashMap::new(),
            state_filter: None,
            verdict_filter: None,
            product_filter: None,
            search: None,
            sort: Sort::Received,
            pager: Pager::default(),
            detail: None,
            lease_holder: None,
            detail_stale: true,
            detail_scroll: 0,
            zoom: false,
            chinese: false,
            popups: Vec::new(),
            dashboard: None,
            finance: None,
            marks: Default::default(),
            message: None,
            quit: false,
            size,
            effects: Vec::new(),
            mark: -1,
        };
        // Only the height: the refresh below loads the first page once.
        app.pager.height = super::layout::list_rows(false, size.0, size.1).max(1);
        app.refresh(None);
        app
    }

    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.store.policy().tz).date_naive()
    }

    pub fn operator(&self) -> &str {
        self.store.operator()
    }

    /// The current queue narrowed by the filters and the search.
    pub fn filter(&self) -> ListFilter {
        self.narrowed_queue(self.tab)
    }

    /// Queue `i` narrowed by the filters and the search.
    pub fn narrowed_queue(&self, i: usize) -> ListFilter {
        let mut f = queue_filter(i, self.operator(), self.today());
        if let Some(s) = self.state_filter {
            let s = s.to_string();
            f.states = if f.states.is_empty() || f.states.contains(&s) {
                vec![s]
            } else {
                // The queue excludes this state: nothing can match.
                vec![String::new()]
            };
        }
        f.verdict = self.verdict_filter.map(|v| v.to_string());
        f.product = self.product_filter.map(|p| p.to_string());
        f.search = self.search.clone();
        f
    }

    pub fn mode(&self) -> Mode {
        match self.popups.last() {
            None if self.finance.is_some() => Mode::Finance,
            None if self.dashboard.is_some() => Mode::Dashboard,
            None => Mode::List,
            Some(Popup::Menu { .. }) => Mode::Menu,
            Some(Popup::Pick(_)) => Mode::Pick,
            Some(Popup::Form(_)) => Mode::Form,
            Some(Popup::Confirm(_) | Popup::BulkConfirm(_)) => Mode::Confirm,
            Some(Popup::Search { .. } | Popup::Input { .. }) => Mode::Search,
            Some(Popup::Help { .. } | Popup::Summary(_)) => Mode::Help,
            Some(Popup::Letter { .. }) => Mode::Letter,
        }
    }

    /// The effects asked for since the last call, for the loop to perform.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// An error from outside the model (the terminal), for the message line.
    pub fn report(&mut self, msg: impl Into<String>) {
        self.error(msg);
    }

    pub(super) fn error(&mut self, msg: impl Into<String>) {
        self.message = Some((Level::Error, msg.into()));
    }

    pub(super) fn info(&mut self, msg: impl Into<String>) {
        self.message = Some((Level::Info, msg.into()));
    }

    /// Runs a pager step against the current filter; errors go to the message line.
    pub(super) fn with_pager(
        &mut self,
        f: impl FnOnce(&mut Pager, &Source) -> Result<(), StoreError>,
    ) {
        let filter = self.filter();
        let src = Source {
            store: &self.store,
            filter: &filter,
            sort: self.sort,
        };
        if let Err(e) = f(&mut self.pager, &src) {
            self.error(e.to_string());
        }
    }

    pub fn selected_id(&self) -> Option<String> {
        self.pager.selected().map(|r| r.id.clone())
    }

    /// Reloads everything that may have changed: counts, the visible rows
    /// (keeping `keep`, else the current selection), the detail.
    pub fn refresh(&mut self, keep: Option<String>) {
        let keep = keep.or_else(|| self.selected_id());
        self.mark = self.store.change_mark().unwrap_or(self.mark);
        self.role = self.store.actor().ok().map(|a| a.role);
        self.team = match self.store.operators() {
            Ok(ops) => ops
                .into_iter()
                .map(|(name, role, ..)| (name, role))
                .collect(),
            Err(_) => Vec::new(),
        };
        self.recount();
        self.with_pager(|p, s| p.reload(s, keep.as_deref()));
        self.prune_marks_and_say();
        self.detail_stale = true;
        if self.dashboard.is_some() {
            self.load_dashboard();
        }
        if self.finance.is_some() {
            self.load_finance();
        }
    }

    /// Queue counts. Pure state queues add up the trigger-kept per-state
    /// counts (constant time); Mine, Pending and Overdue ask indexed queries.
    /// Narrowed, every queue is counted with the filters and the search, each
    /// count bounded (an exact count of a rare filter over a million rows
    /// would cost a second): the queue on screen now, the others once typing
    /// pauses (`count_owed`).
    pub(super) fn recount(&mut self) {
        let (me, today) = (self.operator().to_string(), self.today());
        self.narrowed = self.state_filter.is_some()
            || self.verdict_filter.is_some()
            || self.product_filter.is_some()
            || self.search.is_some();
        self.owed.clear();
        if self.narrowed {
            self.counts = [None; QUEUES.len()];
            self.owed = (0..QUEUES.len()).filter(|&i| i != self.tab).collect();
            self.counts[self.tab] = self.narrowed_count(self.tab, KEY_BUDGET);
            self.shown = self.counts[self.tab];
            return;
        }
        let per_state = self.store.state_counts().ok();
        for i in 0..QUEUES.len() {
            let f = queue_filter(i, &me, today);
            let plain = f.assignee.is_none() && !f.pending && f.overdue_on.is_none();
            self.counts[i] = match &per_state {
                _ if f.overdue_on.is_some() => self.store.overdue_count(&today.to_string()).ok(),
                Some(per) if plain && f.states.is_empty() => Some(per.values().sum()),
                Some(per) if plain => Some(f.states.iter().filter_map(|s| per.get(s)).sum()),
                _ => self.store.count(&f).ok(),
            };
        }
        self.shown = self.counts[self.tab];
    }

    /// Queue `i` narrowed by the filters and the search, counted up to
    /// 10,000 within `budget`; `None` past either.
    fn narrowed_count(&self, i: usize, budget: std::time::Duration) -> Option<u64> {
        self.store
            .count_at_most(&self.narrowed_queue(i), 10_000, budget)
            .ok()
            .flatten()
    }

    /// The count of the queue on screen, counted now if it was owed.
    pub(super) fn count_tab(&mut self) {
        if let Some(at) = self.owed.iter().position(|&i| i == self.tab) {
            self.owed.remove(at);
            self.counts[self.tab] = self.narrowed_count(self.tab, KEY_BUDGET);
        }
        self.shown = self.counts[self.tab];
    }

    /// Whether some narrowed queue still waits for its count.
    pub fn counts_owed(&self) -> bool {
        !self.owed.is_empty()
    }

    /// Counts one queue that waits for its count; the loop calls it while no
    /// key is pressed, so typing never waits for more than one count.
    /// Returns whether anything on screen may have changed.
    pub fn count_owed(&mut self) -> bool {
        if self.owed.is_empty() {
            return false;
        }
        let i = self.owed.remove(0);
        self.counts[i] = self.narrowed_count(i, PAUSE_BUDGET);
        true
    }

    /// Matches of the filters and the search outside the queue on screen:
    /// how many, and the queues holding them (with their counts).
    pub fn elsewhere(&self) -> Option<Elsewhere> {
        if !self.narrowed || self.tab == ALL {
            return None;
        }
        let more = match (self.counts[ALL], self.shown) {
            (Some(all), Some(here)) if all > here => Some(all - here),
            (Some(_), Some(_)) => return None,
            _ => None,
        };
        let queues = (0..ALL)
            .filter(|&i| i != self.tab && i != super::queues::MINE)
            .filter_map(|i| self.counts[i].filter(|n| *n > 0).map(|n| (i, n)))
            .collect();
        Some((more, queues))
    }

    /// The filters or the search changed: count again, start from the top.
    pub(super) fn refilter(&mut self) {
        self.recount();
        self.with_pager(|p, s| p.first(s));
        self.prune_marks_and_say();
        self.detail_stale = true;
    }

    /// Another queue on screen: its rows from the top.
    pub(super) fn retab(&mut self) {
        self.count_tab();
        self.with_pager(|p, s| p.first(s));
        self.prune_marks_and_say();
        self.detail_stale = true;
    }

    /// Polled every ~500 ms: follows the clock and other agents' changes.
    /// Returns whether anything on screen may have changed.
    pub fn tick(&mut self) -> bool {
        let before = (self.today(), self.now.format("%H:%M").to_string());
        if self.live_clock {
            self.now = self.store.now();
        }
        let mut changed = before != (self.today(), self.now.format("%H:%M").to_string());
        match self.store.change_mark() {
            Ok(mark) if mark != self.mark => {
                self.refresh(None);
                changed = true;
            }
            Ok(_) if before.0 != self.today() => self.refresh(None),
            Ok(_) => {
                // Leases write no event: look at the selected ticket's directly.
                let holder = self.holder_of_selected();
                changed |= holder != self.lease_holder;
                self.lease_holder = holder;
            }
            Err(e) => {
                self.error(e.to_string());
                changed = true;
            }
        }
        changed
    }

    /// Loads the detail of the selected row if it is not loaded yet. Called
    /// once the pending input is handled, so holding `j` loads one detail.
    pub fn settle(&mut self) {
        self.load_proposals();
        let id = self.selected_id();
        let loaded = self.detail.as_ref().map(|d| d.ticket.id.clone());
        if !self.detail_stale && id == loaded {
            return;
        }
        if id != loaded {
            self.detail_scroll = 0;
        }
        self.detail_stale = false;
        self.lease_holder = self.holder_of_selected();
        self.detail = match id {
            None => None,
            Some(id) => match self.store.detail(&id) {
                Ok(d) => Some(d),
                Err(e) => {
                    self.error(e.to_string());
                    None
                }
            },
        };
    }

    fn holder_of_selected(&self) -> Option<String> {
        let id = self.selected_id()?;
        self.store.held_by_other(&id, self.now).ok().flatten()
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = (width, height);
        let rows = super::layout::list_rows(self.zoom, width, height);
        self.with_pager(|p, s| p.resize(s, rows));
    }

    /// One terminal event. Returns whether a redraw is due.
    pub fn handle_event(&mut self, ev: &Event) -> bool {
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => {
                self.handle_key(Key::from_event(k));
                true
            }
            Event::Mouse(m) => self.handle_mouse(m),
            Event::Resize(w, h) => {
                self.resize(*w, *h);
                true
            }
            _ => false,
        }
    }

    pub fn handle_key(&mut self, key: Key) {
        let mode = self.mode();
        if mode == Mode::List {
            self.message = None;
        }
        if let Some(action) = self.keymap.lookup(mode, key) {
            return self.update(action);
        }
        let plain = !key
            .mods
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match (mode, key.code) {
            (m, KeyCode::Char(c)) if m.takes_text() && plain => match self.popups.last_mut() {
                Some(Popup::Form(f)) => f.type_char(c),
                Some(Popup::Search { input } | Popup::Input { input, .. }) => input.type_char(c),
                _ => {}
            },
            // In the menu, a verb's list key picks it.
            (Mode::Menu, _) => {
                if let Some(Action::Do(v)) = self.keymap.lookup(Mode::List, key) {
                    self.popups.pop();
                    self.begin(v);
                }
            }
            _ => {}
        }
    }

    pub fn update(&mut self, action: Action) {
        if action == Action::Quit {
            self.quit = true;
            return;
        }
        match self.mode() {
            Mode::List | Mode::Global => self.update_list(action),
            Mode::Menu => self.update_menu(action),
            Mode::Pick => self.update_pick(action),
            Mode::Form => self.update_form(action),
            Mode::Confirm => match self.popups.last() {
                Some(Popup::BulkConfirm(_)) => self.update_bulk_confirm(action),
                _ => self.update_confirm(action),
            },
            Mode::Search => match self.popups.last() {
                Some(Popup::Input { .. }) => self.update_input(action),
                _ => self.update_search(action),
            },
            Mode::Help => match self.popups.last() {
                Some(Popup::Summary(_)) => self.update_summary(action),
                _ => self.update_help(action),
            },
            Mode::Letter => self.update_letter(action),
            Mode::Dashboard => self.update_dashboard(action),
            Mode::Finance => self.update_finance(action),
        }
    }

    /// Reads the proposals of the pending rows on screen that are not
    /// known at their current version (a page of rows, by id).
    fn load_proposals(&mut self) {
        let want: Vec<String> = self
            .pager
            .rows
            .iter()
            .filter(|r| r.pending)
            .filter(|r| self.proposals.get(&r.id).map(|p| p.0) != Some(r.version))
            .map(|r| r.id.clone())
            .collect();
        if want.is_empty() {
            return;
        }
        match self.store.proposals(&want) {
            Ok(found) => self.proposals.extend(found),
            Err(e) => self.error(e.to_string()),
        }
    }
}
