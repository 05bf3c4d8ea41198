//! The VRRP child's IPVS edge: `lvs_sync_daemon IF VRRP_INSTANCE` makes the
//! kernel's connection-sync daemon follow that instance (master daemon in
//! MASTER, backup daemon otherwise), as keepalived's VRRP process does. The
//! decisions are `crate::vrrp::lvs_sync`'s; this file only sends them.
//!
//! keepalived 2.2.7 stops the VRRP process (exit FATAL) when IPVS cannot be
//! initialised for the sync daemon; we log keepalived's line once and carry
//! on without the daemon, so that VRRP keeps working on a kernel without
//! IPVS.

use nix::errno::Errno;

use crate::config::model::Config;
use crate::messages;
use crate::sys::ipvs::{IpvsClient, IpvsError};
use crate::vrrp::State;
use crate::vrrp::lvs_sync::{self, Ownership, SyncCmd, SyncOwner};

/// The owning instance and the IPVS channel (absent when IPVS could not be
/// opened: the commands are then skipped silently, as keepalived's
/// `no_ipvs`).
#[derive(Debug, Default)]
pub struct SyncDriver {
    owner: Option<SyncOwner>,
    ipvs: Option<IpvsClient>,
}

impl SyncDriver {
    /// Resolves `lvs_sync_daemon` and, when an instance owns the daemon,
    /// opens IPVS.
    pub fn new(cfg: &Config) -> SyncDriver {
        let mut d = SyncDriver::default();
        d.configure(cfg);
        d
    }

    fn configure(&mut self, cfg: &Config) {
        self.owner = match lvs_sync::ownership(cfg) {
            Ownership::Owned(o) => Some(o),
            Ownership::Missing(name) => {
                tracing::info!("{}", messages::lvs_syncd_instance_missing(&name));
                None
            }
            Ownership::NotOurs => None,
        };
        if self.owner.is_some() && self.ipvs.is_none() {
            tracing::info!("{}", messages::initializing_ipvs());
            match IpvsClient::open() {
                Ok(c) => self.ipvs = Some(c),
                Err(e) => tracing::info!("{}", messages::ipvs_init_failed(&init_reason(&e))),
            }
        }
    }

    /// The owning instance is being started (`vrrp_init_state`).
    pub fn started(&mut self, instance: &str) {
        if let Some(o) = self.owner.as_ref().filter(|o| o.instance == instance) {
            let cmds = lvs_sync::at_start(o);
            self.send(&cmds);
        }
    }

    /// An instance changed state.
    pub fn transition(&mut self, instance: &str, from: State, to: State) {
        if let Some(o) = self.owner.as_ref().filter(|o| o.instance == instance) {
            let cmds = lvs_sync::on_transition(o, from, to);
            self.send(&cmds);
        }
    }

    /// After a reload has rebuilt the instances: `state` gives each one's
    /// current state. A configuration that no longer gives the daemon to an
    /// instance leaves it as it is (keepalived does the same).
    pub fn reload(&mut self, cfg: &Config, state: impl Fn(&str) -> Option<State>) {
        let old = self.owner.take();
        self.configure(cfg);
        let Some(new) = &self.owner else { return };
        let Some(st) = state(&new.instance) else {
            return;
        };
        let cmds = lvs_sync::at_reload(old.as_ref(), new, st);
        self.send(&cmds);
    }

    fn send(&mut self, cmds: &[SyncCmd]) {
        let Some(ipvs) = &mut self.ipvs else { return };
        for c in cmds {
            let (res, ignore) = match c {
                SyncCmd::Start {
                    daemon,
                    ignore_error,
                } => (ipvs.start_daemon(daemon), *ignore_error),
                SyncCmd::Stop {
                    state,
                    sync_id,
                    ignore_error,
                } => (ipvs.stop_daemon(*state, *sync_id), *ignore_error),
            };
            if let (Err(e), false) = (res, ignore) {
                let errno = e.errno().map(|e| e as i32).unwrap_or(libc::EIO);
                let desc = strerror(lvs_sync::error_text(c, errno), errno);
                let (name, code) = lvs_sync::cmd_name(c);
                tracing::info!("{}", messages::ipvs_cmd_error(name, code, &desc, errno));
            }
        }
    }
}

/// libipvs's text when it has one for `errno`, else the C library's.
fn strerror(libipvs: Option<&'static str>, errno: i32) -> String {
    libipvs
        .map(str::to_owned)
        .unwrap_or_else(|| Errno::from_raw(errno).desc().to_owned())
}

/// libipvs's text for the errno keepalived's `ipvs_init()` would have
/// failed with (keepalived logs that, not our error's wording). Our open
/// can also fail without one (no reply in time, a reply we cannot read):
/// those read as the socket's EAGAIN and as EPROTO.
fn init_reason(e: &IpvsError) -> String {
    let errno = match e {
        IpvsError::NotAvailable => Errno::ENOPROTOOPT,
        IpvsError::PermissionDenied => Errno::EPERM,
        IpvsError::Init(n) => *n,
        IpvsError::Timeout { .. } => Errno::EAGAIN,
        other => other.errno().unwrap_or(Errno::EPROTO),
    };
    let errno = errno as i32;
    strerror(lvs_sync::any_call_error_text(errno), errno)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// keepalived's "IPVS: Can't initialize ipvs: …" reason for each way
    /// our open fails.
    #[test]
    fn init_failure_reads_as_libipvs() {
        let reason = |e: IpvsError| init_reason(&e);
        assert_eq!(reason(IpvsError::NotAvailable), "Protocol not available");
        assert_eq!(
            reason(IpvsError::PermissionDenied),
            "Permission denied (you must be root)"
        );
        assert_eq!(
            reason(IpvsError::Init(Errno::EMFILE)),
            "Too many open files"
        );
        assert_eq!(
            reason(IpvsError::Timeout {
                op: "resolve family"
            }),
            Errno::EAGAIN.desc()
        );
    }
}
