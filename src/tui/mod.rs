//! The console. Model-update-view: `app` holds the state, `keymap` turns
//! keys into `action`s, `ui` draws. The loop is generic over the backend so
//! tests drive it on `TestBackend`.

pub mod action;
pub mod app;
mod attempt;
mod browse;
mod bulk;
mod confirm;
pub mod dashboard;
pub mod finance;
mod follow;
pub mod form;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod letter;
pub mod marks;
mod modal;
mod mouse;
pub mod pager;
pub mod pick;
pub mod queues;
pub mod sla;
pub mod theme;
pub mod ui;

use app::{App, Effect};
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event};
use ratatui::Terminal;
use std::time::{Duration, Instant};

/// How often the console looks for changes by other agents.
pub const POLL: Duration = Duration::from_millis(500);

/// No key for this long is a pause in typing: queue counts left owed by a
/// narrowing keystroke are counted then (App::count_owed).
pub const PAUSE: Duration = Duration::from_millis(40);

/// Where events come from and what wraps a frame; the real terminal or a script.
pub trait Io {
    /// The next event, or `None` after `timeout`.
    fn next(&mut self, timeout: Duration) -> anyhow::Result<Option<Event>>;
    fn begin_frame(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
    fn end_frame(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
    /// Carries out what the app asked for (a clipboard copy…).
    fn perform(&mut self, effect: &Effect) -> anyhow::Result<()> {
        let _ = effect;
        Ok(())
    }
}

/// The real terminal: crossterm events, synchronized updates against flicker.
pub struct TerminalIo;

impl Io for TerminalIo {
    fn next(&mut self, timeout: Duration) -> anyhow::Result<Option<Event>> {
        if event::poll(timeout)? {
            Ok(Some(event::read()?))
        } else {
            Ok(None)
        }
    }

    fn begin_frame(&mut self) -> anyhow::Result<()> {
        ratatui::crossterm::execute!(
            std::io::stdout(),
            ratatui::crossterm::terminal::BeginSynchronizedUpdate
        )?;
        Ok(())
    }

    fn end_frame(&mut self) -> anyhow::Result<()> {
        ratatui::crossterm::execute!(
            std::io::stdout(),
            ratatui::crossterm::terminal::EndSynchronizedUpdate
        )?;
        Ok(())
    }

    fn perform(&mut self, effect: &Effect) -> anyhow::Result<()> {
        match effect {
            // OSC 52: the terminal sets its clipboard, also across SSH.
            Effect::Copy(text) => ratatui::crossterm::execute!(
                std::io::stdout(),
                ratatui::crossterm::clipboard::CopyToClipboard::to_clipboard_from(text.as_bytes())
            )?,
        }
        Ok(())
    }
}

/// Events from a list, for tests: once they run out, one quiet spell (so
/// the last frame is drawn), then Ctrl-C.
pub struct ScriptIo {
    events: std::collections::VecDeque<Event>,
    idle: bool,
    /// The effects the loop performed, in order.
    pub performed: Vec<Effect>,
}

impl ScriptIo {
    pub fn new(events: std::collections::VecDeque<Event>) -> ScriptIo {
        ScriptIo {
            events,
            idle: false,
            performed: Vec::new(),
        }
    }
}

impl Io for ScriptIo {
    fn perform(&mut self, effect: &Effect) -> anyhow::Result<()> {
        self.performed.push(effect.clone());
        Ok(())
    }

    fn next(&mut self, timeout: Duration) -> anyhow::Result<Option<Event>> {
        if let Some(ev) = self.events.pop_front() {
            return Ok(Some(ev));
        }
        // Looking whether a key is ready is not waiting: no key is.
        if timeout.is_zero() {
            return Ok(None);
        }
        if !self.idle {
            self.idle = true;
            return Ok(None);
        }
        use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        Ok(Some(Event::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        ))))
    }
}

/// Draw, wait for input or the poll interval, update; until the app quits.
/// Every queued event is applied before the next frame, so nothing typed is
/// lost and a burst of keys or resizes costs one redraw.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    io: &mut impl Io,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let mut dirty = true;
    let mut last_poll = Instant::now();
    while !app.quit {
        if dirty {
            let size = terminal.size()?;
            if (size.width, size.height) != app.size {
                app.resize(size.width, size.height);
            }
            app.settle();
            io.begin_frame()?;
            let drawn = terminal.draw(|f| f.render_widget(&*app, f.area()));
            io.end_frame()?;
            drawn?;
            app.drawn();
            dirty = false;
        }
        let mut wait = POLL.saturating_sub(last_poll.elapsed());
        if app.counts_owed() {
            wait = wait.min(PAUSE);
        }
        let mut next = io.next(wait)?;
        // A pause: owed counts one at a time, each yielding to a key pressed.
        while next.is_none() && app.counts_owed() {
            dirty |= app.count_owed();
            next = io.next(Duration::ZERO)?;
        }
        while let Some(ev) = next {
            tracing::trace!(?ev, "event");
            dirty |= app.handle_event(&ev);
            for effect in app.take_effects() {
                if let Err(e) = io.perform(&effect) {
                    app.report(format!("could not copy: {e}"));
                }
            }
            if app.quit {
                return Ok(());
            }
            next = io.next(Duration::ZERO)?;
        }
        if last_poll.elapsed() >= POLL {
            last_poll = Instant::now();
            dirty |= app.tick();
        }
    }
    Ok(())
}

/// Mouse reporting is not part of what ratatui restores: switch it off on
/// every way out, a panic included, or the shell receives escape codes for
/// each click afterwards.
fn mouse_off() {
    let _ = ratatui::crossterm::execute!(
        std::io::stdout(),
        ratatui::crossterm::event::DisableMouseCapture
    );
}

/// Ends the process once its terminal hangs up. The hangup signal does
/// not always reach us (a `runuser` or `sudo -u` in between keeps it), and
/// crossterm's reader then spins on end-of-file inside `poll`, never
/// returning to the loop: a dropped SSH session would leave a console
/// burning a core for good. Nothing is lost by exiting: every write is its
/// own committed transaction, and a lease lapses by itself.
fn watch_for_hangup() {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let spawned = std::thread::Builder::new()
        .name("hangup".into())
        .spawn(|| loop {
            std::thread::sleep(Duration::from_secs(1));
            let stdin = std::io::stdin();
            let mut fds = [PollFd::new(stdin.as_fd(), PollFlags::empty())];
            let gone = PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL;
            let hung_up = match poll(&mut fds, PollTimeout::ZERO) {
                Ok(_) => fds[0].revents().is_some_and(|r| r.intersects(gone)),
                Err(_) => false,
            };
            if hung_up {
                tracing::warn!("the terminal hung up: exiting");
                // 128 + SIGHUP, as if the signal had arrived.
                std::process::exit(129);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("no hangup watch: {e}");
    }
}

/// Runs the console on the real terminal. The terminal is restored on
/// return, on error and on panic (ratatui's hook, with mouse capture
/// undone before it).
pub fn run(mut app: App) -> anyhow::Result<()> {
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            // Raw mode may already be on: never leave the shell in it.
            ratatui::restore();
            return Err(anyhow::anyhow!("cannot start the console: {e}"));
        }
    };
    let restore = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        mouse_off();
        restore(info);
    }));
    if let Err(e) = ratatui::crossterm::execute!(
        std::io::stdout(),
        ratatui::crossterm::event::EnableMouseCapture
    ) {
        tracing::warn!("no mouse: {e}");
    }
    app.live_clock = true;
    if std::env::var_os("REFUND_DESK_FAULT").is_some_and(|v| v == "panic") {
        // Fault injection for tests/tui_panic.rs: a panic with the console
        // up (raw mode, alternate screen, mouse capture) must leave a
        // usable terminal.
        let _ = terminal.draw(|f| f.render_widget(&app, f.area()));
        panic!("injected fault (REFUND_DESK_FAULT=panic)");
    }
    watch_for_hangup();
    let result = run_loop(&mut terminal, &mut app, &mut TerminalIo);
    mouse_off();
    ratatui::restore();
    result
}
