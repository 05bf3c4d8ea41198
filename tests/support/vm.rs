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
