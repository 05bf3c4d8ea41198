//! keepalived's rules for whether an event is mailed at all (independent of
//! whether a server is configured: that is [`super::SmtpSettings`]).

use crate::config::model::{GlobalDefs, SyncGroup, VrrpInstance};

use super::event::{GroupState, InstanceState};

/// An instance's `smtp_alert`: its own, else `smtp_alert_vrrp`, else
/// `smtp_alert`, else off.
pub fn instance_smtp_alert(inst: &VrrpInstance, g: &GlobalDefs) -> bool {
    vrrp_default(inst.smtp_alert, g)
}

/// A sync group's `smtp_alert`, defaulted as an instance's.
pub fn group_smtp_alert(group: &SyncGroup, g: &GlobalDefs) -> bool {
    vrrp_default(group.smtp_alert, g)
}

/// A real server's `smtp_alert`: its own, else `smtp_alert_checker`, else
/// `smtp_alert`, else **on** (keepalived keeps this old default for
/// backward compatibility). The config reader already fills it in.
pub fn real_server_smtp_alert(own: Option<bool>, g: &GlobalDefs) -> bool {
    own.or(g.smtp_alert_checker)
        .or(g.smtp_alert)
        .unwrap_or(true)
}

/// A virtual server's `smtp_alert` (quorum mails), default off.
pub fn virtual_server_smtp_alert(own: Option<bool>, g: &GlobalDefs) -> bool {
    own.or(g.smtp_alert_checker)
        .or(g.smtp_alert)
        .unwrap_or(false)
}

fn vrrp_default(own: Option<bool>, g: &GlobalDefs) -> bool {
    own.or(g.smtp_alert_vrrp).or(g.smtp_alert).unwrap_or(false)
}

/// The state last mailed for one instance or group (keepalived's
/// `last_email_state`): the same state is never mailed twice in a row, and
/// a FAULT suppressed by `no_email_faults` is not remembered — so
/// MASTER, FAULT, MASTER mails only the first MASTER (keepalived's quirk).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MailMemory<S> {
    last: Option<S>,
}

impl<S> Default for MailMemory<S> {
    fn default() -> Self {
        MailMemory { last: None }
    }
}

impl MailMemory<InstanceState> {
    /// Whether entering `state` is mailed; remembers it when it is.
    pub fn instance(
        &mut self,
        smtp_alert: bool,
        no_email_faults: bool,
        state: InstanceState,
    ) -> bool {
        self.decide(
            smtp_alert,
            no_email_faults && state == InstanceState::Fault,
            state,
        )
    }
}

impl MailMemory<GroupState> {
    /// Whether the group entering `state` is mailed; remembers it when it is.
    pub fn group(&mut self, smtp_alert: bool, no_email_faults: bool, state: GroupState) -> bool {
        self.decide(
            smtp_alert,
            no_email_faults && state == GroupState::Fault,
            state,
        )
    }
}

impl<S: Copy + PartialEq> MailMemory<S> {
    fn decide(&mut self, smtp_alert: bool, suppressed: bool, state: S) -> bool {
        if !smtp_alert || suppressed || self.last == Some(state) {
            return false;
        }
        self.last = Some(state);
        true
    }
}

/// Whether a checker's verdict change is mailed: the real server has
/// `smtp_alert` and either its alive state changed or `no_checker_emails`
/// is off. Call it only where keepalived's checker reports a change (most
/// checkers: their own verdict flipped, or their first run succeeded;
/// MISC_CHECK: any first run too) — the checker driver knows which.
pub fn rs_mail_due(
    rs_smtp_alert: bool,
    rs_was_alive: bool,
    rs_alive: bool,
    no_checker_emails: bool,
) -> bool {
    rs_smtp_alert && (rs_was_alive != rs_alive || !no_checker_emails)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vrrp_defaults_fall_back_vrrp_then_global_then_off() {
        let mut g = GlobalDefs::default();
        let mut inst = VrrpInstance::default();
        assert!(!instance_smtp_alert(&inst, &g));
        g.smtp_alert = Some(true);
        assert!(instance_smtp_alert(&inst, &g));
        g.smtp_alert_vrrp = Some(false);
        assert!(!instance_smtp_alert(&inst, &g));
        inst.smtp_alert = Some(true);
        assert!(instance_smtp_alert(&inst, &g));
        g.smtp_alert_checker = Some(true);
        let group = SyncGroup::default();
        assert!(!group_smtp_alert(&group, &g));
    }

    #[test]
    fn checker_defaults_differ_for_real_and_virtual_servers() {
        let mut g = GlobalDefs::default();
        assert!(real_server_smtp_alert(None, &g));
        assert!(!virtual_server_smtp_alert(None, &g));
        g.smtp_alert = Some(false);
        assert!(!real_server_smtp_alert(None, &g));
        g.smtp_alert_checker = Some(true);
        assert!(real_server_smtp_alert(None, &g));
        assert!(virtual_server_smtp_alert(None, &g));
        g.smtp_alert_vrrp = Some(false);
        assert!(!real_server_smtp_alert(Some(false), &g));
    }

    #[test]
    fn same_state_is_not_mailed_twice() {
        let mut m = MailMemory::default();
        assert!(m.instance(true, false, InstanceState::Backup));
        assert!(!m.instance(true, false, InstanceState::Backup));
        assert!(m.instance(true, false, InstanceState::Master));
        assert!(m.instance(true, false, InstanceState::Fault));
        assert!(!m.instance(false, false, InstanceState::Stop));
    }

    #[test]
    fn no_email_faults_suppresses_fault_without_remembering_it() {
        let mut m = MailMemory::default();
        assert!(m.instance(true, true, InstanceState::Master));
        assert!(!m.instance(true, true, InstanceState::Fault));
        // keepalived still thinks MASTER was the last mail.
        assert!(!m.instance(true, true, InstanceState::Master));
        assert!(m.instance(true, true, InstanceState::Stop));

        let mut g = MailMemory::default();
        assert!(!g.group(true, true, GroupState::Fault));
        assert!(g.group(true, false, GroupState::Fault));
        assert!(!g.group(true, false, GroupState::Fault));
    }

    #[test]
    fn checker_mails_need_a_state_change_only_with_no_checker_emails() {
        assert!(rs_mail_due(true, true, true, false));
        assert!(!rs_mail_due(true, true, true, true));
        assert!(rs_mail_due(true, true, false, true));
        assert!(!rs_mail_due(false, true, false, false));
    }
}
