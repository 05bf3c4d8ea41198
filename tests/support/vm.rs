//! Boot the IPVS qemu guest (`tests/ipvs_vm/run-in-vm.sh`) with the calling
//! test binary inside, and run one of its tests there.
//!
//! The build host's kernel has no IPVS, so a test file has a host half that
//! calls [`run_guest_test`] and a guest half that only runs when
//! [`in_guest`] is true. One boot per test binary keeps CI time down: the
//! guest half should hold every case that needs the kernel.

use std::process::Command;
use std::time::Instant;

/// Set (to `1`) in the guest's environment for the test that runs there.
pub const GUEST_ENV: &str = "IPVS_VM_GUEST";

/// Debian's keepalived 2.2.7, which the guest tests run beside ours.
pub const REFERENCE: &str = "/usr/sbin/keepalived";

/// The binaries to copy into the guest: `ours` as /vm/bin/keepalived and,
/// when installed, [`REFERENCE`] as /vm/bin/keepalived-2.2.7; without it,
/// says loudly that `half` is skipped. The flag: the reference is there.
pub fn guest_bins(ours: &str, half: &str) -> (Vec<String>, bool) {
    let mut bins = vec![format!("{ours}:/vm/bin/keepalived")];
    let present = std::path::Path::new(REFERENCE).exists();
    if present {
        bins.push(format!("{REFERENCE}:/vm/bin/keepalived-2.2.7"));
    } else {
        eprintln!("SKIPPED: {half}: no {REFERENCE} (Debian's keepalived 2.2.7)");
    }
    (bins, present)
}

/// True inside the guest (the host half must then do nothing).
pub fn in_guest() -> bool {
    std::env::var_os(GUEST_ENV).is_some()
}

/// What the guest printed, or why there was no guest.
pub enum GuestRun {
    /// The VM ran; stdout is the guest test's output, exit its status.
    Ran { stdout: String, code: Option<i32> },
    /// No VM here (the harness said 77, or we are not root): already
    /// reported with a loud "SKIPPED" line.
    Skipped,
}

/// Boots the guest with this test binary at `/vm/bin/<name>` plus `bins`
/// (`HOST_PATH:/vm/bin/NAME` specs, as `run-in-vm.sh -b` takes them), and
/// runs `<name> --exact <guest_tests...> --nocapture --test-threads=1` there with
/// [`GUEST_ENV`] set. `extra` goes to run-in-vm.sh before `-c` (`--mem`,
/// `--timeout`, ...; the default timeout is 300 s). Output and timing are
/// echoed to stderr so a failing run shows what the guest saw.
pub fn run_guest_test(
    name: &str,
    guest_tests: &[&str],
    bins: &[String],
    extra: &[&str],
) -> GuestRun {
    let guest_test = guest_tests.join(" ");
    if !nix::unistd::geteuid().is_root() {
        eprintln!("SKIPPED: the IPVS VM test {name} needs root (kernel download into the cache)");
        return GuestRun::Skipped;
    }
    let exe = std::env::current_exe().expect("test binary path");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ipvs_vm/run-in-vm.sh");
    let t0 = Instant::now();
    let mut cmd = Command::new(script);
    cmd.arg("-b")
        .arg(format!("{}:/vm/bin/{name}", exe.display()));
    for b in bins {
        cmd.arg("-b").arg(b);
    }
    if !extra.contains(&"--timeout") {
        cmd.args(["--timeout", "300"]);
    }
    cmd.args(extra);
    cmd.arg("-c").arg(format!(
        "{GUEST_ENV}=1 {name} --exact {guest_test} --nocapture --test-threads=1"
    ));
    let out = cmd.output().expect("run tests/ipvs_vm/run-in-vm.sh");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(77) {
        eprintln!("SKIPPED: no IPVS VM on this machine: {}", stderr.trim());
        return GuestRun::Skipped;
    }
    eprintln!(
        "{stdout}\n{stderr}\n[{name} {guest_test}] {:.1?} wall",
        t0.elapsed()
    );
    GuestRun::Ran {
        stdout,
        code: out.status.code(),
    }
}

/// [`run_guest_test`], then the usual assertions: exit 0, the guest test
/// printed every one of `markers` (no vacuous pass from a filter matching
/// nothing), and exactly `guest_tests.len()` tests passed. Returns the guest's stdout (empty when skipped).
pub fn assert_guest_test_passes(
    name: &str,
    guest_tests: &[&str],
    bins: &[String],
    extra: &[&str],
    markers: &[&str],
) -> String {
    let guest_test = guest_tests.join(" ");
    match run_guest_test(name, guest_tests, bins, extra) {
        GuestRun::Skipped => String::new(),
        GuestRun::Ran { stdout, code } => {
            assert_eq!(code, Some(0), "guest suite {guest_test} failed");
            for m in markers {
                assert!(stdout.contains(m), "guest suite {guest_test}: no {m:?}");
            }
            let ok = format!("test result: ok. {} passed", guest_tests.len());
            assert!(stdout.contains(&ok), "guest suite {guest_test}: no {ok:?}");
            stdout
        }
    }
}

/// Guest side: runs `cmd` with `sh -c`, which must succeed; its stdout.
pub fn sh(cmd: &str) -> String {
    let o = std::process::Command::new("sh")
        .args(["-c", cmd])
        .output()
        .expect("sh");
    assert!(o.status.success(), "{cmd}: {o:?}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Guest side: a real server's listener on `addr` (all the guest tests'
/// servers are plain TCP listeners; the kernel completes the handshakes).
pub fn listen(addr: &str) -> std::net::TcpListener {
    std::net::TcpListener::bind(addr).unwrap_or_else(|e| panic!("listen {addr}: {e}"))
}

/// Guest side: polls `ok` every 100 ms until it holds, failing with
/// `show()` after `limit`; prints how long it took.
pub fn wait_for(
    what: &str,
    limit: std::time::Duration,
    mut ok: impl FnMut() -> bool,
    show: impl Fn() -> String,
) {
    let t0 = std::time::Instant::now();
    while !ok() {
        assert!(
            t0.elapsed() < limit,
            "{what}: not within {limit:?}: {}",
            show()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    eprintln!("[guest] {what}: {:.1?}", t0.elapsed());
}

/// Guest side: a keepalived under test (ours or Debian's 2.2.7), started
/// the one way every IPVS guest test starts it. A spawned child rather than
/// a shell snippet because the guest halves drive the daemon from Rust:
/// they signal it (SIGHUP, SIGTERM), time its exit and must kill it if the
/// test panics, so no daemon outlives a failed case and fights the next one
/// over the IPVS table.
pub struct GuestDaemon {
    /// The daemon's parent process (signal it, `try_wait` it).
    pub child: std::process::Child,
    log: String,
}

impl GuestDaemon {
    /// Runs `bin -n -l -D <mode> -f <conf>` (`mode`: `-C`, `-P`, ...) with
    /// its three pid files at `/tmp/<tag>.pid`, `/tmp/<tag>-c.pid` and
    /// `/tmp/<tag>-v.pid` (so two daemons, or a daemon and a leftover, never
    /// share one), stdin closed, stdout and stderr in `/tmp/<tag>.log`.
    pub fn start(bin: &str, tag: &str, mode: &str, conf: &str) -> GuestDaemon {
        let log = format!("/tmp/{tag}.log");
        let f = std::fs::File::create(&log).unwrap_or_else(|e| panic!("{log}: {e}"));
        let child = Command::new(bin)
            .args(["-n", "-l", "-D", mode, "-f", conf])
            .args(["-p", &format!("/tmp/{tag}.pid")])
            .args(["-c", &format!("/tmp/{tag}-c.pid")])
            .args(["-r", &format!("/tmp/{tag}-v.pid")])
            .stdin(std::process::Stdio::null())
            .stdout(f.try_clone().expect("dup log file"))
            .stderr(f)
            .spawn()
            .unwrap_or_else(|e| panic!("start {bin}: {e}"));
        GuestDaemon { child, log }
    }

    /// What the daemon wrote so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends `sig` to the daemon's parent process.
    pub fn signal(&self, sig: nix::sys::signal::Signal) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.child.id() as i32), sig)
            .unwrap_or_else(|e| panic!("{sig} to the daemon: {e}"));
    }

    /// SIGTERM and a wait of at most `limit` for the exit (failing with the
    /// log when it does not come); the caller judges the status.
    pub fn stop(&mut self, limit: std::time::Duration) -> std::process::ExitStatus {
        match super::run::terminate(&mut self.child, limit) {
            Some(s) => s,
            None => panic!("daemon did not stop within {limit:?}:\n{}", self.log()),
        }
    }
}

impl Drop for GuestDaemon {
    /// Kills the daemon; on a failing test, shows its log first (the
    /// guest's output is all the host half gets to see).
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("[guest] {} at the failure:\n{}", self.log, self.log());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
