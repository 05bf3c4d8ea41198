//! TCP connects in flight, watched by one epoll set: the checker child's
//! TCP_CHECK path.
//!
//! keepalived starts each TCP_CHECK as a non-blocking connect and waits for
//! all of them in its one epoll loop, with a timer per check. A tokio task
//! per check (its future, task header, waker, timer entry and reactor
//! registration) cost about a kilobyte for every check in flight, and with
//! 10,000 real servers answering slowly nearly all are in flight at once:
//! that alone made our checker larger than keepalived's whole process.
//! Here a check in flight costs its descriptor; the driver keeps the socket
//! and its deadline, and this set tells it which connects have finished.
//! Closing a socket removes it from the set (the kernel drops the watch
//! with the last reference), so a cancelled check needs no bookkeeping.

#![allow(unsafe_code)]

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};

use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use socket2::Socket;
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// How starting a connect went.
#[derive(Debug)]
pub enum Started {
    /// In progress: [`ConnectSet::watch`] it.
    Pending(Socket),
    /// Finished at once: connected, or refused/unreachable.
    Done(io::Result<()>),
}

/// Starts connecting `sock` (made non-blocking) to `dst`.
pub fn start(sock: Socket, dst: SocketAddr) -> Started {
    match sock.connect(&dst.into()) {
        Ok(()) => Started::Done(Ok(())),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Started::Pending(sock),
        Err(e) => Started::Done(Err(e)),
    }
}

/// The outcome of a connect the set reported finished: `Ok` once
/// connected, else why not (keepalived's `SO_ERROR` look).
pub fn finish(sock: &Socket) -> io::Result<()> {
    match sock.take_error()? {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

/// The epoll descriptor, as tokio's reactor wants it.
struct EpollFd(Epoll);

impl AsRawFd for EpollFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0.0.as_raw_fd()
    }
}

/// Connects in flight, each with the caller's token.
pub struct ConnectSet {
    ep: AsyncFd<EpollFd>,
}

/// Events taken from the kernel per `epoll_wait`.
const BATCH: usize = 256;

impl ConnectSet {
    /// A new, empty set; must be made inside a tokio runtime.
    pub fn new() -> io::Result<Self> {
        let ep = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        // SAFETY: `register` requires the descriptor to stay open, and the
        // same, while the `AsyncFd` lives: the `Epoll` owns it and moves
        // into the `AsyncFd`, which hands out only shared references.
        let ep = unsafe { AsyncFd::register_with_interest(EpollFd(ep), Interest::READABLE) };
        Ok(ConnectSet {
            ep: ep.map_err(|e| e.into_parts().1)?,
        })
    }

    /// Watches `sock`, whose connect is in progress, reporting `token`
    /// once when it finishes (one-shot: the socket is then the caller's to
    /// look at and close).
    pub fn watch(&self, sock: &Socket, token: u64) -> io::Result<()> {
        let ev = EpollEvent::new(EpollFlags::EPOLLOUT | EpollFlags::EPOLLONESHOT, token);
        Ok(self.ep.get_ref().0.add(sock, ev)?)
    }

    /// Waits until connects have finished and appends their tokens to
    /// `out`. Cancel-safe: tokens are taken from the kernel only in the
    /// poll that returns them.
    pub async fn wait(&self, out: &mut Vec<u64>) -> io::Result<()> {
        loop {
            let mut guard = self.ep.readable().await?;
            self.take_finished(out)?;
            guard.clear_ready();
            if !out.is_empty() {
                return Ok(());
            }
        }
    }

    /// Appends the tokens of the connects finished by now to `out`, without
    /// waiting. The driver calls this before it times any connect out: a
    /// busy driver may look at its timers after a connect has finished but
    /// before it has read that, and a finished check must not count as
    /// timed out (tokio's `timeout` polls its future before its timer for
    /// the same reason).
    pub fn take_finished(&self, out: &mut Vec<u64>) -> io::Result<()> {
        let mut buf = [EpollEvent::empty(); BATCH];
        loop {
            let n = self.ep.get_ref().0.wait(&mut buf, EpollTimeout::ZERO)?;
            out.extend(buf[..n].iter().map(EpollEvent::data));
            if n < BATCH {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use socket2::{Domain, Protocol, Type};
    use std::time::Duration;

    fn socket() -> Socket {
        Socket::new(
            Domain::IPV4,
            Type::STREAM.nonblocking(),
            Some(Protocol::TCP),
        )
        .unwrap()
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// Starts a connect to `dst` and returns its outcome as the set sees it.
    async fn outcome(set: &ConnectSet, dst: SocketAddr, token: u64) -> io::Result<()> {
        match start(socket(), dst) {
            Started::Done(r) => r,
            Started::Pending(s) => {
                set.watch(&s, token).unwrap();
                let mut out = Vec::new();
                tokio::time::timeout(Duration::from_secs(5), set.wait(&mut out))
                    .await
                    .expect("the connect finishes")
                    .unwrap();
                assert_eq!(out, vec![token]);
                finish(&s)
            }
        }
    }

    #[test]
    fn reports_connected_and_refused() {
        rt().block_on(async {
            let set = ConnectSet::new().unwrap();
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let up = l.local_addr().unwrap();
            outcome(&set, up, 7).await.unwrap();
            drop(l);
            let e = outcome(&set, up, 8).await.unwrap_err();
            assert_eq!(e.raw_os_error(), Some(libc::ECONNREFUSED));
        });
    }

    #[test]
    fn many_at_once_each_reported_once() {
        rt().block_on(async {
            let set = ConnectSet::new().unwrap();
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let dst = l.local_addr().unwrap();
            let mut socks = Vec::new();
            let mut want = Vec::new();
            // Fewer than the listen backlog (128), so that none stalls.
            for t in 0..100u64 {
                match start(socket(), dst) {
                    Started::Pending(s) => {
                        set.watch(&s, t).unwrap();
                        want.push(t);
                        socks.push(s);
                    }
                    Started::Done(r) => r.unwrap(),
                }
            }
            let mut got = Vec::new();
            while got.len() < want.len() {
                tokio::time::timeout(Duration::from_secs(5), set.wait(&mut got))
                    .await
                    .expect("every connect is reported")
                    .unwrap();
            }
            got.sort_unstable();
            assert_eq!(got, want);
            // One-shot: nothing more is reported while the sockets stay open.
            let mut more = Vec::new();
            let again = tokio::time::timeout(Duration::from_millis(200), set.wait(&mut more));
            assert!(again.await.is_err(), "reported again: {more:?}");
        });
    }

    #[test]
    fn a_closed_socket_is_never_reported() {
        rt().block_on(async {
            let set = ConnectSet::new().unwrap();
            // A listener that never accepts, its queue filled: further
            // handshakes stall, as with an overloaded server.
            let l = socket();
            l.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
                .unwrap();
            l.listen(0).unwrap();
            let dst = l.local_addr().unwrap().as_socket().unwrap();
            let mut filler = Vec::new();
            let stalled = loop {
                match start(socket(), dst) {
                    Started::Pending(s) => {
                        set.watch(&s, 1).unwrap();
                        let mut out = Vec::new();
                        let w =
                            tokio::time::timeout(Duration::from_millis(300), set.wait(&mut out));
                        if w.await.is_err() {
                            break s;
                        }
                        filler.push(s);
                    }
                    Started::Done(r) => r.unwrap(),
                }
                assert!(filler.len() < 16, "the listener never stalled");
            };
            drop(stalled);
            let mut out = Vec::new();
            let w = tokio::time::timeout(Duration::from_millis(300), set.wait(&mut out));
            assert!(w.await.is_err(), "a closed socket was reported: {out:?}");
        });
    }
}
