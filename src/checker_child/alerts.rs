//! The checker child's side channels: SMTP alerts for real server and
//! quorum changes, and the `notify_fifo`/`lvs_notify_fifo` lines, in
//! keepalived's order — for a checker's flip, the RS FIFO line, then any
//! quorum FIFO line and mail, then the checker's own RS mail.

use crate::alert::checker::{QuorumChange, quorum_mail, rs_mail};
use crate::alert::event::{AlertEvent, QuorumNote};
use crate::alert::fifo::{FifoProcess, rs_line, vs_line};
use crate::alert::gate::{real_server_smtp_alert, virtual_server_smtp_alert};
use crate::alert_driver::AlertSink;
use crate::check::decision::{Decision, DecisionEvent, rs_name, vs_name};
use crate::check::reload_diff::RemovalEvent;
use crate::config::model::Config;

/// A checker's verdict flip, kept until the decision events it caused
/// have been reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckerFlip {
    pub vs: usize,
    pub rs: usize,
    pub ck: usize,
    pub up: bool,
    /// The real server's alive state before and after the flip.
    pub rs_alive: (bool, bool),
    /// The failing attempt's log line (SMTP_CHECK mails its reason).
    pub failure: Option<String>,
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
            DecisionEvent::Quorum {
                vs,
                up,
                init,
                threshold,
            } => {
                let ch = QuorumChange {
                    up,
                    init,
                    threshold,
                    weight_sum: decision.alive_weight_sum(vs),
                };
                self.quorum(cfg, vs, ch);
            }
            DecisionEvent::Log(_) | DecisionEvent::Script(_) => {}
        }
    }

    /// A quorum change: the VS FIFO line and mail (keepalived's
    /// `do_vs_notifies()`).
    fn quorum(&self, cfg: &Config, vs: usize, ch: QuorumChange) {
        if let Some(v) = cfg.virtual_servers.get(vs) {
            self.sink.fifo_line(&vs_line(&vs_name(v), ch.up));
        }
        if let Some(e) = quorum_mail(cfg, vs, ch) {
            self.sink.mail(&e);
        }
    }

    /// A checker flipped: its mail, if keepalived sends one.
    pub fn checker(&self, cfg: &Config, flip: &CheckerFlip) {
        if !self.sink.mails() {
            return;
        }
        let detail = flip
            .failure
            .as_deref()
            .and_then(crate::alert::checker::smtp_detail);
        if let Some(e) = rs_mail(
            cfg,
            flip.vs,
            flip.rs,
            flip.ck,
            flip.up,
            flip.rs_alive,
            detail,
        ) {
            self.sink.mail(&e);
        }
    }

    /// Reload: the new configuration's mail settings and FIFOs replace the
    /// old (keepalived closes the FIFOs at reload and opens the new
    /// configuration's before it handles removals). Mails already queued
    /// still go out with the settings they were queued under.
    pub fn reload(&mut self, cfg: &Config) {
        self.sink.restart(cfg, FifoProcess::Checker);
    }

    /// A reload's removal notifies (see [`crate::check::reload_diff`]);
    /// `old` is the configuration the indices refer to (its objects are
    /// named and their `smtp_alert` decides). Logs and scripts are the
    /// caller's.
    pub fn removal(&self, old: &Config, ev: &RemovalEvent) {
        match *ev {
            RemovalEvent::RsRemoved { vs, rs } => {
                let Some(v) = old.virtual_servers.get(vs) else {
                    return;
                };
                let Some(r) = v.real_servers.get(rs) else {
                    return;
                };
                let (rn, vn) = (rs_name(v, r), vs_name(v));
                self.sink.fifo_line(&rs_line(&rn, &vn, false));
                if real_server_smtp_alert(r.smtp_alert, &old.global) {
                    self.sink.mail(&AlertEvent::RealServerRemoved {
                        rs: rn,
                        vs: vn,
                        shutdown: false,
                    });
                }
            }
            RemovalEvent::QuorumLost { vs, weight_sum } => {
                let Some(v) = old.virtual_servers.get(vs) else {
                    return;
                };
                let threshold = i64::from(v.quorum) - i64::from(v.hysteresis);
                self.quorum(
                    old,
                    vs,
                    QuorumChange {
                        up: false,
                        init: false,
                        threshold,
                        weight_sum,
                    },
                );
            }
            RemovalEvent::Log(_) | RemovalEvent::Script(_) => {}
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

    /// Stopping with `omega`: the virtual server's FIFO line and "Shutting
    /// down" mail (`update_vs_notifies`), after its real servers' unless
    /// `lvs_flush_on_stop` flushed them.
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
