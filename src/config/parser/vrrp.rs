//! VRRP sections: `vrrp_instance`, `vrrp_script`, `vrrp_sync_group`,
//! trackers and static addresses (keepalived's `vrrp/vrrp_parser.c`).

use std::net::IpAddr;

use super::Kw;
use super::ctx::Parser;
use super::values::{TIMER_DIGITS, parse_ip};
use crate::config::diag::Category;
use crate::config::model::{
    AuthType, Family, InitialState, IpAddressLine, RouteLine, RuleLine, Script, SyncGroup,
    TIMER_HZ, TrackFile, TrackGroup, TrackProcess, TrackRef, UnicastPeer, UserInfoPair, VmacConfig,
    VrrpInstance, VrrpScript,
};
use crate::config::token::Line;

const UINT_MAX: u64 = u32::MAX as u64;

/// keepalived's `alloc_strvec_quoted_escaped()` on the raw line: shell-like
/// words where `"` and `'` both quote and may be glued to text, with C-style
/// escapes (section b.6). Word 0 is the keyword.
pub fn quoted_escaped_words(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_word = true;
            }
            None if c == ' ' || c == '\t' => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            _ if c == '\\' => {
                in_word = true;
                let Some(n) = chars.next() else { break };
                match n {
                    'a' => cur.push('\x07'),
                    'b' => cur.push('\x08'),
                    'E' => cur.push('\x1b'),
                    'f' => cur.push('\x0c'),
                    'n' => cur.push('\n'),
                    'r' => cur.push('\r'),
                    't' => cur.push('\t'),
                    'v' => cur.push('\x0b'),
                    'x' => {
                        let mut v = 0u32;
                        let mut k = 0;
                        while k < 2 && chars.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                            v = v * 16 + chars.next().and_then(|c| c.to_digit(16)).unwrap_or(0);
                            k += 1;
                        }
                        cur.push(char::from_u32(v).unwrap_or('?'));
                    }
                    'c' => {
                        if let Some(c2) = chars.next() {
                            cur.push(
                                char::from_u32((c2.to_ascii_uppercase() as u32) ^ 0x40)
                                    .unwrap_or('?'),
                            );
                        }
                    }
                    '0'..='7' => {
                        let mut v = n.to_digit(8).unwrap_or(0);
                        let mut k = 1;
                        while k < 3 && chars.peek().is_some_and(|c| ('0'..='7').contains(c)) {
                            v = v * 8 + chars.next().and_then(|c| c.to_digit(8)).unwrap_or(0);
                            k += 1;
                        }
                        cur.push(char::from_u32(v).unwrap_or('?'));
                    }
                    other => cur.push(other),
                }
            }
            _ => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// Resolve `USER [GROUP]` as keepalived's `set_uid_gid()`: `None` when the
/// user or group does not exist. `GROUP` may be written `:GROUP`.
pub fn resolve_user(p: &Parser, user: &str, group: Option<&str>) -> Option<UserInfoPair> {
    let u = p.host.user_by_name(user)?;
    let gid = match group {
        Some(g) => p.host.group_by_name(g.trim_start_matches(':'))?,
        None => u.gid,
    };
    Some((u.uid, gid))
}

/// keepalived's `notify_script_init()`: the command (word 1 of the quoted/
/// escaped re-tokenisation) and an optional `USER [GROUP]` after it. `None`
/// (with keepalived's log line) when the user is unknown.
pub fn notify_script(p: &mut Parser, line: &Line, kind: &str) -> Option<Script> {
    let words = quoted_escaped_words(&line.raw);
    let cmd = words.get(1)?;
    let args = quoted_escaped_words(cmd);
    if args.is_empty() {
        let msg = format!("Unable to parse script '{cmd}' - ignoring");
        p.info(Some(line.span.clone()), msg);
        return None;
    }
    let mut s = Script {
        args,
        span: Some(line.word_span(1)),
        ..Script::default()
    };
    if words.len() > 2 {
        let user = words[2].clone();
        let group = words.get(3).cloned();
        match resolve_user(p, &user, group.as_deref()) {
            Some((uid, gid)) => {
                s.uid = uid;
                s.gid = gid;
                s.user = Some(user);
                s.group = group;
            }
            None => {
                let msg = format!(
                    "Invalid user/group for {kind} script {} - ignoring",
                    s.args[0]
                );
                p.info(Some(line.span.clone()), msg);
                return None;
            }
        }
    } else {
        match super::script_check::default_user(p, Some(line.span.clone())) {
            Some((uid, gid)) => {
                s.uid = uid;
                s.gid = gid;
            }
            None => {
                let msg = format!(
                    "Failed to set default user for {kind} script {} - ignoring",
                    s.args[0]
                );
                p.info(Some(line.span.clone()), msg);
                return None;
            }
        }
    }
    Some(s)
}

// ===== helpers =====

fn w(line: &Line, i: usize) -> String {
    line.words
        .get(i)
        .map(|w| w.text.to_string())
        .unwrap_or_default()
}

/// The instance being defined (keepalived's `list_last_entry`).
fn vi<'p>(p: &'p mut Parser) -> &'p mut VrrpInstance {
    if p.cfg.vrrp_instances.is_empty() {
        p.cfg.vrrp_instances.push(VrrpInstance::default());
    }
    p.cfg.vrrp_instances.last_mut().expect("pushed")
}

fn vname(p: &mut Parser) -> String {
    vi(p).name.clone()
}

/// keepalived's `if_get_by_ifname(name, IF_CREATE_IF_DYNAMIC)`: known when it
/// exists, or when `dynamic_interfaces` lets it appear later.
/// A failed lookup marks the configuration as naming a non-existent
/// interface, which stops keepalived's VRRP validation (`CONFIG_BAD_IF`).
pub fn interface_known(p: &mut Parser, name: &str) -> bool {
    if p.interface_exists(name) {
        return true;
    }
    if p.cfg.global.dynamic_interfaces {
        let msg = format!(
            "Configuration specifies interface {name} which doesn't currently exist - will use if created"
        );
        let span = p.span();
        p.info(span, msg);
        return true;
    }
    if p.nonexistent_if.is_none() {
        p.nonexistent_if = p.span();
    }
    false
}

/// The `track_*` value-block line parser shared by instances and sync groups
/// (keepalived's `alloc_track_if/script/file/process`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum TrackKind {
    Interface,
    Script,
    File,
    Process,
    Bfd,
}

fn track_line(
    p: &mut Parser,
    owner: &str,
    kind: TrackKind,
    existing: &[TrackRef],
    l: &Line,
) -> Option<TrackRef> {
    let tracked = l.words[0].text.to_string();
    let (default_weight, default_reverse) = match kind {
        TrackKind::Interface => {
            if !interface_known(p, &tracked) {
                p.err(
                    l,
                    0,
                    format!("({owner}) tracked interface {tracked} doesn't exist"),
                );
                return None;
            }
            (0, false)
        }
        _ => {
            let c = &p.cfg;
            let (found, noun) = match kind {
                TrackKind::Script => (
                    c.vrrp_scripts
                        .iter()
                        .find(|s| s.name == tracked)
                        .map(|s| (s.weight, s.weight_reverse)),
                    "track script",
                ),
                TrackKind::File => (
                    c.track_files
                        .iter()
                        .find(|s| s.name == tracked)
                        .map(|s| (s.weight, s.weight_reverse)),
                    "track file",
                ),
                TrackKind::Process => (
                    c.track_processes
                        .iter()
                        .find(|s| s.name == tracked)
                        .map(|s| (s.weight, s.weight_reverse)),
                    "track process",
                ),
                _ => (
                    c.bfd_instances
                        .iter()
                        .find(|b| b.name == tracked)
                        .map(|_| (0, false)),
                    "BFD",
                ),
            };
            match found {
                Some(d) => d,
                None => {
                    p.err(
                        l,
                        0,
                        format!("({owner}) {noun} {tracked} not found, ignoring..."),
                    );
                    return None;
                }
            }
        }
    };
    let what = match kind {
        TrackKind::Interface => "track_interface",
        TrackKind::Script => "track_script",
        TrackKind::File => "track_file",
        TrackKind::Process => "track_process",
        TrackKind::Bfd => "track_bfd",
    };
    if existing.iter().any(|t| t.name == tracked) {
        p.err(
            l,
            0,
            format!("({owner}) duplicate {what} {tracked} - ignoring"),
        );
        return None;
    }
    let mut weight = default_weight;
    let mut reverse = default_reverse;
    let mut weight_set = None;
    if l.words.len() >= 2 {
        if l.words[1].text != "weight" {
            let msg = match kind {
                TrackKind::Interface => {
                    format!(
                        "({owner}) unknown track_interface {tracked} option {} - ignoring",
                        l.words[1].text
                    )
                }
                TrackKind::Script => format!(
                    "({owner}) unknown track script option {} - ignoring",
                    l.words[1].text
                ),
                TrackKind::File => format!(
                    "({owner}) unknown track file option {} - ignoring",
                    l.words[1].text
                ),
                TrackKind::Process => {
                    format!(
                        "({owner}) unknown track process option {} - ignoring",
                        l.words[1].text
                    )
                }
                TrackKind::Bfd => format!(
                    "({owner}) unknown track bfd option {} - ignoring",
                    l.words[1].text
                ),
            };
            p.err(l, 1, msg);
            return None;
        }
        if l.words.len() == 2 {
            let msg = match kind {
                TrackKind::Interface => {
                    format!(
                        "({owner}) weight without value specified for track_interface {tracked} - ignoring"
                    )
                }
                TrackKind::Script => format!(
                    "({owner}) weight without value specified for track script {tracked} - ignoring"
                ),
                TrackKind::File => format!(
                    "({owner}) weight without value specified for track file {tracked} - ignoring"
                ),
                TrackKind::Process => {
                    format!(
                        "({owner}) weight without value specified for track process {tracked} - ignoring"
                    )
                }
                TrackKind::Bfd => format!(
                    "({owner}) weight without value specified for track bfd {tracked} - ignoring"
                ),
            };
            p.err(l, 1, msg);
            return None;
        }
        let (lo, hi) = if kind == TrackKind::Bfd {
            (-253, 253)
        } else {
            (-254, 254)
        };
        match p.read_int(l, 2, lo, hi, true) {
            None => {
                let msg = match kind {
                    TrackKind::Interface => format!(
                        "({owner}) weight {} for {tracked} must be between [-253..253] inclusive. Ignoring...",
                        l.words[2].text
                    ),
                    TrackKind::Script => format!(
                        "({owner}) track script {tracked}: weight must be between [-253..253] inclusive, ignoring..."
                    ),
                    TrackKind::File => {
                        format!(
                            "({owner}) weight for track file {tracked} must be in [-254..254] inclusive. Ignoring..."
                        )
                    }
                    TrackKind::Process => format!(
                        "({owner}) weight for track process {tracked} must be in [-254..254] inclusive. Ignoring..."
                    ),
                    TrackKind::Bfd => format!(
                        "({owner}) weight for {tracked} must be between [-253..253] inclusive. Ignoring..."
                    ),
                };
                p.err(l, 2, msg);
                if kind == TrackKind::Interface {
                    weight = 0;
                }
            }
            Some(v) => {
                let mut v = v as i32;
                if matches!(kind, TrackKind::Interface | TrackKind::Script)
                    && (v == 254 || v == -254)
                {
                    p.err(
                        l,
                        2,
                        format!(
                            "({owner}) weight for {tracked} cannot be +/-254. Setting to +/-253"
                        ),
                    );
                    v = if v < 0 { -253 } else { 253 };
                }
                weight = v;
                weight_set = Some(v);
            }
        }
        if l.words.len() >= 4 {
            match l.words[3].text.as_str() {
                "reverse" => reverse = true,
                "noreverse" if kind != TrackKind::Interface => reverse = false,
                o => {
                    let msg = match kind {
                        TrackKind::Interface => {
                            format!(
                                "({owner}) unknown track_interace {tracked} weight option {o} - ignoring"
                            )
                        }
                        TrackKind::File => format!(
                            "({owner}) unknown track file {tracked} weight option {o} - ignoring"
                        ),
                        _ => format!(
                            "({owner}) unknown {what} {tracked} weight option {o} - ignoring"
                        ),
                    };
                    p.err(l, 3, msg);
                    if kind == TrackKind::File {
                        return None;
                    }
                }
            }
        }
    }
    let _ = weight;
    Some(TrackRef {
        name: tracked,
        weight: weight_set.or(Some(weight)),
        reverse,
        span: l.word_span(0),
    })
}

// ===== root keywords =====

fn vrrp_instance(p: &mut Parser, line: &Line) {
    if line.words.len() != 2 {
        p.err(line, 0, "vrrp_instance must have a name");
        p.skip_block();
        return;
    }
    let name = w(line, 1);
    if p.cfg.vrrp_instances.iter().any(|v| v.name == name) {
        p.err(line, 1, format!("vrrp instance {name} already defined"));
        p.skip_block();
        return;
    }
    p.cfg.vrrp_instances.push(VrrpInstance {
        name,
        span: Some(line.word_span(1)),
        ..Default::default()
    });
}

fn vrrp_instance_end(p: &mut Parser) {
    let span = p.span();
    let v = vi(p);
    let name = v.name.clone();
    let mut msgs = Vec::new();
    if v.unicast_configured && v.use_vmac.is_some() {
        if v.interface.is_none() {
            msgs.push(format!(
                "({name}): Cannot use VMAC/ipvlan with unicast and no interface - clearing use_vmac"
            ));
            v.use_vmac = None;
        } else if !v.vmac_xmit_base {
            msgs.push(format!(
                "({name}) unicast with use_vmac requires vmac_xmit_base - setting"
            ));
            v.vmac_xmit_base = true;
        }
    }
    if v.unicast_peers.is_empty() && v.unicast_ttl.is_some() {
        msgs.push(format!(
            "({name}): Cannot use unicast_ttl without unicast peers - resetting"
        ));
        v.unicast_ttl = None;
    }
    for m in msgs {
        p.err_span(span.clone(), Category::GeneralError, m);
    }
}

fn static_addresses(p: &mut Parser, line: &Line) {
    p.value_block(line, |p, l| {
        if let Some(a) = address_line(p, l, true) {
            p.cfg.static_addresses.push(a);
        }
    });
}

fn static_routes(p: &mut Parser, line: &Line) {
    p.value_block(line, |p, l| {
        if let Some(r) = route_line(p, l, true) {
            p.cfg.static_routes.push(r);
        }
    });
}

fn static_rules(p: &mut Parser, line: &Line) {
    p.value_block(line, |p, l| {
        if let Some(r) = rule_line(p, l, true) {
            p.cfg.static_rules.push(r);
        }
    });
}

fn track_group(p: &mut Parser, line: &Line) {
    let name = w(line, 1);
    p.cfg.track_groups.push(TrackGroup {
        name,
        members: Vec::new(),
    });
}

fn track_group_group(p: &mut Parser, line: &Line) {
    let words = p.value_block_words(line);
    if let Some(g) = p.cfg.track_groups.last_mut() {
        g.members.extend(words.into_iter().map(|(w, _)| w));
    }
}

fn vrrp_sync_group(p: &mut Parser, line: &Line) {
    if line.words.len() != 2 {
        p.err(line, 0, "vrrp_sync_group must have a name - skipping");
        p.skip_block();
        return;
    }
    let name = w(line, 1);
    if p.cfg.sync_groups.iter().any(|g| g.name == name) {
        p.err(line, 1, format!("vrrp sync group {name} already defined"));
        p.skip_block();
        return;
    }
    p.cfg.sync_groups.push(SyncGroup {
        name,
        span: Some(line.word_span(1)),
        ..Default::default()
    });
}

fn sg<'p>(p: &'p mut Parser) -> &'p mut SyncGroup {
    if p.cfg.sync_groups.is_empty() {
        p.cfg.sync_groups.push(SyncGroup::default());
    }
    p.cfg.sync_groups.last_mut().expect("pushed")
}

fn sg_group(p: &mut Parser, line: &Line) {
    if sg(p).members.is_some() {
        let name = sg(p).name.clone();
        p.err(
            line,
            0,
            format!("Group list already specified for sync group {name}"),
        );
        p.skip_block();
        return;
    }
    let words = p.value_block_words(line);
    if words.is_empty() {
        let name = sg(p).name.clone();
        p.err(
            line,
            0,
            format!("Warning - sync group {name} has empty group block"),
        );
        sg(p).members = None;
        return;
    }
    sg(p).members = Some(words);
}

fn sg_track(p: &mut Parser, line: &Line) {
    let kind = match line.words[0].text.as_str() {
        "track_interface" => TrackKind::Interface,
        "track_script" => TrackKind::Script,
        "track_file" => TrackKind::File,
        "track_process" => TrackKind::Process,
        _ => TrackKind::Bfd,
    };
    p.value_block(line, |p, l| {
        let owner = sg(p).name.clone();
        let g = sg(p);
        let existing = match kind {
            TrackKind::Interface => g.track_interfaces.clone(),
            TrackKind::Script => g.track_scripts.clone(),
            TrackKind::File => g.track_files.clone(),
            TrackKind::Process => g.track_processes.clone(),
            TrackKind::Bfd => g.track_bfds.clone(),
        };
        if let Some(t) = track_line(p, &owner, kind, &existing, l) {
            let g = sg(p);
            match kind {
                TrackKind::Interface => g.track_interfaces.push(t),
                TrackKind::Script => g.track_scripts.push(t),
                TrackKind::File => g.track_files.push(t),
                TrackKind::Process => g.track_processes.push(t),
                TrackKind::Bfd => g.track_bfds.push(t),
            }
        }
    });
}

/// A notify keyword's script slot in a sync group.
fn sg_slot<'p>(p: &'p mut Parser, kw: &str) -> &'p mut Option<Script> {
    let g = sg(p);
    match kw {
        "notify_master" => &mut g.notify_master,
        "notify_backup" => &mut g.notify_backup,
        "notify_fault" => &mut g.notify_fault,
        "notify_stop" => &mut g.notify_stop,
        _ => &mut g.notify,
    }
}

/// A notify keyword's script slot in an instance.
fn vi_slot<'p>(p: &'p mut Parser, kw: &str) -> &'p mut Option<Script> {
    let v = vi(p);
    match kw {
        "notify_master" => &mut v.notify_master,
        "notify_backup" => &mut v.notify_backup,
        "notify_fault" => &mut v.notify_fault,
        "notify_stop" => &mut v.notify_stop,
        "notify_master_rx_lower_pri" => &mut v.notify_master_rx_lower_pri,
        _ => &mut v.notify,
    }
}

/// `notify*` keywords of instances and sync groups: the first one given
/// wins, later ones are reported (`owner` prefixes the message).
fn set_notify(
    p: &mut Parser,
    line: &Line,
    owner: &str,
    slot: for<'p> fn(&'p mut Parser, &str) -> &'p mut Option<Script>,
) {
    let kw = w(line, 0);
    if slot(p, &kw).is_some() {
        let Some(arg) = p.word(line, 1) else { return };
        let msg = format!("{owner}{kw} script already specified - ignoring {arg}");
        p.err(line, 1, msg);
        return;
    }
    let s = notify_script(p, line, "notify");
    *slot(p, &kw) = s;
}

fn sg_notify(p: &mut Parser, line: &Line) {
    let owner = format!("vrrp group {}: ", sg(p).name);
    set_notify(p, line, &owner, sg_slot);
}

fn sg_smtp_alert(p: &mut Parser, line: &Line) {
    if let Some(b) = p.opt_bool(line, |v| {
        format!("Invalid vrrp_group smtp_alert parameter {v}")
    }) {
        sg(p).smtp_alert = Some(b);
    }
}

fn sg_global_tracking(p: &mut Parser, line: &Line) {
    let name = sg(p).name.clone();
    p.err(line, 0, format!("({name}) global_tracking is deprecated. Use track_interface/script/file on the sync group"));
    sg(p).tracking_weight = true;
}

fn sg_tracking_weight(p: &mut Parser, _line: &Line) {
    sg(p).tracking_weight = true;
}

fn sg_notify_priority_changes(p: &mut Parser, line: &Line) {
    let name = sg(p).name.clone();
    let f = |v: &str| {
        format!("({name}) Invalid value '{v}' for sync group notify_priority_changes specified")
    };
    if let Some(b) = p.opt_bool(line, f) {
        sg(p).notify_priority_changes = Some(b);
    }
}

fn garp_group(p: &mut Parser, _line: &Line) {
    p.cfg.garp_groups.push(Default::default());
}

fn garp_group_interval(p: &mut Parser, line: &Line) {
    let kw = w(line, 0);
    match p.read_decimal(line, 1, 0, i32::MAX as u64, TIMER_DIGITS, true) {
        Some(v) => {
            if let Some(g) = p.cfg.garp_groups.last_mut() {
                if kw == "garp_interval" {
                    g.garp_interval = Some(v);
                } else {
                    g.gna_interval = Some(v);
                }
            }
            if v >= TIMER_HZ {
                let msg = format!("The {kw} is very large - {} seconds", w(line, 1));
                p.info(Some(line.span.clone()), msg);
            }
        }
        None if p.aborted.is_none() => {
            let msg = format!("garp_group {kw} '{}' invalid", w(line, 1));
            p.err(line, 1, msg);
        }
        None => {}
    }
}

fn garp_group_interface(p: &mut Parser, line: &Line) {
    let Some(name) = p.word(line, 1) else { return };
    let name = name.to_owned();
    if !interface_known(p, &name) {
        p.err(
            line,
            1,
            format!("WARNING - interface {name} specified for garp_group doesn't exist"),
        );
        return;
    }
    if let Some(g) = p.cfg.garp_groups.last_mut() {
        g.interfaces.push(name);
    }
}

fn garp_group_interfaces(p: &mut Parser, line: &Line) {
    let words = p.value_block_words(line);
    if words.is_empty() {
        let span = p.span();
        p.err_span(
            span,
            Category::GeneralError,
            "Warning - empty garp_group interfaces block",
        );
        return;
    }
    // keepalived checks the names after reading the whole block, so it
    // reports them at the closing brace.
    let end = p.span();
    for (name, _) in words {
        let span = end.clone().expect("a value block has been read");
        if !p.interface_exists(&name) {
            if p.nonexistent_if.is_none() && !p.cfg.global.dynamic_interfaces {
                p.nonexistent_if = Some(span.clone());
            }
            let msg = format!("WARNING - interface {name} specified for garp_group doesn't exist");
            if p.cfg.global.dynamic_interfaces {
                p.info(Some(span), msg);
            } else {
                p.err_span(Some(span), Category::GeneralError, msg);
            }
            continue;
        }
        if let Some(g) = p.cfg.garp_groups.last_mut() {
            g.interfaces.push(name);
        }
    }
}

fn garp_group_end(p: &mut Parser) {
    let n = p.cfg.garp_groups.len();
    if let Some(g) = p.cfg.garp_groups.last() {
        if g.garp_interval.is_none() && g.gna_interval.is_none() {
            let span = p.span();
            p.err_span(
                span,
                Category::GeneralError,
                format!("garp group {n} does not have any delay set - removing"),
            );
            p.cfg.garp_groups.pop();
        }
    }
}

fn linkbeat_interfaces(p: &mut Parser, line: &Line) {
    p.value_block(line, |p, l| {
        let name = l.words[0].text.to_string();
        if !(p.cfg.global.dynamic_interfaces || p.interface_exists(&name)) {
            p.error_at(
                l,
                0,
                Category::Fatal,
                format!("unknown interface {name} specified for linkbeat interface"),
            );
            return;
        }
        let kind = l.words.get(1).map(|w| w.text.to_string());
        if let Some(k) = &kind {
            if !matches!(k.as_str(), "MII" | "ETHTOOL" | "IOCTL") || l.words.len() > 2 {
                p.err(l, 1, format!("extra characters {k} in linkbeat interface"));
            }
        }
        p.cfg.linkbeat_interfaces.push((name, kind));
    });
}

fn interface_up_down_delays(p: &mut Parser, line: &Line) {
    p.value_block(line, |p, l| {
        let name = l.words[0].text.to_string();
        if !(p.cfg.global.dynamic_interfaces || p.interface_exists(&name)) {
            p.error_at(
                l,
                0,
                Category::Fatal,
                format!("unknown interface {name} specified for up/down delay"),
            );
            return;
        }
        if l.words.len() < 2 {
            p.info(
                Some(l.span.clone()),
                format!("No timeouts specified for {name} up/down delays"),
            );
            return;
        }
        let Some(down) = p.read_timer(l, 1, 0, 255 * TIMER_HZ, true) else {
            return;
        };
        let up = if l.words.len() > 2 {
            p.read_timer(l, 2, 0, 255 * TIMER_HZ, true).unwrap_or(0)
        } else {
            0
        };
        p.cfg.interface_up_down_delays.push((name, down, up));
    });
}

// ===== vrrp_script =====

fn vrrp_script(p: &mut Parser, line: &Line) {
    let Some(name) = p.word(line, 1) else { return };
    let name = name.to_owned();
    p.cfg.vrrp_scripts.push(VrrpScript {
        name,
        span: Some(line.word_span(1)),
        interval: TIMER_HZ,
        rise: 1,
        fall: 1,
        ..Default::default()
    });
    p.script_user_set = false;
    p.remove_script = false;
}

fn vs<'p>(p: &'p mut Parser) -> &'p mut VrrpScript {
    if p.cfg.vrrp_scripts.is_empty() {
        p.cfg.vrrp_scripts.push(VrrpScript::default());
    }
    p.cfg.vrrp_scripts.last_mut().expect("pushed")
}

fn vs_script(p: &mut Parser, line: &Line) {
    let words = quoted_escaped_words(&line.raw);
    let args = words
        .get(1)
        .map(|c| quoted_escaped_words(c))
        .unwrap_or_default();
    vs(p).script = Some(Script {
        args,
        span: Some(line.word_span(1)),
        ..Script::default()
    });
}

fn vs_interval(p: &mut Parser, line: &Line) {
    let name = vs(p).name.clone();
    let max = UINT_MAX / TIMER_HZ;
    match p.read_unsigned(line, 1, 0, max, true) {
        Some(0) => {
            p.err(
                line,
                1,
                format!("({name}): vrrp script interval must be greater than 0, setting to 1"),
            );
            vs(p).interval = TIMER_HZ;
        }
        Some(v) => vs(p).interval = v * TIMER_HZ,
        None if p.aborted.is_none() => {
            let msg = format!(
                "({name}): vrrp script interval '{}' must be between 1 and {max} - ignoring",
                w(line, 1)
            );
            p.err(line, 1, msg);
        }
        None => {}
    }
}

fn vs_timeout(p: &mut Parser, line: &Line) {
    let name = vs(p).name.clone();
    match p.read_unsigned(line, 1, 0, UINT_MAX / TIMER_HZ, true) {
        Some(0) => {
            p.err(
                line,
                1,
                format!("({name}): vrrp script timeout must be greater than 0, setting to 1"),
            );
            vs(p).timeout = Some(TIMER_HZ);
        }
        Some(v) => vs(p).timeout = Some(v * TIMER_HZ),
        None if p.aborted.is_none() => {
            let msg = format!(
                "({name}): vrrp script timeout '{}' invalid - ignoring",
                w(line, 1)
            );
            p.err(line, 1, msg);
        }
        None => {}
    }
}

fn vs_weight(p: &mut Parser, line: &Line) {
    let name = vs(p).name.clone();
    match p.read_int(line, 1, -253, 253, true) {
        Some(v) => vs(p).weight = v as i32,
        None if p.aborted.is_none() => {
            let msg = format!(
                "vrrp_script {name} weight {} must be in [-253, 253]",
                w(line, 1)
            );
            p.err(line, 1, msg);
        }
        None => return,
    }
    if line.words.len() >= 3 {
        if line.words[2].text == "reverse" {
            vs(p).weight_reverse = true;
        } else {
            let msg = format!("vrrp_script {name} unknown weight option {}", w(line, 2));
            p.err(line, 2, msg);
        }
    }
}

fn vs_rise_fall(p: &mut Parser, line: &Line) {
    let name = vs(p).name.clone();
    let kw = w(line, 0);
    let v = match p.read_unsigned(line, 1, 1, i32::MAX as u64, true) {
        Some(v) => v as u32,
        None if p.aborted.is_none() => {
            let msg = format!(
                "({name}): vrrp script {kw} value '{}' invalid, defaulting to 1",
                w(line, 1)
            );
            p.err(line, 1, msg);
            1
        }
        None => return,
    };
    if kw == "rise" {
        vs(p).rise = v;
    } else {
        vs(p).fall = v;
    }
}

fn vs_user(p: &mut Parser, line: &Line) {
    let Some(user) = p.word(line, 1) else { return };
    let user = user.to_owned();
    let group = line.words.get(2).map(|w| w.text.to_string());
    if resolve_user(p, &user, group.as_deref()).is_none() {
        let cmd = vs(p)
            .script
            .as_ref()
            .map(|s| s.args.join(" "))
            .unwrap_or_default();
        p.err(line, 1, format!("Unable to set uid/gid for script {cmd}"));
        p.remove_script = true;
    } else {
        p.remove_script = false;
        p.script_user_set = true;
        vs(p).user = Some((user, group));
    }
}

fn vs_init_fail(p: &mut Parser, _line: &Line) {
    vs(p).init_fail = true;
}

fn vs_end(p: &mut Parser) {
    // keepalived reports end-of-block problems at the closing brace.
    let span = p.span();
    let name = vs(p).name.clone();
    let has_script = vs(p).script.as_ref().is_some_and(|s| !s.args.is_empty());
    if !has_script {
        p.err_span(
            span,
            Category::GeneralError,
            format!("No script set for vrrp_script {name} - removing"),
        );
        p.remove_script = true;
    } else if !p.remove_script
        && !p.script_user_set
        && super::script_check::default_user(p, span.clone()).is_none()
    {
        p.err_span(
            span,
            Category::GeneralError,
            format!("Unable to set default user for vrrp script {name} - removing"),
        );
        p.remove_script = true;
    }
    if p.remove_script {
        p.cfg.vrrp_scripts.pop();
    }
}

// ===== track_file / vrrp_track_process =====

fn track_file(p: &mut Parser, line: &Line) {
    let Some(name) = p.word(line, 1) else { return };
    let name = name.to_owned();
    let deprecated = line.words[0].text == "vrrp_track_file";
    if deprecated {
        p.info(
            Some(line.span.clone()),
            "\"vrrp_track_file\" is deprecated, please use \"track_file\"",
        );
    }
    p.cfg.track_files.push(TrackFile {
        name,
        span: Some(line.word_span(1)),
        weight: 1,
        deprecated_vrrp_prefix: deprecated,
        ..Default::default()
    });
}

fn tf_file(p: &mut Parser, line: &Line) {
    let Some(f) = p.word(line, 1) else { return };
    let f = f.to_owned();
    if let Some(t) = p.cfg.track_files.last_mut() {
        if t.file.is_some() {
            let name = t.name.clone();
            p.err(
                line,
                1,
                format!("File already set for track file {name} - ignoring {f}"),
            );
            return;
        }
        t.file = Some(f);
    }
}

fn tf_weight(p: &mut Parser, line: &Line) {
    let name = p
        .cfg
        .track_files
        .last()
        .map(|t| t.name.clone())
        .unwrap_or_default();
    if line.words.len() < 2 {
        p.err(
            line,
            0,
            format!("No weight specified for track file {name} - ignoring"),
        );
        return;
    }
    match p.read_int(line, 1, -254, 254, true) {
        Some(v) => {
            if let Some(t) = p.cfg.track_files.last_mut() {
                t.weight = v as i32;
            }
        }
        None => {
            let msg = format!(
                "Weight (%s) for vrrp_track_file {name} must be between [-254..254] inclusive. Ignoring..."
            )
            .replace("%s", &w(line, 1));
            p.err(line, 1, msg);
            return;
        }
    }
    if line.words.len() >= 3 {
        if line.words[2].text == "reverse" {
            if let Some(t) = p.cfg.track_files.last_mut() {
                t.weight_reverse = true;
            }
        } else {
            let msg = format!("track file {name} unknown weight option {}", w(line, 2));
            p.err(line, 2, msg);
        }
    }
}

fn tf_init_file(p: &mut Parser, line: &Line) {
    let mut value = 0i64;
    let mut overwrite = false;
    for i in 1..line.words.len() {
        if line.words[i].text == "overwrite" {
            overwrite = true;
        } else if let Some(v) = p.read_int(line, i, i32::MIN as i64, i32::MAX as i64, true) {
            value = v;
        }
    }
    if let Some(t) = p.cfg.track_files.last_mut() {
        t.init_file = Some((value, overwrite));
    }
}

fn tf_end(p: &mut Parser) {
    if let Some(t) = p.cfg.track_files.last() {
        if t.file.is_none() {
            let name = t.name.clone();
            let span = t.span.clone();
            p.err_span(
                span,
                Category::GeneralError,
                format!("No file set for track_file {name} - removing"),
            );
            p.cfg.track_files.pop();
        }
    }
}

fn track_process(p: &mut Parser, line: &Line) {
    let Some(name) = p.word(line, 1) else { return };
    let name = name.to_owned();
    p.cfg.track_processes.push(TrackProcess {
        name,
        span: Some(line.word_span(1)),
        quorum: 1,
        ..Default::default()
    });
}

fn tp<'p>(p: &'p mut Parser) -> &'p mut TrackProcess {
    if p.cfg.track_processes.is_empty() {
        p.cfg.track_processes.push(TrackProcess::default());
    }
    p.cfg.track_processes.last_mut().expect("pushed")
}

fn tp_process(p: &mut Parser, line: &Line) {
    if tp(p).process.is_some() {
        let Some(arg) = p.word(line, 1) else { return };
        let msg = format!(
            "Process already set for track process {} - ignoring {arg}",
            tp(p).name
        );
        p.err(line, 1, msg);
        return;
    }
    let Some(first) = p.word(line, 1) else { return };
    let mut v = vec![first.to_owned()];
    v.extend(line.words[2..].iter().map(|w| w.text.to_string()));
    let t = tp(p);
    if v.len() > 1 {
        t.full_command = true;
        t.param_match.get_or_insert_with(|| "exact".into());
    }
    t.process = Some(v);
}

fn tp_param_match(p: &mut Parser, line: &Line) {
    match line.words.get(1).map(|w| w.text.as_str()) {
        None => tp(p).param_match = Some("exact".into()),
        Some(m @ ("initial" | "partial")) => tp(p).param_match = Some(m.into()),
        Some(other) => {
            let msg = format!("Invalid param_match type {other} - ignoring");
            p.err(line, 1, msg);
            return;
        }
    }
    tp(p).full_command = true;
}

fn tp_weight(p: &mut Parser, line: &Line) {
    let name = tp(p).name.clone();
    if line.words.len() < 2 {
        p.err(
            line,
            0,
            format!("No weight specified for track process {name} - ignoring"),
        );
        return;
    }
    if tp(p).weight != 0 {
        let msg = format!(
            "Weight already set for track process {name} - ignoring {}",
            w(line, 1)
        );
        p.err(line, 1, msg);
        return;
    }
    let Some(v) = p.read_int(line, 1, -254, 254, true) else {
        let msg = format!(
            "Weight ({}) for vrrp_track_process {name} must be between [-254..254] inclusive. Ignoring...",
            w(line, 1)
        );
        p.err(line, 1, msg);
        return;
    };
    if line.words.len() >= 3 {
        if line.words[2].text == "reverse" {
            tp(p).weight_reverse = true;
        } else {
            let msg = format!(
                "vrrp_track_process {name} unknown weight option {}",
                w(line, 2)
            );
            p.err(line, 2, msg);
        }
    }
    tp(p).weight = v as i32;
}

fn tp_quorum(p: &mut Parser, line: &Line) {
    let name = tp(p).name.clone();
    let max = line.words[0].text == "quorum_max";
    let min = if max { 0 } else { 1 };
    let Some(v) = p.read_unsigned(line, 1, min, 65535, true) else {
        if p.aborted.is_none() {
            let what = if max { "quorum_max" } else { "Quorum" };
            let msg = format!(
                "{what} ({}) for vrrp_track_process {name} must be between [{min}..65535] inclusive. Ignoring...",
                w(line, 1)
            );
            p.err(line, 1, msg);
        }
        return;
    };
    let v = v as u32;
    let t = tp(p);
    if max {
        if (v != 0 || t.quorum > 1) && v < t.quorum {
            p.err(line, 1, "quorum_max is less than quorum - ignoring");
            return;
        }
        t.quorum_max = Some(v);
        if v == 0 {
            t.quorum = 0;
        } else if t.quorum == 0 {
            t.quorum = 1;
        }
    } else {
        if t.quorum_max.is_some_and(|m| v > m) {
            p.err(line, 1, "Quorum is greater than quorum_max - ignoring");
            return;
        }
        t.quorum = v;
    }
}

fn tp_delay(p: &mut Parser, line: &Line) {
    let kw = w(line, 0);
    let name = tp(p).name.clone();
    let Some(v) = p.read_decimal(line, 1, 1, 3600 * TIMER_HZ, TIMER_DIGITS, true) else {
        if p.aborted.is_none() {
            let prefix = kw.trim_end_matches("delay");
            let msg = format!(
                "{prefix}delay ({}) for vrrp_track_process {name} must be between [0.000001..3600] inclusive. Ignoring...",
                w(line, 1)
            );
            p.err(line, 1, msg);
        }
        return;
    };
    let t = tp(p);
    if kw != "fork_delay" {
        t.terminate_delay = v;
    }
    if kw != "terminate_delay" {
        t.fork_delay = v;
    }
}

fn tp_full_command(p: &mut Parser, _line: &Line) {
    tp(p).full_command = true;
}

fn tp_end(p: &mut Parser) {
    if tp(p).process.is_none() {
        let name = tp(p).name.clone();
        let span = p.span();
        p.err_span(
            span,
            Category::GeneralError,
            format!("track process '{name}' process name not specified"),
        );
        p.cfg.track_processes.pop();
    }
}

// ===== address, route and rule lines =====

/// One line of an address block (keepalived's `alloc_ipaddress()`).
pub fn address_line(p: &mut Parser, l: &Line, static_addr: bool) -> Option<IpAddressLine> {
    let addr_str = l.words[0].text.to_string();
    let (a, plen) = super::values::split_prefix(&addr_str);
    let is6 = addr_str.contains(':');
    let max_prefix: u64 = if is6 { 128 } else { 32 };
    let mut prefix = max_prefix as u8;
    if let Some(pl) = plen {
        match super::values::parse_uint(pl, max_prefix) {
            Some(v) => prefix = v as u8,
            None => {
                let msg = if pl.trim_start().starts_with('-') {
                    format!("negative number '{pl}'")
                } else if super::values::parse_uint(pl, u64::MAX).is_some() {
                    format!("number '{pl}' outside range [0, {max_prefix}]")
                } else {
                    format!("invalid number '{pl}'")
                };
                p.error_at(l, 0, Category::InvalidNumber, msg);
                p.err(l, 0, format!("Invalid address prefix len {pl} for address {addr_str} - using {max_prefix}"));
            }
        }
    }
    let ip = if is6 {
        a.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6)
    } else {
        super::values::parse_ipv4_inet_pton(a).map(IpAddr::V4)
    };
    let Some(ip) = ip else {
        p.err(
            l,
            0,
            format!("VRRP parsed invalid IP {addr_str}. skipping IP..."),
        );
        return None;
    };
    let mut out = IpAddressLine {
        addr: ip,
        prefix,
        dev: None,
        brd: None,
        scope: None,
        label: None,
        peer: None,
        no_track: false,
        use_vmac: false,
        options: Vec::new(),
        span: l.word_span(0),
    };
    let n = l.words.len();
    let mut i = 1;
    let mut missing: Option<String> = None;
    while i < n {
        let s = l.words[i].text.to_string();
        let avail = n >= i + 2;
        match s.as_str() {
            "dev" | "scope" | "broadcast" | "brd" | "label" | "peer" | "preferred_lft"
                if !avail =>
            {
                missing = Some(s);
                break;
            }
            "track_group" if static_addr && !avail => {
                missing = Some(s);
                break;
            }
            "dev" => {
                i += 1;
                if out.dev.is_some() {
                    p.err(
                        l,
                        i,
                        format!("Cannot specify ipaddress device more than once for {addr_str}"),
                    );
                    return None;
                }
                let d = l.words[i].text.to_string();
                if !interface_known(p, &d) {
                    p.err(
                        l,
                        i,
                        format!("WARNING - interface {d} for ip address {addr_str} doesn't exist"),
                    );
                    return None;
                }
                out.dev = Some(d);
            }
            "scope" => {
                i += 1;
                let sc = l.words[i].text.to_string();
                if p.rt_names().scope(&sc).is_some() {
                    out.scope = Some(sc);
                } else {
                    p.err(
                        l,
                        i,
                        format!("Invalid scope '{sc}' specified for {addr_str} - ignoring"),
                    );
                }
            }
            "broadcast" | "brd" => {
                if is6 {
                    let msg = format!(
                        "VRRP is trying to assign a broadcast {s} to the IPv6 address {addr_str} !!?? WTF... skipping VIP..."
                    );
                    p.err(l, i, msg);
                    return None;
                }
                i += 1;
                let b = l.words[i].text.to_string();
                if b != "-" && b != "+" && super::values::parse_ipv4_inet_pton(&b).is_none() {
                    p.err(
                        l,
                        i,
                        format!("VRRP is trying to assign invalid broadcast {b}. skipping VIP..."),
                    );
                    return None;
                }
                out.brd = Some(b);
            }
            "label" => {
                i += 1;
                let lb = l.words[i].text.to_string();
                if lb.len() >= 16 {
                    p.err(
                        l,
                        i,
                        format!(
                            "Address label {lb} is longer than maximum length 15 - removing address"
                        ),
                    );
                    return None;
                }
                out.label = Some(lb);
            }
            "peer" => {
                i += 1;
                let ps = l.words[i].text.to_string();
                if out.peer.is_some() {
                    p.err(
                        l,
                        i,
                        format!("Peer {ps} - another peer has already been specified"),
                    );
                } else {
                    match super::values::parse_ip_strict(&ps) {
                        None => p.err(l, i, format!("Invalid peer address {ps}")),
                        Some(pip) if pip.is_ipv6() != is6 => p.err(
                            l,
                            i,
                            format!("Peer address {ps} does not match address family"),
                        ),
                        Some(pip) => {
                            if prefix != max_prefix as u8 {
                                p.err(l, i, "Cannot specify address prefix when specifying peer address - ignoring");
                            }
                            out.peer = Some(pip);
                        }
                    }
                }
            }
            "home" | "-nodad" | "mngtmpaddr" | "noprefixroute" | "autojoin" => out.options.push(s),
            "no_track" => out.no_track = true,
            "preferred_lft" => {
                i += 1;
                let v = l.words[i].text.to_string();
                if v != "forever" && p.read_unsigned(l, i, 0, UINT_MAX, true).is_none() {
                    p.err(l, i, format!("preferred_lft {v} is invalid"));
                }
                out.options.push(format!("preferred_lft {v}"));
            }
            "track_group" if static_addr => {
                i += 1;
                let g = l.words[i].text.to_string();
                if !p.cfg.track_groups.iter().any(|t| t.name == g) {
                    p.err(l, i, format!("track_group {g} not found"));
                }
            }
            "use_vmac" if !static_addr => out.use_vmac = true,
            _ => p.err(
                l,
                i,
                format!("Unknown configuration entry '{s}' for ip address - ignoring"),
            ),
        }
        i += 1;
    }
    if let Some(m) = missing {
        p.err(
            l,
            n - 1,
            format!("No {m} parameter specified for {addr_str}"),
        );
        return None;
    }
    if out.brd.is_some() && out.peer.is_some() {
        p.err(
            l,
            0,
            "Cannot specify broadcast and peer addresses - ignoring broadcast address",
        );
        out.brd = None;
    } else if matches!(out.brd.as_deref(), Some("-" | "+")) && prefix > 30 {
        p.err(
            l,
            0,
            format!("Address prefix length {prefix} too long for broadcast"),
        );
    }
    if static_addr && out.dev.is_none() {
        let def = p
            .cfg
            .global
            .default_interface
            .clone()
            .unwrap_or_else(|| "eth0".into());
        if !p.interface_exists(&def) {
            let msg = format!(
                "Static address {addr_str} requires either an interface or default interface must exist"
            );
            p.error_at(l, 0, Category::Fatal, msg);
            return None;
        }
    }
    if is6 {
        if out.scope.is_some() {
            p.err(
                l,
                0,
                format!("Cannot specify scope for IPv6 addresses ({addr_str}) - ignoring scope"),
            );
            out.scope = None;
        }
        if out.label.is_some() {
            p.err(
                l,
                0,
                format!("Cannot specify label for IPv6 addresses ({addr_str}) - ignoring label"),
            );
            out.label = None;
        }
    }
    Some(out)
}

/// One line of a route block: keepalived's route options (section a.4); we
/// keep the words and check what keepalived checks.
pub fn route_line(p: &mut Parser, l: &Line, static_route: bool) -> Option<RouteLine> {
    super::route::route_line(p, l, static_route)
}

/// One line of a rule block.
pub fn rule_line(p: &mut Parser, l: &Line, static_rule: bool) -> Option<RuleLine> {
    super::route::rule_line(p, l, static_rule)
}

// ===== vrrp_instance keywords =====

fn vi_use_vmac(p: &mut Parser, line: &Line) {
    let name = vname(p);
    let mut cfg = VmacConfig::default();
    for i in 1..line.words.len().min(3) {
        let s = w(line, i);
        if s.contains(':') {
            if cfg.mac.is_some() {
                p.err(line, i, "VMAC interface address already specified");
                continue;
            }
            let octets: Vec<&str> = s.trim_end_matches(':').split(':').collect();
            let valid = s.chars().all(|c| c.is_ascii_hexdigit() || c == ':')
                && (octets.len() == 5 || octets.len() == 6)
                && octets.iter().all(|o| !o.is_empty() && o.len() <= 2);
            if !s.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
                p.err(line, i, format!("VMAC invalid MAC address {s}"));
            } else if !valid {
                p.err(line, i, format!("VMAC invalid MAC address {s} - ignored"));
            } else if u8::from_str_radix(octets[0], 16).unwrap_or(0) & 1 == 1 {
                p.err(
                    line,
                    i,
                    format!("VMAC MAC address is multicast {s} - ignoring"),
                );
            } else {
                cfg.mac = Some(s);
            }
        } else {
            if cfg.ifname.is_some() {
                p.err(line, i, "VMAC interface name already specified");
                continue;
            }
            let bad = s.is_empty()
                || s.len() >= 16
                || s == "."
                || s == ".."
                || s.contains(['/', ':', ' ']);
            if bad {
                p.err(
                    line,
                    i,
                    format!("VMAC interface name '{s}' too long or invalid characters - ignoring"),
                );
                continue;
            }
            let other = p
                .cfg
                .vrrp_instances
                .iter()
                .find(|v| v.use_vmac.as_ref().and_then(|c| c.ifname.as_deref()) == Some(s.as_str()))
                .map(|v| v.name.clone());
            if let Some(o) = other {
                p.err(
                    line,
                    i,
                    format!("({name}) VRRP instance {o} is already using {s} - ignoring name"),
                );
                continue;
            }
            cfg.ifname = Some(s);
        }
    }
    vi(p).use_vmac = Some(cfg);
}

fn vi_flag(p: &mut Parser, line: &Line) {
    let v = vi(p);
    match line.words[0].text.as_str() {
        "use_vmac_addr" => v.use_vmac_addr = true,
        "vmac_xmit_base" => v.vmac_xmit_base = true,
        "unicast_fault_no_peer" | "check_unicast_src" => v.unicast_configured = true,
        "track_src_ip" => v.track_src_ip = true,
        "dont_track_primary" => v.dont_track_primary = true,
        "promote_secondaries" => v.promote_secondaries = true,
        "nopreempt" => v.nopreempt = true,
        "preempt" => v.nopreempt = false,
        "accept" => v.accept = Some(true),
        "no_accept" => v.accept = Some(false),
        _ => {}
    }
}

fn vi_use_ipvlan(p: &mut Parser, line: &Line) {
    let name = vname(p);
    if vi(p).use_vmac.is_some() {
        p.err(line, 0, format!("({name}) use_ipvlan already specified"));
        return;
    }
    vi(p).use_vmac = Some(VmacConfig::default());
}

fn vi_unicast_peer(p: &mut Parser, line: &Line) {
    vi(p).unicast_configured = true;
    p.value_block(line, |p, l| {
        let name = vname(p);
        let s = l.words[0].text.to_string();
        let Some(addr) = parse_ip(&s) else {
            p.err(l, 0, format!("Configuration error: VRRP instance[{name}] malformed unicast peer address[{s}]. Skipping..."));
            return;
        };
        let fam = Family::of(&addr);
        match vi(p).family {
            None => vi(p).family = Some(fam),
            Some(f) if f != fam => {
                p.err(
                    l,
                    0,
                    format!("Configuration error: VRRP instance[{name}] and unicast peer address[{s}] MUST be of the same family !!! Skipping..."),
                );
                return;
            }
            _ => {}
        }
        let mut peer = UnicastPeer { addr, min_ttl: None, max_ttl: None };
        let mut i = 1;
        while i < l.words.len() {
            if i + 1 >= l.words.len() {
                p.err(l, i, format!("({name}) {} is missing a value", w(l, i)));
                break;
            }
            if let Some(ttl) = super::values::parse_uint(&l.words[i + 1].text, 255) {
                match l.words[i].text.as_str() {
                    "min_ttl" => peer.min_ttl = Some(ttl as u8),
                    "max_ttl" => peer.max_ttl = Some(ttl as u8),
                    o => {
                        p.err(l, i, format!("({name}) unknown unicast_peer option {o}"));
                        break;
                    }
                }
            } else {
                let _ = p.read_unsigned(l, i + 1, 0, 255, false);
            }
            i += 2;
        }
        let (mn, mx) = (peer.min_ttl.unwrap_or(0), peer.max_ttl.unwrap_or(255));
        if mn > mx {
            p.err(l, 0, format!("({name}) min_ttl {mn} > max_ttl {mx} - all packets will be discarded"));
        }
        vi(p).unicast_peers.push(peer);
    });
}

fn vi_old_unicast_checksum(p: &mut Parser, line: &Line) {
    vi(p).unicast_configured = true;
    if let Some(m) = line.words.get(1) {
        if m.text != "never" {
            let name = vname(p);
            p.err(
                line,
                1,
                format!(
                    "({name}) Unknown old_unicast_chksum mode {} - ignoring",
                    m.text
                ),
            );
        }
    }
}

fn vi_native_ipv6(p: &mut Parser, line: &Line) {
    let name = vname(p);
    if vi(p).family == Some(Family::V4) {
        p.err(
            line,
            0,
            format!("({name}) Cannot specify native_ipv6 with IPv4 addresses"),
        );
        return;
    }
    vi(p).family = Some(Family::V6);
    vi(p).version = Some(3);
}

fn vi_state(p: &mut Parser, line: &Line) {
    let Some(s) = p.word(line, 1) else { return };
    let s = s.to_owned();
    let name = vname(p);
    match s.as_str() {
        "MASTER" => vi(p).state = InitialState::Master,
        "BACKUP" => {
            if vi(p).state == InitialState::Master {
                p.err(
                    line,
                    1,
                    format!("({name}) state previously set as MASTER - ignoring BACKUP"),
                );
            } else {
                vi(p).state = InitialState::Backup;
            }
        }
        _ => {
            p.err(
                line,
                1,
                format!("({name}) unknown state '{s}', defaulting to BACKUP"),
            );
            vi(p).state = InitialState::Backup;
        }
    }
}

fn vi_interface(p: &mut Parser, line: &Line) {
    let Some(n) = p.word(line, 1) else { return };
    let n = n.to_owned();
    let name = vname(p);
    if n.len() >= 16 {
        p.err(line, 1, format!("Interface name '{n}' too long - ignoring"));
        return;
    }
    if !interface_known(p, &n) {
        p.err(
            line,
            1,
            format!("WARNING - interface {n} for vrrp_instance {name} doesn't exist"),
        );
        vi(p).interface = None;
        vi(p).interface_span = Some(line.word_span(1));
        return;
    }
    if n == "lo" {
        p.err(
            line,
            1,
            format!("({name}) cannot use a loopback interface ({n}) for vrrp - ignoring"),
        );
        return;
    }
    vi(p).interface = Some(n);
    vi(p).interface_span = Some(line.word_span(1));
}

fn vi_vrf(p: &mut Parser, line: &Line) {
    let Some(n) = p.word(line, 1) else { return };
    let n = n.to_owned();
    let name = vname(p);
    if vi(p).interface.is_some() {
        p.err(
            line,
            1,
            format!("({name}) Cannot specify VRF interface and interface - ignoring"),
        );
        return;
    }
    if !interface_known(p, &n) {
        p.err(
            line,
            1,
            format!("({name}) WARNING - VRF interface {n} doesn't exist"),
        );
    }
}

fn vi_linkbeat(p: &mut Parser, line: &Line) {
    let name = vname(p);
    p.err(line, 0, format!("({name}) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block"));
}

fn vi_track(p: &mut Parser, line: &Line) {
    let kind = match line.words[0].text.as_str() {
        "track_interface" => TrackKind::Interface,
        "track_script" => TrackKind::Script,
        "track_file" => TrackKind::File,
        "track_process" => TrackKind::Process,
        _ => TrackKind::Bfd,
    };
    p.value_block(line, |p, l| {
        let owner = vname(p);
        let v = vi(p);
        let existing = match kind {
            TrackKind::Interface => v.track_interfaces.clone(),
            TrackKind::Script => v.track_scripts.clone(),
            TrackKind::File => v.track_files.clone(),
            TrackKind::Process => v.track_processes.clone(),
            TrackKind::Bfd => v.track_bfds.clone(),
        };
        if let Some(t) = track_line(p, &owner, kind, &existing, l) {
            let v = vi(p);
            match kind {
                TrackKind::Interface => v.track_interfaces.push(t),
                TrackKind::Script => v.track_scripts.push(t),
                TrackKind::File => v.track_files.push(t),
                TrackKind::Process => v.track_processes.push(t),
                TrackKind::Bfd => v.track_bfds.push(t),
            }
        }
    });
}

fn vi_src_ip(p: &mut Parser, line: &Line) {
    let unicast = line.words[0].text == "unicast_src_ip";
    if unicast {
        vi(p).unicast_configured = true;
    }
    let Some(s) = p.word(line, 1) else { return };
    let s = s.to_owned();
    let name = vname(p);
    let Some(ip) = parse_ip(&s) else {
        p.err(
            line,
            1,
            format!(
                "Configuration error: VRRP instance[{name}] malformed src address[{s}]. Skipping..."
            ),
        );
        return;
    };
    let fam = Family::of(&ip);
    match vi(p).family {
        None => vi(p).family = Some(fam),
        Some(f) if f != fam => {
            p.err(
                line,
                1,
                format!("Configuration error: VRRP instance[{name}] and src address[{s}] MUST be of the same family !!! Skipping..."),
            );
            return;
        }
        _ => {}
    }
    if unicast {
        vi(p).unicast_src_ip = Some(ip);
    } else {
        vi(p).mcast_src_ip = Some(ip);
    }
}

fn vi_mcast_dst(p: &mut Parser, line: &Line) {
    let Some(s) = p.word(line, 1) else { return };
    let s = s.to_owned();
    let name = vname(p);
    let Some(ip) = parse_ip(&s) else {
        p.err(
            line,
            1,
            format!("({name}) malformed mcast dest address {s}. Skipping..."),
        );
        return;
    };
    let fam = Family::of(&ip);
    match vi(p).family {
        None => vi(p).family = Some(fam),
        Some(f) if f != fam => {
            p.err(
                line,
                1,
                format!(
                    "({name}) mcast dest address {s} MUST match VRRP instance family. Skipping..."
                ),
            );
            return;
        }
        _ => {}
    }
    let ok = match ip {
        IpAddr::V4(a) => a.is_multicast(),
        IpAddr::V6(a) => a.segments()[0] & 0xff0f == 0xff02,
    };
    if !ok {
        let ll = if ip.is_ipv6() { " link-local" } else { "" };
        p.err(
            line,
            1,
            format!("({name}) mcast_dst_ip {s} not{ll} multicast. Skipping..."),
        );
        return;
    }
    vi(p).mcast_dst_ip = Some(ip);
}

fn vi_vrid(p: &mut Parser, line: &Line) {
    let name = vname(p);
    match p.read_unsigned(line, 1, 1, 255, false) {
        Some(v) => vi(p).vrid = Some(v as u8),
        None if p.aborted.is_none() => {
            let msg = format!(
                "({name}): VRID '{}' not valid - must be between 1 & 255",
                w(line, 1)
            );
            p.err(line, 1, msg);
        }
        None => {}
    }
}

fn vi_ttl(p: &mut Parser, line: &Line) {
    let name = vname(p);
    match p.read_unsigned(line, 1, 0, 255, false) {
        Some(v) => vi(p).unicast_ttl = Some(v as u8),
        None if p.aborted.is_none() => {
            let msg = format!(
                "({name}): TTL '{}' not valid - must be between 0 & 255",
                w(line, 1)
            );
            p.err(line, 1, msg);
        }
        None => {}
    }
}

fn vi_version(p: &mut Parser, line: &Line) {
    let name = vname(p);
    let Some(v) = p.read_int(line, 1, 2, 3, true) else {
        if p.aborted.is_none() {
            p.err(line, 1, format!("({name}): Version must be either 2 or 3"));
        }
        return;
    };
    let cur = vi(p).version;
    if cur.is_some_and(|c| i64::from(c) != v) || (v == 2 && vi(p).family == Some(Family::V6)) {
        let msg = format!(
            "({name}) vrrp_version {v} conflicts with configured or deduced version {}; ignoring.",
            cur.unwrap_or(0)
        );
        p.err(line, 1, msg);
        return;
    }
    vi(p).version = Some(v as u8);
}

fn vi_priority(p: &mut Parser, line: &Line) {
    let name = vname(p);
    match p.read_unsigned(line, 1, 1, 255, false) {
        Some(v) => vi(p).priority = Some(v as u8),
        None if p.aborted.is_none() => {
            p.err(
                line,
                1,
                format!("({name}) Priority not valid! must be between 1 & 255. Using default 100"),
            );
            vi(p).priority = Some(100);
        }
        None => {}
    }
}

fn vi_advert_int(p: &mut Parser, line: &Line) {
    let name = vname(p);
    match p.read_decimal(line, 1, TIMER_HZ / 100, 255 * TIMER_HZ, TIMER_DIGITS, true) {
        Some(v) if v > 0 => vi(p).advert_int = Some(v),
        _ if p.aborted.is_some() => {}
        _ => {
            let msg = format!(
                "({name}) Advert interval ({}) not valid! Must be > 0 - ignoring",
                w(line, 1)
            );
            p.err(line, 1, msg);
        }
    }
}

fn vi_vips(p: &mut Parser, line: &Line) {
    let excluded = line.words[0].text == "virtual_ipaddress_excluded";
    p.value_block(line, |p, l| {
        let Some(a) = address_line(p, l, false) else {
            return;
        };
        if excluded {
            vi(p).evips.push(a);
            return;
        }
        let fam = Family::of(&a.addr);
        let name = vname(p);
        match vi(p).family {
            None => vi(p).family = Some(fam),
            Some(f) if f != fam => {
                let msg = format!(
                    "({name}): address family must match VRRP instance [{}] - ignoring",
                    w(l, 0)
                );
                p.err(l, 0, msg);
                return;
            }
            _ => {}
        }
        vi(p).vips.push(a);
    });
}

fn vi_routes(p: &mut Parser, line: &Line) {
    let rules = line.words[0].text == "virtual_rules";
    p.value_block(line, |p, l| {
        if rules {
            if let Some(r) = rule_line(p, l, false) {
                vi(p).vrules.push(r);
            }
        } else if let Some(r) = route_line(p, l, false) {
            vi(p).vroutes.push(r);
        }
    });
}

fn vi_bool(p: &mut Parser, line: &Line) {
    let kw = w(line, 0);
    let name = vname(p);
    let b = match kw.as_str() {
        "smtp_alert" => p.opt_bool(line, |v| {
            format!("Invalid vrrp_instance smtp_alert parameter {v}")
        }),
        "notify_priority_changes" => p.opt_bool(line, |v| {
            format!("({name}) Invalid value '{v}' for notify_priority_changes specified")
        }),
        _ => p.opt_bool(line, |v| format!("({name}) invalid {kw} {v} specified")),
    };
    let Some(b) = b else { return };
    let v = vi(p);
    match kw.as_str() {
        "skip_check_adv_addr" => v.skip_check_adv_addr = true,
        "strict_mode" => v.strict_mode = Some(b),
        "lower_prio_no_advert" => v.lower_prio_no_advert = Some(b),
        "higher_prio_send_advert" => v.higher_prio_send_advert = Some(b),
        "smtp_alert" => v.smtp_alert = Some(b),
        _ => v.notify_priority_changes = Some(b),
    }
}

fn vi_preempt_delay(p: &mut Parser, line: &Line) {
    let name = vname(p);
    match p.read_decimal(line, 1, 0, 1000 * TIMER_HZ, TIMER_DIGITS, true) {
        Some(v) => vi(p).preempt_delay = Some(v),
        None if p.aborted.is_none() => {
            p.err(
                line,
                1,
                format!("({name}) Preempt_delay not valid! must be between 0-1000"),
            );
            vi(p).preempt_delay = None;
        }
        None => {}
    }
}

fn vi_debug(p: &mut Parser, line: &Line) {
    let name = vname(p);
    match p.read_unsigned(line, 1, 0, 4, true) {
        Some(v) => vi(p).debug = v as u32,
        None if p.aborted.is_none() => {
            p.err(
                line,
                1,
                format!(
                    "({name}) Debug value '{}' not valid; must be between 0-4",
                    w(line, 1)
                ),
            );
        }
        None => {}
    }
}

fn vi_notify(p: &mut Parser, line: &Line) {
    let kw = w(line, 0);
    let name = vname(p);
    if kw == "notify_deleted" {
        if vi(p).notify_deleted.is_some() {
            let msg = format!(
                "({name}) notify_deleted already specified - ignoring {}",
                w(line, 1)
            );
            p.err(line, 0, msg);
            return;
        }
        let s = if line.words.len() > 1 {
            notify_script(p, line, "notify")
        } else {
            None
        };
        vi(p).notify_deleted = Some(s);
        return;
    }
    set_notify(p, line, &format!("({name}) "), vi_slot);
}

fn vi_lvs_sync_daemon_interface(p: &mut Parser, line: &Line) {
    let name = vname(p);
    p.err(
        line,
        0,
        format!("({name}) Specifying lvs_sync_daemon_interface against a vrrp is deprecated."),
    );
    let pad = " ".repeat(name.len().saturating_sub(2));
    p.err(
        line,
        0,
        format!("      {pad}Please use global lvs_sync_daemon"),
    );
    if let Some(sd) = &p.cfg.global.lvs_sync_daemon {
        let ifn = sd.interface.clone();
        p.err(
            line,
            1,
            format!(
                "({name}) lvs_sync_daemon_interface has already been specified as {ifn} - ignoring"
            ),
        );
        return;
    }
    let Some(ifn) = p.word(line, 1) else { return };
    p.cfg.global.lvs_sync_daemon = Some(crate::config::model::LvsSyncDaemon {
        interface: ifn.to_owned(),
        vrrp_instance: Some(name),
        ..Default::default()
    });
}

fn vi_garp(p: &mut Parser, line: &Line) {
    let kw = w(line, 0);
    let name = vname(p);
    let (min, max) = match kw.as_str() {
        "garp_master_delay" | "garp_lower_prio_delay" => (0, UINT_MAX / TIMER_HZ),
        "garp_lower_prio_repeat" => (0, i32::MAX as u64),
        "down_timer_adverts" => (1, 100),
        _ => (0, UINT_MAX),
    };
    let Some(v) = p.read_unsigned(line, 1, min, max, true) else {
        if p.aborted.is_some() {
            return;
        }
        let s = w(line, 1);
        let msg = match kw.as_str() {
            "garp_master_refresh" => {
                format!("({name}): Invalid garp_master_refresh '{s}' - ignoring")
            }
            "garp_lower_prio_repeat" => format!("({name}): Invalid garp_lower_prio_repeat '{s}'"),
            "down_timer_adverts" => format!("({name}): Invalid down_timer_adverts [1:100] '{s}'"),
            _ => format!("({name}): {kw} '{s}' invalid - ignoring"),
        };
        p.err(line, 1, msg);
        if kw == "garp_master_refresh" {
            vi(p).garp_master_refresh = Some(0);
        }
        return;
    };
    let mut v = v as u32;
    if v == 0
        && matches!(
            kw.as_str(),
            "garp_master_repeat" | "garp_master_refresh_repeat"
        )
    {
        p.err(
            line,
            1,
            format!("({name}): {kw} must be greater than 0, setting to 1"),
        );
        v = 1;
    }
    let i = vi(p);
    match kw.as_str() {
        "garp_master_delay" => i.garp_master_delay = Some(v),
        "garp_master_repeat" => i.garp_master_repeat = Some(v),
        "garp_master_refresh" => i.garp_master_refresh = Some(v),
        "garp_master_refresh_repeat" => i.garp_master_refresh_repeat = Some(v),
        "garp_lower_prio_delay" => i.garp_lower_prio_delay = Some(v),
        "garp_lower_prio_repeat" => i.garp_lower_prio_repeat = Some(v),
        _ => i.down_timer_adverts = Some(v),
    }
}

fn vi_garp_extra_if(p: &mut Parser, line: &Line) {
    let kw = w(line, 0);
    let name = vname(p);
    if kw == "vmac_garp_intvl" {
        p.error_at(
            line,
            0,
            Category::Deprecated,
            "Keyword \"vmac_garp_intvl\" is deprecated - please use \"garp_extra_if\"",
        );
    }
    let mut have = false;
    for i in 1..line.words.len() {
        if line.words[i].text == "all" {
            continue;
        }
        if p.read_unsigned(line, i, 0, 86400, true).is_none() {
            let msg = format!("({name}): {kw} '{}' invalid - ignoring", w(line, i));
            p.err(line, i, msg);
            return;
        }
        have = true;
    }
    if !have {
        p.err(
            line,
            0,
            format!("({name}): {kw} specified without time - ignoring"),
        );
    }
}

fn vi_kernel_rx_buf_size(p: &mut Parser, line: &Line) {
    if line.words.len() == 2 && p.read_unsigned(line, 1, 0, UINT_MAX, false).is_some() {
        return;
    }
    let name = vname(p);
    p.err(
        line,
        0,
        format!("({name}) invalid kernel_rx_buf_size specified"),
    );
}

fn vi_auth_type(p: &mut Parser, line: &Line) {
    let Some(s) = p.word(line, 1) else { return };
    let s = s.to_owned();
    let t = match s.as_str() {
        "AH" => AuthType::Ah,
        "PASS" => AuthType::Pass,
        _ => {
            let name = vname(p);
            p.err(
                line,
                1,
                format!("({name}) unknown authentication type '{s}'"),
            );
            return;
        }
    };
    let v = vi(p);
    let pass = v.auth.take().and_then(|(_, pw)| pw);
    v.auth = Some((t, pass));
    v.auth_span = Some(line.span.clone());
}

fn vi_auth_pass(p: &mut Parser, line: &Line) {
    let Some(s) = p.word(line, 1) else { return };
    let mut s = s.to_owned();
    if s.len() > 8 {
        p.err(line, 1, "Truncating auth_pass to 8 characters");
        // keepalived keeps 8 bytes; never cut inside a character.
        let mut n = 8;
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s.truncate(n);
    }
    let v = vi(p);
    match &mut v.auth {
        Some((_, pw)) => *pw = Some(s),
        None => v.auth_pass_only = Some(s),
    }
}

static AUTHENTICATION: &[Kw] = &[
    Kw::new("auth_type", vi_auth_type),
    Kw::new("auth_pass", vi_auth_pass),
];

static VRRP_INSTANCE: &[Kw] = &[
    Kw::new("use_vmac", vi_use_vmac),
    Kw::new("use_vmac_addr", vi_flag),
    Kw::new("vmac_xmit_base", vi_flag),
    Kw::new("use_ipvlan", vi_use_ipvlan),
    Kw::new("unicast_peer", vi_unicast_peer),
    Kw::new("unicast_fault_no_peer", vi_flag),
    Kw::new("check_unicast_src", vi_flag),
    Kw::new("old_unicast_checksum", vi_old_unicast_checksum),
    Kw::new("native_ipv6", vi_native_ipv6),
    Kw::new("state", vi_state),
    Kw::new("interface", vi_interface),
    Kw::new("vrf", vi_vrf),
    Kw::new("dont_track_primary", vi_flag),
    Kw::new("track_interface", vi_track),
    Kw::new("track_script", vi_track),
    Kw::new("track_file", vi_track),
    Kw::new("track_process", vi_track),
    Kw::new("track_bfd", vi_track),
    Kw::new("mcast_src_ip", vi_src_ip),
    Kw::new("unicast_src_ip", vi_src_ip),
    Kw::new("mcast_dst_ip", vi_mcast_dst),
    Kw::new("track_src_ip", vi_flag),
    Kw::new("virtual_router_id", vi_vrid),
    Kw::new("unicast_ttl", vi_ttl),
    Kw::new("version", vi_version),
    Kw::new("priority", vi_priority),
    Kw::new("advert_int", vi_advert_int),
    Kw::new("virtual_ipaddress", vi_vips),
    Kw::new("virtual_ipaddress_excluded", vi_vips),
    Kw::new("promote_secondaries", vi_flag),
    Kw::new("linkbeat_use_polling", vi_linkbeat),
    Kw::new("virtual_routes", vi_routes),
    Kw::new("virtual_rules", vi_routes),
    Kw::new("accept", vi_flag),
    Kw::new("no_accept", vi_flag),
    Kw::new("skip_check_adv_addr", vi_bool),
    Kw::new("strict_mode", vi_bool),
    Kw::new("preempt", vi_flag),
    Kw::new("nopreempt", vi_flag),
    Kw::new("preempt_delay", vi_preempt_delay),
    Kw::new("debug", vi_debug),
    Kw::new("notify_backup", vi_notify),
    Kw::new("notify_master", vi_notify),
    Kw::new("notify_fault", vi_notify),
    Kw::new("notify_stop", vi_notify),
    Kw::new("notify_deleted", vi_notify),
    Kw::new("notify", vi_notify),
    Kw::new("notify_master_rx_lower_pri", vi_notify),
    Kw::new("smtp_alert", vi_bool),
    Kw::new("notify_priority_changes", vi_bool),
    Kw::new("lvs_sync_daemon_interface", vi_lvs_sync_daemon_interface),
    Kw::new("garp_master_delay", vi_garp),
    Kw::new("garp_master_refresh", vi_garp),
    Kw::new("garp_master_repeat", vi_garp),
    Kw::new("garp_master_refresh_repeat", vi_garp),
    Kw::new("garp_lower_prio_delay", vi_garp),
    Kw::new("garp_lower_prio_repeat", vi_garp),
    Kw::new("down_timer_adverts", vi_garp),
    Kw::new("garp_extra_if", vi_garp_extra_if),
    Kw::new("vmac_garp_intvl", vi_garp_extra_if),
    Kw::new("lower_prio_no_advert", vi_bool),
    Kw::new("higher_prio_send_advert", vi_bool),
    Kw::new("kernel_rx_buf_size", vi_kernel_rx_buf_size),
    Kw::block("authentication", None, AUTHENTICATION, None),
];

static SYNC_GROUP: &[Kw] = &[
    Kw::new("group", sg_group),
    Kw::new("track_interface", sg_track),
    Kw::new("track_script", sg_track),
    Kw::new("track_file", sg_track),
    Kw::new("track_process", sg_track),
    Kw::new("track_bfd", sg_track),
    Kw::new("notify_backup", sg_notify),
    Kw::new("notify_master", sg_notify),
    Kw::new("notify_fault", sg_notify),
    Kw::new("notify_stop", sg_notify),
    Kw::new("notify", sg_notify),
    Kw::new("smtp_alert", sg_smtp_alert),
    Kw::new("global_tracking", sg_global_tracking),
    Kw::new("sync_group_tracking_weight", sg_tracking_weight),
    Kw::new("notify_priority_changes", sg_notify_priority_changes),
];

static TRACK_GROUP: &[Kw] = &[Kw::new("group", track_group_group)];

static GARP_GROUP: &[Kw] = &[
    Kw::new("garp_interval", garp_group_interval),
    Kw::new("gna_interval", garp_group_interval),
    Kw::new("interface", garp_group_interface),
    Kw::new("interfaces", garp_group_interfaces),
];

static VRRP_SCRIPT: &[Kw] = &[
    Kw::new("script", vs_script),
    Kw::new("interval", vs_interval),
    Kw::new("timeout", vs_timeout),
    Kw::new("weight", vs_weight),
    Kw::new("rise", vs_rise_fall),
    Kw::new("fall", vs_rise_fall),
    Kw::new("user", vs_user),
    Kw::new("init_fail", vs_init_fail),
];

static TRACK_FILE: &[Kw] = &[
    Kw::new("file", tf_file),
    Kw::new("weight", tf_weight),
    Kw::new("init_file", tf_init_file),
];

static TRACK_PROCESS: &[Kw] = &[
    Kw::new("process", tp_process),
    Kw::new("param_match", tp_param_match),
    Kw::new("weight", tp_weight),
    Kw::new("quorum", tp_quorum),
    Kw::new("quorum_max", tp_quorum),
    Kw::new("delay", tp_delay),
    Kw::new("terminate_delay", tp_delay),
    Kw::new("fork_delay", tp_delay),
    Kw::new("full_command", tp_full_command),
];

/// Root keywords owned by this module.
pub static ROOT: &[Kw] = &[
    Kw::block("track_group", Some(track_group), TRACK_GROUP, None),
    Kw::new("static_ipaddress", static_addresses),
    Kw::new("static_routes", static_routes),
    Kw::new("static_rules", static_rules),
    Kw::block("vrrp_sync_group", Some(vrrp_sync_group), SYNC_GROUP, None),
    Kw::block(
        "garp_group",
        Some(garp_group),
        GARP_GROUP,
        Some(garp_group_end),
    ),
    Kw::new("linkbeat_interfaces", linkbeat_interfaces),
    Kw::block(
        "vrrp_instance",
        Some(vrrp_instance),
        VRRP_INSTANCE,
        Some(vrrp_instance_end),
    ),
    Kw::block("vrrp_script", Some(vrrp_script), VRRP_SCRIPT, Some(vs_end)),
    Kw::block(
        "vrrp_track_process",
        Some(track_process),
        TRACK_PROCESS,
        Some(tp_end),
    ),
    Kw::new("interface_up_down_delays", interface_up_down_delays),
    Kw::block("track_file", Some(track_file), TRACK_FILE, Some(tf_end)),
    Kw::block(
        "vrrp_track_file",
        Some(track_file),
        TRACK_FILE,
        Some(tf_end),
    ),
    Kw::block(
        "bfd_instance",
        Some(super::bfd::bfd_instance),
        super::bfd::BFD_INSTANCE,
        Some(super::bfd::bfd_end),
    ),
];
