//! The checker child's alerts end to end in the IPVS guest (one boot, see
//! `tests/support/vm.rs`): the start-up quorum notice of a virtual server
//! that starts without quorum behind its sorry server, the SMTP_CHECK
//! failure reason in the DOWN mail, and a reload (SIGHUP) that removes a
//! live real server while switching to another SMTP server, router_id,
//! recipient and `lvs_notify_fifo` — the removal's "=> Removing <=" mail
//! and FIFO line must take the new ones.

mod support;

use std::net::TcpListener;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::guest_mail::{fifo_reader, mail_recorder};
use support::vm::{GuestDaemon, assert_guest_test_passes, in_guest};

#[test]
fn vm_runs_checker_alerts() {
    if in_guest() {
        return;
    }
    let ka = env!("CARGO_BIN_EXE_keepalived");
    assert_guest_test_passes(
        "checker_alerts_vm",
        &["guest_checker_alerts"],
        &[format!("{ka}:/vm/bin/keepalived")],
        &[],
        &["CHECKER ALERTS PASSED"],
    );
}

// ----------------------------------------------------------------- guest half

fn listen(addr: &str) -> TcpListener {
    TcpListener::bind(addr).unwrap_or_else(|e| panic!("listen {addr}: {e}"))
}

/// An SMTP server that refuses every client in its greeting.
fn bad_banner_server(addr: &str) {
    use std::io::{Read, Write};
    let l = listen(addr);
    std::thread::spawn(move || {
        for sock in l.incoming() {
            let Ok(mut s) = sock else { return };
            let _ = s.write_all(b"554 go away\r\n");
            let mut sink = [0u8; 256];
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = s.read(&mut sink);
        }
    });
}

/// Waits (bounded) until `got` holds every one of `want`.
fn wait_for(got: &Arc<Mutex<Vec<String>>>, want: &[&str], limit: Duration, what: &str) {
    let t0 = Instant::now();
    loop {
        let now = got.lock().unwrap().clone();
        if want.iter().all(|w| now.iter().any(|g| g == w)) {
            return;
        }
        assert!(
            t0.elapsed() < limit,
            "{what}: waited {limit:?} for {want:#?}, have {now:#?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn table() -> Vec<String> {
    let o = Command::new("ipvsadm").arg("-Ln").output().unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.starts_with("TCP") || l.trim_start().starts_with("->"))
        .filter(|l| !l.contains("RemoteAddress"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn wait_table(want: &[&str], limit: Duration, what: &str) {
    let t0 = Instant::now();
    loop {
        let t = table();
        if t == want {
            return;
        }
        assert!(t0.elapsed() < limit, "{what}: table {t:#?}, want {want:#?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn globals(id: &str, to: &str, port: u16, fifo: &str) -> String {
    format!(
        "global_defs {{\n router_id {id}\n notification_email {{\n {to}\n }}\n notification_email_from ka@example.com\n smtp_helo_name guest\n smtp_server 127.0.0.1 {port}\n smtp_alert\n lvs_notify_fifo {fifo}\n}}\n"
    )
}

/// VS .100 in alpha mode needs weight 2 and starts with none: quorum down,
/// sorry server in. VS .101 has two TCP-checked servers and one SMTP_CHECK
/// server whose greeting is a refusal.
fn services(with_rs4: bool) -> String {
    let rs4 = if with_rs4 {
        "    real_server 127.0.0.4 8080 {\n        TCP_CHECK { connect_timeout 1 }\n    }\n"
    } else {
        ""
    };
    format!(
        "
virtual_server 192.0.2.100 80 {{
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    alpha
    quorum 2
    sorry_server 127.0.0.9 8080
    real_server 127.0.0.2 8080 {{
        TCP_CHECK {{ connect_timeout 1 }}
    }}
    real_server 127.0.0.3 8080 {{
        TCP_CHECK {{ connect_timeout 1 }}
    }}
}}
virtual_server 192.0.2.101 80 {{
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
{rs4}    real_server 127.0.0.6 8080 {{
        TCP_CHECK {{ connect_timeout 1 }}
    }}
    real_server 127.0.0.5 2525 {{
        SMTP_CHECK {{ connect_timeout 1 retry 0 }}
    }}
}}
"
    )
}

#[test]
fn guest_checker_alerts() {
    if !in_guest() {
        return;
    }
    let (port_a, mails_a) = mail_recorder();
    let (port_b, mails_b) = mail_recorder();
    let fifo_a = fifo_reader("/tmp/lvs-a.fifo");
    let fifo_b = fifo_reader("/tmp/lvs-b.fifo");
    let conf = "/tmp/ka-alerts.conf";
    std::fs::write(
        conf,
        globals("guest-a", "a@example.com", port_a, "/tmp/lvs-a.fifo") + &services(true),
    )
    .unwrap();
    let _rs = [
        listen("127.0.0.2:8080"),
        listen("127.0.0.4:8080"),
        listen("127.0.0.6:8080"),
    ];
    bad_banner_server("127.0.0.5:2525");
    let mut d = GuestDaemon::start("keepalived", "kaa", "-C", conf);
    let limit = Duration::from_secs(30);
    wait_table(
        &[
            "TCP 192.0.2.100:80 rr",
            "-> 127.0.0.9:8080 Masq 1 0 0",
            "TCP 192.0.2.101:80 rr",
            "-> 127.0.0.4:8080 Masq 1 0 0",
            "-> 127.0.0.6:8080 Masq 1 0 0",
        ],
        limit,
        "start-up",
    );
    let vs100 = "[192.0.2.100]:tcp:80";
    let vs101 = "[192.0.2.101]:tcp:80";
    let start_mails = [
        format!(
            "[guest-a] Virtualserver {vs100} - DOWN | => Starting with quorum down 2+0=2 <= 0 <="
        ),
        format!(
            "[guest-a] Realserver [127.0.0.5]:tcp:2525 of virtual server {vs101} - DOWN | => CHECK failed on service : Bad greeting banner from server [127.0.0.5]:2525 <="
        ),
        format!(
            "[guest-a] Realserver [127.0.0.2]:tcp:8080 of virtual server {vs100} - UP | => TCP CHECK succeed on service <="
        ),
    ];
    let want: Vec<&str> = start_mails.iter().map(String::as_str).collect();
    wait_for(&mails_a, &want, limit, "start-up mails");
    wait_for(
        &fifo_a,
        &[
            "VS [192.0.2.100]:tcp:80 DOWN",
            "RS [127.0.0.5]:tcp:2525 [192.0.2.101]:tcp:80 DOWN",
        ],
        limit,
        "start-up FIFO lines",
    );

    // Reload: 127.0.0.4 (alive) goes; mail settings and FIFO change.
    std::fs::write(
        conf,
        globals("guest-b", "b@example.com", port_b, "/tmp/lvs-b.fifo") + &services(false),
    )
    .unwrap();
    d.signal(nix::sys::signal::Signal::SIGHUP);
    wait_table(
        &[
            "TCP 192.0.2.100:80 rr",
            "-> 127.0.0.9:8080 Masq 1 0 0",
            "TCP 192.0.2.101:80 rr",
            "-> 127.0.0.6:8080 Masq 1 0 0",
        ],
        limit,
        "after reload",
    );
    let removing = format!(
        "[guest-b] Realserver [127.0.0.4]:tcp:8080 of virtual server {vs101} - DOWN | => Removing <="
    );
    wait_for(&mails_b, &[&removing], limit, "removal mail");
    wait_for(
        &fifo_b,
        &["RS [127.0.0.4]:tcp:8080 [192.0.2.101]:tcp:80 DOWN"],
        limit,
        "removal FIFO line",
    );

    let status = d.stop(Duration::from_secs(10));
    assert!(status.success(), "keepalived exit {status:?}");

    let log = d.log();
    eprintln!("[guest] daemon log:\n{log}");
    for want in [
        "Starting with quorum down 2-0=2 > 0 for VS [192.0.2.100]:tcp:80",
        "Adding sorry server [127.0.0.9]:tcp:8080 to VS [192.0.2.100]:tcp:80",
        "SMTP_CHECK Bad greeting banner from server [127.0.0.5]:2525",
        "service [127.0.0.4]:tcp:8080 no longer exist",
        "Removing service [127.0.0.4]:tcp:8080 from VS [192.0.2.101]:tcp:80",
    ] {
        assert!(log.contains(want), "no log line {want:?}");
    }
    assert!(
        !log.contains("SMTP_CHECK on service"),
        "SMTP_CHECK's going down is logged with its reason"
    );
    let (a, b) = (
        mails_a.lock().unwrap().clone(),
        mails_b.lock().unwrap().clone(),
    );
    let (fa, fb) = (
        fifo_a.lock().unwrap().clone(),
        fifo_b.lock().unwrap().clone(),
    );
    eprintln!(
        "[guest] mails to A:\n{}\n[guest] mails to B:\n{}\n[guest] FIFO A:\n{}\n[guest] FIFO B:\n{}",
        a.join("\n"),
        b.join("\n"),
        fa.join("\n"),
        fb.join("\n")
    );
    // Nothing else: the old server hears nothing after the reload, the kept
    // VS (sorry server in place) and the kept SMTP checker stay quiet.
    let (mut a, mut want_a) = (a, start_mails.to_vec());
    a.sort();
    want_a.sort();
    assert_eq!(a, want_a, "mails to the first server");
    assert_eq!(b, [removing], "mails to the reloaded server");
    assert!(
        !fa.iter().any(|l| l.contains("127.0.0.4")),
        "removal written to the old FIFO: {fa:?}"
    );
    println!("CHECKER ALERTS PASSED");
}
