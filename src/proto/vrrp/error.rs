//! Why a received VRRP packet was refused, which keepalived statistic that
//! bumps, and the line keepalived 2.2.7 logs for it.

use std::fmt;
use std::net::IpAddr;

use super::Family;

/// A packet that failed to decode or validate.
///
/// Small and `Copy` on purpose (holo-vrrp style): it carries just the numbers
/// keepalived prints, so the instance can count and log it without keeping
/// the buffer. The variants follow the order of keepalived 2.2.7's
/// `vrrp_get_header()` / `vrrp_check_packet()` (see [`super::validate`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Fewer bytes than the fixed headers (IPv4 + optional AH + 8-byte VRRP
    /// header). Found before the VRID is known, so no instance counts it.
    HeaderTooShort {
        family: Family,
        ah: bool,
        len: usize,
    },
    /// Not an IPv4 packet (version nibble), or a header length below 20
    /// bytes: the kernel never delivers such a packet on a raw socket.
    BadIpHeader { version: u8, ihl: u8 },
    /// No instance for this VRID on the socket: keepalived silently ignores it
    /// (logged only with `log_unknown_vrids`).
    UnknownVrid { vrid: u8 },
    /// An IPv6 multicast packet on a unicast instance or the reverse: an IPv6
    /// raw socket sees both, so keepalived discards these before checking
    /// (logged only with `-D`), counting nothing.
    Ipv6CastDiscard { multicast: bool },
    /// The packet has an AH header and we do not use AH, or the reverse.
    AhPresence { received_ah: bool },
    /// The received length differs from what the headers and address count
    /// say (RFC 3768 section 7.1 / RFC 5798 section 7.1: "MUST verify that
    /// the received packet contains the complete VRRP packet").
    PacketLength { len: usize, expected: usize },
    /// TTL or hop limit not 255 on a multicast instance (RFC 3768 section 7.1,
    /// RFC 5798 section 7.1).
    Ttl { ttl: u8 },
    /// VRRP version differs from the instance's.
    Version { received: u8, expected: u8 },
    /// VRRPv2 auth type other than 0 (none), 1 (PASS) or 2 (AH).
    InvalidAuthType { auth_type: u8 },
    /// VRRPv2 auth type differs from the instance's.
    AuthTypeMismatch { received: u8, expected: u8 },
    /// VRRPv2 simple password differs (RFC 2338 section 5.3.6.1).
    Password,
    /// AH header protecting something other than VRRP: dropped silently.
    AhNotVrrp { next_header: u8 },
    /// AH ICV (HMAC-MD5-96) does not match (RFC 2402 section 3.4.4).
    AhIcv,
    /// AH SPI is not the IPv4 source address (keepalived's SPI choice).
    /// Both values are the network-order bytes read as a little-endian `u32`,
    /// which is what keepalived prints on x86 and ARM.
    AhSpi { saddr: u32, spi: u32 },
    /// AH sequence number not above the last one accepted (RFC 2402
    /// section 3.4.3, anti-replay).
    AhSequence { seq: u32, last: u32 },
    /// VRRPv2 advertisement interval differs from ours (RFC 3768 section 7.1:
    /// "MUST verify that the Adver Interval in the packet is the same as the
    /// locally configured"). keepalived ignores the advert and counts nothing.
    AdverInterval { mine: u16, received: u8 },
    /// VRRP type other than 1 (ADVERTISEMENT).
    InvalidType { ptype: u8 },
    /// The address count differs from our VIP count (dropped in 2.2.7).
    AddrCount { received: u8, expected: u8 },
    /// IPv4 total length differs from the received length.
    TotalLength { tot_len: u16, received: usize },
    /// Bad VRRP checksum (IPv4; the kernel checks IPv6).
    Checksum { version: u8 },
    /// Multicast destination on a unicast instance or the reverse.
    CastMismatch { expected_unicast: bool },
    /// A configured VIP is missing from the advert (RFC 3768 section 7.1:
    /// "MAY verify that the IP address(es) associated with the VRID are
    /// valid").
    VipMissing { vrid: u8, vip: IpAddr },
    /// Version nibble neither 2 nor 3 when decoding without an instance.
    UnknownVersion { version: u8 },
}

/// The per-instance statistics keepalived keeps (`struct vrrp_stats`).
///
/// The names are keepalived's own: the first group appears in
/// `/tmp/keepalived.stats` and `keepalived.json`; `VersErr`, `ChkErr` exist
/// only for SNMP (`vers_err`, `chk_err`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Counter {
    PacketLenErr,
    IpTtlErr,
    InvalidTypeRcvd,
    AddrListErr,
    InvalidAuthtype,
    AuthtypeMismatch,
    AuthFailure,
    VersErr,
    ChkErr,
}

impl Counter {
    /// The field name keepalived uses in its stats and JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Counter::PacketLenErr => "packet_len_err",
            Counter::IpTtlErr => "ip_ttl_err",
            Counter::InvalidTypeRcvd => "invalid_type_rcvd",
            Counter::AddrListErr => "addr_list_err",
            Counter::InvalidAuthtype => "invalid_authtype",
            Counter::AuthtypeMismatch => "authtype_mismatch",
            Counter::AuthFailure => "auth_failure",
            Counter::VersErr => "vers_err",
            Counter::ChkErr => "chk_err",
        }
    }
}

impl DecodeError {
    /// The statistic keepalived 2.2.7 increments for this failure, if any.
    ///
    /// `AdverInterval` counts nothing: 2.2.7 declares `advert_interval_err`
    /// but never increments it.
    pub fn counter(&self) -> Option<Counter> {
        use DecodeError::*;
        Some(match self {
            HeaderTooShort { .. }
            | BadIpHeader { .. }
            | UnknownVrid { .. }
            | Ipv6CastDiscard { .. }
            | AhNotVrrp { .. }
            | AdverInterval { .. }
            | UnknownVersion { .. } => return None,
            AhPresence { .. } | AuthTypeMismatch { .. } => Counter::AuthtypeMismatch,
            PacketLength { .. } | TotalLength { .. } => Counter::PacketLenErr,
            Ttl { .. } => Counter::IpTtlErr,
            Version { .. } => Counter::VersErr,
            InvalidAuthType { .. } => Counter::InvalidAuthtype,
            Password | AhIcv | AhSpi { .. } | AhSequence { .. } => Counter::AuthFailure,
            InvalidType { .. } => Counter::InvalidTypeRcvd,
            AddrCount { .. } | CastMismatch { .. } | VipMissing { .. } => Counter::AddrListErr,
            Checksum { .. } => Counter::ChkErr,
        })
    }

    /// The line keepalived 2.2.7 logs (LOG_INFO) for this failure, with the
    /// instance name `iname` and, for `UnknownVrid`, the interface name
    /// `ifname`; `None` where it logs nothing.
    ///
    /// The 2.2.7 forms name no sender ("(VI_1) received an invalid passwd!");
    /// the "from X" forms and rate limiting arrived in 2.3.x.
    pub fn log_message(&self, iname: &str, ifname: &str) -> Option<String> {
        use crate::messages as m;
        use DecodeError::*;
        Some(match *self {
            HeaderTooShort {
                family: Family::V4,
                ah: false,
                len,
            } => m::rx_ipv4_too_short(len),
            HeaderTooShort {
                family: Family::V4,
                ah: true,
                len,
            } => m::rx_ipv4_ah_too_short(len),
            HeaderTooShort {
                family: Family::V6,
                len,
                ..
            } => m::rx_ipv6_too_short(len),
            UnknownVrid { vrid } => m::rx_unknown_vrid(vrid, ifname),
            Ipv6CastDiscard { multicast } => m::rx_ipv6_cast_discard(iname, multicast),
            BadIpHeader { .. } | AhNotVrrp { .. } | UnknownVersion { .. } => return None,
            AhPresence { received_ah } => m::rx_ah_presence(iname, received_ah),
            PacketLength { len, expected } => m::rx_packet_length(iname, len, expected),
            Ttl { ttl } => m::rx_ttl(iname, ttl),
            Version { received, expected } => m::rx_version(iname, received, expected),
            InvalidAuthType { auth_type } => m::rx_invalid_auth_type(iname, auth_type),
            AuthTypeMismatch { received, expected } => {
                m::rx_auth_type_mismatch(iname, received, expected)
            }
            Password => m::rx_password(iname),
            AhIcv => m::rx_ah_icv(iname),
            AhSpi { saddr, spi } => m::rx_ah_spi(saddr, spi),
            AhSequence { seq, last } => m::rx_ah_sequence(iname, seq, last),
            AdverInterval { mine, received } => m::rx_advert_interval(iname, mine, received),
            InvalidType { ptype } => m::rx_invalid_type(iname, ptype),
            AddrCount { received, expected } => m::rx_addr_count(iname, received, expected),
            TotalLength { tot_len, received } => m::rx_total_length(iname, tot_len, received),
            Checksum { version } => m::rx_checksum(iname, version),
            CastMismatch { expected_unicast } => m::rx_cast_mismatch(iname, expected_unicast),
            VipMissing { vrid, vip } => m::rx_vip_missing(iname, vrid, &vip),
        })
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DecodeError::*;
        match *self {
            BadIpHeader { version, ihl } => {
                write!(f, "not a usable IPv4 header (version {version}, ihl {ihl})")
            }
            AhNotVrrp { next_header } => write!(f, "AH next header {next_header} is not VRRP"),
            UnknownVersion { version } => write!(f, "unknown VRRP version {version}"),
            _ => match self.log_message("VRRP", "?") {
                Some(s) => f.write_str(&s),
                None => write!(f, "{self:?}"),
            },
        }
    }
}

impl std::error::Error for DecodeError {}
