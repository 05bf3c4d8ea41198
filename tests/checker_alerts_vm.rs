//! The checker child's alerts end to end in the IPVS guest (one boot, see
//! `tests/support/vm.rs`): the start-up quorum notice of a virtual server
//! that starts without quorum behind its sorry server, the SMTP_CHECK
//! failure reason in the DOWN mail, and a reload (SIGHUP) that removes a
//! live real server while switching to another SMTP server, router_id,
//! recipient and `lvs_notify_fifo` — the removal's "=> Removing <=" mail
//! and FIFO line must take the new ones; at the stop, an `omega` virtual
//! server and its live real server say they are going. Debian's
//! keepalived 2.2.7 then runs the same steps, and its mails and FIFO lines
//! must be ours.

mod support;

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::guest_mail::{fifo_reader, mail_recorder};
use support::vm::{GuestDaemon, assert_guest_test_passes, guest_bins, in_guest, listen};

#[test]
fn vm_runs_checker_alerts() {
    if in_guest() {
        return;
    }
    let ka = env!("CARGO_BIN_EXE_keepalived");
    let (bins, _) = guest_bins(ka, "keepalived 2.2.7 half of guest_checker_alerts");
    assert_guest_test_passes(
        "checker_alerts_vm",
        &["guest_checker_alerts"],
        &bins,
        &[],
        &["CHECKER ALERTS PASSED"],
    );
}

// ----------------------------------------------------------------- guest half

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
/// server whose greeting is a refusal, and `omega`: at the stop its live
/// server and itself say they are going. VS .102 (first configuration
/// only) shares one of them and goes at the reload.
fn services(with_rs4: bool) -> String {
    let rs4 = if with_rs4 {
        "    real_server 127.0.0.4 8080 {\n        TCP_CHECK { connect_timeout 1 }\n    }\n"
    } else {
        ""
    };
    let vs102 = if with_rs4 {
        "virtual_server 192.0.2.102 80 {\n    delay_loop 1\n    lb_algo rr\n    lb_kind NAT\n    \
         protocol TCP\n    real_server 127.0.0.6 8080 {\n        TCP_CHECK { connect_timeout 1 }\n    }\n}\n"
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
    omega
{rs4}    real_server 127.0.0.6 8080 {{
        TCP_CHECK {{ connect_timeout 1 }}
    }}
    real_server 127.0.0.5 2525 {{
        SMTP_CHECK {{ connect_timeout 1 retry 0 }}
    }}
}}
{vs102}"
    )
}

/// What one daemon said through the scenario.
struct Said {
    mails_a: Vec<String>,
    mails_b: Vec<String>,
    fifo_a: Vec<String>,
    fifo_b: Vec<String>,
    log: String,
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

/// The mails to the first server: the start-up quorum of each virtual
/// server (keepalived counts a real server live only once it is in IPVS,
/// so each one that reaches its quorum says so), the SMTP_CHECK failure
/// and the alpha server's first success.
fn start_mails() -> Vec<String> {
    let (vs100, vs101, vs102) = (
        "[192.0.2.100]:tcp:80",
        "[192.0.2.101]:tcp:80",
        "[192.0.2.102]:tcp:80",
    );
    vec![
        format!(
            "[guest-a] Virtualserver {vs100} - DOWN | => Starting with quorum down 2+0=2 <= 0 <="
        ),
        format!("[guest-a] Virtualserver {vs101} - UP | => Starting with quorum up 1+0=1 <= 3 <="),
        format!("[guest-a] Virtualserver {vs102} - UP | => Starting with quorum up 1+0=1 <= 1 <="),
        format!(
            "[guest-a] Realserver [127.0.0.5]:tcp:2525 of virtual server {vs101} - DOWN | => CHECK failed on service : Bad greeting banner from server [127.0.0.5]:2525 <="
        ),
        format!(
            "[guest-a] Realserver [127.0.0.2]:tcp:8080 of virtual server {vs100} - UP | => TCP CHECK succeed on service <="
        ),
    ]
}

/// The mails to the second server: the reload's removals.
fn removing_mails() -> Vec<String> {
    let (vs101, vs102) = ("[192.0.2.101]:tcp:80", "[192.0.2.102]:tcp:80");
    vec![
        format!(
            "[guest-b] Realserver [127.0.0.4]:tcp:8080 of virtual server {vs101} - DOWN | => Removing <="
        ),
        format!(
            "[guest-b] Realserver [127.0.0.6]:tcp:8080 of virtual server {vs102} - DOWN | => Removing <="
        ),
        format!("[guest-b] Virtualserver {vs102} - DOWN | => Lost quorum 1+0=1 <= 0 <="),
    ]
}

/// The mails to the second server at the stop: VS .101's `omega`
/// (keepalived's `clear_service_rs` and `do_vs_notifies` when stopping).
fn stop_mails() -> Vec<String> {
    let vs101 = "[192.0.2.101]:tcp:80";
    vec![
        format!(
            "[guest-b] Realserver [127.0.0.6]:tcp:8080 of virtual server {vs101} - DOWN | => Shutting down <="
        ),
        format!("[guest-b] Virtualserver {vs101} - DOWN | => Shutting down <="),
    ]
}

/// The FIFO lines at the stop, from VS .101's `omega`.
const STOP_FIFO: [&str; 2] = [
    "RS [127.0.0.6]:tcp:8080 [192.0.2.101]:tcp:80 DOWN",
    "VS [192.0.2.101]:tcp:80 DOWN",
];

/// Runs daemon `bin` through start-up, the reload and the stop, waiting
/// (bounded) for each expected table, mail and FIFO line.
fn run(bin: &str, tag: &str) -> Said {
    let (port_a, mails_a) = mail_recorder();
    let (port_b, mails_b) = mail_recorder();
    let (path_a, path_b) = (format!("/tmp/{tag}-a.fifo"), format!("/tmp/{tag}-b.fifo"));
    let fifo_a = fifo_reader(&path_a);
    let fifo_b = fifo_reader(&path_b);
    let conf = format!("/tmp/{tag}-alerts.conf");
    std::fs::write(
        &conf,
        globals("guest-a", "a@example.com", port_a, &path_a) + &services(true),
    )
    .unwrap();
    let mut d = GuestDaemon::start(bin, tag, "-C", &conf);
    let limit = Duration::from_secs(30);
    wait_table(
        &[
            "TCP 192.0.2.100:80 rr",
            "-> 127.0.0.9:8080 Masq 1 0 0",
            "TCP 192.0.2.101:80 rr",
            "-> 127.0.0.4:8080 Masq 1 0 0",
            "-> 127.0.0.6:8080 Masq 1 0 0",
            "TCP 192.0.2.102:80 rr",
            "-> 127.0.0.6:8080 Masq 1 0 0",
        ],
        limit,
        "start-up",
    );
    let start = start_mails();
    let want: Vec<&str> = start.iter().map(String::as_str).collect();
    wait_for(&mails_a, &want, limit, "start-up mails");
    wait_for(
        &fifo_a,
        &[
            "VS [192.0.2.100]:tcp:80 DOWN",
            "VS [192.0.2.101]:tcp:80 UP",
            "VS [192.0.2.102]:tcp:80 UP",
            "RS [127.0.0.5]:tcp:2525 [192.0.2.101]:tcp:80 DOWN",
            "RS [127.0.0.2]:tcp:8080 [192.0.2.100]:tcp:80 UP",
            // alpha, down from the start: its first failure is announced
            "RS [127.0.0.3]:tcp:8080 [192.0.2.100]:tcp:80 DOWN",
        ],
        limit,
        "start-up FIFO lines",
    );

    // Reload: 127.0.0.4 (alive) goes, and VS .102 with its live server;
    // mail settings and FIFO change.
    std::fs::write(
        &conf,
        globals("guest-b", "b@example.com", port_b, &path_b) + &services(false),
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
    let removing = removing_mails();
    let want: Vec<&str> = removing.iter().map(String::as_str).collect();
    wait_for(&mails_b, &want, limit, "removal mails");
    wait_for(
        &fifo_b,
        &[
            "RS [127.0.0.4]:tcp:8080 [192.0.2.101]:tcp:80 DOWN",
            "RS [127.0.0.6]:tcp:8080 [192.0.2.102]:tcp:80 DOWN",
            "VS [192.0.2.102]:tcp:80 DOWN",
        ],
        limit,
        "removal FIFO lines",
    );
    // Room for anything unexpected to arrive.
    std::thread::sleep(Duration::from_millis(500));
    let status = d.stop(Duration::from_secs(10));
    assert!(status.success(), "{bin} exit {status:?}");
    // The stop's omega mails and FIFO lines may still be on their way:
    // give them (and anything unexpected) a bounded while; what arrived is
    // compared below.
    let stop = stop_mails();
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(3)
        && !(stop.iter().all(|w| mails_b.lock().unwrap().contains(w))
            && STOP_FIFO
                .iter()
                .all(|w| fifo_b.lock().unwrap().iter().any(|l| l == w)))
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let said = Said {
        mails_a: mails_a.lock().unwrap().clone(),
        mails_b: mails_b.lock().unwrap().clone(),
        fifo_a: fifo_a.lock().unwrap().clone(),
        fifo_b: fifo_b.lock().unwrap().clone(),
        log: d.log(),
    };
    eprintln!(
        "[guest] {tag} mails to A:\n{}\n[guest] mails to B:\n{}\n[guest] FIFO A:\n{}\n[guest] FIFO B:\n{}",
        said.mails_a.join("\n"),
        said.mails_b.join("\n"),
        said.fifo_a.join("\n"),
        said.fifo_b.join("\n")
    );
    said
}

#[test]
fn guest_checker_alerts() {
    if !in_guest() {
        return;
    }
    let _rs = [
        listen("127.0.0.2:8080"),
        listen("127.0.0.4:8080"),
        listen("127.0.0.6:8080"),
    ];
    bad_banner_server("127.0.0.5:2525");
    let ours = run("keepalived", "kaa");
    let log = &ours.log;
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
    // A virtual server gone is named before its real servers, once.
    let at = |l: &str| log.find(l).unwrap_or_else(|| panic!("no log line {l:?}"));
    assert!(
        at("Removing Virtual Server [192.0.2.102]:tcp:80")
            < at("Removing service [127.0.0.6]:tcp:8080 from VS [192.0.2.102]:tcp:80")
    );
    assert_eq!(log.matches("Removing Virtual Server").count(), 1, "{log}");
    assert!(
        !log.contains("SMTP_CHECK on service"),
        "SMTP_CHECK's going down is logged with its reason"
    );
    // Nothing else: the old server hears nothing after the reload, the kept
    // VS (sorry server in place) and the kept SMTP checker stay quiet.
    assert_eq!(
        sorted(&ours.mails_a),
        sorted(&start_mails()),
        "mails to the first server"
    );
    assert_eq!(
        sorted(&ours.mails_b),
        sorted(&[removing_mails(), stop_mails()].concat()),
        "mails to the reloaded server"
    );
    for want in STOP_FIFO {
        assert!(
            ours.fifo_b.iter().any(|l| l == want),
            "no omega FIFO line {want:?} at the stop: {:?}",
            ours.fifo_b
        );
    }
    assert!(
        !ours.fifo_a.iter().any(|l| l.contains("127.0.0.4")),
        "removal written to the old FIFO: {:?}",
        ours.fifo_a
    );
    // keepalived 2.2.7 through the same steps says the same.
    if std::path::Path::new("/vm/bin/keepalived-2.2.7").exists() {
        let theirs = run("/vm/bin/keepalived-2.2.7", "ref");
        assert_eq!(sorted(&ours.mails_a), sorted(&theirs.mails_a));
        // 2.2.7 queues the stop's omega mails but exits before it sends
        // them (a README difference); every other mail must be ours.
        let stop = stop_mails();
        let before_stop = |m: &[String]| -> Vec<String> {
            sorted(
                &m.iter()
                    .filter(|l| !stop.contains(l))
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(before_stop(&ours.mails_b), before_stop(&theirs.mails_b));
        eprintln!(
            "[guest] keepalived 2.2.7 sent {} of the {} omega mails at the stop",
            theirs.mails_b.iter().filter(|l| stop.contains(l)).count(),
            stop.len()
        );
        assert_eq!(sorted(&ours.fifo_a), sorted(&theirs.fifo_a));
        assert_eq!(sorted(&ours.fifo_b), sorted(&theirs.fifo_b));
    }
    println!("CHECKER ALERTS PASSED");
}
