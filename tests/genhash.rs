//! `keepalived -T` (genhash) against a real HTTP server on loopback, and
//! side by side with Debian's keepalived 2.2.7 (when installed) on the same
//! responses: same stdout, stderr and exit code.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use md5::{Digest, Md5};

const OURS: &str = env!("CARGO_BIN_EXE_keepalived");
const KEEPALIVED: &str = "/usr/sbin/keepalived";

/// The canned response for a path.
fn response(path: &str) -> Vec<u8> {
    let body: Vec<u8> = (0..10_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    match path {
        "/plain" => b"HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nhello world\n".to_vec(),
        // Content-Length shorter than what is sent: only 5 bytes hashed.
        "/short" => b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello world\n".to_vec(),
        // Chunked: hashed raw, framing included (keepalived never de-chunks).
        "/chunked" => {
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".to_vec()
        }
        "/big" => {
            let mut r =
                format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
            r.extend_from_slice(&body);
            r
        }
        _ => b"HTTP/1.0 404 Not Found\r\n\r\n".to_vec(),
    }
}

/// A one-thread HTTP server: reads a request head, answers by path,
/// closes. Stopped (and joined) on drop.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start() -> Server {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        let port = l.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match l.accept() {
                    Ok((c, _)) => serve(c),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut c: TcpStream) {
    c.set_nonblocking(false).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut req = Vec::new();
    let mut buf = [0u8; 1024];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    let line = String::from_utf8_lossy(&req);
    let path = line.split(' ').nth(1).unwrap_or("/").to_string();
    let _ = c.write_all(&response(&path));
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn genhash(bin: &str, args: &[&str]) -> Out {
    let o = Command::new(bin)
        .arg("-T")
        .args(args)
        .output()
        .expect("run genhash");
    // The response time differs from run to run.
    let stdout = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| match l.split_once("] = ") {
            Some((head, _)) if l.starts_with("Global response time") => format!("{head}] = N"),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout,
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn md5_hex(b: &[u8]) -> String {
    Md5::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn digests_are_computed_over_the_raw_body() {
    let s = Server::start();
    let port = s.port.to_string();
    let run = |path: &str| genhash(OURS, &["-s", "127.0.0.1", "-p", &port, "-u", path]);
    assert_eq!(run("/plain").stdout, md5_hex(b"hello world\n"));
    assert_eq!(run("/short").stdout, md5_hex(b"hello"));
    assert_eq!(run("/chunked").stdout, md5_hex(b"5\r\nhello\r\n0\r\n\r\n"));
    let big = response("/big");
    let body_at = big.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(run("/big").stdout, md5_hex(&big[body_at..]));
    // A status other than 200 is still hashed: genhash only reports.
    assert_eq!(run("/nothere").stdout, md5_hex(b""));
    assert_eq!(run("/plain").code, 0);
}

#[test]
fn failures_and_bad_command_lines() {
    // A port nobody listens on: the connect fails after it started.
    let free = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port().to_string();
    drop(free);
    let o = genhash(OURS, &["-s", "127.0.0.1", "-p", &port, "-u", "/"]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "Connection failed"));
    let o = genhash(OURS, &["-s", "localhost", "-p", "80", "-u", "/"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .starts_with("server should be an IP, not localhost\nUsage: ")
    );
    let o = genhash(OURS, &[]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.starts_with("Usage: "), "{}", o.stderr);
}

/// The same requests through keepalived 2.2.7's genhash: identical output
/// (the usage text is ours, so only the line before it is compared).
#[test]
fn same_output_as_keepalived() {
    if !Path::new(KEEPALIVED).exists() {
        eprintln!("\n*** SKIPPED same_output_as_keepalived: {KEEPALIVED} is not installed ***\n");
        return;
    }
    let s = Server::start();
    let port = s.port.to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["-s", "127.0.0.1", "-p", &port, "-u", "/plain"],
        vec!["-s", "127.0.0.1", "-p", &port, "-u", "/short", "-v"],
        vec![
            "-s",
            "127.0.0.1",
            "-p",
            &port,
            "-u",
            "/chunked",
            "-v",
            "-P",
            "1.1",
        ],
        vec![
            "-s",
            "127.0.0.1",
            "-p",
            &port,
            "-u",
            "/big",
            "-v",
            "-V",
            "www.example",
        ],
        vec!["-s", "127.0.0.1", "-p", "1", "-u", "/"],
        vec!["-s", "127.0.0.1", "-p", "99999", "-u", "/"],
        vec!["-s", "127.0.0.1", "-p", &port, "-u", "/", "stray"],
        vec!["--bogus"],
    ];
    for args in cases {
        let (k, o) = (genhash(KEEPALIVED, &args), genhash(OURS, &args));
        let first = |e: &str| {
            e.lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            (k.code, &k.stdout, first(&k.stderr)),
            (o.code, &o.stdout, first(&o.stderr)),
            "genhash {args:?}"
        );
    }
}
