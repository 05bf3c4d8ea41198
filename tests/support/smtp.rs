//! A real SMTP server (tests/support/smtp_server.py, on Debian's
//! python3-aiosmtpd) for the alert tests: it delivers each message to a
//! directory, exactly as received. Killed (by PID) when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The interpreter with Debian's packages (a pyenv `python3` on PATH may not
/// see them).
const PYTHON: &str = "/usr/bin/python3";

/// One delivered message.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// The DATA bytes as the server received them.
    pub raw: String,
    /// The server's envelope record (mail_from, rcpt_tos, login, tls).
    pub meta: String,
}

impl Delivered {
    /// A header's value (first occurrence).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.raw
            .split("\r\n")
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
    }

    /// The body (after the blank line).
    pub fn body(&self) -> &str {
        self.raw
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .unwrap_or("")
    }
}

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

/// TLS material made with the openssl CLI: a CA and a leaf for 127.0.0.1
/// signed by it (webpki refuses a self-signed CA as the server's own
/// certificate).
pub struct Pki {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl CLI");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Pki {
    pub fn make(dir: &Path) -> Pki {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-subj",
                "/CN=alert test CA",
            ],
        );
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "leaf.key",
                "-out",
                "leaf.csr",
                "-subj",
                "/CN=127.0.0.1",
            ],
        );
        std::fs::write(
            dir.join("leaf.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
        )
        .unwrap();
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                "leaf.pem",
                "-extfile",
                "leaf.ext",
            ],
        );
        Pki {
            ca: dir.join("ca.pem"),
            cert: dir.join("leaf.pem"),
            key: dir.join("leaf.key"),
        }
    }
}

impl SmtpServer {
    /// Starts the server with extra arguments (`--starttls CERT KEY`,
    /// `--tls CERT KEY`, `--auth USER PASS`, `--host H`); waits (bounded)
    /// for its port. `wrap` runs it under a prefix (e.g. `ip netns exec X`).
    pub fn start_in(wrap: &[&str], dir: &Path, args: &[&str]) -> SmtpServer {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_server.py");
        assert!(
            Path::new(PYTHON).exists()
                && Command::new(PYTHON)
                    .args(["-c", "import aiosmtpd"])
                    .status()
                    .is_ok_and(|s| s.success()),
            "python3-aiosmtpd is needed (apt-get install python3-aiosmtpd; .ci/run installs it)"
        );
        std::fs::create_dir_all(dir).unwrap();
        let mut cmd = match wrap.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(PYTHON);
                c
            }
            None => Command::new(PYTHON),
        };
        let mut child = cmd
            .arg(script)
            .arg(dir)
            .args(args)
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("start smtp_server.py");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut server = SmtpServer {
            child,
            port: 0,
            dir: dir.to_owned(),
        };
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("smtp_server.py did not report its port in 20 s");
        server.port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("smtp_server.py said {line:?}"));
        server
    }

    pub fn start(dir: &Path, args: &[&str]) -> SmtpServer {
        SmtpServer::start_in(&[], dir, args)
    }

    /// Every message delivered so far, in order.
    pub fn delivered(&self) -> Vec<Delivered> {
        let mut names: Vec<_> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".eml"))
            .collect();
        names.sort();
        names
            .iter()
            .filter_map(|n| {
                let raw = std::fs::read_to_string(self.dir.join(n)).ok()?;
                let meta = std::fs::read_to_string(self.dir.join(n.replace(".eml", ".json")))
                    .unwrap_or_default();
                Some(Delivered { raw, meta })
            })
            .collect()
    }

    /// Waits (bounded) until at least `n` messages were delivered.
    pub fn wait_for(&self, n: usize, limit: Duration) -> Vec<Delivered> {
        let end = Instant::now() + limit;
        loop {
            let got = self.delivered();
            if got.len() >= n || Instant::now() >= end {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// [`Self::wait_for`] that lets the test's runtime run meanwhile.
    pub async fn wait_for_async(&self, n: usize, limit: Duration) -> Vec<Delivered> {
        let end = Instant::now() + limit;
        loop {
            let got = self.delivered();
            if got.len() >= n || Instant::now() >= end {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the server (by its PID).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
