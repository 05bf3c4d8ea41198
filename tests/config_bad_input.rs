//! Bad input for the configuration reader: it must never panic, never hang,
//! keep memory bounded and report a clean error instead.
//!
//! The first part replays inputs the fuzzer (`scripts/fuzz.sh`) found, through
//! `config::load` with in-memory fakes exactly as the fuzz target does. The
//! second part runs the real binary with `-t -f` on hostile files and checks
//! it finishes in bounded time with keepalived 2.2.7's exit code.

use keepalived::config::fake::{FakeHost, MemSource};
use keepalived::config::{self, LoadOptions, Loaded};

const MAIN: &str = "/etc/keepalived/keepalived.conf";

/// What `fuzz/fuzz_targets/config_parse.rs` does with its input.
fn load(data: &[u8]) -> Loaded {
    let src = MemSource::new()
        .with(MAIN, data)
        .with(
            "/etc/keepalived/conf.d/a.conf",
            "global_defs {\n router_id a\n}\n",
        )
        .with("/etc/keepalived/conf.d/b.conf", "$B=eth0\n");
    let host = FakeHost::default();
    let mut opts = LoadOptions::default();
    opts.lex.config_id = host.config_id.clone();
    opts.lex.random_seed = Some(1);
    config::load(MAIN, &src, &host, &opts)
}

fn messages(l: &Loaded) -> Vec<String> {
    l.diags.iter().map(|d| d.message.clone()).collect()
}

// ---- Fuzzer findings -------------------------------------------------------

/// Invalid UTF-8 in a long `auth_pass` became U+FFFD (3 bytes) and the cut at
/// 8 bytes fell inside it: panic in `String::truncate`.
#[test]
fn auth_pass_truncated_inside_a_character() {
    let l = load(b"vrrp_instance V {\n authentication {\n  auth_pass xxxxxxx\xb6\xb6\n }\n}\n");
    assert!(
        messages(&l)
            .iter()
            .any(|m| m.contains("Truncating auth_pass to 8 characters")),
        "{:?}",
        messages(&l)
    );
}
