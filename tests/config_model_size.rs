// A counting global allocator is the only way to measure the model's live
// heap from inside the process; `GlobalAlloc` is an unsafe trait, so this
// test binary (and only it) allows unsafe code, in the two forwarding
// methods below.
#![allow(unsafe_code)]
//! The configuration model stays small for large LVS configurations: the
//! checker child keeps the parsed `Config` for its whole life, and
//! benchmark-shaped configurations have tens of thousands of real servers
//! and checkers. Rarely set settings live in lazily allocated boxes
//! (`VirtualServer::opts`, `RealServer::opts`, `Checker::ext`,
//! `ConnOpts::ext`); this test fails when a change makes the inline
//! structs grow or makes every server allocate its box again.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use keepalived::config::model::{Checker, RealServer, VirtualServer};
use keepalived::config::{self, LoadOptions};
use keepalived::sys::host::{FsSource, LiveHost};

/// Forwards to the system allocator and keeps the bytes currently allocated.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counter has no effect on the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Relaxed);
        // SAFETY: the caller's layout is passed on as received.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        // SAFETY: `p` was allocated by `System` with this layout.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Virtual servers in the generated configuration (4 real servers each).
const NVS: usize = 500;
const RS_PER_VS: usize = 4;

/// Live heap bytes of the loaded `Config` per real server: measured at 266
/// (it was 740 before the rarely set settings were boxed; for the
/// 10,000-real-server benchmark configuration, 2.9 MB live after
/// `config::load` instead of 7.4 MB); the bound leaves ~10 %.
const MAX_BYTES_PER_RS: usize = 290;

/// The benchmark's configuration (scripts/bench-checker.sh), `nvs` virtual
/// servers of 4 real servers, each with a TCP_CHECK.
fn bench_conf(nvs: usize) -> String {
    let mut s = String::from("global_defs {\n  router_id bench\n}\n");
    for n in 0..nvs {
        let _ = write!(
            s,
            "virtual_server 192.0.2.{} {} {{\n delay_loop 1\n lb_algo rr\n lb_kind NAT\n protocol TCP\n",
            n % 250 + 1,
            1000 + n / 250
        );
        for j in 0..RS_PER_VS {
            let port = if n == 0 && j == 0 { 9000 } else { 8000 + j };
            let _ = write!(
                s,
                " real_server 127.{}.{}.{} {port} {{\n  TCP_CHECK {{\n   connect_timeout 3\n   retry 1\n   delay_before_retry 1\n  }}\n }}\n",
                1 + n / 250,
                n % 250,
                j + 1
            );
        }
        s.push_str("}\n");
    }
    s
}

/// One test, so no other test thread allocates while the heap is counted.
#[test]
fn model_stays_small_for_large_lvs_configurations() {
    // The inline structs: one of each per virtual server, real server and
    // checker (they were 456, 288 and 264 bytes).
    assert!(
        size_of::<VirtualServer>() <= 160,
        "VirtualServer is {} bytes",
        size_of::<VirtualServer>()
    );
    assert!(
        size_of::<RealServer>() <= 96,
        "RealServer is {} bytes",
        size_of::<RealServer>()
    );
    assert!(
        size_of::<Checker>() <= 128,
        "Checker is {} bytes",
        size_of::<Checker>()
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keepalived.conf");
    std::fs::write(&path, bench_conf(NVS)).unwrap();
    let path = path.to_str().unwrap().to_string();
    let host = LiveHost { config_id: None };

    let before = LIVE.load(Relaxed);
    let cfg = config::load(&path, &FsSource, &host, &LoadOptions::default()).config;
    let live = LIVE.load(Relaxed).saturating_sub(before);

    // The configuration was read whole: the figure is about a full model.
    assert_eq!(cfg.virtual_servers.len(), NVS);
    let nrs: usize = cfg
        .virtual_servers
        .iter()
        .map(|v| v.real_servers.len())
        .sum();
    assert_eq!(nrs, NVS * RS_PER_VS);
    assert!(cfg.virtual_servers.iter().all(|v| v.opts.is_none()));
    for rs in cfg.virtual_servers.iter().flat_map(|v| &v.real_servers) {
        assert!(rs.opts.is_none());
        assert_eq!(rs.checkers.len(), 1);
        let c = &rs.checkers[0];
        assert!(c.ext.is_none() && c.conn.ext.is_none());
        // The effective timings are on the checker, as keepalived has them.
        assert_eq!(c.conn.connect_timeout, Some(3_000_000));
        assert_eq!((c.retry, c.delay_before_retry), (Some(1), Some(1_000_000)));
        assert_eq!((c.delay_loop, c.warmup), (Some(1_000_000), Some(1_000_000)));
    }

    let per_rs = live / nrs;
    eprintln!(
        "model: {live} bytes live for {nrs} real servers ({per_rs} per real server); \
         sizes: VirtualServer {}, RealServer {}, Checker {}",
        size_of::<VirtualServer>(),
        size_of::<RealServer>(),
        size_of::<Checker>()
    );
    assert!(
        per_rs <= MAX_BYTES_PER_RS,
        "{per_rs} bytes live per real server (bound {MAX_BYTES_PER_RS})"
    );
    drop(cfg);
}
