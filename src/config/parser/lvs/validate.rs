//! What keepalived's checker process does once the file is read:
//! `link_vsg_to_vs()`, `validate_check_config()` (defaults, corrections and
//! their messages) and `check_check_script_security()`.

use std::path::Path;

use super::super::ctx::Parser;
use super::{IPVS_SVC_PERSISTENT_TIMEOUT, fmt_rs, fmt_vs};
use crate::config::diag::{Category, Span};
use crate::config::model::{
    CheckerKind, Family, Forwarding, Protocol, RealServer, Script, TIMER_HZ, VirtualServer,
    VirtualServerGroup, VsAddr, VsgEntry,
};

/// Checks keepalived makes once the whole file is read.
pub fn validate(p: &mut Parser) {
    link_vsg_to_vs(p);
    let groups = p.cfg.virtual_server_groups.clone();
    let mut vss = std::mem::take(&mut p.cfg.virtual_servers);
    vss.retain_mut(|vs| validate_vs(p, vs, &groups));
    p.cfg.virtual_servers = vss;
    checker_defaults(p);
    script_security(p);
}

fn report(p: &mut Parser, span: &Option<Span>, msg: String) {
    p.err_span(span.clone(), Category::GeneralError, msg);
}

/// keepalived's `link_vsg_to_vs()`: a group virtual server needs its group,
/// with a compatible address family.
fn link_vsg_to_vs(p: &mut Parser) {
    let mut vss = std::mem::take(&mut p.cfg.virtual_servers);
    vss.retain_mut(|vs| {
        let VsAddr::Group { name } = &vs.addr else { return true };
        let name = name.clone();
        let Some(g) = p.cfg.virtual_server_groups.iter().find(|g| g.name == name) else {
            let msg = format!(
                "Virtual server group {name} specified but not configured - ignoring virtual server {}",
                fmt_vs(vs)
            );
            p.info(vs.span.clone(), msg);
            return false;
        };
        let (v4, v6, no_family) = group_families(g);
        let vsg_af = match (v4, v6) {
            (true, false) => Some(Family::V4),
            (false, true) => Some(Family::V6),
            _ => None,
        };
        if v4 && v6 && vs.ip_family.is_some() {
            let msg = format!(
                "{name}: virtual server group with IPv4 & IPv6 doesn't match virtual server {} - ignoring",
                fmt_vs(vs)
            );
            p.info(vs.span.clone(), msg);
            return false;
        }
        if (v4 && vs.ip_family == Some(Family::V6)) || (v6 && vs.ip_family == Some(Family::V4)) {
            p.info(vs.span.clone(), format!("{name}: address family doesn't match virtual server {} - ignoring", fmt_vs(vs)));
            return false;
        }
        if let Some(af) = vsg_af {
            vs.ip_family.get_or_insert(af);
        } else if vs.ip_family.is_none() && no_family {
            let msg = format!(
                "{name}: Virtual server {} address family cannot be determined, defaulting to IPv4",
                fmt_vs(vs)
            );
            p.info(vs.span.clone(), msg);
        }
        true
    });
    p.cfg.virtual_servers = vss;
}

/// (has IPv4, has IPv6, has a fwmark without family) of a group.
fn group_families(g: &VirtualServerGroup) -> (bool, bool, bool) {
    let (mut v4, mut v6, mut nf) = (false, false, false);
    for e in &g.entries {
        match e {
            VsgEntry::Range { first, .. } => {
                if first.is_ipv4() {
                    v4 = true;
                } else {
                    v6 = true;
                }
            }
            VsgEntry::Fwmark {
                family: Some(Family::V4),
                ..
            } => v4 = true,
            VsgEntry::Fwmark {
                family: Some(Family::V6),
                ..
            } => v6 = true,
            VsgEntry::Fwmark { family: None, .. } => nf = true,
        }
    }
    (v4, v6, nf)
}

/// keepalived's `format_vsge()`.
fn fmt_vsge(e: &VsgEntry) -> String {
    match e {
        VsgEntry::Fwmark { mark, .. } => format!("FWM {mark}"),
        VsgEntry::Range { first, last, port } if first != last => format!("{first}-{last},{port}"),
        VsgEntry::Range { first, port, .. } => format!("{first},{port}"),
    }
}

fn is_nat(f: &Option<Forwarding>) -> bool {
    matches!(f, Some(Forwarding::Nat))
}

/// Before a DR/TUN real server's port is reset to the virtual server's (or
/// cleared on a fwmark service), its checkers without `connect_port` keep
/// probing the port as written: keepalived copies the real server's address
/// into each checker when the checker block is read, before this
/// validation, so only the IPVS destination changes port.
fn keep_checker_port(rs: &mut RealServer) {
    let port = rs.port;
    for c in rs.checkers.iter_mut() {
        c.conn.connect_port.get_or_insert(port);
    }
}

/// One virtual server of `validate_check_config()`; false to remove it.
fn validate_vs(p: &mut Parser, vs: &mut VirtualServer, groups: &[VirtualServerGroup]) -> bool {
    let span = vs.span.clone();
    if vs.real_servers.is_empty() {
        report(
            p,
            &span,
            format!(
                "Virtual server {} has no real servers - ignoring",
                fmt_vs(vs)
            ),
        );
        return false;
    }
    let group = match &vs.addr {
        VsAddr::Group { name } => groups.iter().find(|g| &g.name == name),
        _ => None,
    };
    let g_fwmarks: Vec<&VsgEntry> = group
        .map(|g| {
            g.entries
                .iter()
                .filter(|e| matches!(e, VsgEntry::Fwmark { .. }))
                .collect()
        })
        .unwrap_or_default();
    let g_ranges: Vec<&VsgEntry> = group
        .map(|g| {
            g.entries
                .iter()
                .filter(|e| matches!(e, VsgEntry::Range { .. }))
                .collect()
        })
        .unwrap_or_default();
    let is_fwmark = matches!(vs.addr, VsAddr::Fwmark { mark } if mark != 0);
    let vs_port = match vs.addr {
        VsAddr::Ip { port, .. } => port,
        _ => 0,
    };

    if vs.ha_suspend && (is_fwmark || !g_fwmarks.is_empty()) {
        report(
            p,
            &span,
            format!(
                "Virtual server {}: cannot use ha_suspend with fwmarks - clearing ha_suspend",
                fmt_vs(vs)
            ),
        );
        vs.ha_suspend = false;
    }

    if !g_ranges.is_empty() || (group.is_none() && !is_fwmark) {
        if vs.protocol.is_none() {
            report(
                p,
                &span,
                format!(
                    "Virtual server {}: no protocol set - defaulting to UDP",
                    fmt_vs(vs)
                ),
            );
            vs.protocol = Some(Protocol::Udp);
        }
        if vs.opts().flags.iter().any(|f| f == "ops") && vs.protocol != Some(Protocol::Udp) {
            report(
                p,
                &span,
                format!(
                    "Virtual server {}: one packet scheduling requires UDP - resetting",
                    fmt_vs(vs)
                ),
            );
            vs.opts_mut().flags.retain(|f| f != "ops");
        }
        if vs.persistence_timeout.unwrap_or(0) == 0 && group.is_none() && !is_fwmark && vs_port == 0
        {
            report(
                p,
                &span,
                format!(
                    "Virtual server {}: zero port only valid for persistent services - setting",
                    fmt_vs(vs)
                ),
            );
            vs.persistence_timeout = Some(IPVS_SVC_PERSISTENT_TIMEOUT);
        }
    }
    if vs.persistence_timeout.unwrap_or(0) == 0
        && group.is_some()
        && g_ranges
            .iter()
            .any(|e| matches!(e, VsgEntry::Range { port: 0, .. }))
    {
        report(
            p,
            &span,
            format!(
                "Virtual server {}: zero port only valid for persistent services - setting",
                fmt_vs(vs)
            ),
        );
        vs.persistence_timeout = Some(IPVS_SVC_PERSISTENT_TIMEOUT);
    }
    if vs.protocol.is_some()
        && ((group.is_some() && g_ranges.is_empty() && !g_fwmarks.is_empty())
            || (group.is_none() && is_fwmark))
    {
        let msg = format!(
            "Warning: Virtual server {}: protocol specified for fwmark - protocol will be ignored",
            fmt_vs(vs)
        );
        report(p, &span, msg);
        vs.protocol = None;
    }
    if vs.lb_algo.is_none() {
        report(
            p,
            &span,
            format!(
                "Virtual server {}: no scheduler set, setting default 'wlc'",
                fmt_vs(vs)
            ),
        );
        vs.lb_algo = Some("wlc".into());
    }
    let g = &p.cfg.global;
    let global_alert = g.smtp_alert_checker.or(g.smtp_alert);
    if vs.smtp_alert.is_none() {
        vs.smtp_alert = Some(global_alert.unwrap_or(false));
    }

    // Real servers: duplicates, defaults, weight sum, sorry server match.
    vs.validated = true;
    let mut weight_sum: u32 = 0;
    let mut i = 0;
    while i < vs.real_servers.len() {
        let (addr, port) = (vs.real_servers[i].addr, vs.real_servers[i].port);
        if vs.real_servers[..i]
            .iter()
            .any(|r| r.addr == addr && r.port == port)
        {
            let rs = vs.real_servers.remove(i);
            let msg = format!(
                "VS {}: real server {} is duplicated - removing second rs",
                fmt_vs(vs),
                fmt_rs(&rs, vs)
            );
            report(p, &rs.span, msg);
            continue;
        }
        if vs.real_servers[i].lvs_method.is_none() {
            if vs.lb_kind.is_none() {
                report(
                    p,
                    &span,
                    format!(
                        "Virtual server {}: no forwarding method set, setting default NAT",
                        fmt_vs(vs)
                    ),
                );
                vs.lb_kind = Some(Forwarding::Nat);
            }
            vs.real_servers[i].lvs_method = vs.lb_kind.clone();
        }
        let rs = &mut vs.real_servers[i];
        rs.alpha.get_or_insert(vs.alpha);
        rs.inhibit_on_failure.get_or_insert(vs.inhibit_on_failure);
        // retry, connect_timeout, delay_loop, warmup and delay_before_retry
        // are not copied from the virtual server (that would allocate
        // every real server's `opts`): `RealServer::*_in` give them.
        let w = *rs.weight.get_or_insert(vs.weight);
        rs.smtp_alert.get_or_insert(global_alert.unwrap_or(true));
        weight_sum = weight_sum.wrapping_add(w as u32);
        let rs_inhibit = rs.inhibit_on_failure.unwrap_or(false);
        let matches_sorry = vs
            .opts()
            .sorry_server
            .as_ref()
            .is_some_and(|s| s.addr == addr && s.port == port);
        if matches_sorry && vs.opts().sorry_server_inhibit != rs_inhibit {
            let rs = &vs.real_servers[i];
            let msg = format!(
                "Virtual server {}: real server {} matches sorry server, but inhibit setting differs, {}ing on sorry server",
                fmt_vs(vs),
                fmt_rs(rs, vs),
                if rs_inhibit { "sett" } else { "clear" }
            );
            report(p, &span, msg);
            let o = vs.opts_mut();
            o.sorry_server_inhibit = rs_inhibit;
            if let Some(s) = o.sorry_server.as_mut() {
                s.inhibit_on_failure = Some(rs_inhibit);
            }
        }
        i += 1;
    }
    if vs
        .opts()
        .sorry_server
        .as_ref()
        .is_some_and(|s| s.lvs_method.is_none())
    {
        if vs.lb_kind.is_none() {
            report(
                p,
                &span,
                format!(
                    "Virtual server {}: no forwarding method set, setting default NAT",
                    fmt_vs(vs)
                ),
            );
            vs.lb_kind = Some(Forwarding::Nat);
        }
        let lb_kind = vs.lb_kind.clone();
        if let Some(s) = vs.opts.as_deref_mut().and_then(|o| o.sorry_server.as_mut()) {
            s.lvs_method = lb_kind;
        }
    }
    if vs.quorum > weight_sum {
        let msg = format!(
            "Warning - quorum {} for {} exceeds total weight of real servers {weight_sum}, reducing quorum to {weight_sum}",
            vs.quorum,
            fmt_vs(vs)
        );
        report(p, &span, msg);
        vs.quorum = weight_sum;
    }
    if vs.hysteresis >= vs.quorum {
        let h = vs.quorum.wrapping_sub(1);
        let msg = format!(
            "Virtual server {}: hysteresis {} >= quorum {}; setting hysteresis to {h}",
            fmt_vs(vs),
            vs.hysteresis,
            vs.quorum
        );
        report(p, &span, msg);
        vs.hysteresis = h;
    }

    // Ports: unless NAT, real servers use the virtual server's port.
    if group.is_some() {
        if !g_fwmarks.is_empty() {
            for rs in vs
                .real_servers
                .iter()
                .filter(|r| !is_nat(&r.lvs_method) && r.port != 0)
            {
                let msg = format!(
                    "WARNING - fwmark virtual server {}, real server {} has port specified - port will be ignored",
                    fmt_vs(vs),
                    fmt_rs(rs, vs)
                );
                report(p, &rs.span, msg);
            }
            if vs
                .opts()
                .sorry_server
                .as_ref()
                .is_some_and(|s| !is_nat(&s.lvs_method) && s.port != 0)
            {
                let msg = format!(
                    "WARNING - fwmark virtual server {}, sorry server has port specified - port will be ignored",
                    fmt_vs(vs)
                );
                report(p, &span, msg);
            }
        }
        for e in &g_ranges {
            let VsgEntry::Range { port: eport, .. } = e else {
                continue;
            };
            for rs in vs.real_servers.iter().filter(|r| !is_nat(&r.lvs_method)) {
                if rs.port != 0 && rs.port != *eport {
                    let msg = format!(
                        "virtual server {}:[{}] and real server {} ports don't match",
                        fmt_vs(vs),
                        fmt_vsge(e),
                        fmt_rs(rs, vs)
                    );
                    report(p, &rs.span, msg);
                }
            }
            if vs
                .opts()
                .sorry_server
                .as_ref()
                .is_some_and(|s| !is_nat(&s.lvs_method) && s.port != 0 && s.port != *eport)
            {
                let msg = format!(
                    "WARNING - virtual server {}, sorry server has port specified - port will be ignored",
                    fmt_vs(vs)
                );
                report(p, &span, msg);
            }
        }
    } else {
        let mut msgs = Vec::new();
        // The virtual server's name is formatted only when a message needs
        // it (configurations have tens of thousands of servers): messages
        // carry a placeholder until then.
        let fvs = VS_NAME;
        let proto = vs.protocol;
        for rs in vs.real_servers.iter_mut() {
            if is_nat(&rs.lvs_method) {
                if !is_fwmark && rs.port == 0 {
                    rs.port = vs_port;
                }
                continue;
            }
            if is_fwmark {
                if rs.port != 0 {
                    let r = super::trio(&rs.addr, proto, rs.port);
                    msgs.push((rs.span.clone(), format!("WARNING - fwmark virtual server {fvs}, real server {r} has port specified - clearing")));
                    keep_checker_port(rs);
                    rs.port = 0;
                }
            } else if rs.port == 0 {
                rs.port = vs_port;
            } else if rs.port != vs_port {
                let r = super::trio(&rs.addr, proto, rs.port);
                msgs.push((rs.span.clone(), format!("WARNING - virtual server {fvs} and real server {r} ports don't match - resetting")));
                keep_checker_port(rs);
                rs.port = vs_port;
            }
        }
        if let Some(s) = vs
            .opts
            .as_deref_mut()
            .and_then(|o| o.sorry_server.as_mut())
            .filter(|s| !is_nat(&s.lvs_method))
        {
            if is_fwmark {
                if s.port != 0 {
                    msgs.push((s.span.clone(), format!("WARNING - virtual server {fvs}, sorry server has port specified - clearing")));
                    s.port = 0;
                }
            } else if s.port == 0 {
                s.port = vs_port;
            } else if s.port != vs_port {
                msgs.push((s.span.clone(), format!("WARNING - virtual server {fvs} and sorry server ports don't match - resetting")));
                s.port = vs_port;
            }
        }
        if !msgs.is_empty() {
            let name = fmt_vs(vs);
            for (sp, m) in msgs {
                report(p, &sp, m.replace(VS_NAME, &name));
            }
        }
    }
    true
}

/// Stands for the virtual server's name in messages built before it is.
const VS_NAME: &str = "\u{1}vs\u{1}";

/// Checker timing defaults taken from the real server (keepalived's loop
/// over `checkers_queue`), so the model holds effective values.
fn checker_defaults(p: &mut Parser) {
    for vs in &mut p.cfg.virtual_servers {
        let mut rss = std::mem::take(&mut vs.real_servers);
        for rs in &mut rss {
            let retry = rs.retry_in(vs);
            let connect_timeout = rs.connect_timeout_in(vs);
            let delay_loop = rs.delay_loop_in(vs);
            let warmup = rs.warmup_in(vs);
            let delay_before_retry = rs.delay_before_retry_in(vs);
            for c in &mut rs.checkers {
                if c.alpha.is_none() {
                    c.alpha = rs.alpha;
                }
                if matches!(c.kind, CheckerKind::File | CheckerKind::Bfd) {
                    continue;
                }
                let (default_retry, default_dbr) = match c.kind {
                    CheckerKind::Misc => (0, Some(TIMER_HZ)),
                    CheckerKind::Dns => (3, None),
                    CheckerKind::HttpGet | CheckerKind::SslGet => (1, Some(3 * TIMER_HZ)),
                    _ => (1, Some(TIMER_HZ)),
                };
                c.retry.get_or_insert(retry.unwrap_or(default_retry));
                if c.kind != CheckerKind::Misc {
                    c.conn.connect_timeout = c.conn.connect_timeout.or(Some(connect_timeout));
                }
                let dl = *c.delay_loop.get_or_insert(delay_loop);
                c.warmup.get_or_insert(warmup.unwrap_or(dl));
                c.delay_before_retry
                    .get_or_insert(delay_before_retry.or(default_dbr).unwrap_or(dl));
            }
        }
        vs.real_servers = rss;
    }
}

// ===== script security =====

const SC_ISSCRIPT: u32 = 0x01;
const SC_INHIBIT: u32 = 0x02;
const SC_NOTFOUND: u32 = 0x04;
const SC_EXECUTABLE: u32 = 0x08;
const SC_SYSTEM: u32 = 0x10;
const SC_INSECURE: u32 = 0x20;

/// keepalived's `check_check_script_security()`: drops checkers and
/// notify scripts that cannot run, and reports scripts run without
/// `script_security`.
fn script_security(p: &mut Parser) {
    if p.cfg.virtual_servers.is_empty() {
        return;
    }
    let secure = p.cfg.global.script_security;
    let mut flags = 0u32;
    let mut first_span: Option<Span> = None;
    let mut vss = std::mem::take(&mut p.cfg.virtual_servers);
    // MISC_CHECK scripts first, as keepalived walks the checker queue.
    for vs in &mut vss {
        for rs in &mut vs.real_servers {
            // In place: a new vector per real server would double the model.
            rs.checkers.retain(|c| {
                let Some(s) = c
                    .ext()
                    .misc_path
                    .as_ref()
                    .filter(|_| c.kind == CheckerKind::Misc)
                else {
                    return true;
                };
                let f = script_secure(p, s, secure);
                flags |= f;
                if first_span.is_none() && f & SC_ISSCRIPT != 0 {
                    first_span = s.span.clone();
                }
                let cmd = s.args.join(" ");
                if f & SC_INHIBIT != 0 {
                    p.info(
                        s.span.clone(),
                        format!("Disabling misc script {cmd} due to insecure"),
                    );
                    false
                } else if f & SC_NOTFOUND != 0 {
                    p.info(
                        s.span.clone(),
                        format!("Disabling misc script {cmd} since not found/accessible"),
                    );
                    false
                } else {
                    f & (SC_EXECUTABLE | SC_SYSTEM) != 0
                }
            });
        }
    }
    let mut check = |p: &mut Parser, slot: &mut Option<Box<Script>>| {
        if let Some(s) = slot.as_ref() {
            let f = script_secure(p, s, secure);
            flags |= f;
            if first_span.is_none() && f & SC_ISSCRIPT != 0 {
                first_span = s.span.clone();
            }
            if f & (SC_INHIBIT | SC_NOTFOUND) != 0 || f & SC_EXECUTABLE == 0 {
                *slot = None;
            }
        }
    };
    for vs in &mut vss {
        if let Some(o) = vs.opts.as_deref_mut() {
            check(p, &mut o.quorum_up);
            check(p, &mut o.quorum_down);
        }
        for rs in &mut vs.real_servers {
            if let Some(o) = rs.opts.as_deref_mut() {
                check(p, &mut o.notify_up);
                check(p, &mut o.notify_down);
            }
        }
    }
    let mut fifo = p
        .cfg
        .global
        .notify_fifo
        .as_ref()
        .and_then(|f| f.script.clone())
        .map(Box::new);
    check(p, &mut fifo);
    let mut lvs_fifo = p
        .cfg
        .global
        .lvs_notify_fifo
        .as_ref()
        .and_then(|f| f.script.clone())
        .map(Box::new);
    check(p, &mut lvs_fifo);
    p.cfg.virtual_servers = vss;
    if !secure && flags & SC_ISSCRIPT != 0 {
        let extra = if flags & SC_INSECURE != 0 {
            " There are insecure scripts."
        } else {
            ""
        };
        let msg = format!(
            "SECURITY VIOLATION - check scripts are being executed but script_security not enabled.{extra}"
        );
        p.err_span(first_span, Category::SecurityError, msg);
    }
}

/// keepalived's `is_executable()` for a script run as `uid:gid`.
fn is_executable(st: &crate::config::source::FileStat, uid: u32, gid: u32) -> bool {
    (uid == 0 && st.mode & 0o111 != 0)
        || (uid == st.uid && st.mode & 0o100 != 0)
        || (uid != st.uid
            && ((gid == st.gid && st.mode & 0o010 != 0) || (gid != st.gid && st.mode & 0o001 != 0)))
}

/// keepalived's `check_script_secure()` with host facts.
fn script_secure(p: &mut Parser, s: &Script, secure: bool) -> u32 {
    let Some(cmd) = s.args.first() else { return 0 };
    let span = s.span.clone();
    if let Some(rest) = cmd.strip_prefix('<')
        && rest.trim_start_matches([' ', '\t']).starts_with('/')
    {
        return SC_SYSTEM;
    }
    let mut path = cmd.clone();
    if !cmd.contains('/') {
        let found = p
            .host
            .path_var()
            .split(':')
            .map(|d| format!("{d}/{cmd}"))
            .find(|c| {
                p.host
                    .stat(Path::new(c))
                    .is_some_and(|st| st.is_regular && is_executable(&st, s.uid, s.gid))
            });
        match found {
            Some(f) => path = f,
            None => {
                p.info(
                    span,
                    format!("Cannot find script {cmd} in path - disabling"),
                );
                return SC_NOTFOUND;
            }
        }
    }
    let Some(real) = p.host.canonicalize(Path::new(&path)) else {
        p.info(
            span,
            format!("Script {path} cannot be accessed - No such file or directory"),
        );
        return SC_NOTFOUND;
    };
    let Some(st) = p.host.stat(&real) else {
        p.info(
            span,
            format!("Unable to access script `{path}` - disabling"),
        );
        return SC_NOTFOUND;
    };
    let mut flags = SC_ISSCRIPT;
    let mut protect = false;
    if is_executable(&st, s.uid, s.gid) {
        flags |= SC_EXECUTABLE;
        protect = s.uid == 0
            || s.gid == 0
            || (st.uid == 0 && st.mode & 0o100 != 0 && st.mode & 0o4000 != 0)
            || (st.gid == 0 && st.mode & 0o010 != 0 && st.mode & 0o2000 != 0);
    } else {
        let msg = format!(
            "WARNING - script '{path}' is not executable for uid:gid {}:{} - disabling.",
            s.uid, s.gid
        );
        p.info(span.clone(), msg);
    }
    if !protect {
        return flags;
    }
    flags |= path_security(p, &path, secure, &span);
    let real_s = real.to_string_lossy().into_owned();
    if real_s != path {
        flags |= path_security(p, &real_s, secure, &span);
    }
    flags
}

/// keepalived's `check_security()`: every directory and the file must be
/// root-owned and not writable by others.
fn path_security(p: &mut Parser, file: &str, secure: bool, span: &Option<Span>) -> u32 {
    let mut prefixes: Vec<String> = Vec::new();
    for (i, c) in file.char_indices() {
        if c == '/' {
            prefixes.push(if i == 0 {
                "/".into()
            } else {
                file[..i].to_string()
            });
        }
    }
    prefixes.push(file.to_string());
    let n = prefixes.len();
    for (k, pre) in prefixes.iter().enumerate() {
        let last = k + 1 == n;
        let Some(st) = p.host.stat(Path::new(pre)) else {
            p.info(
                span.clone(),
                format!("check_script_secure could not find script '{file}' - disabling"),
            );
            return SC_NOTFOUND;
        };
        if (!last && !st.is_dir) || (last && !st.is_regular) {
            p.info(
                span.clone(),
                format!("Wrong file type found in script path '{file}'."),
            );
            return SC_INHIBIT;
        }
        let sticky_dir = st.is_dir && st.mode & 0o1000 != 0;
        if st.uid != 0
            || (((st.is_dir && !sticky_dir) || st.is_regular)
                && ((st.gid != 0 && st.mode & 0o020 != 0) || st.mode & 0o002 != 0))
        {
            let d = if secure { " - disabling" } else { "" };
            p.info(
                span.clone(),
                format!("Unsafe permissions found for script '{file}'{d}."),
            );
            return SC_INSECURE | if secure { SC_INHIBIT } else { 0 };
        }
    }
    0
}
