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

/// Any process (the parent too) whose `process_name` could not be set.
pub fn process_name_failed(name: &str) -> String {
    format!("Failed to set process name '{name}'")
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
        assert_eq!(process_name_failed("kd"), "Failed to set process name 'kd'");
    }
}
