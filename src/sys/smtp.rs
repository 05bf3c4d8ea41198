//! Sending alert mails: keepalived 2.2.7's SMTP dialogue (`core/smtp.c`) on
//! tokio, and a bounded queue so that alerting never blocks the daemon.
//!
//! A hand-written client rather than lettre (which the design card lists):
//! keepalived says `HELO`, lettre always `EHLO`; keepalived's log lines name
//! the failing stage and status code ("Error processing RCPT cmd on SMTP
//! server [192.0.2.1]:25. SMTP status code = 550"), which lettre's errors
//! do not map to; and the dialogue is six commands, so the client is
//! smaller than lettre's dependency tree.
//!
//! The dialogue: connect (bounded by `smtp_connect_timeout`), expect 220;
//! `HELO name` 250; `MAIL FROM:<from>` 250; `RCPT TO:<to>` 250 for each;
//! `DATA` 354; the message ([`Mail::data`]) 250 — "SMTP alert successfully
//! sent."; `QUIT` 221. Every reply wait is bounded by the same timeout.
//! A bad code, a read timeout, a read error or an oversized reply is
//! logged and answered with QUIT; a closed connection or a failed send ends
//! the session at once — as keepalived does. Replies are parsed as
//! keepalived parses them: CRLF lines, `NNN-` continuation lines skipped,
//! a 1 KiB reply buffer.
//!
//! Deviations: keepalived sends each mail on its own concurrent connection;
//! the queue sends them one after another, in order. keepalived re-sends
//! QUIT forever while the server answers it with a code other than 221; we
//! stop after one QUIT. keepalived stays silent when connect() fails at
//! once (e.g. ENETUNREACH); we log "SMTP connection ERROR".
//!
//! Extension: with [`SmtpSettings::auth`] the client says `EHLO` and
//! authenticates with AUTH PLAIN, or AUTH LOGIN when only that is offered,
//! before MAIL. With [`SmtpSettings::tls`] the dialogue runs over TLS
//! (rustls): `starttls` says EHLO, STARTTLS (220), handshakes and says
//! EHLO again (RFC 3207); `tls` handshakes right after connecting (RFC
//! 8314). The server's certificate is always verified, against the PEM
//! roots of `smtp_tls_ca` or the system bundle
//! ([`crate::alert::settings::SYSTEM_CA_BUNDLE`], from Debian's
//! ca-certificates): no new crate (webpki-roots would freeze a root list
//! into the binary, rustls-native-certs only finds the same file), and no
//! "verify off" switch — a private CA is trusted by naming its file.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::alert::settings::SYSTEM_CA_BUNDLE;
use crate::alert::{Mail, SmtpAuth, SmtpSettings, rfc822_date, utc_offset};
use crate::config::model::SmtpTls;

/// keepalived's `SMTP_BUFFER_MAX`: a reply (with any unread rest) must fit.
const REPLY_BUFFER: usize = 1024;

/// Why a dialogue failed; `Display` is keepalived's log line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmtpError {
    /// Extension: keepalived resolves host names while reading the config.
    #[error("{}", crate::messages::smtp_resolve_failed(.0))]
    Resolve(String),
    #[error("{}", crate::messages::smtp_connect_error(.0))]
    Connect(String),
    #[error("{}", crate::messages::smtp_connect_timeout(.0))]
    ConnectTimeout(String),
    #[error("{}", crate::messages::smtp_read_timeout(.0))]
    ReadTimeout(String),
    #[error("{}", crate::messages::smtp_read_error(.0))]
    Read(String),
    #[error("{}", crate::messages::smtp_closed(.0))]
    Closed(String),
    #[error("{}", crate::messages::smtp_overflow(.0))]
    Overflow(String),
    #[error("{}", crate::messages::smtp_status(cmd, server, *code))]
    Status {
        cmd: &'static str,
        server: String,
        code: i32,
    },
    #[error("{}", crate::messages::smtp_send_error(.0))]
    Send(String),
    /// Extension (AUTH): the server offers neither PLAIN nor LOGIN.
    #[error("{}", crate::messages::smtp_no_auth_mechanism(.0))]
    NoAuthMechanism(String),
    /// Extension (TLS): the roots file cannot be read or holds no
    /// certificate.
    #[error("{}", crate::messages::smtp_tls_roots_unusable(.0))]
    TlsRoots(String),
    /// Extension (TLS): the handshake failed (e.g. the certificate did not
    /// verify).
    #[error("{}", crate::messages::smtp_tls_handshake_failed(server, reason))]
    Tls { server: String, reason: String },
}

/// A connection, plain or TLS.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// The TLS client for `settings`, or why not.
fn tls_connector(settings: &SmtpSettings) -> Result<tokio_rustls::TlsConnector, SmtpError> {
    let path = settings.tls_ca.as_deref().unwrap_or(SYSTEM_CA_BUNDLE);
    let bad = || SmtpError::TlsRoots(path.to_owned());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|_| bad())? {
        // A bundle may hold a certificate rustls cannot use; skip it.
        let _ = roots.add(cert.map_err(|_| bad())?);
    }
    if roots.is_empty() {
        return Err(bad());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| bad())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(cfg)))
}

/// What a session reports, in order; the queue logs each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmtpLog {
    /// "Remote SMTP server [addr]:port connected." (`-D` only).
    Connected(String),
    /// "SMTP alert successfully sent." (`-D` only): the server took the
    /// message (250 after the data).
    Sent,
    Error(SmtpError),
}

impl SmtpLog {
    /// keepalived's log line.
    pub fn line(&self) -> String {
        match self {
            SmtpLog::Connected(s) => crate::messages::smtp_connected(s),
            SmtpLog::Sent => crate::messages::smtp_sent().to_owned(),
            SmtpLog::Error(e) => e.to_string(),
        }
    }

    /// keepalived logs these only with `-D`.
    pub fn is_detail(&self) -> bool {
        !matches!(self, SmtpLog::Error(_))
    }
}

/// keepalived's `FMT_SMTP_HOST()`: `[addr]:port`.
pub fn fmt_server(addr: &SocketAddr) -> String {
    format!("[{}]:{}", addr.ip(), addr.port())
}

/// The Date header value for now, in local time.
pub fn date_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    let t = super::clock::at(secs as libc::time_t, 0);
    rfc822_date(&t, utc_offset(&t, secs))
}

/// Runs one dialogue. Never panics and never takes longer than a few
/// multiples of `settings.connect_timeout` (connect, one wait per reply).
pub async fn send_mail(settings: &SmtpSettings, mail: &Mail, date: &str) -> Vec<SmtpLog> {
    let mut logs = Vec::new();
    let addr = match resolve(&settings.host, settings.port).await {
        Some(a) => a,
        None => {
            let name = format!("{}:{}", settings.host, settings.port);
            logs.push(SmtpLog::Error(SmtpError::Resolve(name)));
            return logs;
        }
    };
    let server = fmt_server(&addr);
    let tls = match settings.tls {
        SmtpTls::None => None,
        _ => match tls_connector(settings) {
            Ok(c) => Some(c),
            Err(e) => {
                logs.push(SmtpLog::Error(e));
                return logs;
            }
        },
    };
    let stream =
        match tokio::time::timeout(settings.connect_timeout, TcpStream::connect(addr)).await {
            Err(_) => {
                logs.push(SmtpLog::Error(SmtpError::ConnectTimeout(server)));
                return logs;
            }
            Ok(Err(_)) => {
                logs.push(SmtpLog::Error(SmtpError::Connect(server)));
                return logs;
            }
            Ok(Ok(s)) => s,
        };
    logs.push(SmtpLog::Connected(server.clone()));
    let mut s = Session {
        stream: Box::new(stream),
        buf: Vec::with_capacity(REPLY_BUFFER),
        timeout: settings.connect_timeout,
        server,
        logs,
        tls,
        tls_name: settings.host.clone(),
    };
    if settings.tls == SmtpTls::Tls && s.handshake().await.is_err() {
        return s.logs;
    }
    if let Flow::Quit = s.dialogue(settings, mail, date).await {
        s.quit().await;
    }
    s.logs
}

async fn resolve(host: &str, port: u16) -> Option<SocketAddr> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(SocketAddr::new(ip, port));
    }
    tokio::net::lookup_host((host, port)).await.ok()?.next()
}

/// What to do after a failed step.
enum Flow {
    /// Say QUIT and wait for its reply.
    Quit,
    /// Drop the connection at once.
    End,
}

struct Session {
    stream: Box<dyn Io>,
    /// The TLS client (`smtp_tls` starttls or tls).
    tls: Option<tokio_rustls::TlsConnector>,
    /// The name the certificate must carry: the `smtp_server` host.
    tls_name: String,
    /// Unparsed reply bytes (keepalived keeps what follows a reply).
    buf: Vec<u8>,
    timeout: Duration,
    server: String,
    logs: Vec<SmtpLog>,
}

impl Session {
    /// The whole dialogue up to (not including) QUIT; `Flow::Quit` also on
    /// success.
    async fn dialogue(&mut self, settings: &SmtpSettings, mail: &Mail, date: &str) -> Flow {
        if let Err(f) = self.expect("(E)SMTP", 220).await {
            return f;
        }
        if settings.tls == SmtpTls::StartTls {
            if let Err(f) = self.starttls(&settings.helo).await {
                return f;
            }
        }
        if settings.auth.is_some() || settings.tls != SmtpTls::None {
            if let Err(f) = self.ehlo_auth(&settings.helo, settings.auth.as_ref()).await {
                return f;
            }
        } else if let Err(f) = self
            .command(
                format!("HELO {}\r\n", settings.helo).as_bytes(),
                "HELO",
                250,
            )
            .await
        {
            return f;
        }
        let from = format!("MAIL FROM:<{}>\r\n", mail.from);
        if let Err(f) = self.command(from.as_bytes(), "MAIL", 250).await {
            return f;
        }
        for to in &mail.to {
            let rcpt = format!("RCPT TO:<{to}>\r\n");
            if let Err(f) = self.command(rcpt.as_bytes(), "RCPT", 250).await {
                return f;
            }
        }
        if let Err(f) = self.command(b"DATA\r\n", "DATA", 354).await {
            return f;
        }
        if let Err(f) = self.command(&mail.data(date), "BODY", 250).await {
            return f;
        }
        self.logs.push(SmtpLog::Sent);
        Flow::Quit
    }

    /// Extension: EHLO, STARTTLS, then the TLS handshake.
    async fn starttls(&mut self, helo: &str) -> Result<(), Flow> {
        self.command(format!("EHLO {helo}\r\n").as_bytes(), "EHLO", 250)
            .await?;
        self.command(b"STARTTLS\r\n", "STARTTLS", 220).await?;
        self.handshake().await
    }

    /// Extension: wraps the connection in TLS, verifying the server; a
    /// failure ends the session (no QUIT in clear after a failed upgrade).
    async fn handshake(&mut self) -> Result<(), Flow> {
        let Some(connector) = self.tls.clone() else {
            return Err(Flow::End);
        };
        let fail = |s: &mut Session, reason: String| {
            s.fail(SmtpError::Tls {
                server: s.server.clone(),
                reason,
            });
            Err(Flow::End)
        };
        let name = match ServerName::try_from(self.tls_name.clone()) {
            Ok(n) => n,
            Err(e) => return fail(self, e.to_string()),
        };
        // Replies received before the upgrade are not carried over
        // (RFC 3207 4.2: discard what came in clear).
        self.buf.clear();
        let plain = std::mem::replace(&mut self.stream, Box::new(tokio::io::duplex(1).0));
        match tokio::time::timeout(self.timeout, connector.connect(name, plain)).await {
            Ok(Ok(tls)) => {
                self.stream = Box::new(tls);
                Ok(())
            }
            Ok(Err(e)) => fail(self, e.to_string()),
            Err(_) => fail(self, "timeout".to_owned()),
        }
    }

    /// Extension: EHLO, then AUTH PLAIN (preferred) or AUTH LOGIN when
    /// there are credentials.
    async fn ehlo_auth(&mut self, helo: &str, auth: Option<&SmtpAuth>) -> Result<(), Flow> {
        self.send(format!("EHLO {helo}\r\n").as_bytes()).await?;
        let lines = self.reply("EHLO", 250).await?;
        let Some(auth) = auth else {
            return Ok(());
        };
        let mechs: Vec<String> = lines
            .iter()
            .filter_map(|l| {
                let text = l.get(4..)?.to_ascii_uppercase();
                let rest = text.strip_prefix("AUTH")?;
                Some(rest.trim_start_matches([' ', '=']).to_owned())
            })
            .flat_map(|r| r.split(' ').map(str::to_owned).collect::<Vec<_>>())
            .collect();
        if mechs.iter().any(|m| m == "PLAIN") {
            let token = base64(format!("\0{}\0{}", auth.user, auth.pass).as_bytes());
            self.command(format!("AUTH PLAIN {token}\r\n").as_bytes(), "AUTH", 235)
                .await
        } else if mechs.iter().any(|m| m == "LOGIN") {
            self.command(b"AUTH LOGIN\r\n", "AUTH", 334).await?;
            let user = format!("{}\r\n", base64(auth.user.as_bytes()));
            self.command(user.as_bytes(), "AUTH", 334).await?;
            let pass = format!("{}\r\n", base64(auth.pass.as_bytes()));
            self.command(pass.as_bytes(), "AUTH", 235).await
        } else {
            self.logs.push(SmtpLog::Error(SmtpError::NoAuthMechanism(
                self.server.clone(),
            )));
            Err(Flow::Quit)
        }
    }

    async fn command(&mut self, bytes: &[u8], name: &'static str, code: i32) -> Result<(), Flow> {
        self.send(bytes).await?;
        self.reply(name, code).await.map(drop)
    }

    /// The greeting.
    async fn expect(&mut self, name: &'static str, code: i32) -> Result<(), Flow> {
        self.reply(name, code).await.map(drop)
    }

    async fn quit(&mut self) {
        if self.send(b"QUIT\r\n").await.is_ok() {
            let _ = self.reply("QUIT", 221).await;
        }
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), Flow> {
        match tokio::time::timeout(self.timeout, self.stream.write_all(bytes)).await {
            Ok(Ok(())) => Ok(()),
            _ => {
                self.fail(SmtpError::Send(self.server.clone()));
                Err(Flow::End)
            }
        }
    }

    fn fail(&mut self, e: SmtpError) {
        self.logs.push(SmtpLog::Error(e));
    }

    /// Reads one reply and checks its code; returns its lines (without
    /// CRLF). Failures are logged here.
    async fn reply(&mut self, name: &'static str, want: i32) -> Result<Vec<String>, Flow> {
        let mut lines = Vec::new();
        loop {
            if let Some(end) = find_crlf(&self.buf) {
                let line: Vec<u8> = self.buf.drain(..end + 2).take(end).collect();
                let continued = line.get(3) == Some(&b'-');
                lines.push(String::from_utf8_lossy(&line).into_owned());
                if continued {
                    continue;
                }
                let code = status_code(&line);
                if code == want {
                    return Ok(lines);
                }
                self.fail(SmtpError::Status {
                    cmd: name,
                    server: self.server.clone(),
                    code,
                });
                return Err(Flow::Quit);
            }
            let room = REPLY_BUFFER - self.buf.len();
            let mut chunk = vec![0u8; room];
            let n = match tokio::time::timeout(self.timeout, self.stream.read(&mut chunk)).await {
                Err(_) => {
                    self.fail(SmtpError::ReadTimeout(self.server.clone()));
                    return Err(quit_unless(name));
                }
                Ok(Err(_)) => {
                    self.fail(SmtpError::Read(self.server.clone()));
                    return Err(quit_unless(name));
                }
                Ok(Ok(0)) => {
                    self.fail(SmtpError::Closed(self.server.clone()));
                    return Err(Flow::End);
                }
                Ok(Ok(n)) => n,
            };
            if self.buf.len() + n >= REPLY_BUFFER {
                self.buf.clear();
                self.fail(SmtpError::Overflow(self.server.clone()));
                return Err(quit_unless(name));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// A failure while waiting for QUIT's reply ends the session.
fn quit_unless(name: &str) -> Flow {
    if name == "QUIT" {
        Flow::End
    } else {
        Flow::Quit
    }
}

fn find_crlf(b: &[u8]) -> Option<usize> {
    b.windows(2).position(|w| w == b"\r\n")
}

/// keepalived's arithmetic on the first three bytes (no validation: a
/// non-digit gives a code that matches nothing).
fn status_code(line: &[u8]) -> i32 {
    let d = |i: usize| i32::from(line.get(i).copied().unwrap_or(0)) - i32::from(b'0');
    d(0) * 100 + d(1) * 10 + d(2)
}

/// Standard base64 with padding (RFC 4648), for AUTH.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Counters of an [`AlertQueue`].
#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    /// Dropped since the last "queue full" log line.
    dropped_unlogged: AtomicU64,
}

/// A snapshot of an [`AlertQueue`]'s counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertStats {
    /// Mails the server accepted.
    pub sent: u64,
    /// Dialogues that ended without the server accepting the mail.
    pub failed: u64,
    /// Mails refused by [`AlertQueue::send`] because the queue was full.
    pub dropped: u64,
}

/// The sending end of the alert queue; cheap to clone. Mails are sent one
/// at a time, in order, by a task; when `cap` mails are waiting, further
/// ones are dropped and counted (a dead server with a 30 s timeout must not
/// make alerts pile up without bound), and the task logs how many were
/// dropped before it sends the next one.
#[derive(Debug, Clone)]
pub struct AlertQueue {
    tx: mpsc::Sender<Mail>,
    counters: Arc<Counters>,
}

impl AlertQueue {
    /// Starts the sending task on the current tokio runtime. The task ends
    /// when every `AlertQueue` clone is dropped and the queue is drained.
    pub fn spawn(settings: SmtpSettings, cap: usize) -> (AlertQueue, JoinHandle<()>) {
        let (tx, mut rx) = mpsc::channel::<Mail>(cap.max(1));
        let counters = Arc::new(Counters::default());
        let c = Arc::clone(&counters);
        let task = tokio::spawn(async move {
            while let Some(mail) = rx.recv().await {
                log_dropped(&c);
                let logs = send_mail(&settings, &mail, &date_now()).await;
                let sent = logs.contains(&SmtpLog::Sent);
                for l in &logs {
                    if l.is_detail() {
                        crate::log_detail!("{}", l.line());
                    } else {
                        tracing::info!("{}", l.line());
                    }
                }
                let n = if sent { &c.sent } else { &c.failed };
                n.fetch_add(1, Ordering::Relaxed);
                log_dropped(&c);
            }
        });
        (AlertQueue { tx, counters }, task)
    }

    /// Queues `mail` without waiting; `false` (and counted) when the queue
    /// is full or its task has ended.
    pub fn send(&self, mail: Mail) -> bool {
        if self.tx.try_send(mail).is_ok() {
            return true;
        }
        self.counters.dropped.fetch_add(1, Ordering::Relaxed);
        self.counters
            .dropped_unlogged
            .fetch_add(1, Ordering::Relaxed);
        false
    }

    pub fn stats(&self) -> AlertStats {
        AlertStats {
            sent: self.counters.sent.load(Ordering::Relaxed),
            failed: self.counters.failed.load(Ordering::Relaxed),
            dropped: self.counters.dropped.load(Ordering::Relaxed),
        }
    }
}

fn log_dropped(c: &Counters) {
    let n = c.dropped_unlogged.swap(0, Ordering::Relaxed);
    if n > 0 {
        tracing::warn!("{}", crate::messages::smtp_queue_full(n));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"\0u\0p"), "AHUAcA==");
    }

    #[test]
    fn status_codes_like_keepalived() {
        assert_eq!(status_code(b"250 ok"), 250);
        assert_eq!(status_code(b"354"), 354);
        assert_ne!(status_code(b"ok"), 250);
    }

    #[test]
    fn server_format() {
        assert_eq!(
            fmt_server(&"192.0.2.1:25".parse().unwrap()),
            "[192.0.2.1]:25"
        );
        assert_eq!(
            fmt_server(&"[2001:db8::1]:2525".parse().unwrap()),
            "[2001:db8::1]:2525"
        );
    }
}
