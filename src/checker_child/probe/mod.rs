//! One attempt of one checker against one real server: the "probe" the
//! checker FSM (retries, delays, up/down decisions) calls once per run.
//!
//! Each probe is bounded by its own timeouts and reports a [`ProbeOutcome`];
//! the failure text is the one keepalived 2.2.7 logs for that failure (with
//! `log_all_failures`), so the caller only decides *whether* to log it.
//! The protocol parts (HTTP request bytes, response parsing and digest, DNS
//! query encoding, SMTP status lines) are pure functions tested without
//! sockets; the socket handling lives in [`connect`].

pub mod connect;
pub mod dns;
pub mod http;
pub mod misc;
pub mod ping;
pub mod smtp;
pub mod tcp;
pub mod tls;
pub mod udp;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::config::model::{Checker, CheckerKind, RealServer, TIMER_HZ, VirtualServer};
use crate::config::parser::lvs::{fmt_rs, fmt_vs};

/// How one probe attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    Up,
    /// The failure as keepalived logs it with log_all_failures (e.g. "TCP
    /// connection to [192.0.2.2]:tcp:80 failed."); the caller decides whether
    /// to log.
    Down(String),
    /// MISC_CHECK with misc_dynamic: the script's exit code (weight = code - 2
    /// when > 1).
    Dynamic(i32),
    /// The attempt could not be made (PING_CHECK without a socket):
    /// keepalived logs this text and tries again a delay_loop later, leaving
    /// the checker's state as it was.
    NotRun(String),
}

/// Where and how a probe connects: keepalived's `conn_opts_t` resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub dst: SocketAddr,
    /// `bindto`/`bind_port`; a port alone binds the wildcard address of the
    /// destination's family.
    pub bind: Option<SocketAddr>,
    pub bind_if: Option<String>,
    pub fwmark: Option<u32>,
    pub timeout: Duration,
}

/// Everything a probe needs, resolved from the configuration
/// (connect_ip/port defaults to the real server's, connect_timeout from
/// checker → real server → virtual server → 5 s).
#[derive(Debug, Clone)]
pub struct ProbeSpec {
    kind: Kind,
    target: Target,
    /// keepalived's `FMT_CHK()`: the real server as `[ip]:proto:port` (not
    /// the connect address).
    rs_label: String,
    vs_label: String,
}

#[derive(Debug, Clone)]
enum Kind {
    Tcp,
    Http(Box<http::HttpSpec>),
    Misc(Box<misc::MiscSpec>),
    Smtp(String),
    Dns(dns::DnsQuery),
    Udp(Box<udp::UdpSpec>),
    Ping,
    /// A checker type this module does not probe (FILE, BFD): its
    /// outcome comes from elsewhere or is not implemented yet.
    Unsupported(CheckerKind),
}

/// The connect timeout keepalived uses when none is configured.
const DEFAULT_CONNECT_TIMEOUT: u64 = 5 * TIMER_HZ;
/// keepalived's default SMTP_CHECK `helo_name`.
pub const DEFAULT_HELO_NAME: &str = "smtpchecker.keepalived.org";

/// Resolves `ck` of `rs` in `vs` into a [`ProbeSpec`].
pub fn probe_spec(vs: &VirtualServer, rs: &RealServer, ck: &Checker) -> ProbeSpec {
    let ext = ck.ext();
    let kind = match ck.kind {
        CheckerKind::Tcp => Kind::Tcp,
        CheckerKind::HttpGet | CheckerKind::SslGet => {
            Kind::Http(Box::new(http::HttpSpec::resolve(vs, rs, ck)))
        }
        CheckerKind::Misc => match ext.misc_path.as_ref() {
            Some(script) => Kind::Misc(Box::new(misc::MiscSpec::resolve(vs, ck, script))),
            None => Kind::Unsupported(CheckerKind::Misc),
        },
        CheckerKind::Smtp => Kind::Smtp(
            ext.helo_name
                .clone()
                .unwrap_or_else(|| DEFAULT_HELO_NAME.to_string()),
        ),
        CheckerKind::Dns => Kind::Dns(dns::DnsQuery::resolve(
            ext.dns_type.as_deref(),
            ext.dns_name.as_deref(),
        )),
        CheckerKind::Udp => Kind::Udp(Box::new(udp::UdpSpec::resolve(ext))),
        CheckerKind::Ping => Kind::Ping,
        other => Kind::Unsupported(other),
    };
    ProbeSpec {
        kind,
        target: target(vs, rs, ck),
        rs_label: fmt_rs(rs, vs),
        vs_label: fmt_vs(vs),
    }
}

/// Where and how `ck` of `rs` in `vs` connects.
pub fn target(vs: &VirtualServer, rs: &RealServer, ck: &Checker) -> Target {
    let timeout_us = ck
        .conn
        .connect_timeout
        .or(rs.opts().connect_timeout)
        .or(vs.opts().connect_timeout)
        .unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    let dst_ip = ck.conn.ext().connect_ip.unwrap_or(rs.addr);
    let dst = SocketAddr::new(dst_ip, ck.conn.connect_port.unwrap_or(rs.port));
    let bind = match (ck.conn.ext().bindto, ck.conn.ext().bind_port) {
        (Some(ip), port) => Some(SocketAddr::new(ip, port.unwrap_or(0))),
        (None, Some(port)) => Some(SocketAddr::new(unspecified_like(dst_ip), port)),
        (None, None) => None,
    };
    Target {
        dst,
        bind,
        bind_if: ck.conn.ext().bind_if.clone(),
        fwmark: ck.conn.ext().fwmark.filter(|m| *m != 0),
        timeout: Duration::from_micros(timeout_us),
    }
}

fn unspecified_like(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => IpAddr::from([0u8; 4]),
        IpAddr::V6(_) => IpAddr::from([0u16; 8]),
    }
}

impl ProbeSpec {
    /// The resolved `connect_timeout`.
    pub fn connect_timeout(&self) -> Duration {
        self.target.timeout
    }

    /// Where the probe connects.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// keepalived's `FMT_CHK()` text for this checker (`[ip]:tcp:port`).
    pub fn rs_label(&self) -> &str {
        &self.rs_label
    }
}

/// Runs one probe attempt, bounded by its own timeouts.
///
/// Every probe but TCP_CHECK's runs boxed: an `async fn` is as large as its
/// largest branch, and the TLS stream, the SMTP/DNS/ICMP buffers made this
/// one several kilobytes for every probe in flight. With 10,000 TCP_CHECKs
/// started within a second of each other that was most of the checker's peak
/// memory; boxed, a TCP_CHECK costs only its own small state.
pub async fn run(spec: &ProbeSpec) -> ProbeOutcome {
    match &spec.kind {
        Kind::Tcp => tcp::probe(&spec.target, &spec.rs_label).await,
        Kind::Http(h) => Box::pin(http::probe(&spec.target, &spec.rs_label, h)).await,
        Kind::Misc(m) => Box::pin(misc::probe(m, &spec.rs_label, &spec.vs_label)).await,
        Kind::Smtp(helo) => Box::pin(smtp::probe(&spec.target, helo)).await,
        Kind::Dns(q) => Box::pin(dns::probe(&spec.target, &spec.rs_label, q)).await,
        Kind::Udp(u) => Box::pin(udp::probe(&spec.target, &spec.rs_label, u)).await,
        Kind::Ping => Box::pin(ping::probe(&spec.target, &spec.rs_label, &spec.vs_label)).await,
        Kind::Unsupported(kind) => {
            ProbeOutcome::Down(crate::messages::probe_not_implemented(kind, &spec.rs_label))
        }
    }
}
