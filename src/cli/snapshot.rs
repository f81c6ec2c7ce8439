//! `refund-desk snapshot [--width W] [--height H] [--keys KEYS]`: the console
//! rendered headless after feeding it keys, printed as text.

use super::{ExitCode, Setup};
use crate::tui::app::App;
use crate::tui::keymap::{Key, Keymap};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

#[derive(clap::Args, Debug)]
pub struct SnapshotArgs {
    /// Screen width in columns.
    #[arg(long, default_value_t = 80)]
    pub width: u16,
    /// Screen height in rows.
    #[arg(long, default_value_t = 24)]
    pub height: u16,
    /// Keys to feed first, e.g. "jj<Enter>a" (<Enter>, <Esc>, <Tab>, <Down>, <PgDn>, <C-c>…).
    #[arg(long, default_value = "")]
    pub keys: String,
}

/// Feeds `keys` to the app (stopping if one quits) and renders one frame.
pub fn render(app: &mut App, width: u16, height: u16, keys: &[Key]) -> anyhow::Result<String> {
    app.resize(width, height);
    for key in keys {
        if app.quit {
            break;
        }
        app.handle_key(*key);
        app.settle();
    }
    // The frame after the keys, once typing has paused.
    while app.count_owed() {}
    app.settle();
    // Straight into a buffer: a terminal would diff it against an empty
    // screen and copy every cell to its backend first.
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    (&*app).render(area, &mut buf);
    Ok(crate::tui::ui::buffer_text(&buf))
}

pub fn run(setup: &Setup, demo: bool, args: &SnapshotArgs) -> anyhow::Result<ExitCode> {
    let keys = match Key::parse_seq(&args.keys) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("refund-desk: --keys: {e}");
            return Ok(ExitCode::Usage);
        }
    };
    let keymap = Keymap::load()?;
    let (store, _demo_dir) = super::console::open(setup, demo, crate::store::Access::Read)?;
    let now = store.now();
    let size = (args.width, args.height);
    let mut app = App::with_size(store, keymap, Theme::from_env(), now, size);
    print!("{}", render(&mut app, args.width, args.height, &keys)?);
    // The process ends here: freeing every row, cell and cached statement
    // one by one would cost more than drawing the detail did. The desk was
    // opened read-only, so its connection has nothing to finish; the OS
    // drops its locks with the process.
    std::mem::forget(app);
    Ok(ExitCode::Ok)
}
