//! One health checker's timing and up/down state machine, sans I/O.
//!
//! The driver asks when the next probe is due ([`CheckerFsm::next_at`]),
//! runs it, and feeds the result back with the current time
//! ([`CheckerFsm::result`]); the FSM answers with events (a changed alive
//! state, keepalived's log lines). Times are µs on any monotonic clock, as in
//! `crate::vrrp`, so recorded scenarios replay exactly in tests.

use std::net::IpAddr;

use crate::config::model::{Checker, CheckerKind, RealServer, TIMER_HZ, VirtualServer};
use crate::messages;

/// keepalived's `BOOTSTRAP_DELAY`: checkers start one second after the child.
pub const BOOTSTRAP_DELAY: u64 = TIMER_HZ;

/// A checker's resolved timing (µs), inherited checker → real server →
/// virtual server → keepalived's per-type default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub delay_loop: u64,
    pub retry: u32,
    pub delay_before_retry: u64,
    pub warmup: u64,
    pub alpha: bool,
}

impl Timing {
    /// Resolves the inheritance chain (reference section g.1).
    pub fn resolve(vs: &VirtualServer, rs: &RealServer, ck: &Checker) -> Timing {
        let delay_loop = ck
            .delay_loop
            .or(rs.opts().delay_loop)
            .unwrap_or(vs.delay_loop);
        let (def_retry, def_dbr) = match ck.kind {
            CheckerKind::Dns => (3, delay_loop),
            CheckerKind::Misc => (0, TIMER_HZ),
            CheckerKind::HttpGet | CheckerKind::SslGet => (1, 3 * TIMER_HZ),
            _ => (1, TIMER_HZ),
        };
        Timing {
            delay_loop,
            retry: ck
                .retry
                .or(rs.opts().retry)
                .or(vs.opts().retry)
                .unwrap_or(def_retry),
            delay_before_retry: ck
                .delay_before_retry
                .or(rs.opts().delay_before_retry)
                .or(vs.opts().delay_before_retry)
                .unwrap_or(def_dbr),
            warmup: ck
                .warmup
                .or(rs.opts().warmup)
                .or(vs.opts().warmup)
                .unwrap_or(delay_loop),
            alpha: ck.alpha.or(rs.alpha).unwrap_or(vs.alpha),
        }
    }
}

/// What a probe result changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckEvent {
    /// The checker's up/down state changed.
    Alive(bool),
    /// A line keepalived logs at LOG_INFO; the driver words it with the
    /// checker's [`Names`], made only then: kept in every checker, the
    /// names were a megabyte per 10,000 real servers.
    Log(CheckLog),
    /// The first run failed a checker that was already down (alpha):
    /// keepalived still announces its real server's state then
    /// (`update_svr_checker_state()` with `!has_run`: the notify script
    /// and FIFO line, no mail).
    FirstRunDown,
}

/// Which checker line to log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckLog {
    /// The checker succeeded while down, or on its first run.
    Success,
    /// The checker went down; `retries` is 0 for "failed." (no retries
    /// configured, or the first run), else the "after N retries" count.
    Failed { retries: u32 },
}

impl CheckLog {
    /// The line, as keepalived 2.2.7 words it.
    pub fn line(self, n: &Names) -> String {
        match self {
            CheckLog::Success => success_line(n),
            CheckLog::Failed { retries } => failure_line(n, retries),
        }
    }
}

/// How the checker's target is named in its log lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub kind: CheckerKind,
    /// `[ip]:tcp:port` of the address probed.
    pub target: String,
    /// `[ip]:tcp:port` of the virtual server (MISC_CHECK lines).
    pub vs: String,
    /// MISC_CHECK's script path / HTTP_GET's first url path.
    pub what: String,
}

impl Names {
    /// The names of checker `ck` of `rs` in `vs`.
    pub fn of(vs: &VirtualServer, rs: &RealServer, ck: &Checker) -> Self {
        let what = match ck.kind {
            CheckerKind::Misc => (ck.ext().misc_path.as_ref())
                .map(|s| s.args.join(" "))
                .unwrap_or_default(),
            _ => (ck.ext().urls.first())
                .and_then(|u| u.path.clone())
                .unwrap_or_default(),
        };
        Names::new(
            ck.kind,
            ck.conn.ext().connect_ip.unwrap_or(rs.addr),
            ck.conn.connect_port.unwrap_or(rs.port),
            crate::check::decision::vs_name(vs),
            what,
        )
    }

    pub fn new(kind: CheckerKind, ip: IpAddr, port: u16, vs: String, what: String) -> Self {
        let proto = match kind {
            CheckerKind::Udp | CheckerKind::Dns => "udp",
            _ => "tcp",
        };
        Names {
            kind,
            target: format!("[{ip}]:{proto}:{port}"),
            vs,
            what,
        }
    }
}

/// Every checker log line, in one place (keepalived 2.2.7 wording).
pub fn success_line(n: &Names) -> String {
    let t = &n.target;
    match n.kind {
        CheckerKind::Tcp => messages::tcp_success(t),
        CheckerKind::HttpGet | CheckerKind::SslGet => messages::http_success(t, &n.what),
        CheckerKind::Smtp => messages::smtp_check_success(t),
        CheckerKind::Udp => messages::udp_success(t),
        CheckerKind::Ping => messages::icmp_success(t),
        CheckerKind::Dns => messages::dns_success(t),
        CheckerKind::Misc => messages::misc_success(t, &n.vs, &n.what),
        CheckerKind::File => messages::file_check_success(t),
        CheckerKind::Bfd => messages::bfd_check(&n.what, t, true),
    }
}

/// The line logged when a checker goes down (`retry` as configured).
pub fn failure_line(n: &Names, retry: u32) -> String {
    let t = &n.target;
    let name = match n.kind {
        CheckerKind::Tcp => "TCP_CHECK",
        CheckerKind::HttpGet => "HTTP_CHECK",
        CheckerKind::SslGet => "SSL_CHECK",
        CheckerKind::Smtp => "SMTP_CHECK",
        CheckerKind::Udp => "UDP_CHECK",
        CheckerKind::Ping => return messages::icmp_check_failed(t, &n.vs, retry),
        CheckerKind::Dns => "DNS_CHECK",
        CheckerKind::File => "FILE_CHECK",
        CheckerKind::Bfd => return messages::bfd_check(&n.what, t, false),
        CheckerKind::Misc => return messages::misc_failed(t, &n.vs, &n.what, retry),
    };
    messages::checker_failed(name, t, retry)
}

/// One checker's state. Its [`Timing`] is passed in, not kept: the driver
/// resolves it from the configuration when needed, which keeps the 10,000
/// checkers of a large director small and a reload's new timers in force.
#[derive(Debug, Clone)]
pub struct CheckerFsm {
    up: bool,
    has_run: bool,
    retry_it: u32,
    /// When the next probe is due; `None` while one is running.
    next: Option<u64>,
}

/// A small deterministic generator (splitmix64) for the warmup spread, so a
/// seed reproduces a schedule.
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl CheckerFsm {
    /// A checker created at `now`: up unless alpha; its first probe runs
    /// after [`BOOTSTRAP_DELAY`] plus a random part of warmup (from `seed`).
    pub fn new(timing: &Timing, now: u64, seed: u64) -> Self {
        let spread = if timing.warmup > 0 {
            splitmix(seed) % (timing.warmup + 1)
        } else {
            0
        };
        CheckerFsm {
            up: !timing.alpha,
            has_run: false,
            retry_it: 0,
            next: Some(now + BOOTSTRAP_DELAY + spread),
        }
    }

    pub fn is_up(&self) -> bool {
        self.up
    }
    /// When the next probe is due (`None`: one is running).
    pub fn next_at(&self) -> Option<u64> {
        self.next
    }
    /// Marks the probe started; no other is scheduled until its result.
    pub fn start_probe(&mut self) {
        self.next = None;
    }

    /// A suspended checker's turn (`ha_suspend`): no probe, no state change,
    /// the next turn a `delay_loop` later.
    pub fn skip(&mut self, t: &Timing, now: u64) {
        self.next = Some(now + t.delay_loop);
    }

    /// Feeds one probe result (`ok`), returning what changed; schedules the
    /// next probe (retry after `delay_before_retry` while an up checker
    /// still has retries, else `delay_loop`).
    ///
    /// As keepalived's checkers (`tcp_epilog()` & co.), the first run
    /// always logs its outcome: a success even if the checker starts up,
    /// and a failure (down at once: `retry_it` starts at `retry`) without
    /// "after N retries", since none were made.
    pub fn result(&mut self, t: &Timing, now: u64, ok: bool) -> Vec<CheckEvent> {
        let mut ev = Vec::new();
        let first = !self.has_run;
        let retrying = !ok && self.up && !first && self.retry_it < t.retry;
        self.has_run = true;
        if retrying {
            self.retry_it += 1;
            self.next = Some(now + t.delay_before_retry);
            return ev;
        }
        self.retry_it = 0;
        self.next = Some(now + t.delay_loop);
        if ok && (!self.up || first) {
            ev.push(CheckEvent::Log(CheckLog::Success));
            if !self.up {
                self.up = true;
                ev.push(CheckEvent::Alive(true));
            }
        } else if !ok && (self.up || first) {
            let retries = if first { 0 } else { t.retry };
            ev.push(CheckEvent::Log(CheckLog::Failed { retries }));
            if self.up {
                self.up = false;
                ev.push(CheckEvent::Alive(false));
            } else {
                ev.push(CheckEvent::FirstRunDown);
            }
        }
        ev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = TIMER_HZ;

    fn timing(retry: u32, alpha: bool) -> Timing {
        Timing {
            delay_loop: 10 * S,
            retry,
            delay_before_retry: 2 * S,
            warmup: 0,
            alpha,
        }
    }

    /// A checker with its timing, as the driver holds them.
    struct Fsm(CheckerFsm, Timing);

    impl std::ops::Deref for Fsm {
        type Target = CheckerFsm;
        fn deref(&self) -> &CheckerFsm {
            &self.0
        }
    }

    fn fsm(retry: u32, alpha: bool) -> Fsm {
        let t = timing(retry, alpha);
        Fsm(CheckerFsm::new(&t, 0, 1), t)
    }

    /// Events with their log lines worded, as the driver does.
    #[derive(Debug, PartialEq)]
    enum Ev {
        Alive(bool),
        Log(String),
        FirstRunDown,
    }

    fn run(f: &mut Fsm, ok: bool) -> (u64, Vec<Ev>) {
        let n = Names::new(
            CheckerKind::Tcp,
            "192.0.2.2".parse().unwrap(),
            80,
            "[192.0.2.100]:tcp:80".into(),
            String::new(),
        );
        let now = f.next_at().unwrap();
        f.0.start_probe();
        assert_eq!(f.next_at(), None);
        let ev = f.0.result(&f.1, now, ok);
        let ev = ev
            .into_iter()
            .map(|e| match e {
                CheckEvent::Alive(up) => Ev::Alive(up),
                CheckEvent::Log(l) => Ev::Log(l.line(&n)),
                CheckEvent::FirstRunDown => Ev::FirstRunDown,
            })
            .collect();
        (f.next_at().unwrap() - now, ev)
    }

    #[test]
    fn first_probe_after_bootstrap_and_warmup_is_deterministic() {
        assert_eq!(fsm(1, false).next_at(), Some(S));
        let mut t = timing(1, false);
        t.warmup = 5 * S;
        let a = CheckerFsm::new(&t, 0, 42).next_at().unwrap();
        let b = CheckerFsm::new(&t, 0, 42).next_at().unwrap();
        let c = CheckerFsm::new(&t, 0, 43).next_at().unwrap();
        assert_eq!(a, b);
        assert!((S..=6 * S).contains(&a) && (S..=6 * S).contains(&c));
    }

    #[test]
    fn first_failure_is_down_at_once_later_failures_retry() {
        let mut f = fsm(2, false);
        assert!(f.is_up());
        let (d, ev) = run(&mut f, false);
        assert_eq!(d, 10 * S);
        // No retries were made: keepalived says "failed." on the first run.
        assert_eq!(
            ev,
            vec![
                Ev::Log("TCP_CHECK on service [192.0.2.2]:tcp:80 failed.".into()),
                Ev::Alive(false)
            ]
        );
        // down: no retries, every delay_loop
        assert_eq!(run(&mut f, false), (10 * S, vec![]));
        let (d, ev) = run(&mut f, true);
        assert_eq!(d, 10 * S);
        assert_eq!(
            ev,
            vec![
                Ev::Log("TCP connection to [192.0.2.2]:tcp:80 success.".into()),
                Ev::Alive(true)
            ]
        );
        // up: two retries 2 s apart, then down
        assert_eq!(run(&mut f, false), (2 * S, vec![]));
        assert_eq!(run(&mut f, false), (2 * S, vec![]));
        let (d, ev) = run(&mut f, false);
        assert_eq!(d, 10 * S);
        assert_eq!(
            ev,
            vec![
                Ev::Log("TCP_CHECK on service [192.0.2.2]:tcp:80 failed after 2 retries.".into()),
                Ev::Alive(false)
            ]
        );
    }

    #[test]
    fn the_first_success_is_logged_even_when_up() {
        let mut f = fsm(1, false);
        let (_, ev) = run(&mut f, true);
        assert_eq!(
            ev,
            vec![Ev::Log(
                "TCP connection to [192.0.2.2]:tcp:80 success.".into()
            )]
        );
        assert_eq!(run(&mut f, true).1, vec![]);
    }

    #[test]
    fn success_during_retries_resets_them() {
        let mut f = fsm(1, false);
        assert_eq!(run(&mut f, true).1.len(), 1);
        assert_eq!(run(&mut f, false), (2 * S, vec![]));
        assert_eq!(run(&mut f, true), (10 * S, vec![]));
        assert_eq!(run(&mut f, false), (2 * S, vec![]));
        assert!(f.is_up());
    }

    #[test]
    fn skip_keeps_state_and_waits_delay_loop() {
        let mut f = fsm(1, false);
        f.0.skip(&f.1, 5 * S);
        assert_eq!(f.next_at(), Some(15 * S));
        assert!(f.is_up());
    }

    #[test]
    fn alpha_starts_down_and_needs_one_success() {
        let mut f = fsm(1, true);
        assert!(!f.is_up());
        // The first failure is logged and announced, though the checker
        // was down already.
        assert_eq!(
            run(&mut f, false),
            (
                10 * S,
                vec![
                    Ev::Log("TCP_CHECK on service [192.0.2.2]:tcp:80 failed.".into()),
                    Ev::FirstRunDown
                ]
            )
        );
        assert_eq!(run(&mut f, false), (10 * S, vec![]));
        assert_eq!(run(&mut f, true).1.last(), Some(&Ev::Alive(true)));
    }

    #[test]
    fn retry_zero_and_other_kinds_wording() {
        let n = |k| {
            Names::new(
                k,
                "192.0.2.2".parse().unwrap(),
                80,
                "[192.0.2.100]:tcp:80".into(),
                "/check.sh".into(),
            )
        };
        assert_eq!(
            failure_line(&n(CheckerKind::Tcp), 0),
            "TCP_CHECK on service [192.0.2.2]:tcp:80 failed."
        );
        assert_eq!(
            failure_line(&n(CheckerKind::HttpGet), 3),
            "HTTP_CHECK on service [192.0.2.2]:tcp:80 failed after 3 retries."
        );
        assert_eq!(
            failure_line(&n(CheckerKind::Ping), 2),
            "ICMP CHECK on service [192.0.2.2]:tcp:80 of [192.0.2.100]:tcp:80 failed after 2 retries."
        );
        assert_eq!(
            failure_line(&n(CheckerKind::Ping), 0),
            "ICMP CHECK on service [192.0.2.2]:tcp:80 failed."
        );
        assert_eq!(
            success_line(&n(CheckerKind::Ping)),
            "ICMP connection to [192.0.2.2]:tcp:80 success."
        );
        assert_eq!(
            success_line(&n(CheckerKind::Misc)),
            "Misc check for [[192.0.2.2]:tcp:80 VS [192.0.2.100]:tcp:80] by [/check.sh] succeeded."
        );
    }
}
