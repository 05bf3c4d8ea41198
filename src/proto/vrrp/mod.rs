//! VRRP advertisements: VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798), the IPv4
//! header keepalived builds itself (`IP_HDRINCL`), the IPsec AH header it uses
//! for VRRPv2 `auth_type AH` (RFC 2402), and keepalived 2.2.7's receive checks.
//!
//! Layout:
//! - this file: [`Advert`] (the VRRP message) with [`Advert::encode`] and
//!   [`Advert::decode`], and the checksum context [`Ctx`];
//! - [`ip`]: [`ip::Ipv4Header`] and the whole IPv4 packet [`ip::Ipv4Packet`]
//!   (IPv4 + optional AH + VRRP) as keepalived sends it;
//! - [`ah`]: [`ah::AhHeader`] and the HMAC-MD5-96 ICV;
//! - [`validate`]: keepalived's ordered receive checks, as a pure function;
//! - [`error`]: [`DecodeError`], its statistic and its 2.2.7 log line.

pub mod ah;
pub mod error;
pub mod ip;
pub mod validate;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub use error::{Counter, DecodeError};

use super::checksum;

/// IP protocol number of VRRP (RFC 5798 section 5.1.1.3 / 5.1.2.3).
pub const IPPROTO_VRRP: u8 = 112;
/// IP protocol number of the IPsec Authentication Header (RFC 2402).
pub const IPPROTO_AH: u8 = 51;
/// TTL / hop limit a VRRP router must send and a receiver must insist on
/// (RFC 3768 section 5.2.3, RFC 5798 section 5.1.1.3).
pub const VRRP_TTL: u8 = 255;
/// The only VRRP packet type (RFC 3768 section 5.3.2).
pub const TYPE_ADVERTISEMENT: u8 = 1;
/// Length of the fixed VRRP header (version/type .. checksum).
pub const HEADER_LEN: usize = 8;
/// Length of the VRRPv2 authentication data (RFC 3768 section 5.3.10).
pub const AUTH_LEN: usize = 8;
/// The IPv4 multicast group VRRP uses by default (RFC 5798 section 5.1.1.2).
pub const MCAST_GROUP4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 18);
/// The IPv6 multicast group VRRP uses by default (RFC 5798 section 5.1.2.2).
pub const MCAST_GROUP6: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x12);

/// Address family of the advertised addresses (one family per advert).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    /// Bytes per advertised address.
    pub fn addr_len(self) -> usize {
        match self {
            Family::V4 => 4,
            Family::V6 => 16,
        }
    }

    /// The family of `addr`.
    pub fn of(addr: IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }
}

/// VRRP protocol version (high nibble of the first byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// RFC 3768: whole-second interval, authentication field, no pseudo-header.
    V2,
    /// RFC 5798: centisecond interval, no authentication, pseudo-header.
    V3,
}

impl Version {
    /// The number carried in the version nibble.
    pub fn number(self) -> u8 {
        match self {
            Version::V2 => 2,
            Version::V3 => 3,
        }
    }

    /// The version for a version nibble, if it is one we speak.
    pub fn from_number(n: u8) -> Option<Version> {
        match n {
            2 => Some(Version::V2),
            3 => Some(Version::V3),
            _ => None,
        }
    }
}

/// VRRPv2 authentication (RFC 3768 section 5.3.6 keeps the field for
/// compatibility with RFC 2338, which defined these three types).
///
/// Over the wire only the type and, for `Pass`, the 8 password bytes appear;
/// the AH key never does, so it is passed separately when building or
/// checking an AH packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Auth {
    /// Type 0; the 8 authentication bytes are sent as zeros.
    None,
    /// Type 1: the password, zero padded to 8 bytes, in clear text
    /// (RFC 2338 section 5.3.6.1).
    Pass([u8; 8]),
    /// Type 2: the packet is protected by an IPsec AH header (RFC 2338
    /// section 5.3.6.2); the 8 authentication bytes are sent as zeros.
    Ah,
}

impl Auth {
    /// The auth type number on the wire.
    pub fn type_number(&self) -> u8 {
        match self {
            Auth::None => 0,
            Auth::Pass(_) => 1,
            Auth::Ah => 2,
        }
    }

    /// An `auth_pass` string as keepalived stores it: the first 8 bytes,
    /// zero padded.
    pub fn password(pass: &[u8]) -> [u8; 8] {
        let mut out = [0u8; 8];
        let n = pass.len().min(8);
        out[..n].copy_from_slice(&pass[..n]);
        out
    }
}

/// How the VRRPv3 IPv4 checksum treats the pseudo-header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ChecksumMode {
    /// RFC 5798 section 5.2.8: pseudo-header with the packet's actual
    /// destination (the group, or the unicast peer).
    #[default]
    Rfc,
    /// keepalived ≤ 1.3.6 (and `old_unicast_checksum`): unicast adverts use
    /// the multicast group as pseudo-header destination.
    OldUnicast { group: Ipv4Addr },
    /// On receive only: try [`ChecksumMode::Rfc`], and if that fails on a
    /// unicast instance try [`ChecksumMode::OldUnicast`] (keepalived's default
    /// auto-detection, logged "Setting unicast VRRPv3 checksum to old
    /// version"). Encodes like `Rfc`.
    RfcOrOld { group: Ipv4Addr },
    /// `v3_checksum_as_v2`: no pseudo-header at all, as some Cisco and
    /// Juniper releases compute it.
    AsV2,
}

/// What the checksum needs besides the VRRP bytes: the family and, for the
/// pseudo-headers, the IP source and destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ctx {
    /// IP source address of the packet.
    pub src: IpAddr,
    /// IP destination the packet actually goes to (group or unicast peer).
    pub dst: IpAddr,
    /// Pseudo-header treatment for VRRPv3 over IPv4.
    pub checksum: ChecksumMode,
}

impl Ctx {
    /// A context with RFC checksums.
    pub fn new(src: IpAddr, dst: IpAddr) -> Ctx {
        Ctx {
            src,
            dst,
            checksum: ChecksumMode::Rfc,
        }
    }

    /// The family of the packet (from its source address).
    pub fn family(&self) -> Family {
        Family::of(self.src)
    }

    /// The ones' complement sum the VRRP checksum starts from.
    ///
    /// - VRRPv2 over IPv4: nothing (RFC 3768 section 5.3.8 covers the VRRP
    ///   message only).
    /// - VRRPv3 over IPv4: the IPv4 pseudo-header (RFC 5798 section 5.2.8),
    ///   destination as `mode` says; nothing for `AsV2`.
    /// - IPv6 (either version): the IPv6 pseudo-header, which the kernel adds
    ///   because keepalived sets `IPV6_CHECKSUM`.
    fn initial_sum(&self, version: Version, mode: ChecksumMode, vrrp_len: usize) -> u32 {
        match (self.src, self.dst) {
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                checksum::ipv6_pseudo_sum(s, d, IPPROTO_VRRP, vrrp_len as u32)
            }
            (IpAddr::V4(s), IpAddr::V4(d)) if version == Version::V3 => {
                let dst = match mode {
                    ChecksumMode::Rfc | ChecksumMode::RfcOrOld { .. } => d,
                    ChecksumMode::OldUnicast { group } => group,
                    ChecksumMode::AsV2 => return 0,
                };
                checksum::ipv4_pseudo_sum(s, dst, IPPROTO_VRRP, vrrp_len as u16)
            }
            _ => 0,
        }
    }
}

/*
 * RFC 3768 section 5.1 (VRRPv2):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version| Type  | Virtual Rtr ID|   Priority    | Count IP Addrs|
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Auth Type   |   Adver Int   |          Checksum             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         IP Address (1)                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                            .........                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         IP Address (n)                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Authentication Data (1)                   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Authentication Data (2)                   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * RFC 5798 section 5.1 (VRRPv3): the same first word, then
 *
 *  |(rsvd) |     Max Adver Int     |          Checksum             |
 *
 * followed by n IPv4 or IPv6 addresses and no authentication data.
 */

/// A VRRP advertisement (the VRRP message, without IP or AH headers).
///
/// `addrs` holds addresses of one family only. For VRRPv2 `adver_int` is in
/// whole seconds (8 bits on the wire); for VRRPv3 it is in centiseconds
/// (12 bits on the wire; higher bits are dropped when encoding, as keepalived
/// masks with `0x0FFF`). `auth` is always [`Auth::None`] for VRRPv3.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Advert {
    pub version: Version,
    pub vrid: u8,
    pub priority: u8,
    pub adver_int: u16,
    pub auth: Auth,
    pub addrs: Vec<IpAddr>,
}

impl Advert {
    /// Length of the encoded message for `count` addresses of `family`.
    ///
    /// keepalived (`expected_vrrp_pkt_len()`) adds the 8 authentication bytes
    /// only to VRRPv2 over IPv4, so a (non-standard) VRRPv2 over IPv6 message
    /// has none; we follow it.
    pub fn wire_len(version: Version, family: Family, count: usize) -> usize {
        let auth = if version == Version::V2 && family == Family::V4 {
            AUTH_LEN
        } else {
            0
        };
        HEADER_LEN + count * family.addr_len() + auth
    }

    /// Encodes the message, checksum included.
    ///
    /// `ctx` supplies the family (for an empty address list) and the
    /// pseudo-header addresses. For IPv6 the checksum is the one the kernel
    /// would write, including its `0 → 0xffff` substitution.
    pub fn encode(&self, ctx: &Ctx) -> Vec<u8> {
        let family = ctx.family();
        let len = Self::wire_len(self.version, family, self.addrs.len());
        let mut buf = Vec::with_capacity(len);
        buf.push((self.version.number() << 4) | TYPE_ADVERTISEMENT);
        buf.push(self.vrid);
        buf.push(self.priority);
        buf.push(self.addrs.len() as u8);
        match self.version {
            Version::V2 => {
                buf.push(self.auth.type_number());
                buf.push(self.adver_int as u8);
            }
            Version::V3 => buf.extend_from_slice(&(self.adver_int & 0x0fff).to_be_bytes()),
        }
        buf.extend_from_slice(&[0, 0]);
        for addr in &self.addrs {
            match addr {
                IpAddr::V4(a) => buf.extend_from_slice(&a.octets()),
                IpAddr::V6(a) => buf.extend_from_slice(&a.octets()),
            }
        }
        if self.version == Version::V2 && family == Family::V4 {
            match self.auth {
                Auth::Pass(pw) => buf.extend_from_slice(&pw),
                Auth::None | Auth::Ah => buf.extend_from_slice(&[0; AUTH_LEN]),
            }
        }
        let initial = ctx.initial_sum(self.version, ctx.checksum, buf.len());
        let mut csum = checksum::finish(checksum::sum(&buf, initial));
        if family == Family::V6 && csum == 0 {
            // The kernel's raw IPv6 checksum (rawv6_push_pending_frames) never
            // sends 0; ones' complement 0xffff is the same value.
            csum = 0xffff;
        }
        buf[6..8].copy_from_slice(&csum.to_be_bytes());
        buf
    }

    /// Decodes a VRRP message without instance expectations: the structural
    /// checks (version, length, v2 auth type, type) and the checksum.
    ///
    /// `bytes` must be exactly the VRRP message (for IPv4, the IP total length
    /// minus the headers; any Ethernet padding is already gone). The order of
    /// checks follows keepalived's; for the full receive path with TTL, auth,
    /// VRID and VIP checks use [`validate::check`].
    pub fn decode(bytes: &[u8], ctx: &Ctx) -> Result<Advert, DecodeError> {
        let family = ctx.family();
        if bytes.len() < HEADER_LEN {
            return Err(DecodeError::HeaderTooShort {
                family,
                ah: false,
                len: bytes.len(),
            });
        }
        let vnum = bytes[0] >> 4;
        let version =
            Version::from_number(vnum).ok_or(DecodeError::UnknownVersion { version: vnum })?;
        let expected = Self::expected_len(bytes, family);
        if bytes.len() != expected {
            return Err(DecodeError::PacketLength {
                len: bytes.len(),
                expected,
            });
        }
        if version == Version::V2 && bytes[4] > 2 {
            return Err(DecodeError::InvalidAuthType {
                auth_type: bytes[4],
            });
        }
        if bytes[0] & 0x0f != TYPE_ADVERTISEMENT {
            return Err(DecodeError::InvalidType {
                ptype: bytes[0] & 0x0f,
            });
        }
        if !Self::checksum_ok(bytes, version, ctx, ctx.checksum) {
            return Err(DecodeError::Checksum { version: vnum });
        }
        Ok(Self::parse_fields(bytes, version, family))
    }

    /// The message length keepalived expects from the header's version and
    /// count (`expected_vrrp_pkt_len()`): any version other than 2 is treated
    /// as having no authentication data.
    pub(crate) fn expected_len(bytes: &[u8], family: Family) -> usize {
        let version = if bytes[0] >> 4 == 2 {
            Version::V2
        } else {
            Version::V3
        };
        Self::wire_len(version, family, usize::from(bytes[3]))
    }

    /// Whether the stored checksum is right under `mode`.
    pub(crate) fn checksum_ok(
        bytes: &[u8],
        version: Version,
        ctx: &Ctx,
        mode: ChecksumMode,
    ) -> bool {
        let initial = ctx.initial_sum(version, mode, bytes.len());
        checksum::finish(checksum::sum(bytes, initial)) == 0
    }

    /// Reads the fields of a message whose length has been checked.
    pub(crate) fn parse_fields(bytes: &[u8], version: Version, family: Family) -> Advert {
        let count = usize::from(bytes[3]);
        let alen = family.addr_len();
        let addrs = bytes[HEADER_LEN..HEADER_LEN + count * alen]
            .chunks_exact(alen)
            .map(|c| match family {
                Family::V4 => IpAddr::V4(Ipv4Addr::new(c[0], c[1], c[2], c[3])),
                Family::V6 => {
                    let mut o = [0u8; 16];
                    o.copy_from_slice(c);
                    IpAddr::V6(Ipv6Addr::from(o))
                }
            })
            .collect();
        let (adver_int, auth) = match version {
            Version::V2 => {
                let auth = match bytes[4] {
                    1 if family == Family::V4 => {
                        let start = HEADER_LEN + count * alen;
                        let mut pw = [0u8; 8];
                        pw.copy_from_slice(&bytes[start..start + AUTH_LEN]);
                        Auth::Pass(pw)
                    }
                    1 => Auth::Pass([0; 8]),
                    2 => Auth::Ah,
                    _ => Auth::None,
                };
                (u16::from(bytes[5]), auth)
            }
            Version::V3 => (
                u16::from_be_bytes([bytes[4], bytes[5]]) & 0x0fff,
                Auth::None,
            ),
        };
        Advert {
            version,
            vrid: bytes[1],
            priority: bytes[2],
            adver_int,
            auth,
            addrs,
        }
    }
}
