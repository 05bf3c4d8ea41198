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
        let delay_loop = ck.delay_loop.or(rs.opts().delay_loop).unwrap_or(vs.delay_loop);
        let (def_retry, def_dbr) = match ck.kind {
            CheckerKind::Dns => (3, delay_loop),
            CheckerKind::Misc => (0, TIMER_HZ),
            CheckerKind::HttpGet | CheckerKind::SslGet => (1, 3 * TIMER_HZ),
            _ => (1, TIMER_HZ),
        };
        Timing {
            delay_loop,
            retry: ck.retry.or(rs.opts().retry).or(vs.opts().retry).unwrap_or(def_retry),
            delay_before_retry: ck
                .delay_before_retry
                .or(rs.opts().delay_before_retry)
                .or(vs.opts().delay_before_retry)
                .unwrap_or(def_dbr),
            warmup: ck.warmup.or(rs.opts().warmup).or(vs.opts().warmup).unwrap_or(delay_loop),
            alpha: ck.alpha.or(rs.alpha).unwrap_or(vs.alpha),
        }
    }
}

/// What a probe result changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckEvent {
    /// The checker's up/down state changed.
    Alive(bool),
    /// A line keepalived logs at LOG_INFO.
    Log(String),
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

/// One checker's state.
#[derive(Debug, Clone)]
pub struct CheckerFsm {
    timing: Timing,
    names: Names,
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
    pub fn new(timing: Timing, names: Names, now: u64, seed: u64) -> Self {
        let spread = if timing.warmup > 0 {
            splitmix(seed) % (timing.warmup + 1)
        } else {
            0
        };
        CheckerFsm {
            timing,
            names,
            up: !timing.alpha,
            has_run: false,
            retry_it: 0,
            next: Some(now + BOOTSTRAP_DELAY + spread),
        }
    }

    pub fn is_up(&self) -> bool {
        self.up
    }
    pub fn timing(&self) -> &Timing {
        &self.timing
    }
    pub fn names(&self) -> &Names {
        &self.names
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
    pub fn skip(&mut self, now: u64) {
        self.next = Some(now + self.timing.delay_loop);
    }

    /// Feeds one probe result (`ok`), returning what changed; schedules the
    /// next probe (retry after `delay_before_retry` while an up checker
    /// still has retries, else `delay_loop`).
    pub fn result(&mut self, now: u64, ok: bool) -> Vec<CheckEvent> {
        let mut ev = Vec::new();
        let t = self.timing;
        let retrying = !ok && self.up && self.has_run && self.retry_it < t.retry;
        self.has_run = true;
        if retrying {
            self.retry_it += 1;
            self.next = Some(now + t.delay_before_retry);
            return ev;
        }
        self.retry_it = 0;
        self.next = Some(now + t.delay_loop);
        if ok && !self.up {
            self.up = true;
            ev.push(CheckEvent::Log(success_line(&self.names)));
            ev.push(CheckEvent::Alive(true));
        } else if !ok && self.up {
            self.up = false;
            ev.push(CheckEvent::Log(failure_line(&self.names, t.retry)));
            ev.push(CheckEvent::Alive(false));
        }
        ev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = TIMER_HZ;

    fn fsm(retry: u32, alpha: bool) -> CheckerFsm {
        let t = Timing {
            delay_loop: 10 * S,
            retry,
            delay_before_retry: 2 * S,
            warmup: 0,
            alpha,
        };
        let n = Names::new(
            CheckerKind::Tcp,
            "192.0.2.2".parse().unwrap(),
            80,
            "[192.0.2.100]:tcp:80".into(),
            String::new(),
        );
        CheckerFsm::new(t, n, 0, 1)
    }

    fn run(f: &mut CheckerFsm, ok: bool) -> (u64, Vec<CheckEvent>) {
        let now = f.next_at().unwrap();
        f.start_probe();
        assert_eq!(f.next_at(), None);
        let ev = f.result(now, ok);
        (f.next_at().unwrap() - now, ev)
    }

    #[test]
    fn first_probe_after_bootstrap_and_warmup_is_deterministic() {
        assert_eq!(fsm(1, false).next_at(), Some(S));
        let mut t = *fsm(1, false).timing();
        t.warmup = 5 * S;
        let n = fsm(1, false).names().clone();
        let a = CheckerFsm::new(t, n.clone(), 0, 42).next_at().unwrap();
        let b = CheckerFsm::new(t, n.clone(), 0, 42).next_at().unwrap();
        let c = CheckerFsm::new(t, n, 0, 43).next_at().unwrap();
        assert_eq!(a, b);
        assert!((S..=6 * S).contains(&a) && (S..=6 * S).contains(&c));
    }

    #[test]
    fn first_failure_is_down_at_once_later_failures_retry() {
        let mut f = fsm(2, false);
        assert!(f.is_up());
        let (d, ev) = run(&mut f, false);
        assert_eq!(d, 10 * S);
        assert_eq!(
            ev,
            vec![
                CheckEvent::Log(
                    "TCP_CHECK on service [192.0.2.2]:tcp:80 failed after 2 retries.".into()
                ),
                CheckEvent::Alive(false)
            ]
        );
        // down: no retries, every delay_loop
        assert_eq!(run(&mut f, false), (10 * S, vec![]));
        let (d, ev) = run(&mut f, true);
        assert_eq!(d, 10 * S);
        assert_eq!(
            ev,
            vec![
                CheckEvent::Log("TCP connection to [192.0.2.2]:tcp:80 success.".into()),
                CheckEvent::Alive(true)
            ]
        );
        // up: two retries 2 s apart, then down
        assert_eq!(run(&mut f, false), (2 * S, vec![]));
        assert_eq!(run(&mut f, false), (2 * S, vec![]));
        let (d, ev) = run(&mut f, false);
        assert_eq!(d, 10 * S);
        assert_eq!(ev.last(), Some(&CheckEvent::Alive(false)));
    }

    #[test]
    fn success_during_retries_resets_them() {
        let mut f = fsm(1, false);
        run(&mut f, true);
        assert_eq!(run(&mut f, false), (2 * S, vec![]));
        assert_eq!(run(&mut f, true), (10 * S, vec![]));
        assert_eq!(run(&mut f, false), (2 * S, vec![]));
        assert!(f.is_up());
    }

    #[test]
    fn skip_keeps_state_and_waits_delay_loop() {
        let mut f = fsm(1, false);
        f.skip(5 * S);
        assert_eq!(f.next_at(), Some(15 * S));
        assert!(f.is_up());
    }

    #[test]
    fn alpha_starts_down_and_needs_one_success() {
        let mut f = fsm(1, true);
        assert!(!f.is_up());
        assert_eq!(run(&mut f, false), (10 * S, vec![]));
        assert_eq!(run(&mut f, true).1.last(), Some(&CheckEvent::Alive(true)));
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
