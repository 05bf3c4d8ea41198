//! The VRRP child's side channels besides notify scripts: SMTP alerts and
//! the notify FIFOs (`notify_fifo`, `vrrp_notify_fifo`), fed from the same
//! state changes as the scripts.

use std::collections::HashMap;

use crate::alert::fifo::{FifoProcess, fifo_plan};
use crate::alert::gate::{MailMemory, group_smtp_alert, instance_smtp_alert};
use crate::alert::{AlertEvent, GroupState, InstanceState, SmtpSettings, compose};
use crate::config::model::{Config, GlobalDefs, SyncGroup, VrrpInstance};
use crate::sys::fifo::NotifyFifos;
use crate::sys::smtp::AlertQueue;
use crate::vrrp::notify::{NotifyEvent, Subject, fifo_line};

pub struct Alerts {
    global: GlobalDefs,
    smtp: Option<(SmtpSettings, AlertQueue)>,
    fifos: Option<NotifyFifos>,
    instances: HashMap<String, MailMemory<InstanceState>>,
    groups: HashMap<String, MailMemory<GroupState>>,
}

impl Alerts {
    /// Opens the FIFOs and starts the mail queue (inside the runtime).
    pub fn start(cfg: &Config) -> Alerts {
        let host = crate::sys::local_name::host_identity();
        let smtp = SmtpSettings::from_global(&cfg.global, &host).map(|s| {
            let (q, _task) = AlertQueue::spawn(s.clone(), 64);
            (s, q)
        });
        let fifos = NotifyFifos::open(
            &fifo_plan(&cfg.global, FifoProcess::Vrrp),
            FifoProcess::Vrrp,
            None,
        );
        Alerts {
            global: cfg.global.clone(),
            smtp,
            fifos: Some(fifos),
            instances: HashMap::new(),
            groups: HashMap::new(),
        }
    }

    /// An instance event (state change, or one of the FIFO-only events).
    pub fn instance(&mut self, inst: &VrrpInstance, ev: NotifyEvent, priority: u8) {
        if let Some(f) = &self.fifos {
            f.write_line(&fifo_line(Subject::Instance, &inst.name, ev, priority));
        }
        let (Some((s, q)), Some(st)) = (&self.smtp, InstanceState::from_notify(ev)) else {
            return;
        };
        let mem = self.instances.entry(inst.name.clone()).or_default();
        if mem.instance(
            instance_smtp_alert(inst, &self.global),
            self.global.no_email_faults,
            st,
        ) {
            q.send(compose(
                s,
                &AlertEvent::Instance {
                    name: inst.name.clone(),
                    state: st,
                },
            ));
        }
    }

    /// A sync group changed state.
    pub fn group(&mut self, group: &SyncGroup, ev: NotifyEvent) {
        if let Some(f) = &self.fifos {
            f.write_line(&fifo_line(Subject::Group, &group.name, ev, 0));
        }
        let (Some((s, q)), Some(st)) = (&self.smtp, GroupState::from_notify(ev)) else {
            return;
        };
        let mem = self.groups.entry(group.name.clone()).or_default();
        if mem.group(
            group_smtp_alert(group, &self.global),
            self.global.no_email_faults,
            st,
        ) {
            q.send(compose(
                s,
                &AlertEvent::Group {
                    name: group.name.clone(),
                    state: st,
                },
            ));
        }
    }

    /// Closes the FIFOs (their readers see end of file).
    pub fn close(&mut self) {
        if let Some(f) = self.fifos.take() {
            drop(f.close());
        }
    }
}
