//! PING_CHECK (`check_ping.c`): one ICMP / ICMPv6 echo request to the
//! connect address; up when an echo reply arrives within connect_timeout.
//! The packet bytes are `proto::icmp_echo`'s, the socket `sys::icmp`'s.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU16, Ordering};

use super::{ProbeOutcome, Target};
use crate::messages;
use crate::proto::icmp_echo::{self, Received};
use crate::sys::icmp::{IcmpOptions, IcmpSocket};

/// Sequence numbers, shared by every PING_CHECK of the process so that
/// concurrent probes on raw sockets cannot take each other's replies.
static SEQ: AtomicU16 = AtomicU16::new(0);

/// The echo identifier raw sockets use (ping sockets get the kernel's).
fn ident() -> u16 {
    std::process::id() as u16
}

/// One PING_CHECK attempt; `rs`/`vs` are keepalived's `FMT_CHK()` and
/// `FMT_VS()` texts.
pub async fn probe(target: &Target, rs: &str, vs: &str) -> ProbeOutcome {
    let dst = target.dst.ip();
    let v6 = dst.is_ipv6();
    let opts = IcmpOptions {
        bind: target.bind.map(|b| b.ip()),
        bind_if: target.bind_if.clone(),
        fwmark: target.fwmark,
    };
    let sock = match IcmpSocket::open(dst, &opts) {
        Ok(s) => s,
        Err(_) => return ProbeOutcome::NotRun(messages::icmp_socket_failed(v6)),
    };
    let (id, seq) = (ident(), SEQ.fetch_add(1, Ordering::Relaxed));
    let failed = || ProbeOutcome::Down(messages::icmp_failed(rs, vs));
    if sock
        .send_to(&icmp_echo::echo_request(v6, id, seq), dst)
        .await
        .is_err()
    {
        return failed();
    }
    match tokio::time::timeout(target.timeout, wait_reply(&sock, dst, id, seq)).await {
        Err(_) => ProbeOutcome::Down(messages::icmp_timeout(rs)),
        Ok(Ok(())) => ProbeOutcome::Up,
        Ok(Err(Some(ty))) => ProbeOutcome::Down(messages::icmp_unexpected_type(v6, ty)),
        Ok(Err(None)) => failed(),
    }
}

/// Waits for our reply. A ping socket's first datagram decides (the kernel
/// matched it to us); a raw socket skips whatever is not our reply.
/// `Err(Some(type))`: a ping socket got another ICMP type; `Err(None)`: a
/// receive error or a short packet.
async fn wait_reply(sock: &IcmpSocket, dst: IpAddr, id: u16, seq: u16) -> Result<(), Option<u8>> {
    let v6 = dst.is_ipv6();
    let mut buf = [0u8; 1500];
    loop {
        let n = sock.recv(&mut buf).await.map_err(|_| None)?;
        let got = icmp_echo::parse(&buf[..n], v6, sock.is_raw() && !v6);
        if !sock.is_raw() {
            return match got {
                Received::Reply { .. } => Ok(()),
                Received::Other(ty) => Err(Some(ty)),
                Received::Short(_) => Err(None),
            };
        }
        if got == (Received::Reply { id, seq }) {
            return Ok(());
        }
    }
}
