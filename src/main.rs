//! The `keepalived` binary. Thin on purpose: parse the command line
//! (`keepalived::cli`), then dispatch: the configuration test (`-t`), or the
//! daemon (the parent, or a child re-executed with its role), or genhash
//! (`-T`).

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::process::ExitCode;

use anyhow::{Context, Result};
use keepalived::checker_child::{self, CheckerOptions};
use keepalived::cli::{self, Action, ConfigTest, Options, Stream};
use keepalived::config::diag;
use keepalived::config::lexer::{IncludeChecks, LexOptions};
use keepalived::config::model::{Config, NamedProcess};
use keepalived::config::source::Host;
use keepalived::config::{self, LoadOptions, report};
use keepalived::daemon::pidfile::{self, PidFile, PidFileError, PidPaths};
use keepalived::log::{self, LogSettings, Process};
use keepalived::messages;
use keepalived::parent::{self, ParentOptions, child::ChildKind};
use keepalived::sys::host::{FsSource, LiveHost};
use keepalived::vrrp_child::{self, ChildOptions};

/// What `-v` lists as working today, so nobody mistakes this build for a
/// complete daemon.
const SUPPORTED: &str = "\
Supported in this build:
  VRRP daemon          v2/v3, IPv4/IPv6, multicast/unicast, PASS/AH, VIPs, GARP/NA,
                       use_vmac, virtual/static routes and rules, track_script,
                       track_interface, track_file, track_process, sync groups,
                       notify scripts and FIFOs, SMTP alerts, reload, dumps
  checker daemon       IPVS over generic netlink; TCP_CHECK, HTTP_GET, SSL_GET,
                       MISC_CHECK, SMTP_CHECK, DNS_CHECK, UDP_CHECK, PING_CHECK,
                       FILE_CHECK; sorry servers, quorum, omega, ha_suspend,
                       lvs_flush, lvs_timeouts, lvs_sync_daemon, SMTP alerts
  -t, --config-test    configuration check with keepalived's exit codes (0/2/4/5/6)
  -T, --genhash        digests for HTTP_GET/SSL_GET as the checker computes them
  --signum             signal numbers as keepalived 2.2.7 prints them
  -h, -v               help and version
Not yet implemented:
  BFD, SNMP
";

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match run(&argv) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("keepalived: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(argv: &[String]) -> Result<u8> {
    let parsed = cli::parse(argv);
    for m in &parsed.messages {
        match m.stream {
            Stream::Stdout => print!("{}", m.text),
            Stream::Stderr => eprint!("{}", m.text),
        }
    }
    std::io::stdout().flush().ok();
    let prog = argv.first().map(String::as_str).unwrap_or("keepalived");
    match parsed.action {
        Action::Help => {
            eprint!("{}", cli::usage(prog));
            Ok(0)
        }
        Action::Version => {
            eprintln!(
                "Keepalived v{} (rust)\n\n{SUPPORTED}",
                env!("CARGO_PKG_VERSION")
            );
            Ok(0)
        }
        Action::Signum(n) => {
            println!("{n}");
            Ok(0)
        }
        Action::Exit(code) => Ok(u8::try_from(code).unwrap_or(1)),
        Action::Genhash(args) => {
            let am_genhash = prog.rsplit('/').next() == Some("genhash");
            Ok(keepalived::genhash::run(prog, am_genhash, &args))
        }
        Action::Run(opts) => match &opts.config_test {
            Some(dest) => config_test(&opts, dest),
            None if opts.dump_conf => config_test(&opts, &ConfigTest::Stderr),
            None => daemon(&opts, argv),
        },
    }
}

/// The load options shared by `-t` and the daemon.
fn load_options(opts: &Options, host: &LiveHost, config_test: bool) -> LoadOptions {
    let all = opts.all_config;
    LoadOptions {
        lex: LexOptions {
            config_id: host.config_id(),
            include_checks: IncludeChecks {
                read: all,
                match_: all,
                wildcard_match: all,
                brace_match: all,
            },
            random_seed: None,
            cwd: std::env::current_dir()
                .map(|d| d.to_string_lossy().into_owned())
                .unwrap_or_default(),
            ..Default::default()
        },
        config_test,
    }
}

/// Daemon mode: the parent, or (re-executed with a role) a child.
fn daemon(opts: &Options, argv: &[String]) -> Result<u8> {
    let role = ChildKind::from_env();
    keepalived::sys::malloc::no_huge_pages();
    if role.is_some() && !parent::child::bind_to_parent() {
        // The parent died before we could ask to die with it.
        return Ok(0);
    }
    if role.is_none() && !opts.dont_fork {
        nix::unistd::daemon(false, false).context("daemonising")?;
    }
    let process = match role {
        None => Process::Parent,
        Some(ChildKind::Vrrp) => Process::Vrrp,
        Some(ChildKind::Checker) => Process::Checker,
    };
    // `-s NAME`: run in that network namespace (as `ip netns exec` would),
    // before reading the configuration so its interface checks look there.
    if let Some(ns) = &opts.namespace {
        enter_netns(ns).with_context(|| format!("entering network namespace {ns}"))?;
    }
    let log_guard = log::init(&LogSettings::from_options(
        opts,
        process,
        opts.namespace.as_deref(),
        None,
    ))
    .context("starting the logger")?;
    if let Some(mask) = opts.umask {
        nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(mask));
    }
    if role.is_none() {
        tracing::info!(
            "{}",
            messages::starting_keepalived(env!("CARGO_PKG_VERSION"))
        );
        tracing::info!("{}", messages::command_line(argv));
    }
    let host = LiveHost {
        config_id: opts.config_id.clone(),
    };
    let loaded = config::load(
        &opts.config_file,
        &FsSource,
        &host,
        &load_options(opts, &host, false),
    );
    let cfg = loaded.config;
    let (ns, inst) = (
        opts.namespace.clone().or_else(|| cfg.net_namespace.clone()),
        cfg.instance_name.clone(),
    );
    if opts.namespace.is_none() {
        if let Some(n) = &cfg.net_namespace {
            enter_netns(n).with_context(|| format!("entering network namespace {n}"))?;
        }
    }
    if ns.is_some() || inst.is_some() {
        let _ = log_guard.reconfigure(&LogSettings::from_options(
            opts,
            process,
            ns.as_deref(),
            inst.as_deref(),
        ));
    }
    let pids = PidPaths::from_options(opts, inst.as_deref(), ns.as_deref(), cfg.use_pid_dir);
    if role.is_none() {
        if loaded.main_missing {
            // keepalived 2.2.7's words and KEEPALIVED_EXIT_MISSING_CONFIG.
            tracing::info!("{}", messages::config_files_missing(&opts.config_file));
            tracing::info!(
                "{}",
                messages::stopped_keepalived(&messages::version_line(env!("CARGO_PKG_VERSION")))
            );
            return Ok(6);
        }
        tracing::info!("{}", messages::configuration_file(&opts.config_file));
        for d in &loaded.diags {
            tracing::info!("{}", d.message);
        }
    }
    let named = match role {
        None => NamedProcess::Parent,
        Some(ChildKind::Vrrp) => NamedProcess::Vrrp,
        Some(ChildKind::Checker) => NamedProcess::Checker,
    };
    set_process_name(cfg.global.process_names.at_start(named));
    match role {
        Some(ChildKind::Vrrp) => {
            let _pid = match PidFile::create(&pids.vrrp) {
                Ok(p) => Some(p),
                Err(e) => {
                    tracing::error!("{e}");
                    None
                }
            };
            let child_opts = ChildOptions {
                detail: opts.log_detail > 0,
                dont_release_vrrp: opts.dont_release_vrrp,
                // Next to the VRRP pid file, so that daemons with their own
                // pid files (namespaces, instances, tests) keep apart.
                record: Some(format!("{}.vips", pids.vrrp.display()).into()),
            };
            let reload = renaming(reloader(opts, &host), named, &cfg);
            match vrrp_child::run(cfg, child_opts, reload, parent::child::report_ready) {
                Ok(()) => Ok(0),
                Err(e) => {
                    tracing::error!("{e}");
                    Ok(1)
                }
            }
        }
        Some(ChildKind::Checker) => {
            let _pid = PidFile::create(&pids.checkers)
                .map_err(|e| tracing::error!("{e}"))
                .ok();
            let child_opts = CheckerOptions {
                detail: opts.log_detail > 0,
                dont_release_ipvs: opts.dont_release_ipvs,
            };
            let reload = renaming(reloader(opts, &host), named, &cfg);
            match checker_child::run(cfg, child_opts, reload, parent::child::report_ready) {
                Ok(()) => Ok(0),
                Err(e) => {
                    tracing::error!("{e}");
                    Ok(1)
                }
            }
        }
        None => {
            if inst.is_some() || ns.is_some() || cfg.use_pid_dir {
                let _ = pidfile::create_pid_dir(std::path::Path::new(pidfile::PID_DIR));
            }
            if let Some(pid) = other_keepalived_running(&pids.main) {
                // keepalived 2.2.7 takes no lock on its pid file: a live
                // keepalived process named there counts as running too.
                tracing::info!("{}", messages::daemon_already_running());
                tracing::debug!(
                    "{}",
                    messages::pid_alive(pid, &pids.main.display().to_string())
                );
                return Ok(0);
            }
            let _pid = match PidFile::create(&pids.main) {
                Ok(p) => p,
                Err(PidFileError::AlreadyRunning { .. }) => {
                    tracing::info!("{}", messages::daemon_already_running());
                    return Ok(0);
                }
                Err(e) => {
                    tracing::error!("{e}");
                    return Ok(1);
                }
            };
            let has_vrrp = !cfg.vrrp_instances.is_empty() || !cfg.static_addresses.is_empty();
            let has_lvs = !cfg.virtual_servers.is_empty();
            let all = opts.children.run_all;
            let popts = ParentOptions {
                args: argv[1..].to_vec(),
                start_vrrp: opts.children.vrrp && (has_vrrp || all),
                start_checker: opts.children.checkers && (has_lvs || all),
                dont_respawn: opts.dont_respawn,
                child_wait: std::time::Duration::from_secs(u64::from(
                    cfg.child_wait_time.unwrap_or(5),
                )),
                version_line: messages::version_line(env!("CARGO_PKG_VERSION")),
            };
            // keepalived's parent reads the configuration again at reload
            // and renames itself when `process_name` changed.
            let renamer = renaming(reloader(opts, &host), named, &cfg);
            parent::set_reload_hook(Box::new(move || drop(renamer())));
            Ok(parent::run(popts))
        }
    }
}

/// Gives this process the name `process_name` & co. ask for (keepalived
/// logs a failure and goes on).
fn set_process_name(name: Option<&str>) {
    if let Some(n) = name {
        if keepalived::sys::process_name::set(n).is_err() {
            tracing::info!("{}", keepalived::messages::process_name_failed(n));
        }
    }
}

/// Wraps a child's `reload` so that an accepted configuration also renames
/// the process when its own `*_process_name` changed.
fn renaming(
    reload: Box<dyn Fn() -> Option<Config>>,
    which: NamedProcess,
    cfg: &Config,
) -> Box<dyn Fn() -> Option<Config>> {
    let names = std::cell::RefCell::new(cfg.global.process_names.clone());
    Box::new(move || {
        let new = reload()?;
        let now = new.global.process_names.clone();
        set_process_name(names.borrow().at_reload(&now, which));
        *names.borrow_mut() = now;
        Some(new)
    })
}

/// Re-reads the configuration at SIGHUP (shared by the children).
fn reloader(
    opts: &Options,
    host: &LiveHost,
) -> Box<dyn Fn() -> Option<keepalived::config::model::Config>> {
    let (opts2, host2) = (opts.clone(), host.clone());
    Box::new(move || {
        let l = config::load(
            &opts2.config_file,
            &FsSource,
            &host2,
            &load_options(&opts2, &host2, false),
        );
        for d in &l.diags {
            tracing::info!("{}", d.message);
        }
        // keepalived's reload refuses a configuration that would not
        // start (a missing file or a fatal error).
        if l.main_missing || l.aborted.is_some() || diag::verdict(&l.diags) == 4 {
            None
        } else {
            Some(l.config)
        }
    })
}

/// Moves this process into the network namespace `name` (the one
/// `ip netns add` created under /run/netns); children inherit it.
fn enter_netns(name: &str) -> Result<()> {
    let f = std::fs::File::open(format!("/run/netns/{name}"))?;
    nix::sched::setns(f, nix::sched::CloneFlags::CLONE_NEWNET)?;
    Ok(())
}

/// The pid in `path` if it names a live keepalived process other than us
/// (the lock of our own pid files catches our daemons; this catches
/// keepalived 2.2.7's, which are not locked).
fn other_keepalived_running(path: &std::path::Path) -> Option<i32> {
    let pid: i32 = std::fs::read_to_string(path).ok()?.trim().parse().ok()?;
    if pid <= 0 || pid == std::process::id() as i32 {
        return None;
    }
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    (comm.trim() == "keepalived").then_some(pid)
}

/// `keepalived -t`: read the configuration, report every diagnostic and exit
/// with keepalived's verdict.
fn config_test(opts: &Options, dest: &ConfigTest) -> Result<u8> {
    // keepalived opens the report file before reading anything, and gives up
    // with exit 1 when it cannot.
    let mut out: Box<dyn Write> = match dest {
        ConfigTest::Stderr => Box::new(std::io::stderr()),
        ConfigTest::File(path) => {
            match OpenOptions::new()
                .append(true)
                .create(true)
                .mode(0o644)
                .custom_flags(nix::libc::O_NOFOLLOW)
                .open(path)
            {
                Ok(f) => Box::new(f),
                Err(e) => {
                    eprintln!(
                        "Unable to open config-test log file {path} {} - {e}",
                        e.raw_os_error().unwrap_or(0)
                    );
                    return Ok(1);
                }
            }
        }
    };
    let host = LiveHost {
        config_id: opts.config_id.clone(),
    };
    let loaded = config::load(
        &opts.config_file,
        &FsSource,
        &host,
        &load_options(opts, &host, true),
    );
    out.write_all(report::render(&loaded).as_bytes())
        .context("writing the -t report")?;
    out.flush().context("writing the -t report")?;
    if opts.dump_conf {
        // `-t -d`: the configuration as the daemon understands it, as
        // canonical keepalived.conf on standard output.
        print!("{}", config::dump::dump(&loaded.config));
    }
    // keepalived exits at once on a missing parameter (2) or a failed
    // checked include (6); otherwise the worst diagnostic decides.
    let code = loaded
        .aborted
        .unwrap_or_else(|| diag::verdict(&loaded.diags));
    // The process exits next: freeing a large model piece by piece (tens of
    // thousands of servers) would only cost time, the kernel takes it back
    // at once.
    std::mem::forget(loaded);
    Ok(u8::try_from(code).unwrap_or(1))
}
