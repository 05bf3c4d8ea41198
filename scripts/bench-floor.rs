//! A bare TCP_CHECK, for `scripts/bench-checker.sh --floor`: a checker that
//! makes only the system calls one check needs (socket, connect, one epoll
//! registration, getsockopt SO_ERROR, close: keepalived's packets, nothing
//! else), paced at RATE checks a second (0: as fast as it can, up to 900 in
//! flight) over the benchmark's real servers. Its CPU per check is about
//! what the kernel charges a checker for those packets on loopback: all but
//! a few percent is kernel time. (How a checker batches its connects still
//! moves that by some tens of percent: keepalived, with thousands in flight
//! where this keeps 900, went below it in one run.) std only (the few libc
//! calls are declared here), so the script builds it with a bare `rustc -O`.
//!
//! Usage: bench-floor NVS RATE WARMUP_S WINDOW_S [rst]
//! (`rst`: close with a reset, SO_LINGER 0, instead of keepalived's FIN —
//! not what real servers get from keepalived; only to see what it saves)
//! Prints: FLOOR checks=N failed=F user_s=U sys_s=S ms_per_check=M
//! (over the window, after the warm-up).

use std::time::Instant;

#[repr(C, packed)]
struct EpollEvent {
    events: u32,
    data: u64,
}

#[repr(C)]
struct SockaddrIn {
    family: u16,
    port: u16,
    addr: [u8; 4],
    zero: [u8; 8],
}

#[repr(C)]
struct Rusage {
    utime: [i64; 2],
    stime: [i64; 2],
    rest: [i64; 14],
}

unsafe extern "C" {
    fn socket(domain: i32, ty: i32, proto: i32) -> i32;
    fn connect(fd: i32, addr: *const SockaddrIn, len: u32) -> i32;
    fn close(fd: i32) -> i32;
    fn epoll_create1(flags: i32) -> i32;
    fn epoll_ctl(ep: i32, op: i32, fd: i32, ev: *mut EpollEvent) -> i32;
    fn epoll_wait(ep: i32, evs: *mut EpollEvent, max: i32, timeout_ms: i32) -> i32;
    fn getsockopt(fd: i32, level: i32, name: i32, val: *mut i32, len: *mut u32) -> i32;
    fn setsockopt(fd: i32, level: i32, name: i32, val: *const [i32; 2], len: u32) -> i32;
    fn getrusage(who: i32, usage: *mut Rusage) -> i32;
    fn __errno_location() -> *mut i32;
}

const SOCK_STREAM_NONBLOCK_CLOEXEC: i32 = 1 | 0o4000 | 0o2000000;
const EINPROGRESS: i32 = 115;
/// Kept under the default 1,024 open files.
const MAX_IN_FLIGHT: usize = 900;

fn cpu() -> (f64, f64) {
    let mut r = Rusage {
        utime: [0; 2],
        stime: [0; 2],
        rest: [0; 14],
    };
    unsafe { getrusage(0, &mut r) };
    let s = |t: [i64; 2]| t[0] as f64 + t[1] as f64 / 1e6;
    (s(r.utime), s(r.stime))
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| -> f64 {
        a.get(i)
            .and_then(|s| s.parse().ok())
            .expect("usage: bench-floor NVS RATE WARMUP_S WINDOW_S")
    };
    let (nvs, rate, warm, window) = (num(0) as usize, num(1), num(2), num(3));
    let rst = a.get(4).is_some_and(|s| s == "rst");
    // The benchmark's real servers: RS j of VS n is 127.(1+n/250).(n%250).(j+1):800j.
    let targets: Vec<SockaddrIn> = (0..nvs * 4)
        .map(|k| {
            let (n, j) = (k / 4, k % 4);
            SockaddrIn {
                family: 2,
                port: (8000 + j as u16).to_be(),
                addr: [127, (1 + n / 250) as u8, (n % 250) as u8, (j + 1) as u8],
                zero: [0; 8],
            }
        })
        .collect();
    let ep = unsafe { epoll_create1(0o2000000) };
    assert!(ep >= 0, "epoll_create1");
    let mut evs: Vec<EpollEvent> = (0..512).map(|_| EpollEvent { events: 0, data: 0 }).collect();
    let (mut started, mut in_flight, mut next) = (0u64, 0usize, 0usize);
    let (mut done, mut failed) = (0u64, 0u64);
    let t0 = Instant::now();
    let mut mark: Option<(u64, u64, (f64, f64))> = None;
    loop {
        let elapsed = t0.elapsed().as_secs_f64();
        if mark.is_none() && elapsed >= warm {
            mark = Some((done, failed, cpu()));
        }
        if elapsed >= warm + window {
            break;
        }
        let due = if rate > 0.0 {
            (elapsed * rate) as u64
        } else {
            u64::MAX
        };
        while started < due && in_flight < MAX_IN_FLIGHT {
            started += 1;
            let t = &targets[next];
            next = (next + 1) % targets.len();
            let fd = unsafe { socket(2, SOCK_STREAM_NONBLOCK_CLOEXEC, 6) };
            if fd < 0 {
                failed += 1;
                continue;
            }
            let r = unsafe { connect(fd, t, std::mem::size_of::<SockaddrIn>() as u32) };
            if r < 0 && unsafe { *__errno_location() } == EINPROGRESS {
                let mut ev = EpollEvent {
                    events: 4, // EPOLLOUT (errors and hang-ups are always reported)
                    data: fd as u64,
                };
                if unsafe { epoll_ctl(ep, 1, fd, &mut ev) } == 0 {
                    in_flight += 1;
                    continue;
                }
            }
            // finished (or failed) at once
            if r == 0 {
                done += 1;
            } else {
                failed += 1;
            }
            unsafe { close(fd) };
        }
        let n = unsafe { epoll_wait(ep, evs.as_mut_ptr(), evs.len() as i32, 1) };
        for ev in evs.iter().take(n.max(0) as usize) {
            let fd = ev.data as i32;
            let (mut err, mut len) = (0i32, 4u32);
            unsafe { getsockopt(fd, 1, 4, &mut err, &mut len) }; // SO_ERROR
            if err == 0 {
                done += 1;
            } else {
                failed += 1;
            }
            if rst {
                unsafe { setsockopt(fd, 1, 13, &[1, 0], 8) }; // SO_LINGER {on, 0 s}
            }
            unsafe { close(fd) };
            in_flight -= 1;
        }
    }
    let (d0, f0, (u0, s0)) = mark.expect("window after the warm-up");
    let (u1, s1) = cpu();
    let checks = done - d0;
    println!(
        "FLOOR checks={checks} failed={} user_s={:.2} sys_s={:.2} ms_per_check={:.3}",
        failed - f0,
        u1 - u0,
        s1 - s0,
        if checks > 0 {
            (u1 - u0 + s1 - s0) * 1000.0 / checks as f64
        } else {
            f64::NAN
        }
    );
}
