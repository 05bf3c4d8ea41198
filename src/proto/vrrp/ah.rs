//! The IPsec Authentication Header as keepalived uses it for VRRPv2
//! `auth_type AH` (RFC 2338 section 5.3.6.2 delegates to RFC 2402).
//!
//! keepalived's choices, which any peer must share: SPI = the sender's IPv4
//! source address (there is no SA negotiation in multicast), HMAC-MD5-96
//! (RFC 2403) keyed with the 8 zero-padded `auth_pass` bytes, sequence
//! numbers starting at 1 and strictly increasing.

use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;

use super::{DecodeError, Family, IPPROTO_VRRP};

/// Length of keepalived's AH header: 12 fixed bytes plus a 96-bit ICV.
pub const AH_LEN: usize = 24;
/// Length of the truncated HMAC-MD5 ICV (RFC 2403 section 2: HMAC-MD5-96).
pub const ICV_LEN: usize = 12;
/// Payload Length field: AH length in 32-bit words minus 2 (RFC 2402
/// section 2.2), 24 / 4 - 2.
pub const AH_PAYLOAD_LEN: u8 = 4;

/*
 * RFC 2402 section 2:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Next Header   |  Payload Len  |          RESERVED             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Security Parameters Index (SPI)               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Sequence Number Field                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  +                Authentication Data (variable)                 |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

/// An AH header with a 96-bit ICV.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AhHeader {
    pub next_header: u8,
    pub payload_len: u8,
    pub reserved: u16,
    /// Security Parameters Index; keepalived puts the IPv4 source here, as
    /// the 4 network-order bytes of the address.
    pub spi: [u8; 4],
    pub seq: u32,
    pub icv: [u8; ICV_LEN],
}

impl AhHeader {
    /// The header keepalived sends: next header VRRP, SPI = `src`, ICV still
    /// zero (see [`icv`]).
    pub fn new(src: std::net::Ipv4Addr, seq: u32) -> AhHeader {
        AhHeader {
            next_header: IPPROTO_VRRP,
            payload_len: AH_PAYLOAD_LEN,
            reserved: 0,
            spi: src.octets(),
            seq,
            icv: [0; ICV_LEN],
        }
    }

    /// The 24 header bytes.
    pub fn encode(&self) -> [u8; AH_LEN] {
        let mut b = [0u8; AH_LEN];
        b[0] = self.next_header;
        b[1] = self.payload_len;
        b[2..4].copy_from_slice(&self.reserved.to_be_bytes());
        b[4..8].copy_from_slice(&self.spi);
        b[8..12].copy_from_slice(&self.seq.to_be_bytes());
        b[12..].copy_from_slice(&self.icv);
        b
    }

    /// Reads the first 24 bytes of `bytes`.
    pub fn decode(bytes: &[u8]) -> Result<AhHeader, DecodeError> {
        if bytes.len() < AH_LEN {
            return Err(DecodeError::HeaderTooShort {
                family: Family::V4,
                ah: true,
                len: bytes.len(),
            });
        }
        let mut icv = [0u8; ICV_LEN];
        icv.copy_from_slice(&bytes[12..AH_LEN]);
        Ok(AhHeader {
            next_header: bytes[0],
            payload_len: bytes[1],
            reserved: u16::from_be_bytes([bytes[2], bytes[3]]),
            spi: [bytes[4], bytes[5], bytes[6], bytes[7]],
            seq: u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]),
            icv,
        })
    }
}

/// The HMAC-MD5-96 Integrity Check Value over an IPv4 + AH + VRRP packet.
///
/// RFC 2402 section 3.3.3.1 computes the ICV over the IP header with its
/// mutable fields zeroed, the AH header with the ICV zeroed, and the payload.
/// keepalived zeroes TOS, fragment offset/flags and the header checksum; it
/// zeroes the TTL only for unicast instances (a multicast TTL must be 255
/// anyway). IPv4 options, if a received header has any, are hashed as is.
///
/// `ip_header` is the IPv4 header (with options), `ah` the 24 AH bytes,
/// `vrrp` everything after the AH header, `key` the 8 `auth_pass` bytes.
pub fn icv(
    ip_header: &[u8],
    ah: &[u8],
    vrrp: &[u8],
    key: &[u8; 8],
    unicast: bool,
) -> [u8; ICV_LEN] {
    let mut ip = [0u8; 60];
    let ip = &mut ip[..ip_header.len().min(60)];
    ip.copy_from_slice(&ip_header[..ip.len()]);
    ip[1] = 0; // TOS
    ip[6] = 0; // flags + fragment offset
    ip[7] = 0;
    ip[10] = 0; // header checksum
    ip[11] = 0;
    if unicast {
        ip[8] = 0; // TTL
    }
    let mut ah_zeroed = [0u8; AH_LEN];
    ah_zeroed[..12].copy_from_slice(&ah[..12]);

    let mut mac = <Hmac<Md5> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(ip);
    mac.update(&ah_zeroed);
    mac.update(vrrp);
    let digest = mac.finalize().into_bytes();
    let mut out = [0u8; ICV_LEN];
    out.copy_from_slice(&digest[..ICV_LEN]);
    out
}

/// Constant-time equality, so that a forger cannot learn how many leading
/// bytes of an ICV or password were right from the reply timing.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}
