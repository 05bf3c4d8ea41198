//! A VRRP lab in network namespaces: one "switch" namespace holding a Linux
//! bridge, N router nodes and an observer, each with an `eth0` plugged into
//! the bridge, so real daemons can fail over between nodes while the
//! observer captures what they put on the wire and acts as a client.
//!
//! Addresses: node i is 192.0.2.(10+i)/24 and 2001:db8::(10+i)/64 with MAC
//! 02:00:00:00:00:(10+i) (hex); the observer is .100 / ::100. Everything is
//! isolated in namespaces named after this process, so labs run in
//! parallel. The harness knows nothing about our daemon: it runs a binary
//! with keepalived's command line, chosen by [`Impl`].
//!
//! Cleanup is by identity, never by name pattern: every daemon handle kills
//! the process tree it started (by PID), and the lab, when dropped (also
//! while a panic unwinds), SIGKILLs whatever still runs inside the
//! namespaces it created and then deletes them.

use super::pcap::{self, Frame};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Polling period of every bounded wait: fine enough to measure takeover
/// times to a few tens of milliseconds.
const POLL: Duration = Duration::from_millis(20);

/// Which daemon a node runs. Both take keepalived's command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Impl {
    /// Debian's keepalived 2.2.7, the reference.
    Keepalived,
    /// This crate's binary.
    Ours,
}

impl Impl {
    pub fn binary(self) -> PathBuf {
        match self {
            Impl::Keepalived => PathBuf::from("/usr/sbin/keepalived"),
            Impl::Ours => PathBuf::from(env!("CARGO_BIN_EXE_keepalived")),
        }
    }

    fn parse(s: &str) -> Result<Impl, String> {
        match s.trim() {
            "keepalived" | "theirs" | "ref" => Ok(Impl::Keepalived),
            "ours" => Ok(Impl::Ours),
            other => Err(format!("LAB_IMPLS: unknown implementation {other:?}")),
        }
    }
}

/// The implementations of nodes 0..n, from `LAB_IMPLS` (comma separated,
/// e.g. `ours,keepalived`; the last entry repeats for further nodes),
/// default `ours,keepalived`: our daemon as node 0 (the usual master) with
/// keepalived 2.2.7 as every other node. `scripts/test.sh` also runs the
/// scenarios with `keepalived,ours` and `ours` (ours on every node).
pub fn impls(n: usize) -> Vec<Impl> {
    let spec = std::env::var("LAB_IMPLS").unwrap_or_else(|_| "ours,keepalived".into());
    let list: Vec<Impl> = spec
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| Impl::parse(s).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let last = *list.last().unwrap_or(&Impl::Keepalived);
    (0..n).map(|i| *list.get(i).unwrap_or(&last)).collect()
}

/// Unwraps a lab step, panicking with its message.
pub fn ok<T>(r: Result<T, String>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// A test that runs our daemon: when it cannot run here (not root, no
/// namespaces), says so loudly and returns true.
pub fn skip(name: &str) -> bool {
    if let Some(why) = unavailable(&[Impl::Ours]) {
        eprintln!("\n*** SKIPPED {name}: {why} ***\n");
        return true;
    }
    false
}

/// Whether the lab can run here; the reason when it cannot.
pub fn unavailable(impls: &[Impl]) -> Option<String> {
    if !nix::unistd::geteuid().is_root() {
        return Some("not running as root (network namespaces)".into());
    }
    for tool in ["/usr/sbin/ip", "/usr/bin/tcpdump"] {
        if !Path::new(tool).exists() {
            return Some(format!("{tool} is not installed"));
        }
    }
    for i in impls {
        if !i.binary().exists() {
            return Some(format!("{} is not installed", i.binary().display()));
        }
    }
    None
}

fn run_ip(args: &[&str]) -> Result<String, String> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("ip {args:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// `ip netns exec NS sysctl -qw K=V…`
fn sysctl(ns: &str, settings: &[&str]) -> Result<(), String> {
    let mut args = vec!["netns", "exec", ns, "sysctl", "-qw"];
    args.extend_from_slice(settings);
    run_ip(&args).map(drop)
}

/// Retry `probe` every [`POLL`] until it returns true or `timeout` passes;
/// the time it took, or `what` with `detail()` on timeout.
pub fn poll_until(
    timeout: Duration,
    what: &str,
    mut probe: impl FnMut() -> bool,
    detail: impl FnOnce() -> String,
) -> Result<Duration, String> {
    let start = Instant::now();
    loop {
        if probe() {
            return Ok(start.elapsed());
        }
        if start.elapsed() >= timeout {
            return Err(format!(
                "timed out after {timeout:?} waiting for {what}\n{}",
                detail()
            ));
        }
        std::thread::sleep(POLL);
    }
}

/// One router namespace.
#[derive(Debug, Clone)]
pub struct Node {
    pub index: usize,
    /// The namespace's name (for `ip -n`).
    pub ns: String,
    /// eth0's MAC address, `02:00:00:00:00:xx`.
    pub mac: String,
    /// eth0's own addresses (192.0.2.(10+i) and 2001:db8::(10+i)).
    pub ipv4: String,
    pub ipv6: String,
}

pub struct Lab {
    prefix: String,
    pub switch: String,
    pub nodes: Vec<Node>,
    pub observer: Node,
    /// Every namespace created so far, deleted on drop.
    created: Vec<String>,
}

impl Lab {
    /// Build the switch, `nodes` routers and the observer, all up, with
    /// IPv6 DAD off so every address is usable at once.
    pub fn new(nodes: usize) -> Result<Lab, String> {
        assert!(nodes < 80, "addresses are 192.0.2.(10+i)");
        let prefix = format!(
            "kl{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let switch = format!("{prefix}-sw");
        let mut lab = Lab {
            prefix: prefix.clone(),
            switch: switch.clone(),
            nodes: Vec::new(),
            observer: Node {
                index: usize::MAX,
                ns: String::new(),
                mac: String::new(),
                ipv4: String::new(),
                ipv6: String::new(),
            },
            created: Vec::new(),
        };
        // From each `netns add` on, `lab` owns the namespace: an error
        // returned below drops `lab`, which deletes it.
        run_ip(&["netns", "add", &switch])?;
        lab.created.push(switch.clone());
        // The switch needs no IPv6 of its own: it would only add router
        // solicitations and MLD reports to the observer's capture.
        sysctl(
            &switch,
            &[
                "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1",
            ],
        )?;
        let sw = |args: &[&str]| {
            let mut v = vec!["-n", switch.as_str()];
            v.extend_from_slice(args);
            run_ip(&v)
        };
        sw(&["link", "set", "lo", "up"])?;
        // No multicast snooping: the VRRP groups (224.0.0.18, ff02::12) must
        // reach every port whether or not anyone reported membership.
        sw(&[
            "link",
            "add",
            "br0",
            "type",
            "bridge",
            "stp_state",
            "0",
            "mcast_snooping",
            "0",
        ])?;
        sw(&["link", "set", "br0", "up"])?;
        for i in 0..nodes {
            let node = lab.add_host(&format!("n{i}"), 10 + i as u8)?;
            lab.nodes.push(Node { index: i, ..node });
        }
        lab.observer = lab.add_host("obs", 100)?;
        Ok(lab)
    }

    /// A namespace `PREFIX-PORT` whose eth0 is plugged into the bridge
    /// (port `PORT` in the switch namespace) with host number `host`.
    fn add_host(&mut self, port: &str, host: u8) -> Result<Node, String> {
        let ns = format!("{}-{port}", self.prefix);
        run_ip(&["netns", "add", &ns])?;
        self.created.push(ns.clone());
        // Before eth0 exists, so it inherits "default"; set again on eth0
        // below because a moved-in device keeps the values it had.
        sysctl(
            &ns,
            &[
                "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0",
            ],
        )?;
        let mac = format!("02:00:00:00:00:{host:02x}");
        let (ipv4, ipv6) = (format!("192.0.2.{host}"), format!("2001:db8::{host}"));
        run_ip(&[
            "-n",
            &self.switch,
            "link",
            "add",
            port,
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            &ns,
        ])?;
        run_ip(&[
            "-n",
            &self.switch,
            "link",
            "set",
            port,
            "master",
            "br0",
            "up",
        ])?;
        sysctl(&ns, &["net.ipv6.conf.eth0.accept_dad=0"])?;
        let n = |args: &[&str]| {
            let mut v = vec!["-n", ns.as_str()];
            v.extend_from_slice(args);
            run_ip(&v)
        };
        n(&["link", "set", "lo", "up"])?;
        n(&["link", "set", "eth0", "address", &mac])?;
        n(&["addr", "add", &format!("{ipv4}/24"), "dev", "eth0"])?;
        n(&["addr", "add", &format!("{ipv6}/64"), "dev", "eth0", "nodad"])?;
        n(&["link", "set", "eth0", "up"])?;
        Ok(Node {
            index: usize::MAX,
            ns,
            mac,
            ipv4,
            ipv6,
        })
    }

    pub fn node(&self, i: usize) -> &Node {
        &self.nodes[i]
    }

    /// Whether node `i`'s eth0 holds `ip` (`ip -j addr`, exact match).
    pub fn node_has_addr(&self, i: usize, ip: &str) -> bool {
        self.nodes[i].has_addr(ip)
    }

    /// Wait until node `i` holds (`present`) or no longer holds `ip`.
    pub fn wait_addr(
        &self,
        i: usize,
        ip: &str,
        present: bool,
        timeout: Duration,
    ) -> Result<Duration, String> {
        let node = &self.nodes[i];
        poll_until(
            timeout,
            &format!(
                "{ip} {} on node {i}",
                if present { "present" } else { "absent" }
            ),
            || node.has_addr(ip) == present,
            || self.addr_summary(),
        )
    }

    /// Which nodes hold `ip` right now.
    pub fn holders(&self, ip: &str) -> Vec<usize> {
        self.nodes
            .iter()
            .filter(|n| n.has_addr(ip))
            .map(|n| n.index)
            .collect()
    }

    /// Every node's eth0 addresses, for failure messages.
    pub fn addr_summary(&self) -> String {
        self.nodes
            .iter()
            .map(|n| {
                let out = run_ip(&["-n", &n.ns, "-br", "addr", "show", "dev", "eth0"])
                    .unwrap_or_else(|e| e);
                format!("node {}: {}", n.index, out.trim())
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `ip link set eth0 up|down` inside node `i`.
    pub fn link_set(&self, i: usize, up: bool) -> Result<(), String> {
        run_ip(&[
            "-n",
            &self.nodes[i].ns,
            "link",
            "set",
            "eth0",
            if up { "up" } else { "down" },
        ])
        .map(drop)
    }

    /// Whether the observer can reach `ip`: a TCP connection attempt to port
    /// 9 from inside the observer namespace that is either accepted or
    /// refused (a RST proves a host owns the address; there is no `ping` in
    /// every build environment). Err on timeout or unreachable.
    pub fn ping_from_observer(&self, ip: &str) -> Result<(), String> {
        let addr: IpAddr = ip.parse().map_err(|e| format!("{ip}: {e}"))?;
        let ns_path = format!("/run/netns/{}", self.observer.ns);
        // setns changes only the calling thread's namespace, so a
        // short-lived thread does the probe and the test thread stays put.
        std::thread::spawn(move || -> Result<(), String> {
            let f = File::open(&ns_path).map_err(|e| format!("{ns_path}: {e}"))?;
            nix::sched::setns(&f, nix::sched::CloneFlags::CLONE_NEWNET)
                .map_err(|e| format!("setns {ns_path}: {e}"))?;
            match TcpStream::connect_timeout(&SocketAddr::new(addr, 9), Duration::from_secs(1)) {
                Ok(_) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => Ok(()),
                Err(e) => Err(format!("{addr} from the observer: {e}")),
            }
        })
        .join()
        .map_err(|_| "probe thread panicked".to_string())?
    }

    /// The MAC the observer's neighbour table maps `ip` to, if any (after
    /// a gratuitous ARP / unsolicited NA or a probe: who answers for it).
    pub fn observer_neigh(&self, ip: &str) -> Option<String> {
        let out = run_ip(&[
            "-n",
            &self.observer.ns,
            "neigh",
            "show",
            "to",
            ip,
            "dev",
            "eth0",
        ])
        .ok()?;
        // "192.0.2.200 lladdr 02:00:00:00:00:0a REACHABLE"
        let mut words = out.split_whitespace();
        words.find(|w| *w == "lladdr")?;
        words.next().map(str::to_string)
    }

    /// Start capturing every frame on the observer's eth0.
    pub fn capture(&self) -> Result<Capture, String> {
        Capture::start(&self.observer.ns)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        // Processes inside our namespaces are ours (daemons a test forgot or
        // a panic left behind, their children, tcpdump): kill them by PID,
        // or the namespaces would live on inside them.
        for ns in self.created.iter().rev() {
            if let Ok(out) = run_ip(&["netns", "pids", ns]) {
                for pid in out.split_whitespace().filter_map(|p| p.parse::<i32>().ok()) {
                    let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                }
            }
        }
        for ns in self.created.iter().rev() {
            if let Err(e) = run_ip(&["netns", "del", ns]) {
                eprintln!("warning: could not delete network namespace {ns}: {e}");
            }
        }
    }
}

impl Node {
    /// On any interface (with `use_vmac` the VIP lives on `vrrp.VRID`).
    pub fn has_addr(&self, ip: &str) -> bool {
        run_ip(&["-n", &self.ns, "-j", "addr", "show"])
            .map(|j| j.contains(&format!("\"local\":\"{ip}\"")))
            .unwrap_or(false)
    }

    /// Start `imp` in this node with configuration `conf` (written to a
    /// fresh temporary directory that also holds the pid files, the log and
    /// TMPDIR), in the foreground with console logging and detail:
    /// `BIN -n -l -D -f CONF -p … -r … -c … EXTRA…`.
    pub fn start(&self, imp: Impl, conf: &str, extra_args: &[&str]) -> Result<Daemon, String> {
        self.start_with(imp, conf, extra_args, &StartOptions::default())
    }
}

/// What [`Node::start_with`] changes from [`Node::start`]'s defaults.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// Leave out `-l`: the daemon logs to syslog only (see
    /// `KEEPALIVED_SYSLOG_SOCKET`), its stdout/stderr file stays quiet.
    pub no_console: bool,
    /// Extra environment for the daemon (e.g. `NOTIFY_SOCKET`).
    pub env: Vec<(String, String)>,
    /// Use the pid files (and so the VRRP child's VIP record) of this
    /// directory, e.g. another daemon's [`Daemon::dir`], instead of the
    /// fresh one: a restart after a crash, or a second daemon.
    pub pid_dir: Option<PathBuf>,
}

impl Node {
    /// [`Node::start`] with [`StartOptions`]:
    /// `BIN -n [-l] -D -f CONF -p … -r … -c … EXTRA…`.
    pub fn start_with(
        &self,
        imp: Impl,
        conf: &str,
        extra_args: &[&str],
        opts: &StartOptions,
    ) -> Result<Daemon, String> {
        let dir = tempfile::Builder::new()
            .prefix("vrrp-lab-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        // keepalived refuses scripts in directories others can write to when
        // script security is on; 0755 keeps the lab valid either way.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
        let d = dir.path();
        let conf_path = d.join("keepalived.conf");
        fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
        let log_path = d.join("daemon.log");
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| e.to_string())?;
        let pid_dir = opts.pid_dir.as_deref().unwrap_or(d);
        let p = |name: &str| pid_dir.join(name).to_string_lossy().into_owned();
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.ns]).arg(imp.binary());
        cmd.arg("-n");
        if !opts.no_console {
            cmd.arg("-l");
        }
        cmd.args(["-D", "-f"])
            .arg(&conf_path)
            .args([
                "-p",
                &p("keepalived.pid"),
                "-r",
                &p("vrrp.pid"),
                "-c",
                &p("checkers.pid"),
            ])
            .args(extra_args)
            .envs(opts.env.iter().map(|(k, v)| (k, v)))
            .env("TMPDIR", d)
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log);
        let child = cmd.spawn().map_err(|e| format!("spawn {cmd:?}: {e}"))?;
        // `ip netns exec` execs the program, so this PID is the daemon's.
        Ok(Daemon {
            pid: child.id(),
            child,
            imp,
            node: self.index,
            log_path,
            dir,
            reaped: false,
        })
    }
}

impl Daemon {
    /// The daemon's children right now (its process tree minus itself):
    /// for us, the VRRP child.
    pub fn children(&self) -> Vec<u32> {
        process_tree(self.pid).into_iter().skip(1).collect()
    }

    /// Whether the main process is still running (not exited, not a zombie
    /// we have yet to reap).
    pub fn running(&mut self) -> bool {
        if self.reaped {
            return false;
        }
        match self.child.try_wait() {
            Ok(None) => true,
            Ok(Some(_)) => {
                self.reaped = true;
                false
            }
            Err(_) => false,
        }
    }
}

/// Whether process `pid` exists and is not a zombie.
pub fn process_alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

/// A daemon started in a node. Dropping it SIGKILLs its process tree.
pub struct Daemon {
    pub pid: u32,
    pub imp: Impl,
    pub node: usize,
    child: Child,
    log_path: PathBuf,
    dir: tempfile::TempDir,
    reaped: bool,
}

impl Daemon {
    /// The temporary directory holding the configuration, pid files and log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log(&self) -> String {
        fs::read(&self.log_path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// The last `n` lines of the log, for failure messages.
    pub fn log_tail(&self, n: usize) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    /// How many log lines contain `needle`.
    pub fn log_count(&self, needle: &str) -> usize {
        self.log().lines().filter(|l| l.contains(needle)).count()
    }

    /// Wait until the log contains `needle`; the time waited.
    pub fn wait_log(&self, needle: &str, timeout: Duration) -> Result<Duration, String> {
        self.wait_log_count(needle, 1, timeout)
    }

    /// Wait until at least `n` log lines contain `needle`.
    pub fn wait_log_count(
        &self,
        needle: &str,
        n: usize,
        timeout: Duration,
    ) -> Result<Duration, String> {
        poll_until(
            timeout,
            &format!(
                "{n} × {needle:?} in node {}'s log ({:?})",
                self.node, self.imp
            ),
            || self.log_count(needle) >= n,
            || format!("--- log tail ---\n{}", self.log_tail(40)),
        )
    }

    /// Send `sig` to the daemon's main process (the PID we started).
    pub fn signal(&self, sig: Signal) -> Result<(), String> {
        kill(Pid::from_raw(self.pid as i32), sig).map_err(|e| format!("kill {}: {e}", self.pid))
    }

    /// Wait for the main process to exit; its exit code (128+N for signal N).
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<i32, String> {
        use std::os::unix::process::ExitStatusExt;
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().map_err(|e| e.to_string())? {
                self.reaped = true;
                return Ok(s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0)));
            }
            if start.elapsed() >= timeout {
                return Err(format!(
                    "node {} daemon (pid {}) still running after {timeout:?}\n{}",
                    self.node,
                    self.pid,
                    self.log_tail(20)
                ));
            }
            std::thread::sleep(POLL);
        }
    }

    /// A crash of the whole daemon: SIGSTOP then SIGKILL the main process
    /// and every descendant (found through /proc), by PID. Stopping first
    /// means no process can react — the parent cannot respawn a child and a
    /// child cannot act on its parent-death signal (which would make it
    /// send a priority-0 advert, i.e. a graceful stop).
    pub fn kill_all_sigkill(&mut self) {
        if self.reaped {
            return;
        }
        let tree = process_tree(self.pid);
        for sig in [Signal::SIGSTOP, Signal::SIGKILL] {
            for &p in &tree {
                let _ = kill(Pid::from_raw(p as i32), sig);
            }
        }
        let _ = self.child.wait();
        self.reaped = true;
    }

    /// Log lines that report a received packet as bad (see
    /// [`packet_error_lines`]).
    pub fn packet_errors(&self) -> Vec<String> {
        packet_error_lines(&self.log())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill_all_sigkill();
        // LAB_SHOW_LOGS=1: every daemon's log on stderr, to see (with
        // --nocapture) what a scenario did.
        // A failing scenario shows what each daemon said, without rerunning.
        if std::thread::panicking() && std::env::var_os("LAB_SHOW_LOGS").is_none() {
            eprintln!(
                "===== node {} ({:?}, pid {}) log tail =====\n{}",
                self.node,
                self.imp,
                self.pid,
                self.log_tail(30)
            );
        }
        if std::env::var_os("LAB_SHOW_LOGS").is_some() {
            eprintln!(
                "===== node {} ({:?}, pid {}) log =====\n{}",
                self.node,
                self.imp,
                self.pid,
                self.log()
            );
        }
    }
}

/// `root` and all its descendants (parents before children), from the
/// `ppid` field of every /proc/PID/stat.
pub fn process_tree(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(rd) = fs::read_dir("/proc") {
        for e in rd.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            // "PID (comm) STATE PPID …": comm may hold spaces and parens.
            let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
                continue;
            };
            if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
                children.entry(ppid).or_default().push(pid);
            }
        }
    }
    let mut out = vec![root];
    let mut seen = HashSet::from([root]);
    let mut i = 0;
    while i < out.len() {
        for &c in children.get(&out[i]).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(c) {
                out.push(c);
            }
        }
        i += 1;
    }
    out
}

/// Lines in which a daemon complains about a received packet or a peer's
/// configuration. Calibrated against keepalived 2.2.7's receive-path
/// messages (wrong version, invalid TTL/type/checksum/auth/passwd, interval
/// mismatch, too short/long, ip_tot_len mismatch, expected N VIPs, address
/// not present in advert); a clean lab run prints none of these words.
pub fn packet_error_lines(log: &str) -> Vec<String> {
    const WORDS: &[&str] = &[
        "invalid",
        "mismatch",
        "wrong",
        "error",
        "too short",
        "too long",
        "expect",
        "not present in advert",
        "unknown vrid",
    ];
    log.lines()
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            WORDS.iter().any(|w| l.contains(w))
        })
        .map(str::to_string)
        .collect()
}

/// A `tcpdump -w` capture running in the observer namespace. Readable while
/// it runs; stopped (by PID) when dropped.
pub struct Capture {
    child: Child,
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Capture {
    fn start(ns: &str) -> Result<Capture, String> {
        let dir = tempfile::Builder::new()
            .prefix("vrrp-lab-cap-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let path = dir.path().join("observer.pcap");
        let err_path = dir.path().join("tcpdump.err");
        let err = File::create(&err_path).map_err(|e| e.to_string())?;
        // -U: write each packet as it arrives; -Z root: keep the right to
        // write into our root-owned directory.
        let child = Command::new("ip")
            .args([
                "netns", "exec", ns, "tcpdump", "-i", "eth0", "-U", "-n", "-s", "512", "-Z",
                "root", "-w",
            ])
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .map_err(|e| format!("spawn tcpdump: {e}"))?;
        let mut cap = Capture {
            child,
            path,
            _dir: dir,
        };
        poll_until(
            Duration::from_secs(5),
            "tcpdump to start listening",
            || {
                fs::read_to_string(&err_path)
                    .map(|s| s.contains("listening on"))
                    .unwrap_or(false)
            },
            || fs::read_to_string(&err_path).unwrap_or_default(),
        )
        .inspect_err(|_| {
            let _ = cap.child.kill();
            let _ = cap.child.wait();
        })?;
        Ok(cap)
    }

    /// Every frame captured so far.
    pub fn frames(&self) -> Vec<Frame> {
        fs::read(&self.path)
            .map_err(|e| e.to_string())
            .and_then(|b| pcap::parse(&b))
            .unwrap_or_else(|e| panic!("reading the capture: {e}"))
    }

    /// Wait until some captured frame satisfies `pred`; that frame.
    pub fn wait_frame(
        &self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&Frame) -> bool,
    ) -> Result<Frame, String> {
        let mut found = None;
        poll_until(
            timeout,
            what,
            || {
                found = self.frames().into_iter().find(|f| pred(f));
                found.is_some()
            },
            || self.summary(),
        )?;
        Ok(found.expect("found"))
    }

    /// A one-line-per-frame description of the VRRP-relevant frames, for
    /// failure messages.
    pub fn summary(&self) -> String {
        let mut s = String::from("--- observer capture ---\n");
        for f in self.frames() {
            if f.kind != pcap::Kind::Other {
                let _ = writeln!(
                    s,
                    "{:.3} {} {:?}",
                    f.ts.as_secs_f64(),
                    pcap::mac_string(&f.src_mac),
                    f.kind
                );
            }
        }
        s
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        // SIGTERM lets tcpdump flush; -U already wrote every packet, so a
        // SIGKILL after a short grace period loses nothing.
        let _ = kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(POLL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
