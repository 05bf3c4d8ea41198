//! keepalived's script checks (`lib/notify.c`): default script user,
//! path resolution and the security flags behind "SECURITY VIOLATION".
//! File facts come from the `Host`; nothing here touches the file system.

use std::path::{Path, PathBuf};

use super::ctx::Parser;
use crate::config::diag::Span;
use crate::config::model::{Script, UserInfoPair};

/// keepalived's `SC_*` flags.
pub mod sc {
    pub const ISSCRIPT: u32 = 0x01;
    pub const INHIBIT: u32 = 0x02;
    pub const NOTFOUND: u32 = 0x04;
    pub const EXECUTABLE: u32 = 0x08;
    pub const INSECURE: u32 = 0x10;
    pub const SYSTEM: u32 = 0x20;
}

/// State of keepalived's default script user (`get_default_script_user()`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DefaultUser {
    #[default]
    Unset,
    Set(u32, u32),
    Failed,
}

/// keepalived's `set_default_script_user()` (the `script_user` keyword).
pub fn set_default_user(p: &mut Parser, user: &str, group: Option<&str>) -> bool {
    match super::vrrp::resolve_user(p, user, group) {
        Some((u, g)) => {
            p.default_user = DefaultUser::Set(u, g);
            true
        }
        None => {
            p.default_user = DefaultUser::Failed;
            false
        }
    }
}

/// keepalived's `get_default_script_user()`: resolved lazily the first time
/// a script needs it; with `enable_script_security` a missing
/// `keepalived_script` user is an error, otherwise scripts run as us.
pub fn default_user(p: &mut Parser, span: Option<Span>) -> Option<UserInfoPair> {
    match p.default_user {
        DefaultUser::Failed => None,
        DefaultUser::Set(u, g) => Some((u, g)),
        DefaultUser::Unset => match p.host.user_by_name("keepalived_script") {
            Some(u) => {
                p.default_user = DefaultUser::Set(u.uid, u.gid);
                Some((u.uid, u.gid))
            }
            None if p.cfg.global.script_security => {
                p.err_span(
                    span,
                    crate::config::diag::Category::GeneralError,
                    "Unable to set default user keepalived_script for script",
                );
                p.default_user = DefaultUser::Failed;
                None
            }
            None => {
                let v = (p.host.euid(), 0);
                p.default_user = DefaultUser::Set(v.0, v.1);
                Some(v)
            }
        },
    }
}

fn is_executable(mode: u32, fuid: u32, fgid: u32, uid: u32, gid: u32) -> bool {
    (uid == 0 && mode & 0o111 != 0)
        || (uid == fuid && mode & 0o100 != 0)
        || (uid != fuid
            && ((gid == fgid && mode & 0o010 != 0) || (gid != fgid && mode & 0o001 != 0)))
}

/// keepalived's `find_path()` for a bare command name.
fn find_in_path(p: &Parser, name: &str, uid: u32, gid: u32) -> Option<PathBuf> {
    for dir in p.host.path_var().split(':') {
        let cand = Path::new(if dir.is_empty() { "." } else { dir }).join(name);
        if let Some(st) = p.host.stat(&cand) {
            if st.is_regular && is_executable(st.mode, st.uid, st.gid, uid, gid) {
                return Some(cand);
            }
        }
    }
    None
}

/// keepalived's `check_security()`: every path component must be owned by
/// root and not writable by a non-root group or others (directories may be
/// writable when sticky).
fn check_security(p: &Parser, file: &str, script_security: bool) -> u32 {
    let mut prefix = String::new();
    let comps: Vec<&str> = file.split('/').collect();
    for (i, c) in comps.iter().enumerate() {
        if i == 0 && c.is_empty() {
            prefix.push('/');
            continue;
        }
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        prefix.push_str(c);
        let last = i == comps.len() - 1;
        if p.host.is_symlink(Path::new(&prefix)) {
            // lstat: a symlink is fine as the last component only.
            if !last {
                return sc::INHIBIT;
            }
            continue;
        }
        let Some(st) = p.host.stat(Path::new(&prefix)) else {
            return sc::NOTFOUND;
        };
        if (!last && !st.is_dir) || (last && !st.is_regular) {
            return sc::INHIBIT;
        }
        let sticky = st.mode & 0o1000 != 0;
        let writable = (st.gid != 0 && st.mode & 0o020 != 0) || st.mode & 0o002 != 0;
        if st.uid != 0 || (((st.is_dir && !sticky) || st.is_regular) && writable) {
            return sc::INSECURE | if script_security { sc::INHIBIT } else { 0 };
        }
    }
    0
}

/// keepalived's `check_script_secure()`: resolve the command and return the
/// `SC_*` flags. Updates `args[0]` to the resolved path as keepalived does.
pub fn check_script_secure(p: &Parser, script: &mut Script) -> u32 {
    let Some(cmd) = script.args.first().cloned() else {
        return 0;
    };
    let rest = cmd
        .strip_prefix('<')
        .map(|r| r.trim_start_matches([' ', '\t']));
    if rest.is_some_and(|r| r.starts_with('/')) {
        return sc::SYSTEM;
    }
    let (uid, gid) = (script.uid, script.gid);
    let mut path = cmd.clone();
    if !cmd.contains('/') {
        match find_in_path(p, &cmd, uid, gid) {
            Some(found) => path = found.to_string_lossy().into_owned(),
            None => return sc::NOTFOUND,
        }
    }
    let Some(real) = p.host.canonicalize(Path::new(&path)) else {
        return sc::NOTFOUND;
    };
    let Some(st) = p.host.stat(&real) else {
        return sc::NOTFOUND;
    };
    let real_s = real.to_string_lossy().into_owned();
    let base = |s: &str| s.rsplit('/').next().unwrap_or("").to_owned();
    // keepalived keeps the name the user gave when only directories differ
    // and checks both paths when the file name itself differs.
    let check_both = real_s != path && base(&real_s) != base(&path);
    if real_s != path && !check_both {
        path = real_s.clone();
    }
    script.args[0] = path.clone();
    let mut flags = sc::ISSCRIPT;
    let mut need_protection = false;
    if is_executable(st.mode, st.uid, st.gid, uid, gid) {
        flags |= sc::EXECUTABLE;
        if uid == 0
            || gid == 0
            || (st.uid == 0 && st.mode & 0o100 != 0 && st.mode & 0o4000 != 0)
            || (st.gid == 0 && st.mode & 0o010 != 0 && st.mode & 0o2000 != 0)
        {
            need_protection = true;
        }
    }
    if !need_protection {
        return flags;
    }
    let security = p.cfg.global.script_security;
    flags |= check_security(p, &path, security);
    if check_both {
        flags |= check_security(p, &real_s, security);
    }
    flags
}
