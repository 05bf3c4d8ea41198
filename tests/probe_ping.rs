//! PING_CHECK against real ICMP stacks, inside a network namespace each test
//! thread unshares (only `lo` and a veth pair we add, so nothing leaves the
//! machine): replies from loopback (IPv4 and IPv6), silence from a TEST-NET
//! address on a dummy link (timeout), and no route (send error), with both
//! socket kinds — raw (the namespace's default `ping_group_range` "1 0"
//! forbids ping sockets) and ping sockets once the range allows group 0.

#[path = "support/model.rs"]
mod model;

use std::net::IpAddr;
use std::process::Command;
use std::time::Duration;

use keepalived::checker_child::probe::{self, ProbeOutcome};
use keepalived::config::model::{Checker, CheckerKind, RealServer, TIMER_HZ};
use keepalived::sys::icmp::{IcmpOptions, IcmpSocket};

/// Every probe ends by this deadline.
const LIMIT: Duration = Duration::from_secs(10);

fn sh(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("ip runs");
    assert!(out.status.success(), "ip {args:?}: {out:?}");
}

fn in_netns(test: &str, f: impl FnOnce() + Send + 'static) {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("SKIPPED: {test} needs root (network namespaces, ICMP sockets)");
        return;
    }
    let joined = std::thread::spawn(move || {
        // The namespace lives as long as this thread; children we spawn
        // (`ip`) inherit it.
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET).expect("unshare");
        sh(&["link", "set", "lo", "up"]);
        // A veth pair whose far end has no address: nobody answers ARP/ND.
        sh(&["link", "add", "d0", "type", "veth", "peer", "name", "d1"]);
        sh(&["link", "set", "d0", "up"]);
        sh(&["link", "set", "d1", "up"]);
        sh(&["addr", "add", "192.0.2.1/24", "dev", "d0"]);
        sh(&["addr", "add", "2001:db8::1/64", "dev", "d0", "nodad"]);
        f()
    })
    .join();
    if let Err(p) = joined {
        std::panic::resume_unwind(p);
    }
}

fn ping(addr: &str, timeout_ms: u64) -> ProbeOutcome {
    ping_via(addr, timeout_ms, None)
}

fn ping_via(addr: &str, timeout_ms: u64, bind_if: Option<&str>) -> ProbeOutcome {
    let v = model::tcp_vs("198.51.100.100", 80);
    let r = RealServer::new(addr.parse().unwrap(), 0, None);
    let mut c = Checker::new(CheckerKind::Ping, None);
    c.conn.connect_timeout = Some(timeout_ms * TIMER_HZ / 1000);
    c.conn.ext_mut().bind_if = bind_if.map(str::to_string);
    let spec = probe::probe_spec(&v, &r, &c);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { tokio::time::timeout(LIMIT, probe::run(&spec)).await })
        .expect("probe bounded by its timeout")
}

fn socket_is_raw(addr: &str) -> bool {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ip: IpAddr = addr.parse().unwrap();
    rt.block_on(async {
        IcmpSocket::open(ip, &IcmpOptions::default())
            .unwrap()
            .is_raw()
    })
}

fn all_cases() {
    assert_eq!(ping("127.0.0.1", 2000), ProbeOutcome::Up);
    assert_eq!(ping("::1", 2000), ProbeOutcome::Up);
    assert_eq!(ping("192.0.2.1", 2000), ProbeOutcome::Up, "own address");
    let t0 = std::time::Instant::now();
    assert_eq!(
        ping("192.0.2.2", 300),
        ProbeOutcome::Down("ICMP connection to address [192.0.2.2]:tcp:0 timeout.".into())
    );
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(290) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(
        ping("2001:db8::2", 300),
        ProbeOutcome::Down("ICMP connection to address [2001:db8::2]:tcp:0 timeout.".into())
    );
    assert_eq!(
        ping("198.51.100.1", 2000),
        ProbeOutcome::Down(
            "ICMP connection to [198.51.100.1]:tcp:0 of [198.51.100.100]:tcp:80 failed.".into()
        ),
        "no route: the send fails at once"
    );
    assert_eq!(
        ping_via("127.0.0.1", 2000, Some("nosuchif0")),
        ProbeOutcome::NotRun("ICMP connect fail to create socket. Rescheduling.".into()),
        "no socket: no verdict"
    );
    assert_eq!(ping_via("127.0.0.1", 2000, Some("lo")), ProbeOutcome::Up);
}

#[test]
fn ping_check_with_raw_sockets() {
    in_netns("ping_check_with_raw_sockets", || {
        assert_eq!(
            std::fs::read_to_string("/proc/sys/net/ipv4/ping_group_range")
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["1", "0"]
        );
        assert!(socket_is_raw("127.0.0.1") && socket_is_raw("::1"));
        all_cases();
    });
}

#[test]
fn ping_check_with_ping_sockets() {
    in_netns("ping_check_with_ping_sockets", || {
        // Per-namespace setting: the host's is untouched.
        std::fs::write("/proc/sys/net/ipv4/ping_group_range", "0 0\n").unwrap();
        assert!(!socket_is_raw("127.0.0.1") && !socket_is_raw("::1"));
        all_cases();
    });
}
