//! `keepalived -T` / `genhash`: fetch one URL and print the MD5 digest an
//! `HTTP_GET`/`SSL_GET` `digest` keyword must hold, computed by the same
//! reader the checker uses (raw body, capped by Content-Length, never
//! de-chunked), so the printed value is what the checker will compare.
//!
//! Options, messages and exit codes follow keepalived 2.2.7's genhash:
//! exit 1 (with usage) for a bad command line, otherwise 0 whatever the
//! server did; failures are printed as the checker names them.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use crate::checker_child::probe::Target;
use crate::checker_child::probe::http::{self, HttpProtocol, Trace};
use crate::cli::{Event, HasArg, Opt, OptTable, getopt};

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub server: IpAddr,
    pub port: u16,
    pub url: String,
    pub vhost: Option<String>,
    pub ssl: bool,
    pub sni: bool,
    pub fwmark: Option<u32>,
    pub protocol: HttpProtocol,
    /// `-t` seconds; keepalived's default is effectively unbounded
    /// (`UINT_MAX` µs, about 71 minutes).
    pub timeout: Duration,
    pub verbose: bool,
}

const LONG: &[(&str, HasArg, Opt)] = &[
    ("help", HasArg::No, Opt::Short('h')),
    ("verbose", HasArg::No, Opt::Short('v')),
    ("use-ssl", HasArg::No, Opt::Short('S')),
    ("use-sni", HasArg::No, Opt::Short('I')),
    ("server", HasArg::Required, Opt::Short('s')),
    ("use-virtualhost", HasArg::Required, Opt::Short('V')),
    ("port", HasArg::Required, Opt::Short('p')),
    ("url", HasArg::Required, Opt::Short('u')),
    ("fwmark", HasArg::Required, Opt::Short('m')),
    ("protocol", HasArg::Required, Opt::Short('P')),
    ("timeout", HasArg::Required, Opt::Short('t')),
];

const OPTS: OptTable = OptTable {
    long: LONG,
    short: "hvSs:V:p:u:m:P:t:I",
};

/// C's `strtoul` acceptance as genhash uses it: leading blanks skipped,
/// then digits only, no sign, not empty.
fn unsigned(s: &str) -> Option<u64> {
    let t = s.trim_start_matches([' ', '\t']);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok().or(Some(u64::MAX))
}

/// Parses genhash's arguments (after `-T`, or all of them when run as
/// `genhash`). `Err` holds the lines for stderr; usage follows them.
pub fn parse(args: &[String]) -> Result<Request, Vec<String>> {
    let mut errs = Vec::new();
    if args.is_empty() {
        return Err(errs);
    }
    let (events, operands) = getopt(args, &OPTS);
    let (mut server, mut port, mut url) = (None, None, None);
    let mut r = Request {
        server: IpAddr::from([0, 0, 0, 0]),
        port: 0,
        url: String::new(),
        vhost: None,
        ssl: false,
        sni: false,
        fwmark: None,
        protocol: HttpProtocol::V10,
        timeout: Duration::from_micros(u64::from(u32::MAX)),
        verbose: false,
    };
    let mut bad = false;
    for ev in events {
        let (c, arg) = match ev {
            Event::Unknown(s) => {
                errs.push(format!("Unknown option {s}"));
                bad = true;
                continue;
            }
            Event::Missing(s) => {
                errs.push(format!("Missing parameter for option {s}"));
                bad = true;
                continue;
            }
            Event::Opt {
                opt: Opt::Short(c),
                arg,
                ..
            } => (c, arg.unwrap_or_default()),
            Event::Opt { .. } => continue,
        };
        match c {
            'h' => bad = true,
            'v' => r.verbose = true,
            'S' => r.ssl = true,
            'I' => r.sni = true,
            's' => match arg.parse() {
                Ok(a) => server = Some(a),
                Err(_) => {
                    errs.push(format!("server should be an IP, not {arg}"));
                    return Err(errs);
                }
            },
            'V' => r.vhost = Some(arg),
            'p' => match arg.parse::<u16>() {
                Ok(p) if p > 0 && arg.bytes().all(|b| b.is_ascii_digit()) => port = Some(p),
                _ => {
                    errs.push(format!("invalid port number '{arg}'"));
                    return Err(errs);
                }
            },
            'u' => url = Some(arg),
            'm' => match unsigned(&arg).and_then(|v| u32::try_from(v).ok()) {
                Some(m) => r.fwmark = Some(m),
                None => {
                    errs.push(format!("invalid fwmark '{arg}'"));
                    return Err(errs);
                }
            },
            'P' => {
                r.protocol = match arg.as_str() {
                    "1.0" => HttpProtocol::V10,
                    "1.0c" | "1.0C" => HttpProtocol::V10Close,
                    "1.1" => HttpProtocol::V11,
                    _ => {
                        errs.push(format!("invalid HTTP protocol version '{arg}'"));
                        return Err(errs);
                    }
                }
            }
            't' => match unsigned(&arg) {
                Some(t) => r.timeout = Duration::from_secs(t.min(u64::from(u32::MAX))),
                None => {
                    errs.push(format!("invalid timeout '{arg}'"));
                    return Err(errs);
                }
            },
            _ => bad = true,
        }
    }
    if bad {
        return Err(errs);
    }
    if !operands.is_empty() {
        errs.push(format!("Unexpected argument(s): {}", operands.join(" ")));
        return Err(errs);
    }
    match (server, port, url) {
        (Some(s), Some(p), Some(u)) => {
            r.server = s;
            r.port = p;
            r.url = u;
            Ok(r)
        }
        _ => Err(errs),
    }
}

/// The usage text (our wording; the options are keepalived's).
pub fn usage(prog: &str, am_genhash: bool) -> String {
    let cmd = if am_genhash {
        prog.to_string()
    } else {
        format!("{prog} --genhash")
    };
    format!(
        "Usage: {cmd} COMMAND [OPTIONS]\n\
         Commands:\n\
         \x20  -s server-address -p port -u url\n\
         \x20  -S -s server-address -p port -u url\n\
         \x20  -h\n\n\
         Options (short or long):\n\
         \x20  --use-ssl         -S       connect with TLS\n\
         \x20  --use-sni         -I       send the virtual host (-V) as TLS SNI\n\
         \x20  --server          -s       server IP address\n\
         \x20  --port            -p       server port\n\
         \x20  --url             -u       path to fetch\n\
         \x20  --use-virtualhost -V       Host header to send\n\
         \x20  --verbose         -v       dump the header, body and digest\n\
         \x20  --help            -h       this text\n\
         \x20  --fwmark          -m       firewall mark for the connection\n\
         \x20  --protocol        -P       HTTP version: '1.0', '1.0c' (1.0 with\n\
         \x20                              'Connection: close') or '1.1'\n\
         \x20  --timeout         -t       timeout in seconds\n"
    )
}

/// keepalived's `dump_buffer`: 16 bytes a line, decimal offset, hex in two
/// groups of 8, then the printable ASCII.
pub fn dump_buffer(buf: &[u8]) -> String {
    let mut o = String::new();
    for (n, line) in buf.chunks(16).enumerate() {
        o.push_str(&format!("{:04} ", (n * 16) & 0xffff));
        for i in 0..16 {
            match line.get(i) {
                Some(b) => o.push_str(&format!(" {b:02x}")),
                None => o.push_str("   "),
            }
            if i == 7 {
                o.push_str(" -");
            }
        }
        o.push_str("   ");
        for i in 0..16 {
            o.push(match line.get(i) {
                Some(&b) if (0x20..=0x7e).contains(&b) => b as char,
                Some(_) => '.',
                None => ' ',
            });
        }
        o.push('\n');
    }
    o
}

fn banner(title: &str) -> String {
    format!("-----------------------[{title}]-----------------------\n")
}

/// What `-v` prints of a response before its digest line.
pub fn render_trace(resp: &http::Response) -> String {
    let mut o = String::new();
    for t in &resp.trace {
        match t {
            Trace::HeaderRead => o.push_str(&banner("    HTTP Header Buffer    ")),
            Trace::Header(h) => {
                o.push_str(&dump_buffer(h));
                o.push_str(&banner(" HTTP Header Ascii Buffer "));
                o.push_str(&String::from_utf8_lossy(h));
                o.push('\n');
            }
            Trace::FirstBody(b) => {
                o.push_str(&banner("        HTML Buffer        "));
                o.push_str(&dump_buffer(b));
            }
            Trace::Body(b) => o.push_str(&dump_buffer(b)),
        }
    }
    o.push('\n');
    o.push_str(&banner("    HTML hash resulting    "));
    o.push_str(&dump_buffer(&resp.md5));
    o.push_str(&banner(" HTML hash final resulting "));
    o
}

/// Runs genhash; returns the exit code.
pub fn run(prog: &str, am_genhash: bool, args: &[String]) -> u8 {
    let req = match parse(args) {
        Ok(r) => r,
        Err(lines) => {
            for l in lines {
                eprintln!("{l}");
            }
            eprint!("{}", usage(prog, am_genhash));
            return 1;
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return 1;
        }
    };
    let started = Instant::now();
    let target = Target {
        dst: SocketAddr::new(req.server, req.port),
        bind: None,
        bind_if: None,
        fwmark: req.fwmark,
        timeout: req.timeout,
    };
    let sni = req.sni.then_some(req.vhost.as_deref()).flatten();
    let result = rt.block_on(http::genhash(
        &target,
        &req.url,
        req.vhost.as_deref(),
        req.protocol,
        req.ssl.then_some(sni),
    ));
    let mut out = std::io::stdout().lock();
    match result {
        Ok(resp) => {
            if req.verbose {
                let _ = out.write_all(render_trace(&resp).as_bytes());
            }
            if resp.empty {
                let _ = out.flush();
                eprintln!("no data received from remote webserver");
            } else {
                let _ = writeln!(out, "{}", resp.digest);
            }
        }
        Err(msg) => {
            let _ = writeln!(out, "{msg}");
        }
    }
    if req.verbose {
        let _ = writeln!(
            out,
            "\nGlobal response time for [{}] = {} usecs",
            req.url,
            started.elapsed().as_micros()
        );
    }
    let _ = out.flush();
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_keepalived_options() {
        let r = parse(&args(&[
            "-s",
            "192.0.2.1",
            "--port=8080",
            "-u",
            "/x",
            "-vS",
            "-V",
            "www",
            "-P",
            "1.0c",
            "-t",
            " 3",
            "-m5",
        ]))
        .unwrap();
        assert_eq!(r.server, "192.0.2.1".parse::<IpAddr>().unwrap());
        assert_eq!((r.port, r.url.as_str()), (8080, "/x"));
        assert!(r.verbose && r.ssl && !r.sni);
        assert_eq!(r.vhost.as_deref(), Some("www"));
        assert_eq!(r.protocol, HttpProtocol::V10Close);
        assert_eq!(r.timeout, Duration::from_secs(3));
        assert_eq!(r.fwmark, Some(5));
    }

    #[test]
    fn command_line_errors_are_worded_as_keepalived() {
        let e = |a: &[&str]| parse(&args(a)).unwrap_err();
        assert_eq!(
            e(&["-s", "host.example", "-p", "80", "-u", "/"]),
            ["server should be an IP, not host.example"]
        );
        assert_eq!(
            e(&["-s", "192.0.2.1", "-p", "0", "-u", "/"]),
            ["invalid port number '0'"]
        );
        assert_eq!(
            e(&["-s", "192.0.2.1", "-p", "80x", "-u", "/"]),
            ["invalid port number '80x'"]
        );
        assert_eq!(e(&["-P", "2"]), ["invalid HTTP protocol version '2'"]);
        assert_eq!(e(&["-t", "-1"]), ["invalid timeout '-1'"]);
        assert_eq!(e(&["-m", "x"]), ["invalid fwmark 'x'"]);
        assert_eq!(
            e(&["-x", "-s"]),
            ["Unknown option -x", "Missing parameter for option -s"]
        );
        assert_eq!(
            e(&["-s", "192.0.2.1", "-p", "80", "-u", "/", "extra"]),
            ["Unexpected argument(s): extra"]
        );
        // Missing mandatory option, or -h: just the usage.
        assert!(e(&["-s", "192.0.2.1", "-p", "80"]).is_empty());
        assert!(e(&["-h"]).is_empty());
        assert!(e(&[]).is_empty());
    }

    #[test]
    fn dump_buffer_layout_is_keepalived_s() {
        assert_eq!(
            dump_buffer(b"HTTP/1.0 200 OK\r\n5 GMT\r\n\r\n"),
            "0000  48 54 54 50 2f 31 2e 30 - 20 32 30 30 20 4f 4b 0d   HTTP/1.0 200 OK.\n\
             0016  0a 35 20 47 4d 54 0d 0a - 0d 0a                     .5 GMT....      \n"
        );
    }
}
