//! The health checker child end to end against a real IPVS kernel.
//!
//! Like `ipvs_kernel.rs`: one qemu guest boot (`tests/ipvs_vm/run-in-vm.sh`)
//! into which this test binary and our `keepalived` binary are copied;
//! `guest_checker_suite` runs there with `IPVS_VM_GUEST=1`. It holds TCP
//! listeners on loopback addresses as real servers (the kernel completes the
//! handshake for a listening socket, so no accept loop is needed), runs
//! `keepalived -n -l -D -C`, and checks `ipvsadm -Ln` as servers go away and
//! come back. `guest_differential` (same boot) compares ours with Debian's
//! keepalived 2.2.7 on one configuration and the same events.

#[path = "checker_vm/differential.rs"]
mod differential;
mod support;

use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

use support::guest_mail::{fifo_reader, mail_recorder};
use support::vm::{GuestDaemon, assert_guest_test_passes, guest_bins, in_guest, listen};

#[test]
fn vm_runs_checker_suite() {
    if in_guest() {
        return;
    }
    let ka = env!("CARGO_BIN_EXE_keepalived");
    let (bins, reference) = guest_bins(ka, "differential half");
    let mut tests = vec!["guest_checker_suite"];
    let mut markers = vec!["CHECKER SUITE PASSED"];
    if reference {
        tests.push("guest_differential");
        markers.push("DIFFERENTIAL PASSED");
    }
    assert_guest_test_passes("checker_vm", &tests, &bins, &[], &markers);
}

// ----------------------------------------------------------------- guest half

/// Our services and destinations in `ipvsadm -Ln`, whitespace-normalised.
fn table() -> BTreeSet<String> {
    let o = Command::new("ipvsadm")
        .arg("-Ln")
        .output()
        .expect("ipvsadm");
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| l.starts_with("TCP ") || (l.starts_with("-> ") && !l.contains("RemoteAddress")))
        .collect()
}

fn set(lines: &[&str]) -> BTreeSet<String> {
    lines.iter().map(|s| s.to_string()).collect()
}

/// Waits until the table equals `want`; returns how long that took.
fn wait_table(want: &[&str], limit: Duration, what: &str) -> Duration {
    let (t0, want) = (Instant::now(), set(want));
    loop {
        let have = table();
        if have == want {
            eprintln!("[guest] {what}: {:.1?}", t0.elapsed());
            return t0.elapsed();
        }
        assert!(
            t0.elapsed() < limit,
            "{what}: table not reached within {limit:?}\nwant {want:#?}\nhave {have:#?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A listener that completes no more handshakes, as a hung server: its
/// accept queue (backlog 0) is filled by connections never accepted, so
/// the kernel drops further SYNs. Dropping what it returns frees the port.
fn stalled(addr: &str) -> (socket2::Socket, Vec<std::net::TcpStream>) {
    let sa: std::net::SocketAddr = addr.parse().unwrap();
    let l = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    l.set_reuse_address(true).unwrap();
    l.bind(&sa.into()).unwrap();
    l.listen(0).unwrap();
    let mut queued = Vec::new();
    while let Ok(s) = std::net::TcpStream::connect_timeout(&sa, Duration::from_millis(300)) {
        queued.push(s);
        assert!(queued.len() < 16, "{addr}: the accept queue never filled");
    }
    (l, queued)
}

const CONF: &str = "
virtual_server 192.0.2.100 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    sorry_server 127.0.0.9 8080
    real_server 127.0.0.2 8080 {
        TCP_CHECK { connect_timeout 1 retry 1 delay_before_retry 1 }
    }
    real_server 127.0.0.3 8080 {
        weight 2
        TCP_CHECK { connect_timeout 1 retry 1 delay_before_retry 1 }
    }
}
virtual_server 192.0.2.101 80 {
    delay_loop 1
    lb_algo wrr
    lb_kind NAT
    protocol TCP
    inhibit_on_failure
    omega
    real_server 127.0.0.4 8080 {
        weight 3
        TCP_CHECK { connect_timeout 1 retry 1 delay_before_retry 1 }
    }
}
";

#[test]
fn guest_checker_suite() {
    if !in_guest() {
        return;
    }
    let (port, mails) = mail_recorder();
    let fifo = fifo_reader("/tmp/lvs.fifo");
    let globals = format!(
        "global_defs {{\n router_id guest\n notification_email {{\n ops@example.com\n }}\n notification_email_from ka@example.com\n smtp_helo_name guest\n smtp_server 127.0.0.1 {port}\n smtp_alert\n lvs_notify_fifo /tmp/lvs.fifo\n}}\n"
    );
    std::fs::write("/tmp/ka.conf", globals + CONF).unwrap();
    let mut a = Some(listen("127.0.0.2:8080"));
    let mut b = Some(listen("127.0.0.3:8080"));
    let mut c = Some(listen("127.0.0.4:8080"));
    let mut d = GuestDaemon::start("keepalived", "ka", "-C", "/tmp/ka.conf");
    let full = [
        "TCP 192.0.2.100:80 rr",
        "-> 127.0.0.2:8080 Masq 1 0 0",
        "-> 127.0.0.3:8080 Masq 2 0 0",
        "TCP 192.0.2.101:80 wrr",
        "-> 127.0.0.4:8080 Masq 3 0 0",
    ];
    // Generous: under TCG emulation on a busy host a debug build takes
    // seconds to parse and start (the limit bounds a hang, not speed).
    wait_table(&full, Duration::from_secs(30), "startup");
    // Down within delay_loop + retry * (connect_timeout + delay_before_retry)
    // + warmup spread and bootstrap (first run) + margin.
    let down_limit = Duration::from_secs(1 + 2 + 1 + 3);
    // Back up within delay_loop, plus the connect_timeout of a probe that
    // may be in flight when the server returns (after the hung server, a
    // SYN the full queue dropped), plus margin for an emulated guest on a
    // busy host.
    let up_limit = Duration::from_secs(1 + 1 + 3);
    a.take();
    let t = wait_table(
        &[
            "TCP 192.0.2.100:80 rr",
            "-> 127.0.0.3:8080 Masq 2 0 0",
            "TCP 192.0.2.101:80 wrr",
            "-> 127.0.0.4:8080 Masq 3 0 0",
        ],
        down_limit,
        "RS 127.0.0.2 removed",
    );
    assert!(
        t >= Duration::from_millis(900),
        "removed too early ({t:?}): no retry?"
    );
    a = Some(listen("127.0.0.2:8080"));
    wait_table(&full, up_limit, "RS 127.0.0.2 back");
    // A hung server (handshakes never complete) costs its connect_timeout
    // per attempt and goes down within the same bound.
    a.take();
    let hung = stalled("127.0.0.2:8080");
    wait_table(
        &[
            "TCP 192.0.2.100:80 rr",
            "-> 127.0.0.3:8080 Masq 2 0 0",
            "TCP 192.0.2.101:80 wrr",
            "-> 127.0.0.4:8080 Masq 3 0 0",
        ],
        down_limit,
        "hung RS 127.0.0.2 removed",
    );
    drop(hung);
    a = Some(listen("127.0.0.2:8080"));
    wait_table(&full, up_limit, "RS 127.0.0.2 back again");
    // inhibit_on_failure: weight 0 instead of removal
    c.take();
    wait_table(
        &[
            "TCP 192.0.2.100:80 rr",
            "-> 127.0.0.2:8080 Masq 1 0 0",
            "-> 127.0.0.3:8080 Masq 2 0 0",
            "TCP 192.0.2.101:80 wrr",
            "-> 127.0.0.4:8080 Masq 0 0 0",
        ],
        down_limit,
        "RS 127.0.0.4 inhibited",
    );
    // A flap in the other virtual server meanwhile: only that one's
    // services are synced, the inhibited entry stays as it is.
    let inhibited = [
        "TCP 192.0.2.100:80 rr",
        "-> 127.0.0.2:8080 Masq 1 0 0",
        "-> 127.0.0.3:8080 Masq 2 0 0",
        "TCP 192.0.2.101:80 wrr",
        "-> 127.0.0.4:8080 Masq 0 0 0",
    ];
    a.take();
    wait_table(
        &[
            "TCP 192.0.2.100:80 rr",
            "-> 127.0.0.3:8080 Masq 2 0 0",
            "TCP 192.0.2.101:80 wrr",
            "-> 127.0.0.4:8080 Masq 0 0 0",
        ],
        down_limit,
        "RS 127.0.0.2 removed, 127.0.0.4 still inhibited",
    );
    a = Some(listen("127.0.0.2:8080"));
    wait_table(
        &inhibited,
        up_limit,
        "RS 127.0.0.2 back, 127.0.0.4 still inhibited",
    );
    c = Some(listen("127.0.0.4:8080"));
    wait_table(&full, up_limit, "RS 127.0.0.4 enabled");
    // all down: quorum lost, the sorry server takes over
    a.take();
    b.take();
    wait_table(
        &[
            "TCP 192.0.2.100:80 rr",
            "-> 127.0.0.9:8080 Masq 1 0 0",
            "TCP 192.0.2.101:80 wrr",
            "-> 127.0.0.4:8080 Masq 3 0 0",
        ],
        down_limit,
        "sorry server",
    );
    b = Some(listen("127.0.0.3:8080"));
    wait_table(
        &[
            "TCP 192.0.2.100:80 rr",
            "-> 127.0.0.3:8080 Masq 2 0 0",
            "TCP 192.0.2.101:80 wrr",
            "-> 127.0.0.4:8080 Masq 3 0 0",
        ],
        up_limit,
        "quorum regained",
    );
    // SIGTERM: everything we added is gone, exit 0
    let status = d.stop(Duration::from_secs(10));
    // (The daemon's log, for a reader of the guest's output.)
    eprint!("{}", d.log());
    assert!(status.success(), "keepalived exit {status:?}");
    assert!(table().is_empty(), "left behind: {:#?}", table());

    // The checker's alerts: mails and FIFO lines for each change above.
    // The FIFO reader thread may still be reading the last lines.
    let omega_line = "RS [127.0.0.4]:tcp:8080 [192.0.2.101]:tcp:80 DOWN";
    let t0 = Instant::now();
    while !fifo.lock().unwrap().iter().any(|l| l == omega_line)
        && t0.elapsed() < Duration::from_secs(3)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mails = mails.lock().unwrap().clone();
    let fifo = fifo.lock().unwrap().clone();
    eprintln!(
        "[guest] mails:\n{}\n[guest] fifo:\n{}",
        mails.join("\n"),
        fifo.join("\n")
    );
    let rs2 = "Realserver [127.0.0.2]:tcp:8080 of virtual server [192.0.2.100]:tcp:80";
    for want in [
        format!("[guest] {rs2} - DOWN | => TCP CHECK failed on service <="),
        format!("[guest] {rs2} - UP | => TCP CHECK succeed on service <="),
        "[guest] Virtualserver [192.0.2.100]:tcp:80 - DOWN | => Lost quorum 1+0=1 <= 0 <=".into(),
        "[guest] Virtualserver [192.0.2.100]:tcp:80 - UP | => Gained quorum 1+0=1 <= 2 <=".into(),
        // omega: the live real server's mail at SIGTERM, sent before exit.
        "[guest] Realserver [127.0.0.4]:tcp:8080 of virtual server [192.0.2.101]:tcp:80 - DOWN | => Shutting down <=".into(),
    ] {
        assert!(mails.contains(&want), "no mail {want:?}");
    }
    let pos = |l: &str| fifo.iter().position(|x| x == l);
    let down = pos("RS [127.0.0.2]:tcp:8080 [192.0.2.100]:tcp:80 DOWN").expect("RS DOWN line");
    let up = pos("RS [127.0.0.2]:tcp:8080 [192.0.2.100]:tcp:80 UP").expect("RS UP line");
    assert!(down < up);
    pos(omega_line).expect("omega RS line at stop");
    // Quorum at start-up (as keepalived: "Starting with quorum up"), lost
    // when both servers went, gained back.
    let started = pos("VS [192.0.2.100]:tcp:80 UP").expect("VS UP line at start-up");
    let lost = pos("VS [192.0.2.100]:tcp:80 DOWN").expect("VS DOWN line");
    let gained = fifo[lost..]
        .iter()
        .position(|x| x == "VS [192.0.2.100]:tcp:80 UP")
        .expect("VS UP line after the DOWN one");
    assert!(started < lost && gained > 0);
    drop((a, b, c));
    println!("CHECKER SUITE PASSED");
}

/// Ours against keepalived 2.2.7 on the same configuration and events
/// (`checker_vm/differential.rs`).
#[test]
fn guest_differential() {
    if !in_guest() {
        return;
    }
    differential::run("/vm/bin/keepalived-2.2.7", "/vm/bin/keepalived");
}
