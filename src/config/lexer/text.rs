//! Character-level helpers that mirror keepalived 2.2.7's string handling:
//! comment removal, brace splitting, word splitting and `strtol`.
//!
//! Everything works on ASCII bytes inside a `String`: every position we cut
//! at is an ASCII character, so the cuts are always on char boundaries even
//! when the configuration holds UTF-8 text.

use crate::config::token::Word;

/// keepalived's `WHITE_SPACE`: what separates words.
pub(super) fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0c' | b'\n' | b'\r' | b'\x0b')
}

/// C `isblank`: what keepalived trims around lines and skips in `~SEQ`.
pub(super) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Number of leading space/tab bytes of `s[from..]`.
pub(super) fn blanks(s: &[u8], from: usize) -> usize {
    s.get(from..)
        .map_or(0, |t| t.iter().take_while(|&&b| is_blank(b)).count())
}

/// Result of [`decomment`].
pub(super) struct Decommented {
    /// Bytes removed from the front (for column tracking).
    pub leading: usize,
    /// keepalived's "Unterminated quote" complaint, with the text it prints.
    pub unterminated: Option<String>,
}

/// keepalived's `decomment()`: drop leading blanks; cut at the first `#`/`!`
/// outside double quotes; turn `\#`/`\!` outside quotes into `#`/`!`; keep a
/// final `\` (it continues `$NAME=` definitions) after removing the blanks
/// before it. The quote state stops toggling once a comment has started, so
/// quotes in comments never count as unterminated.
pub(super) fn decomment(s: &mut String) -> Decommented {
    let leading = blanks(s.as_bytes(), 0);
    if leading > 0 {
        s.drain(..leading);
    }
    let mut quote = false;
    let mut cont = false;
    let mut skip: Option<usize> = None;
    let mut p = 0;
    // Work on a byte copy we can edit in place; it stays valid UTF-8 because we
    // only remove ASCII backslashes.
    let mut b = std::mem::take(s).into_bytes();
    while p < b.len() {
        match b[p] {
            b'"' => {
                if skip.is_none() {
                    quote = !quote;
                }
                p += 1;
            }
            b'\\' => {
                if p + 1 < b.len() {
                    if !quote && (b[p + 1] == b'#' || b[p + 1] == b'!') {
                        b.remove(p);
                        p += 1;
                    } else {
                        p += 2;
                    }
                } else {
                    b.truncate(p);
                    cont = true;
                    break;
                }
            }
            b'!' | b'#' => {
                if !quote && skip.is_none() {
                    skip = Some(p);
                }
                p += 1;
            }
            _ => p += 1,
        }
    }
    let unterminated = quote.then(|| String::from_utf8_lossy(&b).into_owned());
    if let Some(k) = skip {
        b.truncate(k);
    }
    while b.last().is_some_and(|&c| is_blank(c)) {
        b.pop();
    }
    if cont {
        b.push(b'\\');
    }
    *s =
        String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Decommented {
        leading,
        unterminated,
    }
}

/// Where `read_line()` splits a line at a brace: text before the brace stays,
/// the rest (brace first) is re-read as a new line. A line that starts with a
/// brace keeps only the brace and re-reads what follows it. Braces inside
/// double quotes do not count, and an unterminated quote stops the search.
///
/// Returns the byte offset where the residue starts, if any; `buf` is cut there
/// and both parts lose trailing blanks.
pub(super) fn split_brace(
    buf: &mut compact_str::CompactString,
) -> Option<(compact_str::CompactString, usize)> {
    let b = buf.as_bytes();
    if b.is_empty() {
        return None;
    }
    // Most lines have no brace at all (and are already trimmed).
    if !b.iter().any(|&c| c == b'{' || c == b'}') {
        while buf.as_bytes().last().is_some_and(|&c| is_blank(c)) {
            buf.pop();
        }
        return None;
    }
    let mut at = None;
    if b[0] == b'{' || b[0] == b'}' {
        at = Some(0);
    } else {
        let mut i = 0;
        while let Some(off) = b[i..].iter().position(|&c| matches!(c, b'{' | b'}' | b'"')) {
            let j = i + off;
            if b[j] != b'"' {
                at = Some(j);
                break;
            }
            match b[j + 1..].iter().position(|&c| c == b'"') {
                Some(k) => i = j + 1 + k + 1,
                None => break,
            }
        }
    }
    let mut residue = None;
    if let Some(p) = at {
        let skip = if p == 0 { 1 + blanks(b, 1) } else { 0 };
        if p + skip < b.len() {
            let mut r = compact_str::CompactString::from(&buf[p + skip..]);
            while r.as_bytes().last().is_some_and(|&c| is_blank(c)) {
                r.pop();
            }
            residue = Some((r, p + skip));
            buf.truncate(p + skip);
        }
    }
    while buf.as_bytes().last().is_some_and(|&c| is_blank(c)) {
        buf.pop();
    }
    residue
}

/// keepalived's `alloc_strvec_r()`: blanks separate words, a word starting
/// with `"` runs to the next `"`, an unquoted word stops at a `"`. On an
/// unmatched quote keepalived keeps the words before it and complains; the
/// flag is then `false`.
pub(super) fn split_words(s: &str, col0: u32) -> (crate::config::token::Words, bool) {
    let b = s.as_bytes();
    let mut words = crate::config::token::Words::new();
    let mut i = 0;
    loop {
        while i < b.len() && is_white(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            return (words, true);
        }
        let col = col0 + i as u32;
        if b[i] == b'"' {
            let start = i + 1;
            let Some(off) = b[start..].iter().position(|&c| c == b'"') else {
                return (words, false);
            };
            words.push(Word {
                text: s[start..start + off].into(),
                col,
                quoted: true,
            });
            i = start + off + 1;
        } else {
            let start = i;
            while i < b.len() && !is_white(b[i]) && b[i] != b'"' {
                i += 1;
            }
            words.push(Word {
                text: s[start..i].into(),
                col,
                quoted: false,
            });
        }
    }
}

/// C `strtol(s, &end, 0)` on bytes: optional blanks and sign, then `0x` hex,
/// leading-`0` octal or decimal. Returns the value (saturated like glibc on
/// overflow) and the number of bytes consumed (0 when there were no digits).
pub(super) fn strtol(s: &[u8]) -> (i64, usize) {
    let mut i = 0;
    while i < s.len() && (is_white(s[i])) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let mut base = 10u32;
    if i < s.len() && s[i] == b'0' {
        if s.get(i + 1).is_some_and(|&c| c == b'x' || c == b'X')
            && s.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit())
        {
            base = 16;
            i += 2;
        } else {
            base = 8;
        }
    }
    let start = i;
    let mut v: i128 = 0;
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(base)) {
        v = (v * base as i128 + d as i128).min(i64::MAX as i128 + 1);
        i += 1;
    }
    if i == start && base != 8 {
        return (0, 0);
    }
    let v = if neg { -v } else { v };
    (v.clamp(i64::MIN as i128, i64::MAX as i128) as i64, i)
}

/// C `strtoul(s, &end, 10)`, as `get_random()` uses it: returns value and
/// bytes consumed (0 when no digits).
pub(super) fn strtoul10(s: &[u8]) -> (u64, usize) {
    let mut i = 0;
    while i < s.len() && is_white(s[i]) {
        i += 1;
    }
    let start = i;
    let mut v: u64 = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        v = v.saturating_mul(10).saturating_add((s[i] - b'0') as u64);
        i += 1;
    }
    if i == start { (0, 0) } else { (v, i) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> (String, Option<String>) {
        let mut s = s.to_owned();
        let d = decomment(&mut s);
        (s, d.unterminated)
    }

    #[test]
    fn decomment_rules() {
        assert_eq!(dec("  a b # c").0, "a b");
        assert_eq!(dec("a \"#b\" ! c").0, "a \"#b\"");
        assert_eq!(dec("a \\#b").0, "a #b");
        assert_eq!(dec("a \"\\#b\"").0, "a \"\\#b\"");
        assert_eq!(dec("x  \\").0, "x\\");
        // A comment ending in a backslash leaves a lone backslash (2.2.7 quirk).
        assert_eq!(dec("# comment \\").0, "\\");
        assert_eq!(dec("a \"b"), ("a \"b".into(), Some("a \"b".into())));
        assert_eq!(dec("a # \"b").1, None);
    }

    #[test]
    fn braces() {
        let mut s = compact_str::CompactString::from("a { b");
        assert_eq!(split_brace(&mut s), Some(("{ b".into(), 2)));
        assert_eq!(s, "a");
        let mut s = compact_str::CompactString::from("{ b");
        assert_eq!(split_brace(&mut s), Some(("b".into(), 2)));
        assert_eq!(s, "{");
        let mut s = compact_str::CompactString::from("a \"{\" b");
        assert_eq!(split_brace(&mut s), None);
        let mut s = compact_str::CompactString::from("}");
        assert_eq!(split_brace(&mut s), None);
        assert_eq!(s, "}");
    }

    #[test]
    fn words() {
        let (w, ok) = split_words("a \"b c\"d e\"f\"", 1);
        assert!(ok);
        let t: Vec<_> = w
            .iter()
            .map(|w| (w.text.as_str(), w.col, w.quoted))
            .collect();
        assert_eq!(
            t,
            [
                ("a", 1, false),
                ("b c", 3, true),
                ("d", 8, false),
                ("e", 10, false),
                ("f", 11, true)
            ]
        );
        let (w, ok) = split_words("a \"b", 1);
        assert!(!ok);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn strtol_bases() {
        assert_eq!(strtol(b" 12)"), (12, 3));
        assert_eq!(strtol(b"0x1f,"), (31, 4));
        assert_eq!(strtol(b"010"), (8, 3));
        assert_eq!(strtol(b"-3"), (-3, 2));
        assert_eq!(strtol(b")"), (0, 0));
        assert_eq!(strtol(b"0"), (0, 1));
    }
}
