//! Names keepalived derives for its log outputs: syslog idents, log file
//! names and syslog priorities. All pure, all from keepalived 2.2.7's source
//! (`make_syslog_ident()` in core/main.c, `make_file_name()` in lib/utils.c).

use std::path::PathBuf;

use crate::cli::Facility;

/// Which keepalived process is logging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    Parent,
    Vrrp,
    Checker,
    Bfd,
}

impl Process {
    /// The base syslog ident (`PACKAGE_NAME`, `PROG_VRRP`, `PROG_CHECK`, `PROG_BFD`).
    pub fn prog_name(self) -> &'static str {
        match self {
            Process::Parent => "Keepalived",
            Process::Vrrp => "Keepalived_vrrp",
            Process::Checker => "Keepalived_healthcheckers",
            Process::Bfd => "Keepalived_bfd",
        }
    }

    /// What a child inserts into the `-g` log file name. keepalived's
    /// checker child passes `"check"` (not `healthcheckers`, whatever the
    /// man page suggests).
    pub fn file_tag(self) -> Option<&'static str> {
        match self {
            Process::Parent => None,
            Process::Vrrp => Some("vrrp"),
            Process::Checker => Some("check"),
            Process::Bfd => Some("bfd"),
        }
    }
}

/// The syslog ident: the program name, then `_<netns>` and `_<instance>`
/// when `net_namespace` (or `-s`) and `instance` are set.
pub fn ident(process: Process, namespace: Option<&str>, instance: Option<&str>) -> String {
    let mut s = process.prog_name().to_owned();
    for part in [namespace, instance].into_iter().flatten() {
        s.push('_');
        s.push_str(part);
    }
    s
}

/// The `-g` log file of `process`: `_<tag>`, `_<netns>`, `_<instance>`
/// inserted before the extension (the last `.` after the last `/`); a
/// relative `name` is placed in `tmp_dir` (keepalived's `$TMPDIR` or `/tmp`).
///
/// `/var/log/ka.log` → `/var/log/ka_vrrp.log`; like keepalived, a name whose
/// last component starts with a dot treats the whole component as the
/// extension (`/var/log/.ka` → `/var/log/_vrrp.ka`).
pub fn log_file_name(
    name: &str,
    process: Process,
    namespace: Option<&str>,
    instance: Option<&str>,
    tmp_dir: &str,
) -> PathBuf {
    let dir_end = name.rfind('/').unwrap_or(0);
    let (stem, ext) = match name[dir_end..].rfind('.') {
        Some(i) => name.split_at(dir_end + i),
        None => (name, ""),
    };
    let mut s = String::new();
    if !name.starts_with('/') {
        s.push_str(tmp_dir);
        s.push('/');
    }
    s.push_str(stem);
    for part in [process.file_tag(), namespace, instance]
        .into_iter()
        .flatten()
    {
        s.push('_');
        s.push_str(part);
    }
    s.push_str(ext);
    PathBuf::from(s)
}

/// keepalived's `tmp_dir` for relative file names: `$TMPDIR` when it is
/// an absolute path (existence is not checked), else `/tmp`.
pub fn tmp_dir(tmpdir_env: Option<&str>) -> &str {
    match tmpdir_env {
        Some(d) if d.starts_with('/') => d,
        _ => "/tmp",
    }
}

/// `-g` without a file name.
pub const DEFAULT_LOG_FILE: &str = "keepalived.log";

/// syslog severities (`<syslog.h>` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Emerg = 0,
    Alert = 1,
    Crit = 2,
    Err = 3,
    Warning = 4,
    Notice = 5,
    Info = 6,
    Debug = 7,
}

impl Priority {
    /// The value of a `prio = "..."` field: syslog's names (`err`,
    /// `warning`) and the long/short forms people type (`error`, `warn`).
    pub fn from_name(name: &str) -> Option<Priority> {
        Some(match name.to_ascii_lowercase().as_str() {
            "emerg" | "emergency" | "panic" => Priority::Emerg,
            "alert" => Priority::Alert,
            "crit" | "critical" => Priority::Crit,
            "err" | "error" => Priority::Err,
            "warning" | "warn" => Priority::Warning,
            "notice" => Priority::Notice,
            "info" => Priority::Info,
            "debug" => Priority::Debug,
            _ => return None,
        })
    }

    pub fn from_number(n: u64) -> Option<Priority> {
        [
            Priority::Emerg,
            Priority::Alert,
            Priority::Crit,
            Priority::Err,
            Priority::Warning,
            Priority::Notice,
            Priority::Info,
            Priority::Debug,
        ]
        .get(usize::try_from(n).ok()?)
        .copied()
    }

    /// The default for a tracing level (TRACE never reaches the outputs).
    pub fn from_level(level: tracing::Level) -> Priority {
        match level {
            tracing::Level::ERROR => Priority::Err,
            tracing::Level::WARN => Priority::Warning,
            tracing::Level::INFO => Priority::Info,
            _ => Priority::Debug,
        }
    }
}

/// The `<syslog.h>` facility number (before shifting).
pub fn facility_code(f: Facility) -> u8 {
    match f {
        Facility::User => 1,
        Facility::Daemon => 3,
        Facility::Local(n) => 16 + (n & 7),
    }
}

/// The `<PRI>` value of a syslog datagram.
pub fn pri(f: Facility, p: Priority) -> u8 {
    (facility_code(f) << 3) | p as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idents() {
        assert_eq!(ident(Process::Parent, None, None), "Keepalived");
        assert_eq!(
            ident(Process::Vrrp, Some("ns1"), None),
            "Keepalived_vrrp_ns1"
        );
        assert_eq!(
            ident(Process::Checker, Some("ns1"), Some("a")),
            "Keepalived_healthcheckers_ns1_a"
        );
        assert_eq!(ident(Process::Bfd, None, Some("a")), "Keepalived_bfd_a");
    }

    #[test]
    fn file_names() {
        let f = |n, p, ns, i| log_file_name(n, p, ns, i, "/tmp");
        assert_eq!(
            f("/var/log/ka.log", Process::Parent, None, None),
            PathBuf::from("/var/log/ka.log")
        );
        assert_eq!(
            f("/var/log/ka.log", Process::Vrrp, None, None),
            PathBuf::from("/var/log/ka_vrrp.log")
        );
        assert_eq!(
            f("/var/log/ka.x.log", Process::Checker, Some("ns"), Some("i")),
            PathBuf::from("/var/log/ka.x_check_ns_i.log")
        );
        assert_eq!(
            f("/var/lo.g/ka", Process::Bfd, None, None),
            PathBuf::from("/var/lo.g/ka_bfd")
        );
        assert_eq!(
            f("keepalived.log", Process::Vrrp, None, None),
            PathBuf::from("/tmp/keepalived_vrrp.log")
        );
        assert_eq!(
            f("/var/log/.ka", Process::Vrrp, None, None),
            PathBuf::from("/var/log/_vrrp.ka")
        );
        assert_eq!(
            f("/var/log/ka.log", Process::Parent, Some("ns"), None),
            PathBuf::from("/var/log/ka_ns.log")
        );
    }

    #[test]
    fn tmp_dirs() {
        assert_eq!(tmp_dir(Some("/var/tmp")), "/var/tmp");
        assert_eq!(tmp_dir(Some("rel")), "/tmp");
        assert_eq!(tmp_dir(None), "/tmp");
    }

    #[test]
    fn priorities() {
        assert_eq!(pri(Facility::Local(0), Priority::Info), 134);
        assert_eq!(pri(Facility::Daemon, Priority::Info), 30);
        assert_eq!(pri(Facility::User, Priority::Err), 11);
        assert_eq!(pri(Facility::Local(7), Priority::Alert), 185);
        assert_eq!(Priority::from_name("ALERT"), Some(Priority::Alert));
        assert_eq!(Priority::from_name("warn"), Some(Priority::Warning));
        assert_eq!(Priority::from_name("loud"), None);
        assert_eq!(Priority::from_number(5), Some(Priority::Notice));
        assert_eq!(Priority::from_number(8), None);
        assert_eq!(
            Priority::from_level(tracing::Level::WARN),
            Priority::Warning
        );
    }
}
