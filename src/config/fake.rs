//! In-memory `Source` and `Host` for tests, fuzzing and benchmarks.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use super::source::{FileKind, FileStat, Host, Source, UserInfo};

/// Files held in memory; paths are compared as given (use absolute paths).
#[derive(Debug, Default, Clone)]
pub struct MemSource {
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    /// Paths that exist as directories.
    pub dirs: BTreeSet<PathBuf>,
    /// Files with an execute bit.
    pub executable: BTreeSet<PathBuf>,
}

impl MemSource {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn with(mut self, path: &str, text: impl AsRef<[u8]>) -> Self {
        self.files
            .insert(PathBuf::from(path), text.as_ref().to_vec());
        self
    }
}

impl Source for MemSource {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }

    fn glob(&self, pattern: &str) -> Vec<PathBuf> {
        let Ok(pat) = glob::Pattern::new(pattern) else {
            return Vec::new();
        };
        let opts = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        self.files
            .keys()
            .chain(self.dirs.iter())
            .filter(|p| pat.matches_path_with(p, opts))
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    fn kind(&self, path: &Path) -> Option<FileKind> {
        if self.dirs.contains(path) {
            return Some(FileKind {
                is_dir: true,
                is_regular: false,
                is_executable: true,
            });
        }
        self.files.get(path).map(|_| FileKind {
            is_dir: false,
            is_regular: true,
            is_executable: self.executable.contains(path),
        })
    }
}

/// A host with chosen interfaces, users and files; root by default.
#[derive(Debug, Clone)]
pub struct FakeHost {
    pub config_id: String,
    pub interfaces: BTreeSet<String>,
    /// iproute2 name files by name (`rt_tables` …); none by default.
    pub iproute2: BTreeMap<String, String>,
    pub users: BTreeMap<String, UserInfo>,
    pub groups: BTreeMap<String, u32>,
    pub env: BTreeMap<String, String>,
    pub files: BTreeMap<PathBuf, FileStat>,
    pub scripts: BTreeSet<PathBuf>,
    pub euid: u32,
}

impl Default for FakeHost {
    fn default() -> Self {
        FakeHost {
            config_id: "lb1".into(),
            iproute2: BTreeMap::new(),
            interfaces: ["lo", "eth0", "eth1", "bond0", "team0"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            users: [("root".to_string(), UserInfo { uid: 0, gid: 0 })]
                .into_iter()
                .collect(),
            groups: [("root".to_string(), 0)].into_iter().collect(),
            env: BTreeMap::new(),
            files: BTreeMap::new(),
            scripts: BTreeSet::new(),
            euid: 0,
        }
    }
}

impl Host for FakeHost {
    fn config_id(&self) -> String {
        self.config_id.clone()
    }
    fn env(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }
    fn interface_exists(&self, name: &str) -> bool {
        self.interfaces.contains(name)
    }
    fn iproute2_file(&self, name: &str) -> Option<String> {
        self.iproute2.get(name).cloned()
    }
    fn user_by_name(&self, name: &str) -> Option<UserInfo> {
        self.users.get(name).cloned()
    }
    fn group_by_name(&self, name: &str) -> Option<u32> {
        self.groups.get(name).copied()
    }
    fn stat(&self, path: &Path) -> Option<FileStat> {
        self.files.get(path).copied()
    }
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        self.files.contains_key(path).then(|| path.to_path_buf())
    }
    fn path_var(&self) -> String {
        "/usr/sbin:/usr/bin:/sbin:/bin".into()
    }
    fn euid(&self) -> u32 {
        self.euid
    }
    fn is_script(&self, path: &Path) -> bool {
        self.scripts.contains(path)
    }
}
