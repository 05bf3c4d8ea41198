//! `-d` prints the model as canonical keepalived.conf; reading that text
//! again must give the same model. Checked as a fixpoint (dump, re-read,
//! dump again: identical text) on every corpus configuration, on our
//! examples, and on generated configurations (proptest).

use std::path::{Path, PathBuf};

use keepalived::config::dump::dump;
use keepalived::config::fake::{FakeHost, MemSource};
use keepalived::config::{LoadOptions, load};
use keepalived::sys::host::FsSource;
use proptest::prelude::*;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");

fn opts() -> LoadOptions {
    let mut o = LoadOptions {
        config_test: true,
        ..Default::default()
    };
    o.lex.config_id = "lb1".into();
    o
}

/// Dump of the text read back from memory.
fn redump(text: &str) -> String {
    let src = MemSource::new().with("/dump.conf", text);
    let host = FakeHost::default();
    dump(&load("/dump.conf", &src, &host, &opts()).config)
}

fn configs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            configs(&p, out);
        } else if !p.to_string_lossy().ends_with(".tsv")
            && !p.to_string_lossy().contains("service.d")
        {
            out.push(p);
        }
    }
}

#[test]
fn dump_is_a_fixpoint_on_every_corpus_file() {
    let mut files = Vec::new();
    configs(Path::new(CORPUS), &mut files);
    configs(Path::new(EXAMPLES), &mut files);
    files.retain(|p| p.extension().is_none_or(|e| e != "rs"));
    assert!(files.len() > 200, "corpus not found at {CORPUS}");
    let host = FakeHost::default();
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in &files {
        // Only configurations keepalived would run have a fully checked
        // model; the others stop half-way (missing interface, exit 2...).
        let loaded = load(&f.to_string_lossy(), &FsSource, &host, &opts());
        if !loaded.runnable {
            continue;
        }
        checked += 1;
        let first = dump(&loaded.config);
        let second = redump(&first);
        if first != second {
            let third = redump(&second);
            failures.push(format!(
                "{}: dump changes when read back{}",
                f.display(),
                if second == third { " (once)" } else { "" }
            ));
            if failures.len() == 1 {
                for (a, b) in first.lines().zip(second.lines()) {
                    if a != b {
                        eprintln!("first difference in {}:\n  {a}\n  {b}", f.display());
                        break;
                    }
                }
            }
        }
    }
    eprintln!(
        "dump fixpoint checked on {checked} runnable configurations of {}",
        files.len()
    );
    assert!(checked > 100, "too few runnable configurations: {checked}");
    assert!(
        failures.is_empty(),
        "{} of {checked} files:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn dump_of_an_example_reads_back_without_diagnostics() {
    let path = format!("{EXAMPLES}/lvs-dr.conf");
    let host = FakeHost::default();
    let text = dump(&load(&path, &FsSource, &host, &opts()).config);
    let src = MemSource::new().with("/dump.conf", &text);
    let again = load("/dump.conf", &src, &host, &opts());
    let counted: Vec<_> = again
        .diags
        .iter()
        .filter(|d| matches!(d.level, keepalived::config::diag::Level::Keepalived(_)))
        .collect();
    assert!(counted.is_empty(), "{counted:#?}\n{text}");
    assert!(text.contains("virtual_server 203.0.113.10 80 {"), "{text}");
    assert!(text.contains("lb_kind DR"), "{text}");
}

/// The real server block of the first virtual server in a dump.
fn rs_block(text: &str) -> &str {
    let start = text.find("    real_server").expect(text);
    let end = start + text[start..].find("\n    }\n").expect(text);
    &text[start..end]
}

/// The model keeps a real server's timings as written; once validated, the
/// dump shows the ones it inherits from its virtual server, as keepalived
/// copies them into the real server (retry/warmup from the virtual server,
/// connect_timeout 5 s by default, delay_loop the virtual server's).
#[test]
fn dump_shows_a_real_servers_inherited_timings_once_validated() {
    let conf = "virtual_server 192.0.2.1 80 {\n delay_loop 3\n lb_kind NAT\n protocol TCP\n retry 4\n warmup 2\n real_server 192.0.2.10 80 {\n  delay_before_retry 1\n  TCP_CHECK\n }\n}\n";
    let text = redump(conf);
    assert_eq!(
        rs_block(&text),
        "    real_server 192.0.2.10 80 {\n        weight 1\n        lvs_method NAT\n        inhibit_on_failure false\n        alpha false\n        retry 4\n        delay_before_retry 1\n        warmup 2\n        connect_timeout 5\n        delay_loop 3\n        smtp_alert true\n        TCP_CHECK {\n            connect_timeout 5\n            retry 4\n            delay_before_retry 1\n            warmup 2\n            delay_loop 3\n            alpha false\n        }",
        "{text}"
    );
    // A missing parameter stops the read before validation: only what was
    // written (and the method taken from the virtual server) is shown.
    let aborted = conf.replace("  TCP_CHECK\n", "  TCP_CHECK\n  connect_timeout\n");
    let text = redump(&aborted);
    assert_eq!(
        rs_block(&text),
        "    real_server 192.0.2.10 80 {\n        lvs_method NAT\n        delay_before_retry 1\n        TCP_CHECK {\n        }",
        "{text}"
    );
}

/// A small generated VRRP + LVS configuration.
fn arb_config() -> impl Strategy<Value = String> {
    (
        1u8..=255,
        1u8..=255,
        prop::bool::ANY,
        1u32..=10,
        prop::collection::vec((1u8..=254, 0u8..=32), 1..4),
        prop::sample::select(vec!["rr", "wrr", "lc", "wlc", "sh", "dh"]),
        prop::sample::select(vec!["NAT", "DR", "TUN"]),
        prop::collection::vec((1u8..=254, 1u16..=65535, 0u32..=100), 1..4),
        prop::option::of(1u32..=3600),
    )
        .prop_map(|(vrid, prio, nopreempt, adv, vips, algo, kind, rss, persist)| {
            let mut s = String::from("global_defs {\n router_id gen\n}\n");
            s += &format!(
                "vrrp_instance G {{\n interface eth0\n state BACKUP\n virtual_router_id {vrid}\n priority {prio}\n advert_int {adv}\n{}",
                if nopreempt { " nopreempt\n" } else { "" }
            );
            s += " virtual_ipaddress {\n";
            for (o, p) in &vips {
                s += &format!("  192.0.2.{o}/{p} dev eth0\n");
            }
            s += " }\n}\n";
            s += &format!("virtual_server 198.51.100.1 80 {{\n lb_algo {algo}\n lb_kind {kind}\n protocol TCP\n");
            if let Some(p) = persist {
                s += &format!(" persistence_timeout {p}\n");
            }
            // Distinct addresses: keepalived drops duplicate real servers
            // before it resets DR/TUN ports to the virtual server's, so two
            // servers on one address with different ports become duplicates
            // only after its checks (as in keepalived), and a second reading
            // of the dump then drops one: not a fixpoint by keepalived's own
            // rules.
            let mut seen = std::collections::HashSet::new();
            for (o, port, w) in rss.iter().filter(|(o, _, _)| seen.insert(*o)) {
                s += &format!(
                    " real_server 203.0.113.{o} {port} {{\n  weight {w}\n  TCP_CHECK {{\n   connect_timeout 3\n  }}\n }}\n"
                );
            }
            s += "}\n";
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn generated_configs_dump_to_a_fixpoint(text in arb_config()) {
        let first = redump(&text);
        prop_assert_eq!(redump(&first), first.clone());
        // The dump keeps what matters.
        prop_assert!(first.contains("virtual_router_id"));
        prop_assert!(first.contains("real_server"));
    }
}

#[test]
#[ignore = "debug aid: KA_DUMP_FILE=path cargo test --test config_dump show -- --ignored"]
fn show() {
    let f = std::env::var("KA_DUMP_FILE").unwrap();
    let host = FakeHost::default();
    let first = dump(&load(&f, &FsSource, &host, &opts()).config);
    let second = redump(&first);
    println!("{first}\n=====\n{second}");
}
