//! What address to install for one `virtual_ipaddress` / `static_ipaddress`
//! line: keepalived's `alloc_ipaddress()` + `netlink_ipaddress()` rules
//! (keepalived-reference.md a.4), computed without touching the kernel so the
//! driver only has to resolve the device name to an ifindex and call
//! `sys::netlink::Netlink::add_address`.
//!
//! Rules followed (keepalived 2.2.7, `vrrp_ipaddress.c`):
//! - the prefix defaults to /32 or /128 (the config parser already did that);
//!   with `peer` the prefix becomes the peer's, i.e. /32 or /128;
//! - `brd IP` is sent as IFA_BROADCAST; `brd +` / `brd -` compute the
//!   all-ones / all-zeros host part for prefixes up to /30 (longer prefixes
//!   get no broadcast); `brd` together with `peer` is ignored;
//! - `scope` names come from iproute2's rt_scopes table; IPv6 addresses get
//!   no scope and no label (keepalived ignores both with an error);
//! - IPv6 addresses get IFA_F_NODAD unless `-nodad` is given (keepalived
//!   turns DAD off so a VIP never sticks in `dadfailed` after a split brain);
//! - IPv6 addresses get preferred_lft 0 (deprecated, so they are not chosen
//!   as source addresses) when the prefix is /128, infinite otherwise, unless
//!   `preferred_lft` is given; IPv4 addresses never carry a lifetime;
//! - `home`, `mngtmpaddr`, `noprefixroute`, `autojoin` become IFA_F_* flags.

use std::net::{IpAddr, Ipv4Addr};

use crate::config::model::IpAddressLine;
use crate::config::parser::values::scope_number;
use crate::config::rt_names::RtNames;

/// `ifa_prefered` value meaning "forever" (INFINITY_LIFE_TIME).
pub const LIFETIME_FOREVER: u32 = u32::MAX;

/// The address keepalived would install, on interface `ifindex`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrSpec {
    /// 0 until the device name has been resolved ([`NamedAddrSpec::on`]).
    pub ifindex: u32,
    pub addr: IpAddr,
    pub prefix: u8,
    pub broadcast: Option<Ipv4Addr>,
    pub peer: Option<IpAddr>,
    pub label: Option<String>,
    /// RT_SCOPE_* number (0 universe, 200 site, 253 link, 254 host, 255 nowhere).
    pub scope: u8,
    /// IFA_F_NODAD.
    pub nodad: bool,
    /// IFA_F_NOPREFIXROUTE.
    pub noprefixroute: bool,
    /// IFA_F_HOMEADDRESS.
    pub home: bool,
    /// IFA_F_MANAGETEMPADDR.
    pub mngtmpaddr: bool,
    /// IFA_F_MCAUTOJOIN.
    pub autojoin: bool,
    /// IPv6 preferred lifetime in seconds ([`LIFETIME_FOREVER`] = forever);
    /// `None` sends no IFA_CACHEINFO (IPv4, and IPv6 with lifetime forever).
    pub preferred_lft: Option<u32>,
}

impl AddrSpec {
    /// A plain address with no options (what `ip addr add ADDR/PREFIX` does).
    pub fn new(ifindex: u32, addr: IpAddr, prefix: u8) -> AddrSpec {
        AddrSpec {
            ifindex,
            addr,
            prefix,
            broadcast: None,
            peer: None,
            label: None,
            scope: 0,
            nodad: false,
            noprefixroute: false,
            home: false,
            mngtmpaddr: false,
            autojoin: false,
            preferred_lft: None,
        }
    }

    /// The IFA_F_* flags word to send with the address.
    pub fn ifa_flags(&self) -> u32 {
        const NODAD: u32 = 0x02;
        const HOMEADDRESS: u32 = 0x10;
        const MANAGETEMPADDR: u32 = 0x100;
        const NOPREFIXROUTE: u32 = 0x200;
        const MCAUTOJOIN: u32 = 0x400;
        [
            (self.nodad, NODAD),
            (self.home, HOMEADDRESS),
            (self.mngtmpaddr, MANAGETEMPADDR),
            (self.noprefixroute, NOPREFIXROUTE),
            (self.autojoin, MCAUTOJOIN),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .fold(0, |acc, (_, bit)| acc | bit)
    }
}

/// An [`AddrSpec`] whose interface is still a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedAddrSpec {
    pub dev: String,
    /// `spec.ifindex` is 0.
    pub spec: AddrSpec,
}

impl NamedAddrSpec {
    /// The spec on the interface the driver resolved `dev` to.
    pub fn on(&self, ifindex: u32) -> AddrSpec {
        AddrSpec {
            ifindex,
            ..self.spec.clone()
        }
    }
}

/// Broadcast for `brd +` (`plus`) or `brd -` of `base`/`prefix`; `None` for
/// prefixes longer than /30, where keepalived installs no broadcast.
fn computed_broadcast(base: Ipv4Addr, prefix: u8, plus: bool) -> Option<Ipv4Addr> {
    if prefix > 30 {
        return None;
    }
    let host_mask = u32::MAX.checked_shr(u32::from(prefix)).unwrap_or(0);
    let b = u32::from(base);
    Some(Ipv4Addr::from(if plus {
        b | host_mask
    } else {
        b & !host_mask
    }))
}

/// The address to install for `line`, on `line.dev` or else `default_dev`
/// (the instance's interface, or its VMAC, for VIPs).
/// A `scope` name comes from iproute2's `rt_scopes` (or the built-in names).
pub fn addr_spec(line: &IpAddressLine, default_dev: &str, names: &RtNames) -> NamedAddrSpec {
    let v6 = line.addr.is_ipv6();
    let mut spec = AddrSpec::new(0, line.addr, line.prefix);
    if let Some(peer) = line.peer {
        spec.peer = Some(peer);
        spec.prefix = if v6 { 128 } else { 32 };
    }
    if let (IpAddr::V4(a), Some(brd), None) = (line.addr, &line.brd, line.peer) {
        spec.broadcast = match brd.as_str() {
            "+" => computed_broadcast(a, spec.prefix, true),
            "-" => computed_broadcast(a, spec.prefix, false),
            s => s.parse().ok(),
        }
        .filter(|b: &Ipv4Addr| !b.is_unspecified());
    }
    if !v6 {
        spec.scope = line
            .scope
            .as_deref()
            .and_then(|w| names.scope(w).or_else(|| scope_number(w)))
            .unwrap_or(0);
        spec.label = line.label.clone();
    }
    let mut nodad_off = false;
    let mut lft: Option<u32> = None;
    for opt in &line.options {
        match opt.as_str() {
            "home" => spec.home = true,
            "-nodad" => nodad_off = true,
            "mngtmpaddr" => spec.mngtmpaddr = true,
            "noprefixroute" => spec.noprefixroute = true,
            "autojoin" => spec.autojoin = true,
            o => {
                if let Some(v) = o.strip_prefix("preferred_lft ") {
                    if v == "forever" {
                        lft = Some(LIFETIME_FOREVER);
                    } else if let Ok(n) = v.parse::<u32>() {
                        lft = Some(n);
                    }
                }
            }
        }
    }
    if v6 {
        spec.nodad = !nodad_off;
        let lft = lft.unwrap_or(if spec.prefix == 128 {
            0
        } else {
            LIFETIME_FOREVER
        });
        spec.preferred_lft = (lft != LIFETIME_FOREVER).then_some(lft);
    }
    NamedAddrSpec {
        dev: line.dev.clone().unwrap_or_else(|| default_dev.to_owned()),
        spec,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::diag::Span;

    fn line(addr: &str, prefix: u8) -> IpAddressLine {
        IpAddressLine {
            addr: addr.parse().unwrap(),
            prefix,
            dev: None,
            brd: None,
            scope: None,
            label: None,
            peer: None,
            no_track: false,
            use_vmac: false,
            options: Vec::new(),
            span: Span {
                file: "t".into(),
                line: 1,
                col: 1,
            },
        }
    }

    #[test]
    fn plain_ipv4_vip_on_instance_interface() {
        let n = addr_spec(&line("192.0.2.10", 32), "eth0", &RtNames::default());
        assert_eq!(n.dev, "eth0");
        assert_eq!(n.spec, AddrSpec::new(0, "192.0.2.10".parse().unwrap(), 32));
        assert_eq!(n.spec.ifa_flags(), 0);
        assert_eq!(n.on(7).ifindex, 7);
    }

    #[test]
    fn dev_label_scope_and_explicit_brd() {
        let mut l = line("192.0.2.10", 24);
        l.dev = Some("eth1".into());
        l.label = Some("eth1:vip".into());
        l.scope = Some("link".into());
        l.brd = Some("192.0.2.255".into());
        let n = addr_spec(&l, "eth0", &RtNames::default());
        assert_eq!(n.dev, "eth1");
        assert_eq!(n.spec.label.as_deref(), Some("eth1:vip"));
        assert_eq!(n.spec.scope, 253);
        assert_eq!(n.spec.broadcast, Some(Ipv4Addr::new(192, 0, 2, 255)));
    }

    #[test]
    fn brd_plus_and_minus() {
        let mut l = line("198.51.100.77", 26);
        l.brd = Some("+".into());
        assert_eq!(
            addr_spec(&l, "e", &RtNames::default()).spec.broadcast,
            Some(Ipv4Addr::new(198, 51, 100, 127))
        );
        l.brd = Some("-".into());
        assert_eq!(
            addr_spec(&l, "e", &RtNames::default()).spec.broadcast,
            Some(Ipv4Addr::new(198, 51, 100, 64))
        );
        // Too long a prefix: keepalived installs no broadcast.
        let mut l = line("198.51.100.77", 31);
        l.brd = Some("+".into());
        assert_eq!(addr_spec(&l, "e", &RtNames::default()).spec.broadcast, None);
    }

    #[test]
    fn peer_forces_host_prefix_and_drops_brd() {
        let mut l = line("192.0.2.1", 24);
        l.peer = Some("192.0.2.2".parse().unwrap());
        l.brd = Some("+".into());
        let s = addr_spec(&l, "e", &RtNames::default()).spec;
        assert_eq!(s.prefix, 32);
        assert_eq!(s.peer, Some("192.0.2.2".parse().unwrap()));
        assert_eq!(s.broadcast, None);
    }

    #[test]
    fn scope_words_and_numbers() {
        for (w, n) in [
            ("global", 0),
            ("universe", 0),
            ("site", 200),
            ("link", 253),
            ("host", 254),
            ("nowhere", 255),
            ("42", 42),
        ] {
            assert_eq!(scope_number(w), Some(n), "{w}");
        }
        assert_eq!(scope_number("bogus"), None);
    }

    #[test]
    fn ipv6_vip_gets_nodad_and_deprecated_lifetime() {
        let s = addr_spec(&line("2001:db8::10", 128), "e", &RtNames::default()).spec;
        assert!(s.nodad);
        assert_eq!(s.preferred_lft, Some(0));
        assert_eq!(s.ifa_flags(), 0x02);
        // A /64 keeps an infinite lifetime: no cacheinfo at all.
        let s = addr_spec(&line("2001:db8::10", 64), "e", &RtNames::default()).spec;
        assert_eq!(s.preferred_lft, None);
    }

    #[test]
    fn ipv6_options_and_ignored_scope_label() {
        let mut l = line("2001:db8::10", 64);
        l.options = vec![
            "-nodad".into(),
            "home".into(),
            "noprefixroute".into(),
            "mngtmpaddr".into(),
            "autojoin".into(),
            "preferred_lft 30".into(),
        ];
        l.scope = Some("link".into());
        l.label = Some("x".into());
        let s = addr_spec(&l, "e", &RtNames::default()).spec;
        assert!(!s.nodad);
        assert!(s.home && s.noprefixroute && s.mngtmpaddr && s.autojoin);
        assert_eq!(s.ifa_flags(), 0x10 | 0x100 | 0x200 | 0x400);
        assert_eq!(s.preferred_lft, Some(30));
        assert_eq!(s.scope, 0);
        assert_eq!(s.label, None);
        l.options = vec!["preferred_lft forever".into()];
        l.prefix = 128;
        assert_eq!(
            addr_spec(&l, "e", &RtNames::default()).spec.preferred_lft,
            None
        );
    }

    #[test]
    fn ipv4_ignores_nodad_and_lifetime() {
        let mut l = line("192.0.2.10", 32);
        l.options = vec!["preferred_lft 0".into(), "noprefixroute".into()];
        let s = addr_spec(&l, "e", &RtNames::default()).spec;
        assert!(!s.nodad);
        assert!(s.noprefixroute);
        assert_eq!(s.preferred_lft, None);
    }
}
