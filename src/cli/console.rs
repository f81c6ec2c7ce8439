//! `refund-desk [--db PATH]` and `refund-desk --demo`: the console.

use super::{ExitCode, Setup};
use crate::desk::Desk;
use crate::store::{Access, DeskKind, Store};
use crate::tui::{app::App, keymap::Keymap, theme::Theme};
use std::path::PathBuf;

/// Enough demo tickets for every queue to have some, quick to generate.
const DEMO_TICKETS: u64 = 400;

/// A throw-away directory for the demo database, removed when dropped.
pub struct DemoDir(pub PathBuf);

impl Drop for DemoDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The store the console works on: `--db` (or its defaults), opened for
/// the console or, for `snapshot`, read-only; or a fresh demo database in a
/// temporary directory.
pub fn open(setup: &Setup, demo: bool, access: Access) -> anyhow::Result<(Desk, Option<DemoDir>)> {
    if !demo {
        let store = match access {
            Access::Read => setup.open_reader()?,
            _ => setup.open_console()?,
        };
        return Ok((store, None));
    }
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("refund-desk-demo-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let dir = DemoDir(dir);
    let mut store = Desk::Sqlite(Store::create(
        &dir.0.join("demo.db"),
        setup.policy.clone(),
        setup.calendar.clone(),
        &crate::operator::current()?,
        DeskKind::Demo,
        setup.clock,
    )?);
    super::demo::fill(&mut store, DEMO_TICKETS, 7, |_| {})?;
    Ok((store, Some(dir)))
}

/// Logs go to `<data dir>/console.log`, never to the screen.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dirs = directories::ProjectDirs::from("", "", "refund-desk")?;
    std::fs::create_dir_all(dirs.data_dir()).ok()?;
    let appender = tracing_appender::rolling::never(dirs.data_dir(), "console.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

pub fn run(setup: &Setup, demo: bool) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    let keymap = Keymap::load()?;
    // The desk first (opening it for the console writes nothing), so that a
    // missing or refused desk is named whatever runs the command; then the
    // terminal, before anything is drawn: without one the escape sequences
    // would land in a pipe or a log.
    let (store, _demo_dir) = open(setup, demo, Access::Console)?;
    for (name, is_tty) in [
        ("standard input", std::io::stdin().is_terminal()),
        ("standard output", std::io::stdout().is_terminal()),
    ] {
        anyhow::ensure!(
            is_tty,
            "the console needs a terminal, and {name} is not one (for scripts: list, show, snapshot)"
        );
    }
    let _log = init_logging();
    tracing::info!(db = %store.shown(), operator = %store.operator(), "console starts");
    // Installed before ratatui's hook, which restores the terminal first and then calls this.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        previous(info);
    }));
    let now = store.now();
    // The terminal's size up front, so the first page is loaded once.
    let size = ratatui::crossterm::terminal::size().unwrap_or((80, 24));
    let app = App::with_size(store, keymap, Theme::from_env(), now, size);
    let result = crate::tui::run(app);
    if let Err(e) = &result {
        tracing::error!("console stopped: {e:#}");
    }
    result.map(|()| ExitCode::Ok)
}
