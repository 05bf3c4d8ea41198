//! A uniquely named network namespace holding `eth0 eth1 bond0 team0` (veth
//! pairs whose peers `p-eth0`… stay inside too) and `lo`, all up.
//!
//! Interface existence decides keepalived's `-t` verdict ("interface … doesn't
//! exist" is fatal), so both implementations must see the same, known set, and
//! never the build host's own interfaces. The namespace is deleted by name
//! when the guard drops, including during a panic's unwinding.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The interfaces every test namespace has (besides `lo`).
pub const INTERFACES: &[&str] = &["eth0", "eth1", "bond0", "team0"];

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Whether the root-only tests can run here; the reason when they cannot.
pub fn unavailable(needs_keepalived: bool) -> Option<String> {
    if !nix::unistd::geteuid().is_root() {
        return Some("not running as root".into());
    }
    if !Path::new("/usr/sbin/ip").exists() && !Path::new("/sbin/ip").exists() {
        return Some("iproute2 (`ip`) is not installed".into());
    }
    if needs_keepalived && !Path::new("/usr/sbin/keepalived").exists() {
        return Some("/usr/sbin/keepalived is not installed".into());
    }
    None
}

#[derive(Debug)]
pub struct Netns {
    pub name: String,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("ip {args:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {args:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Netns {
    /// Create `PREFIX-PID-N` with the standard interfaces.
    pub fn new(prefix: &str) -> Result<Netns, String> {
        let name = format!(
            "{prefix}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        ip(&["netns", "add", &name])?;
        // From here on the guard owns the namespace: an error below drops it.
        let ns = Netns { name };
        ns.ip(&["link", "set", "lo", "up"])?;
        for ifname in INTERFACES {
            let peer = format!("p-{ifname}");
            ns.ip(&["link", "add", ifname, "type", "veth", "peer", "name", &peer])?;
            ns.ip(&["link", "set", ifname, "up"])?;
            ns.ip(&["link", "set", &peer, "up"])?;
        }
        Ok(ns)
    }

    /// `ip -n NAME ARGS…`
    pub fn ip(&self, args: &[&str]) -> Result<(), String> {
        let mut v = vec!["-n", self.name.as_str()];
        v.extend_from_slice(args);
        ip(&v)
    }

    /// A command that runs `program` inside the namespace.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name, program]);
        c
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        if let Err(e) = ip(&["netns", "del", &self.name]) {
            eprintln!(
                "warning: could not delete network namespace {}: {e}",
                self.name
            );
        }
    }
}
