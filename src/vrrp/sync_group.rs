//! `vrrp_sync_group`: members move between MASTER, BACKUP and FAULT
//! together (keepalived's `vrrp_sync.c`). Pure: the coordinator watches the
//! members' actions and says which inputs to give which members.
//!
//! - A member whose down timer expires only *wants* MASTER
//!   ([`super::Action::WantMaster`]); once every member wants it (or the
//!   group is already MASTER) all go MASTER together.
//! - A member leaving MASTER for BACKUP takes the other masters with it.
//! - A member entering FAULT puts every other member in FAULT; when it
//!   recovers, the others leave FAULT with it.

use super::action::{Input, State};
use crate::messages;

/// One sync group: its name, members (indexes into the driver's list of
/// instances) and its state.
#[derive(Clone, Debug)]
pub struct SyncGroup {
    pub name: String,
    pub members: Vec<usize>,
    pub state: State,
}

/// A member's view for the coordinator.
#[derive(Clone, Copy, Debug)]
pub struct MemberView {
    pub state: State,
    pub wants_master: bool,
    pub own_fault: bool,
}

/// What the group decided after one member's event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// keepalived's "VRRP_Group(G) Syncing instances to X state" line.
    pub log: Option<String>,
    /// Inputs for members (index into the driver's instances).
    pub inputs: Vec<(usize, Input)>,
    /// The group state changed: run the group notifies for it.
    pub notify: Option<State>,
}

impl SyncGroup {
    pub fn new(name: &str, members: Vec<usize>) -> SyncGroup {
        SyncGroup {
            name: name.to_string(),
            members,
            state: State::Init,
        }
    }

    fn sync_line(&self, to: State) -> String {
        messages::group_syncing(&self.name, &to)
    }

    /// `member` asked to go MASTER (its down timer expired).
    pub fn want_master(&mut self, member: usize, view: &dyn Fn(usize) -> MemberView) -> Decision {
        let all_want = self
            .members
            .iter()
            .all(|&m| m == member || view(m).wants_master || view(m).state == State::Master);
        let mut d = Decision::default();
        if self.state != State::Master && !all_want {
            return d;
        }
        if self.state != State::Master {
            d.log = Some(self.sync_line(State::Master));
            self.state = State::Master;
            d.notify = Some(State::Master);
        }
        for &m in &self.members {
            if view(m).state != State::Master {
                d.inputs.push((m, Input::SyncMaster));
            }
        }
        d
    }

    /// `member` changed state from `from` to `to` (on its own or because of
    /// a sync input).
    pub fn state_changed(
        &mut self,
        member: usize,
        from: State,
        to: State,
        view: &dyn Fn(usize) -> MemberView,
    ) -> Decision {
        let mut d = Decision::default();
        let others = self.members.iter().copied().filter(|&m| m != member);
        match (from, to) {
            (_, State::Master) if self.state != State::Master => {
                // A member went MASTER on its own (address owner): the rest
                // follow (`vrrp_sync_master`).
                d.log = Some(self.sync_line(State::Master));
                self.state = State::Master;
                d.notify = Some(State::Master);
                for m in others {
                    if view(m).state != State::Master {
                        d.inputs.push((m, Input::SyncMaster));
                    }
                }
            }
            (_, State::Fault) if self.state != State::Fault => {
                d.log = Some(self.sync_line(State::Fault));
                self.state = State::Fault;
                d.notify = Some(State::Fault);
                for m in others {
                    if view(m).state != State::Fault {
                        d.inputs.push((m, Input::SyncFault));
                    }
                }
            }
            (State::Master | State::Fault, State::Backup)
                if self.state != State::Backup
                    && !self
                        .members
                        .iter()
                        .any(|&m| m != member && view(m).own_fault) =>
            {
                d.log = Some(self.sync_line(State::Backup));
                self.state = State::Backup;
                d.notify = Some(State::Backup);
                for m in others {
                    if matches!(view(m).state, State::Master | State::Fault) {
                        d.inputs.push((m, Input::SyncBackup));
                    }
                }
            }
            (State::Init, State::Backup) if self.state == State::Init => {
                self.state = State::Backup;
            }
            _ => {}
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn views(states: &[(State, bool, bool)]) -> impl Fn(usize) -> MemberView + '_ {
        move |i| MemberView {
            state: states[i].0,
            wants_master: states[i].1,
            own_fault: states[i].2,
        }
    }

    #[test]
    fn goes_master_only_when_every_member_wants_it() {
        let mut g = SyncGroup::new("G1", vec![0, 1]);
        g.state = State::Backup;
        let s = [(State::Backup, true, false), (State::Backup, false, false)];
        assert_eq!(g.want_master(0, &views(&s)), Decision::default());
        let s = [(State::Backup, true, false), (State::Backup, true, false)];
        let d = g.want_master(1, &views(&s));
        assert_eq!(
            d.log.as_deref(),
            Some("VRRP_Group(G1) Syncing instances to MASTER state")
        );
        assert_eq!(
            d.inputs,
            vec![(0, Input::SyncMaster), (1, Input::SyncMaster)]
        );
        assert_eq!(g.state, State::Master);
    }

    #[test]
    fn a_member_stepping_down_takes_the_others_with_it() {
        let mut g = SyncGroup::new("G1", vec![0, 1]);
        g.state = State::Master;
        let s = [(State::Backup, false, false), (State::Master, false, false)];
        let d = g.state_changed(0, State::Master, State::Backup, &views(&s));
        assert_eq!(d.inputs, vec![(1, Input::SyncBackup)]);
        assert_eq!(d.notify, Some(State::Backup));
    }

    #[test]
    fn fault_spreads_and_recovery_waits_for_every_own_fault() {
        let mut g = SyncGroup::new("G1", vec![0, 1, 2]);
        g.state = State::Master;
        let s = [
            (State::Fault, false, true),
            (State::Master, false, false),
            (State::Backup, false, false),
        ];
        let d = g.state_changed(0, State::Master, State::Fault, &views(&s));
        assert_eq!(d.inputs, vec![(1, Input::SyncFault), (2, Input::SyncFault)]);
        // Member 1 also has a fault of its own: member 0's recovery does not
        // bring the group back.
        let s = [
            (State::Backup, false, false),
            (State::Fault, false, true),
            (State::Fault, false, false),
        ];
        assert!(
            g.state_changed(0, State::Fault, State::Backup, &views(&s))
                .inputs
                .is_empty()
        );
        let s = [
            (State::Backup, false, false),
            (State::Backup, false, false),
            (State::Fault, false, false),
        ];
        let d = g.state_changed(1, State::Fault, State::Backup, &views(&s));
        assert_eq!(d.inputs, vec![(2, Input::SyncBackup)]);
        assert_eq!(g.state, State::Backup);
    }
}
