//! The calling thread's kernel name (`comm`: what `ps`, `top` and
//! `/proc/PID/comm` show), set with `prctl(PR_SET_NAME)` as keepalived does
//! for `process_name` and friends.

use std::ffi::CString;

#[derive(Debug, thiserror::Error)]
pub enum ProcessNameError {
    #[error("process name {0:?} contains a NUL byte")]
    Nul(String),
    #[error("prctl(PR_SET_NAME) failed: {0}")]
    Prctl(#[from] nix::Error),
}

/// Renames the calling thread. Call it from the main thread before other
/// threads start (the runtimes here are current-thread): the name of the
/// main thread is the process's name. The kernel keeps 15 bytes.
pub fn set(name: &str) -> Result<(), ProcessNameError> {
    let c = CString::new(name).map_err(|_| ProcessNameError::Nul(name.to_string()))?;
    nix::sys::prctl::set_name(&c)?;
    Ok(())
}

/// The calling thread's current name.
pub fn get() -> Result<String, ProcessNameError> {
    Ok(nix::sys::prctl::get_name()?.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_then_get_on_a_thread_of_our_own() {
        // A fresh thread, so the test harness's own names are untouched.
        std::thread::spawn(|| {
            set("ka_test_name").unwrap();
            assert_eq!(get().unwrap(), "ka_test_name");
            set("a_name_longer_than_fifteen").unwrap();
            assert_eq!(get().unwrap(), "a_name_longer_t");
            assert!(matches!(set("a\0b"), Err(ProcessNameError::Nul(_))));
        })
        .join()
        .unwrap();
    }
}
