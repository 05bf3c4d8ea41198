//! What the IPVS table should hold, from the checkers' verdicts
//! (keepalived's `ipwrapper.c`), sans I/O.
//!
//! [`Decision`] keeps, per virtual server, which real servers are alive and
//! whether the quorum is held; each change returns events (log lines,
//! scripts to run) and [`Decision::desired`] renders the table the diff in
//! `ipvs_diff` drives the kernel to.

use std::net::IpAddr;

use super::file_check::FileStatus;
use super::ipvs_diff::{Entry, Table};
use crate::config::model::{
    Config, Family, Forwarding, Protocol, RealServer, Script, VirtualServer, VsAddr, VsgEntry,
};
use crate::messages;
use crate::proto::ipvs::{
    self, AF_INET, AF_INET6, Dest, FwdMethod, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, Service,
    ServiceId,
};

/// keepalived's `IPVS_DEF_SCHED`.
pub const DEFAULT_SCHED: &str = "wlc";

/// Something the driver must do or log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionEvent {
    Log(String),
    /// A `notify_up`/`notify_down`/`quorum_up`/`quorum_down` script.
    Script(Script),
    /// A real server's alive state changed, or is announced after a
    /// checker's first run (alerts, FIFO).
    RsAlive {
        vs: usize,
        rs: usize,
        up: bool,
    },
    /// A virtual server gained or lost quorum; `init` when found by the
    /// evaluation at start-up or reload (keepalived's
    /// `update_quorum_state(vs, init)`, whose mail says "Starting with
    /// quorum up|down").
    /// `threshold` is the one keepalived compared with (and mails):
    /// quorum + hysteresis when quorum was down, quorum - hysteresis when
    /// it was up.
    Quorum {
        vs: usize,
        up: bool,
        init: bool,
        threshold: i64,
    },
}

/// A real server's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsState {
    /// One entry per configured checker.
    pub checkers_up: Vec<bool>,
    /// The weight in use (the configured one unless MISC dynamic changed it).
    pub weight: i32,
    /// One entry per configured checker: what a FILE_CHECK adds to the
    /// weight (0 for the other kinds), keepalived's `cur_weight`.
    pub extra: Vec<i32>,
}

impl RsState {
    pub fn alive(&self) -> bool {
        self.checkers_up.iter().all(|u| *u)
    }

    /// keepalived's `effective_weight`: the weight plus the FILE_CHECKs'.
    pub fn effective(&self) -> i64 {
        i64::from(self.weight) + self.extra.iter().map(|w| i64::from(*w)).sum::<i64>()
    }

    /// keepalived's `real_weight()`: the effective weight IPVS can take.
    pub fn ipvs_weight(&self) -> i32 {
        self.effective().clamp(0, i64::from(i32::MAX)) as i32
    }
}

#[derive(Debug, Clone)]
pub struct VsState {
    pub quorum_up: bool,
    pub rs: Vec<RsState>,
}

/// The decision state for a whole configuration.
#[derive(Debug, Clone)]
pub struct Decision {
    pub vs: Vec<VsState>,
}

/// `[ip]:proto:port` / `FWM n` / `[GROUP]:port` as keepalived logs a VS.
pub fn vs_name(vs: &VirtualServer) -> String {
    match &vs.addr {
        VsAddr::Ip { addr, port } => format!("[{addr}]:{}:{port}", proto_name(vs)),
        VsAddr::Fwmark { mark } => format!("FWM {mark}"),
        VsAddr::Group { name } => format!("[{name}]:0"),
    }
}

/// `[ip]:proto:port` of a real server in a VS.
pub fn rs_name(vs: &VirtualServer, rs: &RealServer) -> String {
    format!("[{}]:{}:{}", rs.addr, proto_name(vs), rs.port)
}

/// keepalived's protocol word in `[ip]:proto:port` names.
pub fn proto_name(vs: &VirtualServer) -> &'static str {
    match vs.protocol {
        Some(Protocol::Udp) => "udp",
        Some(Protocol::Sctp) => "sctp",
        _ => "tcp",
    }
}

fn proto_num(vs: &VirtualServer) -> u16 {
    match vs.protocol {
        Some(Protocol::Udp) => IPPROTO_UDP,
        Some(Protocol::Sctp) => IPPROTO_SCTP,
        _ => IPPROTO_TCP,
    }
}

/// The IPVS services one `virtual_server` stands for (a group expands to
/// one service per address of each range).
pub fn service_ids(cfg: &Config, vs: &VirtualServer) -> Vec<ServiceId> {
    let fam_af = |f: Option<Family>| match f {
        Some(Family::V6) => AF_INET6,
        Some(Family::V4) => AF_INET,
        None => match vs.real_servers.first().map(|r| r.addr) {
            Some(IpAddr::V6(_)) => AF_INET6,
            _ => AF_INET,
        },
    };
    match &vs.addr {
        VsAddr::Ip { addr, port } => vec![ServiceId::Addr {
            protocol: proto_num(vs),
            addr: *addr,
            port: *port,
        }],
        VsAddr::Fwmark { mark } => vec![ServiceId::Fwmark {
            af: fam_af(vs.ip_family),
            mark: *mark,
        }],
        VsAddr::Group { name } => {
            let Some(g) = cfg.virtual_server_groups.iter().find(|g| &g.name == name) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for e in &g.entries {
                match e {
                    VsgEntry::Range { first, last, port } => {
                        for addr in expand(*first, *last) {
                            out.push(ServiceId::Addr {
                                protocol: proto_num(vs),
                                addr,
                                port: *port,
                            });
                        }
                    }
                    VsgEntry::Fwmark { mark, family } => out.push(ServiceId::Fwmark {
                        af: fam_af(family.or(vs.ip_family)),
                        mark: *mark,
                    }),
                }
            }
            out
        }
    }
}

/// The addresses `first..=last` (at most 65536, the last 16 bits).
fn expand(first: IpAddr, last: IpAddr) -> Vec<IpAddr> {
    match (first, last) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(a)..=u32::from(b).max(u32::from(a)))
            .take(65536)
            .map(|n| IpAddr::from(std::net::Ipv4Addr::from(n)))
            .collect(),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a)..=u128::from(b).max(u128::from(a)))
            .take(65536)
            .map(|n| IpAddr::from(std::net::Ipv6Addr::from(n)))
            .collect(),
        _ => vec![first],
    }
}

/// The service settings (scheduler, persistence, flags) for `id`.
pub fn service(vs: &VirtualServer, id: ServiceId) -> Service {
    let mut s = Service::new(id, vs.lb_algo.as_deref().unwrap_or(DEFAULT_SCHED));
    if let Some(t) = vs.persistence_timeout {
        s.flags |= ipvs::SVC_F_PERSISTENT;
        s.timeout = t;
        if let Some(g) = &vs.opts().persistence_granularity {
            if let Ok(m) = g.parse::<std::net::Ipv4Addr>() {
                s.netmask = u32::from_ne_bytes(m.octets());
            } else if let Ok(p) = g.parse::<u32>() {
                s.netmask = p;
            }
        }
    }
    s.pe_name = vs.opts().persistence_engine.clone();
    for f in &vs.opts().flags {
        s.flags |= match f.as_str() {
            "ops" => ipvs::SVC_F_ONEPACKET,
            "flag-1" | "sh-fallback" | "mh-fallback" => ipvs::SVC_F_SCHED1,
            "flag-2" | "sh-port" | "mh-port" => ipvs::SVC_F_SCHED2,
            "flag-3" => ipvs::SVC_F_SCHED3,
            _ => 0,
        };
    }
    s
}

/// The destination entry for a real server of `id` with `weight`.
pub fn dest(vs: &VirtualServer, rs: &RealServer, id: &ServiceId, weight: i32) -> Dest {
    let fwd = rs
        .lvs_method
        .as_ref()
        .or(vs.lb_kind.as_ref())
        .unwrap_or(&Forwarding::Nat);
    let method = match fwd {
        Forwarding::Nat => FwdMethod::Masq,
        Forwarding::Dr => FwdMethod::DRoute,
        Forwarding::Tun { .. } => FwdMethod::Tunnel,
    };
    // The kernel gives DR/TUN destinations the service's port (0 on fwmark
    // services); asking for the same keeps the diff quiet.
    let port = match (method, id) {
        (FwdMethod::Masq, _) => rs.port,
        (_, ServiceId::Addr { port, .. }) => *port,
        (_, ServiceId::Fwmark { .. }) => 0,
    };
    let mut d = Dest::new(rs.addr, port, method, weight.max(0) as u32);
    d.u_thresh = rs.opts().uthreshold.unwrap_or(0);
    d.l_thresh = rs.opts().lthreshold.unwrap_or(0);
    if let Forwarding::Tun { kind, port, csum } = fwd {
        d.tun_type = match kind.as_deref() {
            Some("gue") => ipvs::TUN_TYPE_GUE,
            Some("gre") => ipvs::TUN_TYPE_GRE,
            _ => ipvs::TUN_TYPE_IPIP,
        };
        d.tun_port = port.unwrap_or(0);
        d.tun_flags = match csum.as_deref() {
            Some("csum") => ipvs::TUN_FLAG_CSUM,
            Some("remcsum") => ipvs::TUN_FLAG_REMCSUM,
            _ => ipvs::TUN_FLAG_NOCSUM,
        };
    }
    d
}

fn inhibit(vs: &VirtualServer, rs: &RealServer) -> bool {
    rs.inhibit_on_failure.unwrap_or(vs.inhibit_on_failure)
}

fn rs_weight(vs: &VirtualServer, rs: &RealServer) -> i32 {
    rs.weight.unwrap_or(vs.weight)
}

impl Decision {
    /// The starting state: checkers up unless alpha (`initially_up[vs][rs][ck]`
    /// gives each checker's initial state, as the FSMs start).
    pub fn new(cfg: &Config, initially_up: impl Fn(usize, usize, usize) -> bool) -> Self {
        let vs = cfg
            .virtual_servers
            .iter()
            .enumerate()
            .map(|(vi, v)| {
                let rs: Vec<RsState> = v
                    .real_servers
                    .iter()
                    .enumerate()
                    .map(|(ri, r)| RsState {
                        checkers_up: (0..r.checkers.len())
                            .map(|ci| initially_up(vi, ri, ci))
                            .collect(),
                        weight: rs_weight(v, r),
                        extra: vec![0; r.checkers.len()],
                    })
                    .collect();
                let mut st = VsState {
                    quorum_up: false,
                    rs,
                };
                st.quorum_up = initial_quorum(v, &st);
                st
            })
            .collect();
        Decision { vs }
    }

    /// A checker of real server `rs` of virtual server `vs` changed state.
    pub fn set_checker(
        &mut self,
        cfg: &Config,
        vs: usize,
        rs: usize,
        ck: usize,
        up: bool,
    ) -> Vec<DecisionEvent> {
        let (v, r) = (
            &cfg.virtual_servers[vs],
            &cfg.virtual_servers[vs].real_servers[rs],
        );
        let st = &mut self.vs[vs].rs[rs];
        let before = st.alive();
        if let Some(c) = st.checkers_up.get_mut(ck) {
            *c = up;
        }
        let after = st.alive();
        let mut ev = Vec::new();
        if before != after {
            let (vn, rn) = (vs_name(v), rs_name(v, r));
            if self.vs[vs].quorum_up || v.opts().sorry_server.is_none() {
                let line = match (after, inhibit(v, r)) {
                    (true, false) => messages::adding_service(&rn, &vn),
                    (false, false) => messages::removing_service(&rn, &vn),
                    (true, true) => messages::enabling_service(&rn, &vn),
                    (false, true) => messages::disabling_service(&rn, &vn),
                };
                ev.push(DecisionEvent::Log(line));
            }
            let script = if after {
                &r.opts().notify_up
            } else {
                &r.opts().notify_down
            };
            if let Some(s) = script {
                ev.push(DecisionEvent::Script((**s).clone()));
            }
            ev.push(DecisionEvent::RsAlive { vs, rs, up: after });
        }
        ev.extend(self.update_quorum(cfg, vs));
        ev
    }

    /// A checker's first run left it down, as it was (alpha): keepalived
    /// announces the real server's state anyway (`do_rs_notifies()`: its
    /// notify script for that state and its FIFO line; nothing changes).
    pub fn first_run_down(&self, cfg: &Config, vs: usize, rs: usize) -> Vec<DecisionEvent> {
        let (Some(v), Some(st)) = (
            cfg.virtual_servers.get(vs),
            self.vs.get(vs).and_then(|s| s.rs.get(rs)),
        ) else {
            return Vec::new();
        };
        let Some(r) = v.real_servers.get(rs) else {
            return Vec::new();
        };
        let up = st.alive();
        let script = if up {
            &r.opts().notify_up
        } else {
            &r.opts().notify_down
        };
        let mut ev: Vec<DecisionEvent> = script
            .iter()
            .map(|s| DecisionEvent::Script((**s).clone()))
            .collect();
        ev.push(DecisionEvent::RsAlive { vs, rs, up });
        ev
    }

    /// MISC_CHECK dynamic weight for a real server.
    pub fn set_weight(&mut self, cfg: &Config, vs: usize, rs: usize, w: i32) -> Vec<DecisionEvent> {
        let st = &mut self.vs[vs].rs[rs];
        if st.weight == w {
            return Vec::new();
        }
        let v = &cfg.virtual_servers[vs];
        let line = messages::changing_weight(
            st.weight,
            w,
            st.alive(),
            &rs_name(v, &v.real_servers[rs]),
            &vs_name(v),
        );
        st.weight = w;
        let mut ev = vec![DecisionEvent::Log(line)];
        ev.extend(self.update_quorum(cfg, vs));
        ev
    }

    /// A FILE_CHECK's initial status, before anything is in IPVS (no events;
    /// the quorum is then evaluated by [`Decision::init_quorum`]).
    pub fn init_file(&mut self, vs: usize, rs: usize, ck: usize, st: FileStatus) {
        let r = &mut self.vs[vs].rs[rs];
        if let (Some(up), Some(extra)) = (r.checkers_up.get_mut(ck), r.extra.get_mut(ck)) {
            (*up, *extra) = match st {
                FileStatus::Fault => (false, 0),
                FileStatus::Weight(w) => (true, w),
            };
        }
    }

    /// A FILE_CHECK's file changed (keepalived's
    /// `process_update_checker_track_file_status`): into or out of fault the
    /// checker goes down or up; otherwise the real server's weight changes.
    pub fn set_file(
        &mut self,
        cfg: &Config,
        vs: usize,
        rs: usize,
        ck: usize,
        st: FileStatus,
    ) -> Vec<DecisionEvent> {
        let r = &mut self.vs[vs].rs[rs];
        let (Some(&up), Some(&extra)) = (r.checkers_up.get(ck), r.extra.get(ck)) else {
            return Vec::new();
        };
        match (up, st) {
            (false, FileStatus::Fault) => Vec::new(),
            (true, FileStatus::Fault) => {
                r.extra[ck] = 0;
                self.set_checker(cfg, vs, rs, ck, false)
            }
            (false, FileStatus::Weight(w)) => {
                r.extra[ck] = w;
                self.set_checker(cfg, vs, rs, ck, true)
            }
            (true, FileStatus::Weight(w)) if w == extra => Vec::new(),
            (true, FileStatus::Weight(w)) => {
                let old = r.ipvs_weight();
                r.extra[ck] = w;
                let new = r.ipvs_weight();
                if old == new {
                    return Vec::new();
                }
                let v = &cfg.virtual_servers[vs];
                let mut ev = vec![DecisionEvent::Log(crate::messages::changing_weight(
                    old,
                    new,
                    r.alive(),
                    &rs_name(v, &v.real_servers[rs]),
                    &vs_name(v),
                ))];
                ev.extend(self.update_quorum(cfg, vs));
                ev
            }
        }
    }

    fn update_quorum(&mut self, cfg: &Config, vs: usize) -> Vec<DecisionEvent> {
        let v = &cfg.virtual_servers[vs];
        let st = &mut self.vs[vs];
        let w = alive_weight(st);
        let (q, h) = (i64::from(v.quorum), i64::from(v.hysteresis));
        let mut ev = Vec::new();
        let vn = vs_name(v);
        if !st.quorum_up && w >= q + h {
            st.quorum_up = true;
            ev.push(DecisionEvent::Log(messages::gained_quorum(q, h, w, &vn)));
            if let Some(ss) = &v.opts().sorry_server {
                ev.extend(sorry_swap(v, ss, &vn, false));
            }
            if let Some(s) = &v.opts().quorum_up {
                ev.push(DecisionEvent::Script((**s).clone()));
            }
            ev.push(DecisionEvent::Quorum {
                vs,
                up: true,
                init: false,
                threshold: q + h,
            });
        } else if st.quorum_up && (w < q - h || w == 0) {
            st.quorum_up = false;
            ev.push(DecisionEvent::Log(messages::lost_quorum(q, h, w, &vn)));
            if let Some(ss) = &v.opts().sorry_server {
                ev.extend(sorry_swap(v, ss, &vn, true));
            }
            if let Some(s) = &v.opts().quorum_down {
                ev.push(DecisionEvent::Script((**s).clone()));
            }
            ev.push(DecisionEvent::Quorum {
                vs,
                up: false,
                init: false,
                threshold: q - h,
            });
        }
        ev
    }

    /// The quorum evaluation keepalived makes when it (re)initialises a
    /// virtual server (`init_service_vs()` → `update_quorum_state(vs,
    /// true)`), at start-up and at each reload. A new virtual server comes
    /// here without quorum (the caller sees to it: keepalived's parse-time
    /// quorum counts no real server live), so it either gains quorum
    /// (logged "Gained quorum", `quorum_up` run, mailed "Starting with
    /// quorum up") or, with a sorry server, starts with quorum down ("Starting
    /// with quorum down", the sorry server added, `quorum_down` run, VS
    /// FIFO line and mail). At reload a kept virtual server keeps its old
    /// state, so a changed quorum, hysteresis or set of real servers can
    /// make it gain or lose quorum here. `sorry_in_place`: the sorry server
    /// is already in IPVS (a reload keeping it), keepalived's
    /// `ISALIVE(vs->s_svr)`.
    pub fn init_quorum(
        &mut self,
        cfg: &Config,
        vs: usize,
        sorry_in_place: bool,
    ) -> Vec<DecisionEvent> {
        let Some(v) = cfg.virtual_servers.get(vs) else {
            return Vec::new();
        };
        let st = &mut self.vs[vs];
        let w = alive_weight(st);
        let (q, h) = (i64::from(v.quorum), i64::from(v.hysteresis));
        let threshold = if st.quorum_up { q - h } else { q + h };
        let vn = vs_name(v);
        let mut ev = Vec::new();
        if !st.quorum_up && w >= threshold {
            st.quorum_up = true;
            ev.push(DecisionEvent::Log(messages::gained_quorum(q, h, w, &vn)));
            if let (Some(ss), true) = (&v.opts().sorry_server, sorry_in_place) {
                ev.extend(sorry_swap(v, ss, &vn, false));
            }
            if let Some(s) = &v.opts().quorum_up {
                ev.push(DecisionEvent::Script((**s).clone()));
            }
            ev.push(DecisionEvent::Quorum {
                vs,
                up: true,
                init: true,
                threshold,
            });
        } else if (st.quorum_up && (w == 0 || w < threshold))
            || (!st.quorum_up && v.opts().sorry_server.is_some() && !sorry_in_place)
        {
            st.quorum_up = false;
            ev.push(DecisionEvent::Log(messages::starting_with_quorum_down(
                q, h, threshold, w, &vn,
            )));
            if let (Some(ss), false) = (&v.opts().sorry_server, sorry_in_place) {
                ev.extend(sorry_swap(v, ss, &vn, true));
            }
            if let Some(s) = &v.opts().quorum_down {
                ev.push(DecisionEvent::Script((**s).clone()));
            }
            ev.push(DecisionEvent::Quorum {
                vs,
                up: false,
                init: true,
                threshold,
            });
        }
        ev
    }

    /// The live weight of virtual server `vs` (keepalived's
    /// `weigh_live_realservers()`), as quorum mails report it.
    pub fn alive_weight_sum(&self, vs: usize) -> i64 {
        self.vs.get(vs).map(alive_weight).unwrap_or(0)
    }

    /// The table IPVS should hold now: every virtual server's
    /// [`Decision::desired_vs`]; where several of them stand for the same
    /// service, merged as keepalived ends up with it ([`Table::merge`]:
    /// the first one's service settings, every one's destinations).
    pub fn desired(&self, cfg: &Config) -> Table {
        let mut t = Table::new();
        for vi in 0..cfg.virtual_servers.len().min(self.vs.len()) {
            t.merge(self.desired_vs(cfg, vi));
        }
        t
    }

    /// Service `id`'s entry in [`Decision::desired`] when the virtual
    /// servers `owners` (in configuration order) all stand for it: the
    /// checker syncs such a service with this instead of one virtual
    /// server's [`Decision::desired_vs`].
    pub fn desired_shared(&self, cfg: &Config, owners: &[usize], id: &ServiceId) -> Option<Entry> {
        let mut t = Table::new();
        for &vi in owners {
            if let Some(e) = self.desired_vs(cfg, vi).services.remove(id) {
                t.merge_entry(*id, e);
            }
        }
        t.services.remove(id)
    }

    /// The services virtual server `vs` stands for, with the destinations
    /// they should hold now (empty for an unknown index). The checker syncs
    /// a virtual server whose state changed with this alone, instead of
    /// rendering (and comparing with the kernel) the whole table.
    pub fn desired_vs(&self, cfg: &Config, vs: usize) -> Table {
        let mut t = Table::new();
        let (Some(v), Some(st)) = (cfg.virtual_servers.get(vs), self.vs.get(vs)) else {
            return t;
        };
        for id in service_ids(cfg, v) {
            let mut dests = Vec::new();
            let sorry_active = !st.quorum_up && v.opts().sorry_server.is_some();
            if !sorry_active {
                for (r, rst) in v.real_servers.iter().zip(&st.rs) {
                    if rst.alive() {
                        dests.push(dest(v, r, &id, rst.ipvs_weight()));
                    } else if inhibit(v, r) {
                        dests.push(dest(v, r, &id, 0));
                    }
                }
            }
            if let Some(ss) = &v.opts().sorry_server {
                let mut ss = (**ss).clone();
                if ss.lvs_method.is_none() {
                    ss.lvs_method = v.opts().sorry_server_lvs_method.clone();
                }
                if sorry_active {
                    dests.push(dest(v, &ss, &id, rs_weight(v, &ss)));
                } else if v.opts().sorry_server_inhibit {
                    dests.push(dest(v, &ss, &id, 0));
                }
            }
            t.insert(service(v, id), dests);
        }
        t
    }
}

/// keepalived's words when the sorry server comes in (`into`: quorum
/// lost; "Enabling" from weight 0 with `sorry_server_inhibit`) and the live
/// real servers leave, or when quorum returns and it goes ("Disabling":
/// back to weight 0) and they come back (`perform_quorum_state`).
fn sorry_swap(v: &VirtualServer, ss: &RealServer, vn: &str, into: bool) -> [DecisionEvent; 2] {
    let name = rs_name(v, ss);
    let sorry = match (into, v.opts().sorry_server_inhibit) {
        (true, false) => messages::adding_sorry_server(&name, vn),
        (true, true) => messages::enabling_sorry_server(&name, vn),
        (false, false) => messages::removing_sorry_server(&name, vn),
        (false, true) => messages::disabling_sorry_server(&name, vn),
    };
    let pool = if into {
        messages::removing_alive_servers(vn)
    } else {
        messages::adding_alive_servers(vn)
    };
    [DecisionEvent::Log(sorry), DecisionEvent::Log(pool)]
}

/// The quorum [`Decision::new`] assumes: held when the live weight reaches
/// quorum + hysteresis. The driver does not keep it: keepalived counts no
/// real server live before it is in IPVS, so `init_quorums` starts every
/// new virtual server without quorum and [`Decision::init_quorum`] decides.
fn initial_quorum(v: &VirtualServer, st: &VsState) -> bool {
    alive_weight(st) >= i64::from(v.quorum) + i64::from(v.hysteresis)
}

fn alive_weight(st: &VsState) -> i64 {
    st.rs
        .iter()
        .filter(|r| r.alive())
        .map(|r| i64::from(r.ipvs_weight()))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::{Checker, CheckerKind, VirtualServerGroup};

    fn cfg(inhibit: bool, sorry: bool) -> Config {
        let mut v = VirtualServer::new(
            VsAddr::Ip {
                addr: "192.0.2.100".parse().unwrap(),
                port: 80,
            },
            None,
        );
        v.lb_algo = Some("rr".into());
        v.inhibit_on_failure = inhibit;
        for last in [2, 3] {
            let mut r = RealServer::new(format!("198.51.100.{last}").parse().unwrap(), 8080, None);
            r.checkers.push(Checker::new(CheckerKind::Tcp, None));
            r.weight = Some(last);
            v.real_servers.push(r);
        }
        if sorry {
            v.opts_mut().sorry_server = Some(Box::new(RealServer::new(
                "198.51.100.9".parse().unwrap(),
                8080,
                None,
            )));
        }
        Config {
            virtual_servers: vec![v],
            ..Default::default()
        }
    }

    fn weights(d: &Decision, c: &Config) -> Vec<(String, u32)> {
        let t = d.desired(c);
        let (_, dests) = t.services.values().next().unwrap();
        dests
            .values()
            .map(|d| (d.addr.to_string(), d.weight))
            .collect()
    }

    #[test]
    fn first_run_down_announces_the_state_without_changing_it() {
        let mut c = cfg(false, false);
        let down = Script {
            args: vec!["/down.sh".into()],
            user: None,
            group: None,
            uid: 0,
            gid: 0,
            span: None,
        };
        c.virtual_servers[0].real_servers[1].opts_mut().notify_down = Some(Box::new(down.clone()));
        let mut d = Decision::new(&c, |_, r, _| r == 0);
        let before: Vec<_> = d.vs[0].rs.clone();
        assert_eq!(
            d.first_run_down(&c, 0, 1),
            [
                DecisionEvent::Script(down),
                DecisionEvent::RsAlive {
                    vs: 0,
                    rs: 1,
                    up: false
                }
            ]
        );
        assert_eq!(d.vs[0].rs, before);
        d.vs[0].rs[0].checkers_up[0] = true;
        assert_eq!(
            d.first_run_down(&c, 0, 0),
            [DecisionEvent::RsAlive {
                vs: 0,
                rs: 0,
                up: true
            }]
        );
    }

    #[test]
    fn rs_down_removed_up_added_with_log_lines() {
        let c = cfg(false, false);
        let mut d = Decision::new(&c, |_, _, _| true);
        let t = d.desired(&c);
        let (svc, _) = t.services.values().next().unwrap();
        assert_eq!(svc.sched_name, "rr");
        assert_eq!(
            weights(&d, &c),
            [("198.51.100.2".into(), 2), ("198.51.100.3".into(), 3)]
        );
        let ev = d.set_checker(&c, 0, 0, 0, false);
        assert_eq!(
            ev[0],
            DecisionEvent::Log(
                "Removing service [198.51.100.2]:tcp:8080 from VS [192.0.2.100]:tcp:80".into()
            )
        );
        assert_eq!(weights(&d, &c), [("198.51.100.3".into(), 3)]);
        let ev = d.set_checker(&c, 0, 0, 0, true);
        assert_eq!(
            ev[0],
            DecisionEvent::Log(
                "Adding service [198.51.100.2]:tcp:8080 to VS [192.0.2.100]:tcp:80".into()
            )
        );
    }

    #[test]
    fn file_check_weight_and_fault() {
        let mut c = cfg(false, false);
        c.virtual_servers[0].real_servers[0].checkers[0] = Checker::new(CheckerKind::File, None);
        let mut d = Decision::new(&c, |_, _, _| true);
        d.init_file(0, 0, 0, FileStatus::Weight(5));
        assert_eq!(
            weights(&d, &c),
            [("198.51.100.2".into(), 7), ("198.51.100.3".into(), 3)]
        );
        assert_eq!(d.set_file(&c, 0, 0, 0, FileStatus::Weight(5)), vec![]);
        let ev = d.set_file(&c, 0, 0, 0, FileStatus::Weight(-1));
        assert_eq!(
            ev,
            vec![DecisionEvent::Log(
                "Changing weight from 7 to 1 for active service [198.51.100.2]:tcp:8080 of VS [192.0.2.100]:tcp:80".into()
            )]
        );
        // below zero: IPVS weight 0, still in the table
        d.set_file(&c, 0, 0, 0, FileStatus::Weight(-10));
        assert_eq!(
            weights(&d, &c),
            [("198.51.100.2".into(), 0), ("198.51.100.3".into(), 3)]
        );
        let ev = d.set_file(&c, 0, 0, 0, FileStatus::Fault);
        assert_eq!(
            ev[0],
            DecisionEvent::Log(
                "Removing service [198.51.100.2]:tcp:8080 from VS [192.0.2.100]:tcp:80".into()
            )
        );
        assert_eq!(weights(&d, &c), [("198.51.100.3".into(), 3)]);
        let ev = d.set_file(&c, 0, 0, 0, FileStatus::Weight(1));
        assert!(ev.contains(&DecisionEvent::RsAlive {
            vs: 0,
            rs: 0,
            up: true
        }));
        assert_eq!(
            weights(&d, &c),
            [("198.51.100.2".into(), 3), ("198.51.100.3".into(), 3)]
        );
        // starting in fault: down from the start
        d.init_file(0, 0, 0, FileStatus::Fault);
        assert_eq!(weights(&d, &c), [("198.51.100.3".into(), 3)]);
    }

    #[test]
    fn inhibit_sets_weight_zero() {
        let c = cfg(true, false);
        let mut d = Decision::new(&c, |_, _, _| true);
        d.set_checker(&c, 0, 1, 0, false);
        assert_eq!(
            weights(&d, &c),
            [("198.51.100.2".into(), 2), ("198.51.100.3".into(), 0)]
        );
    }

    #[test]
    fn quorum_loss_brings_sorry_server_and_gain_removes_it() {
        let c = cfg(false, true);
        let mut d = Decision::new(&c, |_, _, _| true);
        d.set_checker(&c, 0, 0, 0, false);
        let ev = d.set_checker(&c, 0, 1, 0, false);
        assert!(ev.contains(&DecisionEvent::Log(
            "Lost quorum 1-0=1 > 0 for VS [192.0.2.100]:tcp:80".into()
        )));
        assert!(ev.contains(&DecisionEvent::Quorum {
            vs: 0,
            up: false,
            init: false,
            threshold: 1
        }));
        assert_eq!(weights(&d, &c), [("198.51.100.9".into(), 1)]);
        let ev = d.set_checker(&c, 0, 1, 0, true);
        assert!(ev.contains(&DecisionEvent::Log(
            "Gained quorum 1+0=1 <= 3 for VS [192.0.2.100]:tcp:80".into()
        )));
        assert_eq!(weights(&d, &c), [("198.51.100.3".into(), 3)]);
        let log = |ev: &[DecisionEvent]| -> Vec<String> {
            ev.iter()
                .filter_map(|e| match e {
                    DecisionEvent::Log(l) if l.contains("sorry") || l.contains("pool") => {
                        Some(l.clone())
                    }
                    _ => None,
                })
                .collect()
        };
        // with sorry_server_inhibit the sorry server is enabled and
        // disabled (weight 0 between), as keepalived words it
        let mut c = c;
        c.virtual_servers[0].opts_mut().sorry_server_inhibit = true;
        let vs = "VS [192.0.2.100]:tcp:80";
        let ev = d.set_checker(&c, 0, 1, 0, false);
        assert_eq!(
            log(&ev),
            [
                format!("Enabling sorry server [198.51.100.9]:tcp:8080 to {vs}"),
                format!("Removing alive servers from the pool for {vs}")
            ]
        );
        let ev = d.set_checker(&c, 0, 1, 0, true);
        assert_eq!(
            log(&ev),
            [
                format!("Disabling sorry server [198.51.100.9]:tcp:8080 from {vs}"),
                format!("Adding alive servers to the pool for {vs}")
            ]
        );
    }

    #[test]
    fn start_up_gains_quorum_or_starts_down_with_a_sorry_server() {
        // quorum 6 > 2+3: down from the start; with a sorry server that is
        // "Starting with quorum down" (threshold quorum+hysteresis).
        let mut c = cfg(false, true);
        c.virtual_servers[0].quorum = 6;
        c.virtual_servers[0].hysteresis = 1;
        let mut d = Decision::new(&c, |_, _, _| true);
        d.vs[0].quorum_up = false; // as the driver starts every new VS
        let ev = d.init_quorum(&c, 0, false);
        assert_eq!(
            ev,
            [
                DecisionEvent::Log(
                    "Starting with quorum down 6-1=7 > 5 for VS [192.0.2.100]:tcp:80".into()
                ),
                DecisionEvent::Log(
                    "Adding sorry server [198.51.100.9]:tcp:8080 to VS [192.0.2.100]:tcp:80".into()
                ),
                DecisionEvent::Log(
                    "Removing alive servers from the pool for VS [192.0.2.100]:tcp:80".into()
                ),
                DecisionEvent::Quorum {
                    vs: 0,
                    up: false,
                    init: true,
                    threshold: 7
                },
            ]
        );
        // the sorry server already in place (a reload keeping it): silent
        assert!(d.init_quorum(&c, 0, true).is_empty());
        // without a sorry server nothing is said
        let mut c = cfg(false, false);
        c.virtual_servers[0].quorum = 6;
        let mut d = Decision::new(&c, |_, _, _| true);
        d.vs[0].quorum_up = false;
        assert!(d.init_quorum(&c, 0, false).is_empty());
        // reaching the quorum: gained, as keepalived says at every start
        let c = cfg(false, true);
        let mut d = Decision::new(&c, |_, _, _| true);
        d.vs[0].quorum_up = false;
        let ev = d.init_quorum(&c, 0, false);
        assert_eq!(
            ev[0],
            DecisionEvent::Log("Gained quorum 1+0=1 <= 5 for VS [192.0.2.100]:tcp:80".into())
        );
        assert_eq!(
            ev.last(),
            Some(&DecisionEvent::Quorum {
                vs: 0,
                up: true,
                init: true,
                threshold: 1
            })
        );
        // a state already up (kept at reload) says nothing
        assert!(d.init_quorum(&c, 0, false).is_empty());
    }

    #[test]
    fn reload_keeping_an_old_state_can_gain_quorum_at_init() {
        let c = cfg(false, false);
        let mut d = Decision::new(&c, |_, _, _| true);
        d.vs[0].quorum_up = false; // carried over from the old configuration
        let ev = d.init_quorum(&c, 0, false);
        assert!(ev.contains(&DecisionEvent::Quorum {
            vs: 0,
            up: true,
            init: true,
            threshold: 1
        }));
        assert!(ev.contains(&DecisionEvent::Log(
            "Gained quorum 1+0=1 <= 5 for VS [192.0.2.100]:tcp:80".into()
        )));
    }

    #[test]
    fn hysteresis_delays_quorum_changes() {
        let mut c = cfg(false, false);
        c.virtual_servers[0].quorum = 4;
        c.virtual_servers[0].hysteresis = 1;
        let mut d = Decision::new(&c, |_, _, _| true);
        assert!(d.vs[0].quorum_up);
        // 3 >= 4-1: still up
        d.set_checker(&c, 0, 0, 0, false);
        assert!(d.vs[0].quorum_up);
        let ev = d.set_checker(&c, 0, 1, 0, false);
        assert!(ev.contains(&DecisionEvent::Log(
            "Lost quorum 4-1=3 > 0 for VS [192.0.2.100]:tcp:80".into()
        )));
        // 3 < 4+1: not regained
        d.set_checker(&c, 0, 1, 0, true);
        assert!(!d.vs[0].quorum_up);
        d.set_checker(&c, 0, 0, 0, true);
        assert!(d.vs[0].quorum_up);
    }

    /// Group "G": 192.0.2.10-12 port 443 and fwmark 7.
    fn group_g() -> VirtualServerGroup {
        VirtualServerGroup {
            name: "G".into(),
            span: None,
            entries: vec![
                VsgEntry::Range {
                    first: "192.0.2.10".parse().unwrap(),
                    last: "192.0.2.12".parse().unwrap(),
                    port: 443,
                },
                VsgEntry::Fwmark {
                    mark: 7,
                    family: None,
                },
            ],
        }
    }

    #[test]
    fn groups_expand_and_dr_on_fwmark_uses_port_zero() {
        let mut c = cfg(false, false);
        c.virtual_server_groups.push(group_g());
        c.virtual_servers[0].addr = VsAddr::Group { name: "G".into() };
        c.virtual_servers[0].lb_kind = Some(Forwarding::Dr);
        c.virtual_servers[0].persistence_timeout = Some(300);
        c.virtual_servers[0].lb_algo = None;
        let d = Decision::new(&c, |_, _, _| true);
        let t = d.desired(&c);
        assert_eq!(t.services.len(), 4);
        let fw = &t.services[&ServiceId::Fwmark {
            af: AF_INET,
            mark: 7,
        }];
        assert!(
            fw.1.values()
                .all(|d| d.port == 0 && d.fwd_method == FwdMethod::DRoute)
        );
        assert_eq!(fw.0.flags, ipvs::SVC_F_PERSISTENT);
        assert_eq!(fw.0.sched_name, DEFAULT_SCHED);
        let a = ServiceId::Addr {
            protocol: IPPROTO_TCP,
            addr: "192.0.2.11".parse().unwrap(),
            port: 443,
        };
        assert!(t.services[&a].1.values().all(|d| d.port == 443));
    }

    #[test]
    fn desired_vs_is_the_desired_table_restricted_to_that_vs() {
        // 0: a plain VS with a sorry server; 1: a group (an address range
        // and a fwmark) with inhibit_on_failure; 2: a fwmark VS with an
        // inhibited sorry server, below quorum; 3: a plain VS standing for
        // one of the group's services too (merged as keepalived: the
        // group's service settings, both virtual servers' destinations).
        let mut c = cfg(false, true);
        c.virtual_server_groups.push(group_g());
        let mut g = c.virtual_servers[0].clone();
        g.addr = VsAddr::Group { name: "G".into() };
        g.opts_mut().sorry_server = None;
        g.inhibit_on_failure = true;
        g.lb_kind = Some(Forwarding::Dr);
        let mut f = c.virtual_servers[0].clone();
        f.addr = VsAddr::Fwmark { mark: 9 };
        f.opts_mut().sorry_server_inhibit = true;
        f.quorum = 100;
        let mut o = c.virtual_servers[0].clone();
        o.addr = VsAddr::Ip {
            addr: "192.0.2.11".parse().unwrap(),
            port: 443,
        };
        o.opts_mut().sorry_server = None;
        o.real_servers.truncate(1);
        c.virtual_servers.extend([g, f, o]);
        let shared = ServiceId::Addr {
            protocol: IPPROTO_TCP,
            addr: "192.0.2.11".parse().unwrap(),
            port: 443,
        };
        let mut d = Decision::new(&c, |_, _, _| true);
        /// Checks desired_vs and desired_shared against desired; returns
        /// the latter.
        fn check(c: &Config, d: &Decision) -> Table {
            let full = d.desired(c);
            let mut ids = std::collections::BTreeSet::new();
            for vi in 0..c.virtual_servers.len() {
                let part = d.desired_vs(c, vi);
                assert!(!part.services.is_empty());
                for (id, e) in &part.services {
                    ids.insert(*id);
                    let owners: Vec<usize> = (0..c.virtual_servers.len())
                        .filter(|&w| service_ids(c, &c.virtual_servers[w]).contains(id))
                        .collect();
                    let got = &full.services[id];
                    if owners == [vi] {
                        assert_eq!(got, e, "VS {vi} service {id}");
                    } else {
                        assert_eq!(d.desired_shared(c, &owners, id).as_ref(), Some(got));
                        // the first one's settings, everyone's destinations
                        let first = &d.desired_vs(c, owners[0]).services[id];
                        assert_eq!(got.0, first.0, "service {id} settings");
                        assert!(e.1.keys().all(|k| got.1.contains_key(k)));
                    }
                }
            }
            assert_eq!(
                full.services
                    .keys()
                    .copied()
                    .collect::<std::collections::BTreeSet<_>>(),
                ids
            );
            assert!(d.desired_vs(c, 9).services.is_empty());
            full
        }
        let t = check(&c, &d);
        assert_eq!(t.services.len(), 1 + 4 + 1);
        // the shared service: the group's DR settings, its two servers (DR:
        // on the service's port) and VS 3's one (NAT, on its own port)
        let group = &d.desired_vs(&c, 1).services[&shared];
        assert_eq!(group.1.len(), 2);
        assert_eq!(d.desired_vs(&c, 3).services[&shared].1.len(), 1);
        assert_eq!(t.services[&shared].0, group.0);
        let ports: Vec<u16> = t.services[&shared].1.keys().map(|k| k.1).collect();
        assert_eq!(ports, [443, 8080, 443]);
        // VS 2 is below quorum: only its sorry server
        let fw9 = ServiceId::Fwmark {
            af: AF_INET,
            mark: 9,
        };
        let sorry: Vec<_> = t.services[&fw9].1.values().map(|d| d.addr).collect();
        assert_eq!(sorry, ["198.51.100.9".parse::<IpAddr>().unwrap()]);
        // servers go down: VS 0 loses quorum (sorry server in), VS 1's
        // server stays with weight 0 (inhibit), VS 3's is removed
        d.set_checker(&c, 0, 0, 0, false);
        d.set_checker(&c, 0, 1, 0, false);
        d.set_checker(&c, 1, 0, 0, false);
        d.set_checker(&c, 3, 0, 0, false);
        let t = check(&c, &d);
        // the group's server 0 stays with weight 0 (inhibit), its server 1
        // keeps weight 3, and VS 3's server (NAT, port 8080), down, goes
        let w: Vec<u32> = t.services[&shared].1.values().map(|d| d.weight).collect();
        assert_eq!(w, [0, 3]);
        let fw7 = ServiceId::Fwmark {
            af: AF_INET,
            mark: 7,
        };
        let w: Vec<u32> = t.services[&fw7].1.values().map(|d| d.weight).collect();
        assert_eq!(w, [0, 3]);
        let vs0: Vec<_> = d.desired_vs(&c, 0).services.into_values().collect();
        let addrs: Vec<_> = vs0[0].1.values().map(|d| d.addr.to_string()).collect();
        assert_eq!(addrs, ["198.51.100.9"]);
        // VS 2 regains quorum: the inhibited sorry server stays with weight 0
        c.virtual_servers[2].quorum = 1;
        d.set_checker(&c, 2, 0, 0, true);
        let t = check(&c, &d);
        let w: Vec<(String, u32)> = (t.services[&fw9].1.values())
            .map(|d| (d.addr.to_string(), d.weight))
            .collect();
        assert_eq!(
            w,
            [
                ("198.51.100.2".into(), 2),
                ("198.51.100.3".into(), 3),
                ("198.51.100.9".into(), 0)
            ]
        );
    }
}
