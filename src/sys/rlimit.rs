//! The open-file limit a child needs for its sockets.
//!
//! A checker child keeps one socket per running check; with 10,000 real
//! servers the usual soft limit of 1,024 descriptors makes most checks fail
//! with EMFILE. keepalived raises `RLIMIT_NOFILE` in each child to what its
//! configuration needs (`set_max_file_limit`); so do we: never lowered,
//! the hard limit raised too when needed (root).

use nix::sys::resource::{Resource, getrlimit, setrlimit};

/// Raises the soft (and if needed the hard) open-file limit to at least
/// `required`. Returns the new `(soft, hard)` when it changed.
pub fn raise_nofile(required: u64) -> nix::Result<Option<(u64, u64)>> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if required <= soft {
        return Ok(None);
    }
    let new = (required, hard.max(required));
    setrlimit(Resource::RLIMIT_NOFILE, new.0, new.1)?;
    Ok(Some(new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_lowers_and_raises_when_needed() {
        let (soft, _) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
        assert_eq!(raise_nofile(1).unwrap(), None);
        assert_eq!(getrlimit(Resource::RLIMIT_NOFILE).unwrap().0, soft);
        // Within the hard limit any process may raise its soft limit.
        let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
        if soft < hard {
            let want = (soft + 16).min(hard);
            assert_eq!(raise_nofile(want).unwrap().map(|l| l.0), Some(want));
            assert_eq!(getrlimit(Resource::RLIMIT_NOFILE).unwrap().0, want);
        }
    }
}
