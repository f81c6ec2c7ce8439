//! The log of a bulk load copied into the database file by a thread of its
//! own. SQLite's automatic checkpoint runs on the committing connection:
//! the writer stopped every 256 MiB of log to copy it all, while the other
//! core waited. Here a second connection copies each committed batch while
//! the writer goes on with the next. The log starts again from its
//! beginning only when a transaction begins with every page copied, so once
//! the load has grown the file by `RESTART_BYTES` the writer waits for the
//! copy under way to end (a fraction of it, not all of it) before its next
//! batch: the log stays about that size, as before.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

const RESTART_BYTES: i64 = 256 << 20;

#[derive(Default)]
struct State {
    wanted: bool,
    running: bool,
    stop: bool,
}

type Shared = Arc<(Mutex<State>, Condvar)>;

pub(crate) struct Checkpointer {
    shared: Shared,
    worker: Option<JoinHandle<()>>,
    /// The desk's size in bytes when the log last started again.
    restarted_at: std::cell::Cell<i64>,
}

impl Checkpointer {
    /// Starts the thread, on a connection of its own to the desk at `desk`;
    /// `writer` is the loading connection.
    pub(crate) fn start(desk: &Path, writer: &Connection) -> anyhow::Result<Checkpointer> {
        let conn = Connection::open_with_flags(
            desk,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(super::explain)?;
        let shared: Shared = Arc::default();
        let theirs = Arc::clone(&shared);
        let worker = std::thread::Builder::new()
            .name("checkpoint".into())
            .spawn(move || {
                super::helper_priority::below_the_writer();
                copy_when_asked(&conn, &theirs)
            })?;
        Ok(Checkpointer {
            shared,
            worker: Some(worker),
            restarted_at: std::cell::Cell::new(desk_bytes(writer)?),
        })
    }

    /// A batch has committed: copy what the log holds (once more, if a copy
    /// is under way).
    pub(crate) fn nudge(&self) {
        let (lock, wake) = &*self.shared;
        lock.lock().expect("checkpoint state").wanted = true;
        wake.notify_all();
    }

    /// Before `writer` begins a batch: once the log holds `RESTART_BYTES`,
    /// waits for the copying to end so this transaction starts it again.
    pub(crate) fn before_batch(&self, writer: &Connection) -> anyhow::Result<()> {
        let size = desk_bytes(writer)?;
        if size - self.restarted_at.get() < RESTART_BYTES {
            return Ok(());
        }
        let (lock, wake) = &*self.shared;
        let mut state = lock.lock().expect("checkpoint state");
        while state.wanted || state.running {
            state = wake.wait(state).expect("checkpoint state");
        }
        self.restarted_at.set(size);
        Ok(())
    }
}

fn desk_bytes(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size",
        [],
        |r| r.get(0),
    )
}

fn copy_when_asked(conn: &Connection, shared: &Shared) {
    let (lock, wake) = &**shared;
    loop {
        {
            let mut state = lock.lock().expect("checkpoint state");
            while !state.wanted && !state.stop {
                state = wake.wait(state).expect("checkpoint state");
            }
            if !state.wanted {
                return;
            }
            state.wanted = false;
            state.running = true;
        }
        // Passive: never waits for a lock, never holds the writer up. What
        // it cannot copy now, the next nudge (or the writer's own
        // checkpoints once the load is over) copies.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        lock.lock().expect("checkpoint state").running = false;
        wake.notify_all();
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (lock, wake) = &*self.shared;
        if let Ok(mut state) = lock.lock() {
            state.stop = true;
        }
        wake.notify_all();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}
