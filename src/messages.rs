//! Every log line's wording, in one table.
//!
//! Operators grep syslog for keepalived's exact texts ("Entering MASTER
//! STATE", "Removing service … from VS …"), so each text is written once,
//! here, next to the keepalived 2.2.7 wording it reproduces, and the tests
//! at the bottom compare them with the lines in
//! `../shared/docs/keepalived-reference.md` section i. Callers format with
//! these functions and log the result at the level keepalived uses:
//! `tracing::info!("{}", messages::startup_complete())`.
//!
//! Pure (no I/O): the VRRP and checker cores use it as well as the drivers.
//! Sections follow the process that logs; add new texts to their section.

// ---- parent (Keepalived) ---------------------------------------------------

/// The parent's last start-up line, once every child has started.
pub fn startup_complete() -> &'static str {
    "Startup complete"
}

/// The parent on SIGHUP, before re-reading the configuration.
pub fn parent_reloading() -> &'static str {
    "Reloading ..."
}

/// The parent on SIGTERM/SIGINT.
pub fn parent_stopping() -> &'static str {
    "Stopping"
}

// ---- both children ----------------------------------------------------------

/// A child on SIGHUP.
pub fn child_reloading() -> &'static str {
    "Reloading"
}

/// A child (and the parent) once the new configuration is in force.
pub fn reload_complete() -> &'static str {
    "Reload complete"
}

/// A child's last line.
pub fn child_stopped() -> &'static str {
    "Stopped"
}

// ---- VRRP child (Keepalived_vrrp) -------------------------------------------

/// Interface state from a netlink link event.
pub fn netlink_reports(ifname: &str, up: bool) -> String {
    format!(
        "Netlink reports {ifname} {}",
        if up { "up" } else { "down" }
    )
}

// ---- checker child (Keepalived_healthcheckers) -------------------------------

/// The checker child before it touches IPVS.
pub fn initializing_ipvs() -> &'static str {
    "Initializing ipvs"
}

/// PING_CHECK: an echo reply came back while the checker was down.
pub fn icmp_success(rs: &str) -> String {
    format!("ICMP connection to {rs} success.")
}

/// PING_CHECK gave up (`retry` 0: no retry tail, no VS).
pub fn icmp_check_failed(rs: &str, vs: &str, retry: u32) -> String {
    if retry > 0 {
        format!("ICMP CHECK on service {rs} of {vs} failed after {retry} retries.")
    } else {
        format!("ICMP CHECK on service {rs} failed.")
    }
}

/// PING_CHECK attempt without a reply in connect_timeout (log_all_failures).
pub fn icmp_timeout(rs: &str) -> String {
    format!("ICMP connection to address {rs} timeout.")
}

/// PING_CHECK attempt that failed otherwise (log_all_failures).
pub fn icmp_failed(rs: &str, vs: &str) -> String {
    format!("ICMP connection to {rs} of {vs} failed.")
}

/// PING_CHECK could not create its socket.
pub fn icmp_socket_failed(v6: bool) -> String {
    format!(
        "ICMP{} connect fail to create socket. Rescheduling.",
        if v6 { "v6" } else { "" }
    )
}

/// PING_CHECK received an ICMP message that is not an echo reply.
pub fn icmp_unexpected_type(v6: bool, ty: u8) -> String {
    format!(
        "Got ICMP{} packet with type 0x{ty:x}",
        if v6 { "v6" } else { "" }
    )
}

/// A real server's IPVS weight changed (FILE_CHECK, MISC_CHECK dynamic).
pub fn changing_weight(old: i32, new: i32, alive: bool, rs: &str, vs: &str) -> String {
    format!(
        "Changing weight from {old} to {new} for {}active service {rs} of VS {vs}",
        if alive { "" } else { "in" }
    )
}

/// With -D: a FILE_CHECK's file went into (`fault`) or out of fault.
pub fn track_file_fault(rs: &str, file: &str, fault: bool) -> String {
    format!(
        "({rs}): tracked file {file} {} FAULT state",
        if fault { "now" } else { "leaving" }
    )
}

/// `ha_suspend`: at start, a checker whose VS address is not local.
pub fn deactivating_healthchecker(rs: &str, vs: &str) -> String {
    format!("Deactivating healthchecker for service {rs} for VS {vs}")
}

/// `ha_suspend`: the VS address appeared (`true`) or went away.
pub fn healthchecker_resumed(resumed: bool, rs: &str, vs: &str) -> String {
    let verb = if resumed { "Activating" } else { "Suspending" };
    format!("{verb} healthchecker for service {rs} for VS {vs}")
}

/// SET_CONFIG (`lvs_timeouts`) failed.
pub fn ipvs_timeouts_failed() -> &'static str {
    "Failed to set ipvs timeouts"
}

// ---- alerts (SMTP, FIFOs) ---------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts from keepalived 2.2.7 (reference section i), byte for byte.
    #[test]
    fn wording_matches_keepalived() {
        assert_eq!(startup_complete(), "Startup complete");
        assert_eq!(parent_reloading(), "Reloading ...");
        assert_eq!(child_reloading(), "Reloading");
        assert_eq!(reload_complete(), "Reload complete");
        assert_eq!(parent_stopping(), "Stopping");
        assert_eq!(child_stopped(), "Stopped");
        assert_eq!(netlink_reports("eth0", false), "Netlink reports eth0 down");
        assert_eq!(netlink_reports("eth0", true), "Netlink reports eth0 up");
        assert_eq!(initializing_ipvs(), "Initializing ipvs");
        let rs = "[192.0.2.2]:tcp:0";
        assert_eq!(
            icmp_success(rs),
            "ICMP connection to [192.0.2.2]:tcp:0 success."
        );
        assert_eq!(
            icmp_check_failed(rs, "[192.0.2.1]:tcp:80", 2),
            "ICMP CHECK on service [192.0.2.2]:tcp:0 of [192.0.2.1]:tcp:80 failed after 2 retries."
        );
        assert_eq!(
            icmp_check_failed(rs, "[192.0.2.1]:tcp:80", 0),
            "ICMP CHECK on service [192.0.2.2]:tcp:0 failed."
        );
        assert_eq!(
            icmp_timeout(rs),
            "ICMP connection to address [192.0.2.2]:tcp:0 timeout."
        );
        assert_eq!(
            icmp_failed(rs, "[192.0.2.1]:tcp:80"),
            "ICMP connection to [192.0.2.2]:tcp:0 of [192.0.2.1]:tcp:80 failed."
        );
        assert_eq!(
            icmp_socket_failed(true),
            "ICMPv6 connect fail to create socket. Rescheduling."
        );
        assert_eq!(
            icmp_unexpected_type(false, 3),
            "Got ICMP packet with type 0x3"
        );
        assert_eq!(ipvs_timeouts_failed(), "Failed to set ipvs timeouts");
        assert_eq!(
            changing_weight(3, 0, false, rs, "[192.0.2.1]:tcp:80"),
            "Changing weight from 3 to 0 for inactive service [192.0.2.2]:tcp:0 of VS [192.0.2.1]:tcp:80"
        );
        assert_eq!(
            track_file_fault(rs, "f1", true),
            "([192.0.2.2]:tcp:0): tracked file f1 now FAULT state"
        );
        assert_eq!(
            track_file_fault(rs, "f1", false),
            "([192.0.2.2]:tcp:0): tracked file f1 leaving FAULT state"
        );
        assert_eq!(
            deactivating_healthchecker(rs, "[192.0.2.1]:tcp:80"),
            "Deactivating healthchecker for service [192.0.2.2]:tcp:0 for VS [192.0.2.1]:tcp:80"
        );
        assert_eq!(
            healthchecker_resumed(false, rs, "[192.0.2.1]:tcp:80"),
            "Suspending healthchecker for service [192.0.2.2]:tcp:0 for VS [192.0.2.1]:tcp:80"
        );
        assert_eq!(
            healthchecker_resumed(true, rs, "[192.0.2.1]:tcp:80"),
            "Activating healthchecker for service [192.0.2.2]:tcp:0 for VS [192.0.2.1]:tcp:80"
        );
    }
}
