//! What the configuration reader needs from the outside world, behind traits so
//! the config module stays pure: files and globs (`Source`) and host facts used
//! by keepalived's semantic checks (`Host`). Live implementations are in
//! `crate::sys::host`; tests use in-memory fakes.

use std::io;
use std::path::{Path, PathBuf};

/// Kind of a file system entry, as the include logic needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileKind {
    pub is_dir: bool,
    pub is_regular: bool,
    /// Any execute bit set: keepalived skips executable files when including.
    pub is_executable: bool,
}

/// Files the configuration is read from.
pub trait Source {
    /// Whole contents of a file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// Paths matching a shell glob (no brace expansion: the lexer expands braces
    /// first), sorted as glob(3) sorts them. An empty vector when nothing matches.
    fn glob(&self, pattern: &str) -> Vec<PathBuf>;
    /// Metadata of a path; `None` when it does not exist.
    fn kind(&self, path: &Path) -> Option<FileKind>;
    /// Whether the file opens for reading: keepalived's check of the main
    /// file before it reads anything. The default reads the whole file; a
    /// real file system only needs to open it (the file may be large, and
    /// it is read again right after).
    fn can_read(&self, path: &Path) -> bool {
        self.read(path).is_ok()
    }
    /// The file opened for reading in pieces, so a large configuration is
    /// never held whole. The default serves it from [`Source::read`].
    fn open(&self, path: &Path) -> io::Result<Box<dyn io::Read + '_>> {
        Ok(Box::new(io::Cursor::new(self.read(path)?)))
    }
}

/// A resolved user for scripts (`script_user`, `user` keywords).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub uid: u32,
    pub gid: u32,
}

/// Ownership and mode of a file, for script security checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStat {
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
    pub is_dir: bool,
    pub is_regular: bool,
}

/// Host facts keepalived consults while validating a configuration.
pub trait Host {
    /// The config id for `@id` lines: `-i`, else the host name up to the first dot.
    fn config_id(&self) -> String;
    /// Value of an environment variable (for `${_ENV NAME}`).
    fn env(&self, name: &str) -> Option<String>;
    /// Whether a network interface of that name exists (in our namespace).
    fn interface_exists(&self, name: &str) -> bool;
    fn user_by_name(&self, name: &str) -> Option<UserInfo>;
    fn group_by_name(&self, name: &str) -> Option<u32>;
    /// `stat(2)` following symlinks.
    fn stat(&self, path: &Path) -> Option<FileStat>;
    /// Canonical path (symlinks resolved), when it exists.
    fn canonicalize(&self, path: &Path) -> Option<PathBuf>;
    /// The `PATH` used to find bare command names.
    fn path_var(&self) -> String;
    /// Our effective uid (keepalived's script checks differ for root).
    fn euid(&self) -> u32;
    /// Whether the file starts with `#!` (keepalived uses libmagic to tell scripts).
    fn is_script(&self, path: &Path) -> bool;
    /// Whether a named network namespace exists (`/var/run/netns/NAME`).
    fn netns_exists(&self, name: &str) -> bool {
        let _ = name;
        false
    }
    /// Whether the path itself is a symbolic link (`lstat`).
    fn is_symlink(&self, path: &Path) -> bool {
        let _ = path;
        false
    }
    /// The text of an iproute2 name file (`rt_tables`, `rt_realms`, …) from
    /// `/etc/iproute2`, where keepalived reads them; `None` when missing.
    fn iproute2_file(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }
    /// Whether a host name resolves (keepalived resolves `smtp_server` names
    /// while parsing).
    fn resolves(&self, name: &str) -> bool {
        name == "localhost"
    }
}
