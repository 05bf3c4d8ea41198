//! The binary's command line, end to end: exit codes, which stream each text
//! goes to, and — when Debian's keepalived 2.2.7 is installed — byte-for-byte
//! agreement with it on every invocation that stops before starting a daemon.

use std::path::Path;
use std::process::{Command, Output};

const OURS: &str = env!("CARGO_BIN_EXE_keepalived");
const THEIRS: &str = "/usr/sbin/keepalived";

fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin).args(args).output().expect("spawn")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn help_goes_to_stderr_and_exits_0() {
    let out = run(OURS, &["-h"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).starts_with(&format!("Usage: {OURS} [OPTION...]\n")));
}

#[test]
fn version_goes_to_stderr_and_exits_0() {
    let out = run(OURS, &["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!(
            "Keepalived v{} (rust)\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{err}"
    );
}

#[test]
fn signum_numbers() {
    for (name, num) in [
        ("STOP", "15"),
        ("RELOAD", "1"),
        ("DATA", "10"),
        ("STATS", "12"),
        ("STATS_CLEAR", "63"),
        ("JSON", "36"),
    ] {
        let out = run(OURS, &[&format!("--signum={name}")]);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(text(&out.stdout), format!("{num}\n"));
    }
    let out = run(OURS, &["--signum=TDUMP"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "Unknown sigfunc TDUMP\n");
}

#[test]
fn daemon_without_config_exits_6_and_genhash_without_url_prints_usage() {
    // keepalived 2.2.7: "Config files missing '/nonexistent'." and exit 6
    // (KEEPALIVED_EXIT_MISSING_CONFIG); -G keeps the test off syslog.
    let out = run(OURS, &["-n", "-l", "-G", "-f", "/nonexistent"]);
    assert_eq!(out.status.code(), Some(6));
    assert!(text(&out.stderr).contains("Config files missing '/nonexistent'."));
    // genhash without its mandatory port and url: usage, exit 1 (as 2.2.7).
    let out = run(OURS, &["-T", "-s", "192.0.2.1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("Usage: "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn unopenable_report_file_exits_1() {
    let out = run(
        OURS,
        &[
            "--config-test=/nonexistent-dir/report",
            "-f",
            "/nonexistent",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .starts_with("Unable to open config-test log file /nonexistent-dir/report 2 - "),
        "{}",
        text(&out.stderr)
    );
}

/// Invocations on which keepalived 2.2.7 exits during option parsing (help,
/// signum, bad options), so running it is harmless.
const SAME_AS_2_2_7: &[&[&str]] = &[
    &["-h"],
    &["--help"],
    &["--he"],
    &["-hv"],
    &["-Z"],
    &["-Z", "-h"],
    &["-PZ"],
    &["--foo"],
    &["--foo=bar"],
    &["--help=x"],
    &["-f"],
    &["-S"],
    &["-i"],
    &["--use-file="],
    &["--con"],
    &["--config"],
    &["--al"],
    &["--no"],
    &["--log-f=3"],
    &["--dont-re", "-h"],
    &["-g"],
    &["--log-file=x"],
    &["--flush-log-file"],
    &["--ignore-sigint", "-Z"],
    &["-S", "bogus", "-Z"],
    &["-u", "abc", "-Z"],
    &["x", "y", "-Z"],
    &["--signum=STOP"],
    &["--signum=RELOAD"],
    &["--signum=DATA"],
    &["--signum=STATS"],
    &["--signum=STATS_CLEAR"],
    &["--signum=JSON"],
    &["--signum", "JSON"],
    &["--sig=STOP"],
    &["--signum=TDUMP"],
    &["--signum=stop"],
    &["-t", "-f", "x", "--signum=STOP"],
];

/// Why some of the invocations above must differ, in one place:
/// - `--ignore-sigint` is keepalived 2.4's; we accept it, 2.2.7 does not.
const KNOWN_DIFFERENT: &[&[&str]] = &[&["--ignore-sigint", "-Z"]];

#[test]
fn agrees_with_keepalived_2_2_7() {
    if !Path::new(THEIRS).exists() {
        eprintln!("SKIPPED: needs Debian keepalived 2.2.7 at {THEIRS}");
        return;
    }
    let mut failures = Vec::new();
    for args in SAME_AS_2_2_7 {
        let ours = run(OURS, args);
        let theirs = run(THEIRS, args);
        let norm = |o: &Output, prog: &str| {
            (
                o.status.code(),
                text(&o.stdout),
                text(&o.stderr).replace(prog, "PROG"),
            )
        };
        let (a, b) = (norm(&ours, OURS), norm(&theirs, THEIRS));
        let same = a == b;
        if same == KNOWN_DIFFERENT.contains(args) {
            failures.push(format!("{args:?}:\n  ours:   {a:?}\n  theirs: {b:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "disagreements with keepalived 2.2.7:\n{}",
        failures.join("\n")
    );
}
