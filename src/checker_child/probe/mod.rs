//! PLACEHOLDER probe API (TCP_CHECK only). Replaced at merge by the full
//! probe engine, which keeps exactly this interface.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::config::model::{Checker, CheckerKind, RealServer, TIMER_HZ, VirtualServer};

/// Everything a probe needs, resolved from the configuration.
#[derive(Debug, Clone)]
pub struct ProbeSpec {
    kind: CheckerKind,
    target: SocketAddr,
    bindto: Option<IpAddr>,
    timeout: Duration,
}

/// connect_ip/port default to the real server's; connect_timeout from
/// checker → real server → virtual server → 5 s.
pub fn probe_spec(vs: &VirtualServer, rs: &RealServer, ck: &Checker) -> ProbeSpec {
    let us = ck
        .conn
        .connect_timeout
        .or(rs.connect_timeout)
        .or(vs.connect_timeout)
        .unwrap_or(5 * TIMER_HZ);
    ProbeSpec {
        kind: ck.kind,
        target: SocketAddr::new(
            ck.conn.connect_ip.unwrap_or(rs.addr),
            ck.conn.connect_port.unwrap_or(rs.port),
        ),
        bindto: ck.conn.bindto,
        timeout: Duration::from_micros(us),
    }
}

impl ProbeSpec {
    pub fn connect_timeout(&self) -> Duration {
        self.timeout
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    Up,
    /// The failure as keepalived logs it with log_all_failures.
    Down(String),
    /// MISC_CHECK with misc_dynamic: the script's exit code.
    Dynamic(i32),
}

/// Runs one probe attempt, bounded by its own timeouts.
pub async fn run(spec: &ProbeSpec) -> ProbeOutcome {
    let t = spec.target;
    let name = format!("[{}]:tcp:{}", t.ip(), t.port());
    if spec.kind != CheckerKind::Tcp {
        return ProbeOutcome::Down(format!("{:?} check not available in this build", spec.kind));
    }
    let sock = match if t.is_ipv4() {
        tokio::net::TcpSocket::new_v4()
    } else {
        tokio::net::TcpSocket::new_v6()
    } {
        Ok(s) => s,
        Err(_) => return ProbeOutcome::Down(format!("TCP connection to {name} failed.")),
    };
    if let Some(b) = spec.bindto {
        if sock.bind(SocketAddr::new(b, 0)).is_err() {
            return ProbeOutcome::Down(format!("TCP connection to {name} failed."));
        }
    }
    match tokio::time::timeout(spec.timeout, sock.connect(t)).await {
        Ok(Ok(_)) => ProbeOutcome::Up,
        Ok(Err(_)) => ProbeOutcome::Down(format!("TCP connection to {name} failed.")),
        Err(_) => ProbeOutcome::Down(format!("TCP connection to {name} timeout.")),
    }
}
