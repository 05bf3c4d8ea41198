//! Route and rule lines of `static_routes`/`virtual_routes` and
//! `static_rules`/`virtual_rules` (keepalived's `vrrp_iproute.c` and
//! `vrrp_iprule.c`): `ip route`/`ip rule` syntax. We keep the words for the
//! netlink layer and report what keepalived reports.

use super::ctx::Parser;
use super::values::{parse_ip_strict as parse_ip, parse_uint, split_prefix};
use super::vrrp::interface_known;
use crate::config::model::{RouteLine, RuleLine};
use crate::config::rt_names::RtNames;
use crate::config::token::Line;

/// Route types `ip route` accepts before the destination.
const ROUTE_TYPES: &[&str] = &[
    "unicast",
    "local",
    "broadcast",
    "multicast",
    "throw",
    "unreachable",
    "prohibit",
    "blackhole",
    "nat",
    "anycast",
];

/// Options that take one value (possibly preceded by `lock`).
const LOCKABLE: &[&str] = &[
    "mtu",
    "advmss",
    "rtt",
    "rttvar",
    "reordering",
    "cwnd",
    "ssthresh",
    "rto_min",
    "congctl",
];
const ONE_VALUE: &[&str] = &[
    "tos",
    "dsfield",
    "table",
    "protocol",
    "scope",
    "metric",
    "priority",
    "preference",
    "expires",
    "hoplimit",
    "window",
    "realms",
    "initcwnd",
    "initrwnd",
    "features",
    "quickack",
    "pref",
    "ttl-propagate",
    "fastopen_no_cookie",
    "vrf",
];

/// Largest route RTT keepalived accepts, in ms (`RTT_MAX_MS`).
const RTT_MAX_MS: u64 = 120_000;

/// keepalived's `get_time_rtt()`: a number of ms, or with a `s`/`sec`/`secs`
/// (seconds, 3 decimals) or `ms…` suffix; `mult` is the unit per ms.
fn valid_rtt(p: &mut Parser, l: &Line, i: usize, s: &str, mult: u64) -> bool {
    let s = s.trim_start_matches([' ', '\t']);
    let (num, shift) = match s.find(['s', 'S']) {
        Some(pos) => {
            let suffix = s[pos..].to_ascii_lowercase();
            if !matches!(suffix.as_str(), "s" | "sec" | "secs") {
                return false;
            }
            if pos > 0 && s.as_bytes()[pos - 1].eq_ignore_ascii_case(&b'm') {
                (&s[..pos - 1], 0)
            } else {
                (&s[..pos], 3)
            }
        }
        None => (s, 0),
    };
    if num.is_empty() || num.contains(['e', 'E']) {
        return false;
    }
    p.read_decimal_text(l, i, num, 0, RTT_MAX_MS * mult, shift, false)
        .is_some()
}

/// A route destination: `default`, `any`, `all`, `default6`, or ADDR[/LEN].
fn valid_dest(s: &str) -> Option<bool> {
    if matches!(s, "default" | "any" | "all") {
        return Some(false);
    }
    if s == "default6" {
        return Some(true);
    }
    let (a, len) = split_prefix(s);
    let ip = parse_ip(a)?;
    if let Some(l) = len {
        parse_uint(l, if ip.is_ipv6() { 128 } else { 32 })?;
    }
    Some(ip.is_ipv6())
}

/// keepalived's message for a route (`rule` false) or rule option whose
/// value is neither a number nor a name iproute2's files know; `None` when
/// it is known.
fn unknown_name(names: &RtNames, option: &str, v: &str, rule: bool) -> Option<String> {
    let (known, msg) = match (option, rule) {
        ("table", _) => (
            names.table(v).is_some(),
            format!(
                "Routing table {v} not found for {}",
                if rule { "rule" } else { "route" }
            ),
        ),
        ("scope", _) => (
            names.scope(v).is_some(),
            format!("Scope {v} not found or invalid for route"),
        ),
        ("realms", false) => (
            names.realms(v).is_some(),
            format!("Invalid realms {v} for route"),
        ),
        ("realms", true) => (
            names.realms(v).is_some(),
            format!("invalid realms {v} for rule"),
        ),
        ("suppress_ifgroup" | "sup_group", _) => (
            names.group(v).is_some(),
            format!("suppress_group {v} is invalid"),
        ),
        _ => (
            names.dsfield(v).is_some(),
            format!("TOS value {v} is invalid"),
        ),
    };
    (!known).then_some(msg)
}

pub fn route_line(p: &mut Parser, l: &Line, allow_track_group: bool) -> Option<RouteLine> {
    let n = l.words.len();
    let mut i = 0;
    let mut dev: Option<String> = None;
    let mut dest: Option<String> = None;
    let mut no_track = false;
    let mut protocol_set: Option<String> = None;
    while i < n {
        let s = l.words[i].text.to_string();
        match s.as_str() {
            "inet" | "inet6" | "onlink" | "add" | "prepend" | "append" => {}
            "no_track" => no_track = true,
            "src" | "from" => {
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                let ok = if s == "src" {
                    parse_ip(&v).is_some()
                } else {
                    valid_dest(&v).is_some()
                };
                if !ok {
                    let what = if s == "src" { "src" } else { "from" };
                    p.err(l, i, format!("invalid route {what} address {v}"));
                    return None;
                }
            }
            "via" | "gw" => {
                if s == "gw" {
                    p.err(l, i, "\"gw\" for routes is deprecated. Please use \"via\"");
                }
                let mut v = p.word(l, i + 1)?.to_owned();
                i += 1;
                if v == "inet" || v == "inet6" {
                    v = p.word(l, i + 1)?.to_owned();
                    i += 1;
                }
                if parse_ip(&v).is_none() {
                    p.err(l, i, format!("invalid route via address {v}"));
                    return None;
                }
            }
            "dev" | "oif" => {
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                if !interface_known(p, &v) {
                    p.err(
                        l,
                        i,
                        format!("WARNING - interface {v} for VROUTE nexthop doesn't exist"),
                    );
                    return None;
                }
                dev = Some(v);
            }
            "rtt" | "rttvar" | "rto_min" => {
                let mut v = p.word(l, i + 1)?.to_owned();
                i += 1;
                if v == "lock" {
                    v = p.word(l, i + 1)?.to_owned();
                    i += 1;
                }
                let mult = match s.as_str() {
                    "rtt" => 8,
                    "rttvar" => 4,
                    _ => 1,
                };
                if !valid_rtt(p, l, i, &v, mult) {
                    let msg = if s == "rto_min" {
                        format!("Invalid rto_min value {v} specified for route")
                    } else {
                        format!("Invalid {s} {v} for route")
                    };
                    p.err(l, i, msg);
                    return None;
                }
            }
            _ if LOCKABLE.contains(&s.as_str()) => {
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                if v == "lock" {
                    p.word(l, i + 1)?;
                    i += 1;
                }
            }
            "protocol" => {
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                if p.rt_names().proto(&v).is_none() {
                    p.err(l, i, format!("Protocol {v} not found or invalid for route"));
                    return None;
                }
                protocol_set = Some(v);
            }
            // Names from /etc/iproute2 (or numbers); an unknown one drops
            // the route, as keepalived's alloc_route does.
            "tos" | "dsfield" | "table" | "scope" | "realms" => {
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                if let Some(msg) = unknown_name(p.rt_names(), &s, &v, false) {
                    p.err(l, i, msg);
                    return None;
                }
            }
            _ if ONE_VALUE.contains(&s.as_str()) => {
                p.word(l, i + 1)?;
                i += 1;
            }
            "as" => {
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                if v == "to" {
                    i += 1;
                }
            }
            "encap" => {
                // encap TYPE ARGS…: the rest of the line belongs to it.
                i = n;
                continue;
            }
            "or" => {
                p.err(
                    l,
                    i,
                    "\"or\" for routes is deprecated. Please use \"nexthop\"",
                );
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                if parse_ip(&v).is_none() {
                    p.err(l, i, format!("Invalid \"or\" address {v}"));
                    return None;
                }
            }
            "nexthop" => break,
            "track_group" if allow_track_group => {
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                if !p.cfg.track_groups.iter().any(|g| g.name == v) {
                    p.err(l, i, format!("track_group {v} not found"));
                }
            }
            _ => {
                let mut d = s.clone();
                if ROUTE_TYPES.contains(&d.as_str()) {
                    i += 1;
                    d = p.word(l, i)?.to_owned();
                }
                if d == "to" {
                    i += 1;
                    d = p.word(l, i)?.to_owned();
                }
                if valid_dest(&d).is_none() {
                    p.err(l, i, format!("unknown route keyword {d}"));
                    return None;
                }
                dest = Some(d);
            }
        }
        i += 1;
    }
    let Some(dest) = dest else {
        p.err(l, 0, "Route must have a destination");
        return None;
    };
    if !no_track {
        if protocol_set
            .as_deref()
            .is_some_and(|v| v != "keepalived" && v != "18")
        {
            p.err(l, 0, "Route cannot be tracked if protocol is not RTPROT_KEEPALIVED(18), resetting protocol");
        }
        if dev.is_none() {
            p.err(
                l,
                0,
                format!(
                    "Warning - cannot track route {dest} with no interface specified, not tracking"
                ),
            );
        }
    }
    let words = l.words.iter().map(|w| w.text.to_string()).collect();
    Some(RouteLine {
        words,
        dev,
        span: l.span.clone(),
    })
}

pub fn rule_line(p: &mut Parser, l: &Line, allow_track_group: bool) -> Option<RuleLine> {
    let n = l.words.len();
    let mut i = 0;
    let mut have_pref = false;
    let mut have_action = false;
    let mut v6 = false;
    let mut no_track = false;
    let mut protocol: Option<String> = None;
    while i < n {
        let s = l.words[i].text.to_string();
        match s.as_str() {
            // keepalived 2.2.7's alloc_rule() steps over the word after
            // `inet`/`inet6` as well (an extra i++), so `inet6 from X`
            // ends in "Unknown rule option X": do the same.
            "inet" | "inet6" => {
                v6 |= s == "inet6";
                i += 1;
            }
            "not" => {}
            // l3mdev is an action (FR_ACT_TO_TBL through the VRF's table).
            "l3mdev" => have_action = true,
            "no_track" => no_track = true,
            "from" | "to" => {
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                match valid_dest(&v) {
                    Some(is6) => v6 |= is6,
                    None => {
                        p.err(l, i, format!("Invalid rule {s} address {v}"));
                        return None;
                    }
                }
            }
            "table" | "lookup" => {
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                match p.rt_names().table(&v) {
                    None => {
                        p.err(l, i, format!("Routing table {v} not found for rule"));
                        return None;
                    }
                    Some(0) => {
                        p.err(l, i, "Table 0 is not valid");
                        return None;
                    }
                    Some(_) => {}
                }
                have_action = true;
            }
            "preference" | "priority" | "order" | "pref" | "prio" => {
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                if parse_uint(&v, u32::MAX as u64).is_none() {
                    p.err(l, i, format!("Invalid rule preference {v} specified"));
                    return None;
                }
                have_pref = true;
            }
            "dev" | "iif" | "oif" => {
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                if !interface_known(p, &v) {
                    p.err(
                        l,
                        i,
                        format!("WARNING - interface {v} for rule doesn't exist"),
                    );
                    return None;
                }
            }
            "protocol" => {
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                // A number only, for rules; the rule is kept without it.
                if parse_uint(&v, 255).is_none() {
                    p.err(l, i, format!("Invalid protocol {v}"));
                } else {
                    protocol = Some(v);
                }
            }
            "tos" | "dsfield" | "realms" | "suppress_ifgroup" | "sup_group" => {
                let v = p.word(l, i + 1)?.to_owned();
                i += 1;
                if let Some(msg) = unknown_name(p.rt_names(), &s, &v, true) {
                    p.err(l, i, msg);
                    return None;
                }
            }
            "fwmark"
            | "suppress_prefixlength"
            | "sup_pl"
            | "tunnel-id"
            | "uidrange"
            | "ipproto"
            | "sport"
            | "dport" => {
                p.word(l, i + 1)?;
                i += 1;
            }
            "track_group" if allow_track_group => {
                p.word(l, i + 1)?;
                i += 1;
            }
            "goto" => {
                p.word(l, i + 1)?;
                i += 1;
                have_action = true;
            }
            "nop" | "blackhole" | "unreachable" | "prohibit" | "type" => have_action = true,
            _ => {
                p.err(l, i, format!("Unknown rule option {s}"));
                return None;
            }
        }
        i += 1;
    }
    if !have_action {
        p.err(l, 0, "No action specified for rule - ignoring");
        return None;
    }
    if !no_track
        && protocol
            .as_deref()
            .is_some_and(|v| v != "keepalived" && v != "18")
    {
        p.err(
            l,
            0,
            "Rule cannot be tracked if protocol is not RTPROT_KEEPALIVED(18), resetting protocol",
        );
    }
    let mut auto_pref = None;
    if !have_pref {
        let next = if v6 {
            &mut p.next_rule_pref6
        } else {
            &mut p.next_rule_pref4
        };
        let pref = *next;
        *next -= 1;
        auto_pref = Some(pref);
        p.err(l, 0, format!("Rule has no preference specified - setting to {pref}. This is probably not what you want."));
    }
    let words = l.words.iter().map(|w| w.text.to_string()).collect();
    Some(RuleLine {
        words,
        auto_pref,
        span: l.span.clone(),
    })
}
