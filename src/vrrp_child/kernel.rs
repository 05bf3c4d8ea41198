//! The VRRP child's kernel edge: installing and removing VIPs, and the
//! gratuitous ARPs / unsolicited NAs that announce them.
//!
//! Addresses are a desired set: `add` skips an address that is already
//! there (and does not claim it), `remove` deletes only what we added, so a
//! VIP an operator configured by hand is never taken away.
//!
//! Better than keepalived: every address, route and rule we add is recorded in a state
//! file (next to the VRRP pid file) before the call returns, and removed
//! from it when we delete the address. A VRRP child that starts after a
//! crash or SIGKILL first deletes whatever that file lists, so no VIP is
//! ever left behind, even one whose instance is no longer configured.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::config::model::{IpAddressLine, RouteLine, RuleLine};
use crate::config::rt_names::RtNames;
use crate::proto::{arp, ndisc};
use crate::sys::netlink::{AddOutcome, Netlink, NetlinkError};
use crate::sys::packet::PacketSocket;
use crate::vrrp::addr::{AddrSpec, addr_spec};
use crate::vrrp::route::parse_route;
use crate::vrrp::rule::{parse_record, rule_of_line};

/// An address we installed: interface name, address, prefix.
type Owned = (String, IpAddr, u8);

pub struct Kernel {
    nl: Netlink,
    owned: BTreeSet<Owned>,
    /// Routes we installed, by their configuration words.
    /// Routes we installed: their words and the output interface index
    /// they were given (recorded in `record` as `route OIF WORDS…`).
    routes: BTreeMap<Vec<String>, Option<u32>>,
    /// Rules we installed, by their canonical words (recorded in `record`
    /// as `rule <words>` lines, so a restarted child removes them).
    rules: BTreeSet<String>,
    record: Option<PathBuf>,
    /// iproute2's names (`table vips`, `realms a/b`) for routes, rules and
    /// address scopes; read at start and at each reload, as keepalived.
    names: RtNames,
    /// GARP/NA send sockets by (ifindex, EtherType); see `send_frames`.
    frame_socks: HashMap<(u32, u16), Arc<PacketSocket>>,
    /// Index and MAC of the interfaces announcements went out of, so a
    /// GARP burst costs no netlink query; [`forget_link`](Self::forget_link)
    /// drops an entry when a link event says it changed.
    links: HashMap<String, (u32, [u8; 6])>,
}

/// The result of one address operation, for the log.
pub enum AddrOutcome {
    Done,
    AlreadyThere,
    Failed(String),
}

impl AddrOutcome {
    /// The outcome of a netlink add: "already present" is not an error.
    fn of_add<E: std::fmt::Display>(r: Result<AddOutcome, E>) -> AddrOutcome {
        match r {
            Ok(AddOutcome::Added) => AddrOutcome::Done,
            Ok(AddOutcome::AlreadyPresent) => AddrOutcome::AlreadyThere,
            Err(e) => AddrOutcome::Failed(e.to_string()),
        }
    }

    /// The outcome of a netlink delete (`Ok(false)`: it was already gone).
    fn of_delete<E: std::fmt::Display>(r: Result<bool, E>) -> AddrOutcome {
        match r {
            Ok(true) => AddrOutcome::Done,
            Ok(false) => AddrOutcome::AlreadyThere,
            Err(e) => AddrOutcome::Failed(e.to_string()),
        }
    }
}

impl Kernel {
    /// Opens rtnetlink on the current runtime. `record` is the state file of
    /// the addresses we own.
    pub fn new(record: Option<PathBuf>) -> Result<Kernel, NetlinkError> {
        Ok(Kernel {
            nl: Netlink::new()?,
            owned: BTreeSet::new(),
            routes: BTreeMap::new(),
            rules: BTreeSet::new(),
            record,
            names: RtNames::load(&crate::sys::host::LiveHost::default()),
            frame_socks: HashMap::new(),
            links: HashMap::new(),
        })
    }

    pub fn netlink(&self) -> &Netlink {
        &self.nl
    }

    /// Reads iproute2's name files again (at reload).
    pub fn reload_names(&mut self) {
        self.names = RtNames::load(&crate::sys::host::LiveHost::default());
    }

    /// Deletes the addresses a previous run recorded and did not remove;
    /// returns log lines.
    pub async fn remove_leftovers(&mut self) -> Vec<String> {
        let mut logs = Vec::new();
        let Some(path) = &self.record else {
            return logs;
        };
        let Ok(text) = std::fs::read_to_string(path) else {
            return logs;
        };
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("route ") {
                let mut w = rest.split_whitespace();
                let oif = w
                    .next()
                    .and_then(|o| o.parse::<u32>().ok())
                    .filter(|&o| o != 0);
                let words: Vec<String> = w.map(str::to_owned).collect();
                if let Ok(spec) = parse_route(&words, &self.names)
                    && let Ok(true) = self.nl.del_route(&spec, oif).await
                {
                    logs.push(crate::messages::removed_leftover_route(&words.join(" ")));
                }
                continue;
            }
            if let Some(words) = line.strip_prefix("rule ") {
                let words: Vec<String> = words.split_whitespace().map(str::to_owned).collect();
                if let Ok(rule) = parse_record(&words)
                    && let Ok(true) = self.nl.del_rule(&rule).await
                {
                    logs.push(crate::messages::removed_leftover_rule(&rule.to_string()));
                }
                continue;
            }
            let mut w = line.split_whitespace();
            let (Some(dev), Some(cidr)) = (w.next(), w.next()) else {
                continue;
            };
            let Some((a, p)) = cidr.split_once('/') else {
                continue;
            };
            let (Ok(addr), Ok(prefix)) = (a.parse::<IpAddr>(), p.parse::<u8>()) else {
                continue;
            };
            let Ok(Some(link)) = self.nl.link_by_name(dev).await else {
                continue;
            };
            let spec = AddrSpec::new(link.index, addr, prefix);
            if let Ok(true) = self.nl.del_address(&spec).await {
                logs.push(crate::messages::removed_leftover_vip(&addr, prefix, dev));
            }
        }
        self.save();
        logs
    }

    fn save(&self) {
        let Some(path) = &self.record else { return };
        if self.owned.is_empty() && self.rules.is_empty() && self.routes.is_empty() {
            let _ = std::fs::remove_file(path);
            return;
        }
        let mut text: String = self
            .owned
            .iter()
            .map(|(d, a, p)| format!("{d} {a}/{p}\n"))
            .collect();
        for (words, oif) in &self.routes {
            text.push_str(&format!("route {} {}\n", oif.unwrap_or(0), words.join(" ")));
        }
        for r in &self.rules {
            text.push_str(&format!("rule {r}\n"));
        }
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let tmp = path.with_extension("tmp");
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }

    async fn spec(
        &self,
        vip: &IpAddressLine,
        default_dev: &str,
    ) -> Result<(String, AddrSpec), String> {
        let named = addr_spec(vip, default_dev, &self.names);
        match self.nl.link_by_name(&named.dev).await {
            Ok(Some(link)) => Ok((named.dev.clone(), named.on(link.index))),
            Ok(None) => Err(format!("interface {} doesn't exist", named.dev)),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Adds one VIP (on its `dev`, else `default_dev`).
    pub async fn add(&mut self, vip: &IpAddressLine, default_dev: &str) -> AddrOutcome {
        let (dev, spec) = match self.spec(vip, default_dev).await {
            Ok(x) => x,
            Err(e) => return AddrOutcome::Failed(e),
        };
        let key = (dev, vip.addr, spec.prefix);
        // Recorded before the call: a crash in between leaves a record of an
        // address that may exist, never an address without a record.
        let fresh = self.owned.insert(key.clone());
        if fresh {
            self.save();
        }
        let out = AddrOutcome::of_add(self.nl.add_address(&spec).await);
        if fresh && !matches!(out, AddrOutcome::Done) {
            self.owned.remove(&key);
            self.save();
        }
        out
    }

    /// Removes one VIP if we added it.
    pub async fn remove(&mut self, vip: &IpAddressLine, default_dev: &str) -> AddrOutcome {
        let (dev, spec) = match self.spec(vip, default_dev).await {
            Ok(x) => x,
            Err(e) => return AddrOutcome::Failed(e),
        };
        if !self.owned.remove(&(dev, vip.addr, spec.prefix)) {
            return AddrOutcome::AlreadyThere;
        }
        let out = AddrOutcome::of_delete(self.nl.del_address(&spec).await);
        self.save();
        out
    }

    /// Adds a `virtual_routes` / `static_routes` line; a route form we do
    /// not handle is reported, never half-installed.
    pub async fn add_route(&mut self, line: &RouteLine, default_dev: Option<&str>) -> AddrOutcome {
        let spec = match parse_route(&line.words, &self.names) {
            Ok(s) => s,
            Err(w) => return AddrOutcome::Failed(format!("route option '{w}' is not supported")),
        };
        let oif = match self.route_oif(line, &spec, default_dev).await {
            Ok(o) => o,
            Err(e) => return AddrOutcome::Failed(e),
        };
        // Recorded before the call, as addresses are.
        let fresh = !self.routes.contains_key(&line.words);
        if fresh {
            self.routes.insert(line.words.clone(), oif);
            self.save();
        }
        let out = AddrOutcome::of_add(self.nl.add_route(&spec, oif).await);
        if matches!(out, AddrOutcome::Done) {
            return out;
        }
        if fresh {
            self.routes.remove(&line.words);
            self.save();
        }
        out
    }

    /// Removes a route if we added it.
    pub async fn remove_route(
        &mut self,
        line: &RouteLine,
        default_dev: Option<&str>,
    ) -> AddrOutcome {
        if self.routes.remove(&line.words).is_none() {
            return AddrOutcome::AlreadyThere;
        }
        let Ok(spec) = parse_route(&line.words, &self.names) else {
            self.save();
            return AddrOutcome::AlreadyThere;
        };
        let oif = self
            .route_oif(line, &spec, default_dev)
            .await
            .ok()
            .flatten();
        let out = AddrOutcome::of_delete(self.nl.del_route(&spec, oif).await);
        self.save();
        out
    }

    /// Adds a `virtual_rules` / `static_rules` line. Recorded before the
    /// call, as addresses are; a rule the kernel already had is not ours.
    pub async fn add_rule(&mut self, line: &RuleLine) -> AddrOutcome {
        let rule = match rule_of_line(line, &self.names) {
            Ok(r) => r,
            Err(w) if w.is_empty() => {
                return AddrOutcome::Failed("no action specified for rule".into());
            }
            Err(w) => return AddrOutcome::Failed(format!("rule option '{w}' is not supported")),
        };
        let key = rule.to_string();
        let fresh = self.rules.insert(key.clone());
        if fresh {
            self.save();
        }
        let out = AddrOutcome::of_add(self.nl.add_rule(&rule).await);
        if matches!(out, AddrOutcome::Done) {
            return out;
        }
        if fresh {
            self.rules.remove(&key);
            self.save();
        }
        out
    }

    /// Removes a rule if we added it.
    pub async fn remove_rule(&mut self, line: &RuleLine) -> AddrOutcome {
        let Ok(rule) = rule_of_line(line, &self.names) else {
            return AddrOutcome::AlreadyThere;
        };
        if !self.rules.remove(&rule.to_string()) {
            return AddrOutcome::AlreadyThere;
        }
        let out = AddrOutcome::of_delete(self.nl.del_rule(&rule).await);
        self.save();
        out
    }

    async fn route_oif(
        &self,
        line: &RouteLine,
        spec: &crate::vrrp::route::RouteSpec,
        default_dev: Option<&str>,
    ) -> Result<Option<u32>, String> {
        let Some(dev) = spec.dev.as_deref().or(line.dev.as_deref()).or(default_dev) else {
            return Ok(None);
        };
        match self.nl.link_by_name(dev).await {
            Ok(Some(l)) => Ok(Some(l.index)),
            Ok(None) => Err(format!("interface {dev} doesn't exist")),
            Err(e) => Err(e.to_string()),
        }
    }

    /// keepalived deletes an instance's configured virtual rules when it
    /// starts, whoever installed them; `true` if one was there.
    pub async fn clear_rule_at_start(&mut self, line: &RuleLine) -> bool {
        match rule_of_line(line, &self.names) {
            Ok(rule) => matches!(self.nl.del_rule(&rule).await, Ok(true)),
            Err(_) => false,
        }
    }

    /// keepalived removes an instance's configured VIPs when it starts
    /// (they may be left from a previous run that was killed).
    pub async fn clear_at_start(&mut self, vip: &IpAddressLine, default_dev: &str) -> bool {
        match self.spec(vip, default_dev).await {
            Ok((_, spec)) => matches!(self.nl.del_address(&spec).await, Ok(true)),
            Err(_) => false,
        }
    }

    /// A link event about `name`: its index or MAC may have changed.
    pub fn forget_link(&mut self, name: &str) {
        self.links.remove(name);
    }

    /// The frames announcing `vips` (gratuitous ARP for IPv4, unsolicited
    /// NA for IPv6), with the interface index each goes out of.
    pub async fn announce_frames(
        &mut self,
        vips: &[IpAddressLine],
        default_dev: &str,
    ) -> Vec<(u32, u16, Vec<u8>, String)> {
        let mut out = Vec::new();
        for v in vips {
            let dev = v.dev.as_deref().unwrap_or(default_dev);
            let (index, mac) = match self.links.get(dev) {
                Some(&l) => l,
                None => {
                    let Ok(Some(link)) = self.nl.link_by_name(dev).await else {
                        continue;
                    };
                    self.links.insert(dev.to_string(), (link.index, link.mac));
                    (link.index, link.mac)
                }
            };
            match v.addr {
                IpAddr::V4(a) => out.push((
                    index,
                    arp::ETHERTYPE_ARP,
                    arp::gratuitous_arp(mac, a),
                    dev.to_string(),
                )),
                IpAddr::V6(a) => {
                    let router = crate::sys::netlink::read_sysctl("ipv6", dev, "forwarding")
                        .is_ok_and(|v| v == 1);
                    out.push((
                        index,
                        ndisc::ETHERTYPE_IPV6,
                        ndisc::unsolicited_na(mac, a, a, router),
                        dev.to_string(),
                    ));
                }
            }
        }
        out
    }
}

/// Sends `rounds` copies of every frame, `interval` apart per interface
/// (keepalived's `vrrp_garp_interval` / `vrrp_gna_interval`), in a task
/// of its own so that the main loop never waits for it. The sockets are
/// opened (and kept) by the caller: the task only sends.
fn spawn_send(frames: Vec<(Arc<PacketSocket>, Vec<u8>)>, rounds: u32, interval: Duration) {
    tokio::spawn(async move {
        for _ in 0..rounds {
            for (sock, frame) in &frames {
                let _ = sock.send(frame);
                if !interval.is_zero() {
                    tokio::time::sleep(interval).await;
                }
            }
        }
    });
}

impl Kernel {
    /// Sends `rounds` copies of every frame (see [`spawn_send`]) through
    /// the AF_PACKET socket of its interface and EtherType, opened on first
    /// use and kept for the child's lifetime, as keepalived keeps its GARP
    /// socket. Why not one socket per burst: closing an AF_PACKET socket
    /// waits for an RCU grace period (`synchronize_net` in the kernel's
    /// `packet_release`), about 10 ms on a busy host, and that close ran on
    /// the main loop's thread. With 255 instances becoming master together
    /// the loop stalled for seconds, adverts went out late and the backup
    /// took over spuriously (found by `scripts/bench-vrrp.sh`).
    pub fn send_frames(
        &mut self,
        frames: Vec<(u32, u16, Vec<u8>, String)>,
        rounds: u32,
        interval: Duration,
    ) {
        let mut out = Vec::with_capacity(frames.len());
        for (ifindex, ethertype, frame, _) in frames {
            let sock = match self.frame_socks.entry((ifindex, ethertype)) {
                std::collections::hash_map::Entry::Occupied(e) => e.get().clone(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    match PacketSocket::open(ifindex, ethertype) {
                        Ok(s) => e.insert(Arc::new(s)).clone(),
                        Err(_) => continue,
                    }
                }
            };
            out.push((sock, frame));
        }
        if !out.is_empty() {
            spawn_send(out, rounds, interval);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bursts reuse the socket of their (interface, EtherType) instead of
    /// opening (and later closing, which stalls the loop) one each time.
    #[test]
    fn garp_bursts_reuse_one_socket_per_interface_and_ethertype() {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("SKIPPED: AF_PACKET sockets need root");
            return;
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let mut k = Kernel::new(None).expect("netlink");
            // Loopback (ifindex 1): the frames go nowhere that matters.
            let frame = |t: u16| (1u32, t, vec![0u8; 42], "lo".to_string());
            k.send_frames(vec![frame(arp::ETHERTYPE_ARP)], 1, Duration::ZERO);
            let first = Arc::clone(&k.frame_socks[&(1, arp::ETHERTYPE_ARP)]);
            k.send_frames(vec![frame(arp::ETHERTYPE_ARP)], 2, Duration::ZERO);
            k.send_frames(vec![frame(ndisc::ETHERTYPE_IPV6)], 1, Duration::ZERO);
            assert_eq!(k.frame_socks.len(), 2);
            let again = &k.frame_socks[&(1, arp::ETHERTYPE_ARP)];
            assert!(Arc::ptr_eq(&first, again));
        });
    }
}
