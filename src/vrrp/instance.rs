//! The per-instance VRRP state machine (RFC 3768 §6.4 / RFC 5798 §6.4, as
//! keepalived 2.2.7 implements them in `vrrp.c` and `vrrp_scheduler.c`).
//!
//! keepalived keeps one deadline per instance (`sands`): the advert timer
//! when MASTER, the Master_Down timer when BACKUP, none in FAULT/INIT. We do
//! the same, plus the delayed GARP bursts keepalived schedules as separate
//! timer threads.

use std::cmp::Ordering;
use std::net::IpAddr;

use crate::messages;
use crate::proto::vrrp::Version;

use super::action::{
    Action, Input, Micros, NotifyState, Reason, RxAdvert, State, TrackKind, TrackStatus,
};
use super::settings::{Settings, Tracker};
use super::timers::{self, PRIO_OWNER, PRIO_STOP, TIMER_HZ};

/// One VRRP instance.
#[derive(Clone, Debug)]
pub struct Instance {
    cfg: Settings,
    state: State,
    /// keepalived's `base_priority`: the configured one, except that an owner
    /// in conflict with another owner drops to 254.
    base_priority: u8,
    effective_priority: u8,
    /// The interval the current master advertises (VRRPv3 backups adopt it).
    master_adver_int: u64,
    /// The Master_Down interval in force (or the skew after a priority-0
    /// advert).
    ms_down_timer: u64,
    /// The instance deadline (`sands`).
    sands: Option<Micros>,
    /// End of the preempt delay, once started (`preempt_time`).
    preempt_time: Option<Micros>,
    /// `vrrp_startup_delay` end, cleared once passed.
    delayed_start: Option<Micros>,
    /// VIPs installed (`vipset`).
    vipset: bool,
    garp_refresh_timer: Micros,
    /// Delayed GARP bursts: (deadline, repeat).
    pending_garps: Vec<(Micros, u32)>,
    master_addr: Option<IpAddr>,
    master_priority: u8,
    /// Sync group: this member's down timer expired and it wants MASTER
    /// (keepalived's `wantstate == VRRP_STATE_MAST`).
    wants_master: bool,
    /// Sync group: held in FAULT because another member is.
    sync_fault: bool,
}

/// An ordered comparison of a sender with our address the way keepalived's
/// `vrrp_saddr_cmp` does it: numeric order within a family, 0 ("equal") when
/// we have no address or the families differ.
fn addr_cmp(sender: IpAddr, ours: Option<IpAddr>) -> Ordering {
    match (sender, ours) {
        (IpAddr::V4(a), Some(IpAddr::V4(b))) => a.cmp(&b),
        (IpAddr::V6(a), Some(IpAddr::V6(b))) => a.cmp(&b),
        _ => Ordering::Equal,
    }
}

/// The priority a tracker adds, and whether it forces FAULT, given the
/// instance is not the address owner (`vrrp_track.c` keeps a running sum;
/// recomputing it from the statuses gives the same total).
///
/// Returns `(delta, fault, init_hold)`.
fn contribution(t: &Tracker) -> (i64, bool, bool) {
    let m: i64 = if t.reverse { -1 } else { 1 };
    let w = i64::from(t.weight);
    match (t.status, t.weight) {
        (None, 0) => (0, false, true),
        (None, _) => (0, false, false),
        (Some(TrackStatus::Value(v)), 0) => (0, (v != 0) == (m == 1), false),
        (Some(TrackStatus::Value(v)), _) => {
            let s = v.saturating_mul(w).saturating_mul(m);
            if s <= -254 {
                (0, true, false)
            } else {
                (s.min(253), false, false)
            }
        }
        (Some(st), 0) => (0, (st == TrackStatus::Up) != (m == 1), false),
        (Some(TrackStatus::Up), _) => (if w > 0 { w * m } else { 0 }, false, false),
        (Some(TrackStatus::Down), _) => (if w < 0 { w * m } else { 0 }, false, false),
    }
}

impl Instance {
    /// A new instance in INIT; nothing happens until [`Input::Start`].
    pub fn new(cfg: Settings) -> Instance {
        let base = cfg.base_priority;
        let adver_int = cfg.adver_int;
        Instance {
            cfg,
            state: State::Init,
            base_priority: base,
            effective_priority: base,
            master_adver_int: adver_int,
            ms_down_timer: 0,
            sands: None,
            preempt_time: None,
            delayed_start: None,
            vipset: false,
            garp_refresh_timer: 0,
            pending_garps: Vec::new(),
            master_addr: None,
            master_priority: 0,
            wants_master: false,
            sync_fault: false,
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn settings(&self) -> &Settings {
        &self.cfg
    }

    pub fn effective_priority(&self) -> u8 {
        self.effective_priority
    }

    /// The interval the master advertises, as adopted by a VRRPv3 backup.
    pub fn master_adver_int(&self) -> u64 {
        self.master_adver_int
    }

    /// The Master_Down interval currently in force.
    pub fn master_down_interval(&self) -> u64 {
        self.ms_down_timer
    }

    /// Address and priority of the last master heard from.
    pub fn master(&self) -> Option<(IpAddr, u8)> {
        self.master_addr.map(|a| (a, self.master_priority))
    }

    /// Whether VIPs are installed.
    pub fn vips_set(&self) -> bool {
        self.vipset
    }

    /// When [`Instance::handle_timeout`] must next be called.
    pub fn poll_timeout(&self) -> Option<Micros> {
        self.pending_garps
            .iter()
            .map(|&(t, _)| t)
            .chain(self.sands)
            .min()
    }

    /// Processes one input at time `now`.
    pub fn handle(&mut self, now: Micros, input: Input) -> Vec<Action> {
        let mut out = Vec::new();
        match input {
            Input::Start => self.start(now, &mut out),
            Input::Advert(adv) => self.rx_advert(now, adv, &mut out),
            Input::Track { kind, name, status } => self.track(now, kind, &name, status, &mut out),
            Input::SourceAddress(addr) => self.cfg.src_addr = addr,
            Input::Stop => self.stop(&mut out),
            Input::SyncMaster => self.sync_master(now, &mut out),
            Input::SyncBackup => self.sync_backup(now, &mut out),
            Input::SyncFault => self.sync_to_fault(now, &mut out),
        }
        out
    }

    /// Runs the timers due at `now`.
    pub fn handle_timeout(&mut self, now: Micros) -> Vec<Action> {
        let mut out = Vec::new();
        // Delayed GARP bursts (`vrrp_gratuitous_arp_thread` and its lower
        // priority twin): they only send while the VIPs are set.
        let mut i = 0;
        while i < self.pending_garps.len() {
            if self.pending_garps[i].0 <= now {
                let (_, rep) = self.pending_garps.remove(i);
                if self.vipset {
                    self.send_link_update(rep, &mut out);
                }
            } else {
                i += 1;
            }
        }
        if self.sands.is_some_and(|t| t <= now) {
            match self.state {
                State::Backup => {
                    self.log(&mut out, true, messages::receive_advert_timeout());
                    if self.cfg.sync_member {
                        // vrrp_sync_can_goto_master: wait for the group with
                        // a fresh down timer.
                        self.wants_master = true;
                        self.ms_down_timer = self.ms_down();
                        out.push(Action::WantMaster);
                    } else {
                        self.goto_master(now, Reason::MasterDown, &mut out);
                    }
                }
                State::Master => self.master_tx(now, &mut out),
                _ => {}
            }
            self.init_sands(now);
        }
        out
    }

    // ----- helpers -------------------------------------------------------

    fn log(&self, out: &mut Vec<Action>, detail: bool, msg: impl AsRef<str>) {
        out.push(Action::Log {
            detail,
            message: messages::instance_line(&self.cfg.name, msg.as_ref()),
        });
    }

    fn skew(&self) -> u64 {
        timers::skew(
            self.cfg.version,
            self.master_adver_int,
            self.effective_priority,
        )
    }

    fn ms_down(&self) -> u64 {
        timers::master_down(
            self.cfg.version,
            self.cfg.down_timer_adverts,
            self.master_adver_int,
            self.effective_priority,
        )
    }

    fn set_state(&mut self, to: State, reason: Reason, out: &mut Vec<Action>) {
        let from = self.state;
        self.state = to;
        out.push(Action::StateChange { from, to, reason });
    }

    fn notify(&self, out: &mut Vec<Action>) {
        let state = match self.state {
            State::Master => NotifyState::Master,
            State::Backup => NotifyState::Backup,
            State::Fault => NotifyState::Fault,
            State::Stop => NotifyState::Stop,
            State::Init => return,
        };
        out.push(Action::Notify { state });
    }

    /// keepalived's `vrrp_init_instance_sands`: the deadline for the current
    /// state. A backup inside `vrrp_startup_delay` counts from the delay's end.
    fn init_sands(&mut self, now: Micros) {
        self.sands = match self.state {
            State::Master => Some(now + self.cfg.adver_int),
            State::Backup => match self.delayed_start {
                Some(d) if now < d => Some(d + self.ms_down_timer),
                Some(_) => {
                    self.delayed_start = None;
                    Some(now + self.ms_down_timer)
                }
                None => Some(now + self.ms_down_timer),
            },
            _ => None,
        };
    }

    /// Tracker totals: `(total_priority, fault_count, init_hold)`.
    fn tracking(&self) -> (i64, usize, bool) {
        let mut total = i64::from(self.base_priority);
        let mut faults = 0;
        let mut hold = false;
        for t in &self.cfg.trackers {
            let (d, f, h) = contribution(t);
            total += d;
            faults += usize::from(f);
            hold |= h;
        }
        (total, faults, hold)
    }

    /// `vrrp_set_effective_priority`: clamp to 1..254, never touching an
    /// owner; a backup's running down timer is stretched or shortened by
    /// the change of its skew.
    fn set_effective_priority(&mut self, out: &mut Vec<Action>) {
        if self.base_priority == PRIO_OWNER {
            return;
        }
        let (total, _, _) = self.tracking();
        let new = total.clamp(1, i64::from(PRIO_OWNER - 1)) as u8;
        if new == self.effective_priority {
            return;
        }
        self.log(
            out,
            false,
            messages::changing_effective_priority(self.effective_priority, new),
        );
        self.effective_priority = new;
        let old = self.ms_down_timer;
        self.ms_down_timer = self.ms_down();
        if let (State::Backup, Some(s)) = (self.state, self.sands) {
            self.sands = Some((s + self.ms_down_timer).saturating_sub(old));
        }
        if self.cfg.notify_priority_changes {
            out.push(Action::NotifyPriority { priority: new });
        }
    }

    fn send_link_update(&self, rep: u32, out: &mut Vec<Action>) {
        if self.vipset && rep > 0 {
            out.push(Action::SendGarp { repeat: rep });
        }
    }

    // ----- startup -------------------------------------------------------

    /// `vrrp_init_state` + `vrrp_init_sands`.
    fn start(&mut self, now: Micros, out: &mut Vec<Action>) {
        if self.state != State::Init {
            return;
        }
        if self.cfg.startup_delay > 0 {
            self.delayed_start = Some(now + self.cfg.startup_delay);
        }
        // initialise_tracking_priorities: faults are logged per tracker and
        // the effective priority is set before the state is chosen.
        let mut pre_fault = false;
        for t in &self.cfg.trackers {
            let (_, fault, _) = contribution(t);
            if !fault {
                continue;
            }
            pre_fault = true;
            let msg = match (t.kind, t.status) {
                (TrackKind::Interface, _) => {
                    messages::fault_interface_down(&self.cfg.name, &t.name)
                }
                (TrackKind::Script, _) => messages::fault_script(&self.cfg.name, &t.name),
                (TrackKind::File, Some(TrackStatus::Value(v))) => {
                    let m: i64 = if t.reverse { -1 } else { 1 };
                    let s = if t.weight == 0 {
                        -254
                    } else {
                        v.saturating_mul(i64::from(t.weight)).saturating_mul(m)
                    };
                    messages::fault_track_file(&self.cfg.name, &t.name, s)
                }
                (TrackKind::Process, _) => messages::fault_track_process(&self.cfg.name, &t.name),
                _ => messages::tracked_bfd_down(&self.cfg.name, &t.name),
            };
            out.push(Action::Log {
                detail: false,
                message: msg,
            });
        }
        self.set_effective_priority(out);
        let (_, faults, hold) = self.tracking();
        let is_up = faults == 0;
        if pre_fault {
            // keepalived sets FAULT while initialising tracking, so the
            // "(init)" line and the notify are skipped.
            self.set_state(State::Fault, Reason::StartupFault, out);
        }
        if is_up && !hold && self.cfg.want_master && self.cfg.is_owner() {
            // "The simplest way to become master is to timeout from the
            // backup state very quickly (1usec)".
            self.state = State::Backup;
            self.ms_down_timer = 1;
        } else {
            self.ms_down_timer = self.ms_down();
            if is_up && !hold {
                self.log(out, false, messages::entering_backup_init());
                self.set_state(State::Backup, Reason::Startup, out);
                self.notify(out);
            } else if !pre_fault {
                self.log(out, false, messages::entering_fault_init());
                self.set_state(State::Fault, Reason::StartupFault, out);
            }
        }
        self.init_sands(now);
    }

    // ----- master --------------------------------------------------------

    /// `vrrp_state_goto_master` + the first `vrrp_state_master_tx`.
    fn goto_master(&mut self, now: Micros, reason: Reason, out: &mut Vec<Action>) {
        self.set_state(State::Master, reason, out);
        self.init_sands(now);
        self.master_tx(now, out);
    }

    /// `vrrp_state_master_tx`: the advert goes first so that the old master
    /// drops the VIPs before our GARPs arrive.
    fn master_tx(&mut self, now: Micros, out: &mut Vec<Action>) {
        out.push(Action::SendAdvert {
            priority: self.effective_priority,
        });
        if !self.vipset {
            self.log(out, false, messages::entering_master());
            self.become_master(now, out);
            if self.cfg.garp_delay > 0 {
                self.pending_garps
                    .push((now + self.cfg.garp_delay, self.cfg.garp_rep));
            }
        } else if self.cfg.garp_refresh > 0 && now > self.garp_refresh_timer {
            self.send_link_update(self.cfg.garp_refresh_rep, out);
            self.garp_refresh_timer = now + self.cfg.garp_refresh;
        }
    }

    /// `vrrp_state_become_master`.
    fn become_master(&mut self, now: Micros, out: &mut Vec<Action>) {
        if self.cfg.version == Version::V3 && self.master_adver_int != self.cfg.adver_int {
            self.log(
                out,
                true,
                messages::advert_int_restored(
                    self.master_adver_int / 1000,
                    self.cfg.adver_int / 1000,
                ),
            );
            self.master_adver_int = self.cfg.adver_int;
        }
        if self.cfg.has_vips {
            self.log(out, true, messages::setting_vips());
        }
        if self.cfg.has_evips {
            self.log(out, true, messages::setting_evips());
        }
        out.push(Action::AddVips);
        self.vipset = true;
        self.send_link_update(self.cfg.garp_rep, out);
        if self.cfg.garp_refresh > 0 {
            self.garp_refresh_timer = now + self.cfg.garp_refresh;
        }
        self.notify(out);
    }

    /// `vrrp_restore_interface`: optionally the priority-0 advert, then the
    /// virtual rules, routes and VIPs go ([`Action::RemoveVips`] removes
    /// them in that order).
    fn restore_interface(&mut self, send_stop: bool, out: &mut Vec<Action>) {
        if send_stop {
            out.push(Action::SendAdvert {
                priority: PRIO_STOP,
            });
            self.log(out, true, messages::sent_zero_priority());
        }
        if self.vipset {
            if self.cfg.has_vrules {
                out.push(Action::Log {
                    detail: true,
                    message: messages::virtual_rules_change(&self.cfg.name, false),
                });
            }
            if self.cfg.has_vips {
                self.log(out, true, messages::removing_vips());
            }
            if self.cfg.has_evips {
                self.log(out, true, messages::removing_evips());
            }
            out.push(Action::RemoveVips);
            self.vipset = false;
        }
    }

    /// `vrrp_state_leave_master` towards BACKUP or FAULT.
    fn leave_master(
        &mut self,
        now: Micros,
        to: State,
        reason: Reason,
        send_stop: bool,
        out: &mut Vec<Action>,
    ) {
        if to == State::Backup {
            self.log(out, false, messages::entering_backup());
            self.preempt_time = None;
        } else {
            self.log(out, false, messages::entering_fault());
            out.push(Action::SendAdvert {
                priority: PRIO_STOP,
            });
        }
        self.restore_interface(send_stop, out);
        self.set_state(to, reason, out);
        self.notify(out);
        self.ms_down_timer = self.ms_down();
        self.init_sands(now);
    }

    /// `vrrp_state_master_rx`; returns the reason to step down, if any.
    fn master_rx(&mut self, now: Micros, adv: RxAdvert, out: &mut Vec<Action>) -> Option<Reason> {
        let cmp = addr_cmp(adv.src, self.cfg.src_addr);
        let eff = self.effective_priority;
        if adv.priority == 0
            || (self.cfg.higher_prio_send_advert
                && (adv.priority > eff || (adv.priority == eff && cmp == Ordering::Greater)))
        {
            out.push(Action::SendAdvert { priority: eff });
            if adv.priority == 0 {
                self.log(out, true, messages::master_received_zero_priority());
                return None;
            }
        }
        if adv.priority == self.effective_priority {
            if cmp == Ordering::Equal {
                self.log(out, false, messages::equal_priority_own_address());
            } else if self.effective_priority == PRIO_OWNER {
                self.log(out, false, messages::both_address_owners());
                self.effective_priority = PRIO_OWNER - 1;
                self.base_priority = PRIO_OWNER - 1;
            }
        }
        let eff = self.effective_priority;
        if adv.priority < eff || (adv.priority == eff && cmp == Ordering::Less) {
            self.log(
                out,
                false,
                messages::lower_priority_advert(
                    &adv.src,
                    adv.priority,
                    eff,
                    !self.cfg.lower_prio_no_advert,
                ),
            );
            if !self.cfg.lower_prio_no_advert {
                out.push(Action::SendAdvert { priority: eff });
            }
            if self.cfg.garp_lower_prio_rep > 0 {
                self.send_link_update(self.cfg.garp_lower_prio_rep, out);
                if self.cfg.garp_lower_prio_delay > 0 {
                    self.pending_garps.push((
                        now + self.cfg.garp_lower_prio_delay,
                        self.cfg.garp_lower_prio_rep,
                    ));
                }
            }
            out.push(Action::NotifyMasterRxLowerPri);
            return None;
        }
        if adv.priority > eff || (adv.priority == eff && cmp == Ordering::Greater) {
            let reason = if adv.priority > eff {
                self.log(
                    out,
                    false,
                    messages::higher_priority_advert(&adv.src, adv.priority, eff),
                );
                Reason::HigherPriority {
                    from: adv.src,
                    priority: adv.priority,
                }
            } else {
                self.log(
                    out,
                    false,
                    messages::same_priority_higher_ip(&adv.src, adv.priority),
                );
                Reason::HigherAddress {
                    from: adv.src,
                    priority: adv.priority,
                }
            };
            if self.cfg.version == Version::V3 && self.master_adver_int != adv.adver_int {
                self.update_master_adver_int(adv.adver_int, out);
            }
            self.master_priority = adv.priority;
            self.master_addr = Some(adv.src);
            return Some(reason);
        }
        None
    }

    // ----- backup --------------------------------------------------------

    fn update_master_adver_int(&mut self, int: u64, out: &mut Vec<Action>) {
        self.log(
            out,
            true,
            messages::advert_int_updated(self.master_adver_int / 1000, int / 1000),
        );
        self.master_adver_int = int;
    }

    /// `vrrp_state_backup`.
    fn backup_rx(&mut self, now: Micros, adv: RxAdvert, out: &mut Vec<Action>) {
        let eff = self.effective_priority;
        let mut ignore = false;
        if adv.priority == 0 {
            // RFC 3768 §6.4.2 / RFC 5798 §6.4.2: set the down timer to
            // Skew_Time so the best backup takes over quickly.
            self.log(out, true, messages::backup_received_zero_priority());
            self.ms_down_timer = self.skew();
        } else if self.cfg.nopreempt
            || adv.priority >= eff
            || (self.cfg.preempt_delay > 0 && self.preempt_time.is_none_or(|t| t > now))
        {
            if self.cfg.version == Version::V3 && self.master_adver_int != adv.adver_int {
                self.update_master_adver_int(adv.adver_int, out);
            }
            self.ms_down_timer = self.ms_down();
            self.master_addr = Some(adv.src);
            self.master_priority = adv.priority;
            self.wants_master = false;
            if self.cfg.preempt_delay > 0 {
                if adv.priority >= eff {
                    if self.preempt_time.is_some() {
                        self.log(out, true, messages::stop_preempt_delay());
                        self.preempt_time = None;
                    }
                } else if self.preempt_time.is_none() {
                    self.log(
                        out,
                        true,
                        messages::start_preempt_delay(
                            self.cfg.preempt_delay / TIMER_HZ,
                            self.cfg.preempt_delay % TIMER_HZ,
                        ),
                    );
                    self.preempt_time = Some(now + self.cfg.preempt_delay);
                }
            }
        } else {
            self.log(
                out,
                false,
                messages::lower_priority_discarding(adv.priority, &adv.src),
            );
            ignore = true;
            self.master_addr = Some(adv.src);
        }
        if ignore {
            // The timer keeps running: the remaining time becomes the down
            // timer that `init_sands` re-applies.
            self.ms_down_timer = self.sands.map_or(0, |s| s.saturating_sub(now));
        }
    }

    fn rx_advert(&mut self, now: Micros, adv: RxAdvert, out: &mut Vec<Action>) {
        match self.state {
            State::Backup => self.backup_rx(now, adv, out),
            State::Master => {
                if let Some(reason) = self.master_rx(now, adv, out) {
                    self.leave_master(now, State::Backup, reason, false, out);
                }
            }
            // FAULT and INIT ignore adverts (vrrp_dispatcher_read).
            _ => return,
        }
        // "If we have sent an advert, reset the timer": a master that
        // answered restarts its advert interval.
        if self.state != State::Master || !self.cfg.lower_prio_no_advert {
            self.init_sands(now);
        }
    }

    // ----- tracking and faults ------------------------------------------

    fn track(
        &mut self,
        now: Micros,
        kind: TrackKind,
        name: &str,
        status: TrackStatus,
        out: &mut Vec<Action>,
    ) {
        let (_, old_faults, old_hold) = self.tracking();
        let mut found = false;
        for t in self
            .cfg
            .trackers
            .iter_mut()
            .filter(|t| t.kind == kind && t.name == name)
        {
            t.status = Some(status);
            found = true;
        }
        if !found || matches!(self.state, State::Init | State::Stop) {
            return;
        }
        self.set_effective_priority(out);
        let (_, faults, hold) = self.tracking();
        let was_up = old_faults == 0 && !old_hold;
        let now_up = faults == 0 && !hold;
        if was_up && !now_up {
            self.down_instance(now, out);
        } else if !was_up && now_up && !self.sync_fault {
            self.try_up_instance(now, out);
        }
    }

    /// `down_instance`: a master announces priority 0 (twice, as keepalived
    /// does: once in `vrrp_state_leave_master` and once in
    /// `vrrp_restore_interface`) and drops the VIPs.
    fn down_instance(&mut self, now: Micros, out: &mut Vec<Action>) {
        if self.state == State::Master {
            self.leave_master(now, State::Fault, Reason::TrackerFault, true, out);
        } else {
            if self.state != State::Fault {
                self.log(out, false, messages::entering_fault());
                self.set_state(State::Fault, Reason::TrackerFault, out);
                self.notify(out);
            }
            self.master_adver_int = self.cfg.adver_int;
            self.ms_down_timer = self.ms_down();
            self.init_sands(now);
        }
    }

    /// `try_up_instance` + `vrrp_state_leave_fault`: back to BACKUP with a
    /// full Master_Down interval.
    fn try_up_instance(&mut self, now: Micros, out: &mut Vec<Action>) {
        self.master_adver_int = self.cfg.adver_int;
        if self.state != State::Backup {
            self.log(out, false, messages::entering_backup());
            self.set_state(State::Backup, Reason::TrackerRecovered, out);
            self.notify(out);
        }
        self.preempt_time = None;
        self.ms_down_timer = self.ms_down();
        self.init_sands(now);
    }

    // ----- sync groups --------------------------------------------------

    /// Whether this member wants MASTER (its down timer expired).
    pub fn wants_master(&self) -> bool {
        self.wants_master
    }

    /// Whether a tracker of its own holds the instance down (as opposed to
    /// being held in FAULT by its group).
    pub fn own_fault(&self) -> bool {
        let (_, faults, hold) = self.tracking();
        faults > 0 || hold
    }

    fn sync_master(&mut self, now: Micros, out: &mut Vec<Action>) {
        if matches!(self.state, State::Backup) && !self.own_fault() && !self.sync_fault {
            self.wants_master = false;
            self.goto_master(now, Reason::SyncGroup, out);
        }
    }

    fn sync_backup(&mut self, now: Micros, out: &mut Vec<Action>) {
        self.wants_master = false;
        match self.state {
            State::Master => self.leave_master(now, State::Backup, Reason::SyncGroup, false, out),
            State::Fault if self.sync_fault && !self.own_fault() => {
                self.sync_fault = false;
                self.try_up_instance(now, out);
            }
            _ => {}
        }
    }

    fn sync_to_fault(&mut self, now: Micros, out: &mut Vec<Action>) {
        self.wants_master = false;
        match self.state {
            State::Master => {
                self.sync_fault = true;
                self.leave_master(now, State::Fault, Reason::SyncGroup, false, out);
            }
            State::Backup | State::Init => {
                self.sync_fault = true;
                self.log(out, false, messages::entering_fault());
                self.set_state(State::Fault, Reason::SyncGroup, out);
                self.notify(out);
                self.sands = None;
            }
            _ => {}
        }
    }

    // ----- shutdown -----------------------------------------------------

    /// `restore_vrrp_interfaces` + `notify_shutdown`.
    fn stop(&mut self, out: &mut Vec<Action>) {
        if self.state == State::Stop {
            return;
        }
        if self.state == State::Master {
            self.restore_interface(true, out);
        }
        self.set_state(State::Stop, Reason::Shutdown, out);
        self.notify(out);
        self.sands = None;
        self.pending_garps.clear();
    }
}
