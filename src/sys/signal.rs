//! Sending a signal by number: `nix::sys::signal::Signal` has no values
//! for the realtime signals keepalived uses (SIGRTMIN+2 for the JSON dump,
//! SIGRTMAX-1 for clearing the stats).
#![allow(unsafe_code)]

use std::io;

/// `kill(pid, sig)`.
pub fn kill_raw(pid: i32, sig: i32) -> io::Result<()> {
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    if unsafe { libc::kill(pid, sig) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
