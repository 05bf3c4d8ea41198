//! The VRRP child process (`Keepalived_vrrp`): the I/O driver around the
//! pure state machines of `crate::vrrp`.
//!
//! ```text
//!   socket readers ──RxPacket──┐
//!   (one task per socket)      │
//!                              ▼
//!   signals ───────────────► main loop ──► Pool::send (adverts)
//!   timers (poll_timeout) ──►   │      ──► Kernel (VIPs, GARP/NA)
//!                               │      ──► notify scripts, log
//! ```
//!
//! Everything runs on one current-thread runtime; the main loop owns every
//! instance, so no state is shared or locked.

pub mod alerts;
pub mod dump;
pub mod iface;
pub mod kernel;
pub mod net;
pub mod node;
pub mod scripts;
pub mod statics;
pub mod syncd;
pub mod tx;
pub mod vmac;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::messages;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::config::model::Config;
use crate::proto::vrrp::validate;
use futures::StreamExt;

use crate::script::ScriptOutcome;
use crate::sys::netlink::NetEvent;
use crate::sys::spawn::NOTIFY_STOP_LIMIT;
use crate::vrrp::notify;
use crate::vrrp::sync_group::{MemberView, SyncGroup};
use crate::vrrp::track_file::FileTracker;
use crate::vrrp::track_process::ProcessTracker;
use crate::vrrp::track_script::{Start, TrackEvent};
use crate::vrrp::{Action, Input, NotifyState, RxAdvert, State, TrackKind, TrackStatus};

use kernel::{AddrOutcome, Kernel};
use net::{Pool, PoolKey, PoolSpec, RxPacket};
use node::Node;
use statics::Statics;

/// What the command line tells the VRRP child.
#[derive(Clone, Debug, Default)]
pub struct ChildOptions {
    /// `-D`: log the detail lines.
    pub detail: bool,
    /// `-V`: leave VIPs and routes in place at shutdown.
    pub dont_release_vrrp: bool,
    /// Where the addresses we own are recorded (see `kernel`).
    pub record: Option<std::path::PathBuf>,
}

/// Errors that stop the child before it runs.
#[derive(Debug, thiserror::Error)]
pub enum ChildError {
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("interface {0} for vrrp_instance {1} doesn't exist")]
    NoInterface(String, String),
    #[error("cannot open VRRP sockets on {0}: {1}")]
    Socket(String, std::io::Error),
    #[error("cannot open netlink: {0}")]
    Netlink(crate::sys::netlink::NetlinkError),
}

/// Runs the VRRP child until SIGTERM/SIGINT; returns the exit code.
/// `ready` is called once the sockets are open and the instances built
/// (the parent then reports the daemon ready to systemd).
pub fn run(
    cfg: Config,
    opts: ChildOptions,
    reload: Box<dyn Fn() -> Option<Config>>,
    ready: fn(),
) -> Result<(), ChildError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ChildError::Runtime)?;
    rt.block_on(async move {
        // One rtnetlink socket for the child's life: the VMACs are made on
        // it before the instances that run over them are built.
        let kernel = Kernel::new(opts.record.clone()).map_err(ChildError::Netlink)?;
        let vmacs = vmac::setup(kernel.netlink(), &cfg).await;
        let mut d = Driver::new(cfg, opts, reload, kernel, vmacs)?;
        d.ready = ready;
        ready();
        d.run().await;
        Ok(())
    })
}

struct Driver {
    opts: ChildOptions,
    nodes: Vec<Node>,
    groups: Vec<SyncGroup>,
    /// The configured sync groups (for their notify scripts).
    group_cfg: Vec<crate::config::model::SyncGroup>,
    scripts: Vec<scripts::Runner>,
    /// The last [`scripts::Runner::id`] given out.
    script_ids: u64,
    script_tx: mpsc::Sender<(u64, ScriptOutcome)>,
    script_rx: mpsc::Receiver<(u64, ScriptOutcome)>,
    /// Last known up/down of every interface an instance tracks.
    links: std::collections::HashMap<String, bool>,
    garp_interval: Duration,
    gna_interval: Duration,
    /// notify_stop scripts still running at shutdown.
    stopping: Vec<tokio::task::JoinHandle<ScriptOutcome>>,
    pool: Pool,
    kernel: Kernel,
    rx: mpsc::Receiver<RxPacket>,
    tx: mpsc::Sender<RxPacket>,
    /// Re-reads the configuration (SIGHUP); `None` when it cannot be used.
    reload: Box<dyn Fn() -> Option<Config>>,
    /// Tells the parent the configuration is (re)loaded.
    ready: fn(),
    /// The VMAC interfaces of `use_vmac` instances.
    vmacs: Vec<vmac::Vmac>,
    alerts: alerts::Alerts,
    /// The configured `track_file`s (re-read at reload).
    track_file_cfg: Vec<crate::config::model::TrackFile>,
    /// `track_file`s some instance tracks, with their paths.
    files: Vec<(crate::vrrp::track_file::FileTracker, String)>,
    /// When to read the track files again (their directories watched, as
    /// keepalived's inotify watch).
    file_changes: crate::sys::file_watch::FileChanges,
    /// `static_ipaddress`, `static_routes` and `static_rules`.
    statics: Statics,
    /// The configured `vrrp_track_process`es (re-read at reload).
    track_process_cfg: Vec<crate::config::model::TrackProcess>,
    /// `vrrp_track_process`es some instance tracks.
    procs: Vec<ProcessTracker>,
    epoch: Instant,
    /// `lvs_sync_daemon IF VRRP_INSTANCE`: the IPVS sync daemon follows
    /// that instance's state.
    syncd: syncd::SyncDriver,
}

/// The sockets each interface and family needs.
type Specs = Vec<(PoolKey, PoolSpec)>;

/// The nodes of every instance and the sockets they need.
fn build_nodes(cfg: &Config, vmacs: &[vmac::Vmac]) -> Result<(Vec<Node>, Specs), ChildError> {
    let mut nodes = Vec::new();
    let mut specs: Vec<(PoolKey, PoolSpec)> = Vec::new();
    for inst in &cfg.vrrp_instances {
        let base = node::instance_ifname(inst).unwrap_or_default();
        let base_info = iface::read(&base)
            .ok_or_else(|| ChildError::NoInterface(base.clone(), inst.name.clone()))?;
        let vmac = vmacs.iter().find(|v| v.instance == inst.name);
        // With use_vmac the VIPs live on the VMAC and adverts go out of it
        // (from the VRRP MAC), unless vmac_xmit_base; the source address
        // stays the base interface's.
        let (ifname, info) = match vmac.and_then(|v| iface::read(&v.name)) {
            Some(mut vi) if !inst.vmac_xmit_base => {
                vi.v4 = base_info.v4.clone();
                if vi.v6.is_empty() {
                    vi.v6 = base_info.v6.clone();
                }
                (vi.name.clone(), vi)
            }
            _ => (base.clone(), base_info),
        };
        let mut n = Node::new(cfg, inst, &info);
        if let Some(v) = vmac {
            // keepalived moves the VIPs configured on the base interface to
            // the VMAC.
            n.vip_dev = v.name.clone();
            for l in n.vips.iter_mut().chain(n.evips.iter_mut()) {
                if l.dev.as_deref() == Some(base.as_str()) {
                    l.dev = Some(v.name.clone());
                }
            }
        }
        let spec = match specs.iter_mut().position(|(k, _)| *k == n.key) {
            Some(p) => &mut specs[p].1,
            None => {
                specs.push((
                    n.key,
                    PoolSpec {
                        ifname: ifname.clone(),
                        unicast_hops: 255,
                        ..PoolSpec::default()
                    },
                ));
                &mut specs.last_mut().expect("just pushed").1
            }
        };
        if !n.unicast {
            for d in &n.dsts {
                if !spec.groups.contains(d) {
                    spec.groups.push(*d);
                }
            }
        }
        spec.ah |= n.params.auth == crate::proto::vrrp::Auth::Ah;
        if let Some(IpAddr::V6(s)) = n.src {
            spec.src6.get_or_insert(s);
        }
        nodes.push(n);
    }
    Ok((nodes, specs))
}

/// Opens the sockets of `specs` that are not open yet.
fn open_sockets(
    pool: &mut Pool,
    specs: &[(PoolKey, PoolSpec)],
    tx: &mpsc::Sender<RxPacket>,
    detail: bool,
) -> Result<(), ChildError> {
    for (key, spec) in specs {
        if pool.has(*key) {
            continue;
        }
        pool.open(*key, spec, tx)
            .map_err(|e| ChildError::Socket(spec.ifname.clone(), e))?;
        if detail {
            tracing::info!(
                "{}",
                messages::sockpool(
                    key.ifindex,
                    key.v6,
                    spec.groups.first().map(|g| g as &dyn std::fmt::Display)
                )
            );
        }
    }
    Ok(())
}

fn build_groups(cfg: &Config, nodes: &[Node]) -> Vec<SyncGroup> {
    cfg.sync_groups
        .iter()
        .filter_map(|g| {
            let members: Vec<usize> = g
                .members
                .as_ref()?
                .iter()
                .filter_map(|(n, _)| nodes.iter().position(|x| x.name == *n))
                .collect();
            (members.len() > 1).then(|| SyncGroup::new(&g.name, members))
        })
        .collect()
}

impl Driver {
    fn new(
        cfg: Config,
        opts: ChildOptions,
        reload: Box<dyn Fn() -> Option<Config>>,
        kernel: Kernel,
        vmacs: Vec<vmac::Vmac>,
    ) -> Result<Driver, ChildError> {
        let (tx, rx) = mpsc::channel(1024);
        let (nodes, specs) = build_nodes(&cfg, &vmacs)?;
        let mut pool = Pool::default();
        open_sockets(&mut pool, &specs, &tx, opts.detail)?;
        let groups = build_groups(&cfg, &nodes);
        let (script_tx, script_rx) = mpsc::channel(256);
        let mut links = std::collections::HashMap::new();
        for n in &nodes {
            for t in &n.fsm.settings().trackers {
                if t.kind == TrackKind::Interface {
                    links.insert(t.name.clone(), true);
                }
            }
        }
        let mut script_ids = 0;
        let scripts = scripts::build(&cfg, &nodes, 0, Vec::new(), &mut script_ids);
        Ok(Driver {
            scripts,
            script_ids,
            group_cfg: cfg.sync_groups.clone(),
            script_tx,
            script_rx,
            links,
            garp_interval: Duration::from_micros(cfg.global.vrrp_garp_interval.unwrap_or(0)),
            gna_interval: Duration::from_micros(cfg.global.vrrp_gna_interval.unwrap_or(0)),
            stopping: Vec::new(),
            opts,
            nodes,
            groups,
            pool,
            kernel,
            rx,
            tx,
            reload,
            vmacs,
            statics: Statics::of(&cfg),
            track_process_cfg: cfg.track_processes.clone(),
            procs: Vec::new(),
            alerts: alerts::Alerts::start(&cfg),
            files: Vec::new(),
            file_changes: crate::sys::file_watch::FileChanges::new(std::iter::empty()).0,
            track_file_cfg: cfg.track_files.clone(),
            ready: || {},
            epoch: Instant::now(),
            syncd: syncd::SyncDriver::new(&cfg),
        })
    }

    /// SIGHUP: re-read the configuration and apply only the differences.
    /// An instance whose name and configuration are unchanged keeps running
    /// untouched (no VIP removal, no priority-0 advert, no GARP); removed
    /// instances stop as at shutdown; new and changed ones start afresh.
    async fn reload(&mut self) {
        tracing::info!("{}", messages::child_reloading());
        self.reload_inner().await;
        (self.ready)();
    }

    async fn reload_inner(&mut self) {
        let started = Instant::now();
        let Some(cfg) = (self.reload)() else {
            tracing::error!("{}", messages::reload_failed());
            return;
        };
        self.kernel.reload_names();
        // VMACs of instances the reload adds exist before their nodes are
        // built (the nodes send from them and hold their VIPs on them).
        let added = vmac::setup_missing(self.kernel.netlink(), &cfg, &self.vmacs).await;
        self.vmacs.extend(added);
        let (new_nodes, specs) = match build_nodes(&cfg, &self.vmacs) {
            Ok(x) => x,
            Err(e) => {
                tracing::error!("{}", messages::reload_failed_because(&e));
                return;
            }
        };
        if let Err(e) = open_sockets(&mut self.pool, &specs, &self.tx, self.opts.detail) {
            tracing::error!("{}", messages::reload_failed_because(&e));
            return;
        }
        let mut old: Vec<Option<Node>> = std::mem::take(&mut self.nodes)
            .into_iter()
            .map(Some)
            .collect();
        let mut next = Vec::with_capacity(new_nodes.len());
        let mut fresh = Vec::new();
        for n in new_nodes {
            let same = old.iter().position(|o| {
                o.as_ref()
                    .is_some_and(|o| o.name == n.name && o.fingerprint == n.fingerprint)
            });
            match same {
                Some(j) => next.push(old[j].take().expect("present")),
                None => {
                    fresh.push(next.len());
                    next.push(n);
                }
            }
        }
        // Stop what is gone or changed, with the old nodes in place so that
        // their actions address the right sockets and VIPs.
        self.nodes = old.into_iter().flatten().collect();
        self.groups.clear();
        // The new configuration's mail settings and FIFOs from here on.
        let old_global = self.alerts.reload(&cfg);
        for i in 0..self.nodes.len() {
            let now = self.now();
            // An instance no longer configured is "deleted" (keepalived's
            // clear_diff_vrrp): DELETED notifies, or FAULT ones without
            // `notify_deleted`, none if it was already in FAULT then;
            // never the STOP ones of a daemon stopping.
            let deleted = !cfg
                .vrrp_instances
                .iter()
                .any(|c| c.name == self.nodes[i].name);
            let was_fault = self.nodes[i].fsm.state() == State::Fault;
            let mut actions = self.nodes[i].fsm.handle(now, Input::Stop);
            if deleted {
                actions.retain(|a| !matches!(a, Action::Notify { .. }));
            }
            self.exec(i, actions).await;
            if deleted && (self.nodes[i].inst.notify_deleted.is_some() || !was_fault) {
                let n = &self.nodes[i];
                let prio = n.fsm.effective_priority();
                let (ev, runs) =
                    notify::instance_notify(&n.inst, notify::NotifyEvent::Deleted, prio);
                self.alerts.deleted(&n.inst, ev, prio, &old_global);
                self.run_notifies(runs, false);
            }
        }
        // Static lines: the dropped ones go, the new ones come.
        let statics = Statics::of(&cfg);
        let (gone, new) = (self.statics.minus(&statics), statics.minus(&self.statics));
        self.apply_static(&gone, false).await;
        self.apply_static(&new, true).await;
        self.statics = statics;
        let vmacs = std::mem::take(&mut self.vmacs);
        self.vmacs = vmac::drop_unwanted(self.kernel.netlink(), &cfg, vmacs).await;
        self.nodes = next;
        self.groups = build_groups(&cfg, &self.nodes);
        self.group_cfg = cfg.sync_groups.clone();
        // As keepalived's reload (`script_killall`): the vrrp_scripts
        // running get SIGTERM, SIGKILL 1 s later; their results are
        // dropped (kept trackers get new ids) and every script runs anew.
        tokio::spawn(crate::sys::spawn::stop_scripts(NOTIFY_STOP_LIMIT));
        let now = self.now();
        let old_scripts = std::mem::take(&mut self.scripts);
        self.scripts = scripts::build(&cfg, &self.nodes, now, old_scripts, &mut self.script_ids);
        self.track_file_cfg = cfg.track_files.clone();
        self.start_files(&cfg.track_files).await;
        self.track_process_cfg = cfg.track_processes.clone();
        self.start_processes(&cfg.track_processes).await;
        // New instances learn what the kept scripts already know, before
        // they start (unchanged instances know it already).
        let known: Vec<Input> = self
            .scripts
            .iter()
            .filter_map(|r| r.tracker.status().map(|st| r.tracker.input(st)))
            .collect();
        for input in known {
            for &i in &fresh {
                let now = self.now();
                let actions = self.nodes[i].fsm.handle(now, input.clone());
                self.exec(i, actions).await;
            }
        }
        for i in fresh {
            let now = self.now();
            let actions = self.nodes[i].fsm.handle(now, Input::Start);
            self.exec(i, actions).await;
        }
        let nodes = &self.nodes;
        self.syncd.reload(&cfg, |name| {
            nodes.iter().find(|n| n.name == name).map(|n| n.fsm.state())
        });
        if self.opts.detail {
            tracing::info!(
                "{}",
                messages::reload_finished(started.elapsed().as_micros())
            );
        }
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }

    async fn run(&mut self) {
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
        let mut hup = signal(SignalKind::hangup()).expect("SIGHUP handler");
        let mut usr1 = signal(SignalKind::user_defined1()).expect("SIGUSR1 handler");
        let mut usr2 = signal(SignalKind::user_defined2()).expect("SIGUSR2 handler");
        let mut json = signal(SignalKind::from_raw(libc::SIGRTMIN() + 2)).expect("JSON handler");
        let mut clear =
            signal(SignalKind::from_raw(libc::SIGRTMAX() - 1)).expect("STATS_CLEAR handler");
        for line in self.kernel.remove_leftovers().await {
            tracing::info!("{line}");
        }
        self.clear_vips_at_start().await;
        self.set_static(true).await;
        let mut events = match self.kernel.netlink().events() {
            Ok(e) => Some(e),
            Err(e) => {
                tracing::error!("{}", messages::netlink_monitor_failed(&e));
                None
            }
        };
        self.refresh_links().await;
        self.start_files(&self.track_file_cfg.clone()).await;
        // keepalived follows process events from the kernel's proc
        // connector; we rescan /proc every second (see track_process).
        self.start_processes(&self.track_process_cfg.clone()).await;
        let mut proc_tick = tokio::time::interval(Duration::from_secs(1));
        for i in 0..self.nodes.len() {
            self.syncd.started(&self.nodes[i].name);
            let now = self.now();
            let actions = self.nodes[i].fsm.handle(now, Input::Start);
            self.exec(i, actions).await;
        }
        loop {
            let next = self
                .nodes
                .iter()
                .filter_map(|n| n.fsm.poll_timeout())
                .chain(self.scripts.iter().filter_map(|s| s.tracker.poll_timeout()))
                .chain(self.procs.iter().filter_map(|p| p.poll_timeout()))
                .min();
            let sleep_until =
                next.map(|t| tokio::time::Instant::from_std(self.epoch + Duration::from_micros(t)));
            tokio::select! {
                biased;
                _ = term.recv() => break,
                _ = int.recv() => break,
                _ = hup.recv() => self.reload().await,
                _ = usr1.recv() => self.dump(messages::printing_vrrp_data, "keepalived.data", dump::data(&self.nodes)),
                _ = usr2.recv() => self.dump(messages::printing_vrrp_stats, "keepalived.stats", dump::stats(&self.nodes)),
                _ = json.recv() => self.dump(messages::printing_vrrp_json, "keepalived.json", dump::json(&self.nodes)),
                _ = clear.recv() => {
                    self.dump(messages::printing_clearing_vrrp_stats, "keepalived.stats", dump::stats(&self.nodes));
                    for n in &mut self.nodes {
                        n.stats = node::Stats::default();
                    }
                }
                Some(p) = self.rx.recv() => self.on_packet(p).await,
                Some((id, outcome)) = self.script_rx.recv() => self.on_script_done(id, outcome).await,
                _ = self.file_changes.next() => self.poll_files().await,
                _ = proc_tick.tick(), if !self.procs.is_empty() => self.poll_processes().await,
                Some(ev) = async {
                    match events.as_mut() {
                        Some(e) => e.next().await,
                        None => std::future::pending().await,
                    }
                } => self.on_net_event(ev).await,
                _ = async {
                    match sleep_until {
                        Some(t) => tokio::time::sleep_until(t).await,
                        None => std::future::pending().await,
                    }
                } => self.on_timers().await,
            }
        }
        self.shutdown().await;
        vmac::teardown(self.kernel.netlink(), &self.vmacs).await;
    }

    fn dump(&self, line: fn(u32) -> String, file: &str, text: String) {
        tracing::info!("{}", line(std::process::id()));
        if let Err(e) = dump::write(file, &text) {
            let path = dump::tmp_path(file);
            let errno = e.raw_os_error().unwrap_or(0);
            let desc = nix::errno::Errno::from_raw(errno).desc();
            let line = if file == "keepalived.data" {
                messages::cant_open_dump_file(file, errno, desc)
            } else {
                messages::cant_open(&path.display().to_string(), errno, desc)
            };
            tracing::info!("{line}");
        }
    }

    async fn on_timers(&mut self) {
        let now = self.now();
        for k in 0..self.procs.len() {
            if self.procs[k].poll_timeout().is_some_and(|t| t <= now) {
                let events = self.procs[k].handle_timeout(now);
                self.process_events(k, events).await;
            }
        }
        for si in 0..self.scripts.len() {
            if self.scripts[si]
                .tracker
                .poll_timeout()
                .is_some_and(|t| t <= now)
            {
                match self.scripts[si].tracker.start(now) {
                    Start::Run { timeout } => {
                        if let Some(spec) = self.scripts[si].spec.clone() {
                            let tx = self.script_tx.clone();
                            let id = self.scripts[si].id;
                            tokio::spawn(async move {
                                let out = crate::sys::spawn::run_script(&spec, Some(timeout)).await;
                                let _ = tx.send((id, out)).await;
                            });
                        }
                    }
                    Start::Skip(ev) => self.script_events(si, vec![ev]).await,
                }
            }
        }
        for i in 0..self.nodes.len() {
            if self.nodes[i].fsm.poll_timeout().is_some_and(|t| t <= now) {
                let actions = self.nodes[i].fsm.handle_timeout(now);
                self.exec(i, actions).await;
            }
        }
    }

    async fn on_packet(&mut self, p: RxPacket) {
        let Some(vrid) = net::vrid_of(&p.bytes, p.key.v6) else {
            return;
        };
        let Some(i) = self
            .nodes
            .iter()
            .position(|n| n.key == p.key && n.vrid == vrid)
        else {
            return;
        };
        let node = &mut self.nodes[i];
        let from_master = node.fsm.master().is_some_and(|(a, _)| a == p.info.src);
        match validate::check(&p.bytes, &p.info, &node.expect(from_master)) {
            Ok(acc) => {
                node.stats.advert_rcvd += 1;
                if acc.advert.priority == 0 {
                    node.stats.pri_zero_rcvd += 1;
                }
                if let Some(seq) = acc.ah_seq {
                    node.ah_last_seq = seq;
                }
                if acc.old_checksum_detected {
                    if let crate::proto::vrrp::ChecksumMode::RfcOrOld { group } =
                        node.params.checksum
                    {
                        node.params.checksum =
                            crate::proto::vrrp::ChecksumMode::OldUnicast { group };
                        tracing::info!("{}", messages::old_unicast_checksum(&node.name));
                    }
                }
                let rx = RxAdvert::from_advert(&acc.advert, p.info.src);
                let now = self.now();
                let actions = self.nodes[i].fsm.handle(now, Input::Advert(rx));
                self.exec(i, actions).await;
            }
            Err(e) => {
                if let Some(c) = e.counter() {
                    *node.stats.errors.entry(c.name()).or_default() += 1;
                }
                if let Some(msg) = e.log_message(&node.name, &node.ifname) {
                    tracing::info!("{msg}");
                }
            }
        }
    }

    /// Executes `actions` of instance `i`, then whatever the sync groups
    /// make of them, until nothing is left.
    async fn exec(&mut self, i: usize, actions: Vec<Action>) {
        let mut queue = std::collections::VecDeque::from([(i, actions)]);
        while let Some((i, actions)) = queue.pop_front() {
            for (m, input) in self.exec_one(i, actions).await {
                let now = self.now();
                let acts = self.nodes[m].fsm.handle(now, input);
                queue.push_back((m, acts));
            }
        }
    }

    fn member_view(&self) -> impl Fn(usize) -> MemberView + '_ {
        |m| {
            let f = &self.nodes[m].fsm;
            MemberView {
                state: f.state(),
                wants_master: f.wants_master(),
                own_fault: f.own_fault(),
            }
        }
    }

    /// The sync-group side of one action of member `i`.
    fn group_event(&mut self, i: usize, a: &Action) -> Vec<(usize, Input)> {
        let Some(g) = self.groups.iter().position(|g| g.members.contains(&i)) else {
            return Vec::new();
        };
        let mut group = self.groups[g].clone();
        let d = {
            let view = self.member_view();
            match a {
                Action::WantMaster => group.want_master(i, &view),
                Action::StateChange { from, to, .. } => group.state_changed(i, *from, *to, &view),
                _ => return Vec::new(),
            }
        };
        if let Some(line) = d.log {
            tracing::info!("{line}");
        }
        if let (Some(st), Some(gc)) = (
            d.notify,
            self.group_cfg.iter().find(|c| c.name == group.name),
        ) {
            let ev = match st {
                State::Master => Some(notify::NotifyEvent::Master),
                State::Backup => Some(notify::NotifyEvent::Backup),
                State::Fault => Some(notify::NotifyEvent::Fault),
                _ => None,
            };
            if let Some(ev) = ev {
                let runs = notify::group_notify(gc, ev);
                self.alerts.group(gc, ev);
                self.run_notifies(runs, false);
            }
        }
        self.groups[g] = group;
        d.inputs
    }

    async fn exec_one(&mut self, i: usize, actions: Vec<Action>) -> Vec<(usize, Input)> {
        let mut follow = Vec::new();
        for a in actions {
            follow.extend(self.group_event(i, &a));
            match a {
                Action::WantMaster => {}
                Action::SendAdvert { priority } => self.send_advert(i, priority),
                Action::SendGarp { repeat } => self.send_garps(i, repeat).await,
                Action::AddVips => self.set_vips(i, true).await,
                Action::RemoveVips => self.set_vips(i, false).await,
                Action::Notify { state } => {
                    let n = &self.nodes[i];
                    let prio = n.fsm.effective_priority();
                    let (ev, runs) = notify::instance_notify(&n.inst, state.into(), prio);
                    // FIFO line and mail (the scripts' order in keepalived).
                    self.alerts.instance(&n.inst, ev, prio);
                    self.run_notifies(runs, state == NotifyState::Stop);
                }
                Action::NotifyMasterRxLowerPri => {
                    if let Some(r) = notify::master_rx_lower_pri_notify(&self.nodes[i].inst) {
                        self.run_notifies(vec![r], false);
                    }
                }
                Action::NotifyPriority { .. } => {}
                Action::Log { detail, message } => {
                    if !detail || self.opts.detail {
                        tracing::info!("{message}");
                    }
                }
                Action::StateChange { from, to, reason } => {
                    if self.opts.detail {
                        tracing::info!(
                            "{}",
                            messages::state_change(&self.nodes[i].name, &from, &to, &reason)
                        );
                    }
                    self.syncd.transition(&self.nodes[i].name, from, to);
                    let st = &mut self.nodes[i].stats;
                    if to == State::Master {
                        st.become_master += 1;
                    } else if from == State::Master {
                        st.release_master += 1;
                    }
                }
            }
        }
        follow
    }

    fn send_advert(&mut self, i: usize, priority: u8) {
        let node = &mut self.nodes[i];
        let key = node.key;
        for (bytes, dst) in node.adverts(priority) {
            match self.pool.send(key, &bytes, dst) {
                Ok(()) => {
                    node.stats.advert_sent += 1;
                    if priority == 0 {
                        node.stats.pri_zero_sent += 1;
                    }
                }
                Err(e) => {
                    // keepalived's wording, with the C error text.
                    let errno = e.raw_os_error().unwrap_or(0);
                    tracing::info!(
                        "{}",
                        messages::send_advert_error(
                            &node.name,
                            errno,
                            nix::errno::Errno::from_raw(errno).desc()
                        )
                    );
                }
            }
        }
    }

    async fn send_garps(&mut self, i: usize, repeat: u32) {
        let node = &self.nodes[i];
        let vips: Vec<_> = node.vips.iter().chain(&node.evips).cloned().collect();
        if self.opts.detail {
            for v in &vips {
                tracing::info!(
                    "{}",
                    messages::sending_garps(
                        &node.name,
                        v.addr.is_ipv6(),
                        v.dev.as_deref().unwrap_or(&node.vip_dev),
                        &v.addr
                    )
                );
            }
        }
        let ifname = node.vip_dev.clone();
        let frames = self.kernel.announce_frames(&vips, &ifname).await;
        let (v4, v6): (Vec<_>, Vec<_>) = frames
            .into_iter()
            .partition(|f| f.1 == crate::proto::arp::ETHERTYPE_ARP);
        if !v4.is_empty() {
            self.kernel.send_frames(v4, repeat, self.garp_interval);
        }
        if !v6.is_empty() {
            self.kernel.send_frames(v6, repeat, self.gna_interval);
        }
    }

    fn run_notifies(&mut self, runs: Vec<notify::NotifyRun>, stopping: bool) {
        for r in runs {
            let h = match r.limit {
                Some(l) => crate::sys::spawn::spawn_notify_limited(&r.spec, &[], l),
                None => crate::sys::spawn::spawn_notify(&r.spec, &[]),
            };
            match h {
                Ok(h) if stopping => self.stopping.push(h),
                Ok(_) => {}
                Err(e) => tracing::warn!(
                    "{}",
                    messages::notify_exec_failed(
                        r.spec.args.first().map(String::as_str).unwrap_or(""),
                        e.description()
                    )
                ),
            }
        }
    }

    /// `static_ipaddress` and `static_routes`: installed when the child
    /// starts, whatever the VRRP states, and removed when it stops.
    async fn set_static(&mut self, add: bool) {
        let all = self.statics.clone();
        self.apply_static(&all, add).await;
    }

    /// Adds or removes the given static lines.
    async fn apply_static(&mut self, statics: &Statics, add: bool) {
        for v in &statics.addrs {
            let Some(dev) = v.dev.clone() else { continue };
            let out = if add {
                self.kernel.add(v, &dev).await
            } else {
                self.kernel.remove(v, &dev).await
            };
            if let AddrOutcome::Failed(e) = out {
                tracing::error!("{}", messages::static_address_failed(&v.addr, v.prefix, &e));
            }
        }
        for r in &statics.routes {
            let out = if add {
                self.kernel.add_route(r, None).await
            } else {
                self.kernel.remove_route(r, None).await
            };
            if let AddrOutcome::Failed(e) = out {
                tracing::error!("{}", messages::static_route_failed(&r.words.join(" "), &e));
            }
        }
        for r in &statics.rules {
            let out = if add {
                self.kernel.add_rule(r).await
            } else {
                self.kernel.remove_rule(r).await
            };
            if let AddrOutcome::Failed(e) = out {
                let line = crate::messages::rule_failed(None, add, &r.words.join(" "), &e);
                tracing::error!("{line}");
            }
        }
    }

    /// keepalived removes each instance's VIPs and virtual rules when it
    /// starts, in case a killed predecessor left them ("removing Virtual
    /// Rules" and "removing VIPs." at init).
    async fn clear_vips_at_start(&mut self) {
        for i in 0..self.nodes.len() {
            let n = &self.nodes[i];
            let (name, ifname) = (n.name.clone(), n.vip_dev.clone());
            let vips: Vec<_> = n.vips.iter().chain(&n.evips).cloned().collect();
            // Its virtual_rules likewise, first, as keepalived does.
            let rules = n.inst.vrules.clone();
            if !rules.is_empty() && self.opts.detail {
                tracing::info!("{}", crate::messages::virtual_rules_change(&name, false));
            }
            for r in &rules {
                self.kernel.clear_rule_at_start(r).await;
            }
            if !vips.is_empty() && self.opts.detail {
                tracing::info!(
                    "{}",
                    messages::instance_line(&name, messages::removing_vips())
                );
            }
            for v in &vips {
                self.kernel.clear_at_start(v, &ifname).await;
            }
        }
    }

    /// Reads the current state of every tracked interface and reports the
    /// ones that are down.
    async fn refresh_links(&mut self) {
        let names: Vec<String> = self.links.keys().cloned().collect();
        for name in names {
            let up = match self.kernel.netlink().link_by_name(&name).await {
                Ok(Some(l)) => l.is_up(),
                _ => false,
            };
            if !up {
                self.links.insert(name.clone(), false);
                self.track_all(TrackKind::Interface, &name, TrackStatus::Down)
                    .await;
            }
        }
    }

    async fn on_net_event(&mut self, ev: NetEvent) {
        let (name, up) = match ev {
            NetEvent::Link(l) => (l.name.clone(), l.is_up()),
            NetEvent::LinkDeleted { name, .. } => (name, false),
            _ => return,
        };
        self.kernel.forget_link(&name);
        let Some(was) = self.links.get(&name).copied() else {
            return;
        };
        if was == up {
            return;
        }
        self.links.insert(name.clone(), up);
        tracing::info!("{}", messages::netlink_reports(&name, up));
        let status = if up {
            TrackStatus::Up
        } else {
            TrackStatus::Down
        };
        self.track_all(TrackKind::Interface, &name, status).await;
    }

    /// Tells every instance tracking `name` its new status.
    async fn track_all(&mut self, kind: TrackKind, name: &str, status: TrackStatus) {
        for i in 0..self.nodes.len() {
            if self.nodes[i]
                .fsm
                .settings()
                .trackers
                .iter()
                .any(|t| t.kind == kind && t.name == name)
            {
                let now = self.now();
                let actions = self.nodes[i].fsm.handle(
                    now,
                    Input::Track {
                        kind,
                        name: name.to_string(),
                        status,
                    },
                );
                self.exec(i, actions).await;
            }
        }
    }

    /// Reads every tracked file once and reports its initial value.
    async fn start_files(&mut self, cfg: &[crate::config::model::TrackFile]) {
        self.files.clear();
        for f in cfg {
            let tracked = self.nodes.iter().any(|n| {
                n.fsm
                    .settings()
                    .trackers
                    .iter()
                    .any(|t| t.kind == TrackKind::File && t.name == f.name)
            });
            let Some(path) = f.file.clone().filter(|_| tracked) else {
                continue;
            };
            let contents = std::fs::read(&path).ok();
            let (tracker, events) = FileTracker::new(f, contents.as_deref());
            let (name, status) = (tracker.name().to_string(), tracker.status());
            self.files.push((tracker, path));
            self.file_events(events).await;
            self.track_all(TrackKind::File, &name, status).await;
        }
        let paths = self.files.iter().map(|(_, p)| std::path::Path::new(p));
        let (changes, err) = crate::sys::file_watch::FileChanges::new(paths);
        if let Some(e) = err {
            tracing::info!("{}", messages::track_files_polled(&e));
        }
        self.file_changes = changes;
    }

    async fn poll_files(&mut self) {
        for k in 0..self.files.len() {
            let contents = std::fs::read(&self.files[k].1).ok();
            let events = match contents {
                Some(c) => self.files[k].0.update(Some(&c)),
                None => self.files[k].0.deleted(),
            };
            let name = self.files[k].0.name().to_string();
            for ev in events {
                match ev {
                    TrackEvent::Log { message } => tracing::info!("{message}"),
                    TrackEvent::Status(st) => self.track_all(TrackKind::File, &name, st).await,
                }
            }
        }
    }

    async fn file_events(&mut self, events: Vec<TrackEvent>) {
        for ev in events {
            if let TrackEvent::Log { message } = ev {
                tracing::info!("{message}");
            }
        }
    }

    /// Scans /proc once for every tracked `vrrp_track_process` and reports
    /// each one's initial status (before the instances start, which need
    /// it: an unreported weight-0 process holds an instance in FAULT).
    async fn start_processes(&mut self, cfg: &[crate::config::model::TrackProcess]) {
        self.procs = cfg
            .iter()
            .filter(|p| {
                self.nodes.iter().any(|n| {
                    n.fsm
                        .settings()
                        .trackers
                        .iter()
                        .any(|t| t.kind == TrackKind::Process && t.name == p.name)
                })
            })
            .filter_map(ProcessTracker::new)
            .collect();
        self.poll_processes().await;
    }

    /// One /proc scan for every tracked process.
    async fn poll_processes(&mut self) {
        if self.procs.is_empty() {
            return;
        }
        let cmdline = self.procs.iter().any(|p| p.matcher().needs_cmdline());
        let seen = crate::sys::procs::scan(cmdline);
        let now = self.now();
        for k in 0..self.procs.len() {
            let events = self.procs[k].scan(now, &seen);
            self.process_events(k, events).await;
        }
    }

    async fn process_events(&mut self, k: usize, events: Vec<TrackEvent>) {
        let name = self.procs[k].name().to_string();
        for ev in events {
            match ev {
                TrackEvent::Log { message } => tracing::info!("{message}"),
                TrackEvent::Status(st) => self.track_all(TrackKind::Process, &name, st).await,
            }
        }
    }

    async fn on_script_done(&mut self, id: u64, outcome: ScriptOutcome) {
        // A script removed by a reload while it ran reports to nobody.
        let Some(si) = self.scripts.iter().position(|r| r.id == id) else {
            return;
        };
        let r = &mut self.scripts[si];
        let now = self.epoch.elapsed().as_micros() as u64;
        let events = r.tracker.finished(now, outcome);
        self.script_events(si, events).await;
    }

    async fn script_events(&mut self, si: usize, events: Vec<TrackEvent>) {
        for ev in events {
            match ev {
                TrackEvent::Log { message } => tracing::info!("{message}"),
                TrackEvent::Status(st) => {
                    let name = self.scripts[si].tracker.name().to_string();
                    self.track_all(TrackKind::Script, &name, st).await;
                }
            }
        }
    }

    /// Installs (VIPs, then virtual routes, then virtual rules, as
    /// keepalived's `vrrp_state_become_master`) or removes (the reverse, as
    /// `vrrp_restore_interface`) what an instance holds as MASTER.
    async fn set_vips(&mut self, i: usize, add: bool) {
        if add {
            self.set_addresses(i, true).await;
            self.set_routes(i, true).await;
            self.set_rules(i, true).await;
        } else {
            self.set_rules(i, false).await;
            self.set_routes(i, false).await;
            self.set_addresses(i, false).await;
        }
    }

    async fn set_addresses(&mut self, i: usize, add: bool) {
        let node = &self.nodes[i];
        let name = node.name.clone();
        let default_if = node.vip_dev.clone();
        let lines: Vec<_> = node.vips.iter().chain(&node.evips).cloned().collect();
        for v in &lines {
            let out = if add {
                self.kernel.add(v, &default_if).await
            } else {
                self.kernel.remove(v, &default_if).await
            };
            if let AddrOutcome::Failed(e) = out {
                tracing::error!(
                    "{}",
                    messages::vip_change_failed(&name, add, &v.addr, v.prefix, &e)
                );
            }
        }
    }

    /// `virtual_routes`: added after the VIPs, so that a route whose source
    /// is a VIP can be added.
    async fn set_routes(&mut self, i: usize, add: bool) {
        let name = self.nodes[i].name.clone();
        let routes = self.nodes[i].inst.vroutes.clone();
        for r in &routes {
            let out = if add {
                self.kernel.add_route(r, None).await
            } else {
                self.kernel.remove_route(r, None).await
            };
            if let AddrOutcome::Failed(e) = out {
                tracing::error!(
                    "{}",
                    messages::route_change_failed(&name, add, &r.words.join(" "), &e)
                );
            }
        }
    }

    /// `virtual_rules` (their "removing" line is the state machine's, logged
    /// before "removing VIPs." as keepalived does).
    async fn set_rules(&mut self, i: usize, add: bool) {
        let name = self.nodes[i].name.clone();
        let rules = self.nodes[i].inst.vrules.clone();
        if add && !rules.is_empty() && self.opts.detail {
            tracing::info!("{}", crate::messages::virtual_rules_change(&name, add));
        }
        for r in &rules {
            let out = if add {
                self.kernel.add_rule(r).await
            } else {
                self.kernel.remove_rule(r).await
            };
            if let AddrOutcome::Failed(e) = out {
                let line = crate::messages::rule_failed(Some(&name), add, &r.words.join(" "), &e);
                tracing::error!("{line}");
            }
        }
    }

    async fn shutdown(&mut self) {
        // keepalived's stop first SIGTERMs the running vrrp_scripts'
        // process groups, SIGKILLed 1 s later (`script_killall()`), and
        // waits for them.
        let scripts = crate::sys::spawn::stop_scripts(NOTIFY_STOP_LIMIT);
        for i in 0..self.nodes.len() {
            let now = self.now();
            let mut actions = self.nodes[i].fsm.handle(now, Input::Stop);
            if self.opts.dont_release_vrrp {
                actions.retain(|a| *a != Action::RemoveVips);
            }
            self.exec(i, actions).await;
        }
        if !self.opts.dont_release_vrrp {
            self.set_static(false).await;
        }
        let notifies = futures::future::join_all(std::mem::take(&mut self.stopping));
        let all = futures::future::join(notifies, scripts);
        let _ = tokio::time::timeout(NOTIFY_STOP_LIMIT + Duration::from_millis(500), all).await;
        // The stop alerts still queued get a bounded time to go out (the
        // parent allows child_wait_time, 5 s by default, before SIGKILL).
        self.alerts.finish(Duration::from_secs(2)).await;
        tracing::info!("{}", messages::child_stopped());
    }
}
