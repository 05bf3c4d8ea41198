//! The host facts keepalived's alert defaults use: the canonical name of
//! the node (`get_local_name()`: getaddrinfo with AI_CANONNAME on
//! `uname().nodename`) and the daemon user's login name. std exposes
//! neither the canonical name nor AI_CANONNAME, hence one libc call.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString};

use crate::alert::HostIdentity;

/// The running host's identity. Blocking (a resolver lookup): call it once
/// at start-up or reload, as keepalived does while reading the config.
pub fn host_identity() -> HostIdentity {
    // gethostname() is uname()'s nodename.
    let node = nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok());
    HostIdentity {
        local_name: node.as_deref().and_then(canonical_name),
        user: nix::unistd::User::from_uid(nix::unistd::getuid())
            .ok()
            .flatten()
            .map(|u| u.name),
    }
}

/// getaddrinfo(node, NULL, {AI_CANONNAME}) → `ai_canonname` of the first
/// result.
pub fn canonical_name(node: &str) -> Option<String> {
    let c_node = CString::new(node).ok()?;
    // SAFETY: addrinfo is plain old data; all-zero is a valid "no hints
    // except the ones set below" value.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_flags = libc::AI_CANONNAME;
    let mut res: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: c_node is NUL-terminated and outlives the call; a NULL
    // service is allowed; hints and res point to live locals.
    let rc = unsafe { libc::getaddrinfo(c_node.as_ptr(), std::ptr::null(), &hints, &mut res) };
    if rc != 0 || res.is_null() {
        return None;
    }
    // SAFETY: on success res points to a list owned by libc until
    // freeaddrinfo; ai_canonname is NULL or a NUL-terminated string in it,
    // copied out before the list is freed (exactly once).
    unsafe {
        let canon = (*res).ai_canonname;
        let name = (!canon.is_null()).then(|| CStr::from_ptr(canon).to_string_lossy().into_owned());
        libc::freeaddrinfo(res);
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_has_a_canonical_name() {
        assert_eq!(canonical_name("localhost").as_deref(), Some("localhost"));
        assert_eq!(canonical_name("no-such-host.invalid"), None);
        let id = host_identity();
        assert!(id.user.is_some());
    }
}
