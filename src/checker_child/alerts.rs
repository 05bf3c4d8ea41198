//! The checker child's side channels: SMTP alerts for real server and
//! quorum changes, and the `notify_fifo`/`lvs_notify_fifo` lines, in
//! keepalived's order — for a checker's flip, the RS FIFO line, then any
//! quorum FIFO line and mail, then the checker's own RS mail.

use crate::alert::checker::{quorum_mail, rs_mail};
use crate::alert::event::{AlertEvent, QuorumNote};
use crate::alert::fifo::{FifoProcess, rs_line, vs_line};
use crate::alert::gate::{real_server_smtp_alert, virtual_server_smtp_alert};
use crate::alert_driver::AlertSink;
use crate::check::decision::{Decision, DecisionEvent, rs_name, vs_name};
use crate::config::model::Config;

/// A checker's verdict flip, kept until the decision events it caused
/// have been reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckerFlip {
    pub vs: usize,
    pub rs: usize,
    pub ck: usize,
    pub up: bool,
    /// The real server's alive state before and after the flip.
    pub rs_alive: (bool, bool),
}

#[derive(Debug)]
pub struct CheckerAlerts {
    sink: AlertSink,
}

impl CheckerAlerts {
    /// Opens the checker's FIFOs and starts the mail queue (inside the
    /// runtime).
    pub fn start(cfg: &Config) -> CheckerAlerts {
        CheckerAlerts::new(AlertSink::start(cfg, FifoProcess::Checker))
    }

    pub fn new(sink: AlertSink) -> CheckerAlerts {
        CheckerAlerts { sink }
    }

    /// A decision event: RS and VS FIFO lines, quorum mails. Other events
    /// (logs, scripts) are not ours.
    pub fn decision(&self, cfg: &Config, decision: &Decision, ev: &DecisionEvent) {
        match *ev {
            DecisionEvent::RsAlive { vs, rs, up } => {
                if let Some(v) = cfg.virtual_servers.get(vs)
                    && let Some(r) = v.real_servers.get(rs)
                {
                    self.sink
                        .fifo_line(&rs_line(&rs_name(v, r), &vs_name(v), up));
                }
            }
            DecisionEvent::Quorum { vs, up } => {
                if let Some(v) = cfg.virtual_servers.get(vs) {
                    self.sink.fifo_line(&vs_line(&vs_name(v), up));
                }
                if let Some(e) = quorum_mail(cfg, vs, up, decision.alive_weight_sum(vs)) {
                    self.sink.mail(&e);
                }
            }
            DecisionEvent::Log(_) | DecisionEvent::Script(_) => {}
        }
    }

    /// A checker flipped: its mail, if keepalived sends one.
    pub fn checker(&self, cfg: &Config, flip: &CheckerFlip) {
        if !self.sink.mails() {
            return;
        }
        if let Some(e) = rs_mail(cfg, flip.vs, flip.rs, flip.ck, flip.up, flip.rs_alive) {
            self.sink.mail(&e);
        }
    }

    /// Stopping with `omega`: a live real server taken out (keepalived's
    /// `clear_service_rs`): its FIFO line and "Shutting down" mail.
    pub fn shutdown_rs(&self, cfg: &Config, vs: usize, rs: usize) {
        let Some(v) = cfg.virtual_servers.get(vs) else {
            return;
        };
        let Some(r) = v.real_servers.get(rs) else {
            return;
        };
        let (rn, vn) = (rs_name(v, r), vs_name(v));
        self.sink.fifo_line(&rs_line(&rn, &vn, false));
        if real_server_smtp_alert(r.smtp_alert, &cfg.global) {
            self.sink.mail(&AlertEvent::RealServerRemoved {
                rs: rn,
                vs: vn,
                shutdown: true,
            });
        }
    }

    /// Stopping with `omega` and `lvs_flush_on_stop`: the virtual server's
    /// FIFO line and "Shutting down" mail (`update_vs_notifies`).
    pub fn shutdown_vs(&self, cfg: &Config, vs: usize) {
        let Some(v) = cfg.virtual_servers.get(vs) else {
            return;
        };
        self.sink.fifo_line(&vs_line(&vs_name(v), false));
        if virtual_server_smtp_alert(v.smtp_alert, &cfg.global) {
            self.sink.mail(&AlertEvent::VirtualServer {
                vs: vs_name(v),
                quorum_up: false,
                note: QuorumNote::ShuttingDown,
            });
        }
    }

    /// At exit: FIFOs closed, queued mails given `limit` to go out.
    pub async fn finish(&mut self, limit: std::time::Duration) {
        self.sink.finish(limit).await;
    }

    pub fn sink(&self) -> &AlertSink {
        &self.sink
    }

    /// Closes the FIFOs.
    pub fn close(&mut self) {
        self.sink.close();
    }
}
