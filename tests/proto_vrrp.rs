//! VRRP codec tests against adverts captured from Debian's keepalived 2.2.7
//! (`testdata/vrrp/*.hex`, produced by `testdata/vrrp/capture.sh`; each file
//! names its config and commands). No root needed: fixtures are files.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use keepalived::proto::checksum;
use keepalived::proto::vrrp::ah::{self, AH_LEN, AhHeader};
use keepalived::proto::vrrp::ip::{Ipv4Header, Ipv4Packet, Ipv4Tx};
use keepalived::proto::vrrp::validate::{self, Accepted, Expect, ExpectAuth, RxInfo};
use keepalived::proto::vrrp::{
    Advert, Auth, ChecksumMode, Counter, Ctx, DecodeError, Family, MCAST_GROUP4, MCAST_GROUP6,
    Version,
};
use proptest::prelude::*;

// ===== fixtures =====

fn load(name: &str) -> Vec<u8> {
    let path = format!("{}/testdata/vrrp/{name}.hex", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(|l| l.split_whitespace())
        .map(|h| u8::from_str_radix(h, 16).expect("hex byte"))
        .collect()
}

fn v4(a: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, a))
}

const SRC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const PEER2: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const PEER3: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 3);
const AH_KEY: [u8; 8] = *b"ahkey\0\0\0";
const PASS: [u8; 8] = *b"s3cr3t\0\0";

/// One captured IPv4 fixture and what it must decode to.
struct V4Case {
    name: &'static str,
    dst: Ipv4Addr,
    id: u16,
    ah_seq: Option<u32>,
    mode: ChecksumMode,
    unicast: bool,
    advert: Advert,
}

fn advert(
    version: Version,
    vrid: u8,
    priority: u8,
    int: u16,
    auth: Auth,
    addrs: &[IpAddr],
) -> Advert {
    Advert {
        version,
        vrid,
        priority,
        adver_int: int,
        auth,
        addrs: addrs.to_vec(),
    }
}

fn v4_cases() -> Vec<V4Case> {
    use Version::*;
    let mut cases = Vec::new();
    let old = ChecksumMode::OldUnicast {
        group: MCAST_GROUP4,
    };
    for i in 1..=3u16 {
        cases.push(V4Case {
            name: ["v2_noauth.1", "v2_noauth.2", "v2_noauth.3"][usize::from(i - 1)],
            dst: MCAST_GROUP4,
            id: i,
            ah_seq: None,
            mode: ChecksumMode::Rfc,
            unicast: false,
            advert: advert(V2, 51, 100, 1, Auth::None, &[v4(100), v4(101)]),
        });
        cases.push(V4Case {
            name: ["v2_ah.1", "v2_ah.2", "v2_ah.3"][usize::from(i - 1)],
            dst: MCAST_GROUP4,
            id: i,
            ah_seq: Some(u32::from(i)),
            mode: ChecksumMode::Rfc,
            unicast: false,
            advert: advert(V2, 53, 200, 1, Auth::Ah, &[v4(103), v4(104)]),
        });
        cases.push(V4Case {
            name: ["v2_prio0_stop.1", "v2_prio0_stop.2", "v2_prio0_stop.3"][usize::from(i - 1)],
            dst: MCAST_GROUP4,
            id: i,
            ah_seq: None,
            mode: ChecksumMode::Rfc,
            unicast: false,
            // keepalived sends priority 0 when stopping (RFC 3768 section 6.4.3).
            advert: advert(
                V2,
                59,
                if i == 3 { 0 } else { 100 },
                1,
                Auth::None,
                &[v4(111)],
            ),
        });
    }
    for i in 1..=2u16 {
        let ix = usize::from(i - 1);
        cases.push(V4Case {
            name: ["v2_pass.1", "v2_pass.2"][ix],
            dst: MCAST_GROUP4,
            id: i,
            ah_seq: None,
            mode: ChecksumMode::Rfc,
            unicast: false,
            advert: advert(V2, 52, 150, 2, Auth::Pass(PASS), &[v4(102)]),
        });
        cases.push(V4Case {
            name: ["v3_ipv4_mcast.1", "v3_ipv4_mcast.2"][ix],
            dst: MCAST_GROUP4,
            id: i,
            ah_seq: None,
            mode: ChecksumMode::Rfc,
            unicast: false,
            advert: advert(V3, 54, 120, 50, Auth::None, &[v4(105), v4(106), v4(107)]),
        });
        cases.push(V4Case {
            name: [
                "v3_ipv4_unicast_old_chksum.1",
                "v3_ipv4_unicast_old_chksum.2",
            ][ix],
            dst: PEER2,
            id: i,
            ah_seq: None,
            mode: old,
            unicast: true,
            advert: advert(V3, 56, 100, 100, Auth::None, &[v4(109)]),
        });
        cases.push(V4Case {
            name: ["v2_unicast.1", "v2_unicast.2"][ix],
            dst: PEER2,
            id: i,
            ah_seq: None,
            mode: ChecksumMode::Rfc,
            unicast: true,
            advert: advert(V2, 58, 100, 1, Auth::None, &[v4(110)]),
        });
    }
    // One advert per peer, same IP id, checksum differing by destination.
    for (n, id, dst) in [(1, 1, PEER2), (2, 1, PEER3), (3, 2, PEER2), (4, 2, PEER3)] {
        cases.push(V4Case {
            name: [
                "",
                "v3_ipv4_unicast.1",
                "v3_ipv4_unicast.2",
                "v3_ipv4_unicast.3",
                "v3_ipv4_unicast.4",
            ][n],
            dst,
            id,
            ah_seq: None,
            mode: ChecksumMode::Rfc,
            unicast: true,
            advert: advert(V3, 55, 100, 100, Auth::None, &[v4(108)]),
        });
    }
    cases
}

impl V4Case {
    fn tx(&self) -> Ipv4Tx {
        Ipv4Tx {
            src: SRC,
            dst: self.dst,
            ttl: 255,
            id: self.id,
            checksum: self.mode,
            unicast: self.unicast,
            ah_seq: self.ah_seq.unwrap_or(0),
            ah_key: AH_KEY,
        }
    }

    fn vips(&self) -> Vec<IpAddr> {
        self.advert.addrs.clone()
    }

    fn expect<'a>(&self, vips: &'a [IpAddr]) -> Expect<'a> {
        let a = &self.advert;
        Expect {
            family: Family::V4,
            version: a.version,
            vrid: a.vrid,
            auth: a.auth.expect(AH_KEY, self.ah_seq.map_or(0, |s| s - 1)),
            adver_int_secs: if a.version == Version::V2 {
                a.adver_int
            } else {
                1
            },
            unicast: self.unicast,
            checksum: self.mode,
            vips: Some(vips),
        }
    }
}

/// Runs the receive checks on an IPv4 packet, taking the IP facts from its
/// header as the driver does.
fn check_v4(bytes: &[u8], expect: &Expect<'_>) -> Result<Accepted, DecodeError> {
    let rx = RxInfo::from_ipv4(&Ipv4Header::decode(bytes).unwrap());
    validate::check(bytes, &rx, expect)
}

// ===== IPv4 fixtures: decode, re-encode, accept =====

#[test]
fn ipv4_fixtures_decode_to_expected_fields() {
    for c in v4_cases() {
        let bytes = load(c.name);
        let p = Ipv4Packet::decode(&bytes, c.mode).unwrap_or_else(|e| panic!("{}: {e:?}", c.name));
        assert_eq!(p.advert, c.advert, "{}", c.name);
        assert_eq!(p.ip.tos, 0xc0, "{}: TOS internetwork control", c.name);
        assert_eq!(p.ip.ttl, 255, "{}", c.name);
        assert_eq!(p.ip.frag_off, 0, "{}: DF clear", c.name);
        assert_eq!(p.ip.id, c.id, "{}", c.name);
        assert_eq!(p.ip.src, SRC, "{}", c.name);
        assert_eq!(p.ip.dst, c.dst, "{}", c.name);
        assert_eq!(usize::from(p.ip.total_len), bytes.len(), "{}", c.name);
        assert_eq!(
            checksum::checksum(&bytes[..20]),
            0,
            "{}: IP header checksum",
            c.name
        );
        match c.ah_seq {
            Some(seq) => {
                let ah = p.ah.expect("AH header");
                assert_eq!(p.ip.protocol, 51);
                assert_eq!((ah.next_header, ah.payload_len, ah.reserved), (112, 4, 0));
                assert_eq!(ah.spi, SRC.octets(), "SPI is the source address");
                assert_eq!(ah.seq, seq);
            }
            None => {
                assert_eq!(p.ip.protocol, 112);
                assert!(p.ah.is_none());
            }
        }
    }
}

#[test]
fn ipv4_fixtures_reencode_byte_exactly() {
    for c in v4_cases() {
        let bytes = load(c.name);
        let built = Ipv4Packet::encode(&c.advert, &c.tx());
        assert_eq!(hex(&built), hex(&bytes), "{}", c.name);
    }
}

#[test]
fn ipv4_fixtures_pass_receive_checks() {
    for c in v4_cases() {
        let bytes = load(c.name);
        let vips = c.vips();
        let acc =
            check_v4(&bytes, &c.expect(&vips)).unwrap_or_else(|e| panic!("{}: {e:?}", c.name));
        assert_eq!(acc.advert, c.advert, "{}", c.name);
        assert_eq!(acc.ah_seq, c.ah_seq, "{}", c.name);
        assert!(!acc.old_checksum_detected, "{}", c.name);
    }
}

#[test]
fn advert_decode_of_vrrp_part_matches() {
    for c in v4_cases() {
        let bytes = load(c.name);
        let off = if c.ah_seq.is_some() { 20 + AH_LEN } else { 20 };
        let ctx = Ctx {
            src: IpAddr::V4(SRC),
            dst: IpAddr::V4(c.dst),
            checksum: c.mode,
        };
        assert_eq!(
            Advert::decode(&bytes[off..], &ctx),
            Ok(c.advert.clone()),
            "{}",
            c.name
        );
        assert_eq!(c.advert.encode(&ctx), bytes[off..], "{}", c.name);
    }
}

// ===== IPv6 fixture =====

/// The IPv6 header facts a raw socket reports as ancillary data.
fn split_ipv6(bytes: &[u8]) -> (Ipv6Addr, Ipv6Addr, u8, &[u8]) {
    assert_eq!(bytes[0] >> 4, 6);
    assert_eq!(bytes[6], 112, "next header VRRP");
    let plen = usize::from(u16::from_be_bytes([bytes[4], bytes[5]]));
    let src: [u8; 16] = bytes[8..24].try_into().unwrap();
    let dst: [u8; 16] = bytes[24..40].try_into().unwrap();
    (src.into(), dst.into(), bytes[7], &bytes[40..40 + plen])
}

fn v6_advert() -> Advert {
    let a = |s: &str| IpAddr::V6(s.parse().unwrap());
    advert(
        Version::V3,
        57,
        100,
        100,
        Auth::None,
        &[a("2001:db8::100"), a("2001:db8::101")],
    )
}

#[test]
fn ipv6_fixture_decodes_reencodes_and_passes() {
    for name in ["v3_ipv6_mcast.1", "v3_ipv6_mcast.2"] {
        let bytes = load(name);
        let (src, dst, hop_limit, payload) = split_ipv6(&bytes);
        assert_eq!(
            src,
            "fe80::ff:fe00:1".parse::<Ipv6Addr>().unwrap(),
            "link-local source"
        );
        assert_eq!(dst, MCAST_GROUP6);
        assert_eq!(hop_limit, 255);
        let ctx = Ctx::new(IpAddr::V6(src), IpAddr::V6(dst));
        assert_eq!(Advert::decode(payload, &ctx), Ok(v6_advert()));
        // The kernel computed this checksum (IPV6_CHECKSUM); we match it.
        assert_eq!(hex(&v6_advert().encode(&ctx)), hex(payload));

        let rx = RxInfo {
            ttl_hop_limit: Some(hop_limit),
            src: IpAddr::V6(src),
            dst: IpAddr::V6(dst),
            multicast: true,
        };
        let vips = v6_advert().addrs;
        let acc = validate::check(payload, &rx, &v6_expect(&vips)).unwrap();
        assert_eq!(acc.advert, v6_advert());

        // Hop limit below 255 on a multicast instance.
        let low = RxInfo {
            ttl_hop_limit: Some(64),
            ..rx
        };
        assert_eq!(
            validate::check(payload, &low, &v6_expect(&vips)),
            Err(DecodeError::Ttl { ttl: 64 })
        );
        // Multicast packet on a unicast instance: discarded before the checks.
        let uni = Expect {
            unicast: true,
            ..v6_expect(&vips)
        };
        let err = validate::check(payload, &rx, &uni).unwrap_err();
        assert_eq!(err, DecodeError::Ipv6CastDiscard { multicast: true });
        assert_eq!(err.counter(), None);
        // Bad checksum is the kernel's job for IPv6, so not detected here,
        // but Advert::decode (which knows the pseudo-header) does.
        let mut bad = payload.to_vec();
        bad[7] ^= 1;
        assert!(validate::check(&bad, &rx, &v6_expect(&vips)).is_ok());
        assert_eq!(
            Advert::decode(&bad, &ctx),
            Err(DecodeError::Checksum { version: 3 })
        );
    }
}

fn v6_expect(vips: &[IpAddr]) -> Expect<'_> {
    Expect {
        family: Family::V6,
        version: Version::V3,
        vrid: 57,
        auth: ExpectAuth::None,
        adver_int_secs: 1,
        unicast: false,
        checksum: ChecksumMode::Rfc,
        vips: Some(vips),
    }
}

// ===== checksum modes =====

#[test]
fn v3_unicast_checksum_uses_actual_destination() {
    let one = load("v3_ipv4_unicast.1");
    let two = load("v3_ipv4_unicast.2");
    // Same advert, destinations .2 and .3: checksums differ by exactly one.
    assert_eq!(&one[26..28], &[0x23, 0x76]);
    assert_eq!(&two[26..28], &[0x23, 0x75]);
    // Under the old (multicast group) rule they would not verify.
    let old = ChecksumMode::OldUnicast {
        group: MCAST_GROUP4,
    };
    assert_eq!(
        Ipv4Packet::decode(&one, old).unwrap_err(),
        DecodeError::Checksum { version: 3 }
    );
}

#[test]
fn old_unicast_checksum_is_auto_detected() {
    let bytes = load("v3_ipv4_unicast_old_chksum.1");
    let vips = [v4(109)];
    let mut expect = Expect {
        family: Family::V4,
        version: Version::V3,
        vrid: 56,
        auth: ExpectAuth::None,
        adver_int_secs: 1,
        unicast: true,
        checksum: ChecksumMode::Rfc,
        vips: Some(&vips),
    };
    let err = check_v4(&bytes, &expect).unwrap_err();
    assert_eq!(err, DecodeError::Checksum { version: 3 });
    assert_eq!(err.counter(), Some(Counter::ChkErr));
    assert_eq!(
        err.log_message("VI_1", "eth0").unwrap(),
        "(VI_1) Invalid VRRPv3 checksum"
    );

    expect.checksum = ChecksumMode::RfcOrOld {
        group: MCAST_GROUP4,
    };
    let acc = check_v4(&bytes, &expect).unwrap();
    assert!(acc.old_checksum_detected);
    // An RFC-checksummed packet does not trigger the switch.
    let rfc = load("v3_ipv4_unicast.1");
    let expect55 = Expect {
        vrid: 55,
        vips: Some(&[v4(108)]),
        ..expect
    };
    assert!(!check_v4(&rfc, &expect55).unwrap().old_checksum_detected);
}

#[test]
fn v3_checksum_as_v2_omits_pseudo_header() {
    let a = advert(
        Version::V3,
        54,
        120,
        50,
        Auth::None,
        &[v4(105), v4(106), v4(107)],
    );
    let ctx = Ctx {
        src: IpAddr::V4(SRC),
        dst: IpAddr::V4(MCAST_GROUP4),
        checksum: ChecksumMode::AsV2,
    };
    let bytes = a.encode(&ctx);
    assert_eq!(
        checksum::checksum(&bytes),
        0,
        "plain Internet checksum over the message"
    );
    assert_eq!(Advert::decode(&bytes, &ctx), Ok(a.clone()));
    assert!(
        Advert::decode(
            &bytes,
            &Ctx {
                checksum: ChecksumMode::Rfc,
                ..ctx
            }
        )
        .is_err()
    );
    // The captured RFC packet differs only in the checksum.
    let captured = load("v3_ipv4_mcast.1");
    assert_eq!(bytes[..6], captured[20..26]);
    assert_eq!(bytes[8..], captured[28..]);
}

// ===== Ethernet padding =====

#[test]
fn ethernet_padding_is_tolerated() {
    // A 40-byte VRRPv2 packet goes out in a 60-byte frame: 6 bytes of padding.
    let c = v4_cases()
        .into_iter()
        .find(|c| c.name == "v2_pass.1")
        .unwrap();
    let mut bytes = load(c.name);
    assert_eq!(bytes.len(), 40);
    bytes.extend_from_slice(&[0; 6]);
    assert_eq!(
        Ipv4Packet::decode(&bytes, ChecksumMode::Rfc)
            .unwrap()
            .advert,
        c.advert
    );
    let vips = c.vips();
    assert_eq!(check_v4(&bytes, &c.expect(&vips)).unwrap().advert, c.advert);
}

// ===== receive check failures, one mutation each =====

struct Mutation {
    what: &'static str,
    fixture: &'static str,
    mutate: fn(&mut Vec<u8>),
    /// Adjust the expectation instead of (or as well as) the bytes.
    expect: fn(&mut Expect<'_>),
    err: DecodeError,
    counter: Option<Counter>,
    log: Option<&'static str>,
}

fn no_change(_: &mut Vec<u8>) {}
fn same(_: &mut Expect<'_>) {}

/// Recomputes the IPv4 header checksum after a header mutation (the kernel
/// would have dropped the packet otherwise).
fn fix_ip_checksum(b: &mut [u8]) {
    b[10] = 0;
    b[11] = 0;
    let c = checksum::checksum(&b[..20]);
    b[10..12].copy_from_slice(&c.to_be_bytes());
}

/// Recomputes the VRRPv2 checksum of a no-AH packet after a mutation, so the
/// intended check, not the checksum, fails.
fn fix_v2_checksum(b: &mut [u8]) {
    let v = &mut b[20..];
    v[6] = 0;
    v[7] = 0;
    let c = checksum::checksum(v);
    v[6..8].copy_from_slice(&c.to_be_bytes());
}

static ONE_VIP: [IpAddr; 1] = [IpAddr::V4(Ipv4Addr::new(192, 0, 2, 100))];
static OTHER_VIPS: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, 100)),
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, 199)),
];

fn mutations() -> Vec<Mutation> {
    use DecodeError as E;
    vec![
        Mutation {
            what: "header shorter than IPv4 + VRRP header",
            fixture: "v2_noauth.1",
            mutate: |b| b.truncate(27),
            expect: same,
            err: E::HeaderTooShort {
                family: Family::V4,
                ah: false,
                len: 27,
            },
            counter: None,
            log: Some("IPv4 VRRP packet too short - 27 bytes"),
        },
        Mutation {
            what: "AH header shorter than IPv4 + AH + VRRP header",
            fixture: "v2_ah.1",
            mutate: |b| b.truncate(40),
            expect: same,
            err: E::HeaderTooShort {
                family: Family::V4,
                ah: true,
                len: 40,
            },
            counter: None,
            log: Some("IPv4 VRRP packet with AH too short - 40 bytes"),
        },
        Mutation {
            what: "other VRID",
            fixture: "v2_noauth.1",
            mutate: |b| b[21] = 99,
            expect: same,
            err: E::UnknownVrid { vrid: 99 },
            counter: None,
            log: Some("Unknown VRID(99) received on interface(eth0). ignoring..."),
        },
        Mutation {
            what: "AH packet, no AH configured",
            fixture: "v2_ah.1",
            mutate: no_change,
            expect: |e| e.auth = ExpectAuth::None,
            err: E::AhPresence { received_ah: true },
            counter: Some(Counter::AuthtypeMismatch),
            log: Some("(VI_1) Received AH header but auth type not AH"),
        },
        Mutation {
            what: "no AH packet, AH configured",
            fixture: "v2_noauth.1",
            mutate: no_change,
            expect: |e| {
                e.auth = ExpectAuth::Ah {
                    key: AH_KEY,
                    last_seq: 0,
                }
            },
            err: E::AhPresence { received_ah: false },
            counter: Some(Counter::AuthtypeMismatch),
            log: Some("(VI_1) No AH header but auth type is AH"),
        },
        Mutation {
            what: "count says 3 addresses, packet holds 2",
            fixture: "v2_noauth.1",
            mutate: |b| b[23] = 3,
            expect: same,
            err: E::PacketLength {
                len: 44,
                expected: 48,
            },
            counter: Some(Counter::PacketLenErr),
            log: Some("(VI_1) vrrp packet too short, length 44 and expect 48"),
        },
        Mutation {
            what: "trailing garbage counted in the total length",
            fixture: "v2_noauth.1",
            mutate: |b| {
                b.extend_from_slice(&[0; 4]);
                b[3] += 4;
                fix_ip_checksum(b);
            },
            expect: same,
            err: E::PacketLength {
                len: 48,
                expected: 44,
            },
            counter: Some(Counter::PacketLenErr),
            log: Some("(VI_1) vrrp packet too long, length 48 and expect 44"),
        },
        Mutation {
            what: "TTL 64 on a multicast instance",
            fixture: "v2_noauth.1",
            mutate: |b| {
                b[8] = 64;
                fix_ip_checksum(b);
            },
            expect: same,
            err: E::Ttl { ttl: 64 },
            counter: Some(Counter::IpTtlErr),
            log: Some("(VI_1) invalid TTL/HL. Received 64 and expect 255"),
        },
        Mutation {
            what: "VRRPv3 advert to a VRRPv2 instance",
            fixture: "v3_ipv4_mcast.1",
            mutate: no_change,
            expect: |e| e.version = Version::V2,
            err: E::Version {
                received: 3,
                expected: 2,
            },
            counter: Some(Counter::VersErr),
            log: Some("(VI_1) wrong version. Received 3 and expect 2"),
        },
        Mutation {
            what: "auth type 3",
            fixture: "v2_noauth.1",
            mutate: |b| {
                b[24] = 3;
                fix_v2_checksum(b);
            },
            expect: same,
            err: E::InvalidAuthType { auth_type: 3 },
            counter: Some(Counter::InvalidAuthtype),
            log: Some("(VI_1) Invalid auth type: 3"),
        },
        Mutation {
            what: "PASS advert to a no-auth instance",
            fixture: "v2_pass.1",
            mutate: no_change,
            expect: |e| e.auth = ExpectAuth::None,
            err: E::AuthTypeMismatch {
                received: 1,
                expected: 0,
            },
            counter: Some(Counter::AuthtypeMismatch),
            log: Some("(VI_1) received a 1 auth, expecting 0!"),
        },
        Mutation {
            what: "wrong password",
            fixture: "v2_pass.1",
            mutate: no_change,
            expect: |e| e.auth = ExpectAuth::Pass(*b"s3cr3T\0\0"),
            err: E::Password,
            counter: Some(Counter::AuthFailure),
            log: Some("(VI_1) received an invalid passwd!"),
        },
        Mutation {
            what: "wrong AH key",
            fixture: "v2_ah.1",
            mutate: no_change,
            expect: |e| {
                e.auth = ExpectAuth::Ah {
                    key: *b"ahkez\0\0\0",
                    last_seq: 0,
                }
            },
            err: E::AhIcv,
            counter: Some(Counter::AuthFailure),
            log: Some(
                "(VI_1) IPSEC-AH : invalid IPSEC HMAC-MD5 value. Due to fields mutation or bad \
                 password !",
            ),
        },
        Mutation {
            what: "AH packet modified in flight (priority raised)",
            fixture: "v2_ah.1",
            mutate: |b| b[46] = 255,
            expect: same,
            err: E::AhIcv,
            counter: Some(Counter::AuthFailure),
            log: None,
        },
        Mutation {
            what: "AH replay (sequence already seen)",
            fixture: "v2_ah.2",
            mutate: no_change,
            expect: |e| {
                e.auth = ExpectAuth::Ah {
                    key: AH_KEY,
                    last_seq: 2,
                }
            },
            err: E::AhSequence { seq: 2, last: 2 },
            counter: Some(Counter::AuthFailure),
            log: Some(
                "(VI_1) IPSEC-AH : sequence number 2 already processed. Packet dropped. Local(2)",
            ),
        },
        Mutation {
            what: "AH protecting something else",
            fixture: "v2_ah.1",
            mutate: |b| b[20] = 17,
            expect: same,
            err: E::AhNotVrrp { next_header: 17 },
            counter: None,
            log: None,
        },
        Mutation {
            what: "advert interval 2 s, ours 1 s",
            fixture: "v2_noauth.1",
            mutate: |b| {
                b[25] = 2;
                fix_v2_checksum(b);
            },
            expect: same,
            err: E::AdverInterval {
                mine: 1,
                received: 2,
            },
            counter: None,
            log: Some("(VI_1) advertisement interval mismatch mine=1 sec rcv'd=2 sec"),
        },
        Mutation {
            what: "packet type 2",
            fixture: "v2_noauth.1",
            mutate: |b| {
                b[20] = 0x22;
                fix_v2_checksum(b);
            },
            expect: same,
            err: E::InvalidType { ptype: 2 },
            counter: Some(Counter::InvalidTypeRcvd),
            log: Some("(VI_1) Invalid packet type. 2 and expect 1"),
        },
        Mutation {
            what: "VRRPv3 packet type 0",
            fixture: "v3_ipv4_mcast.1",
            mutate: |b| b[20] = 0x30,
            expect: same,
            err: E::InvalidType { ptype: 0 },
            counter: Some(Counter::InvalidTypeRcvd),
            log: Some("(VI_1) Invalid packet type. 0 and expect 1"),
        },
        Mutation {
            what: "one VIP configured, two advertised",
            fixture: "v2_noauth.1",
            mutate: no_change,
            expect: |e| e.vips = Some(&ONE_VIP),
            err: E::AddrCount {
                received: 2,
                expected: 1,
            },
            counter: Some(Counter::AddrListErr),
            log: Some("(VI_1) received an unexpected ip number count 2, expected 1!"),
        },
        Mutation {
            what: "IPv4 total length beyond the received bytes",
            fixture: "v2_noauth.1",
            mutate: |b| {
                b[3] += 8;
                fix_ip_checksum(b);
            },
            expect: same,
            err: E::TotalLength {
                tot_len: 52,
                received: 44,
            },
            counter: Some(Counter::PacketLenErr),
            log: Some("(VI_1) ip_tot_len mismatch against received length. 52 and received 44"),
        },
        Mutation {
            what: "VRRPv2 checksum off by one",
            fixture: "v2_noauth.1",
            mutate: |b| b[27] ^= 1,
            expect: same,
            err: E::Checksum { version: 2 },
            counter: Some(Counter::ChkErr),
            log: Some("(VI_1) Invalid VRRPv2 checksum"),
        },
        Mutation {
            what: "VRRPv3 priority changed, checksum not",
            fixture: "v3_ipv4_mcast.1",
            mutate: |b| b[22] = 121,
            expect: same,
            err: E::Checksum { version: 3 },
            counter: Some(Counter::ChkErr),
            log: Some("(VI_1) Invalid VRRPv3 checksum"),
        },
        Mutation {
            what: "multicast advert to a unicast instance",
            fixture: "v2_noauth.1",
            mutate: no_change,
            expect: |e| e.unicast = true,
            err: E::CastMismatch {
                expected_unicast: true,
            },
            counter: Some(Counter::AddrListErr),
            log: Some("(VI_1) Expected unicast packet but received multicast packet"),
        },
        Mutation {
            what: "unicast advert to a multicast instance",
            fixture: "v2_unicast.1",
            mutate: no_change,
            expect: |e| e.unicast = false,
            err: E::CastMismatch {
                expected_unicast: false,
            },
            counter: Some(Counter::AddrListErr),
            log: Some("(VI_1) Expected multicast packet but received unicast packet"),
        },
        Mutation {
            what: "configured VIP missing from the advert",
            fixture: "v2_noauth.1",
            mutate: no_change,
            expect: |e| e.vips = Some(&OTHER_VIPS),
            err: E::VipMissing {
                vrid: 51,
                vip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 199)),
            },
            counter: Some(Counter::AddrListErr),
            log: Some(
                "(VI_1) ip address associated with VRID 51 not present in MASTER advert: \
                 192.0.2.199",
            ),
        },
    ]
}

#[test]
fn every_receive_check_failure() {
    let cases = v4_cases();
    for m in mutations() {
        let c = cases.iter().find(|c| c.name == m.fixture).unwrap();
        let mut bytes = load(m.fixture);
        (m.mutate)(&mut bytes);
        let vips = c.vips();
        let mut expect = c.expect(&vips);
        (m.expect)(&mut expect);
        let rx = if bytes.len() >= 20 {
            RxInfo::from_ipv4(&Ipv4Header::decode(&bytes).unwrap())
        } else {
            unreachable!()
        };
        let err = validate::check(&bytes, &rx, &expect).expect_err(m.what);
        assert_eq!(err, m.err, "{}", m.what);
        assert_eq!(err.counter(), m.counter, "{}", m.what);
        if let Some(log) = m.log {
            assert_eq!(
                err.log_message("VI_1", "eth0").as_deref(),
                Some(log),
                "{}",
                m.what
            );
        }
    }
}

#[test]
fn short_total_length_never_cuts_into_headers() {
    // An AH packet whose total length would end inside the AH header: the
    // buffer is not trimmed (no panic); the ICV, which covers the total
    // length, is the first check to fail, as in keepalived.
    let c = v4_cases()
        .into_iter()
        .find(|c| c.name == "v2_ah.1")
        .unwrap();
    let mut bytes = load(c.name);
    bytes[2..4].copy_from_slice(&30u16.to_be_bytes());
    fix_ip_checksum(&mut bytes);
    let vips = c.vips();
    let err = check_v4(&bytes, &c.expect(&vips)).unwrap_err();
    assert_eq!(err, DecodeError::AhIcv);
    assert!(Ipv4Packet::decode(&bytes, ChecksumMode::Rfc).is_err());
}

#[test]
fn ttl_is_not_checked_for_unicast() {
    let c = v4_cases()
        .into_iter()
        .find(|c| c.name == "v2_unicast.1")
        .unwrap();
    let mut bytes = load(c.name);
    bytes[8] = 60;
    fix_ip_checksum(&mut bytes);
    let vips = c.vips();
    assert!(check_v4(&bytes, &c.expect(&vips)).is_ok());
}

#[test]
fn vip_checks_skipped_without_vips() {
    let c = v4_cases()
        .into_iter()
        .find(|c| c.name == "v2_noauth.1")
        .unwrap();
    let bytes = load(c.name);
    let expect = Expect {
        vips: None,
        ..c.expect(&[])
    };
    assert!(check_v4(&bytes, &expect).is_ok());
}

#[test]
fn ah_spi_must_be_source_address() {
    // Build an AH packet whose SPI is not the source, with a valid ICV.
    let c = v4_cases()
        .into_iter()
        .find(|c| c.name == "v2_ah.1")
        .unwrap();
    let mut bytes = load(c.name);
    bytes[24..28].copy_from_slice(&[192, 0, 2, 9]);
    let icv = ah::icv(&bytes[..20], &bytes[20..44], &bytes[44..], &AH_KEY, false);
    bytes[32..44].copy_from_slice(&icv);
    let vips = c.vips();
    let err = check_v4(&bytes, &c.expect(&vips)).unwrap_err();
    let saddr = u32::from_le_bytes([192, 0, 2, 1]);
    let spi = u32::from_le_bytes([192, 0, 2, 9]);
    assert_eq!(err, DecodeError::AhSpi { saddr, spi });
    assert_eq!(
        err.log_message("VI_1", "eth0").unwrap(),
        format!("IPSEC AH : invalid IPSEC SPI value. {saddr} and expect {spi}")
    );
    assert_eq!(err.counter(), Some(Counter::AuthFailure));
}

#[test]
fn ah_icv_ignores_mutable_fields() {
    // TOS and fragment field may change in transit (RFC 2402 section 3.3.3.1.1.1).
    let c = v4_cases()
        .into_iter()
        .find(|c| c.name == "v2_ah.3")
        .unwrap();
    let mut bytes = load(c.name);
    bytes[1] = 0;
    bytes[6] = 0x40; // DF
    fix_ip_checksum(&mut bytes);
    let vips = c.vips();
    assert_eq!(check_v4(&bytes, &c.expect(&vips)).unwrap().ah_seq, Some(3));
    let parsed = AhHeader::decode(&bytes[20..]).unwrap();
    assert_eq!(parsed.encode()[..], bytes[20..44]);
}

#[test]
fn decode_rejects_bad_structure() {
    let ctx = Ctx::new(IpAddr::V4(SRC), IpAddr::V4(MCAST_GROUP4));
    let bytes = load("v2_noauth.1");
    let v = &bytes[20..];
    assert_eq!(
        Advert::decode(&v[..7], &ctx),
        Err(DecodeError::HeaderTooShort {
            family: Family::V4,
            ah: false,
            len: 7
        })
    );
    assert_eq!(
        Advert::decode(&v[..20], &ctx),
        Err(DecodeError::PacketLength {
            len: 20,
            expected: 24
        })
    );
    let mut v4 = v.to_vec();
    v4[0] = 0x41;
    assert_eq!(
        Advert::decode(&v4, &ctx),
        Err(DecodeError::UnknownVersion { version: 4 })
    );
    assert!(matches!(
        Ipv4Packet::decode(&[0x65; 40], ChecksumMode::Rfc),
        Err(DecodeError::BadIpHeader { version: 6, ihl: 5 })
    ));
}

// ===== property tests =====

fn arb_v4() -> impl Strategy<Value = IpAddr> {
    any::<[u8; 4]>().prop_map(|o| IpAddr::V4(o.into()))
}

fn arb_v6() -> impl Strategy<Value = IpAddr> {
    any::<[u8; 16]>().prop_map(|o| IpAddr::V6(o.into()))
}

fn arb_auth() -> impl Strategy<Value = Auth> {
    prop_oneof![
        Just(Auth::None),
        any::<[u8; 8]>().prop_map(Auth::Pass),
        Just(Auth::Ah)
    ]
}

/// Adverts with their checksum context: VRRPv2 over IPv4, VRRPv3 over IPv4
/// (any checksum mode) and VRRPv3 over IPv6.
fn arb_case() -> impl Strategy<Value = (Advert, Ctx)> {
    let head = (any::<u8>(), any::<u8>());
    let v2 = (
        head,
        1..=255u16,
        arb_auth(),
        prop::collection::vec(arb_v4(), 0..20),
        arb_v4(),
        arb_v4(),
    )
        .prop_map(|((vrid, priority), adver_int, auth, addrs, s, d)| {
            let a = Advert {
                version: Version::V2,
                vrid,
                priority,
                adver_int,
                auth,
                addrs,
            };
            (a, Ctx::new(s, d))
        });
    let mode = prop_oneof![
        Just(ChecksumMode::Rfc),
        Just(ChecksumMode::AsV2),
        any::<[u8; 4]>().prop_map(|g| ChecksumMode::OldUnicast { group: g.into() }),
    ];
    let v3v4 = (
        head,
        0..=4095u16,
        prop::collection::vec(arb_v4(), 0..20),
        arb_v4(),
        arb_v4(),
        mode,
    )
        .prop_map(|((vrid, priority), adver_int, addrs, src, dst, checksum)| {
            let a = Advert {
                version: Version::V3,
                vrid,
                priority,
                adver_int,
                auth: Auth::None,
                addrs,
            };
            (a, Ctx { src, dst, checksum })
        });
    let v3v6 = (
        head,
        0..=4095u16,
        prop::collection::vec(arb_v6(), 0..20),
        arb_v6(),
        arb_v6(),
    )
        .prop_map(|((vrid, priority), adver_int, addrs, s, d)| {
            let a = Advert {
                version: Version::V3,
                vrid,
                priority,
                adver_int,
                auth: Auth::None,
                addrs,
            };
            (a, Ctx::new(s, d))
        });
    prop_oneof![v2, v3v4, v3v6]
}

proptest! {
    #[test]
    fn advert_round_trips((a, ctx) in arb_case()) {
        let bytes = a.encode(&ctx);
        prop_assert_eq!(bytes.len(), Advert::wire_len(a.version, ctx.family(), a.addrs.len()));
        prop_assert_eq!(Advert::decode(&bytes, &ctx), Ok(a));
    }

    #[test]
    fn ipv4_packet_round_trips(
        (a, ctx) in arb_case().prop_filter("IPv4", |(_, c)| c.family() == Family::V4),
        id in any::<u16>(),
        seq in 1..u32::MAX,
        key in any::<[u8; 8]>(),
    ) {
        let (IpAddr::V4(src), IpAddr::V4(dst)) = (ctx.src, ctx.dst) else { unreachable!() };
        let unicast = !dst.is_multicast();
        let tx = Ipv4Tx { src, dst, ttl: 255, id, checksum: ctx.checksum, unicast, ah_seq: seq, ah_key: key };
        let bytes = Ipv4Packet::encode(&a, &tx);
        let p = Ipv4Packet::decode(&bytes, ctx.checksum).unwrap();
        prop_assert_eq!(&p.advert, &a);
        prop_assert_eq!(p.ip.id, id);
        prop_assert_eq!(p.ah.map(|h| h.seq), (a.auth == Auth::Ah).then_some(seq));
        prop_assert_eq!(Ipv4Packet::encode(&p.advert, &tx), bytes.clone());

        // And the receive path accepts what we send.
        let vips = a.addrs.clone();
        let expect = Expect {
            family: Family::V4,
            version: a.version,
            vrid: a.vrid,
            auth: a.auth.expect(key, seq - 1),
            adver_int_secs: a.adver_int,
            unicast,
            checksum: ctx.checksum,
            vips: Some(&vips),
        };
        let rx = RxInfo::from_ipv4(&p.ip);
        let acc = validate::check(&bytes, &rx, &expect);
        prop_assert_eq!(acc.map(|x| x.advert), Ok(a));
    }

    #[test]
    fn decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..120), v6 in any::<bool>()) {
        let ctx = if v6 {
            Ctx::new(IpAddr::V6(Ipv6Addr::LOCALHOST), IpAddr::V6(MCAST_GROUP6))
        } else {
            Ctx::new(IpAddr::V4(SRC), IpAddr::V4(MCAST_GROUP4))
        };
        let _ = Advert::decode(&bytes, &ctx);
        let _ = Ipv4Packet::decode(&bytes, ChecksumMode::Rfc);
        let vips = [v4(1)];
        let expect = Expect {
            family: if v6 { Family::V6 } else { Family::V4 },
            version: Version::V2,
            vrid: bytes.get(21).copied().unwrap_or(0),
            auth: ExpectAuth::Ah { key: AH_KEY, last_seq: 0 },
            adver_int_secs: 1,
            unicast: false,
            checksum: ChecksumMode::RfcOrOld { group: MCAST_GROUP4 },
            vips: Some(&vips),
        };
        let rx = RxInfo { ttl_hop_limit: Some(255), src: ctx.src, dst: ctx.dst, multicast: true };
        let _ = validate::check(&bytes, &rx, &expect);
    }
}

fn hex(b: &[u8]) -> String {
    b.chunks(16)
        .map(|l| {
            l.iter()
                .map(|x| format!("{x:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}
