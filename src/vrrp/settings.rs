//! The effective parameters of one instance: the configuration model
//! resolved with keepalived 2.2.7's defaults and the corrections its
//! `vrrp_complete_instance` applies (owner, strict mode, initial state).

use std::net::IpAddr;

use crate::config::model::{AuthType, Config, Family, InitialState, VrrpInstance};
use crate::proto::vrrp::Version;

use super::action::{TrackKind, TrackStatus};
use super::timers::{DOWN_TIMER_ADVERTS, PRIO_DEFAULT, PRIO_OWNER, TIMER_HZ};

/// A tracked object as the instance sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tracker {
    pub kind: TrackKind,
    pub name: String,
    /// 0: failure puts the instance in FAULT. Otherwise a priority delta
    /// (for files: multiplied by the file's value).
    pub weight: i32,
    /// `reverse`: the sense of the tracked object is inverted.
    pub reverse: bool,
    /// Current status; `None` until first reported (a tracking script that
    /// has not run yet, keepalived's `SCRIPT_INIT_STATE_INIT`; processes and
    /// BFD sessions, which the driver must report before [`super::Input::Start`]).
    /// An unreported weight-0 tracker holds the instance in FAULT (init), as
    /// keepalived's `num_script_init` does.
    pub status: Option<TrackStatus>,
}

/// Everything the state machine needs to know about its configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Instance name as logged: `(NAME) …`.
    pub name: String,
    pub version: Version,
    /// Configured priority (1..=255). 255 is the address owner.
    pub base_priority: u8,
    /// Our advertisement interval in µs.
    pub adver_int: u64,
    /// `state MASTER` (or an unset state with priority 255) after
    /// keepalived's corrections; only an address owner acts on it.
    pub want_master: bool,
    pub nopreempt: bool,
    /// µs; 0 = none.
    pub preempt_delay: u64,
    pub down_timer_adverts: u32,
    /// `garp_master_repeat`.
    pub garp_rep: u32,
    /// `garp_master_delay` in µs; 0 = no second burst.
    pub garp_delay: u64,
    /// `garp_master_refresh` in µs; 0 = none.
    pub garp_refresh: u64,
    pub garp_refresh_rep: u32,
    pub garp_lower_prio_rep: u32,
    /// µs; 0 = no delayed burst.
    pub garp_lower_prio_delay: u64,
    pub lower_prio_no_advert: bool,
    pub higher_prio_send_advert: bool,
    /// Accept mode (not used by the state machine; the driver installs the
    /// firewall rules from it).
    pub accept: bool,
    pub notify_priority_changes: bool,
    /// Global `vrrp_startup_delay` in µs; 0 = none.
    pub startup_delay: u64,
    /// The source address compared with a same-priority sender's.
    pub src_addr: Option<IpAddr>,
    /// Whether the instance has VIPs / eVIPs (only for the -D "setting
    /// VIPs." / "setting E-VIPs." lines keepalived prints when it has some).
    pub has_vips: bool,
    pub has_evips: bool,
    /// Whether it has `virtual_rules`: at release their "removing Virtual
    /// Rules" line comes before "removing VIPs." (they go first).
    pub has_vrules: bool,
    pub trackers: Vec<Tracker>,
    /// Member of a `vrrp_sync_group`: it goes MASTER only with its group.
    pub sync_member: bool,
}

impl Settings {
    /// Plain defaults for an instance called `name` with `priority`: VRRPv2,
    /// 1 s adverts, keepalived's global defaults. Handy for tests and for
    /// building settings by hand.
    pub fn new(name: &str, priority: u8) -> Settings {
        Settings {
            name: name.to_string(),
            version: Version::V2,
            base_priority: priority,
            adver_int: TIMER_HZ,
            want_master: priority == PRIO_OWNER,
            nopreempt: false,
            preempt_delay: 0,
            down_timer_adverts: DOWN_TIMER_ADVERTS,
            garp_rep: 5,
            garp_delay: 5 * TIMER_HZ,
            garp_refresh: 0,
            garp_refresh_rep: 1,
            garp_lower_prio_rep: 5,
            garp_lower_prio_delay: 5 * TIMER_HZ,
            lower_prio_no_advert: false,
            higher_prio_send_advert: false,
            accept: true,
            notify_priority_changes: false,
            startup_delay: 0,
            src_addr: None,
            has_vips: true,
            has_evips: false,
            has_vrules: false,
            trackers: Vec::new(),
            sync_member: false,
        }
    }

    /// Whether we are the address owner (priority 255).
    pub fn is_owner(&self) -> bool {
        self.base_priority == PRIO_OWNER
    }

    /// Builds the effective settings of `inst` (one of `cfg.vrrp_instances`).
    ///
    /// Mirrors keepalived's defaults: priority 100, or 255 with `state
    /// MASTER` and no priority; the instance keyword, else the global
    /// `vrrp_*` keyword, else the built-in value for every GARP and advert
    /// option (global `vrrp_garp_lower_prio_*` default to the global
    /// `vrrp_garp_master_*`); and the corrections of `vrrp_complete_instance`
    /// (owner clears `nopreempt`; `state MASTER` clears `nopreempt` and
    /// `preempt_delay`; strict mode forces `lower_prio_no_advert`, clears
    /// `higher_prio_send_advert`, the lower-priority GARPs and
    /// `preempt_delay`, and resets `down_timer_adverts` to 3).
    pub fn from_config(cfg: &Config, inst: &VrrpInstance) -> Settings {
        let g = &cfg.global;
        let strict = inst.strict_mode.unwrap_or(g.vrrp_strict);
        let base_priority = inst
            .priority
            .unwrap_or(if inst.state == InitialState::Master {
                PRIO_OWNER
            } else {
                PRIO_DEFAULT
            });
        let owner = base_priority == PRIO_OWNER;
        let mut want_master = match inst.state {
            InitialState::Unset => owner,
            InitialState::Master => true,
            InitialState::Backup => false,
        };
        if strict && want_master != owner {
            want_master = owner;
        }
        if matches!(inst.auth, Some((AuthType::Ah, _))) && want_master && !owner {
            want_master = false;
        }
        let version = if inst.family == Some(Family::V6) {
            Version::V3
        } else {
            match inst.version.or(g.vrrp_version) {
                Some(3) => Version::V3,
                _ => Version::V2,
            }
        };
        let nopreempt = inst.nopreempt && !owner && !want_master;
        let preempt_delay = if want_master || strict || nopreempt {
            0
        } else {
            inst.preempt_delay.unwrap_or(0)
        };
        let down_timer_adverts = if strict {
            DOWN_TIMER_ADVERTS
        } else {
            inst.down_timer_adverts
                .or(g.vrrp_down_timer_adverts)
                .unwrap_or(DOWN_TIMER_ADVERTS)
        };
        let secs = |v: Option<u32>| u64::from(v.unwrap_or(0)) * TIMER_HZ;
        let global_garp_rep = g.vrrp_garp_master_repeat.unwrap_or(5);
        let global_garp_delay = g.vrrp_garp_master_delay.unwrap_or(5);
        let (garp_lower_prio_rep, garp_lower_prio_delay) = if strict {
            (0, 0)
        } else {
            (
                inst.garp_lower_prio_repeat
                    .or(g.vrrp_garp_lower_prio_repeat)
                    .unwrap_or(global_garp_rep),
                secs(Some(
                    inst.garp_lower_prio_delay
                        .or(g.vrrp_garp_lower_prio_delay)
                        .unwrap_or(global_garp_delay),
                )),
            )
        };
        let lower_prio_no_advert = strict
            || inst
                .lower_prio_no_advert
                .or(g.vrrp_lower_prio_no_advert)
                .unwrap_or(false);
        let higher_prio_send_advert = !strict
            && inst
                .higher_prio_send_advert
                .or(g.vrrp_higher_prio_send_advert)
                .unwrap_or(false);
        let mut accept = inst.accept.unwrap_or(owner || !strict);
        if accept && version == Version::V2 && !owner && strict {
            accept = false;
        }
        Settings {
            name: inst.name.clone(),
            version,
            base_priority,
            adver_int: inst.advert_int.unwrap_or(TIMER_HZ),
            want_master,
            nopreempt,
            preempt_delay,
            down_timer_adverts,
            garp_rep: inst.garp_master_repeat.unwrap_or(global_garp_rep),
            garp_delay: secs(Some(inst.garp_master_delay.unwrap_or(global_garp_delay))),
            garp_refresh: secs(inst.garp_master_refresh.or(g.vrrp_garp_master_refresh)),
            garp_refresh_rep: inst
                .garp_master_refresh_repeat
                .or(g.vrrp_garp_master_refresh_repeat)
                .unwrap_or(1),
            garp_lower_prio_rep,
            garp_lower_prio_delay,
            lower_prio_no_advert,
            higher_prio_send_advert,
            accept,
            notify_priority_changes: inst
                .notify_priority_changes
                .unwrap_or(g.vrrp_notify_priority_changes),
            startup_delay: g.vrrp_startup_delay.unwrap_or(0),
            src_addr: inst.unicast_src_ip.or(inst.mcast_src_ip),
            has_vips: !inst.vips.is_empty(),
            has_evips: !inst.evips.is_empty(),
            has_vrules: !inst.vrules.is_empty(),
            trackers: trackers(cfg, inst),
            sync_member: cfg.sync_groups.iter().any(|g| {
                g.members
                    .as_ref()
                    .is_some_and(|m| m.len() > 1 && m.iter().any(|(n, _)| *n == inst.name))
            }),
        }
    }
}

/// The instance's tracked objects with their effective weights: a weight
/// given on the `track_*` line wins, otherwise the tracked object's own
/// `weight` (and `reverse`) applies; interfaces default to weight 0.
fn trackers(cfg: &Config, inst: &VrrpInstance) -> Vec<Tracker> {
    let mut out: Vec<Tracker> = Vec::new();
    if let (Some(ifname), false) = (&inst.interface, inst.dont_track_primary) {
        out.push(Tracker {
            kind: TrackKind::Interface,
            name: ifname.clone(),
            weight: 0,
            reverse: false,
            status: Some(TrackStatus::Up),
        });
    }
    let mut push = |kind, name: &str, weight: i32, reverse: bool, status| {
        if !out.iter().any(|t| t.kind == kind && t.name == name) {
            out.push(Tracker {
                kind,
                name: name.to_string(),
                weight,
                reverse,
                status,
            });
        }
    };
    for t in &inst.track_interfaces {
        push(
            TrackKind::Interface,
            &t.name,
            t.weight.unwrap_or(0),
            t.reverse,
            Some(TrackStatus::Up),
        );
    }
    for t in &inst.track_scripts {
        let Some(s) = cfg
            .vrrp_scripts
            .iter()
            .find(|s| s.name == t.name && !s.removed)
        else {
            continue;
        };
        let (weight, reverse) = match t.weight {
            Some(w) => (w, t.reverse),
            None => (s.weight, s.weight_reverse || t.reverse),
        };
        // A script that has not run yet is "init" (no status), unless
        // `init_fail` starts it failed.
        let status = s.init_fail.then_some(TrackStatus::Down);
        push(TrackKind::Script, &t.name, weight, reverse, status);
    }
    for t in &inst.track_files {
        let Some(f) = cfg.track_files.iter().find(|f| f.name == t.name) else {
            continue;
        };
        let (weight, reverse) = match t.weight {
            Some(w) => (w, t.reverse),
            None => (f.weight, f.weight_reverse || t.reverse),
        };
        let value = f.init_file.map(|(v, _)| v).unwrap_or(0);
        push(
            TrackKind::File,
            &t.name,
            weight,
            reverse,
            Some(TrackStatus::Value(value)),
        );
    }
    for t in &inst.track_processes {
        let Some(p) = cfg.track_processes.iter().find(|p| p.name == t.name) else {
            continue;
        };
        let (weight, reverse) = match t.weight {
            Some(w) => (w, t.reverse),
            None => (p.weight, p.weight_reverse || t.reverse),
        };
        push(TrackKind::Process, &t.name, weight, reverse, None);
    }
    for t in &inst.track_bfds {
        push(
            TrackKind::Bfd,
            &t.name,
            t.weight.unwrap_or(0),
            t.reverse,
            None,
        );
    }
    out
}
