//! Just enough of the pcap file format and of Ethernet/IPv4/IPv6/ARP/ICMPv6
//! to say what a VRRP router put on the wire: its adverts, its gratuitous
//! ARPs and its unsolicited neighbour advertisements.
//!
//! The lab's observer captures with `tcpdump -w` and the tests decode the
//! bytes here rather than tcpdump's text, whose wording changes between
//! versions; the fields asserted on are exactly the on-wire ones.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// What one captured frame was, as far as the VRRP tests care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A VRRP advertisement (IP protocol 112), v2 or v3, IPv4 or IPv6.
    Vrrp {
        src: IpAddr,
        dst: IpAddr,
        /// The IPv4 TTL or IPv6 hop limit (RFC 3768 5.2.3 / RFC 5798 5.1.1.3: 255).
        ttl: u8,
        version: u8,
        vrid: u8,
        priority: u8,
        /// v2: seconds; v3: centiseconds.
        advert_int: u16,
        /// v2 auth type (0 none, 1 PASS, 2 AH); 0 for v3.
        auth_type: u8,
        addrs: Vec<IpAddr>,
    },
    /// An ARP packet whose sender and target protocol addresses are equal
    /// (a gratuitous ARP, RFC 5227 / RFC 3768 8.1.1 announcing `ip`).
    Garp {
        ip: Ipv4Addr,
        sender_mac: [u8; 6],
    },
    /// An ICMPv6 neighbour advertisement sent to a multicast destination
    /// (unsolicited, RFC 4861 7.2.6 / RFC 5798 8.1.2).
    UnsolicitedNa {
        target: Ipv6Addr,
        src: Ipv6Addr,
        override_flag: bool,
        router_flag: bool,
    },
    Other,
}

#[derive(Debug, Clone)]
pub struct Frame {
    /// Capture timestamp (since the epoch).
    pub ts: Duration,
    pub src_mac: [u8; 6],
    pub dst_mac: [u8; 6],
    pub kind: Kind,
}

/// Decode a whole pcap file. A record cut short at the end (tcpdump still
/// writing) is ignored, so a live capture can be read at any moment.
pub fn parse(bytes: &[u8]) -> Result<Vec<Frame>, String> {
    if bytes.len() < 24 {
        // tcpdump has not flushed its global header yet: nothing captured.
        return Ok(Vec::new());
    }
    let magic = u32::from_le_bytes(bytes[0..4].try_into().unwrap());
    let (le, nanos) = match magic {
        0xa1b2_c3d4 => (true, false),
        0xa1b2_3c4d => (true, true),
        0xd4c3_b2a1 => (false, false),
        0x4d3c_b2a1 => (false, true),
        m => return Err(format!("not a pcap file (magic {m:#x})")),
    };
    let u32_at = |b: &[u8], o: usize| {
        let a: [u8; 4] = b[o..o + 4].try_into().unwrap();
        if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    };
    let linktype = u32_at(bytes, 20);
    if linktype != 1 {
        return Err(format!("link type {linktype} is not Ethernet"));
    }
    let mut frames = Vec::new();
    let mut off = 24;
    while off + 16 <= bytes.len() {
        let secs = u32_at(bytes, off);
        let frac = u32_at(bytes, off + 4);
        let incl = u32_at(bytes, off + 8) as usize;
        let start = off + 16;
        if start + incl > bytes.len() {
            break;
        }
        let ts = Duration::new(
            secs.into(),
            if nanos {
                frac
            } else {
                frac.saturating_mul(1000)
            },
        );
        if let Some(f) = ethernet(ts, &bytes[start..start + incl]) {
            frames.push(f);
        }
        off = start + incl;
    }
    Ok(frames)
}

fn mac(b: &[u8]) -> [u8; 6] {
    b[..6].try_into().unwrap()
}

fn be16(b: &[u8], o: usize) -> u16 {
    u16::from_be_bytes([b[o], b[o + 1]])
}

fn ethernet(ts: Duration, b: &[u8]) -> Option<Frame> {
    if b.len() < 14 {
        return None;
    }
    let (dst_mac, src_mac) = (mac(&b[0..]), mac(&b[6..]));
    let mut ethertype = be16(b, 12);
    let mut p = &b[14..];
    if ethertype == 0x8100 && p.len() >= 4 {
        ethertype = be16(p, 2);
        p = &p[4..];
    }
    let kind = match ethertype {
        0x0800 => ipv4(p),
        0x86dd => ipv6(p),
        0x0806 => arp(p),
        _ => None,
    }
    .unwrap_or(Kind::Other);
    Some(Frame {
        ts,
        src_mac,
        dst_mac,
        kind,
    })
}

fn arp(p: &[u8]) -> Option<Kind> {
    // Ethernet/IPv4 ARP only: htype 1, ptype 0x0800, hlen 6, plen 4.
    if p.len() < 28 || be16(p, 0) != 1 || be16(p, 2) != 0x0800 || p[4] != 6 || p[5] != 4 {
        return None;
    }
    let sender_mac = mac(&p[8..]);
    let spa = Ipv4Addr::new(p[14], p[15], p[16], p[17]);
    let tpa = Ipv4Addr::new(p[24], p[25], p[26], p[27]);
    (spa == tpa).then_some(Kind::Garp {
        ip: spa,
        sender_mac,
    })
}

fn ipv4(p: &[u8]) -> Option<Kind> {
    if p.len() < 20 || p[0] >> 4 != 4 {
        return None;
    }
    let ihl = usize::from(p[0] & 0x0f) * 4;
    let total = usize::from(be16(p, 2)).min(p.len());
    if ihl < 20 || total < ihl {
        return None;
    }
    let src = IpAddr::from(<[u8; 4]>::try_from(&p[12..16]).unwrap());
    let dst = IpAddr::from(<[u8; 4]>::try_from(&p[16..20]).unwrap());
    if p[9] != 112 {
        return None;
    }
    vrrp(src, dst, p[8], &p[ihl..total], 4)
}

fn ipv6(p: &[u8]) -> Option<Kind> {
    if p.len() < 40 || p[0] >> 4 != 6 {
        return None;
    }
    let plen = usize::from(be16(p, 4));
    let body = &p[40..(40 + plen).min(p.len())];
    let src = Ipv6Addr::from(<[u8; 16]>::try_from(&p[8..24]).unwrap());
    let dst = Ipv6Addr::from(<[u8; 16]>::try_from(&p[24..40]).unwrap());
    match p[6] {
        112 => vrrp(src.into(), dst.into(), p[7], body, 16),
        58 => {
            // ICMPv6 type 136 = neighbour advertisement; unsolicited = sent
            // to a multicast group rather than back to a solicitor.
            if body.len() < 24 || body[0] != 136 || !dst.is_multicast() {
                return None;
            }
            let target = Ipv6Addr::from(<[u8; 16]>::try_from(&body[8..24]).unwrap());
            Some(Kind::UnsolicitedNa {
                target,
                src,
                router_flag: body[4] & 0x80 != 0,
                override_flag: body[4] & 0x20 != 0,
            })
        }
        _ => None,
    }
}

fn vrrp(src: IpAddr, dst: IpAddr, ttl: u8, v: &[u8], alen: usize) -> Option<Kind> {
    if v.len() < 8 {
        return None;
    }
    let version = v[0] >> 4;
    let count = usize::from(v[3]);
    let (auth_type, advert_int) = if version == 3 {
        (0, be16(v, 4) & 0x0fff)
    } else {
        (v[4], u16::from(v[5]))
    };
    let addrs = v[8..]
        .chunks_exact(alen)
        .take(count)
        .map(|a| {
            if alen == 4 {
                IpAddr::from(<[u8; 4]>::try_from(a).unwrap())
            } else {
                IpAddr::from(<[u8; 16]>::try_from(a).unwrap())
            }
        })
        .collect();
    Some(Kind::Vrrp {
        src,
        dst,
        ttl,
        version,
        vrid: v[1],
        priority: v[2],
        advert_int,
        auth_type,
        addrs,
    })
}

/// `aa:bb:cc:dd:ee:ff`, as `ip link` prints MAC addresses.
pub fn mac_string(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}
