//! The Debian package (`cargo deb`, metadata in Cargo.toml's
//! `[package.metadata.deb]`) and the man pages in `packaging/man/`.
//!
//! The package is built from the debug binary this test run already has
//! (`--no-build`, with a throw-away target directory whose `release/`
//! holds a hard link to it), so CI pays no release build: about ten
//! seconds with `--strip --fast`. Without cargo-deb (`cargo install
//! cargo-deb --locked`) or dpkg-deb those tests print SKIPPED.
//!
//! The unit itself is checked by `systemd-analyze verify` in
//! tests/daemon_lifecycle.rs (`packaging_unit_verifies`); here it is only
//! checked to be shipped unchanged.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::run::{Ran, run};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_keepalived");

fn have(tool: &str) -> bool {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .any(|d| d.join(tool).exists())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn ran(cmd: Command, secs: u64) -> Ran {
    let what = format!("{cmd:?}");
    let r = run(cmd, Duration::from_secs(secs)).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        r.code == 0 && !r.timed_out,
        "{what} failed ({}{}):\n{}",
        r.code,
        if r.timed_out { ", timed out" } else { "" },
        r.output
    );
    r
}

/// Why the package cannot be built here, if it cannot.
fn deb_unavailable() -> Option<String> {
    if !have("dpkg-deb") {
        return Some("dpkg-deb is not installed".into());
    }
    let mut cmd = Command::new(cargo());
    cmd.args(["deb", "--version"]);
    match run(cmd, Duration::from_secs(30)) {
        Ok(r) if r.code == 0 => None,
        _ => Some("cargo-deb is not installed (cargo install cargo-deb --locked)".into()),
    }
}

/// A built package in a temporary directory (removed on drop).
struct Deb {
    dir: tempfile::TempDir,
}

impl Deb {
    fn path(&self) -> PathBuf {
        self.dir.path().join("keepalived.deb")
    }

    /// `cargo deb --no-build` over the test binary.
    fn build() -> Deb {
        let bin = Path::new(BIN);
        // Next to the binary, so that a hard link (not a 100 MB copy) does.
        let dir = tempfile::Builder::new()
            .prefix("deb-test-")
            .tempdir_in(bin.parent().unwrap())
            .unwrap();
        let release = dir.path().join("release");
        fs::create_dir(&release).unwrap();
        let staged = release.join("keepalived");
        if fs::hard_link(bin, &staged).is_err() {
            fs::copy(bin, &staged).unwrap();
        }
        let deb = Deb { dir };
        let mut cmd = Command::new(cargo());
        cmd.args(["deb", "--no-build", "--strip", "--fast", "--output"])
            .arg(deb.path())
            .env("CARGO_TARGET_DIR", deb.dir.path())
            .current_dir(ROOT);
        ran(cmd, 300);
        deb
    }

    fn dpkg_deb(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("dpkg-deb");
        cmd.args(args).arg(self.path());
        ran(cmd, 60).output
    }

    /// The package's files unpacked into `DIR/root`.
    fn extract(&self) -> PathBuf {
        let root = self.dir.path().join("root");
        let mut cmd = Command::new("dpkg-deb");
        cmd.arg("-x").arg(self.path()).arg(&root);
        ran(cmd, 60);
        root
    }
}

fn gunzip(path: &Path) -> Vec<u8> {
    let out = Command::new("gzip")
        .arg("-dc")
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("gzip -dc {}: {e}", path.display()));
    assert!(out.status.success(), "gzip -dc {}", path.display());
    out.stdout
}

/// One test builds the package once and checks everything about it:
/// building is the expensive part.
#[test]
fn deb_replaces_debian_s_keepalived() {
    if let Some(why) = deb_unavailable() {
        eprintln!("\n*** SKIPPED deb_replaces_debian_s_keepalived: {why} ***\n");
        return;
    }
    let deb = Deb::build();

    // The paths Debian's package uses.
    let listing = deb.dpkg_deb(&["-c"]);
    let entry = |path: &str| {
        listing
            .lines()
            .find(|l| l.ends_with(&format!(" .{path}")))
            .unwrap_or_else(|| panic!("{path} is not in the package:\n{listing}"))
            .to_string()
    };
    assert!(entry("/usr/sbin/keepalived").starts_with("-rwxr-xr-x"));
    for f in [
        "/etc/default/keepalived",
        "/usr/lib/systemd/system/keepalived.service",
        "/usr/share/doc/keepalived/keepalived.conf.sample",
        "/usr/share/doc/keepalived/copyright",
        "/usr/share/man/man8/keepalived.8.gz",
        "/usr/share/man/man5/keepalived.conf.5.gz",
    ] {
        assert!(entry(f).starts_with("-rw-r--r--"), "{f} mode");
    }

    // Control fields: it is "keepalived" and takes the place of Debian's.
    let field = |name: &str| {
        deb.dpkg_deb(&["-f"])
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_string))
    };
    assert_eq!(field("Package").as_deref(), Some("keepalived"));
    for rel in ["Conflicts", "Replaces", "Provides"] {
        assert_eq!(field(rel).as_deref(), Some("keepalived"), "{rel}");
    }
    assert_eq!(field("Section").as_deref(), Some("admin"));
    // Depends from dpkg-shlibdeps: the binary links glibc only.
    let depends = field("Depends").unwrap_or_default();
    assert!(depends.starts_with("libc6 (>= "), "Depends: {depends:?}");
    let version = field("Version").unwrap_or_default();
    assert!(
        version.starts_with(env!("CARGO_PKG_VERSION")),
        "Version: {version:?}"
    );

    // /etc/default/keepalived is a conffile; the unit is enabled and
    // started by the generated maintainer scripts.
    let info = deb.dpkg_deb(&["-I"]);
    assert!(info.contains("conffiles"), "{info}");
    let ctl = deb.dir.path().join("control");
    let mut cmd = Command::new("dpkg-deb");
    cmd.arg("-e").arg(deb.path()).arg(&ctl);
    ran(cmd, 60);
    let conffiles = fs::read_to_string(ctl.join("conffiles")).unwrap();
    assert_eq!(
        conffiles.lines().collect::<Vec<_>>(),
        ["/etc/default/keepalived"]
    );
    let postinst = fs::read_to_string(ctl.join("postinst")).unwrap();
    assert!(
        postinst.contains("deb-systemd-helper enable keepalived.service"),
        "{postinst}"
    );
    assert!(
        postinst.contains("deb-systemd-invoke $_dh_action keepalived.service"),
        "{postinst}"
    );
    let prerm = fs::read_to_string(ctl.join("prerm")).unwrap();
    assert!(prerm.contains("keepalived.service"), "{prerm}");

    // The files are ours, unchanged (man pages gzipped).
    let root = deb.extract();
    let same = |inside: &str, source: &str| {
        assert_eq!(
            fs::read(root.join(inside)).unwrap(),
            fs::read(Path::new(ROOT).join(source)).unwrap(),
            "{inside} differs from {source}"
        );
    };
    same(
        "usr/lib/systemd/system/keepalived.service",
        "packaging/keepalived.service",
    );
    same("etc/default/keepalived", "packaging/default/keepalived");
    same(
        "usr/share/doc/keepalived/keepalived.conf.sample",
        "keepalived.conf.sample",
    );
    for (inside, source) in [
        (
            "usr/share/man/man8/keepalived.8.gz",
            "packaging/man/keepalived.8",
        ),
        (
            "usr/share/man/man5/keepalived.conf.5.gz",
            "packaging/man/keepalived.conf.5",
        ),
    ] {
        assert_eq!(
            gunzip(&root.join(inside)),
            fs::read(Path::new(ROOT).join(source)).unwrap(),
            "{inside}"
        );
    }
    // The packaged (stripped) binary runs.
    let mut cmd = Command::new(root.join("usr/sbin/keepalived"));
    cmd.arg("--version");
    let v = ran(cmd, 30).output;
    assert!(v.starts_with("Keepalived v"), "{v}");
}

const MAN8: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/man/keepalived.8");
const MAN5: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/packaging/man/keepalived.conf.5"
);

/// roff spelling of an option: every '-' escaped.
fn roff(opt: &str) -> String {
    opt.replace('-', "\\-")
}

/// keepalived(8) documents every option `keepalived --help` lists.
#[test]
fn man8_documents_every_option_of_the_help() {
    let page = fs::read_to_string(MAN8).unwrap();
    let mut cmd = Command::new(BIN);
    cmd.arg("--help");
    let help = ran(cmd, 30).output;
    let mut seen = 0;
    for word in help.split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == '=') {
        let is_long = word.starts_with("--") && word.len() > 2;
        let is_short = word.len() == 2 && word.starts_with('-') && word != "--";
        if is_long || is_short {
            seen += 1;
            assert!(
                page.contains(&roff(word)),
                "keepalived.8 does not mention {word}"
            );
        }
    }
    assert!(seen > 50, "only {seen} options found in --help:\n{help}");
}

/// Both pages format without a warning (groff -ww), when groff is here.
#[test]
fn man_pages_format_cleanly() {
    if !have("groff") {
        eprintln!("\n*** SKIPPED man_pages_format_cleanly: groff is not installed ***\n");
        return;
    }
    for page in [MAN8, MAN5] {
        let mut cmd = Command::new("groff");
        cmd.args(["-man", "-ww", "-z", page]);
        let r = ran(cmd, 30);
        assert!(
            r.output.is_empty(),
            "groff warns about {page}:\n{}",
            r.output
        );
        if have("man") {
            // The formatted text to /dev/null: only the warnings remain.
            let mut cmd = Command::new("sh");
            cmd.args(["-c", "man --warnings -l \"$1\" >/dev/null", "sh", page])
                .env("MANWIDTH", "80");
            let r = ran(cmd, 30);
            assert!(
                r.output.is_empty(),
                "man --warnings about {page}:\n{}",
                r.output
            );
        }
    }
}

/// keepalived.conf(5) names every top-level block and the extensions.
#[test]
fn man5_names_the_blocks_and_extensions() {
    let page = fs::read_to_string(MAN5).unwrap();
    for kw in [
        "global_defs",
        "vrrp_instance",
        "vrrp_sync_group",
        "vrrp_script",
        "virtual_server",
        "virtual_server_group",
        "static_ipaddress",
        "include",
        "process_name",
        "vrrp_process_name",
        "checker_process_name",
        "process_names",
        "smtp_auth_user",
        "smtp_auth_pass",
        "smtp_tls",
    ] {
        assert!(page.contains(kw), "keepalived.conf.5 does not mention {kw}");
    }
    assert!(page.contains(".SH EXTENSIONS"));
}
