//! `vrrp_track_process` (keepalived-reference.md a.6): which running
//! processes match, and when their count meets the quorum. Pure: the
//! driver scans `/proc` (see `sys::procs`) and feeds each scan's processes
//! with the time; this answers with the status changes and log lines.
//!
//! Known difference: keepalived follows fork/exit/comm events from the
//! kernel's proc connector and only scans `/proc` at start; we scan `/proc`
//! at start and then every second, so a change is seen within a second
//! (plus `fork_delay` / `terminate_delay`) instead of at once, and a
//! process that lives less than a second may go unseen.
//!
//! Matching, as keepalived's `read_procs()`/`check_params()`:
//! - without `full_command` (and without parameters), the process name is
//!   compared with the kernel's comm (`/proc/PID/stat`, at most 15 bytes);
//! - with `full_command` (implied by parameters or `param_match`), it is
//!   compared with argv\[0\] of `/proc/PID/cmdline`, and the parameters
//!   with the rest of the command line: `exact` (all of them, no more),
//!   `partial` (the configured ones first, more may follow), `initial`
//!   (like partial, but the last configured parameter need only be a
//!   prefix of the process's).
//!
//! Times are microseconds on the caller's monotonic clock.

use crate::config::model::TrackProcess;

use super::action::TrackStatus;
use super::track_script::TrackEvent;

/// One process as a `/proc` scan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcInfo {
    pub pid: u32,
    /// The kernel's name for it (comm, at most 15 bytes).
    pub comm: String,
    /// `/proc/PID/cmdline`: the arguments, each NUL-terminated (empty for
    /// kernel threads and zombies).
    pub cmdline: Vec<u8>,
}

/// How parameters are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamMatch {
    /// No parameters configured and no `param_match`: the name alone.
    None,
    Exact,
    Partial,
    Initial,
}

/// What a process must look like to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessMatcher {
    pub name: String,
    /// The configured parameters, each NUL-terminated (keepalived's layout,
    /// so that it compares byte for byte with the cmdline).
    pub params: Vec<u8>,
    pub param_match: ParamMatch,
    pub full_command: bool,
}

impl ProcessMatcher {
    /// From `process NAME [PARAM…]`, `param_match`, `full_command`.
    pub fn new(cfg: &TrackProcess) -> Option<ProcessMatcher> {
        let words = cfg.process.as_ref()?;
        let (name, params) = words.split_first()?;
        let mut bytes = Vec::new();
        for p in params {
            bytes.extend_from_slice(p.as_bytes());
            bytes.push(0);
        }
        let param_match = match cfg.param_match.as_deref() {
            Some("initial") => ParamMatch::Initial,
            Some("partial") => ParamMatch::Partial,
            Some(_) => ParamMatch::Exact,
            None if !params.is_empty() => ParamMatch::Exact,
            None => ParamMatch::None,
        };
        Some(ProcessMatcher {
            name: name.clone(),
            params: bytes,
            full_command: cfg.full_command || param_match != ParamMatch::None,
            param_match,
        })
    }

    /// Whether the scan must read `/proc/PID/cmdline` for this matcher.
    pub fn needs_cmdline(&self) -> bool {
        self.full_command
    }

    /// Whether `p` counts towards the quorum.
    pub fn matches(&self, p: &ProcInfo) -> bool {
        if !self.full_command {
            return p.comm == self.name;
        }
        let cmd = &p.cmdline;
        let end = cmd.iter().position(|&b| b == 0).unwrap_or(cmd.len());
        if &cmd[..end] != self.name.as_bytes() {
            return false;
        }
        let rest = cmd.get(end + 1..).unwrap_or(&[]);
        self.params_match(rest)
    }

    fn params_match(&self, rest: &[u8]) -> bool {
        let want = &self.params[..];
        match self.param_match {
            ParamMatch::None => true,
            ParamMatch::Exact => rest == want,
            ParamMatch::Partial => rest.starts_with(want),
            // The last configured parameter without its NUL: a prefix.
            ParamMatch::Initial => want.is_empty() || rest.starts_with(&want[..want.len() - 1]),
        }
    }
}

/// One `vrrp_track_process`: count, quorum, debounce.
#[derive(Debug, Clone)]
pub struct ProcessTracker {
    name: String,
    matcher: ProcessMatcher,
    quorum: u32,
    /// u32::MAX when unlimited.
    quorum_max: u32,
    fork_delay: u64,
    terminate_delay: u64,
    count: Option<u32>,
    up: Option<bool>,
    /// A status change waiting for its delay: (due, new status).
    pending: Option<(u64, bool)>,
}

impl ProcessTracker {
    /// `None` when the configuration has no process name.
    pub fn new(cfg: &TrackProcess) -> Option<ProcessTracker> {
        Some(ProcessTracker {
            name: cfg.name.clone(),
            matcher: ProcessMatcher::new(cfg)?,
            quorum: cfg.quorum,
            quorum_max: cfg.quorum_max.unwrap_or(u32::MAX),
            fork_delay: cfg.fork_delay,
            terminate_delay: cfg.terminate_delay,
            count: None,
            up: None,
            pending: None,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn matcher(&self) -> &ProcessMatcher {
        &self.matcher
    }

    /// The number of matching processes at the last scan.
    pub fn count(&self) -> Option<u32> {
        self.count
    }

    /// Up when the quorum is met; `None` before the first scan.
    pub fn status(&self) -> Option<TrackStatus> {
        self.up.map(|u| {
            if u {
                TrackStatus::Up
            } else {
                TrackStatus::Down
            }
        })
    }

    fn quorate(&self, n: u32) -> bool {
        n >= self.quorum && n <= self.quorum_max
    }

    /// One scan's processes at `now`.
    pub fn scan(&mut self, now: u64, procs: &[ProcInfo]) -> Vec<TrackEvent> {
        let n = procs.iter().filter(|p| self.matcher.matches(p)).count();
        self.update(now, u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The count of matching processes at `now`. The first count sets the
    /// status at once (keepalived's start-up scan); later a change waits
    /// `fork_delay` (gaining) or `terminate_delay` (losing), and is
    /// dropped if the count comes back first.
    pub fn update(&mut self, now: u64, n: u32) -> Vec<TrackEvent> {
        self.count = Some(n);
        let want = self.quorate(n);
        let Some(up) = self.up else {
            self.up = Some(want);
            return vec![TrackEvent::Status(self.status().expect("set"))];
        };
        if want == up {
            self.pending = None;
            return Vec::new();
        }
        if self.pending.is_some_and(|(_, target)| target == want) {
            return Vec::new();
        }
        let delay = if want {
            self.fork_delay
        } else {
            self.terminate_delay
        };
        if delay == 0 {
            self.pending = None;
            return self.set(want);
        }
        self.pending = Some((now.saturating_add(delay), want));
        Vec::new()
    }

    /// When [`Self::handle_timeout`] is due.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.pending.map(|(t, _)| t)
    }

    /// A delay ran out: the status follows the count as it is now.
    pub fn handle_timeout(&mut self, now: u64) -> Vec<TrackEvent> {
        match self.pending {
            Some((due, _)) if due <= now => {
                self.pending = None;
                let want = self.count.is_some_and(|n| self.quorate(n));
                if Some(want) == self.up {
                    Vec::new()
                } else {
                    self.set(want)
                }
            }
            _ => Vec::new(),
        }
    }

    fn set(&mut self, up: bool) -> Vec<TrackEvent> {
        self.up = Some(up);
        vec![
            TrackEvent::Log {
                message: crate::messages::process_quorum(&self.name, up),
            },
            TrackEvent::Status(self.status().expect("set")),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(process: &str) -> TrackProcess {
        TrackProcess {
            name: "tp".into(),
            process: Some(process.split_whitespace().map(str::to_owned).collect()),
            quorum: 1,
            ..TrackProcess::default()
        }
    }

    fn proc(pid: u32, comm: &str, cmdline: &[&str]) -> ProcInfo {
        let mut c = Vec::new();
        for a in cmdline {
            c.extend_from_slice(a.as_bytes());
            c.push(0);
        }
        ProcInfo {
            pid,
            comm: comm.into(),
            cmdline: c,
        }
    }

    const S: u64 = 1_000_000;

    #[test]
    fn comm_match_by_default() {
        let m = ProcessMatcher::new(&cfg("nginx")).unwrap();
        assert!(!m.needs_cmdline());
        assert!(m.matches(&proc(1, "nginx", &["/usr/sbin/nginx", "-g"])));
        assert!(!m.matches(&proc(2, "nginx-worker", &["nginx"])));
    }

    #[test]
    fn full_command_compares_argv0() {
        let mut c = cfg("/usr/sbin/nginx");
        c.full_command = true;
        let m = ProcessMatcher::new(&c).unwrap();
        assert!(m.needs_cmdline());
        assert!(m.matches(&proc(1, "nginx", &["/usr/sbin/nginx", "-g", "x"])));
        assert!(!m.matches(&proc(2, "nginx", &["nginx"])));
        assert!(!m.matches(&proc(3, "kthreadd", &[])));
    }

    #[test]
    fn parameters_exact_partial_initial() {
        let exact = ProcessMatcher::new(&cfg("/bin/app -c conf")).unwrap();
        assert_eq!(exact.param_match, ParamMatch::Exact);
        assert!(exact.matches(&proc(1, "app", &["/bin/app", "-c", "conf"])));
        assert!(!exact.matches(&proc(1, "app", &["/bin/app", "-c", "conf", "-v"])));
        assert!(!exact.matches(&proc(1, "app", &["/bin/app", "-c"])));
        let mut c = cfg("/bin/app -c conf");
        c.param_match = Some("partial".into());
        let partial = ProcessMatcher::new(&c).unwrap();
        assert!(partial.matches(&proc(1, "app", &["/bin/app", "-c", "conf", "-v"])));
        assert!(!partial.matches(&proc(1, "app", &["/bin/app", "-c", "config"])));
        c.param_match = Some("initial".into());
        let initial = ProcessMatcher::new(&c).unwrap();
        assert!(initial.matches(&proc(1, "app", &["/bin/app", "-c", "config"])));
        assert!(!initial.matches(&proc(1, "app", &["/bin/app", "-x", "conf"])));
        // `param_match` alone: exact with no parameters, full command.
        let mut c = cfg("/bin/app");
        c.param_match = Some("exact".into());
        let bare = ProcessMatcher::new(&c).unwrap();
        assert!(bare.matches(&proc(1, "x", &["/bin/app"])));
        assert!(!bare.matches(&proc(1, "x", &["/bin/app", "-v"])));
    }

    fn statuses(ev: &[TrackEvent]) -> Vec<TrackStatus> {
        ev.iter()
            .filter_map(|e| match e {
                TrackEvent::Status(s) => Some(*s),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn quorum_without_delays() {
        let mut c = cfg("sleep");
        c.quorum = 2;
        c.quorum_max = Some(3);
        let mut t = ProcessTracker::new(&c).unwrap();
        assert_eq!(t.status(), None);
        assert_eq!(statuses(&t.update(0, 1)), [TrackStatus::Down]);
        let ev = t.update(S, 2);
        assert_eq!(statuses(&ev), [TrackStatus::Up]);
        assert!(ev.contains(&TrackEvent::Log {
            message: "Quorum gained for tracked process tp".into()
        }));
        assert!(t.update(2 * S, 3).is_empty());
        assert_eq!(statuses(&t.update(3 * S, 4)), [TrackStatus::Down]);
        assert_eq!(statuses(&t.update(4 * S, 3)), [TrackStatus::Up]);
        assert_eq!(statuses(&t.update(5 * S, 0)), [TrackStatus::Down]);
    }

    #[test]
    fn quorum_max_zero_means_must_not_run() {
        let mut c = cfg("sleep");
        c.quorum = 0;
        c.quorum_max = Some(0);
        let mut t = ProcessTracker::new(&c).unwrap();
        assert_eq!(statuses(&t.update(0, 0)), [TrackStatus::Up]);
        assert_eq!(statuses(&t.update(S, 1)), [TrackStatus::Down]);
    }

    #[test]
    fn delays_debounce_with_a_virtual_clock() {
        let mut c = cfg("sleep");
        c.terminate_delay = 2 * S;
        c.fork_delay = 3 * S;
        let mut t = ProcessTracker::new(&c).unwrap();
        // The first scan is taken at once, whatever the delays.
        assert_eq!(statuses(&t.update(0, 1)), [TrackStatus::Up]);
        // Lost, then back before terminate_delay: no change at all.
        assert!(t.update(10 * S, 0).is_empty());
        assert_eq!(t.poll_timeout(), Some(12 * S));
        assert!(t.update(11 * S, 1).is_empty());
        assert_eq!(t.poll_timeout(), None);
        assert!(t.handle_timeout(12 * S).is_empty());
        assert_eq!(t.status(), Some(TrackStatus::Up));
        // Lost for good: down when terminate_delay has run, not before.
        assert!(t.update(20 * S, 0).is_empty());
        assert!(t.update(21 * S, 0).is_empty());
        assert_eq!(
            t.poll_timeout(),
            Some(22 * S),
            "a rescan does not restart the delay"
        );
        assert!(t.handle_timeout(22 * S - 1).is_empty());
        assert_eq!(statuses(&t.handle_timeout(22 * S)), [TrackStatus::Down]);
        // Gained: up after fork_delay.
        assert!(t.update(30 * S, 1).is_empty());
        assert_eq!(t.poll_timeout(), Some(33 * S));
        assert_eq!(statuses(&t.handle_timeout(33 * S)), [TrackStatus::Up]);
        assert_eq!(t.count(), Some(1));
    }

    #[test]
    fn scan_counts_matching_processes() {
        let mut t = ProcessTracker::new(&cfg("sleep")).unwrap();
        let procs = [
            proc(1, "sleep", &["sleep", "9"]),
            proc(2, "bash", &["bash"]),
            proc(3, "sleep", &["sleep", "5"]),
        ];
        assert_eq!(statuses(&t.scan(0, &procs)), [TrackStatus::Up]);
        assert_eq!(t.count(), Some(2));
        assert_eq!(statuses(&t.scan(S, &procs[1..2])), [TrackStatus::Down]);
    }
}
