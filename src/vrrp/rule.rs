//! A `virtual_rules` / `static_rules` line turned into the policy-routing
//! rule to install (keepalived-reference.md a.4, keepalived's
//! `alloc_rule()`). Pure: the config parser already validated the words and
//! reported keepalived's errors; this builds the typed rule that
//! `sys::netlink::Netlink::add_rule` sends, and refuses (with the word) any
//! value it cannot represent, so nothing is silently half-installed.
//!
//! As keepalived does, a rule that is tracked (no `no_track`) is installed
//! with protocol `keepalived` (18), whatever `protocol` says; a rule without
//! a preference gets the one the config parser assigned
//! ([`crate::config::model::RuleLine::auto_pref`]).
//!
//! [`RuleSpec`]'s `Display` gives canonical words that [`parse_record`]
//! reads back to the same rule: that is what the leftover record stores.

use std::fmt;
use std::net::IpAddr;

use crate::config::model::RuleLine;
use crate::config::rt_names::{RtNames, parse_number};

/// RTPROT_KEEPALIVED.
pub const PROTO_KEEPALIVED: u8 = 18;

/// What a matching packet does (FR_ACT_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleAction {
    /// `table|lookup N`: FR_ACT_TO_TBL.
    Table(u32),
    /// `l3mdev`: FR_ACT_TO_TBL with the table of the l3mdev (VRF).
    L3mdev,
    /// `goto N`: jump to the rule with preference N.
    Goto(u32),
    Nop,
    Blackhole,
    Unreachable,
    Prohibit,
}

/// One policy-routing rule, with interface names (the kernel takes names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    pub v6: bool,
    /// `not`: FIB_RULE_INVERT.
    pub invert: bool,
    pub from: Option<(IpAddr, u8)>,
    pub to: Option<(IpAddr, u8)>,
    pub action: RuleAction,
    /// FRA_PRIORITY (`preference|priority|order`).
    pub priority: Option<u32>,
    /// `tos|dsfield`, the header's tos byte.
    pub tos: u8,
    pub fwmark: Option<u32>,
    pub fwmask: Option<u32>,
    /// FRA_FLOW: source realm << 16 | destination realm.
    pub realms: Option<u32>,
    pub suppress_prefixlen: Option<u32>,
    pub suppress_ifgroup: Option<u32>,
    /// `iif|dev`.
    pub iif: Option<String>,
    pub oif: Option<String>,
    pub tunnel_id: Option<u64>,
    pub uid_range: Option<(u32, u32)>,
    /// FRA_PROTOCOL: 18 for tracked rules.
    pub protocol: Option<u8>,
    pub ip_proto: Option<u8>,
    pub sport: Option<(u16, u16)>,
    pub dport: Option<(u16, u16)>,
    pub no_track: bool,
}

fn u32_of(w: &str) -> Option<u32> {
    parse_number(w).and_then(|v| u32::try_from(v).ok())
}

fn prefix(w: &str) -> Option<Option<(IpAddr, u8)>> {
    if matches!(w, "all" | "default" | "any") {
        return Some(None);
    }
    let (ip, len) = match w.split_once('/') {
        Some((a, l)) => {
            let ip: IpAddr = a.parse().ok()?;
            (ip, l.parse().ok()?)
        }
        None => {
            let ip: IpAddr = w.parse().ok()?;
            (ip, if ip.is_ipv6() { 128 } else { 32 })
        }
    };
    let max = if ip.is_ipv6() { 128 } else { 32 };
    (len <= max).then_some(Some((ip, len)))
}

fn range<T: std::str::FromStr + Copy + PartialOrd>(w: &str) -> Option<(T, T)> {
    match w.split_once('-') {
        Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
        None => {
            let a = w.parse().ok()?;
            Some((a, a))
        }
    }
}

fn ip_proto(w: &str) -> Option<u8> {
    match w {
        "icmp" => Some(1),
        "tcp" => Some(6),
        "udp" => Some(17),
        "gre" => Some(47),
        "esp" => Some(50),
        "ah" => Some(51),
        "ipv6-icmp" | "icmpv6" => Some(58),
        "sctp" => Some(132),
        _ => w.parse().ok(),
    }
}

/// A route protocol by iproute2's name or number (routes and rules).
pub(crate) fn protocol_number(w: &str) -> Option<u8> {
    match w {
        "redirect" => Some(1),
        "kernel" => Some(2),
        "boot" => Some(3),
        "static" => Some(4),
        "keepalived" => Some(PROTO_KEEPALIVED),
        _ => w.parse().ok(),
    }
}

/// Parses the words of a configured rule line; `Err(word)` names the first
/// word this implementation does not handle (empty: no action). As
/// keepalived 2.2.7 (and the config parser), the word after `inet` /
/// `inet6` is stepped over.
pub fn parse_rule(words: &[String], names: &RtNames) -> Result<RuleSpec, String> {
    parse_words(words, true, names)
}

/// Parses the canonical words of [`RuleSpec`]'s `Display` (the leftover
/// record), where `inet`/`inet6` is just the family.
pub fn parse_record(words: &[String]) -> Result<RuleSpec, String> {
    parse_words(words, false, &RtNames::default())
}

fn parse_words(
    words: &[String],
    family_skips_word: bool,
    names: &RtNames,
) -> Result<RuleSpec, String> {
    let mut r = RuleSpec {
        v6: false,
        invert: false,
        from: None,
        to: None,
        action: RuleAction::Nop,
        priority: None,
        tos: 0,
        fwmark: None,
        fwmask: None,
        realms: None,
        suppress_prefixlen: None,
        suppress_ifgroup: None,
        iif: None,
        oif: None,
        tunnel_id: None,
        uid_range: None,
        protocol: None,
        ip_proto: None,
        sport: None,
        dport: None,
        no_track: false,
    };
    let mut action = None;
    let mut it = words.iter().map(String::as_str);
    let bad = |w: &str| w.to_owned();
    while let Some(mut w) = it.next() {
        let mut value = |w: &str| it.next().ok_or_else(|| bad(w));
        match w {
            "inet" | "inet6" => {
                r.v6 |= w == "inet6";
                if family_skips_word {
                    it.next();
                }
            }
            "track_group" => {
                value(w)?;
            }
            "not" => r.invert = true,
            "no_track" => r.no_track = true,
            "from" | "to" => {
                let v = value(w)?;
                let p = prefix(v).ok_or_else(|| bad(v))?;
                if w == "from" {
                    r.from = p;
                } else {
                    r.to = p;
                }
            }
            "table" | "lookup" => {
                let v = value(w)?;
                action = Some(RuleAction::Table(names.table(v).ok_or_else(|| bad(v))?));
            }
            "preference" | "priority" | "order" | "pref" | "prio" => {
                let v = value(w)?;
                r.priority = Some(u32_of(v).ok_or_else(|| bad(v))?);
            }
            "tos" | "dsfield" => {
                let v = value(w)?;
                r.tos = names.dsfield(v).ok_or_else(|| bad(v))?;
            }
            "fwmark" => {
                let v = value(w)?;
                let (m, mask) = match v.split_once('/') {
                    Some((m, k)) => (m, Some(u32_of(k).ok_or_else(|| bad(v))?)),
                    None => (v, None),
                };
                r.fwmark = Some(u32_of(m).ok_or_else(|| bad(v))?);
                r.fwmask = mask;
            }
            "realms" => {
                let v = value(w)?;
                r.realms = Some(names.realms(v).ok_or_else(|| bad(v))?);
            }
            "suppress_prefixlength" | "sup_pl" => {
                let v = value(w)?;
                r.suppress_prefixlen = Some(u32_of(v).ok_or_else(|| bad(v))?);
            }
            "suppress_ifgroup" | "sup_group" => {
                let v = value(w)?;
                r.suppress_ifgroup = Some(u32_of(v).ok_or_else(|| bad(v))?);
            }
            "dev" | "iif" => r.iif = Some(value(w)?.to_owned()),
            "oif" => r.oif = Some(value(w)?.to_owned()),
            "tunnel-id" => {
                let v = value(w)?;
                r.tunnel_id = Some(parse_number(v).ok_or_else(|| bad(v))?);
            }
            "uidrange" => {
                let v = value(w)?;
                r.uid_range = Some(range(v).filter(|_| v.contains('-')).ok_or_else(|| bad(v))?);
            }
            "protocol" => {
                let v = value(w)?;
                r.protocol = Some(protocol_number(v).ok_or_else(|| bad(v))?);
            }
            "ipproto" => {
                let v = value(w)?;
                r.ip_proto = Some(ip_proto(v).ok_or_else(|| bad(v))?);
            }
            "sport" | "dport" => {
                let v = value(w)?;
                let p = Some(range(v).ok_or_else(|| bad(v))?);
                if w == "sport" {
                    r.sport = p;
                } else {
                    r.dport = p;
                }
            }
            "l3mdev" => action = Some(RuleAction::L3mdev),
            _ => {
                if w == "type" {
                    w = value(w)?;
                }
                action = Some(match w {
                    "goto" => {
                        let v = it.next().ok_or_else(|| bad(w))?;
                        RuleAction::Goto(u32_of(v).ok_or_else(|| bad(v))?)
                    }
                    "nop" => RuleAction::Nop,
                    "blackhole" => RuleAction::Blackhole,
                    "unreachable" => RuleAction::Unreachable,
                    "prohibit" => RuleAction::Prohibit,
                    _ => return Err(bad(w)),
                });
            }
        }
    }
    r.action = action.ok_or_else(String::new)?;
    r.v6 |= r.from.is_some_and(|(a, _)| a.is_ipv6()) || r.to.is_some_and(|(a, _)| a.is_ipv6());
    if !r.no_track {
        r.protocol = Some(PROTO_KEEPALIVED);
    }
    Ok(r)
}

/// The rule of a configured line (names from iproute2's files), with the
/// parser's automatic preference when the line has none.
pub fn rule_of_line(line: &RuleLine, names: &RtNames) -> Result<RuleSpec, String> {
    let mut r = parse_rule(&line.words, names)?;
    if r.priority.is_none() {
        r.priority = line.auto_pref;
    }
    Ok(r)
}

impl fmt::Display for RuleSpec {
    /// Canonical `ip rule`-style words that [`parse_record`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.v6 { "inet6" } else { "inet" })?;
        if self.invert {
            f.write_str(" not")?;
        }
        if let Some(p) = self.priority {
            write!(f, " preference {p}")?;
        }
        if let Some((a, l)) = self.from {
            write!(f, " from {a}/{l}")?;
        }
        if let Some((a, l)) = self.to {
            write!(f, " to {a}/{l}")?;
        }
        if let Some(i) = &self.iif {
            write!(f, " iif {i}")?;
        }
        if let Some(o) = &self.oif {
            write!(f, " oif {o}")?;
        }
        if self.tos != 0 {
            write!(f, " tos {:#x}", self.tos)?;
        }
        if let Some(m) = self.fwmark {
            write!(f, " fwmark {m:#x}")?;
            if let Some(k) = self.fwmask {
                write!(f, "/{k:#x}")?;
            }
        }
        if let Some(r) = self.realms {
            write!(f, " realms {}/{}", r >> 16, r & 0xffff)?;
        }
        if let Some(t) = self.tunnel_id {
            write!(f, " tunnel-id {t}")?;
        }
        if let Some((a, b)) = self.uid_range {
            write!(f, " uidrange {a}-{b}")?;
        }
        if let Some(p) = self.ip_proto {
            write!(f, " ipproto {p}")?;
        }
        if let Some((a, b)) = self.sport {
            write!(f, " sport {a}-{b}")?;
        }
        if let Some((a, b)) = self.dport {
            write!(f, " dport {a}-{b}")?;
        }
        if self.no_track {
            f.write_str(" no_track")?;
            if let Some(p) = self.protocol {
                write!(f, " protocol {p}")?;
            }
        }
        match self.action {
            RuleAction::Table(t) => write!(f, " table {t}")?,
            RuleAction::L3mdev => f.write_str(" l3mdev")?,
            RuleAction::Goto(g) => write!(f, " goto {g}")?,
            RuleAction::Nop => f.write_str(" nop")?,
            RuleAction::Blackhole => f.write_str(" blackhole")?,
            RuleAction::Unreachable => f.write_str(" unreachable")?,
            RuleAction::Prohibit => f.write_str(" prohibit")?,
        }
        if let Some(s) = self.suppress_prefixlen {
            write!(f, " suppress_prefixlength {s}")?;
        }
        if let Some(g) = self.suppress_ifgroup {
            write!(f, " suppress_ifgroup {g}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn full_ipv4_rule() {
        let r = parse_rule(
            &w(
                "from 192.0.2.0/24 to 198.51.100.7 iif eth0 oif eth1 fwmark 0x10/0xff tos 0x10 \
             preference 100 table 200 realms 3/4 uidrange 1000-2000 ipproto tcp sport 80 \
             dport 1000-2000 suppress_prefixlength 0 suppress_ifgroup 5",
            ),
            &RtNames::default(),
        )
        .unwrap();
        assert!(!r.v6);
        assert_eq!(r.from, Some(("192.0.2.0".parse().unwrap(), 24)));
        assert_eq!(r.to, Some(("198.51.100.7".parse().unwrap(), 32)));
        assert_eq!(
            (r.iif.as_deref(), r.oif.as_deref()),
            (Some("eth0"), Some("eth1"))
        );
        assert_eq!((r.fwmark, r.fwmask, r.tos), (Some(16), Some(255), 16));
        assert_eq!(r.priority, Some(100));
        assert_eq!(r.action, RuleAction::Table(200));
        assert_eq!(r.realms, Some(3 << 16 | 4));
        assert_eq!(r.uid_range, Some((1000, 2000)));
        assert_eq!(r.ip_proto, Some(6));
        assert_eq!((r.sport, r.dport), (Some((80, 80)), Some((1000, 2000))));
        assert_eq!(
            (r.suppress_prefixlen, r.suppress_ifgroup),
            (Some(0), Some(5))
        );
        // Tracked: protocol keepalived.
        assert_eq!(r.protocol, Some(PROTO_KEEPALIVED));
    }

    #[test]
    fn ipv6_actions_and_no_track() {
        let r = parse_rule(
            &w("to 2001:db8::/32 not prohibit priority 7"),
            &RtNames::default(),
        )
        .unwrap();
        assert!(r.v6 && r.invert);
        assert_eq!(r.action, RuleAction::Prohibit);
        let r = parse_rule(
            &w("inet6 inet6 l3mdev pref 9 no_track protocol static"),
            &RtNames::default(),
        )
        .unwrap();
        assert!(r.v6);
        assert_eq!((r.action, r.protocol), (RuleAction::L3mdev, Some(4)));
        let r = parse_rule(
            &w("from all type goto 200 preference 100 no_track"),
            &RtNames::default(),
        )
        .unwrap();
        assert_eq!(
            (r.action, r.from, r.protocol),
            (RuleAction::Goto(200), None, None)
        );
        assert_eq!(
            parse_rule(&w("from 192.0.2.1 lookup main"), &RtNames::default())
                .unwrap()
                .action,
            RuleAction::Table(254)
        );
    }

    /// keepalived 2.2.7 steps over the word after inet/inet6.
    #[test]
    fn family_word_steps_over_the_next_word() {
        assert_eq!(
            parse_rule(&w("inet6 from 2001:db8::/32 table 5"), &RtNames::default()),
            Err("2001:db8::/32".into())
        );
        let r = parse_rule(&w("inet6 x l3mdev preference 7"), &RtNames::default()).unwrap();
        assert!(r.v6);
        let rec = parse_record(&w("inet6 l3mdev preference 7")).unwrap();
        assert_eq!(r, rec);
    }

    #[test]
    fn unsupported_or_incomplete_rules_are_named() {
        assert_eq!(
            parse_rule(&w("from 192.0.2.1 preference 5"), &RtNames::default()),
            Err(String::new())
        );
        assert_eq!(
            parse_rule(&w("tos lowdelay table 5"), &RtNames::default()),
            Err("lowdelay".into())
        );
        assert_eq!(
            parse_rule(&w("table mytable"), &RtNames::default()),
            Err("mytable".into())
        );
        assert_eq!(
            parse_rule(&w("from 192.0.2.1/40 nop"), &RtNames::default()),
            Err("192.0.2.1/40".into())
        );
    }

    #[test]
    fn canonical_words_read_back_to_the_same_rule() {
        for line in [
            "from 192.0.2.0/24 to 198.51.100.7 iif eth0 fwmark 0x10/0xff preference 100 table 200",
            "from 2001:db8::/48 not oif eth1 tos 4 realms 0/9 priority 3 blackhole",
            "inet6 x l3mdev preference 7",
            "uidrange 1-2 ipproto udp sport 1-2 dport 3 tunnel-id 7 order 4 goto 90",
            "no_track protocol 4 preference 5 table 10 suppress_prefixlength 0 sup_group 2",
            "l3mdev preference 1000",
        ] {
            let r = parse_rule(&w(line), &RtNames::default()).unwrap();
            let again = parse_record(&w(&r.to_string())).unwrap();
            assert_eq!(r, again, "{line} -> {r}");
        }
    }

    #[test]
    fn automatic_preference_applies_only_when_none_given() {
        let mut line = RuleLine {
            words: w("from 192.0.2.1 table 100"),
            auto_pref: Some(16384),
            span: crate::config::diag::Span::new("t".into(), 1, 1),
        };
        assert_eq!(
            rule_of_line(&line, &RtNames::default()).unwrap().priority,
            Some(16384)
        );
        line.words = w("from 192.0.2.1 table 100 preference 3");
        assert_eq!(
            rule_of_line(&line, &RtNames::default()).unwrap().priority,
            Some(3)
        );
    }
}
