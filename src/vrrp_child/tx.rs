//! Building the adverts an instance sends. Pure: the bytes for one
//! destination from the instance's parameters.

use std::net::{IpAddr, Ipv4Addr};

use crate::proto::vrrp::ip::{Ipv4Packet, Ipv4Tx};
use crate::proto::vrrp::{Advert, Auth, ChecksumMode, Ctx, Version};

/// The fixed parameters of an instance's adverts.
#[derive(Clone, Debug)]
pub struct AdvertParams {
    pub version: Version,
    pub vrid: u8,
    /// Our advert interval in µs.
    pub adver_int: u64,
    pub auth: Auth,
    /// `auth_pass` as the AH key.
    pub ah_key: [u8; 8],
    /// The VIPs listed in the advert (those of the instance's family that
    /// fit).
    pub addrs: Vec<IpAddr>,
    pub checksum: ChecksumMode,
    pub unicast: bool,
    /// `unicast_ttl` (default 255); multicast always uses 255.
    pub unicast_ttl: u8,
}

impl AdvertParams {
    /// The advert with `priority`, interval in the version's unit.
    pub fn advert(&self, priority: u8) -> Advert {
        let adver_int = match self.version {
            // VRRPv2 carries whole seconds (8 bits); at least 1.
            Version::V2 => (self.adver_int / 1_000_000).clamp(1, 255) as u16,
            // VRRPv3 carries centiseconds (12 bits).
            Version::V3 => (self.adver_int / 10_000).clamp(1, 4095) as u16,
        };
        Advert {
            version: self.version,
            vrid: self.vrid,
            priority,
            adver_int,
            auth: if self.version == Version::V2 {
                self.auth
            } else {
                Auth::None
            },
            addrs: self.addrs.clone(),
        }
    }

    /// A complete IPv4 packet to `dst` (group or peer), IP header included.
    pub fn ipv4_packet(
        &self,
        priority: u8,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        id: u16,
        ah_seq: u32,
    ) -> Vec<u8> {
        let tx = Ipv4Tx {
            src,
            dst,
            ttl: if dst.is_multicast() {
                255
            } else {
                self.unicast_ttl
            },
            id,
            checksum: match self.checksum {
                ChecksumMode::RfcOrOld { .. } => ChecksumMode::Rfc,
                m => m,
            },
            unicast: self.unicast,
            ah_seq,
            ah_key: self.ah_key,
        };
        Ipv4Packet::encode(&self.advert(priority), &tx)
    }

    /// The VRRP message for IPv6 (the kernel adds the IP header and redoes
    /// the checksum through `IPV6_CHECKSUM`; ours is already right).
    pub fn ipv6_message(&self, priority: u8, src: IpAddr, dst: IpAddr) -> Vec<u8> {
        self.advert(priority).encode(&Ctx::new(src, dst))
    }
}
