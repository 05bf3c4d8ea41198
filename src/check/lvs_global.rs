//! The global LVS settings the checker applies around the table itself
//! (keepalived's `check_daemon.c` start/stop and `ipwrapper.c`), sans I/O:
//! `lvs_timeouts`, the sync daemons it runs when no VRRP instance owns them,
//! `ha_suspend`'s "is this virtual server's address here" and `omega`'s
//! scripts at shutdown.

use std::net::IpAddr;

use super::decision::Decision;
use crate::config::model::{Config, Script, VirtualServer, VsAddr, VsgEntry};
use crate::proto::ipvs::{SyncDaemon, Timeouts};

/// IP_VS_STATE_MASTER / IP_VS_STATE_BACKUP.
pub const SYNC_MASTER: u32 = 1;
pub const SYNC_BACKUP: u32 = 2;

/// The SET_CONFIG to send at start: `None` when `lvs_timeouts` sets
/// nothing (0 leaves a timeout unchanged in the kernel, as keepalived relies
/// on).
pub fn timeouts(cfg: &Config) -> Option<Timeouts> {
    let (tcp, fin, udp) = cfg.global.lvs_timeouts?;
    let t = Timeouts {
        tcp: tcp.unwrap_or(0),
        tcp_fin: fin.unwrap_or(0),
        udp: udp.unwrap_or(0),
    };
    (t != Timeouts::default()).then_some(t)
}

/// The sync daemons the checker itself runs (keepalived's
/// `checker_ipvs_syncd_needed()`): with `lvs_sync_daemon` and no VRRP
/// instance named, both a master and a backup daemon (sync id 0 unless
/// given). With an instance named, none: the VRRP child runs the one that
/// instance's state calls for (`vrrp::lvs_sync`), and if no such instance
/// exists nobody runs one.
pub fn sync_daemons(cfg: &Config) -> Vec<SyncDaemon> {
    let Some(sd) = &cfg.global.lvs_sync_daemon else {
        return Vec::new();
    };
    if sd.vrrp_instance.is_some() {
        return Vec::new();
    }
    let sync_id = sd.id.unwrap_or(0);
    [SYNC_MASTER, SYNC_BACKUP]
        .into_iter()
        .map(|state| SyncDaemon {
            state,
            mcast_ifn: sd.interface.clone(),
            sync_id,
            sync_maxlen: sd.maxlen,
            mcast_group: sd.group,
            mcast_port: sd.port,
            mcast_ttl: sd.ttl,
        })
        .collect()
}

/// `ha_suspend`: whether the checkers of `vs` run, given the host's
/// addresses. Without ha_suspend always; else while one of its addresses is
/// local. A fwmark service names no address and is never suspended.
pub fn checks_enabled(cfg: &Config, vs: &VirtualServer, local: &[IpAddr]) -> bool {
    if !vs.ha_suspend {
        return true;
    }
    match &vs.addr {
        VsAddr::Ip { addr, .. } => local.contains(addr),
        VsAddr::Fwmark { .. } => true,
        VsAddr::Group { name } => {
            let Some(g) = cfg.virtual_server_groups.iter().find(|g| &g.name == name) else {
                return false;
            };
            g.entries.iter().any(|e| match e {
                VsgEntry::Range { first, last, .. } => {
                    local.iter().any(|a| in_range(*a, *first, *last))
                }
                VsgEntry::Fwmark { .. } => true,
            })
        }
    }
}

fn in_range(a: IpAddr, first: IpAddr, last: IpAddr) -> bool {
    match (a, first, last) {
        (IpAddr::V4(a), IpAddr::V4(f), IpAddr::V4(l)) => (f..=l.max(f)).contains(&a),
        (IpAddr::V6(a), IpAddr::V6(f), IpAddr::V6(l)) => (f..=l.max(f)).contains(&a),
        _ => false,
    }
}

/// `omega`: the scripts run at shutdown (keepalived's `clear_services()`,
/// not called with `-I`), per virtual server with `omega`: the
/// `notify_down` of each live real server, unless `lvs_flush_on_stop`
/// flushes (then no real server is taken out one by one), and then its
/// `quorum_down` — always, whatever the quorum was (`update_vs_notifies()`
/// with `stopping` drops the quorum unconditionally).
pub fn omega_scripts(cfg: &Config, d: &Decision) -> Vec<Script> {
    let flushing = cfg.global.lvs_flush_on_stop || cfg.global.lvs_flush_on_stop_vs;
    let mut out = Vec::new();
    for (v, st) in cfg.virtual_servers.iter().zip(&d.vs) {
        if !v.omega {
            continue;
        }
        for (r, rst) in v.real_servers.iter().zip(&st.rs) {
            if let (false, true, Some(s)) = (flushing, rst.alive(), &r.opts().notify_down) {
                out.push((**s).clone());
            }
        }
        if let Some(s) = &v.opts().quorum_down {
            out.push((**s).clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::{
        Checker, CheckerKind, LvsSyncDaemon, RealServer, VirtualServerGroup,
    };

    fn script(s: &str) -> Option<Box<Script>> {
        Some(Box::new(Script {
            args: vec![s.into()],
            ..Default::default()
        }))
    }

    fn vs(addr: VsAddr) -> VirtualServer {
        let mut v = VirtualServer::new(addr, None);
        let mut r = RealServer::new("198.51.100.2".parse().unwrap(), 80, None);
        r.checkers.push(Checker::new(CheckerKind::Tcp, None));
        r.opts_mut().notify_down = script("/rs-down");
        v.real_servers.push(r);
        v.opts_mut().quorum_down = script("/q-down");
        v
    }

    #[test]
    fn timeouts_only_when_set() {
        let mut c = Config::default();
        assert_eq!(timeouts(&c), None);
        c.global.lvs_timeouts = Some((None, Some(0), None));
        assert_eq!(timeouts(&c), None);
        c.global.lvs_timeouts = Some((Some(900), None, Some(60)));
        assert_eq!(
            timeouts(&c),
            Some(Timeouts {
                tcp: 900,
                tcp_fin: 0,
                udp: 60
            })
        );
    }

    #[test]
    fn sync_daemons_are_the_checkers_only_without_instance() {
        let mut c = Config::default();
        assert!(sync_daemons(&c).is_empty());
        c.global.lvs_sync_daemon = Some(LvsSyncDaemon {
            interface: "eth0".into(),
            port: Some(8849),
            group: Some("224.0.0.82".parse().unwrap()),
            ..Default::default()
        });
        let d = sync_daemons(&c);
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].state, d[1].state), (SYNC_MASTER, SYNC_BACKUP));
        assert_eq!(d[0].sync_id, 0);
        assert_eq!(d[1].mcast_port, Some(8849));
        assert_eq!(d[1].mcast_ifn, "eth0");
        c.global.lvs_sync_daemon.as_mut().unwrap().id = Some(7);
        assert_eq!(sync_daemons(&c)[1].sync_id, 7);
        c.global.lvs_sync_daemon.as_mut().unwrap().vrrp_instance = Some("VI_1".into());
        c.vrrp_instances.push(crate::config::model::VrrpInstance {
            name: "VI_1".into(),
            vrid: Some(51),
            ..Default::default()
        });
        assert!(sync_daemons(&c).is_empty(), "the VRRP child's");
    }

    #[test]
    fn ha_suspend_follows_local_addresses() {
        let mut c = Config::default();
        c.virtual_server_groups.push(VirtualServerGroup {
            name: "G".into(),
            span: None,
            entries: vec![VsgEntry::Range {
                first: "192.0.2.10".parse().unwrap(),
                last: "192.0.2.20".parse().unwrap(),
                port: 80,
            }],
        });
        let mut ip = vs(VsAddr::Ip {
            addr: "192.0.2.1".parse().unwrap(),
            port: 80,
        });
        let local: Vec<IpAddr> = vec!["192.0.2.15".parse().unwrap()];
        assert!(checks_enabled(&c, &ip, &local), "no ha_suspend");
        ip.ha_suspend = true;
        assert!(!checks_enabled(&c, &ip, &local));
        assert!(checks_enabled(&c, &ip, &["192.0.2.1".parse().unwrap()]));
        let mut g = vs(VsAddr::Group { name: "G".into() });
        g.ha_suspend = true;
        assert!(checks_enabled(&c, &g, &local));
        assert!(!checks_enabled(&c, &g, &["192.0.2.21".parse().unwrap()]));
    }

    #[test]
    fn omega_runs_down_scripts_of_live_servers() {
        let mut v = vs(VsAddr::Ip {
            addr: "192.0.2.1".parse().unwrap(),
            port: 80,
        });
        let mut c = Config {
            virtual_servers: vec![v.clone()],
            ..Default::default()
        };
        let d = Decision::new(&c, |_, _, _| true);
        assert!(omega_scripts(&c, &d).is_empty(), "omega off");
        v.omega = true;
        c.virtual_servers = vec![v];
        let names: Vec<String> = omega_scripts(&c, &d)
            .iter()
            .map(|s| s.args[0].clone())
            .collect();
        assert_eq!(names, ["/rs-down", "/q-down"]);
        let names = |c: &Config, d: &Decision| -> Vec<String> {
            omega_scripts(c, d)
                .iter()
                .map(|s| s.args[0].clone())
                .collect()
        };
        let down = Decision::new(&c, |_, _, _| false);
        assert_eq!(
            names(&c, &down),
            ["/q-down"],
            "quorum_down whatever the quorum"
        );
        c.global.lvs_flush_on_stop = true;
        assert_eq!(names(&c, &d), ["/q-down"], "flushed: no server one by one");
    }
}
