//! The VRRP child's side channels besides notify scripts: SMTP alerts and
//! the notify FIFOs (`notify_fifo`, `vrrp_notify_fifo`), fed from the same
//! state changes as the scripts.

use std::collections::HashMap;

use crate::alert::fifo::FifoProcess;
use crate::alert::gate::{MailMemory, group_smtp_alert, instance_smtp_alert};
use crate::alert::{AlertEvent, GroupState, InstanceState};
use crate::alert_driver::AlertSink;
use crate::config::model::{Config, GlobalDefs, SyncGroup, VrrpInstance};
use crate::vrrp::notify::{NotifyEvent, Subject, fifo_line};

pub struct Alerts {
    global: GlobalDefs,
    sink: AlertSink,
    instances: HashMap<String, MailMemory<InstanceState>>,
    groups: HashMap<String, MailMemory<GroupState>>,
}

impl Alerts {
    /// Opens the FIFOs and starts the mail queue (inside the runtime).
    pub fn start(cfg: &Config) -> Alerts {
        Alerts {
            global: cfg.global.clone(),
            sink: AlertSink::start(cfg, FifoProcess::Vrrp),
            instances: HashMap::new(),
            groups: HashMap::new(),
        }
    }

    /// Reload: the new configuration's `global_defs` decide from now on
    /// and its mail settings and FIFOs replace the old (keepalived closes
    /// the FIFOs at reload and opens the new configuration's in
    /// `vrrp_complete_init()`, before `clear_diff_vrrp()` reports deleted
    /// instances). Returns the old `global_defs`, which still decide for
    /// the old instances ([`Self::deleted`]). Mails already queued still go
    /// out with the settings they were queued under.
    pub fn reload(&mut self, cfg: &Config) -> GlobalDefs {
        self.sink.restart(cfg, FifoProcess::Vrrp);
        std::mem::replace(&mut self.global, cfg.global.clone())
    }

    /// An instance event (state change, or one of the FIFO-only events).
    pub fn instance(&mut self, inst: &VrrpInstance, ev: NotifyEvent, priority: u8) {
        let global = std::mem::take(&mut self.global);
        self.instance_under(inst, ev, priority, &global);
        self.global = global;
    }

    /// An instance removed by a reload: its `smtp_alert` was resolved
    /// against the old `old_global` (as keepalived resolved it when that
    /// configuration was read), the FIFO line and mail go where the new
    /// configuration says.
    pub fn deleted(
        &mut self,
        inst: &VrrpInstance,
        ev: NotifyEvent,
        priority: u8,
        old_global: &GlobalDefs,
    ) {
        self.instance_under(inst, ev, priority, old_global);
    }

    fn instance_under(
        &mut self,
        inst: &VrrpInstance,
        ev: NotifyEvent,
        priority: u8,
        global: &GlobalDefs,
    ) {
        self.sink
            .fifo_line(&fifo_line(Subject::Instance, &inst.name, ev, priority));
        let (true, Some(st)) = (self.sink.mails(), InstanceState::from_notify(ev)) else {
            return;
        };
        let mem = self.instances.entry(inst.name.clone()).or_default();
        if mem.instance(
            instance_smtp_alert(inst, global),
            global.no_email_faults,
            st,
        ) {
            self.sink.mail(&AlertEvent::Instance {
                name: inst.name.clone(),
                state: st,
            });
        }
    }

    /// A sync group changed state.
    pub fn group(&mut self, group: &SyncGroup, ev: NotifyEvent) {
        self.sink
            .fifo_line(&fifo_line(Subject::Group, &group.name, ev, 0));
        let (true, Some(st)) = (self.sink.mails(), GroupState::from_notify(ev)) else {
            return;
        };
        let mem = self.groups.entry(group.name.clone()).or_default();
        if mem.group(
            group_smtp_alert(group, &self.global),
            self.global.no_email_faults,
            st,
        ) {
            self.sink.mail(&AlertEvent::Group {
                name: group.name.clone(),
                state: st,
            });
        }
    }

    /// At exit: FIFOs closed, queued mails given `limit` to go out.
    pub async fn finish(&mut self, limit: std::time::Duration) {
        self.sink.finish(limit).await;
    }
}
