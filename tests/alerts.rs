//! SMTP alerts against a scripted SMTP responder on loopback, and notify
//! FIFOs read back by a reader. The responder records every byte the
//! client sends, so the dialogue and the message are asserted exactly.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::time::Duration;

use keepalived::alert::fifo::{FifoPlan, FifoProcess, FifoUse, rs_line, vs_line};
use keepalived::alert::{
    AlertEvent, CheckReason, GroupState, InstanceState, Mail, QuorumNote, SmtpAuth, SmtpSettings,
    compose,
};
use keepalived::config::model::Script;
use keepalived::sys::fifo::{NotifyFifo, NotifyFifos};
use keepalived::sys::smtp::{AlertQueue, AlertStats, SmtpError, SmtpLog, send_mail};
use keepalived::vrrp::notify::{NotifyEvent, Subject, fifo_line};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const DATE: &str = "Mon, 01 Mar 2021 09:44:08 +0000";
const LIMIT: Duration = Duration::from_secs(10);

/// How the responder behaves on one connection.
#[derive(Clone, Default)]
struct Behaviour {
    /// Replaces the default "220 test ESMTP\r\n"; `None` in `silent` mode.
    greeting: Option<&'static str>,
    /// Never say anything (the client must time out).
    silent: bool,
    /// Close right after accepting.
    close: bool,
    /// Reply overrides by command verb ("RCPT", "EHLO", "AUTH", ...).
    replies: HashMap<&'static str, &'static str>,
}

/// Serves one connection per behaviour, in order; each transcript (every
/// byte received) is sent on the returned channel when the client leaves.
async fn responder(behaviours: Vec<Behaviour>) -> (SocketAddr, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        for b in behaviours {
            let (sock, _) = listener.accept().await.unwrap();
            let _ = tx.send(serve(sock, b).await);
        }
    });
    (addr, rx)
}

async fn serve(sock: tokio::net::TcpStream, b: Behaviour) -> String {
    let mut transcript = String::new();
    if b.close {
        return transcript;
    }
    let (rd, mut wr) = sock.into_split();
    let mut rd = BufReader::new(rd);
    if !b.silent {
        let g = b
            .greeting
            .unwrap_or("220-test.example\r\n220 test ESMTP\r\n");
        wr.write_all(g.as_bytes()).await.unwrap();
    }
    let mut in_data = false;
    let mut auth_steps = 0;
    loop {
        let mut line = String::new();
        if rd.read_line(&mut line).await.unwrap_or(0) == 0 {
            return transcript;
        }
        transcript.push_str(&line);
        if b.silent {
            continue;
        }
        if in_data {
            if line == ".\r\n" {
                in_data = false;
                wr.write_all(b"250 queued\r\n").await.unwrap();
            }
            continue;
        }
        let verb = line.split([' ', '\r']).next().unwrap_or("").to_owned();
        let default = match verb.as_str() {
            "HELO" | "EHLO" | "MAIL" | "RCPT" => "250 ok\r\n",
            "DATA" => "354 go ahead\r\n",
            "QUIT" => "221 bye\r\n",
            "AUTH" if line.starts_with("AUTH LOGIN") => "334 VXNlcm5hbWU6\r\n",
            "AUTH" => "235 authenticated\r\n",
            _ if auth_steps == 0 => {
                auth_steps += 1;
                "334 UGFzc3dvcmQ6\r\n"
            }
            _ => "235 authenticated\r\n",
        };
        let reply = b.replies.get(verb.as_str()).copied().unwrap_or(default);
        if verb == "DATA" && reply.starts_with("354") {
            in_data = true;
        }
        wr.write_all(reply.as_bytes()).await.unwrap();
        if verb == "QUIT" {
            return transcript;
        }
    }
}

fn settings(addr: SocketAddr) -> SmtpSettings {
    SmtpSettings {
        host: addr.ip().to_string(),
        port: addr.port(),
        helo: "lb1.example".into(),
        from: "keepalived@lb1.example".into(),
        to: vec!["ops@example.com".into(), "oncall@example.com".into()],
        router_id: "LVS_1".into(),
        connect_timeout: Duration::from_secs(5),
        auth: None,
        tls: keepalived::config::model::SmtpTls::None,
        tls_ca: None,
    }
}

async fn transcript(rx: &mut mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(LIMIT, rx.recv())
        .await
        .expect("responder finished in time")
        .expect("a transcript")
}

fn server(addr: SocketAddr) -> String {
    format!("[{}]:{}", addr.ip(), addr.port())
}

#[tokio::test]
async fn master_alert_dialogue_is_keepalived_s() {
    let (addr, mut rx) = responder(vec![Behaviour::default()]).await;
    let s = settings(addr);
    let mail = compose(
        &s,
        &AlertEvent::Instance {
            name: "VI_1".into(),
            state: InstanceState::Master,
        },
    );
    let logs = send_mail(&s, &mail, DATE).await;
    assert_eq!(logs, [SmtpLog::Connected(server(addr)), SmtpLog::Sent]);
    assert_eq!(
        logs[0].line(),
        format!("Remote SMTP server {} connected.", server(addr))
    );
    assert_eq!(logs[1].line(), "SMTP alert successfully sent.");
    assert_eq!(
        transcript(&mut rx).await,
        "HELO lb1.example\r\n\
         MAIL FROM:<keepalived@lb1.example>\r\n\
         RCPT TO:<ops@example.com>\r\n\
         RCPT TO:<oncall@example.com>\r\n\
         DATA\r\n\
         Date: Mon, 01 Mar 2021 09:44:08 +0000\r\n\
         From: keepalived@lb1.example\r\n\
         Subject: [LVS_1] VRRP Instance VI_1 - Entering MASTER state\r\n\
         X-Mailer: Keepalived\r\n\
         To: ops@example.com, oncall@example.com\r\n\
         \r\n\
         => VRRP Instance is now owning VRRP VIPs <=\r\n\
         \r\n\
         .\r\n\
         QUIT\r\n"
    );
}

#[tokio::test]
async fn every_alert_kind_goes_through_the_same_dialogue() {
    let rs = "[192.0.2.2]:tcp:80".to_owned();
    let vs = "[198.51.100.1]:tcp:80".to_owned();
    let events = vec![
        (
            AlertEvent::Instance {
                name: "VI_1".into(),
                state: InstanceState::Fault,
            },
            "[LVS_1] VRRP Instance VI_1 - Entering FAULT state",
            "=> VRRP Instance is no longer owning VRRP VIPs <=",
        ),
        (
            AlertEvent::Group {
                name: "G1".into(),
                state: GroupState::Backup,
            },
            "[LVS_1] VRRP Group G1 - Entering BACKUP state",
            "=> All VRRP group instances are now in BACKUP state <=",
        ),
        (
            AlertEvent::RealServer {
                rs: rs.clone(),
                vs: vs.clone(),
                rs_alive: false,
                reason: CheckReason::Http { up: false },
            },
            "[LVS_1] Realserver [192.0.2.2]:tcp:80 of virtual server [198.51.100.1]:tcp:80 - DOWN",
            "=> CHECK failed on service : HTTP request failed <=",
        ),
        (
            AlertEvent::RealServerRemoved {
                rs,
                vs: vs.clone(),
                shutdown: true,
            },
            "[LVS_1] Realserver [192.0.2.2]:tcp:80 of virtual server [198.51.100.1]:tcp:80 - DOWN",
            "=> Shutting down <=",
        ),
        (
            AlertEvent::VirtualServer {
                vs,
                quorum_up: true,
                note: QuorumNote::Change {
                    init: false,
                    quorum: 1,
                    hysteresis: 0,
                    threshold: 1,
                    weight_sum: 2,
                },
            },
            "[LVS_1] Virtualserver [198.51.100.1]:tcp:80 - UP",
            "=> Gained quorum 1+0=1 <= 2 <=",
        ),
    ];
    let (addr, mut rx) = responder(vec![Behaviour::default(); events.len()]).await;
    let s = settings(addr);
    for (event, subject, body) in events {
        let mail = compose(&s, &event);
        assert_eq!(
            send_mail(&s, &mail, DATE).await.last(),
            Some(&SmtpLog::Sent)
        );
        let t = transcript(&mut rx).await;
        let data = String::from_utf8(mail.data(DATE)).unwrap();
        assert!(t.contains(&format!("DATA\r\n{data}QUIT\r\n")), "{t}");
        assert!(
            data.contains(&format!("\r\nSubject: {subject}\r\n")),
            "{data}"
        );
        assert!(
            data.ends_with(&format!("\r\n\r\n{body}\r\n\r\n.\r\n")),
            "{data}"
        );
    }
}

#[tokio::test]
async fn rejected_recipient_is_logged_and_quit() {
    let b = Behaviour {
        replies: HashMap::from([("RCPT", "550 no such user\r\n")]),
        ..Behaviour::default()
    };
    let (addr, mut rx) = responder(vec![b]).await;
    let s = settings(addr);
    let mail = compose(
        &s,
        &AlertEvent::Instance {
            name: "VI_1".into(),
            state: InstanceState::Stop,
        },
    );
    let logs = send_mail(&s, &mail, DATE).await;
    let err = SmtpError::Status {
        cmd: "RCPT",
        server: server(addr),
        code: 550,
    };
    assert_eq!(
        err.to_string(),
        format!(
            "Error processing RCPT cmd on SMTP server {}. SMTP status code = 550",
            server(addr)
        )
    );
    assert_eq!(
        logs,
        [SmtpLog::Connected(server(addr)), SmtpLog::Error(err)]
    );
    assert_eq!(
        transcript(&mut rx).await,
        "HELO lb1.example\r\nMAIL FROM:<keepalived@lb1.example>\r\nRCPT TO:<ops@example.com>\r\nQUIT\r\n"
    );
}

#[tokio::test]
async fn bad_greeting_names_the_esmtp_stage() {
    let b = Behaviour {
        greeting: Some("554 go away\r\n"),
        ..Behaviour::default()
    };
    let (addr, mut rx) = responder(vec![b]).await;
    let s = settings(addr);
    let logs = send_mail(&s, &mail(&s), DATE).await;
    assert_eq!(
        logs[1].line(),
        format!(
            "Error processing (E)SMTP cmd on SMTP server {}. SMTP status code = 554",
            server(addr)
        )
    );
    assert_eq!(transcript(&mut rx).await, "QUIT\r\n");
}

fn mail(s: &SmtpSettings) -> Mail {
    compose(
        s,
        &AlertEvent::Instance {
            name: "VI_1".into(),
            state: InstanceState::Backup,
        },
    )
}

#[tokio::test]
async fn refused_connection_is_logged() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let s = settings(addr);
    let logs = send_mail(&s, &mail(&s), DATE).await;
    assert_eq!(logs, [SmtpLog::Error(SmtpError::Connect(server(addr)))]);
    assert_eq!(
        logs[0].line(),
        format!("SMTP connection ERROR to {}.", server(addr))
    );
}

#[tokio::test]
async fn silent_server_times_out_then_quits() {
    let b = Behaviour {
        silent: true,
        ..Behaviour::default()
    };
    let (addr, mut rx) = responder(vec![b]).await;
    let mut s = settings(addr);
    s.connect_timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let logs = tokio::time::timeout(LIMIT, send_mail(&s, &mail(&s), DATE))
        .await
        .expect("bounded by the timeouts");
    let timeout = SmtpLog::Error(SmtpError::ReadTimeout(server(addr)));
    // keepalived: timeout on the greeting, QUIT, timeout on QUIT's reply.
    assert_eq!(
        logs,
        [SmtpLog::Connected(server(addr)), timeout.clone(), timeout]
    );
    assert_eq!(
        logs[1].line(),
        format!(
            "Timeout reading data to remote SMTP server {}.",
            server(addr)
        )
    );
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(transcript(&mut rx).await, "QUIT\r\n");
}

async fn wait_stats(q: &AlertQueue, want: AlertStats) {
    let deadline = tokio::time::Instant::now() + LIMIT;
    while q.stats() != want {
        assert!(
            tokio::time::Instant::now() < deadline,
            "stats {:?}, want {want:?}",
            q.stats()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn queue_keeps_working_after_a_failure() {
    let closing = Behaviour {
        close: true,
        ..Behaviour::default()
    };
    let (addr, mut rx) = responder(vec![closing, Behaviour::default()]).await;
    let s = settings(addr);
    let (q, task) = AlertQueue::spawn(s.clone(), 8);
    assert!(q.send(mail(&s)));
    assert!(q.send(mail(&s)));
    wait_stats(
        &q,
        AlertStats {
            sent: 1,
            failed: 1,
            dropped: 0,
        },
    )
    .await;
    assert_eq!(transcript(&mut rx).await, "");
    assert!(
        transcript(&mut rx)
            .await
            .starts_with("HELO lb1.example\r\n")
    );
    drop(q);
    tokio::time::timeout(LIMIT, task).await.unwrap().unwrap();
}

#[tokio::test]
async fn full_queue_drops_and_counts() {
    let (addr, mut rx) = responder(vec![Behaviour::default()]).await;
    let s = settings(addr);
    let (q, task) = AlertQueue::spawn(s.clone(), 1);
    // The current-thread test runtime has not run the queue task yet: the
    // first mail fills the queue, the rest are dropped without waiting.
    let accepted: Vec<bool> = (0..5).map(|_| q.send(mail(&s))).collect();
    assert_eq!(accepted, [true, false, false, false, false]);
    assert_eq!(q.stats().dropped, 4);
    wait_stats(
        &q,
        AlertStats {
            sent: 1,
            failed: 0,
            dropped: 4,
        },
    )
    .await;
    assert!(transcript(&mut rx).await.ends_with("QUIT\r\n"));
    drop(q);
    tokio::time::timeout(LIMIT, task).await.unwrap().unwrap();
}

#[tokio::test]
async fn auth_plain_extension_uses_ehlo() {
    let b = Behaviour {
        replies: HashMap::from([("EHLO", "250-test.example\r\n250 AUTH LOGIN PLAIN\r\n")]),
        ..Behaviour::default()
    };
    let (addr, mut rx) = responder(vec![b]).await;
    let mut s = settings(addr);
    s.auth = Some(SmtpAuth {
        user: "u".into(),
        pass: "p".into(),
    });
    let logs = send_mail(&s, &mail(&s), DATE).await;
    assert_eq!(logs.last(), Some(&SmtpLog::Sent));
    let t = transcript(&mut rx).await;
    assert!(
        t.starts_with(
            "EHLO lb1.example\r\nAUTH PLAIN AHUAcA==\r\nMAIL FROM:<keepalived@lb1.example>\r\n"
        ),
        "{t}"
    );
}

#[tokio::test]
async fn auth_login_extension_when_plain_is_not_offered() {
    let b = Behaviour {
        replies: HashMap::from([(
            "EHLO",
            "250-test.example\r\n250-AUTH=LOGIN\r\n250 8BITMIME\r\n",
        )]),
        ..Behaviour::default()
    };
    let (addr, mut rx) = responder(vec![b]).await;
    let mut s = settings(addr);
    s.auth = Some(SmtpAuth {
        user: "u".into(),
        pass: "p".into(),
    });
    let logs = send_mail(&s, &mail(&s), DATE).await;
    assert_eq!(logs.last(), Some(&SmtpLog::Sent));
    let t = transcript(&mut rx).await;
    assert!(
        t.starts_with("EHLO lb1.example\r\nAUTH LOGIN\r\ndQ==\r\ncA==\r\nMAIL FROM:"),
        "{t}"
    );
}

#[tokio::test]
async fn fifo_reader_script_gets_lines_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.fifo");
    let out = dir.path().join("out.txt");
    let ready = dir.path().join("ready");
    let reader = Script {
        // The FIFO path is appended: it becomes $0 of the shell command.
        // The reader says when it has the FIFO open: closing before that
        // would unlink the path under it.
        args: vec![
            "/bin/sh".into(),
            "-c".into(),
            format!(
                "exec 3<\"$0\"; touch {}; cat <&3 > {}",
                ready.display(),
                out.display()
            ),
        ],
        uid: nix::unistd::getuid().as_raw(),
        gid: nix::unistd::getgid().as_raw(),
        ..Script::default()
    };
    let plan = FifoPlan {
        global: None,
        own: Some(FifoUse {
            path: path.to_string_lossy().into_owned(),
            script: Some(reader),
            prefix: "vrrp_",
        }),
        notes: vec![],
    };
    let fifos = NotifyFifos::open(&plan, FifoProcess::Vrrp, None);
    assert!(fifos.is_active());
    let meta = std::fs::metadata(&path).unwrap();
    assert!(meta.file_type().is_fifo());
    assert_eq!(meta.permissions().mode() & 0o077 & !0o044, 0);
    let lines = [
        fifo_line(Subject::Instance, "VI_1", NotifyEvent::Backup, 100),
        fifo_line(Subject::Group, "G1", NotifyEvent::Master, 0),
        fifo_line(Subject::Instance, "VI_1", NotifyEvent::Master, 110),
        vs_line("[198.51.100.1]:tcp:80", true),
        rs_line("[192.0.2.2]:tcp:80", "[198.51.100.1]:tcp:80", false),
    ];
    for l in &lines {
        fifos.write_line(l);
    }
    let deadline = std::time::Instant::now() + LIMIT;
    while !ready.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "reader never opened the FIFO"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Closing gives the reader end of file; it exits and is reaped.
    let readers = fifos.close();
    assert!(!path.exists(), "a FIFO we created is removed at close");
    for r in readers {
        tokio::time::timeout(LIMIT, r).await.unwrap().unwrap();
    }
    assert_eq!(std::fs::read_to_string(&out).unwrap(), lines.concat());
}

#[tokio::test]
async fn existing_fifo_is_kept_and_written_without_a_reader() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    nix::unistd::mkfifo(&path, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let (fifo, reader) = NotifyFifo::open(
        &FifoUse {
            path: path.to_string_lossy().into_owned(),
            script: None,
            prefix: "",
        },
        FifoProcess::Checker,
        None,
    )
    .expect("opens with no reader present");
    assert!(reader.is_none());
    // Nobody reads: the write neither blocks nor fails visibly.
    fifo.write_line(b"VS x UP\n");
    // A reader arriving later still gets the buffered line.
    let mut r = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&path)
        .unwrap();
    let mut buf = [0u8; 64];
    let n = std::io::Read::read(&mut r, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"VS x UP\n");
    drop(fifo);
    assert!(path.exists(), "a FIFO we did not create is left in place");
}

use std::os::unix::fs::OpenOptionsExt;
