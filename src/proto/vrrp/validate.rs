//! keepalived 2.2.7's receive checks for a VRRP packet, in its order.
//!
//! This is `vrrp_get_header()`, the VRID lookup of `vrrp_read_dispatcher()`
//! and `vrrp_check_packet()` / `vrrp_in_chk_ipsecah()` as one pure function:
//! the driver passes the bytes the raw socket returned, the IP-level facts the
//! kernel reported ([`RxInfo`]) and what the instance expects ([`Expect`]);
//! the first failing check wins. The order matters because each failure bumps
//! a different counter and logs a different line (see [`DecodeError`]).
//!
//! Not covered here, because they need instance state beyond expectations:
//! dropping adverts while in FAULT/INIT, `owner_ignore_adverts`, and the
//! `check_unicast_src` peer and TTL-range checks.

use std::net::{IpAddr, Ipv4Addr};

use super::ah::{self, AH_LEN, AhHeader};
use super::ip::{IPV4_HEADER_LEN, Ipv4Header};
use super::{
    Advert, Auth, ChecksumMode, Ctx, DecodeError, Family, HEADER_LEN, IPPROTO_AH, IPPROTO_VRRP,
    TYPE_ADVERTISEMENT, VRRP_TTL, Version,
};

/// What the kernel told us about a received packet besides its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxInfo {
    /// IPv4 TTL or IPv6 hop limit (`IPV6_HOPLIMIT` ancillary data); `None`
    /// when the kernel did not report it, which skips the TTL check as
    /// keepalived does.
    pub ttl_hop_limit: Option<u8>,
    pub src: IpAddr,
    pub dst: IpAddr,
    /// Whether the destination was a multicast address (IPv6:
    /// `IPV6_PKTINFO`).
    pub multicast: bool,
}

impl RxInfo {
    /// The facts keepalived takes from a received IPv4 header.
    pub fn from_ipv4(ip: &Ipv4Header) -> RxInfo {
        RxInfo {
            ttl_hop_limit: Some(ip.ttl),
            src: IpAddr::V4(ip.src),
            dst: IpAddr::V4(ip.dst),
            multicast: ip.dst.is_multicast(),
        }
    }
}

/// The instance's authentication as the receive checks need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpectAuth {
    None,
    /// The 8 zero-padded `auth_pass` bytes.
    Pass([u8; 8]),
    /// The key (`auth_pass`) and the highest sequence number accepted so far.
    Ah {
        key: [u8; 8],
        last_seq: u32,
    },
}

impl ExpectAuth {
    fn type_number(&self) -> u8 {
        match self {
            ExpectAuth::None => 0,
            ExpectAuth::Pass(_) => 1,
            ExpectAuth::Ah { .. } => 2,
        }
    }
}

/// What a VRRP instance expects of the adverts it receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expect<'a> {
    pub family: Family,
    pub version: Version,
    pub vrid: u8,
    /// VRRPv2 only (VRRPv3 carries no authentication).
    pub auth: ExpectAuth,
    /// Our advertisement interval in whole seconds; compared for VRRPv2 only
    /// (a VRRPv3 backup adopts the master's interval instead).
    pub adver_int_secs: u16,
    /// Whether the instance has unicast peers.
    pub unicast: bool,
    /// VRRPv3 IPv4 checksum treatment.
    pub checksum: ChecksumMode,
    /// Our VIPs when the advert's addresses are to be checked (keepalived's
    /// `check_vip_addr`: always, unless `skip_check_adv_addr` and the advert
    /// comes from the current master); `None` skips the address checks.
    pub vips: Option<&'a [IpAddr]>,
}

/// An advert that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub advert: Advert,
    /// The AH sequence number, which the instance must store as its new
    /// `last_seq`.
    pub ah_seq: Option<u32>,
    /// The checksum only matched with the multicast group in the
    /// pseudo-header: the instance should switch to
    /// [`ChecksumMode::OldUnicast`] and log "(VI) Setting unicast VRRPv3
    /// checksum to old version".
    pub old_checksum_detected: bool,
}

/// Runs keepalived 2.2.7's receive checks.
///
/// `bytes` is what the raw socket returned: for IPv4 the whole IP packet
/// (header, optional AH, VRRP); for IPv6 just the VRRP message. Trailing bytes
/// beyond the IPv4 total length (Ethernet padding, which the kernel normally
/// strips already) are ignored.
pub fn check(bytes: &[u8], rx: &RxInfo, expect: &Expect<'_>) -> Result<Accepted, DecodeError> {
    // vrrp_get_header(): enough bytes for the fixed headers?
    let (ip, ip_len, bytes) = match expect.family {
        Family::V4 => {
            let len = bytes.len();
            let ihl = if len >= IPV4_HEADER_LEN {
                usize::from(bytes[0] & 0x0f) * 4
            } else {
                0
            };
            if len < IPV4_HEADER_LEN || len < ihl + HEADER_LEN {
                return Err(DecodeError::HeaderTooShort {
                    family: Family::V4,
                    ah: false,
                    len,
                });
            }
            let ip = Ipv4Header::decode(bytes)?;
            let mut min_len = ihl + HEADER_LEN;
            if ip.protocol == IPPROTO_AH {
                min_len += AH_LEN;
                if len < min_len {
                    return Err(DecodeError::HeaderTooShort {
                        family: Family::V4,
                        ah: true,
                        len,
                    });
                }
            }
            // The kernel trims link-layer padding to the IPv4 total length; do
            // the same for buffers that still carry it (but never below the
            // fixed headers, which are already known to be there).
            let tot = usize::from(ip.total_len);
            let bytes = if tot < len && tot >= min_len {
                &bytes[..tot]
            } else {
                bytes
            };
            (Some(ip), ihl, bytes)
        }
        Family::V6 => {
            if bytes.len() < HEADER_LEN {
                let len = bytes.len();
                return Err(DecodeError::HeaderTooShort {
                    family: Family::V6,
                    ah: false,
                    len,
                });
            }
            (None, 0, bytes)
        }
    };
    let has_ah = ip.is_some_and(|ip| ip.protocol == IPPROTO_AH);
    let vrrp_off = ip_len + if has_ah { AH_LEN } else { 0 };
    let hd = &bytes[vrrp_off..];

    // vrrp_read_dispatcher(): the socket's instance is looked up by VRID.
    if hd[1] != expect.vrid {
        return Err(DecodeError::UnknownVrid { vrid: hd[1] });
    }
    // IPv6 sockets may see packets of the other cast; they are discarded
    // before the packet checks.
    if expect.family == Family::V6 && rx.multicast == expect.unicast {
        return Err(DecodeError::Ipv6CastDiscard {
            multicast: rx.multicast,
        });
    }

    // vrrp_check_packet() from here on.
    let we_use_ah = matches!(expect.auth, ExpectAuth::Ah { .. });
    let mut expected_len = ip_len;
    if expect.family == Family::V4 {
        if has_ah != we_use_ah {
            return Err(DecodeError::AhPresence {
                received_ah: has_ah,
            });
        }
        if we_use_ah {
            expected_len += AH_LEN;
        }
    }
    expected_len += Advert::expected_len(hd, expect.family);
    // RFC 3768/5798 section 7.1: the packet must hold the complete message.
    if bytes.len() != expected_len {
        return Err(DecodeError::PacketLength {
            len: bytes.len(),
            expected: expected_len,
        });
    }

    // RFC 5798 section 7.1: TTL/hop limit must be 255 (not for unicast,
    // which may cross routers).
    if let Some(ttl) = rx.ttl_hop_limit
        && !expect.unicast
        && ttl != VRRP_TTL
    {
        return Err(DecodeError::Ttl { ttl });
    }

    let vnum = hd[0] >> 4;
    if vnum != expect.version.number() {
        return Err(DecodeError::Version {
            received: vnum,
            expected: expect.version.number(),
        });
    }

    let mut ah_seq = None;
    if expect.version == Version::V2 {
        let auth_type = hd[4];
        if auth_type > 2 {
            return Err(DecodeError::InvalidAuthType { auth_type });
        }
        if auth_type != expect.auth.type_number() {
            return Err(DecodeError::AuthTypeMismatch {
                received: auth_type,
                expected: expect.auth.type_number(),
            });
        }
        match expect.auth {
            ExpectAuth::None => {}
            ExpectAuth::Pass(pw) => {
                // keepalived reads the last 8 bytes of the IP packet.
                let received = &bytes[bytes.len() - 8..];
                if !ah::ct_eq(received, &pw) {
                    return Err(DecodeError::Password);
                }
            }
            ExpectAuth::Ah { key, last_seq } => {
                let ip = ip.expect("AH implies IPv4");
                let ah_bytes = &bytes[ip_len..ip_len + AH_LEN];
                let ahh = AhHeader::decode(ah_bytes)?;
                if ahh.next_header != IPPROTO_VRRP {
                    return Err(DecodeError::AhNotVrrp {
                        next_header: ahh.next_header,
                    });
                }
                let icv = ah::icv(&bytes[..ip_len], ah_bytes, hd, &key, expect.unicast);
                if !ah::ct_eq(&icv, &ahh.icv) {
                    return Err(DecodeError::AhIcv);
                }
                if ahh.spi != ip.src.octets() {
                    return Err(DecodeError::AhSpi {
                        saddr: u32::from_le_bytes(ip.src.octets()),
                        spi: u32::from_le_bytes(ahh.spi),
                    });
                }
                if ahh.seq <= last_seq {
                    return Err(DecodeError::AhSequence {
                        seq: ahh.seq,
                        last: last_seq,
                    });
                }
                ah_seq = Some(ahh.seq);
            }
        }
        // RFC 3768 section 7.1: a different interval means a misconfigured
        // peer; keepalived ignores the advert rather than risk two masters.
        if u16::from(hd[5]) != expect.adver_int_secs {
            return Err(DecodeError::AdverInterval {
                mine: expect.adver_int_secs,
                received: hd[5],
            });
        }
    }

    if hd[0] & 0x0f != TYPE_ADVERTISEMENT {
        return Err(DecodeError::InvalidType {
            ptype: hd[0] & 0x0f,
        });
    }

    if let Some(vips) = expect.vips
        && usize::from(hd[3]) != vips.len()
    {
        return Err(DecodeError::AddrCount {
            received: hd[3],
            expected: vips.len() as u8,
        });
    }

    if let Some(ip) = ip
        && usize::from(ip.total_len) != bytes.len()
    {
        return Err(DecodeError::TotalLength {
            tot_len: ip.total_len,
            received: bytes.len(),
        });
    }

    // Checksum: IPv4 only, the kernel has verified IPv6 (IPV6_CHECKSUM).
    let mut old_checksum_detected = false;
    if let Some(ip) = ip {
        let ctx = Ctx {
            src: IpAddr::V4(ip.src),
            dst: IpAddr::V4(ip.dst),
            checksum: expect.checksum,
        };
        if !Advert::checksum_ok(hd, expect.version, &ctx, expect.checksum) {
            let retry = match expect.checksum {
                ChecksumMode::RfcOrOld { group } if expect.unicast && ip.dst != group => {
                    Advert::checksum_ok(
                        hd,
                        expect.version,
                        &ctx,
                        ChecksumMode::OldUnicast { group },
                    )
                }
                _ => false,
            };
            if !retry {
                return Err(DecodeError::Checksum { version: vnum });
            }
            old_checksum_detected = true;
        }
    }

    // Multicast destination on a unicast instance, or the reverse.
    if rx.multicast == expect.unicast {
        return Err(DecodeError::CastMismatch {
            expected_unicast: expect.unicast,
        });
    }

    let advert = Advert::parse_fields(hd, expect.version, expect.family);

    // RFC 3768/5798 section 7.1: MAY verify the addresses; keepalived 2.2.7
    // drops the advert when one of ours is missing.
    if let Some(vips) = expect.vips
        && let Some(vip) = vips.iter().find(|v| !advert.addrs.contains(v))
    {
        return Err(DecodeError::VipMissing {
            vrid: expect.vrid,
            vip: *vip,
        });
    }

    Ok(Accepted {
        advert,
        ah_seq,
        old_checksum_detected,
    })
}

/// The default IPv4 group, for [`ChecksumMode::RfcOrOld`] and
/// [`ChecksumMode::OldUnicast`] when `vrrp_mcast_group4` is not configured.
pub const DEFAULT_GROUP4: Ipv4Addr = super::MCAST_GROUP4;

impl Auth {
    /// The receive-side expectation for this advert auth and AH key.
    pub fn expect(&self, ah_key: [u8; 8], last_seq: u32) -> ExpectAuth {
        match *self {
            Auth::None => ExpectAuth::None,
            Auth::Pass(pw) => ExpectAuth::Pass(pw),
            Auth::Ah => ExpectAuth::Ah {
                key: ah_key,
                last_seq,
            },
        }
    }
}
