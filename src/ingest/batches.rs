//! An import's reading, shared by both engines: the file is read, checked
//! and prepared on a thread of its own (on a two-core box validation and
//! the database each get a core), and its good lines reach the writer in
//! batches, each of which the writer makes one transaction.

use super::{read_all, Parsed, Rejected};
use std::io::Read;
use std::time::{Duration, Instant};

/// Lines handed from the reading thread to the writer at a time.
const CHUNK: usize = 2_000;
/// Chunks in flight: the reader runs this far ahead of the writer.
const IN_FLIGHT: usize = 8;

/// What the writer hears, in file order.
pub enum Step<'a, L> {
    /// A bad line (the reader's verdict; the writer may reject more).
    Rejected(Rejected),
    /// A batch to write. `Some(bytes)`: the input consumed up to its last
    /// line; `None`: the last batch, what is left (possibly nothing).
    Batch(&'a mut Vec<L>, Option<u64>),
}

/// Where the time went, when asked for (`timed`).
#[derive(Debug, Default)]
pub struct Timing {
    /// The writer waiting for lines to be read.
    pub writer_waited: Duration,
    /// The reading thread's wall time, less its waits for the writer.
    pub reading: Duration,
    /// The reading thread's CPU time.
    pub reading_cpu: Duration,
}

/// Batch sizes: `first` lines, then twice the last, up to `most`. A small
/// first batch sets the writer going before a whole batch is read.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub first: usize,
    pub most: usize,
}

/// Reads `reader` (named `name`) on a second thread, `prepare` turning each
/// good line into what the writer wants (on that thread too), and hands
/// `write` the outcomes in batches; `write` takes what it wants of each
/// batch, and the lines it leaves in it are dropped on the reading thread.
/// An error from `write` stops the reading and is returned; so is a read
/// error, with the lines of the unfinished batch left unwritten. `cpu`, to
/// fill `Timing`, gives the calling thread's CPU time.
pub fn in_batches<L: Send>(
    name: &str,
    reader: impl Read + Send,
    prepare: impl Fn(Parsed) -> L + Send,
    sizes: Sizes,
    cpu: Option<fn() -> Duration>,
    mut write: impl FnMut(Step<L>) -> anyhow::Result<()>,
) -> anyhow::Result<Timing> {
    type Chunk<L> = Vec<(Result<L, Rejected>, u64)>;
    let (send, receive) = std::sync::mpsc::sync_channel::<Chunk<L>>(IN_FLIGHT);
    // Written lines go back to the thread that allocated them: freed on
    // another thread, every block of a line took mimalloc's slow road there
    // and again when the reader reused its memory.
    let (give_back, spent) = std::sync::mpsc::channel::<Vec<L>>();
    let mut timing = Timing::default();
    std::thread::scope(|scope| {
        // Owned here, so that a writer's error drops it on the way out: the
        // reader, blocked on a full channel, then sees it closed and ends,
        // and the scope's join returns. (Held outside, the join waited for a
        // reader that waited for this end: an import whose writer failed
        // mid-way hung for good.)
        let receive = receive;
        let reading = scope.spawn(move || {
            let started = Instant::now();
            let mut waited = Duration::ZERO;
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut open = true;
            let read = read_all(name, reader, |outcome, bytes| {
                if !open {
                    return;
                }
                chunk.push((outcome.map(&prepare), bytes));
                if chunk.len() == CHUNK {
                    spent.try_iter().for_each(drop);
                    let t = cpu.map(|_| Instant::now());
                    // A closed channel means the writer failed: stop sending.
                    open = send
                        .send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))
                        .is_ok();
                    waited += t.map(|t| t.elapsed()).unwrap_or_default();
                }
            });
            if open && !chunk.is_empty() {
                let _ = send.send(chunk);
            }
            let spent = cpu.map(|f| f()).unwrap_or_default();
            read.map(|()| (started.elapsed().saturating_sub(waited), spent))
        });
        let mut batch = Vec::with_capacity(sizes.most);
        let mut size = sizes.first;
        let mut waiting = Instant::now();
        for chunk in receive.iter() {
            timing.writer_waited += waiting.elapsed();
            let mut last = 0;
            for (outcome, bytes) in chunk {
                last = bytes;
                match outcome {
                    Err(r) => write(Step::Rejected(r))?,
                    Ok(line) => batch.push(line),
                }
            }
            if batch.len() >= size {
                size = (size * 2).min(sizes.most);
                write(Step::Batch(&mut batch, Some(last)))?;
                if !batch.is_empty() {
                    let left = std::mem::replace(&mut batch, Vec::with_capacity(sizes.most));
                    // Once the reader has ended, they are dropped here.
                    let _ = give_back.send(left);
                }
            }
            waiting = Instant::now();
        }
        (timing.reading, timing.reading_cpu) = reading
            .join()
            .map_err(|_| anyhow::anyhow!("the import's reading thread panicked"))??;
        write(Step::Batch(&mut batch, None))?;
        Ok(timing)
    })
}
