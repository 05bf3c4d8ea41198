//! Probe sockets with keepalived's connection options (`layer4.c`): SO_MARK
//! for `fwmark`, SO_BINDTODEVICE for `bind_if`, a bind for `bindto` /
//! `bind_port`, all set before connecting — which is why the sockets are
//! built with socket2 rather than tokio's connect helpers.

use std::io;
use std::net::SocketAddr;

use socket2::{Domain, Protocol, SockRef, Socket, Type};
use tokio::net::{TcpSocket, TcpStream, UdpSocket};

use super::Target;

/// Why a connection could not be made; the probes turn these into
/// keepalived's per-checker failure texts.
#[derive(Debug)]
pub enum ConnectError {
    /// Setting an option or binding failed (keepalived: "Checker bind
    /// failed", "Error setting fwmark", …).
    Setup(io::Error),
    /// No answer within `connect_timeout`.
    Timeout,
    /// Refused, unreachable, reset.
    Failed(io::Error),
}

/// A non-blocking socket for `target` with its options set and bound, not
/// yet connected.
pub fn prepare(target: &Target, ty: Type, proto: Protocol) -> Result<Socket, ConnectError> {
    // Non-blocking from the start (as keepalived's SOCK_NONBLOCK): setting
    // it afterwards cost two more system calls per probe.
    let sock = Socket::new(
        Domain::for_address(target.dst),
        ty.nonblocking(),
        Some(proto),
    )
    .map_err(ConnectError::Setup)?;
    // No SO_LINGER, where keepalived sets a 5 s linger: the packets are the
    // same (a close sends its FIN either way; only a zero linger would
    // reset), but a lingering close() blocks, even on a non-blocking
    // socket, until the real server acknowledges the FIN. In a checker that
    // runs every check in one thread, a server that stops answering right
    // after its handshake would stall all checks and IPVS updates for up
    // to 5 s; and each close would wait a round trip.
    if let Some(mark) = target.fwmark {
        sock.set_mark(mark).map_err(ConnectError::Setup)?;
    }
    if let Some(dev) = &target.bind_if {
        sock.bind_device(Some(dev.as_bytes()))
            .map_err(ConnectError::Setup)?;
    }
    if let Some(addr) = target.bind {
        sock.bind(&addr.into()).map_err(ConnectError::Setup)?;
    }
    Ok(sock)
}

/// A TCP connection to `target.dst` within `target.timeout`.
pub async fn tcp(target: &Target) -> Result<TcpStream, ConnectError> {
    let sock = prepare(target, Type::STREAM, Protocol::TCP)?;
    let std_stream: std::net::TcpStream = sock.into();
    let sock = TcpSocket::from_std_stream(std_stream);
    match tokio::time::timeout(target.timeout, sock.connect(target.dst)).await {
        Err(_) => Err(ConnectError::Timeout),
        Ok(Err(e)) => Err(ConnectError::Failed(e)),
        Ok(Ok(s)) => Ok(s),
    }
}

/// A connected UDP socket to `target.dst` (connected so ICMP errors come back
/// as receive errors, as keepalived relies on).
pub async fn udp(target: &Target) -> Result<UdpSocket, ConnectError> {
    let sock = prepare(target, Type::DGRAM, Protocol::UDP)?;
    let std_sock: std::net::UdpSocket = sock.into();
    let sock = UdpSocket::from_std(std_sock).map_err(ConnectError::Setup)?;
    sock.connect(target.dst)
        .await
        .map_err(ConnectError::Failed)?;
    Ok(sock)
}

/// The local address of a connected stream (tests assert `bind_port`).
pub fn local_addr(stream: &TcpStream) -> io::Result<SocketAddr> {
    SockRef::from(stream).local_addr().and_then(|a| {
        a.as_socket()
            .ok_or_else(|| io::Error::other("not an inet socket"))
    })
}
