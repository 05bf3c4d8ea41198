//! `~SEQ(var, start, step, end)`, `~SEQx(...)` and `~LST(...)` lines, parsed
//! the way keepalived 2.2.7's `add_seq()`/`add_lst()` parse them (including
//! their leniency: the character after the variable name is skipped whatever
//! it is, missing numbers read as 0).

use super::text::{blanks, strtol};

/// One pending repetition: the rest of the line is emitted once per value,
/// with the variable(s) defined.
#[derive(Debug)]
pub(super) struct Seq {
    pub kind: SeqKind,
    pub text: String,
}

#[derive(Debug)]
pub(super) enum SeqKind {
    Seq {
        var: String,
        next: i64,
        step: i64,
        last: i64,
        hex: bool,
    },
    Lst {
        params: Vec<String>,
        sets: Vec<Vec<String>>,
        next: usize,
    },
}

/// Why a `~SEQ`/`~LST` line was rejected: `Some(msg)` is an extra specific
/// message keepalived reports before its generic "Invalid ~SEQ specification".
pub(super) type SeqError = Option<String>;

fn cspn(b: &[u8], from: usize, set: &[u8]) -> usize {
    b[from..].iter().take_while(|c| !set.contains(c)).count()
}

/// `~SEQ...`. `subst` performs `$NAME` substitution on the parameter text
/// (limit 64 bytes, as keepalived's `seq_buf`) and says whether a multi-line
/// definition was used.
pub(super) fn parse_seq(
    buf: &str,
    mut subst: impl FnMut(&mut String) -> bool,
) -> Result<Seq, SeqError> {
    let b = buf.as_bytes();
    let invalid = || Some(format!("Invalid ~SEQ definition '{buf}'"));
    let mut p = 4;
    let hex = b.get(p) == Some(&b'x');
    if hex {
        p += 1;
    }
    p += blanks(b, p);
    if b.get(p) != Some(&b'(') {
        return Err(None);
    }
    p += 1;
    p += blanks(b, p);
    let var = p;
    p += cspn(b, p, b" \t,)");
    let var_end = p;
    p += blanks(b, p);
    if p >= b.len() || b[p] == b')' || p == var {
        return Err(invalid());
    }
    p += 1;
    p += blanks(b, p);
    let Some(end_seq) = b[p.min(b.len())..]
        .iter()
        .position(|&c| c == b')')
        .map(|o| o + p)
    else {
        // keepalived computes a length from a NULL pointer here and always
        // lands on this message.
        return Err(Some(format!("~SEQ parameter strings too long '{buf}'")));
    };
    if end_seq + 1 - p + 1 > 64 {
        return Err(Some(format!("~SEQ parameter strings too long '{buf}'")));
    }
    let mut sb = String::from_utf8_lossy(&b[p..=end_seq]).into_owned();
    if subst(&mut sb) {
        return Err(Some(format!(
            "~SEQ parameter is multiline definition '{buf}'"
        )));
    }
    let s = sb.as_bytes();
    let at = |q: usize| s.get(q).copied().unwrap_or(0);
    let (one, n) = strtol(s);
    let mut q = n;
    q += blanks(s, q);
    let (start, step, end);
    if at(q) == b')' {
        end = one;
        step = if end < 1 { -1 } else { 1 };
        start = if end < 0 { -1 } else { 1 };
    } else {
        if at(q) != b',' {
            return Err(invalid());
        }
        let (two, n) = strtol(&s[q + 1..]);
        q += 1 + n;
        q += blanks(s, q);
        if at(q) == b')' {
            start = one;
            end = two;
            step = if start <= end { 1 } else { -1 };
        } else {
            if at(q) != b',' {
                return Err(invalid());
            }
            let (three, n) = strtol(&s[q + 1..]);
            q += 1 + n;
            q += blanks(s, q);
            if at(q) != b')' {
                return Err(invalid());
            }
            (start, step, end) = (one, two, three);
            if step == 0 || (start < end && step < 0) || (start > end && step > 0) {
                return Err(Some(format!("Invalid ~SEQ values '{buf}'")));
            }
        }
    }
    if hex && (start < 0 || end < 0) {
        return Err(Some(format!(
            "~SEQx is only valid for positive numbers '{buf}'"
        )));
    }
    let t = end_seq + 1 + blanks(b, end_seq + 1);
    Ok(Seq {
        kind: SeqKind::Seq {
            var: buf[var..var_end].to_owned(),
            next: start,
            step,
            last: end,
            hex,
        },
        text: buf[t..].to_owned(),
    })
}

/// `~LST(var, v1, v2...)` or `~LST({a,b}, {1,2}, {3,4})`; values missing
/// from a set are blank.
pub(super) fn parse_lst(buf: &str) -> Result<Seq, SeqError> {
    let b = buf.as_bytes();
    let at = |q: usize| b.get(q).copied().unwrap_or(0);
    let mut p = 4;
    p += blanks(b, p);
    if at(p) != b'(' {
        return Err(None);
    }
    p += 1;
    p += blanks(b, p);
    let mut end_char = b',';
    if at(p) == b'{' {
        end_char = b'}';
        p += 1;
        p += blanks(b, p);
    }
    let mut params = Vec::new();
    loop {
        let var = p;
        p += cspn(b, p, b" \t,}");
        params.push(buf[var..p].to_owned());
        p += blanks(b, p);
        if at(p) == end_char {
            break;
        }
        if at(p) != b',' {
            return Err(None);
        }
        p += 1 + blanks(b, p + 1);
    }
    let num_vars = params.len() - 1;
    if at(p) == b'}' {
        p += 1 + blanks(b, p + 1);
    }
    if at(p) != b',' {
        return Err(None);
    }
    p += 1;
    p += blanks(b, p);
    let mut sets = Vec::new();
    loop {
        let mut end_char = b',';
        if at(p) == b'{' {
            end_char = b'}';
            p += 1;
            p += blanks(b, p);
        }
        let mut values = Vec::new();
        let mut num_values = 0;
        loop {
            let v = p;
            p += cspn(b, p, b" \t,})");
            values.push(buf[v..p].to_owned());
            p += blanks(b, p);
            if at(p) == end_char || (at(p) == b')' && end_char == b',') {
                break;
            }
            if at(p) != b',' {
                return Err(None);
            }
            p += 1 + blanks(b, p + 1);
            num_values += 1;
            if num_values > num_vars {
                return Err(Some(format!(
                    "~LST specification has too many values '{buf}'"
                )));
            }
        }
        while num_values < num_vars {
            values.push(String::new());
            num_values += 1;
        }
        sets.push(values);
        if at(p) == b'}' && end_char == b'}' {
            p += 1 + blanks(b, p + 1);
        }
        if at(p) == b')' {
            break;
        }
        if at(p) != b',' {
            return Err(None);
        }
        p += 1 + blanks(b, p + 1);
    }
    p += 1 + blanks(b, p + 1);
    let text = buf.get(p.min(buf.len())..).unwrap_or("").to_owned();
    Ok(Seq {
        kind: SeqKind::Lst {
            params,
            sets,
            next: 0,
        },
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(s: &str) -> (String, i64, i64, i64, bool, String) {
        match parse_seq(s, |_| false).unwrap() {
            Seq {
                kind:
                    SeqKind::Seq {
                        var,
                        next,
                        step,
                        last,
                        hex,
                    },
                text,
            } => (var, next, step, last, hex, text),
            _ => unreachable!(),
        }
    }

    #[test]
    fn seq_forms() {
        assert_eq!(
            seq("~SEQ(i, 3) x $i"),
            ("i".into(), 1, 1, 3, false, "x $i".into())
        );
        assert_eq!(
            seq("~SEQ(i, -2) x"),
            ("i".into(), -1, -1, -2, false, "x".into())
        );
        assert_eq!(
            seq("~SEQ(i, 5, 2) x"),
            ("i".into(), 5, -1, 2, false, "x".into())
        );
        assert_eq!(
            seq("~SEQx(i, 0x9, 2, 12) x"),
            ("i".into(), 9, 2, 12, true, "x".into())
        );
        // The character after the name is skipped whatever it is.
        let s = seq("~SEQ(i 5)x");
        assert_eq!((s.1, s.2, s.3), (1, -1, 0));
    }

    #[test]
    fn seq_errors() {
        assert_eq!(parse_seq("~SEQ i", |_| false).unwrap_err(), None);
        assert_eq!(
            parse_seq("~SEQ(i)", |_| false).unwrap_err().unwrap(),
            "Invalid ~SEQ definition '~SEQ(i)'"
        );
        assert_eq!(
            parse_seq("~SEQ(i, 5, 1, 1) b", |_| false)
                .unwrap_err()
                .unwrap(),
            "Invalid ~SEQ values '~SEQ(i, 5, 1, 1) b'"
        );
        assert_eq!(
            parse_seq("~SEQ(i, 1", |_| false).unwrap_err().unwrap(),
            "~SEQ parameter strings too long '~SEQ(i, 1'"
        );
        assert_eq!(
            parse_seq("~SEQx(i, -1, 1) b", |_| false)
                .unwrap_err()
                .unwrap(),
            "~SEQx is only valid for positive numbers '~SEQx(i, -1, 1) b'"
        );
        assert!(
            parse_seq("~SEQ(i, $N)", |_| true)
                .unwrap_err()
                .unwrap()
                .contains("multiline")
        );
    }

    #[test]
    fn lst_forms() {
        let s = parse_lst("~LST({a,b}, {1,2}, {3}) L").unwrap();
        assert_eq!(s.text, "L");
        let SeqKind::Lst { params, sets, .. } = s.kind else {
            unreachable!()
        };
        assert_eq!(params, ["a", "b"]);
        assert_eq!(sets, [vec!["1", "2"], vec!["3", ""]]);
        let s = parse_lst("~LST(v, x, y) M").unwrap();
        let SeqKind::Lst { params, sets, .. } = s.kind else {
            unreachable!()
        };
        assert_eq!(params, ["v"]);
        assert_eq!(sets, [vec!["x"], vec!["y"]]);
        assert!(parse_lst("~LST(v) bad").unwrap_err().is_none());
        assert_eq!(
            parse_lst("~LST(v, {1,2})").unwrap_err().unwrap(),
            "~LST specification has too many values '~LST(v, {1,2})'"
        );
    }
}
