//! Live `Source` and `Host`: the real file system, users and interfaces.

use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::config::source::{FileKind, FileStat, Host, Source, UserInfo};

/// Reads the real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct FsSource;

impl Source for FsSource {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn can_read(&self, path: &Path) -> bool {
        std::fs::File::open(path).is_ok()
    }

    fn open(&self, path: &Path) -> io::Result<Box<dyn io::Read + '_>> {
        Ok(Box::new(std::fs::File::open(path)?))
    }

    fn glob(&self, pattern: &str) -> Vec<PathBuf> {
        let opts = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        match glob::glob_with(pattern, opts) {
            Ok(paths) => paths.filter_map(Result::ok).collect(),
            Err(_) => Vec::new(),
        }
    }

    fn kind(&self, path: &Path) -> Option<FileKind> {
        let m = std::fs::metadata(path).ok()?;
        Some(FileKind {
            is_dir: m.is_dir(),
            is_regular: m.is_file(),
            is_executable: m.permissions().mode() & 0o111 != 0,
        })
    }
}

/// The running host.
#[derive(Debug, Clone, Default)]
pub struct LiveHost {
    /// `-i/--config-id`, when given.
    pub config_id: Option<String>,
}

impl Host for LiveHost {
    fn config_id(&self) -> String {
        if let Some(id) = &self.config_id {
            return id.clone();
        }
        let name = nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok())
            .unwrap_or_default();
        name.split('.').next().unwrap_or("").to_owned()
    }

    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn iproute2_file(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(Path::new("/etc/iproute2").join(name)).ok()
    }

    fn interface_exists(&self, name: &str) -> bool {
        !name.is_empty()
            && !name.contains('/')
            && name != "."
            && name != ".."
            && Path::new("/sys/class/net").join(name).exists()
    }

    fn user_by_name(&self, name: &str) -> Option<UserInfo> {
        let u = nix::unistd::User::from_name(name).ok()??;
        Some(UserInfo {
            uid: u.uid.as_raw(),
            gid: u.gid.as_raw(),
        })
    }

    fn group_by_name(&self, name: &str) -> Option<u32> {
        Some(nix::unistd::Group::from_name(name).ok()??.gid.as_raw())
    }

    fn stat(&self, path: &Path) -> Option<FileStat> {
        let m = std::fs::metadata(path).ok()?;
        Some(FileStat {
            uid: m.uid(),
            gid: m.gid(),
            mode: m.mode(),
            is_dir: m.is_dir(),
            is_regular: m.is_file(),
        })
    }

    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        std::fs::canonicalize(path).ok()
    }

    fn path_var(&self) -> String {
        std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".to_owned())
    }

    fn euid(&self) -> u32 {
        nix::unistd::geteuid().as_raw()
    }

    fn netns_exists(&self, name: &str) -> bool {
        !name.contains('/') && Path::new("/var/run/netns").join(name).exists()
    }

    fn is_symlink(&self, path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
    }

    fn resolves(&self, name: &str) -> bool {
        use std::net::ToSocketAddrs;
        (name, 25)
            .to_socket_addrs()
            .map(|mut a| a.next().is_some())
            .unwrap_or(false)
    }

    fn is_script(&self, path: &Path) -> bool {
        use std::io::Read;
        let mut buf = [0u8; 2];
        std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut buf))
            .is_ok()
            && &buf == b"#!"
    }
}
