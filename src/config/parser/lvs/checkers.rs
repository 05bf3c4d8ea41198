//! The health checkers of a `real_server` (keepalived's `check_api.c`
//! common keywords and `check_{misc,smtp,tcp,ping,udp,http,dns,file,bfd}.c`).
//!
//! keepalived acts on "the checker just queued". When a checker is dropped
//! while its block is still being read (bad `user`, bad BFD name),
//! keepalived stops applying that block's keywords; we mark it `discarded`
//! and remove it when the block ends.

use std::net::IpAddr;

use super::super::Kw;
use super::super::ctx::Parser;
use super::super::script_check::default_user;
use super::super::vrrp::{quoted_escaped_words, resolve_user};
use super::{
    IPVS_WEIGHT_LIMIT, UINT_MAX, bool_opt, cur_rs, cur_vs, fmt_rs, opt_word, stosockaddr_ip,
};
use crate::config::diag::Category;
use crate::config::model::{Checker, CheckerKind, ConnOpts, Script, Url};
use crate::config::token::Line;

/// keepalived's `IFNAMSIZ - 1`.
const IFNAME_MAX: usize = 15;

fn cur_chk<'a>(p: &'a mut Parser) -> Option<&'a mut Checker> {
    cur_rs(p)?.checkers.last_mut().filter(|c| !c.discarded)
}

/// Queue a new checker on the current real server.
fn queue(p: &mut Parser, line: &Line, kind: CheckerKind) {
    let span = Some(line.span.clone());
    if let Some(rs) = cur_rs(p) {
        // Most real servers have one checker: no spare capacity.
        rs.checkers.reserve_exact(1);
        rs.checkers.push(Checker::new(kind, span));
    }
}

/// keepalived's `dequeue_new_checker()` at the end of a block.
fn dequeue(p: &mut Parser) {
    if let Some(rs) = cur_rs(p) {
        rs.checkers.pop();
    }
}

/// Remove a checker dropped earlier in its block; true if there was one.
fn drop_discarded(p: &mut Parser) -> bool {
    let Some(rs) = cur_rs(p) else { return true };
    if rs.checkers.last().is_some_and(|c| c.discarded) {
        rs.checkers.pop();
        return true;
    }
    rs.checkers.is_empty()
}

/// The connection options the keyword applies to: the checker's own, or
/// the `host` block being read (`HOST`).
fn cur_co<'a, const HOST: bool>(p: &'a mut Parser) -> Option<&'a mut ConnOpts> {
    let c = cur_chk(p)?;
    if HOST {
        c.ext_mut().hosts.last_mut()
    } else {
        Some(&mut c.conn)
    }
}

/// The family of the connection's destination as keepalived knows it while
/// parsing: `connect_ip`, else the real server (SMTP's own options start
/// with no destination).
fn dst_is_v6<const HOST: bool>(p: &mut Parser) -> Option<bool> {
    let rs_v6 = cur_rs(p)?.addr.is_ipv6();
    let c = cur_chk(p)?;
    let smtp_main = c.kind == CheckerKind::Smtp && !HOST;
    let co = if HOST { c.ext().hosts.last()? } else { &c.conn };
    match co.ext().connect_ip {
        Some(ip) => Some(ip.is_ipv6()),
        None if smtp_main => None,
        None => Some(rs_v6),
    }
}

fn co_ip<const HOST: bool>(p: &mut Parser, line: &Line) {
    let Some(w) = p.word(line, 1).map(str::to_owned) else {
        return;
    };
    let Some(ip) = stosockaddr_ip(&w) else {
        p.err(
            line,
            1,
            format!("Invalid connect_ip address {w} - ignoring"),
        );
        return;
    };
    let Some(co) = cur_co::<HOST>(p) else { return };
    if co.ext().bindto.is_some_and(|b| b.is_ipv6() != ip.is_ipv6()) {
        co.ext_mut().connect_ip = None;
        p.err(
            line,
            1,
            format!("connect_ip address {w} does not match address family of bindto - skipping"),
        );
        return;
    }
    co.ext_mut().connect_ip = Some(ip);
}

fn co_port<const HOST: bool>(p: &mut Parser, line: &Line) {
    let bind = line.words[0].text == "bind_port";
    match p.read_unsigned(line, 1, 1, 65535, true) {
        Some(v) => {
            if let Some(co) = cur_co::<HOST>(p) {
                if bind {
                    co.ext_mut().bind_port = Some(v as u16);
                } else {
                    co.connect_port = Some(v as u16);
                }
            }
        }
        None if p.aborted.is_none() => {
            let w = line.words[1].text.to_string();
            let which = if bind { "bind_port" } else { "connect_port" };
            p.err(line, 1, format!("Invalid checker {which} '{w}'"));
        }
        None => {}
    }
}

fn co_bindto<const HOST: bool>(p: &mut Parser, line: &Line) {
    let Some(w) = p.word(line, 1).map(str::to_owned) else {
        return;
    };
    let Some(ip) = stosockaddr_ip(&w) else {
        p.err(line, 1, format!("Invalid bindto address {w} - ignoring"));
        return;
    };
    let dst_v6 = dst_is_v6::<HOST>(p);
    let Some(co) = cur_co::<HOST>(p) else { return };
    if dst_v6.is_some_and(|v6| v6 != ip.is_ipv6()) {
        if let Some(e) = co.ext.as_deref_mut() {
            e.bindto = None;
        }
        p.err(
            line,
            1,
            format!("bindto address {w} does not match address family of connect_ip - skipping"),
        );
        return;
    }
    co.ext_mut().bindto = Some(ip);
}

fn co_bind_if<const HOST: bool>(p: &mut Parser, line: &Line) {
    let Some(w) = p.word(line, 1).map(str::to_owned) else {
        return;
    };
    if w.len() > IFNAME_MAX {
        p.err(
            line,
            1,
            format!("Interface name {w} is too long - ignoring"),
        );
        return;
    }
    if let Some(co) = cur_co::<HOST>(p) {
        co.ext_mut().bind_if = Some(w);
    }
}

fn co_timeout<const HOST: bool>(p: &mut Parser, line: &Line) {
    match p.read_timer(line, 1, 1, UINT_MAX, true) {
        Some(t) => {
            if let Some(co) = cur_co::<HOST>(p) {
                co.connect_timeout = Some(t);
            }
        }
        None if p.aborted.is_none() => {
            let w = line.words[1].text.to_string();
            p.err(line, 1, format!("connect_timeout {w} invalid - ignoring"));
        }
        None => {}
    }
}

fn co_fwmark<const HOST: bool>(p: &mut Parser, line: &Line) {
    match p.read_unsigned(line, 1, 0, UINT_MAX, true) {
        Some(v) => {
            if let Some(co) = cur_co::<HOST>(p) {
                co.ext_mut().fwmark = Some(v as u32);
            }
        }
        None if p.aborted.is_none() => {
            let w = line.words[1].text.to_string();
            p.err(line, 1, format!("Invalid fwmark connection value '{w}'"));
        }
        None => {}
    }
}

fn retry(p: &mut Parser, line: &Line) {
    match p.read_unsigned(line, 1, 0, UINT_MAX, true) {
        Some(v) => {
            if let Some(c) = cur_chk(p) {
                c.retry = Some(v as u32);
            }
        }
        None if p.aborted.is_none() => {
            let w = line.words[1].text.to_string();
            p.err(line, 1, format!("Invalid retry connection value '{w}'"));
        }
        None => {}
    }
}

fn timer_kw(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    let min = u64::from(kw == "delay_loop");
    match p.read_timer(line, 1, min, 0, true) {
        Some(t) => {
            if let Some(c) = cur_chk(p) {
                match kw.as_str() {
                    "delay_loop" => c.delay_loop = Some(t),
                    "warmup" => c.warmup = Some(t),
                    _ => c.delay_before_retry = Some(t),
                }
            }
        }
        None if p.aborted.is_none() => {
            let w = line.words[1].text.to_string();
            let msg = match kw.as_str() {
                "delay_loop" => format!("delay_loop '{w}' is invalid - ignoring"),
                _ => format!("Invalid {kw} connection value '{w}'"),
            };
            p.err(line, 1, msg);
        }
        None => {}
    }
}

fn alpha(p: &mut Parser, line: &Line) {
    if let Some(b) = bool_opt(p, line, "Invalid alpha parameter")
        && let Some(c) = cur_chk(p)
    {
        c.alpha = Some(b);
    }
}

fn log_all_failures(p: &mut Parser, line: &Line) {
    if let Some(b) = bool_opt(p, line, "Invalid log_all_failures parameter")
        && let Some(c) = cur_chk(p)
    {
        c.log_all_failures = Some(b);
    }
}

/// keepalived's `check_conn_opts()`: an IPv6 link-local destination needs
/// `bind_if`. The destination is `connect_ip`, else the real server.
fn conn_ok(p: &mut Parser, co: &ConnOpts, span_line: Option<crate::config::diag::Span>) -> bool {
    let Some(rs_addr) = cur_rs(p).map(|r| r.addr) else {
        return true;
    };
    let dst = co.ext().connect_ip.unwrap_or(rs_addr);
    if let IpAddr::V6(v6) = dst
        && (v6.segments()[0] & 0xffc0) == 0xfe80
        && co.ext().bind_if.is_none()
    {
        p.err_span(
            span_line,
            Category::GeneralError,
            format!("Checker link local address {dst} requires a bind_if"),
        );
        return false;
    }
    true
}

/// End of a plain network checker block (TCP, PING, DNS).
fn net_end(p: &mut Parser) {
    let Some(c) = cur_chk(p) else { return };
    let (co, span) = (c.conn.clone(), c.span.clone());
    if !conn_ok(p, &co, span) {
        dequeue(p);
    }
}

macro_rules! common {
    ($($extra:expr),* $(,)?) => {
        &[
            Kw::new("retry", retry),
            Kw::new("delay_before_retry", timer_kw),
            Kw::new("warmup", timer_kw),
            Kw::new("delay_loop", timer_kw),
            Kw::new("alpha", alpha),
            Kw::new("log_all_failures", log_all_failures),
            $($extra),*
        ]
    };
}

macro_rules! conn_common {
    ($host:literal $(, $extra:expr)* $(,)?) => {
        common![
            Kw::new("connect_ip", co_ip::<$host>),
            Kw::new("connect_port", co_port::<$host>),
            Kw::new("bindto", co_bindto::<$host>),
            Kw::new("bind_port", co_port::<$host>),
            Kw::new("bind_if", co_bind_if::<$host>),
            Kw::new("connect_timeout", co_timeout::<$host>),
            Kw::new("fwmark", co_fwmark::<$host>),
            $($extra),*
        ]
    };
}

// ===== TCP_CHECK / PING_CHECK =====

fn tcp_check(p: &mut Parser, line: &Line) {
    queue(p, line, CheckerKind::Tcp);
}

fn ping_check(p: &mut Parser, line: &Line) {
    queue(p, line, CheckerKind::Ping);
}

static TCP_KW: &[Kw] = conn_common![false];

pub(super) const TCP: Kw = Kw::block("TCP_CHECK", Some(tcp_check), TCP_KW, Some(net_end));
pub(super) const PING: Kw = Kw::block("PING_CHECK", Some(ping_check), TCP_KW, Some(net_end));

// ===== UDP_CHECK =====

fn udp_check(p: &mut Parser, line: &Line) {
    queue(p, line, CheckerKind::Udp);
}

/// keepalived's `read_hex_str()`: pairs of hex digits, blanks between
/// bytes; `x` (reply only) is a wildcard nibble. Returns the byte count.
fn hex_len(s: &str, allow_mask: bool) -> usize {
    let b = s.as_bytes();
    let ok = |c: u8| c.is_ascii_hexdigit() || (allow_mask && (c == b'x' || c == b'X'));
    let mut i = 0;
    let mut len = 0;
    loop {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if !ok(b[i]) {
            return 0;
        }
        i += 1;
        if i < b.len() && b[i] != b' ' {
            if !ok(b[i]) {
                return 0;
            }
            i += 1;
        }
        len += 1;
    }
    len
}

/// keepalived's `make_strvec_str()`: the words from `from` joined by spaces.
fn words_from(line: &Line, from: usize) -> String {
    line.words[from..]
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn udp_payload(p: &mut Parser, line: &Line) {
    if line.words.len() == 1 {
        p.err(line, 0, "UDP_CHECK payload requires a payload");
        return;
    }
    let hex = words_from(line, 1);
    if hex_len(&hex, false) == 0 {
        p.err(line, 1, "Invalid hex string for UDP_CHECK payload");
    }
    if let Some(c) = cur_chk(p) {
        c.ext_mut().udp_payload = Some(hex);
    }
}

fn udp_require_reply(p: &mut Parser, line: &Line) {
    let hex = (line.words.len() > 1).then(|| words_from(line, 1));
    if let Some(h) = &hex
        && hex_len(h, true) == 0
    {
        p.err(line, 1, "Invalid hex string for UDP_CHECK reply");
    }
    if let Some(c) = cur_chk(p) {
        c.ext_mut().udp_require_reply = Some(hex.unwrap_or_default());
    }
}

fn udp_length(p: &mut Parser, line: &Line) {
    let min = line.words[0].text == "min_reply_length";
    match p.read_unsigned(line, 1, 0, u64::from(u16::MAX), false) {
        Some(v) => {
            if let Some(c) = cur_chk(p) {
                if min {
                    c.ext_mut().udp_min_reply_length = Some(v as u32);
                } else {
                    c.ext_mut().udp_max_reply_length = Some(v as u32);
                }
            }
        }
        None if p.aborted.is_none() => {
            let w = line.words[1].text.to_string();
            let which = if min { "min" } else { "max" };
            p.err(
                line,
                1,
                format!("UDP_CHECK {which} length {w} not valid - must be between 0 & 65535"),
            );
        }
        None => {}
    }
}

fn udp_end(p: &mut Parser) {
    let Some(c) = cur_chk(p) else { return };
    let (co, span) = (c.conn.clone(), c.span.clone());
    let (min, max) = (
        c.ext_mut().udp_min_reply_length.unwrap_or(0),
        c.ext_mut().udp_max_reply_length.unwrap_or(255),
    );
    if !conn_ok(p, &co, span.clone()) {
        dequeue(p);
        return;
    }
    if min > max {
        let msg =
            format!("UDP_CHECK min_reply length {min} > max_reply_length {max} - will always fail");
        p.err_span(span, Category::GeneralError, msg);
    }
}

static UDP_KW: &[Kw] = conn_common![
    false,
    Kw::new("payload", udp_payload),
    Kw::new("require_reply", udp_require_reply),
    Kw::new("min_reply_length", udp_length),
    Kw::new("max_reply_length", udp_length),
];

pub(super) const UDP: Kw = Kw::block("UDP_CHECK", Some(udp_check), UDP_KW, Some(udp_end));

// ===== DNS_CHECK =====

const DNS_TYPES: &[&str] = &[
    "A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA", "RRSIG", "DNSKEY",
];

fn dns_check(p: &mut Parser, line: &Line) {
    queue(p, line, CheckerKind::Dns);
}

fn dns_type(p: &mut Parser, line: &Line) {
    let Some(w) = p.word(line, 1).map(str::to_owned) else {
        return;
    };
    // keepalived compares case-insensitively.
    match DNS_TYPES.iter().find(|t| t.eq_ignore_ascii_case(&w)) {
        Some(t) => {
            if let Some(c) = cur_chk(p) {
                c.ext_mut().dns_type = Some((*t).to_string());
            }
        }
        None => p.err(line, 1, format!("Unknown DNS check type {w} - ignoring")),
    }
}

fn dns_name(p: &mut Parser, line: &Line) {
    if cur_chk(p).is_some_and(|c| c.ext_mut().dns_name.is_some()) {
        p.err(line, 0, "DNS_CHECK name already specified - ignoring");
        return;
    }
    let Some(name) = p.word(line, 1).map(str::to_owned) else {
        return;
    };
    let b = name.as_bytes();
    let invalid = (b.first() == Some(&b'.') && b.len() > 1) || name.contains("..");
    if invalid {
        p.err(
            line,
            1,
            format!("DNS_CHECK name '{name}' has empty label - ignoring"),
        );
        return;
    }
    if let Some(c) = cur_chk(p) {
        c.ext_mut().dns_name = Some(name);
    }
}

fn dns_end(p: &mut Parser) {
    let Some(c) = cur_chk(p) else { return };
    let (co, span) = (c.conn.clone(), c.span.clone());
    if !conn_ok(p, &co, span) {
        dequeue(p);
        return;
    }
    if let Some(c) = cur_chk(p) {
        c.ext_mut().dns_name.get_or_insert_with(String::new);
        c.ext_mut().dns_type.get_or_insert_with(|| "SOA".into());
    }
}

static DNS_KW: &[Kw] = conn_common![false, Kw::new("type", dns_type), Kw::new("name", dns_name)];

pub(super) const DNS: Kw = Kw::block("DNS_CHECK", Some(dns_check), DNS_KW, Some(dns_end));

// ===== SMTP_CHECK =====

fn smtp_check(p: &mut Parser, line: &Line) {
    queue(p, line, CheckerKind::Smtp);
}

fn smtp_helo(p: &mut Parser, line: &Line) {
    let Some(v) = opt_word(line, 1) else {
        p.err(line, 0, "SMTP_CHECK helo name missing");
        return;
    };
    if let Some(c) = cur_chk(p) {
        c.ext_mut().helo_name = Some(v);
    }
}

fn smtp_host(p: &mut Parser, _line: &Line) {
    if let Some(c) = cur_chk(p) {
        c.ext_mut().hosts.push(ConnOpts::default());
    }
}

fn smtp_host_end(p: &mut Parser) {
    let Some(c) = cur_chk(p) else { return };
    let (Some(co), span) = (c.ext_mut().hosts.last().cloned(), c.span.clone()) else {
        return;
    };
    if !conn_ok(p, &co, span)
        && let Some(c) = cur_chk(p)
    {
        c.ext_mut().hosts.pop();
    }
}

fn smtp_end(p: &mut Parser) {
    let Some(c) = cur_chk(p) else { return };
    c.ext_mut()
        .helo_name
        .get_or_insert_with(|| "smtpchecker.keepalived.org".into());
    let (co, span, has_hosts) = (c.conn.clone(), c.span.clone(), !c.ext().hosts.is_empty());
    if has_hosts {
        p.info(
            span.clone(),
            "The SMTP_CHECK host block is deprecated. Please define additional checkers.",
        );
    }
    if (co != ConnOpts::default() || !has_hosts) && !conn_ok(p, &co, span) {
        dequeue(p);
    }
}

static SMTP_HOST_KW: &[Kw] = conn_common![true];

static SMTP_KW: &[Kw] = conn_common![
    false,
    Kw::new("helo_name", smtp_helo),
    Kw::block("host", Some(smtp_host), SMTP_HOST_KW, Some(smtp_host_end)),
];

pub(super) const SMTP: Kw = Kw::block("SMTP_CHECK", Some(smtp_check), SMTP_KW, Some(smtp_end));

// ===== MISC_CHECK =====

fn misc_check(p: &mut Parser, line: &Line) {
    queue(p, line, CheckerKind::Misc);
}

/// `misc_path`: like keepalived, word 1 of the quoted/escaped line is the
/// whole command, split again into arguments.
fn misc_path(p: &mut Parser, line: &Line) {
    let words = quoted_escaped_words(&line.raw);
    let args = words
        .get(1)
        .map(|w| quoted_escaped_words(w))
        .filter(|a| !a.is_empty());
    let span = Some(line.word_span(1));
    if let Some(c) = cur_chk(p) {
        let prev = c.ext_mut().misc_path.take();
        c.ext_mut().misc_path = args.map(|args| Script {
            args,
            span,
            // A `user` given before `misc_path` still applies.
            uid: prev.as_ref().map_or(0, |s| s.uid),
            gid: prev.as_ref().map_or(0, |s| s.gid),
            ..Script::default()
        });
    }
}

fn misc_timeout(p: &mut Parser, line: &Line) {
    match p.read_unsigned(line, 1, 0, UINT_MAX / 1_000_000, true) {
        Some(v) => {
            if let Some(c) = cur_chk(p) {
                c.ext_mut().misc_timeout = Some(v * 1_000_000);
            }
        }
        None if p.aborted.is_none() => {
            let w = line.words[1].text.to_string();
            p.err(line, 1, format!("Invalid misc_timeout value '{w}'"));
        }
        None => {}
    }
}

fn misc_dynamic(p: &mut Parser, _line: &Line) {
    if let Some(c) = cur_chk(p) {
        c.ext_mut().misc_dynamic = true;
    }
}

/// keepalived's `cmd_str()`: the script's words joined by spaces.
fn cmd_str(s: Option<&Script>) -> String {
    s.map(|s| s.args.join(" ")).unwrap_or_default()
}

fn misc_user(p: &mut Parser, line: &Line) {
    let Some(c) = cur_chk(p) else { return };
    let cmd = cmd_str(c.ext_mut().misc_path.as_ref());
    let Some(user) = opt_word(line, 1) else {
        p.err(
            line,
            0,
            format!("No user specified for misc checker script {cmd}"),
        );
        return;
    };
    let group = opt_word(line, 2);
    match resolve_user(p, &user, group.as_deref()) {
        Some((uid, gid)) => {
            if let Some(c) = cur_chk(p) {
                let e = c.ext_mut();
                e.user = Some((user, group));
                if let Some(s) = e.misc_path.as_mut() {
                    s.uid = uid;
                    s.gid = gid;
                }
            }
        }
        None => {
            if p.host.user_by_name(&user).is_none() {
                p.info(
                    Some(line.word_span(1)),
                    format!("Script user '{user}' does not exist"),
                );
            } else if let Some(g) = &group {
                p.info(
                    Some(line.word_span(2)),
                    format!("Script group '{g}' does not exist"),
                );
            }
            p.err(
                line,
                1,
                format!("Failed to set uid/gid for misc checker script {cmd} - removing"),
            );
            if let Some(c) = cur_chk(p) {
                c.discarded = true;
            }
        }
    }
}

fn misc_end(p: &mut Parser) {
    if cur_chk(p).is_none() {
        drop_discarded(p);
        return;
    }
    let Some(c) = cur_chk(p) else { return };
    let span = c.span.clone();
    let Some(script) = c.ext_mut().misc_path.clone() else {
        p.err_span(
            span,
            Category::GeneralError,
            "No script path has been specified for MISC_CHECKER - skipping",
        );
        dequeue(p);
        return;
    };
    if c.ext().user.is_none() {
        match default_user(p, p.span()) {
            Some((uid, gid)) => {
                if let Some(s) = cur_chk(p).and_then(|c| c.ext_mut().misc_path.as_mut()) {
                    s.uid = uid;
                    s.gid = gid;
                }
            }
            None => {
                let msg = format!(
                    "Unable to set default user for misc script {} - removing",
                    script.args.join(" ")
                );
                p.err_span(span, Category::GeneralError, msg);
                dequeue(p);
            }
        }
    }
}

static MISC_KW: &[Kw] = common![
    Kw::new("misc_path", misc_path),
    Kw::new("misc_timeout", misc_timeout),
    Kw::new("misc_dynamic", misc_dynamic),
    Kw::new("user", misc_user),
];

pub(super) const MISC: Kw = Kw::block("MISC_CHECK", Some(misc_check), MISC_KW, Some(misc_end));

// ===== HTTP_GET / SSL_GET =====

fn http_get(p: &mut Parser, line: &Line) {
    let kind = if line.words[0].text == "HTTP_GET" {
        CheckerKind::HttpGet
    } else {
        CheckerKind::SslGet
    };
    queue(p, line, kind);
}

fn nb_get_retry(p: &mut Parser, line: &Line) {
    p.err(line, 0, "nb_get_retry is deprecated - please use 'retry'");
    match p.read_unsigned(line, 1, 0, UINT_MAX, true) {
        Some(v) => {
            if let Some(c) = cur_chk(p) {
                c.retry = Some(v as u32);
            }
        }
        None if p.aborted.is_none() => {
            let w = line.words[1].text.to_string();
            p.err(line, 1, format!("Invalid nb_get_retry value '{w}'"));
        }
        None => {}
    }
}

fn http_virtualhost(p: &mut Parser, line: &Line) {
    let Some(v) = opt_word(line, 1) else {
        p.err(line, 0, "HTTP_GET virtualhost name missing");
        return;
    };
    if let Some(c) = cur_chk(p) {
        c.ext_mut().virtualhost = Some(v);
    }
}

fn http_protocol(p: &mut Parser, line: &Line) {
    let Some(v) = opt_word(line, 1) else {
        p.err(line, 0, "Missing http_protocol version");
        return;
    };
    let proto = match v.as_str() {
        "1.0" | "1.1" => v.clone(),
        "1.0C" | "1.0c" => "1.0C".to_string(),
        _ => {
            p.err(line, 1, format!("Invalid http_protocol version {v}"));
            return;
        }
    };
    if let Some(c) = cur_chk(p) {
        c.ext_mut().http_protocol = Some(proto);
    }
}

fn http_bool(p: &mut Parser, line: &Line) {
    let sni = line.words[0].text == "enable_sni";
    let msg = if sni {
        "Invalid enable_sni parameter"
    } else {
        "Invalid fast_recovery parameter"
    };
    if let Some(b) = bool_opt(p, line, msg)
        && let Some(c) = cur_chk(p)
    {
        if sni {
            c.ext_mut().enable_sni = b;
        } else {
            c.ext_mut().fast_recovery = b;
        }
    }
}

fn http_end(p: &mut Parser) {
    let Some(c) = cur_chk(p) else { return };
    let (co, span, no_urls) = (c.conn.clone(), c.span.clone(), c.ext().urls.is_empty());
    if no_urls {
        p.err_span(
            span,
            Category::GeneralError,
            "HTTP/SSL_GET checker has no urls specified - ignoring",
        );
        dequeue(p);
        return;
    }
    if !conn_ok(p, &co, span) {
        dequeue(p);
    }
}

fn cur_url<'a>(p: &'a mut Parser) -> Option<&'a mut Url> {
    cur_chk(p)?.ext_mut().urls.last_mut()
}

fn url(p: &mut Parser, line: &Line) {
    let span = Some(line.span.clone());
    if let Some(c) = cur_chk(p) {
        c.ext_mut().urls.push(Url {
            span,
            ..Url::default()
        });
    }
}

fn url_path(p: &mut Parser, line: &Line) {
    let Some(v) = p.word(line, 1).map(str::to_owned) else {
        return;
    };
    if let Some(u) = cur_url(p) {
        u.path = Some(v);
    }
}

fn url_digest(p: &mut Parser, line: &Line) {
    let Some(d) = p.word(line, 1).map(str::to_owned) else {
        return;
    };
    if cur_url(p).is_some_and(|u| u.digest.is_some()) {
        p.err(line, 1, format!("Digest '{d}' is a duplicate"));
        return;
    }
    if d.len() != 32 {
        p.err(
            line,
            1,
            format!(
                "digest '{d}' character length should be 32 rather than {}",
                d.len()
            ),
        );
        return;
    }
    // keepalived converts from the last byte backwards, truncating the
    // string as it goes, so the message shows the prefix up to the bad pair.
    for i in (0..16).rev() {
        let pair = &d.as_bytes()[2 * i..2 * i + 2];
        if !pair.iter().all(u8::is_ascii_hexdigit) {
            let shown = &d[..2 * i + 2];
            let msg = format!(
                "Unable to interpret hex digit in '{shown}' at offset {}/{}",
                2 * i,
                2 * i + 1
            );
            p.err(line, 1, msg);
            return;
        }
    }
    if let Some(u) = cur_url(p) {
        u.digest = Some(d.to_ascii_lowercase());
    }
}

/// C `strtoul(s, &end, 10)` for a status code: value and the rest.
fn strtoul10(s: &str) -> (u64, &str) {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let t2 = t.strip_prefix('+').unwrap_or(t);
    let (neg, t3) = match t2.strip_prefix('-') {
        Some(r) if t2.len() == t.len() => (true, r),
        _ => (false, t2),
    };
    let n = t3.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return (0, s);
    }
    let v = t3[..n].parse::<u64>().unwrap_or(u64::MAX);
    let v = if neg {
        v.wrapping_neg() & u64::from(u32::MAX)
    } else {
        v
    };
    (v, &t3[n..])
}

fn url_status_code(p: &mut Parser, line: &Line) {
    let mut ranges = Vec::new();
    for i in 1..line.words.len() {
        let s = line.words[i].text.as_str();
        let (min, rest) = strtoul10(s);
        let (max, rest) = match rest.strip_prefix('-') {
            Some(r) => strtoul10(r),
            None => (min, rest),
        };
        let ok = |v: u64| (100..=599).contains(&v);
        if !rest.is_empty() || !ok(min) || !ok(max) || min > max {
            p.err(line, i, format!("Invalid HTTP_GET status code '{s}'"));
            continue;
        }
        ranges.push((min as u16, max as u16));
    }
    if let Some(u) = cur_url(p) {
        u.status_codes.extend(ranges);
    }
}

fn url_virtualhost(p: &mut Parser, line: &Line) {
    let Some(v) = opt_word(line, 1) else {
        p.err(line, 0, "Missing HTTP_GET virtualhost name");
        return;
    };
    if let Some(u) = cur_url(p) {
        u.virtualhost = Some(v);
    }
}

fn url_regex(p: &mut Parser, line: &Line) {
    let words = quoted_escaped_words(&line.raw);
    if words.len() != 2 {
        p.info(Some(line.span.clone()), "regex missing or too many fields");
        return;
    }
    if let Some(u) = cur_url(p) {
        u.regex = Some(words[1].clone());
    }
}

fn url_regex_no_match(p: &mut Parser, _line: &Line) {
    if let Some(u) = cur_url(p) {
        u.regex_no_match = true;
    }
}

const REGEX_OPTIONS: &[&str] = &[
    "allow_empty_class",
    "alt_bsux",
    "auto_callout",
    "caseless",
    "dollar_endonly",
    "dotall",
    "dupnames",
    "extended",
    "firstline",
    "match_unset_backref",
    "multiline",
    "never_ucp",
    "never_utf",
    "no_auto_capture",
    "no_auto_possess",
    "no_dotstar_anchor",
    "no_start_optimize",
    "ucp",
    "ungreedy",
    "utf",
];

fn url_regex_options(p: &mut Parser, line: &Line) {
    let opts: Vec<String> = line.words[1..]
        .iter()
        .filter(|w| REGEX_OPTIONS.contains(&w.text.as_str()))
        .map(|w| w.text.to_string())
        .collect();
    if let Some(u) = cur_url(p) {
        for o in opts {
            if !u.regex_options.contains(&o) {
                u.regex_options.push(o);
            }
        }
    }
}

fn url_regex_offset(p: &mut Parser, line: &Line) {
    let min = line.words[0].text == "regex_min_offset";
    let which = if min { "min" } else { "max" };
    let v = if line.words.len() != 2 {
        p.info(
            Some(line.span.clone()),
            format!("Missing or too may options for regex_{which}_offset"),
        );
        0
    } else {
        let (v, rest) = strtoul10(&line.words[1].text);
        if rest.is_empty() {
            v
        } else {
            let w = line.words[1].text.to_string();
            p.info(
                Some(line.span.clone()),
                format!("Invalid regex_{which}_offset {w} specified"),
            );
            0
        }
    };
    if let Some(u) = cur_url(p) {
        if min {
            u.regex_min_offset = (v != 0).then_some(v);
        } else {
            u.regex_max_offset = Some(v);
        }
    }
}

fn url_regex_stack(p: &mut Parser, line: &Line) {
    let span = Some(line.span.clone());
    if line.words.len() != 3 {
        p.info(span, "regex_stack requires start and max values");
        return;
    }
    let (start, r1) = strtoul10(&line.words[1].text);
    if !r1.is_empty() {
        p.info(span, "regex_stack invalid start value");
        return;
    }
    let (max, r2) = strtoul10(&line.words[2].text);
    if !r2.is_empty() {
        p.info(span, "regex_stack invalid max value");
        return;
    }
    if start > max {
        p.info(span, "regex stack start cannot exceed max value");
        return;
    }
    if let Some(u) = cur_url(p) {
        u.regex_stack = Some((start, max));
    }
}

/// keepalived's `url_check()` at the end of a `url` block.
fn url_end(p: &mut Parser) {
    let Some(u) = cur_url(p) else { return };
    let span = u.span.clone();
    if u.path.is_none() {
        p.err_span(
            span,
            Category::GeneralError,
            "HTTP/SSL_GET checker url has no path - ignoring",
        );
        if let Some(c) = cur_chk(p) {
            c.ext_mut().urls.pop();
        }
        return;
    }
    if u.status_codes.is_empty() {
        u.status_codes.push((200, 299));
    }
    let mut notes = Vec::new();
    if u.regex.is_none()
        && (!u.regex_options.is_empty()
            || u.regex_no_match
            || u.regex_min_offset.is_some()
            || u.regex_max_offset.is_some()
            || u.regex_stack.is_some())
    {
        notes.push("regex parameters specified without regex".to_string());
        u.regex_options.clear();
        u.regex_no_match = false;
        u.regex_min_offset = None;
        u.regex_max_offset = None;
        u.regex_stack = None;
    }
    if let Some(max) = u.regex_max_offset {
        let min = u.regex_min_offset.unwrap_or(0);
        if min > max {
            notes.push(format!(
                "regex min offset {min} > regex_max_offset {max} - ignoring"
            ));
            u.regex_min_offset = None;
            u.regex_max_offset = None;
        }
    }
    for n in notes {
        p.info(span.clone(), n);
    }
}

static URL_KW: &[Kw] = &[
    Kw::new("path", url_path),
    Kw::new("digest", url_digest),
    Kw::new("status_code", url_status_code),
    Kw::new("virtualhost", url_virtualhost),
    Kw::new("regex", url_regex),
    Kw::new("regex_no_match", url_regex_no_match),
    Kw::new("regex_options", url_regex_options),
    Kw::new("regex_min_offset", url_regex_offset),
    Kw::new("regex_max_offset", url_regex_offset),
    Kw::new("regex_stack", url_regex_stack),
];

static HTTP_KW: &[Kw] = conn_common![
    false,
    Kw::new("nb_get_retry", nb_get_retry),
    Kw::new("virtualhost", http_virtualhost),
    Kw::new("http_protocol", http_protocol),
    Kw::new("enable_sni", http_bool),
    Kw::new("fast_recovery", http_bool),
    Kw::block("url", Some(url), URL_KW, Some(url_end)),
];

pub(super) const HTTP: Kw = Kw::block("HTTP_GET", Some(http_get), HTTP_KW, Some(http_end));
pub(super) const SSL: Kw = Kw::block("SSL_GET", Some(http_get), HTTP_KW, Some(http_end));

// ===== FILE_CHECK =====

fn file_check(p: &mut Parser, line: &Line) {
    queue(p, line, CheckerKind::File);
}

fn file_track_file(p: &mut Parser, line: &Line) {
    let Some(name) = p.word(line, 1).map(str::to_owned) else {
        return;
    };
    if !p.cfg.track_files.iter().any(|t| t.name == name) {
        p.err(line, 1, format!("track_file {name} not found"));
        return;
    }
    if let Some(c) = cur_chk(p) {
        c.ext_mut().track_file = Some(name);
    }
}

fn file_weight(p: &mut Parser, line: &Line) {
    if line.words.len() < 2 {
        p.err(line, 0, "track file weight missing");
        return;
    }
    let lim = IPVS_WEIGHT_LIMIT as i64;
    let Some(w) = p.read_int(line, 1, -lim, lim, true) else {
        if p.aborted.is_none() {
            p.err(
                line,
                1,
                format!(
                    "weight for track file must be in [{}..{lim}] inclusive. Ignoring...",
                    -lim
                ),
            );
        }
        return;
    };
    let reverse = match line.words.get(2).map(|w| w.text.as_str()) {
        None | Some("noreverse") => false,
        Some("reverse") => true,
        Some(other) => {
            p.err(
                line,
                2,
                format!("unknown track file weight option {other} - ignoring"),
            );
            return;
        }
    };
    if let Some(c) = cur_chk(p) {
        c.ext_mut().file_weight = Some((w as i32, reverse));
    }
}

fn file_end(p: &mut Parser) {
    let Some(c) = cur_chk(p) else { return };
    let span = c.span.clone();
    let Some(name) = c.ext_mut().track_file.clone() else {
        p.err_span(
            span,
            Category::GeneralError,
            "FILE_CHECK has no track_file specified - ignoring",
        );
        dequeue(p);
        return;
    };
    // Without its own weight the checker takes the track_file's.
    if c.ext_mut().file_weight.is_none() {
        let tf = p
            .cfg
            .track_files
            .iter()
            .find(|t| t.name == name)
            .map(|t| (t.weight, t.weight_reverse));
        if let Some(c) = cur_chk(p) {
            c.ext_mut().file_weight = tf;
        }
    }
}

static FILE_KW: &[Kw] = &[
    Kw::new("track_file", file_track_file),
    Kw::new("weight", file_weight),
];

pub(super) const FILE: Kw = Kw::block("FILE_CHECK", Some(file_check), FILE_KW, Some(file_end));

// ===== BFD_CHECK =====

fn bfd_check(p: &mut Parser, line: &Line) {
    queue(p, line, CheckerKind::Bfd);
}

/// keepalived's `FMT_RS()` of the current real server.
fn cur_rs_fmt(p: &mut Parser) -> String {
    match cur_vs(p) {
        Some(vs) => vs
            .real_servers
            .last()
            .map(|r| fmt_rs(r, vs))
            .unwrap_or_default(),
        None => String::new(),
    }
}

/// Longest BFD instance name keepalived accepts (`BFD_INAME_MAX - 1`).
const BFD_NAME_MAX: usize = 31;

fn bfd_name(p: &mut Parser, line: &Line) {
    let Some(existing) = cur_chk(p).map(|c| c.ext_mut().bfd_name.clone()) else {
        return;
    };
    let rs = cur_rs_fmt(p);
    let name = opt_word(line, 1).unwrap_or_default();
    let err = if line.words.len() != 2 {
        Some(format!(
            "({rs}) BFD_CHECK - No or too many names specified - skipping checker"
        ))
    } else if !p.cfg.bfd_instances.iter().any(|b| b.name == name) {
        Some(format!("({rs}) BFD_CHECK - BFD {name} not configured"))
    } else if let Some(e) = existing {
        Some(format!(
            "({rs}) BFD_CHECK - BFD {name} already specified as {e}"
        ))
    } else if name.len() > BFD_NAME_MAX {
        Some(format!("({rs}) BFD_CHECK - BFD name {name} too long"))
    } else {
        let dup = cur_rs(p).is_some_and(|r| {
            r.checkers.iter().any(|c| {
                !c.discarded
                    && c.kind == CheckerKind::Bfd
                    && c.ext().bfd_name.as_deref() == Some(&name)
            })
        });
        dup.then(|| format!("({rs}) BFD_CHECK - RS already monitoring {name}"))
    };
    match err {
        Some(m) => {
            p.err(line, 0, m);
            if let Some(c) = cur_chk(p) {
                c.discarded = true;
            }
        }
        None => {
            if let Some(c) = cur_chk(p) {
                c.ext_mut().bfd_name = Some(name);
            }
        }
    }
}

fn bfd_end(p: &mut Parser) {
    if cur_chk(p).is_none() {
        drop_discarded(p);
        return;
    }
    let Some(c) = cur_chk(p) else { return };
    if c.ext_mut().bfd_name.is_none() {
        let span = c.span.clone();
        let rs = cur_rs_fmt(p);
        let msg = format!("({rs}) No name has been specified for BFD_CHECKER - skipping");
        p.err_span(span, Category::GeneralError, msg);
        dequeue(p);
    }
}

static BFD_KW: &[Kw] = &[Kw::new("name", bfd_name), Kw::new("alpha", alpha)];

pub(super) const BFD: Kw = Kw::block("BFD_CHECK", Some(bfd_check), BFD_KW, Some(bfd_end));
