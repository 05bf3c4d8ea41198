//! Reading and parsing run on two threads: the lexer fills batches of lines
//! on one, the grammar consumes them on the other. Neither depends on the
//! other's results (keepalived's reader never looks at the grammar's state),
//! so this is a plain producer/consumer pipeline; on a large configuration
//! it takes the wall time down to the slower of the two halves.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::Scope;

use super::diag::Diag;
use super::lexer::{LexOptions, LineReader};
use super::parser::ctx::{LineSource, ReadSummary};
use super::source::{Host, Source};
use super::token::Line;

/// Lines per batch: large enough that the channel costs nothing per line,
/// small enough that the grammar starts at once. The grammar is the slower
/// half, so the reader mostly waits for room in the channel: every batch
/// handed over wakes it (a futex call and two context switches, paid on the
/// grammar's thread too). 2048 lines (about 250 KB) makes those rare; at 256
/// they were a tenth of the grammar thread's time on a large file.
const BATCH: usize = 2048;
/// Batches in flight: bounds the memory the reader can run ahead with.
const DEPTH: usize = 2;

/// A batch of lines. Emptied batches go back to the reader to be refilled:
/// allocating a fresh one per batch on one thread and freeing it on the
/// other costs more than the lines themselves (glibc consolidates its
/// heap on every such large request).
type Batch = VecDeque<Line>;

enum Msg {
    Lines(Batch, Vec<Diag>),
    Done(Vec<Diag>, ReadSummary),
}

/// A [`LineSource`] fed by a reader thread.
pub struct ThreadedReader {
    rx: Receiver<Msg>,
    batch: Batch,
    /// Where emptied batches go back to the reader.
    back: Sender<Batch>,
    diags: Vec<Diag>,
    summary: Option<ReadSummary>,
}

impl ThreadedReader {
    /// Start reading `main` on a thread of `scope`.
    pub fn spawn<'scope, 'env: 'scope>(
        scope: &'scope Scope<'scope, 'env>,
        main: &'env str,
        src: &'env (dyn Source + Sync),
        host: &'env (dyn Host + Sync),
        opts: &'env LexOptions,
    ) -> Self {
        let (tx, rx) = sync_channel(DEPTH);
        let (back, spare) = channel();
        scope.spawn(move || read(main, src, host, opts, tx, spare));
        ThreadedReader {
            rx,
            batch: Batch::new(),
            back,
            diags: Vec::new(),
            summary: None,
        }
    }
}

fn read(
    main: &str,
    src: &dyn Source,
    host: &dyn Host,
    opts: &LexOptions,
    tx: SyncSender<Msg>,
    spare: Receiver<Batch>,
) {
    let mut r = LineReader::new(main, src, host, opts);
    // A line whose reading produced diagnostics, held for the next batch.
    let mut carry: Option<(Line, Vec<Diag>)> = None;
    loop {
        let mut lines = spare
            .try_recv()
            .unwrap_or_else(|_| Batch::with_capacity(BATCH));
        let mut diags = Vec::new();
        if let Some((l, d)) = carry.take() {
            lines.push_back(l);
            diags = d;
        }
        let mut done = false;
        while lines.len() < BATCH {
            let Some(l) = r.next_line() else {
                done = true;
                break;
            };
            // The grammar takes a batch's diagnostics with its first line.
            // A line whose reading reported something starts a new batch, so
            // the report interleaves them with the grammar's exactly as a
            // reading on one thread would, whatever the batch size.
            let d = r.take_diags();
            if !d.is_empty() && !lines.is_empty() {
                carry = Some((l, d));
                break;
            }
            diags.extend(d);
            lines.push_back(l);
        }
        // A closed channel means the grammar stopped early: stop too.
        if !lines.is_empty() && tx.send(Msg::Lines(lines, diags)).is_err() {
            return;
        }
        if done {
            let diags = r.take_diags();
            let _ = tx.send(Msg::Done(diags, r.summary()));
            return;
        }
    }
}

impl LineSource for ThreadedReader {
    fn next_line(&mut self) -> Option<Line> {
        loop {
            if let Some(l) = self.batch.pop_front() {
                return Some(l);
            }
            match self.rx.recv() {
                Ok(Msg::Lines(lines, mut diags)) => {
                    self.diags.append(&mut diags);
                    let empty = std::mem::replace(&mut self.batch, lines);
                    // The reader may have finished: then the batch just goes.
                    if empty.capacity() >= BATCH {
                        let _ = self.back.send(empty);
                    }
                }
                Ok(Msg::Done(mut diags, summary)) => {
                    self.diags.append(&mut diags);
                    self.summary = Some(summary);
                    return None;
                }
                Err(_) => return None,
            }
        }
    }

    fn take_diags(&mut self) -> Vec<Diag> {
        std::mem::take(&mut self.diags)
    }

    /// The whole next batch at once: the parser's emptied queue goes back
    /// to the reader in its place. Diagnostics arrive as with
    /// [`LineSource::next_line`]: those of a batch when its first line does.
    fn next_lines(&mut self, out: &mut VecDeque<Line>, diags: &mut Vec<Diag>) {
        if !self.batch.is_empty() {
            out.append(&mut self.batch);
            diags.append(&mut self.diags);
            return;
        }
        diags.append(&mut self.diags);
        while out.is_empty() {
            match self.rx.recv() {
                Ok(Msg::Lines(mut lines, mut batch_diags)) => {
                    diags.append(&mut batch_diags);
                    std::mem::swap(out, &mut lines);
                    // `out` was empty: a queue that has held a batch is reused.
                    if lines.capacity() >= BATCH {
                        let _ = self.back.send(lines);
                    }
                }
                Ok(Msg::Done(mut done_diags, summary)) => {
                    diags.append(&mut done_diags);
                    self.summary = Some(summary);
                    return;
                }
                Err(_) => return,
            }
        }
    }

    fn summary(&mut self) -> Option<ReadSummary> {
        self.summary.take()
    }
}
