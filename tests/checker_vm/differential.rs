//! Differential test of the checker against Debian's keepalived 2.2.7, in
//! the IPVS guest (guest half of `checker_vm.rs`, same boot).
//!
//! One configuration covers every scheduler, DR/NAT/TUN, persistence, a
//! fwmark service, a virtual_server_group (range + fwmark), IPv6, TCP_CHECK
//! and HTTP_GET, a sorry server, inhibit_on_failure, quorum without a sorry
//! server and a virtual_server without `protocol`. keepalived runs first
//! (`-C`): after start and after each listener event we wait until its table
//! settles and record it. Then ours runs on the same configuration and the
//! same events, and must reach each recorded table (and hold it). The two
//! never run at once: both would fight over the table.
//!
//! Tables are `ipvsadm -Ln`, sorted, without the connection counters.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::support::vm::GuestDaemon;

/// Every scheduler keepalived 2.2.7 accepts except `twos` (the Debian 6.1
/// kernel is built without it).
const SCHEDULERS: [&str; 13] = [
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "mh", "fo", "ovf",
];

/// The real servers: name and listen address (each answers HTTP too).
const SERVERS: [(&str, &str); 5] = [
    ("A", "127.0.0.2:8080"),
    ("B", "127.0.0.3:8080"),
    ("C", "127.0.0.4:8080"),
    ("H", "127.0.0.5:8081"),
    ("V6", "[2001:db8::10]:8080"),
];

const TCP_CHECK: &str = "TCP_CHECK { connect_timeout 1 retry 1 delay_before_retry 1 }";

fn config(schedulers: &[&str]) -> String {
    let mut c = String::new();
    for (i, s) in schedulers.iter().enumerate() {
        let kind = ["NAT", "DR", "TUN"][i % 3];
        c += &format!(
            "virtual_server 192.0.2.{} 80 {{\n delay_loop 1\n lb_algo {s}\n lb_kind {kind}\n \
             protocol TCP\n real_server 127.0.0.2 8080 {{\n  weight 1\n  {TCP_CHECK}\n }}\n \
             real_server 127.0.0.3 8080 {{\n  weight 2\n  {TCP_CHECK}\n }}\n}}\n",
            10 + i
        );
    }
    c += &format!(
        "
virtual_server 192.0.2.30 443 {{
 delay_loop 1
 lb_algo rr
 lb_kind NAT
 protocol TCP
 persistence_timeout 300
 persistence_granularity 255.255.255.0
 inhibit_on_failure
 real_server 127.0.0.2 8080 {{ weight 3
  {TCP_CHECK} }}
 real_server 127.0.0.4 8080 {{ {TCP_CHECK} }}
}}
virtual_server fwmark 7 {{
 delay_loop 1
 lb_algo wlc
 lb_kind DR
 real_server 127.0.0.4 8080 {{ {TCP_CHECK} }}
}}
virtual_server_group G1 {{
 192.0.2.40-42 80
 fwmark 9
}}
virtual_server group G1 {{
 delay_loop 1
 lb_algo rr
 lb_kind NAT
 protocol TCP
 sorry_server 127.0.0.9 8080
 real_server 127.0.0.2 8080 {{ {TCP_CHECK} }}
 real_server 127.0.0.3 8080 {{ weight 2
  {TCP_CHECK} }}
}}
virtual_server 2001:db8::1 80 {{
 delay_loop 1
 lb_algo rr
 lb_kind NAT
 protocol TCP
 real_server 2001:db8::10 8080 {{ {TCP_CHECK} }}
 real_server 127.0.0.2 8080 {{ {TCP_CHECK} }}
}}
virtual_server 192.0.2.50 80 {{
 delay_loop 1
 lb_algo wrr
 lb_kind NAT
 protocol TCP
 real_server 127.0.0.5 8081 {{
  weight 4
  HTTP_GET {{ url {{ path /health status_code 200 }} connect_timeout 1 retry 1 delay_before_retry 1 }}
 }}
 real_server 127.0.0.4 8080 {{ {TCP_CHECK} }}
}}
virtual_server 192.0.2.60 80 {{
 delay_loop 1
 lb_algo rr
 lb_kind NAT
 real_server 127.0.0.2 8080 {{ {TCP_CHECK} }}
}}
virtual_server 192.0.2.70 80 {{
 delay_loop 1
 lb_algo rr
 lb_kind NAT
 protocol TCP
 quorum 2
 real_server 127.0.0.2 8080 {{ {TCP_CHECK} }}
 real_server 127.0.0.3 8080 {{ {TCP_CHECK} }}
}}
virtual_server 192.0.2.71 80 {{
 delay_loop 1
 lb_algo rr
 lb_kind DR
 protocol TCP
 quorum 2
 sorry_server 127.0.0.9 80
 real_server 127.0.0.2 8080 {{ {TCP_CHECK} }}
 real_server 127.0.0.3 8080 {{ {TCP_CHECK} }}
}}
"
    );
    c
}

/// A real server: accepts connections and answers any request with a
/// small HTTP 200 (TCP_CHECK only connects). Dropping it closes the port.
struct Server {
    stop: Arc<AtomicBool>,
    addr: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(addr: &str) -> Server {
        let l = TcpListener::bind(addr).unwrap_or_else(|e| panic!("listen {addr}: {e}"));
        let addr = l.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let st = stop.clone();
        let thread = std::thread::spawn(move || {
            for conn in l.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut s) = conn else { continue };
                std::thread::spawn(move || {
                    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut buf = [0u8; 1024];
                    if matches!(s.read(&mut buf), Ok(n) if n > 0) {
                        let _ = s.write_all(
                            b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n",
                        );
                    }
                });
            }
        });
        Server {
            stop,
            addr,
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The listeners that are up, by name.
#[derive(Default)]
struct Servers(Vec<(&'static str, Server)>);

impl Servers {
    fn up(&mut self, names: &[&'static str]) {
        for n in names {
            let addr = SERVERS.iter().find(|(m, _)| m == n).unwrap().1;
            self.0.push((n, Server::start(addr)));
        }
    }
    fn down(&mut self, names: &[&str]) {
        self.0.retain(|(n, _)| !names.contains(n));
    }
}

/// `ipvsadm -Ln`, sorted: one line per service, and one per destination
/// prefixed with its service (`SERVICE -> addr Fwd Weight`, the connection
/// counters dropped).
fn table() -> BTreeSet<String> {
    let o = Command::new("ipvsadm")
        .arg("-Ln")
        .output()
        .expect("ipvsadm");
    let mut service = String::new();
    let mut out = BTreeSet::new();
    for l in String::from_utf8_lossy(&o.stdout).lines() {
        if l.starts_with("IP Virtual Server")
            || l.starts_with("Prot ")
            || l.contains("RemoteAddress")
        {
            continue;
        }
        let w: Vec<&str> = l.split_whitespace().collect();
        if w.first() == Some(&"->") {
            out.insert(format!("{service} {}", w[..w.len().min(4)].join(" ")));
        } else {
            service = w.join(" ");
            out.insert(service.clone());
        }
    }
    out
}

/// The last 80 lines of the daemon's log.
fn log_tail(d: &GuestDaemon) -> String {
    let s = d.log();
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(80)..].join("\n")
}

/// One step of the scenario: listeners to stop and start, then compare.
struct Step {
    what: &'static str,
    down: &'static [&'static str],
    up: &'static [&'static str],
}

const STEPS: &[Step] = &[
    Step {
        what: "A stopped",
        down: &["A"],
        up: &[],
    },
    Step {
        what: "A restarted",
        down: &[],
        up: &["A"],
    },
    Step {
        what: "A and B stopped (sorry servers, quorum)",
        down: &["A", "B"],
        up: &[],
    },
    Step {
        what: "A and B restarted, H (HTTP) and V6 stopped",
        down: &["H", "V6"],
        up: &["A", "B"],
    },
    Step {
        what: "H and V6 restarted, C stopped (inhibit)",
        down: &["C"],
        up: &["H", "V6"],
    },
];

/// keepalived's side: waits for the table to change from `prev` (up to
/// `first`) and then to hold still for `quiet`.
fn settle(prev: &BTreeSet<String>, first: Duration, quiet: Duration) -> BTreeSet<String> {
    let t0 = Instant::now();
    let mut cur = table();
    while &cur == prev && t0.elapsed() < first {
        std::thread::sleep(Duration::from_millis(200));
        cur = table();
    }
    let mut since = Instant::now();
    while since.elapsed() < quiet {
        std::thread::sleep(Duration::from_millis(200));
        let t = table();
        if t != cur {
            cur = t;
            since = Instant::now();
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "table never settled"
        );
    }
    cur
}

/// Our side: waits (up to `limit`) for `want`, then checks it holds for
/// `hold`. Returns the table seen last.
fn reach(want: &BTreeSet<String>, limit: Duration, hold: Duration) -> BTreeSet<String> {
    let t0 = Instant::now();
    loop {
        let t = table();
        if &t == want {
            let h0 = Instant::now();
            loop {
                std::thread::sleep(Duration::from_millis(200));
                let t = table();
                if &t != want || h0.elapsed() >= hold {
                    return t;
                }
            }
        }
        if t0.elapsed() >= limit {
            return t;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn describe(want: &BTreeSet<String>, have: &BTreeSet<String>) -> String {
    let only_ka: Vec<_> = want.difference(have).collect();
    let only_ours: Vec<_> = have.difference(want).collect();
    format!("only keepalived 2.2.7: {only_ka:#?}\n only ours: {only_ours:#?}")
}

/// Schedulers the guest kernel can load (each missing one is reported).
fn available_schedulers() -> Vec<&'static str> {
    SCHEDULERS
        .iter()
        .copied()
        .filter(|s| {
            let ok = Command::new("modprobe")
                .arg(format!("ip_vs_{s}"))
                .status()
                .is_ok_and(|st| st.success());
            if !ok {
                eprintln!("SKIPPED: scheduler {s}: no ip_vs_{s} module in the guest kernel");
            }
            ok
        })
        .collect()
}

pub fn run(reference: &str, ours: &str) {
    let t_all = Instant::now();
    let ip = |args: &[&str]| {
        let st = Command::new("ip").args(args).status().unwrap();
        assert!(st.success(), "ip {args:?}");
    };
    ip(&["-6", "addr", "add", "2001:db8::10/128", "dev", "lo"]);
    let scheds = available_schedulers();
    let conf = "/tmp/diff.conf";
    std::fs::write(conf, config(&scheds)).unwrap();

    // keepalived 2.2.7: record the table after start and each step.
    let _ = Command::new("ipvsadm").arg("-C").status();
    let mut servers = Servers::default();
    servers.up(&["A", "B", "C", "H", "V6"]);
    let mut ka = GuestDaemon::start(reference, "diff-ka", "-C", conf);
    let empty = BTreeSet::new();
    let mut recorded = vec![settle(
        &empty,
        Duration::from_secs(20),
        Duration::from_secs(3),
    )];
    eprintln!(
        "[diff] keepalived 2.2.7 at start ({:.1?}):\n{}",
        t_all.elapsed(),
        recorded[0].iter().cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(
        recorded[0].len() > 2 * scheds.len(),
        "keepalived 2.2.7 did not program the table:\n{}",
        log_tail(&ka)
    );
    for s in STEPS {
        servers.down(s.down);
        servers.up(s.up);
        let prev = recorded.last().unwrap().clone();
        // Quiet for longer than the slowest detection (HTTP_GET: delay_loop
        // 1 + connect_timeout 1 + delay_before_retry 1 + a retry), so that a
        // step whose servers change at different times is recorded whole.
        let t = settle(&prev, Duration::from_secs(10), Duration::from_secs(5));
        let gone: Vec<_> = prev.difference(&t).collect();
        let new: Vec<_> = t.difference(&prev).collect();
        eprintln!(
            "[diff] keepalived 2.2.7 after {}: gone {gone:#?}\n new {new:#?}",
            s.what
        );
        assert!(
            !gone.is_empty() || !new.is_empty(),
            "step {:?} changed nothing for keepalived 2.2.7 (the test lost its point)",
            s.what
        );
        recorded.push(t);
    }
    let st = ka.stop(Duration::from_secs(15));
    let ka_left = table();
    eprintln!("[diff] keepalived 2.2.7 exit {st:?}, left {ka_left:?}");
    drop(ka);
    drop(servers);
    let _ = Command::new("ipvsadm").arg("-C").status();
    eprintln!("[diff] reference recorded in {:.1?}", t_all.elapsed());

    // ours: must reach each recorded table.
    let mut diffs = Vec::new();
    let mut servers = Servers::default();
    servers.up(&["A", "B", "C", "H", "V6"]);
    let mut me = GuestDaemon::start(ours, "diff-ours", "-C", conf);
    let names = std::iter::once("start").chain(STEPS.iter().map(|s| s.what));
    for (i, (what, want)) in names.zip(&recorded).enumerate() {
        if i > 0 {
            let s = &STEPS[i - 1];
            servers.down(s.down);
            servers.up(s.up);
        }
        let limit = if i == 0 { 20 } else { 10 };
        let have = reach(want, Duration::from_secs(limit), Duration::from_secs(1));
        if &have != want {
            diffs.push(format!("after {what}: {}", describe(want, &have)));
        }
    }
    let st = me.stop(Duration::from_secs(15));
    let our_left = table();
    if !st.success() {
        diffs.push(format!("ours exited {st:?} on SIGTERM"));
    }
    if our_left != ka_left {
        diffs.push(format!("after SIGTERM: {}", describe(&ka_left, &our_left)));
    }
    let tail = log_tail(&me);
    drop(me);
    drop(servers);
    eprintln!("[diff] done in {:.1?}", t_all.elapsed());
    assert!(
        diffs.is_empty(),
        "{} difference(s) from keepalived 2.2.7:\n{}\nour log:\n{tail}",
        diffs.len(),
        diffs.join("\n")
    );
    println!("DIFFERENTIAL PASSED");
}
