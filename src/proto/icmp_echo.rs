//! ICMP / ICMPv6 echo request and reply (RFC 792, RFC 4443 section 4), for
//! PING_CHECK.
//!
//! keepalived sends 128 bytes of payload after the 8-byte echo header
//! (`check_ping.c`'s ICMP_BUFSIZE). Replies come either from an unprivileged
//! ping socket (ICMP message only; the kernel matches the identifier) or from
//! a raw socket (IPv4 with its IP header in front; every ICMP message the
//! host receives, so the identifier and sequence must be matched here).

use super::checksum;

pub const ICMP_ECHO_REPLY: u8 = 0;
pub const ICMP_ECHO_REQUEST: u8 = 8;
pub const ICMP6_ECHO_REQUEST: u8 = 128;
pub const ICMP6_ECHO_REPLY: u8 = 129;
/// Payload bytes after the echo header, as keepalived sends.
pub const PAYLOAD_LEN: usize = 128;
const HEADER_LEN: usize = 8;

/// An echo request. IPv4 carries its checksum; for IPv6 it is left 0, since
/// the kernel computes ICMPv6 checksums (it needs the source address).
pub fn echo_request(v6: bool, id: u16, seq: u16) -> Vec<u8> {
    let mut p = Vec::with_capacity(HEADER_LEN + PAYLOAD_LEN);
    p.push(if v6 {
        ICMP6_ECHO_REQUEST
    } else {
        ICMP_ECHO_REQUEST
    });
    p.push(0);
    p.extend_from_slice(&[0, 0]);
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend((0..PAYLOAD_LEN).map(|i| i as u8));
    if !v6 {
        let ck = checksum::checksum(&p);
        p[2..4].copy_from_slice(&ck.to_be_bytes());
    }
    p
}

/// What one received datagram is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// An echo reply with this identifier and sequence number.
    Reply { id: u16, seq: u16 },
    /// Another ICMP message (its type).
    Other(u8),
    /// Too short to be an ICMP header (its length).
    Short(usize),
}

/// Decodes a datagram; `ip_header` when it starts with an IPv4 header (raw
/// IPv4 sockets).
pub fn parse(buf: &[u8], v6: bool, ip_header: bool) -> Received {
    let icmp = if ip_header {
        let Some(first) = buf.first() else {
            return Received::Short(0);
        };
        let ihl = usize::from(first & 0x0f) * 4;
        buf.get(ihl..).unwrap_or(&[])
    } else {
        buf
    };
    if icmp.len() < HEADER_LEN {
        return Received::Short(icmp.len());
    }
    let reply = if v6 {
        ICMP6_ECHO_REPLY
    } else {
        ICMP_ECHO_REPLY
    };
    if icmp[0] != reply {
        return Received::Other(icmp[0]);
    }
    Received::Reply {
        id: u16::from_be_bytes([icmp[4], icmp[5]]),
        seq: u16::from_be_bytes([icmp[6], icmp[7]]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_request_bytes_and_checksum() {
        let p = echo_request(false, 0x1234, 7);
        assert_eq!(p.len(), 136);
        assert_eq!(&p[..2], &[8, 0]);
        assert_eq!(&p[4..8], &[0x12, 0x34, 0, 7]);
        assert_eq!(checksum::checksum(&p), 0, "checksum verifies");
        let v6 = echo_request(true, 1, 2);
        assert_eq!(&v6[..4], &[128, 0, 0, 0]);
    }

    #[test]
    fn replies_with_and_without_ip_header() {
        let mut reply = echo_request(false, 0xbeef, 3);
        reply[0] = ICMP_ECHO_REPLY;
        assert_eq!(
            parse(&reply, false, false),
            Received::Reply { id: 0xbeef, seq: 3 }
        );
        let mut with_ip = vec![0x45u8];
        with_ip.extend_from_slice(&[0; 19]);
        with_ip.extend_from_slice(&reply);
        assert_eq!(
            parse(&with_ip, false, true),
            Received::Reply { id: 0xbeef, seq: 3 }
        );
        assert_eq!(
            parse(&echo_request(false, 1, 1), false, false),
            Received::Other(8)
        );
        let mut r6 = echo_request(true, 9, 4);
        r6[0] = ICMP6_ECHO_REPLY;
        assert_eq!(parse(&r6, true, false), Received::Reply { id: 9, seq: 4 });
        assert_eq!(parse(&[0, 0, 0], false, false), Received::Short(3));
        assert_eq!(parse(&[0x46, 0, 0], false, true), Received::Short(0));
    }
}
