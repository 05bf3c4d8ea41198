//! AF_PACKET sockets for the frames the VRRP child hand-builds: gratuitous
//! ARPs and unsolicited neighbour advertisements (`proto::arp`,
//! `proto::ndisc`), sent as whole Ethernet frames exactly as keepalived does
//! (crates.md section 3).
//!
//! The send socket is opened with protocol 0, so the kernel queues no
//! received frames on it (keepalived opens it with ETH_P_ARP and lets the
//! queue fill); the EtherType of each frame goes in `sll_protocol` instead.

// socket2 has no constructor for `sockaddr_ll`; the one unsafe block below
// fills one in through `SockAddrStorage::view_as`, which needs `unsafe`.
#![allow(unsafe_code)]

use std::io;
use std::io::Read;
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, SockAddrStorage, Socket, Type};

/// A raw AF_PACKET socket tied to one interface.
#[derive(Debug)]
pub struct PacketSocket {
    socket: Socket,
    addr: SockAddr,
}

/// Builds a `sockaddr_ll` for `ifindex` and `ethertype` (host order).
fn sockaddr_ll(ifindex: u32, ethertype: u16) -> io::Result<SockAddr> {
    let ifindex = i32::try_from(ifindex)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "ifindex out of range"))?;
    let mut storage = SockAddrStorage::zeroed();
    // SAFETY: `sockaddr_ll` is a Linux `sockaddr_*` type no larger than
    // `sockaddr_storage` (view_as asserts the size); the storage is zeroed, so
    // the fields we do not set (hatype, pkttype, halen, addr) are valid zeros.
    let ll = unsafe { storage.view_as::<libc::sockaddr_ll>() };
    ll.sll_family = libc::AF_PACKET as libc::sa_family_t;
    ll.sll_protocol = ethertype.to_be();
    ll.sll_ifindex = ifindex;
    let len = std::mem::size_of::<libc::sockaddr_ll>() as socket2::socklen_t;
    // SAFETY: the storage holds an initialised `sockaddr_ll` of length `len`,
    // and its family says AF_PACKET.
    Ok(unsafe { SockAddr::new(storage, len) })
}

impl PacketSocket {
    /// A non-blocking send-only socket for frames of `ethertype` on
    /// interface `ifindex`. A send that would block fails with
    /// `ErrorKind::WouldBlock` (callers drop that GARP, as keepalived logs and
    /// carries on).
    pub fn open(ifindex: u32, ethertype: u16) -> io::Result<PacketSocket> {
        let socket = Socket::new(Domain::PACKET, Type::RAW.cloexec(), Some(Protocol::from(0)))?;
        socket.set_nonblocking(true)?;
        Ok(PacketSocket {
            socket,
            addr: sockaddr_ll(ifindex, ethertype)?,
        })
    }

    /// A blocking socket bound to `ifindex` that receives frames of
    /// `ethertype` (tests use it to capture what `send` put on the wire).
    pub fn open_receiver(ifindex: u32, ethertype: u16) -> io::Result<PacketSocket> {
        let proto = i32::from(ethertype.to_be());
        let socket = Socket::new(
            Domain::PACKET,
            Type::RAW.cloexec(),
            Some(Protocol::from(proto)),
        )?;
        let addr = sockaddr_ll(ifindex, ethertype)?;
        socket.bind(&addr)?;
        Ok(PacketSocket { socket, addr })
    }

    /// Sends one whole Ethernet frame (header included) out of the interface.
    pub fn send(&self, frame: &[u8]) -> io::Result<()> {
        let n = self.socket.send_to(frame, &self.addr)?;
        if n != frame.len() {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                format!("short AF_PACKET send: {n} of {} bytes", frame.len()),
            ));
        }
        Ok(())
    }

    /// Receives one frame, waiting at most `timeout`; `Ok(None)` on timeout.
    pub fn recv_timeout(&self, timeout: Duration) -> io::Result<Option<Vec<u8>>> {
        self.socket.set_read_timeout(Some(timeout))?;
        let mut buf = [0u8; 2048];
        match (&self.socket).read(&mut buf) {
            Ok(n) => Ok(Some(buf[..n].to_vec())),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}
