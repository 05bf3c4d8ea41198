//! keepalived's pid files: where they live, and the lock that stops a second
//! daemon.
//!
//! Paths follow keepalived 2.2.7's `main.c`: `/run/keepalived.pid`,
//! `/run/vrrp.pid`, `/run/checkers.pid`, `/run/bfd.pid`; once `use_pid_dir`,
//! `instance` or a network namespace is configured they move to
//! `/run/keepalived/`, and with `instance NAME` they become
//! `/run/keepalived/keepalived_NAME.pid`, `vrrp_NAME.pid`, … unless `-p/-r/
//! -c/-b` name them.
//!
//! "Already running" is decided by an OFD write lock on the file, as newer
//! keepalived does, not by 2.2.7's `kill(pid, 0)` test: the lock dies with
//! the process, so a pid file left by a SIGKILLed daemon never blocks a
//! restart, and a recycled pid can never make a stale file look alive.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, fcntl};

use crate::cli::{
    DEFAULT_BFD_PID_FILE, DEFAULT_CHECKERS_PID_FILE, DEFAULT_PID_FILE, DEFAULT_VRRP_PID_FILE,
    Options,
};

/// `RUNSTATEDIR`.
pub const RUN_DIR: &str = "/run";
/// `KEEPALIVED_PID_DIR` (without its trailing slash).
pub const PID_DIR: &str = "/run/keepalived";

/// The four pid files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PidPaths {
    pub main: PathBuf,
    pub vrrp: PathBuf,
    pub checkers: PathBuf,
    pub bfd: PathBuf,
}

/// What decides the paths besides the fixed names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PidPathInputs<'a> {
    /// `-p`, `-r`, `-c`, `-b` when given.
    pub main: Option<&'a str>,
    pub vrrp: Option<&'a str>,
    pub checkers: Option<&'a str>,
    pub bfd: Option<&'a str>,
    /// global_defs `instance`.
    pub instance: Option<&'a str>,
    /// `-s` or global_defs `net_namespace`.
    pub namespace: Option<&'a str>,
    /// global_defs `use_pid_dir`.
    pub use_pid_dir: bool,
}

/// Whether the files go to [`PID_DIR`] (which the daemon must then create).
pub fn uses_pid_dir(i: &PidPathInputs<'_>) -> bool {
    i.use_pid_dir || i.instance.is_some() || i.namespace.is_some()
}

/// keepalived's pid file paths.
pub fn pid_paths(i: &PidPathInputs<'_>) -> PidPaths {
    let in_dir = uses_pid_dir(i);
    let pick = |given: Option<&str>, base: &str| -> PathBuf {
        if let Some(p) = given {
            return PathBuf::from(p);
        }
        match (i.instance, in_dir) {
            (Some(inst), _) => PathBuf::from(format!("{PID_DIR}/{base}_{inst}.pid")),
            (None, true) => PathBuf::from(format!("{PID_DIR}/{base}.pid")),
            (None, false) => PathBuf::from(format!("{RUN_DIR}/{base}.pid")),
        }
    };
    PidPaths {
        main: pick(i.main, "keepalived"),
        vrrp: pick(i.vrrp, "vrrp"),
        checkers: pick(i.checkers, "checkers"),
        bfd: pick(i.bfd, "bfd"),
    }
}

impl PidPaths {
    /// From the command line plus the configuration's `instance`,
    /// namespace and `use_pid_dir`. `Options` stores the defaults rather
    /// than "not given", so an option equal to its default counts as not
    /// given (the only difference: `-p /run/keepalived.pid` together with
    /// `instance` would keep that path in keepalived).
    pub fn from_options(
        opts: &Options,
        instance: Option<&str>,
        namespace: Option<&str>,
        use_pid_dir: bool,
    ) -> PidPaths {
        let given = |v: &str, default: &str| (v != default).then_some(v).map(str::to_owned);
        let (m, v, c, b) = (
            given(&opts.pid_file, DEFAULT_PID_FILE),
            given(&opts.vrrp_pid_file, DEFAULT_VRRP_PID_FILE),
            given(&opts.checkers_pid_file, DEFAULT_CHECKERS_PID_FILE),
            given(&opts.bfd_pid_file, DEFAULT_BFD_PID_FILE),
        );
        pid_paths(&PidPathInputs {
            main: m.as_deref(),
            vrrp: v.as_deref(),
            checkers: c.as_deref(),
            bfd: b.as_deref(),
            instance,
            namespace,
            use_pid_dir,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PidFileError {
    /// Another live process holds the lock. The text is keepalived's log line.
    #[error("daemon is already running")]
    AlreadyRunning { path: PathBuf },
    #[error("pidfile_write : Cannot open {} pidfile: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// A locked pid file; unlinked on drop if it is still ours.
#[derive(Debug)]
pub struct PidFile {
    path: PathBuf,
    file: File,
    /// Only the process that created it removes it: a forked child
    /// dropping its copy must not delete the parent's file.
    owner: u32,
}

/// A pid file swapped under us this many times in a row is a fight we stop.
const MAX_ATTEMPTS: usize = 16;

impl PidFile {
    /// Lock `path` (creating it 0644) and write our pid followed by a newline.
    pub fn create(path: impl AsRef<Path>) -> Result<PidFile, PidFileError> {
        let mut pf = PidFile::lock(path)?;
        pf.write_pid(std::process::id())?;
        Ok(pf)
    }

    /// Lock `path` and empty it, without writing a pid: the parent locks
    /// its children's files before starting them, as keepalived does.
    pub fn lock(path: impl AsRef<Path>) -> Result<PidFile, PidFileError> {
        let path = path.as_ref().to_path_buf();
        let io_err = |source| PidFileError::Io {
            path: path.clone(),
            source,
        };
        for _ in 0..MAX_ATTEMPTS {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .mode(0o644)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
                .open(&path)
                .map_err(io_err)?;
            match lock_file(&file) {
                Ok(()) => {}
                Err(Errno::EAGAIN | Errno::EACCES) => {
                    return Err(PidFileError::AlreadyRunning { path });
                }
                Err(e) => return Err(io_err(e.into())),
            }
            // The holder we raced with may have unlinked or replaced the
            // file between our open and our lock: then lock the new one.
            let ours = file.metadata().map_err(io_err)?;
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.dev() == ours.dev() && m.ino() == ours.ino() => {}
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_err(e)),
            }
            file.set_len(0).map_err(io_err)?;
            // The umask may have cut the mode; keepalived wants rw-r--r--.
            file.set_permissions(std::fs::Permissions::from_mode(0o644))
                .map_err(io_err)?;
            return Ok(PidFile {
                path,
                file,
                owner: std::process::id(),
            });
        }
        Err(io_err(io::Error::other("pid file keeps being replaced")))
    }

    /// Replace the contents with `PID\n`.
    pub fn write_pid(&mut self, pid: u32) -> Result<(), PidFileError> {
        let path = &self.path;
        let r = (|| {
            self.file.set_len(0)?;
            // O_APPEND is not set: write at offset 0 explicitly.
            use std::os::unix::fs::FileExt;
            let text = format!("{pid}\n");
            self.file.write_all_at(text.as_bytes(), 0)?;
            self.file.flush()
        })();
        r.map_err(|source| PidFileError::Io {
            path: path.clone(),
            source,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether `path` still names the file we locked.
    fn still_ours(&self) -> bool {
        match (self.file.metadata(), std::fs::symlink_metadata(&self.path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        if self.owner == std::process::id() && self.still_ours() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// OFD write lock on the whole file, not waiting.
fn lock_file(file: &File) -> Result<(), Errno> {
    let fl = libc::flock {
        l_type: libc::F_WRLCK as libc::c_short,
        l_whence: libc::SEEK_SET as libc::c_short,
        l_start: 0,
        l_len: 0,
        // Must be 0 for OFD locks.
        l_pid: 0,
    };
    loop {
        match fcntl(file.as_fd(), FcntlArg::F_OFD_SETLK(&fl)) {
            Err(Errno::EINTR) => continue,
            r => return r.map(drop),
        }
    }
}

/// Create [`PID_DIR`]-style directory `dir` with mode 0755 (an existing one
/// is fine). Returns whether we created it, so only we remove it.
pub fn create_pid_dir(dir: &Path) -> io::Result<bool> {
    use std::os::unix::fs::DirBuilderExt;
    match std::fs::DirBuilder::new().mode(0o755).create(dir) {
        Ok(()) => {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))?;
            Ok(true)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Remove the pid directory unless something else still lives in it.
pub fn remove_pid_dir(dir: &Path) -> io::Result<()> {
    match std::fs::remove_dir(dir) {
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::ENOTEMPTY | libc::EBUSY | libc::ENOENT)
            ) =>
        {
            Ok(())
        }
        r => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(i: PidPathInputs<'_>) -> [String; 4] {
        let p = pid_paths(&i);
        [p.main, p.vrrp, p.checkers, p.bfd].map(|p| p.display().to_string())
    }

    #[test]
    fn default_paths() {
        assert_eq!(
            paths(PidPathInputs::default()),
            [
                "/run/keepalived.pid",
                "/run/vrrp.pid",
                "/run/checkers.pid",
                "/run/bfd.pid"
            ]
        );
    }

    #[test]
    fn pid_dir_paths() {
        let want = [
            "/run/keepalived/keepalived.pid",
            "/run/keepalived/vrrp.pid",
            "/run/keepalived/checkers.pid",
            "/run/keepalived/bfd.pid",
        ];
        assert_eq!(
            paths(PidPathInputs {
                use_pid_dir: true,
                ..Default::default()
            }),
            want
        );
        assert_eq!(
            paths(PidPathInputs {
                namespace: Some("ns1"),
                ..Default::default()
            }),
            want
        );
    }

    #[test]
    fn instance_paths_and_overrides() {
        assert_eq!(
            paths(PidPathInputs {
                instance: Some("A"),
                vrrp: Some("/tmp/v.pid"),
                ..Default::default()
            }),
            [
                "/run/keepalived/keepalived_A.pid",
                "/tmp/v.pid",
                "/run/keepalived/checkers_A.pid",
                "/run/keepalived/bfd_A.pid"
            ]
        );
    }

    #[test]
    fn from_options_treats_defaults_as_not_given() {
        let o = Options {
            checkers_pid_file: "/x/c.pid".into(),
            ..Options::default()
        };
        let p = PidPaths::from_options(&o, Some("B"), None, false);
        assert_eq!(p.main, PathBuf::from("/run/keepalived/keepalived_B.pid"));
        assert_eq!(p.checkers, PathBuf::from("/x/c.pid"));
        let p = PidPaths::from_options(&Options::default(), None, None, false);
        assert_eq!(p.vrrp, PathBuf::from("/run/vrrp.pid"));
    }

    #[test]
    fn pid_dir_created_once() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("keepalived");
        assert!(create_pid_dir(&dir).unwrap());
        assert!(!create_pid_dir(&dir).unwrap());
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755);
        std::fs::write(dir.join("x"), "").unwrap();
        remove_pid_dir(&dir).unwrap();
        assert!(dir.exists());
        std::fs::remove_file(dir.join("x")).unwrap();
        remove_pid_dir(&dir).unwrap();
        assert!(!dir.exists());
    }
}
