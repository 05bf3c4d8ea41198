//! The gratuitous ARP frame keepalived sends for an IPv4 VIP when an instance
//! becomes master (keepalived-reference.md f.6).
//!
//! keepalived 2.2.7 (`vrrp_arp.c`) sends an ARP *request*, not a reply:
//! Ethernet broadcast, sender and target protocol address both the VIP, target
//! hardware address broadcast. It does not pad to the 60-byte Ethernet
//! minimum (the NIC or the kernel does, if at all), so neither do we: the
//! fixtures under `testdata/garp/` are 42-byte captures of 2.2.7.

use std::net::Ipv4Addr;

/// EtherType of ARP; also the protocol an AF_PACKET socket for GARPs binds to.
pub const ETHERTYPE_ARP: u16 = 0x0806;
const ETHERTYPE_IPV4: u16 = 0x0800;
const ARPHRD_ETHER: u16 = 1;
const ARPOP_REQUEST: u16 = 1;
const BROADCAST: [u8; 6] = [0xff; 6];

/// Length of the frame [`gratuitous_arp`] builds: 14-byte Ethernet header plus
/// the 28-byte ARP payload.
pub const GARP_LEN: usize = 42;

/// Builds the Ethernet frame of a gratuitous ARP for `ip`, sent from
/// `src_mac` (the interface's MAC, or the VMAC when one is used).
pub fn gratuitous_arp(src_mac: [u8; 6], ip: Ipv4Addr) -> Vec<u8> {
    let mut f = Vec::with_capacity(GARP_LEN);
    // Ethernet header.
    f.extend_from_slice(&BROADCAST);
    f.extend_from_slice(&src_mac);
    f.extend_from_slice(&ETHERTYPE_ARP.to_be_bytes());
    // ARP header (RFC 826).
    f.extend_from_slice(&ARPHRD_ETHER.to_be_bytes());
    f.extend_from_slice(&ETHERTYPE_IPV4.to_be_bytes());
    f.push(6); // hardware address length
    f.push(4); // protocol address length
    f.extend_from_slice(&ARPOP_REQUEST.to_be_bytes());
    f.extend_from_slice(&src_mac);
    f.extend_from_slice(&ip.octets());
    f.extend_from_slice(&BROADCAST);
    f.extend_from_slice(&ip.octets());
    f
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Reads a one-line hex fixture from `testdata/garp/`.
    pub(crate) fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/testdata/garp/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let text = text.trim();
        assert!(text.len() % 2 == 0, "{path}: odd number of hex digits");
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
            .collect()
    }

    #[test]
    fn matches_keepalived_2_2_7_capture() {
        let mac = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];
        let frame = gratuitous_arp(mac, Ipv4Addr::new(192, 0, 2, 100));
        assert_eq!(frame, fixture("garp_192.0.2.100.hex"));
        assert_eq!(frame.len(), GARP_LEN);
    }

    #[test]
    fn sender_and_target_are_the_vip_and_op_is_request() {
        let mac = [0, 0, 0x5e, 0, 1, 51];
        let f = gratuitous_arp(mac, Ipv4Addr::new(198, 51, 100, 7));
        assert_eq!(&f[0..6], &BROADCAST);
        assert_eq!(&f[6..12], &mac);
        assert_eq!(&f[20..22], &[0, 1]);
        assert_eq!(&f[22..28], &mac);
        assert_eq!(&f[28..32], &[198, 51, 100, 7]);
        assert_eq!(&f[32..38], &BROADCAST);
        assert_eq!(&f[38..42], &[198, 51, 100, 7]);
    }
}
