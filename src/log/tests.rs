//! The layer end to end, with a datagram socket in a temporary directory
//! standing in for `/dev/log`.

use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::time::Duration;

use tracing_subscriber::layer::SubscriberExt;

use super::*;

struct Syslog {
    _dir: tempfile::TempDir,
    rx: UnixDatagram,
    path: PathBuf,
}

impl Syslog {
    fn new() -> Syslog {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let rx = UnixDatagram::bind(&path).unwrap();
        rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        Syslog {
            _dir: dir,
            rx,
            path,
        }
    }

    fn recv(&self) -> String {
        let mut buf = vec![0u8; 65536];
        let n = self.rx.recv(&mut buf).expect("no syslog datagram");
        String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    fn assert_empty(&self) {
        self.rx.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 1024];
        let r = self.rx.recv(&mut buf);
        assert!(
            r.is_err(),
            "unexpected datagram {:?}",
            String::from_utf8_lossy(&buf[..r.unwrap()])
        );
        self.rx.set_nonblocking(false).unwrap();
    }

    fn settings(&self, facility: Facility) -> LogSettings {
        LogSettings {
            ident: "Keepalived_vrrp".into(),
            facility,
            syslog_socket: Some(self.path.clone()),
            ..LogSettings::default()
        }
    }
}

/// `<PRI>Mmm dd hh:mm:ss IDENT[PID]: ` → (pri, ident, pid, message), after
/// checking the timestamp's shape.
pub(crate) fn parse_datagram(d: &str) -> (u8, String, u32, String) {
    let rest = d.strip_prefix('<').expect("no <PRI>");
    let (pri, rest) = rest.split_once('>').unwrap();
    let (stamp, rest) = rest.split_at(15);
    let b = stamp.as_bytes();
    assert!(
        b[..3].iter().all(u8::is_ascii_alphabetic)
            && b[3] == b' '
            && (b[4] == b' ' || b[4].is_ascii_digit())
            && b[5].is_ascii_digit()
            && b[6] == b' '
            && b[9] == b':'
            && b[12] == b':'
            && [7, 8, 10, 11, 13, 14]
                .iter()
                .all(|&i| b[i].is_ascii_digit()),
        "bad timestamp {stamp:?}"
    );
    let rest = rest.strip_prefix(' ').unwrap();
    let (ident, rest) = rest.split_once('[').unwrap();
    let (pid, msg) = rest.split_once("]: ").unwrap();
    (
        pri.parse().unwrap(),
        ident.to_owned(),
        pid.parse().unwrap(),
        msg.to_owned(),
    )
}

fn with_logger<R>(settings: &LogSettings, f: impl FnOnce(&LogGuard) -> R) -> R {
    let (layer, guard) = layer(settings).unwrap();
    let sub = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(sub, || f(&guard))
}

#[test]
fn syslog_priorities_ident_pid() {
    let s = Syslog::new();
    with_logger(&s.settings(Facility::Local(0)), |_| {
        tracing::info!("(VI_1) Entering MASTER STATE");
        tracing::warn!("w");
        tracing::error!("e {}", 1);
        tracing::debug!("d");
        tracing::trace!("never");
        crate::log_alert!("VRRP child process({}) died: Respawning", 7);
        crate::log_notice!("n");
        tracing::info!(prio = 2u64, "crit by number");
    });
    let got: Vec<_> = std::iter::repeat_with(|| parse_datagram(&s.recv()))
        .take(7)
        .collect();
    s.assert_empty();
    let pid = std::process::id();
    for (_, ident, p, _) in &got {
        assert_eq!((ident.as_str(), *p), ("Keepalived_vrrp", pid));
    }
    let short: Vec<_> = got.iter().map(|g| (g.0, g.3.as_str())).collect();
    assert_eq!(
        short,
        [
            (134, "(VI_1) Entering MASTER STATE"),
            (132, "w"),
            (131, "e 1"),
            (135, "d"),
            (129, "VRRP child process(7) died: Respawning"),
            (133, "n"),
            (130, "crit by number"),
        ]
    );
}

#[test]
fn default_facility_is_daemon_and_no_newline() {
    let s = Syslog::new();
    with_logger(&s.settings(Facility::Daemon), |_| {
        tracing::info!("Startup complete");
    });
    let d = s.recv();
    assert!(d.starts_with("<30>"), "{d}");
    assert!(d.ends_with("]: Startup complete"), "{d:?}");
}

#[test]
fn detail_lines_need_dash_d() {
    let s = Syslog::new();
    let mut settings = s.settings(Facility::User);
    with_logger(&settings.clone(), |guard| {
        crate::log_detail!("(VI_1) setting VIPs.");
        crate::log_extra_detail!("extra");
        tracing::info!("plain");
        settings.detail = true;
        guard.reconfigure(&settings).unwrap();
        crate::log_detail!("(VI_1) setting VIPs.");
        crate::log_extra_detail!("extra");
        settings.extra_detail = true;
        guard.reconfigure(&settings).unwrap();
        crate::log_extra_detail!("extra");
    });
    let msgs: Vec<_> = (0..3).map(|_| parse_datagram(&s.recv())).collect();
    s.assert_empty();
    let msgs: Vec<_> = msgs.iter().map(|m| (m.0, m.3.as_str())).collect();
    assert_eq!(
        msgs,
        [(14, "plain"), (14, "(VI_1) setting VIPs."), (14, "extra")]
    );
}

#[test]
fn extra_fields_are_appended() {
    let s = Syslog::new();
    with_logger(&s.settings(Facility::Daemon), |_| {
        tracing::info!(ifname = "eth0", count = 3, "msg");
    });
    assert!(s.recv().ends_with(": msg ifname=eth0 count=3"));
}

#[test]
fn no_syslog_sends_nothing() {
    let s = Syslog::new();
    let mut settings = s.settings(Facility::Daemon);
    settings.syslog = false;
    with_logger(&settings, |g| {
        tracing::info!("quiet");
        assert_eq!(g.syslog_dropped(), 0);
    });
    s.assert_empty();
}

#[test]
fn missing_socket_counts_drops() {
    let dir = tempfile::tempdir().unwrap();
    let settings = LogSettings {
        syslog_socket: Some(dir.path().join("absent")),
        ..LogSettings::default()
    };
    with_logger(&settings, |g| {
        tracing::info!("a");
        tracing::info!("b");
        assert_eq!(g.syslog_dropped(), 2);
    });
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn log_file_lines_and_flushing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ka.log");
    let mut settings = LogSettings {
        syslog: false,
        file: Some(path.clone()),
        ..LogSettings::default()
    };
    with_logger(&settings.clone(), |g| {
        tracing::info!("buffered");
        assert_eq!(read(&path), "", "written before a flush");
        g.flush();
        settings.flush_file = true;
        g.reconfigure(&settings).unwrap();
        tracing::info!("flushed");
        let text = read(&path);
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        for (line, msg) in lines.iter().zip(["buffered", "flushed"]) {
            // Wed Nov 25 06:42:59.123456789 2026: msg
            let (stamp, m) = line.split_once(": ").unwrap();
            assert_eq!(m, msg);
            assert_eq!(stamp.len(), 34, "{stamp:?}");
            assert_eq!(&stamp[19..20], ".");
            assert!(stamp[20..29].bytes().all(|b| b.is_ascii_digit()));
        }
    });
}

#[test]
fn unopenable_log_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let settings = LogSettings {
        file: Some(dir.path().join("no/such/dir/ka.log")),
        ..LogSettings::default()
    };
    assert!(matches!(layer(&settings), Err(LogError::File { .. })));
}

#[test]
fn settings_from_options() {
    let mut o = Options {
        log_console: true,
        log_detail: 2,
        log_facility: Facility::Local(3),
        ..Options::default()
    };
    let s = LogSettings::from_options(&o, Process::Vrrp, Some("ns"), None);
    assert_eq!(s.ident, "Keepalived_vrrp_ns");
    assert!(s.syslog && !s.console && s.detail && s.extra_detail);
    assert_eq!(s.facility, Facility::Local(3));
    o.dont_fork = true;
    assert!(LogSettings::from_options(&o, Process::Parent, None, None).console);
    o.no_syslog = true;
    assert!(!LogSettings::from_options(&o, Process::Parent, None, None).syslog);
    o.no_syslog = false;
    o.config_test = Some(crate::cli::ConfigTest::Stderr);
    let s = LogSettings::from_options(&o, Process::Parent, None, None);
    assert!(!s.syslog && !s.console);
}
