//! The client end of the local syslog socket (`/dev/log`).
//!
//! We speak to the socket ourselves instead of calling glibc's `syslog()`:
//! glibc blocks when the syslog daemon stops reading (a VRRP daemon must
//! never stall its timers on logging), and one process-wide `openlog()` ident
//! does not fit a library. Datagrams are sent non-blocking; when the queue is
//! full the line is dropped and counted. When the daemon restarts (the socket
//! is re-created), the next send reconnects, as glibc does; while the
//! socket is missing, reconnecting is tried at most every
//! [`RECONNECT_BACKOFF`] instead of costing two system calls per line.

use std::io;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long after a failed connect lines are dropped without trying again.
pub const RECONNECT_BACKOFF: Duration = Duration::from_millis(500);

/// Test hook: when set, syslog datagrams go to this socket path instead of
/// `/dev/log`. Lets tests bind a socket in a temporary directory and check
/// exactly what the daemon would send to syslog.
pub const SOCKET_ENV: &str = "KEEPALIVED_SYSLOG_SOCKET";

/// The standard socket.
pub const DEFAULT_SOCKET: &str = "/dev/log";

/// `$KEEPALIVED_SYSLOG_SOCKET`, else `/dev/log`.
pub fn default_path() -> PathBuf {
    match std::env::var_os(SOCKET_ENV) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(DEFAULT_SOCKET),
    }
}

/// A lazily (re)connected, never-blocking datagram sender.
#[derive(Debug)]
pub struct SyslogSocket {
    path: PathBuf,
    sock: Option<UnixDatagram>,
    dropped: u64,
    /// When the last connect failed: no new attempt before the back-off.
    failed_at: Option<Instant>,
}

impl SyslogSocket {
    /// No I/O happens until the first [`send`](Self::send).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SyslogSocket {
            path: path.into(),
            sock: None,
            dropped: 0,
            failed_at: None,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Datagrams not delivered (socket missing, full, or refusing).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Send one datagram; returns whether it was delivered.
    pub fn send(&mut self, datagram: &[u8]) -> bool {
        self.send_at(datagram, Instant::now())
    }

    /// [`send`](Self::send) at a given time (the back-off's clock).
    pub fn send_at(&mut self, datagram: &[u8], now: Instant) -> bool {
        // One retry after reconnecting covers a syslog daemon that was
        // restarted since the last line (ECONNREFUSED / ENOTCONN).
        for attempt in 0..2 {
            let Some(sock) = self.connected(now) else {
                break;
            };
            match sock.send(datagram) {
                Ok(_) => return true,
                Err(e) if is_full(&e) => break,
                Err(_) if attempt == 0 => self.sock = None,
                Err(_) => break,
            }
        }
        self.dropped += 1;
        false
    }

    fn connected(&mut self, now: Instant) -> Option<&UnixDatagram> {
        let backing_off = self
            .failed_at
            .is_some_and(|t| now.saturating_duration_since(t) < RECONNECT_BACKOFF);
        if self.sock.is_none() && !backing_off {
            self.sock = connect(&self.path).ok();
            self.failed_at = if self.sock.is_some() { None } else { Some(now) };
        }
        self.sock.as_ref()
    }
}

fn connect(path: &Path) -> io::Result<UnixDatagram> {
    let sock = UnixDatagram::unbound()?;
    sock.set_nonblocking(true)?;
    sock.connect(path)?;
    Ok(sock)
}

/// The receiver is alive but not keeping up: drop rather than wait.
fn is_full(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock || e.raw_os_error() == Some(libc::ENOBUFS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn delivers_reconnects_and_counts_drops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let mut s = SyslogSocket::new(&path);
        let t0 = Instant::now();
        // No listener yet: dropped, not an error.
        assert!(!s.send_at(b"lost", t0));
        assert_eq!(s.dropped(), 1);

        let rx = UnixDatagram::bind(&path).unwrap();
        rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        // Within the back-off no reconnect is tried, even though it would
        // now succeed; after it, the line goes through.
        assert!(!s.send_at(b"skipped", t0 + RECONNECT_BACKOFF / 2));
        assert_eq!(s.dropped(), 2);
        assert!(s.send_at(b"one", t0 + RECONNECT_BACKOFF));
        let mut buf = [0u8; 64];
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"one");

        // The syslog daemon restarts: a new socket at the same path.
        drop(rx);
        std::fs::remove_file(&path).unwrap();
        let rx = UnixDatagram::bind(&path).unwrap();
        rx.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        assert!(s.send(b"two"));
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"two");
        assert_eq!(s.dropped(), 2);
    }

    #[test]
    fn full_socket_drops_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let _rx = UnixDatagram::bind(&path).unwrap();
        let mut s = SyslogSocket::new(&path);
        let line = [b'x'; 1024];
        // The receive queue (max_dgram_qlen, default 512) fills well before
        // this bound; no send may block.
        let mut delivered = 0u32;
        for _ in 0..100_000 {
            if s.send(&line) {
                delivered += 1;
            } else {
                break;
            }
        }
        assert!(delivered > 0);
        assert_eq!(s.dropped(), 1, "queue never filled after {delivered} lines");
    }
}
