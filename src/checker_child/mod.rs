//! The health checker child: runs every checker's probes on their schedule,
//! feeds the results through the pure cores (`check::checker` timing FSMs,
//! `check::decision` quorum/sorry-server logic) and drives IPVS to the
//! resulting table with `check::ipvs_diff`. Only entries we created are ever
//! changed or removed.

pub mod probe;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::check::checker::{CheckEvent, CheckerFsm, Names, Timing};
use crate::check::decision::{self, Decision, DecisionEvent};
use crate::check::ipvs_diff::{IpvsOp, Ours, Table, diff};
use crate::config::model::Config;
use crate::script::ScriptSpec;
use crate::sys::ipvs::{IpvsClient, IpvsError};
use probe::{ProbeOutcome, ProbeSpec};

/// What the command line tells the checker child.
#[derive(Clone, Debug, Default)]
pub struct CheckerOptions {
    /// `-D`: log the detail lines.
    pub detail: bool,
    /// `-I`: leave our IPVS entries in place at shutdown.
    pub dont_release_ipvs: bool,
}

/// Errors that stop the child (main exits 1, keepalived's FATAL).
#[derive(Debug, thiserror::Error)]
pub enum CheckerError {
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("{0}")]
    Ipvs(IpvsError),
}

/// Runs the checker child until SIGTERM/SIGINT.
pub fn run(
    cfg: Config,
    opts: CheckerOptions,
    reload: Box<dyn Fn() -> Option<Config>>,
    ready: fn(),
) -> Result<(), CheckerError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CheckerError::Runtime)?;
    rt.block_on(async move {
        let ipvs = IpvsClient::open().map_err(CheckerError::Ipvs)?;
        tracing::info!("Initializing ipvs");
        let (tx, rx) = mpsc::unbounded_channel();
        let mut d = Driver {
            decision: Decision::new(&cfg, |_, _, _| true),
            cfg,
            opts,
            ipvs,
            ours: Ours::default(),
            slots: Vec::new(),
            epoch: Instant::now(),
            generation: 0,
            tx,
            rx,
        };
        d.build(Vec::new());
        d.sync();
        d.activate_log();
        ready();
        d.run(reload).await;
        Ok(())
    })
}

/// One configured checker.
struct Slot {
    vs: usize,
    rs: usize,
    ck: usize,
    /// Identity across reloads: VS address, RS address/port, checker index.
    key: String,
    fsm: CheckerFsm,
    spec: Arc<ProbeSpec>,
    log_all_failures: bool,
}

/// A probe result: (generation, slot index, outcome).
type Report = (u64, usize, ProbeOutcome);

struct Driver {
    cfg: Config,
    opts: CheckerOptions,
    ipvs: IpvsClient,
    ours: Ours,
    decision: Decision,
    slots: Vec<Slot>,
    epoch: Instant,
    /// Bumped at reload so results of probes started before it are dropped.
    generation: u64,
    tx: mpsc::UnboundedSender<Report>,
    rx: mpsc::UnboundedReceiver<Report>,
}

fn slot_key(cfg: &Config, vs: usize, rs: usize, ck: usize) -> String {
    let v = &cfg.virtual_servers[vs];
    let r = &v.real_servers[rs];
    format!("{:?}/{:?}/{}/{}/{ck}", v.addr, v.protocol, r.addr, r.port)
}

impl Driver {
    fn now(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }

    /// (Re)creates the checkers and the decision state, keeping the state of
    /// checkers that existed before (`old`).
    fn build(&mut self, old: Vec<Slot>) {
        let now = self.now();
        let mut old: std::collections::HashMap<String, Slot> =
            old.into_iter().map(|s| (s.key.clone(), s)).collect();
        let mut slots = Vec::new();
        for (vi, v) in self.cfg.virtual_servers.iter().enumerate() {
            let vname = decision::vs_name(v);
            for (ri, r) in v.real_servers.iter().enumerate() {
                for (ci, c) in r.checkers.iter().enumerate() {
                    let key = slot_key(&self.cfg, vi, ri, ci);
                    let spec = probe::probe_spec(v, r, c);
                    let fsm = match old.remove(&key) {
                        Some(s) => s.fsm,
                        None => {
                            let what = match c.kind {
                                crate::config::model::CheckerKind::Misc => c
                                    .ext()
                                    .misc_path
                                    .as_ref()
                                    .map(|s| s.args.join(" "))
                                    .unwrap_or_default(),
                                _ => c
                                    .ext()
                                    .urls
                                    .first()
                                    .and_then(|u| u.path.clone())
                                    .unwrap_or_default(),
                            };
                            let names = Names::new(
                                c.kind,
                                c.conn.connect_ip.unwrap_or(r.addr),
                                c.conn.connect_port.unwrap_or(r.port),
                                vname.clone(),
                                what,
                            );
                            let seed = now ^ ((slots.len() as u64) << 32);
                            CheckerFsm::new(Timing::resolve(v, r, c), names, now, seed)
                        }
                    };
                    slots.push(Slot {
                        vs: vi,
                        rs: ri,
                        ck: ci,
                        key,
                        fsm,
                        spec: Arc::new(spec),
                        log_all_failures: c
                            .log_all_failures
                            .unwrap_or(self.cfg.global.checker_log_all_failures),
                    });
                }
            }
        }
        let up: std::collections::HashMap<(usize, usize, usize), bool> = slots
            .iter()
            .map(|s| ((s.vs, s.rs, s.ck), s.fsm.is_up()))
            .collect();
        self.decision = Decision::new(&self.cfg, |v, r, c| up.get(&(v, r, c)) == Some(&true));
        self.slots = slots;
    }

    fn activate_log(&self) {
        for s in &self.slots {
            let v = &self.cfg.virtual_servers[s.vs];
            tracing::info!(
                "Activating healthchecker for service {} for VS {}",
                decision::rs_name(v, &v.real_servers[s.rs]),
                decision::vs_name(v)
            );
        }
    }

    /// Drives the kernel to the desired table.
    fn sync(&mut self) {
        let desired = self.decision.desired(&self.cfg);
        self.converge(&desired, true);
    }

    /// `log_removals`: log vanished services (reload), not at shutdown.
    fn converge(&mut self, desired: &Table, log_removals: bool) {
        let observed = match self.ipvs.table() {
            Ok(t) => t,
            Err(e) => {
                tracing::error!("{e}");
                return;
            }
        };
        for op in diff(desired, &observed, &self.ours) {
            if let IpvsOp::DelService(id) = &op
                && log_removals
            {
                tracing::info!("Removing Virtual Server {id}");
            }
            match self.ipvs.apply(&op) {
                Ok(()) => self.ours.record(&op),
                Err(e) => tracing::error!("{e}"),
            }
        }
    }

    async fn run(&mut self, reload: Box<dyn Fn() -> Option<Config>>) {
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
        let mut hup = signal(SignalKind::hangup()).expect("SIGHUP handler");
        loop {
            self.start_due();
            let next = self.slots.iter().filter_map(|s| s.fsm.next_at()).min();
            let wait = next
                .map(|t| Duration::from_micros(t.saturating_sub(self.now())))
                .unwrap_or(Duration::from_secs(3600));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                Some((g, i, out)) = self.rx.recv() => {
                    // Results that arrived meanwhile are taken in the same
                    // turn and the kernel is synced once: each sync dumps the
                    // whole table, so one per result fell behind when many
                    // servers changed at once (seen in the IPVS differential
                    // test, where recovery trickled in over 20 s).
                    let mut changed = g == self.generation && self.on_result(i, out);
                    while let Ok((g, i, out)) = self.rx.try_recv() {
                        changed |= g == self.generation && self.on_result(i, out);
                    }
                    if changed {
                        self.sync();
                    }
                }
                _ = hup.recv() => {
                    tracing::info!("Reloading");
                    if let Some(cfg) = reload() {
                        self.cfg = cfg;
                        self.generation += 1;
                        let old = std::mem::take(&mut self.slots);
                        // probes in flight are dropped: reschedule them now
                        self.build(old);
                        let now = self.now();
                        for s in &mut self.slots {
                            if s.fsm.next_at().is_none() {
                                s.fsm.result(now, s.fsm.is_up());
                            }
                        }
                        self.sync();
                    }
                    tracing::info!("Reload complete");
                }
                _ = term.recv() => break,
                _ = int.recv() => break,
            }
        }
        self.shutdown();
    }

    fn start_due(&mut self) {
        let now = self.now();
        for (i, s) in self.slots.iter_mut().enumerate() {
            if s.fsm.next_at().is_some_and(|t| t <= now) {
                s.fsm.start_probe();
                let (spec, tx, g) = (s.spec.clone(), self.tx.clone(), self.generation);
                tokio::spawn(async move {
                    let out = probe::run(&spec).await;
                    let _ = tx.send((g, i, out));
                });
            }
        }
    }

    /// Feeds one probe result to its checker and the decision; true when
    /// the desired table may have changed (the caller then syncs).
    fn on_result(&mut self, i: usize, out: ProbeOutcome) -> bool {
        let now = self.now();
        let Some(s) = self.slots.get_mut(i) else {
            return false;
        };
        let ok = match &out {
            ProbeOutcome::Up => true,
            ProbeOutcome::Down(msg) => {
                if s.log_all_failures && s.fsm.is_up() {
                    tracing::info!("{msg}");
                }
                false
            }
            ProbeOutcome::Dynamic(code) => *code != 1,
        };
        let (vs, rs, ck) = (s.vs, s.rs, s.ck);
        let events = s.fsm.result(now, ok);
        let mut dec = Vec::new();
        if let ProbeOutcome::Dynamic(code) = out
            && code > 1
        {
            dec.extend(self.decision.set_weight(&self.cfg, vs, rs, code - 2));
        }
        for e in events {
            match e {
                CheckEvent::Log(l) => tracing::info!("{l}"),
                CheckEvent::Alive(up) => {
                    dec.extend(self.decision.set_checker(&self.cfg, vs, rs, ck, up))
                }
            }
        }
        if dec.is_empty() {
            return false;
        }
        for e in dec {
            match e {
                DecisionEvent::Log(l) => tracing::info!("{l}"),
                DecisionEvent::Script(s) => {
                    if let Err(e) =
                        crate::sys::spawn::spawn_notify(&ScriptSpec::from_script(&s, &[]), &[])
                    {
                        tracing::info!(
                            "Failed to exec notify script {}: {}",
                            s.args.join(" "),
                            e.description()
                        );
                    }
                }
                DecisionEvent::RsAlive { .. } | DecisionEvent::Quorum { .. } => {}
            }
        }
        true
    }

    /// SIGTERM: remove what we added unless `-I`.
    fn shutdown(&mut self) {
        if !self.opts.dont_release_ipvs {
            for (vi, v) in self.cfg.virtual_servers.iter().enumerate() {
                for (ri, r) in v.real_servers.iter().enumerate() {
                    if self.decision.vs[vi].rs[ri].alive() {
                        tracing::info!(
                            "Shutting down service {} from VS {}",
                            decision::rs_name(v, r),
                            decision::vs_name(v)
                        );
                    }
                }
            }
            self.converge(&Table::new(), false);
        }
        tracing::info!("Stopped");
    }
}
