//! `lvs_sync_daemon IF VRRP_INSTANCE` and `omega` at shutdown against a real
//! IPVS kernel, ours and Debian's keepalived 2.2.7 side by side, in one qemu
//! guest boot (`tests/ipvs_vm/run-in-vm.sh`, as `checker_vm.rs`).
//!
//! Sync daemon: one VRRP instance alone on a dummy interface becomes MASTER
//! after its master-down time; the kernel must then run only the master
//! sync daemon (`ipvsadm -L --daemon`); its tracked interface going down
//! (FAULT) must swap it for the backup daemon, coming back (MASTER again)
//! swap it back, and SIGTERM stop it. keepalived 2.2.7 runs the same steps
//! first and must show the same daemons, so the test cannot pass against a
//! wrong expectation. Ours then also reloads with a new sync id.
//!
//! Omega: a `quorum_down` script that sleeps 30 s must not hold SIGTERM:
//! keepalived's checker gives each omega script 1 s (a tracked child with
//! `child_killed_thread` as its timeout) and then SIGKILLs its process
//! group. For both daemons the script must be seen alive for about 1 s
//! (0.5 to 1.5 s) during the stop, be dead when the daemon has exited,
//! and the stop take less than 5 s.

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use support::vm::{GuestDaemon, assert_guest_test_passes, guest_bins, in_guest, sh, wait_for};

#[test]
fn vm_runs_sync_suite() {
    if in_guest() {
        return;
    }
    let ka = env!("CARGO_BIN_EXE_keepalived");
    let (bins, _) = guest_bins(ka, "keepalived 2.2.7 half");
    assert_guest_test_passes(
        "lvs_sync_vm",
        &["guest_sync_suite"],
        &bins,
        &["--timeout", "240"],
        &["SYNC DAEMON PASSED", "OMEGA PASSED"],
    );
}

// ----------------------------------------------------------------- guest half

/// The running sync daemons as "ROLE mcast=IF syncid=N", from
/// `ipvsadm -L --daemon` ("master sync daemon (mcast=d0, syncid=7, ...)").
fn daemons() -> Vec<String> {
    let mut v: Vec<String> = sh("ipvsadm -L --daemon")
        .lines()
        .filter_map(|l| {
            let role = l.split_whitespace().next()?;
            let inner = l.split_once('(')?.1.trim_end_matches(')');
            let f: Vec<&str> = inner.split(", ").take(2).collect();
            Some(format!("{role} {}", f.join(" ")))
        })
        .collect();
    v.sort();
    v
}

const VRRP_CONF: &str = "
global_defs {
    lvs_sync_daemon d0 VI_1 id 7
}
vrrp_instance VI_1 {
    state BACKUP
    interface d0
    virtual_router_id 51
    priority 100
    advert_int 1
    track_interface {
        d1
    }
    virtual_ipaddress {
        192.0.2.100/32
    }
}
";

/// The sync daemon steps for one daemon binary; returns its log.
fn sync_steps(bin: &str, tag: &str, reload: bool) -> String {
    assert!(daemons().is_empty(), "left over: {:?}", daemons());
    std::fs::write("/tmp/sync.conf", VRRP_CONF).unwrap();
    let mut d = GuestDaemon::start(bin, tag, "-P", "/tmp/sync.conf");
    let master = ["master mcast=d0 syncid=7".to_string()];
    let backup = ["backup mcast=d0 syncid=7".to_string()];
    // master-down time 3 × 1 s + skew, plus the start (slow under TCG).
    wait_for(
        &format!("{tag}: master daemon once MASTER"),
        Duration::from_secs(30),
        || daemons() == master && d.log().contains("Entering MASTER STATE"),
        || format!("{:?}\n{}", daemons(), d.log()),
    );
    sh("ip link set d1 down");
    wait_for(
        &format!("{tag}: backup daemon in FAULT"),
        Duration::from_secs(10),
        || daemons() == backup,
        || format!("{:?}\n{}", daemons(), d.log()),
    );
    sh("ip link set d1 up");
    wait_for(
        &format!("{tag}: master daemon again"),
        Duration::from_secs(20),
        || daemons() == master,
        || format!("{:?}\n{}", daemons(), d.log()),
    );
    if reload {
        // A reload that changes the sync id restarts the master daemon with
        // it (keepalived 2.2.7 sends that start without the settings, which
        // the kernel refuses, and is left without a daemon: not compared).
        std::fs::write("/tmp/sync.conf", VRRP_CONF.replace("id 7", "id 8")).unwrap();
        d.signal(Signal::SIGHUP);
        wait_for(
            &format!("{tag}: master daemon with the new sync id"),
            Duration::from_secs(10),
            || daemons() == ["master mcast=d0 syncid=8".to_string()],
            || format!("{:?}\n{}", daemons(), d.log()),
        );
    }
    let st = d.stop(Duration::from_secs(20));
    assert!(st.success(), "exit {st:?}\n{}", d.log());
    assert!(daemons().is_empty(), "{tag} left {:?}", daemons());
    d.log()
}

const OMEGA_CONF: &str = "
virtual_server 192.0.2.200 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    omega
    quorum 1
    quorum_down /tmp/qdown.sh
    real_server 127.0.0.2 8080 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
";

/// Whether `pid` is gone (or a zombie nobody reaped yet).
fn dead(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(s) => s
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

/// The omega steps for one daemon binary with a quorum_down that sleeps
/// 30 s: (SIGTERM to exit, how long the script was seen alive).
fn omega_steps(bin: &str, tag: &str) -> (Duration, Duration) {
    let _ = std::fs::remove_file("/tmp/qdown.pid");
    std::fs::write(
        "/tmp/qdown.sh",
        "#!/bin/sh\necho $$ > /tmp/qdown.pid\nexec sleep 30\n",
    )
    .unwrap();
    sh("chmod 755 /tmp/qdown.sh");
    let mut d = GuestDaemon::start(bin, tag, "-C", "/tmp/omega.conf");
    wait_for(
        &format!("{tag}: real server in IPVS"),
        Duration::from_secs(30),
        || sh("ipvsadm -Ln").contains("127.0.0.2:8080"),
        || format!("{}\n{}", sh("ipvsadm -Ln"), d.log()),
    );
    // The checker is running (the server is up from the start, no alpha;
    // quorum_down runs at stop whatever the quorum).
    wait_for(
        &format!("{tag}: checker started"),
        Duration::from_secs(10),
        || {
            d.log()
                .contains("Activating healthchecker for service [127.0.0.2]:tcp:8080")
        },
        || d.log(),
    );
    // SIGTERM, then watch the script while the daemon stops: when its pid
    // file appears and until when it is alive.
    d.signal(Signal::SIGTERM);
    let t0 = Instant::now();
    let (mut pid, mut first, mut last) = (None::<i32>, None::<Instant>, None::<Instant>);
    let took = loop {
        if pid.is_none() {
            pid = std::fs::read_to_string("/tmp/qdown.pid")
                .ok()
                .filter(|s| s.ends_with('\n'))
                .and_then(|s| s.trim().parse().ok());
        }
        if pid.is_some_and(|p| !dead(p)) {
            let now = Instant::now();
            first.get_or_insert(now);
            last = Some(now);
        }
        if let Some(st) = d.child.try_wait().unwrap() {
            assert!(st.success(), "{tag}: exit {st:?}\n{}", d.log());
            break t0.elapsed();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "{tag}: did not stop:\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let pid = pid.unwrap_or_else(|| panic!("{tag}: quorum_down did not run:\n{}", d.log()));
    let alive = match (first, last) {
        (Some(f), Some(l)) => l - f,
        _ => Duration::ZERO,
    };
    eprintln!("[guest] {tag}: SIGTERM to exit {took:.1?}, quorum_down alive {alive:.1?}");
    // Killed by the time the daemon exited (a zombie of init's at most).
    wait_for(
        &format!("{tag}: quorum_down killed"),
        Duration::from_millis(500),
        || dead(pid),
        || format!("pid {pid} still running"),
    );
    assert!(
        sh("ipvsadm -Ln")
            .lines()
            .all(|l| !l.contains("192.0.2.200"))
    );
    (took, alive)
}

#[test]
fn guest_sync_suite() {
    if !in_guest() {
        return;
    }
    sh("ip link add d0 type dummy && ip link set d0 multicast on \
        && ip addr add 192.0.2.1/24 dev d0 && ip link set d0 up");
    sh("ip link add d1 type dummy && ip link set d1 up");
    let reference = std::path::Path::new("/vm/bin/keepalived-2.2.7").exists();
    if reference {
        let log = sync_steps("/vm/bin/keepalived-2.2.7", "ka", false);
        eprintln!("[guest] keepalived 2.2.7 IPVS lines:");
        for l in log
            .lines()
            .filter(|l| l.contains("IPVS") || l.contains("ipvs"))
        {
            eprintln!("  {l}");
        }
    }
    let log = sync_steps("/vm/bin/keepalived", "ours", true);
    eprintln!("[guest] our IPVS lines:");
    for l in log
        .lines()
        .filter(|l| l.contains("IPVS") || l.contains("ipvs"))
    {
        eprintln!("  {l}");
    }
    assert!(
        !log.contains("IPVS cmd"),
        "a sync daemon command failed:\n{log}"
    );
    println!("SYNC DAEMON PASSED");

    std::fs::write("/tmp/omega.conf", OMEGA_CONF).unwrap();
    let _rs = TcpListener::bind("127.0.0.2:8080").unwrap();
    // keepalived gives an omega script 1 s, then SIGKILLs its process
    // group: the script lives about 1 s and holds the stop no longer.
    let bound = |tag: &str, (took, alive): (Duration, Duration)| {
        assert!(
            alive > Duration::from_millis(500) && alive < Duration::from_millis(1500),
            "{tag}: quorum_down lived {alive:?}, not about 1 s"
        );
        assert!(took < Duration::from_secs(5), "{tag}: stop took {took:?}");
    };
    if reference {
        bound(
            "keepalived 2.2.7",
            omega_steps("/vm/bin/keepalived-2.2.7", "ka-omega"),
        );
    }
    bound("ours", omega_steps("/vm/bin/keepalived", "ours-omega"));
    println!("OMEGA PASSED");
}
