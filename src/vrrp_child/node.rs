//! One configured `vrrp_instance` as the driver holds it: the pure state
//! machine plus what only the driver needs (interface, addresses to send
//! to, advert parameters, authentication state, counters).

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::config::model::{AuthType, Config, IpAddressLine, VrrpInstance};
use crate::proto::vrrp::validate::{Expect, ExpectAuth};
use crate::proto::vrrp::{Auth, ChecksumMode, Family, MCAST_GROUP4, MCAST_GROUP6, Version};
use crate::vrrp::{Instance, Settings};

use super::iface::IfaceInfo;
use super::net::PoolKey;
use super::tx::AdvertParams;

/// Counters in keepalived's names (`keepalived.stats`, JSON).
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub advert_rcvd: u64,
    pub advert_sent: u64,
    pub become_master: u64,
    pub release_master: u64,
    pub pri_zero_rcvd: u64,
    pub pri_zero_sent: u64,
    /// Receive errors by keepalived's counter name.
    pub errors: BTreeMap<&'static str, u64>,
}

pub struct Node {
    pub fsm: Instance,
    /// The instance's configuration (notify scripts and the like).
    pub inst: VrrpInstance,
    pub name: String,
    pub vrid: u8,
    pub family: Family,
    pub key: PoolKey,
    /// The interface adverts go out of.
    pub ifname: String,
    /// The default interface of the VIPs (the VMAC with `use_vmac`).
    pub vip_dev: String,
    pub mac: [u8; 6],
    /// Source address of our adverts (configured, else the interface's).
    pub src: Option<IpAddr>,
    /// The group, or every unicast peer.
    pub dsts: Vec<IpAddr>,
    pub unicast: bool,
    pub params: AdvertParams,
    pub auth: ExpectAuth,
    pub ah_last_seq: u32,
    pub ah_seq: u32,
    pub ip_id: u16,
    pub vips: Vec<IpAddressLine>,
    pub evips: Vec<IpAddressLine>,
    /// The addresses listed in our adverts, for the receive check.
    pub vip_addrs: Vec<IpAddr>,
    pub skip_check_adv_addr: bool,
    pub stats: Stats,
    /// Everything configuration-derived that matters on the wire and in the
    /// kernel, as text: a reload keeps the running node (and its state)
    /// when this is unchanged.
    pub fingerprint: String,
}

impl Node {
    /// Builds the node of `inst` on interface `iface`.
    pub fn new(cfg: &Config, inst: &VrrpInstance, iface: &IfaceInfo) -> Node {
        let settings = Settings::from_config(cfg, inst);
        let version = settings.version;
        let family = match inst.family {
            Some(crate::config::model::Family::V6) => Family::V6,
            _ => Family::V4,
        };
        let v6 = family == Family::V6;
        let vip_addrs: Vec<IpAddr> = inst
            .vips
            .iter()
            .map(|v| v.addr)
            .filter(|a| a.is_ipv6() == v6)
            .take(255)
            .collect();
        let peers: Vec<IpAddr> = inst.unicast_peers.iter().map(|p| p.addr).collect();
        let unicast = !peers.is_empty();
        let group = inst.mcast_dst_ip.unwrap_or(if v6 {
            cfg.global
                .vrrp_mcast_group6
                .unwrap_or(IpAddr::V6(MCAST_GROUP6))
        } else {
            cfg.global
                .vrrp_mcast_group4
                .unwrap_or(IpAddr::V4(MCAST_GROUP4))
        });
        let group4 = match group {
            IpAddr::V4(g) => g,
            IpAddr::V6(_) => MCAST_GROUP4,
        };
        let dsts = if unicast { peers } else { vec![group] };
        let (auth, key) = match (&inst.auth, version) {
            (Some((AuthType::Pass, pass)), Version::V2) => {
                let p = Auth::password(pass.as_deref().unwrap_or("").as_bytes());
                (Auth::Pass(p), p)
            }
            (Some((AuthType::Ah, pass)), Version::V2) => (
                Auth::Ah,
                Auth::password(pass.as_deref().unwrap_or("").as_bytes()),
            ),
            _ => (Auth::None, [0; 8]),
        };
        let expect_auth = match auth {
            Auth::None => ExpectAuth::None,
            Auth::Pass(p) => ExpectAuth::Pass(p),
            Auth::Ah => ExpectAuth::Ah { key, last_seq: 0 },
        };
        let checksum = if unicast && version == Version::V3 && !v6 {
            ChecksumMode::RfcOrOld { group: group4 }
        } else {
            ChecksumMode::Rfc
        };
        let configured_src = inst.unicast_src_ip.or(inst.mcast_src_ip);
        let src = configured_src.or_else(|| iface.source(v6, &vip_addrs));
        let params = AdvertParams {
            version,
            vrid: inst.vrid.unwrap_or(0),
            adver_int: settings.adver_int,
            auth,
            ah_key: key,
            addrs: vip_addrs.clone(),
            checksum,
            unicast,
            unicast_ttl: inst.unicast_ttl.unwrap_or(255),
        };
        let strip = |v: &[IpAddressLine]| -> Vec<String> {
            v.iter()
                .map(|l| {
                    format!(
                        "{} {} {:?} {:?} {:?} {:?} {:?} {} {:?}",
                        l.addr,
                        l.prefix,
                        l.dev,
                        l.brd,
                        l.scope,
                        l.label,
                        l.peer,
                        l.no_track,
                        l.options
                    )
                })
                .collect()
        };
        let fingerprint = format!(
            "{settings:?}|{params:?}|{dsts:?}|{:?}|{:?}|{}|{}",
            strip(&inst.vips),
            strip(&inst.evips),
            iface.index,
            inst.skip_check_adv_addr
        );
        let mut fsm = Instance::new(settings);
        if configured_src.is_none() {
            let _ = fsm.handle(0, crate::vrrp::Input::SourceAddress(src));
        }
        Node {
            fsm,
            inst: inst.clone(),
            name: inst.name.clone(),
            vrid: inst.vrid.unwrap_or(0),
            family,
            key: PoolKey {
                ifindex: iface.index,
                v6,
            },
            ifname: iface.name.clone(),
            vip_dev: iface.name.clone(),
            mac: iface.mac,
            src,
            dsts,
            unicast,
            params,
            auth: expect_auth,
            ah_last_seq: 0,
            ah_seq: 0,
            ip_id: 0,
            vips: inst.vips.clone(),
            evips: inst.evips.clone(),
            vip_addrs,
            skip_check_adv_addr: inst.skip_check_adv_addr,
            stats: Stats::default(),
            fingerprint,
        }
    }

    /// What the receive checks expect; `from_master` skips the address list
    /// check with `skip_check_adv_addr`.
    pub fn expect(&self, from_master: bool) -> Expect<'_> {
        Expect {
            family: self.family,
            version: self.params.version,
            vrid: self.vrid,
            auth: match self.auth {
                ExpectAuth::Ah { key, .. } => ExpectAuth::Ah {
                    key,
                    last_seq: self.ah_last_seq,
                },
                a => a,
            },
            adver_int_secs: (self.params.adver_int / 1_000_000) as u16,
            unicast: self.unicast,
            checksum: self.params.checksum,
            vips: if self.skip_check_adv_addr && from_master {
                None
            } else {
                Some(&self.vip_addrs)
            },
        }
    }

    /// The packets of one advert with `priority`: (bytes, destination).
    pub fn adverts(&mut self, priority: u8) -> Vec<(Vec<u8>, IpAddr)> {
        let mut out = Vec::with_capacity(self.dsts.len());
        let Some(src) = self.src else {
            return out;
        };
        for dst in self.dsts.clone() {
            match (src, dst) {
                (IpAddr::V4(s), IpAddr::V4(d)) => {
                    // keepalived numbers its IP ids from 1 and its AH
                    // sequence numbers likewise, per packet.
                    self.ip_id = self.ip_id.wrapping_add(1);
                    if self.params.auth == Auth::Ah {
                        self.ah_seq = self.ah_seq.wrapping_add(1);
                    }
                    out.push((
                        self.params
                            .ipv4_packet(priority, s, d, self.ip_id, self.ah_seq),
                        dst,
                    ));
                }
                (IpAddr::V6(_), IpAddr::V6(_)) => {
                    out.push((self.params.ipv6_message(priority, src, dst), dst));
                }
                _ => {}
            }
        }
        out
    }
}

/// The interface an instance runs on (its `interface`, else the one of
/// its first VIP with a `dev`).
pub fn instance_ifname(inst: &VrrpInstance) -> Option<String> {
    inst.interface
        .clone()
        .or_else(|| inst.vips.iter().find_map(|v| v.dev.clone()))
}
