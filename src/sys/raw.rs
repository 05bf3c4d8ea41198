//! Raw sockets for VRRP adverts (IP protocol 112, and 51 for IPsec AH), set
//! up the way keepalived 2.2.7's `vrrp_if.c` sets them up, so that a peer
//! cannot tell us apart on the wire.
//!
//! - IPv4 sends with `IP_HDRINCL` (we build the IP header ourselves: TOS
//!   0xc0, TTL 255, our IP id, our chosen source address, the AH header),
//!   from a socket whose receive side is closed by a "return 0" BPF filter;
//!   a second socket, bound to the interface and joined to the group,
//!   receives whole IP packets.
//! - IPv6 uses one socket for both directions; the kernel fills in the VRRP
//!   checksum (`IPV6_CHECKSUM` at offset 6) and reports the hop limit and
//!   destination through ancillary data.
//!
//! Both are bound to the interface (`SO_BINDTODEVICE`), do not loop their
//! own multicast back, and receive only the groups they joined
//! (`IP_MULTICAST_ALL` off).
#![allow(unsafe_code)]

use std::io::{self, IoSliceMut};
use std::mem::MaybeUninit;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::num::NonZeroU32;
use std::os::fd::{AsFd, AsRawFd};

use nix::sys::socket::{self as nixsock, ControlMessageOwned, MsgFlags, SockaddrIn6, sockopt};
use socket2::{Domain, InterfaceIndexOrAddress, Protocol, SockAddr, SockFilter, Socket, Type};

/// IP protocol numbers of VRRP and of IPsec AH.
pub const IPPROTO_VRRP: i32 = 112;
pub const IPPROTO_AH: i32 = 51;

/// IPTOS_PREC_INTERNETCONTROL, which keepalived sets on every VRRP socket.
const TOS_INTERNETCONTROL: u32 = 0xc0;

/// Where a received packet came from and what the kernel said about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxMeta {
    pub src: IpAddr,
    /// IPv6 only: the destination (`IPV6_PKTINFO`); IPv4 reads it from the
    /// header it receives.
    pub dst: Option<IpAddr>,
    /// IPv6 only: the hop limit (`IPV6_HOPLIMIT`).
    pub hop_limit: Option<u8>,
}

fn raw_socket(domain: Domain, protocol: i32) -> io::Result<Socket> {
    let s = Socket::new(domain, Type::RAW, Some(Protocol::from(protocol)))?;
    s.set_nonblocking(true)?;
    Ok(s)
}

/// A socket that receives nothing: keepalived attaches the classic BPF
/// program "ret #0" to its send-only sockets so the kernel does not queue
/// every VRRP packet on the host for them.
fn close_receive_side(s: &Socket) -> io::Result<()> {
    // BPF_RET | BPF_K, k = 0: accept zero bytes of every packet.
    s.attach_filter(&[SockFilter::new(0x06, 0, 0, 0)])
}

/// The IPv4 send socket of one interface (`IP_HDRINCL`).
pub fn open_v4_send(ifname: &str) -> io::Result<Socket> {
    let s = raw_socket(Domain::IPV4, IPPROTO_VRRP)?;
    s.set_header_included_v4(true)?;
    s.bind_device(Some(ifname.as_bytes()))?;
    s.set_tos_v4(TOS_INTERNETCONTROL)?;
    s.set_multicast_loop_v4(false)?;
    close_receive_side(&s)?;
    Ok(s)
}

/// The IPv4 receive socket of one interface for `protocol` (VRRP or AH),
/// joined to `group` unless the instances on it are unicast.
pub fn open_v4_recv(
    ifname: &str,
    ifindex: u32,
    protocol: i32,
    group: Option<Ipv4Addr>,
) -> io::Result<Socket> {
    let s = raw_socket(Domain::IPV4, protocol)?;
    s.bind_device(Some(ifname.as_bytes()))?;
    s.set_multicast_all_v4(false)?;
    if let Some(g) = group {
        s.join_multicast_v4_n(&g, &InterfaceIndexOrAddress::Index(ifindex))?;
    }
    Ok(s)
}

/// Sends a complete IPv4 packet (IP header included) to `dst`.
/// `MSG_DONTROUTE` for multicast, as keepalived: the group is on-link.
pub fn send_v4(s: &Socket, packet: &[u8], dst: Ipv4Addr) -> io::Result<usize> {
    let flags = if dst.is_multicast() {
        libc::MSG_DONTROUTE
    } else {
        0
    };
    s.send_to_with_flags(packet, &SockAddr::from(SocketAddrV4::new(dst, 0)), flags)
}

/// Receives one IPv4 packet (IP header included) into `buf`.
pub fn recv_v4(s: &Socket, buf: &mut [u8]) -> io::Result<(usize, RxMeta)> {
    // SAFETY: `recv_from` only writes initialised bytes into the buffer and
    // reports how many; viewing `&mut [u8]` as `&mut [MaybeUninit<u8>]` is
    // sound because every `u8` is a valid `MaybeUninit<u8>` and we never
    // write uninitialised values through it.
    let uninit = unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) };
    let (n, from) = s.recv_from(uninit)?;
    let src = from
        .as_socket()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    Ok((
        n,
        RxMeta {
            src,
            dst: None,
            hop_limit: None,
        },
    ))
}

/// `setsockopt(IPPROTO_IPV6, IPV6_CHECKSUM, offset)`: neither socket2 nor
/// nix wraps it.
fn set_ipv6_checksum(s: &Socket, offset: libc::c_int) -> io::Result<()> {
    // SAFETY: a plain setsockopt on a valid descriptor with a pointer to a
    // c_int that outlives the call and its exact size.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::IPPROTO_IPV6,
            libc::IPV6_CHECKSUM,
            (&offset as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The IPv6 socket of one interface (send and receive): hop limit 255 both
/// ways, kernel checksum at offset 6, bound to `src` (the link-local or
/// configured source address) and joined to `group` unless unicast.
pub fn open_v6(
    ifname: &str,
    ifindex: u32,
    src: Option<Ipv6Addr>,
    group: Option<Ipv6Addr>,
    unicast_hops: u32,
) -> io::Result<Socket> {
    let s = raw_socket(Domain::IPV6, IPPROTO_VRRP)?;
    s.bind_device(Some(ifname.as_bytes()))?;
    s.set_tclass_v6(TOS_INTERNETCONTROL)?;
    set_ipv6_checksum(&s, 6)?;
    s.set_multicast_hops_v6(255)?;
    s.set_unicast_hops_v6(unicast_hops)?;
    s.set_multicast_loop_v6(false)?;
    s.set_multicast_all_v6(false)?;
    s.set_multicast_if_v6(ifindex)?;
    s.set_recv_hoplimit_v6(true)?;
    nixsock::setsockopt(&s.as_fd(), sockopt::Ipv6RecvPacketInfo, &true)?;
    if let Some(src) = src {
        let scope = if is_link_local(src) { ifindex } else { 0 };
        s.bind(&SockAddr::from(SocketAddrV6::new(src, 0, 0, scope)))?;
    }
    if let Some(g) = group {
        s.join_multicast_v6(&g, ifindex)?;
    }
    Ok(s)
}

fn is_link_local(a: Ipv6Addr) -> bool {
    (a.segments()[0] & 0xffc0) == 0xfe80
}

/// Sends one VRRP message (no IP header) to `dst`; the kernel adds the IPv6
/// header and the checksum.
pub fn send_v6(s: &Socket, vrrp: &[u8], dst: Ipv6Addr, ifindex: u32) -> io::Result<usize> {
    let scope = if dst.is_multicast() || is_link_local(dst) {
        ifindex
    } else {
        0
    };
    let flags = if dst.is_multicast() {
        libc::MSG_DONTROUTE
    } else {
        0
    };
    s.send_to_with_flags(
        vrrp,
        &SockAddr::from(SocketAddr::V6(SocketAddrV6::new(dst, 0, 0, scope))),
        flags,
    )
}

/// Receives one VRRP message (no IP header) with its hop limit and
/// destination.
pub fn recv_v6(s: &Socket, buf: &mut [u8]) -> io::Result<(usize, RxMeta)> {
    let mut cmsg = nix::cmsg_space!(libc::in6_pktinfo, libc::c_int);
    let mut iov = [IoSliceMut::new(buf)];
    let msg = nixsock::recvmsg::<SockaddrIn6>(
        s.as_raw_fd(),
        &mut iov,
        Some(&mut cmsg),
        MsgFlags::empty(),
    )?;
    let mut meta = RxMeta {
        src: IpAddr::V6(msg.address.map(|a| a.ip()).unwrap_or(Ipv6Addr::UNSPECIFIED)),
        dst: None,
        hop_limit: None,
    };
    for c in msg.cmsgs()? {
        match c {
            ControlMessageOwned::Ipv6HopLimit(h) => meta.hop_limit = u8::try_from(h).ok(),
            ControlMessageOwned::Ipv6PacketInfo(pi) => {
                meta.dst = Some(IpAddr::V6(Ipv6Addr::from(pi.ipi6_addr.s6_addr)));
            }
            _ => {}
        }
    }
    Ok((msg.bytes, meta))
}

/// The interface index of `name`, if it exists.
pub fn ifindex(name: &str) -> Option<NonZeroU32> {
    nix::net::if_::if_nametoindex(name)
        .ok()
        .and_then(NonZeroU32::new)
}

/// Registers `s` with the runtime's reactor.
pub fn async_fd(s: Socket) -> io::Result<tokio::io::unix::AsyncFd<Socket>> {
    // SAFETY: `register` requires that the descriptor stays open and is not
    // registered elsewhere while the `AsyncFd` lives; the `Socket` owns its
    // descriptor and moves into the `AsyncFd`, so both hold.
    unsafe { tokio::io::unix::AsyncFd::register(s) }.map_err(|e| e.into_parts().1)
}
