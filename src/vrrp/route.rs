//! The common forms of a `virtual_routes` / `static_routes` line, turned into
//! the route to install (keepalived-reference.md a.4). Pure: the config
//! parser already validated the words; this picks out what
//! `sys::netlink::Netlink::add_route` needs and refuses (with the word) any
//! option it does not implement, so nothing is silently half-installed.
//!
//! Supported: `[TYPE] [to] DEST[/LEN]|default [via|gw IP] [dev IF] [src IP]
//! [table N|main|local|default] [metric|priority|preference N]
//! [scope S] [protocol|proto P] [inet|inet6]` with TYPE one
//! of unicast, blackhole, unreachable, prohibit, throw.

use std::net::IpAddr;

use super::rule::protocol_number;
use crate::config::parser::values::scope_number;
use crate::config::rt_names::RtNames;

/// RTN_* route types we install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    Unicast = 1,
    Blackhole = 6,
    Unreachable = 7,
    Prohibit = 8,
    Throw = 9,
}

/// One route, with its device still a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub kind: RouteKind,
    pub v6: bool,
    /// `None` = default route.
    pub dest: Option<IpAddr>,
    pub prefix: u8,
    pub via: Option<IpAddr>,
    pub dev: Option<String>,
    pub src: Option<IpAddr>,
    /// RT_TABLE_* (254 main by default).
    pub table: u32,
    pub metric: Option<u32>,
    /// `None`: the kernel-style default (link for a device route without
    /// a gateway, universe otherwise), decided at install time.
    pub scope: Option<u8>,
    /// RTPROT_* (3 "boot", what `ip route add` uses, by default).
    pub protocol: u8,
}

fn ip_and_prefix(w: &str) -> Option<(IpAddr, Option<u8>)> {
    match w.split_once('/') {
        Some((a, l)) => Some((a.parse().ok()?, Some(l.parse().ok()?))),
        None => Some((w.parse().ok()?, None)),
    }
}

/// Parses the words of a route line; `Err(word)` names the first word this
/// implementation does not handle.
/// Names (`table vips`, `protocol bird`) come from iproute2's files.
pub fn parse_route(words: &[String], names: &RtNames) -> Result<RouteSpec, String> {
    let mut r = RouteSpec {
        kind: RouteKind::Unicast,
        v6: false,
        dest: None,
        prefix: 0,
        via: None,
        dev: None,
        src: None,
        table: 254,
        metric: None,
        scope: None,
        protocol: 3,
    };
    let mut have_dest = false;
    let mut explicit_v6 = false;
    let mut it = words.iter().map(String::as_str);
    let bad = |w: &str| w.to_owned();
    while let Some(w) = it.next() {
        let mut value = |w: &str| it.next().ok_or_else(|| bad(w));
        match w {
            "unicast" => r.kind = RouteKind::Unicast,
            "blackhole" => r.kind = RouteKind::Blackhole,
            "unreachable" => r.kind = RouteKind::Unreachable,
            "prohibit" => r.kind = RouteKind::Prohibit,
            "throw" => r.kind = RouteKind::Throw,
            "inet" | "add" | "prepend" | "no_track" | "to" => {}
            "inet6" => explicit_v6 = true,
            "via" | "gw" => {
                let v = value(w)?;
                r.via = Some(v.parse().map_err(|_| bad(v))?);
            }
            "dev" | "oif" => r.dev = Some(value(w)?.to_owned()),
            "src" => {
                let v = value(w)?;
                r.src = Some(v.parse().map_err(|_| bad(v))?);
            }
            "table" => {
                let v = value(w)?;
                r.table = names.table(v).ok_or_else(|| bad(v))?;
            }
            "metric" | "priority" | "preference" => {
                let v = value(w)?;
                r.metric = Some(v.parse().map_err(|_| bad(v))?);
            }
            "scope" => {
                let v = value(w)?;
                r.scope = Some(
                    names
                        .scope(v)
                        .or_else(|| scope_number(v))
                        .ok_or_else(|| bad(v))?,
                );
            }
            "protocol" | "proto" => {
                let v = value(w)?;
                r.protocol = names
                    .proto(v)
                    .or_else(|| protocol_number(v))
                    .ok_or_else(|| bad(v))?;
            }
            "default" | "any" | "all" if !have_dest => have_dest = true,
            "default6" if !have_dest => {
                have_dest = true;
                explicit_v6 = true;
            }
            _ if !have_dest => {
                let (ip, len) = ip_and_prefix(w).ok_or_else(|| bad(w))?;
                r.prefix = len.unwrap_or(if ip.is_ipv6() { 128 } else { 32 });
                r.dest = Some(ip);
                have_dest = true;
            }
            _ => return Err(bad(w)),
        }
    }
    if !have_dest {
        return Err(String::new());
    }
    r.v6 = explicit_v6
        || r.dest.is_some_and(|d| d.is_ipv6())
        || r.via.is_some_and(|d| d.is_ipv6())
        || r.src.is_some_and(|d| d.is_ipv6());
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn full_unicast_route() {
        let r = parse_route(&w(
            "192.0.2.0/24 via 198.51.100.1 dev eth0 src 198.51.100.2 table 100 metric 5 scope global proto static",
        ), &RtNames::default())
        .unwrap();
        assert_eq!(r.kind, RouteKind::Unicast);
        assert!(!r.v6);
        assert_eq!(r.dest, Some("192.0.2.0".parse().unwrap()));
        assert_eq!(r.prefix, 24);
        assert_eq!(r.via, Some("198.51.100.1".parse().unwrap()));
        assert_eq!(r.dev.as_deref(), Some("eth0"));
        assert_eq!(r.src, Some("198.51.100.2".parse().unwrap()));
        assert_eq!(
            (r.table, r.metric, r.scope, r.protocol),
            (100, Some(5), Some(0), 4)
        );
    }

    #[test]
    fn defaults_and_types() {
        let r = parse_route(
            &w("src 192.0.2.1 to 192.0.2.7 dev eth0"),
            &RtNames::default(),
        )
        .unwrap();
        assert_eq!((r.prefix, r.table, r.protocol, r.scope), (32, 254, 3, None));
        let r = parse_route(&w("blackhole 2001:db8::/64"), &RtNames::default()).unwrap();
        assert_eq!(r.kind, RouteKind::Blackhole);
        assert!(r.v6);
        let r = parse_route(&w("default via 192.0.2.1 table main"), &RtNames::default()).unwrap();
        assert_eq!((r.dest, r.prefix, r.table), (None, 0, 254));
        assert_eq!(
            parse_route(&w("unreachable 192.0.2.0/24"), &RtNames::default())
                .unwrap()
                .kind,
            RouteKind::Unreachable
        );
    }

    #[test]
    fn unsupported_words_are_named() {
        assert_eq!(
            parse_route(&w("192.0.2.0/24 dev eth0 mtu 1400"), &RtNames::default()),
            Err("mtu".to_owned())
        );
        assert_eq!(
            parse_route(
                &w("192.0.2.0/24 nexthop via 192.0.2.1"),
                &RtNames::default()
            ),
            Err("nexthop".to_owned())
        );
    }
}
