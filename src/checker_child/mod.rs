//! The health checker child: runs every checker's probes on their schedule,
//! feeds the results through the pure cores (`check::checker` timing FSMs,
//! `check::decision` quorum/sorry-server logic) and drives IPVS to the
//! resulting table with `check::ipvs_diff`. Only entries we created are ever
//! changed or removed.

pub mod alerts;
pub mod probe;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::time::{Duration, Instant};

use futures::{FutureExt, StreamExt};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::check::checker::{CheckEvent, CheckerFsm, Names, Timing};
use crate::check::decision::{self, Decision, DecisionEvent};
use crate::check::file_check::{FileCheck, FileStatus};
use crate::check::ipvs_diff::{Entry, IpvsOp, Ours, diff_service};
use crate::check::lvs_global;
use crate::check::reload_diff::{self, RemovalEvent};
use crate::config::model::CheckerKind;
use crate::config::model::Config;
use crate::config::parser::lvs::fmt_rs;
use crate::messages;
use crate::proto::ipvs::{Service, ServiceId, Timeouts};
use crate::script::ScriptSpec;
use crate::sys::connect_set::{self, ConnectSet, Started};
use crate::sys::file_watch::FileChanges;
use crate::sys::ipvs::{IpvsClient, IpvsError};
use crate::sys::spawn::{NOTIFY_STOP_LIMIT, spawn_notify_limited};
use alerts::{CheckerAlerts, CheckerFlip};
use probe::ProbeOutcome;
use probe::connect::{self, ConnectError};

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
    #[error("cannot create the TCP_CHECK epoll set: {0}")]
    Epoll(std::io::Error),
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
        let mut ipvs = IpvsClient::open().map_err(CheckerError::Ipvs)?;
        tracing::info!("{}", messages::initializing_ipvs());
        let (orig_timeouts, daemons) = start_globals(&mut ipvs, &cfg);
        let (tx, rx) = mpsc::unbounded_channel();
        let connects = ConnectSet::new().map_err(CheckerError::Epoll)?;
        let mut d = Driver {
            decision: Decision::new(&cfg, |_, _, _| true),
            cfg,
            opts,
            ipvs,
            ours: Ours::default(),
            slots: Vec::new(),
            timers: BinaryHeap::new(),
            connects,
            deadlines: BinaryHeap::new(),
            finished: Vec::new(),
            files: Vec::new(),
            file_changes: FileChanges::new(std::iter::empty()).0,
            suspending: false,
            addr_events: None,
            epoch: Instant::now(),
            generation: 0,
            daemons,
            orig_timeouts,
            local: Vec::new(),
            tx,
            rx,
            alerts: None,
            dirty: BTreeSet::new(),
            shared: BTreeMap::new(),
        };
        d.alerts = Some(CheckerAlerts::start(&d.cfg));
        d.build(Vec::new(), &Config::default());
        d.init_quorums(None);
        d.sync_all();
        d.activate_log();
        crate::sys::malloc::trim();
        ready();
        d.run(reload, ready).await;
        Ok(())
    })
}

/// One configured checker. Its probe settings and log names are derived
/// from the configuration when needed, not kept: at 10,000 real servers
/// every byte here is 10 kB of the child's memory.
struct Slot {
    vs: usize,
    rs: usize,
    ck: usize,
    fsm: CheckerFsm,
    log_all_failures: bool,
    /// False while `ha_suspend` suspends it (its VS address is not local).
    enabled: bool,
    /// A TCP_CHECK's connect in flight, watched by `Driver::connects`.
    conn: Option<socket2::Socket>,
    /// When `conn` times out (µs on the driver's clock).
    deadline: u64,
}

/// Applies `lvs_flush`, `lvs_timeouts` and the checker-owned sync daemons at
/// start (keepalived's `start_check()` order); returns the kernel's
/// timeouts from before we changed them (restored if a reload drops
/// `lvs_timeouts`, as libipvs does) and the daemons started, to stop at
/// shutdown.
fn start_globals(
    ipvs: &mut IpvsClient,
    cfg: &Config,
) -> (Option<Timeouts>, Vec<crate::proto::ipvs::SyncDaemon>) {
    if cfg.global.lvs_flush
        && let Err(e) = ipvs.flush()
    {
        tracing::error!("{e}");
    }
    let mut orig = None;
    if let Some(t) = lvs_global::timeouts(cfg) {
        orig = ipvs.timeouts().ok();
        if ipvs.set_timeouts(&t).is_err() {
            tracing::info!("{}", crate::messages::ipvs_timeouts_failed());
        }
    }
    (orig, start_globals_daemons(ipvs, cfg))
}

/// Starts the sync daemons `cfg` asks for; returns those that started.
fn start_globals_daemons(
    ipvs: &mut IpvsClient,
    cfg: &Config,
) -> Vec<crate::proto::ipvs::SyncDaemon> {
    let daemons = lvs_global::sync_daemons(cfg);
    // Daemons left by a previous run that ended abnormally go first.
    for d in &daemons {
        let _ = ipvs.stop_daemon(d.state, 0);
    }
    daemons
        .into_iter()
        .filter(|d| match ipvs.start_daemon(d) {
            Ok(()) => true,
            Err(e) => {
                tracing::error!("{e}");
                false
            }
        })
        .collect()
}

/// One FILE_CHECK: no probe, its track_file's value is read every second.
struct FileSlot {
    vs: usize,
    rs: usize,
    ck: usize,
    check: FileCheck,
    status: FileStatus,
}

impl FileSlot {
    /// The status the file's current contents give (an unreadable file
    /// reads as 0, as keepalived's; an invalid number keeps `self.status`).
    fn read(&self) -> FileStatus {
        let contents = std::fs::read(&self.check.path).ok();
        match crate::vrrp::track_file::parse_track_file(contents.as_deref()) {
            Ok(v) => self.check.status(v),
            Err(_) => self.status,
        }
    }
}

/// Runs a notify or quorum script (no time limit, not waited for).
fn spawn_script(s: &crate::config::model::Script) {
    if let Err(e) = crate::sys::spawn::spawn_notify(&ScriptSpec::from_script(s, &[]), &[]) {
        tracing::info!(
            "{}",
            messages::notify_exec_failed(&s.args.join(" "), e.description())
        );
    }
}

/// The next address or link event; never, without a monitoring socket. A
/// socket that closes is dropped, and the every-second look takes over.
async fn next_event(events: &mut Option<crate::sys::netlink::NetEvents>) {
    if let Some(e) = events {
        if e.next().await.is_some() {
            return;
        }
        *events = None;
    }
    std::future::pending().await
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
    /// When each checker is next due, earliest first: `(due, slot)`. An
    /// entry is stale (and skipped) when the slot's `next_at` differs; a
    /// wake-up then costs O(log n) instead of a scan of every checker,
    /// which with 10,000 checkers left no CPU for the checks themselves.
    timers: BinaryHeap<Reverse<(u64, usize)>>,
    /// TCP_CHECK connects in flight (a token is the slot's index).
    connects: ConnectSet,
    /// When each connect in flight times out, earliest first: `(deadline,
    /// slot)`, stale (skipped) when the slot's connect is gone.
    deadlines: BinaryHeap<Reverse<(u64, usize)>>,
    /// Tokens of finished connects, reused between turns.
    finished: Vec<u64>,
    files: Vec<FileSlot>,
    /// When to read the FILE_CHECK files again (their directories watched,
    /// as keepalived's inotify watch).
    file_changes: FileChanges,
    /// Some virtual server has `ha_suspend`: its addresses are looked at
    /// again at each address event (as keepalived), or every second if the
    /// kernel's address events cannot be had.
    suspending: bool,
    addr_events: Option<crate::sys::netlink::NetEvents>,
    epoch: Instant,
    /// Bumped at reload so results of probes started before it are dropped.
    generation: u64,
    /// The kernel's timeouts before `lvs_timeouts` first changed them.
    orig_timeouts: Option<Timeouts>,
    /// The sync daemons we started (stopped at shutdown).
    daemons: Vec<crate::proto::ipvs::SyncDaemon>,
    /// The host's addresses at the last look (`ha_suspend`).
    local: Vec<std::net::IpAddr>,
    tx: mpsc::UnboundedSender<Report>,
    rx: mpsc::UnboundedReceiver<Report>,
    /// Mails and FIFO lines (restarted with the new settings at reload).
    alerts: Option<CheckerAlerts>,
    /// The virtual servers whose desired entries may have changed since the
    /// last sync: [`Driver::sync`] looks at their services only.
    dirty: BTreeSet<usize>,
    /// The services several virtual servers stand for, with those virtual
    /// servers in configuration order: such a service is synced to their
    /// merged entry ([`Decision::desired_shared`]), as keepalived ends up
    /// with it. Found by each full sync; empty unless the configuration
    /// overlaps.
    shared: BTreeMap<ServiceId, Vec<usize>>,
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
    /// checkers that existed before (`old`, made from `prev`). A checker's
    /// identity across reloads (VS address, RS address/port, checker index)
    /// is computed here rather than kept in every slot: with 10,000 checkers
    /// those strings were a noticeable part of the child's memory.
    fn build(&mut self, old: Vec<Slot>, prev: &Config) {
        let now = self.now();
        if self.cfg.virtual_servers.iter().any(|v| v.ha_suspend) {
            self.local = crate::sys::local_addrs::local_addresses().unwrap_or_default();
        }
        let mut old: std::collections::HashMap<String, Slot> = old
            .into_iter()
            .map(|s| (slot_key(prev, s.vs, s.rs, s.ck), s))
            .collect();
        // Sized once: grown by doubling, the vector of 10,000 slots passed
        // through twice its size (and a copy) at the child's start-up peak.
        let count = (self.cfg.virtual_servers.iter())
            .flat_map(|v| &v.real_servers)
            .map(|r| r.checkers.len())
            .sum();
        let mut slots = Vec::with_capacity(count);
        let mut files = Vec::new();
        for (vi, v) in self.cfg.virtual_servers.iter().enumerate() {
            for (ri, r) in v.real_servers.iter().enumerate() {
                for (ci, c) in r.checkers.iter().enumerate() {
                    if c.kind == crate::config::model::CheckerKind::File {
                        if let Some(check) = FileCheck::resolve(&self.cfg, c) {
                            let mut f = FileSlot {
                                vs: vi,
                                rs: ri,
                                ck: ci,
                                check,
                                status: FileStatus::Weight(0),
                            };
                            f.status = f.read();
                            files.push(f);
                        }
                        continue;
                    }
                    let key = slot_key(&self.cfg, vi, ri, ci);
                    let fsm = match old.remove(&key) {
                        Some(s) => s.fsm,
                        None => {
                            let seed = now ^ ((slots.len() as u64) << 32);
                            CheckerFsm::new(&Timing::resolve(v, r, c), now, seed)
                        }
                    };
                    slots.push(Slot {
                        vs: vi,
                        rs: ri,
                        ck: ci,
                        fsm,
                        log_all_failures: c
                            .log_all_failures
                            .unwrap_or(self.cfg.global.checker_log_all_failures),
                        enabled: lvs_global::checks_enabled(&self.cfg, v, &self.local),
                        conn: None,
                        deadline: 0,
                    });
                }
            }
        }
        let up: std::collections::HashMap<(usize, usize, usize), bool> = slots
            .iter()
            .map(|s| ((s.vs, s.rs, s.ck), s.fsm.is_up()))
            .collect();
        self.decision = Decision::new(&self.cfg, |v, r, c| up.get(&(v, r, c)) != Some(&false));
        for f in &files {
            self.decision.init_file(f.vs, f.rs, f.ck, f.status);
        }
        self.slots = slots;
        self.files = files;
        let paths = self
            .files
            .iter()
            .map(|f| std::path::Path::new(&f.check.path));
        let (changes, err) = FileChanges::new(paths);
        if let Some(e) = err {
            tracing::info!("{}", messages::track_files_polled(&e));
        }
        self.file_changes = changes;
        self.suspending = self.cfg.virtual_servers.iter().any(|v| v.ha_suspend);
        if !self.suspending {
            self.addr_events = None;
        } else if self.addr_events.is_none() {
            let events = crate::sys::netlink::Netlink::new().and_then(|n| n.events());
            match events {
                Ok(e) => self.addr_events = Some(e),
                Err(e) => tracing::error!("{}", messages::netlink_monitor_failed(&e)),
            }
        }
        self.timers.clear();
        self.deadlines.clear();
        for i in 0..self.slots.len() {
            self.arm(i);
        }
        // One descriptor per running check, plus keepalived's allowance
        // for the daemon's own and the alert connections.
        let required = 17 + self.slots.len() as u64 + 10 + 10;
        match crate::sys::rlimit::raise_nofile(required) {
            Ok(Some((soft, hard))) if self.opts.detail => {
                tracing::info!("{}", messages::open_file_limit_set(soft, hard));
            }
            Ok(_) => {}
            Err(e) => tracing::info!("{}", messages::open_file_limit_failed(required, e as i32)),
        }
    }

    /// Queues slot `i`'s next turn, if it has one.
    fn arm(&mut self, i: usize) {
        if let Some(t) = self.slots[i].fsm.next_at() {
            self.timers.push(Reverse((t, i)));
        }
    }

    /// The earliest pending turn, dropping stale entries.
    fn next_due(&mut self) -> Option<u64> {
        while let Some(&Reverse((t, i))) = self.timers.peek() {
            if self.slots.get(i).and_then(|s| s.fsm.next_at()) == Some(t) {
                return Some(t);
            }
            self.timers.pop();
        }
        None
    }

    /// The earliest connect timeout, dropping stale entries.
    fn next_deadline(&mut self) -> Option<u64> {
        while let Some(&Reverse((t, i))) = self.deadlines.peek() {
            if self
                .slots
                .get(i)
                .is_some_and(|s| s.conn.is_some() && s.deadline == t)
            {
                return Some(t);
            }
            self.deadlines.pop();
        }
        None
    }

    fn activate_log(&self) {
        for s in &self.slots {
            let v = &self.cfg.virtual_servers[s.vs];
            let (rs, vs) = (
                decision::rs_name(v, &v.real_servers[s.rs]),
                decision::vs_name(v),
            );
            if s.enabled {
                tracing::info!("{}", messages::activating_healthchecker(&rs, &vs));
            } else {
                tracing::info!("{}", crate::messages::deactivating_healthchecker(&rs, &vs));
            }
        }
    }

    /// Drives the services of the virtual servers marked `dirty` to their
    /// desired entries, each service on its own: one real server flapping
    /// among 10,000 costs a few netlink requests, not a dump and a diff of
    /// the whole table. Services no longer configured only go at a full
    /// sync ([`Driver::sync_all`]).
    fn sync(&mut self) {
        for vi in std::mem::take(&mut self.dirty) {
            let want = self.decision.desired_vs(&self.cfg, vi);
            for (id, w) in &want.services {
                let merged = self
                    .shared
                    .get(id)
                    .and_then(|o| self.decision.desired_shared(&self.cfg, o, id));
                let w = merged.as_ref().unwrap_or(w);
                let have = match self.observe(id) {
                    Ok(h) => h,
                    Err(e) => {
                        tracing::error!("{e}");
                        continue;
                    }
                };
                self.apply(diff_service(id, Some(w), have.as_ref(), &self.ours));
            }
        }
    }

    /// The kernel's entry for service `id` (`None`: it has no such service).
    fn observe(&mut self, id: &ServiceId) -> Result<Option<Entry>, IpvsError> {
        let s = self.ipvs.service(id)?;
        s.map(|s| self.with_dests(s)).transpose()
    }

    /// Service `s` with its destinations as the kernel has them.
    fn with_dests(&mut self, s: Service) -> Result<Entry, IpvsError> {
        let d = self.ipvs.dests(&s.id)?;
        Ok((s, d.into_iter().map(|d| ((d.addr, d.port), d)).collect()))
    }

    /// Drives the whole kernel table to the desired one (start-up, reload):
    /// also removes our services the configuration no longer has.
    fn sync_all(&mut self) {
        self.dirty.clear();
        self.converge(true);
    }

    /// The full sync, service by service, each one's operations applied as
    /// they are computed (holding every operation of a 10,000-server table
    /// at once was most of the child's start-up peak). `configured`: the
    /// desired table is the configuration's, else empty (shutdown). The
    /// services a reload drops are logged by [`Self::removals`], per
    /// virtual server as keepalived does, not here per IPVS service.
    fn converge(&mut self, configured: bool) {
        // each configured service's first virtual server, and all of them
        // where several stand for it (a list only for those: rare)
        let mut owner: BTreeMap<ServiceId, usize> = BTreeMap::new();
        self.shared.clear();
        if configured {
            for (vi, v) in self.cfg.virtual_servers.iter().enumerate() {
                for id in decision::service_ids(&self.cfg, v) {
                    let first = *owner.entry(id).or_insert(vi);
                    if first != vi {
                        let o = self.shared.entry(id).or_insert_with(|| vec![first]);
                        if o.last() != Some(&vi) {
                            o.push(vi);
                        }
                    }
                }
            }
        }
        let observed: BTreeMap<ServiceId, _> = match self.ipvs.services() {
            Ok(s) => s.into_iter().map(|s| (s.id, s)).collect(),
            Err(e) => {
                tracing::error!("{e}");
                return;
            }
        };
        if configured {
            for vi in 0..self.cfg.virtual_servers.len() {
                let want = self.decision.desired_vs(&self.cfg, vi);
                for (id, w) in &want.services {
                    // a shared service once, with its first virtual server
                    let merged = match self.shared.get(id) {
                        Some(o) if o[0] != vi => continue,
                        Some(o) => self.decision.desired_shared(&self.cfg, o, id),
                        None => None,
                    };
                    let w = merged.as_ref().unwrap_or(w);
                    let have = match observed.get(id).map(|s| self.with_dests(s.clone())) {
                        None => None,
                        Some(Ok(h)) => Some(h),
                        Some(Err(e)) => {
                            tracing::error!("{e}");
                            continue;
                        }
                    };
                    self.apply(diff_service(id, Some(w), have.as_ref(), &self.ours));
                }
            }
        }
        // Last, as before: our services no longer configured (their
        // destinations go with them, so they are not read).
        for (id, s) in observed {
            if !owner.contains_key(&id) {
                let have = (s, BTreeMap::new());
                let ops = diff_service(&id, None, Some(&have), &self.ours);
                self.apply(ops);
            }
        }
    }

    /// Executes `ops` in order, recording what we created.
    fn apply(&mut self, ops: Vec<IpvsOp>) {
        for op in ops {
            match self.ipvs.apply(&op) {
                Ok(()) => self.ours.record(&op),
                Err(e) => tracing::error!("{e}"),
            }
        }
    }

    /// `ready` is called again after each reload: the parent waits for it
    /// (up to 30 s, ignoring SIGTERM meanwhile) before logging its own
    /// "Reload complete".
    async fn run(&mut self, reload: Box<dyn Fn() -> Option<Config>>, ready: fn()) {
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
        let mut hup = signal(SignalKind::hangup()).expect("SIGHUP handler");
        // Without the kernel's address events, addresses are looked at
        // every second.
        let mut addr_tick = tokio::time::interval(Duration::from_secs(1));
        // One timer, moved to the next due turn: a new one per turn was
        // registered in and removed from the runtime's timer wheel once per
        // probe result.
        let sleep = tokio::time::sleep(Duration::ZERO);
        tokio::pin!(sleep);
        loop {
            self.start_due();
            if self.expire_connects() {
                self.sync();
            }
            let next = match (self.next_due(), self.next_deadline()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            // Rounded up to tokio's 1 ms timer resolution: the timer moves
            // when the next turn moves by a millisecond, not at every probe
            // result.
            let t = next.unwrap_or_else(|| self.now() + 3_600_000_000);
            let deadline = self.epoch + Duration::from_millis(t.div_ceil(1000));
            let deadline = tokio::time::Instant::from_std(deadline);
            if sleep.deadline() != deadline {
                sleep.as_mut().reset(deadline);
            }
            tokio::select! {
                _ = &mut sleep => {}
                r = self.connects.wait(&mut self.finished) => {
                    if let Err(e) = r {
                        tracing::error!("{}", messages::connect_set_failed(&e));
                    }
                    if self.take_finished() {
                        self.sync();
                    }
                }
                _ = self.file_changes.next() => self.poll_files(),
                _ = next_event(&mut self.addr_events) => {
                    // one look answers a burst of events
                    while let Some(Some(_)) = self.addr_events.as_mut().and_then(|e| e.next().now_or_never()) {}
                    self.poll_addresses();
                }
                _ = addr_tick.tick(), if self.suspending && self.addr_events.is_none() => {
                    self.poll_addresses();
                }
                Some((g, i, out)) = self.rx.recv() => {
                    // Results that arrived meanwhile are taken in the same
                    // turn and the kernel is synced once (for the virtual
                    // servers they changed): one sync per result fell behind
                    // when many servers changed at once (seen in the IPVS
                    // differential test, where recovery trickled in over 20 s).
                    let mut changed = g == self.generation && self.on_result(i, out);
                    while let Ok((g, i, out)) = self.rx.try_recv() {
                        changed |= g == self.generation && self.on_result(i, out);
                    }
                    if changed {
                        self.sync();
                    }
                }
                _ = hup.recv() => {
                    tracing::info!("{}", messages::child_reloading());
                    if let Some(cfg) = reload() {
                        tracing::info!("{}", messages::reinitializing_ipvs());
                        let prev = std::mem::replace(&mut self.cfg, cfg);
                        // keepalived's order: the new configuration's FIFOs
                        // and mail settings, then the removals' notifies
                        // (clear_diff_services), then the new topology.
                        if let Some(a) = &mut self.alerts {
                            a.reload(&self.cfg);
                        }
                        self.removals(&prev);
                        self.reload_globals(&prev);
                        self.generation += 1;
                        // As keepalived's reload (script_killall): the
                        // MISC_CHECK scripts running get SIGTERM, SIGKILL
                        // 1 s later; their results are dropped with the
                        // old generation.
                        tokio::spawn(crate::sys::spawn::stop_scripts(NOTIFY_STOP_LIMIT));
                        let old = std::mem::take(&mut self.slots);
                        let old_decision = self.decision.clone();
                        // probes in flight are dropped: their checkers take
                        // their next turn a delay_loop from now
                        self.build(old, &prev);
                        self.init_quorums(Some((&prev, &old_decision)));
                        let now = self.now();
                        for i in 0..self.slots.len() {
                            if self.slots[i].fsm.next_at().is_none() {
                                let t = self.timing(i);
                                self.slots[i].fsm.skip(&t, now);
                                self.arm(i);
                            }
                        }
                        self.sync_all();
                        crate::sys::malloc::trim();
                    }
                    // "Reload complete" is the parent's, once every child
                    // is done (keepalived's config_notify).
                    ready();
                }
                _ = term.recv() => break,
                _ = int.recv() => break,
            }
        }
        // keepalived's stop first SIGTERMs the running MISC_CHECK scripts'
        // process groups, SIGKILLed 1 s later (`script_killall()`).
        let misc = crate::sys::spawn::stop_scripts(NOTIFY_STOP_LIMIT);
        let omega = self.shutdown();
        // keepalived's checker waits for its omega scripts (tracked
        // children) before it exits, each for at most 1 s before its
        // process group is SIGKILLed (`child_killed_thread`); the reaping
        // gets a little slack, never more.
        let deadline = NOTIFY_STOP_LIMIT + Duration::from_millis(500);
        let all = futures::future::join(futures::future::join_all(omega), misc);
        let _ = tokio::time::timeout(deadline, all).await;
        if let Some(a) = &mut self.alerts {
            // The parent allows child_wait_time (5 s by default) before
            // SIGKILL: the last mails get part of it.
            a.finish(Duration::from_secs(3)).await;
        }
        tracing::info!("{}", messages::child_stopped());
    }

    /// keepalived's `init_services()` quorum pass (start-up, and reload
    /// with the old configuration and state): a kept virtual server keeps
    /// its quorum state, and its sorry server if unchanged and in use; any
    /// other starts without quorum, as in keepalived, whose real servers
    /// count as live only once in IPVS (so one that reaches its quorum
    /// says "Gained quorum", runs `quorum_up`, writes its FIFO line and
    /// mails "Starting with quorum up"). Then each virtual server's
    /// [`Decision::init_quorum`] events are handled (logs, scripts, FIFO
    /// lines, mails).
    fn init_quorums(&mut self, old: Option<(&Config, &Decision)>) {
        let mut dec = Vec::new();
        for vi in 0..self.cfg.virtual_servers.len() {
            let v = &self.cfg.virtual_servers[vi];
            let mut sorry_in_place = false;
            self.decision.vs[vi].quorum_up = false;
            if let Some((oc, od)) = old
                && let Some(oi) = oc
                    .virtual_servers
                    .iter()
                    .position(|o| reload_diff::same_vs(o, v))
                && let Some(ost) = od.vs.get(oi)
            {
                self.decision.vs[vi].quorum_up = ost.quorum_up;
                sorry_in_place = reload_diff::sorry_kept(&oc.virtual_servers[oi], ost.quorum_up, v);
            }
            dec.extend(self.decision.init_quorum(&self.cfg, vi, sorry_in_place));
        }
        self.handle(dec, &[]);
    }

    /// Reload: what the old configuration had and the new one has not
    /// (keepalived's `clear_diff_services()`): logs, `notify_down` and
    /// `quorum_down` scripts, FIFO lines, "=> Removing <=" and "Lost
    /// quorum" mails. The entries leave IPVS with the next sync.
    fn removals(&mut self, prev: &Config) {
        for e in reload_diff::removals(prev, &self.decision, &self.cfg) {
            match &e {
                RemovalEvent::Log(l) => tracing::info!("{l}"),
                RemovalEvent::Script(s) => spawn_script(s),
                RemovalEvent::RsRemoved { .. } | RemovalEvent::QuorumLost { .. } => {}
            }
            if let Some(a) = &self.alerts {
                a.removal(prev, &e);
            }
        }
    }

    /// At reload (keepalived's `start_check()` with `reload`): timeouts set
    /// again, or back to the kernel defaults when no longer configured; the
    /// sync daemons restarted only if their settings changed.
    fn reload_globals(&mut self, prev: &Config) {
        let t = match lvs_global::timeouts(&self.cfg) {
            Some(t) => {
                if self.orig_timeouts.is_none() {
                    self.orig_timeouts = self.ipvs.timeouts().ok();
                }
                Some(t)
            }
            None => self.orig_timeouts,
        };
        if let Some(t) = t
            && self.ipvs.set_timeouts(&t).is_err()
        {
            tracing::info!("{}", crate::messages::ipvs_timeouts_failed());
        }
        // As keepalived: daemons the new configuration leaves to the VRRP
        // child (or drops) are not touched here, so that the VRRP child's
        // own reload is not raced.
        let wanted = lvs_global::sync_daemons(&self.cfg);
        if wanted.is_empty() {
            self.daemons.clear();
        } else if wanted != lvs_global::sync_daemons(prev) {
            self.daemons = start_globals_daemons(&mut self.ipvs, &self.cfg);
        }
    }

    /// `ha_suspend`: suspends or resumes checkers as VS addresses come and
    /// go.
    fn poll_addresses(&mut self) {
        if !self.cfg.virtual_servers.iter().any(|v| v.ha_suspend) {
            return;
        }
        let Ok(local) = crate::sys::local_addrs::local_addresses() else {
            return;
        };
        if local == self.local {
            return;
        }
        self.local = local;
        for s in &mut self.slots {
            let v = &self.cfg.virtual_servers[s.vs];
            let enabled = lvs_global::checks_enabled(&self.cfg, v, &self.local);
            if enabled != s.enabled {
                s.enabled = enabled;
                tracing::info!(
                    "{}",
                    crate::messages::healthchecker_resumed(
                        enabled,
                        &decision::rs_name(v, &v.real_servers[s.rs]),
                        &decision::vs_name(v)
                    )
                );
            }
        }
    }

    fn start_due(&mut self) {
        let now = self.now();
        while let Some(t) = self.next_due() {
            if t > now {
                break;
            }
            let Some(Reverse((_, i))) = self.timers.pop() else {
                break;
            };
            if !self.slots[i].enabled {
                let t = self.timing(i);
                self.slots[i].fsm.skip(&t, now);
                self.arm(i);
                continue;
            }
            self.slots[i].fsm.start_probe();
            let (v, r) = self.rs_of(i);
            let c = &r.checkers[self.slots[i].ck];
            if c.kind == CheckerKind::Tcp {
                self.start_tcp(i, now);
                continue;
            }
            let spec = probe::probe_spec(v, r, c);
            let (tx, g) = (self.tx.clone(), self.generation);
            tokio::spawn(async move {
                let out = probe::run(&spec).await;
                let _ = tx.send((g, i, out));
            });
        }
    }

    /// Slot `i`'s checker timing, from the configuration in force.
    fn timing(&self, i: usize) -> Timing {
        let s = &self.slots[i];
        let (v, r) = self.rs_of(i);
        Timing::resolve(v, r, &r.checkers[s.ck])
    }

    /// The virtual and real server of slot `i`.
    fn rs_of(
        &self,
        i: usize,
    ) -> (
        &crate::config::model::VirtualServer,
        &crate::config::model::RealServer,
    ) {
        let s = &self.slots[i];
        let v = &self.cfg.virtual_servers[s.vs];
        (v, &v.real_servers[s.rs])
    }

    /// Starts slot `i`'s TCP_CHECK connect, watched by `connects` until it
    /// finishes or its `connect_timeout` passes; a connect that ends at once
    /// reports through the result channel like any probe.
    fn start_tcp(&mut self, i: usize, now: u64) {
        let (v, r) = self.rs_of(i);
        let target = probe::target(v, r, &r.checkers[self.slots[i].ck]);
        let done = match connect::prepare(&target, socket2::Type::STREAM, socket2::Protocol::TCP)
            .map(|sock| connect_set::start(sock, target.dst))
        {
            Err(e) => Err(e),
            Ok(Started::Done(r)) => r.map_err(ConnectError::Failed),
            Ok(Started::Pending(sock)) => match self.connects.watch(&sock, i as u64) {
                Ok(()) => {
                    let deadline = now + target.timeout.as_micros() as u64;
                    let s = &mut self.slots[i];
                    (s.conn, s.deadline) = (Some(sock), deadline);
                    self.deadlines.push(Reverse((deadline, i)));
                    return;
                }
                Err(e) => Err(ConnectError::Setup(e)),
            },
        };
        let out = self.tcp_outcome(i, done);
        let _ = self.tx.send((self.generation, i, out));
    }

    /// A TCP_CHECK's outcome; the failure text is made only for failures.
    fn tcp_outcome(&self, i: usize, r: Result<(), ConnectError>) -> ProbeOutcome {
        match r {
            Ok(()) => ProbeOutcome::Up,
            Err(e) => {
                let (v, r) = self.rs_of(i);
                probe::tcp::outcome(Err(e), &fmt_rs(r, v))
            }
        }
    }

    /// Slot `i`'s connect finished: closes it and feeds its outcome.
    fn tcp_finished(&mut self, i: usize) -> bool {
        let Some(sock) = self.slots.get_mut(i).and_then(|s| s.conn.take()) else {
            return false;
        };
        let r = connect_set::finish(&sock).map_err(ConnectError::Failed);
        drop(sock);
        let out = self.tcp_outcome(i, r);
        self.on_result(i, out)
    }

    /// Feeds the connects in `self.finished` (emptied); true when the
    /// desired table may have changed.
    fn take_finished(&mut self) -> bool {
        let mut done = std::mem::take(&mut self.finished);
        let mut changed = false;
        for &i in &done {
            changed |= self.tcp_finished(i as usize);
        }
        done.clear();
        self.finished = done;
        changed
    }

    /// Fails the connects whose `connect_timeout` has passed (after taking
    /// those that finished meanwhile); true when the desired table may have
    /// changed.
    fn expire_connects(&mut self) -> bool {
        let now = self.now();
        if self.next_deadline().is_none_or(|t| t > now) {
            return false;
        }
        if let Err(e) = self.connects.take_finished(&mut self.finished) {
            tracing::error!("{}", messages::connect_set_failed(&e));
        }
        let mut changed = self.take_finished();
        while let Some(t) = self.next_deadline() {
            if t > now {
                break;
            }
            let Some(Reverse((_, i))) = self.deadlines.pop() else {
                break;
            };
            drop(self.slots[i].conn.take());
            let out = self.tcp_outcome(i, Err(ConnectError::Timeout));
            changed |= self.on_result(i, out);
        }
        changed
    }

    /// Feeds one probe result to its checker and the decision; true when
    /// the desired table may have changed (the caller then syncs).
    fn on_result(&mut self, i: usize, out: ProbeOutcome) -> bool {
        let now = self.now();
        if i >= self.slots.len() {
            return false;
        }
        let t = self.timing(i);
        let s = &mut self.slots[i];
        let ok = match &out {
            ProbeOutcome::NotRun(msg) => {
                tracing::info!("{msg}");
                s.fsm.skip(&t, now);
                self.arm(i);
                return false;
            }
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
        let failure = match out {
            ProbeOutcome::Down(ref m) => Some(m.clone()),
            _ => None,
        };
        // SMTP_CHECK words its going down with the failing attempt's
        // reason ("SMTP_CHECK Bad greeting banner from server …", logged
        // once: smtp_final()), not the other checkers' "failed after N
        // retries" line.
        let smtp_reason = match &failure {
            Some(f)
                if self.cfg.virtual_servers[vs].real_servers[rs].checkers[ck].kind
                    == crate::config::model::CheckerKind::Smtp =>
            {
                Some((f.clone(), s.log_all_failures && s.fsm.is_up()))
            }
            _ => None,
        };
        let events = s.fsm.result(&t, now, ok);
        self.arm(i);
        let mut dec = Vec::new();
        let mut flips = Vec::new();
        if let ProbeOutcome::Dynamic(code) = out
            && code > 1
        {
            dec.extend(self.decision.set_weight(&self.cfg, vs, rs, code - 2));
        }
        for e in events {
            match e {
                CheckEvent::Log(_) if smtp_reason.is_some() => {
                    if let Some((line, false)) = &smtp_reason {
                        tracing::info!("{line}");
                    }
                }
                CheckEvent::Log(l) => {
                    let (v, r) = (
                        &self.cfg.virtual_servers[vs],
                        &self.cfg.virtual_servers[vs].real_servers[rs],
                    );
                    tracing::info!("{}", l.line(&Names::of(v, r, &r.checkers[ck])));
                }
                CheckEvent::FirstRunDown => {
                    // An announcement only (notify script, FIFO line): the
                    // table is unchanged, so no sync of the virtual server.
                    let ev = self.decision.first_run_down(&self.cfg, vs, rs);
                    self.handle(ev, &[]);
                }
                CheckEvent::Alive(up) => {
                    let was = self.decision.vs[vs].rs[rs].alive();
                    dec.extend(self.decision.set_checker(&self.cfg, vs, rs, ck, up));
                    let now = self.decision.vs[vs].rs[rs].alive();
                    flips.push(CheckerFlip {
                        vs,
                        rs,
                        ck,
                        up,
                        rs_alive: (was, now),
                        failure: failure.clone(),
                    });
                }
            }
        }
        let changed = self.handle(dec, &flips);
        self.mark_dirty(vs, changed)
    }

    /// Queues virtual server `vs` for the next [`Driver::sync`] if
    /// `changed`; returns `changed`.
    fn mark_dirty(&mut self, vs: usize, changed: bool) -> bool {
        if changed {
            self.dirty.insert(vs);
        }
        changed
    }

    /// Re-reads every FILE_CHECK's file and applies the changes.
    fn poll_files(&mut self) {
        let mut dec = Vec::new();
        for f in &mut self.files {
            let st = f.read();
            if st == f.status {
                continue;
            }
            let was_fault = f.status == FileStatus::Fault;
            f.status = st;
            if self.opts.detail && was_fault != (st == FileStatus::Fault) {
                let v = &self.cfg.virtual_servers[f.vs];
                tracing::info!(
                    "{}",
                    crate::messages::track_file_fault(
                        &decision::rs_name(v, &v.real_servers[f.rs]),
                        &f.check.name,
                        !was_fault
                    )
                );
            }
            let ev = self.decision.set_file(&self.cfg, f.vs, f.rs, f.ck, st);
            if !ev.is_empty() {
                self.dirty.insert(f.vs);
            }
            dec.extend(ev);
        }
        if self.handle(dec, &[]) {
            self.sync();
        }
    }

    /// Mails and FIFO lines, logs, scripts of and applies decision events
    /// (and the checker flips that caused them, for the checker's mail).
    /// Returns whether the desired table may have changed (the caller then
    /// syncs, once per burst of results).
    fn handle(&mut self, dec: Vec<DecisionEvent>, flips: &[CheckerFlip]) -> bool {
        if let Some(a) = &self.alerts {
            for e in &dec {
                a.decision(&self.cfg, &self.decision, e);
            }
            for f in flips {
                a.checker(&self.cfg, f);
            }
        }
        if dec.is_empty() {
            return false;
        }
        for e in dec {
            match e {
                DecisionEvent::Log(l) => tracing::info!("{l}"),
                DecisionEvent::Script(s) => spawn_script(&s),
                DecisionEvent::RsAlive { .. } | DecisionEvent::Quorum { .. } => {}
            }
        }
        true
    }

    /// SIGTERM: remove what we added unless `-I` (all of IPVS with
    /// `lvs_flush_on_stop`, whole services without per-server lines with
    /// `lvs_flush_on_stop VS`); `omega` scripts (not with `-I`, as
    /// keepalived), returned to be awaited; our sync daemons stop.
    fn shutdown(&mut self) -> Vec<tokio::task::JoinHandle<crate::script::ScriptOutcome>> {
        let mut omega = Vec::new();
        let scripts = if self.opts.dont_release_ipvs {
            Vec::new()
        } else {
            lvs_global::omega_scripts(&self.cfg, &self.decision)
        };
        for s in scripts {
            let spec = ScriptSpec::from_script(&s, &[]);
            match spawn_notify_limited(&spec, &[], NOTIFY_STOP_LIMIT) {
                Ok(h) => omega.push(h),
                Err(e) => tracing::info!(
                    "{}",
                    messages::notify_exec_failed(&s.args.join(" "), e.description())
                ),
            }
        }
        let g = &self.cfg.global;
        let (full, per_vs) = (
            g.lvs_flush_on_stop && !g.lvs_flush_on_stop_vs,
            g.lvs_flush_on_stop_vs,
        );
        if self.opts.dont_release_ipvs {
            // -I: leave everything in place.
        } else if full || per_vs {
            // With omega, each virtual server says it is going.
            if let Some(a) = &self.alerts {
                for (vi, v) in self.cfg.virtual_servers.iter().enumerate() {
                    if v.omega {
                        a.shutdown_vs(&self.cfg, vi);
                    }
                }
            }
            if full {
                if let Err(e) = self.ipvs.flush() {
                    tracing::error!("{e}");
                }
            } else {
                self.converge(false);
            }
        } else {
            for (vi, v) in self.cfg.virtual_servers.iter().enumerate() {
                for (ri, r) in v.real_servers.iter().enumerate() {
                    // keepalived names every real server, live or not
                    // (`clear_service_rs()` when stopping).
                    let alive = self.decision.vs[vi].rs[ri].alive();
                    let inhibited = !alive && r.inhibit_on_failure.unwrap_or(v.inhibit_on_failure);
                    tracing::info!(
                        "{}",
                        messages::shutting_down_service(
                            inhibited,
                            &decision::rs_name(v, r),
                            &decision::vs_name(v)
                        )
                    );
                    // With omega, each live real server says it is going.
                    if let (true, true, Some(a)) = (alive, v.omega, &self.alerts) {
                        a.shutdown_rs(&self.cfg, vi, ri);
                    }
                }
                // … and then the virtual server itself, whatever its
                // quorum was (`update_vs_notifies` when stopping).
                if let (true, Some(a)) = (v.omega, &self.alerts) {
                    a.shutdown_vs(&self.cfg, vi);
                }
            }
            self.converge(false);
        }
        for d in std::mem::take(&mut self.daemons) {
            let _ = self.ipvs.stop_daemon(d.state, 0);
        }
        omega
    }
}
