//! VRRP failover scenarios in a network-namespace lab (tests/support/lab.rs):
//! real daemons on a bridged segment, an observer capturing the wire.
//!
//! Every scenario is a function of the implementation each node runs, so the
//! same checks validate keepalived 2.2.7 (the reference, default) and ours.
//! `LAB_IMPLS=ours,keepalived cargo test --test vrrp_lab` picks other
//! pairings (node 0 first; the last entry repeats). Timings are printed as
//! `LAB-TIMING` lines (run with `--nocapture` to see them).
//!
//! Root only: without root every test prints "SKIPPED" and passes.

#[allow(dead_code)]
#[path = "support/smtp.rs"]
mod smtp;
mod support;

use nix::sys::signal::Signal;
use std::fs;
use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::lab::{Daemon, Impl, Lab, impls, ok, poll_until, unavailable};
use support::pcap::{Frame, Kind, mac_string};

const VIP4: &str = "192.0.2.200";
const VIP4B: &str = "192.0.2.201";
const VIP6: &str = "2001:db8::200";

/// Time for a first election: Master_Down_Interval (3 × 1 s + skew ≤ 1 s)
/// plus a generous allowance for a machine busy with parallel tests.
const ELECTION: Duration = Duration::from_secs(8);
/// Slack on top of protocol timers in upper-bound assertions.
const MARGIN: Duration = Duration::from_millis(1200);

// ---------------------------------------------------------------- helpers

/// One `vrrp_instance` block; `state BACKUP`, `advert_int 1` unless changed.
#[derive(Clone)]
struct Vi {
    name: &'static str,
    vrid: u8,
    prio: u8,
    lines: Vec<String>,
    vips: Vec<String>,
}

impl Vi {
    fn new(name: &'static str, vrid: u8, prio: u8) -> Vi {
        Vi {
            name,
            vrid,
            prio,
            lines: vec!["state BACKUP".into(), "advert_int 1".into()],
            vips: Vec::new(),
        }
    }

    /// A VIP with the lab's prefix length (/24 or /64) on eth0.
    fn vip(mut self, ip: &str) -> Vi {
        let len = if ip.contains(':') { 64 } else { 24 };
        self.vips.push(format!("{ip}/{len} dev eth0"));
        self
    }

    /// An extra keyword line (later lines override earlier ones).
    fn with(mut self, line: impl Into<String>) -> Vi {
        self.lines.push(line.into());
        self
    }

    /// VRRPv2 with simple password authentication.
    fn pass_auth(self) -> Vi {
        self.with("authentication {\n        auth_type PASS\n        auth_pass s3cr3t\n    }")
    }

    fn render(&self) -> String {
        let mut s = format!(
            "vrrp_instance {} {{\n    interface eth0\n    virtual_router_id {}\n    priority {}\n",
            self.name, self.vrid, self.prio
        );
        for l in &self.lines {
            s.push_str(&format!("    {l}\n"));
        }
        s.push_str("    virtual_ipaddress {\n");
        for v in &self.vips {
            s.push_str(&format!("        {v}\n"));
        }
        s.push_str("    }\n}\n");
        s
    }
}

/// A whole configuration for node `i`: global_defs, `extra` (scripts, sync
/// groups) and the instances.
fn config(i: usize, extra: &str, instances: &[Vi]) -> String {
    let mut s = format!("global_defs {{\n    router_id lab-node{i}\n}}\n{extra}\n");
    for vi in instances {
        s.push_str(&vi.render());
    }
    s
}

/// The usual pair for `vrid`/`vip`: node 0 priority 150, node 1 priority 100.
fn pair(vrid: u8, vip: &str, f: impl Fn(Vi) -> Vi) -> [String; 2] {
    [
        config(0, "", &[f(Vi::new("VI_1", vrid, 150).vip(vip))]),
        config(1, "", &[f(Vi::new("VI_1", vrid, 100).vip(vip))]),
    ]
}

fn skip(name: &str, imps: &[Impl]) -> bool {
    if let Some(why) = unavailable(imps) {
        eprintln!("\n*** SKIPPED {name}: {why} ***\n");
        return true;
    }
    false
}

fn lab(nodes: usize) -> Lab {
    Lab::new(nodes).unwrap_or_else(|e| panic!("building the lab: {e}"))
}

fn start(lab: &Lab, i: usize, imp: Impl, conf: &str) -> Daemon {
    lab.node(i)
        .start(imp, conf, &[])
        .unwrap_or_else(|e| panic!("starting node {i}: {e}"))
}

fn now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
}

/// Wait until exactly `want` hold `ip`.
fn wait_holders(lab: &Lab, ip: &str, want: &[usize], timeout: Duration) -> Duration {
    ok(poll_until(
        timeout,
        &format!("exactly nodes {want:?} to hold {ip}"),
        || lab.holders(ip) == want,
        || lab.addr_summary(),
    ))
}

/// Check that exactly `want` keep holding `ip` for `period` (bounded).
fn assert_holders_stay(lab: &Lab, ip: &str, want: &[usize], period: Duration) {
    let r = poll_until(
        period,
        "a change of VIP holders",
        || lab.holders(ip) != want,
        String::new,
    );
    if r.is_ok() {
        panic!(
            "{ip} should have stayed on nodes {want:?}\n{}",
            lab.addr_summary()
        );
    }
}

fn timing(scenario: &str, what: &str, d: Duration) {
    eprintln!("LAB-TIMING {scenario}: {what} {:.3} s", d.as_secs_f64());
}

/// No daemon complained about a received packet (wrong version, auth,
/// interval, TTL, length, checksum, VIP list…): the nodes understood each
/// other's adverts.
fn assert_no_packet_errors(daemons: &[&Daemon]) {
    assert_no_packet_errors_except(daemons, &[]);
}

/// As [`assert_no_packet_errors`], tolerating lines containing one of
/// `expected` (a scenario's deliberate, explained consequence).
fn assert_no_packet_errors_except(daemons: &[&Daemon], expected: &[&str]) {
    for d in daemons {
        let errors: Vec<String> = d
            .packet_errors()
            .into_iter()
            .filter(|l| !expected.iter().any(|e| l.contains(e)))
            .collect();
        assert!(
            errors.is_empty(),
            "node {} ({:?}) logged packet errors:\n{}",
            d.node,
            d.imp,
            errors.join("\n")
        );
    }
}

fn is_advert(f: &Frame, vrid_want: u8) -> bool {
    matches!(f.kind, Kind::Vrrp { vrid, .. } if vrid == vrid_want)
}

fn is_garp(f: &Frame, ip: &str, mac: &str) -> bool {
    matches!(&f.kind, Kind::Garp { ip: g, sender_mac } if g.to_string() == ip && mac_string(sender_mac) == mac)
        && mac_string(&f.src_mac) == mac
}

// ---------------------------------------------------------------- scenarios

/// RFC 3768 6.4.2/6.4.3 and 8.1.1: one master (the higher priority) sends
/// adverts and gratuitous ARPs; when it dies silently the backup takes over
/// after Master_Down_Interval = 3 × Advertisement_Interval + Skew_Time and
/// announces itself with gratuitous ARPs; a returning higher-priority router
/// preempts (6.4.2, Preempt_Mode default true). keepalived: a SIGKILLed
/// daemon leaves its VIP configured; the restarted one removes it at init.
fn sigkill_failover(a: Impl, b: Impl) {
    let lab = lab(2);
    let cap = ok(lab.capture());
    let confs = pair(51, VIP4, Vi::pass_auth);
    let mut d0 = start(&lab, 0, a, &confs[0]);
    let d1 = start(&lab, 1, b, &confs[1]);
    wait_holders(&lab, VIP4, &[0], ELECTION);
    ok(d1.wait_log("(VI_1) Entering BACKUP STATE", ELECTION));

    // Steady state: adverts from node 0 only, v2, PASS, priority 150.
    let steady = now();
    let n0 = lab.node(0).clone();
    ok(cap.wait_frame(
        "two adverts from the master",
        Duration::from_secs(4),
        |_| {
            cap.frames()
                .iter()
                .filter(|f| f.ts > steady && is_advert(f, 51))
                .count()
                >= 2
        },
    ));
    for f in cap
        .frames()
        .iter()
        .filter(|f| f.ts > steady && is_advert(f, 51))
    {
        let Kind::Vrrp {
            src,
            dst,
            ttl,
            version,
            priority,
            auth_type,
            advert_int,
            ref addrs,
            ..
        } = f.kind
        else {
            unreachable!()
        };
        assert_eq!(src.to_string(), n0.ipv4, "advert from the backup: {f:?}");
        assert_eq!(mac_string(&f.src_mac), n0.mac);
        assert_eq!(dst.to_string(), "224.0.0.18");
        assert_eq!(
            (ttl, version, priority, auth_type, advert_int),
            (255, 2, 150, 1, 1),
            "{f:?}"
        );
        assert_eq!(
            addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            [VIP4]
        );
    }
    ok(
        cap.wait_frame("node 0's gratuitous ARP", Duration::from_secs(2), |f| {
            is_garp(f, VIP4, &n0.mac)
        }),
    );
    ok(lab.ping_from_observer(VIP4));

    // Crash the master.
    let killed = now();
    d0.kill_all_sigkill();
    let took = ok(lab.wait_addr(
        1,
        VIP4,
        true,
        Duration::from_secs(3) + Duration::from_secs(1) + MARGIN,
    ));
    timing(
        "sigkill_failover v2 advert_int 1",
        "SIGKILL → backup holds VIP",
        took,
    );
    // It waited for the master-down interval (minus up to one advert
    // interval already elapsed when the master died), not less.
    assert!(
        took >= Duration::from_millis(2500),
        "took over too early: {took:?}"
    );
    let n1 = lab.node(1).clone();
    ok(
        cap.wait_frame("node 1's gratuitous ARP", Duration::from_secs(2), |f| {
            f.ts > killed && is_garp(f, VIP4, &n1.mac)
        }),
    );
    ok(cap.wait_frame("an advert from node 1", Duration::from_secs(2), |f| {
        f.ts > killed
            && matches!(f.kind, Kind::Vrrp { src, priority: 100, vrid: 51, .. } if src.to_string() == n1.ipv4)
    }));
    ok(poll_until(
        Duration::from_secs(2),
        "the observer's neighbour entry for the VIP to point at node 1",
        || lab.observer_neigh(VIP4).as_deref() == Some(n1.mac.as_str()),
        || format!("{:?}", lab.observer_neigh(VIP4)),
    ));
    ok(lab.ping_from_observer(VIP4));

    // The old master returns and preempts.
    let d0 = start(&lab, 0, a, &confs[0]);
    let back = wait_holders(&lab, VIP4, &[0], ELECTION);
    timing(
        "sigkill_failover v2 advert_int 1",
        "restart → old master holds VIP again",
        back,
    );
    ok(d1.wait_log(
        "(VI_1) Master received advert from 192.0.2.10 with higher priority 150, ours 100",
        Duration::from_secs(2),
    ));
    assert_no_packet_errors(&[&d0, &d1]);
}

/// RFC 3768 6.4.3 / RFC 5798 6.4.3: a master shutting down sends an advert
/// with priority 0; the backup then waits only Skew_Time (6.4.2) before
/// taking over. keepalived 2.2.7 logs "(VI_1) sent 0 priority" on the master
/// and, with -D, "(VI_1) Backup received priority 0 advertisement" on the
/// backup, and removes its VIPs before exiting.
fn sigterm_failover(a: Impl, b: Impl) {
    let lab = lab(2);
    let cap = ok(lab.capture());
    let confs = pair(52, VIP4, Vi::pass_auth);
    let mut d0 = start(&lab, 0, a, &confs[0]);
    let d1 = start(&lab, 1, b, &confs[1]);
    wait_holders(&lab, VIP4, &[0], ELECTION);
    ok(d1.wait_log("(VI_1) Entering BACKUP STATE", ELECTION));

    let stopped = now();
    ok(d0.signal(Signal::SIGTERM));
    let took = ok(lab.wait_addr(1, VIP4, true, Duration::from_secs(1) + MARGIN));
    timing(
        "sigterm_failover v2 advert_int 1",
        "SIGTERM → backup holds VIP",
        took,
    );
    ok(d1.wait_log(
        "(VI_1) Backup received priority 0 advertisement",
        Duration::from_secs(1),
    ));
    ok(d0.wait_log("(VI_1) sent 0 priority", Duration::from_secs(1)));
    ok(
        cap.wait_frame("node 0's priority-0 advert", Duration::from_secs(1), |f| {
            f.ts > stopped
                && matches!(
                    f.kind,
                    Kind::Vrrp {
                        priority: 0,
                        vrid: 52,
                        ..
                    }
                )
        }),
    );
    assert_eq!(ok(d0.wait_exit(Duration::from_secs(5))), 0, "exit status");
    assert!(
        !lab.node_has_addr(0, VIP4),
        "the stopped master kept its VIP\n{}",
        lab.addr_summary()
    );
    assert_no_packet_errors(&[&d0, &d1]);
}

/// keepalived `nopreempt` (RFC 3768 6.4.2 Preempt_Mode false): a returning
/// higher-priority router stays backup while a lower-priority master works.
fn nopreempt(a: Impl, b: Impl) {
    let lab = lab(2);
    let confs = [
        config(
            0,
            "",
            &[Vi::new("VI_1", 53, 150).vip(VIP4).with("nopreempt")],
        ),
        config(1, "", &[Vi::new("VI_1", 53, 100).vip(VIP4)]),
    ];
    let mut d0 = start(&lab, 0, a, &confs[0]);
    let d1 = start(&lab, 1, b, &confs[1]);
    wait_holders(&lab, VIP4, &[0], ELECTION);
    ok(d0.signal(Signal::SIGTERM));
    wait_holders(&lab, VIP4, &[1], Duration::from_secs(1) + MARGIN);
    ok(d0.wait_exit(Duration::from_secs(5)));

    let d0 = start(&lab, 0, a, &confs[0]);
    ok(d0.wait_log("(VI_1) Entering BACKUP STATE", Duration::from_secs(3)));
    // Longer than its master-down interval (3.41 s): it would have taken
    // over by now if it preempted.
    assert_holders_stay(&lab, VIP4, &[1], Duration::from_secs(5));
    assert_eq!(d0.log_count("Entering MASTER STATE"), 0);
    assert_no_packet_errors(&[&d0, &d1]);
}

/// keepalived `preempt_delay 3`: a higher-priority router that (re)starts
/// does not preempt a lower-priority master for 3 s. Observed with 2.2.7:
/// the delay starts when the instance enters BACKUP at init ("start
/// preempt delay (3.000000)"); adverts heard during it are accepted (and
/// restart the down timer), later ones are discarded, so it takes over
/// Master_Down_Interval (3.41 s) after the last advert accepted within the
/// delay: 5.4–6.4 s after start, against 3.4 s without preempt_delay.
fn preempt_delay(a: Impl, b: Impl) {
    let lab = lab(2);
    let confs = pair(54, VIP4, |v| v.with("preempt_delay 3"));
    let mut d0 = start(&lab, 0, a, &confs[0]);
    let d1 = start(&lab, 1, b, &confs[1]);
    wait_holders(&lab, VIP4, &[0], ELECTION);
    ok(d0.signal(Signal::SIGTERM));
    wait_holders(&lab, VIP4, &[1], Duration::from_secs(1) + MARGIN);
    ok(d0.wait_exit(Duration::from_secs(5)));

    let d0 = start(&lab, 0, a, &confs[0]);
    let took = wait_holders(
        &lab,
        VIP4,
        &[0],
        Duration::from_millis(6410) + MARGIN + MARGIN,
    );
    timing("preempt_delay 3", "restart → preempted", took);
    assert!(
        took >= Duration::from_millis(5000),
        "preempted before the delay: {took:?}"
    );
    ok(d0.wait_log("start preempt delay", Duration::ZERO));
    ok(d0.wait_log(
        "received lower priority (100) advert from 192.0.2.11 - discarding",
        Duration::ZERO,
    ));
    assert_no_packet_errors(&[&d0, &d1]);
}

/// keepalived unicast mode (unicast_src_ip + unicast_peer, RFC 3768 adverts
/// sent to the peer instead of 224.0.0.18): failover works and nothing is
/// multicast.
fn unicast(a: Impl, b: Impl) {
    let lab = lab(2);
    let cap = ok(lab.capture());
    let (ip0, ip1) = (lab.node(0).ipv4.clone(), lab.node(1).ipv4.clone());
    let uc = |v: Vi, me: &str, peer: &str| {
        v.pass_auth()
            .with(format!("unicast_src_ip {me}"))
            .with(format!("unicast_peer {{\n        {peer}\n    }}"))
    };
    let confs = [
        config(0, "", &[uc(Vi::new("VI_1", 55, 150).vip(VIP4), &ip0, &ip1)]),
        config(1, "", &[uc(Vi::new("VI_1", 55, 100).vip(VIP4), &ip1, &ip0)]),
    ];
    let mut d0 = start(&lab, 0, a, &confs[0]);
    let d1 = start(&lab, 1, b, &confs[1]);
    wait_holders(&lab, VIP4, &[0], ELECTION);
    ok(d1.wait_log("(VI_1) Entering BACKUP STATE", ELECTION));
    d0.kill_all_sigkill();
    let took = ok(lab.wait_addr(1, VIP4, true, Duration::from_secs(4) + MARGIN));
    timing(
        "unicast v2 advert_int 1",
        "SIGKILL → backup holds VIP",
        took,
    );
    let multicast: Vec<Frame> = cap
        .frames()
        .into_iter()
        .filter(|f| matches!(f.kind, Kind::Vrrp { dst, .. } if dst.is_multicast()))
        .collect();
    assert!(
        multicast.is_empty(),
        "multicast adverts in unicast mode: {multicast:?}"
    );
    assert_no_packet_errors(&[&d0, &d1]);
}

/// RFC 5798 (VRRPv3) over IPv4: version 3 adverts with the interval in
/// centiseconds, no authentication; same failover timing rules.
fn v3_ipv4(a: Impl, b: Impl) {
    let lab = lab(2);
    let cap = ok(lab.capture());
    let confs = pair(56, VIP4, |v| v.with("version 3"));
    let mut d0 = start(&lab, 0, a, &confs[0]);
    let d1 = start(&lab, 1, b, &confs[1]);
    wait_holders(&lab, VIP4, &[0], ELECTION);
    ok(d1.wait_log("(VI_1) Entering BACKUP STATE", ELECTION));
    let n0 = lab.node(0).clone();
    // Node 0's: under load a late-starting master lets node 1 win a first,
    // short election, so its adverts may come first in the capture.
    let f = ok(
        cap.wait_frame("a v3 advert from node 0", Duration::from_secs(2), |f| {
            is_advert(f, 56) && mac_string(&f.src_mac) == n0.mac
        }),
    );
    let Kind::Vrrp {
        src,
        version,
        priority,
        advert_int,
        ..
    } = f.kind
    else {
        unreachable!()
    };
    assert_eq!(
        (src.to_string(), version, priority, advert_int),
        (n0.ipv4, 3, 150, 100)
    );
    d0.kill_all_sigkill();
    let took = ok(lab.wait_addr(1, VIP4, true, Duration::from_secs(4) + MARGIN));
    timing("v3_ipv4 advert_int 1", "SIGKILL → backup holds VIP", took);
    assert!(
        took >= Duration::from_millis(2500),
        "took over too early: {took:?}"
    );
    assert_no_packet_errors(&[&d0, &d1]);
}

/// RFC 5798 over IPv6: adverts from the link-local address to ff02::12;
/// a new master sends unsolicited neighbour advertisements for the VIP
/// (RFC 5798 8.2.2 / RFC 4861 7.2.6).
fn v3_ipv6(a: Impl, b: Impl) {
    let lab = lab(2);
    let cap = ok(lab.capture());
    let confs = pair(57, VIP6, |v| v.with("version 3"));
    let mut d0 = start(&lab, 0, a, &confs[0]);
    let d1 = start(&lab, 1, b, &confs[1]);
    wait_holders(&lab, VIP6, &[0], ELECTION);
    ok(d1.wait_log("(VI_1) Entering BACKUP STATE", ELECTION));
    let (n0, n1) = (lab.node(0).clone(), lab.node(1).clone());
    let f = ok(cap.wait_frame(
        "a v3 IPv6 advert from node 0",
        Duration::from_secs(2),
        |f| is_advert(f, 57) && mac_string(&f.src_mac) == n0.mac,
    ));
    let Kind::Vrrp {
        src,
        dst,
        version,
        ttl,
        ref addrs,
        ..
    } = f.kind
    else {
        unreachable!()
    };
    assert_eq!(
        (dst.to_string().as_str(), version, ttl),
        ("ff02::12", 3, 255)
    );
    assert!(
        matches!(src, IpAddr::V6(s) if s.segments()[0] == 0xfe80),
        "source {src} is not link-local"
    );
    assert_eq!(
        addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        [VIP6]
    );
    let na = |mac: String, after: Duration| {
        move |f: &Frame| {
            f.ts > after
                && mac_string(&f.src_mac) == mac
                && matches!(f.kind, Kind::UnsolicitedNa { target, override_flag: true, .. } if target.to_string() == VIP6)
        }
    };
    ok(cap.wait_frame(
        "node 0's unsolicited NA for the VIP",
        Duration::from_secs(2),
        na(n0.mac.clone(), Duration::ZERO),
    ));
    let killed = now();
    d0.kill_all_sigkill();
    let took = ok(lab.wait_addr(1, VIP6, true, Duration::from_secs(4) + MARGIN));
    timing("v3_ipv6 advert_int 1", "SIGKILL → backup holds VIP", took);
    ok(cap.wait_frame(
        "node 1's unsolicited NA for the VIP",
        Duration::from_secs(2),
        na(n1.mac.clone(), killed),
    ));
    ok(lab.ping_from_observer(VIP6));
    assert_no_packet_errors(&[&d0, &d1]);
}

/// keepalived vrrp_script + track_script with a negative weight: a failing
/// check lowers the master's priority (150 − 60 = 90) below the backup's
/// 100, which preempts; when the check passes again the first node
/// preempts back.
fn track_script_weight(a: Impl, b: Impl) {
    let lab = lab(2);
    let flag_dir = tempfile::tempdir().unwrap();
    let flag = flag_dir.path().join("healthy");
    fs::write(&flag, "").unwrap();
    // Run without a shell: the test binary's argument is the file.
    let script = format!(
        "vrrp_script chk {{\n    script \"/usr/bin/test -e {}\"\n    interval 1\n    fall 1\n    rise 1\n    weight -60\n}}\n",
        flag.display()
    );
    let with_chk = |v: Vi| v.with("track_script {\n        chk\n    }");
    let confs = [
        config(0, &script, &[with_chk(Vi::new("VI_1", 58, 150).vip(VIP4))]),
        config(1, "", &[Vi::new("VI_1", 58, 100).vip(VIP4)]),
    ];
    let d0 = start(&lab, 0, a, &confs[0]);
    let d1 = start(&lab, 1, b, &confs[1]);
    wait_holders(&lab, VIP4, &[0], ELECTION);

    fs::remove_file(&flag).unwrap();
    let took = wait_holders(&lab, VIP4, &[1], Duration::from_secs(6) + MARGIN);
    timing(
        "track_script weight -60",
        "check fails → backup holds VIP",
        took,
    );
    ok(d0.wait_log(
        "Changing effective priority from 150 to 90",
        Duration::from_secs(1),
    ));

    fs::write(&flag, "").unwrap();
    let back = wait_holders(&lab, VIP4, &[0], Duration::from_secs(6) + MARGIN);
    timing("track_script weight -60", "check passes → fail back", back);
    ok(d0.wait_log(
        "Changing effective priority from 90 to 150",
        Duration::from_secs(1),
    ));
    assert_no_packet_errors(&[&d0, &d1]);
}

/// keepalived track_interface (and its own interface): the master's link
/// going down puts it in FAULT (VIPs removed); the backup, hearing no more
/// adverts, takes over after Master_Down_Interval. Link up → BACKUP, then
/// the higher priority preempts again.
fn link_down_fault(a: Impl, b: Impl) {
    let lab = lab(2);
    let confs = pair(59, VIP4, |v| {
        v.with("track_interface {\n        eth0\n    }")
    });
    let d0 = start(&lab, 0, a, &confs[0]);
    let d1 = start(&lab, 1, b, &confs[1]);
    wait_holders(&lab, VIP4, &[0], ELECTION);
    ok(lab.link_set(0, false));
    ok(d0.wait_log("(VI_1) Entering FAULT STATE", Duration::from_secs(2)));
    let took = wait_holders(&lab, VIP4, &[1], Duration::from_secs(4) + MARGIN);
    timing(
        "link_down_fault",
        "master link down → backup holds VIP",
        took,
    );
    ok(lab.link_set(0, true));
    ok(d0.wait_log("(VI_1) Entering BACKUP STATE", Duration::from_secs(2)));
    wait_holders(&lab, VIP4, &[0], ELECTION);
    // An advert sent between the link going down and keepalived hearing of
    // it over netlink fails: 2.2.7 logs "(VI_1): send advert error 100
    // (Network is down)" in about one run in four. Expected here.
    assert_no_packet_errors_except(&[&d0, &d1], &["send advert error"]);
}

/// Two instances with opposite priorities (the usual "master-master"
/// load sharing): each node masters one VIP; one node dying moves its VIP
/// to the other, which then holds both.
fn master_master(a: Impl, b: Impl) {
    let lab = lab(2);
    let two = |p1: u8, p2: u8, i: usize| {
        config(
            i,
            "",
            &[
                Vi::new("VI_1", 61, p1).vip(VIP4),
                Vi::new("VI_2", 62, p2).vip(VIP4B),
            ],
        )
    };
    let d0 = start(&lab, 0, a, &two(150, 100, 0));
    let mut d1 = start(&lab, 1, b, &two(100, 150, 1));
    wait_holders(&lab, VIP4, &[0], ELECTION);
    wait_holders(&lab, VIP4B, &[1], ELECTION);
    d1.kill_all_sigkill();
    let took = ok(lab.wait_addr(0, VIP4B, true, Duration::from_secs(4) + MARGIN));
    timing("master_master", "SIGKILL → survivor holds both", took);
    assert!(lab.node_has_addr(0, VIP4));
    assert_no_packet_errors(&[&d0, &d1]);
}

/// keepalived vrrp_sync_group: members change state together. A failing
/// check (weight 0 → FAULT) on one member of node 0 takes the whole group
/// to FAULT, so node 1 becomes master of both instances.
fn sync_group(a: Impl, b: Impl) {
    let lab = lab(2);
    let flag_dir = tempfile::tempdir().unwrap();
    let flag = flag_dir.path().join("healthy");
    fs::write(&flag, "").unwrap();
    let group = "vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n";
    let script = format!(
        "vrrp_script chk {{\n    script \"/usr/bin/test -e {}\"\n    interval 1\n    fall 1\n    rise 1\n}}\n{group}",
        flag.display()
    );
    let confs = [
        config(
            0,
            &script,
            &[
                Vi::new("VI_1", 63, 150)
                    .vip(VIP4)
                    .with("track_script {\n        chk\n    }"),
                Vi::new("VI_2", 64, 150).vip(VIP4B),
            ],
        ),
        config(
            1,
            group,
            &[
                Vi::new("VI_1", 63, 100).vip(VIP4),
                Vi::new("VI_2", 64, 100).vip(VIP4B),
            ],
        ),
    ];
    let d0 = start(&lab, 0, a, &confs[0]);
    let d1 = start(&lab, 1, b, &confs[1]);
    wait_holders(&lab, VIP4, &[0], ELECTION);
    wait_holders(&lab, VIP4B, &[0], ELECTION);
    fs::remove_file(&flag).unwrap();
    ok(d0.wait_log(
        "VRRP_Group(G1) Syncing instances to FAULT state",
        Duration::from_secs(3),
    ));
    let t1 = wait_holders(&lab, VIP4, &[1], Duration::from_secs(5) + MARGIN);
    let t2 = wait_holders(&lab, VIP4B, &[1], Duration::from_secs(1));
    timing("sync_group", "member FAULT → peer holds both", t1 + t2);
    assert_no_packet_errors(&[&d0, &d1]);
}

/// Three routers (RFC 3768 6.4.2: the highest priority wins; on its failure
/// the highest remaining backup does): 150/120/100.
fn three_nodes(a: Impl, b: Impl, c: Impl) {
    let lab = lab(3);
    let conf = |i: usize, p: u8| config(i, "", &[Vi::new("VI_1", 65, p).pass_auth().vip(VIP4)]);
    let mut d0 = start(&lab, 0, a, &conf(0, 150));
    let d1 = start(&lab, 1, b, &conf(1, 120));
    let d2 = start(&lab, 2, c, &conf(2, 100));
    wait_holders(&lab, VIP4, &[0], ELECTION);
    d0.kill_all_sigkill();
    // Node 0 keeps its VIP after SIGKILL; node 1 (skew 0.53 s) must win over
    // node 2 (skew 0.61 s).
    let took = wait_holders(&lab, VIP4, &[0, 1], Duration::from_secs(4) + MARGIN);
    timing("three_nodes", "SIGKILL → second highest holds VIP", took);
    assert_holders_stay(&lab, VIP4, &[0, 1], Duration::from_secs(2));
    assert_eq!(
        d2.log_count("Entering MASTER STATE"),
        0,
        "node 2 became master"
    );
    assert_no_packet_errors(&[&d0, &d1, &d2]);
}

/// The packet-error check is meaningful: peers whose PASS passwords differ
/// (RFC 3768 7.1, the receiver MUST drop the packet) each log the drop
/// ("received an invalid passwd" in 2.2.7), both become master, and
/// [`assert_no_packet_errors`] would flag it.
fn auth_mismatch_is_reported(a: Impl, b: Impl) {
    let lab = lab(2);
    let confs = [
        config(0, "", &[Vi::new("VI_1", 66, 150).pass_auth().vip(VIP4)]),
        config(
            1,
            "",
            &[Vi::new("VI_1", 66, 100)
                .with("authentication {\n        auth_type PASS\n        auth_pass other\n    }")
                .vip(VIP4)],
        ),
    ];
    let d0 = start(&lab, 0, a, &confs[0]);
    let d1 = start(&lab, 1, b, &confs[1]);
    wait_holders(&lab, VIP4, &[0, 1], ELECTION);
    for d in [&d0, &d1] {
        ok(poll_until(
            Duration::from_secs(3),
            &format!("node {} to log a packet error", d.node),
            || !d.packet_errors().is_empty(),
            || d.log_tail(20),
        ));
    }
    ok(d1.wait_log("invalid passwd", Duration::ZERO));
}

/// keepalived `vrrp_track_file`: the file's integer times the weight is
/// added to the priority (here 1 × -60 takes the master below its peer);
/// writing 0 restores it.
fn track_file_weight(a: Impl, b: Impl) {
    let lab = lab(2);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state");
    fs::write(&file, "0\n").unwrap();
    let track = format!(
        "vrrp_track_file tf {{\n    file \"{}\"\n    weight -60\n}}\n",
        file.display()
    );
    let with_tf = |v: Vi| v.with("track_file {\n        tf\n    }");
    let confs = [
        config(0, &track, &[with_tf(Vi::new("VI_1", 59, 150).vip(VIP4))]),
        config(1, "", &[Vi::new("VI_1", 59, 100).vip(VIP4)]),
    ];
    let d0 = start(&lab, 0, a, &confs[0]);
    let d1 = start(&lab, 1, b, &confs[1]);
    wait_holders(&lab, VIP4, &[0], ELECTION);
    fs::write(&file, "1\n").unwrap();
    let took = wait_holders(&lab, VIP4, &[1], Duration::from_secs(6) + MARGIN);
    timing("track_file weight -60", "file 1 → backup holds VIP", took);
    ok(d0.wait_log(
        "Changing effective priority from 150 to 90",
        Duration::from_secs(1),
    ));
    fs::write(&file, "0\n").unwrap();
    let back = wait_holders(&lab, VIP4, &[0], Duration::from_secs(6) + MARGIN);
    timing("track_file weight -60", "file 0 → fail back", back);
    assert_no_packet_errors(&[&d0, &d1]);
}

/// RFC 3768 7.3 / keepalived `use_vmac`: the master's adverts and
/// gratuitous ARPs come from the virtual router MAC 00:00:5e:00:01:VRID
/// (a macvlan `vrrp.VRID` carrying the VIP); after failover the same MAC
/// moves to the backup, so the observer's ARP entry does not change.
fn use_vmac(a: Impl, b: Impl) {
    let lab = lab(2);
    let cap = ok(lab.capture());
    let [c0, c1] = pair(51, VIP4, |v| v.with("use_vmac"));
    let mut d0 = start(&lab, 0, a, &c0);
    let d1 = start(&lab, 1, b, &c1);
    wait_holders(&lab, VIP4, &[0], ELECTION);
    ok(d1.wait_log("(VI_1) Entering BACKUP STATE", ELECTION));
    let vmac = "00:00:5e:00:01:33";
    ok(
        cap.wait_frame("advert from the VMAC", Duration::from_secs(3), |f| {
            is_advert(f, 51) && mac_string(&f.src_mac) == vmac
        }),
    );
    ok(
        cap.wait_frame("GARP from the VMAC", Duration::from_secs(3), |f| {
            is_garp(f, VIP4, vmac)
        }),
    );
    let garps = |cap: &support::lab::Capture| {
        cap.frames()
            .iter()
            .filter(|f| is_garp(f, VIP4, vmac))
            .count()
    };
    let before = garps(&cap);
    d0.kill_all_sigkill();
    let took = ok(lab.wait_addr(1, VIP4, true, Duration::from_secs(4) + MARGIN));
    timing(
        "use_vmac v2 advert_int 1",
        "SIGKILL → backup holds VIP",
        took,
    );
    ok(support::lab::poll_until(
        Duration::from_secs(3),
        "GARPs from the backup's VMAC",
        || garps(&cap) > before,
        || {
            format!(
                "{} GARPs from the VMAC before the kill, {} now",
                before,
                garps(&cap)
            )
        },
    ));
    assert_no_packet_errors(&[&d0, &d1]);
}

/// SMTP alerts to a real mail server (aiosmtpd in the observer, see
/// tests/support/smtp.rs): every node mails each state it enters once, with
/// keepalived's headers and body; with the server gone, failover keeps its
/// usual timing and the failure is logged.
fn smtp_alerts(a: Impl, b: Impl) {
    let lab = lab(2);
    let maildir = tempfile::tempdir().unwrap();
    let mut server = smtp::SmtpServer::start_in(
        &["ip", "netns", "exec", &lab.observer.ns],
        &maildir.path().join("mail"),
        &["--host", &lab.observer.ipv4],
    );
    let port = server.port;
    let conf = |i: usize, prio: u8| {
        let globals = format!(
            "global_defs {{\n    router_id lab-node{i}\n    notification_email {{\n        ops@example.com\n    }}\n    notification_email_from ka{i}@example.com\n    smtp_server {} {}\n    smtp_connect_timeout 3\n    smtp_alert\n}}\n",
            lab.observer.ipv4, port
        );
        globals + &Vi::new("VI_1", 61, prio).vip(VIP4).render()
    };
    let mut d0 = start(&lab, 0, a, &conf(0, 150));
    let d1 = start(&lab, 1, b, &conf(1, 100));
    wait_holders(&lab, VIP4, &[0], ELECTION);
    ok(d1.wait_log("(VI_1) Entering BACKUP STATE", ELECTION));
    // Node 0's MASTER mail must be out before it is killed (keepalived
    // sends it a moment after taking the VIP): three mails by now.
    let before = server.wait_for(3, Duration::from_secs(10));
    assert_eq!(before.len(), 3, "{before:#?}");

    // Crash the master: node 1 takes over (node 0's VIP stays configured
    // after SIGKILL, so only node 1's is watched).
    d0.kill_all_sigkill();
    ok(lab.wait_addr(1, VIP4, true, Duration::from_secs(4) + MARGIN));

    let subject = |i: usize, what: &str| format!("[lab-node{i}] VRRP Instance VI_1 - {what}");
    let (master, backup) = ("Entering MASTER state", "Entering BACKUP state");
    let want = [(0, backup), (0, master), (1, backup), (1, master)];
    let got = server.wait_for(want.len(), Duration::from_secs(10));
    // A duplicate would arrive within a second.
    let late = server.wait_for(want.len() + 1, Duration::from_secs(1));
    assert_eq!(late.len(), want.len(), "{late:#?}");
    let mut per_node: Vec<(usize, String)> = got
        .iter()
        .map(|m| {
            let from = m.header("From").unwrap_or_default();
            let i = usize::from(from == "ka1@example.com");
            (i, m.header("Subject").unwrap_or_default().to_owned())
        })
        .collect();
    per_node.sort_by_key(|(i, _)| *i); // stable: each node's order is kept
    let want_subjects: Vec<(usize, String)> =
        want.iter().map(|(i, w)| (*i, subject(*i, w))).collect();
    assert_eq!(per_node, want_subjects, "{got:#?}");
    for m in &got {
        assert_eq!(m.header("X-Mailer"), Some("Keepalived"));
        assert_eq!(m.header("To"), Some("ops@example.com"));
        assert!(m.header("Date").is_some());
        let body = if m.header("Subject").unwrap().ends_with(master) {
            "=> VRRP Instance is now owning VRRP VIPs <=\r\n\r\n"
        } else {
            "=> VRRP Instance is no longer owning VRRP VIPs <=\r\n\r\n"
        };
        assert_eq!(m.body(), body, "{m:?}");
        eprintln!("----- lab delivered ({})\n{}-----", m.meta, m.raw);
    }

    // The mail server goes away; the old master returns and preempts in
    // the usual time, and the failed delivery is logged.
    server.stop();
    let d0 = start(&lab, 0, a, &conf(0, 150));
    let back = wait_holders(&lab, VIP4, &[0], ELECTION);
    timing("smtp_alerts", "restart without mail server → master", back);
    // Ours logs the refused connection; keepalived 2.2.7 its failed write.
    let failed = |imp: Impl| match imp {
        Impl::Ours => "SMTP connection ERROR to [192.0.2.100]:",
        Impl::Keepalived => "returned write error",
    };
    ok(d0.wait_log(failed(a), Duration::from_secs(5)));
    ok(d1.wait_log(failed(b), Duration::from_secs(5)));
    assert_eq!(server.delivered().len(), got.len());
    assert_no_packet_errors_except(&[&d0, &d1], &[failed(Impl::Ours), failed(Impl::Keepalived)]);
}

// ---------------------------------------------------------------- tests

macro_rules! lab_test {
    ($name:ident, 2) => {
        #[test]
        fn $name() {
            let i = impls(2);
            if !skip(stringify!($name), &i) {
                super::$name(i[0], i[1]);
            }
        }
    };
    ($name:ident, 3) => {
        #[test]
        fn $name() {
            let i = impls(3);
            if !skip(stringify!($name), &i) {
                super::$name(i[0], i[1], i[2]);
            }
        }
    };
}

/// The scenarios with the implementations from `LAB_IMPLS` (default
/// keepalived × keepalived).
mod scenarios {
    use super::*;
    lab_test!(sigkill_failover, 2);
    lab_test!(sigterm_failover, 2);
    lab_test!(nopreempt, 2);
    lab_test!(preempt_delay, 2);
    lab_test!(unicast, 2);
    lab_test!(v3_ipv4, 2);
    lab_test!(v3_ipv6, 2);
    lab_test!(track_script_weight, 2);
    lab_test!(link_down_fault, 2);
    lab_test!(master_master, 2);
    lab_test!(sync_group, 2);
    lab_test!(three_nodes, 3);
    lab_test!(auth_mismatch_is_reported, 2);
    lab_test!(smtp_alerts, 2);
    lab_test!(use_vmac, 2);
    lab_test!(track_file_weight, 2);
}
