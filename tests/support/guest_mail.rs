//! Alert receivers for the IPVS guest tests (no Python there): a minimal
//! SMTP server keeping each message's Subject and body, and a reader of a
//! notify FIFO.

use std::net::TcpListener;

/// A minimal SMTP server on loopback for the guest (no Python there): it
/// answers keepalived's dialogue and keeps each message's Subject and body.
pub fn mail_recorder() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let mails = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let m = mails.clone();
    std::thread::spawn(move || {
        for sock in l.incoming() {
            let Ok(mut w) = sock else { return };
            let mut r = BufReader::new(w.try_clone().unwrap());
            let _ = w.write_all(b"220 guest\r\n");
            let (mut data, mut msg) = (false, String::new());
            let mut line = String::new();
            while r.read_line(&mut line).unwrap_or(0) > 0 {
                let reply: &[u8] = if data {
                    if line == ".\r\n" {
                        data = false;
                        let subject = msg.lines().find_map(|l| l.strip_prefix("Subject: "));
                        let body = msg.split("\r\n\r\n").nth(1).unwrap_or("").trim_end();
                        m.lock()
                            .unwrap()
                            .push(format!("{} | {body}", subject.unwrap_or("")));
                        b"250 ok\r\n"
                    } else {
                        msg.push_str(&line);
                        b""
                    }
                } else if line.starts_with("DATA") {
                    (data, msg) = (true, String::new());
                    b"354 go\r\n"
                } else if line.starts_with("QUIT") {
                    b"221 bye\r\n"
                } else {
                    b"250 ok\r\n"
                };
                let _ = w.write_all(reply);
                line.clear();
            }
        }
    });
    (port, mails)
}

/// Reads the `lvs_notify_fifo` lines (the FIFO is made here, so the
/// daemon keeps it; opening blocks until the daemon opens it too).
pub fn fifo_reader(path: &str) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    use std::io::BufRead;
    let _ = std::fs::remove_file(path);
    nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (l, path) = (lines.clone(), path.to_owned());
    std::thread::spawn(move || {
        let f = std::fs::File::open(&path).unwrap();
        for line in std::io::BufReader::new(f).lines() {
            let Ok(line) = line else { return };
            l.lock().unwrap().push(line);
        }
    });
    lines
}
