//! The ICMP echo socket PING_CHECK uses.
//!
//! keepalived 2.2.7 uses an unprivileged ping socket (`SOCK_DGRAM`,
//! `IPPROTO_ICMP[V6]`) and widens `net.ipv4.ping_group_range` so that it may.
//! We do not rewrite that system-wide setting: when the ping socket is not
//! allowed for our group we fall back to a raw ICMP socket, which root may
//! always open. The caller learns which it got ([`IcmpSocket::is_raw`]),
//! since raw sockets see every ICMP message (IPv4 ones with their IP header)
//! and the kernel does not match echo identifiers for them.

use std::io::{self, Read};
use std::net::{IpAddr, SocketAddr};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::unix::AsyncFd;

/// Where and how to send from (keepalived's connection options).
#[derive(Debug, Clone, Default)]
pub struct IcmpOptions {
    pub bind: Option<IpAddr>,
    pub bind_if: Option<String>,
    pub fwmark: Option<u32>,
}

/// A non-blocking ICMP or ICMPv6 echo socket registered with tokio.
pub struct IcmpSocket {
    fd: AsyncFd<Socket>,
    raw: bool,
}

fn proto_for(v6: bool) -> (Domain, Protocol) {
    if v6 {
        (Domain::IPV6, Protocol::ICMPV6)
    } else {
        (Domain::IPV4, Protocol::ICMPV4)
    }
}

impl IcmpSocket {
    /// A socket for pinging addresses of `dst`'s family: a ping socket when
    /// `ping_group_range` lets us, else a raw socket.
    pub fn open(dst: IpAddr, opts: &IcmpOptions) -> io::Result<IcmpSocket> {
        let (domain, proto) = proto_for(dst.is_ipv6());
        let (sock, raw) = match Socket::new(domain, Type::DGRAM, Some(proto)) {
            Ok(s) => (s, false),
            Err(e) if matches!(e.raw_os_error(), Some(libc::EACCES | libc::EPERM)) => {
                (Socket::new(domain, Type::RAW, Some(proto))?, true)
            }
            Err(e) => return Err(e),
        };
        // keepalived's SOCK_RECV_BUFF; failure is harmless.
        let _ = sock.set_recv_buffer_size(128 * 1024);
        if let Some(mark) = opts.fwmark {
            sock.set_mark(mark)?;
        }
        if let Some(dev) = &opts.bind_if {
            sock.bind_device(Some(dev.as_bytes()))?;
        }
        if let Some(ip) = opts.bind {
            sock.bind(&SocketAddr::new(ip, 0).into())?;
        }
        sock.set_nonblocking(true)?;
        Ok(IcmpSocket {
            fd: super::raw::async_fd(sock)?,
            raw,
        })
    }

    /// True for a raw socket (see the module comment).
    pub fn is_raw(&self) -> bool {
        self.raw
    }

    /// Sends one ICMP message to `dst`.
    pub async fn send_to(&self, msg: &[u8], dst: IpAddr) -> io::Result<usize> {
        let addr = SocketAddr::new(dst, 0).into();
        loop {
            let mut guard = self.fd.writable().await?;
            match guard.try_io(|s| s.get_ref().send_to(msg, &addr)) {
                Ok(r) => return r,
                Err(_would_block) => continue,
            }
        }
    }

    /// Receives one datagram.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let mut guard = self.fd.readable().await?;
            match guard.try_io(|s| {
                let mut sock: &Socket = s.get_ref();
                sock.read(buf)
            }) {
                Ok(r) => return r,
                Err(_would_block) => continue,
            }
        }
    }
}
