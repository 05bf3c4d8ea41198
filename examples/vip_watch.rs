//! Takeover stopwatch for `scripts/bench-vrrp.sh`: run inside a VRRP
//! backup's network namespace, it watches the wire (VRRP adverts, raw IP
//! protocol 112) and the kernel (address notifications on NETLINK_ROUTE),
//! sends the signal that ends the master itself, and prints how long the
//! backup took to configure the VIP.
//!
//! Why a program rather than polling `ip addr` from the shell: the events
//! are timestamped by one process on one monotonic clock, as they arrive
//! (blocking reads, no polling period), so the figures are good to well
//! under a millisecond; and since it also sees the master's adverts it can
//! report "last advert → VIP", the interval the protocol actually defines
//! (3 × advert_int + skew after the last advert), independent of where in
//! the advert cycle the kill happened.
//!
//! ```text
//! vip_watch takeover --ifname eth0 --vip 192.0.2.200 --master 192.0.2.11 \
//!     --vrid 51 --advert-ms 1000 --signal KILL --pids "PID CHILD…"
//! vip_watch observe --ifname eth0 --seconds 60
//! ```
//!
//! `takeover` waits for `--settle` adverts of the master (failing if the
//! VIP appears or another router advertises the VRID meanwhile), waits a
//! random fraction of an advert interval after the next one (so kills fall
//! at every phase of the cycle), then signals: KILL stops every PID with
//! SIGSTOP first and then SIGKILLs them (nobody in the tree can react, as
//! with a power cut); TERM sends SIGTERM to the first PID only (the daemon's
//! parent, which shuts down gracefully). It prints one line of `key=value`
//! figures in milliseconds.
//!
//! `observe` listens for `--seconds` and prints, per (source, VRID), the
//! number of adverts and the largest gap between two of them: the jitter a
//! backup sees, which is what causes false takeovers under load.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::sys::socket::{
    AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, bind, recv, socket,
};
use nix::unistd::Pid;
use socket2::{Domain, InterfaceIndexOrAddress, Protocol, Socket, Type};

const IPPROTO_VRRP: i32 = 112;
const VRRP_GROUP: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 18);
/// `RTMGRP_IPV4_IFADDR`: IPv4 address added/removed notifications.
const RTMGRP_IPV4_IFADDR: u32 = 0x10;
const RTM_NEWADDR: u16 = 20;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;

/// Something seen, stamped on arrival.
#[derive(Debug, Clone, Copy)]
enum Event {
    Advert {
        at: Instant,
        src: Ipv4Addr,
        vrid: u8,
        prio: u8,
    },
    AddrAdded {
        at: Instant,
        addr: Ipv4Addr,
    },
}

fn usage() -> ! {
    eprintln!(
        "usage: vip_watch takeover --ifname IF --vip A --master A --vrid N --advert-ms MS \
         --signal KILL|TERM --pids \"PID…\" [--settle N] [--timeout-ms MS]\n       \
         vip_watch observe --ifname IF --seconds S"
    );
    std::process::exit(2)
}

/// `--key value` pairs after the mode word.
fn options(args: &[String]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let mut it = args.iter();
    while let Some(k) = it.next() {
        let Some(k) = k.strip_prefix("--") else {
            usage()
        };
        let Some(v) = it.next() else { usage() };
        map.insert(k.to_string(), v.clone());
    }
    map
}

fn get<T: std::str::FromStr>(o: &HashMap<String, String>, k: &str) -> T {
    match o.get(k).map(|v| v.parse()) {
        Some(Ok(v)) => v,
        _ => {
            eprintln!("vip_watch: --{k} missing or invalid");
            usage()
        }
    }
}

/// A raw socket that receives every VRRP packet delivered to this
/// namespace, member of 224.0.0.18 on `ifname` so multicast adverts are
/// delivered even if no daemon here has joined yet.
fn vrrp_socket(ifname: &str) -> std::io::Result<Socket> {
    let s = Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::from(IPPROTO_VRRP)))?;
    let index = nix::net::if_::if_nametoindex(ifname).map_err(std::io::Error::from)?;
    s.join_multicast_v4_n(&VRRP_GROUP, &InterfaceIndexOrAddress::Index(index))?;
    // Room for bursts (255 instances advertise in the same millisecond):
    // the watcher must not lose adverts that the daemons receive.
    s.set_recv_buffer_size(4 << 20)?;
    Ok(s)
}

/// Parses an IPv4 packet carrying a VRRP advert (v2 or v3): source, VRID,
/// priority.
fn parse_advert(pkt: &[u8]) -> Option<(Ipv4Addr, u8, u8)> {
    let ihl = usize::from(*pkt.first()? & 0x0f) * 4;
    if pkt.len() < ihl + 8 || pkt.get(9) != Some(&(IPPROTO_VRRP as u8)) {
        return None;
    }
    let src = Ipv4Addr::new(pkt[12], pkt[13], pkt[14], pkt[15]);
    Some((src, pkt[ihl + 1], pkt[ihl + 2]))
}

fn spawn_vrrp_reader(sock: Socket, tx: mpsc::Sender<Event>) {
    std::thread::spawn(move || {
        let mut sock = sock;
        let mut buf = [0u8; 2048];
        loop {
            let Ok(n) = sock.read(&mut buf) else { return };
            let at = Instant::now();
            if let Some((src, vrid, prio)) = parse_advert(&buf[..n]) {
                if tx
                    .send(Event::Advert {
                        at,
                        src,
                        vrid,
                        prio,
                    })
                    .is_err()
                {
                    return;
                }
            }
        }
    });
}

/// IPv4 addresses added, from the `RTM_NEWADDR` messages in one netlink
/// datagram (`IFA_LOCAL`, else `IFA_ADDRESS`).
fn parse_newaddr(mut buf: &[u8]) -> Vec<Ipv4Addr> {
    let mut out = Vec::new();
    while buf.len() >= 16 {
        let len = u32::from_ne_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
        let kind = u16::from_ne_bytes([buf[4], buf[5]]);
        if len < 16 || len > buf.len() {
            break;
        }
        if kind == RTM_NEWADDR && len >= 24 {
            // nlmsghdr (16) + ifaddrmsg (8), then rtattrs (4-byte aligned).
            let mut attrs = &buf[24..len];
            let (mut local, mut address) = (None, None);
            while attrs.len() >= 4 {
                let alen = usize::from(u16::from_ne_bytes([attrs[0], attrs[1]]));
                let atype = u16::from_ne_bytes([attrs[2], attrs[3]]);
                if alen < 4 || alen > attrs.len() {
                    break;
                }
                if alen == 8 {
                    let a = Ipv4Addr::new(attrs[4], attrs[5], attrs[6], attrs[7]);
                    match atype {
                        IFA_LOCAL => local = Some(a),
                        IFA_ADDRESS => address = Some(a),
                        _ => {}
                    }
                }
                let step = (alen + 3) & !3;
                attrs = &attrs[step.min(attrs.len())..];
            }
            if let Some(a) = local.or(address) {
                out.push(a);
            }
        }
        let step = (len + 3) & !3;
        buf = &buf[step.min(buf.len())..];
    }
    out
}

fn spawn_netlink_reader(tx: mpsc::Sender<Event>) -> nix::Result<()> {
    let fd = socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkRoute,
    )?;
    bind(fd.as_raw_fd(), &NetlinkAddr::new(0, RTMGRP_IPV4_IFADDR))?;
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        loop {
            let Ok(n) = recv(fd.as_raw_fd(), &mut buf, MsgFlags::empty()) else {
                return;
            };
            let at = Instant::now();
            for addr in parse_newaddr(&buf[..n]) {
                if tx.send(Event::AddrAdded { at, addr }).is_err() {
                    return;
                }
            }
        }
    });
    Ok(())
}

fn random_fraction() -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

fn fail(msg: &str) -> ! {
    eprintln!("vip_watch: {msg}");
    std::process::exit(1)
}

fn takeover(o: &HashMap<String, String>) {
    let ifname: String = get(o, "ifname");
    let vip: Ipv4Addr = get(o, "vip");
    let master: Ipv4Addr = get(o, "master");
    let vrid: u8 = get(o, "vrid");
    let advert = Duration::from_millis(get(o, "advert-ms"));
    let sig: String = get(o, "signal");
    let pids: Vec<Pid> = o
        .get("pids")
        .unwrap_or_else(|| usage())
        .split_whitespace()
        .map(|p| Pid::from_raw(p.parse().unwrap_or_else(|_| usage())))
        .collect();
    if pids.is_empty() {
        usage()
    }
    let settle: u32 = o.get("settle").and_then(|v| v.parse().ok()).unwrap_or(3);
    let timeout = Duration::from_millis(
        o.get("timeout-ms")
            .and_then(|v| v.parse().ok())
            .unwrap_or(15_000),
    );

    let (tx, rx) = mpsc::channel();
    spawn_netlink_reader(tx.clone()).unwrap_or_else(|e| fail(&format!("netlink: {e}")));
    let sock = vrrp_socket(&ifname).unwrap_or_else(|e| fail(&format!("raw VRRP socket: {e}")));
    spawn_vrrp_reader(sock, tx);

    // 1. Steady state: `settle` adverts of the master, nobody else.
    let deadline = Instant::now() + timeout;
    let mut seen = 0;
    let mut last = None;
    while seen < settle {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Event::Advert {
                src,
                vrid: v,
                prio,
                at,
            }) if v == vrid => {
                if src != master {
                    fail(&format!(
                        "{src} advertises VRID {vrid} (prio {prio}) before the test"
                    ));
                }
                seen += 1;
                last = Some(at);
            }
            Ok(Event::AddrAdded { addr, .. }) if addr == vip => {
                fail("the VIP appeared on the backup before the test")
            }
            Ok(_) => {}
            Err(_) => fail(&format!(
                "no steady master: {seen} adverts of {master} in {timeout:?}"
            )),
        }
    }
    // 2. A random point of the advert cycle after the last advert.
    let fire = last.expect("settled") + advert.mul_f64(random_fraction());
    let mut last_advert = last.expect("settled");
    loop {
        let left = fire.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match rx.recv_timeout(left) {
            Ok(Event::Advert {
                src, vrid: v, at, ..
            }) if v == vrid && src == master => last_advert = at,
            Ok(Event::AddrAdded { addr, .. }) if addr == vip => {
                fail("the VIP appeared on the backup before the signal")
            }
            _ => {}
        }
    }
    // 3. The signal.
    let t_sig = Instant::now();
    match sig.as_str() {
        "KILL" => {
            for p in &pids {
                let _ = kill(*p, Signal::SIGSTOP);
            }
            for p in &pids {
                let _ = kill(*p, Signal::SIGKILL);
            }
        }
        "TERM" => {
            kill(pids[0], Signal::SIGTERM).unwrap_or_else(|e| fail(&format!("kill: {e}")));
        }
        _ => usage(),
    }
    // 4. Until the VIP shows up on the backup.
    let deadline = t_sig + timeout;
    let mut prio0 = None;
    let mut adverts_after = 0;
    let t_vip = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Event::Advert {
                src,
                vrid: v,
                prio,
                at,
            }) if v == vrid && src == master => {
                if prio == 0 {
                    prio0.get_or_insert(at);
                } else {
                    last_advert = at;
                    if at > t_sig {
                        adverts_after += 1;
                    }
                }
            }
            Ok(Event::AddrAdded { addr, at }) if addr == vip => break at,
            Ok(_) => {}
            Err(_) => fail(&format!(
                "the VIP did not appear within {timeout:?} of the signal"
            )),
        }
    };
    print!(
        "signal_to_vip_ms={} last_advert_to_vip_ms={} last_advert_to_signal_ms={} adverts_after_signal={}",
        ms(t_vip - t_sig),
        ms(t_vip - last_advert),
        ms(t_sig.saturating_duration_since(last_advert)),
        adverts_after
    );
    match prio0 {
        Some(p) => println!(
            " prio0_to_vip_ms={}",
            ms(t_vip.saturating_duration_since(p))
        ),
        None => println!(" prio0_to_vip_ms=-"),
    }
}

fn observe(o: &HashMap<String, String>) {
    let ifname: String = get(o, "ifname");
    let seconds: f64 = get(o, "seconds");
    let (tx, rx) = mpsc::channel();
    let sock = vrrp_socket(&ifname).unwrap_or_else(|e| fail(&format!("raw VRRP socket: {e}")));
    spawn_vrrp_reader(sock, tx);
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    // (src, vrid) -> (count, last, max gap)
    let mut stats: HashMap<(Ipv4Addr, u8), (u64, Instant, Duration)> = HashMap::new();
    while let Ok(ev) = rx.recv_timeout(end.saturating_duration_since(Instant::now())) {
        if let Event::Advert { at, src, vrid, .. } = ev {
            let e = stats.entry((src, vrid)).or_insert((0, at, Duration::ZERO));
            e.2 = e.2.max(at - e.1);
            e.0 += 1;
            e.1 = at;
        }
    }
    let mut keys: Vec<_> = stats.keys().copied().collect();
    keys.sort();
    for k in keys {
        let (n, _, gap) = stats[&k];
        println!(
            "src={} vrid={} adverts={} max_gap_ms={}",
            k.0,
            k.1,
            n,
            ms(gap)
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = options(args.get(1..).unwrap_or_default());
    match args.first().map(String::as_str) {
        Some("takeover") => takeover(&o),
        Some("observe") => observe(&o),
        _ => usage(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_v3_advert() {
        let mut pkt = vec![
            0x45, 0, 0, 28, 0, 0, 0, 0, 255, 112, 0, 0, 192, 0, 2, 11, 224, 0, 0, 18,
        ];
        pkt.extend_from_slice(&[0x31, 51, 150, 1, 0, 5, 0, 0]);
        assert_eq!(
            parse_advert(&pkt),
            Some((Ipv4Addr::new(192, 0, 2, 11), 51, 150))
        );
        pkt[9] = 6;
        assert_eq!(parse_advert(&pkt), None);
    }

    #[test]
    fn parses_newaddr_local() {
        let mut m = Vec::new();
        m.extend_from_slice(&40u32.to_ne_bytes());
        m.extend_from_slice(&RTM_NEWADDR.to_ne_bytes());
        m.extend_from_slice(&[0; 10]); // flags, seq, pid
        m.extend_from_slice(&[2, 24, 0, 0, 2, 0, 0, 0]); // ifaddrmsg
        m.extend_from_slice(&8u16.to_ne_bytes());
        m.extend_from_slice(&IFA_ADDRESS.to_ne_bytes());
        m.extend_from_slice(&[192, 0, 2, 1]);
        m.extend_from_slice(&8u16.to_ne_bytes());
        m.extend_from_slice(&IFA_LOCAL.to_ne_bytes());
        m.extend_from_slice(&[192, 0, 2, 200]);
        assert_eq!(parse_newaddr(&m), vec![Ipv4Addr::new(192, 0, 2, 200)]);
    }

    #[test]
    fn random_fraction_is_in_unit_interval() {
        for _ in 0..100 {
            let f = random_fraction();
            assert!((0.0..1.0).contains(&f));
        }
    }
}
