//! Which notify scripts run for a VRRP state change, with which words, and
//! the notify FIFO lines — keepalived 2.2.7's `vrrp_notify.c`.
//!
//! - The state's own script (`notify_master|backup|fault|stop`, or
//!   `notify_deleted`) runs with exactly its configured words.
//! - Then the generic `notify` script runs with four words appended:
//!   `INSTANCE|GROUP`, the name, `MASTER|BACKUP|FAULT|STOP|DELETED` and the
//!   priority (the instance's effective priority; 0 for a group).
//! - An instance's STOP scripts (specific and generic) get one second before
//!   their process group is SIGKILLed; a group's `notify_stop` has no limit
//!   but its generic `notify … STOP` has (keepalived's asymmetry).
//! - Without `notify_deleted`, a deleted instance is notified as FAULT.
//!
//! Not handled here: keepalived also skips an instance's notifies when its
//! sync group has already notified the same state (`notifies_sent`); that
//! is the driver's/sync group's business.

use std::fmt;
use std::time::Duration;

use crate::config::model::{Script, SyncGroup, VrrpInstance};
use crate::script::ScriptSpec;

use super::action::NotifyState;

/// How long STOP notify scripts may run at shutdown.
pub const STOP_LIMIT: Duration = Duration::from_secs(1);

/// The states and events notify scripts and FIFOs are told about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NotifyEvent {
    Master,
    Backup,
    Fault,
    Stop,
    /// The instance was removed by a reload.
    Deleted,
    /// FIFO only: a master received a lower-priority advert.
    MasterRxLowerPri,
    /// FIFO only (`notify_priority_changes`): priority changed as master.
    MasterPriority,
    /// FIFO only (`notify_priority_changes`): priority changed as backup.
    BackupPriority,
}

impl From<NotifyState> for NotifyEvent {
    fn from(s: NotifyState) -> NotifyEvent {
        match s {
            NotifyState::Master => NotifyEvent::Master,
            NotifyState::Backup => NotifyEvent::Backup,
            NotifyState::Fault => NotifyEvent::Fault,
            NotifyState::Stop => NotifyEvent::Stop,
        }
    }
}

impl fmt::Display for NotifyEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotifyEvent::Master => "MASTER",
            NotifyEvent::Backup => "BACKUP",
            NotifyEvent::Fault => "FAULT",
            NotifyEvent::Stop => "STOP",
            NotifyEvent::Deleted => "DELETED",
            NotifyEvent::MasterRxLowerPri => "MASTER_RX_LOWER_PRI",
            NotifyEvent::MasterPriority => "MASTER_PRIORITY",
            NotifyEvent::BackupPriority => "BACKUP_PRIORITY",
        })
    }
}

/// Whose state a notification is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    Instance,
    Group,
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Subject::Instance => "INSTANCE",
            Subject::Group => "GROUP",
        })
    }
}

/// One script to start, in order, with every word it gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifyRun {
    pub spec: ScriptSpec,
    /// Kill the script's process group after this long (STOP scripts).
    pub limit: Option<Duration>,
}

/// The scripts to run when instance `inst` enters `event` with effective
/// priority `priority`. `event` is one of the states (FIFO-only events give
/// nothing). Returns also the event actually reported, which differs from
/// `event` for a deleted instance without `notify_deleted` (FAULT).
pub fn instance_notify(
    inst: &VrrpInstance,
    event: NotifyEvent,
    priority: u8,
) -> (NotifyEvent, Vec<NotifyRun>) {
    let event = match event {
        NotifyEvent::Deleted if inst.notify_deleted.is_none() => NotifyEvent::Fault,
        e => e,
    };
    let specific = match event {
        NotifyEvent::Master => inst.notify_master.as_ref(),
        NotifyEvent::Backup => inst.notify_backup.as_ref(),
        NotifyEvent::Fault => inst.notify_fault.as_ref(),
        NotifyEvent::Stop => inst.notify_stop.as_ref(),
        NotifyEvent::Deleted => inst.notify_deleted.as_ref().and_then(Option::as_ref),
        _ => return (event, Vec::new()),
    };
    let limit = (event == NotifyEvent::Stop).then_some(STOP_LIMIT);
    let mut runs = Vec::new();
    if let Some(s) = specific {
        runs.push(NotifyRun {
            spec: ScriptSpec::from(s),
            limit,
        });
    }
    if let Some(s) = &inst.notify {
        runs.push(generic(
            s,
            Subject::Instance,
            &inst.name,
            event,
            priority,
            limit,
        ));
    }
    (event, runs)
}

/// The scripts to run when sync group `group` enters `event`.
pub fn group_notify(group: &SyncGroup, event: NotifyEvent) -> Vec<NotifyRun> {
    let specific = match event {
        NotifyEvent::Master => group.notify_master.as_ref(),
        NotifyEvent::Backup => group.notify_backup.as_ref(),
        NotifyEvent::Fault => group.notify_fault.as_ref(),
        NotifyEvent::Stop => group.notify_stop.as_ref(),
        _ => return Vec::new(),
    };
    let mut runs = Vec::new();
    if let Some(s) = specific {
        runs.push(NotifyRun {
            spec: ScriptSpec::from(s),
            limit: None,
        });
    }
    if let Some(s) = &group.notify {
        let limit = (event == NotifyEvent::Stop).then_some(STOP_LIMIT);
        runs.push(generic(s, Subject::Group, &group.name, event, 0, limit));
    }
    runs
}

/// `notify_master_rx_lower_pri`: its configured words only (the FIFO gets
/// `MASTER_RX_LOWER_PRI`).
pub fn master_rx_lower_pri_notify(inst: &VrrpInstance) -> Option<NotifyRun> {
    inst.notify_master_rx_lower_pri.as_ref().map(|s| NotifyRun {
        spec: ScriptSpec::from(s),
        limit: None,
    })
}

/// The four words the generic `notify` script gets.
pub fn notify_args(subject: Subject, name: &str, event: NotifyEvent, priority: u8) -> [String; 4] {
    [
        subject.to_string(),
        name.to_owned(),
        event.to_string(),
        priority.to_string(),
    ]
}

/// A notify FIFO line: `INSTANCE "VI_1" MASTER 100\n` (priority 0 for
/// groups).
pub fn fifo_line(subject: Subject, name: &str, event: NotifyEvent, priority: u8) -> String {
    format!("{subject} \"{name}\" {event} {priority}\n")
}

fn generic(
    script: &Script,
    subject: Subject,
    name: &str,
    event: NotifyEvent,
    priority: u8,
    limit: Option<Duration>,
) -> NotifyRun {
    NotifyRun {
        spec: ScriptSpec::from_script(script, &notify_args(subject, name, event, priority)),
        limit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(words: &[&str]) -> Script {
        Script {
            args: words.iter().map(|w| w.to_string()).collect(),
            ..Script::default()
        }
    }

    fn inst() -> VrrpInstance {
        VrrpInstance {
            name: "VI_1".into(),
            notify_master: Some(script(&["/n.sh", "MASTERSCRIPT"])),
            notify_stop: Some(script(&["/stop.sh"])),
            notify: Some(script(&["/notify.sh", "x y"])),
            notify_master_rx_lower_pri: Some(script(&["/lower.sh"])),
            ..VrrpInstance::default()
        }
    }

    fn args(runs: &[NotifyRun]) -> Vec<Vec<&str>> {
        runs.iter()
            .map(|r| r.spec.args.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn specific_script_first_then_generic_with_four_words() {
        let (ev, runs) = instance_notify(&inst(), NotifyEvent::Master, 110);
        assert_eq!(ev, NotifyEvent::Master);
        assert_eq!(
            args(&runs),
            [
                vec!["/n.sh", "MASTERSCRIPT"],
                vec!["/notify.sh", "x y", "INSTANCE", "VI_1", "MASTER", "110"]
            ]
        );
        assert!(runs.iter().all(|r| r.limit.is_none()));
    }

    #[test]
    fn state_without_specific_script_runs_only_generic() {
        let (_, runs) = instance_notify(&inst(), NotifyEvent::Backup, 100);
        assert_eq!(
            args(&runs),
            [vec![
                "/notify.sh",
                "x y",
                "INSTANCE",
                "VI_1",
                "BACKUP",
                "100"
            ]]
        );
        let (_, runs) = instance_notify(&VrrpInstance::default(), NotifyEvent::Fault, 100);
        assert!(runs.is_empty());
    }

    #[test]
    fn stop_scripts_get_one_second() {
        let (_, runs) = instance_notify(&inst(), NotifyEvent::Stop, 160);
        assert_eq!(
            args(&runs),
            [
                vec!["/stop.sh"],
                vec!["/notify.sh", "x y", "INSTANCE", "VI_1", "STOP", "160"]
            ]
        );
        assert!(runs.iter().all(|r| r.limit == Some(Duration::from_secs(1))));
    }

    #[test]
    fn deleted_is_fault_unless_notify_deleted() {
        let mut i = inst();
        i.notify_fault = Some(script(&["/fault.sh"]));
        let (ev, runs) = instance_notify(&i, NotifyEvent::Deleted, 100);
        assert_eq!(ev, NotifyEvent::Fault);
        assert_eq!(args(&runs)[0], ["/fault.sh"]);
        assert_eq!(args(&runs)[1][4], "FAULT");

        i.notify_deleted = Some(None);
        let (ev, runs) = instance_notify(&i, NotifyEvent::Deleted, 100);
        assert_eq!(ev, NotifyEvent::Deleted);
        assert_eq!(
            args(&runs),
            [vec![
                "/notify.sh",
                "x y",
                "INSTANCE",
                "VI_1",
                "DELETED",
                "100"
            ]]
        );

        i.notify_deleted = Some(Some(script(&["/del.sh"])));
        let (_, runs) = instance_notify(&i, NotifyEvent::Deleted, 100);
        assert_eq!(args(&runs)[0], ["/del.sh"]);
    }

    #[test]
    fn groups_report_priority_zero_and_only_generic_stop_is_limited() {
        let g = SyncGroup {
            name: "G1".into(),
            notify_stop: Some(script(&["/gstop.sh"])),
            notify: Some(script(&["/gn.sh"])),
            ..SyncGroup::default()
        };
        let runs = group_notify(&g, NotifyEvent::Stop);
        assert_eq!(
            args(&runs),
            [
                vec!["/gstop.sh"],
                vec!["/gn.sh", "GROUP", "G1", "STOP", "0"]
            ]
        );
        assert_eq!(runs[0].limit, None);
        assert_eq!(runs[1].limit, Some(STOP_LIMIT));
    }

    #[test]
    fn rx_lower_pri_script_has_no_extra_words() {
        let run = master_rx_lower_pri_notify(&inst()).unwrap();
        assert_eq!(run.spec.args, ["/lower.sh"]);
    }

    #[test]
    fn fifo_lines() {
        assert_eq!(
            fifo_line(Subject::Instance, "VI_1", NotifyEvent::Master, 100),
            "INSTANCE \"VI_1\" MASTER 100\n"
        );
        assert_eq!(
            fifo_line(Subject::Group, "G1", NotifyEvent::Backup, 0),
            "GROUP \"G1\" BACKUP 0\n"
        );
        assert_eq!(
            fifo_line(Subject::Instance, "VI_1", NotifyEvent::MasterRxLowerPri, 90),
            "INSTANCE \"VI_1\" MASTER_RX_LOWER_PRI 90\n"
        );
    }
}
