//! The IPv4 header keepalived writes itself (`IP_HDRINCL`) and the whole
//! IPv4 VRRP packet: IPv4 header, optional AH header, VRRP message.

use std::net::{IpAddr, Ipv4Addr};

use super::ah::{self, AH_LEN, AhHeader};
use super::{Advert, Auth, ChecksumMode, Ctx, DecodeError, Family, IPPROTO_AH, IPPROTO_VRRP};
use crate::proto::checksum;

/// Length of an IPv4 header without options.
pub const IPV4_HEADER_LEN: usize = 20;
/// TOS keepalived sets: precedence 6, "internetwork control" (RFC 791), so
/// adverts are queued ahead of bulk traffic.
pub const TOS_INTERNETWORK_CONTROL: u8 = 0xc0;

/*
 * RFC 791 section 3.1:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |Type of Service|          Total Length         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Identification        |Flags|      Fragment Offset    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Time to Live |    Protocol   |         Header Checksum       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Source Address                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Destination Address                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options                    |    Padding    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

/// An IPv4 header. Options of a received header are skipped
/// (`header_len` says how many bytes the header had); keepalived never sends
/// any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ipv4Header {
    /// Header length in bytes (IHL × 4).
    pub header_len: u8,
    pub tos: u8,
    pub total_len: u16,
    /// Identification. keepalived counts it up per advert from 1, skipping 0
    /// because the kernel would replace a 0.
    pub id: u16,
    /// Flags and fragment offset.
    pub frag_off: u16,
    pub ttl: u8,
    pub protocol: u8,
    pub checksum: u16,
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
}

impl Ipv4Header {
    /// The 20 header bytes with a freshly computed header checksum (the
    /// kernel fills it in for `IP_HDRINCL` anyway; computing it here makes
    /// built packets equal captured ones).
    pub fn encode(&self) -> [u8; IPV4_HEADER_LEN] {
        let mut b = [0u8; IPV4_HEADER_LEN];
        b[0] = 0x45;
        b[1] = self.tos;
        b[2..4].copy_from_slice(&self.total_len.to_be_bytes());
        b[4..6].copy_from_slice(&self.id.to_be_bytes());
        b[6..8].copy_from_slice(&self.frag_off.to_be_bytes());
        b[8] = self.ttl;
        b[9] = self.protocol;
        b[12..16].copy_from_slice(&self.src.octets());
        b[16..20].copy_from_slice(&self.dst.octets());
        let c = checksum::checksum(&b);
        b[10..12].copy_from_slice(&c.to_be_bytes());
        b
    }

    /// Parses the header at the start of `bytes`. The header checksum is not
    /// checked: the kernel has already dropped packets with a bad one.
    pub fn decode(bytes: &[u8]) -> Result<Ipv4Header, DecodeError> {
        if bytes.len() < IPV4_HEADER_LEN {
            return Err(DecodeError::HeaderTooShort {
                family: Family::V4,
                ah: false,
                len: bytes.len(),
            });
        }
        let version = bytes[0] >> 4;
        let ihl = bytes[0] & 0x0f;
        if version != 4 || ihl < 5 {
            return Err(DecodeError::BadIpHeader { version, ihl });
        }
        let be16 = |i: usize| u16::from_be_bytes([bytes[i], bytes[i + 1]]);
        Ok(Ipv4Header {
            header_len: ihl * 4,
            tos: bytes[1],
            total_len: be16(2),
            id: be16(4),
            frag_off: be16(6),
            ttl: bytes[8],
            protocol: bytes[9],
            checksum: be16(10),
            src: Ipv4Addr::new(bytes[12], bytes[13], bytes[14], bytes[15]),
            dst: Ipv4Addr::new(bytes[16], bytes[17], bytes[18], bytes[19]),
        })
    }
}

/// Parameters of an IPv4 VRRP packet that are not part of the advert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Tx {
    pub src: Ipv4Addr,
    /// The actual destination: the group, or one unicast peer.
    pub dst: Ipv4Addr,
    /// 255 for multicast (RFC 5798 section 5.1.1.3); `unicast_ttl` (default
    /// 255) for unicast.
    pub ttl: u8,
    /// IP identification (see [`Ipv4Header::id`]).
    pub id: u16,
    /// VRRPv3 checksum treatment.
    pub checksum: ChecksumMode,
    /// Whether the instance is unicast (changes the AH ICV, see [`ah::icv`]).
    pub unicast: bool,
    /// For [`Auth::Ah`]: the AH sequence number and the key (`auth_pass`).
    pub ah_seq: u32,
    pub ah_key: [u8; 8],
}

/// A complete IPv4 VRRP packet as keepalived sends it with `IP_HDRINCL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipv4Packet {
    pub ip: Ipv4Header,
    pub ah: Option<AhHeader>,
    pub advert: Advert,
}

impl Ipv4Packet {
    /// Builds the packet keepalived would send: TOS 0xc0, DF clear, protocol
    /// 112 (or 51 with an AH header, RFC 2402 section 2), lengths and both
    /// checksums computed, and for AH the ICV over the finished packet.
    pub fn encode(advert: &Advert, tx: &Ipv4Tx) -> Vec<u8> {
        let ctx = Ctx {
            src: IpAddr::V4(tx.src),
            dst: IpAddr::V4(tx.dst),
            checksum: tx.checksum,
        };
        let vrrp = advert.encode(&ctx);
        let with_ah = advert.auth == Auth::Ah;
        let ah_len = if with_ah { AH_LEN } else { 0 };
        let ip = Ipv4Header {
            header_len: IPV4_HEADER_LEN as u8,
            tos: TOS_INTERNETWORK_CONTROL,
            total_len: (IPV4_HEADER_LEN + ah_len + vrrp.len()) as u16,
            id: tx.id,
            frag_off: 0,
            ttl: tx.ttl,
            protocol: if with_ah { IPPROTO_AH } else { IPPROTO_VRRP },
            checksum: 0,
            src: tx.src,
            dst: tx.dst,
        };
        let ip_bytes = ip.encode();
        let mut out = Vec::with_capacity(usize::from(ip.total_len));
        out.extend_from_slice(&ip_bytes);
        if with_ah {
            let mut ah = AhHeader::new(tx.src, tx.ah_seq);
            ah.icv = ah::icv(&ip_bytes, &ah.encode(), &vrrp, &tx.ah_key, tx.unicast);
            out.extend_from_slice(&ah.encode());
        }
        out.extend_from_slice(&vrrp);
        out
    }

    /// Parses an IPv4 packet (from a raw socket, or a captured frame with the
    /// Ethernet header removed) and decodes its advert.
    ///
    /// Bytes beyond the IPv4 total length are Ethernet padding (a 40-byte
    /// VRRPv2 packet is padded to 46 bytes on the wire) and are ignored. The
    /// AH ICV is not verified here, since that needs the key: see
    /// [`super::validate::check`].
    pub fn decode(bytes: &[u8], checksum: ChecksumMode) -> Result<Ipv4Packet, DecodeError> {
        let ip = Ipv4Header::decode(bytes)?;
        let total = usize::from(ip.total_len);
        if total > bytes.len() || total < usize::from(ip.header_len) {
            return Err(DecodeError::TotalLength {
                tot_len: ip.total_len,
                received: bytes.len(),
            });
        }
        let bytes = &bytes[..total];
        let mut off = usize::from(ip.header_len);
        let ah = if ip.protocol == IPPROTO_AH {
            let ah = AhHeader::decode(&bytes[off..])?;
            off += AH_LEN;
            Some(ah)
        } else {
            None
        };
        let ctx = Ctx {
            src: IpAddr::V4(ip.src),
            dst: IpAddr::V4(ip.dst),
            checksum,
        };
        let advert = Advert::decode(&bytes[off..], &ctx)?;
        Ok(Ipv4Packet { ip, ah, advert })
    }
}
