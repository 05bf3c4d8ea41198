//! systemd's readiness protocol (sd_notify(3)), as keepalived uses it under
//! `Type=notify`: `READY=1` once every child has read its configuration,
//! `RELOADING=1` on SIGHUP, `STOPPING=1` on shutdown, `WATCHDOG=1` pings.
//!
//! The protocol is one datagram to the AF_UNIX socket named by
//! `$NOTIFY_SOCKET` (a path, or `@name` for the abstract namespace), so no
//! crate is needed. Without `$NOTIFY_SOCKET` every call is a no-op, which is
//! how the daemon behaves when not started by systemd.

use std::io;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::Duration;

/// Send `state` (newline-separated `KEY=value` assignments) to the service
/// manager. `Ok(false)` when `$NOTIFY_SOCKET` is unset or empty.
pub fn notify(state: &str) -> io::Result<bool> {
    match std::env::var_os("NOTIFY_SOCKET") {
        Some(s) if !s.is_empty() => {
            let s = s
                .into_string()
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NOTIFY_SOCKET"))?;
            notify_to(&s, state)?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Send `state` to the socket `socket` (`/path` or `@abstract`). Separate
/// from [`notify`] so tests need not touch the process environment.
pub fn notify_to(socket: &str, state: &str) -> io::Result<()> {
    let addr = socket_addr(socket)?;
    let sock = UnixDatagram::unbound()?;
    // A stuck service manager must never stall the daemon.
    sock.set_nonblocking(true)?;
    let n = sock.send_to_addr(state.as_bytes(), &addr)?;
    if n != state.len() {
        return Err(io::Error::new(
            io::ErrorKind::WriteZero,
            "short sd_notify datagram",
        ));
    }
    Ok(())
}

fn socket_addr(socket: &str) -> io::Result<SocketAddr> {
    if let Some(name) = socket.strip_prefix('@') {
        use std::os::linux::net::SocketAddrExt;
        SocketAddr::from_abstract_name(name.as_bytes())
    } else if socket.starts_with('/') {
        SocketAddr::from_pathname(socket)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("unsupported NOTIFY_SOCKET {socket:?}"),
        ))
    }
}

/// `READY=1` with the main pid and a status line (keepalived sends it after
/// "Startup complete"; MAINPID matters because the forking parent may differ
/// from the process systemd started).
pub fn ready_state(main_pid: u32, status: Option<&str>) -> String {
    let mut s = format!("READY=1\nMAINPID={main_pid}");
    if let Some(st) = status {
        s.push_str("\nSTATUS=");
        s.push_str(st);
    }
    s
}

/// `RELOADING=1` with the CLOCK_MONOTONIC timestamp systemd (>= 253,
/// `Type=notify-reload`) requires to match the reload to its request.
pub fn reloading_state(monotonic_usec: u64) -> String {
    format!("RELOADING=1\nMONOTONIC_USEC={monotonic_usec}")
}

/// `STOPPING=1`.
pub const STOPPING: &str = "STOPPING=1";
/// `WATCHDOG=1`.
pub const WATCHDOG: &str = "WATCHDOG=1";

/// Send [`ready_state`].
pub fn ready(main_pid: u32, status: Option<&str>) -> io::Result<bool> {
    notify(&ready_state(main_pid, status))
}

/// Send [`reloading_state`] stamped with the current monotonic clock.
pub fn reloading() -> io::Result<bool> {
    notify(&reloading_state(super::clock::monotonic_usec()))
}

/// After a reload: back to ready.
pub fn reloaded() -> io::Result<bool> {
    notify("READY=1")
}

/// Send `STOPPING=1`.
pub fn stopping() -> io::Result<bool> {
    notify(STOPPING)
}

/// Send `WATCHDOG=1`.
pub fn watchdog() -> io::Result<bool> {
    notify(WATCHDOG)
}

/// The watchdog period systemd asks for, if any: `$WATCHDOG_USEC`, honoured
/// only when `$WATCHDOG_PID` is unset or names this process (sd_watchdog_enabled(3)).
pub fn watchdog_interval() -> Option<Duration> {
    let usec = std::env::var("WATCHDOG_USEC").ok();
    let pid = std::env::var("WATCHDOG_PID").ok();
    watchdog_interval_from(usec.as_deref(), pid.as_deref(), std::process::id())
}

/// Pure part of [`watchdog_interval`].
pub fn watchdog_interval_from(
    usec: Option<&str>,
    pid: Option<&str>,
    our_pid: u32,
) -> Option<Duration> {
    let usec: u64 = usec?.trim().parse().ok().filter(|&u| u > 0)?;
    if let Some(p) = pid {
        if p.trim().parse::<u32>().ok()? != our_pid {
            return None;
        }
    }
    Some(Duration::from_micros(usec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states() {
        assert_eq!(ready_state(42, None), "READY=1\nMAINPID=42");
        assert_eq!(
            ready_state(7, Some("Startup complete")),
            "READY=1\nMAINPID=7\nSTATUS=Startup complete"
        );
        assert_eq!(reloading_state(5), "RELOADING=1\nMONOTONIC_USEC=5");
    }

    #[test]
    fn watchdog_rules() {
        let d = Some(Duration::from_micros(30_000_000));
        assert_eq!(watchdog_interval_from(Some("30000000"), None, 9), d);
        assert_eq!(watchdog_interval_from(Some("30000000"), Some("9"), 9), d);
        assert_eq!(watchdog_interval_from(Some("30000000"), Some("8"), 9), None);
        assert_eq!(watchdog_interval_from(Some("0"), None, 9), None);
        assert_eq!(watchdog_interval_from(Some("x"), None, 9), None);
        assert_eq!(watchdog_interval_from(None, Some("9"), 9), None);
    }

    #[test]
    fn relative_socket_rejected() {
        assert!(notify_to("relative", "READY=1").is_err());
    }
}
