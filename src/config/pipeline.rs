//! Reading and parsing run on two threads: the lexer fills batches of lines
//! on one, the grammar consumes them on the other. Neither depends on the
//! other's results (keepalived's reader never looks at the grammar's state),
//! so this is a plain producer/consumer pipeline; on a large configuration
//! it takes the wall time down to the slower of the two halves.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::Scope;

use super::diag::Diag;
use super::lexer::{LexOptions, LineReader};
use super::parser::ctx::{LineSource, ReadSummary};
use super::source::{Host, Source};
use super::token::Line;

/// Lines per batch: large enough that the channel costs nothing per line,
/// small enough that the grammar starts at once.
const BATCH: usize = 256;
/// Batches in flight: bounds the memory the reader can run ahead with.
const DEPTH: usize = 2;

enum Msg {
    Lines(Vec<Line>, Vec<Diag>),
    Done(Vec<Diag>, ReadSummary),
}

/// A [`LineSource`] fed by a reader thread.
pub struct ThreadedReader {
    rx: Receiver<Msg>,
    batch: std::vec::IntoIter<Line>,
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
        scope.spawn(move || read(main, src, host, opts, tx));
        ThreadedReader {
            rx,
            batch: Vec::new().into_iter(),
            diags: Vec::new(),
            summary: None,
        }
    }
}

fn read(main: &str, src: &dyn Source, host: &dyn Host, opts: &LexOptions, tx: SyncSender<Msg>) {
    let mut r = LineReader::new(main, src, host, opts);
    loop {
        let mut lines = Vec::with_capacity(BATCH);
        while lines.len() < BATCH {
            match r.next_line() {
                Some(l) => lines.push(l),
                None => break,
            }
        }
        let done = lines.len() < BATCH;
        // A closed channel means the grammar stopped early: stop too.
        if !lines.is_empty() && tx.send(Msg::Lines(lines, r.take_diags())).is_err() {
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
            if let Some(l) = self.batch.next() {
                return Some(l);
            }
            match self.rx.recv() {
                Ok(Msg::Lines(lines, mut diags)) => {
                    self.diags.append(&mut diags);
                    self.batch = lines.into_iter();
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

    fn summary(&mut self) -> Option<ReadSummary> {
        self.summary.take()
    }
}
