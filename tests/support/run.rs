//! Run a command with a deadline, capturing stdout and stderr together.

use std::io::{Read, Seek, SeekFrom};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Ran {
    /// Exit status; a death by signal N is reported as 128+N, as shells do
    /// (keepalived 2.2.7's segfault is "139").
    pub code: i32,
    pub timed_out: bool,
    /// stdout then stderr (keepalived writes some `-t` lines to each).
    pub output: String,
}

/// Run `cmd` with stdin closed, killing it after `timeout`.
pub fn run(mut cmd: Command, timeout: Duration) -> Result<Ran, String> {
    // Files, not pipes: a chatty child can never block on a full pipe while
    // we wait for it, and no reader threads are needed.
    let mut out = tempfile::tempfile().map_err(|e| e.to_string())?;
    let mut err = tempfile::tempfile().map_err(|e| e.to_string())?;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out.try_clone().map_err(|e| e.to_string())?)
        .stderr(err.try_clone().map_err(|e| e.to_string())?)
        .spawn()
        .map_err(|e| format!("spawn {cmd:?}: {e}"))?;
    let deadline = Instant::now() + timeout;
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if Instant::now() >= deadline {
            timed_out = true;
            let _ = child.kill();
            break child.wait().map_err(|e| e.to_string())?;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    let mut output = String::new();
    for f in [&mut out, &mut err] {
        let mut buf = Vec::new();
        f.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
        f.read_to_end(&mut buf).map_err(|e| e.to_string())?;
        output.push_str(&String::from_utf8_lossy(&buf));
    }
    Ok(Ran {
        code,
        timed_out,
        output,
    })
}

/// A daemon under test: killed and reaped if the test panics before it
/// stopped it, so no process outlives a failed test.
pub struct Daemon(pub std::process::Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends SIGTERM to `child` and waits at most `limit` for it to exit:
/// `None` if it is still running then (the caller says why that fails).
pub fn terminate(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("SIGTERM");
    let t0 = Instant::now();
    loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            return Some(s);
        }
        if t0.elapsed() >= limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
