//! Real servers for scripts/bench-checker.sh: accepts and closes connections
//! on every port given, on all IPv4 addresses (so 127.x.y.z all answer), and
//! rewrites COUNT_FILE with the total accepted once a second. std only, so
//! the script builds it with a bare `rustc -O`.
//!
//! Usage: bench-listener COUNT_FILE PORT...

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().expect("usage: bench-listener COUNT_FILE PORT...");
    let count = Arc::new(AtomicU64::new(0));
    for port in args {
        let l = TcpListener::bind(format!("0.0.0.0:{port}")).expect("bind");
        let c = count.clone();
        std::thread::spawn(move || {
            for s in l.incoming() {
                if s.is_ok() {
                    c.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let _ = std::fs::write(&file, format!("{}\n", count.load(Ordering::Relaxed)));
    }
}
