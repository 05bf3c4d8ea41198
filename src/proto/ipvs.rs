//! The IPVS generic-netlink family (`linux/ip_vs.h`): commands, attribute
//! enums, and the typed `Service` / `Dest` the checker works with.
//!
//! Two layers: the attribute enums mirror the wire one attribute per variant
//! (with `Other(kind, bytes)` so a newer kernel's additions never break a
//! dump), and the typed structs are what the rest of the daemon compares and
//! sends. Encoding follows libipvs/`ipvsadm` attribute order so our requests
//! are byte-identical to the captured fixtures in `testdata/ipvs/`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::genl::{AttrWriter, DecodeError, GenlPayload, RawAttr};

pub const IPVS_GENL_NAME: &str = "IPVS";
pub const IPVS_GENL_VERSION: u8 = 1;

pub const AF_INET: u16 = 2;
pub const AF_INET6: u16 = 10;
pub const IPPROTO_TCP: u16 = 6;
pub const IPPROTO_UDP: u16 = 17;
pub const IPPROTO_SCTP: u16 = 132;

/// Service flags (`IP_VS_SVC_F_*`).
pub const SVC_F_PERSISTENT: u32 = 0x1;
/// Set by the kernel on every service in its table; never ours to send.
pub const SVC_F_HASHED: u32 = 0x2;
pub const SVC_F_ONEPACKET: u32 = 0x4;
pub const SVC_F_SCHED1: u32 = 0x8;
pub const SVC_F_SCHED2: u32 = 0x10;
pub const SVC_F_SCHED3: u32 = 0x20;

/// IPVS generic-netlink commands (`IPVS_CMD_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    NewService,
    SetService,
    DelService,
    GetService,
    NewDest,
    SetDest,
    DelDest,
    GetDest,
    NewDaemon,
    DelDaemon,
    GetDaemon,
    SetConfig,
    GetConfig,
    SetInfo,
    GetInfo,
    Zero,
    Flush,
    Other(u8),
}

impl Command {
    pub fn to_u8(self) -> u8 {
        use Command::*;
        match self {
            NewService => 1,
            SetService => 2,
            DelService => 3,
            GetService => 4,
            NewDest => 5,
            SetDest => 6,
            DelDest => 7,
            GetDest => 8,
            NewDaemon => 9,
            DelDaemon => 10,
            GetDaemon => 11,
            SetConfig => 12,
            GetConfig => 13,
            SetInfo => 14,
            GetInfo => 15,
            Zero => 16,
            Flush => 17,
            Other(n) => n,
        }
    }
    pub fn from_u8(n: u8) -> Self {
        use Command::*;
        match n {
            1 => NewService,
            2 => SetService,
            3 => DelService,
            4 => GetService,
            5 => NewDest,
            6 => SetDest,
            7 => DelDest,
            8 => GetDest,
            9 => NewDaemon,
            10 => DelDaemon,
            11 => GetDaemon,
            12 => SetConfig,
            13 => GetConfig,
            14 => SetInfo,
            15 => GetInfo,
            16 => Zero,
            17 => Flush,
            n => Other(n),
        }
    }
}

macro_rules! decode_attrs {
    ($iter:expr, $parse:path) => {
        $iter
            .map(|a| a.and_then(|a| $parse(&a)))
            .collect::<Result<Vec<_>, DecodeError>>()
    };
}

/// `IPVS_STATS_ATTR_*`, used in both STATS (u32 counters, u64 bytes) and
/// STATS64 (all u64) nests; values are widened to u64 on decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatsAttr {
    Conns(u64),
    InPkts(u64),
    OutPkts(u64),
    InBytes(u64),
    OutBytes(u64),
    Cps(u64),
    InPps(u64),
    OutPps(u64),
    InBps(u64),
    OutBps(u64),
    Other(u16, Vec<u8>),
}

impl StatsAttr {
    pub fn parse(a: &RawAttr<'_>) -> Result<Self, DecodeError> {
        use StatsAttr::*;
        let v = || a.uint();
        Ok(match a.kind {
            1 => Conns(v()?),
            2 => InPkts(v()?),
            3 => OutPkts(v()?),
            4 => InBytes(v()?),
            5 => OutBytes(v()?),
            6 => Cps(v()?),
            7 => InPps(v()?),
            8 => OutPps(v()?),
            9 => InBps(v()?),
            10 => OutBps(v()?),
            k => Other(k, a.value.to_vec()),
        })
    }
    /// Emits as in a STATS64 nest (every counter u64).
    pub fn emit(&self, w: &mut AttrWriter) {
        use StatsAttr::*;
        let (k, v) = match self {
            Conns(v) => (1, v),
            InPkts(v) => (2, v),
            OutPkts(v) => (3, v),
            InBytes(v) => (4, v),
            OutBytes(v) => (5, v),
            Cps(v) => (6, v),
            InPps(v) => (7, v),
            OutPps(v) => (8, v),
            InBps(v) => (9, v),
            OutBps(v) => (10, v),
            Other(k, b) => return w.bytes(*k, b),
        };
        w.u64(k, *v);
    }
}

/// Traffic counters of a service or destination (read-only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub conns: u64,
    pub inpkts: u64,
    pub outpkts: u64,
    pub inbytes: u64,
    pub outbytes: u64,
    pub cps: u64,
    pub inpps: u64,
    pub outpps: u64,
    pub inbps: u64,
    pub outbps: u64,
}

impl Stats {
    pub fn from_attrs(attrs: &[StatsAttr]) -> Self {
        let mut s = Stats::default();
        for a in attrs {
            match *a {
                StatsAttr::Conns(v) => s.conns = v,
                StatsAttr::InPkts(v) => s.inpkts = v,
                StatsAttr::OutPkts(v) => s.outpkts = v,
                StatsAttr::InBytes(v) => s.inbytes = v,
                StatsAttr::OutBytes(v) => s.outbytes = v,
                StatsAttr::Cps(v) => s.cps = v,
                StatsAttr::InPps(v) => s.inpps = v,
                StatsAttr::OutPps(v) => s.outpps = v,
                StatsAttr::InBps(v) => s.inbps = v,
                StatsAttr::OutBps(v) => s.outbps = v,
                StatsAttr::Other(..) => {}
            }
        }
        s
    }
}

/// `IPVS_SVC_ATTR_*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SvcAttr {
    Af(u16),
    Protocol(u16),
    /// `nf_inet_addr`: 16 bytes from libipvs and the kernel, 4 accepted.
    Addr(Vec<u8>),
    /// Host order here; network order on the wire.
    Port(u16),
    Fwmark(u32),
    SchedName(String),
    Flags {
        flags: u32,
        mask: u32,
    },
    Timeout(u32),
    Netmask(u32),
    Stats(Vec<StatsAttr>),
    PeName(String),
    Stats64(Vec<StatsAttr>),
    Other(u16, Vec<u8>),
}

impl SvcAttr {
    pub fn parse(a: &RawAttr<'_>) -> Result<Self, DecodeError> {
        use SvcAttr::*;
        Ok(match a.kind {
            1 => Af(a.u16()?),
            2 => Protocol(a.u16()?),
            3 => Addr(a.value.to_vec()),
            4 => Port(a.u16_be()?),
            5 => Fwmark(a.u32()?),
            6 => SchedName(a.string()?),
            7 => {
                let b = a.u64()?.to_ne_bytes();
                Flags {
                    flags: u32::from_ne_bytes(b[0..4].try_into().expect("4")),
                    mask: u32::from_ne_bytes(b[4..8].try_into().expect("4")),
                }
            }
            8 => Timeout(a.u32()?),
            9 => Netmask(a.u32()?),
            10 => Stats(decode_attrs!(a.nested(), StatsAttr::parse)?),
            11 => PeName(a.string()?),
            12 => Stats64(decode_attrs!(a.nested(), StatsAttr::parse)?),
            k => Other(k, a.value.to_vec()),
        })
    }
    pub fn emit(&self, w: &mut AttrWriter) {
        use SvcAttr::*;
        match self {
            Af(v) => w.u16(1, *v),
            Protocol(v) => w.u16(2, *v),
            Addr(b) => w.bytes(3, b),
            Port(p) => w.u16_be(4, *p),
            Fwmark(v) => w.u32(5, *v),
            SchedName(s) => w.string(6, s),
            Flags { flags, mask } => {
                let mut b = flags.to_ne_bytes().to_vec();
                b.extend(mask.to_ne_bytes());
                w.bytes(7, &b)
            }
            Timeout(v) => w.u32(8, *v),
            Netmask(v) => w.u32(9, *v),
            Stats(s) => w.nest(10, |w| s.iter().for_each(|a| a.emit(w))),
            PeName(s) => w.string(11, s),
            Stats64(s) => w.nest(12, |w| s.iter().for_each(|a| a.emit(w))),
            Other(k, b) => w.bytes(*k, b),
        }
    }
}

/// `IPVS_DEST_ATTR_*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DestAttr {
    Addr(Vec<u8>),
    Port(u16),
    FwdMethod(u32),
    Weight(u32),
    UThresh(u32),
    LThresh(u32),
    ActiveConns(u32),
    InactConns(u32),
    PersistConns(u32),
    Stats(Vec<StatsAttr>),
    AddrFamily(u16),
    Stats64(Vec<StatsAttr>),
    TunType(u8),
    /// Host order here; network order on the wire.
    TunPort(u16),
    TunFlags(u16),
    Other(u16, Vec<u8>),
}

impl DestAttr {
    pub fn parse(a: &RawAttr<'_>) -> Result<Self, DecodeError> {
        use DestAttr::*;
        Ok(match a.kind {
            1 => Addr(a.value.to_vec()),
            2 => Port(a.u16_be()?),
            3 => FwdMethod(a.u32()?),
            4 => Weight(a.u32()?),
            5 => UThresh(a.u32()?),
            6 => LThresh(a.u32()?),
            7 => ActiveConns(a.u32()?),
            8 => InactConns(a.u32()?),
            9 => PersistConns(a.u32()?),
            10 => Stats(decode_attrs!(a.nested(), StatsAttr::parse)?),
            11 => AddrFamily(a.u16()?),
            12 => Stats64(decode_attrs!(a.nested(), StatsAttr::parse)?),
            13 => TunType(a.u8()?),
            14 => TunPort(a.u16_be()?),
            15 => TunFlags(a.u16()?),
            k => Other(k, a.value.to_vec()),
        })
    }
    pub fn emit(&self, w: &mut AttrWriter) {
        use DestAttr::*;
        match self {
            Addr(b) => w.bytes(1, b),
            Port(p) => w.u16_be(2, *p),
            FwdMethod(v) => w.u32(3, *v),
            Weight(v) => w.u32(4, *v),
            UThresh(v) => w.u32(5, *v),
            LThresh(v) => w.u32(6, *v),
            ActiveConns(v) => w.u32(7, *v),
            InactConns(v) => w.u32(8, *v),
            PersistConns(v) => w.u32(9, *v),
            Stats(s) => w.nest(10, |w| s.iter().for_each(|a| a.emit(w))),
            AddrFamily(v) => w.u16(11, *v),
            Stats64(s) => w.nest(12, |w| s.iter().for_each(|a| a.emit(w))),
            TunType(v) => w.u8(13, *v),
            TunPort(p) => w.u16_be(14, *p),
            TunFlags(v) => w.u16(15, *v),
            Other(k, b) => w.bytes(*k, b),
        }
    }
}

/// `IPVS_DAEMON_ATTR_*` (the connection-sync daemon, `lvs_sync_daemon`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaemonAttr {
    /// MASTER 1, BACKUP 2.
    State(u32),
    McastIfn(String),
    SyncId(u32),
    SyncMaxlen(u16),
    McastGroup(Ipv4Addr),
    McastGroup6(Ipv6Addr),
    McastPort(u16),
    McastTtl(u8),
    Other(u16, Vec<u8>),
}

impl DaemonAttr {
    pub fn parse(a: &RawAttr<'_>) -> Result<Self, DecodeError> {
        use DaemonAttr::*;
        Ok(match a.kind {
            1 => State(a.u32()?),
            2 => McastIfn(a.string()?),
            3 => SyncId(a.u32()?),
            4 => SyncMaxlen(a.u16()?),
            // in_addr: network order bytes
            5 => McastGroup(Ipv4Addr::from(a.u32()?.to_ne_bytes())),
            6 => McastGroup6(Ipv6Addr::from(<[u8; 16]>::try_from(a.value).map_err(
                |_| DecodeError::BadLength {
                    kind: 6,
                    len: a.value.len(),
                    expected: "16",
                },
            )?)),
            7 => McastPort(a.u16_be()?),
            8 => McastTtl(a.u8()?),
            k => Other(k, a.value.to_vec()),
        })
    }
    pub fn emit(&self, w: &mut AttrWriter) {
        use DaemonAttr::*;
        match self {
            State(v) => w.u32(1, *v),
            McastIfn(s) => w.string(2, s),
            SyncId(v) => w.u32(3, *v),
            SyncMaxlen(v) => w.u16(4, *v),
            McastGroup(a) => w.bytes(5, &a.octets()),
            McastGroup6(a) => w.bytes(6, &a.octets()),
            McastPort(p) => w.u16_be(7, *p),
            McastTtl(v) => w.u8(8, *v),
            Other(k, b) => w.bytes(*k, b),
        }
    }
}

/// `IPVS_INFO_ATTR_*`: the top-level attributes of the GET_INFO reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfoAttr {
    Version(u32),
    ConnTabSize(u32),
    Other(u16, Vec<u8>),
}

impl InfoAttr {
    pub fn parse(a: &RawAttr<'_>) -> Result<Self, DecodeError> {
        Ok(match a.kind {
            1 => InfoAttr::Version(a.u32()?),
            2 => InfoAttr::ConnTabSize(a.u32()?),
            k => InfoAttr::Other(k, a.value.to_vec()),
        })
    }
}

/// `IPVS_CMD_ATTR_*`: the top level of every request and dump reply (except
/// the GET_INFO reply, whose top level is `InfoAttr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdAttr {
    Service(Vec<SvcAttr>),
    Dest(Vec<DestAttr>),
    Daemon(Vec<DaemonAttr>),
    TimeoutTcp(u32),
    TimeoutTcpFin(u32),
    TimeoutUdp(u32),
    Other(u16, Vec<u8>),
}

impl CmdAttr {
    pub fn parse(a: &RawAttr<'_>) -> Result<Self, DecodeError> {
        use CmdAttr::*;
        Ok(match a.kind {
            1 => Service(decode_attrs!(a.nested(), SvcAttr::parse)?),
            2 => Dest(decode_attrs!(a.nested(), DestAttr::parse)?),
            3 => Daemon(decode_attrs!(a.nested(), DaemonAttr::parse)?),
            4 => TimeoutTcp(a.u32()?),
            5 => TimeoutTcpFin(a.u32()?),
            6 => TimeoutUdp(a.u32()?),
            k => Other(k, a.value.to_vec()),
        })
    }
    pub fn emit(&self, w: &mut AttrWriter) {
        use CmdAttr::*;
        match self {
            Service(v) => w.nest(1, |w| v.iter().for_each(|a| a.emit(w))),
            Dest(v) => w.nest(2, |w| v.iter().for_each(|a| a.emit(w))),
            Daemon(v) => w.nest(3, |w| v.iter().for_each(|a| a.emit(w))),
            TimeoutTcp(v) => w.u32(4, *v),
            TimeoutTcpFin(v) => w.u32(5, *v),
            TimeoutUdp(v) => w.u32(6, *v),
            Other(k, b) => w.bytes(*k, b),
        }
    }
}

/// One IPVS generic-netlink message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpvsMessage {
    pub cmd: Command,
    pub attrs: Vec<CmdAttr>,
}

impl IpvsMessage {
    pub fn new(cmd: Command, attrs: Vec<CmdAttr>) -> Self {
        IpvsMessage { cmd, attrs }
    }
    /// The attribute bytes (what follows `genlmsghdr`).
    pub fn attr_bytes(&self) -> Vec<u8> {
        let mut w = AttrWriter::new();
        self.attrs.iter().for_each(|a| a.emit(&mut w));
        w.buf
    }
    /// `genlmsghdr` + attributes, as stored in the fixtures.
    pub fn to_payload(&self) -> Vec<u8> {
        let mut v = vec![self.cmd.to_u8(), IPVS_GENL_VERSION, 0, 0];
        v.extend(self.attr_bytes());
        v
    }
    /// Decodes a `genlmsghdr` + attributes payload. The GET_INFO reply
    /// (SET_INFO) carries `InfoAttr`s instead: use [`Info::parse`] for it.
    pub fn parse(payload: &[u8]) -> Result<Self, DecodeError> {
        let g = GenlPayload::parse(payload)?;
        Ok(IpvsMessage {
            cmd: Command::from_u8(g.cmd),
            attrs: decode_attrs!(g.attrs(), CmdAttr::parse)?,
        })
    }
}

/// How a service is identified in the kernel table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceId {
    /// `protocol` is an IPPROTO number (TCP 6, UDP 17, SCTP 132).
    Addr {
        protocol: u16,
        addr: IpAddr,
        port: u16,
    },
    /// `af` is AF_INET or AF_INET6.
    Fwmark { af: u16, mark: u32 },
}

impl ServiceId {
    pub fn af(&self) -> u16 {
        match self {
            ServiceId::Addr { addr, .. } => af_of(addr),
            ServiceId::Fwmark { af, .. } => *af,
        }
    }
    /// The identifying attributes, in libipvs order.
    pub fn attrs(&self) -> Vec<SvcAttr> {
        match *self {
            ServiceId::Addr {
                protocol,
                addr,
                port,
            } => vec![
                SvcAttr::Af(af_of(&addr)),
                SvcAttr::Protocol(protocol),
                SvcAttr::Addr(addr16(&addr)),
                SvcAttr::Port(port),
            ],
            ServiceId::Fwmark { af, mark } => vec![SvcAttr::Af(af), SvcAttr::Fwmark(mark)],
        }
    }
}

impl std::fmt::Display for ServiceId {
    /// keepalived's log format: `[IP]:proto:port`, `FWM N`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServiceId::Addr {
                protocol,
                addr,
                port,
            } => {
                let p = match *protocol {
                    IPPROTO_TCP => "tcp",
                    IPPROTO_UDP => "udp",
                    IPPROTO_SCTP => "sctp",
                    _ => "?",
                };
                write!(f, "[{addr}]:{p}:{port}")
            }
            ServiceId::Fwmark { mark, .. } => write!(f, "FWM {mark}"),
        }
    }
}

fn af_of(a: &IpAddr) -> u16 {
    if a.is_ipv4() { AF_INET } else { AF_INET6 }
}

/// `nf_inet_addr` as libipvs sends it: always 16 bytes, IPv4 in the first 4.
fn addr16(a: &IpAddr) -> Vec<u8> {
    let mut v = match a {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    };
    v.resize(16, 0);
    v
}

fn addr_from(af: u16, b: &[u8]) -> Result<IpAddr, DecodeError> {
    let bad = || DecodeError::BadLength {
        kind: 3,
        len: b.len(),
        expected: "4 or 16 (address)",
    };
    match af {
        AF_INET if b.len() >= 4 => Ok(IpAddr::from(
            <[u8; 4]>::try_from(&b[..4]).map_err(|_| bad())?,
        )),
        AF_INET6 if b.len() >= 16 => Ok(IpAddr::from(
            <[u8; 16]>::try_from(&b[..16]).map_err(|_| bad())?,
        )),
        _ => Err(bad()),
    }
}

/// A virtual service: identity plus the settings keepalived drives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: ServiceId,
    pub sched_name: String,
    /// `SVC_F_*` bits to set; on decode, what the kernel reports (it adds
    /// `SVC_F_HASHED`).
    pub flags: u32,
    /// Which flag bits `flags` speaks for; libipvs sends all ones.
    pub flags_mask: u32,
    /// Persistence timeout in seconds (0: not persistent).
    pub timeout: u32,
    /// Persistence granularity: an IPv4 mask in network order as a u32
    /// (255.255.255.255 = 0xffff_ffff), or an IPv6 prefix length.
    pub netmask: u32,
    pub pe_name: Option<String>,
    /// Read-only counters from a dump (STATS64 preferred).
    pub stats: Option<Stats>,
}

impl Service {
    /// A service with ipvsadm's defaults: no flags, no persistence, full mask.
    pub fn new(id: ServiceId, sched_name: &str) -> Self {
        Service {
            id,
            sched_name: sched_name.to_string(),
            flags: 0,
            flags_mask: u32::MAX,
            timeout: 0,
            netmask: if id.af() == AF_INET6 { 128 } else { u32::MAX },
            pe_name: None,
            stats: None,
        }
    }

    /// The full attribute list, in libipvs order.
    pub fn attrs(&self) -> Vec<SvcAttr> {
        let mut v = self.id.attrs();
        v.push(SvcAttr::SchedName(self.sched_name.clone()));
        if let Some(pe) = &self.pe_name {
            v.push(SvcAttr::PeName(pe.clone()));
        }
        v.push(SvcAttr::Flags {
            flags: self.flags,
            mask: self.flags_mask,
        });
        v.push(SvcAttr::Timeout(self.timeout));
        v.push(SvcAttr::Netmask(self.netmask));
        v
    }

    pub fn from_attrs(attrs: &[SvcAttr]) -> Result<Self, DecodeError> {
        let (mut af, mut proto, mut addr, mut port, mut mark) = (None, None, None, None, None);
        let mut s = Service {
            id: ServiceId::Fwmark { af: 0, mark: 0 },
            sched_name: String::new(),
            flags: 0,
            flags_mask: 0,
            timeout: 0,
            netmask: 0,
            pe_name: None,
            stats: None,
        };
        let mut stats64 = None;
        for a in attrs {
            match a {
                SvcAttr::Af(v) => af = Some(*v),
                SvcAttr::Protocol(v) => proto = Some(*v),
                SvcAttr::Addr(b) => addr = Some(b.clone()),
                SvcAttr::Port(p) => port = Some(*p),
                SvcAttr::Fwmark(m) => mark = Some(*m),
                SvcAttr::SchedName(n) => s.sched_name = n.clone(),
                SvcAttr::Flags { flags, mask } => {
                    s.flags = *flags;
                    s.flags_mask = *mask;
                }
                SvcAttr::Timeout(t) => s.timeout = *t,
                SvcAttr::Netmask(m) => s.netmask = *m,
                SvcAttr::PeName(n) => s.pe_name = Some(n.clone()),
                SvcAttr::Stats(st) => s.stats = Some(Stats::from_attrs(st)),
                SvcAttr::Stats64(st) => stats64 = Some(Stats::from_attrs(st)),
                SvcAttr::Other(..) => {}
            }
        }
        s.stats = stats64.or(s.stats);
        let af = af.ok_or(DecodeError::Missing("IPVS_SVC_ATTR_AF"))?;
        s.id = match (mark, proto, addr, port) {
            (Some(mark), _, _, _) if mark != 0 => ServiceId::Fwmark { af, mark },
            (_, Some(protocol), Some(addr), Some(port)) => ServiceId::Addr {
                protocol,
                addr: addr_from(af, &addr)?,
                port,
            },
            _ => {
                return Err(DecodeError::Missing(
                    "IPVS_SVC_ATTR_FWMARK or PROTOCOL/ADDR/PORT",
                ));
            }
        };
        Ok(s)
    }
}

/// Forwarding method (`IP_VS_CONN_F_*` & `IP_VS_CONN_F_FWD_MASK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FwdMethod {
    /// NAT (`lb_kind NAT`).
    Masq,
    LocalNode,
    Tunnel,
    /// Direct routing (`lb_kind DR`).
    DRoute,
    Bypass,
}

impl FwdMethod {
    pub fn to_u32(self) -> u32 {
        match self {
            FwdMethod::Masq => 0,
            FwdMethod::LocalNode => 1,
            FwdMethod::Tunnel => 2,
            FwdMethod::DRoute => 3,
            FwdMethod::Bypass => 4,
        }
    }
    pub fn from_u32(v: u32) -> Self {
        match v & 0x7 {
            1 => FwdMethod::LocalNode,
            2 => FwdMethod::Tunnel,
            3 => FwdMethod::DRoute,
            4 => FwdMethod::Bypass,
            _ => FwdMethod::Masq,
        }
    }
}

/// Tunnel encapsulation (`IP_VS_CONN_F_TUNNEL_TYPE_*`).
pub const TUN_TYPE_IPIP: u8 = 0;
pub const TUN_TYPE_GUE: u8 = 1;
pub const TUN_TYPE_GRE: u8 = 2;
/// Tunnel checksum flags (`IP_VS_TUNNEL_ENCAP_FLAG_*`).
pub const TUN_FLAG_NOCSUM: u16 = 0;
pub const TUN_FLAG_CSUM: u16 = 1;
pub const TUN_FLAG_REMCSUM: u16 = 2;

/// A real server (destination) of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dest {
    pub addr: IpAddr,
    pub port: u16,
    pub fwd_method: FwdMethod,
    pub weight: u32,
    pub u_thresh: u32,
    pub l_thresh: u32,
    pub tun_type: u8,
    /// GUE port (host order).
    pub tun_port: u16,
    pub tun_flags: u16,
    /// Read-only connection counters and stats from a dump.
    pub active_conns: u32,
    pub inact_conns: u32,
    pub persist_conns: u32,
    pub stats: Option<Stats>,
}

impl Dest {
    pub fn new(addr: IpAddr, port: u16, fwd_method: FwdMethod, weight: u32) -> Self {
        Dest {
            addr,
            port,
            fwd_method,
            weight,
            u_thresh: 0,
            l_thresh: 0,
            tun_type: TUN_TYPE_IPIP,
            tun_port: 0,
            tun_flags: TUN_FLAG_NOCSUM,
            active_conns: 0,
            inact_conns: 0,
            persist_conns: 0,
            stats: None,
        }
    }

    pub fn af(&self) -> u16 {
        af_of(&self.addr)
    }

    /// The attribute list in libipvs order (tunnel attributes always sent,
    /// as `ipvsadm` does; the kernel ignores them for other methods).
    pub fn attrs(&self) -> Vec<DestAttr> {
        vec![
            DestAttr::AddrFamily(self.af()),
            DestAttr::Addr(addr16(&self.addr)),
            DestAttr::Port(self.port),
            DestAttr::FwdMethod(self.fwd_method.to_u32()),
            DestAttr::Weight(self.weight),
            DestAttr::TunType(self.tun_type),
            DestAttr::TunPort(self.tun_port),
            DestAttr::TunFlags(self.tun_flags),
            DestAttr::UThresh(self.u_thresh),
            DestAttr::LThresh(self.l_thresh),
        ]
    }

    /// Decodes a dump entry; `svc_af` is the service's family, used when an
    /// old kernel omits ADDR_FAMILY.
    pub fn from_attrs(attrs: &[DestAttr], svc_af: u16) -> Result<Self, DecodeError> {
        let mut af = svc_af;
        let mut addr = None;
        let mut d = Dest::new(IpAddr::from([0, 0, 0, 0]), 0, FwdMethod::Masq, 0);
        let mut stats64 = None;
        for a in attrs {
            match a {
                DestAttr::Addr(b) => addr = Some(b.clone()),
                DestAttr::Port(p) => d.port = *p,
                DestAttr::FwdMethod(m) => d.fwd_method = FwdMethod::from_u32(*m),
                DestAttr::Weight(w) => d.weight = *w,
                DestAttr::UThresh(v) => d.u_thresh = *v,
                DestAttr::LThresh(v) => d.l_thresh = *v,
                DestAttr::ActiveConns(v) => d.active_conns = *v,
                DestAttr::InactConns(v) => d.inact_conns = *v,
                DestAttr::PersistConns(v) => d.persist_conns = *v,
                DestAttr::Stats(s) => d.stats = Some(Stats::from_attrs(s)),
                DestAttr::AddrFamily(f) => af = *f,
                DestAttr::Stats64(s) => stats64 = Some(Stats::from_attrs(s)),
                DestAttr::TunType(v) => d.tun_type = *v,
                DestAttr::TunPort(v) => d.tun_port = *v,
                DestAttr::TunFlags(v) => d.tun_flags = *v,
                DestAttr::Other(..) => {}
            }
        }
        d.stats = stats64.or(d.stats);
        d.addr = addr_from(
            af,
            &addr.ok_or(DecodeError::Missing("IPVS_DEST_ATTR_ADDR"))?,
        )?;
        Ok(d)
    }
}

/// What GET_INFO reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Info {
    /// `major << 16 | minor << 8 | patch`.
    pub version: u32,
    pub conn_tab_size: u32,
}

impl Info {
    /// "1.2.1", as keepalived and ipvsadm print it.
    pub fn version_string(&self) -> String {
        let v = self.version;
        format!("{}.{}.{}", (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff)
    }
    /// Decodes the GET_INFO reply payload (`genlmsghdr` + `InfoAttr`s).
    pub fn parse(payload: &[u8]) -> Result<Self, DecodeError> {
        let g = GenlPayload::parse(payload)?;
        let attrs = decode_attrs!(g.attrs(), InfoAttr::parse)?;
        let mut version = None;
        let mut conn_tab_size = None;
        for a in attrs {
            match a {
                InfoAttr::Version(v) => version = Some(v),
                InfoAttr::ConnTabSize(v) => conn_tab_size = Some(v),
                InfoAttr::Other(..) => {}
            }
        }
        Ok(Info {
            version: version.ok_or(DecodeError::Missing("IPVS_INFO_ATTR_VERSION"))?,
            conn_tab_size: conn_tab_size
                .ok_or(DecodeError::Missing("IPVS_INFO_ATTR_CONN_TAB_SIZE"))?,
        })
    }
}

/// Protocol timeouts (`ipvsadm --set`, keepalived's `lvs_timeouts`), seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timeouts {
    pub tcp: u32,
    pub tcp_fin: u32,
    pub udp: u32,
}

/// The sync daemon settings sent with NEW_DAEMON (`lvs_sync_daemon`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncDaemon {
    /// 1 master, 2 backup.
    pub state: u32,
    pub mcast_ifn: String,
    pub sync_id: u32,
    pub sync_maxlen: Option<u16>,
    pub mcast_group: Option<IpAddr>,
    pub mcast_port: Option<u16>,
    pub mcast_ttl: Option<u8>,
}

// ------------------------------------------------------------- request builders
//
// Each returns the message body; `sys::ipvs` frames it with the family id.

pub fn new_service(s: &Service) -> IpvsMessage {
    IpvsMessage::new(Command::NewService, vec![CmdAttr::Service(s.attrs())])
}

pub fn set_service(s: &Service) -> IpvsMessage {
    IpvsMessage::new(Command::SetService, vec![CmdAttr::Service(s.attrs())])
}

/// DEL_SERVICE needs only the identity.
pub fn del_service(id: &ServiceId) -> IpvsMessage {
    IpvsMessage::new(Command::DelService, vec![CmdAttr::Service(id.attrs())])
}

/// The GET_SERVICE dump request has no attributes (as `ipvsadm -L`).
pub fn get_services() -> IpvsMessage {
    IpvsMessage::new(Command::GetService, vec![])
}

/// The GET_SERVICE request for one service (not a dump): the kernel
/// answers with that service, or ESRCH when it has none by that identity.
pub fn get_service(id: &ServiceId) -> IpvsMessage {
    IpvsMessage::new(Command::GetService, vec![CmdAttr::Service(id.attrs())])
}

pub fn new_dest(svc: &ServiceId, d: &Dest) -> IpvsMessage {
    IpvsMessage::new(
        Command::NewDest,
        vec![CmdAttr::Service(svc.attrs()), CmdAttr::Dest(d.attrs())],
    )
}

pub fn set_dest(svc: &ServiceId, d: &Dest) -> IpvsMessage {
    IpvsMessage::new(
        Command::SetDest,
        vec![CmdAttr::Service(svc.attrs()), CmdAttr::Dest(d.attrs())],
    )
}

/// DEL_DEST needs the service identity and the destination's address/port.
pub fn del_dest(svc: &ServiceId, addr: IpAddr, port: u16) -> IpvsMessage {
    IpvsMessage::new(
        Command::DelDest,
        vec![
            CmdAttr::Service(svc.attrs()),
            CmdAttr::Dest(vec![
                DestAttr::AddrFamily(af_of(&addr)),
                DestAttr::Addr(addr16(&addr)),
                DestAttr::Port(port),
            ]),
        ],
    )
}

/// The GET_DEST dump request names the service.
pub fn get_dests(svc: &ServiceId) -> IpvsMessage {
    IpvsMessage::new(Command::GetDest, vec![CmdAttr::Service(svc.attrs())])
}

pub fn flush() -> IpvsMessage {
    IpvsMessage::new(Command::Flush, vec![])
}

pub fn get_info() -> IpvsMessage {
    IpvsMessage::new(Command::GetInfo, vec![])
}

pub fn get_config() -> IpvsMessage {
    IpvsMessage::new(Command::GetConfig, vec![])
}

pub fn set_config(t: &Timeouts) -> IpvsMessage {
    IpvsMessage::new(
        Command::SetConfig,
        vec![
            CmdAttr::TimeoutTcp(t.tcp),
            CmdAttr::TimeoutTcpFin(t.tcp_fin),
            CmdAttr::TimeoutUdp(t.udp),
        ],
    )
}

/// ZERO: reset the counters of one service, or of all when `None`.
pub fn zero(svc: Option<&ServiceId>) -> IpvsMessage {
    let attrs = svc
        .map(|s| vec![CmdAttr::Service(s.attrs())])
        .unwrap_or_default();
    IpvsMessage::new(Command::Zero, attrs)
}

pub fn new_daemon(d: &SyncDaemon) -> IpvsMessage {
    let mut v = vec![
        DaemonAttr::State(d.state),
        DaemonAttr::McastIfn(d.mcast_ifn.clone()),
        DaemonAttr::SyncId(d.sync_id),
    ];
    if let Some(m) = d.sync_maxlen {
        v.push(DaemonAttr::SyncMaxlen(m));
    }
    match d.mcast_group {
        Some(IpAddr::V4(a)) => v.push(DaemonAttr::McastGroup(a)),
        Some(IpAddr::V6(a)) => v.push(DaemonAttr::McastGroup6(a)),
        None => {}
    }
    if let Some(p) = d.mcast_port {
        v.push(DaemonAttr::McastPort(p));
    }
    if let Some(t) = d.mcast_ttl {
        v.push(DaemonAttr::McastTtl(t));
    }
    IpvsMessage::new(Command::NewDaemon, vec![CmdAttr::Daemon(v)])
}

/// DEL_DAEMON needs only the state and sync id (as libipvs sends it).
pub fn del_daemon(state: u32, sync_id: u32) -> IpvsMessage {
    IpvsMessage::new(
        Command::DelDaemon,
        vec![CmdAttr::Daemon(vec![
            DaemonAttr::State(state),
            DaemonAttr::SyncId(sync_id),
        ])],
    )
}

pub fn get_daemons() -> IpvsMessage {
    IpvsMessage::new(Command::GetDaemon, vec![])
}

// ------------------------------------------------------------- reply decoders

/// A service out of one GET_SERVICE dump message (NEW_SERVICE, SERVICE nest).
pub fn parse_service_reply(payload: &[u8]) -> Result<Service, DecodeError> {
    let m = IpvsMessage::parse(payload)?;
    for a in &m.attrs {
        if let CmdAttr::Service(s) = a {
            return Service::from_attrs(s);
        }
    }
    Err(DecodeError::Missing("IPVS_CMD_ATTR_SERVICE"))
}

/// A destination out of one GET_DEST dump message (NEW_DEST, DEST nest).
pub fn parse_dest_reply(payload: &[u8], svc_af: u16) -> Result<Dest, DecodeError> {
    let m = IpvsMessage::parse(payload)?;
    for a in &m.attrs {
        if let CmdAttr::Dest(d) = a {
            return Dest::from_attrs(d, svc_af);
        }
    }
    Err(DecodeError::Missing("IPVS_CMD_ATTR_DEST"))
}

/// The timeouts out of a GET_CONFIG reply (SET_CONFIG).
pub fn parse_config_reply(payload: &[u8]) -> Result<Timeouts, DecodeError> {
    let m = IpvsMessage::parse(payload)?;
    let mut t = Timeouts::default();
    for a in m.attrs {
        match a {
            CmdAttr::TimeoutTcp(v) => t.tcp = v,
            CmdAttr::TimeoutTcpFin(v) => t.tcp_fin = v,
            CmdAttr::TimeoutUdp(v) => t.udp = v,
            _ => {}
        }
    }
    Ok(t)
}

#[cfg(test)]
#[path = "ipvs_tests.rs"]
mod tests;
