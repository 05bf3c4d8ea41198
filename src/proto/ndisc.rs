//! The unsolicited neighbour advertisement keepalived sends for an IPv6 VIP
//! when an instance becomes master (keepalived-reference.md f.6).
//!
//! As keepalived 2.2.7 builds it (`vrrp_ndisc.c`): Ethernet to 33:33:00:00:00:01,
//! IPv6 from the VIP itself to ff02::1 with hop limit 255 (RFC 4861 7.1.2
//! requires 255 or receivers drop it), ICMPv6 type 136 with Override always
//! and Router when the interface forwards IPv6, and a target link-layer
//! address option. The frame goes out through an AF_PACKET socket, so we
//! compute the ICMPv6 checksum ourselves. Fixtures: `testdata/garp/na_*.hex`.

use std::net::Ipv6Addr;

use super::checksum;

/// EtherType of IPv6; also the protocol an AF_PACKET socket for NAs binds to.
pub const ETHERTYPE_IPV6: u16 = 0x86dd;
const IPPROTO_ICMPV6: u8 = 58;
const ND_NEIGHBOR_ADVERT: u8 = 136;
const ND_NA_FLAG_ROUTER: u8 = 0x80;
const ND_NA_FLAG_OVERRIDE: u8 = 0x20;
const ND_OPT_TARGET_LINKADDR: u8 = 2;
const HOP_LIMIT: u8 = 255;
/// ff02::1, all nodes.
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
const ALL_NODES_MAC: [u8; 6] = [0x33, 0x33, 0, 0, 0, 1];
/// ICMPv6 NA (24 bytes) plus one 8-byte link-layer address option.
const ICMP_LEN: usize = 32;

/// Length of the frame [`unsolicited_na`] builds: Ethernet 14 + IPv6 40 +
/// ICMPv6 32.
pub const NA_LEN: usize = 86;

/// Builds the Ethernet frame of an unsolicited NA for `target`, sent from
/// `src_mac` with IPv6 source `src_ip` (keepalived uses the VIP itself for
/// both `src_ip` and `target`). `router` sets the R flag; keepalived sets it
/// when `net.ipv6.conf.<if>.forwarding` is on.
pub fn unsolicited_na(
    src_mac: [u8; 6],
    src_ip: Ipv6Addr,
    target: Ipv6Addr,
    router: bool,
) -> Vec<u8> {
    let mut f = Vec::with_capacity(NA_LEN);
    // Ethernet header.
    f.extend_from_slice(&ALL_NODES_MAC);
    f.extend_from_slice(&src_mac);
    f.extend_from_slice(&ETHERTYPE_IPV6.to_be_bytes());
    // IPv6 header: version 6, traffic class 0, flow label 0.
    f.extend_from_slice(&[0x60, 0, 0, 0]);
    f.extend_from_slice(&(ICMP_LEN as u16).to_be_bytes());
    f.push(IPPROTO_ICMPV6);
    f.push(HOP_LIMIT);
    f.extend_from_slice(&src_ip.octets());
    f.extend_from_slice(&ALL_NODES.octets());
    // ICMPv6 neighbour advertisement (RFC 4861 4.4).
    let icmp_start = f.len();
    f.push(ND_NEIGHBOR_ADVERT);
    f.push(0); // code
    f.extend_from_slice(&[0, 0]); // checksum, filled below
    let mut flags = ND_NA_FLAG_OVERRIDE;
    if router {
        flags |= ND_NA_FLAG_ROUTER;
    }
    f.extend_from_slice(&[flags, 0, 0, 0]);
    f.extend_from_slice(&target.octets());
    f.push(ND_OPT_TARGET_LINKADDR);
    f.push(1); // option length in units of 8 bytes
    f.extend_from_slice(&src_mac);
    let pseudo = checksum::ipv6_pseudo_sum(src_ip, ALL_NODES, IPPROTO_ICMPV6, ICMP_LEN as u32);
    let ck = checksum::finish(checksum::sum(&f[icmp_start..], pseudo));
    f[icmp_start + 2..icmp_start + 4].copy_from_slice(&ck.to_be_bytes());
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::arp::tests::fixture;

    const MAC: [u8; 6] = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];

    #[test]
    fn matches_keepalived_capture_without_router_flag() {
        let vip: Ipv6Addr = "2001:db8::100".parse().unwrap();
        let f = unsolicited_na(MAC, vip, vip, false);
        assert_eq!(f, fixture("na_2001db8--100_norouter.hex"));
        assert_eq!(f.len(), NA_LEN);
    }

    #[test]
    fn matches_keepalived_capture_with_router_flag() {
        let vip: Ipv6Addr = "2001:db8::100".parse().unwrap();
        assert_eq!(
            unsolicited_na(MAC, vip, vip, true),
            fixture("na_2001db8--100_router.hex")
        );
    }

    #[test]
    fn matches_keepalived_capture_for_link_local_vip() {
        let vip: Ipv6Addr = "fe80::52".parse().unwrap();
        assert_eq!(
            unsolicited_na(MAC, vip, vip, false),
            fixture("na_fe80--52_norouter.hex")
        );
    }

    #[test]
    fn checksum_verifies() {
        let src: Ipv6Addr = "2001:db8::1".parse().unwrap();
        let tgt: Ipv6Addr = "2001:db8::2".parse().unwrap();
        let f = unsolicited_na(MAC, src, tgt, true);
        let pseudo = checksum::ipv6_pseudo_sum(src, ALL_NODES, IPPROTO_ICMPV6, ICMP_LEN as u32);
        assert_eq!(checksum::finish(checksum::sum(&f[54..], pseudo)), 0);
    }
}
