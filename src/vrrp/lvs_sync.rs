//! Which IPVS connection-sync daemon a VRRP instance's state calls for,
//! sans I/O (keepalived 2.2.7's `lvs_sync_daemon IF VRRP_INSTANCE …`).
//!
//! When `lvs_sync_daemon` names a VRRP instance, keepalived's VRRP process
//! (not the checker) drives the kernel's sync daemon so that connection
//! state flows from the director that holds the VIPs to the others:
//! - at start (`vrrp_init_state`) it starts the *backup* daemon, whatever
//!   the instance will become (its state is still INIT then);
//! - entering MASTER (`vrrp_state_master_tx` → `ipvs_syncd_master`) it stops
//!   the backup daemon and starts the master one;
//! - leaving MASTER for BACKUP or FAULT (`vrrp_state_leave_master` →
//!   `ipvs_syncd_backup`) it stops the master daemon and starts the backup
//!   one; BACKUP ↔ FAULT changes nothing;
//! - at shutdown (`stop_vrrp`) it stops the daemon of the current state;
//! - at reload (`reload_vrrp_thread`) it makes sure the daemon of the
//!   current state runs and the other does not, errors ignored.
//!
//! Without an instance name the checker runs both daemons
//! (`check::lvs_global::sync_daemons`); with a name that matches no
//! instance nobody runs one (the VRRP process clears the setting, the
//! checker leaves it to the VRRP process).

use crate::check::lvs_global::{SYNC_BACKUP, SYNC_MASTER};
use crate::config::model::Config;
use crate::proto::ipvs::SyncDaemon;
use crate::vrrp::State;

/// The sync daemon a VRRP instance owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOwner {
    /// The `vrrp_instance` whose state the daemon follows.
    pub instance: String,
    /// The settings; `state` is filled in per command.
    pub daemon: SyncDaemon,
}

/// What `lvs_sync_daemon` means for the VRRP process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ownership {
    /// No `lvs_sync_daemon`, or one without an instance (the checker's).
    NotOurs,
    /// The instance named does not exist: keepalived clears the setting.
    Missing(String),
    Owned(SyncOwner),
}

/// Resolves `lvs_sync_daemon` against the configured instances (keepalived's
/// `vrrp_complete_init`): the sync id defaults to the instance's VRID.
pub fn ownership(cfg: &Config) -> Ownership {
    let Some(sd) = &cfg.global.lvs_sync_daemon else {
        return Ownership::NotOurs;
    };
    let Some(name) = &sd.vrrp_instance else {
        return Ownership::NotOurs;
    };
    let Some(inst) = cfg.vrrp_instances.iter().find(|i| &i.name == name) else {
        return Ownership::Missing(name.clone());
    };
    Ownership::Owned(SyncOwner {
        instance: name.clone(),
        daemon: SyncDaemon {
            state: 0,
            mcast_ifn: sd.interface.clone(),
            sync_id: sd.id.or(inst.vrid.map(u32::from)).unwrap_or(0),
            sync_maxlen: sd.maxlen,
            mcast_group: sd.group,
            mcast_port: sd.port,
            mcast_ttl: sd.ttl,
        },
    })
}

/// One request to the kernel. `ignore_error` as keepalived's
/// `ipvs_syncd_cmd()`: when false a refusal is logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncCmd {
    Start {
        daemon: SyncDaemon,
        ignore_error: bool,
    },
    Stop {
        state: u32,
        sync_id: u32,
        ignore_error: bool,
    },
}

/// The daemon role an instance state calls for: master only in MASTER.
pub fn role(state: State) -> u32 {
    if state == State::Master {
        SYNC_MASTER
    } else {
        SYNC_BACKUP
    }
}

fn other(role: u32) -> u32 {
    if role == SYNC_MASTER {
        SYNC_BACKUP
    } else {
        SYNC_MASTER
    }
}

fn start(o: &SyncOwner, state: u32, ignore_error: bool) -> SyncCmd {
    SyncCmd::Start {
        daemon: SyncDaemon {
            state,
            ..o.daemon.clone()
        },
        ignore_error,
    }
}

fn stop(o: &SyncOwner, state: u32, ignore_error: bool) -> SyncCmd {
    SyncCmd::Stop {
        state,
        sync_id: o.daemon.sync_id,
        ignore_error,
    }
}

/// When the owning instance is started: the backup daemon.
pub fn at_start(o: &SyncOwner) -> Vec<SyncCmd> {
    vec![start(o, SYNC_BACKUP, false)]
}

/// A state change of the owning instance. `to == Stop` is the shutdown (or
/// the instance going away at reload): the daemon of `from` stops.
pub fn on_transition(o: &SyncOwner, from: State, to: State) -> Vec<SyncCmd> {
    match (from, to) {
        (_, State::Stop) => vec![stop(o, role(from), false)],
        (State::Master, State::Master) => Vec::new(),
        (_, State::Master) => vec![stop(o, SYNC_BACKUP, false), start(o, SYNC_MASTER, false)],
        (State::Master, State::Backup | State::Fault) => {
            vec![stop(o, SYNC_MASTER, false), start(o, SYNC_BACKUP, false)]
        }
        _ => Vec::new(),
    }
}

/// After a reload, with the owning instance in `state`: the daemon of that
/// state is (re)started — stopped first when its settings changed — and the
/// other one stopped, all errors ignored. keepalived 2.2.7 sends this start
/// without the settings, which the kernel refuses, so a changed setting
/// left it with no daemon until the next transition; we start it with the
/// new settings.
pub fn at_reload(old: Option<&SyncOwner>, new: &SyncOwner, state: State) -> Vec<SyncCmd> {
    let want = role(state);
    let mut out = Vec::new();
    if old.map(|o| &o.daemon) != Some(&new.daemon) {
        out.push(stop(new, want, true));
    }
    out.push(start(new, want, true));
    out.push(stop(new, other(want), true));
    out
}

/// keepalived's `ipvs_cmd_str()` name and number of a command (the
/// `IP_VS_SO_SET_*` sockopt numbers, which it logs even over netlink).
pub fn cmd_name(cmd: &SyncCmd) -> (&'static str, u32) {
    match cmd {
        SyncCmd::Start { .. } => ("IP_VS_SO_SET_STARTDAEMON", 1162),
        SyncCmd::Stop { .. } => ("IP_VS_SO_SET_STOPDAEMON", 1163),
    }
}

/// libipvs's `ipvs_strerror()` for the sync daemon commands; `None` means
/// the C library's `strerror` text.
pub fn error_text(cmd: &SyncCmd, errno: i32) -> Option<&'static str> {
    match (cmd, errno) {
        (SyncCmd::Start { .. }, libc::EEXIST) => Some("Daemon has already run"),
        (SyncCmd::Stop { .. }, libc::ESRCH) => Some("No daemon is running"),
        _ => any_call_error_text(errno),
    }
}

/// The entries of libipvs's `ipvs_strerror()` table that hold for every
/// call (`ipvs_init()` among them); `None` means the C library's `strerror`
/// text.
pub fn any_call_error_text(errno: i32) -> Option<&'static str> {
    Some(match errno {
        libc::ESRCH => "No such service",
        libc::EPERM => "Permission denied (you must be root)",
        libc::EINVAL => {
            "Invalid operation.  Possibly wrong module version, address not unicast, ..."
        }
        libc::ENOPROTOOPT => "Protocol not available",
        libc::ENOMEM => "Memory allocation problem",
        libc::EOPNOTSUPP => "Operation not supported with IPv6",
        libc::EAFNOSUPPORT => "Operation not supported with specified address family",
        libc::EMSGSIZE => "Module is wrong version",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::{LvsSyncDaemon, VrrpInstance};

    fn cfg(instance: Option<&str>, id: Option<u32>) -> Config {
        let mut c = Config::default();
        c.global.lvs_sync_daemon = Some(LvsSyncDaemon {
            interface: "d0".into(),
            vrrp_instance: instance.map(Into::into),
            id,
            port: Some(8848),
            ..Default::default()
        });
        c.vrrp_instances.push(VrrpInstance {
            name: "VI_1".into(),
            vrid: Some(51),
            ..Default::default()
        });
        c
    }

    fn owner(c: &Config) -> SyncOwner {
        match ownership(c) {
            Ownership::Owned(o) => o,
            other => panic!("not owned: {other:?}"),
        }
    }

    /// (start?, state) of each command, for compact assertions.
    fn seq(cmds: &[SyncCmd]) -> Vec<(&'static str, u32, bool)> {
        cmds.iter()
            .map(|c| match c {
                SyncCmd::Start {
                    daemon,
                    ignore_error,
                } => ("start", daemon.state, *ignore_error),
                SyncCmd::Stop {
                    state,
                    ignore_error,
                    ..
                } => ("stop", *state, *ignore_error),
            })
            .collect()
    }

    #[test]
    fn ownership_follows_the_instance_name() {
        assert_eq!(ownership(&Config::default()), Ownership::NotOurs);
        assert_eq!(ownership(&cfg(None, None)), Ownership::NotOurs, "checker's");
        assert_eq!(
            ownership(&cfg(Some("VI_9"), None)),
            Ownership::Missing("VI_9".into())
        );
        let o = owner(&cfg(Some("VI_1"), None));
        assert_eq!(o.instance, "VI_1");
        assert_eq!(o.daemon.sync_id, 51, "id defaults to the VRID");
        assert_eq!(o.daemon.mcast_ifn, "d0");
        assert_eq!(o.daemon.mcast_port, Some(8848));
        assert_eq!(owner(&cfg(Some("VI_1"), Some(7))).daemon.sync_id, 7);
    }

    #[test]
    fn backup_at_start_master_only_in_master() {
        let o = owner(&cfg(Some("VI_1"), Some(7)));
        let (m, b) = (SYNC_MASTER, SYNC_BACKUP);
        assert_eq!(seq(&at_start(&o)), [("start", b, false)]);
        let cmds = on_transition(&o, State::Backup, State::Master);
        assert_eq!(seq(&cmds), [("stop", b, false), ("start", m, false)]);
        let SyncCmd::Start { daemon, .. } = &cmds[1] else {
            panic!()
        };
        assert_eq!((daemon.sync_id, daemon.mcast_ifn.as_str()), (7, "d0"));
        assert_eq!(
            seq(&on_transition(&o, State::Fault, State::Master)),
            [("stop", b, false), ("start", m, false)]
        );
        for to in [State::Backup, State::Fault] {
            assert_eq!(
                seq(&on_transition(&o, State::Master, to)),
                [("stop", m, false), ("start", b, false)]
            );
        }
        // The backup daemon started at init covers BACKUP and FAULT.
        for (from, to) in [
            (State::Init, State::Backup),
            (State::Init, State::Fault),
            (State::Backup, State::Fault),
            (State::Fault, State::Backup),
        ] {
            assert!(on_transition(&o, from, to).is_empty(), "{from} -> {to}");
        }
        assert_eq!(
            seq(&on_transition(&o, State::Master, State::Stop)),
            [("stop", m, false)]
        );
        assert_eq!(
            seq(&on_transition(&o, State::Fault, State::Stop)),
            [("stop", b, false)]
        );
    }

    #[test]
    fn reload_restarts_only_changed_settings() {
        let o = owner(&cfg(Some("VI_1"), Some(7)));
        let (m, b) = (SYNC_MASTER, SYNC_BACKUP);
        assert_eq!(
            seq(&at_reload(Some(&o), &o, State::Master)),
            [("start", m, true), ("stop", b, true)]
        );
        let n = owner(&cfg(Some("VI_1"), Some(8)));
        assert_eq!(
            seq(&at_reload(Some(&o), &n, State::Backup)),
            [("stop", b, true), ("start", b, true), ("stop", m, true)]
        );
        assert_eq!(
            seq(&at_reload(None, &n, State::Fault)),
            [("stop", b, true), ("start", b, true), ("stop", m, true)]
        );
    }

    #[test]
    fn errors_read_as_libipvs() {
        let o = owner(&cfg(Some("VI_1"), None));
        let s = &at_start(&o)[0];
        let t = &on_transition(&o, State::Master, State::Stop)[0];
        assert_eq!(cmd_name(s), ("IP_VS_SO_SET_STARTDAEMON", 1162));
        assert_eq!(cmd_name(t), ("IP_VS_SO_SET_STOPDAEMON", 1163));
        assert_eq!(error_text(s, libc::EEXIST), Some("Daemon has already run"));
        assert_eq!(error_text(t, libc::ESRCH), Some("No daemon is running"));
        assert_eq!(error_text(s, libc::ENODEV), None);
        assert_eq!(error_text(s, libc::ESRCH), Some("No such service"));
        assert_eq!(
            any_call_error_text(libc::ENOPROTOOPT),
            Some("Protocol not available")
        );
        assert_eq!(any_call_error_text(libc::EEXIST), None);
    }
}
