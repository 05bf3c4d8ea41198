//! The checker probes against real servers on loopback started here: plain
//! HTTP (Content-Length, chunked, bad status), TLS (a self-signed cert made
//! with the openssl CLI), SMTP, DNS and UDP responders, MISC scripts; and
//! our HTTP request bytes and digests against Debian's `genhash`.

#[path = "support/model.rs"]
mod model;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use keepalived::checker_child::probe::{self, ProbeOutcome};
use keepalived::config::model::{
    Checker, CheckerKind, Protocol, RealServer, Script, TIMER_HZ, Url, VirtualServer,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::mpsc;

const LO: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// Every wait in these tests ends by this deadline.
const LIMIT: Duration = Duration::from_secs(10);

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn vs() -> VirtualServer {
    model::tcp_vs("198.51.100.1", 80)
}

fn rs(port: u16) -> RealServer {
    RealServer::new(LO, port, None)
}

fn checker(kind: CheckerKind) -> Checker {
    let mut c = Checker::new(kind, None);
    c.conn.connect_timeout = Some(2 * TIMER_HZ);
    c
}

fn url(path: &str) -> Url {
    Url {
        path: Some(path.into()),
        ..Url::default()
    }
}

async fn run(rs: &RealServer, ck: &Checker) -> ProbeOutcome {
    let spec = probe::probe_spec(&vs(), rs, ck);
    tokio::time::timeout(LIMIT, probe::run(&spec))
        .await
        .expect("probe bounded")
}

/// An HTTP server answering every connection with `response` and reporting
/// each request's bytes.
async fn http_server(response: Vec<u8>) -> (u16, mpsc::UnboundedReceiver<Vec<u8>>) {
    let l = TcpListener::bind((LO, 0)).await.unwrap();
    let port = l.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            let tx = tx.clone();
            let response = response.clone();
            tokio::spawn(async move {
                let req = read_request(&mut s).await;
                let _ = tx.send(req);
                let _ = s.write_all(&response).await;
                let _ = s.shutdown().await;
            });
        }
    });
    (port, rx)
}

async fn read_request<S: tokio::io::AsyncRead + Unpin>(s: &mut S) -> Vec<u8> {
    let mut req = Vec::new();
    let mut buf = [0u8; 1024];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    req
}

fn md5sum(data: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("body");
    std::fs::write(&p, data).unwrap();
    let out = Command::new("md5sum").arg(&p).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..32].to_string()
}

const BODY: &[u8] = b"<html>hello keepalived</html>\n";

fn ok_response() -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
        BODY.len()
    )
    .into_bytes();
    r.extend_from_slice(BODY);
    r
}

#[test]
fn tcp_check_up_down_and_bind_port() {
    rt().block_on(async {
        let l = TcpListener::bind((LO, 0)).await.unwrap();
        let port = l.local_addr().unwrap().port();
        let mut ck = checker(CheckerKind::Tcp);
        let accept = tokio::spawn(async move { l.accept().await.unwrap().1 });
        // A fixed source port, as bind_port asks.
        let src = {
            let s = std::net::UdpSocket::bind((LO, 0)).unwrap();
            s.local_addr().unwrap().port()
        };
        ck.conn.ext_mut().bindto = Some(LO);
        ck.conn.ext_mut().bind_port = Some(src);
        ck.conn.ext_mut().fwmark = Some(7);
        assert_eq!(run(&rs(port), &ck).await, ProbeOutcome::Up);
        let peer = tokio::time::timeout(LIMIT, accept).await.unwrap().unwrap();
        assert_eq!(peer.port(), src);

        // Nothing listens on a port just released: refused.
        let closed = {
            let l = std::net::TcpListener::bind((LO, 0)).unwrap();
            l.local_addr().unwrap().port()
        };
        let ck = checker(CheckerKind::Tcp);
        assert_eq!(
            run(&rs(closed), &ck).await,
            ProbeOutcome::Down(format!(
                "TCP connection to [127.0.0.1]:tcp:{closed} failed."
            ))
        );
    });
}

/// A TCP_CHECK whose handshake cannot finish (the listener's queue is
/// full, so its SYN is dropped) times out: the path where the connection is
/// still in progress after `connect()` and the probe waits for it.
#[test]
fn tcp_check_times_out_when_the_handshake_stalls() {
    rt().block_on(async {
        use socket2::{Domain, Socket, Type};
        let l = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        l.bind(&SocketAddr::new(LO, 0).into()).unwrap();
        l.listen(0).unwrap();
        let port = l.local_addr().unwrap().as_socket().unwrap().port();
        // Fill the accept queue (never accepted) with completed handshakes.
        let mut fill = Vec::new();
        for _ in 0..4 {
            let s = Socket::new(Domain::IPV4, Type::STREAM.nonblocking(), None).unwrap();
            let _ = s.connect(&SocketAddr::new(LO, port).into());
            fill.push(s);
        }
        let mut ck = checker(CheckerKind::Tcp);
        ck.conn.connect_timeout = Some(TIMER_HZ / 5);
        let started = std::time::Instant::now();
        assert_eq!(
            run(&rs(port), &ck).await,
            ProbeOutcome::Down(format!("TCP connection to [127.0.0.1]:tcp:{port} timeout."))
        );
        assert!(started.elapsed() >= Duration::from_millis(190));
        drop(fill);
    });
}

/// With 10,000 TCP_CHECKs due within the same second, every probe in
/// flight is a task holding this future: it must not carry the other
/// probe types' state (a TLS stream, SMTP/DNS/ICMP buffers), which made it
/// several kilobytes.
#[test]
fn a_tcp_check_in_flight_is_small() {
    let spec = probe::probe_spec(&vs(), &rs(80), &checker(CheckerKind::Tcp));
    let size = std::mem::size_of_val(&probe::run(&spec));
    assert!(size <= 512, "a TCP_CHECK probe future is {size} bytes");
}

#[test]
fn connect_ip_and_port_override_the_real_server() {
    rt().block_on(async {
        let (port, mut reqs) = http_server(ok_response()).await;
        let mut ck = checker(CheckerKind::HttpGet);
        ck.conn.ext_mut().connect_ip = Some(LO);
        ck.conn.connect_port = Some(port);
        ck.ext_mut().urls.push(url("/"));
        let real = RealServer::new("192.0.2.2".parse().unwrap(), 80, None);
        assert_eq!(run(&real, &ck).await, ProbeOutcome::Up);
        let req = reqs.recv().await.unwrap();
        assert!(
            String::from_utf8(req)
                .unwrap()
                .contains(&format!("Host: 127.0.0.1:{port}\r\n"))
        );
    });
}

#[test]
fn http_get_request_bytes_status_and_digest() {
    rt().block_on(async {
        let (port, mut reqs) = http_server(ok_response()).await;
        let mut ck = checker(CheckerKind::HttpGet);
        let mut u = url("/index.html");
        u.digest = Some(md5sum(BODY));
        ck.ext_mut().urls.push(u);
        assert_eq!(run(&rs(port), &ck).await, ProbeOutcome::Up);
        assert_eq!(
            reqs.recv().await.unwrap(),
            format!(
                "GET /index.html HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:{port}\r\n\r\n"
            )
            .into_bytes()
        );

        // Wrong digest.
        ck.ext_mut().urls[0].digest = Some("0".repeat(32));
        assert_eq!(
            run(&rs(port), &ck).await,
            ProbeOutcome::Down(format!("MD5 digest error to server [127.0.0.1]:tcp:{port}."))
        );
        reqs.recv().await.unwrap();

        // Virtual host from the virtual server, HTTP/1.1 with Connection: close.
        ck.ext_mut().urls[0].digest = None;
        ck.ext_mut().http_protocol = Some("1.1".into());
        let mut v = vs();
        v.opts_mut().virtualhost = Some("www.example.org".into());
        let spec = probe::probe_spec(&v, &rs(port), &ck);
        assert_eq!(probe::run(&spec).await, ProbeOutcome::Up);
        assert_eq!(
            reqs.recv().await.unwrap(),
            b"GET /index.html HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: www.example.org\r\n\r\n"
                .to_vec()
        );
    });
}

#[test]
fn http_get_status_codes_and_every_url() {
    rt().block_on(async {
        let (port, _reqs) =
            http_server(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec()).await;
        let mut ck = checker(CheckerKind::HttpGet);
        ck.ext_mut().urls.push(url("/"));
        assert_eq!(
            run(&rs(port), &ck).await,
            ProbeOutcome::Down(format!(
                "HTTP status code error to server [127.0.0.1]:tcp:{port}."
            ))
        );
        ck.ext_mut().urls[0].status_codes = vec![(400, 404)];
        assert_eq!(run(&rs(port), &ck).await, ProbeOutcome::Up);
        // A second url accepting only 200 fails the whole check.
        ck.ext_mut().urls.push(url("/b"));
        assert!(matches!(run(&rs(port), &ck).await, ProbeOutcome::Down(_)));

        let (port, _r) = http_server(Vec::new()).await;
        let mut ck = checker(CheckerKind::HttpGet);
        ck.ext_mut().urls.push(url("/"));
        assert_eq!(
            run(&rs(port), &ck).await,
            ProbeOutcome::Down(format!(
                "Read, no data received from  server [127.0.0.1]:tcp:{port}."
            ))
        );
    });
}

#[test]
fn http_get_chunked_body_is_hashed_raw_and_regex() {
    rt().block_on(async {
        let chunked = b"4\r\nabcd\r\n0\r\n\r\n";
        let mut resp = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        resp.extend_from_slice(chunked);
        let (port, _reqs) = http_server(resp).await;
        let mut ck = checker(CheckerKind::HttpGet);
        let mut u = url("/");
        u.digest = Some(md5sum(chunked));
        u.regex = Some("ab+cd".into());
        ck.ext_mut().urls.push(u);
        assert_eq!(run(&rs(port), &ck).await, ProbeOutcome::Up);
        ck.ext_mut().urls[0].regex_no_match = true;
        assert_eq!(
            run(&rs(port), &ck).await,
            ProbeOutcome::Down(format!("Regex match failed server [127.0.0.1]:tcp:{port}."))
        );
    });
}

#[test]
fn genhash_agrees_on_request_and_digest() {
    if !std::path::Path::new("/usr/bin/genhash").exists() {
        eprintln!("SKIPPED: /usr/bin/genhash not installed");
        return;
    }
    rt().block_on(async {
        // Body longer than Content-Length: both hash only the announced part.
        let mut resp = b"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\n".to_vec();
        resp.extend_from_slice(BODY);
        let (port, mut reqs) = http_server(resp).await;
        let out = tokio::process::Command::new("/usr/bin/genhash")
            .args(["-s", "127.0.0.1", "-p", &port.to_string(), "-u", "/g"])
            .output();
        let out = tokio::time::timeout(LIMIT, out).await.unwrap().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let theirs_req = reqs.recv().await.unwrap();

        let mut ck = checker(CheckerKind::HttpGet);
        ck.ext_mut().urls.push(url("/g"));
        let spec = probe::probe_spec(&vs(), &rs(port), &ck);
        let ours = probe::http::genhash(
            spec.target(),
            "/g",
            None,
            probe::http::HttpProtocol::V10,
            None,
        )
        .await
        .unwrap()
        .digest;
        let ours_req = reqs.recv().await.unwrap();
        assert_eq!(ours, md5sum(&BODY[..10]));
        assert!(
            text.contains(&ours),
            "genhash printed {text:?}, we have {ours}"
        );
        assert_eq!(
            String::from_utf8(ours_req).unwrap(),
            String::from_utf8(theirs_req).unwrap()
        );
    });
}

/// A self-signed certificate and key in PEM, made by the openssl CLI.
fn self_signed() -> Option<(Vec<u8>, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let (k, c) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-subj", "/CN=test", "-days", "1", "-keyout"])
        .arg(&k)
        .arg("-out")
        .arg(&c)
        .output()
        .ok()?
        .status
        .success();
    ok.then(|| (std::fs::read(c).unwrap(), std::fs::read(k).unwrap()))
}

#[test]
fn ssl_get_accepts_any_certificate_and_sends_sni() {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let Some((cert, key)) = self_signed() else {
        eprintln!("SKIPPED: openssl could not make a test certificate");
        return;
    };
    rt().block_on(async {
        let certs = vec![CertificateDer::from_pem_slice(&cert).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(&key).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
        let l = TcpListener::bind((LO, 0)).await.unwrap();
        let port = l.local_addr().unwrap().port();
        let (tx, mut rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                let Ok(mut tls) = acceptor.accept(s).await else {
                    continue;
                };
                let sni = tls.get_ref().1.server_name().map(str::to_string);
                let req = read_request(&mut tls).await;
                let _ = tx.send((sni, req));
                let _ = tls.write_all(&ok_response()).await;
                let _ = tls.shutdown().await;
            }
        });
        let mut ck = checker(CheckerKind::SslGet);
        let mut u = url("/");
        u.digest = Some(md5sum(BODY));
        ck.ext_mut().urls.push(u);
        assert_eq!(run(&rs(port), &ck).await, ProbeOutcome::Up);
        let (sni, req) = rx.recv().await.unwrap();
        assert_eq!(sni, None);
        assert!(req.starts_with(b"GET / HTTP/1.0\r\n"));

        ck.ext_mut().virtualhost = Some("sni.example.org".into());
        ck.ext_mut().enable_sni = true;
        assert_eq!(run(&rs(port), &ck).await, ProbeOutcome::Up);
        let (sni, _) = rx.recv().await.unwrap();
        assert_eq!(sni.as_deref(), Some("sni.example.org"));

        // A server talking plain text at once is not TLS.
        let (plain, _r) = smtp_server("220 not TLS\r\n\r\n").await;
        assert_eq!(
            run(&rs(plain), &ck).await,
            ProbeOutcome::Down(format!(
                "SSL handshake/communication error connecting to server [127.0.0.1]:tcp:{plain}."
            ))
        );
    });
}

fn script_file(dir: &std::path::Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn misc_check_exit_codes_dynamic_and_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let uid = nix::unistd::geteuid().as_raw();
    let gid = nix::unistd::getegid().as_raw();
    let mk = |body: &str, name: &str, dynamic: bool, timeout: Option<u64>| {
        let mut ck = Checker::new(CheckerKind::Misc, None);
        let path = script_file(dir.path(), name, body);
        ck.ext_mut().misc_path = Some(Script {
            args: vec![path],
            uid,
            gid,
            ..Script::default()
        });
        ck.ext_mut().misc_dynamic = dynamic;
        ck.ext_mut().misc_timeout = timeout;
        ck
    };
    rt().block_on(async {
        let r = rs(80);
        let up = mk("exit 0", "up", false, None);
        assert_eq!(run(&r, &up).await, ProbeOutcome::Up);
        let down = mk("exit 3", "down", false, None);
        let p = dir.path().join("down");
        assert_eq!(
            run(&r, &down).await,
            ProbeOutcome::Down(format!(
                "Misc check for [[127.0.0.1]:tcp:80 VS [198.51.100.1]:tcp:80] by [{}] failed (exited with status 3).",
                p.display()
            ))
        );
        let dynamic = mk("exit 7", "dyn", true, None);
        assert_eq!(run(&r, &dynamic).await, ProbeOutcome::Dynamic(7));
        let dyn_fail = mk("exit 1", "dynfail", true, None);
        assert!(matches!(run(&r, &dyn_fail).await, ProbeOutcome::Down(_)));
        let slow = mk("sleep 30", "slow", false, Some(TIMER_HZ));
        let p = dir.path().join("slow");
        assert_eq!(
            run(&r, &slow).await,
            ProbeOutcome::Down(format!(
                "Misc check for [[127.0.0.1]:tcp:80 VS [198.51.100.1]:tcp:80] by [{}] timed out.",
                p.display()
            ))
        );
    });
}

async fn smtp_server(banner: &'static str) -> (u16, mpsc::UnboundedReceiver<Vec<u8>>) {
    let l = TcpListener::bind((LO, 0)).await.unwrap();
    let port = l.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let _ = s.write_all(banner.as_bytes()).await;
            let mut got = Vec::new();
            let mut buf = [0u8; 256];
            while let Ok(n) = s.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
                if got.ends_with(b"QUIT\r\n") {
                    let _ = s.write_all(b"221 bye\r\n").await;
                    break;
                }
                if got.ends_with(b"\r\n") {
                    let _ = s.write_all(b"250 hello\r\n").await;
                }
            }
            let _ = tx.send(got);
        }
    });
    (port, rx)
}

#[test]
fn smtp_check_dialogue() {
    rt().block_on(async {
        let (port, mut rx) = smtp_server("220 mail ESMTP\r\n").await;
        let mut ck = checker(CheckerKind::Smtp);
        assert_eq!(run(&rs(port), &ck).await, ProbeOutcome::Up);
        assert_eq!(
            rx.recv().await.unwrap(),
            b"HELO smtpchecker.keepalived.org\r\nQUIT\r\n".to_vec()
        );
        let (port, _rx) = smtp_server("554 go away\r\n").await;
        ck.ext_mut().helo_name = Some("me".into());
        assert_eq!(
            run(&rs(port), &ck).await,
            ProbeOutcome::Down(format!(
                "SMTP_CHECK Bad greeting banner from server [127.0.0.1]:{port}"
            ))
        );
    });
}

/// A DNS responder: answers with the query's id, QR set and `rcode`, after
/// first sending a reply with a wrong id (which must be ignored).
async fn dns_server(rcode: u8) -> (u16, mpsc::UnboundedReceiver<Vec<u8>>) {
    let s = UdpSocket::bind((LO, 0)).await.unwrap();
    let port = s.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut buf = [0u8; 512];
        while let Ok((n, peer)) = s.recv_from(&mut buf).await {
            let q = buf[..n].to_vec();
            let mut wrong = q.clone();
            wrong[0] ^= 0xff;
            wrong[2] |= 0x80;
            let _ = s.send_to(&wrong, peer).await;
            let mut r = q.clone();
            r[2] |= 0x80;
            r[3] = (r[3] & 0xf0) | rcode;
            let _ = s.send_to(&r, peer).await;
            let _ = tx.send(q);
        }
    });
    (port, rx)
}

#[test]
fn dns_check_query_and_rcode() {
    rt().block_on(async {
        let (port, mut rx) = dns_server(0).await;
        let mut v = vs();
        v.protocol = Some(Protocol::Udp);
        let ck = checker(CheckerKind::Dns);
        let spec = probe::probe_spec(&v, &rs(port), &ck);
        assert_eq!(probe::run(&spec).await, ProbeOutcome::Up);
        let q = rx.recv().await.unwrap();
        assert_eq!(&q[2..], &[1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1]);

        let (port, _rx) = dns_server(3).await;
        let spec = probe::probe_spec(&v, &rs(port), &ck);
        assert_eq!(
            probe::run(&spec).await,
            ProbeOutcome::Down(format!(
                "DNS_CHECK ([127.0.0.1]:udp:{port}) read error occurred. (rcode = 3)"
            ))
        );
    });
}

#[test]
fn udp_check_echo_silence_and_unreachable() {
    rt().block_on(async {
        let s = UdpSocket::bind((LO, 0)).await.unwrap();
        let port = s.local_addr().unwrap().port();
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            while let Ok((n, peer)) = s.recv_from(&mut buf).await {
                let _ = s.send_to(&buf[..n], peer).await;
            }
        });
        let mut ck = checker(CheckerKind::Udp);
        ck.ext_mut().udp_payload = Some("0102ff".into());
        ck.ext_mut().udp_require_reply = Some("01X2".into());
        assert_eq!(run(&rs(port), &ck).await, ProbeOutcome::Up);
        ck.ext_mut().udp_require_reply = Some("02".into());
        assert_eq!(
            run(&rs(port), &ck).await,
            ProbeOutcome::Down(format!(
                "UDP check to [127.0.0.1]:tcp:{port} reply data mismatch."
            ))
        );

        // Nobody listening: the port unreachable error fails the check.
        let closed = {
            let s = std::net::UdpSocket::bind((LO, 0)).unwrap();
            s.local_addr().unwrap().port()
        };
        let ck = checker(CheckerKind::Udp);
        assert_eq!(
            run(&rs(closed), &ck).await,
            ProbeOutcome::Down(format!(
                "UDP connection to [127.0.0.1]:tcp:{closed} failed."
            ))
        );
        // Silence without require_reply is success.
        let quiet = UdpSocket::bind((LO, 0)).await.unwrap();
        let qport = quiet.local_addr().unwrap().port();
        let mut ck = checker(CheckerKind::Udp);
        ck.conn.connect_timeout = Some(TIMER_HZ / 5);
        assert_eq!(run(&rs(qport), &ck).await, ProbeOutcome::Up);
        drop(quiet);
    });
}

#[test]
fn connect_timeout_resolution() {
    let mut v = vs();
    let mut r = rs(80);
    let mut ck = Checker::new(CheckerKind::Tcp, None);
    assert_eq!(
        probe::probe_spec(&v, &r, &ck).connect_timeout(),
        Duration::from_secs(5)
    );
    v.opts_mut().connect_timeout = Some(3 * TIMER_HZ);
    assert_eq!(
        probe::probe_spec(&v, &r, &ck).connect_timeout(),
        Duration::from_secs(3)
    );
    r.opts_mut().connect_timeout = Some(2 * TIMER_HZ);
    assert_eq!(
        probe::probe_spec(&v, &r, &ck).connect_timeout(),
        Duration::from_secs(2)
    );
    ck.conn.connect_timeout = Some(TIMER_HZ);
    assert_eq!(
        probe::probe_spec(&v, &r, &ck).connect_timeout(),
        Duration::from_secs(1)
    );
    let _ = SocketAddr::new(LO, 0);
}
