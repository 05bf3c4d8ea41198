//! IPVS client against a real IPVS kernel.
//!
//! The build host's kernel has no IPVS, so `vm_runs_guest_suite` boots a
//! throwaway qemu guest (Debian 6.1 kernel, `tests/ipvs_vm/run-in-vm.sh`)
//! once, copies this very test binary in, and runs `guest_suite` there with
//! `IPVS_VM_GUEST=1`. The guest half drives IPVS through `IpvsClient` and
//! checks the result both through our own dump and through `ipvsadm -Ln`.

mod support;

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::process::Command;
use std::time::Instant;

use keepalived::check::ipvs_diff::{IpvsOp, Ours, Table, diff};
use keepalived::proto::ipvs::{
    AF_INET, AF_INET6, Dest, FwdMethod, IPPROTO_TCP, IPPROTO_UDP, SVC_F_PERSISTENT, SVC_F_SCHED1,
    SVC_F_SCHED2, Service, ServiceId, TUN_FLAG_CSUM, TUN_TYPE_GUE, Timeouts,
};
use keepalived::sys::ipvs::{IpvsClient, IpvsError};
use nix::errno::Errno;
use support::vm::{assert_guest_test_passes, in_guest};

// ------------------------------------------------------------------ host half

#[test]
fn host_without_ipvs_reports_protocol_not_available() {
    if in_guest() {
        return;
    }
    if std::path::Path::new("/proc/net/ip_vs").exists() {
        eprintln!("SKIPPED: this host kernel has IPVS; the absent-IPVS path is tested in the VM");
        return;
    }
    let err = IpvsClient::open().expect_err("no IPVS on this host");
    assert!(matches!(err, IpvsError::NotAvailable), "{err:?}");
    assert_eq!(
        err.to_string(),
        "IPVS: Can't initialize ipvs: Protocol not available"
    );
}

#[test]
fn vm_runs_guest_suite() {
    if in_guest() {
        return;
    }
    assert_guest_test_passes(
        "ipvs_kernel",
        &["guest_suite"],
        &[],
        &[],
        &["GUEST SUITE PASSED"],
    );
}

// ----------------------------------------------------------------- guest half

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn ipvsadm(args: &[&str]) -> String {
    let o = Command::new("ipvsadm")
        .args(args)
        .output()
        .expect("ipvsadm in the guest");
    assert!(
        o.status.success(),
        "ipvsadm {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// `ipvsadm -Ln` as a set of whitespace-normalised lines (the kernel's hash
/// order decides service order, so only membership is compared).
fn listing() -> BTreeSet<String> {
    ipvsadm(&["-Ln"])
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn assert_listed(lines: &BTreeSet<String>, want: &[&str]) {
    for w in want {
        assert!(
            lines.contains(*w),
            "ipvsadm -Ln lacks {w:?}; has:\n{lines:#?}"
        );
    }
}

fn tcp(addr: &str, port: u16) -> ServiceId {
    ServiceId::Addr {
        protocol: IPPROTO_TCP,
        addr: ip(addr),
        port,
    }
}

/// The table the cases below converge to: every protocol, family, scheduler
/// and forwarding method keepalived configures.
fn desired() -> Table {
    let mut t = Table::new();
    // TCP/IPv4, wrr, DR real servers
    t.insert(
        Service::new(tcp("192.0.2.1", 80), "wrr"),
        [
            Dest::new(ip("198.51.100.2"), 80, FwdMethod::DRoute, 1),
            Dest::new(ip("198.51.100.3"), 80, FwdMethod::DRoute, 2),
        ],
    );
    // UDP/IPv4, sh with sh-fallback + sh-port, persistent /24, NAT + thresholds
    let mut udp = Service::new(
        ServiceId::Addr {
            protocol: IPPROTO_UDP,
            addr: ip("192.0.2.1"),
            port: 53,
        },
        "sh",
    );
    udp.flags = SVC_F_PERSISTENT | SVC_F_SCHED1 | SVC_F_SCHED2;
    udp.timeout = 300;
    udp.netmask = u32::from_ne_bytes([255, 255, 255, 0]);
    let mut nat = Dest::new(ip("198.51.100.4"), 5353, FwdMethod::Masq, 3);
    nat.u_thresh = 100;
    nat.l_thresh = 10;
    t.insert(udp, [nat]);
    // TCP/IPv6, rr, persistent /64
    let mut v6 = Service::new(tcp("2001:db8::1", 443), "rr");
    v6.flags = SVC_F_PERSISTENT;
    v6.timeout = 60;
    v6.netmask = 64;
    t.insert(
        v6,
        [Dest::new(ip("2001:db8::2"), 443, FwdMethod::DRoute, 1)],
    );
    // fwmark/IPv4, lc, tunnels (GUE with csum, plain IPIP); port 0 as keepalived
    let mut gue = Dest::new(ip("198.51.100.5"), 0, FwdMethod::Tunnel, 4);
    gue.tun_type = TUN_TYPE_GUE;
    gue.tun_port = 6080;
    gue.tun_flags = TUN_FLAG_CSUM;
    t.insert(
        Service::new(
            ServiceId::Fwmark {
                af: AF_INET,
                mark: 7,
            },
            "lc",
        ),
        [gue, Dest::new(ip("198.51.100.6"), 0, FwdMethod::Tunnel, 1)],
    );
    // fwmark/IPv6, wlc, no real servers yet
    t.insert(
        Service::new(
            ServiceId::Fwmark {
                af: AF_INET6,
                mark: 8,
            },
            "wlc",
        ),
        [],
    );
    t
}

/// Applies a diff through the client, recording ownership; returns the ops.
fn converge(c: &mut IpvsClient, want: &Table, ours: &mut Ours) -> Vec<IpvsOp> {
    let have = c.table().expect("dump");
    let ops = diff(want, &have, ours);
    for op in &ops {
        c.apply(op).unwrap_or_else(|e| panic!("{op:?}: {e}"));
        ours.record(op);
    }
    ops
}

#[test]
fn guest_suite() {
    if !in_guest() {
        eprintln!("SKIPPED: guest_suite runs inside the IPVS VM (vm_runs_guest_suite boots it)");
        return;
    }
    let t0 = Instant::now();
    let mut c = IpvsClient::open().expect("IPVS family in the guest");
    let info = c.info().unwrap();
    println!(
        "IPVS {} conn_tab_size {} family {}",
        info.version_string(),
        info.conn_tab_size,
        c.family_id()
    );
    assert!(
        info.version >= 0x010200 && info.conn_tab_size == 4096,
        "{info:?}"
    );
    c.flush().unwrap();
    assert!(c.services().unwrap().is_empty());

    // An administrator's service that is not ours: must survive everything.
    ipvsadm(&["-A", "-t", "192.0.2.9:80", "-s", "rr"]);
    ipvsadm(&[
        "-a",
        "-t",
        "192.0.2.9:80",
        "-r",
        "198.51.100.9:80",
        "-g",
        "-w",
        "7",
    ]);

    // 1. create everything from an empty table
    let mut ours = Ours::default();
    let want = desired();
    let ops = converge(&mut c, &want, &mut ours);
    assert_eq!(ops.len(), 5 + 6, "{ops:#?}");
    assert!(
        diff(&want, &c.table().unwrap(), &ours).is_empty(),
        "converged"
    );
    // One service by identity (the checker's per-service sync): what the
    // dump says, and None (the kernel's ESRCH) for services it has not.
    for s in c.services().unwrap() {
        assert_eq!(c.service(&s.id).unwrap(), Some(s));
    }
    for absent in [
        ServiceId::Addr {
            protocol: IPPROTO_TCP,
            addr: ip("192.0.2.200"),
            port: 80,
        },
        ServiceId::Fwmark {
            af: AF_INET6,
            mark: 7,
        },
    ] {
        assert_eq!(c.service(&absent).unwrap(), None, "{absent}");
    }
    let l = listing();
    assert_listed(
        &l,
        &[
            "TCP 192.0.2.1:80 wrr",
            "-> 198.51.100.2:80 Route 1 0 0",
            "-> 198.51.100.3:80 Route 2 0 0",
            "UDP 192.0.2.1:53 sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0",
            "-> 198.51.100.4:5353 Masq 3 0 0",
            "TCP [2001:db8::1]:443 rr persistent 60 mask 64",
            "-> [2001:db8::2]:443 Route 1 0 0",
            "FWM 7 lc",
            "-> 198.51.100.5:0 Tunnel 4 0 0",
            "-> 198.51.100.6:0 Tunnel 1 0 0",
            "FWM 8 IPv6 wlc",
            "TCP 192.0.2.9:80 rr",
            "-> 198.51.100.9:80 Route 7 0 0",
        ],
    );
    // thresholds and tunnel details, as ipvsadm shows them
    let thresholds = ipvsadm(&["-Ln", "--thresholds", "-u", "192.0.2.1:53"]);
    assert!(
        thresholds
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("-> 198.51.100.4:5353 100 10"),
        "{thresholds}"
    );
    let tun = ipvsadm(&["-Ln", "--tun-info", "-f", "7"]);
    let tun: Vec<String> = tun
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(
        tun.contains(&"-> 198.51.100.5:0 Tunnel gue:6080:+c 4 0 0".to_string()),
        "{tun:#?}"
    );
    assert!(
        tun.contains(&"-> 198.51.100.6:0 Tunnel ipip 1 0 0".to_string()),
        "{tun:#?}"
    );

    // our own dump decodes what ipvsadm created, too
    let admin = c.dests(&tcp("192.0.2.9", 80)).unwrap();
    assert_eq!(admin.len(), 1);
    assert_eq!(
        (admin[0].weight, admin[0].fwd_method),
        (7, FwdMethod::DRoute)
    );

    // 2. weight change, real server down, another up, scheduler change
    let mut want2 = desired();
    let (svc, dests) = want2.services.get_mut(&tcp("192.0.2.1", 80)).unwrap();
    svc.sched_name = "wlc".into();
    dests.get_mut(&(ip("198.51.100.2"), 80)).unwrap().weight = 0; // inhibit_on_failure
    dests.remove(&(ip("198.51.100.3"), 80));
    let up = Dest::new(ip("198.51.100.7"), 80, FwdMethod::DRoute, 5);
    dests.insert((up.addr, up.port), up);
    let ops = converge(&mut c, &want2, &mut ours);
    let kinds: Vec<&str> = ops
        .iter()
        .map(|o| match o {
            IpvsOp::AddService(_) => "add-svc",
            IpvsOp::EditService(_) => "edit-svc",
            IpvsOp::AddDest(..) => "add-rs",
            IpvsOp::EditDest(..) => "edit-rs",
            IpvsOp::DelDest(..) => "del-rs",
            IpvsOp::DelService(_) => "del-svc",
        })
        .collect();
    assert_eq!(kinds, ["edit-svc", "add-rs", "edit-rs", "del-rs"]);
    let l = listing();
    assert_listed(
        &l,
        &[
            "TCP 192.0.2.1:80 wlc",
            "-> 198.51.100.2:80 Route 0 0 0",
            "-> 198.51.100.7:80 Route 5 0 0",
        ],
    );
    assert!(!l.iter().any(|x| x.contains("198.51.100.3")), "{l:#?}");
    assert!(diff(&want2, &c.table().unwrap(), &ours).is_empty());

    // 3. kernel errors come back with the errno and the operation
    let dup = c
        .add_service(&Service::new(tcp("192.0.2.1", 80), "rr"))
        .unwrap_err();
    assert_eq!(dup.errno(), Some(Errno::EEXIST), "{dup}");
    assert!(dup.to_string().starts_with("IPVS: add service: "), "{dup}");
    let twos = c
        .add_service(&Service::new(tcp("192.0.2.2", 80), "twos"))
        .unwrap_err();
    assert_eq!(twos.errno(), Some(Errno::ENOENT), "{twos}");
    let gone = c.del_service(&tcp("192.0.2.3", 80)).unwrap_err();
    assert_eq!(gone.errno(), Some(Errno::ESRCH), "{gone}");

    // 4. timeouts (lvs_timeouts)
    let t = Timeouts {
        tcp: 900,
        tcp_fin: 120,
        udp: 300,
    };
    c.set_timeouts(&t).unwrap();
    assert_eq!(c.timeouts().unwrap(), t);
    assert!(ipvsadm(&["-L", "--timeout"]).contains("900 120 300"));

    // 5. the configuration empties: only our services go, the admin's stays
    let ops = converge(&mut c, &Table::new(), &mut ours);
    assert_eq!(ops.len(), 5);
    assert!(ops.iter().all(|o| matches!(o, IpvsOp::DelService(_))));
    let left = c.services().unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, tcp("192.0.2.9", 80));
    assert_eq!(ours, Ours::default());

    // 6. flush, then IPVS absent: modules unloaded and autoload disabled
    c.flush().unwrap();
    assert!(c.services().unwrap().is_empty());
    drop(c);
    std::fs::write("/proc/sys/kernel/modprobe", "/bin/false\n").unwrap();
    let rm = Command::new("sh")
        .arg("-c")
        .arg("for m in $(lsmod | awk '/^ip_vs_/{print $1}'); do rmmod $m; done; rmmod ip_vs")
        .status()
        .unwrap();
    assert!(rm.success(), "rmmod ip_vs");
    let err = IpvsClient::open().unwrap_err();
    assert!(matches!(err, IpvsError::NotAvailable), "{err:?}");
    println!("GUEST SUITE PASSED in {:.1?}", t0.elapsed());
}
