//! LVS grammar and checker-process validation, with messages checked against
//! keepalived 2.2.7 `-t` (texts below were produced by the real binary).
//!
//! The real lexer is written elsewhere; these tests split simple text into
//! lines themselves (comments, double quotes, braces as their own lines).

use std::sync::Arc;

use keepalived::config::diag::{Category, Diag, Level, Span};
use keepalived::config::fake::FakeHost;
use keepalived::config::model::{
    CheckerKind, Config, Forwarding, Protocol, TunCsum, TunType, VsAddr, VsgEntry,
};
use keepalived::config::parser::{self, Parser, lvs};
use keepalived::config::source::FileStat;
use keepalived::config::token::{Line, Word};

/// Split test text the way keepalived's reader does for simple input.
fn lines(text: &str) -> Vec<Line> {
    let file: Arc<str> = Arc::from("t.conf");
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let mut words: Vec<Word> = Vec::new();
        let b: Vec<char> = raw.chars().collect();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c == '#' || c == '!' {
                break;
            }
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            let col = i as u32 + 1;
            if c == '{' || c == '}' {
                words.push(Word {
                    text: c.to_string().into(),
                    col,
                    quoted: false,
                });
                i += 1;
                continue;
            }
            if c == '"' {
                let start = i + 1;
                i = start;
                while i < b.len() && b[i] != '"' {
                    i += 1;
                }
                words.push(Word {
                    text: b[start..i].iter().collect(),
                    col,
                    quoted: true,
                });
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && !b[i].is_whitespace() && b[i] != '{' && b[i] != '}' {
                i += 1;
            }
            words.push(Word {
                text: b[start..i].iter().collect(),
                col,
                quoted: false,
            });
        }
        // Braces become lines of their own.
        let mut cur: Vec<Word> = Vec::new();
        let flush = |cur: &mut Vec<Word>, out: &mut Vec<Line>| {
            if cur.is_empty() {
                return;
            }
            let first = cur[0].col as usize - 1;
            let rawtxt: String = raw.chars().skip(first).collect();
            let rawtxt = rawtxt
                .split(['{', '}'])
                .next()
                .unwrap_or("")
                .trim_end()
                .to_string();
            out.push(Line {
                span: Span::new(file.clone(), n as u32 + 1, cur[0].col),
                words: std::mem::take(cur).into(),
                raw: rawtxt.into(),
            });
        };
        for w in words {
            if (w.text == "{" || w.text == "}") && !w.quoted {
                flush(&mut cur, &mut out);
                out.push(Line {
                    span: Span::new(file.clone(), n as u32 + 1, w.col),
                    words: vec![w.clone()].into(),
                    raw: w.text.clone(),
                });
            } else {
                cur.push(w);
            }
        }
        flush(&mut cur, &mut out);
    }
    out
}

struct Run {
    cfg: Config,
    diags: Vec<Diag>,
    aborted: Option<i32>,
}

fn run_with(text: &str, host: &FakeHost) -> Run {
    let ls = lines(text);
    let mut p = Parser::from_lines(ls, host, true);
    p.process_stream(parser::root(), false, 0);
    p.finish_input();
    if p.aborted.is_none() {
        lvs::validate(&mut p);
    }
    Run {
        cfg: p.cfg,
        diags: p.diags,
        aborted: p.aborted,
    }
}

fn run(text: &str) -> Run {
    run_with(text, &FakeHost::default())
}

/// Messages that count for the verdict, as `(line or 0, text)`.
fn msgs(r: &Run) -> Vec<String> {
    r.diags
        .iter()
        .filter(|d| matches!(d.level, Level::Keepalived(_)))
        .map(|d| d.message.clone())
        .collect()
}

fn has(r: &Run, m: &str) -> bool {
    r.diags.iter().any(|d| d.message == m)
}

fn cat_of(r: &Run, m: &str) -> Option<Category> {
    r.diags
        .iter()
        .find(|d| d.message == m)
        .and_then(|d| match d.level {
            Level::Keepalived(c) => Some(c),
            _ => None,
        })
}

/// The config above checked with keepalived 2.2.7 `-t` (exit 5); its
/// stderr is the expected list below, in order.
#[test]
fn mixed_errors_match_keepalived() {
    let r = run(r#"virtual_server_group G1 {
  10.0.0.1 80
  10.0.0.5-10 80
  fwmark 5
}
virtual_server 192.0.2.1 80 {
  lb_kind DR foo
  lb_algo bogus
  hashed
  persistence_timeout 0
  persistence_granularity 1.2.3.999
  quorum 5
  real_server 192.0.2.10 8080 {
    weight 2
    TCP_CHECK {
      bindto fe80::1
      connect_port 0
    }
    HTTP_GET {
      nb_get_retry 3
      url {
        digest 0123456789abcdefg123456789abcdef
        status_code 200-199 abc 404
      }
    }
    MISC_CHECK {
      user nosuchuser
      retry 3
    }
  }
  real_server 192.0.2.10 8080 {
  }
}
virtual_server fwmark 1 {
  protocol TCP
  real_server 192.0.2.11 80 {
  }
}
"#);
    let expected = [
        "Invalid tunnel option foo for virtual server.",
        "Invalid lvs_scheduler 'bogus' - ignoring",
        "hashed only applies to sh scheduler - ignoring",
        "number '0' outside range [1, 2678400]",
        "persistence_timeout invalid",
        "Invalid IPv4 persistence_granularity specified - 1.2.3.999",
        "bindto address fe80::1 does not match address family of connect_ip - skipping",
        "number '0' outside range [1, 65535]",
        "Invalid checker connect_port '0'",
        "nb_get_retry is deprecated - please use 'retry'",
        "Unable to interpret hex digit in '0123456789abcdefg1' at offset 16/17",
        "Invalid HTTP_GET status code '200-199'",
        "Invalid HTTP_GET status code 'abc'",
        "HTTP/SSL_GET checker url has no path - ignoring",
        "HTTP/SSL_GET checker has no urls specified - ignoring",
        "Failed to set uid/gid for misc checker script  - removing",
        "Virtual server [192.0.2.1]:none:80: no protocol set - defaulting to UDP",
        "Virtual server [192.0.2.1]:udp:80: no scheduler set, setting default 'wlc'",
        "VS [192.0.2.1]:udp:80: real server [192.0.2.10]:udp:8080 is duplicated - removing second rs",
        "Warning - quorum 5 for [192.0.2.1]:udp:80 exceeds total weight of real servers 2, reducing quorum to 2",
        "WARNING - virtual server [192.0.2.1]:udp:80 and real server [192.0.2.10]:udp:8080 ports don't match - resetting",
        "Warning: Virtual server FWM 1: protocol specified for fwmark - protocol will be ignored",
        "Virtual server FWM 1: no scheduler set, setting default 'wlc'",
        "Virtual server FWM 1: no forwarding method set, setting default NAT",
    ];
    assert_eq!(msgs(&r), expected);
    assert_eq!(r.aborted, None);
    let vs = &r.cfg.virtual_servers[0];
    assert_eq!(vs.lb_kind, Some(Forwarding::Dr));
    assert_eq!(vs.quorum, 2);
    assert_eq!(vs.real_servers.len(), 1);
    let rs = &vs.real_servers[0];
    assert_eq!(rs.port, 80);
    assert_eq!(rs.weight, Some(2));
    // TCP_CHECK kept; HTTP_GET (no url) and MISC_CHECK (bad user) dropped.
    assert_eq!(rs.checkers.len(), 1);
    assert_eq!(rs.checkers[0].kind, CheckerKind::Tcp);
    let g = &r.cfg.virtual_server_groups[0];
    assert_eq!(g.entries.len(), 3);
    assert_eq!(
        g.entries[1],
        VsgEntry::Range {
            first: "10.0.0.5".parse().unwrap(),
            last: "10.0.0.10".parse().unwrap(),
            port: 80
        }
    );
    assert_eq!(r.cfg.virtual_servers[1].addr, VsAddr::Fwmark { mark: 1 });
    assert_eq!(r.cfg.virtual_servers[1].protocol, None);
}

/// keepalived 2.2.7 aborts (exit 2) on a group with words after its name.
#[test]
fn vsg_extra_words_abort() {
    let r = run("virtual_server_group G1 extra {\n 10.0.0.1 80\n}\n");
    assert_eq!(r.aborted, Some(2));
    // Only the first message matters: keepalived stops there.
    assert_eq!(
        msgs(&r)[0],
        "*** Configuration line starting `***MISSING ***` is missing a parameter at word position 1"
    );
}

#[test]
fn typed_values_are_stored() {
    let r = run(r#"SSL {
  password secret
  ca /etc/ca.pem
}
virtual_server 2001:db8::1 443 {
  delay_loop 2.5
  lb_algo sh
  sh-port
  lvs_method TUN type gue port 6080 csum
  protocol tcp
  persistence_timeout
  quorum 1
  hysteresis 0
  alpha
  omega
  sorry_server 2001:db8::99 443
  real_server 2001:db8::10 443 {
    weight 7
    inhibit_on_failure
    SSL_GET {
      connect_timeout 3
      url {
        path /health
        digest 0123456789ABCDEF0123456789abcdef
        status_code 200 301-302
        regex "ok.*"
      }
    }
    DNS_CHECK {
      type aaaa
      name example.org
    }
    UDP_CHECK {
      payload 01 02 ab
      require_reply 01 xx
      min_reply_length 2
    }
    SMTP_CHECK {
      helo_name mx.example.org
    }
  }
}
"#);
    assert_eq!(msgs(&r), Vec::<String>::new());
    let ssl = r.cfg.ssl.as_ref().unwrap();
    assert_eq!(ssl.password.as_deref(), Some("secret"));
    let vs = &r.cfg.virtual_servers[0];
    assert_eq!(vs.delay_loop, 2_500_000);
    assert_eq!(vs.lb_algo.as_deref(), Some("sh"));
    assert_eq!(vs.opts().flags, ["sh-port"]);
    assert_eq!(
        vs.lb_kind,
        Some(Forwarding::Tun {
            kind: Some(TunType::Gue),
            port: Some(6080),
            csum: Some(TunCsum::Csum)
        })
    );
    assert_eq!(vs.protocol, Some(Protocol::Tcp));
    assert_eq!(vs.persistence_timeout, Some(360));
    assert!(vs.alpha && vs.omega);
    let rs = &vs.real_servers[0];
    assert_eq!(rs.weight, Some(7));
    assert_eq!(rs.inhibit_on_failure, Some(true));
    let ssl_get = &rs.checkers[0];
    assert_eq!(ssl_get.kind, CheckerKind::SslGet);
    assert_eq!(ssl_get.conn.connect_timeout, Some(3_000_000));
    let u = &ssl_get.ext().urls[0];
    assert_eq!(u.path.as_deref(), Some("/health"));
    assert_eq!(
        u.digest.as_deref(),
        Some("0123456789abcdef0123456789abcdef")
    );
    assert_eq!(u.status_codes, [(200, 200), (301, 302)]);
    assert_eq!(u.regex.as_deref(), Some("ok.*"));
    assert_eq!(rs.checkers[1].ext().dns_type.as_deref(), Some("AAAA"));
    assert_eq!(
        rs.checkers[1].ext().dns_name.as_deref(),
        Some("example.org")
    );
    assert_eq!(rs.checkers[1].retry, Some(3));
    assert_eq!(
        rs.checkers[2].ext().udp_payload.as_deref(),
        Some("01 02 ab")
    );
    assert_eq!(
        rs.checkers[3].ext().helo_name.as_deref(),
        Some("mx.example.org")
    );
    // Checker timing defaults come from the real/virtual server.
    assert_eq!(ssl_get.delay_loop, Some(2_500_000));
    assert_eq!(ssl_get.delay_before_retry, Some(3_000_000));
}

/// Missing parameters where keepalived's handler reads the word
/// unconditionally stop parsing with exit code 2.
#[test]
fn missing_parameter_aborts() {
    for kw in [
        "lb_algo",
        "protocol",
        "delay_loop",
        "quorum",
        "sorry_server",
    ] {
        let r = run(&format!("virtual_server 10.0.0.1 80 {{\n {kw}\n}}\n"));
        assert_eq!(r.aborted, Some(2), "{kw}");
        assert_eq!(
            cat_of(&r, &msgs(&r)[0]),
            Some(Category::MissingParameter),
            "{kw}"
        );
    }
    let r = run(
        "virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.0.2 80 {\n HTTP_GET {\n url {\n path\n}\n}\n}\n}\n",
    );
    assert_eq!(r.aborted, Some(2));
    // Optional parameters do not abort.
    let r = run("virtual_server 10.0.0.1 80 {\n virtualhost\n persistence_timeout\n}\n");
    assert_eq!(r.aborted, None);
    assert!(has(&r, "virtual server virtualhost missing"));
}

#[test]
fn forwarding_method_errors() {
    let r = run(
        "virtual_server 10.0.0.1 80 {\n lb_kind FOO\n lvs_method TUN type gue\n sorry_server_lvs_method DR\n protocol TCP\n real_server 10.0.0.2 80 {\n lvs_method TUN csum\n}\n}\n",
    );
    assert_eq!(
        msgs(&r),
        [
            "PARSER : unknown [FOO] routing method for virtual server.",
            "gue tunnels require port, otherwise cannot have port.",
            "sorry_server forwarding used without sorry_server",
            "ipip tunnels do not support checksum option.",
            "Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'",
        ]
    );
}

#[test]
fn misc_check_script_and_security() {
    let mut host = FakeHost::default();
    host.files.insert(
        "/".into(),
        FileStat {
            uid: 0,
            gid: 0,
            mode: 0o755,
            is_dir: true,
            is_regular: false,
        },
    );
    host.files.insert(
        "/bin".into(),
        FileStat {
            uid: 0,
            gid: 0,
            mode: 0o755,
            is_dir: true,
            is_regular: false,
        },
    );
    host.files.insert(
        "/bin/true".into(),
        FileStat {
            uid: 0,
            gid: 0,
            mode: 0o755,
            is_dir: false,
            is_regular: true,
        },
    );
    let conf = "virtual_server 10.0.0.1 80 {\n lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 10.0.0.2 80 {\n MISC_CHECK {\n misc_path \"/bin/true -x\"\n misc_timeout 5\n misc_dynamic\n}\n MISC_CHECK {\n misc_timeout 5\n}\n}\n}\n";
    let r = run_with(conf, &host);
    assert_eq!(
        msgs(&r),
        [
            "No script path has been specified for MISC_CHECKER - skipping",
            "SECURITY VIOLATION - check scripts are being executed but script_security not enabled.",
        ]
    );
    assert_eq!(
        cat_of(
            &r,
            "SECURITY VIOLATION - check scripts are being executed but script_security not enabled."
        ),
        Some(Category::SecurityError)
    );
    let c = &r.cfg.virtual_servers[0].real_servers[0].checkers[0];
    assert_eq!(
        c.ext().misc_path.as_ref().unwrap().args,
        ["/bin/true", "-x"]
    );
    assert_eq!(c.ext().misc_timeout, Some(5_000_000));
    assert!(c.ext().misc_dynamic);
    // A script that does not exist is disabled, no violation.
    let r = run(conf);
    assert!(!msgs(&r).iter().any(|m| m.starts_with("SECURITY")));
    assert!(r.cfg.virtual_servers[0].real_servers[0].checkers.is_empty());
}

#[test]
fn vs_validation_messages() {
    let r = run(
        "virtual_server 10.0.0.1 0 {\n lb_algo rr\n ops\n protocol TCP\n hysteresis 3\n ha_suspend\n real_server 10.0.0.2 80 {\n}\n}\nvirtual_server 10.0.0.9 80 {\n}\nvirtual_server group NOPE {\n real_server 10.0.0.2 80 {\n}\n}\n",
    );
    assert_eq!(
        msgs(&r),
        [
            "Virtual server [10.0.0.1]:tcp:0: one packet scheduling requires UDP - resetting",
            "Virtual server [10.0.0.1]:tcp:0: zero port only valid for persistent services - setting",
            "Virtual server [10.0.0.1]:tcp:0: no forwarding method set, setting default NAT",
            "Virtual server [10.0.0.1]:tcp:0: hysteresis 3 >= quorum 1; setting hysteresis to 0",
            "Virtual server [10.0.0.9]:none:80 has no real servers - ignoring",
        ]
    );
    assert!(has(
        &r,
        "Virtual server group NOPE specified but not configured - ignoring virtual server [NOPE]:0"
    ));
}

#[test]
fn address_and_family_errors() {
    let r = run(
        "virtual_server 10.0.0.300 80 {\n lb_algo rr\n}\nvirtual_server 10.0.0.1 80 {\n protocol UDP\n lb_algo rr\n lb_kind NAT\n sorry_server 2001:db8::1 80\n real_server 2001:db8::2 80 {\n}\n real_server 10.0.0.2 80 {\n}\n real_server 10.0.0.3 bad {\n}\n}\n",
    );
    assert_eq!(
        msgs(&r),
        [
            "Invalid virtual server IP address/port 10.0.0.300/80 - skipping",
            "Address family of virtual server and real server 2001:db8::2 don't match - skipping real server.",
            "invalid number 'bad'",
            "Invalid real server ip address/port 10.0.0.3/bad - skipping",
            "Address family of virtual server and sorry server 2001:db8::1 don't match - skipping sorry server.",
        ]
    );
}

/// Smoke run over the shared real-world corpus when present (not part of
/// the repository): no handler may panic on real configurations.
#[test]
#[ignore]
fn corpus_does_not_panic() {
    let dir = std::env::var("LVS_CORPUS").unwrap_or_else(|_| "/work/shared/corpus/wild".into());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for e in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        if !text.contains("virtual_server") {
            continue;
        }
        let r = run(&text);
        for m in msgs(&r)
            .iter()
            .filter(|m| m.contains("irtual server") || m.contains("real server"))
        {
            println!("{}: {m}", e.path().display());
        }
    }
}

/// The checker applies every `lvs_sync_daemon` option and tells
/// `lvs_flush_on_stop` from `lvs_flush_on_stop VS`, so the parser keeps them.
#[test]
fn lvs_sync_daemon_options_and_flush_on_stop_kind_are_kept() {
    let r = run("global_defs {
lvs_sync_daemon eth0 inst VI_1 id 9 maxlen 1400 port 8849 ttl 3 group 224.0.0.82
lvs_flush_on_stop VS
}");
    assert!(msgs(&r).is_empty(), "{:?}", msgs(&r));
    let sd = r
        .cfg
        .global
        .lvs_sync_daemon
        .clone()
        .expect("lvs_sync_daemon");
    assert_eq!(sd.interface, "eth0");
    assert_eq!(sd.vrrp_instance.as_deref(), Some("VI_1"));
    assert_eq!(
        (sd.id, sd.maxlen, sd.port, sd.ttl),
        (Some(9), Some(1400), Some(8849), Some(3))
    );
    assert_eq!(sd.group, Some("224.0.0.82".parse().unwrap()));
    assert!(r.cfg.global.lvs_flush_on_stop && r.cfg.global.lvs_flush_on_stop_vs);
    let r = run("global_defs {\nlvs_flush_on_stop\n}");
    assert!(r.cfg.global.lvs_flush_on_stop && !r.cfg.global.lvs_flush_on_stop_vs);
}

/// keepalived 2.2.7 resets a DR/TUN real server's port to the virtual
/// server's (clears it on fwmark) for IPVS only: its checkers still probe the
/// port as written, unless they name a `connect_port` (found by the IPVS
/// differential test, `tests/checker_vm/differential.rs`).
#[test]
fn dr_port_reset_keeps_the_checked_port() {
    let r = run(
        "virtual_server 192.0.2.1 80 {\n lb_kind DR\n protocol TCP\n real_server 127.0.0.2 8080 {\n  TCP_CHECK {\n  }\n  HTTP_GET {\n   url {\n    path /\n   }\n   connect_port 9000\n  }\n }\n}\nvirtual_server fwmark 7 {\n lb_kind TUN\n real_server 127.0.0.3 8081 {\n  TCP_CHECK {\n  }\n }\n}\nvirtual_server 192.0.2.2 80 {\n lb_kind NAT\n protocol TCP\n real_server 127.0.0.4 8082 {\n  TCP_CHECK {\n  }\n }\n}\n",
    );
    let ports = |vs: usize| {
        let rs = &r.cfg.virtual_servers[vs].real_servers[0];
        let ck: Vec<Option<u16>> = rs.checkers.iter().map(|c| c.conn.connect_port).collect();
        (rs.port, ck)
    };
    assert_eq!(ports(0), (80, vec![Some(8080), Some(9000)]));
    assert_eq!(ports(1), (0, vec![Some(8081)]));
    // NAT keeps its port, so nothing is pinned
    assert_eq!(ports(2), (8082, vec![None]));
}
