//! [`replay`]: a data file parsed on two threads while one of them runs the task.
//!
//! The calling thread cuts the file into chunks and queues them; a parser thread takes
//! them in order. The calling thread feeds the parsed chunks to the task in file order,
//! and whenever the next one is not ready yet it takes a queued chunk and parses it
//! itself instead of waiting, so both cores stay busy whichever side is slower. Each
//! thread has its own [`Reader`]: a parser's state (its interned names and the last
//! field layout) only speeds reading up, so chunks can be parsed in any order — except
//! when times are rebased, where the shift comes from the file's first point and the
//! parser thread alone reads, in order.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};
use tickflow_model::Message;

use super::{
    BadLine, Chunk, Feeder, Progress, ReadOptions, Reader, ReplayError, Replayed, Source, Wanted,
};
use crate::diagnostics::Diagnostics;
use crate::task::Task;

/// How many chunks may be cut ahead of the one the task is fed: queued for parsing, or
/// parsed and waiting.
const AHEAD: usize = 8;

/// How many emptied message vectors wait on the parser thread before it writes into one
/// again. The task's thread has just read the newest, so its cache lines sit in the other
/// core, and writing over them costs the parser a round trip per line; a vector that has
/// rested while several chunks went by has left that core's cache.
const RESTING_VECTORS: usize = 4;

/// A chunk to parse and its place among the chunks.
struct Job {
    index: usize,
    chunk: Chunk,
}

/// A parsed chunk.
struct Parsed {
    /// Bytes of the file read when the chunk was cut.
    consumed: u64,
    /// How many points it held.
    read: usize,
    /// Its points of the task's dbrps, as the messages the task runs.
    messages: Vec<Message>,
    /// Its bad lines.
    errors: Vec<BadLine>,
}

/// Parses `job` with `reader` into `messages`, keeping the points the task reads.
fn parse(reader: &mut Reader, wanted: &Wanted, job: &Job, mut messages: Vec<Message>) -> Parsed {
    let mut read = 0;
    let errors = reader.parse_each(job.chunk.line, &job.chunk.bytes, |point| {
        read += 1;
        if wanted.reads(&point) {
            messages.push(Message::Point(point));
        }
    });
    Parsed {
        consumed: job.chunk.consumed,
        read,
        messages,
        errors,
    }
}

/// The parser thread: parses jobs until the queue closes, writing into rested vectors.
fn parse_jobs(
    mut reader: Reader,
    wanted: &Wanted,
    jobs: Receiver<Job>,
    parsed: Sender<(usize, Parsed)>,
    spares: Receiver<Vec<Message>>,
) {
    let mut resting = VecDeque::new();
    for job in jobs {
        // Keep a few: when the calling thread parses most chunks itself, more vectors come
        // back than this thread uses, and keeping them all grew memory with the file.
        let room = (RESTING_VECTORS + 1).saturating_sub(resting.len());
        resting.extend(spares.try_iter().take(room));
        let messages = match resting.len() >= RESTING_VECTORS {
            true => resting.pop_front().unwrap_or_default(),
            false => Vec::new(),
        };
        if parsed
            .send((job.index, parse(&mut reader, wanted, &job, messages)))
            .is_err()
        {
            break;
        }
    }
}

/// Replays the data file at `path` through `task` (see the module docs). `progress`
/// hears after every chunk.
pub fn replay(
    task: Task,
    path: &Path,
    options: &ReadOptions,
    diagnostics: Arc<dyn Diagnostics>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Replayed, ReplayError> {
    let started = Instant::now();
    let source = Source::open(path, options)?;
    let wanted = Wanted::new(&task.dbrps, &source, options);
    let (job_sender, jobs) = crossbeam_channel::bounded::<Job>(AHEAD);
    let (parsed_sender, parsed) = crossbeam_channel::bounded::<(usize, Parsed)>(AHEAD);
    let (recycle, spares) = crossbeam_channel::bounded::<Vec<Message>>(AHEAD + RESTING_VECTORS);
    let helper = (!options.rebase).then(|| (Reader::new(&source, options), jobs.clone()));
    let reader = Reader::new(&source, options);
    let bytes_total = usize::try_from(source.size).unwrap_or(usize::MAX);
    let mut chunks = source.chunks().enumerate();
    std::thread::scope(|scope| {
        let wanted = &wanted;
        scope.spawn(move || parse_jobs(reader, wanted, jobs, parsed_sender, spares));
        let mut feeding = Feeding {
            feeder: Feeder::new(task, diagnostics, started),
            helper,
            wanted,
            parsed,
            waiting: BTreeMap::new(),
            recycle,
            errors: Vec::new(),
            bytes_done: 0,
            bytes_total,
        };
        let mut job_sender = Some(job_sender);
        let (mut cut, mut next) = (0, 0);
        let mut unreadable = None;
        loop {
            // Keep the queue full; once the file is cut, closing it ends the parser
            // thread after the last chunk.
            while cut < next + AHEAD {
                let Some(queue) = &job_sender else { break };
                match chunks.next() {
                    Some((index, Ok(chunk))) => match queue.send(Job { index, chunk }) {
                        Ok(()) => cut += 1,
                        Err(_) => job_sender = None,
                    },
                    Some((_, Err(err))) => {
                        unreadable = Some(err);
                        job_sender = None;
                    }
                    None => job_sender = None,
                }
            }
            if next == cut {
                break;
            }
            if !feeding.next_chunk(next, progress)? {
                break;
            }
            next += 1;
        }
        let summary = feeding.feeder.finish()?;
        if let Some(err) = unreadable {
            return Err(err);
        }
        Ok(Replayed {
            summary,
            errors: feeding.errors,
        })
    })
}

/// The calling thread's side of a replay.
struct Feeding<'w> {
    feeder: Feeder,
    /// The calling thread's own reader and the job queue, when it may help parse.
    helper: Option<(Reader, Receiver<Job>)>,
    wanted: &'w Wanted,
    parsed: Receiver<(usize, Parsed)>,
    /// Chunks parsed ahead of the one the task needs.
    waiting: BTreeMap<usize, Parsed>,
    recycle: Sender<Vec<Message>>,
    errors: Vec<BadLine>,
    bytes_done: usize,
    bytes_total: usize,
}

impl Feeding<'_> {
    /// Feeds chunk `index` to the task, parsing queued chunks while it is not ready.
    /// `false` when the parser thread is gone without it.
    fn next_chunk(
        &mut self,
        index: usize,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<bool, ReplayError> {
        let parsed = loop {
            if let Some(parsed) = self.waiting.remove(&index) {
                break parsed;
            }
            if let Ok((at, parsed)) = self.parsed.try_recv() {
                self.waiting.insert(at, parsed);
                continue;
            }
            if let Some((at, parsed)) = self.help() {
                self.waiting.insert(at, parsed);
                continue;
            }
            let Ok((at, parsed)) = self.parsed.recv() else {
                return Ok(false);
            };
            self.waiting.insert(at, parsed);
        };
        let Parsed {
            consumed,
            read,
            messages,
            errors,
        } = parsed;
        self.errors.extend(errors);
        self.feeder.points_read += read;
        self.feeder.push(messages)?;
        // The parser may have finished; then the vector is simply dropped.
        let _ = self.recycle.try_send(self.feeder.inline.spare_chunk());
        self.bytes_done = usize::try_from(consumed).unwrap_or(usize::MAX);
        progress(Progress {
            bytes_done: self.bytes_done,
            bytes_total: self.bytes_total,
            points: self.feeder.points_read,
        });
        Ok(true)
    }

    /// Parses the oldest queued chunk on this thread, if it may and one is queued.
    fn help(&mut self) -> Option<(usize, Parsed)> {
        let (reader, jobs) = self.helper.as_mut()?;
        let job = jobs.try_recv().ok()?;
        let messages = self.feeder.inline.spare_chunk();
        Some((job.index, parse(reader, self.wanted, &job, messages)))
    }
}
