//! The daemon's life cycle, end to end, against the real binary in a
//! network-namespace lab (tests/support/lab.rs): systemd notifications,
//! syslog, reloads that leave running instances alone, a crashed VRRP child
//! or parent, a crash of everything, a second daemon, `-V`, and the
//! packaged systemd unit.
//!
//! Every lab test is root only (without root it prints "SKIPPED" and
//! passes), bounded by explicit deadlines, and cleans up by PID: each
//! daemon handle SIGKILLs its process tree when dropped, and the lab kills
//! whatever is left in its namespaces before deleting them. Measurements
//! are printed as `DAEMON-TIMING` lines (`--nocapture` shows them).

mod support;

use nix::sys::signal::Signal;
use std::fs;
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use support::lab::{Daemon, Impl, Lab, Node, StartOptions, ok, poll_until, process_alive, skip};
use support::pcap::{Kind, mac_string};

const VIP: &str = "192.0.2.200";
/// First election of a lone node: Master_Down_Interval (3 × 1 s + skew)
/// plus room for a machine busy with parallel builds.
const ELECTION: Duration = Duration::from_secs(10);
/// Bound on anything that should happen "at once" (a log line, an exit).
const QUICK: Duration = Duration::from_secs(5);
const PRIORITY: u8 = 150;

// ---------------------------------------------------------------- helpers

fn lab() -> Lab {
    ok(Lab::new(1).map_err(|e| format!("building the lab: {e}")))
}

fn timing(test: &str, what: &str, value: impl std::fmt::Display) {
    eprintln!("DAEMON-TIMING {test}: {what} {value}");
}

/// One `vrrp_instance` (name, VRID, VIP): BACKUP at start, priority
/// [`PRIORITY`], advert_int 1, the VIP as /24 on eth0.
type Vi<'a> = (&'a str, u8, &'a str);

/// A whole configuration. No second gratuitous-ARP burst
/// (`vrrp_garp_master_delay 0`), so that any GARP after the first one is
/// something a test did.
fn conf(instances: &[Vi]) -> String {
    let mut s =
        String::from("global_defs {\n    router_id lifecycle\n    vrrp_garp_master_delay 0\n}\n");
    for (name, vrid, vip) in instances {
        s.push_str(&format!(
            "vrrp_instance {name} {{\n    state BACKUP\n    interface eth0\n    \
             virtual_router_id {vrid}\n    priority {PRIORITY}\n    advert_int 1\n    \
             virtual_ipaddress {{\n        {vip}/24 dev eth0\n    }}\n}}\n"
        ));
    }
    s
}

fn single() -> String {
    conf(&[("VI_1", 51, VIP)])
}

fn start(lab: &Lab, conf: &str, args: &[&str], opts: &StartOptions) -> Daemon {
    ok(lab.node(0).start_with(Impl::Ours, conf, args, opts))
}

/// Start a lone node and wait until it is master holding [`VIP`].
fn start_master(lab: &Lab, args: &[&str]) -> Daemon {
    let d = start(lab, &single(), args, &StartOptions::default());
    ok(d.wait_log("(VI_1) Entering MASTER STATE", ELECTION));
    ok(lab.wait_addr(0, VIP, true, QUICK));
    d
}

/// The one VRRP child of `d`.
fn vrrp_child(d: &Daemon) -> u32 {
    let mut kid = None;
    ok(poll_until(
        QUICK,
        "the VRRP child process (exactly one)",
        || {
            let kids = d.children();
            kid = (kids.len() == 1).then(|| kids[0]);
            kid.is_some()
        },
        || format!("children: {:?}\n{}", d.children(), d.log_tail(20)),
    ));
    kid.expect("found")
}

fn epoch_now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
}

/// Index of the first log line containing `needle`.
fn line_index(log: &str, needle: &str) -> Option<usize> {
    log.lines().position(|l| l.contains(needle))
}

// ------------------------------------------------------ datagram listener

/// One datagram received on a [`Listener`]: its text and the sender's PID
/// (from `SCM_CREDENTIALS`, as systemd checks it for `NotifyAccess=main`).
#[derive(Debug, Clone)]
struct Datagram {
    pid: Option<u32>,
    text: String,
}

/// A unix datagram socket bound in a temporary directory, read by a thread
/// until dropped: stands in for systemd's notify socket or `/dev/log`.
struct Listener {
    path: PathBuf,
    got: Arc<Mutex<Vec<Datagram>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Listener {
    fn new(name: &str) -> Listener {
        use nix::sys::socket::{ControlMessageOwned, MsgFlags, UnixAddr, recvmsg, setsockopt};
        let dir = tempfile::Builder::new()
            .prefix("daemon-lifecycle-")
            .tempdir()
            .unwrap();
        let path = dir.path().join(name);
        let sock = UnixDatagram::bind(&path).unwrap();
        setsockopt(&sock, nix::sys::socket::sockopt::PassCred, &true).unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (g, s) = (got.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; 65536];
            while !s.load(Ordering::Relaxed) {
                let mut cmsg = nix::cmsg_space!(nix::sys::socket::UnixCredentials);
                let mut iov = [std::io::IoSliceMut::new(&mut buf)];
                let Ok(msg) = recvmsg::<UnixAddr>(
                    sock.as_raw_fd(),
                    &mut iov,
                    Some(&mut cmsg),
                    MsgFlags::empty(),
                ) else {
                    continue; // the read timeout: look at the stop flag
                };
                let pid = msg.cmsgs().ok().and_then(|mut c| {
                    c.find_map(|m| match m {
                        ControlMessageOwned::ScmCredentials(cr) => Some(cr.pid() as u32),
                        _ => None,
                    })
                });
                let n = msg.bytes;
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                g.lock().unwrap().push(Datagram { pid, text });
            }
        });
        Listener {
            path,
            got,
            stop,
            thread: Some(thread),
            _dir: dir,
        }
    }

    fn path(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }

    fn all(&self) -> Vec<Datagram> {
        self.got.lock().unwrap().clone()
    }

    fn dump(&self) -> String {
        self.all()
            .iter()
            .map(|d| format!("[{:?}] {:?}", d.pid, d.text))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Wait until at least `n` datagrams contain `needle`; the last of them.
    fn wait_count(&self, needle: &str, n: usize, timeout: Duration) -> Datagram {
        let mut found = None;
        ok(poll_until(
            timeout,
            &format!("{n} datagram(s) containing {needle:?}"),
            || {
                let hits: Vec<Datagram> = self
                    .all()
                    .into_iter()
                    .filter(|d| d.text.contains(needle))
                    .collect();
                found = hits.get(n - 1).cloned();
                found.is_some()
            },
            || format!("--- received ---\n{}", self.dump()),
        ));
        found.expect("found")
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

// ------------------------------------------------------ background probes

/// A loop run by a thread every `period` until stopped, counting rounds and
/// failures (and the first few failure descriptions).
struct Probe {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<(u32, u32, Vec<String>)>>,
}

impl Probe {
    /// `setup` runs once in the thread (e.g. entering a namespace), then
    /// `round` every `period`; `Err` counts as a failure.
    fn start(
        period: Duration,
        setup: impl FnOnce() -> Result<(), String> + Send + 'static,
        mut round: impl FnMut() -> Result<(), String> + Send + 'static,
    ) -> Probe {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::spawn(move || {
            let (mut rounds, mut failures, mut why) = (0, 0, Vec::new());
            if let Err(e) = setup() {
                return (0, 1, vec![e]);
            }
            let mut next = Instant::now();
            while !s.load(Ordering::Relaxed) {
                rounds += 1;
                if let Err(e) = round() {
                    failures += 1;
                    if why.len() < 5 {
                        why.push(e);
                    }
                }
                next += period;
                if let Some(d) = next.checked_duration_since(Instant::now()) {
                    std::thread::sleep(d);
                } else {
                    next = Instant::now();
                }
            }
            (rounds, failures, why)
        });
        Probe {
            stop,
            thread: Some(thread),
        }
    }

    /// TCP connection attempts to `ip` port 9 from the observer namespace
    /// every 20 ms, each bounded by 200 ms: accepted or refused (a RST)
    /// proves a host answers for the address; a timeout or an unreachable
    /// error is a lost probe.
    fn observer_tcp(lab: &Lab, ip: &str) -> Probe {
        let ns_path = format!("/run/netns/{}", lab.observer.ns);
        let addr = SocketAddr::new(ip.parse::<IpAddr>().unwrap(), 9);
        Probe::start(
            Duration::from_millis(20),
            move || {
                let f = fs::File::open(&ns_path).map_err(|e| format!("{ns_path}: {e}"))?;
                nix::sched::setns(&f, nix::sched::CloneFlags::CLONE_NEWNET)
                    .map_err(|e| format!("setns {ns_path}: {e}"))
            },
            move || match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(_) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => Ok(()),
                Err(e) => Err(format!("{:?}: {addr}: {e}", epoch_now())),
            },
        )
    }

    /// `ip -n NODE addr` every 10 ms: a failure is a moment `ip` is absent.
    fn addr_present(node: &Node, ip: &str) -> Probe {
        let (node, ip) = (node.clone(), ip.to_string());
        Probe::start(
            Duration::from_millis(10),
            || Ok(()),
            move || {
                if node.has_addr(&ip) {
                    Ok(())
                } else {
                    Err(format!("{:?}: {ip} absent", epoch_now()))
                }
            },
        )
    }

    /// Stop; (rounds, failures, first failures).
    fn finish(mut self) -> (u32, u32, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .expect("joined once")
            .join()
            .expect("probe thread panicked")
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

// ---------------------------------------------------------------- tests

/// Type=notify: `READY=1` with `MAINPID` once the child has read its
/// configuration, `RELOADING=1` + `MONOTONIC_USEC` then `READY=1` around a
/// SIGHUP, `STOPPING=1` on SIGTERM; every datagram from the main process
/// (systemd's default `NotifyAccess=main` drops any other sender's).
#[test]
fn systemd_notify_ready_reloading_stopping() {
    if skip("systemd_notify_ready_reloading_stopping") {
        return;
    }
    let lab = lab();
    let sock = Listener::new("notify");
    let opts = StartOptions {
        env: vec![("NOTIFY_SOCKET".into(), sock.path())],
        ..Default::default()
    };
    let mut d = start(&lab, &single(), &[], &opts);
    let ready = sock.wait_count("READY=1", 1, QUICK);
    assert!(
        ready
            .text
            .lines()
            .any(|l| l == format!("MAINPID={}", d.pid)),
        "READY without MAINPID={}: {:?}",
        d.pid,
        ready.text
    );
    // READY means the child has read its configuration: it exists and
    // announced its first state.
    let child = vrrp_child(&d);
    ok(d.wait_log("(VI_1) Entering BACKUP STATE", QUICK));

    d.signal(Signal::SIGHUP).unwrap();
    let reloading = sock.wait_count("RELOADING=1", 1, QUICK);
    let usec: u64 = reloading
        .text
        .lines()
        .find_map(|l| l.strip_prefix("MONOTONIC_USEC="))
        .unwrap_or_else(|| panic!("RELOADING=1 without MONOTONIC_USEC: {:?}", reloading.text))
        .parse()
        .expect("MONOTONIC_USEC is a number");
    let now_usec = keepalived::sys::clock::monotonic_usec();
    assert!(
        usec <= now_usec && now_usec - usec < 10_000_000,
        "MONOTONIC_USEC={usec} is not CLOCK_MONOTONIC of the last seconds (now {now_usec})"
    );
    sock.wait_count("READY=1", 2, QUICK);
    ok(d.wait_log("Reload complete", QUICK));
    assert_eq!(vrrp_child(&d), child, "a reload must not restart the child");

    d.signal(Signal::SIGTERM).unwrap();
    sock.wait_count("STOPPING=1", 1, QUICK);
    let code = ok(d.wait_exit(QUICK));
    assert_eq!(code, 0, "exit code after SIGTERM\n{}", d.log_tail(20));

    let got = sock.all();
    let firsts: Vec<&str> = got
        .iter()
        .map(|g| g.text.lines().next().unwrap_or(""))
        .collect();
    assert_eq!(
        firsts,
        ["READY=1", "RELOADING=1", "READY=1", "STOPPING=1"],
        "the notification sequence\n{}",
        sock.dump()
    );
    for g in &got {
        assert_eq!(g.pid, Some(d.pid), "sent by another process: {g:?}");
    }
}

/// No `-l`, `-S 0`: every line goes to syslog as local0.info (`<134>`)
/// with glibc's header, the parent as `Keepalived[PID]` and the VRRP child
/// as `Keepalived_vrrp[PID]`, and nothing to the console.
#[test]
fn syslog_idents_and_facility() {
    if skip("syslog_idents_and_facility") {
        return;
    }
    let lab = lab();
    let sock = Listener::new("log");
    let opts = StartOptions {
        no_console: true,
        env: vec![("KEEPALIVED_SYSLOG_SOCKET".into(), sock.path())],
        ..Default::default()
    };
    let d = start(&lab, &single(), &["-S", "0"], &opts);
    sock.wait_count("(VI_1) Entering MASTER STATE", 1, ELECTION);
    let (parent, child) = (d.pid, vrrp_child(&d));
    let got = sock.all();
    let find = |ident: &str, pid: u32, msg: &str| {
        let g = got
            .iter()
            .find(|g| g.text.contains(msg))
            .unwrap_or_else(|| panic!("no syslog line with {msg:?}\n{}", sock.dump()));
        // "<134>Dec  1 23:01:08 Keepalived_vrrp[21291]: message"
        let head = format!("{ident}[{pid}]: {msg}");
        let rest = g
            .text
            .strip_prefix("<134>")
            .unwrap_or_else(|| panic!("not local0.info: {:?}", g.text));
        let stamp = &rest[..15];
        let b = stamp.as_bytes();
        assert!(
            b[3] == b' '
                && b[6] == b' '
                && b[9] == b':'
                && b[12] == b':'
                && rest[15..].starts_with(' '),
            "not a syslog timestamp: {:?}",
            g.text
        );
        assert_eq!(&rest[16..], head, "syslog line {:?}", g.text);
        assert_eq!(g.pid, Some(pid), "sender of {:?}", g.text);
    };
    find(
        "Keepalived",
        parent,
        &format!("Starting VRRP child process, pid={child}"),
    );
    find("Keepalived", parent, "Startup complete");
    find(
        "Keepalived_vrrp",
        child,
        "(VI_1) Entering BACKUP STATE (init)",
    );
    find("Keepalived_vrrp", child, "(VI_1) Entering MASTER STATE");
    assert!(
        got.iter().all(|g| g.text.starts_with("<134>")),
        "every line is local0.info at -D\n{}",
        sock.dump()
    );
    assert!(
        !d.log().contains("Entering"),
        "no -l: nothing on the console, got:\n{}",
        d.log()
    );
}

/// SIGHUP with the same configuration: the master keeps its VIP throughout
/// (polled every 10 ms), a client probing every 20 ms loses nothing, and
/// the wire shows only the periodic adverts: no priority 0, no GARP.
#[test]
fn reload_unchanged_is_invisible() {
    const T: &str = "reload_unchanged_is_invisible";
    if skip(T) {
        return;
    }
    let lab = lab();
    let cap = ok(lab.capture());
    let d = start_master(&lab, &[]);
    let child = vrrp_child(&d);
    let mac = lab.node(0).mac.clone();
    // The one GARP burst of the transition is over before the window.
    ok(cap
        .wait_frame("the master's gratuitous ARP", QUICK, |f| {
            matches!(f.kind, Kind::Garp { .. })
        })
        .map(drop));
    ok(lab.ping_from_observer(VIP));

    let probes = Probe::observer_tcp(&lab, VIP);
    let present = Probe::addr_present(lab.node(0), VIP);
    std::thread::sleep(Duration::from_millis(500));
    let hup_at = epoch_now();
    d.signal(Signal::SIGHUP).unwrap();
    ok(d.wait_log("Reload complete", QUICK));
    ok(d.wait_log("Reloading", QUICK));
    // Past the reload until two more periodic adverts are on the wire
    // (polling: tcpdump hands packets over in batches).
    let adverts_after = || {
        cap.frames()
            .iter()
            .filter(|f| f.ts >= hup_at && mac_string(&f.src_mac) == mac)
            .filter(|f| matches!(f.kind, Kind::Vrrp { .. }))
            .count()
    };
    ok(poll_until(
        Duration::from_secs(5),
        "two adverts after the SIGHUP",
        || adverts_after() >= 2,
        || cap.summary(),
    ));
    let (sent, lost, why) = probes.finish();
    let (polls, absent, gone) = present.finish();
    timing(T, "probes sent", sent);
    timing(T, "probes lost", lost);
    timing(T, "VIP polls", polls);
    timing(T, "VIP absent in polls", absent);
    assert!(sent >= 50, "the probe loop barely ran: {sent} probes");
    assert!(polls >= 50, "the address poll barely ran: {polls} polls");
    assert_eq!(lost, 0, "lost probes across the reload: {why:?}");
    assert_eq!(absent, 0, "the VIP disappeared during the reload: {gone:?}");
    assert_eq!(vrrp_child(&d), child, "a reload must not restart the child");
    assert_eq!(d.log_count("Entering"), 2, "no state change:\n{}", d.log());

    let frames = cap.frames();
    let after: Vec<_> = frames.iter().filter(|f| f.ts >= hup_at).collect();
    for f in &after {
        match &f.kind {
            Kind::Vrrp { priority, .. } => {
                assert_ne!(
                    *priority,
                    0,
                    "priority-0 advert after SIGHUP\n{}",
                    cap.summary()
                )
            }
            Kind::Garp { .. } | Kind::UnsolicitedNa { .. } => {
                panic!("announcement after SIGHUP\n{}", cap.summary())
            }
            Kind::Other => {}
        }
    }
    // Periodic adverts only: from the last one before the SIGHUP on, each
    // about one advert_int after the previous (no burst, no gap).
    let adverts: Vec<Duration> = frames
        .iter()
        .filter(|f| mac_string(&f.src_mac) == mac && matches!(f.kind, Kind::Vrrp { .. }))
        .map(|f| f.ts)
        .collect();
    let first = adverts
        .iter()
        .rposition(|t| *t < hup_at)
        .expect("an advert before SIGHUP");
    let window = &adverts[first..];
    assert!(
        window.len() >= 3,
        "adverts around the reload: {window:?}\n{}",
        cap.summary()
    );
    for w in window.windows(2) {
        let gap = (w[1] - w[0]).as_secs_f64();
        assert!(
            (0.8..=1.3).contains(&gap),
            "adverts {gap:.3} s apart across the reload\n{}",
            cap.summary()
        );
    }
}

/// SIGHUP with an instance added (VI_2), one changed (VI_3, another VIP)
/// and one removed (VI_4): exactly those VIPs appear and disappear, the
/// removed and changed instances release with priority 0, and the
/// unchanged VI_1 keeps its VIP without a gap.
#[test]
fn reload_applies_exactly_the_differences() {
    if skip("reload_applies_exactly_the_differences") {
        return;
    }
    let (v2, v3_old, v3_new, v4) = ("192.0.2.201", "192.0.2.202", "192.0.2.204", "192.0.2.203");
    let lab = lab();
    let cap = ok(lab.capture());
    let before = conf(&[("VI_1", 51, VIP), ("VI_3", 53, v3_old), ("VI_4", 54, v4)]);
    let d = start(&lab, &before, &[], &StartOptions::default());
    ok(d.wait_log_count("Entering MASTER STATE", 3, ELECTION));
    for ip in [VIP, v3_old, v4] {
        ok(lab.wait_addr(0, ip, true, QUICK));
    }
    let after = conf(&[("VI_1", 51, VIP), ("VI_2", 52, v2), ("VI_3", 53, v3_new)]);
    fs::write(d.dir().join("keepalived.conf"), after).unwrap();

    let present = Probe::addr_present(lab.node(0), VIP);
    let hup_at = epoch_now();
    d.signal(Signal::SIGHUP).unwrap();
    ok(d.wait_log("Reload complete", QUICK));
    ok(lab.wait_addr(0, v4, false, QUICK));
    ok(lab.wait_addr(0, v3_old, false, QUICK));
    ok(d.wait_log("(VI_2) Entering MASTER STATE", ELECTION));
    ok(d.wait_log_count("(VI_3) Entering MASTER STATE", 2, ELECTION));
    ok(lab.wait_addr(0, v2, true, QUICK));
    ok(lab.wait_addr(0, v3_new, true, QUICK));
    let (polls, absent, gone) = present.finish();
    assert!(polls >= 50, "the address poll barely ran: {polls} polls");
    assert_eq!(absent, 0, "VI_1's VIP disappeared: {gone:?}");
    assert!(!lab.node_has_addr(0, v4) && !lab.node_has_addr(0, v3_old));
    assert_eq!(
        d.log_count("(VI_1) Entering"),
        2,
        "VI_1 untouched:\n{}",
        d.log()
    );

    let zero_from = |want: u8| {
        cap.frames().iter().any(|f| {
            f.ts >= hup_at && matches!(f.kind, Kind::Vrrp { vrid, priority: 0, .. } if vrid == want)
        })
    };
    assert!(zero_from(54), "removed VI_4 released\n{}", cap.summary());
    assert!(zero_from(53), "changed VI_3 released\n{}", cap.summary());
    assert!(!zero_from(51), "unchanged VI_1 did not\n{}", cap.summary());
}

/// SIGHUP that removes an instance: its notify script is told DELETED
/// (with `notify_deleted`; FAULT without), never STOP, as keepalived's
/// `clear_diff_vrrp`; the VIP goes.
#[test]
fn reload_deleted_instance_notifies_deleted() {
    use std::os::unix::fs::PermissionsExt;
    if skip("reload_deleted_instance_notifies_deleted") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("notified");
    let script = dir.path().join("notify.sh");
    fs::write(
        &script,
        format!("#!/bin/sh\necho \"$*\" >> {}\n", out.display()),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let with = |extra: &str| {
        conf(&[("VI_1", 51, VIP), ("VI_2", 52, "192.0.2.201")]).replacen(
            "vrrp_instance VI_2 {\n",
            &format!(
                "vrrp_instance VI_2 {{\n    notify \"{}\"\n{extra}",
                script.display()
            ),
            1,
        )
    };
    let lab = lab();
    let d = start(
        &lab,
        &with("    notify_deleted\n"),
        &[],
        &StartOptions::default(),
    );
    ok(d.wait_log("(VI_2) Entering MASTER STATE", ELECTION));
    ok(lab.wait_addr(0, "192.0.2.201", true, QUICK));
    fs::write(d.dir().join("keepalived.conf"), conf(&[("VI_1", 51, VIP)])).unwrap();
    d.signal(Signal::SIGHUP).unwrap();
    ok(d.wait_log("Reload complete", QUICK));
    ok(lab.wait_addr(0, "192.0.2.201", false, QUICK));
    let lines = || fs::read_to_string(&out).unwrap_or_default();
    ok(poll_until(
        QUICK,
        "the DELETED notify",
        || lines().contains("INSTANCE VI_2 DELETED"),
        lines,
    ));
    assert!(!lines().contains("STOP"), "{}", lines());
}

/// SIGHUP that adds a `use_vmac` instance creates its VMAC interface
/// (vrrp.VRID), and SIGHUP that removes the instance deletes it again, as
/// keepalived's reload does (`clear_diff_vrrp`).
#[test]
fn reload_creates_and_removes_vmac() {
    if skip("reload_creates_and_removes_vmac") {
        return;
    }
    let lab = lab();
    let d = start_master(&lab, &[]);
    let ns = lab.node(0).ns.clone();
    let has_vmac = || {
        std::process::Command::new("ip")
            .args(["-n", &ns, "link", "show", "vrrp.52"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    assert!(!has_vmac(), "no VMAC before the reload");
    let with_vmac = conf(&[("VI_1", 51, VIP), ("VI_2", 52, "192.0.2.201")]).replacen(
        "virtual_router_id 52\n",
        "virtual_router_id 52\n    use_vmac\n",
        1,
    );
    fs::write(d.dir().join("keepalived.conf"), with_vmac).unwrap();
    d.signal(Signal::SIGHUP).unwrap();
    ok(d.wait_log("Reload complete", QUICK));
    ok(poll_until(QUICK, "vrrp.52 created", has_vmac, || {
        d.log_tail(20)
    }));
    ok(d.wait_log("(VI_2) Entering MASTER STATE", ELECTION));
    fs::write(d.dir().join("keepalived.conf"), single()).unwrap();
    d.signal(Signal::SIGHUP).unwrap();
    ok(d.wait_log_count("Reload complete", 2, QUICK));
    ok(poll_until(
        QUICK,
        "vrrp.52 deleted",
        || !has_vmac(),
        || d.log_tail(20),
    ));
    assert!(lab.node_has_addr(0, VIP), "VI_1 kept its VIP");
}

/// SIGHUP applies the difference of `static_ipaddress` / `static_routes`:
/// a dropped line goes, a new one comes, an unchanged one (moved to
/// another line of the file) stays in place.
#[test]
fn reload_applies_static_differences() {
    if skip("reload_applies_static_differences") {
        return;
    }
    let with = |addrs: &[&str], routes: &[&str]| {
        let mut s = single();
        s.push_str("static_ipaddress {\n");
        for a in addrs {
            s.push_str(&format!("    {a}/32 dev eth0\n"));
        }
        s.push_str("}\nstatic_routes {\n");
        for r in routes {
            s.push_str(&format!("    {r} dev eth0\n"));
        }
        s.push_str("}\n");
        s
    };
    let lab = lab();
    let d = start(
        &lab,
        &with(&["198.51.100.7", "198.51.100.8"], &["198.51.100.128/26"]),
        &[],
        &StartOptions::default(),
    );
    ok(lab.wait_addr(0, "198.51.100.8", true, QUICK));
    let ns = lab.node(0).ns.clone();
    let routes = || {
        std::process::Command::new("ip")
            .args(["-n", &ns, "route", "show", "dev", "eth0"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    ok(poll_until(
        QUICK,
        "static route",
        || routes().contains("198.51.100.128/26"),
        routes,
    ));
    fs::write(
        d.dir().join("keepalived.conf"),
        with(&["198.51.100.9", "198.51.100.8"], &["198.51.100.192/26"]),
    )
    .unwrap();
    d.signal(Signal::SIGHUP).unwrap();
    ok(d.wait_log("Reload complete", QUICK));
    ok(lab.wait_addr(0, "198.51.100.9", true, QUICK));
    ok(lab.wait_addr(0, "198.51.100.7", false, QUICK));
    assert!(lab.node_has_addr(0, "198.51.100.8"), "kept static address");
    ok(poll_until(
        QUICK,
        "static routes swapped",
        || {
            let r = routes();
            r.contains("198.51.100.192/26") && !r.contains("198.51.100.128/26")
        },
        routes,
    ));
}

/// SIGHUP keeps the state of `vrrp_script`s whose configuration did not
/// change (keepalived carries script results across a reload): the
/// running script is not restarted (no second "succeeded" line however
/// often it runs after the reload), and an instance added by the reload
/// that tracks a script already known to fail starts in FAULT at once.
#[test]
fn reload_keeps_unchanged_scripts() {
    use std::os::unix::fs::PermissionsExt;
    if skip("reload_keeps_unchanged_scripts") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let script = |name: &str, body: &str| {
        let p = dir.path().join(name);
        fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        p.display().to_string()
    };
    let ok_sh = script("ok.sh", &format!("echo run >> {}\nexit 0", runs.display()));
    let fail_sh = script("fail.sh", "exit 1");
    let instance = |name: &str, vrid: u8, vip: &str, track: &str| {
        format!(
            "vrrp_instance {name} {{\n    state BACKUP\n    interface eth0\n    \
             virtual_router_id {vrid}\n    priority {PRIORITY}\n    advert_int 1\n    \
             virtual_ipaddress {{\n        {vip}/24 dev eth0\n    }}\n    \
             track_script {{\n        {track}\n    }}\n}}\n"
        )
    };
    let head = format!(
        "global_defs {{\n    router_id lifecycle\n}}\n\
         vrrp_script chk_ok {{\n    script \"{ok_sh}\"\n    interval 1\n}}\n\
         vrrp_script chk_fail {{\n    script \"{fail_sh}\"\n    interval 600\n}}\n"
    );
    let vi1 = instance("VI_1", 51, VIP, "chk_ok\n        chk_fail weight -10");
    let lab = lab();
    let d = start(&lab, &format!("{head}{vi1}"), &[], &StartOptions::default());
    ok(d.wait_log("VRRP_Script(chk_ok) succeeded", QUICK));
    ok(d.wait_log("VRRP_Script(chk_fail) failed", QUICK));
    let after = format!(
        "{head}{vi1}{}",
        instance("VI_2", 52, "192.0.2.201", "chk_fail")
    );
    fs::write(d.dir().join("keepalived.conf"), after).unwrap();
    let count = || fs::read_to_string(&runs).map_or(0, |s| s.lines().count());

    d.signal(Signal::SIGHUP).unwrap();
    ok(d.wait_log("Reload complete", QUICK));
    ok(d.wait_log("(VI_2): entering FAULT state due to script chk_fail", QUICK));
    let at_reload = count();
    ok(poll_until(
        QUICK,
        "chk_ok runs twice after the reload",
        || count() >= at_reload + 2,
        || d.log_tail(20),
    ));
    assert_eq!(
        d.log_count("VRRP_Script(chk_ok) succeeded"),
        1,
        "{}",
        d.log()
    );
    assert_eq!(
        d.log_count("VRRP_Script(chk_fail) failed"),
        1,
        "{}",
        d.log()
    );
    assert_eq!(d.log_count("(VI_2) Entering BACKUP"), 0, "{}", d.log());
}

/// The `vrrp_script` runs in progress at a reload and at a stop, as
/// keepalived's `script_killall()`: their process groups get SIGTERM, and
/// SIGKILL 1 s later if still there (this script ignores SIGTERM, so only
/// the SIGKILL ends it). The reload drops the killed run's result (no
/// "failed" line) and starts a new run at once; the stop SIGTERMs, then
/// SIGKILLs them and exits. Run against keepalived 2.2.7 first (whose stop
/// is only timed: after the reload it often leaves the runs behind), then
/// ours.
#[test]
fn running_vrrp_scripts_are_killed_at_reload_and_stop() {
    use std::os::unix::fs::PermissionsExt;
    use support::procs::group_members;
    const T: &str = "running_vrrp_scripts_are_killed_at_reload_and_stop";
    if skip(T) {
        return;
    }
    for imp in [Impl::Keepalived, Impl::Ours] {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let pids = dir.path().join("pids");
        let sh = dir.path().join("slow.sh");
        fs::write(
            &sh,
            format!(
                "#!/bin/sh\ntrap '' TERM\necho $$ >> {}\nsleep 30\n",
                pids.display()
            ),
        )
        .unwrap();
        fs::set_permissions(&sh, fs::Permissions::from_mode(0o755)).unwrap();
        let conf = format!(
            "global_defs {{\n    router_id lifecycle\n}}\n\
             vrrp_script chk_slow {{\n    script \"{}\"\n    interval 1\n    timeout 60\n}}\n\
             vrrp_instance VI_1 {{\n    state BACKUP\n    interface eth0\n    \
             virtual_router_id 51\n    priority {PRIORITY}\n    advert_int 1\n    \
             virtual_ipaddress {{\n        {VIP}/24 dev eth0\n    }}\n    \
             track_script {{\n        chk_slow\n    }}\n}}\n",
            sh.display()
        );
        let lab = lab();
        let mut d = ok(lab
            .node(0)
            .start_with(imp, &conf, &[], &StartOptions::default()));
        let runs = || -> Vec<i32> {
            fs::read_to_string(&pids)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| l.trim().parse().ok())
                .collect()
        };
        // The shell and its sleep, both in the run's group.
        let running = |pg: i32| group_members(pg).len() >= 2;
        ok(poll_until(
            QUICK,
            "the first run of chk_slow",
            || runs().first().is_some_and(|&p| running(p)),
            || d.log_tail(20),
        ));
        let first = runs()[0];

        d.signal(Signal::SIGHUP).unwrap();
        let hup = Instant::now();
        ok(poll_until(
            QUICK,
            "the reload's new run of chk_slow",
            || runs().get(1).is_some_and(|&p| running(p)),
            || d.log_tail(20),
        ));
        let rerun = hup.elapsed();
        ok(poll_until(
            QUICK,
            "the first run's process group gone after the reload",
            || group_members(first).is_empty(),
            || format!("{:?}\n{}", group_members(first), d.log_tail(20)),
        ));
        let killed = hup.elapsed();
        timing(
            T,
            &format!("{imp:?} reload: new run after"),
            format!("{rerun:?}"),
        );
        timing(
            T,
            &format!("{imp:?} reload: old run gone after"),
            format!("{killed:?}"),
        );
        // SIGTERM is ignored: only the SIGKILL a second later ends it.
        assert!(killed >= Duration::from_millis(900), "{imp:?}: {killed:?}");
        assert!(killed < Duration::from_secs(3), "{imp:?}: {killed:?}");
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(
            d.log_count("VRRP_Script(chk_slow) failed"),
            0,
            "{imp:?}\n{}",
            d.log()
        );
        // keepalived 2.2.7 starts a third run while the second still runs
        // (the old run's death, a second after the reload, marks the
        // script idle); ours keeps to one run at a time.
        if imp == Impl::Ours {
            assert_eq!(runs().len(), 2, "one run at a time\n{}", d.log());
        }

        d.signal(Signal::SIGTERM).unwrap();
        let term = Instant::now();
        ok(d.wait_exit(QUICK));
        let exited = term.elapsed();
        timing(
            T,
            &format!("{imp:?} stop: exited after"),
            format!("{exited:?}"),
        );
        // keepalived 2.2.7 after such a reload often exits leaving both
        // runs behind (its stop does not find them); ours ends them.
        let left_behind = runs()
            .into_iter()
            .flat_map(group_members)
            .collect::<Vec<_>>();
        timing(
            T,
            &format!("{imp:?} stop: left behind"),
            format!("{left_behind:?}"),
        );
        if imp == Impl::Keepalived {
            for p in runs() {
                let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(p), Signal::SIGKILL);
            }
            continue;
        }
        // SIGKILLed as the daemon exits: gone a moment later (a loaded
        // machine may take a few milliseconds to end them).
        let left = || {
            runs()
                .into_iter()
                .flat_map(group_members)
                .collect::<Vec<_>>()
        };
        ok(poll_until(
            Duration::from_secs(1),
            "the runs in progress ended with the daemon",
            || left().is_empty(),
            || format!("{imp:?}: {:?}", left()),
        ));
        assert!(exited >= Duration::from_millis(900), "{imp:?}: {exited:?}");
    }
}

/// SIGKILL of the VRRP child: the parent says so and respawns it; the new
/// child first removes the VIP its predecessor recorded, then wins the
/// election again after a master-down interval.
#[test]
fn child_sigkill_is_respawned() {
    const T: &str = "child_sigkill_is_respawned";
    if skip(T) {
        return;
    }
    let lab = lab();
    let mut d = start_master(&lab, &[]);
    let old = vrrp_child(&d);
    let killed = Instant::now();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(old as i32), Signal::SIGKILL).unwrap();
    ok(d.wait_log(
        &format!("VRRP child process({old}) died: Respawning"),
        QUICK,
    ));
    let mut new = 0;
    ok(poll_until(
        QUICK,
        "a new VRRP child",
        || {
            new = d.children().first().copied().unwrap_or(0);
            new != 0 && new != old
        },
        || d.log_tail(20),
    ));
    ok(d.wait_log(&format!("Removed leftover VIP {VIP}/24 from eth0"), QUICK));
    ok(lab.wait_addr(0, VIP, false, QUICK));
    let removed_after = killed.elapsed();
    ok(lab.wait_addr(0, VIP, true, ELECTION));
    let restored = killed.elapsed();
    timing(
        T,
        "SIGKILL to VIP removed by the new child",
        format!("{removed_after:.3?}"),
    );
    timing(T, "SIGKILL to VIP restored", format!("{restored:.3?}"));
    // The new child waited Master_Down_Interval (3 × 1 s + skew) as BACKUP.
    assert!(
        restored >= Duration::from_secs(3),
        "VIP restored after {restored:?}, before a master-down interval"
    );
    let log = d.log();
    let removed = line_index(&log, "Removed leftover VIP").unwrap();
    let masters: Vec<usize> = log
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("(VI_1) Entering MASTER STATE"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(masters.len(), 2, "{log}");
    assert!(
        removed < masters[1],
        "removal before the new election:\n{log}"
    );
    assert!(d.running(), "the parent keeps running");
}

/// SIGKILL of the parent only: PR_SET_PDEATHSIG gives the child SIGTERM,
/// which releases the VIP (a priority-0 advert on the wire) and exits.
#[test]
fn parent_sigkill_stops_child_gracefully() {
    if skip("parent_sigkill_stops_child_gracefully") {
        return;
    }
    let lab = lab();
    let cap = ok(lab.capture());
    let mut d = start_master(&lab, &[]);
    let child = vrrp_child(&d);
    let mac = lab.node(0).mac.clone();
    let killed = epoch_now();
    d.signal(Signal::SIGKILL).unwrap();
    assert_eq!(ok(d.wait_exit(QUICK)), 128 + 9);
    ok(cap
        .wait_frame("a priority-0 advert from the orphaned child", QUICK, |f| {
            f.ts >= killed
                && mac_string(&f.src_mac) == mac
                && matches!(f.kind, Kind::Vrrp { priority: 0, .. })
        })
        .map(drop));
    ok(lab.wait_addr(0, VIP, false, QUICK));
    ok(poll_until(
        QUICK,
        "the orphaned VRRP child to exit",
        || !process_alive(child),
        || d.log_tail(20),
    ));
    ok(d.wait_log("Stopped", QUICK));
}

/// The routes of network namespace `ns` (`ip route show`).
fn routes(ns: &str) -> String {
    let out = std::process::Command::new("ip")
        .args(["-n", ns, "route", "show"])
        .output()
        .expect("ip route");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// SIGKILL of every process while master: nothing can remove the VIP or
/// the virtual route. The next daemon (same pid files, hence the same
/// record), whose configuration has no route any more, removes both
/// before its election.
#[test]
fn crash_leftover_vip_removed_at_next_start() {
    if skip("crash_leftover_vip_removed_at_next_start") {
        return;
    }
    const ROUTE: &str = "198.51.100.0/24 via 192.0.2.1 dev eth0";
    let lab = lab();
    let with_route = single().replacen(
        "    virtual_ipaddress {",
        &format!("    virtual_routes {{\n        {ROUTE}\n    }}\n    virtual_ipaddress {{"),
        1,
    );
    let mut d = start(&lab, &with_route, &[], &StartOptions::default());
    ok(d.wait_log("(VI_1) Entering MASTER STATE", ELECTION));
    ok(lab.wait_addr(0, VIP, true, QUICK));
    let ns = lab.node(0).ns.clone();
    ok(poll_until(
        QUICK,
        "the virtual route",
        || routes(&ns).contains("198.51.100.0/24 via 192.0.2.1"),
        || routes(&ns),
    ));
    d.kill_all_sigkill();
    let record = d.dir().join("vrrp.pid.vips");
    let text = fs::read_to_string(&record).unwrap_or_default();
    assert!(
        text.contains(&format!("eth0 {VIP}/24")) && text.contains("route "),
        "VIP record: {text:?}"
    );
    // Nothing runs that could remove it.
    let r = poll_until(
        Duration::from_millis(800),
        "the VIP to vanish",
        || !lab.node_has_addr(0, VIP),
        String::new,
    );
    assert!(r.is_err(), "the VIP vanished without a daemon");

    let opts = StartOptions {
        pid_dir: Some(d.dir().to_path_buf()),
        ..Default::default()
    };
    let d2 = start(&lab, &single(), &[], &opts);
    ok(lab.wait_addr(0, VIP, false, QUICK));
    assert_eq!(
        d2.log_count("Entering MASTER STATE"),
        0,
        "the leftover VIP must go before the election"
    );
    ok(d2.wait_log(&format!("Removed leftover VIP {VIP}/24 from eth0"), QUICK));
    ok(d2.wait_log(&format!("Removed leftover route {ROUTE}"), QUICK));
    assert!(
        !routes(&ns).contains("198.51.100.0/24"),
        "leftover route: {}",
        routes(&ns)
    );
    ok(d2.wait_log("(VI_1) Entering MASTER STATE", ELECTION));
    ok(lab.wait_addr(0, VIP, true, QUICK));
    let log = d2.log();
    assert!(
        line_index(&log, "Removed leftover VIP") < line_index(&log, "Entering MASTER STATE"),
        "{log}"
    );
}

/// A second daemon with the same pid files is refused and exits; the
/// first keeps running with the same child and its pid file.
#[test]
fn second_daemon_refused() {
    if skip("second_daemon_refused") {
        return;
    }
    let lab = lab();
    let mut d1 = start(&lab, &single(), &[], &StartOptions::default());
    ok(d1.wait_log("Startup complete", QUICK));
    let child = vrrp_child(&d1);
    let opts = StartOptions {
        pid_dir: Some(d1.dir().to_path_buf()),
        ..Default::default()
    };
    let mut d2 = start(&lab, &single(), &[], &opts);
    let code = ok(d2.wait_exit(QUICK));
    assert!(
        d2.log().contains("daemon is already running"),
        "second daemon (exit {code}):\n{}",
        d2.log()
    );
    // keepalived 2.2.7 exits 0 here too (checked against Debian's binary).
    assert_eq!(code, 0, "second daemon's exit code\n{}", d2.log());
    assert_eq!(d2.log_count("Starting VRRP child"), 0, "{}", d2.log());
    assert!(d1.running(), "the first daemon must keep running");
    assert_eq!(vrrp_child(&d1), child);
    let pid = fs::read_to_string(d1.dir().join("keepalived.pid")).unwrap();
    assert_eq!(pid.trim(), d1.pid.to_string(), "main pid file");
    let vpid = fs::read_to_string(d1.dir().join("vrrp.pid")).unwrap();
    assert_eq!(vpid.trim(), child.to_string(), "VRRP pid file");
}

/// `-V` (`--dont-release-vrrp`): a clean SIGTERM leaves the VIP in place.
#[test]
fn dont_release_vrrp_keeps_vip() {
    if skip("dont_release_vrrp_keeps_vip") {
        return;
    }
    let lab = lab();
    let mut d = start_master(&lab, &["-V"]);
    d.signal(Signal::SIGTERM).unwrap();
    assert_eq!(ok(d.wait_exit(QUICK)), 0, "{}", d.log_tail(20));
    ok(d.wait_log("Stopped", QUICK));
    assert!(d.children().is_empty());
    let r = poll_until(
        Duration::from_millis(500),
        "the VIP to vanish",
        || !lab.node_has_addr(0, VIP),
        String::new,
    );
    assert!(r.is_err(), "-V: the VIP must stay after SIGTERM");
}

/// Without `-V` the same SIGTERM removes it (the control for the test
/// above, so that it cannot pass by accident).
#[test]
fn sigterm_releases_vip() {
    if skip("sigterm_releases_vip") {
        return;
    }
    let lab = lab();
    let mut d = start_master(&lab, &[]);
    d.signal(Signal::SIGTERM).unwrap();
    assert_eq!(ok(d.wait_exit(QUICK)), 0, "{}", d.log_tail(20));
    assert!(!lab.node_has_addr(0, VIP), "SIGTERM released the VIP");
}

// ------------------------------------------------------------ packaging

const UNIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/keepalived.service");
const DEFAULTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/default/keepalived");

/// `systemd-analyze verify --root=R /etc/systemd/system/keepalived.service`
/// in a throw-away root holding the unit, stand-ins for its executables
/// (when `with_binary`) and the one unit its dependencies need.
fn verify_unit(with_binary: bool) -> support::run::Ran {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::Builder::new()
        .prefix("unit-root-")
        .tempdir()
        .unwrap();
    let r = root.path();
    for d in [
        "etc/systemd/system",
        "usr/lib/systemd/system",
        "usr/sbin",
        "bin",
    ] {
        fs::create_dir_all(r.join(d)).unwrap();
    }
    fs::copy(UNIT, r.join("etc/systemd/system/keepalived.service")).unwrap();
    // The implicit After=/Requires= of a service reach sysinit.target.
    fs::write(
        r.join("usr/lib/systemd/system/sysinit.target"),
        "[Unit]\nDescription=System Initialization\n",
    )
    .unwrap();
    let mut exes = vec!["bin/kill"];
    if with_binary {
        exes.push("usr/sbin/keepalived");
    }
    for e in exes {
        let p = r.join(e);
        fs::write(&p, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut cmd = std::process::Command::new("systemd-analyze");
    cmd.args(["verify", "--man=no"])
        .arg(format!("--root={}", r.display()))
        .arg("/etc/systemd/system/keepalived.service");
    ok(support::run::run(cmd, Duration::from_secs(30)))
}

/// The packaged unit passes `systemd-analyze verify`; the same check with
/// the binary missing fails, so the pass means something.
#[test]
fn packaging_unit_verifies() {
    let have = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|d| d.join("systemd-analyze").exists());
    if !have {
        eprintln!("\n*** SKIPPED packaging_unit_verifies: systemd-analyze is not installed ***\n");
        return;
    }
    let good = verify_unit(true);
    assert!(
        good.code == 0 && !good.timed_out,
        "systemd-analyze verify failed ({}):\n{}",
        good.code,
        good.output
    );
    let bad = verify_unit(false);
    assert!(
        bad.code != 0 && bad.output.contains("/usr/sbin/keepalived"),
        "verify must notice a missing ExecStart binary ({}):\n{}",
        bad.code,
        bad.output
    );
}

/// Debian's unit semantics: Type=notify, the daemon in the foreground with
/// the defaults file's arguments, reload by SIGHUP to the main process; and
/// every variable the unit expands is defined by the defaults file.
#[test]
fn packaging_unit_matches_debian() {
    let unit = fs::read_to_string(UNIT).unwrap();
    let defaults = fs::read_to_string(DEFAULTS).unwrap();
    let lines: Vec<&str> = unit
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .collect();
    for want in [
        "Type=notify",
        "EnvironmentFile=-/etc/default/keepalived",
        "ExecStart=/usr/sbin/keepalived --dont-fork $DAEMON_ARGS",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "ConditionFileNotEmpty=/etc/keepalived/keepalived.conf",
        "WantedBy=multi-user.target",
    ] {
        assert!(lines.contains(&want), "the unit lacks {want:?}");
    }
    let exec = lines.iter().find(|l| l.starts_with("ExecStart=")).unwrap();
    for var in exec.split_whitespace().filter_map(|w| w.strip_prefix('$')) {
        assert!(
            defaults
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{var}="))),
            "{var} is not set in packaging/default/keepalived"
        );
    }
}

/// `-s NAME` / `--namespace`: started from the host's namespace, the daemon
/// runs its VRRP in the named network namespace (as `ip netns exec` would):
/// the VIP appears there, and it is gone from there after SIGTERM.
#[test]
fn namespace_option_runs_inside_the_namespace() {
    if skip("namespace_option_runs_inside_the_namespace") {
        return;
    }
    let lab = lab();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("keepalived.conf");
    fs::write(&conf, single()).unwrap();
    let p = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let log = fs::File::create(dir.path().join("daemon.log")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_keepalived"))
        .args(["-n", "-l", "-D", "-s", &lab.node(0).ns, "-f"])
        .arg(&conf)
        .args(["-p", &p("k.pid"), "-r", &p("v.pid"), "-c", &p("c.pid")])
        .env("TMPDIR", dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    let got = lab.wait_addr(0, VIP, true, ELECTION);
    let _ = nix::sys::signal::kill(pid, Signal::SIGTERM);
    let gone = lab.wait_addr(0, VIP, false, QUICK);
    let deadline = Instant::now() + QUICK;
    while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if child.try_wait().unwrap().is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let text = fs::read_to_string(dir.path().join("daemon.log")).unwrap_or_default();
    ok(got.map_err(|e| format!("{e}\n{text}")));
    ok(gone.map_err(|e| format!("{e}\n{text}")));
}

/// SIGHUP that changes `vrrp_notify_fifo` and removes an instance: the
/// VRRP child closes the old FIFO and writes from then on to the new one,
/// starting with the removed instance's DELETED line (keepalived opens the
/// new configuration's FIFOs before `clear_diff_vrrp` reports deletions).
#[test]
fn reload_takes_the_new_vrrp_notify_fifo() {
    if skip("reload_takes_the_new_vrrp_notify_fifo") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (fa, fb) = (dir.path().join("a.fifo"), dir.path().join("b.fifo"));
    let (fa, fb) = (fa.to_str().unwrap(), fb.to_str().unwrap());
    let (lines_a, lines_b) = (
        support::guest_mail::fifo_reader(fa),
        support::guest_mail::fifo_reader(fb),
    );
    let with = |fifo: &str, instances: &[Vi]| {
        conf(instances)
            .replacen(
                "    router_id lifecycle\n",
                &format!("    router_id lifecycle\n    vrrp_notify_fifo {fifo}\n"),
                1,
            )
            .replacen(
                "vrrp_instance VI_2 {\n",
                "vrrp_instance VI_2 {\n    notify_deleted\n",
                1,
            )
    };
    let lab = lab();
    let d = start(
        &lab,
        &with(fa, &[("VI_1", 51, VIP), ("VI_2", 52, "192.0.2.201")]),
        &[],
        &StartOptions::default(),
    );
    ok(d.wait_log("(VI_2) Entering MASTER STATE", ELECTION));
    let has = |l: &Arc<Mutex<Vec<String>>>, prefix: &str| {
        l.lock().unwrap().iter().any(|x| x.starts_with(prefix))
    };
    let show = || {
        format!(
            "A: {:?}\nB: {:?}",
            lines_a.lock().unwrap(),
            lines_b.lock().unwrap()
        )
    };
    ok(poll_until(
        QUICK,
        "VI_2's MASTER line in the first FIFO",
        || has(&lines_a, "INSTANCE \"VI_2\" MASTER"),
        show,
    ));
    fs::write(
        d.dir().join("keepalived.conf"),
        with(fb, &[("VI_1", 51, VIP)]),
    )
    .unwrap();
    d.signal(Signal::SIGHUP).unwrap();
    ok(d.wait_log("Reload complete", QUICK));
    ok(poll_until(
        QUICK,
        "VI_2's DELETED line in the new FIFO",
        || has(&lines_b, "INSTANCE \"VI_2\" DELETED"),
        show,
    ));
    assert!(!has(&lines_a, "INSTANCE \"VI_2\" DELETED"), "{}", show());
}
