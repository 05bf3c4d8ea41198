//! keepalived's notify FIFOs (`lib/notify.c`: `fifo_open`/`fifo_close`):
//! the daemon writes one line per event to a named pipe, and optionally
//! starts a reader script for it.
//!
//! Opening follows keepalived's order: `mkfifo(path, 0644)` (an existing
//! file is used as it is; a FIFO we created is chowned to the configured
//! owner), then the reader script is started with the path as its last
//! word, then the FIFO is opened **read-write**, non-blocking, close-on-exec
//! and without following a symlink. Read-write because opening a FIFO
//! write-only fails (ENXIO) until a reader exists, and keeping our own read
//! end means writes never fail for want of a reader: a line written while
//! nobody reads stays in the pipe, and a line that does not fit in a full
//! pipe is lost (EAGAIN, ignored) rather than blocking the daemon.
//!
//! Closing unlinks a FIFO we created *before* closing it, so a reader that
//! reopens the path in a loop cannot get the old pipe; the reader sees end
//! of file once our descriptor is closed. Reader scripts die with the
//! daemon (PR_SET_PDEATHSIG, see [`super::spawn`]).

use crate::messages;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::stat::Mode;
use nix::unistd::{Gid, Uid};
use tokio::task::JoinHandle;

use crate::alert::fifo::{FifoPlan, FifoProcess, FifoUse};
use crate::script::ScriptSpec;

/// One open notify FIFO.
#[derive(Debug)]
pub struct NotifyFifo {
    file: File,
    path: PathBuf,
    /// We made the FIFO, so we remove it at close.
    created: bool,
}

impl NotifyFifo {
    /// keepalived's `fifo_open()`; `None` when the FIFO cannot be created
    /// or opened (logged as keepalived logs it). `owner` is the configured
    /// `notify_fifo PATH [USER [GROUP]]` owner, applied to a FIFO we
    /// create. Starts the reader script, if any, so it needs a tokio
    /// runtime; the returned handle ends when the script does (logging
    /// "vrrp|lvs notify fifo script terminated").
    pub fn open(
        fifo: &FifoUse,
        process: FifoProcess,
        owner: Option<(u32, u32)>,
    ) -> Option<(NotifyFifo, Option<JoinHandle<()>>)> {
        let path = PathBuf::from(&fifo.path);
        let prefix = fifo.prefix;
        let created = match nix::unistd::mkfifo(&path, Mode::from_bits_truncate(0o644)) {
            Ok(()) => {
                if let Some((uid, gid)) = owner {
                    set_owner(&path, uid, gid);
                }
                true
            }
            Err(Errno::EEXIST) => false,
            Err(_) => {
                tracing::info!("{}", messages::fifo_create_failed(prefix, &fifo.path));
                return None;
            }
        };
        let reader = fifo
            .script
            .as_ref()
            .and_then(|s| start_reader(&ScriptSpec::from(s), &fifo.path, process));
        let opened = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
            .open(&path);
        match opened {
            Ok(file) => Some((
                NotifyFifo {
                    file,
                    path,
                    created,
                },
                reader,
            )),
            Err(e) => {
                tracing::info!(
                    "{}",
                    messages::fifo_open_failed(prefix, &fifo.path, e.raw_os_error().unwrap_or(0))
                );
                if created {
                    let _ = std::fs::remove_file(&path);
                }
                None
            }
        }
    }

    /// Writes `line` in one write(2); errors (a full pipe) are ignored, as
    /// keepalived ignores them.
    pub fn write_line(&self, line: &[u8]) {
        let _ = (&self.file).write(line);
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for NotifyFifo {
    fn drop(&mut self) {
        // Unlink first (keepalived's order); the descriptor closes after.
        if self.created {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The FIFOs of one process (global `notify_fifo` and its own), written
/// together as keepalived writes each line to both.
#[derive(Debug, Default)]
pub struct NotifyFifos {
    fifos: Vec<NotifyFifo>,
    readers: Vec<JoinHandle<()>>,
}

impl NotifyFifos {
    /// Logs the plan's notes, then opens its FIFOs (global first). `owner`
    /// as in [`NotifyFifo::open`].
    pub fn open(plan: &FifoPlan, process: FifoProcess, owner: Option<(u32, u32)>) -> NotifyFifos {
        for note in &plan.notes {
            tracing::info!("{note}");
        }
        let mut out = NotifyFifos::default();
        for f in plan.fifos() {
            if let Some((fifo, reader)) = NotifyFifo::open(f, process, owner) {
                out.fifos.push(fifo);
                out.readers.extend(reader);
            }
        }
        out
    }

    /// Whether any FIFO is open (keepalived skips formatting otherwise).
    pub fn is_active(&self) -> bool {
        !self.fifos.is_empty()
    }

    /// Writes one line (e.g. [`crate::vrrp::notify::fifo_line`]) to each.
    pub fn write_line(&self, line: &str) {
        for f in &self.fifos {
            f.write_line(line.as_bytes());
        }
    }

    /// Closes every FIFO (unlinking those we created); reader scripts see
    /// end of file. Returns the reader tasks, to await at shutdown if
    /// wanted.
    pub fn close(self) -> Vec<JoinHandle<()>> {
        let NotifyFifos { fifos, readers } = self;
        drop(fifos);
        readers
    }
}

/// Starts a FIFO's reader script with the FIFO path as its last word, no
/// time limit; logs "vrrp notify fifo script terminated" (or "lvs …") when
/// it ends. `None` (logged) if it cannot be started.
pub fn start_reader(spec: &ScriptSpec, path: &str, process: FifoProcess) -> Option<JoinHandle<()>> {
    let word = process.script_word();
    match super::spawn::spawn_notify(spec, &[path.to_owned()]) {
        Ok(handle) => Some(tokio::spawn(async move {
            let _ = handle.await;
            tracing::info!("{}", messages::fifo_script_terminated(word));
        })),
        Err(e) => {
            tracing::info!(
                "{}",
                messages::fifo_script_failed(
                    word,
                    spec.args.first().map(String::as_str).unwrap_or(""),
                    e.description()
                )
            );
            None
        }
    }
}

/// keepalived changes only what differs from the daemon's own ids.
fn set_owner(path: &Path, uid: u32, gid: u32) {
    let (our_uid, our_gid) = (
        nix::unistd::getuid().as_raw(),
        nix::unistd::getgid().as_raw(),
    );
    if uid == our_uid && gid == our_gid {
        return;
    }
    let u = (uid != our_uid).then(|| Uid::from_raw(uid));
    let g = (gid != our_gid).then(|| Gid::from_raw(gid));
    if nix::unistd::chown(path, u, g).is_err() {
        tracing::info!("{}", messages::fifo_chown_failed(&path.display()));
    }
}
