//! The checker child's global LVS options and FILE_CHECK / PING_CHECK /
//! ha_suspend / omega against a real IPVS kernel, in one qemu guest boot
//! (`tests/ipvs_vm/run-in-vm.sh`, as `checker_vm.rs`): `lvs_flush` removes a
//! foreign service at start, `lvs_timeouts` and `lvs_sync_daemon` reach the
//! kernel (and a reload without `lvs_timeouts` restores the kernel's
//! values), a FILE_CHECK's file value moves a weight and faults a server,
//! an `ha_suspend` virtual server's checker waits for its address, and at
//! stop `lvs_flush_on_stop` empties the table, the sync daemons stop and
//! `omega` runs `quorum_down` (not `notify_down`: the table is flushed).
//!
//! `guest_reload_removal_lines` (same boot): what a reload says of what it
//! takes away — a virtual server gone, a group's entries gone, a sorry
//! server changed — line for line and in order as keepalived 2.2.7 says it.
//!
//! `guest_duplicate_virtual_servers` (same boot): two `virtual_server`
//! blocks for one service make the table keepalived 2.2.7 makes of them,
//! through each one's real server failing and returning and reloads that
//! drop one block or the other; and a group whose range covers a plain
//! virtual server's address.
//!
//! `guest_misc_stop` (same boot): a MISC_CHECK script still running when
//! the daemon gets SIGTERM is ended with its whole process group, as
//! keepalived 2.2.7 does (SIGTERM to the group at the start of the stop,
//! SIGKILL 1 s later); keepalived runs the same steps first.

mod support;

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use support::procs::group_members;
use support::vm::{
    GuestDaemon, assert_guest_test_passes, guest_bins, in_guest, listen, sh, wait_for,
};

#[test]
fn vm_runs_checker_options_suite() {
    if in_guest() {
        return;
    }
    let ka = env!("CARGO_BIN_EXE_keepalived");
    let (bins, _) = guest_bins(ka, "keepalived 2.2.7 half of guest_misc_stop");
    assert_guest_test_passes(
        "checker_vm_options",
        &[
            "guest_options_suite",
            "guest_misc_stop",
            "guest_reload_removal_lines",
            "guest_duplicate_virtual_servers",
        ],
        &bins,
        &["--timeout", "240"],
        &[
            "OPTIONS SUITE PASSED",
            "MISC STOP PASSED",
            "RELOAD LINES PASSED",
            "DUPLICATE VS PASSED",
        ],
    );
}

// ----------------------------------------------------------------- guest half

fn norm(s: &str) -> Vec<String> {
    s.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

/// Services and destinations in `ipvsadm -Ln`, whitespace-normalised.
fn table() -> BTreeSet<String> {
    norm(&sh("ipvsadm -Ln"))
        .into_iter()
        .filter(|l| l.starts_with("TCP ") || (l.starts_with("-> ") && !l.contains("RemoteAddress")))
        .collect()
}

fn wait_table(want: &[&str], limit: Duration, what: &str) {
    let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
    wait_for(
        what,
        limit,
        || table() == want,
        || format!("{:#?}", table()),
    );
}

const CONF: &str = "
global_defs {
    lvs_flush
    lvs_flush_on_stop
    lvs_timeouts tcp 900 tcpfin 30 udp 60
    lvs_sync_daemon d0 id 5
}
track_file tf {
    file /tmp/weight
    weight 1
}
virtual_server 192.0.2.100 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    omega
    quorum_down /tmp/qdown.sh
    real_server 127.0.0.2 8080 {
        weight 1
        notify_down /tmp/down.sh
        FILE_CHECK {
            track_file tf
            weight 2
        }
    }
    real_server 127.0.0.4 8080 {
        PING_CHECK { connect_timeout 1 retry 0 }
    }
}
virtual_server 192.0.2.101 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    ha_suspend
    real_server 127.0.0.3 8080 {
        TCP_CHECK { connect_timeout 1 retry 0 }
    }
}
";

#[test]
fn guest_options_suite() {
    if !in_guest() {
        return;
    }
    sh("ip link add d0 type dummy && ip link set d0 multicast on && ip link set d0 up");
    sh("ipvsadm -A -t 198.51.100.50:80 -s rr");
    std::fs::write("/tmp/weight", "3\n").unwrap();
    std::fs::write("/tmp/ka.conf", CONF).unwrap();
    std::fs::write("/tmp/down.sh", "#!/bin/sh\necho down > /tmp/omega\n").unwrap();
    std::fs::write("/tmp/qdown.sh", "#!/bin/sh\necho qdown > /tmp/omega-q\n").unwrap();
    sh("chmod 755 /tmp/down.sh /tmp/qdown.sh");
    let _keep = TcpListener::bind("127.0.0.2:8080").unwrap();
    let mut d = GuestDaemon::start("keepalived", "ka", "-C", "/tmp/ka.conf");
    // lvs_flush removed 198.51.100.50; FILE_CHECK: 1 + 3 * 2 = 7; the
    // ha_suspend VS's checker is suspended, so its dead server stays.
    let start = [
        "TCP 192.0.2.100:80 rr",
        "-> 127.0.0.2:8080 Masq 7 0 0",
        "-> 127.0.0.4:8080 Masq 1 0 0",
        "TCP 192.0.2.101:80 rr",
        "-> 127.0.0.3:8080 Masq 1 0 0",
    ];
    // Under TCG a debug daemon takes seconds to start.
    wait_table(&start, Duration::from_secs(30), "startup");
    assert_eq!(
        norm(&sh("ipvsadm -L --timeout")),
        ["Timeout (tcp tcpfin udp): 900 30 60"]
    );
    let daemons = norm(&sh("ipvsadm -L --daemon"));
    assert!(
        daemons
            .iter()
            .any(|l| l.starts_with("master sync daemon (mcast=d0, syncid=5"))
            && daemons
                .iter()
                .any(|l| l.starts_with("backup sync daemon (mcast=d0, syncid=5")),
        "{daemons:?}"
    );
    // PING_CHECK keeps 127.0.0.4 (loopback answers) past its first runs.
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(table(), start.iter().map(|s| s.to_string()).collect());
    // The file value moves the weight, then faults the server; the file's
    // directory is watched (inotify), and ha_suspend (below) follows the
    // kernel's address events: neither is polled.
    for polled in [
        "Cannot watch track files",
        "Cannot monitor interfaces through netlink",
    ] {
        assert!(!d.log().contains(polled), "{}", d.log());
    }
    std::fs::write("/tmp/weight", "5\n").unwrap();
    wait_table(
        &[
            "TCP 192.0.2.100:80 rr",
            "-> 127.0.0.2:8080 Masq 11 0 0",
            "-> 127.0.0.4:8080 Masq 1 0 0",
            "TCP 192.0.2.101:80 rr",
            "-> 127.0.0.3:8080 Masq 1 0 0",
        ],
        Duration::from_secs(8),
        "file weight 5",
    );
    std::fs::write("/tmp/weight", "-1073741824\n").unwrap();
    wait_table(
        &[
            "TCP 192.0.2.100:80 rr",
            "-> 127.0.0.4:8080 Masq 1 0 0",
            "TCP 192.0.2.101:80 rr",
            "-> 127.0.0.3:8080 Masq 1 0 0",
        ],
        Duration::from_secs(8),
        "file fault",
    );
    std::fs::write("/tmp/weight", "0\n").unwrap();
    // ha_suspend: the VS address arrives, the checker runs and finds
    // nothing listening.
    sh("ip addr add 192.0.2.101/32 dev d0");
    wait_table(
        &[
            "TCP 192.0.2.100:80 rr",
            "-> 127.0.0.2:8080 Masq 1 0 0",
            "-> 127.0.0.4:8080 Masq 1 0 0",
            "TCP 192.0.2.101:80 rr",
        ],
        Duration::from_secs(10),
        "ha_suspend resumed, file back to 0",
    );
    // A reload without lvs_timeouts puts the kernel's own values back.
    let orig = norm(&sh("ipvsadm -L --timeout"));
    assert_eq!(orig, ["Timeout (tcp tcpfin udp): 900 30 60"]);
    std::fs::write(
        "/tmp/ka.conf",
        CONF.replace("lvs_timeouts tcp 900 tcpfin 30 udp 60", ""),
    )
    .unwrap();
    d.signal(nix::sys::signal::Signal::SIGHUP);
    wait_for(
        "timeouts restored at reload",
        Duration::from_secs(10),
        || norm(&sh("ipvsadm -L --timeout")) == ["Timeout (tcp tcpfin udp): 900 120 300"],
        || sh("ipvsadm -L --timeout"),
    );
    // The parent logs the end of the reload once the checker child is
    // done; a SIGTERM is only sent then.
    wait_for(
        "reload complete",
        Duration::from_secs(10),
        || d.log().contains("Reload complete"),
        || d.log(),
    );
    // A foreign service added now goes with lvs_flush_on_stop.
    sh("ipvsadm -A -t 198.51.100.51:80 -s rr");
    // (notify_down ran when the file faulted the server.)
    let _ = std::fs::remove_file("/tmp/omega");
    let status = d.stop(Duration::from_secs(10));
    assert!(status.success(), "keepalived exit {status:?}");
    assert!(table().is_empty(), "left behind: {:#?}", table());
    assert!(norm(&sh("ipvsadm -L --daemon")).is_empty(), "daemons left");
    // omega with lvs_flush_on_stop: keepalived's clear_services() flushes
    // and runs only each virtual server's quorum_down (before it exits),
    // no real server's notify_down.
    assert_eq!(
        std::fs::read_to_string("/tmp/omega-q").ok().as_deref(),
        Some("qdown\n"),
        "omega quorum_down"
    );
    assert!(
        !std::path::Path::new("/tmp/omega").exists(),
        "notify_down ran at stop despite lvs_flush_on_stop"
    );
    print!("{}", d.log());
    println!("OPTIONS SUITE PASSED");
}

const MISC_CONF: &str = "
virtual_server 192.0.2.110 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 127.0.0.7 8080 {
        MISC_CHECK {
            misc_path /tmp/misc.sh
            misc_timeout 60
        }
    }
}
";

/// One daemon binary: start it with a MISC_CHECK whose script (a shell
/// that runs `sleep 30`, signals left at their defaults) is running,
/// SIGTERM it, and return (how long until the script's process group was
/// empty, how long until the daemon exited).
fn misc_stop_steps(bin: &str, tag: &str) -> (Option<Duration>, Duration) {
    let (mut d, pgid) = start_misc(bin, tag);
    d.signal(nix::sys::signal::Signal::SIGTERM);
    let t0 = Instant::now();
    let (mut gone, mut took) = (None, None);
    while gone.is_none() || took.is_none() {
        if gone.is_none() && group_members(pgid).is_empty() {
            gone = Some(t0.elapsed());
        }
        if took.is_none() {
            if let Some(st) = d.child.try_wait().unwrap() {
                assert!(st.success(), "{tag}: exit {st:?}\n{}", d.log());
                took = Some(t0.elapsed());
            }
        }
        // The script sleeps 30 s: past 5 s it was not killed.
        if t0.elapsed() > Duration::from_secs(5) && took.is_some() {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "{tag}: did not stop:\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let left = group_members(pgid);
    // Leave nothing for the next daemon's run (nor the next test).
    let _ = nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(pgid),
        nix::sys::signal::Signal::SIGKILL,
    );
    let took = took.unwrap();
    eprintln!(
        "[guest] {tag}: SIGTERM to exit {took:.1?}, script group empty after {gone:.1?}, left {left:?}"
    );
    (gone, took)
}

/// One daemon binary, as [`misc_stop_steps`] but SIGHUP: how long until
/// the script's process group was empty (keepalived's reload SIGTERMs
/// running scripts too), the daemon still running after it.
fn misc_reload_steps(bin: &str, tag: &str) -> Option<Duration> {
    let (mut d, pgid) = start_misc(bin, tag);
    let _ = std::fs::remove_file("/tmp/misc.pid");
    d.signal(nix::sys::signal::Signal::SIGHUP);
    let t0 = Instant::now();
    let mut gone = None;
    while gone.is_none() && t0.elapsed() < Duration::from_secs(5) {
        if group_members(pgid).is_empty() {
            gone = Some(t0.elapsed());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(pgid),
        nix::sys::signal::Signal::SIGKILL,
    );
    assert!(
        d.child.try_wait().unwrap().is_none(),
        "{tag}: the daemon exited at reload:\n{}",
        d.log()
    );
    d.stop(Duration::from_secs(10));
    eprintln!("[guest] {tag}: SIGHUP, script group empty after {gone:.1?}");
    gone
}

/// Starts `bin` on the MISC_CHECK configuration and waits until its script
/// runs; returns the daemon and the script's process group.
fn start_misc(bin: &str, tag: &str) -> (GuestDaemon, i32) {
    let _ = std::fs::remove_file("/tmp/misc.pid");
    let d = GuestDaemon::start(bin, tag, "-C", "/tmp/misc.conf");
    let mut pgid = 0;
    // The first check starts within delay_loop; a debug build under TCG
    // takes seconds to start.
    wait_for(
        &format!("{tag}: MISC_CHECK script running"),
        Duration::from_secs(30),
        || {
            pgid = std::fs::read_to_string("/tmp/misc.pid")
                .ok()
                .filter(|s| s.ends_with('\n'))
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0);
            // The shell and its sleep.
            pgid != 0 && group_members(pgid).len() >= 2
        },
        || d.log(),
    );
    (d, pgid)
}

#[test]
fn guest_misc_stop() {
    if !in_guest() {
        return;
    }
    std::fs::write("/tmp/misc.conf", MISC_CONF).unwrap();
    std::fs::write(
        "/tmp/misc.sh",
        "#!/bin/sh\necho $$ > /tmp/misc.pid\nsleep 30\n",
    )
    .unwrap();
    sh("chmod 755 /tmp/misc.sh");
    // keepalived SIGTERMs the script's group at once and SIGKILLs it 1 s
    // later: it is gone well within 2 s, and the stop is not held up.
    let bound = |tag: &str, (gone, took): (Option<Duration>, Duration)| {
        let gone = gone.unwrap_or_else(|| panic!("{tag}: the MISC_CHECK script outlived the stop"));
        assert!(
            gone < Duration::from_secs(2),
            "{tag}: script gone after {gone:?}"
        );
        assert!(took < Duration::from_secs(5), "{tag}: stop took {took:?}");
    };
    if std::path::Path::new("/vm/bin/keepalived-2.2.7").exists() {
        bound(
            "keepalived 2.2.7",
            misc_stop_steps("/vm/bin/keepalived-2.2.7", "ka-misc"),
        );
    }
    bound("ours", misc_stop_steps("/vm/bin/keepalived", "ours-misc"));
    // A reload SIGTERMs the running scripts too (SIGKILL 1 s later) and
    // goes on.
    let reload_bound = |tag: &str, gone: Option<Duration>| {
        let gone =
            gone.unwrap_or_else(|| panic!("{tag}: the MISC_CHECK script outlived the reload"));
        assert!(
            gone < Duration::from_secs(2),
            "{tag}: script gone after {gone:?}"
        );
    };
    if std::path::Path::new("/vm/bin/keepalived-2.2.7").exists() {
        reload_bound(
            "keepalived 2.2.7",
            misc_reload_steps("/vm/bin/keepalived-2.2.7", "ka-misc-hup"),
        );
    }
    reload_bound(
        "ours",
        misc_reload_steps("/vm/bin/keepalived", "ours-misc-hup"),
    );
    println!("MISC STOP PASSED");
}

/// Before the reload: VS .80, group G3 (a range, an address, a fwmark),
/// VS .84 whose one server is down (nothing listens), so its sorry server
/// stands in, and VS .86, the same with `sorry_server_inhibit`.
const RELOAD_BEFORE: &str = "
virtual_server 192.0.2.80 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 127.0.0.2 8080 {
        TCP_CHECK { connect_timeout 1 }
    }
}
virtual_server_group G3 {
    192.0.2.81-82 80
    192.0.2.83 80
    fwmark 13
}
virtual_server group G3 {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 127.0.0.2 8080 {
        TCP_CHECK { connect_timeout 1 }
    }
}
virtual_server 192.0.2.84 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    sorry_server 127.0.0.9 8080
    real_server 127.0.0.7 8080 {
        TCP_CHECK { connect_timeout 1 retry 0 }
    }
}
virtual_server 192.0.2.86 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    sorry_server 127.0.0.9 8080
    sorry_server_inhibit
    real_server 127.0.0.7 8080 {
        TCP_CHECK { connect_timeout 1 retry 0 }
    }
}
";

/// Added by the reload, with a dead server kept at weight 0.
const RELOAD_ADDED: &str = "
virtual_server 192.0.2.87 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 127.0.0.2 8080 {
        TCP_CHECK { connect_timeout 1 }
    }
    real_server 127.0.0.7 8080 {
        inhibit_on_failure
        TCP_CHECK { connect_timeout 1 retry 0 }
    }
}
";

/// After: VS .80 gone, G3 down to its single address, VS .84's sorry
/// server another one, VS .87 new.
fn reload_after() -> String {
    let start = RELOAD_BEFORE.find("virtual_server_group").unwrap();
    let end = RELOAD_BEFORE.find("virtual_server 192.0.2.86").unwrap();
    RELOAD_BEFORE[start..end]
        .replace("    192.0.2.81-82 80\n", "")
        .replace("    fwmark 13\n", "")
        .replace("127.0.0.9 8080", "127.0.0.8 8080")
        + &RELOAD_BEFORE[end..]
        + RELOAD_ADDED
}

/// One daemon binary through start, reload and stop; its log lines about
/// real servers and sorry servers coming and going, and quorum, in order,
/// without timestamps.
fn reload_lines(bin: &str, tag: &str) -> Vec<String> {
    std::fs::write("/tmp/reload.conf", RELOAD_BEFORE).unwrap();
    let mut d = GuestDaemon::start(bin, tag, "-C", "/tmp/reload.conf");
    let limit = Duration::from_secs(30);
    let has = |l: &str| table().contains(l);
    wait_for(
        &format!("{tag}: start-up table"),
        limit,
        || {
            let log = d.log();
            has("TCP 192.0.2.80:80 rr")
                && ["84", "86"].iter().all(|vs| {
                    log.contains(&format!(
                        "sorry server [127.0.0.9]:tcp:8080 to VS [192.0.2.{vs}]:tcp:80"
                    ))
                })
        },
        || format!("{:#?}\n{}", table(), d.log()),
    );
    std::fs::write("/tmp/reload.conf", reload_after()).unwrap();
    d.signal(nix::sys::signal::Signal::SIGHUP);
    // (keepalived 2.2.7 leaves the group's dropped addresses in IPVS, its
    // deletions failing "No such destination"; ours removes them.)
    wait_for(
        &format!("{tag}: table after the reload"),
        limit,
        || {
            !has("TCP 192.0.2.80:80 rr")
                && has("-> 127.0.0.8:8080 Masq 1 0 0")
                && has("TCP 192.0.2.87:80 rr")
                && has("-> 127.0.0.7:8080 Masq 0 0 0")
        },
        || format!("{:#?}\n{}", table(), d.log()),
    );
    if !bin.ends_with("2.2.7") {
        assert!(!has("TCP 192.0.2.81:80 rr"), "{:#?}", table());
    }
    assert!(d.stop(Duration::from_secs(10)).success(), "{}", d.log());
    let log = d.log();
    let said: Vec<String> = log
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(_, m)| m.to_string()))
        .filter(|m| {
            [
                "Removing",
                "Adding",
                "no longer exist",
                "sorry server",
                "quorum",
                "pool",
                "Shutting down",
            ]
            .iter()
            .any(|k| m.contains(k))
        })
        .collect();
    eprintln!("[guest] {tag}:\n{}", said.join("\n"));
    said
}

/// The lines grouped by the virtual server (or group) they are about,
/// each group in order: the order between virtual servers follows probe
/// timing, within one it is keepalived's.
fn by_vs(lines: &[String]) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut m = std::collections::BTreeMap::<String, Vec<String>>::new();
    for l in lines {
        let key = match l.split_once(" in group ") {
            Some((_, rest)) => rest.split(' ').next().unwrap_or("").to_string(),
            None => ["VS ", "Server "]
                .iter()
                .filter_map(|k| l.rfind(k).map(|i| &l[i + k.len()..]))
                .min_by_key(|rest| rest.len())
                .unwrap_or("")
                .to_string(),
        };
        m.entry(key).or_default().push(l.clone());
    }
    m
}

#[test]
fn guest_reload_removal_lines() {
    if !in_guest() {
        return;
    }
    let _rs = TcpListener::bind("127.0.0.2:8080").unwrap();
    let ours = reload_lines("/vm/bin/keepalived", "ours-reload");
    for want in [
        "Removing Virtual Server [192.0.2.80]:tcp:80",
        "Removing service [127.0.0.2]:tcp:8080 from VS [192.0.2.80]:tcp:80",
        "VS [[192.0.2.81]:tcp:80-192.0.2.82] in group G3 no longer exists",
        "VS [13] in group G3 no longer exists",
        "Removing sorry server [127.0.0.9]:tcp:8080 from VS [192.0.2.84]:tcp:80",
    ] {
        assert!(ours.iter().any(|l| l == want), "no line {want:?}");
    }
    if std::path::Path::new("/vm/bin/keepalived-2.2.7").exists() {
        let theirs = reload_lines("/vm/bin/keepalived-2.2.7", "ka-reload");
        assert_eq!(
            by_vs(&ours),
            by_vs(&theirs),
            "ours (left) and keepalived 2.2.7's lines"
        );
    }
    println!("RELOAD LINES PASSED");
}

/// The overlapping configurations' first block: `rr` with 127.0.0.2;
/// `head` is what follows `virtual_server` ("192.0.2.50 80", "group G").
fn rr_block(head: &str) -> String {
    format!(
        "virtual_server {head} {{\n    delay_loop 1\n    lb_algo rr\n    lb_kind NAT\n    \
         protocol TCP\n    real_server 127.0.0.2 8080 {{\n        \
         TCP_CHECK {{ connect_timeout 1 retry 0 }}\n    }}\n}}\n"
    )
}

/// Their last block: `wrr` at `addr` port 80 with 127.0.0.3, weight 3.
fn wrr_block(addr: &str) -> String {
    format!(
        "virtual_server {addr} 80 {{\n    delay_loop 1\n    lb_algo wrr\n    lb_kind NAT\n    \
         protocol TCP\n    real_server 127.0.0.3 8081 {{\n        weight 3\n        \
         TCP_CHECK {{ connect_timeout 1 retry 0 }}\n    }}\n}}\n"
    )
}

/// Starts `bin` (tag `tag`) on configuration `text` with an empty table and
/// both real servers listening; returns the daemon, its configuration's
/// path and the listeners of 127.0.0.2 and 127.0.0.3.
fn start_overlap(
    bin: &str,
    tag: &str,
    text: &str,
) -> (GuestDaemon, String, TcpListener, TcpListener) {
    let conf = format!("/tmp/{tag}.conf");
    std::fs::write(&conf, text).unwrap();
    sh("ipvsadm -C");
    let (rs2, rs3) = (listen("127.0.0.2:8080"), listen("127.0.0.3:8081"));
    (GuestDaemon::start(bin, tag, "-C", &conf), conf, rs2, rs3)
}

/// Runs `bin` on two `virtual_server` blocks for one service
/// (192.0.2.50:80, `rr` with 127.0.0.2 then `wrr` with 127.0.0.3) through
/// start, each real server's failure and return, reloads to one block, to
/// both and to the other, and the stop. keepalived 2.2.7 accepts it and
/// ends up with one service: the first block's settings (the second's
/// creation fails, "Service already exists") holding both blocks' real
/// servers, each checked and taken out and back on its own; its table
/// (seen in this guest) is required after each step.
fn duplicate_steps(bin: &str, tag: &str) {
    let (first, second) = (rr_block("192.0.2.50 80"), wrr_block("192.0.2.50"));
    let both = format!("{first}{second}");
    let (mut d, conf, rs2, rs3) = start_overlap(bin, tag, &both);
    let (mut rs2, mut rs3) = (Some(rs2), Some(rs3));
    let limit = Duration::from_secs(15);
    let (svc, two, three) = (
        "TCP 192.0.2.50:80 rr",
        "-> 127.0.0.2:8080 Masq 1 0 0",
        "-> 127.0.0.3:8081 Masq 3 0 0",
    );
    wait_table(&[svc, two, three], limit, &format!("{tag}: start"));
    rs2.take();
    wait_table(
        &[svc, three],
        limit,
        &format!("{tag}: first block's server down"),
    );
    rs2 = Some(listen("127.0.0.2:8080"));
    wait_table(&[svc, two, three], limit, &format!("{tag}: it is back"));
    // A reload to one block makes the service that block's alone.
    let reload = |d: &GuestDaemon, text: &str| {
        std::fs::write(&conf, text).unwrap();
        d.signal(nix::sys::signal::Signal::SIGHUP);
    };
    reload(&d, &second);
    let wrr = "TCP 192.0.2.50:80 wrr";
    wait_table(
        &[wrr, three],
        limit,
        &format!("{tag}: reload, second block only"),
    );
    reload(&d, &both);
    wait_table(
        &[svc, two, three],
        limit,
        &format!("{tag}: reload, both again"),
    );
    reload(&d, &first);
    wait_table(
        &[svc, two],
        limit,
        &format!("{tag}: reload, first block only"),
    );
    reload(&d, &both);
    wait_table(&[svc, two, three], limit, &format!("{tag}: reload, both"));
    rs3.take();
    wait_table(
        &[svc, two],
        limit,
        &format!("{tag}: second block's server down"),
    );
    let status = d.stop(Duration::from_secs(10));
    assert!(status.success(), "{bin} exit {status:?}");
    wait_table(&[], limit, &format!("{tag}: stopped"));
    drop(rs2);
}

/// Runs `bin` on a group whose range covers a plain virtual server's
/// address through start, the group's server failing and returning, and
/// the stop, with keepalived 2.2.7's tables: the group's service for that
/// address comes first, so it keeps the group's `rr` and gains the plain
/// block's server.
fn group_overlap_steps(bin: &str, tag: &str) {
    let text = format!(
        "virtual_server_group G {{\n    192.0.2.50-51 80\n}}\n{}{}",
        rr_block("group G"),
        wrr_block("192.0.2.51")
    );
    let (mut d, _, rs2, _rs3) = start_overlap(bin, tag, &text);
    let mut rs2 = Some(rs2);
    let limit = Duration::from_secs(15);
    let (s50, s51, two, three) = (
        "TCP 192.0.2.50:80 rr",
        "TCP 192.0.2.51:80 rr",
        "-> 127.0.0.2:8080 Masq 1 0 0",
        "-> 127.0.0.3:8081 Masq 3 0 0",
    );
    // the table is a set of lines: the group's server shows once for both
    let all = [s50, s51, two, three];
    wait_table(&all, limit, &format!("{tag}: start"));
    assert_eq!(
        sh("ipvsadm -Ln").matches("127.0.0.2:8080").count(),
        2,
        "{tag}: the group's server in both services"
    );
    rs2.take();
    wait_table(
        &[s50, s51, three],
        limit,
        &format!("{tag}: group's server down"),
    );
    rs2 = Some(listen("127.0.0.2:8080"));
    wait_table(&all, limit, &format!("{tag}: it is back"));
    let status = d.stop(Duration::from_secs(10));
    assert!(status.success(), "{bin} exit {status:?}");
    wait_table(&[], limit, &format!("{tag}: stopped"));
    drop(rs2);
}

#[test]
fn guest_duplicate_virtual_servers() {
    if !in_guest() {
        return;
    }
    if std::path::Path::new("/vm/bin/keepalived-2.2.7").exists() {
        duplicate_steps("/vm/bin/keepalived-2.2.7", "ka-dup");
        group_overlap_steps("/vm/bin/keepalived-2.2.7", "ka-grp");
    }
    duplicate_steps("/vm/bin/keepalived", "ours-dup");
    group_overlap_steps("/vm/bin/keepalived", "ours-grp");
    println!("DUPLICATE VS PASSED");
}
