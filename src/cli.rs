//! keepalived's command line (keepalived(8)); see keepalived-reference.md section c.
//!
//! Hand-written instead of clap because scripts and unit files in the wild rely
//! on glibc `getopt_long` details that clap does not reproduce: clustered short
//! options (`-Pt`), optional arguments glued to the option (`-tFILE`,
//! `--config-test=FILE`), unique-prefix abbreviations of long options
//! (`--vers`), argument permutation, and keepalived's own error texts and exit
//! codes. Behaviour was learnt from `parse_cmdline()` in keepalived 2.2.7's
//! `keepalived/core/main.c` and checked against Debian's `/usr/sbin/keepalived`.
//!
//! Parsing is pure: [`parse`] returns what to do and the messages to print, and
//! `main` prints them. That keeps every quirk unit-testable.

use std::fmt;

/// Default configuration file (`DEFAULT_CONFIG_FILE`).
pub const DEFAULT_CONFIG_FILE: &str = "/etc/keepalived/keepalived.conf";
/// Default pid files (`RUNSTATEDIR` = `/run`; the man page's names are wrong).
pub const DEFAULT_PID_FILE: &str = "/run/keepalived.pid";
pub const DEFAULT_VRRP_PID_FILE: &str = "/run/vrrp.pid";
pub const DEFAULT_CHECKERS_PID_FILE: &str = "/run/checkers.pid";
pub const DEFAULT_BFD_PID_FILE: &str = "/run/bfd.pid";
/// `-M` without a pattern.
pub const DEFAULT_CORE_DUMP_PATTERN: &str = "core";

/// syslog facilities `-S` accepts (values as in `<syslog.h>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facility {
    Daemon,
    User,
    /// `LOG_LOCAL0` .. `LOG_LOCAL7`; `-S N` and `-S localN` both mean localN.
    Local(u8),
}

/// Which children to start (keepalived's `daemon_mode` bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Children {
    pub vrrp: bool,
    pub checkers: bool,
    pub bfd: bool,
    /// `--all`: start children even when they have no configuration.
    pub run_all: bool,
}

impl Default for Children {
    fn default() -> Self {
        Children {
            vrrp: true,
            checkers: true,
            bfd: true,
            run_all: false,
        }
    }
}

/// Every daemon option of keepalived 2.2.7, with its defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `-f/--use-file` (a glob).
    pub config_file: String,
    /// `-P`, `-C`, `-B`, `--all`.
    pub children: Children,
    /// `-l/--log-console`.
    pub log_console: bool,
    /// `-D/--log-detail`: 0 none, 1 detail, 2 (given twice) extra detail.
    pub log_detail: u8,
    /// `-S/--log-facility`.
    pub log_facility: Facility,
    /// `-G/--no-syslog` (also implied by `-t`).
    pub no_syslog: bool,
    /// `-u/--umask`, when valid.
    pub umask: Option<u32>,
    /// `-X/--release-vips`.
    pub release_vips: bool,
    /// `-V/--dont-release-vrrp`.
    pub dont_release_vrrp: bool,
    /// `-I/--dont-release-ipvs`.
    pub dont_release_ipvs: bool,
    /// `-R/--dont-respawn` (also implied by `-t`).
    pub dont_respawn: bool,
    /// `-n/--dont-fork` (also implied by `-t`).
    pub dont_fork: bool,
    /// `-d/--dump-conf`.
    pub dump_conf: bool,
    /// `-p/--pid`.
    pub pid_file: String,
    /// `-r/--vrrp_pid`.
    pub vrrp_pid_file: String,
    /// `-c/--checkers_pid`.
    pub checkers_pid_file: String,
    /// `-b/--bfd_pid`.
    pub bfd_pid_file: String,
    /// `-a/--address-monitoring`.
    pub address_monitoring: bool,
    /// `-x/--snmp`.
    pub snmp: bool,
    /// `-A/--snmp-agent-socket`.
    pub snmp_agent_socket: Option<String>,
    /// `-s/--namespace`.
    pub namespace: Option<String>,
    /// `-m/--core-dump` (also set by `-M`).
    pub core_dump: bool,
    /// `-M/--core-dump-pattern[=PATTERN]`.
    pub core_dump_pattern: Option<String>,
    /// `-e/--all-config`: every include must exist and be readable.
    pub all_config: bool,
    /// `-i/--config-id`; `None` means the short host name.
    pub config_id: Option<String>,
    /// `-t/--config-test[=FILE]`.
    pub config_test: Option<ConfigTest>,
    /// `--config-fd=N` (internal to keepalived's reload check; `atoi` value).
    pub config_fd: Option<i32>,
    /// `--ignore-sigint` (from keepalived 2.4; 2.2.7 does not know it, but
    /// accepting it lets unit files written for newer versions work).
    pub ignore_sigint: bool,
}

/// Where `-t` writes its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigTest {
    Stderr,
    /// Appended to this file (keepalived opens it `O_APPEND|O_CREAT|O_NOFOLLOW`).
    File(String),
}

impl Default for Options {
    fn default() -> Self {
        Options {
            config_file: DEFAULT_CONFIG_FILE.into(),
            children: Children::default(),
            log_console: false,
            log_detail: 0,
            log_facility: Facility::Daemon,
            no_syslog: false,
            umask: None,
            release_vips: false,
            dont_release_vrrp: false,
            dont_release_ipvs: false,
            dont_respawn: false,
            dont_fork: false,
            dump_conf: false,
            pid_file: DEFAULT_PID_FILE.into(),
            vrrp_pid_file: DEFAULT_VRRP_PID_FILE.into(),
            checkers_pid_file: DEFAULT_CHECKERS_PID_FILE.into(),
            bfd_pid_file: DEFAULT_BFD_PID_FILE.into(),
            address_monitoring: false,
            snmp: false,
            snmp_agent_socket: None,
            namespace: None,
            core_dump: false,
            core_dump_pattern: None,
            all_config: false,
            config_id: None,
            config_test: None,
            config_fd: None,
            ignore_sigint: false,
        }
    }
}

/// Signal functions `--signum` knows, with Linux/glibc numbers as 2.2.7
/// prints them (SIGRTMIN is 34 and SIGRTMAX 64 under glibc).
pub const SIGNUMS: &[(&str, i32)] = &[
    ("STOP", 15),
    ("RELOAD", 1),
    ("DATA", 10),
    ("STATS", 12),
    ("STATS_CLEAR", 63),
    ("JSON", 36),
];

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Run (daemon, or config test when `options.config_test` is set).
    Run(Box<Options>),
    /// `-h`: usage to stderr, exit 0.
    Help,
    /// `-v`: version to stderr, exit 0.
    Version,
    /// `--signum=NAME`: number to stdout, exit 0.
    Signum(i32),
    /// `-T/--genhash` (the arguments after it) or invoked as `genhash` (all
    /// arguments).
    Genhash(Vec<String>),
    /// Exit with this code after printing the messages (bad options: 1).
    Exit(i32),
}

/// Which stream a message goes to; keepalived uses both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// A message to print, in order, before carrying out the action. The text
/// carries its own line ending (some of keepalived's have none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub stream: Stream,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub action: Action,
    pub messages: Vec<Message>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HasArg {
    No,
    Required,
    Optional,
}

/// Option identities: short letters, plus keepalived's numbered long-only ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Opt {
    Short(char),
    All,
    Signum,
    ConfigFd,
    IgnoreSigint,
}

/// keepalived 2.2.7's `long_options[]`, in its order (order decides which of
/// several equivalent prefix matches is taken, as in glibc).
const LONG: &[(&str, HasArg, Opt)] = &[
    ("use-file", HasArg::Required, Opt::Short('f')),
    ("vrrp", HasArg::No, Opt::Short('P')),
    ("check", HasArg::No, Opt::Short('C')),
    ("no_bfd", HasArg::No, Opt::Short('B')),
    ("all", HasArg::No, Opt::All),
    ("log-console", HasArg::No, Opt::Short('l')),
    ("log-detail", HasArg::No, Opt::Short('D')),
    ("log-facility", HasArg::Required, Opt::Short('S')),
    ("log-file", HasArg::Optional, Opt::Short('g')),
    ("all-config", HasArg::No, Opt::Short('e')),
    ("no-syslog", HasArg::No, Opt::Short('G')),
    ("umask", HasArg::Required, Opt::Short('u')),
    ("release-vips", HasArg::No, Opt::Short('X')),
    ("dont-release-vrrp", HasArg::No, Opt::Short('V')),
    ("dont-release-ipvs", HasArg::No, Opt::Short('I')),
    ("dont-respawn", HasArg::No, Opt::Short('R')),
    ("dont-fork", HasArg::No, Opt::Short('n')),
    ("dump-conf", HasArg::No, Opt::Short('d')),
    ("pid", HasArg::Required, Opt::Short('p')),
    ("vrrp_pid", HasArg::Required, Opt::Short('r')),
    ("genhash", HasArg::No, Opt::Short('T')),
    ("checkers_pid", HasArg::Required, Opt::Short('c')),
    ("address-monitoring", HasArg::No, Opt::Short('a')),
    ("bfd_pid", HasArg::Required, Opt::Short('b')),
    ("snmp", HasArg::No, Opt::Short('x')),
    ("snmp-agent-socket", HasArg::Required, Opt::Short('A')),
    ("core-dump", HasArg::No, Opt::Short('m')),
    ("core-dump-pattern", HasArg::Optional, Opt::Short('M')),
    ("namespace", HasArg::Required, Opt::Short('s')),
    ("config-id", HasArg::Required, Opt::Short('i')),
    ("signum", HasArg::Required, Opt::Signum),
    ("config-test", HasArg::Optional, Opt::Short('t')),
    ("config-fd", HasArg::Required, Opt::ConfigFd),
    ("ignore-sigint", HasArg::No, Opt::IgnoreSigint),
    ("version", HasArg::No, Opt::Short('v')),
    ("help", HasArg::No, Opt::Short('h')),
];

/// keepalived 2.2.7's getopt string (without the leading `:`).
const SHORT: &str = "vhlndu:DRS:f:p:i:es:mM::g::Gt::PCr:VXac:ITBb:xA:";

/// A getopt_long option set: the long table and the short string.
pub(crate) struct OptTable {
    pub long: &'static [(&'static str, HasArg, Opt)],
    pub short: &'static str,
}

const KEEPALIVED_OPTS: OptTable = OptTable {
    long: LONG,
    short: SHORT,
};

fn short_has_arg(c: char, short: &str) -> Option<HasArg> {
    let i = short.char_indices().find(|&(_, x)| x == c && x != ':')?.0;
    let rest = &short[i + 1..];
    Some(if rest.starts_with("::") {
        HasArg::Optional
    } else if rest.starts_with(':') {
        HasArg::Required
    } else {
        HasArg::No
    })
}

/// One event of the getopt loop.
pub(crate) enum Event {
    Opt {
        opt: Opt,
        arg: Option<String>,
        long: Option<&'static str>,
    },
    /// `?`: keepalived prints "Unknown option ..." and remembers a bad option.
    Unknown(String),
    /// `:`: "Missing parameter for option ...".
    Missing(String),
}

/// Match a long option name (without `--` and `=value`) as glibc does: an
/// exact match wins; otherwise a unique prefix, or several prefix matches that
/// all mean the same thing; anything else is ambiguous (reported as unknown).
fn find_long(
    name: &str,
    long: &'static [(&'static str, HasArg, Opt)],
) -> Option<&'static (&'static str, HasArg, Opt)> {
    if let Some(e) = long.iter().find(|e| e.0 == name) {
        return Some(e);
    }
    let mut cands = long.iter().filter(|e| e.0.starts_with(name));
    let first = cands.next()?;
    if cands.all(|e| e.1 == first.1 && e.2 == first.2) {
        Some(first)
    } else {
        None
    }
}

/// Run glibc-style `getopt_long` (permuting) over `args` (without argv[0]).
/// Returns the events and the non-option arguments.
pub(crate) fn getopt(args: &[String], table: &OptTable) -> (Vec<Event>, Vec<String>) {
    let mut events = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            operands.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (body, None),
            };
            let Some(&(lname, has, opt)) = find_long(name, table.long) else {
                events.push(Event::Unknown(a.clone()));
                continue;
            };
            let missing = || Event::Missing(format!("--{lname}"));
            match has {
                HasArg::No => {
                    if inline.is_some() {
                        events.push(Event::Unknown(a.clone()));
                    } else {
                        events.push(Event::Opt {
                            opt,
                            arg: None,
                            long: Some(lname),
                        });
                    }
                }
                HasArg::Optional => events.push(Event::Opt {
                    opt,
                    arg: inline,
                    long: Some(lname),
                }),
                HasArg::Required => {
                    let arg = match inline {
                        Some(v) => Some(v),
                        None if i < args.len() => {
                            i += 1;
                            Some(args[i - 1].clone())
                        }
                        None => None,
                    };
                    match arg {
                        // keepalived turns `--use-file=` into a missing parameter.
                        Some(v) if !v.is_empty() => events.push(Event::Opt {
                            opt,
                            arg: Some(v),
                            long: Some(lname),
                        }),
                        _ => events.push(missing()),
                    }
                }
            }
            continue;
        }
        if a.len() < 2 || !a.starts_with('-') {
            operands.push(a.clone());
            continue;
        }
        // A cluster of short options.
        let chars: Vec<(usize, char)> = a.char_indices().skip(1).collect();
        let mut k = 0;
        while k < chars.len() {
            let (pos, c) = chars[k];
            k += 1;
            let rest = &a[pos + c.len_utf8()..];
            match short_has_arg(c, table.short) {
                None => events.push(Event::Unknown(format!("-{c}"))),
                Some(HasArg::No) => events.push(Event::Opt {
                    opt: Opt::Short(c),
                    arg: None,
                    long: None,
                }),
                Some(HasArg::Optional) => {
                    let arg = (!rest.is_empty()).then(|| rest.to_owned());
                    events.push(Event::Opt {
                        opt: Opt::Short(c),
                        arg,
                        long: None,
                    });
                    break;
                }
                Some(HasArg::Required) => {
                    if !rest.is_empty() {
                        events.push(Event::Opt {
                            opt: Opt::Short(c),
                            arg: Some(rest.to_owned()),
                            long: None,
                        });
                    } else if i < args.len() {
                        i += 1;
                        events.push(Event::Opt {
                            opt: Opt::Short(c),
                            arg: Some(args[i - 1].clone()),
                            long: None,
                        });
                    } else {
                        events.push(Event::Missing(format!("-{c}")));
                    }
                    break;
                }
            }
        }
    }
    (events, operands)
}

/// `read_unsigned(s, 0, 7)`: plain decimal in range.
fn parse_facility_number(s: &str) -> Option<u8> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u8>().ok().filter(|&n| n <= 7)
}

fn parse_facility(s: &str) -> Option<Facility> {
    if let Some(n) = parse_facility_number(s) {
        return Some(Facility::Local(n));
    }
    if let Some(n) = s.strip_prefix("local").and_then(parse_facility_number) {
        return Some(Facility::Local(n));
    }
    match s {
        "daemon" => Some(Facility::Daemon),
        "user" => Some(Facility::User),
        _ => None,
    }
}

/// `strtoll(s, &end, 0)` requiring the whole string to be consumed, then the
/// `0777` mask check of keepalived's `set_umask()`.
fn parse_umask(s: &str) -> Option<u32> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let value: i64 = if t.is_empty() {
        // strtoll consumed nothing: end == start and *end is NUL only for "".
        if s.is_empty() { 0 } else { return None }
    } else if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else if t.len() > 1 && t.starts_with('0') {
        i64::from_str_radix(&t[1..], 8).ok()?
    } else {
        t.parse().ok()?
    };
    let value = if neg { -value } else { value };
    (0..=0o777).contains(&value).then_some(value as u32)
}

/// C `atoi`: leading blanks, optional sign, digits; garbage gives 0.
fn atoi(s: &str) -> i32 {
    let t = s.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let v = digits.parse::<i64>().unwrap_or(0);
    (if neg { -v } else { v }) as i32
}

/// Parse `argv` (including argv[0]) as keepalived 2.2.7 does.
pub fn parse(argv: &[String]) -> Parsed {
    let prog = argv.first().map(String::as_str).unwrap_or("keepalived");
    let args = argv.get(1..).unwrap_or(&[]);
    let mut messages = Vec::new();
    let err = |m: &mut Vec<Message>, text: String| {
        m.push(Message {
            stream: Stream::Stderr,
            text,
        })
    };

    // Invoked as genhash: the whole command line is genhash's.
    if prog.rsplit('/').next() == Some("genhash") {
        return Parsed {
            action: Action::Genhash(args.to_vec()),
            messages,
        };
    }

    let (events, operands) = getopt(args, &KEEPALIVED_OPTS);
    let mut o = Options::default();
    let mut bad = false;
    for (n, ev) in events.into_iter().enumerate() {
        let (opt, arg, long) = match ev {
            Event::Unknown(s) => {
                err(&mut messages, format!("Unknown option {s}\n"));
                bad = true;
                continue;
            }
            Event::Missing(s) => {
                err(&mut messages, format!("Missing parameter for option {s}\n"));
                bad = true;
                continue;
            }
            Event::Opt { opt, arg, long } => (opt, arg, long),
        };
        let arg_s = arg.clone().unwrap_or_default();
        match opt {
            Opt::Short('v') => {
                return Parsed {
                    action: Action::Version,
                    messages,
                };
            }
            Opt::Short('h') => {
                return Parsed {
                    action: Action::Help,
                    messages,
                };
            }
            Opt::Short('T') => {
                if n != 0 {
                    let name = long.map_or("-T".to_owned(), str::to_owned);
                    err(
                        &mut messages,
                        format!(
                            "Warning -- `{name}` not used as first option, previous options ignored\n"
                        ),
                    );
                }
                // genhash reads on from the `-T` argument (keepalived's
                // getopt carries on where it was).
                let from = args
                    .iter()
                    .position(|a| {
                        a.strip_prefix("--").map_or_else(
                            || a.starts_with('-') && a.contains('T'),
                            |l| !l.is_empty() && "genhash".starts_with(l),
                        )
                    })
                    .map_or(args.len(), |p| p + 1);
                return Parsed {
                    action: Action::Genhash(args[from..].to_vec()),
                    messages,
                };
            }
            Opt::Signum => {
                return match SIGNUMS.iter().find(|(name, _)| *name == arg_s) {
                    Some(&(_, num)) => Parsed {
                        action: Action::Signum(num),
                        messages,
                    },
                    None => {
                        err(&mut messages, format!("Unknown sigfunc {arg_s}\n"));
                        Parsed {
                            action: Action::Exit(1),
                            messages,
                        }
                    }
                };
            }
            Opt::All => {
                o.children = Children {
                    vrrp: true,
                    checkers: true,
                    bfd: true,
                    run_all: true,
                }
            }
            Opt::ConfigFd => o.config_fd = Some(atoi(&arg_s)),
            Opt::IgnoreSigint => o.ignore_sigint = true,
            Opt::Short(c) => match c {
                'l' => o.log_console = true,
                'n' => o.dont_fork = true,
                'd' => o.dump_conf = true,
                'V' => o.dont_release_vrrp = true,
                'I' => o.dont_release_ipvs = true,
                'D' => o.log_detail = (o.log_detail + 1).min(2),
                'R' => o.dont_respawn = true,
                'X' => o.release_vips = true,
                'S' => match parse_facility(&arg_s) {
                    Some(f) => o.log_facility = f,
                    None => err(&mut messages, format!("Invalid log facility '{arg_s}'\n")),
                },
                'g' => {
                    // Debian's 2.2.7 is built without `--enable-log-file`, so `-g`
                    // is rejected there; so here, keeping command lines portable.
                    err(
                        &mut messages,
                        "-g requires configure option --enable-log-file\n".into(),
                    );
                    bad = true;
                }
                'G' => o.no_syslog = true,
                'u' => match parse_umask(&arg_s) {
                    Some(m) => o.umask = Some(m),
                    // keepalived prints this one without a newline.
                    None => err(&mut messages, format!("Invalid --umask option {arg_s}")),
                },
                't' => {
                    o.dont_respawn = true;
                    o.dont_fork = true;
                    o.no_syslog = true;
                    o.config_test = Some(match arg {
                        Some(f) if !f.is_empty() => ConfigTest::File(f),
                        _ => ConfigTest::Stderr,
                    });
                }
                'f' => o.config_file = arg_s,
                'P' => o.children.checkers = false,
                'C' => o.children.vrrp = false,
                'B' => o.children.bfd = false,
                'p' => o.pid_file = arg_s,
                'c' => o.checkers_pid_file = arg_s,
                'a' => o.address_monitoring = true,
                'r' => o.vrrp_pid_file = arg_s,
                'b' => o.bfd_pid_file = arg_s,
                'x' => o.snmp = true,
                'A' => o.snmp_agent_socket = Some(arg_s),
                'M' => {
                    o.core_dump = true;
                    o.core_dump_pattern = Some(match arg {
                        Some(p) if !p.is_empty() => p,
                        _ => DEFAULT_CORE_DUMP_PATTERN.into(),
                    });
                }
                'm' => o.core_dump = true,
                's' => o.namespace = Some(arg_s),
                'e' => o.all_config = true,
                'i' => o.config_id = Some(arg_s),
                other => unreachable!("option -{other} is in SHORT but not handled"),
            },
        }
    }
    if !operands.is_empty() {
        let mut text = String::from("Unexpected argument(s): ");
        for a in &operands {
            text.push_str(a);
            text.push(' ');
        }
        text.push('\n');
        messages.push(Message {
            stream: Stream::Stdout,
            text,
        });
    }
    let action = if bad {
        Action::Exit(1)
    } else {
        Action::Run(Box::new(o))
    };
    Parsed { action, messages }
}

/// keepalived 2.2.7's `-h` text (Debian build: no `--log-file` lines), with
/// `prog` as argv[0].
pub fn usage(prog: &str) -> String {
    format!(
        "Usage: {prog} [OPTION...]
  -f, --use-file=FILE          Use the specified configuration file
                                default '{DEFAULT_CONFIG_FILE}'
  -P, --vrrp                   Only run with VRRP subsystem
  -C, --check                  Only run with Health-checker subsystem
  -B, --no_bfd                 Don't run BFD subsystem
      --all                    Force all child processes to run, even if have no configuration
  -l, --log-console            Log messages to local console
  -D, --log-detail             Detailed log messages
  -S, --log-facility=([0-7]|local[0-7]|user|daemon)
                               Set syslog facility to LOG_LOCAL[0-7], user or daemon (default)
  -G, --no-syslog              Don't log via syslog
  -u, --umask=MASK             umask for file creation (in numeric form)
  -X, --release-vips           Drop VIP on transition from signal.
  -V, --dont-release-vrrp      Don't remove VRRP VIPs and VROUTEs on daemon stop
  -I, --dont-release-ipvs      Don't remove IPVS topology on daemon stop
  -R, --dont-respawn           Don't respawn child processes
  -n, --dont-fork              Don't fork the daemon process
  -d, --dump-conf              Dump the configuration data
  -p, --pid=FILE               Use specified pidfile for parent process
  -r, --vrrp_pid=FILE          Use specified pidfile for VRRP child process
  -T, --genhash                Enter into genhash utility mode (this should be the first option used).
  -c, --checkers_pid=FILE      Use specified pidfile for checkers child process
  -a, --address-monitoring     Report all address additions/deletions notified via netlink
  -b, --bfd_pid=FILE           Use specified pidfile for BFD child process
  -x, --snmp                   Enable SNMP subsystem
  -A, --snmp-agent-socket=FILE Use the specified socket for master agent
  -s, --namespace=NAME         Run in network namespace NAME (overrides config)
  -m, --core-dump              Produce core dump if terminate abnormally
  -M, --core-dump-pattern=PATN Also set /proc/sys/kernel/core_pattern to PATN (default 'core')
  -e, --all-config             Error if any configuration file missing (same as includet)
  -i, --config-id id           Skip any configuration lines beginning '@' that don't match id
                                or any lines beginning @^ that do match.
                                The config-id defaults to the node name if option not used
      --signum=SIGFUNC         Return signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON
  -t, --config-test[=LOG_FILE] Check the configuration for obvious errors, output to
                                stderr by default
  -v, --version                Display the version number
  -h, --help                   Display this help message
"
    )
}

impl fmt::Display for Facility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Facility::Daemon => f.write_str("daemon"),
            Facility::User => f.write_str("user"),
            Facility::Local(n) => write!(f, "local{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Parsed {
        let mut v = vec!["keepalived".to_owned()];
        v.extend(args.iter().map(|s| s.to_string()));
        parse(&v)
    }

    fn opts(args: &[&str]) -> Options {
        match p(args).action {
            Action::Run(o) => *o,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    fn stderr(parsed: &Parsed) -> String {
        parsed
            .messages
            .iter()
            .filter(|m| m.stream == Stream::Stderr)
            .map(|m| m.text.as_str())
            .collect()
    }

    #[test]
    fn defaults_match_keepalived() {
        let o = opts(&[]);
        assert_eq!(o.config_file, "/etc/keepalived/keepalived.conf");
        assert_eq!(o.pid_file, "/run/keepalived.pid");
        assert_eq!(o.vrrp_pid_file, "/run/vrrp.pid");
        assert_eq!(o.checkers_pid_file, "/run/checkers.pid");
        assert_eq!(o.bfd_pid_file, "/run/bfd.pid");
        assert_eq!(o.log_facility, Facility::Daemon);
        assert!(o.config_test.is_none());
        assert_eq!(o.children, Children::default());
    }

    #[test]
    fn config_test_forms() {
        assert_eq!(opts(&["-t"]).config_test, Some(ConfigTest::Stderr));
        assert_eq!(
            opts(&["-tout"]).config_test,
            Some(ConfigTest::File("out".into()))
        );
        // getopt keeps the '=' for short options: keepalived writes to "=out".
        assert_eq!(
            opts(&["-t=out"]).config_test,
            Some(ConfigTest::File("=out".into()))
        );
        assert_eq!(
            opts(&["--config-test=out"]).config_test,
            Some(ConfigTest::File("out".into()))
        );
        // An optional argument is never taken from the next word.
        let parsed = p(&["--config-test", "out"]);
        assert!(
            matches!(&parsed.action, Action::Run(o) if o.config_test == Some(ConfigTest::Stderr))
        );
        assert_eq!(parsed.messages[0].text, "Unexpected argument(s): out \n");
        assert_eq!(parsed.messages[0].stream, Stream::Stdout);
        let o = opts(&["-t"]);
        assert!(o.dont_fork && o.dont_respawn && o.no_syslog);
    }

    #[test]
    fn clustering_and_required_args() {
        let o = opts(&["-Pt", "-fconf", "-ni", "node1"]);
        assert!(!o.children.checkers && o.children.vrrp);
        assert_eq!(o.config_test, Some(ConfigTest::Stderr));
        assert_eq!(o.config_file, "conf");
        assert!(o.dont_fork);
        assert_eq!(o.config_id.as_deref(), Some("node1"));
        // -t's optional argument swallows the rest of the cluster.
        assert_eq!(
            opts(&["-tf", "x"]).config_test,
            Some(ConfigTest::File("f".into()))
        );
        // A required argument may start with '-'.
        assert_eq!(opts(&["-f", "-v"]).config_file, "-v");
        assert_eq!(opts(&["--use-file", "-v"]).config_file, "-v");
    }

    #[test]
    fn permutation_and_double_dash() {
        let parsed = p(&["x", "-t", "y", "--", "-v"]);
        assert!(matches!(parsed.action, Action::Run(_)));
        assert_eq!(parsed.messages[0].text, "Unexpected argument(s): x y -v \n");
    }

    #[test]
    fn long_prefixes() {
        assert_eq!(p(&["--vers"]).action, Action::Version);
        assert!(opts(&["--dump"]).dump_conf);
        // exact match beats a longer name with the same prefix
        assert!(opts(&["--all"]).children.run_all);
        assert!(!opts(&["--vrrp"]).children.checkers);
        for amb in [
            "--con",
            "--config",
            "--al",
            "--no",
            "--dont-re",
            "--log-f=3",
        ] {
            let parsed = p(&[amb]);
            assert_eq!(parsed.action, Action::Exit(1), "{amb}");
            assert_eq!(stderr(&parsed), format!("Unknown option {amb}\n"));
        }
        assert_eq!(opts(&["--vrrp_", "f"]).vrrp_pid_file, "f");
    }

    #[test]
    fn errors_and_exit_codes() {
        let parsed = p(&["-Z"]);
        assert_eq!(parsed.action, Action::Exit(1));
        assert_eq!(stderr(&parsed), "Unknown option -Z\n");
        assert_eq!(stderr(&p(&["--foo=1"])), "Unknown option --foo=1\n");
        assert_eq!(stderr(&p(&["--help=x"])), "Unknown option --help=x\n");
        assert_eq!(stderr(&p(&["-f"])), "Missing parameter for option -f\n");
        assert_eq!(
            stderr(&p(&["--use-file="])),
            "Missing parameter for option --use-file\n"
        );
        // keepalived 2.2.7 crashes here (it indexes long_options[-1]); we report cleanly.
        assert_eq!(
            stderr(&p(&["--use-file"])),
            "Missing parameter for option --use-file\n"
        );
        assert_eq!(
            stderr(&p(&["--sig"])),
            "Missing parameter for option --signum\n"
        );
        // -g is not built into Debian's keepalived.
        let parsed = p(&["-g"]);
        assert_eq!(parsed.action, Action::Exit(1));
        assert_eq!(
            stderr(&parsed),
            "-g requires configure option --enable-log-file\n"
        );
        // Errors are reported but -v still exits 0 when reached.
        let parsed = p(&["-Z", "-v"]);
        assert_eq!(parsed.action, Action::Version);
        assert_eq!(stderr(&parsed), "Unknown option -Z\n");
    }

    #[test]
    fn first_of_help_and_version_wins() {
        assert_eq!(p(&["-hv"]).action, Action::Help);
        assert_eq!(p(&["-vh"]).action, Action::Version);
    }

    #[test]
    fn signum() {
        for (name, num) in [
            ("STOP", 15),
            ("RELOAD", 1),
            ("DATA", 10),
            ("STATS", 12),
            ("STATS_CLEAR", 63),
            ("JSON", 36),
        ] {
            assert_eq!(
                p(&[&format!("--signum={name}")]).action,
                Action::Signum(num)
            );
        }
        assert_eq!(p(&["--signum", "RELOAD"]).action, Action::Signum(1));
        let parsed = p(&["--signum=TDUMP"]);
        assert_eq!(parsed.action, Action::Exit(1));
        assert_eq!(stderr(&parsed), "Unknown sigfunc TDUMP\n");
    }

    #[test]
    fn facility_and_umask() {
        assert_eq!(opts(&["-S", "3"]).log_facility, Facility::Local(3));
        assert_eq!(opts(&["-Slocal7"]).log_facility, Facility::Local(7));
        assert_eq!(opts(&["--log-facility=user"]).log_facility, Facility::User);
        let parsed = p(&["-S", "local9"]);
        assert!(matches!(&parsed.action, Action::Run(o) if o.log_facility == Facility::Daemon));
        assert_eq!(stderr(&parsed), "Invalid log facility 'local9'\n");
        assert_eq!(opts(&["-u", "0777"]).umask, Some(0o777));
        assert_eq!(opts(&["-u", "0x1f"]).umask, Some(0x1f));
        assert_eq!(opts(&["-u", "18"]).umask, Some(18));
        let parsed = p(&["-u", "abc"]);
        assert_eq!(stderr(&parsed), "Invalid --umask option abc");
        assert!(matches!(parsed.action, Action::Run(o) if o.umask.is_none()));
        assert_eq!(opts(&["-u", "01000"]).umask, None);
    }

    #[test]
    fn genhash() {
        assert_eq!(
            p(&["-T", "-s", "x"]).action,
            Action::Genhash(vec!["-s".into(), "x".into()])
        );
        let parsed = p(&["-n", "--genhash", "-u", "/"]);
        assert_eq!(
            parsed.action,
            Action::Genhash(vec!["-u".into(), "/".into()])
        );
        assert_eq!(
            stderr(&parsed),
            "Warning -- `genhash` not used as first option, previous options ignored\n"
        );
        let parsed = parse(&["/usr/bin/genhash".into(), "-h".into()]);
        assert_eq!(parsed.action, Action::Genhash(vec!["-h".into()]));
    }

    #[test]
    fn misc_options() {
        let o = opts(&[
            "-lDD",
            "-GXVIRndae",
            "-p",
            "a",
            "-r",
            "b",
            "-c",
            "c",
            "-b",
            "d",
            "-x",
            "-A",
            "sock",
            "-s",
            "ns1",
            "-M",
            "--config-fd=7x",
            "-B",
            "-C",
        ]);
        assert!(o.log_console && o.no_syslog && o.release_vips && o.dont_release_vrrp);
        assert!(o.dont_release_ipvs && o.dont_respawn && o.dont_fork && o.dump_conf);
        assert!(o.address_monitoring && o.all_config && o.snmp && o.core_dump);
        assert_eq!(o.log_detail, 2);
        assert_eq!(
            (
                o.pid_file.as_str(),
                o.vrrp_pid_file.as_str(),
                o.checkers_pid_file.as_str()
            ),
            ("a", "b", "c")
        );
        assert_eq!(o.bfd_pid_file, "d");
        assert_eq!(o.snmp_agent_socket.as_deref(), Some("sock"));
        assert_eq!(o.namespace.as_deref(), Some("ns1"));
        assert_eq!(o.core_dump_pattern.as_deref(), Some("core"));
        assert_eq!(o.config_fd, Some(7));
        assert!(!o.children.bfd && !o.children.vrrp && o.children.checkers);
        assert!(opts(&["--ignore-sig"]).ignore_sigint);
        assert_eq!(opts(&["-Mpat"]).core_dump_pattern.as_deref(), Some("pat"));
        let all = opts(&["-P", "--all"]).children;
        assert!(all.run_all && all.vrrp && all.checkers && all.bfd);
    }

    #[test]
    fn usage_names_program() {
        let u = usage("/usr/sbin/keepalived");
        assert!(u.starts_with("Usage: /usr/sbin/keepalived [OPTION...]\n"));
        assert!(u.ends_with("  -h, --help                   Display this help message\n"));
    }
}
