//! Scenarios for the pure VRRP state machine (`keepalived::vrrp`), on a
//! virtual clock in µs. Each test names the RFC 3768 / RFC 5798 section or
//! the keepalived 2.2.7 behaviour (`vrrp.c`, `vrrp_scheduler.c`,
//! `keepalived-reference.md` section f) it checks. No root, no sockets.

use std::net::{IpAddr, Ipv4Addr};

use keepalived::config::model::{Config, InitialState, TrackRef, VrrpInstance, VrrpScript};
use keepalived::proto::vrrp::Version;
use keepalived::vrrp::timers::{master_down, skew};
use keepalived::vrrp::{
    Action, Input, Instance, NotifyState, Reason, RxAdvert, Settings, State, TrackKind,
    TrackStatus, Tracker,
};
use proptest::prelude::*;

const SEC: u64 = 1_000_000;

fn ip(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, 0, 0, last))
}

fn settings(prio: u8, last: u8) -> Settings {
    let mut s = Settings::new("VI_1", prio);
    s.src_addr = Some(ip(last));
    s
}

fn adv(from: u8, priority: u8) -> Input {
    Input::Advert(RxAdvert {
        src: ip(from),
        priority,
        adver_int: SEC,
    })
}

fn logs(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Log { message, .. } => Some(message.clone()),
            _ => None,
        })
        .collect()
}

fn has_log(actions: &[Action], text: &str) -> bool {
    logs(actions).iter().any(|l| l == text)
}

/// Non-log actions, for order checks.
fn effects(actions: &[Action]) -> Vec<Action> {
    actions
        .iter()
        .filter(|a| !matches!(a, Action::Log { .. } | Action::StateChange { .. }))
        .cloned()
        .collect()
}

/// Starts an instance at t=0 and runs it to MASTER (no peer).
fn master(s: Settings) -> (Instance, u64) {
    let mut i = Instance::new(s);
    i.handle(0, Input::Start);
    let t = i.poll_timeout().unwrap();
    i.handle_timeout(t);
    assert_eq!(i.state(), State::Master);
    (i, t)
}

// ----- timers ---------------------------------------------------------------

/// RFC 3768 §6.1: Skew_Time = (256 − Priority)/256 s; Master_Down_Interval =
/// 3 × Advertisement_Interval + Skew_Time.
#[test]
fn v2_timers() {
    assert_eq!(skew(Version::V2, SEC, 100), 609_375);
    assert_eq!(master_down(Version::V2, 3, SEC, 100), 3_609_375);
    assert_eq!(master_down(Version::V2, 3, 2 * SEC, 254), 6_007_812);
}

/// RFC 5798 §6.1: Skew_Time = ((256 − Priority) × Master_Adver_Interval)/256.
#[test]
fn v3_timers() {
    assert_eq!(skew(Version::V3, SEC / 2, 100), 304_687);
    assert_eq!(master_down(Version::V3, 3, SEC / 2, 100), 1_804_687);
}

// ----- startup ----------------------------------------------------------------

/// keepalived `vrrp_init_state`: BACKUP (init) and a full Master_Down wait
/// (reference f.2: "init→MASTER took 4 s" for priority 100).
#[test]
fn startup_enters_backup_init_and_waits_master_down() {
    let mut i = Instance::new(settings(100, 1));
    let a = i.handle(10, Input::Start);
    assert_eq!(logs(&a), ["(VI_1) Entering BACKUP STATE (init)"]);
    assert!(a.contains(&Action::Notify {
        state: NotifyState::Backup
    }));
    assert_eq!(i.state(), State::Backup);
    assert_eq!(i.poll_timeout(), Some(10 + 3_609_375));
    assert!(i.handle_timeout(10 + 3_609_374).is_empty());
    let a = i.handle_timeout(10 + 3_609_375);
    assert!(has_log(&a, "(VI_1) Receive advertisement timeout"));
    assert!(has_log(&a, "(VI_1) Entering MASTER STATE"));
    assert_eq!(i.state(), State::Master);
}

/// keepalived `initialise_interface_tracking_priorities`: a down interface
/// at startup gives FAULT without the "(init)" line and no timer.
#[test]
fn startup_with_interface_down_is_fault() {
    let mut s = settings(100, 1);
    s.trackers.push(Tracker {
        kind: TrackKind::Interface,
        name: "eth0".into(),
        weight: 0,
        reverse: false,
        status: Some(TrackStatus::Down),
    });
    let mut i = Instance::new(s);
    let a = i.handle(0, Input::Start);
    assert_eq!(
        logs(&a),
        ["(VI_1): entering FAULT state (interface eth0 down)"]
    );
    assert_eq!(i.state(), State::Fault);
    assert_eq!(i.poll_timeout(), None);
    // Adverts are ignored in FAULT (vrrp_dispatcher_read).
    assert!(i.handle(5, adv(2, 200)).is_empty());
    // Recovery: BACKUP with a full down timer.
    let a = i.handle(
        SEC,
        Input::Track {
            kind: TrackKind::Interface,
            name: "eth0".into(),
            status: TrackStatus::Up,
        },
    );
    assert_eq!(logs(&a), ["(VI_1) Entering BACKUP STATE"]);
    assert_eq!(i.poll_timeout(), Some(SEC + 3_609_375));
}

/// A weight-0 tracking script that has not run yet holds the instance in
/// FAULT (init) (keepalived `num_script_init`); its success brings it up.
#[test]
fn unrun_weight0_script_holds_fault_init() {
    let mut s = settings(100, 1);
    s.trackers.push(Tracker {
        kind: TrackKind::Script,
        name: "chk".into(),
        weight: 0,
        reverse: false,
        status: None,
    });
    let mut i = Instance::new(s);
    let a = i.handle(0, Input::Start);
    assert_eq!(logs(&a), ["(VI_1) Entering FAULT STATE (init)"]);
    let a = i.handle(
        100,
        Input::Track {
            kind: TrackKind::Script,
            name: "chk".into(),
            status: TrackStatus::Up,
        },
    );
    assert_eq!(logs(&a), ["(VI_1) Entering BACKUP STATE"]);
    assert_eq!(i.state(), State::Backup);
}

/// RFC 3768 §6.4.1 / keepalived: the address owner (priority 255, state
/// MASTER) becomes master at once (a 1 µs down timer), advert first, then
/// VIPs, GARPs (garp_master_repeat 5), notify; a second GARP burst follows
/// after garp_master_delay (5 s).
#[test]
fn owner_becomes_master_immediately_with_garps() {
    let mut i = Instance::new(settings(255, 1));
    let a = i.handle(0, Input::Start);
    assert!(
        logs(&a).is_empty(),
        "no BACKUP (init) line for the owner: {a:?}"
    );
    assert_eq!(i.poll_timeout(), Some(1));
    let a = i.handle_timeout(1);
    assert_eq!(
        effects(&a),
        [
            Action::SendAdvert { priority: 255 },
            Action::AddVips,
            Action::SendGarp { repeat: 5 },
            Action::Notify {
                state: NotifyState::Master
            },
        ]
    );
    assert!(a.contains(&Action::StateChange {
        from: State::Backup,
        to: State::Master,
        reason: Reason::MasterDown
    }));
    assert_eq!(i.poll_timeout(), Some(1 + SEC));
    // Adverts every second; the delayed burst at 5 s.
    let mut garps = vec![];
    let mut adverts = 0;
    while let Some(t) = i.poll_timeout() {
        if t > 6 * SEC {
            break;
        }
        for x in i.handle_timeout(t) {
            match x {
                Action::SendGarp { repeat } => garps.push((t, repeat)),
                Action::SendAdvert { .. } => adverts += 1,
                _ => {}
            }
        }
    }
    assert_eq!(garps, [(1 + 5 * SEC, 5)]);
    assert_eq!(adverts, 5);
}

/// keepalived: `state MASTER` with priority < 255 does not shorten the wait
/// (reference f.2).
#[test]
fn state_master_non_owner_waits_full_interval() {
    let mut s = settings(150, 1);
    s.want_master = true;
    let mut i = Instance::new(s);
    let a = i.handle(0, Input::Start);
    assert!(has_log(&a, "(VI_1) Entering BACKUP STATE (init)"));
    assert_eq!(
        i.poll_timeout(),
        Some(master_down(Version::V2, 3, SEC, 150))
    );
}

/// keepalived `vrrp_startup_delay`: the down timer counts from the end of
/// the delay (`vrrp_init_instance_sands`).
#[test]
fn startup_delay_postpones_the_down_timer() {
    let mut s = settings(100, 1);
    s.startup_delay = 10 * SEC;
    let mut i = Instance::new(s);
    i.handle(0, Input::Start);
    assert_eq!(i.poll_timeout(), Some(10 * SEC + 3_609_375));
}

// ----- backup behaviour -------------------------------------------------------

/// RFC 3768 §6.4.2: a higher-priority advert restarts the Master_Down timer.
#[test]
fn backup_accepts_higher_priority_and_restarts_timer() {
    let mut i = Instance::new(settings(100, 1));
    i.handle(0, Input::Start);
    let a = i.handle(2 * SEC, adv(2, 150));
    assert!(a.is_empty(), "{a:?}");
    assert_eq!(i.poll_timeout(), Some(2 * SEC + 3_609_375));
    assert_eq!(i.master(), Some((ip(2), 150)));
}

/// keepalived `vrrp_state_backup`: a lower-priority advert while preempting
/// is logged and discarded; the down timer keeps running (reference f.4).
#[test]
fn backup_discards_lower_priority_and_timer_keeps_running() {
    let mut i = Instance::new(settings(100, 1));
    i.handle(0, Input::Start);
    let a = i.handle(2 * SEC, adv(2, 50));
    assert_eq!(
        logs(&a),
        ["(VI_1) received lower priority (50) advert from 10.0.0.2 - discarding"]
    );
    assert_eq!(i.poll_timeout(), Some(3_609_375));
}

/// RFC 3768 §6.4.2 / RFC 5798 §6.4.2: priority 0 → down timer = Skew_Time.
#[test]
fn backup_priority_zero_sets_skew() {
    let mut i = Instance::new(settings(100, 1));
    i.handle(0, Input::Start);
    i.handle(SEC, adv(2, 200));
    let a = i.handle(2 * SEC, adv(2, 0));
    assert!(has_log(
        &a,
        "(VI_1) Backup received priority 0 advertisement"
    ));
    assert_eq!(i.poll_timeout(), Some(2 * SEC + 609_375));
}

/// keepalived `nopreempt` (RFC 5798 Preempt_Mode false): lower-priority
/// adverts are accepted and restart the timer.
#[test]
fn nopreempt_accepts_lower_priority() {
    let mut s = settings(100, 1);
    s.nopreempt = true;
    let mut i = Instance::new(s);
    i.handle(0, Input::Start);
    let a = i.handle(2 * SEC, adv(2, 50));
    assert!(logs(&a).is_empty());
    assert_eq!(i.poll_timeout(), Some(2 * SEC + 3_609_375));
}

/// keepalived `preempt_delay`: starts at the first lower-priority advert;
/// until it expires such adverts are accepted, afterwards discarded.
#[test]
fn preempt_delay_accepts_then_discards() {
    let mut s = settings(100, 1);
    s.preempt_delay = 5 * SEC;
    let mut i = Instance::new(s);
    i.handle(0, Input::Start);
    let a = i.handle(SEC, adv(2, 50));
    assert!(a.iter().any(|x| matches!(x, Action::Log { detail: true, message } if message == "(VI_1) start preempt delay (5.000000)")));
    for t in 2..6 {
        assert!(
            logs(&i.handle(t * SEC, adv(2, 50)))
                .iter()
                .all(|l| !l.contains("discarding"))
        );
    }
    assert_eq!(i.poll_timeout(), Some(5 * SEC + 3_609_375));
    let a = i.handle(6 * SEC, adv(2, 50));
    assert!(has_log(
        &a,
        "(VI_1) received lower priority (50) advert from 10.0.0.2 - discarding"
    ));
    assert_eq!(i.poll_timeout(), Some(5 * SEC + 3_609_375));
}

/// RFC 5798 §6.4.2: a VRRPv3 backup sets Master_Adver_Interval from the
/// advert and recomputes Skew_Time and Master_Down_Interval.
#[test]
fn v3_backup_adopts_master_interval() {
    let mut s = settings(100, 1);
    s.version = Version::V3;
    let mut i = Instance::new(s);
    i.handle(0, Input::Start);
    let a = i.handle(
        SEC,
        Input::Advert(RxAdvert {
            src: ip(2),
            priority: 200,
            adver_int: SEC / 2,
        }),
    );
    assert!(has_log(
        &a,
        "(VI_1) advertisement interval updated from 1000ms to 500ms by master"
    ));
    assert_eq!(i.master_adver_int(), SEC / 2);
    assert_eq!(i.poll_timeout(), Some(SEC + 1_804_687));
    // Becoming master restores our own interval.
    i.handle_timeout(SEC + 1_804_687);
    assert_eq!(i.master_adver_int(), SEC);
    assert_eq!(i.poll_timeout(), Some(2 * SEC + 1_804_687));
}

// ----- master behaviour -------------------------------------------------------

/// RFC 3768 §6.4.3: a master receiving a higher priority goes BACKUP and
/// removes its VIPs (keepalived's log wording, reference section i).
#[test]
fn master_yields_to_higher_priority() {
    let (mut i, t) = master(settings(110, 1));
    let a = i.handle(t + 10, adv(2, 160));
    assert_eq!(
        logs(&a)[..2],
        [
            "(VI_1) Master received advert from 10.0.0.2 with higher priority 160, ours 110",
            "(VI_1) Entering BACKUP STATE",
        ]
    );
    assert_eq!(
        effects(&a),
        [
            Action::RemoveVips,
            Action::Notify {
                state: NotifyState::Backup
            }
        ]
    );
    assert!(a.contains(&Action::StateChange {
        from: State::Master,
        to: State::Backup,
        reason: Reason::HigherPriority {
            from: ip(2),
            priority: 160
        }
    }));
    assert_eq!(
        i.poll_timeout(),
        Some(t + 10 + master_down(Version::V2, 3, SEC, 110))
    );
}

/// keepalived `vrrp_state_master_rx`: a lower-priority advert makes the
/// master "force a new election": it sends an advert at once, sends
/// garp_lower_prio_repeat GARPs now and again after garp_lower_prio_delay,
/// runs notify_master_rx_lower_pri, and restarts its advert timer.
#[test]
fn master_forces_new_election_on_lower_priority() {
    let (mut i, t) = master(settings(150, 1));
    let now = t + SEC / 2;
    let a = i.handle(now, adv(2, 100));
    assert_eq!(
        logs(&a),
        [
            "(VI_1) Received advert from 10.0.0.2 with lower priority 100, ours 150, forcing new election"
        ]
    );
    assert_eq!(
        effects(&a),
        [
            Action::SendAdvert { priority: 150 },
            Action::SendGarp { repeat: 5 },
            Action::NotifyMasterRxLowerPri,
        ]
    );
    assert_eq!(i.state(), State::Master);
    assert_eq!(i.poll_timeout(), Some(now + SEC));
    // The delayed lower-priority burst (and the master-delay burst) fire.
    let mut garps = vec![];
    while let Some(x) = i.poll_timeout() {
        if x > now + 6 * SEC {
            break;
        }
        for act in i.handle_timeout(x) {
            if let Action::SendGarp { repeat } = act {
                garps.push(x);
                assert_eq!(repeat, 5);
            }
        }
    }
    assert!(garps.contains(&(now + 5 * SEC)), "{garps:?}");
}

/// keepalived `lower_prio_no_advert`: no advert, no suffix, and the advert
/// timer is not restarted.
#[test]
fn lower_prio_no_advert() {
    let mut s = settings(150, 1);
    s.lower_prio_no_advert = true;
    s.garp_lower_prio_rep = 0;
    let (mut i, t) = master(s);
    let a = i.handle(t + 10, adv(2, 100));
    assert_eq!(
        logs(&a),
        ["(VI_1) Received advert from 10.0.0.2 with lower priority 100, ours 150"]
    );
    assert_eq!(effects(&a), [Action::NotifyMasterRxLowerPri]);
    assert_eq!(i.poll_timeout(), Some(t + SEC));
}

/// keepalived `higher_prio_send_advert`: the master sends one advert before
/// yielding.
#[test]
fn higher_prio_send_advert() {
    let mut s = settings(100, 1);
    s.higher_prio_send_advert = true;
    let (mut i, t) = master(s);
    let a = i.handle(t + 10, adv(2, 200));
    assert_eq!(effects(&a)[0], Action::SendAdvert { priority: 100 });
    assert_eq!(i.state(), State::Backup);
}

/// RFC 3768 §6.4.3: on equal priority the higher primary address wins.
#[test]
fn master_equal_priority_tie_break() {
    let (mut i, t) = master(settings(100, 5));
    let a = i.handle(t + 10, adv(3, 100));
    assert!(has_log(
        &a,
        "(VI_1) Received advert from 10.0.0.3 with lower priority 100, ours 100, forcing new election"
    ));
    assert_eq!(i.state(), State::Master);
    let a = i.handle(t + 20, adv(9, 100));
    assert!(has_log(
        &a,
        "(VI_1) Master received advert from 10.0.0.9 with same priority 100 but higher IP address than ours"
    ));
    assert_eq!(i.state(), State::Backup);
}

/// RFC 3768 §6.4.3: a master answers a priority-0 advert with an advert.
#[test]
fn master_answers_priority_zero() {
    let (mut i, t) = master(settings(100, 1));
    let a = i.handle(t + 10, adv(2, 0));
    assert_eq!(effects(&a), [Action::SendAdvert { priority: 100 }]);
    assert_eq!(i.state(), State::Master);
}

/// keepalived: two owners — "CONFIGURATION ERROR … reducing local priority"
/// and the lower address yields.
#[test]
fn two_owners() {
    let (mut i, t) = master(settings(255, 1));
    let a = i.handle(t + 10, adv(2, 255));
    assert!(has_log(
        &a,
        "(VI_1) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority"
    ));
    assert_eq!(i.effective_priority(), 254);
    assert_eq!(i.state(), State::Backup);
}

/// keepalived `garp_master_refresh`: while master, a refresh burst
/// (garp_master_refresh_repeat) goes out at the first advert after each
/// refresh interval.
#[test]
fn garp_master_refresh() {
    let mut s = settings(255, 1);
    s.garp_delay = 0;
    s.garp_refresh = 3 * SEC;
    s.garp_refresh_rep = 2;
    let (mut i, t) = master(s);
    let mut at = vec![];
    while let Some(x) = i.poll_timeout() {
        if x > t + 7 * SEC {
            break;
        }
        for a in i.handle_timeout(x) {
            if a == (Action::SendGarp { repeat: 2 }) {
                at.push(x - t);
            }
        }
    }
    assert_eq!(
        at,
        [4 * SEC, 8 * SEC]
            .into_iter()
            .filter(|&x| x <= 7 * SEC)
            .collect::<Vec<_>>()
    );
}

// ----- tracking -------------------------------------------------------------

fn tracked(prio: u8, kind: TrackKind, weight: i32, status: Option<TrackStatus>) -> Instance {
    let mut s = settings(prio, 1);
    s.trackers.push(Tracker {
        kind,
        name: "t".into(),
        weight,
        reverse: false,
        status,
    });
    let mut i = Instance::new(s);
    i.handle(0, Input::Start);
    i
}

fn set(i: &mut Instance, now: u64, kind: TrackKind, status: TrackStatus) -> Vec<Action> {
    i.handle(
        now,
        Input::Track {
            kind,
            name: "t".into(),
            status,
        },
    )
}

/// keepalived `vrrp_set_effective_priority`: base ± weights, logged, and a
/// backup's down timer follows the new skew.
#[test]
fn script_weight_changes_effective_priority() {
    let mut i = tracked(100, TrackKind::Script, 10, None);
    let before = i.poll_timeout().unwrap();
    let a = set(&mut i, SEC, TrackKind::Script, TrackStatus::Up);
    assert_eq!(
        logs(&a),
        ["(VI_1) Changing effective priority from 100 to 110"]
    );
    assert_eq!(i.effective_priority(), 110);
    assert_eq!(
        i.poll_timeout().unwrap(),
        before - (skew(Version::V2, SEC, 100) - skew(Version::V2, SEC, 110))
    );
    let a = set(&mut i, 2 * SEC, TrackKind::Script, TrackStatus::Down);
    assert_eq!(
        logs(&a),
        ["(VI_1) Changing effective priority from 110 to 100"]
    );
}

/// Effective priority is clamped to 1..254 (reference f.2, f.14).
#[test]
fn effective_priority_clamps() {
    let mut i = tracked(250, TrackKind::Interface, 50, Some(TrackStatus::Down));
    set(&mut i, 1, TrackKind::Interface, TrackStatus::Up);
    assert_eq!(i.effective_priority(), 254);
    let mut i = tracked(20, TrackKind::Interface, -50, Some(TrackStatus::Up));
    let a = set(&mut i, 1, TrackKind::Interface, TrackStatus::Down);
    assert_eq!(
        logs(&a),
        ["(VI_1) Changing effective priority from 20 to 1"]
    );
}

/// Reference f.14: the owner's priority is never changed by trackers.
#[test]
fn owner_priority_is_fixed() {
    let mut i = tracked(255, TrackKind::Script, -100, Some(TrackStatus::Up));
    let a = set(&mut i, 1, TrackKind::Script, TrackStatus::Down);
    assert!(logs(&a).is_empty());
    assert_eq!(i.effective_priority(), 255);
}

/// keepalived `track_file`: value × weight is added (capped at 253);
/// ≤ −254 means FAULT.
#[test]
fn track_file_value_times_weight() {
    let mut i = tracked(100, TrackKind::File, 5, Some(TrackStatus::Value(0)));
    let a = set(&mut i, 1, TrackKind::File, TrackStatus::Value(3));
    assert_eq!(
        logs(&a),
        ["(VI_1) Changing effective priority from 100 to 115"]
    );
    let a = set(&mut i, 2, TrackKind::File, TrackStatus::Value(-60));
    assert!(has_log(&a, "(VI_1) Entering FAULT STATE"));
}

/// `vrrp_restore_interface` removes virtual rules before the VIPs, and
/// says so in that order: "removing Virtual Rules", then "removing VIPs.".
#[test]
fn release_says_rules_before_vips() {
    let mut s = settings(255, 1);
    s.has_vrules = true;
    let (mut i, t) = master(s);
    let a = i.handle(t + 5, Input::Stop);
    let l = logs(&a);
    let rules = l.iter().position(|m| m == "(VI_1) removing Virtual Rules");
    let vips = l.iter().position(|m| m == "(VI_1) removing VIPs.");
    assert!(
        matches!((rules, vips), (Some(r), Some(v)) if r < v),
        "{l:?}"
    );
    assert!(effects(&a).contains(&Action::RemoveVips));
}

/// Reference f.12 (observed 2.2.7): a weight-0 tracker failing on a master
/// gives "Entering FAULT STATE" → "sent 0 priority" → "removing VIPs.";
/// recovery gives "Entering BACKUP STATE".
#[test]
fn weight0_failure_on_master_is_fault() {
    let mut s = settings(255, 1);
    s.trackers.push(Tracker {
        kind: TrackKind::Interface,
        name: "eth0".into(),
        weight: 0,
        reverse: false,
        status: Some(TrackStatus::Up),
    });
    let (mut i, t) = master(s);
    let a = i.handle(
        t + 5,
        Input::Track {
            kind: TrackKind::Interface,
            name: "eth0".into(),
            status: TrackStatus::Down,
        },
    );
    assert_eq!(
        logs(&a),
        [
            "(VI_1) Entering FAULT STATE",
            "(VI_1) sent 0 priority",
            "(VI_1) removing VIPs."
        ]
    );
    assert_eq!(
        effects(&a),
        [
            Action::SendAdvert { priority: 0 },
            Action::SendAdvert { priority: 0 },
            Action::RemoveVips,
            Action::Notify {
                state: NotifyState::Fault
            },
        ]
    );
    assert_eq!(i.state(), State::Fault);
    assert_eq!(
        i.poll_timeout(),
        Some(t + 5 * SEC),
        "only the pending GARP burst remains"
    );
    // The stale delayed GARP burst sends nothing: the VIPs are not set.
    assert!(i.handle_timeout(t + 5 * SEC).is_empty());
    let a = i.handle(
        t + 6 * SEC,
        Input::Track {
            kind: TrackKind::Interface,
            name: "eth0".into(),
            status: TrackStatus::Up,
        },
    );
    assert_eq!(logs(&a), ["(VI_1) Entering BACKUP STATE"]);
    assert_eq!(
        i.poll_timeout(),
        Some(t + 6 * SEC + master_down(Version::V2, 3, SEC, 255))
    );
}

/// keepalived `dont_track_primary`: the instance's own interface is tracked
/// with weight 0 unless `dont_track_primary` is set.
#[test]
fn dont_track_primary_from_config() {
    let mut cfg = Config::default();
    let inst = VrrpInstance {
        name: "VI_1".into(),
        interface: Some("eth0".into()),
        vrid: Some(51),
        ..Default::default()
    };
    let s = Settings::from_config(&cfg, &inst);
    assert_eq!(s.trackers.len(), 1);
    assert_eq!(
        (s.trackers[0].kind, s.trackers[0].weight),
        (TrackKind::Interface, 0)
    );
    let inst2 = VrrpInstance {
        dont_track_primary: true,
        ..inst.clone()
    };
    assert!(Settings::from_config(&cfg, &inst2).trackers.is_empty());

    // Defaults: priority 100, or 255 with state MASTER; script weight from
    // the vrrp_script when the track_script line gives none.
    cfg.vrrp_scripts.push(VrrpScript {
        name: "chk".into(),
        weight: -20,
        ..Default::default()
    });
    let span = keepalived::config::diag::Span::new("f".into(), 1, 1);
    let inst3 = VrrpInstance {
        state: InitialState::Master,
        track_scripts: vec![TrackRef {
            name: "chk".into(),
            weight: None,
            reverse: false,
            span,
        }],
        ..inst.clone()
    };
    let s = Settings::from_config(&cfg, &inst3);
    assert_eq!(s.base_priority, 255);
    assert!(s.want_master);
    assert_eq!(s.trackers[1].weight, -20);
    assert_eq!(s.garp_rep, 5);
    assert_eq!(s.garp_delay, 5 * SEC);
    assert_eq!(Settings::from_config(&cfg, &inst).base_priority, 100);
}

// ----- stop -------------------------------------------------------------------

/// Reference e (graceful stop): a master sends priority 0 and removes its
/// VIPs; every instance notifies STOP.
#[test]
fn stop_master_sends_priority_zero() {
    let (mut i, t) = master(settings(100, 1));
    let a = i.handle(t + 1, Input::Stop);
    assert!(has_log(&a, "(VI_1) sent 0 priority"));
    assert_eq!(
        effects(&a),
        [
            Action::SendAdvert { priority: 0 },
            Action::RemoveVips,
            Action::Notify {
                state: NotifyState::Stop
            },
        ]
    );
    assert_eq!(i.poll_timeout(), None);
    let mut b = Instance::new(settings(100, 1));
    b.handle(0, Input::Start);
    assert_eq!(
        effects(&b.handle(1, Input::Stop)),
        [Action::Notify {
            state: NotifyState::Stop
        }]
    );
}

// ----- two-instance simulations -------------------------------------------------

/// Network delay between the two nodes.
const DELAY: u64 = 1_000;

struct Node {
    inst: Instance,
    addr: IpAddr,
    alive: bool,
    started: bool,
    start_at: u64,
    became_master: Vec<u64>,
}

struct Sim {
    now: u64,
    nodes: Vec<Node>,
    /// (deliver at, to, advert)
    wire: Vec<(u64, usize, RxAdvert)>,
    /// Last time each node received an advert.
    last_rx: Vec<u64>,
}

impl Sim {
    fn new(a: Settings, b: Settings) -> Sim {
        let node = |s: Settings| Node {
            addr: s.src_addr.unwrap(),
            inst: Instance::new(s),
            alive: true,
            started: false,
            start_at: 0,
            became_master: vec![],
        };
        Sim {
            now: 0,
            nodes: vec![node(a), node(b)],
            wire: vec![],
            last_rx: vec![0, 0],
        }
    }

    fn start_at(mut self, i: usize, t: u64) -> Sim {
        self.nodes[i].start_at = t;
        self
    }

    fn apply(&mut self, i: usize, actions: Vec<Action>) {
        for a in actions {
            match a {
                Action::SendAdvert { priority } if self.nodes[i].alive => {
                    let adv = RxAdvert {
                        src: self.nodes[i].addr,
                        priority,
                        adver_int: self.nodes[i].inst.settings().adver_int,
                    };
                    self.wire.push((self.now + DELAY, 1 - i, adv));
                }
                Action::StateChange {
                    to: State::Master, ..
                } => self.nodes[i].became_master.push(self.now),
                _ => {}
            }
        }
    }

    fn next_event(&self) -> Option<u64> {
        let mut t: Option<u64> = self.wire.iter().map(|w| w.0).min();
        for n in &self.nodes {
            if !n.alive {
                continue;
            }
            let e = if n.started {
                n.inst.poll_timeout()
            } else {
                Some(n.start_at)
            };
            t = match (t, e) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        t
    }

    fn run_until(&mut self, end: u64) {
        while let Some(t) = self.next_event() {
            if t > end {
                break;
            }
            self.now = t;
            for i in 0..2 {
                if self.nodes[i].alive && !self.nodes[i].started && self.nodes[i].start_at <= t {
                    self.nodes[i].started = true;
                    let a = self.nodes[i].inst.handle(t, Input::Start);
                    self.apply(i, a);
                }
            }
            let due: Vec<_> = self.wire.iter().filter(|w| w.0 <= t).cloned().collect();
            self.wire.retain(|w| w.0 > t);
            for (_, to, adv) in due {
                if self.nodes[to].alive && self.nodes[to].started {
                    self.last_rx[to] = t;
                    let a = self.nodes[to].inst.handle(t, Input::Advert(adv));
                    self.apply(to, a);
                }
            }
            for i in 0..2 {
                let n = &self.nodes[i];
                if n.alive && n.started && n.inst.poll_timeout().is_some_and(|x| x <= t) {
                    let a = self.nodes[i].inst.handle_timeout(t);
                    self.apply(i, a);
                }
            }
        }
        self.now = end;
    }

    fn state(&self, i: usize) -> State {
        self.nodes[i].inst.state()
    }

    /// SIGKILL: the node stops sending and processing at once.
    fn kill(&mut self, i: usize) {
        self.nodes[i].alive = false;
        self.wire.retain(|w| w.1 != i);
    }

    /// SIGTERM: the node runs its stop actions, then is gone.
    fn stop(&mut self, i: usize) {
        let a = self.nodes[i].inst.handle(self.now, Input::Stop);
        self.apply(i, a);
        self.kill(i);
    }
}

fn converged(sim: &Sim) -> (State, State) {
    (sim.state(0), sim.state(1))
}

/// RFC 3768 §6.4: the higher priority wins the election; the other stays
/// backup. B (150) times out first: 3 s + (256−150)/256 s.
#[test]
fn sim_election_of_higher_priority() {
    let mut sim = Sim::new(settings(100, 1), settings(150, 2));
    sim.run_until(20 * SEC);
    assert_eq!(converged(&sim), (State::Backup, State::Master));
    assert_eq!(
        sim.nodes[1].became_master,
        [master_down(Version::V2, 3, SEC, 150)]
    );
    assert!(sim.nodes[0].became_master.is_empty());
}

/// Reference e (SIGKILL): the backup takes over exactly 3 × advert_int +
/// skew after the last advert it received.
#[test]
fn sim_master_killed_takeover_after_master_down() {
    let mut sim = Sim::new(settings(100, 1), settings(150, 2));
    sim.run_until(10 * SEC);
    sim.kill(1);
    let last = sim.last_rx[0];
    sim.run_until(20 * SEC);
    assert_eq!(sim.state(0), State::Master);
    assert_eq!(sim.nodes[0].became_master, [last + 3 * SEC + 609_375]);
}

/// Reference e (graceful stop): after the priority-0 advert the backup takes
/// over after Skew_Time only.
#[test]
fn sim_graceful_stop_takeover_after_skew() {
    let mut sim = Sim::new(settings(100, 1), settings(150, 2));
    sim.run_until(10 * SEC);
    let t = sim.now;
    sim.stop(1);
    sim.run_until(20 * SEC);
    assert_eq!(sim.nodes[0].became_master, [t + DELAY + 609_375]);
}

/// RFC 3768 §6.4.2 (Preempt_Mode true): a higher-priority router starting
/// later discards the master's lower adverts and preempts after its own
/// Master_Down interval; the old master yields.
#[test]
fn sim_preemption_back() {
    let mut sim = Sim::new(settings(100, 1), settings(150, 2)).start_at(1, 10 * SEC);
    sim.run_until(30 * SEC);
    assert_eq!(converged(&sim), (State::Backup, State::Master));
    assert_eq!(sim.nodes[0].became_master, [3_609_375]);
    assert_eq!(
        sim.nodes[1].became_master,
        [10 * SEC + master_down(Version::V2, 3, SEC, 150)]
    );
}

/// keepalived `nopreempt`: the higher-priority router starting later stays
/// backup.
#[test]
fn sim_nopreempt() {
    let mut b = settings(150, 2);
    b.nopreempt = true;
    let mut sim = Sim::new(settings(100, 1), b).start_at(1, 10 * SEC);
    sim.run_until(60 * SEC);
    assert_eq!(converged(&sim), (State::Master, State::Backup));
}

/// keepalived `preempt_delay`: the later higher-priority router waits the
/// delay from the first lower-priority advert, then preempts one
/// Master_Down interval after the last advert it accepted.
#[test]
fn sim_preempt_delay() {
    let mut b = settings(150, 2);
    b.preempt_delay = 15 * SEC;
    let mut sim = Sim::new(settings(100, 1), b).start_at(1, 10 * SEC);
    sim.run_until(60 * SEC);
    assert_eq!(converged(&sim), (State::Backup, State::Master));
    let took = sim.nodes[1].became_master[0];
    let first_rx = 10 * SEC; // adverts arrive every second; the first after start
    assert!(took > first_rx + 15 * SEC, "{took}");
    assert!(
        took <= first_rx + 17 * SEC + master_down(Version::V2, 3, SEC, 150),
        "{took}"
    );
}

/// RFC 5798 §6.4.2: a VRRPv3 backup adopts the master's 0.5 s interval, so
/// it takes over 3 × 0.5 s + skew(0.5 s) after the master dies.
#[test]
fn sim_v3_interval_adoption() {
    let mut a = settings(100, 1);
    a.version = Version::V3;
    let mut b = settings(150, 2);
    b.version = Version::V3;
    b.adver_int = SEC / 2;
    let mut sim = Sim::new(a, b);
    sim.run_until(10 * SEC);
    assert_eq!(sim.nodes[0].inst.master_adver_int(), SEC / 2);
    sim.kill(1);
    let last = sim.last_rx[0];
    sim.run_until(20 * SEC);
    assert_eq!(sim.nodes[0].became_master, [last + 3 * SEC / 2 + 304_687]);
}

/// RFC 3768 §6.4.3: equal priorities, the higher primary address wins.
#[test]
fn sim_tie_break_on_address() {
    let mut sim = Sim::new(settings(100, 7), settings(100, 3));
    sim.run_until(20 * SEC);
    assert_eq!(converged(&sim), (State::Master, State::Backup));
}

proptest! {
    /// Whatever the priorities, interval, start offsets and delay, the pair
    /// converges to exactly one master: the higher priority one when they
    /// differ (RFC 3768 §6.4 / RFC 5798 §6.4).
    #[test]
    fn two_nodes_converge(
        pa in 1u8..=255,
        pb in 1u8..=255,
        v3 in any::<bool>(),
        int_cs in 10u64..300,
        off_a in 0u64..5_000_000,
        off_b in 0u64..5_000_000,
    ) {
        // Two owners would be a configuration error.
        prop_assume!(!(pa == 255 && pb == 255));
        let mk = |p: u8, last: u8| {
            let mut s = settings(p, last);
            if v3 {
                s.version = Version::V3;
                s.adver_int = int_cs * 10_000;
            } else {
                s.adver_int = (int_cs / 100 + 1) * SEC;
            }
            s
        };
        let mut sim = Sim::new(mk(pa, 1), mk(pb, 2)).start_at(0, off_a).start_at(1, off_b);
        sim.run_until(40 * SEC);
        if pa == pb {
            // On a tie the address decides only between two masters (RFC 3768
            // §6.4.3); a backup accepts a master of equal priority (§6.4.2), so
            // whichever became master first may keep the role.
            let masters = (0..2).filter(|&i| sim.state(i) == State::Master).count();
            prop_assert_eq!(masters, 1);
            return Ok(());
        }
        let winner = if pb > pa { 1 } else { 0 };
        prop_assert_eq!(sim.state(winner), State::Master);
        prop_assert_eq!(sim.state(1 - winner), State::Backup);
    }
}
