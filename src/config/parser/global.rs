//! `global_defs { … }` and the root keywords that configure the whole daemon
//! (keepalived's `core/global_parser.c`).

use super::Kw;
use super::ctx::Parser;
use super::values::{TIMER_DIGITS, parse_ip};
use crate::config::diag::Category;
use crate::config::model::{Fifo, LvsSyncDaemon, ProcessNames, RawKeyword, TIMER_HZ};
use crate::config::token::Line;

const UINT_MAX: u64 = u32::MAX as u64;

// ===== generic handlers for rare keywords =====

/// Keep a keyword we parse but do not act on; it needs no parameter.
pub fn raw0(p: &mut Parser, line: &Line) {
    keep_raw(p, line);
}

/// Keep a keyword whose handler in keepalived reads word 1 unconditionally
/// (so a missing parameter stops keepalived with exit code 2).
pub fn raw1(p: &mut Parser, line: &Line) {
    if p.word(line, 1).is_some() {
        keep_raw(p, line);
    }
}

/// Keywords keepalived 2.2.7 accepts whose feature this implementation does
/// not provide: they are read and kept (`-d` shows them) but have no effect,
/// and `-t` says so instead of ignoring them silently.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("enable_traps", "SNMP"),
    ("enable_snmp_vrrp", "SNMP"),
    ("enable_snmp_keepalived", "SNMP"),
    ("enable_snmp_rfc", "SNMP"),
    ("enable_snmp_rfcv2", "SNMP"),
    ("enable_snmp_rfcv3", "SNMP"),
    ("enable_snmp_checker", "SNMP"),
    ("snmp_socket", "SNMP"),
    ("enable_dbus", "DBus"),
    ("dbus_service_name", "DBus"),
    ("vrrp_iptables", "iptables"),
    ("vrrp_ipsets", "ipsets"),
    ("nftables", "nftables firewall rules"),
    ("nftables_priority", "nftables firewall rules"),
    ("nftables_ifindex", "nftables firewall rules"),
    ("nftables_counters", "nftables firewall rules"),
    ("nftables_ipvs", "nftables firewall rules"),
    ("nftables_ipvs_priority", "nftables firewall rules"),
    ("nftables_ipvs_start_fwmark", "nftables firewall rules"),
    ("vrrp_cpu_affinity", "CPU affinity"),
    ("checker_cpu_affinity", "CPU affinity"),
    ("bfd_cpu_affinity", "CPU affinity"),
    ("vrrp_rlimit_rttime", "real-time scheduling limits"),
    ("checker_rlimit_rttime", "real-time scheduling limits"),
    ("bfd_rlimit_rttime", "real-time scheduling limits"),
    ("vrrp_rlimit_rtime", "real-time scheduling limits"),
    ("checker_rlimit_rtime", "real-time scheduling limits"),
    ("bfd_rlimit_rtime", "real-time scheduling limits"),
    ("reload_time_file", "timed reloads"),
    ("reload_repeat", "timed reloads"),
    ("config_save_dir", "saving configurations at reload"),
    (
        "tmp_config_directory",
        "the consolidated configuration copy",
    ),
    ("disable_local_igmp", "IGMP sysctl changes"),
];

fn keep_raw(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.as_str();
    if let Some((_, what)) = UNSUPPORTED.iter().find(|(k, _)| *k == kw) {
        let msg = format!(
            "'{kw}' is accepted but has no effect: {what} is not supported by this implementation"
        );
        p.note(Some(line.span.clone()), msg);
    }
    let words = line.words.iter().map(|w| w.text.to_string()).collect();
    p.cfg.unsupported.push(RawKeyword {
        section: "global_defs",
        words,
        span: line.span.clone(),
    });
}

// ===== root keywords =====

pub fn net_namespace(p: &mut Parser, line: &Line) {
    let Some(name) = line.words.get(1) else {
        p.err(line, 0, "net_namespace name missing - ignoring");
        return;
    };
    if p.cfg.net_namespace.is_some() {
        p.err(
            line,
            1,
            format!(
                "Duplicate net_namespace definition {} - ignoring",
                name.text
            ),
        );
        return;
    }
    p.cfg.net_namespace = Some(name.text.to_string());
}

pub fn net_namespace_ipvs(p: &mut Parser, line: &Line) {
    if p.cfg.net_namespace_ipvs.is_some() {
        let w = line
            .words
            .get(1)
            .map(|w| w.text.to_string())
            .unwrap_or_default();
        p.err(
            line,
            1,
            format!("Duplicate net_namespace_ipvs definition {w} - ignoring"),
        );
        return;
    }
    p.cfg.net_namespace_ipvs = Some(
        line.words
            .get(1)
            .map(|w| w.text.to_string())
            .unwrap_or_default(),
    );
}

pub fn flag_root(p: &mut Parser, line: &Line) {
    match line.words[0].text.as_str() {
        "use_pid_dir" => p.cfg.use_pid_dir = true,
        "namespace_with_ipsets" => p.cfg.namespace_with_ipsets = true,
        "linkbeat_use_polling" => p.cfg.linkbeat_use_polling = true,
        _ => {}
    }
}

pub fn instance(p: &mut Parser, line: &Line) {
    let Some(name) = line.words.get(1) else {
        p.err(line, 0, "instance name missing - ignoring");
        return;
    };
    if p.cfg.instance_name.is_some() {
        p.err(
            line,
            1,
            format!("Duplicate instance definition {} - ignoring", name.text),
        );
        return;
    }
    p.cfg.instance_name = Some(name.text.to_string());
}

pub fn child_wait_time(p: &mut Parser, line: &Line) {
    match p.read_unsigned(line, 1, 0, UINT_MAX, false) {
        Some(v) => p.cfg.child_wait_time = Some(v as u32),
        None if p.aborted.is_none() => {
            let w = line.words[1].text.to_string();
            p.err(line, 1, format!("Invalid child_wait_time {w}"));
        }
        None => {}
    }
}

/// Root keywords owned by this module.
pub static ROOT: &[Kw] = &[
    Kw::block("global_defs", None, GLOBAL_DEFS, Some(global_defs_end)),
    Kw::new("net_namespace", net_namespace),
    Kw::new("net_namespace_ipvs", net_namespace_ipvs),
    Kw::new("namespace_with_ipsets", flag_root),
    Kw::new("use_pid_dir", flag_root),
    Kw::new("instance", instance),
    Kw::new("child_wait_time", child_wait_time),
    Kw::new("linkbeat_use_polling", flag_root),
];

// ===== global_defs =====

fn w1(line: &Line) -> Option<String> {
    line.words.get(1).map(|w| w.text.to_string())
}

fn process_name(p: &mut Parser, line: &Line) {
    if let Some(name) = p.word(line, 1) {
        if name.len() >= 16 {
            let msg = format!("Process name {name} more than 15 characters, truncating");
            p.err(line, 1, msg);
        }
        let name = ProcessNames::truncate(name);
        let names = &mut p.cfg.global.process_names;
        match line.words[0].text.as_str() {
            "process_name" => names.parent = Some(name),
            "vrrp_process_name" => names.vrrp = Some(name),
            "checker_process_name" | "lvs_process_name" => names.checker = Some(name),
            _ => names.bfd = Some(name),
        }
        keep_raw(p, line);
    }
}

/// `process_names`: keepalived's fixed names for the children (the parent
/// keeps its own).
fn process_names(p: &mut Parser, line: &Line) {
    let names = &mut p.cfg.global.process_names;
    names.vrrp = Some("keepalived_vrrp".into());
    names.checker = Some("keepalived_lvs".into());
    names.bfd = Some("keepalived_bfd".into());
    keep_raw(p, line);
}

fn lvs_process_name(p: &mut Parser, line: &Line) {
    p.info(
        Some(line.span.clone()),
        "'lvs_process_name' is deprecated - please use 'checker_process_name'",
    );
    process_name(p, line);
}

fn router_id(p: &mut Parser, line: &Line) {
    match w1(line) {
        None => p.err(line, 0, "routerid name missing - ignoring"),
        Some(v) => p.cfg.global.router_id = Some(v),
    }
}

fn email_from(p: &mut Parser, line: &Line) {
    match w1(line) {
        None => p.err(line, 0, "emailfrom missing - ignoring"),
        Some(v) => p.cfg.global.notification_email_from = Some(v),
    }
}

fn smtp_connect_timeout(p: &mut Parser, line: &Line) {
    let max = UINT_MAX / TIMER_HZ;
    match p.read_unsigned(line, 1, 0, max, true) {
        Some(0) => {
            p.err(
                line,
                1,
                "smtp_conect_timeout must be greater than 0, setting to 1",
            );
            p.cfg.global.smtp_connect_timeout = Some(1);
        }
        Some(v) => p.cfg.global.smtp_connect_timeout = Some(v as u32),
        None if p.aborted.is_none() => {
            let msg = format!(
                "smtp_connect_timeout '{}' must be in [0, {max}] - ignoring",
                line.words[1].text
            );
            p.err(line, 1, msg);
        }
        None => {}
    }
}

fn dynamic_interfaces(p: &mut Parser, line: &Line) {
    p.cfg.global.dynamic_interfaces = true;
    if let Some(w) = line.words.get(1) {
        if w.text != "allow_if_changes" {
            let msg = format!("Unknown dynamic_interfaces option '{}'", w.text);
            p.err(line, 1, msg);
        }
    }
}

fn smtp_server(p: &mut Parser, line: &Line) {
    let Some(host) = p.word(line, 1) else { return };
    let port_str = line.words.get(2).map(|w| w.text.as_str()).unwrap_or("25");
    let port = super::values::parse_uint(port_str, 65535);
    // keepalived accepts an IP address, or a host name it can resolve; it
    // resolves at parse time. We accept anything that looks like a host name
    // and resolve when sending (a name that cannot resolve is reported then).
    // keepalived resolves host names while parsing (getaddrinfo); a name that
    // does not resolve is "Invalid smtp server". The host decides.
    let valid_host = (!host.contains(['-', '/']) && parse_ip(host).is_some())
        || (looks_like_hostname(host) && p.host.resolves(host));
    match (valid_host, port) {
        (true, Some(port)) => {
            p.cfg.global.smtp_server = Some((host.to_owned(), port as u16));
        }
        _ => {
            let msg = format!("Invalid smtp server {host} {port_str}");
            p.err(line, 1, msg);
        }
    }
}

fn looks_like_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
}

fn smtp_helo_name(p: &mut Parser, line: &Line) {
    if let Some(v) = w1(line) {
        p.cfg.global.smtp_helo_name = Some(v);
    }
}

fn notification_email(p: &mut Parser, line: &Line) {
    let words = p.value_block_words(line);
    if words.is_empty() {
        // Reported at the closing brace, the line keepalived has just read.
        let span = p.span();
        p.err_span(
            span,
            Category::GeneralError,
            "Warning - empty notification_email block",
        );
        return;
    }
    p.cfg
        .global
        .notification_email
        .extend(words.into_iter().map(|(w, _)| w));
}

fn bool_global(p: &mut Parser, line: &Line, name: &str) -> Option<bool> {
    p.opt_bool(line, |v| {
        format!("Invalid value '{v}' for global {name} specified")
    })
}

fn smtp_alert(p: &mut Parser, line: &Line) {
    if let Some(b) = bool_global(p, line, "smtp_alert") {
        p.cfg.global.smtp_alert = Some(b);
    }
}

fn smtp_alert_vrrp(p: &mut Parser, line: &Line) {
    if let Some(b) = bool_global(p, line, "smtp_alert_vrrp") {
        p.cfg.global.smtp_alert_vrrp = Some(b);
    }
}

fn smtp_alert_checker(p: &mut Parser, line: &Line) {
    if let Some(b) = bool_global(p, line, "smtp_alert_checker") {
        p.cfg.global.smtp_alert_checker = Some(b);
    }
}

// ===== extensions (not in keepalived 2.2.7) =====

/// Extension: the SMTP AUTH user name for alert mails.
fn smtp_auth_user(p: &mut Parser, line: &Line) {
    match w1(line) {
        Some(v) => p.cfg.global.smtp_auth_user = Some(v),
        None => p.err(line, 0, "smtp_auth_user needs a user name - ignoring"),
    }
}

/// Extension: the SMTP AUTH password (`smtp_auth_user` must be set too).
fn smtp_auth_pass(p: &mut Parser, line: &Line) {
    match w1(line) {
        Some(v) => p.cfg.global.smtp_auth_pass = Some(v),
        None => p.err(line, 0, "smtp_auth_pass needs a password - ignoring"),
    }
}

/// Extension: `smtp_tls none|starttls|tls`.
fn smtp_tls(p: &mut Parser, line: &Line) {
    use crate::config::model::SmtpTls;
    let mode = match line.words.get(1).map(|w| w.text.as_str()) {
        Some("none") => SmtpTls::None,
        Some("starttls") => SmtpTls::StartTls,
        Some("tls") => SmtpTls::Tls,
        Some(other) => {
            let msg = format!("Unknown smtp_tls mode '{other}' (none, starttls or tls) - ignoring");
            p.err(line, 1, msg);
            return;
        }
        None => {
            p.err(
                line,
                0,
                "smtp_tls needs a mode (none, starttls or tls) - ignoring",
            );
            return;
        }
    };
    p.cfg.global.smtp_tls = mode;
}

/// Extension: the PEM file of roots for verifying the SMTP server.
fn smtp_tls_ca(p: &mut Parser, line: &Line) {
    match w1(line) {
        Some(v) => p.cfg.global.smtp_tls_ca = Some(v),
        None => p.err(line, 0, "smtp_tls_ca needs a file name - ignoring"),
    }
}

/// The end of `global_defs`: AUTH needs both halves (reported at the
/// closing brace, where both are known); the lone half is dropped so no
/// half-configured AUTH is attempted.
fn global_defs_end(p: &mut Parser) {
    let g = &mut p.cfg.global;
    let msg = match (&g.smtp_auth_user, &g.smtp_auth_pass) {
        (Some(_), None) => "smtp_auth_user is set without smtp_auth_pass - SMTP AUTH disabled",
        (None, Some(_)) => "smtp_auth_pass is set without smtp_auth_user - SMTP AUTH disabled",
        _ => return,
    };
    g.smtp_auth_user = None;
    g.smtp_auth_pass = None;
    let span = p.span();
    p.err_span(span, Category::GeneralError, msg);
}

fn checker_log_all_failures(p: &mut Parser, line: &Line) {
    if let Some(b) = p.opt_bool(line, |_| {
        "Invalid value for checker_log_all_failures specified".into()
    }) {
        p.cfg.global.checker_log_all_failures = b;
    }
}

fn startup_shutdown_script(p: &mut Parser, line: &Line) {
    let startup = line.words[0].text == "startup_script";
    let kind = if startup { "startup" } else { "shutdown" };
    let existing = if startup {
        p.cfg.global.startup_script.is_some()
    } else {
        p.cfg.global.shutdown_script.is_some()
    };
    if existing {
        p.err(line, 0, format!("{kind} script already specified"));
        return;
    }
    if line.words.len() < 2 {
        p.err(line, 0, format!("{kind} script missing"));
        return;
    }
    let Some(script) = super::vrrp::notify_script(p, line, kind) else {
        p.err(line, 1, format!("Invalid {kind} script"));
        return;
    };
    if startup {
        p.cfg.global.startup_script = Some(script);
        p.cfg.global.startup_script_timeout.get_or_insert(10);
    } else {
        p.cfg.global.shutdown_script = Some(script);
        p.cfg.global.shutdown_script_timeout.get_or_insert(10);
    }
}

fn script_timeout(p: &mut Parser, line: &Line) {
    let startup = line.words[0].text.starts_with("startup");
    let kind = if startup { "startup" } else { "shutdown" };
    if line.words.len() < 2 {
        p.err(line, 0, format!("{kind}_script_timeout requires value"));
        return;
    }
    match p.read_unsigned(line, 1, 1, 1000, true) {
        Some(v) if startup => p.cfg.global.startup_script_timeout = Some(v as u32),
        Some(v) => p.cfg.global.shutdown_script_timeout = Some(v as u32),
        None => {
            let msg = format!(
                "{kind}_script_timeout '{}' must be in [1, 1000] - ignoring",
                line.words[1].text
            );
            p.err(line, 1, msg);
        }
    }
}

fn max_auto_priority(p: &mut Parser, line: &Line) {
    if line.words.len() < 2 {
        p.cfg.global.max_auto_priority = Some(99);
        return;
    }
    match p.read_int(line, 1, -1, 99, true) {
        Some(v) => p.cfg.global.max_auto_priority = Some(v as i32),
        None => {
            let msg = format!(
                "max_auto_priority '{}' must be in [0, 99] (or -1 to disable) - ignoring",
                line.words[1].text
            );
            p.err(line, 1, msg);
        }
    }
}

fn min_auto_priority_delay(p: &mut Parser, line: &Line) {
    if line.words.len() < 2 {
        p.err(line, 0, "min_auto_priority_delay requires delay time");
        return;
    }
    if p.read_int(line, 1, 1, 10_000_000, true).is_none() {
        let msg = format!(
            "min_auto_priority_delay '{}' must be in [1, 10000000] - ignoring",
            line.words[1].text
        );
        p.err(line, 1, msg);
    }
}

fn default_interface(p: &mut Parser, line: &Line) {
    match w1(line) {
        None => p.err(line, 0, "default_interface requires interface name"),
        Some(v) => p.cfg.global.default_interface = Some(v),
    }
}

fn flag_global(p: &mut Parser, line: &Line) {
    let g = &mut p.cfg.global;
    match line.words[0].text.as_str() {
        "no_email_faults" => g.no_email_faults = true,
        "lvs_flush" => g.lvs_flush = true,
        "enable_script_security" => g.script_security = true,
        "vrrp_check_unicast_src" => g.vrrp_check_unicast_src = true,
        "log_unknown_vrids" => g.log_unknown_vrids = true,
        "enable_dbus" => g.enable_dbus = true,
        _ => keep_raw(p, line),
    }
}

fn lvs_timeouts(p: &mut Parser, line: &Line) {
    if line.words.len() < 3 {
        p.err(line, 0, "lvs_timeouts requires at least one option");
        return;
    }
    let mut t = p.cfg.global.lvs_timeouts.unwrap_or((None, None, None));
    let mut i = 1;
    while i < line.words.len() {
        let opt = line.words[i].text.to_string();
        if matches!(opt.as_str(), "tcp" | "tcpfin" | "udp") {
            if i == line.words.len() - 1 {
                p.err(
                    line,
                    i,
                    format!("No value specified for lvs_timeout {opt} - ignoring"),
                );
                i += 1;
                continue;
            }
            match p.read_unsigned(line, i + 1, 0, 86400 * 31, false) {
                Some(v) => match opt.as_str() {
                    "tcp" => t.0 = Some(v as u32),
                    "tcpfin" => t.1 = Some(v as u32),
                    _ => t.2 = Some(v as u32),
                },
                None => {
                    let msg = format!(
                        "Invalid lvs_timeout {opt} ({}) - ignoring",
                        line.words[i + 1].text
                    );
                    p.err(line, i + 1, msg);
                }
            }
            i += 2;
            continue;
        }
        p.err(
            line,
            i,
            format!("Unknown option {opt} specified for lvs_timeouts"),
        );
        i += 1;
    }
    p.cfg.global.lvs_timeouts = Some(t);
}

fn lvs_sync_daemon(p: &mut Parser, line: &Line) {
    if let Some(s) = &p.cfg.global.lvs_sync_daemon {
        let msg = format!(
            "lvs_sync_daemon has already been specified as {} {} - ignoring",
            s.interface,
            s.vrrp_instance.clone().unwrap_or_default()
        );
        p.err(line, 0, msg);
        return;
    }
    let Some(ifname) = w1(line) else {
        p.err(line, 0, "lvs_sync_daemon requires interface");
        return;
    };
    if ifname.len() >= 16 {
        p.err(
            line,
            1,
            format!("lvs_sync_daemon interface name '{ifname}' too long - ignoring"),
        );
        return;
    }
    let mut sd = LvsSyncDaemon {
        interface: ifname,
        ..Default::default()
    };
    let n = line.words.len();
    let mut i = 2;
    while i < n {
        let opt = line.words[i].text.to_string();
        match opt.as_str() {
            "inst" => {
                let Some(v) = p.word(line, i + 1) else { break };
                if let Some(old) = &sd.vrrp_instance {
                    let msg = format!(
                        "lvs_sync_daemon vrrp instance has already been specified as {old} - ignoring"
                    );
                    p.err(line, i, msg);
                } else {
                    sd.vrrp_instance = Some(v.to_owned());
                }
                i += 2;
            }
            "id" | "maxlen" | "port" | "ttl" | "group" => {
                if i == n - 1 {
                    let msg = if opt == "id" {
                        "No value specified for lvs_sync_daemon id, defaulting to vrid".to_owned()
                    } else {
                        format!("No value specified for lvs_sync_daemon {opt} - ignoring")
                    };
                    p.err(line, i, msg);
                    i += 1;
                    continue;
                }
                let v = line.words[i + 1].text.to_string();
                match opt.as_str() {
                    "id" => match p.read_unsigned(line, i + 1, 0, 255, false) {
                        Some(x) => sd.id = Some(x as u32),
                        None => p.err(
                            line,
                            i + 1,
                            format!("Invalid syncid ({v}) - defaulting to vrid"),
                        ),
                    },
                    "maxlen" => {
                        if let Some(x) = p.read_unsigned(line, i + 1, 1, 65535 - 20 - 8, false) {
                            sd.maxlen = Some(x as u16);
                        } else {
                            p.err(
                                line,
                                i + 1,
                                format!("Invalid lvs_sync_daemon maxlen ({v}) - ignoring"),
                            );
                        }
                    }
                    "port" => {
                        if let Some(x) = p.read_unsigned(line, i + 1, 1, 65535, false) {
                            sd.port = Some(x as u16);
                        } else {
                            p.err(
                                line,
                                i + 1,
                                format!("Invalid lvs_sync_daemon port ({v}) - ignoring"),
                            );
                        }
                    }
                    "ttl" => {
                        if let Some(x) = p.read_unsigned(line, i + 1, 1, 255, false) {
                            sd.ttl = Some(x as u8);
                        } else {
                            p.err(
                                line,
                                i + 1,
                                format!("Invalid lvs_sync_daemon ttl ({v}) - ignoring"),
                            );
                        }
                    }
                    _ => match parse_ip(&v) {
                        None => p.err(
                            line,
                            i + 1,
                            format!("Invalid lvs_sync_daemon group ({v}) - ignoring"),
                        ),
                        Some(ip) if !ip.is_multicast() => p.err(
                            line,
                            i + 1,
                            format!(
                                "lvs_sync_daemon group address {v} is not multicast - ignoring"
                            ),
                        ),
                        Some(ip) => sd.group = Some(ip),
                    },
                }
                i += 2;
            }
            _ if i == 2 => {
                sd.vrrp_instance = Some(opt);
                i += 1;
            }
            _ if i == 3 => {
                match p.read_unsigned(line, 3, 0, 255, false) {
                    None => p.err(
                        line,
                        3,
                        format!("Invalid syncid ({opt}) - defaulting to vrid"),
                    ),
                    Some(x) => {
                        p.err(
                            line,
                            3,
                            "Please use keyword \"id\" before lvs_sync_daemon SYNCID",
                        );
                        sd.id = Some(x as u32);
                    }
                }
                i += 1;
            }
            _ => {
                p.err(
                    line,
                    i,
                    format!("Unknown option {opt} specified for lvs_sync_daemon"),
                );
                i += 1;
            }
        }
    }
    p.cfg.global.lvs_sync_daemon = Some(sd);
}

fn lvs_flush_on_stop(p: &mut Parser, line: &Line) {
    match line.words.get(1).map(|w| w.text.as_str()) {
        None => p.cfg.global.lvs_flush_on_stop = true,
        Some("VS") => {
            p.cfg.global.lvs_flush_on_stop = true;
            p.cfg.global.lvs_flush_on_stop_vs = true;
        }
        Some(other) => {
            let msg = format!("Unknown lvs_flush_on_stop type {other}");
            p.err(line, 1, msg);
        }
    }
}

fn mcast_group(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    let v6 = kw.ends_with('6');
    let Some(s) = p.word(line, 1) else { return };
    let s = s.to_owned();
    let Some(ip) = parse_ip(&s) else {
        p.err(line, 1, format!("Can't parse {kw} [{s}]. Skipping"));
        return;
    };
    if ip.is_ipv6() != v6 {
        let fam = if v6 { "IPv6" } else { "IPv4" };
        p.err(line, 1, format!("{kw} [{s}] is not {fam}. Skipping"));
        return;
    }
    if !ip.is_multicast() {
        p.err(line, 1, format!("{kw} [{s}] is not multicast. Skipping"));
        return;
    }
    if let std::net::IpAddr::V6(a) = ip {
        if a.segments()[0] & 0xff0f != 0xff02 {
            p.error_at(
                line,
                1,
                Category::Warning,
                format!("{kw} [{s}] should be link-local multicast."),
            );
        }
        p.cfg.global.vrrp_mcast_group6 = Some(ip);
    } else {
        p.cfg.global.vrrp_mcast_group4 = Some(ip);
    }
}

/// The `vrrp_garp_*` and `vrrp_down_timer_adverts` integers.
fn garp_number(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    let (min, max) = match kw.as_str() {
        "vrrp_garp_master_delay" | "vrrp_garp_lower_prio_delay" => (0, UINT_MAX / TIMER_HZ),
        "vrrp_garp_lower_prio_repeat" => (0, i32::MAX as u64),
        "vrrp_down_timer_adverts" => (1, 100),
        _ => (0, UINT_MAX),
    };
    let Some(v) = p.read_unsigned(line, 1, min, max, true) else {
        if p.aborted.is_some() {
            return;
        }
        let s = &line.words[1].text;
        let msg = match kw.as_str() {
            "vrrp_garp_master_refresh" => {
                format!("Invalid vrrp_garp_master_refresh '{s}' - ignoring")
            }
            "vrrp_garp_lower_prio_repeat" => format!("Invalid vrrp_garp_lower_prio_repeat '{s}'"),
            "vrrp_down_timer_adverts" => format!("Invalid vrrp_down_timer_adverts [1:100] '{s}'"),
            _ => format!("{kw} '{s}' invalid - ignoring"),
        };
        p.err(line, 1, msg);
        if kw == "vrrp_garp_master_refresh" {
            p.cfg.global.vrrp_garp_master_refresh = Some(0);
        }
        return;
    };
    let mut v = v as u32;
    if v == 0
        && matches!(
            kw.as_str(),
            "vrrp_garp_master_repeat" | "vrrp_garp_master_refresh_repeat"
        )
    {
        p.err(
            line,
            1,
            format!("{kw} must be greater than 0, setting to 1"),
        );
        v = 1;
    }
    let g = &mut p.cfg.global;
    match kw.as_str() {
        "vrrp_garp_master_delay" => g.vrrp_garp_master_delay = Some(v),
        "vrrp_garp_master_repeat" => g.vrrp_garp_master_repeat = Some(v),
        "vrrp_garp_master_refresh" => g.vrrp_garp_master_refresh = Some(v),
        "vrrp_garp_master_refresh_repeat" => g.vrrp_garp_master_refresh_repeat = Some(v),
        "vrrp_garp_lower_prio_delay" => g.vrrp_garp_lower_prio_delay = Some(v),
        "vrrp_garp_lower_prio_repeat" => g.vrrp_garp_lower_prio_repeat = Some(v),
        _ => g.vrrp_down_timer_adverts = Some(v),
    }
}

fn garp_interval(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    match p.read_decimal(line, 1, 1, UINT_MAX, TIMER_DIGITS, true) {
        Some(v) => {
            if kw == "vrrp_garp_interval" {
                p.cfg.global.vrrp_garp_interval = Some(v);
            } else {
                p.cfg.global.vrrp_gna_interval = Some(v);
            }
        }
        None => {
            if p.aborted.is_some() {
                return;
            }
            let msg = format!("{kw} '{}' is invalid", line.words[1].text);
            p.err(line, 1, msg);
        }
    }
    let cur = if kw == "vrrp_garp_interval" {
        p.cfg.global.vrrp_garp_interval
    } else {
        p.cfg.global.vrrp_gna_interval
    };
    if cur.unwrap_or(0) >= TIMER_HZ {
        let msg = format!("The {kw} is very large - {} seconds", line.words[1].text);
        p.info(Some(line.span.clone()), msg);
    }
}

fn vrrp_min_garp(p: &mut Parser, line: &Line) {
    if let Some(b) = p.opt_bool(line, |_| "Invalid value for vrrp_min_garp specified".into()) {
        p.cfg.global.vrrp_min_garp = b;
    }
}

fn garp_extra_if(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    if kw == "vrrp_vmac_garp_intvl" {
        p.error_at(
            line,
            0,
            Category::Deprecated,
            "Keyword \"vrrp_vmac_garp_intvl\" is deprecated - please use \"vrrp_garp_extra_if\"",
        );
    }
    let mut have = false;
    for i in 1..line.words.len() {
        if line.words[i].text == "all" {
            continue;
        }
        if p.read_unsigned(line, i, 1, 86400, true).is_none() {
            let msg = format!("{kw} '{}' invalid - ignoring", line.words[i].text);
            p.err(line, i, msg);
            return;
        }
        have = true;
    }
    if !have {
        p.err(line, 0, format!("{kw} specified without time - ignoring"));
        return;
    }
    keep_raw(p, line);
}

fn prio_bool(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    if let Some(b) = p.opt_bool(line, |_| format!("Invalid value for {kw} specified")) {
        if line.words[0].text == "vrrp_lower_prio_no_advert" {
            p.cfg.global.vrrp_lower_prio_no_advert = Some(b);
        } else {
            p.cfg.global.vrrp_higher_prio_send_advert = Some(b);
        }
    }
}

fn vrrp_iptables(p: &mut Parser, line: &Line) {
    // Debian's 2.2.7 is built with nftables and without iptables.
    p.err(
        line,
        0,
        "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option",
    );
    keep_raw(p, line);
}

fn nftables_name(p: &mut Parser, line: &Line) {
    if let Some(w) = line.words.get(1) {
        if w.text.len() >= 256 {
            let msg = if line.words[0].text == "nftables" {
                "nftables table name too long - ignoring"
            } else {
                "ipvs nftables table name too long - ignoring"
            };
            p.err(line, 1, msg);
            return;
        }
    }
    keep_raw(p, line);
}

fn nftables_priority(p: &mut Parser, line: &Line) {
    if p.read_int(line, 1, i32::MIN as i64, i32::MAX as i64, false)
        .is_none()
        && p.aborted.is_none()
    {
        let what = if line.words[0].text == "nftables_priority" {
            ""
        } else {
            "ipvs "
        };
        let msg = format!(
            "invalid {what}nftables chain priority '{}'",
            line.words[1].text
        );
        p.error_at(line, 1, Category::InvalidNumber, msg);
    }
    keep_raw(p, line);
}

fn nftables_start_fwmark(p: &mut Parser, line: &Line) {
    if p.read_unsigned(line, 1, 1, UINT_MAX, false).is_none() && p.aborted.is_none() {
        let msg = format!(
            "invalid ipvs nftables start_fwmark priority '{}'",
            line.words[1].text
        );
        p.error_at(line, 1, Category::InvalidNumber, msg);
    }
    keep_raw(p, line);
}

fn vrrp_version(p: &mut Parser, line: &Line) {
    match p.read_int(line, 1, 2, 3, true) {
        Some(v) => p.cfg.global.vrrp_version = Some(v as u8),
        None if p.aborted.is_none() => p.err(line, 1, "VRRP Error: Version must be either 2 or 3"),
        None => {}
    }
}

fn vrrp_strict(p: &mut Parser, line: &Line) {
    if let Some(b) = p.opt_bool(line, |v| {
        format!("Invalid value '{v}' for global vrrp_strict specified")
    }) {
        p.cfg.global.vrrp_strict = b;
    }
}

fn skip_check_adv_addr(p: &mut Parser, line: &Line) {
    let f = |v: &str| format!("Invalid value '{v}' for global vrrp_skip_check_adv_addr specified");
    if let Some(b) = p.opt_bool(line, f) {
        p.cfg.global.vrrp_skip_check_adv_addr = b;
    }
}

fn process_priority(p: &mut Parser, line: &Line) {
    let kw = &line.words[0].text;
    let process = kw.split('_').next().unwrap_or("").to_owned();
    if line.words.len() < 2 {
        p.err(line, 0, format!("No {process} process priority specified"));
        return;
    }
    if p.read_int(line, 1, -20, 19, true).is_none() {
        p.err(
            line,
            1,
            format!("Invalid {process} process priority specified"),
        );
    }
    keep_raw(p, line);
}

fn rt_priority(p: &mut Parser, line: &Line) {
    let process = line.words[0]
        .text
        .split('_')
        .next()
        .unwrap_or("")
        .to_owned();
    if line.words.len() < 2 {
        p.err(
            line,
            0,
            format!("No {process} process real-time priority specified"),
        );
        return;
    }
    match p.read_int(line, 1, i32::MIN as i64, i32::MAX as i64, true) {
        None => {
            let msg = format!("{process} process real-time priority '{}' invalid", line.words[1].text);
            p.err(line, 1, msg);
        }
        Some(v) if v < 1 => p.err(
            line,
            1,
            format!("{process} process real-time priority {v} less than minimum 1 - setting to minimum"),
        ),
        Some(v) if v > 99 => p.err(
            line,
            1,
            format!("{process} process real-time priority {v} greater than maximum 99 - setting to maximum"),
        ),
        Some(_) => {}
    }
    keep_raw(p, line);
}

fn rlimit(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    let process = kw.split('_').next().unwrap_or("").to_owned();
    if kw.ends_with("rtime") && !kw.ends_with("rttime") {
        let base = &kw[..kw.len() - 5];
        p.info(
            Some(line.span.clone()),
            format!("Keyword '{kw}' is deprecated - please use '{base}rttime'"),
        );
    }
    if p.read_unsigned(line, 1, 1, UINT_MAX, true).is_none() {
        if p.aborted.is_some() {
            return;
        }
        let msg = format!("Invalid {process} real-time limit - {}", line.words[1].text);
        p.err(line, 1, msg);
    }
    keep_raw(p, line);
}

fn cpu_affinity(p: &mut Parser, line: &Line) {
    let process = line.words[0]
        .text
        .split('_')
        .next()
        .unwrap_or("")
        .to_owned();
    if line.words.len() < 2 {
        p.err(line, 0, format!("No {process} cpu_id set specified"));
        return;
    }
    keep_raw(p, line);
}

fn fifo(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    let kind = kw.trim_end_matches("notify_fifo").to_owned();
    let Some(name) = w1(line) else {
        p.err(line, 0, format!("No {kind}notify_fifo name specified"));
        return;
    };
    let slot = match kind.as_str() {
        "vrrp_" => &mut p.cfg.global.vrrp_notify_fifo,
        "lvs_" => &mut p.cfg.global.lvs_notify_fifo,
        _ => &mut p.cfg.global.notify_fifo,
    };
    if slot.as_ref().is_some_and(|f| !f.path.is_empty()) {
        p.err(
            line,
            1,
            format!("{kind}notify_fifo already specified - ignoring {name}"),
        );
        return;
    }
    let script = slot.take().and_then(|f| f.script);
    *slot = Some(Fifo { path: name, script });
}

fn fifo_script(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    let kind = kw.trim_end_matches("notify_fifo_script").to_owned();
    if line.words.len() < 2 {
        p.err(line, 0, format!("No {kind}notify_fifo_script specified"));
        return;
    }
    let has = match kind.as_str() {
        "vrrp_" => &p.cfg.global.vrrp_notify_fifo,
        "lvs_" => &p.cfg.global.lvs_notify_fifo,
        _ => &p.cfg.global.notify_fifo,
    }
    .as_ref()
    .is_some_and(|f| f.script.is_some());
    if has {
        let msg = format!(
            "{kind}notify_fifo_script already specified - ignoring {}",
            line.words[1].text
        );
        p.err(line, 1, msg);
        return;
    }
    let script = super::vrrp::notify_script(p, line, "notify_fifo");
    let slot = match kind.as_str() {
        "vrrp_" => &mut p.cfg.global.vrrp_notify_fifo,
        "lvs_" => &mut p.cfg.global.lvs_notify_fifo,
        _ => &mut p.cfg.global.notify_fifo,
    };
    slot.get_or_insert_with(Fifo::default).script = script;
}

fn notify_priority_changes(p: &mut Parser, line: &Line) {
    let f =
        |v: &str| format!("Invalid value '{v}' for global vrrp_notify_priority_changes specified");
    if let Some(b) = p.opt_bool(line, f) {
        p.cfg.global.vrrp_notify_priority_changes = b;
    }
}

fn snmp_socket(p: &mut Parser, line: &Line) {
    if line.words.len() > 2 {
        p.err(
            line,
            2,
            "Too many parameters specified for snmp_socket - ignoring",
        );
        return;
    }
    if line.words.len() < 2 {
        p.err(line, 0, "SNMP error : snmp socket name missing");
        return;
    }
    keep_raw(p, line);
}

fn snmp_flag(p: &mut Parser, line: &Line) {
    p.cfg.global.enable_snmp = true;
    keep_raw(p, line);
}

fn dbus_service_name(p: &mut Parser, line: &Line) {
    if line.words.len() < 2 {
        p.err(line, 0, "dbus_service_name missing - ignoring");
        return;
    }
    keep_raw(p, line);
}

fn script_user(p: &mut Parser, line: &Line) {
    let Some(user) = w1(line) else {
        p.err(line, 0, "No script username specified");
        return;
    };
    let group = line.words.get(2).map(|w| w.text.to_string());
    if !super::script_check::set_default_user(p, &user, group.as_deref()) {
        p.err(line, 1, "Error setting global script uid/gid");
        return;
    }
    p.cfg.global.script_user = Some((user, group));
}

fn rcv_bufs(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    let kind = kw.trim_end_matches("_rcv_bufs").to_owned();
    if line.words.len() < 2 {
        p.err(line, 0, format!("{kind}_rcv_bufs size missing"));
        return;
    }
    if p.read_unsigned(line, 1, 0, UINT_MAX, false).is_none() {
        let msg = format!("{kind}_rcv_bufs size ({}) invalid", line.words[1].text);
        p.err(line, 1, msg);
    }
    keep_raw(p, line);
}

fn rcv_bufs_force(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    if p.opt_bool(line, |v| {
        format!("Invalid value '{v}' for global {kw} specified")
    })
    .is_some()
    {
        keep_raw(p, line);
    }
}

fn rx_bufs_policy(p: &mut Parser, line: &Line) {
    if line.words.len() < 2 {
        p.err(line, 0, "vrrp_rx_bufs_policy missing");
        return;
    }
    keep_raw(p, line);
}

fn rx_bufs_multiplier(p: &mut Parser, line: &Line) {
    if line.words.len() != 2 {
        p.err(line, 0, "Invalid vrrp_rx_bufs_multiplier");
        return;
    }
    if p.read_unsigned(line, 1, 1, UINT_MAX, false).is_none() {
        let msg = format!("Invalid vrrp_rx_bufs_multiplier {}", line.words[1].text);
        p.err(line, 1, msg);
    }
}

fn bool_opt_global(p: &mut Parser, line: &Line) {
    let kw = line.words[0].text.to_string();
    if let Some(b) = p.opt_bool(line, |v| {
        format!("Invalid value '{v}' for global {kw} specified")
    }) {
        match kw.as_str() {
            "rs_init_notifies" => p.cfg.global.rs_init_notifies = b,
            "no_checker_emails" => p.cfg.global.no_checker_emails = b,
            _ => keep_raw(p, line),
        }
    }
}

fn startup_delay(p: &mut Parser, line: &Line) {
    match p.read_timer(line, 1, 1000, 0, true) {
        Some(v) => p.cfg.global.vrrp_startup_delay = Some(v),
        None if p.aborted.is_none() => {
            let msg = format!("vrrp_startup_delay '{}' is invalid", line.words[1].text);
            p.err(line, 1, msg);
        }
        None => {}
    }
}

fn vmac_prefix(p: &mut Parser, line: &Line) {
    if let Some(v) = p.word(line, 1) {
        p.cfg.global.vmac_prefix = Some(v.to_owned());
    }
}

fn umask(p: &mut Parser, line: &Line) {
    keep_raw(p, line);
    let Some(v) = line.words.get(1) else { return };
    if let Ok(n) = u32::from_str_radix(v.text.trim_start_matches('0'), 8) {
        p.cfg.global.umask = Some(n);
    } else if v.text.chars().all(|c| c == '0') {
        p.cfg.global.umask = Some(0);
    }
}

fn include_check(p: &mut Parser, line: &Line) {
    p.cfg.global.include_check = Some(line.words[1..].iter().map(|w| w.text.to_string()).collect());
}

/// `global_defs` keywords of keepalived 2.2.7 (Debian build: no iptables,
/// nftables, SNMP, DBus, BFD, JSON). 2.4-only keywords are deliberately
/// absent: 2.2.7 reports them as unknown and so must we.
pub static GLOBAL_DEFS: &[Kw] = &[
    Kw::new("process_names", process_names),
    Kw::new("process_name", process_name),
    Kw::new("vrrp_process_name", process_name),
    Kw::new("checker_process_name", process_name),
    Kw::new("lvs_process_name", lvs_process_name),
    Kw::new("bfd_process_name", process_name),
    Kw::new("router_id", router_id),
    Kw::new("notification_email_from", email_from),
    Kw::new("smtp_server", smtp_server),
    Kw::new("smtp_helo_name", smtp_helo_name),
    Kw::new("smtp_connect_timeout", smtp_connect_timeout),
    Kw::new("notification_email", notification_email),
    Kw::new("smtp_alert", smtp_alert),
    Kw::new("startup_script", startup_shutdown_script),
    Kw::new("startup_script_timeout", script_timeout),
    Kw::new("shutdown_script", startup_shutdown_script),
    Kw::new("shutdown_script_timeout", script_timeout),
    Kw::new("max_auto_priority", max_auto_priority),
    Kw::new("min_auto_priority_delay", min_auto_priority_delay),
    Kw::new("smtp_alert_vrrp", smtp_alert_vrrp),
    Kw::new("smtp_alert_checker", smtp_alert_checker),
    // Extensions (not in keepalived 2.2.7, which rejects them): SMTP AUTH
    // and TLS for alert mails; see README "Extensions".
    Kw::new("smtp_auth_user", smtp_auth_user),
    Kw::new("smtp_auth_pass", smtp_auth_pass),
    Kw::new("smtp_tls", smtp_tls),
    Kw::new("smtp_tls_ca", smtp_tls_ca),
    Kw::new("checker_log_all_failures", checker_log_all_failures),
    Kw::new("dynamic_interfaces", dynamic_interfaces),
    Kw::new("no_email_faults", flag_global),
    Kw::new("default_interface", default_interface),
    Kw::new("disable_local_igmp", raw0),
    Kw::new("lvs_timeouts", lvs_timeouts),
    Kw::new("lvs_flush", flag_global),
    Kw::new("lvs_flush_on_stop", lvs_flush_on_stop),
    Kw::new("lvs_flush_onstop", lvs_flush_on_stop),
    Kw::new("lvs_sync_daemon", lvs_sync_daemon),
    Kw::new("vrrp_mcast_group4", mcast_group),
    Kw::new("vrrp_mcast_group6", mcast_group),
    Kw::new("vrrp_garp_master_delay", garp_number),
    Kw::new("vrrp_garp_master_repeat", garp_number),
    Kw::new("vrrp_garp_master_refresh", garp_number),
    Kw::new("vrrp_garp_master_refresh_repeat", garp_number),
    Kw::new("vrrp_garp_lower_prio_delay", garp_number),
    Kw::new("vrrp_garp_lower_prio_repeat", garp_number),
    Kw::new("vrrp_down_timer_adverts", garp_number),
    Kw::new("vrrp_garp_interval", garp_interval),
    Kw::new("vrrp_gna_interval", garp_interval),
    Kw::new("vrrp_min_garp", vrrp_min_garp),
    Kw::new("vrrp_garp_extra_if", garp_extra_if),
    Kw::new("vrrp_vmac_garp_intvl", garp_extra_if),
    Kw::new("vrrp_lower_prio_no_advert", prio_bool),
    Kw::new("vrrp_higher_prio_send_advert", prio_bool),
    Kw::new("vrrp_version", vrrp_version),
    Kw::new("vrrp_iptables", vrrp_iptables),
    Kw::new("vrrp_ipsets", vrrp_iptables),
    Kw::new("nftables", nftables_name),
    Kw::new("nftables_priority", nftables_priority),
    Kw::new("nftables_ifindex", raw0),
    Kw::new("nftables_ipvs", nftables_name),
    Kw::new("nftables_ipvs_priority", nftables_priority),
    Kw::new("nftables_ipvs_start_fwmark", nftables_start_fwmark),
    Kw::new("nftables_counters", raw0),
    Kw::new("vrrp_check_unicast_src", flag_global),
    Kw::new("vrrp_skip_check_adv_addr", skip_check_adv_addr),
    Kw::new("vrrp_strict", vrrp_strict),
    Kw::new("vrrp_priority", process_priority),
    Kw::new("vrrp_no_swap", raw0),
    Kw::new("vrrp_rt_priority", rt_priority),
    Kw::new("vrrp_cpu_affinity", cpu_affinity),
    Kw::new("vrrp_rlimit_rttime", rlimit),
    Kw::new("vrrp_rlimit_rtime", rlimit),
    Kw::new("notify_fifo", fifo),
    Kw::new("notify_fifo_script", fifo_script),
    Kw::new("vrrp_notify_fifo", fifo),
    Kw::new("vrrp_notify_fifo_script", fifo_script),
    Kw::new("vrrp_notify_priority_changes", notify_priority_changes),
    Kw::new("fifo_write_vrrp_states_on_reload", raw0),
    Kw::new("lvs_notify_fifo", fifo),
    Kw::new("lvs_notify_fifo_script", fifo_script),
    Kw::new("checker_priority", process_priority),
    Kw::new("checker_no_swap", raw0),
    Kw::new("checker_rt_priority", rt_priority),
    Kw::new("checker_cpu_affinity", cpu_affinity),
    Kw::new("checker_rlimit_rttime", rlimit),
    Kw::new("checker_rlimit_rtime", rlimit),
    Kw::new("bfd_priority", process_priority),
    Kw::new("bfd_no_swap", raw0),
    Kw::new("bfd_rt_priority", rt_priority),
    Kw::new("bfd_cpu_affinity", cpu_affinity),
    Kw::new("bfd_rlimit_rttime", rlimit),
    Kw::new("bfd_rlimit_rtime", rlimit),
    Kw::new("snmp_socket", snmp_socket),
    Kw::new("enable_traps", snmp_flag),
    Kw::new("enable_snmp_vrrp", snmp_flag),
    Kw::new("enable_snmp_keepalived", snmp_flag),
    Kw::new("enable_snmp_rfc", snmp_flag),
    Kw::new("enable_snmp_rfcv2", snmp_flag),
    Kw::new("enable_snmp_rfcv3", snmp_flag),
    Kw::new("enable_snmp_checker", snmp_flag),
    Kw::new("enable_dbus", flag_global),
    Kw::new("dbus_service_name", dbus_service_name),
    Kw::new("script_user", script_user),
    Kw::new("enable_script_security", flag_global),
    Kw::new("vrrp_netlink_cmd_rcv_bufs", rcv_bufs),
    Kw::new("vrrp_netlink_cmd_rcv_bufs_force", rcv_bufs_force),
    Kw::new("vrrp_netlink_monitor_rcv_bufs", rcv_bufs),
    Kw::new("vrrp_netlink_monitor_rcv_bufs_force", rcv_bufs_force),
    Kw::new("process_monitor_rcv_bufs", rcv_bufs),
    Kw::new("process_monitor_rcv_bufs_force", rcv_bufs_force),
    Kw::new("lvs_netlink_cmd_rcv_bufs", rcv_bufs),
    Kw::new("lvs_netlink_cmd_rcv_bufs_force", rcv_bufs_force),
    Kw::new("lvs_netlink_monitor_rcv_bufs", rcv_bufs),
    Kw::new("lvs_netlink_monitor_rcv_bufs_force", rcv_bufs_force),
    Kw::new("rs_init_notifies", bool_opt_global),
    Kw::new("no_checker_emails", bool_opt_global),
    Kw::new("vrrp_rx_bufs_policy", rx_bufs_policy),
    Kw::new("vrrp_rx_bufs_multiplier", rx_bufs_multiplier),
    Kw::new("vrrp_startup_delay", startup_delay),
    Kw::new("log_unknown_vrids", flag_global),
    Kw::new("vmac_prefix", vmac_prefix),
    Kw::new("vmac_addr_prefix", vmac_prefix),
    Kw::new("umask", umask),
    Kw::new("random_seed", raw1),
    Kw::new("reload_check_config", raw0),
    Kw::new("reload_time_file", raw1),
    Kw::new("reload_repeat", raw0),
    Kw::new("reload_file", raw0),
    Kw::new("include_check", include_check),
    Kw::new("config_save_dir", raw1),
    Kw::new("tmp_config_directory", raw1),
    Kw::new("data_use_instance", raw0),
];
