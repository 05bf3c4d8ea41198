//! Alert mails delivered to a real SMTP server (aiosmtpd, see
//! tests/support/smtp.rs) on loopback: STARTTLS and implicit TLS with AUTH
//! required (our extensions), certificate verification, the checker
//! child's RS/VS alerts and FIFO lines through the shared alert plumbing,
//! the VRRP child's alerts, and `-t` on the new keywords.
//!
//! Each delivered message is printed (`--nocapture`) as the server stored it.

#[allow(dead_code)]
#[path = "support/smtp.rs"]
mod smtp;

#[path = "support/model.rs"]
mod model;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use keepalived::alert::fifo::{FifoPlan, FifoProcess, FifoUse};
use keepalived::alert::{AlertEvent, InstanceState, SmtpAuth, SmtpSettings, compose};
use keepalived::alert_driver::AlertSink;
use keepalived::check::decision::{Decision, DecisionEvent};
use keepalived::checker_child::alerts::{CheckerAlerts, CheckerFlip};
use keepalived::config::model::{Checker, CheckerKind, Config, RealServer, SmtpTls};
use keepalived::sys::fifo::NotifyFifos;
use keepalived::sys::smtp::{SmtpError, SmtpLog, date_now, send_mail};
use smtp::{Delivered, Pki, SmtpServer};
use tokio::io::AsyncBufReadExt;

const LIMIT: Duration = Duration::from_secs(15);

fn settings(port: u16, tls: SmtpTls, ca: Option<&Path>, auth: bool) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        helo: "lb1.example".into(),
        from: "keepalived@lb1.example".into(),
        to: vec!["ops@example.com".into()],
        router_id: "LVS_1".into(),
        connect_timeout: Duration::from_secs(5),
        auth: auth.then(|| SmtpAuth {
            user: "alerts".into(),
            pass: "s3cret".into(),
        }),
        tls,
        tls_ca: ca.map(|p| p.display().to_string()),
    }
}

fn master_mail(s: &SmtpSettings) -> keepalived::alert::Mail {
    compose(
        s,
        &AlertEvent::Instance {
            name: "VI_1".into(),
            state: InstanceState::Master,
        },
    )
}

fn show(what: &str, m: &Delivered) {
    eprintln!("----- delivered: {what} ({})\n{}-----", m.meta, m.raw);
}

#[tokio::test]
async fn starttls_with_required_auth_delivers() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::make(dir.path());
    let (cert, key) = (pki.cert.to_str().unwrap(), pki.key.to_str().unwrap());
    let server = SmtpServer::start(
        &dir.path().join("mail"),
        &["--starttls", cert, key, "--auth", "alerts", "s3cret"],
    );
    let s = settings(server.port, SmtpTls::StartTls, Some(&pki.ca), true);
    let logs = send_mail(&s, &master_mail(&s), &date_now()).await;
    assert!(logs.contains(&SmtpLog::Sent), "{logs:?}");
    let got = server.wait_for_async(1, LIMIT).await;
    assert_eq!(got.len(), 1);
    show("STARTTLS + AUTH", &got[0]);
    assert!(
        got[0].meta.contains("\"login\": \"alerts\""),
        "{}",
        got[0].meta
    );
    assert!(got[0].meta.contains("\"tls\": true"), "{}", got[0].meta);
    assert_eq!(
        got[0].header("Subject"),
        Some("[LVS_1] VRRP Instance VI_1 - Entering MASTER state")
    );

    // The same server refuses a client without TLS or without AUTH.
    for (tls, auth) in [(SmtpTls::None, true), (SmtpTls::StartTls, false)] {
        let s = settings(server.port, tls, Some(&pki.ca), auth);
        let logs = send_mail(&s, &master_mail(&s), &date_now()).await;
        assert!(!logs.contains(&SmtpLog::Sent), "{tls:?} {auth}: {logs:?}");
    }
    assert_eq!(server.delivered().len(), 1);
}

#[tokio::test]
async fn implicit_tls_with_auth_delivers() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::make(dir.path());
    let (cert, key) = (pki.cert.to_str().unwrap(), pki.key.to_str().unwrap());
    let server = SmtpServer::start(
        &dir.path().join("mail"),
        &["--tls", cert, key, "--auth", "alerts", "s3cret"],
    );
    let s = settings(server.port, SmtpTls::Tls, Some(&pki.ca), true);
    let logs = send_mail(&s, &master_mail(&s), &date_now()).await;
    assert!(logs.contains(&SmtpLog::Sent), "{logs:?}");
    let got = server.wait_for_async(1, LIMIT).await;
    assert_eq!(got.len(), 1);
    assert!(got[0].meta.contains("\"tls\": true"));
}

#[tokio::test]
async fn untrusted_certificate_is_refused_before_any_secret_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::make(dir.path());
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let other_pki = Pki::make(&other);
    let (cert, key) = (pki.cert.to_str().unwrap(), pki.key.to_str().unwrap());
    let server = SmtpServer::start(
        &dir.path().join("mail"),
        &["--starttls", cert, key, "--auth", "alerts", "s3cret"],
    );
    // Roots from another CA, and the system bundle (which does not hold
    // the test CA): both fail the handshake.
    for ca in [Some(other_pki.ca.as_path()), None] {
        let s = settings(server.port, SmtpTls::StartTls, ca, true);
        let logs = send_mail(&s, &master_mail(&s), &date_now()).await;
        assert!(
            logs.iter()
                .any(|l| matches!(l, SmtpLog::Error(SmtpError::Tls { .. }))),
            "{logs:?}"
        );
        let line = logs.last().unwrap().line();
        assert!(
            line.starts_with("TLS handshake with SMTP server [127.0.0.1]:"),
            "{line}"
        );
    }
    // A roots file that does not exist is named.
    let s = settings(
        server.port,
        SmtpTls::StartTls,
        Some(Path::new("/nonexistent/ca.pem")),
        true,
    );
    let logs = send_mail(&s, &master_mail(&s), &date_now()).await;
    assert_eq!(
        logs.last().unwrap().line(),
        "Cannot load SMTP TLS trusted certificates from /nonexistent/ca.pem."
    );
    assert!(server.delivered().is_empty());
}

/// VS [198.51.100.1]:tcp:80 with two TCP-checked real servers, quorum 2.
fn lvs_config(port: u16) -> Config {
    let mut v = model::tcp_vs("198.51.100.1", 80);
    v.quorum = 2;
    v.smtp_alert = Some(true);
    for ip in ["192.0.2.2", "192.0.2.3"] {
        let mut r = RealServer::new(ip.parse().unwrap(), 80, None);
        r.checkers.push(Checker::new(CheckerKind::Tcp, None));
        v.real_servers.push(r);
    }
    let mut c = Config::default();
    c.virtual_servers.push(v);
    c.global.notification_email = vec!["ops@example.com".into()];
    c.global.notification_email_from = Some("keepalived@lb1.example".into());
    c.global.smtp_server = Some(("127.0.0.1".into(), port));
    c.global.router_id = Some("LVS_1".into());
    c
}

/// Drives `CheckerAlerts` as the checker child does for one checker flip.
fn flip(a: &CheckerAlerts, cfg: &Config, d: &mut Decision, (vs, rs, up): (usize, usize, bool)) {
    let was = d.vs[vs].rs[rs].alive();
    let evs = d.set_checker(cfg, vs, rs, 0, up);
    let now = d.vs[vs].rs[rs].alive();
    for e in &evs {
        a.decision(cfg, d, e);
    }
    a.checker(
        cfg,
        &CheckerFlip {
            vs,
            rs,
            ck: 0,
            up,
            rs_alive: (was, now),
            failure: None,
        },
    );
    assert!(
        evs.iter()
            .any(|e| matches!(e, DecisionEvent::RsAlive { .. }))
    );
}

// The alert queue's task runs while the test awaits.
#[tokio::test]
async fn checker_alerts_reach_a_real_server_and_the_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(&dir.path().join("mail"), &[]);
    let cfg = lvs_config(server.port);
    let fifo = dir.path().join("lvs.fifo");
    let plan = FifoPlan {
        global: None,
        own: Some(FifoUse {
            path: fifo.display().to_string(),
            script: None,
            prefix: "lvs_",
        }),
        notes: Vec::new(),
    };
    let fifos = NotifyFifos::open(&plan, FifoProcess::Checker, None);
    let host = keepalived::sys::local_name::host_identity();
    let sink = AlertSink::new(SmtpSettings::from_global(&cfg.global, &host), fifos);
    let alerts = CheckerAlerts::new(sink);
    let reader = tokio::net::unix::pipe::OpenOptions::new()
        .open_receiver(&fifo)
        .unwrap();
    let mut d = Decision::new(&cfg, |_, _, _| true);
    assert!(d.vs[0].quorum_up);

    // RS 2 goes down (quorum lost), then comes back (quorum gained).
    flip(&alerts, &cfg, &mut d, (0, 0, false));
    flip(&alerts, &cfg, &mut d, (0, 0, true));

    let got = server.wait_for_async(4, LIMIT).await;
    let subjects: Vec<_> = got.iter().map(|m| m.header("Subject").unwrap()).collect();
    assert_eq!(
        subjects,
        [
            "[LVS_1] Virtualserver [198.51.100.1]:tcp:80 - DOWN",
            "[LVS_1] Realserver [192.0.2.2]:tcp:80 of virtual server [198.51.100.1]:tcp:80 - DOWN",
            "[LVS_1] Virtualserver [198.51.100.1]:tcp:80 - UP",
            "[LVS_1] Realserver [192.0.2.2]:tcp:80 of virtual server [198.51.100.1]:tcp:80 - UP",
        ]
    );
    let bodies: Vec<_> = got.iter().map(Delivered::body).collect();
    assert_eq!(
        bodies,
        [
            "=> Lost quorum 2+0=2 <= 1 <=\r\n\r\n",
            "=> TCP CHECK failed on service <=\r\n\r\n",
            "=> Gained quorum 2+0=2 <= 2 <=\r\n\r\n",
            "=> TCP CHECK succeed on service <=\r\n\r\n",
        ]
    );
    for (m, what) in got
        .iter()
        .zip(["VS quorum DOWN", "RS DOWN", "VS quorum UP", "RS UP"])
    {
        assert_eq!(m.header("From"), Some("keepalived@lb1.example"));
        assert_eq!(m.header("To"), Some("ops@example.com"));
        assert_eq!(m.header("X-Mailer"), Some("Keepalived"));
        show(what, m);
    }

    let mut lines = tokio::io::BufReader::new(reader).lines();
    let mut fifo_lines = Vec::new();
    for _ in 0..4 {
        let l = tokio::time::timeout(LIMIT, lines.next_line()).await;
        fifo_lines.push(l.unwrap().unwrap().unwrap());
    }
    assert_eq!(
        fifo_lines,
        [
            "RS [192.0.2.2]:tcp:80 [198.51.100.1]:tcp:80 DOWN",
            "VS [198.51.100.1]:tcp:80 DOWN",
            "RS [192.0.2.2]:tcp:80 [198.51.100.1]:tcp:80 UP",
            "VS [198.51.100.1]:tcp:80 UP",
        ]
    );
}

// The alert queue's task runs while the test awaits.
#[tokio::test]
async fn mails_queued_before_a_reload_go_out_before_the_exit() {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(&dir.path().join("mail"), &[]);
    let cfg = lvs_config(server.port);
    let host = keepalived::sys::local_name::host_identity();
    let mut sink = AlertSink::new(
        SmtpSettings::from_global(&cfg.global, &host),
        NotifyFifos::default(),
    );
    for name in ["VI_1", "VI_2", "VI_3"] {
        assert!(sink.mail(&AlertEvent::Instance {
            name: name.into(),
            state: InstanceState::Master,
        }));
    }
    // A reload to a configuration without mail, and the stop right after:
    // the old settings' queue must still be waited for.
    sink.restart(&Config::default(), FifoProcess::Checker);
    assert!(!sink.mails());
    sink.finish(LIMIT).await;
    let subjects: Vec<String> = server
        .delivered()
        .iter()
        .map(|m| m.header("Subject").unwrap().to_owned())
        .collect();
    assert_eq!(
        subjects,
        [
            "[LVS_1] VRRP Instance VI_1 - Entering MASTER state",
            "[LVS_1] VRRP Instance VI_2 - Entering MASTER state",
            "[LVS_1] VRRP Instance VI_3 - Entering MASTER state",
        ],
        "delivered when finish returned"
    );
}

// The alert queue's task runs while the test awaits.
#[tokio::test]
async fn checker_alerts_honour_no_checker_emails_and_smtp_alert() {
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(&dir.path().join("mail"), &[]);
    let mut cfg = lvs_config(server.port);
    cfg.global.no_checker_emails = true;
    cfg.virtual_servers[0].smtp_alert = None; // default off for VS quorum mails
    cfg.virtual_servers[0].real_servers[1].smtp_alert = Some(false);
    let host = keepalived::sys::local_name::host_identity();
    let sink = AlertSink::new(
        SmtpSettings::from_global(&cfg.global, &host),
        NotifyFifos::default(),
    );
    let alerts = CheckerAlerts::new(sink);
    let mut d = Decision::new(&cfg, |_, _, _| true);
    flip(&alerts, &cfg, &mut d, (0, 1, false)); // RS 3: smtp_alert off
    flip(&alerts, &cfg, &mut d, (0, 0, false)); // RS 2: mailed
    let got = server.wait_for_async(2, Duration::from_secs(3)).await;
    let subjects: Vec<_> = got.iter().map(|m| m.header("Subject").unwrap()).collect();
    assert_eq!(
        subjects,
        ["[LVS_1] Realserver [192.0.2.2]:tcp:80 of virtual server [198.51.100.1]:tcp:80 - DOWN"]
    );
}

// The alert queue's task runs while the test awaits.
#[tokio::test]
async fn vrrp_alerts_reach_a_real_server() {
    use keepalived::config::model::{SyncGroup, VrrpInstance};
    use keepalived::vrrp::notify::NotifyEvent;
    let dir = tempfile::tempdir().unwrap();
    let server = SmtpServer::start(&dir.path().join("mail"), &[]);
    let mut cfg = lvs_config(server.port);
    cfg.virtual_servers.clear();
    cfg.global.smtp_alert = Some(true);
    let mut a = keepalived::vrrp_child::alerts::Alerts::start(&cfg);
    let inst = VrrpInstance {
        name: "VI_1".into(),
        ..VrrpInstance::default()
    };
    let group = SyncGroup {
        name: "G1".into(),
        ..SyncGroup::default()
    };
    a.instance(&inst, NotifyEvent::Backup, 100);
    a.instance(&inst, NotifyEvent::Master, 100);
    a.instance(&inst, NotifyEvent::Fault, 100);
    a.group(&group, NotifyEvent::Master);
    let got = server.wait_for_async(4, LIMIT).await;
    let subjects: Vec<_> = got.iter().map(|m| m.header("Subject").unwrap()).collect();
    assert_eq!(
        subjects,
        [
            "[LVS_1] VRRP Instance VI_1 - Entering BACKUP state",
            "[LVS_1] VRRP Instance VI_1 - Entering MASTER state",
            "[LVS_1] VRRP Instance VI_1 - Entering FAULT state",
            "[LVS_1] VRRP Group G1 - Entering MASTER state",
        ]
    );
    for (m, what) in got.iter().zip([
        "instance BACKUP",
        "instance MASTER",
        "instance FAULT",
        "group MASTER",
    ]) {
        show(what, m);
    }
    // At exit the queued "stopping" mail goes out before finish returns,
    // without the test waiting for it.
    a.instance(&inst, NotifyEvent::Stop, 100);
    a.finish(LIMIT).await;
    let got = server.wait_for_async(5, Duration::ZERO).await;
    assert_eq!(
        got.last().and_then(|m| m.header("Subject")),
        Some("[LVS_1] VRRP Instance VI_1 - Stopping"),
        "{got:?}"
    );
}

/// Reads lines from a FIFO the sink made, with a bounded wait for each.
async fn fifo_lines(path: &Path, n: usize) -> Vec<String> {
    let reader = tokio::net::unix::pipe::OpenOptions::new()
        .open_receiver(path)
        .unwrap();
    let mut lines = tokio::io::BufReader::new(reader).lines();
    let mut out = Vec::new();
    for _ in 0..n {
        let l = tokio::time::timeout(LIMIT, lines.next_line()).await;
        out.push(l.expect("FIFO line in time").unwrap().unwrap());
    }
    out
}

fn fifo_at(path: &Path) -> Option<keepalived::config::model::Fifo> {
    Some(keepalived::config::model::Fifo {
        path: path.display().to_string(),
        script: None,
    })
}

// Reload of the checker child: the new configuration's server, router_id
// and FIFO take the removal notifies (keepalived opens them before
// clear_diff_services); the removed real server's own smtp_alert decides.
#[tokio::test]
async fn checker_reload_follows_the_new_mail_settings_and_fifo() {
    use keepalived::check::reload_diff::{RemovalEvent, removals};
    let dir = tempfile::tempdir().unwrap();
    let old_server = SmtpServer::start(&dir.path().join("mail-old"), &[]);
    let new_server = SmtpServer::start(&dir.path().join("mail-new"), &[]);
    let mut old = lvs_config(old_server.port);
    old.global.lvs_notify_fifo = fifo_at(&dir.path().join("old.fifo"));
    let mut new = lvs_config(new_server.port);
    new.global.router_id = Some("LVS_2".into());
    new.global.notification_email = vec!["noc@example.com".into()];
    new.global.lvs_notify_fifo = fifo_at(&dir.path().join("new.fifo"));
    new.virtual_servers[0].real_servers.remove(1); // 192.0.2.3 goes
    let mut alerts = CheckerAlerts::start(&old);
    let d = Decision::new(&old, |_, _, _| true);
    alerts.reload(&new);
    assert!(
        !dir.path().join("old.fifo").exists(),
        "old FIFO still there"
    );
    let evs = removals(&old, &d, &new);
    assert!(evs.contains(&RemovalEvent::RsRemoved { vs: 0, rs: 1 }));
    let reader = tokio::spawn(fifo_lines_owned(dir.path().join("new.fifo"), 2));
    for e in &evs {
        alerts.removal(&old, e);
    }
    let got = new_server.wait_for_async(2, LIMIT).await;
    let mails: Vec<_> = got
        .iter()
        .map(|m| {
            (
                m.header("Subject").unwrap(),
                m.body(),
                m.header("To").unwrap(),
            )
        })
        .collect();
    assert_eq!(
        mails,
        [
            (
                "[LVS_2] Realserver [192.0.2.3]:tcp:80 of virtual server [198.51.100.1]:tcp:80 - DOWN",
                "=> Removing <=\r\n\r\n",
                "noc@example.com"
            ),
            (
                "[LVS_2] Virtualserver [198.51.100.1]:tcp:80 - DOWN",
                "=> Lost quorum 2+0=2 <= 1 <=\r\n\r\n",
                "noc@example.com"
            ),
        ]
    );
    for (m, what) in got
        .iter()
        .zip(["RS removed at reload", "VS quorum lost at reload"])
    {
        show(what, m);
    }
    assert_eq!(
        reader.await.unwrap(),
        [
            "RS [192.0.2.3]:tcp:80 [198.51.100.1]:tcp:80 DOWN",
            "VS [198.51.100.1]:tcp:80 DOWN"
        ]
    );
    assert!(old_server.delivered().is_empty());
    alerts.finish(LIMIT).await;
}

async fn fifo_lines_owned(path: std::path::PathBuf, n: usize) -> Vec<String> {
    fifo_lines(&path, n).await
}

// Reload of the VRRP child: later alerts use the new global_defs; an
// instance deleted by the reload is gated by the old ones but reported
// through the new server and FIFO.
#[tokio::test]
async fn vrrp_reload_follows_the_new_mail_settings_and_fifo() {
    use keepalived::config::model::VrrpInstance;
    use keepalived::vrrp::notify::NotifyEvent;
    let dir = tempfile::tempdir().unwrap();
    let old_server = SmtpServer::start(&dir.path().join("mail-old"), &[]);
    let new_server = SmtpServer::start(&dir.path().join("mail-new"), &[]);
    let mut old = lvs_config(old_server.port);
    old.virtual_servers.clear();
    old.global.smtp_alert = Some(true);
    old.global.vrrp_notify_fifo = fifo_at(&dir.path().join("old.fifo"));
    let mut new = old.clone();
    new.global.smtp_server = Some(("127.0.0.1".into(), new_server.port));
    new.global.router_id = Some("LVS_2".into());
    new.global.smtp_alert = None; // instances now default to no mail
    new.global.vrrp_notify_fifo = fifo_at(&dir.path().join("new.fifo"));
    let inst = |name: &str| VrrpInstance {
        name: name.into(),
        ..VrrpInstance::default()
    };
    let mut a = keepalived::vrrp_child::alerts::Alerts::start(&old);
    a.instance(&inst("VI_1"), NotifyEvent::Backup, 100);
    assert_eq!(old_server.wait_for_async(1, LIMIT).await.len(), 1);
    let old_global = a.reload(&new);
    let reader = tokio::spawn(fifo_lines_owned(dir.path().join("new.fifo"), 2));
    a.deleted(&inst("VI_OLD"), NotifyEvent::Deleted, 100, &old_global);
    a.instance(&inst("VI_1"), NotifyEvent::Master, 100); // no mail: new defaults
    let got = new_server.wait_for_async(1, LIMIT).await;
    assert_eq!(
        got.iter()
            .map(|m| (m.header("Subject").unwrap(), m.body()))
            .collect::<Vec<_>>(),
        [(
            "[LVS_2] VRRP Instance VI_OLD - Deleted",
            "=> VRRP Deleted at reload <=\r\n\r\n"
        )]
    );
    show("VRRP instance deleted at reload", &got[0]);
    assert_eq!(
        reader.await.unwrap(),
        [
            "INSTANCE \"VI_OLD\" DELETED 100",
            "INSTANCE \"VI_1\" MASTER 100"
        ]
    );
    a.finish(LIMIT).await;
    assert_eq!(new_server.delivered().len(), 1);
    assert_eq!(old_server.delivered().len(), 1);
}

// ---- `-t` on the extension keywords -----------------------------------------

const OURS: &str = env!("CARGO_BIN_EXE_keepalived");

/// `keepalived -t -f FILE` on `global_defs { body }` plus one virtual server;
/// (exit code, stderr).
fn config_test(dir: &Path, body: &str) -> (i32, String) {
    let path = dir.join("keepalived.conf");
    std::fs::write(
        &path,
        format!(
            "global_defs {{\n{body}\n}}\nvirtual_server 198.51.100.1 80 {{\n lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 192.0.2.2 80 {{\n  TCP_CHECK {{\n  }}\n }}\n}}\n"
        ),
    )
    .unwrap();
    let out = Command::new("timeout")
        .args(["20", OURS, "-t", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn config_test_accepts_and_rejects_the_extension_keywords() {
    let dir = tempfile::tempdir().unwrap();
    let (code, err) = config_test(
        dir.path(),
        " smtp_server 127.0.0.1 587\n smtp_auth_user alerts\n smtp_auth_pass s3cret\n smtp_tls starttls\n smtp_tls_ca /etc/ssl/certs/ca-certificates.crt",
    );
    assert_eq!(code, 0, "{err}");

    let (code, err) = config_test(dir.path(), " smtp_tls ssl");
    assert_ne!(code, 0);
    assert!(
        err.contains("keepalived.conf:2") && err.contains("Unknown smtp_tls mode 'ssl'"),
        "{err}"
    );

    let (code, err) = config_test(dir.path(), " smtp_auth_pass s3cret");
    assert_ne!(code, 0);
    assert!(
        err.contains("smtp_auth_pass is set without smtp_auth_user"),
        "{err}"
    );
    let (code, err) = config_test(dir.path(), " smtp_auth_user alerts");
    assert_ne!(code, 0);
    assert!(
        err.contains("smtp_auth_user is set without smtp_auth_pass"),
        "{err}"
    );
}
