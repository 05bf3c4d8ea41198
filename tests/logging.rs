//! The installed logger in real processes: this test binary re-runs itself
//! as a "daemon" child that parses a keepalived command line, installs the
//! global logger and logs; the parent test reads the child's stderr and a
//! datagram socket standing in for `/dev/log` (via the
//! `KEEPALIVED_SYSLOG_SOCKET` test hook).

use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::Duration;

use keepalived::cli::{Action, parse};
use keepalived::log::{self, LogSettings, Process};

const ROLE: &str = "KA_LOG_TEST_ROLE";
const ARGS: &str = "KA_LOG_TEST_ARGS";
const PROC: &str = "KA_LOG_TEST_PROCESS";
const NS: &str = "KA_LOG_TEST_NS";

/// The child's body; a no-op when run as an ordinary test.
#[test]
fn child_daemon() {
    if std::env::var_os(ROLE).is_none() {
        return;
    }
    let mut argv = vec!["keepalived".to_owned()];
    argv.extend(
        std::env::var(ARGS)
            .unwrap()
            .split_whitespace()
            .map(str::to_owned),
    );
    let Action::Run(opts) = parse(&argv).action else {
        panic!("bad args {argv:?}");
    };
    let process = match std::env::var(PROC).as_deref() {
        Ok("vrrp") => Process::Vrrp,
        Ok("checker") => Process::Checker,
        _ => Process::Parent,
    };
    let ns = std::env::var(NS).ok();
    let settings = LogSettings::from_options(&opts, process, ns.as_deref(), None);
    let guard = log::init(&settings).unwrap();
    assert!(matches!(
        log::init(&settings),
        Err(log::LogError::AlreadyInitialised)
    ));
    tracing::info!("(VI_1) Entering MASTER STATE");
    keepalived::log_detail!("(VI_1) setting VIPs.");
    keepalived::log_alert!("VRRP child process(4242) died: Respawning");
    tracing::warn!("warned");
    assert_eq!(log::detail_enabled(), opts.log_detail >= 1);
    drop(guard);
}

struct Run {
    pid: u32,
    stderr: String,
    datagrams: Vec<String>,
}

fn run_child(args: &str, process: &str, ns: Option<&str>) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let sock_path = dir.path().join("devlog");
    let rx = UnixDatagram::bind(&sock_path).unwrap();
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child_daemon", "--nocapture", "--test-threads=1"])
        .env(ROLE, "child")
        .env(ARGS, args)
        .env(PROC, process)
        .env("KEEPALIVED_SYSLOG_SOCKET", &sock_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    match ns {
        Some(n) => cmd.env(NS, n),
        None => cmd.env_remove(NS),
    };
    let child = cmd.spawn().unwrap();
    let pid = child.id();
    // wait_with_output cannot hang: the child only logs and exits.
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "child failed: {out:?}");
    Run {
        pid,
        stderr: String::from_utf8(out.stderr).unwrap(),
        datagrams: drain(&rx),
    }
}

/// Everything queued on the socket (the child has exited, so all is there).
fn drain(rx: &UnixDatagram) -> Vec<String> {
    rx.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut v = Vec::new();
    let mut buf = vec![0u8; 65536];
    while let Ok(n) = rx.recv(&mut buf) {
        v.push(String::from_utf8(buf[..n].to_vec()).unwrap());
    }
    v
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Mmm dd hh:mm:ss` with a space-padded day (glibc's `%h %e %T`).
fn is_syslog_stamp(s: &str) -> bool {
    s.len() == 15
        && MONTHS.contains(&&s[..3])
        && &s[3..4] == " "
        && is_padded_day(&s[4..6])
        && &s[6..7] == " "
        && is_hms(&s[7..])
}

/// `%e`: ` 1`..` 9`, `10`..`31` (space, never zero, padded).
fn is_padded_day(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b[0], b' ' | b'1'..=b'3') && b[1].is_ascii_digit() && s != " 0"
}

fn is_hms(s: &str) -> bool {
    let p: Vec<_> = s.split(':').collect();
    p.len() == 3 && p.iter().all(|x| x.len() == 2 && digits(x))
}

/// keepalived's console stamp, `strftime("%c")` in the C locale:
/// `Wed Nov 25 06:42:59 2026`.
fn is_console_stamp(s: &str) -> bool {
    s.len() == 24
        && DAYS.contains(&&s[..3])
        && &s[3..4] == " "
        && is_syslog_stamp(&s[4..19])
        && &s[19..20] == " "
        && s[20..].len() == 4
        && digits(&s[20..])
}

/// (pri, ident, pid, message) of a syslog datagram.
fn parse_datagram(d: &str) -> (u8, &str, u32, &str) {
    let (pri, rest) = d.strip_prefix('<').unwrap().split_once('>').unwrap();
    assert!(is_syslog_stamp(&rest[..15]), "bad stamp in {d:?}");
    let rest = rest[15..].strip_prefix(' ').unwrap();
    let (ident, rest) = rest.split_once('[').unwrap();
    let (pid, msg) = rest.split_once("]: ").unwrap();
    (pri.parse().unwrap(), ident, pid.parse().unwrap(), msg)
}

#[test]
fn foreground_console_detail_and_local0() {
    let r = run_child("-n -l -D -S 0", "parent", None);
    let console: Vec<_> = r
        .stderr
        .lines()
        .filter_map(|l| l.split_once(": "))
        .filter(|(stamp, _)| is_console_stamp(stamp))
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        console,
        [
            "(VI_1) Entering MASTER STATE",
            "(VI_1) setting VIPs.",
            "VRRP child process(4242) died: Respawning",
            "warned"
        ],
        "stderr was {:?}",
        r.stderr
    );
    let got: Vec<_> = r.datagrams.iter().map(|d| parse_datagram(d)).collect();
    assert_eq!(
        got,
        [
            (134, "Keepalived", r.pid, "(VI_1) Entering MASTER STATE"),
            (134, "Keepalived", r.pid, "(VI_1) setting VIPs."),
            (
                129,
                "Keepalived",
                r.pid,
                "VRRP child process(4242) died: Respawning"
            ),
            (132, "Keepalived", r.pid, "warned"),
        ]
    );
}

#[test]
fn console_needs_dont_fork_and_detail_needs_dash_d() {
    // keepalived writes console lines only in the foreground.
    let r = run_child("-l", "vrrp", None);
    assert!(
        !r.stderr.lines().any(|l| l.contains("MASTER")),
        "{:?}",
        r.stderr
    );
    let msgs: Vec<_> = r.datagrams.iter().map(|d| parse_datagram(d)).collect();
    // Default facility daemon (3): <30> info, <25> alert, <28> warning.
    assert_eq!(
        msgs,
        [
            (30, "Keepalived_vrrp", r.pid, "(VI_1) Entering MASTER STATE"),
            (
                25,
                "Keepalived_vrrp",
                r.pid,
                "VRRP child process(4242) died: Respawning"
            ),
            (28, "Keepalived_vrrp", r.pid, "warned"),
        ]
    );
}

#[test]
fn no_syslog_and_namespace_ident() {
    let r = run_child("-n -l -G", "checker", Some("ns1"));
    assert!(r.datagrams.is_empty(), "{:?}", r.datagrams);
    assert!(r.stderr.contains(": warned\n"), "{:?}", r.stderr);

    let r = run_child("-S user", "checker", Some("ns1"));
    let (pri, ident, pid, _) = parse_datagram(&r.datagrams[0]);
    assert_eq!(
        (pri, ident, pid),
        (14, "Keepalived_healthcheckers_ns1", r.pid)
    );
}
