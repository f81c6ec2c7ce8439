//! The model: what is on screen, the selection, the open popups. Keys become
//! `Action`s (keymap), `update` applies them, effects go to the store, and
//! the frame is drawn from this state alone.

use super::action::{Action, Verb};
use super::form::Form;
use super::keymap::{Key, Keymap, Mode};
use super::pager::{Pager, Source};
use super::theme::Theme;
use crate::domain::letter::Letter;
use crate::domain::policy::VerdictKind;
use crate::domain::ticket::Product;
use crate::domain::workflow::{Role, State};
use crate::store::{Detail, ListFilter, Sort, Store, StoreError};
use chrono::{DateTime, FixedOffset, NaiveDate};
use ratatui::crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};

pub use super::attempt::{Attempt, Confirm};
pub use super::queues::{queue_filter, QUEUES};

#[derive(Clone, Debug, PartialEq)]
pub enum Popup {
    Menu {
        items: Vec<Verb>,
        cursor: usize,
    },
    Form(Form),
    Confirm(Confirm),
    Search {
        text: String,
    },
    Help {
        scroll: u16,
    },
    /// The customer letter drafted for `id`, as it stood when opened.
    Letter {
        id: String,
        letter: Letter,
        scroll: u16,
    },
}

/// Something the terminal loop does on the app's behalf, so that the model
/// stays free of I/O (tests only see that it was asked for).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Put this text on the operator's clipboard (OSC 52, works over SSH).
    Copy(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

pub struct App {
    pub store: Store,
    pub keymap: Keymap,
    pub theme: Theme,
    /// The clock everything on screen is judged against; pinned in tests.
    pub now: DateTime<FixedOffset>,
    /// Follow the wall clock (`store::now`) on each tick.
    pub live_clock: bool,
    pub role: Option<Role>,
    pub tab: usize,
    pub counts: [Option<u64>; QUEUES.len()],
    pub shown: Option<u64>,
    pub state_filter: Option<State>,
    pub verdict_filter: Option<VerdictKind>,
    pub product_filter: Option<Product>,
    pub search: Option<String>,
    pub sort: Sort,
    pub pager: Pager,
    pub detail: Option<Detail>,
    /// Another operator holding a lease on the selected ticket (advice only).
    pub lease_holder: Option<String>,
    detail_stale: bool,
    pub detail_scroll: u16,
    pub zoom: bool,
    pub chinese: bool,
    pub popups: Vec<Popup>,
    /// The dashboard screen, when shown (else the queues): its numbers, or
    /// why they could not be read.
    pub dashboard: Option<Result<super::dashboard::Board, String>>,
    pub message: Option<(Level, String)>,
    pub quit: bool,
    pub size: (u16, u16),
    /// Effects asked for since the loop last took them.
    pub effects: Vec<Effect>,
    mark: i64,
}

impl App {
    pub fn new(store: Store, keymap: Keymap, theme: Theme, now: DateTime<FixedOffset>) -> App {
        let mut app = App {
            store,
            keymap,
            theme,
            now,
            live_clock: false,
            role: None,
            tab: 0,
            counts: [None; QUEUES.len()],
            shown: None,
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
            message: None,
            quit: false,
            size: (80, 24),
            effects: Vec::new(),
            mark: -1,
        };
        // Only the height: the refresh below loads the first page once.
        app.pager.height = super::ui::list_rows(&app, 80, 24).max(1);
        app.refresh(None);
        app
    }

    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.store.policy.tz).date_naive()
    }

    pub fn operator(&self) -> &str {
        &self.store.operator
    }

    /// The current queue narrowed by the filters and the search.
    pub fn filter(&self) -> ListFilter {
        let mut f = queue_filter(self.tab, self.operator(), self.today());
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
            None if self.dashboard.is_some() => Mode::Dashboard,
            None => Mode::List,
            Some(Popup::Menu { .. }) => Mode::Menu,
            Some(Popup::Form(_)) => Mode::Form,
            Some(Popup::Confirm(_)) => Mode::Confirm,
            Some(Popup::Search { .. }) => Mode::Search,
            Some(Popup::Help { .. }) => Mode::Help,
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
    fn with_pager(&mut self, f: impl FnOnce(&mut Pager, &Source) -> Result<(), StoreError>) {
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
        self.recount();
        self.with_pager(|p, s| p.reload(s, keep.as_deref()));
        self.detail_stale = true;
        if self.dashboard.is_some() {
            self.load_dashboard();
        }
    }

    /// Queue counts. Pure state queues add up the trigger-kept per-state
    /// counts (constant time); Mine, Pending and Overdue ask indexed queries.
    fn recount(&mut self) {
        let (me, today) = (self.operator().to_string(), self.today());
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
        self.shown = self.count_shown();
    }

    /// How many rows the list holds: the tab's count unless narrowed further.
    fn count_shown(&self) -> Option<u64> {
        let narrowed = self.state_filter.is_some()
            || self.verdict_filter.is_some()
            || self.product_filter.is_some()
            || self.search.is_some();
        match self.counts[self.tab] {
            Some(n) if !narrowed => Some(n),
            // Bounded: an exact count of a rare filter over a million rows
            // would cost a second on every keystroke.
            _ => self
                .store
                .count_at_most(&self.filter(), 10_000, std::time::Duration::from_millis(5))
                .ok()
                .flatten(),
        }
    }

    /// The filter changed: start from the top.
    pub(super) fn refilter(&mut self) {
        self.shown = self.count_shown();
        self.with_pager(|p, s| p.first(s));
        self.detail_stale = true;
    }

    /// Polled every ~500 ms: follows the clock and other agents' changes.
    /// Returns whether anything on screen may have changed.
    pub fn tick(&mut self) -> bool {
        let before = (self.today(), self.now.format("%H:%M").to_string());
        if self.live_clock {
            self.now = crate::store::now();
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
        let rows = super::ui::list_rows(self, width, height);
        self.with_pager(|p, s| p.resize(s, rows));
    }

    /// One terminal event. Returns whether a redraw is due.
    pub fn handle_event(&mut self, ev: &Event) -> bool {
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => {
                self.handle_key(Key::from_event(k));
                true
            }
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
                Some(Popup::Search { text }) if !c.is_control() => text.push(c),
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
            Mode::Form => self.update_form(action),
            Mode::Confirm => self.update_confirm(action),
            Mode::Search => self.update_search(action),
            Mode::Help => self.update_help(action),
            Mode::Letter => self.update_letter(action),
            Mode::Dashboard => self.update_dashboard(action),
        }
    }

    fn update_list(&mut self, action: Action) {
        match action {
            Action::Down => self.with_pager(|p, s| p.down(s)),
            Action::Up => self.with_pager(|p, s| p.up(s)),
            Action::PageDown => self.with_pager(|p, s| p.page_down(s)),
            Action::PageUp => self.with_pager(|p, s| p.page_up(s)),
            Action::Top => self.with_pager(|p, s| p.first(s)),
            Action::Bottom => self.with_pager(|p, s| p.last(s)),
            Action::NextTab | Action::PrevTab => {
                let n = QUEUES.len();
                self.tab = if action == Action::NextTab {
                    (self.tab + 1) % n
                } else {
                    (self.tab + n - 1) % n
                };
                self.refilter();
            }
            Action::FilterState => {
                self.state_filter = cycle(State::ALL, self.state_filter);
                self.refilter();
            }
            Action::FilterVerdict => {
                self.verdict_filter = cycle(VerdictKind::ALL, self.verdict_filter);
                self.refilter();
            }
            Action::FilterProduct => {
                self.product_filter = cycle(Product::ALL, self.product_filter);
                self.refilter();
            }
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
                text: self.search.clone().unwrap_or_default(),
            }),
            Action::Help => self.popups.push(Popup::Help { scroll: 0 }),
            Action::Menu => self.open_menu(),
            Action::Letter => self.open_letter(),
            Action::Dashboard => self.toggle_dashboard(),
            Action::Do(v) => self.begin(v),
            _ => {}
        }
    }

    /// The verbs valid for the selected ticket now, in workflow order.
    pub fn valid_verbs(&self) -> Vec<Verb> {
        let Some(d) = self.detail.as_ref() else {
            return Vec::new();
        };
        Verb::ALL
            .into_iter()
            .filter(|v| v.valid_from(&d.case))
            .collect()
    }

    fn open_menu(&mut self) {
        self.settle();
        let items = self.valid_verbs();
        if self.detail.is_none() {
            return self.error("no ticket selected");
        }
        if items.is_empty() {
            return self.error("no action is possible on this ticket now");
        }
        self.popups.push(Popup::Menu { items, cursor: 0 });
    }
}

/// None → first → … → last → None.
fn cycle<T: Copy + PartialEq>(all: &[T], cur: Option<T>) -> Option<T> {
    match cur {
        None => all.first().copied(),
        Some(c) => {
            let i = all.iter().position(|x| *x == c).unwrap_or(all.len());
            all.get(i + 1).copied()
        }
    }
}
