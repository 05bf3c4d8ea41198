//! glob(3) as keepalived 2.2.7 calls it (`GLOB_MARK | GLOB_BRACE |
//! GLOB_ALTDIRFUNC`), on top of [`Source::glob`]: braces are expanded here,
//! each alternative is globbed and sorted on its own, and the counts of
//! missing files/directories that keepalived's `gl_lstat`/`gl_opendir` hooks
//! collect are reproduced because its include messages depend on them.

use std::path::{Path, PathBuf};

use crate::config::source::Source;

/// One glob result.
#[derive(Debug, Clone)]
pub(super) struct Match {
    /// Path to read through `Source`.
    pub path: PathBuf,
    /// Name as keepalived prints it: relative to the including file's
    /// directory when the pattern was relative; `/` appended for directories.
    pub display: String,
}

/// What glob reported, including keepalived's hook counters.
#[derive(Debug, Default)]
pub(super) struct GlobResult {
    pub matches: Vec<Match>,
    pub missing: u32,
    pub have_wildcards: bool,
    /// Brace expansion gave more than [`MAX_BRACE_NAMES`] patterns; nothing
    /// was globbed.
    pub too_many: bool,
}

/// glibc expands `{a,b}{a,b}...` into 2^n patterns (keepalived never
/// finishes `include /x/{a,b}{a,b}...` with a few dozen groups); we stop here.
pub(super) const MAX_BRACE_NAMES: usize = 10_000;

/// glibc `GLOB_BRACE` expansion: the first unescaped `{` with a matching `}`
/// is replaced by each of its top-level comma-separated alternatives, in
/// order, recursively. Without a matching `}` the pattern is left as is.
/// `None` when that makes more than [`MAX_BRACE_NAMES`] patterns.
pub(super) fn expand_braces(pat: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    expand_into(pat, &mut out).then_some(out)
}

/// Appends the expansions of `pat` to `out`; false once there are too many.
fn expand_into(pat: &str, out: &mut Vec<String>) -> bool {
    let b = pat.as_bytes();
    let mut i = 0;
    let mut open = None;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'{' => {
                open = Some(i);
                break;
            }
            _ => {}
        }
        i += 1;
    }
    let Some(open) = open else {
        out.push(pat.to_owned());
        return out.len() <= MAX_BRACE_NAMES;
    };
    let mut depth = 0;
    let mut parts = Vec::new();
    let mut start = open + 1;
    let mut close = None;
    let mut j = open + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 1,
            b'{' => depth += 1,
            b'}' if depth == 0 => {
                parts.push(&pat[start..j]);
                close = Some(j);
                break;
            }
            b'}' => depth -= 1,
            b',' if depth == 0 => {
                parts.push(&pat[start..j]);
                start = j + 1;
            }
            _ => {}
        }
        j += 1;
    }
    let Some(close) = close else {
        out.push(pat.to_owned());
        return out.len() <= MAX_BRACE_NAMES;
    };
    let (pre, post) = (&pat[..open], &pat[close + 1..]);
    parts
        .iter()
        .all(|alt| expand_into(&format!("{pre}{alt}{post}"), out))
}

/// keepalived's `have_brace()`: an unescaped `{` anywhere.
pub(super) fn have_brace(pat: &str) -> bool {
    let b = pat.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'{' => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// glibc `__glob_pattern_p`: `*`, `?`, or `[` with a later `]`, unescaped.
pub(super) fn has_meta(pat: &str) -> bool {
    let b = pat.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'*' | b'?' => return true,
            b'[' if b[i + 1..].contains(&b']') => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// Quote a literal path so it can prefix a glob pattern.
pub(super) fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '*' | '?' | '[' | ']' | '\\' | '{' | '}' => {
                o.push('[');
                o.push(c);
                o.push(']');
            }
            _ => o.push(c),
        }
    }
    o
}

/// Undo glob backslash escapes in a pattern without metacharacters.
fn unescape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            if let Some(n) = it.next() {
                o.push(n);
            }
        } else {
            o.push(c);
        }
    }
    o
}

fn is_dir(src: &dyn Source, p: &Path) -> bool {
    src.kind(p).is_some_and(|k| k.is_dir)
}

/// Glob one brace-free pattern `pat` relative to directory `base` (the
/// including file's directory; empty for the starting directory).
fn glob_one(src: &dyn Source, base: &str, pat: &str, out: &mut GlobResult) -> Vec<String> {
    // Relative results are kept relative to `base`, as keepalived (which
    // chdir()s into that directory) sees and prints them.
    let full = |rel: &str| -> String {
        if base.is_empty() || rel.starts_with('/') {
            rel.to_owned()
        } else {
            format!("{base}/{rel}")
        }
    };
    let (dir, file) = match pat.rfind('/') {
        Some(0) => ("/", &pat[1..]),
        Some(i) => (&pat[..i], &pat[i + 1..]),
        None => ("", pat),
    };
    let dirs: Vec<String> = if has_meta(dir) {
        glob_one(src, base, dir, out)
            .into_iter()
            .filter(|d| is_dir(src, Path::new(&full(d))))
            .collect()
    } else {
        vec![unescape(dir)]
    };
    let mut found = Vec::new();
    for d in dirs {
        let join = |f: &str| -> String {
            match d.as_str() {
                "" => f.to_owned(),
                "/" => format!("/{f}"),
                _ => format!("{d}/{f}"),
            }
        };
        if !has_meta(file) {
            let rel = join(&unescape(file));
            if src.kind(Path::new(&full(&rel))).is_some() {
                found.push(rel);
            } else {
                out.missing += 1;
            }
            continue;
        }
        out.have_wildcards = true;
        let dpath = full(if d.is_empty() { "." } else { &d });
        if !d.is_empty() && !is_dir(src, Path::new(&dpath)) {
            out.missing += 1;
            continue;
        }
        let pattern = if d.is_empty() && base.is_empty() {
            file.to_owned()
        } else if d.is_empty() {
            format!("{}/{file}", escape(base))
        } else {
            format!("{}/{file}", escape(&full(&d)))
        };
        let prefix_len = full(&join("")).len();
        for m in src.glob(&pattern) {
            let m = m.to_string_lossy();
            let tail = m.get(prefix_len..).unwrap_or(&m);
            found.push(join(tail));
        }
    }
    found
}

/// glob(3) with keepalived's flags and hooks, for `pattern` as written in the
/// configuration, resolved against `base`.
pub(super) fn glob(src: &dyn Source, base: &str, pattern: &str) -> GlobResult {
    let mut out = GlobResult::default();
    let Some(alts) = expand_braces(pattern) else {
        out.too_many = true;
        return out;
    };
    for alt in alts {
        let mut found = glob_one(src, base, &alt, &mut out);
        found.sort();
        for rel in found {
            let path = PathBuf::from(if base.is_empty() || rel.starts_with('/') {
                rel.clone()
            } else {
                format!("{base}/{rel}")
            });
            let display = if is_dir(src, &path) {
                format!("{rel}/")
            } else {
                rel
            };
            out.matches.push(Match { path, display });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::fake::MemSource;

    #[test]
    fn braces() {
        let e = |p: &str| expand_braces(p).unwrap();
        assert_eq!(e("a{b,c}d"), ["abd", "acd"]);
        assert_eq!(e("{x,y{1,2}}"), ["x", "y1", "y2"]);
        assert_eq!(e("a{b"), ["a{b"]);
        assert_eq!(e("a\\{b,c}"), ["a\\{b,c}"]);
        assert_eq!(expand_braces(&"{a,b}".repeat(13)).unwrap().len(), 8192);
        assert!(expand_braces(&"{a,b}".repeat(14)).is_none());
        assert!(have_brace("a{b"));
        assert!(!have_brace("a\\{b"));
    }

    #[test]
    fn meta() {
        assert!(has_meta("a*"));
        assert!(has_meta("a[bc]"));
        assert!(!has_meta("a[bc"));
        assert!(!has_meta("a\\*"));
    }

    #[test]
    fn glob_relative_and_counts() {
        let mut src = MemSource::new()
            .with("/e/k/sub/i2.conf", "")
            .with("/e/k/sub/i1.conf", "");
        src.dirs.insert("/e/k".into());
        src.dirs.insert("/e/k/sub".into());
        src.dirs.insert("/e/k/sub/d".into());
        let r = glob(&src, "/e/k", "sub/*");
        let d: Vec<_> = r.matches.iter().map(|m| m.display.as_str()).collect();
        assert_eq!(d, ["sub/d/", "sub/i1.conf", "sub/i2.conf"]);
        assert!(r.have_wildcards);
        assert_eq!(r.missing, 0);
        let r = glob(&src, "/e/k", "sub/{i2,zz,i1}.conf");
        let d: Vec<_> = r.matches.iter().map(|m| m.display.as_str()).collect();
        assert_eq!(d, ["sub/i2.conf", "sub/i1.conf"]);
        assert_eq!(r.missing, 1);
        assert!(!r.have_wildcards);
        let r = glob(&src, "/e/k", "nodir/*.conf");
        assert_eq!((r.matches.len(), r.missing, r.have_wildcards), (0, 1, true));
        let r = glob(&src, "", "/e/k/*/i1.conf");
        assert_eq!(r.matches[0].display, "/e/k/sub/i1.conf");
        assert_eq!(r.missing, 0);
    }
}
