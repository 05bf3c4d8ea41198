//! VRRP sections: `vrrp_instance`, `vrrp_script`, `vrrp_sync_group`,
//! trackers and static addresses (keepalived's `vrrp/vrrp_parser.c`).

use super::Kw;
use super::ctx::Parser;
use crate::config::model::{Script, UserInfoPair};
use crate::config::token::Line;

/// keepalived's `alloc_strvec_quoted_escaped()` on the raw line: shell-like
/// words where `"` and `'` both quote and may be glued to text, with C-style
/// escapes (section b.6). Word 0 is the keyword.
pub fn quoted_escaped_words(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_word = true;
            }
            None if c == ' ' || c == '\t' => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            _ if c == '\\' => {
                in_word = true;
                let Some(n) = chars.next() else { break };
                match n {
                    'a' => cur.push('\x07'),
                    'b' => cur.push('\x08'),
                    'E' => cur.push('\x1b'),
                    'f' => cur.push('\x0c'),
                    'n' => cur.push('\n'),
                    'r' => cur.push('\r'),
                    't' => cur.push('\t'),
                    'v' => cur.push('\x0b'),
                    'x' => {
                        let mut v = 0u32;
                        let mut k = 0;
                        while k < 2 && chars.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                            v = v * 16 + chars.next().and_then(|c| c.to_digit(16)).unwrap_or(0);
                            k += 1;
                        }
                        cur.push(char::from_u32(v).unwrap_or('?'));
                    }
                    'c' => {
                        if let Some(c2) = chars.next() {
                            cur.push(char::from_u32((c2.to_ascii_uppercase() as u32) ^ 0x40).unwrap_or('?'));
                        }
                    }
                    '0'..='7' => {
                        let mut v = n.to_digit(8).unwrap_or(0);
                        let mut k = 1;
                        while k < 3 && chars.peek().is_some_and(|c| ('0'..='7').contains(c)) {
                            v = v * 8 + chars.next().and_then(|c| c.to_digit(8)).unwrap_or(0);
                            k += 1;
                        }
                        cur.push(char::from_u32(v).unwrap_or('?'));
                    }
                    other => cur.push(other),
                }
            }
            _ => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// Resolve `USER [GROUP]` as keepalived's `set_uid_gid()`: `None` when the
/// user or group does not exist. `GROUP` may be written `:GROUP`.
pub fn resolve_user(p: &Parser, user: &str, group: Option<&str>) -> Option<UserInfoPair> {
    let u = p.host.user_by_name(user)?;
    let gid = match group {
        Some(g) => p.host.group_by_name(g.trim_start_matches(':'))?,
        None => u.gid,
    };
    Some((u.uid, gid))
}

/// keepalived's `notify_script_init()`: the command (word 1 of the quoted/
/// escaped re-tokenisation) and an optional `USER [GROUP]` after it. `None`
/// (with keepalived's log line) when the user is unknown.
pub fn notify_script(p: &mut Parser, line: &Line, kind: &str) -> Option<Script> {
    let words = quoted_escaped_words(&line.raw);
    let cmd = words.get(1)?;
    let args = quoted_escaped_words(cmd);
    if args.is_empty() {
        let msg = format!("Unable to parse script '{cmd}' - ignoring");
        p.info(Some(line.span.clone()), msg);
        return None;
    }
    let mut s = Script { args, span: Some(line.word_span(1)), ..Script::default() };
    if words.len() > 2 {
        let user = words[2].clone();
        let group = words.get(3).cloned();
        match resolve_user(p, &user, group.as_deref()) {
            Some((uid, gid)) => {
                s.uid = uid;
                s.gid = gid;
                s.user = Some(user);
                s.group = group;
            }
            None => {
                let msg = format!("Invalid user/group for {kind} script {} - ignoring", s.args[0]);
                p.info(Some(line.span.clone()), msg);
                return None;
            }
        }
    } else {
        match default_script_user(p) {
            Some((uid, gid)) => {
                s.uid = uid;
                s.gid = gid;
            }
            None => {
                let msg = format!("Failed to set default user for {kind} script {} - ignoring", s.args[0]);
                p.info(Some(line.span.clone()), msg);
                return None;
            }
        }
    }
    Some(s)
}

/// keepalived's `get_default_script_user()`: `script_user` if set and valid,
/// else `keepalived_script` if it exists, else root (when running as root).
pub fn default_script_user(p: &Parser) -> Option<UserInfoPair> {
    match &p.cfg.global.script_user {
        Some((u, _)) if u.is_empty() => None,
        Some((u, g)) => resolve_user(p, u, g.as_deref()),
        None => match p.host.user_by_name("keepalived_script") {
            Some(u) => Some((u.uid, u.gid)),
            None => Some((p.host.euid(), 0)),
        },
    }
}

/// Root keywords owned by this module.
pub static ROOT: &[Kw] = &[];
