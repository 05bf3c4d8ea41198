//! The typed configuration model every part of the daemon reads. Defaults
//! live next to the fields (`Default` impls), with keepalived's values.
//! Times are in microseconds (keepalived's `TIMER_HZ`), as `u64`.

use std::net::IpAddr;

use super::diag::Span;

/// A resolved `(uid, gid)`.
pub type UserInfoPair = (u32, u32);

/// Microseconds per second: keepalived keeps every timer in µs.
pub const TIMER_HZ: u64 = 1_000_000;

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub global: GlobalDefs,
    pub net_namespace: Option<String>,
    pub net_namespace_ipvs: Option<String>,
    pub instance_name: Option<String>,
    pub use_pid_dir: bool,
    pub namespace_with_ipsets: bool,
    pub linkbeat_use_polling: bool,
    /// Seconds the parent waits for children at shutdown (default 5).
    pub child_wait_time: Option<u32>,
    pub vrrp_scripts: Vec<VrrpScript>,
    pub track_files: Vec<TrackFile>,
    pub track_processes: Vec<TrackProcess>,
    pub sync_groups: Vec<SyncGroup>,
    pub vrrp_instances: Vec<VrrpInstance>,
    pub static_addresses: Vec<IpAddressLine>,
    pub static_routes: Vec<RouteLine>,
    pub static_rules: Vec<RuleLine>,
    pub track_groups: Vec<TrackGroup>,
    pub garp_groups: Vec<GarpGroup>,
    pub linkbeat_interfaces: Vec<(String, Option<String>)>,
    pub interface_up_down_delays: Vec<(String, u64, u64)>,
    pub bfd_instances: Vec<BfdInstance>,
    pub ssl: Option<SslCtx>,
    pub virtual_server_groups: Vec<VirtualServerGroup>,
    pub virtual_servers: Vec<VirtualServer>,
    /// Keywords parsed and kept but not acted on by this implementation.
    pub unsupported: Vec<RawKeyword>,
}

/// A keyword kept as words: rare keywords we parse and preserve for `-d`
/// but whose behaviour is not implemented (a note is emitted at load).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawKeyword {
    pub section: &'static str,
    pub words: Vec<String>,
    pub span: Span,
}

/// A command line for a script (`notify_*`, `script`, `misc_path`, …),
/// re-tokenised the keepalived way (section b.6).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    pub args: Vec<String>,
    /// `USER [GROUP]` after the command, when given.
    pub user: Option<String>,
    pub group: Option<String>,
    pub uid: u32,
    pub gid: u32,
    pub span: Option<Span>,
}

/// Extension: how alert mails are protected (`smtp_tls`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP, as keepalived.
    #[default]
    None,
    /// Plain connection upgraded with STARTTLS (RFC 3207) after EHLO.
    StartTls,
    /// TLS from the first byte (RFC 8314 implicit TLS, usually port 465).
    Tls,
}

impl SmtpTls {
    /// The keyword's value.
    pub fn word(self) -> &'static str {
        match self {
            SmtpTls::None => "none",
            SmtpTls::StartTls => "starttls",
            SmtpTls::Tls => "tls",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct GlobalDefs {
    pub router_id: Option<String>,
    pub notification_email: Vec<String>,
    pub notification_email_from: Option<String>,
    pub smtp_server: Option<(String, u16)>,
    pub smtp_helo_name: Option<String>,
    /// Seconds (default 30).
    pub smtp_connect_timeout: Option<u32>,
    pub smtp_alert: Option<bool>,
    pub smtp_alert_vrrp: Option<bool>,
    pub smtp_alert_checker: Option<bool>,
    /// Extension (not in keepalived): `smtp_auth_user USER`.
    pub smtp_auth_user: Option<String>,
    /// Extension: `smtp_auth_pass PASS` (needs `smtp_auth_user`).
    pub smtp_auth_pass: Option<String>,
    /// Extension: `smtp_tls none|starttls|tls` (default none).
    pub smtp_tls: SmtpTls,
    /// Extension: `smtp_tls_ca FILE`, the PEM roots the server's
    /// certificate is verified against (default: the system bundle).
    pub smtp_tls_ca: Option<String>,
    pub no_email_faults: bool,
    pub checker_log_all_failures: bool,
    pub script_user: Option<(String, Option<String>)>,
    pub script_security: bool,
    pub startup_script: Option<Script>,
    pub shutdown_script: Option<Script>,
    pub startup_script_timeout: Option<u32>,
    pub shutdown_script_timeout: Option<u32>,
    pub dynamic_interfaces: bool,
    pub default_interface: Option<String>,
    pub vrrp_version: Option<u8>,
    pub vrrp_mcast_group4: Option<IpAddr>,
    pub vrrp_mcast_group6: Option<IpAddr>,
    /// Seconds (default 5).
    pub vrrp_garp_master_delay: Option<u32>,
    pub vrrp_garp_master_repeat: Option<u32>,
    pub vrrp_garp_master_refresh: Option<u32>,
    pub vrrp_garp_master_refresh_repeat: Option<u32>,
    pub vrrp_garp_lower_prio_delay: Option<u32>,
    pub vrrp_garp_lower_prio_repeat: Option<u32>,
    /// µs between GARPs on one interface.
    pub vrrp_garp_interval: Option<u64>,
    pub vrrp_gna_interval: Option<u64>,
    pub vrrp_min_garp: bool,
    pub vrrp_down_timer_adverts: Option<u32>,
    pub vrrp_lower_prio_no_advert: Option<bool>,
    pub vrrp_higher_prio_send_advert: Option<bool>,
    pub vrrp_check_unicast_src: bool,
    pub vrrp_skip_check_adv_addr: bool,
    pub vrrp_strict: bool,
    pub vrrp_startup_delay: Option<u64>,
    pub log_unknown_vrids: bool,
    pub vmac_prefix: Option<String>,
    pub lvs_flush: bool,
    pub lvs_flush_on_stop: bool,
    /// `lvs_flush_on_stop VS`: delete each virtual server (not the whole
    /// IPVS table) at stop; only meaningful with `lvs_flush_on_stop`.
    pub lvs_flush_on_stop_vs: bool,
    pub lvs_timeouts: Option<(Option<u32>, Option<u32>, Option<u32>)>,
    pub lvs_sync_daemon: Option<LvsSyncDaemon>,
    pub notify_fifo: Option<Fifo>,
    pub vrrp_notify_fifo: Option<Fifo>,
    pub lvs_notify_fifo: Option<Fifo>,
    pub vrrp_notify_priority_changes: bool,
    pub max_auto_priority: Option<i32>,
    pub umask: Option<u32>,
    pub enable_snmp: bool,
    pub enable_dbus: bool,
    pub rs_init_notifies: bool,
    pub no_checker_emails: bool,
    pub include_check: Option<Vec<String>>,
    /// `process_name`, `vrrp_process_name`, … (also kept raw for `-d`).
    pub process_names: ProcessNames,
}

/// The names (`comm`, at most 15 bytes) each process gives itself, from
/// `process_name`, `vrrp_process_name`, `checker_process_name` (or
/// `lvs_process_name`), `bfd_process_name` and `process_names`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessNames {
    pub parent: Option<String>,
    pub vrrp: Option<String>,
    pub checker: Option<String>,
    /// Accepted and kept; this implementation has no BFD process.
    pub bfd: Option<String>,
}

/// Which process of the daemon a [`ProcessNames`] question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedProcess {
    Parent,
    Vrrp,
    Checker,
}

impl ProcessNames {
    /// The longest name the kernel keeps (`TASK_COMM_LEN` - 1).
    pub const MAX_LEN: usize = 15;

    /// The name `which` takes when it starts, if any. keepalived's children
    /// are forked after the parent renamed itself, so a child without a
    /// name of its own carries the parent's (ours are re-executed, hence
    /// the explicit fallback).
    pub fn at_start(&self, which: NamedProcess) -> Option<&str> {
        let own = match which {
            NamedProcess::Parent => None,
            NamedProcess::Vrrp => self.vrrp.as_deref(),
            NamedProcess::Checker => self.checker.as_deref(),
        };
        own.or(self.parent.as_deref())
    }

    /// The name `which` takes after a reload from `self` to `new`: only a
    /// change of its own keyword renames it, and a removed keyword means
    /// "keepalived" again (keepalived's `set_process_name(NULL)`).
    pub fn at_reload<'a>(&self, new: &'a ProcessNames, which: NamedProcess) -> Option<&'a str> {
        let pick = |n: &'a ProcessNames| match which {
            NamedProcess::Parent => n.parent.as_deref(),
            NamedProcess::Vrrp => n.vrrp.as_deref(),
            NamedProcess::Checker => n.checker.as_deref(),
        };
        let old = match which {
            NamedProcess::Parent => self.parent.as_deref(),
            NamedProcess::Vrrp => self.vrrp.as_deref(),
            NamedProcess::Checker => self.checker.as_deref(),
        };
        let now = pick(new);
        (old != now).then_some(now.unwrap_or("keepalived"))
    }

    /// `name` cut to [`Self::MAX_LEN`] bytes (on a character boundary), as
    /// keepalived stores it.
    pub fn truncate(name: &str) -> String {
        let mut end = name.len().min(Self::MAX_LEN);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name[..end].to_string()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fifo {
    pub path: String,
    pub script: Option<Script>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LvsSyncDaemon {
    pub interface: String,
    pub vrrp_instance: Option<String>,
    pub id: Option<u32>,
    pub maxlen: Option<u16>,
    pub port: Option<u16>,
    pub ttl: Option<u8>,
    pub group: Option<IpAddr>,
}

/// `vrrp_script NAME { … }`.
#[derive(Debug, Clone, Default)]
pub struct VrrpScript {
    pub name: String,
    pub span: Option<Span>,
    pub script: Option<Script>,
    /// µs (default 1 s).
    pub interval: u64,
    /// µs (default: interval).
    pub timeout: Option<u64>,
    pub weight: i32,
    pub weight_reverse: bool,
    pub rise: u32,
    pub fall: u32,
    pub user: Option<(String, Option<String>)>,
    pub init_fail: bool,
    /// Dropped by validation (no script, bad user…): kept for messages.
    pub removed: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TrackFile {
    pub name: String,
    pub span: Option<Span>,
    pub file: Option<String>,
    pub weight: i32,
    pub weight_reverse: bool,
    pub init_file: Option<(i64, bool)>,
    pub deprecated_vrrp_prefix: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TrackProcess {
    pub name: String,
    pub span: Option<Span>,
    pub process: Option<Vec<String>>,
    pub param_match: Option<String>,
    pub weight: i32,
    pub weight_reverse: bool,
    pub quorum: u32,
    pub quorum_max: Option<u32>,
    pub fork_delay: u64,
    pub terminate_delay: u64,
    pub full_command: bool,
}

/// A tracked object reference with an optional weight override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackRef {
    pub name: String,
    pub weight: Option<i32>,
    pub reverse: bool,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct SyncGroup {
    pub name: String,
    pub span: Option<Span>,
    pub members: Option<Vec<(String, Span)>>,
    pub track_interfaces: Vec<TrackRef>,
    pub track_scripts: Vec<TrackRef>,
    pub track_files: Vec<TrackRef>,
    pub track_processes: Vec<TrackRef>,
    pub track_bfds: Vec<TrackRef>,
    pub notify_master: Option<Script>,
    pub notify_backup: Option<Script>,
    pub notify_fault: Option<Script>,
    pub notify_stop: Option<Script>,
    pub notify: Option<Script>,
    pub smtp_alert: Option<bool>,
    pub tracking_weight: bool,
    pub notify_priority_changes: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InitialState {
    #[default]
    Unset,
    Master,
    Backup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthType {
    Pass,
    Ah,
}

#[derive(Debug, Clone, Default)]
pub struct VrrpInstance {
    pub name: String,
    pub span: Option<Span>,
    pub state: InitialState,
    pub interface: Option<String>,
    pub interface_span: Option<Span>,
    pub vrid: Option<u8>,
    /// Configured priority; `None` = default (100, or 255 with `state MASTER`).
    pub priority: Option<u8>,
    /// µs (default 1 s).
    pub advert_int: Option<u64>,
    pub version: Option<u8>,
    pub vips: Vec<IpAddressLine>,
    pub evips: Vec<IpAddressLine>,
    pub vroutes: Vec<RouteLine>,
    pub vrules: Vec<RuleLine>,
    pub no_virtual_ipaddress: bool,
    pub auth: Option<(AuthType, Option<String>)>,
    pub auth_span: Option<Span>,
    /// `auth_pass` given before any `auth_type`.
    pub auth_pass_only: Option<String>,
    pub nopreempt: bool,
    /// µs.
    pub preempt_delay: Option<u64>,
    pub mcast_src_ip: Option<IpAddr>,
    pub unicast_src_ip: Option<IpAddr>,
    pub unicast_peers: Vec<UnicastPeer>,
    pub unicast_configured: bool,
    pub unicast_ttl: Option<u8>,
    pub mcast_dst_ip: Option<IpAddr>,
    pub dont_track_primary: bool,
    pub track_interfaces: Vec<TrackRef>,
    pub track_scripts: Vec<TrackRef>,
    pub track_files: Vec<TrackRef>,
    pub track_processes: Vec<TrackRef>,
    pub track_bfds: Vec<TrackRef>,
    pub use_vmac: Option<VmacConfig>,
    pub vmac_xmit_base: bool,
    pub use_vmac_addr: bool,
    pub accept: Option<bool>,
    pub strict_mode: Option<bool>,
    pub skip_check_adv_addr: bool,
    pub notify_master: Option<Script>,
    pub notify_backup: Option<Script>,
    pub notify_fault: Option<Script>,
    pub notify_stop: Option<Script>,
    pub notify_deleted: Option<Option<Script>>,
    pub notify: Option<Script>,
    pub notify_master_rx_lower_pri: Option<Script>,
    pub smtp_alert: Option<bool>,
    pub notify_priority_changes: Option<bool>,
    pub garp_master_delay: Option<u32>,
    pub garp_master_repeat: Option<u32>,
    pub garp_master_refresh: Option<u32>,
    pub garp_master_refresh_repeat: Option<u32>,
    pub garp_lower_prio_delay: Option<u32>,
    pub garp_lower_prio_repeat: Option<u32>,
    pub down_timer_adverts: Option<u32>,
    pub lower_prio_no_advert: Option<bool>,
    pub higher_prio_send_advert: Option<bool>,
    pub promote_secondaries: bool,
    pub track_src_ip: bool,
    pub debug: u32,
    /// Address family fixed by the first address seen (VIP, src, peer).
    pub family: Option<Family>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub fn of(ip: &IpAddr) -> Family {
        if ip.is_ipv4() { Family::V4 } else { Family::V6 }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VmacConfig {
    pub ifname: Option<String>,
    pub mac: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnicastPeer {
    pub addr: IpAddr,
    pub min_ttl: Option<u8>,
    pub max_ttl: Option<u8>,
}

/// One line of an address block (`ip addr add` syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpAddressLine {
    pub addr: IpAddr,
    pub prefix: u8,
    pub dev: Option<String>,
    pub brd: Option<String>,
    pub scope: Option<String>,
    pub label: Option<String>,
    pub peer: Option<IpAddr>,
    pub no_track: bool,
    pub use_vmac: bool,
    /// Other option words kept verbatim (`home`, `-nodad`, `preferred_lft …`).
    pub options: Vec<String>,
    pub span: Span,
}

/// One line of a route block, kept as words after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteLine {
    pub words: Vec<String>,
    pub dev: Option<String>,
    pub span: Span,
}

/// One line of a rule block, kept as words after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleLine {
    pub words: Vec<String>,
    /// The preference keepalived assigns to a rule without one (counting
    /// down from 16384 per family, in configuration order).
    pub auto_pref: Option<u32>,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct TrackGroup {
    pub name: String,
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct GarpGroup {
    pub garp_interval: Option<u64>,
    pub gna_interval: Option<u64>,
    pub interfaces: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct BfdInstance {
    pub name: String,
    pub span: Option<Span>,
    pub neighbor: Option<IpAddr>,
    pub source: Option<IpAddr>,
    pub raw: Vec<RawKeyword>,
}

#[derive(Debug, Clone, Default)]
pub struct SslCtx {
    pub password: Option<String>,
    pub ca: Option<String>,
    pub certificate: Option<String>,
    pub key: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct VirtualServerGroup {
    pub name: String,
    pub span: Option<Span>,
    pub entries: Vec<VsgEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VsgEntry {
    /// `IP[-LAST] [PORT]` (range end is the last address, inclusive).
    Range {
        first: IpAddr,
        last: IpAddr,
        port: u16,
    },
    Fwmark {
        mark: u32,
        family: Option<Family>,
    },
}

/// What a `virtual_server` line names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VsAddr {
    Ip { addr: IpAddr, port: u16 },
    Fwmark { mark: u32 },
    Group { name: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forwarding {
    Nat,
    Dr,
    Tun {
        kind: Option<TunType>,
        port: Option<u16>,
        csum: Option<TunCsum>,
    },
}

/// A tunnel's `type` word. An enum, not a string, so that a
/// [`Forwarding`] (inline in every real server) stays a few bytes; it
/// dereferences to its keyword so that it reads like the word it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TunType {
    Ipip,
    Gue,
    Gre,
}

impl TunType {
    /// The keyword (`ipip`, `gue`, `gre`).
    pub fn word(self) -> &'static str {
        match self {
            TunType::Ipip => "ipip",
            TunType::Gue => "gue",
            TunType::Gre => "gre",
        }
    }
}

/// A tunnel's checksum word (see [`TunType`] for why an enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TunCsum {
    NoCsum,
    Csum,
    RemCsum,
}

impl TunCsum {
    /// The keyword (`nocsum`, `csum`, `remcsum`).
    pub fn word(self) -> &'static str {
        match self {
            TunCsum::NoCsum => "nocsum",
            TunCsum::Csum => "csum",
            TunCsum::RemCsum => "remcsum",
        }
    }
}

impl std::ops::Deref for TunType {
    type Target = str;
    fn deref(&self) -> &str {
        self.word()
    }
}

impl std::ops::Deref for TunCsum {
    type Target = str;
    fn deref(&self) -> &str {
        self.word()
    }
}

impl std::fmt::Display for TunType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word())
    }
}

impl std::fmt::Display for TunCsum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word())
    }
}

/// A `virtual_server`. What most virtual servers set (or what validation
/// fills in for all of them) is inline; the rest is in [`VsOpts`],
/// allocated only when one of its keywords is given.
#[derive(Debug, Clone)]
pub struct VirtualServer {
    pub addr: VsAddr,
    pub span: Option<Span>,
    pub delay_loop: u64,
    pub lb_algo: Option<String>,
    pub lb_kind: Option<Forwarding>,
    pub protocol: Option<Protocol>,
    pub persistence_timeout: Option<u32>,
    pub quorum: u32,
    pub hysteresis: u32,
    pub alpha: bool,
    pub omega: bool,
    pub inhibit_on_failure: bool,
    pub ha_suspend: bool,
    pub weight: i32,
    pub smtp_alert: Option<bool>,
    pub ip_family: Option<Family>,
    /// Validation has filled in its real servers' settings; from then on
    /// they also inherit its timing settings (`RealServer::*_in`), which
    /// keepalived copies into each real server at that point.
    pub validated: bool,
    pub real_servers: Vec<RealServer>,
    /// The rarely set settings (see [`VirtualServer::opts`]).
    pub opts: Option<Box<VsOpts>>,
}

/// The settings few virtual servers have (see [`VirtualServer::opts`]).
#[derive(Debug, Clone, Default)]
pub struct VsOpts {
    pub persistence_granularity: Option<String>,
    pub persistence_engine: Option<String>,
    pub sorry_server: Option<Box<RealServer>>,
    pub sorry_server_inhibit: bool,
    pub sorry_server_lvs_method: Option<Forwarding>,
    pub quorum_up: Option<Box<Script>>,
    pub quorum_down: Option<Box<Script>>,
    pub connect_timeout: Option<u64>,
    pub retry: Option<u32>,
    pub delay_before_retry: Option<u64>,
    pub warmup: Option<u64>,
    pub virtualhost: Option<String>,
    pub flags: Vec<String>,
    /// `snmp_name` (SNMP checker builds).
    pub snmp_name: Option<String>,
}

impl VirtualServer {
    pub fn new(addr: VsAddr, span: Option<Span>) -> Self {
        VirtualServer {
            addr,
            span,
            delay_loop: 60 * TIMER_HZ,
            lb_algo: None,
            lb_kind: None,
            protocol: None,
            persistence_timeout: None,
            quorum: 1,
            hysteresis: 0,
            alpha: false,
            omega: false,
            inhibit_on_failure: false,
            ha_suspend: false,
            weight: 1,
            smtp_alert: None,
            ip_family: None,
            validated: false,
            real_servers: Vec::new(),
            opts: None,
        }
    }

    /// The rarely set settings (defaults when none were given).
    pub fn opts(&self) -> &VsOpts {
        static NONE: std::sync::LazyLock<VsOpts> = std::sync::LazyLock::new(VsOpts::default);
        self.opts.as_deref().unwrap_or(&NONE)
    }

    /// The rarely set settings, allocated on first write.
    pub fn opts_mut(&mut self) -> &mut VsOpts {
        self.opts.get_or_insert_with(Default::default)
    }
}

/// A `real_server`. Large LVS configurations have tens of thousands, so
/// only what most set, or what validation fills in for every one (weight,
/// method, the inherited flags), is inline; the rest is in [`RsOpts`].
/// The timing settings (`retry`, `delay_loop`, …) stay as written: a
/// checker's effective values are filled in on the checker itself.
#[derive(Debug, Clone)]
pub struct RealServer {
    pub addr: IpAddr,
    pub port: u16,
    pub span: Option<Span>,
    pub weight: Option<i32>,
    pub lvs_method: Option<Forwarding>,
    pub inhibit_on_failure: Option<bool>,
    pub alpha: Option<bool>,
    pub smtp_alert: Option<bool>,
    pub checkers: Vec<Checker>,
    /// The rarely set settings (see [`RealServer::opts`]).
    pub opts: Option<Box<RsOpts>>,
}

/// The settings few real servers have (see [`RealServer::opts`]).
#[derive(Debug, Clone, Default)]
pub struct RsOpts {
    pub notify_up: Option<Box<Script>>,
    pub notify_down: Option<Box<Script>>,
    pub uthreshold: Option<u32>,
    pub lthreshold: Option<u32>,
    pub retry: Option<u32>,
    pub delay_before_retry: Option<u64>,
    pub warmup: Option<u64>,
    pub connect_timeout: Option<u64>,
    pub delay_loop: Option<u64>,
    pub virtualhost: Option<String>,
    /// `snmp_name` (SNMP checker builds).
    pub snmp_name: Option<String>,
}

impl RealServer {
    pub fn new(addr: IpAddr, port: u16, span: Option<Span>) -> Self {
        RealServer {
            addr,
            port,
            span,
            weight: None,
            lvs_method: None,
            inhibit_on_failure: None,
            alpha: None,
            smtp_alert: None,
            checkers: Vec::new(),
            opts: None,
        }
    }

    /// The rarely set settings (defaults when none were given).
    pub fn opts(&self) -> &RsOpts {
        static NONE: std::sync::LazyLock<RsOpts> = std::sync::LazyLock::new(RsOpts::default);
        self.opts.as_deref().unwrap_or(&NONE)
    }

    /// The rarely set settings, allocated on first write.
    pub fn opts_mut(&mut self) -> &mut RsOpts {
        self.opts.get_or_insert_with(Default::default)
    }

    /// `connect_timeout` as keepalived fills it in: the real server's, else
    /// the virtual server's, else 5 s.
    pub fn connect_timeout_in(&self, vs: &VirtualServer) -> u64 {
        self.opts()
            .connect_timeout
            .or(vs.opts().connect_timeout)
            .unwrap_or(5 * TIMER_HZ)
    }

    /// `delay_loop` as keepalived fills it in: the real server's, else the
    /// virtual server's.
    pub fn delay_loop_in(&self, vs: &VirtualServer) -> u64 {
        self.opts().delay_loop.unwrap_or(vs.delay_loop)
    }

    /// `retry` as keepalived fills it in: the real server's, else the
    /// virtual server's, if any.
    pub fn retry_in(&self, vs: &VirtualServer) -> Option<u32> {
        self.opts().retry.or(vs.opts().retry)
    }

    /// `warmup` as keepalived fills it in (see [`Self::retry_in`]).
    pub fn warmup_in(&self, vs: &VirtualServer) -> Option<u64> {
        self.opts().warmup.or(vs.opts().warmup)
    }

    /// `delay_before_retry` as keepalived fills it in (see [`Self::retry_in`]).
    pub fn delay_before_retry_in(&self, vs: &VirtualServer) -> Option<u64> {
        self.opts()
            .delay_before_retry
            .or(vs.opts().delay_before_retry)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckerKind {
    HttpGet,
    SslGet,
    Tcp,
    Misc,
    Smtp,
    Dns,
    Udp,
    Ping,
    File,
    Bfd,
}

/// Connection parameters shared by the network checkers. The port and
/// timeout are common; the rest is in [`ConnExt`], allocated when set.
#[derive(Debug, Clone, Default, Eq)]
pub struct ConnOpts {
    pub connect_port: Option<u16>,
    pub connect_timeout: Option<u64>,
    /// The rarely set options (see [`ConnOpts::ext`]).
    pub ext: Option<Box<ConnExt>>,
}

/// The connection options few checkers set (see [`ConnOpts::ext`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnExt {
    pub connect_ip: Option<IpAddr>,
    pub bindto: Option<IpAddr>,
    pub bind_port: Option<u16>,
    pub bind_if: Option<String>,
    pub fwmark: Option<u32>,
}

impl ConnOpts {
    /// The rarely set options (defaults when none were given).
    pub fn ext(&self) -> &ConnExt {
        static NONE: ConnExt = ConnExt {
            connect_ip: None,
            bindto: None,
            bind_port: None,
            bind_if: None,
            fwmark: None,
        };
        self.ext.as_deref().unwrap_or(&NONE)
    }

    /// The rarely set options, allocated on first write.
    pub fn ext_mut(&mut self) -> &mut ConnExt {
        self.ext.get_or_insert_with(Default::default)
    }
}

/// By value: an allocated [`ConnExt`] holding only defaults equals none.
impl PartialEq for ConnOpts {
    fn eq(&self, other: &Self) -> bool {
        self.connect_port == other.connect_port
            && self.connect_timeout == other.connect_timeout
            && self.ext() == other.ext()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Url {
    pub path: Option<String>,
    pub digest: Option<String>,
    /// Accepted status codes as inclusive ranges; empty = 200-299.
    pub status_codes: Vec<(u16, u16)>,
    pub virtualhost: Option<String>,
    pub regex: Option<String>,
    pub regex_no_match: bool,
    /// `regex_options` words keepalived recognises (PCRE2 option names).
    pub regex_options: Vec<String>,
    pub regex_min_offset: Option<u64>,
    /// As written (keepalived stores it plus one internally).
    pub regex_max_offset: Option<u64>,
    /// `regex_stack START MAX` (JIT stack sizes).
    pub regex_stack: Option<(u64, u64)>,
    pub span: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct Checker {
    pub kind: CheckerKind,
    pub span: Option<Span>,
    pub conn: ConnOpts,
    pub retry: Option<u32>,
    pub delay_before_retry: Option<u64>,
    pub warmup: Option<u64>,
    pub delay_loop: Option<u64>,
    pub alpha: Option<bool>,
    pub log_all_failures: Option<bool>,
    /// The checker was dropped while its block was being read (keepalived
    /// stops applying that block's keywords); removed when the block ends.
    pub discarded: bool,
    /// Type-specific and rarely set settings, allocated only when a checker
    /// has any: most checkers (TCP_CHECK) have none, and large LVS
    /// configurations have tens of thousands of checkers.
    pub ext: Option<Box<CheckerExt>>,
}

/// The settings only some checker types use, or few checkers set (see
/// [`Checker::ext`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckerExt {
    pub virtualhost: Option<String>,
    pub user: Option<(String, Option<String>)>,
    pub urls: Vec<Url>,
    pub http_protocol: Option<String>,
    pub enable_sni: bool,
    pub fast_recovery: bool,
    pub misc_path: Option<Script>,
    pub misc_timeout: Option<u64>,
    pub misc_dynamic: bool,
    pub helo_name: Option<String>,
    pub dns_type: Option<String>,
    pub dns_name: Option<String>,
    pub udp_payload: Option<String>,
    pub udp_require_reply: Option<String>,
    pub udp_min_reply_length: Option<u32>,
    pub udp_max_reply_length: Option<u32>,
    pub track_file: Option<String>,
    pub file_weight: Option<(i32, bool)>,
    pub bfd_name: Option<String>,
    /// `SMTP_CHECK host { … }` extra targets.
    pub hosts: Vec<ConnOpts>,
}

impl Checker {
    pub fn new(kind: CheckerKind, span: Option<Span>) -> Self {
        Checker {
            kind,
            span,
            conn: ConnOpts::default(),
            retry: None,
            delay_before_retry: None,
            warmup: None,
            delay_loop: None,
            alpha: None,
            log_all_failures: None,
            discarded: false,
            ext: None,
        }
    }

    /// Type-specific settings (defaults when none were given).
    pub fn ext(&self) -> &CheckerExt {
        static NONE: std::sync::LazyLock<CheckerExt> =
            std::sync::LazyLock::new(CheckerExt::default);
        self.ext.as_deref().unwrap_or(&NONE)
    }

    /// Type-specific settings, allocated on first write.
    pub fn ext_mut(&mut self) -> &mut CheckerExt {
        self.ext.get_or_insert_with(Default::default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_are_allocated_on_first_write_only() {
        let mut rs = RealServer::new("192.0.2.1".parse().unwrap(), 80, None);
        assert_eq!(rs.opts().delay_loop, None);
        assert!(rs.opts.is_none());
        rs.opts_mut().delay_loop = Some(TIMER_HZ);
        assert_eq!(rs.opts().delay_loop, Some(TIMER_HZ));

        let mut vs = VirtualServer::new(VsAddr::Fwmark { mark: 1 }, None);
        assert!(vs.opts().flags.is_empty() && vs.opts.is_none());
        vs.opts_mut().retry = Some(3);
        assert_eq!(vs.opts().retry, Some(3));
    }

    #[test]
    fn inherited_timings_follow_keepalived_defaults() {
        let mut vs = VirtualServer::new(VsAddr::Fwmark { mark: 1 }, None);
        let mut rs = RealServer::new("192.0.2.1".parse().unwrap(), 80, None);
        assert_eq!(rs.connect_timeout_in(&vs), 5 * TIMER_HZ);
        assert_eq!(rs.delay_loop_in(&vs), 60 * TIMER_HZ);
        assert_eq!((rs.retry_in(&vs), rs.warmup_in(&vs)), (None, None));
        vs.opts_mut().connect_timeout = Some(7);
        vs.opts_mut().retry = Some(2);
        assert_eq!((rs.connect_timeout_in(&vs), rs.retry_in(&vs)), (7, Some(2)));
        rs.opts_mut().connect_timeout = Some(3);
        rs.opts_mut().retry = Some(9);
        assert_eq!((rs.connect_timeout_in(&vs), rs.retry_in(&vs)), (3, Some(9)));
    }

    #[test]
    fn conn_opts_compare_by_value() {
        let mut a = ConnOpts::default();
        a.ext_mut().bind_if = None;
        assert!(a.ext.is_some());
        assert_eq!(a, ConnOpts::default());
        a.ext_mut().fwmark = Some(1);
        assert_ne!(a, ConnOpts::default());
    }

    #[test]
    fn tunnel_words_read_as_keywords() {
        let f = Forwarding::Tun {
            kind: Some(TunType::Gue),
            port: Some(6080),
            csum: Some(TunCsum::RemCsum),
        };
        let Forwarding::Tun { kind, csum, .. } = &f else {
            unreachable!()
        };
        assert_eq!(kind.as_deref(), Some("gue"));
        assert_eq!(csum.map(|c| c.to_string()).as_deref(), Some("remcsum"));
        assert_eq!(&*TunType::Ipip, "ipip");
        assert_eq!(TunCsum::NoCsum.word(), "nocsum");
        // Inline in every real server: a few bytes, not three strings.
        assert!(size_of::<Option<Forwarding>>() <= 8);
    }
}
