//! The alert side channels both children drive: the SMTP alert queue and
//! the notify FIFOs of one process, started together from the
//! configuration. The VRRP child ([`crate::vrrp_child`]) and the checker
//! child ([`crate::checker_child`]) each decide *what* to send (with the
//! pure rules in [`crate::alert`]); this is the one place that sends it.

use crate::alert::fifo::{FifoProcess, fifo_plan};
use crate::alert::{AlertEvent, HostIdentity, SmtpSettings, compose};
use crate::config::model::Config;
use crate::sys::fifo::NotifyFifos;
use crate::sys::smtp::{AlertQueue, AlertStats};

/// How many mails may wait for a slow or dead server before new ones are
/// dropped (see [`AlertQueue`]).
const QUEUE_CAP: usize = 64;

/// One process's mail queue and FIFOs.
#[derive(Debug)]
pub struct AlertSink {
    smtp: Option<(SmtpSettings, AlertQueue)>,
    /// The queue's sending task, awaited by [`finish`](Self::finish).
    task: Option<tokio::task::JoinHandle<()>>,
    /// The sending tasks of the queues earlier reloads replaced, still
    /// sending what was queued under the old settings: awaited at exit too.
    retired: Vec<tokio::task::JoinHandle<()>>,
    fifos: Option<NotifyFifos>,
}

impl AlertSink {
    /// Resolves the SMTP settings and opens `process`'s FIFOs (global
    /// `notify_fifo` plus its own). Needs a tokio runtime: the queue's task
    /// and the FIFO reader scripts run on it.
    pub fn start(cfg: &Config, process: FifoProcess) -> AlertSink {
        let g = &cfg.global;
        // The canonical host name costs a resolver query (seconds on a host
        // without working DNS): ask only when a default needs it.
        let needs_host = !g.notification_email.is_empty()
            && g.smtp_server.is_some()
            && (g.smtp_helo_name.is_none()
                || g.notification_email_from.is_none()
                || g.router_id.is_none());
        let host = if needs_host {
            crate::sys::local_name::host_identity()
        } else {
            HostIdentity::default()
        };
        let settings = SmtpSettings::from_global(g, &host);
        let fifos = NotifyFifos::open(&fifo_plan(&cfg.global, process), process, None);
        AlertSink::new(settings, fifos)
    }

    /// Reload: closes the FIFOs, then starts over from the new
    /// configuration (its SMTP settings and FIFOs). The old queue's task
    /// sends what it holds, under the old settings, and ends; an exit
    /// before then waits for it as for the new one.
    pub fn restart(&mut self, cfg: &Config, process: FifoProcess) {
        // Closed first: a FIFO at the same path is unlinked by the old one
        // before the new one is made.
        self.close();
        let mut retired = std::mem::take(&mut self.retired);
        retired.retain(|t| !t.is_finished());
        retired.extend(self.task.take());
        *self = AlertSink::start(cfg, process);
        self.retired = retired;
    }

    /// A sink from parts (tests point it at a loopback server).
    pub fn new(settings: Option<SmtpSettings>, fifos: NotifyFifos) -> AlertSink {
        let mut task = None;
        let smtp = settings.map(|s| {
            let (q, t) = AlertQueue::spawn(s.clone(), QUEUE_CAP);
            task = Some(t);
            (s, q)
        });
        AlertSink {
            smtp,
            task,
            retired: Vec::new(),
            fifos: Some(fifos),
        }
    }

    /// Whether mails go anywhere (`notification_email` and `smtp_server`).
    pub fn mails(&self) -> bool {
        self.smtp.is_some()
    }

    /// Queues the mail for `event`; `false` when no server is configured or
    /// the queue is full.
    pub fn mail(&self, event: &AlertEvent) -> bool {
        match &self.smtp {
            Some((s, q)) => q.send(compose(s, event)),
            None => false,
        }
    }

    /// Writes one line to every open FIFO.
    pub fn fifo_line(&self, line: &str) {
        if let Some(f) = &self.fifos {
            f.write_line(line);
        }
    }

    /// The mail queue's counters (`None` without a server).
    pub fn stats(&self) -> Option<AlertStats> {
        self.smtp.as_ref().map(|(_, q)| q.stats())
    }

    /// Closes the FIFOs (their readers see end of file); mails already
    /// queued are still sent while the runtime runs.
    pub fn close(&mut self) {
        if let Some(f) = self.fifos.take() {
            drop(f.close());
        }
    }

    /// At exit: closes the FIFOs and gives the mails still queued (the
    /// "stopping" and "Shutting down" ones, and those queued before a
    /// reload) up to `limit` to go out; no mail is queued afterwards.
    pub async fn finish(&mut self, limit: std::time::Duration) {
        self.close();
        self.smtp = None;
        let tasks = self.retired.drain(..).chain(self.task.take());
        let _ = tokio::time::timeout(limit, futures::future::join_all(tasks)).await;
    }
}
