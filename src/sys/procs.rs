//! A `/proc` scan for `vrrp_track_process`: every process with its comm
//! and, when asked, its command line. keepalived scans the same way at
//! start (`read_procs()`); we rescan periodically instead of following the
//! proc connector (see `crate::vrrp::track_process`).

use std::fs;

pub use crate::vrrp::track_process::ProcInfo;

/// The processes under `/proc`, zombies left out. `with_cmdline` reads
/// `/proc/PID/cmdline` too (it may swap the process in, so only when a
/// tracker matches on the full command). A process that exits during the
/// scan is skipped.
pub fn scan(with_cmdline: bool) -> Vec<ProcInfo> {
    scan_dir("/proc", with_cmdline)
}

fn scan_dir(root: &str, with_cmdline: bool) -> Vec<ProcInfo> {
    let Ok(dir) = fs::read_dir(root) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ent in dir.flatten() {
        let Some(pid) = ent.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = fs::read(format!("{root}/{pid}/stat")) else {
            continue;
        };
        let Some((comm, state)) = comm_and_state(&stat) else {
            continue;
        };
        if state == b'Z' {
            continue;
        }
        let cmdline = if with_cmdline {
            match fs::read(format!("{root}/{pid}/cmdline")) {
                Ok(c) => c,
                Err(_) => continue,
            }
        } else {
            Vec::new()
        };
        out.push(ProcInfo { pid, comm, cmdline });
    }
    out
}

/// The comm (between the first '(' and the last ')', as it may itself
/// contain parentheses) and the state letter of a `/proc/PID/stat` line.
fn comm_and_state(stat: &[u8]) -> Option<(String, u8)> {
    let open = stat.iter().position(|&b| b == b'(')?;
    let close = stat.iter().rposition(|&b| b == b')')?;
    let comm = String::from_utf8_lossy(stat.get(open + 1..close)?).into_owned();
    let state = *stat.get(close + 2)?;
    Some((comm, state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_parsing() {
        assert_eq!(
            comm_and_state(b"42 (a (b) c) S 1 2 3"),
            Some(("a (b) c".to_string(), b'S'))
        );
        assert_eq!(comm_and_state(b"garbage"), None);
    }

    #[test]
    fn finds_this_process() {
        let me = std::process::id();
        let procs = scan(true);
        let p = procs
            .iter()
            .find(|p| p.pid == me)
            .expect("own pid in /proc");
        assert!(!p.comm.is_empty());
        assert!(p.cmdline.ends_with(&[0]));
    }
}
