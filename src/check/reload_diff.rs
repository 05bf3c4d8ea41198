//! What a reload takes away (keepalived 2.2.7's `clear_diff_services()`,
//! `clear_diff_rs()`, `clear_service_rs()` and `update_vs_notifies()` in
//! `ipwrapper.c`), sans I/O: the notifies for real servers and virtual
//! servers that the new configuration no longer has, computed from the old
//! configuration and its decision state. The IPVS entries themselves go
//! through the usual diff; this is only what is *said* about them.

use super::decision::{Decision, proto_name, rs_name, vs_name};
use crate::config::model::{Config, RealServer, Script, VirtualServer, VsAddr, VsgEntry};
use crate::messages;

/// One thing to do for a removal. Indices are into the *old*
/// configuration, whose objects the notifies name (and whose
/// `smtp_alert` settings gate the mails, as keepalived mails with the old
/// objects' resolved flags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemovalEvent {
    Log(String),
    /// The removed live real server's `notify_down`, or a virtual server's
    /// `quorum_down`.
    Script(Script),
    /// A live real server taken out: its `RS … DOWN` FIFO line and, with
    /// its `smtp_alert`, the "=> Removing <=" mail.
    RsRemoved {
        vs: usize,
        rs: usize,
    },
    /// The removals cost virtual server `vs` its quorum (live weight now
    /// `weight_sum`): `VS … DOWN` FIFO line and, with its `smtp_alert`,
    /// the "Lost quorum" mail. keepalived logs nothing for it.
    QuorumLost {
        vs: usize,
        weight_sum: i64,
    },
}

/// keepalived's `vs_iseq()`: a group by name (and port, which our groups
/// do not carry), a fwmark by mark, an address by address, port and
/// protocol.
pub fn same_vs(a: &VirtualServer, b: &VirtualServer) -> bool {
    match (&a.addr, &b.addr) {
        (VsAddr::Group { name: x }, VsAddr::Group { name: y }) => x == y,
        (VsAddr::Fwmark { mark: x }, VsAddr::Fwmark { mark: y }) => {
            x == y && a.ip_family == b.ip_family
        }
        (VsAddr::Ip { .. }, VsAddr::Ip { .. }) => a.addr == b.addr && a.protocol == b.protocol,
        _ => false,
    }
}

/// keepalived's `rs_iseq()`: address and port.
pub fn same_rs(a: &RealServer, b: &RealServer) -> bool {
    a.addr == b.addr && a.port == b.port
}

/// The removals a reload from `old` (in state `dec`) to `new` makes.
///
/// keepalived's rules: a virtual server (or group) gone is logged
/// "Removing Virtual Server …" before anything else is said of it; a real server gone from a kept virtual server is
/// logged "service … no longer exist"; every removed real server still in
/// IPVS is logged "Removing [(inhibited) ]service … from VS …"; only a
/// *live* one gets notifies (`notify_down`, FIFO line, mail). A virtual
/// server gone altogether has all its real servers removed that way,
/// unless `lvs_flush_on_stop` is set (the new configuration's), when they
/// are dropped with the service and say nothing. Afterwards each old
/// virtual server that had quorum and whose remaining live weight is 0 or
/// below quorum - hysteresis loses it.
pub fn removals(old: &Config, dec: &Decision, new: &Config) -> Vec<RemovalEvent> {
    let mut ev = Vec::new();
    let flush = new.global.lvs_flush_on_stop || new.global.lvs_flush_on_stop_vs;
    for (vi, v) in old.virtual_servers.iter().enumerate() {
        let Some(st) = dec.vs.get(vi) else { continue };
        let kept = new.virtual_servers.iter().find(|n| same_vs(v, n));
        if kept.is_none() {
            // said first, whatever follows (keepalived's order)
            ev.push(RemovalEvent::Log(match &v.addr {
                VsAddr::Group { name } => messages::removing_virtual_server_group(name),
                _ => messages::removing_virtual_server(&vs_name(v)),
            }));
            if flush {
                continue;
            }
        }
        if let (Some(_), VsAddr::Group { name }) = (kept, &v.addr) {
            group_entries_gone(old, new, v, name, &mut ev);
        }
        let sorry_active = !st.quorum_up && v.opts().sorry_server.is_some();
        let (vn, mut weight) = (vs_name(v), 0i64);
        for (ri, r) in v.real_servers.iter().enumerate() {
            let Some(rst) = st.rs.get(ri) else { continue };
            let alive = rst.alive();
            let gone = match kept {
                Some(n) => !n.real_servers.iter().any(|nr| same_rs(r, nr)),
                None => true,
            };
            if !gone {
                if alive {
                    weight += i64::from(rst.ipvs_weight());
                }
                continue;
            }
            let rn = rs_name(v, r);
            if kept.is_some() {
                ev.push(RemovalEvent::Log(messages::service_no_longer_exist(&rn)));
            }
            let inhibit = r.inhibit_on_failure.unwrap_or(v.inhibit_on_failure);
            // keepalived's `rs->set`: in IPVS (a live one is out while the
            // sorry server stands in; a dead one stays with inhibit).
            let set = if alive { !sorry_active } else { inhibit };
            if !set {
                continue;
            }
            ev.push(RemovalEvent::Log(messages::removing_service_at_reload(
                inhibit && !alive,
                &rn,
                &vn,
            )));
            if !alive {
                continue;
            }
            if let Some(s) = &r.opts().notify_down {
                ev.push(RemovalEvent::Script((**s).clone()));
            }
            ev.push(RemovalEvent::RsRemoved { vs: vi, rs: ri });
        }
        // keepalived's `clear_diff_s_srv()`: a kept virtual server whose
        // sorry server changed or went, while that one was in IPVS (standing
        // in, or held at weight 0 by `sorry_server_inhibit`).
        if let (Some(n), Some(ss)) = (kept, &v.opts().sorry_server) {
            let same = n
                .opts()
                .sorry_server
                .as_ref()
                .is_some_and(|ns| same_rs(ss, ns));
            if !same && (sorry_active || v.opts().sorry_server_inhibit) {
                ev.push(RemovalEvent::Log(messages::removing_sorry_server(
                    &rs_name(v, ss),
                    &vn,
                )));
            }
        }
        let threshold = i64::from(v.quorum) - i64::from(v.hysteresis);
        if st.quorum_up && (weight == 0 || weight < threshold) {
            if let Some(s) = &v.opts().quorum_down {
                ev.push(RemovalEvent::Script((**s).clone()));
            }
            ev.push(RemovalEvent::QuorumLost {
                vs: vi,
                weight_sum: weight,
            });
        }
    }
    ev
}

/// keepalived's `clear_diff_vsge()` for kept virtual server `v` of group
/// `name`: each entry the group no longer has (an address range by its
/// ends and port, a fwmark by its mark), ranges first.
fn group_entries_gone(
    old: &Config,
    new: &Config,
    v: &VirtualServer,
    name: &str,
    ev: &mut Vec<RemovalEvent>,
) {
    fn entries<'a>(c: &'a Config, name: &str) -> &'a [VsgEntry] {
        c.virtual_server_groups
            .iter()
            .find(|g| g.name == name)
            .map_or(&[][..], |g| &g.entries[..])
    }
    let (was, now) = (entries(old, name), entries(new, name));
    let same = |a: &VsgEntry, b: &VsgEntry| match (a, b) {
        (VsgEntry::Fwmark { mark: x, .. }, VsgEntry::Fwmark { mark: y, .. }) => x == y,
        _ => a == b,
    };
    let gone = |e: &&VsgEntry| !now.iter().any(|n| same(e, n));
    let ranges = was.iter().filter(|e| matches!(e, VsgEntry::Range { .. }));
    let marks = was.iter().filter(|e| matches!(e, VsgEntry::Fwmark { .. }));
    for e in ranges.chain(marks).filter(gone) {
        let entry = match e {
            VsgEntry::Fwmark { mark, .. } => mark.to_string(),
            VsgEntry::Range { first, last, port } => {
                let trio = format!("[{first}]:{}:{port}", proto_name(v));
                if first == last {
                    trio
                } else {
                    format!("{trio}-{last}")
                }
            }
        };
        ev.push(RemovalEvent::Log(messages::vsg_entry_no_longer_exists(
            &entry, name,
        )));
    }
}

/// Whether the sorry server of old virtual server `old_vs` is in IPVS and
/// stays there across the reload to `new_vs` (same address and port):
/// keepalived's `clear_diff_s_srv()` carrying `alive` over, which spares
/// the new virtual server a second "Starting with quorum down".
pub fn sorry_kept(old_vs: &VirtualServer, old_quorum_up: bool, new_vs: &VirtualServer) -> bool {
    match (&old_vs.opts().sorry_server, &new_vs.opts().sorry_server) {
        (Some(a), Some(b)) => !old_quorum_up && same_rs(a, b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::{Checker, CheckerKind};

    fn vs(last: u8, rs: &[(u8, i32)]) -> VirtualServer {
        let mut v = VirtualServer::new(
            VsAddr::Ip {
                addr: format!("192.0.2.{last}").parse().unwrap(),
                port: 80,
            },
            None,
        );
        for &(l, w) in rs {
            let mut r = RealServer::new(format!("198.51.100.{l}").parse().unwrap(), 8080, None);
            r.weight = Some(w);
            r.checkers.push(Checker::new(CheckerKind::Tcp, None));
            v.real_servers.push(r);
        }
        v
    }

    fn cfg(v: Vec<VirtualServer>) -> Config {
        Config {
            virtual_servers: v,
            ..Default::default()
        }
    }

    #[test]
    fn live_removed_real_server_is_notified_dead_one_only_logged() {
        let old = cfg(vec![vs(1, &[(2, 1), (3, 1), (4, 1)])]);
        let mut dec = Decision::new(&old, |_, r, _| r != 1);
        let new = cfg(vec![vs(1, &[(4, 1)])]);
        let ev = removals(&old, &dec, &new);
        assert_eq!(
            ev,
            [
                RemovalEvent::Log("service [198.51.100.2]:tcp:8080 no longer exist".into()),
                RemovalEvent::Log(
                    "Removing service [198.51.100.2]:tcp:8080 from VS [192.0.2.1]:tcp:80".into()
                ),
                RemovalEvent::RsRemoved { vs: 0, rs: 0 },
                // down and not inhibited: not in IPVS, nothing more
                RemovalEvent::Log("service [198.51.100.3]:tcp:8080 no longer exist".into()),
            ]
        );
        // inhibited: still in IPVS with weight 0, so "(inhibited)" removal
        dec.vs[0].quorum_up = true;
        let mut old = old;
        old.virtual_servers[0].inhibit_on_failure = true;
        let ev = removals(&old, &dec, &new);
        assert!(
            ev.contains(&RemovalEvent::Log(
                "Removing (inhibited) service [198.51.100.3]:tcp:8080 from VS [192.0.2.1]:tcp:80"
                    .into()
            ))
        );
    }

    #[test]
    fn removals_that_cost_the_quorum_say_so() {
        let mut old = cfg(vec![vs(1, &[(2, 2), (3, 1)])]);
        old.virtual_servers[0].quorum = 2;
        let dec = Decision::new(&old, |_, _, _| true);
        assert!(dec.vs[0].quorum_up);
        let mut new = old.clone();
        new.virtual_servers[0].real_servers.remove(0);
        let ev = removals(&old, &dec, &new);
        assert_eq!(
            ev.last(),
            Some(&RemovalEvent::QuorumLost {
                vs: 0,
                weight_sum: 1
            })
        );
    }

    #[test]
    fn removed_virtual_server_takes_its_live_servers_unless_flushed() {
        let old = cfg(vec![vs(1, &[(2, 1)]), vs(9, &[(5, 1)])]);
        let dec = Decision::new(&old, |_, _, _| true);
        let mut new = cfg(vec![vs(1, &[(2, 1)])]);
        let ev = removals(&old, &dec, &new);
        assert_eq!(
            ev,
            [
                RemovalEvent::Log("Removing Virtual Server [192.0.2.9]:tcp:80".into()),
                RemovalEvent::Log(
                    "Removing service [198.51.100.5]:tcp:8080 from VS [192.0.2.9]:tcp:80".into()
                ),
                RemovalEvent::RsRemoved { vs: 1, rs: 0 },
                RemovalEvent::QuorumLost {
                    vs: 1,
                    weight_sum: 0
                },
            ]
        );
        new.global.lvs_flush_on_stop = true;
        assert_eq!(
            removals(&old, &dec, &new),
            [RemovalEvent::Log(
                "Removing Virtual Server [192.0.2.9]:tcp:80".into()
            )]
        );
        // a group is named as such
        let mut old = old;
        old.virtual_servers[1].addr = VsAddr::Group { name: "G".into() };
        assert_eq!(
            removals(&old, &dec, &new),
            [RemovalEvent::Log(
                "Removing Virtual Server Group [G]".into()
            )]
        );
    }

    #[test]
    fn group_entries_gone_are_named_ranges_first() {
        use crate::config::model::VirtualServerGroup;
        let range = |a: &str, b: &str| VsgEntry::Range {
            first: a.parse().unwrap(),
            last: b.parse().unwrap(),
            port: 80,
        };
        let mark = |m| VsgEntry::Fwmark {
            mark: m,
            family: None,
        };
        let group = |entries| VirtualServerGroup {
            name: "G".into(),
            span: None,
            entries,
        };
        let mut g = vs(1, &[(2, 1)]);
        g.addr = VsAddr::Group { name: "G".into() };
        let mut old = cfg(vec![g]);
        let mut new = old.clone();
        old.virtual_server_groups = vec![group(vec![
            mark(7),
            range("192.0.2.1", "192.0.2.1"),
            range("192.0.2.10", "192.0.2.20"),
            range("192.0.2.30", "192.0.2.30"),
            mark(8),
        ])];
        new.virtual_server_groups = vec![group(vec![
            range("192.0.2.30", "192.0.2.30"),
            VsgEntry::Fwmark {
                mark: 8,
                family: Some(crate::config::model::Family::V4),
            },
        ])];
        let dec = Decision::new(&old, |_, _, _| true);
        assert_eq!(
            removals(&old, &dec, &new),
            [
                RemovalEvent::Log("VS [[192.0.2.1]:tcp:80] in group G no longer exists".into()),
                RemovalEvent::Log(
                    "VS [[192.0.2.10]:tcp:80-192.0.2.20] in group G no longer exists".into()
                ),
                RemovalEvent::Log("VS [7] in group G no longer exists".into()),
            ]
        );
    }

    #[test]
    fn live_server_behind_the_sorry_server_is_not_in_ipvs() {
        let mut old = cfg(vec![vs(1, &[(2, 1)])]);
        old.virtual_servers[0].quorum = 5;
        old.virtual_servers[0].opts_mut().sorry_server = Some(Box::new(RealServer::new(
            "198.51.100.9".parse().unwrap(),
            80,
            None,
        )));
        let dec = Decision::new(&old, |_, _, _| true);
        assert!(!dec.vs[0].quorum_up);
        let mut new = old.clone();
        new.virtual_servers[0].real_servers.clear();
        let ev = removals(&old, &dec, &new);
        assert_eq!(
            ev,
            [RemovalEvent::Log(
                "service [198.51.100.2]:tcp:8080 no longer exist".into()
            )]
        );
        assert!(sorry_kept(
            &old.virtual_servers[0],
            false,
            &new.virtual_servers[0]
        ));
        // the sorry server standing in is changed: it goes, and says so
        new.virtual_servers[0].opts_mut().sorry_server = Some(Box::new(RealServer::new(
            "198.51.100.8".parse().unwrap(),
            80,
            None,
        )));
        let ev = removals(&old, &dec, &new);
        assert_eq!(
            ev.last(),
            Some(&RemovalEvent::Log(
                "Removing sorry server [198.51.100.9]:tcp:80 from VS [192.0.2.1]:tcp:80".into()
            ))
        );
        // not standing in (quorum up) and not inhibited: nothing to say
        let mut up = dec.clone();
        up.vs[0].quorum_up = true;
        let said = |ev: Vec<RemovalEvent>| {
            ev.iter()
                .any(|e| matches!(e, RemovalEvent::Log(l) if l.starts_with("Removing sorry")))
        };
        assert!(!said(removals(&old, &up, &new)));
        // held at weight 0 by sorry_server_inhibit: said
        old.virtual_servers[0].opts_mut().sorry_server_inhibit = true;
        assert!(said(removals(&old, &up, &new)));
        assert!(!sorry_kept(
            &old.virtual_servers[0],
            true,
            &new.virtual_servers[0]
        ));
    }
}
