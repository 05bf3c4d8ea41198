//! Knowing when track files change: `track_file` (VRRP) and FILE_CHECK.
//!
//! keepalived watches the directory of each track file with inotify
//! (`IN_CLOSE_WRITE | IN_DELETE | IN_MOVE`: a file written, replaced by a
//! rename, or removed) and reads the file at the event, so a change takes
//! effect at once. We watch the same directories and the caller then
//! re-reads its files (a read costs little, and a few files are the norm).
//! When a watch cannot be set (no such directory yet, the inotify limits),
//! the files are read every second instead, as before this module existed,
//! so a change is never missed.

#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// The inotify descriptor, as tokio's reactor wants it.
struct InotifyFd(Inotify);

impl AsRawFd for InotifyFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_fd().as_raw_fd()
    }
}

/// A set of track files followed: [`FileChanges::next`] returns when they
/// may have changed.
pub struct FileChanges(How);

/// How the files are followed.
enum How {
    /// No files: never reports.
    Idle,
    /// Their directories are watched.
    Watch(AsyncFd<InotifyFd>),
    /// A watch could not be set: every second.
    Poll(tokio::time::Interval),
}

/// The directory holding `file` (`.` for a bare name).
fn dir_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn watch<'a>(files: impl IntoIterator<Item = &'a Path>) -> io::Result<How> {
    let fd = Inotify::init(InitFlags::IN_CLOEXEC | InitFlags::IN_NONBLOCK)?;
    let mask = AddWatchFlags::IN_CLOSE_WRITE | AddWatchFlags::IN_DELETE | AddWatchFlags::IN_MOVE;
    let mut dirs: Vec<PathBuf> = files.into_iter().map(dir_of).collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        fd.add_watch(d.as_path(), mask)?;
    }
    // SAFETY: `register` requires the descriptor to stay open, and the
    // same, while the `AsyncFd` lives: the `Inotify` owns it and moves into
    // the `AsyncFd`, which hands out only shared references.
    let fd = unsafe { AsyncFd::register_with_interest(InotifyFd(fd), Interest::READABLE) };
    Ok(How::Watch(fd.map_err(|e| e.into_parts().1)?))
}

impl FileChanges {
    /// Follows `files`; the error says why they are polled instead of
    /// watched. Must be called inside a tokio runtime.
    pub fn new<'a>(files: impl IntoIterator<Item = &'a Path>) -> (FileChanges, Option<io::Error>) {
        let mut files = files.into_iter().peekable();
        if files.peek().is_none() {
            return (FileChanges(How::Idle), None);
        }
        match watch(files) {
            Ok(w) => (FileChanges(w), None),
            Err(e) => {
                let mut tick = tokio::time::interval(Duration::from_secs(1));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                (FileChanges(How::Poll(tick)), Some(e))
            }
        }
    }

    /// Returns when the files may have changed: the caller reads them
    /// again. Cancel-safe.
    pub async fn next(&mut self) {
        match &mut self.0 {
            How::Idle => std::future::pending().await,
            How::Poll(tick) => {
                tick.tick().await;
            }
            How::Watch(fd) => loop {
                let Ok(mut guard) = fd.readable().await else {
                    return std::future::pending().await;
                };
                // Drained whole: one re-read answers any number of events.
                let mut seen = false;
                while let Ok(events) = fd.get_ref().0.read_events() {
                    if events.is_empty() {
                        break;
                    }
                    seen = true;
                }
                guard.clear_ready();
                if seen {
                    return;
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// Whether `changes` reports within `ms`.
    async fn reports(changes: &mut FileChanges, ms: u64) -> bool {
        tokio::time::timeout(Duration::from_millis(ms), changes.next())
            .await
            .is_ok()
    }

    #[test]
    fn writes_renames_and_removals_are_reported_at_once() {
        rt().block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let f = dir.path().join("weight");
            std::fs::write(&f, "1\n").unwrap();
            let (mut c, err) = FileChanges::new([f.as_path()]);
            assert!(err.is_none() && matches!(c.0, How::Watch(_)));
            assert!(!reports(&mut c, 200).await, "nothing changed yet");
            std::fs::write(&f, "5\n").unwrap();
            assert!(reports(&mut c, 2000).await, "write");
            let tmp = dir.path().join(".weight.new");
            std::fs::write(&tmp, "7\n").unwrap();
            std::fs::rename(&tmp, &f).unwrap();
            assert!(reports(&mut c, 2000).await, "rename");
            // the events of that rename were all taken at once
            assert!(!reports(&mut c, 200).await, "reported twice");
            std::fs::remove_file(&f).unwrap();
            assert!(reports(&mut c, 2000).await, "removal");
        });
    }

    #[test]
    fn no_files_never_report_and_a_missing_directory_is_polled() {
        rt().block_on(async {
            let (mut idle, err) = FileChanges::new(std::iter::empty::<&Path>());
            assert!(err.is_none() && matches!(idle.0, How::Idle));
            assert!(!reports(&mut idle, 200).await);
            let missing = Path::new("/nonexistent-keepalived-test/dir/file");
            let (mut c, err) = FileChanges::new([missing]);
            assert!(err.is_some() && matches!(c.0, How::Poll(_)));
            // polled: reports every second whatever happens
            assert!(reports(&mut c, 200).await, "first tick at once");
            assert!(reports(&mut c, 2000).await, "then every second");
        });
    }
}
