//! Differential test of `keepalived -t`: ours against Debian's keepalived
//! 2.2.7, on every configuration we can find (the shared corpus, the samples
//! Debian ships, and our own tricky cases), inside a throw-away network
//! namespace so both see the same interfaces.
//!
//! For each file both must give the same exit code, and every line keepalived
//! names in a message must be named by one of ours: users rely on the verdict
//! in scripts, and on the line numbers to find their mistakes. Wording is not
//! compared here (ours adds columns and severities).
//!
//! Needs root and /usr/sbin/keepalived; otherwise it says loudly that it
//! skipped. Set `KEEPALIVED_DIFF_OURS=/path/to/program` to put something else
//! in place of our binary: `tests/support/keepalived-as-ours.sh` wraps
//! keepalived itself in our output format, which checks the harness (all files
//! then agree except those in [`KNOWN`]).

mod support;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use support::netns::{self, Netns};
use support::run::{Ran, run};

const KEEPALIVED: &str = "/usr/sbin/keepalived";
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/config/cases");
const DEBIAN_SAMPLES: &str = "/usr/share/doc/keepalived/samples";
const TIMEOUT: Duration = Duration::from_secs(10);
const THREADS: usize = 2;

/// Files on which we deliberately differ from keepalived 2.2.7: the exit code
/// ours must give instead, and why.
struct Known {
    file: &'static str,
    ours_exit: i32,
    reason: &'static str,
}

const KNOWN: &[Known] = &[Known {
    file: "alterway__docker-keepalived__1.2-dockerinside-1.10_keepalived_10_keepalived.conf",
    ours_exit: 5,
    reason: "2.2.7 segfaults (exit 139) on the unterminated quote in a ${VAR:-default} \
             template; ours reports the quote error cleanly",
}];

/// One configuration to compare.
#[derive(Debug, Clone)]
struct Case {
    /// Shown in the summary (path relative to its collection).
    label: String,
    /// Directory both programs run in, and the `-f` argument.
    dir: PathBuf,
    file: String,
}

/// A line a message names: `None` file when keepalived left it out.
type Named = (Option<String>, u32);

fn basename(s: &str) -> String {
    Path::new(s)
        .file_name()
        .map_or_else(|| s.to_owned(), |n| n.to_string_lossy().into_owned())
}

/// Lines keepalived names: messages starting `(Line N) ` or `(FILE: Line N) `.
fn keepalived_named(output: &str) -> BTreeSet<Named> {
    let mut set = BTreeSet::new();
    for line in output.lines() {
        let Some(rest) = line.strip_prefix('(') else {
            continue;
        };
        let Some((inside, _)) = rest.split_once(") ") else {
            continue;
        };
        let (file, num) = match inside.rsplit_once(": Line ") {
            Some((f, n)) => (Some(basename(f)), n),
            None => match inside.strip_prefix("Line ") {
                Some(n) => (None, n),
                None => continue,
            },
        };
        if let Ok(n) = num.parse() {
            set.insert((file, n));
        }
    }
    set
}

/// Lines ours names: `FILE:LINE:COL: SEVERITY: MESSAGE`.
fn ours_named(output: &str) -> BTreeSet<(String, u32)> {
    let mut set = BTreeSet::new();
    for line in output.lines() {
        let Some((head, _)) = line.split_once(": ") else {
            continue;
        };
        let mut parts = head.rsplitn(3, ':');
        let (Some(col), Some(num), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if col.parse::<u32>().is_err() {
            continue;
        }
        if let Ok(n) = num.parse() {
            set.insert((basename(file), n));
        }
    }
    set
}

/// keepalived's named lines that ours does not name.
fn missing_lines(theirs: &BTreeSet<Named>, ours: &BTreeSet<(String, u32)>) -> Vec<Named> {
    theirs
        .iter()
        .filter(|(file, line)| match file {
            Some(f) => !ours.contains(&(f.clone(), *line)),
            None => !ours.iter().any(|(_, l)| l == line),
        })
        .cloned()
        .collect()
}

fn fmt_named(set: &[Named]) -> String {
    set.iter()
        .map(|(f, l)| match f {
            Some(f) => format!("{f}:{l}"),
            None => format!("{l}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn files_in(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if recursive {
                files_in(&p, true, out);
            }
        } else {
            out.push(p);
        }
    }
}

fn case_for(path: &Path, root: &Path) -> Case {
    Case {
        label: path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string(),
        dir: path.parent().expect("file has a directory").to_path_buf(),
        file: basename(&path.to_string_lossy()),
    }
}

/// Every configuration to compare. Gzipped Debian samples are unpacked into
/// `tmp`.
fn collect_cases(tmp: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let corpus = Path::new(CORPUS);
    let mut files = Vec::new();
    files_in(corpus, true, &mut files);
    for p in files {
        let name = basename(&p.to_string_lossy());
        if name.ends_with(".tsv") || name == "keepalived.service.d.auth_hmac.conf" {
            continue;
        }
        cases.push(case_for(&p, corpus));
    }
    let mut files = Vec::new();
    files_in(Path::new(DEBIAN_SAMPLES), false, &mut files);
    for p in files {
        let name = basename(&p.to_string_lossy());
        let plain = name.strip_suffix(".gz").unwrap_or(&name).to_owned();
        if !plain.starts_with("keepalived.conf") {
            continue; // scripts such as sample_notify_fifo.sh
        }
        if name.ends_with(".gz") {
            let out = std::process::Command::new("gzip")
                .arg("-dc")
                .arg(&p)
                .output()
                .expect("gzip");
            assert!(out.status.success(), "gzip -dc {}", p.display());
            let dest = tmp.join(&plain);
            std::fs::write(&dest, out.stdout).expect("write unpacked sample");
            cases.push(Case {
                label: format!("debian-samples/{name}"),
                dir: tmp.into(),
                file: plain,
            });
        } else {
            let mut c = case_for(&p, Path::new(DEBIAN_SAMPLES));
            c.label = format!("debian-samples/{}", c.label);
            cases.push(c);
        }
    }
    let mut files = Vec::new();
    files_in(Path::new(CASES), false, &mut files);
    for p in files {
        if p.extension().is_some_and(|e| e == "conf") {
            let mut c = case_for(&p, Path::new(CASES));
            c.label = format!("cases/{}", c.label);
            cases.push(c);
        }
    }
    cases
}

struct Outcome {
    case: Case,
    theirs: Ran,
    ours: Ran,
    missing: Vec<Named>,
    expected_ours: i32,
    known: Option<&'static str>,
}

impl Outcome {
    fn agrees(&self) -> bool {
        !self.theirs.timed_out
            && !self.ours.timed_out
            && self.ours.code == self.expected_ours
            && self.missing.is_empty()
    }
}

fn ours_program() -> String {
    std::env::var("KEEPALIVED_DIFF_OURS")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_keepalived").to_owned())
}

fn compare(ns: &Netns, case: &Case) -> Outcome {
    let go = |prog: &str| {
        let mut cmd = ns.command(prog);
        cmd.args(["-t", "-f", &case.file]).current_dir(&case.dir);
        run(cmd, TIMEOUT).unwrap_or_else(|e| panic!("{}: {e}", case.label))
    };
    let theirs = go(KEEPALIVED);
    let ours = go(&ours_program());
    let missing = missing_lines(&keepalived_named(&theirs.output), &ours_named(&ours.output));
    let known = KNOWN.iter().find(|k| k.file == case.file);
    Outcome {
        case: case.clone(),
        expected_ours: known.map_or(theirs.code, |k| k.ours_exit),
        known: known.map(|k| k.reason),
        theirs,
        ours,
        missing,
    }
}

fn summary(outcomes: &[Outcome]) -> String {
    let agree = outcomes.iter().filter(|o| o.agrees()).count();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "config differential vs keepalived 2.2.7: {agree}/{} agree",
        outcomes.len()
    );
    let _ = writeln!(s, "known differences:");
    for k in KNOWN {
        let _ = writeln!(s, "  {}: ours exits {} — {}", k.file, k.ours_exit, k.reason);
    }
    let _ = writeln!(
        s,
        "disagreements (file | keepalived exit [lines it names] | ours exit [lines ours names] missing [its lines ours does not name]):"
    );
    for o in outcomes.iter().filter(|o| !o.agrees()) {
        let theirs_lines: Vec<Named> = keepalived_named(&o.theirs.output).into_iter().collect();
        let ours_lines: Vec<String> = ours_named(&o.ours.output)
            .into_iter()
            .map(|(f, l)| format!("{f}:{l}"))
            .collect();
        let _ = writeln!(
            s,
            "  {} | {}{}{} [{}] | {}{} [{}] missing [{}]",
            o.case.label,
            o.theirs.code,
            if o.theirs.timed_out { " (timeout)" } else { "" },
            if o.known.is_some() {
                format!(" (ours should be {})", o.expected_ours)
            } else {
                String::new()
            },
            fmt_named(&theirs_lines),
            o.ours.code,
            if o.ours.timed_out { " (timeout)" } else { "" },
            ours_lines.join(" "),
            fmt_named(&o.missing),
        );
        // A crash of ours names no lines; say why instead.
        if let Some(msg) = o
            .ours
            .output
            .lines()
            .skip_while(|l| !l.contains("panicked at"))
            .nth(1)
        {
            let _ = writeln!(s, "      ours panicked: {msg}");
        }
    }
    s
}

fn summary_path() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("differential-summary.txt")
}

#[test]
fn config_test_agrees_with_keepalived_2_2_7() {
    if let Some(why) = netns::unavailable(true) {
        eprintln!("\n*** SKIPPED: needs root and Debian keepalived 2.2.7 ({why}) ***\n");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let cases = collect_cases(tmp.path());
    assert!(
        cases.len() > 200,
        "found only {} configurations; is ../shared/corpus there?",
        cases.len()
    );
    let ns = Netns::new("kadiff").expect("create network namespace");

    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let o = compare(&ns, case);
                    results.lock().unwrap().push((i, o));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let outcomes: Vec<Outcome> = results.into_iter().map(|(_, o)| o).collect();

    let text = summary(&outcomes);
    println!("{text}");
    let path = summary_path();
    std::fs::write(&path, &text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    let bad = outcomes.iter().filter(|o| !o.agrees()).count();
    assert_eq!(
        bad,
        0,
        "{bad} configuration(s) disagree; see {}",
        path.display()
    );
}

/// Every shipped example, and `keepalived.conf.sample`, is clean for 2.2.7:
/// exit 0 and not a single message.
#[test]
fn examples_are_clean_for_keepalived_2_2_7() {
    if let Some(why) = netns::unavailable(true) {
        eprintln!("\n*** SKIPPED: needs root and Debian keepalived 2.2.7 ({why}) ***\n");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    files_in(&root.join("examples"), true, &mut files);
    files.retain(|p| p.extension().is_some_and(|e| e == "conf"));
    files.push(root.join("keepalived.conf.sample"));
    assert!(files.len() >= 10, "expected the examples, found {files:?}");
    let ns = Netns::new("kaex").expect("create network namespace");
    let mut failures = Vec::new();
    for p in &files {
        let case = case_for(p, root);
        let mut cmd = ns.command(KEEPALIVED);
        cmd.args(["-t", "-f", &case.file]).current_dir(&case.dir);
        let r = run(cmd, TIMEOUT).expect("run keepalived");
        if r.code != 0 || r.timed_out || !r.output.trim().is_empty() {
            failures.push(format!("{}: exit {}\n{}", case.label, r.code, r.output));
        }
    }
    assert!(
        failures.is_empty(),
        "examples not clean:\n{}",
        failures.join("\n")
    );
}

#[test]
fn parses_both_output_forms() {
    let k = keepalived_named(
        "(Line 14) number '0' outside range\n(a/b.conf: Line 3) Unknown keyword 'x'\nSECURITY VIOLATION\n(VI_1) Strict mode\n",
    );
    assert_eq!(
        k.into_iter().collect::<Vec<_>>(),
        [(None, 14), (Some("b.conf".into()), 3)]
    );
    let o = ours_named(
        "b.conf:3:5: error: Unknown keyword 'x'\n   x\n    ^\nkeepalived: warning: y\n/x/c.conf:14:1: error: z\n",
    );
    assert_eq!(
        o.iter().cloned().collect::<Vec<_>>(),
        [("b.conf".into(), 3), ("c.conf".into(), 14)]
    );
    assert_eq!(
        missing_lines(&keepalived_named("(Line 14) a\n(b.conf: Line 4) b\n"), &o),
        [(Some("b.conf".into()), 4)]
    );
}

/// Our `-d` output is canonical keepalived.conf: keepalived 2.2.7 itself must
/// accept the dump of every configuration it accepts (corpus and examples).
#[test]
fn dump_of_clean_configurations_is_clean_for_keepalived_2_2_7() {
    if let Some(why) = netns::unavailable(true) {
        eprintln!("\n*** SKIPPED: needs root and Debian keepalived 2.2.7 ({why}) ***\n");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    files_in(&Path::new(CORPUS).join("wild"), false, &mut files);
    files_in(&root.join("examples"), true, &mut files);
    files.retain(|p| {
        let s = p.to_string_lossy();
        !s.ends_with(".tsv") && !s.ends_with(".rs")
    });
    let ns = Netns::new("kadump").expect("create network namespace");
    let tmp = tempfile::tempdir().expect("tempdir");
    let dumped = tmp.path().join("dump.conf");
    let (mut clean, mut failures) = (0, Vec::new());
    for p in &files {
        let case = case_for(p, root);
        let mut cmd = ns.command(KEEPALIVED);
        cmd.args(["-t", "-f", &case.file]).current_dir(&case.dir);
        if run(cmd, TIMEOUT).expect("run keepalived").code != 0 {
            continue;
        }
        clean += 1;
        let mut ours = ns.command(&ours_program());
        ours.args(["-t", "-d", "-f", &case.file])
            .current_dir(&case.dir);
        let out = ours.output().expect("run ours");
        std::fs::write(&dumped, &out.stdout).expect("write dump");
        let mut cmd = ns.command(KEEPALIVED);
        cmd.args(["-t", "-f"]).arg(&dumped);
        let r = run(cmd, TIMEOUT).expect("run keepalived on the dump");
        if r.code != 0 {
            failures.push(format!("{}: exit {}\n{}", case.label, r.code, r.output));
        }
    }
    eprintln!("dumps of {clean} clean configurations checked with keepalived 2.2.7");
    assert!(clean >= 20, "expected clean configurations, found {clean}");
    assert!(
        failures.is_empty(),
        "dumps keepalived rejects:\n{}",
        failures.join("\n")
    );
}
