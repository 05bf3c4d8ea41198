//! The Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-header sums that
//! VRRPv3 adds in front of it.
//!
//! The sum is kept as an unfolded `u32` accumulator so that a pseudo-header and
//! a packet can be summed in two steps (RFC 1071 section 2(A): the sum is
//! associative), exactly as RFC 5798 section 5.2.8 describes the VRRPv3
//! checksum: a pseudo-header followed by the VRRP message.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Adds `data` to a ones' complement accumulator, 16 bits at a time in network
/// byte order. An odd trailing byte is padded with a zero byte (RFC 1071
/// section 4.1), so only the last chunk of a multi-part sum may be odd.
pub fn sum(data: &[u8], mut acc: u32) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        acc = add(acc, u32::from(u16::from_be_bytes([c[0], c[1]])));
    }
    if let [last] = chunks.remainder() {
        acc = add(acc, u32::from(*last) << 8);
    }
    acc
}

/// Folds the carries back in (end-around carry) and complements: the value to
/// store in a checksum field. A packet whose stored checksum is right sums to
/// `0xffff`, so `finish(sum(packet, 0)) == 0` verifies it.
pub fn finish(mut acc: u32) -> u16 {
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

/// The Internet checksum of `data` alone (VRRPv2, RFC 3768 section 5.3.8, and
/// the IPv4 header, RFC 791).
pub fn checksum(data: &[u8]) -> u16 {
    finish(sum(data, 0))
}

/// The sum of the IPv4 pseudo-header (source, destination, zero, protocol,
/// upper-layer length) used by RFC 5798 section 5.2.8 for VRRPv3 over IPv4.
pub fn ipv4_pseudo_sum(src: Ipv4Addr, dst: Ipv4Addr, protocol: u8, len: u16) -> u32 {
    let mut acc = sum(&src.octets(), 0);
    acc = sum(&dst.octets(), acc);
    acc = add(acc, u32::from(protocol));
    add(acc, u32::from(len))
}

/// The sum of the IPv6 pseudo-header (RFC 8200 section 8.1: source,
/// destination, 32-bit upper-layer length, next header). The kernel computes
/// this for VRRP over IPv6 (keepalived sets `IPV6_CHECKSUM` to offset 6); we
/// compute the same value so built packets and captures compare byte for byte.
pub fn ipv6_pseudo_sum(src: Ipv6Addr, dst: Ipv6Addr, next_header: u8, len: u32) -> u32 {
    let mut acc = sum(&src.octets(), 0);
    acc = sum(&dst.octets(), acc);
    acc = sum(&len.to_be_bytes(), acc);
    add(acc, u32::from(next_header))
}

/// Adds with the carry folded in early so that even very long inputs cannot
/// overflow the accumulator.
fn add(acc: u32, v: u32) -> u32 {
    let (s, carry) = acc.overflowing_add(v);
    if carry { s + 1 } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of RFC 1071 section 3: the bytes
    /// 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2 (so the checksum is !0xddf2).
    #[test]
    fn rfc1071_example() {
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(checksum(&data), !0xddf2);
    }

    #[test]
    fn odd_length_pads_with_zero() {
        assert_eq!(
            checksum(&[0x12, 0x34, 0x56]),
            checksum(&[0x12, 0x34, 0x56, 0x00])
        );
    }

    #[test]
    fn stored_checksum_verifies_to_zero() {
        let mut data = [
            0x45, 0x00, 0x00, 0x1c, 0xab, 0xcd, 0x00, 0x00, 0x40, 0x11, 0, 0,
        ];
        let c = checksum(&data);
        data[10..12].copy_from_slice(&c.to_be_bytes());
        assert_eq!(checksum(&data), 0);
    }
}
