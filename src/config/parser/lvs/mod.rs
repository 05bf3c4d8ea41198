//! LVS sections: `virtual_server_group`, `virtual_server`, `real_server`,
//! the checkers and `SSL` (keepalived's `check/check_parser.c` and the
//! `check_*.c` keyword tables), plus the post-parse checks keepalived's
//! checker process makes (`link_vsg_to_vs()` and `validate_check_config()`).
//!
//! keepalived's handlers always act on "the last virtual server / real
//! server / checker allocated"; here that is the last element of the
//! corresponding `Vec` in the model, which keeps the same semantics when an
//! allocation fails (the block is skipped, so no handler sees a stale owner).

mod checkers;
mod validate;

use std::net::{IpAddr, Ipv6Addr};

use super::Kw;
use super::ctx::Parser;
use super::values::{parse_ipv4_inet_pton, true_false};
use super::vrrp::notify_script;
use crate::config::model::{
    Family, Forwarding, Protocol, RealServer, SslCtx, TunCsum, TunType, VirtualServer,
    VirtualServerGroup, VsAddr, VsgEntry,
};
use crate::config::token::Line;

pub use validate::validate;

const UINT_MAX: u64 = u32::MAX as u64;
/// keepalived's `IPVS_WEIGHT_LIMIT` (`INT32_MAX`).
pub(crate) const IPVS_WEIGHT_LIMIT: u64 = i32::MAX as u64;
/// keepalived's `LVS_MAX_TIMEOUT`: 31 days.
const LVS_MAX_TIMEOUT: u64 = 86400 * 31;
/// keepalived's `IPVS_SVC_PERSISTENT_TIMEOUT`: applied when persistence is
/// requested without a value (or implied by a zero port).
pub(crate) const IPVS_SVC_PERSISTENT_TIMEOUT: u32 = 6 * 60;

/// Schedulers keepalived 2.2.7 accepts for `lb_algo`/`lvs_sched`.
const SCHEDULERS: &[&str] = &[
    "rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf", "lblcr", "sed", "nq", "twos",
];

// ===== shared helpers =====

/// Word `i` of the line, when present (keepalived's `vector_size` checks).
fn opt_word(line: &Line, i: usize) -> Option<String> {
    line.words.get(i).map(|w| w.text.to_string())
}

/// glibc prints a NULL `%s` as "(null)"; keepalived passes NULL names in a
/// few messages (e.g. the group name of a non-group virtual server).
fn or_null(s: Option<&str>) -> &str {
    s.unwrap_or("(null)")
}

/// `inet_pton()` for the family keepalived picks (`:` means IPv6).
pub(crate) fn inet_pton(s: &str) -> Option<IpAddr> {
    if s.contains(':') {
        s.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
    } else {
        parse_ipv4_inet_pton(s).map(IpAddr::V4)
    }
}

/// keepalived's `inet_stosockaddr()` without port: any `-range` or `/mask`
/// suffix is ignored.
pub(crate) fn stosockaddr_ip(s: &str) -> Option<IpAddr> {
    // Byte scans: `str::find(char)` costs a searcher per call, and this runs
    // for every server of a large configuration.
    let b = s.as_bytes();
    let cut = (b.iter().position(|&c| c == b'-'))
        .or_else(|| b.iter().position(|&c| c == b'/'))
        .unwrap_or(s.len());
    inet_pton(&s[..cut])
}

/// A port word keepalived treats as "no port" (empty or all zeros).
fn is_zero_port(s: &str) -> bool {
    s.bytes().all(|b| b == b'0')
}

/// keepalived's `inet_stosockaddr(ip, port)` where the port is word
/// `port_i` of `line`: the port is read first (with `read_unsigned`'s own
/// messages), then the address. `None` on failure (the caller reports).
fn stosockaddr(
    p: &mut Parser,
    line: &Line,
    ip: &str,
    port_i: Option<usize>,
) -> Option<(IpAddr, u16)> {
    let mut port = 0u16;
    if let Some(i) = port_i.filter(|&i| line.words.get(i).is_some_and(|w| !is_zero_port(&w.text))) {
        port = p.read_unsigned(line, i, 1, 65535, true)? as u16;
    }
    stosockaddr_ip(ip).map(|a| (a, port))
}

pub(crate) fn family_of(a: &IpAddr) -> Family {
    Family::of(a)
}

/// keepalived's `inet_sockaddrtotrio()`: `[addr]:proto:port`.
pub(crate) fn trio(addr: &IpAddr, proto: Option<Protocol>, port: u16) -> String {
    let proto = match proto {
        Some(Protocol::Tcp) => "tcp",
        Some(Protocol::Udp) => "udp",
        Some(Protocol::Sctp) => "sctp",
        None => "none",
    };
    format!("[{addr}]:{proto}:{port}")
}

/// keepalived's `FMT_VS()`.
pub(crate) fn fmt_vs(vs: &VirtualServer) -> String {
    match &vs.addr {
        VsAddr::Group { name } => format!("[{name}]:0"),
        VsAddr::Fwmark { mark } if *mark != 0 => format!("FWM {mark}"),
        VsAddr::Fwmark { .. } => trio(&IpAddr::from([0, 0, 0, 0]), vs.protocol, 0),
        VsAddr::Ip { addr, port } => trio(addr, vs.protocol, *port),
    }
}

/// keepalived's `FMT_RS()`.
pub(crate) fn fmt_rs(rs: &RealServer, vs: &VirtualServer) -> String {
    trio(&rs.addr, vs.protocol, rs.port)
}

fn cur_vs<'a>(p: &'a mut Parser) -> Option<&'a mut VirtualServer> {
    p.cfg.virtual_servers.last_mut()
}

fn cur_rs<'a>(p: &'a mut Parser) -> Option<&'a mut RealServer> {
    p.cfg.virtual_servers.last_mut()?.real_servers.last_mut()
}

/// A `[true|false]` option as keepalived's handlers read it: absent means
/// true; an unknown word gives `msg` and leaves the setting unchanged.
fn bool_opt(p: &mut Parser, line: &Line, msg: &str) -> Option<bool> {
    match line.words.get(1) {
        None => Some(true),
        Some(w) => match true_false(&w.text) {
            Some(b) => Some(b),
            None => {
                let m = format!("{msg} {}", w.text);
                p.err(line, 1, m);
                None
            }
        },
    }
}

// ===== SSL =====

fn ssl(p: &mut Parser, line: &Line) {
    if p.cfg.ssl.is_some() {
        p.err(line, 0, "SSL context already specified - replacing");
    }
    p.cfg.ssl = Some(SslCtx::default());
}

fn ssl_file(p: &mut Parser, line: &Line) {
    let (kind, field): (&str, fn(&mut SslCtx) -> &mut Option<String>) =
        match line.words[0].text.as_str() {
            "password" => ("password", |s| &mut s.password),
            "ca" => ("cafile", |s| &mut s.ca),
            "certificate" => ("certfile", |s| &mut s.certificate),
            _ => ("keyfile", |s| &mut s.key),
        };
    let Some(v) = opt_word(line, 1) else {
        p.err(line, 0, format!("SSL {kind} missing"));
        return;
    };
    let already = p
        .cfg
        .ssl
        .as_mut()
        .map(|s| field(s).is_some())
        .unwrap_or(false);
    if already {
        p.err(line, 1, format!("SSL {kind} already specified - replacing"));
    }
    if let Some(s) = p.cfg.ssl.as_mut() {
        *field(s) = Some(v);
    }
}

// ===== virtual_server_group =====

fn vsg(p: &mut Parser, line: &Line) {
    let Some(name) = p.word(line, 1) else { return };
    if line.words.len() > 2 {
        // keepalived hands alloc_value_block() a vector whose keyword slot
        // is NULL; reporting the extra words reads that slot, which counts
        // as a missing parameter and stops parsing.
        let msg = "*** Configuration line starting `***MISSING ***` is missing a parameter at word position 1";
        p.error_at(
            line,
            2,
            crate::config::diag::Category::MissingParameter,
            msg,
        );
        p.aborted.get_or_insert(2);
        return;
    }
    let mut g = VirtualServerGroup {
        name: name.to_string(),
        span: Some(line.word_span(1)),
        entries: Vec::new(),
    };
    let mut shifted = line.clone();
    shifted.words.truncate(1);
    let mut flags = VsgFlags::default();
    p.value_block(&shifted, |p, l| vsg_entry(p, l, &mut g, &mut flags));
    if g.entries.is_empty() {
        let msg = format!("virtual server group {} has no entries - removing", g.name);
        p.err_span(
            g.span.clone(),
            crate::config::diag::Category::GeneralError,
            msg,
        );
    } else if flags.v4 && flags.v6 && flags.fwmark_no_family {
        let msg = format!(
            "virtual server group {} cannot have IPv4, IPv6 and fwmark without family - removing",
            g.name
        );
        p.err_span(
            g.span.clone(),
            crate::config::diag::Category::GeneralError,
            msg,
        );
    } else {
        p.cfg.virtual_server_groups.push(g);
    }
}

#[derive(Default)]
struct VsgFlags {
    v4: bool,
    v6: bool,
    fwmark_no_family: bool,
}

/// keepalived's `alloc_vsg_entry()`: one line of a group block.
fn vsg_entry(p: &mut Parser, l: &Line, g: &mut VirtualServerGroup, f: &mut VsgFlags) {
    let addr_str = l.words[0].text.to_string();
    if addr_str == "fwmark" {
        let Some(mark) = p.read_unsigned(l, 1, 0, UINT_MAX, true) else {
            if p.aborted.is_none() {
                let msg = format!(
                    "({}): fwmark '{}' must be in [0, {}] - ignoring",
                    g.name, l.words[1].text, UINT_MAX
                );
                p.err(l, 1, msg);
            }
            return;
        };
        let family = match l.words.get(2).map(|w| w.text.as_str()) {
            None => {
                f.fwmark_no_family = true;
                None
            }
            Some("inet") => {
                f.v4 = true;
                Some(Family::V4)
            }
            Some("inet6") => {
                f.v6 = true;
                Some(Family::V6)
            }
            Some(other) => {
                let msg = format!(
                    "({}): fwmark '{mark}' family {other} unknown - ignoring",
                    g.name
                );
                p.err(l, 2, msg);
                return;
            }
        };
        g.entries.push(VsgEntry::Fwmark {
            mark: mark as u32,
            family,
        });
        return;
    }
    let port_str = opt_word(l, 1).filter(|s| !is_zero_port(s));
    let bad_addr = |p: &mut Parser| {
        let (a, b, c) = match &port_str {
            Some(ps) => ("/port", "/", ps.as_str()),
            None => ("", "", ""),
        };
        let msg =
            format!("Invalid virtual server group IP address {addr_str} {a}{b}{c} - skipping");
        p.err(l, 0, msg);
    };
    let mut port = 0u16;
    if port_str.is_some() {
        match p.read_unsigned(l, 1, 1, 65535, true) {
            Some(v) => port = v as u16,
            None => {
                bad_addr(p);
                return;
            }
        }
    }
    let Some(first) = stosockaddr_ip(&addr_str) else {
        bad_addr(p);
        return;
    };
    let v6 = first.is_ipv6();
    let mut last = first;
    if let Some(pos) = addr_str.find('/') {
        let mask_s = &addr_str[pos + 1..];
        let mask =
            super::values::parse_uint(mask_s, u64::MAX).filter(|_| !mask_s.starts_with(['+', ' ']));
        let max = if v6 { 128 } else { 32 };
        let Some(mask) = mask.filter(|m| *m != 0 && *m <= max) else {
            p.err(l, 0, format!("Invalid netmask - {addr_str} - skipping"));
            return;
        };
        match mask_range(first, mask as u32) {
            Some(end) => last = end,
            None => {
                p.err(
                    l,
                    0,
                    format!("Address mask bits not empty - {addr_str} - skipping"),
                );
                return;
            }
        }
    } else if let Some(pos) = addr_str.find('-') {
        let end_s = &addr_str[pos + 1..];
        if (!v6 && end_s.contains('.')) || (v6 && end_s.contains(':')) {
            let Some(end) = stosockaddr_ip(end_s) else {
                p.err(l, 0, format!("Invalid range end {addr_str} - skipping"));
                return;
            };
            if end.is_ipv6() != v6 {
                p.err(
                    l,
                    0,
                    format!("Range address families do not match {addr_str} - skipping"),
                );
                return;
            }
            if end < first {
                let msg = format!(
                    "Address range end is less than address range start - {addr_str} - skipping"
                );
                p.err(l, 0, msg);
                return;
            }
            last = end;
        } else {
            // keepalived's inet_stor(): the last octet (IPv4, decimal) or
            // the last 16-bit group (IPv6, hex).
            let Some(range) = range_end(p, l, &addr_str, end_s, v6) else {
                return;
            };
            last = match first {
                IpAddr::V4(a) => {
                    let o = a.octets();
                    if u32::from(o[3]) >= range {
                        let msg = format!(
                            "Address range end is not greater than address range start - {addr_str} - skipping"
                        );
                        p.err(l, 0, msg);
                        return;
                    }
                    IpAddr::from([o[0], o[1], o[2], range as u8])
                }
                IpAddr::V6(a) => {
                    let mut s = a.segments();
                    if u32::from(s[7]) >= range {
                        let msg = format!(
                            "Address range end is not greater than address range start - {addr_str} - skipping"
                        );
                        p.err(l, 0, msg);
                        return;
                    }
                    s[7] = range as u16;
                    IpAddr::from(s)
                }
            };
        }
    }
    if v6 {
        f.v6 = true;
    } else {
        f.v4 = true;
    }
    g.entries.push(VsgEntry::Range { first, last, port });
}

/// The end of a `/mask` block, or `None` when host bits are set.
fn mask_range(a: IpAddr, mask: u32) -> Option<IpAddr> {
    match a {
        IpAddr::V4(v) => {
            let host = if mask >= 32 { 0 } else { u32::MAX >> mask };
            let n = u32::from(v);
            (n & host == 0).then(|| IpAddr::from((n | host).to_be_bytes()))
        }
        IpAddr::V6(v) => {
            let host = if mask >= 128 { 0 } else { u128::MAX >> mask };
            let n = u128::from(v);
            (n & host == 0).then(|| IpAddr::from((n | host).to_be_bytes()))
        }
    }
}

/// keepalived's `inet_stor()` range end; reports its own errors.
fn range_end(p: &mut Parser, l: &Line, addr: &str, end_s: &str, v6: bool) -> Option<u32> {
    let radix = if v6 { 16 } else { 10 };
    let digits_len = end_s
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(end_s.len());
    let (digits, rest) = end_s.split_at(digits_len);
    let value = u64::from_str_radix(if digits.is_empty() { "0" } else { digits }, radix)
        .unwrap_or(u64::MAX);
    if !rest.is_empty() {
        let warn = p.warn_prefix(true);
        let msg = format!(
            "{warn}Virtual server group range '{addr}' has extra characters at end '{rest}'"
        );
        p.error_at(l, 0, crate::config::diag::Category::InvalidNumber, msg);
        if p.config_test {
            return None;
        }
    } else if (v6 && value > 0xffff) || (!v6 && value > 255) {
        let msg = format!("Virtual server group range '{addr}' end '{end_s}' too large");
        p.error_at(l, 0, crate::config::diag::Category::InvalidNumber, msg);
        return None;
    }
    Some(value as u32)
}

// ===== virtual_server =====

fn vs(p: &mut Parser, line: &Line) {
    // Words borrowed from the line, as in `rs`.
    let Some(p1) = p.word(line, 1) else {
        return;
    };
    let p2 = line.words.get(2).map(|w| w.text.as_str());
    let span = Some(line.span.clone());
    let addr = if p1 == "group" {
        VsAddr::Group {
            name: p2.unwrap_or("(null)").to_owned(),
        }
    } else if p1 == "fwmark" {
        let mark = if line.words.len() > 2 {
            p.read_unsigned(line, 2, 0, UINT_MAX, true)
        } else {
            None
        };
        let Some(mark) = mark else {
            if p.aborted.is_none() {
                let msg = format!(
                    "virtual server fwmark '{}' must be in [0, {UINT_MAX}] - ignoring",
                    or_null(p2)
                );
                p.err(line, 2, msg);
            }
            p.skip_block();
            return;
        };
        VsAddr::Fwmark { mark: mark as u32 }
    } else {
        match stosockaddr(p, line, p1, Some(2)) {
            Some((addr, port)) => VsAddr::Ip { addr, port },
            None => {
                let ps = p2.filter(|s| !is_zero_port(s));
                let msg = match ps {
                    Some(ps) => {
                        format!("Invalid virtual server IP address/port {p1}/{ps} - skipping")
                    }
                    None => format!("Invalid virtual server IP address {p1} - skipping"),
                };
                p.err(line, 1, msg);
                p.skip_block();
                return;
            }
        }
    };
    let mut v = VirtualServer::new(addr, span);
    if let VsAddr::Ip { addr, .. } = &v.addr {
        v.ip_family = Some(family_of(addr));
    }
    p.cfg.virtual_servers.push(v);
}

/// keepalived's `vs_end_handler()`: settle the address family from the
/// sorry server (unless tunnelled) and, for fwmark services, from tunnelled
/// real servers.
fn vs_end(p: &mut Parser) {
    let mut msg = None;
    let Some(vs) = cur_vs(p) else { return };
    if let Some(ss) = &vs.opts().sorry_server {
        if !matches!(ss.lvs_method, Some(Forwarding::Tun { .. })) {
            let f = family_of(&ss.addr);
            match vs.ip_family {
                None => vs.ip_family = Some(f),
                Some(vf) if vf != f => {
                    msg = Some((
                        ss.span.clone(),
                        format!(
                            "Address family of virtual server and sorry server {} don't match - skipping sorry server.",
                            ss.addr
                        ),
                    ));
                    vs.opts_mut().sorry_server = None;
                }
                _ => {}
            }
        }
    }
    if vs.ip_family.is_none() && !matches!(vs.addr, VsAddr::Group { .. }) {
        let mut af = vs.opts().sorry_server.as_ref().map(|s| family_of(&s.addr));
        let mut mixed = false;
        for rs in &vs.real_servers {
            match af {
                None => af = Some(family_of(&rs.addr)),
                Some(f) if f != family_of(&rs.addr) => {
                    mixed = true;
                    break;
                }
                _ => {}
            }
        }
        vs.ip_family = if mixed {
            Some(Family::V4)
        } else {
            Some(af.unwrap_or(Family::V4))
        };
    }
    if let Some((span, m)) = msg {
        p.err_span(span, crate::config::diag::Category::GeneralError, m);
    }
}

fn ip_family(p: &mut Parser, line: &Line) {
    let Some(w) = p.word(line, 1).map(str::to_owned) else {
        return;
    };
    let f = match w.as_str() {
        "inet" => Family::V4,
        "inet6" => Family::V6,
        _ => {
            p.err(line, 1, format!("unknown address family {w}"));
            return;
        }
    };
    let Some(vs) = cur_vs(p) else { return };
    if vs.ip_family.is_some_and(|a| a != f) {
        p.err(
            line,
            1,
            format!("Virtual server specified family {w} conflicts with server family"),
        );
        return;
    }
    vs.ip_family = Some(f);
}

/// A timer keyword of `virtual_server`/`real_server`: keepalived's
/// `read_timer(…, true)` then its own "invalid - ignoring" message.
fn read_timer_or(
    p: &mut Parser,
    line: &Line,
    min: u64,
    max: u64,
    msg: impl FnOnce(&str) -> String,
) -> Option<u64> {
    match p.read_timer(line, 1, min, max, true) {
        Some(v) => Some(v),
        None => {
            if p.aborted.is_none() {
                let m = msg(&line.words[1].text);
                p.err(line, 1, m);
            }
            None
        }
    }
}

fn read_unsigned_or(
    p: &mut Parser,
    line: &Line,
    min: u64,
    max: u64,
    lenient: bool,
    msg: impl FnOnce(&str) -> String,
) -> Option<u64> {
    match p.read_unsigned(line, 1, min, max, lenient) {
        Some(v) => Some(v),
        None => {
            if p.aborted.is_none() {
                let m = msg(&line.words[1].text);
                p.err(line, 1, m);
            }
            None
        }
    }
}

const CO_TIMER_MAX: u64 = u32::MAX as u64;

fn vs_connect_timeout(p: &mut Parser, line: &Line) {
    if let Some(t) = read_timer_or(p, line, 1, CO_TIMER_MAX, |w| {
        format!("virtual server connect_timeout {w} invalid - ignoring")
    }) && let Some(vs) = cur_vs(p)
    {
        vs.opts_mut().connect_timeout = Some(t);
    }
}

fn vs_delay_loop(p: &mut Parser, line: &Line) {
    if let Some(t) = read_timer_or(p, line, 1, 0, |w| {
        format!("virtual server delay loop '{w}' invalid - ignoring")
    }) && let Some(vs) = cur_vs(p)
    {
        vs.delay_loop = t;
    }
}

fn vs_delay_before_retry(p: &mut Parser, line: &Line) {
    if let Some(t) = read_timer_or(p, line, 0, 0, |w| {
        format!("virtual server delay before retry '{w}' invalid - ignoring")
    }) && let Some(vs) = cur_vs(p)
    {
        vs.opts_mut().delay_before_retry = Some(t);
    }
}

fn vs_retry(p: &mut Parser, line: &Line) {
    if let Some(v) = read_unsigned_or(p, line, 1, UINT_MAX, false, |w| {
        format!("retry value invalid - {w}")
    }) && let Some(vs) = cur_vs(p)
    {
        vs.opts_mut().retry = Some(v as u32);
    }
}

fn vs_warmup(p: &mut Parser, line: &Line) {
    if let Some(t) = read_timer_or(p, line, 0, 0, |w| {
        format!("virtual server warmup '{w}' invalid - ignoring")
    }) && let Some(vs) = cur_vs(p)
    {
        vs.opts_mut().warmup = Some(t);
    }
}

fn lb_algo(p: &mut Parser, line: &Line) {
    let Some(s) = p.word(line, 1).map(str::to_owned) else {
        return;
    };
    if !SCHEDULERS.contains(&s.as_str()) {
        p.err(line, 1, format!("Invalid lvs_scheduler '{s}' - ignoring"));
        return;
    }
    if let Some(vs) = cur_vs(p) {
        vs.lb_algo = Some(s);
    }
}

/// keepalived's `lbflags_handler()`: scheduler flags; `sh-*`/`mh-*` only
/// count for their scheduler, anything else (including `hashed`) is
/// reported against `sh`.
fn lb_flags(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    let Some(vs) = cur_vs(p) else { return };
    let sched = vs.lb_algo.clone().unwrap_or_default();
    let ok = match kw.as_str() {
        "ops" | "flag-1" | "flag-2" | "flag-3" => true,
        _ if sched == "sh" => kw == "sh-port" || kw == "sh-fallback",
        _ if sched == "mh" => kw == "mh-port" || kw == "mh-fallback",
        _ => {
            p.err(
                line,
                0,
                format!("{kw} only applies to sh scheduler - ignoring"),
            );
            return;
        }
    };
    if ok && !vs.opts().flags.contains(&kw) {
        vs.opts_mut().flags.push(kw);
    }
}

/// keepalived's `svr_forwarding_handler()`. `prev` is the current method
/// (kept when a tunnel option is wrong, as keepalived sets the method
/// before reading the options). Returns the new method.
fn forwarding(
    p: &mut Parser,
    line: &Line,
    s_type: &str,
    prev: Option<Forwarding>,
) -> Option<Option<Forwarding>> {
    let m = p.word(line, 1)?;
    let base = match m {
        "NAT" => Forwarding::Nat,
        "DR" => Forwarding::Dr,
        "TUN" => Forwarding::Tun {
            kind: None,
            port: None,
            csum: None,
        },
        _ => {
            p.err(
                line,
                1,
                format!("PARSER : unknown [{m}] routing method for {s_type} server."),
            );
            return None;
        }
    };
    // On a tunnel option error keepalived has already switched the method
    // but keeps the previous tunnel parameters.
    let prev_tun = match &prev {
        Some(Forwarding::Tun { kind, port, csum }) => (*kind, *port, *csum),
        _ => (None, None, None),
    };
    let on_error = || match &base {
        Forwarding::Tun { .. } => Some(Forwarding::Tun {
            kind: prev_tun.0,
            port: prev_tun.1,
            csum: prev_tun.2,
        }),
        other => Some(other.clone()),
    };
    let mut tun_type = TunType::Ipip;
    let mut port = 0u16;
    let mut csum = TunCsum::NoCsum;
    let mut i = 2;
    while i < line.words.len() {
        let w = line.words[i].text.as_str();
        match w {
            "type" => {
                let Some(t) = line.words.get(i + 1) else {
                    p.err(line, i, format!("Missing tunnel type for {s_type} server."));
                    return Some(on_error());
                };
                tun_type = match t.text.as_str() {
                    "ipip" => TunType::Ipip,
                    "gue" => TunType::Gue,
                    "gre" => TunType::Gre,
                    other => {
                        p.err(
                            line,
                            i + 1,
                            format!("Unknown tunnel type {other} for {s_type} server."),
                        );
                        return Some(on_error());
                    }
                };
                i += 1;
            }
            "port" => {
                if line.words.len() == i + 1 {
                    p.err(
                        line,
                        i,
                        format!("Missing port for {s_type} server gue tunnel."),
                    );
                    return Some(on_error());
                }
                match p.read_unsigned(line, i + 1, 1, 65535, false) {
                    Some(v) => port = v as u16,
                    None => {
                        let msg = format!(
                            "Invalid gue tunnel port {} for {s_type} server.",
                            line.words[i + 1].text
                        );
                        p.err(line, i + 1, msg);
                        return Some(on_error());
                    }
                }
                i += 1;
            }
            "nocsum" => csum = TunCsum::NoCsum,
            "csum" => csum = TunCsum::Csum,
            "remcsum" => csum = TunCsum::RemCsum,
            _ => {
                p.err(
                    line,
                    i,
                    format!("Invalid tunnel option {w} for {s_type} server."),
                );
                return Some(on_error());
            }
        }
        i += 1;
    }
    if (tun_type == TunType::Gue) != (port != 0) {
        p.err(
            line,
            1,
            "gue tunnels require port, otherwise cannot have port.",
        );
        return Some(on_error());
    }
    if tun_type == TunType::Ipip && csum != TunCsum::NoCsum {
        p.err(line, 1, "ipip tunnels do not support checksum option.");
        return Some(on_error());
    }
    if tun_type == TunType::Gre && csum == TunCsum::RemCsum {
        p.err(
            line,
            1,
            "gre tunnels do not support remote checksum option.",
        );
        return Some(on_error());
    }
    Some(Some(match base {
        Forwarding::Tun { .. } => Forwarding::Tun {
            kind: Some(tun_type),
            port: (port != 0).then_some(port),
            csum: Some(csum),
        },
        other => other,
    }))
}

fn vs_lb_kind(p: &mut Parser, line: &Line) {
    let prev = cur_vs(p).and_then(|v| v.lb_kind.clone());
    if let Some(f) = forwarding(p, line, "virtual", prev)
        && let Some(vs) = cur_vs(p)
    {
        vs.lb_kind = f;
    }
}

fn persistence_timeout(p: &mut Parser, line: &Line) {
    let v = if line.words.len() < 2 {
        IPVS_SVC_PERSISTENT_TIMEOUT
    } else {
        match p.read_unsigned(line, 1, 1, LVS_MAX_TIMEOUT, false) {
            Some(v) => v as u32,
            None => {
                p.err(line, 1, "persistence_timeout invalid");
                return;
            }
        }
    };
    if let Some(vs) = cur_vs(p) {
        vs.persistence_timeout = Some(v);
    }
}

fn persistence_engine(p: &mut Parser, line: &Line) {
    let Some(s) = p.word(line, 1).map(str::to_owned) else {
        return;
    };
    // keepalived's pe_name is IP_VS_PENAME_MAXLEN (16) bytes.
    let s = if s.len() > 15 {
        p.err(
            line,
            1,
            format!("persistence_name too long, truncating - {s}"),
        );
        s.chars().take(15).collect()
    } else {
        s
    };
    if let Some(vs) = cur_vs(p) {
        vs.opts_mut().persistence_engine = Some(s);
    }
}

fn persistence_granularity(p: &mut Parser, line: &Line) {
    let Some(g) = p.word(line, 1).map(str::to_owned) else {
        return;
    };
    let Some(af) = cur_vs(p).map(|v| v.ip_family) else {
        return;
    };
    let af = af.unwrap_or(if g.contains('.') {
        Family::V4
    } else {
        Family::V6
    });
    if af == Family::V6 {
        if p.read_unsigned(line, 1, 1, 128, false).is_none() {
            p.err(
                line,
                1,
                format!("Invalid IPv6 persistence_granularity specified - {g}"),
            );
            return;
        }
    } else if parse_ipv4_numeric_host(&g).is_none() {
        p.err(
            line,
            1,
            format!("Invalid IPv4 persistence_granularity specified - {g}"),
        );
        return;
    }
    if let Some(vs) = cur_vs(p) {
        vs.opts_mut().persistence_granularity = Some(g);
        vs.ip_family.get_or_insert(af);
        if vs.persistence_timeout.is_none_or(|t| t == 0) {
            vs.persistence_timeout = Some(IPVS_SVC_PERSISTENT_TIMEOUT);
        }
    }
}

/// `getaddrinfo(AI_NUMERICHOST, AF_INET)`: glibc's `inet_aton()` forms
/// (1 to 4 parts, octal/hex allowed).
fn parse_ipv4_numeric_host(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut vals = Vec::new();
    for part in &parts {
        let v = if let Some(h) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            u64::from_str_radix(if h.is_empty() { "0" } else { h }, 16).ok()?
        } else if part.len() > 1 && part.starts_with('0') {
            u64::from_str_radix(&part[1..], 8).ok()?
        } else {
            part.parse::<u64>().ok()?
        };
        vals.push(v);
    }
    let n = vals.len();
    let mut out: u64 = 0;
    for (i, v) in vals.iter().enumerate() {
        if i < n - 1 {
            if *v > 255 {
                return None;
            }
            out |= v << (8 * (3 - i));
        } else {
            let bits = 8 * (4 - i as u32);
            if bits < 64 && *v >= 1u64 << bits {
                return None;
            }
            out |= v;
        }
    }
    Some(out as u32)
}

fn protocol(p: &mut Parser, line: &Line) {
    let Some(s) = p.word(line, 1) else {
        return;
    };
    // Compared in place, without an uppercased copy per virtual server.
    let proto = match s {
        _ if s.eq_ignore_ascii_case("TCP") => Protocol::Tcp,
        _ if s.eq_ignore_ascii_case("SCTP") => Protocol::Sctp,
        _ if s.eq_ignore_ascii_case("UDP") => Protocol::Udp,
        _ => {
            p.err(line, 1, format!("Unknown protocol {s} - ignoring"));
            return;
        }
    };
    if let Some(vs) = cur_vs(p) {
        vs.protocol = Some(proto);
    }
}

fn vs_flag(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    let Some(vs) = cur_vs(p) else { return };
    match kw.as_str() {
        "ha_suspend" => vs.ha_suspend = true,
        "inhibit_on_failure" => vs.inhibit_on_failure = true,
        "alpha" => vs.alpha = true,
        "omega" => vs.omega = true,
        _ => {}
    }
}

fn vs_smtp_alert(p: &mut Parser, line: &Line) {
    if let Some(b) = bool_opt(p, line, "Invalid virtual_server smtp_alert parameter")
        && let Some(vs) = cur_vs(p)
    {
        vs.smtp_alert = Some(b);
    }
}

fn vs_virtualhost(p: &mut Parser, line: &Line) {
    let Some(v) = opt_word(line, 1) else {
        p.err(line, 0, "virtual server virtualhost missing");
        return;
    };
    if let Some(vs) = cur_vs(p) {
        vs.opts_mut().virtualhost = Some(v);
    }
}

fn vs_snmp_name(p: &mut Parser, line: &Line) {
    if line.words.len() != 2 {
        p.err(
            line,
            0,
            "virtual server snmp_name missing or extra parameters",
        );
        return;
    }
    let v = line.words[1].text.to_string();
    if let Some(vs) = cur_vs(p) {
        vs.opts_mut().snmp_name = Some(v);
    }
}

/// The group name keepalived prints in duplicate-script messages.
fn vs_group_name(p: &mut Parser) -> String {
    match cur_vs(p).map(|v| &v.addr) {
        Some(VsAddr::Group { name }) => name.clone(),
        _ => "(null)".into(),
    }
}

/// Where a script keyword of the current virtual or real server goes.
type ScriptSlot =
    for<'p> fn(&'p mut Parser, bool) -> Option<&'p mut Option<Box<crate::config::model::Script>>>;

/// `quorum_up`/`quorum_down` and `notify_up`/`notify_down`: the first one
/// given wins, later ones are reported; `up` picks the keyword's slot.
fn set_server_script(p: &mut Parser, line: &Line, up: bool, kind: &str, slot: ScriptSlot) {
    if slot(p, up).is_some_and(|s| s.is_some()) {
        let g = vs_group_name(p);
        let Some(w) = p.word(line, 1).map(str::to_owned) else {
            return;
        };
        let kw = &line.words[0].text;
        p.err(
            line,
            1,
            format!("({g}) {kw} script already specified - ignoring {w}"),
        );
        return;
    }
    let s = notify_script(p, line, kind);
    if let Some(slot) = slot(p, up) {
        *slot = s.map(Box::new);
    }
}

fn quorum_script(p: &mut Parser, line: &Line) {
    let up = line.words[0].text == "quorum_up";
    set_server_script(p, line, up, "quorum", |p, up| {
        cur_vs(p).map(|v| {
            if up {
                &mut v.opts_mut().quorum_up
            } else {
                &mut v.opts_mut().quorum_down
            }
        })
    });
}

fn quorum(p: &mut Parser, line: &Line) {
    let v = match p.read_unsigned(line, 1, 1, UINT_MAX, true) {
        Some(v) => v as u32,
        None => {
            if p.aborted.is_some() {
                return;
            }
            let w = line.words[1].text.to_string();
            p.err(
                line,
                1,
                format!("Quorum {w} must be in [1, {UINT_MAX}]. Setting to 1."),
            );
            1
        }
    };
    if let Some(vs) = cur_vs(p) {
        vs.quorum = v;
    }
}

fn hysteresis(p: &mut Parser, line: &Line) {
    if let Some(v) = read_unsigned_or(p, line, 0, UINT_MAX, true, |w| {
        format!("Hysteresis {w} must be in [0, {UINT_MAX}] - ignoring")
    }) && let Some(vs) = cur_vs(p)
    {
        vs.hysteresis = v as u32;
    }
}

fn vs_weight(p: &mut Parser, line: &Line) {
    if let Some(v) = read_unsigned_or(p, line, 1, IPVS_WEIGHT_LIMIT, true, |w| {
        format!("Virtual server weight {w} is outside range 1-{IPVS_WEIGHT_LIMIT}")
    }) && let Some(vs) = cur_vs(p)
    {
        vs.weight = v as i32;
    }
}

// ===== sorry server =====

fn sorry_server(p: &mut Parser, line: &Line) {
    let Some(ip) = p.word(line, 1).map(str::to_owned) else {
        return;
    };
    let Some(method) = cur_vs(p).map(|v| v.lb_kind.clone()) else {
        return;
    };
    match stosockaddr(p, line, &ip, Some(2)) {
        Some((addr, port)) => {
            let mut s = RealServer::new(addr, port, Some(line.span.clone()));
            s.weight = Some(1);
            s.lvs_method = method;
            if let Some(vs) = cur_vs(p) {
                let o = vs.opts_mut();
                o.sorry_server = Some(Box::new(s));
                o.sorry_server_inhibit = false;
            }
        }
        None => p.err(
            line,
            1,
            format!("Invalid sorry server IP address {ip} - skipping"),
        ),
    }
}

fn sorry_server_inhibit(p: &mut Parser, line: &Line) {
    match cur_vs(p) {
        Some(vs) if vs.opts().sorry_server.is_some() => {
            let o = vs.opts_mut();
            o.sorry_server_inhibit = true;
            if let Some(s) = o.sorry_server.as_mut() {
                s.inhibit_on_failure = Some(true);
            }
        }
        _ => p.err(
            line,
            0,
            "Ignoring sorry_server inhibit used before or without sorry_server",
        ),
    }
}

fn sorry_server_lvs_method(p: &mut Parser, line: &Line) {
    let prev = match cur_vs(p).map(|v| v.opts().sorry_server.as_ref().map(|s| s.lvs_method.clone()))
    {
        Some(Some(prev)) => prev,
        _ => {
            p.err(line, 0, "sorry_server forwarding used without sorry_server");
            return;
        }
    };
    if let Some(f) = forwarding(p, line, "sorry", prev)
        && let Some(o) = cur_vs(p).and_then(|v| v.opts.as_deref_mut())
        && let Some(s) = o.sorry_server.as_mut()
    {
        s.lvs_method = f.clone();
        o.sorry_server_lvs_method = f;
    }
}

// ===== real_server =====

fn rs(p: &mut Parser, line: &Line) {
    // The words are borrowed from the line, not copied: this runs for every
    // real server of a large configuration.
    let Some(ip) = p.word(line, 1) else {
        return;
    };
    let port_s = line.words.get(2).map(|w| w.text.as_str());
    let Some(method) = cur_vs(p).map(|v| v.lb_kind.clone()) else {
        return;
    };
    match stosockaddr(p, line, ip, Some(2)) {
        Some((addr, port)) => {
            let mut r = RealServer::new(addr, port, Some(line.span.clone()));
            r.lvs_method = method;
            if let Some(vs) = cur_vs(p) {
                vs.real_servers.push(r);
            }
        }
        None => {
            let msg = format!(
                "Invalid real server ip address/port {ip}/{} - skipping",
                or_null(port_s)
            );
            p.err(line, 1, msg);
            p.skip_block();
        }
    }
}

/// keepalived's `rs_end_handler()`: unless tunnelled, a real server must
/// match the virtual server's address family (which it may settle).
fn rs_end(p: &mut Parser) {
    let Some(vs) = cur_vs(p) else { return };
    let Some(rs) = vs.real_servers.last() else {
        return;
    };
    if matches!(rs.lvs_method, Some(Forwarding::Tun { .. })) {
        return;
    }
    let f = family_of(&rs.addr);
    match vs.ip_family {
        None => vs.ip_family = Some(f),
        Some(vf) if vf != f => {
            let rs = vs.real_servers.pop().unwrap();
            let msg = format!(
                "Address family of virtual server and real server {} don't match - skipping real server.",
                rs.addr
            );
            p.err_span(rs.span, crate::config::diag::Category::GeneralError, msg);
        }
        _ => {}
    }
}

fn rs_weight(p: &mut Parser, line: &Line) {
    if let Some(v) = read_unsigned_or(p, line, 0, IPVS_WEIGHT_LIMIT, true, |w| {
        format!("Real server weight {w} is outside range 0-{IPVS_WEIGHT_LIMIT}")
    }) && let Some(rs) = cur_rs(p)
    {
        rs.weight = Some(v as i32);
    }
}

fn rs_lvs_method(p: &mut Parser, line: &Line) {
    let prev = cur_rs(p).and_then(|r| r.lvs_method.clone());
    if let Some(f) = forwarding(p, line, "real", prev)
        && let Some(rs) = cur_rs(p)
    {
        rs.lvs_method = f;
    }
}

fn threshold(p: &mut Parser, line: &Line) {
    let upper = line.words[0].text == "uthreshold";
    let which = if upper { "uthreshold" } else { "lthreshold" };
    if let Some(v) = read_unsigned_or(p, line, 0, UINT_MAX, true, |w| {
        format!("Invalid real_server {which} '{w}' - ignoring")
    }) && let Some(rs) = cur_rs(p)
    {
        if upper {
            rs.opts_mut().uthreshold = Some(v as u32);
        } else {
            rs.opts_mut().lthreshold = Some(v as u32);
        }
    }
}

fn rs_notify(p: &mut Parser, line: &Line) {
    let up = line.words[0].text == "notify_up";
    set_server_script(p, line, up, "notify", |p, up| {
        cur_rs(p).map(|r| {
            if up {
                &mut r.opts_mut().notify_up
            } else {
                &mut r.opts_mut().notify_down
            }
        })
    });
}

fn rs_connect_timeout(p: &mut Parser, line: &Line) {
    if let Some(t) = read_timer_or(p, line, 1, CO_TIMER_MAX, |w| {
        format!("real server connect_timeout {w} invalid - ignoring")
    }) && let Some(rs) = cur_rs(p)
    {
        rs.opts_mut().connect_timeout = Some(t);
    }
}

fn rs_delay_loop(p: &mut Parser, line: &Line) {
    if let Some(t) = read_timer_or(p, line, 1, 0, |w| {
        format!("real server delay_loop '{w}' invalid - ignoring")
    }) && let Some(rs) = cur_rs(p)
    {
        rs.opts_mut().delay_loop = Some(t);
    }
}

fn rs_delay_before_retry(p: &mut Parser, line: &Line) {
    if let Some(t) = read_timer_or(p, line, 0, 0, |w| {
        format!("real server delay_before_retry '{w}' invalid - ignoring")
    }) && let Some(rs) = cur_rs(p)
    {
        rs.opts_mut().delay_before_retry = Some(t);
    }
}

fn rs_retry(p: &mut Parser, line: &Line) {
    if let Some(v) = read_unsigned_or(p, line, 1, UINT_MAX, false, |w| {
        format!("retry value invalid - {w}")
    }) && let Some(rs) = cur_rs(p)
    {
        rs.opts_mut().retry = Some(v as u32);
    }
}

fn rs_warmup(p: &mut Parser, line: &Line) {
    if let Some(t) = read_timer_or(p, line, 0, 0, |w| {
        format!("real server warmup '{w}' invalid - ignoring")
    }) && let Some(rs) = cur_rs(p)
    {
        rs.opts_mut().warmup = Some(t);
    }
}

fn rs_bool(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    let msg = match kw.as_str() {
        "inhibit_on_failure" => "Invalid inhibit_on_failure parameter",
        "alpha" => "Invalid alpha parameter",
        _ => "Invalid real_server smtp_alert parameter",
    };
    let Some(b) = bool_opt(p, line, msg) else {
        return;
    };
    let Some(rs) = cur_rs(p) else { return };
    match kw.as_str() {
        "inhibit_on_failure" => rs.inhibit_on_failure = Some(b),
        "alpha" => rs.alpha = Some(b),
        _ => rs.smtp_alert = Some(b),
    }
}

fn rs_virtualhost(p: &mut Parser, line: &Line) {
    let Some(v) = opt_word(line, 1) else {
        p.err(line, 0, "real server virtualhost missing");
        return;
    };
    if let Some(rs) = cur_rs(p) {
        rs.opts_mut().virtualhost = Some(v);
    }
}

fn rs_snmp_name(p: &mut Parser, line: &Line) {
    if line.words.len() != 2 {
        p.err(line, 0, "real server snmp_name missing or extra parameters");
        return;
    }
    let v = line.words[1].text.to_string();
    if let Some(rs) = cur_rs(p) {
        rs.opts_mut().snmp_name = Some(v);
    }
}

// ===== keyword tables =====

static SSL_KW: &[Kw] = &[
    Kw::new("password", ssl_file),
    Kw::new("ca", ssl_file),
    Kw::new("certificate", ssl_file),
    Kw::new("key", ssl_file),
];

static RS_KW: &[Kw] = &[
    Kw::new("weight", rs_weight),
    Kw::new("lvs_method", rs_lvs_method),
    Kw::new("uthreshold", threshold),
    Kw::new("lthreshold", threshold),
    Kw::new("inhibit_on_failure", rs_bool),
    Kw::new("notify_up", rs_notify),
    Kw::new("notify_down", rs_notify),
    Kw::new("alpha", rs_bool),
    Kw::new("retry", rs_retry),
    Kw::new("delay_before_retry", rs_delay_before_retry),
    Kw::new("warmup", rs_warmup),
    Kw::new("connect_timeout", rs_connect_timeout),
    Kw::new("delay_loop", rs_delay_loop),
    Kw::new("smtp_alert", rs_bool),
    Kw::new("virtualhost", rs_virtualhost),
    Kw::new("snmp_name", rs_snmp_name),
    checkers::MISC,
    checkers::SMTP,
    checkers::TCP,
    checkers::PING,
    checkers::UDP,
    checkers::HTTP,
    checkers::SSL,
    checkers::DNS,
    checkers::FILE,
    checkers::BFD,
];

static VS_KW: &[Kw] = &[
    Kw::new("ip_family", ip_family),
    Kw::new("retry", vs_retry),
    Kw::new("delay_before_retry", vs_delay_before_retry),
    Kw::new("warmup", vs_warmup),
    Kw::new("connect_timeout", vs_connect_timeout),
    Kw::new("delay_loop", vs_delay_loop),
    Kw::new("inhibit_on_failure", vs_flag),
    Kw::new("lb_algo", lb_algo),
    Kw::new("lvs_sched", lb_algo),
    Kw::new("hashed", lb_flags),
    Kw::new("ops", lb_flags),
    Kw::new("flag-1", lb_flags),
    Kw::new("flag-2", lb_flags),
    Kw::new("flag-3", lb_flags),
    Kw::new("sh-port", lb_flags),
    Kw::new("sh-fallback", lb_flags),
    Kw::new("mh-port", lb_flags),
    Kw::new("mh-fallback", lb_flags),
    Kw::new("lb_kind", vs_lb_kind),
    Kw::new("lvs_method", vs_lb_kind),
    Kw::new("persistence_engine", persistence_engine),
    Kw::new("persistence_timeout", persistence_timeout),
    Kw::new("persistence_granularity", persistence_granularity),
    Kw::new("protocol", protocol),
    Kw::new("ha_suspend", vs_flag),
    Kw::new("smtp_alert", vs_smtp_alert),
    Kw::new("virtualhost", vs_virtualhost),
    Kw::new("snmp_name", vs_snmp_name),
    Kw::new("alpha", vs_flag),
    Kw::new("omega", vs_flag),
    Kw::new("quorum_up", quorum_script),
    Kw::new("quorum_down", quorum_script),
    Kw::new("quorum", quorum),
    Kw::new("hysteresis", hysteresis),
    Kw::new("weight", vs_weight),
    Kw::new("sorry_server", sorry_server),
    Kw::new("sorry_server_inhibit", sorry_server_inhibit),
    Kw::new("sorry_server_lvs_method", sorry_server_lvs_method),
    Kw::block("real_server", Some(rs), RS_KW, Some(rs_end)),
];

/// Root keywords owned by this module.
pub static ROOT: &[Kw] = &[
    Kw::block("SSL", Some(ssl), SSL_KW, None),
    Kw::new("virtual_server_group", vsg),
    Kw::block("virtual_server", Some(vs), VS_KW, Some(vs_end)),
];
