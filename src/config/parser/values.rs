//! Value readers with keepalived's exact acceptance rules and messages
//! (`read_int`, `read_unsigned`, `read_decimal_unsigned`, `read_timer`,
//! `check_true_false`, IP address parsing). The scanning is done with nom.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use nom::IResult;
use nom::Parser as _;
use nom::bytes::complete::take_while;
use nom::character::complete::{digit0, one_of};
use nom::combinator::opt;

use super::ctx::Parser;
use crate::config::diag::Category;
use crate::config::token::Line;

/// µs digits after the decimal point (keepalived's `TIMER_HZ_DIGITS`).
pub const TIMER_DIGITS: u32 = 6;
/// keepalived's `TIMER_MAXIMUM`: the largest timer in µs (u32 max).
pub const TIMER_MAXIMUM: u64 = u32::MAX as u64;

/// What C's `strtol`/`strtoul` consume: blanks, sign, decimal digits.
struct CNumber<'a> {
    negative: bool,
    digits: &'a str,
    rest: &'a str,
}

fn c_number(s: &str) -> IResult<&str, (Option<char>, &str)> {
    let (s, _) = take_while(|c: char| " \t\n\r\x0b\x0c".contains(c))(s)?;
    (opt(one_of("+-")), digit0).parse(s)
}

fn scan(s: &str) -> CNumber<'_> {
    // The usual word is plain digits: what the grammar below would return,
    // without running it (numbers are most of a large configuration's values).
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return CNumber {
            negative: false,
            digits: s,
            rest: "",
        };
    }
    match c_number(s) {
        Ok((rest, (sign, digits))) if !digits.is_empty() => CNumber {
            negative: sign == Some('-'),
            digits,
            rest,
        },
        // No digits: strtol leaves endptr at the start.
        _ => CNumber {
            negative: false,
            digits: "",
            rest: s,
        },
    }
}

/// `strtol`-like value: saturating like C on overflow (flagged).
fn c_value(n: &CNumber<'_>) -> (i128, bool) {
    let (v, overflow) = digits_value(n.digits.bytes());
    (if n.negative { -v } else { v }, overflow)
}

/// The value of decimal digits, saturating at `u64::MAX` (flagged).
fn digits_value(digits: impl Iterator<Item = u8>) -> (i128, bool) {
    let mut v: i128 = 0;
    let mut overflow = false;
    for b in digits {
        v = v * 10 + i128::from(b - b'0');
        if v > u64::MAX as i128 {
            overflow = true;
            v = u64::MAX as i128;
        }
    }
    (v, overflow)
}

/// What scanning `int_part`, `frac` and zeros up to `shift` decimals,
/// written one after the other, would give when that text is plain digits
/// (the usual timer value): computed without writing the text.
fn plain_decimal(int_part: &str, frac: &str, shift: u32) -> Option<(i128, bool)> {
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let pad = (shift as usize).checked_sub(frac.len())?;
    if int_part.is_empty() || !digits(int_part) || !digits(frac) {
        return None;
    }
    Some(digits_value(
        int_part
            .bytes()
            .chain(frac.bytes())
            .chain(std::iter::repeat_n(b'0', pad)),
    ))
}

/// keepalived's `check_true_false()`.
pub fn true_false(s: &str) -> Option<bool> {
    match s {
        "true" | "on" | "yes" => Some(true),
        "false" | "off" | "no" => Some(false),
        _ => None,
    }
}

impl Parser<'_> {
    /// keepalived prefixes a tolerated bad value with "WARNING - " when it
    /// carries on (lenient keyword, not `-t`); under `-t` the same text is
    /// an error and has no prefix.
    pub(crate) fn warn_prefix(&self, lenient: bool) -> &'static str {
        if lenient && !self.config_test {
            "WARNING - "
        } else {
            ""
        }
    }

    fn invalid_number(&mut self, line: &Line, i: usize, msg: String) {
        self.error_at(line, i, Category::InvalidNumber, msg);
    }

    /// keepalived's `read_int()` on word `i`. `lenient` is its `ignore_error`.
    pub fn read_int(
        &mut self,
        line: &Line,
        i: usize,
        min: i64,
        max: i64,
        lenient: bool,
    ) -> Option<i64> {
        let s = self.word(line, i)?;
        let warn = self.warn_prefix(lenient);
        let n = scan(s);
        let (v, overflow) = c_value(&n);
        if !n.rest.is_empty() {
            self.invalid_number(line, i, format!("{warn}invalid number '{s}'"));
        } else if overflow || v < i128::from(i32::MIN) || v > i128::from(i32::MAX) {
            self.invalid_number(line, i, format!("{warn}number '{s}' outside integer range"));
        } else if v < i128::from(min) || v > i128::from(max) {
            self.invalid_number(
                line,
                i,
                format!("number '{s}' outside range [{min}, {max}]"),
            );
        } else {
            return Some(v as i64);
        }
        (lenient && !self.config_test && v >= i128::from(min) && v <= i128::from(max))
            .then_some(v as i64)
    }

    /// keepalived's `read_unsigned()` on word `i`.
    pub fn read_unsigned(
        &mut self,
        line: &Line,
        i: usize,
        min: u64,
        max: u64,
        lenient: bool,
    ) -> Option<u64> {
        self.read_unsigned_limit(
            line,
            i,
            min,
            max,
            lenient,
            (u64::from(u32::MAX), "unsigned integer"),
        )
    }

    /// keepalived's `read_unsigned64()` on word `i`.
    pub fn read_unsigned64(
        &mut self,
        line: &Line,
        i: usize,
        min: u64,
        max: u64,
        lenient: bool,
    ) -> Option<u64> {
        self.read_unsigned_limit(line, i, min, max, lenient, (u64::MAX, "unsigned 64 bit"))
    }

    fn read_unsigned_limit(
        &mut self,
        line: &Line,
        i: usize,
        min: u64,
        max: u64,
        lenient: bool,
        (limit, range_name): (u64, &str),
    ) -> Option<u64> {
        let s = self.word(line, i)?;
        let warn = self.warn_prefix(lenient);
        let n = scan(s);
        let (v, overflow) = c_value(&n);
        let v = v.unsigned_abs().min(u128::from(u64::MAX)) as u64;
        let trimmed = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
        if trimmed.starts_with('-') {
            self.invalid_number(line, i, format!("{warn}negative number '{s}'"));
        } else if !n.rest.is_empty() {
            self.invalid_number(line, i, format!("{warn}invalid number '{s}'"));
        } else if overflow || v > limit {
            self.invalid_number(
                line,
                i,
                format!("{warn}number '{s}' outside {range_name} range"),
            );
        } else if v < min || v > max {
            let w = if limit == u64::MAX { "" } else { warn };
            self.invalid_number(
                line,
                i,
                format!("{w}number '{s}' outside range [{min}, {max}]"),
            );
        } else {
            return Some(v);
        }
        (lenient && !self.config_test && v >= min && v <= max && !trimmed.starts_with('-'))
            .then_some(v)
    }

    /// keepalived's `read_decimal_unsigned()`: a decimal with at most `shift`
    /// places, returned scaled by 10^shift. `min`/`max` are scaled too.
    pub fn read_decimal(
        &mut self,
        line: &Line,
        i: usize,
        min: u64,
        max: u64,
        shift: u32,
        lenient: bool,
    ) -> Option<u64> {
        let s = self.word(line, i)?;
        self.read_decimal_text(line, i, s, min, max, shift, lenient)
    }

    /// [`Parser::read_decimal`] on a piece of word `i` (for values with units).
    #[allow(clippy::too_many_arguments)]
    pub fn read_decimal_text(
        &mut self,
        line: &Line,
        i: usize,
        s: &str,
        min: u64,
        max: u64,
        shift: u32,
        lenient: bool,
    ) -> Option<u64> {
        let warn = self.warn_prefix(lenient);
        if s.starts_with('-') {
            self.invalid_number(line, i, format!("{warn}negative number '{s}'"));
            return None;
        }
        let (int_part, frac) = match s.bytes().position(|b| b == b'.') {
            Some(p) => (&s[..p], &s[p + 1..]),
            None => (s, ""),
        };
        let mut frac_used = frac;
        let mut round_up = false;
        if frac.len() > shift as usize {
            self.invalid_number(
                line,
                i,
                format!("{warn}number '{s}' has too many decimal places"),
            );
            round_up = frac.as_bytes()[shift as usize] >= b'5';
            // Cut at a character boundary (invalid UTF-8 became U+FFFD);
            // the digits stop before any such character anyway.
            let mut n = shift as usize;
            while !frac.is_char_boundary(n) {
                n -= 1;
            }
            frac_used = &frac[..n];
        }
        let (v, overflow, rest_empty) = match plain_decimal(int_part, frac_used, shift) {
            Some((v, overflow)) => (v, overflow, true),
            None => {
                let mut joined = String::with_capacity(int_part.len() + shift as usize);
                joined.push_str(int_part);
                joined.push_str(frac_used);
                for _ in frac_used.len()..shift as usize {
                    joined.push('0');
                }
                let n = scan(&joined);
                let (v, overflow) = c_value(&n);
                (v, overflow, n.rest.is_empty())
            }
        };
        let mut v = v.unsigned_abs().min(u128::from(u64::MAX)) as u64;
        if round_up {
            v = v.saturating_add(1);
        }
        if !rest_empty {
            self.invalid_number(line, i, format!("{warn}invalid number '{s}'"));
        } else if overflow {
            self.invalid_number(
                line,
                i,
                format!("{warn}number '{s}' outside unsigned decimal range"),
            );
            return None;
        } else if v < min || v > max {
            let d = 10u64.pow(shift);
            let w = shift as usize;
            // C's "%*.*lu" prints nothing for a zero precision.
            let frac = |v: u64| {
                if w == 0 {
                    String::new()
                } else {
                    format!("{:0w$}", v % d)
                }
            };
            let msg = format!(
                "{warn}number '{s}' outside range [{}.{}, {}.{}]",
                min / d,
                frac(min),
                max / d,
                frac(max)
            );
            self.invalid_number(line, i, msg);
        } else {
            return Some(v);
        }
        (lenient && v >= min && v <= max).then_some(v)
    }

    /// keepalived's `read_timer()`: seconds with up to 6 decimals, in µs.
    /// `max == 0` means `TIMER_MAXIMUM`.
    pub fn read_timer(
        &mut self,
        line: &Line,
        i: usize,
        min: u64,
        max: u64,
        lenient: bool,
    ) -> Option<u64> {
        let max = if max == 0 { TIMER_MAXIMUM } else { max };
        self.read_decimal(line, i, min, max, TIMER_DIGITS, lenient)
    }

    /// A `[BOOL]` keyword argument: true when absent, `None` (with the given
    /// error) when not a boolean word.
    pub fn opt_bool(&mut self, line: &Line, msg: impl FnOnce(&str) -> String) -> Option<bool> {
        match line.words.get(1) {
            None => Some(true),
            Some(w) => match true_false(&w.text) {
                Some(b) => Some(b),
                None => {
                    let m = msg(&w.text);
                    self.err(line, 1, m);
                    None
                }
            },
        }
    }
}

/// keepalived's `inet_stosockaddr()` without port: the text up to the first
/// `-` or `/` (range and mask are ignored) as an IPv4/IPv6 address.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    let cut = (s.bytes().position(|b| b == b'-' || b == b'/')).unwrap_or(s.len());
    parse_ip_strict(&s[..cut])
}

/// `inet_pton()` of the whole text, in the family its `:` implies.
pub fn parse_ip_strict(s: &str) -> Option<IpAddr> {
    if s.contains(':') {
        s.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
    } else {
        parse_ipv4_inet_pton(s).map(IpAddr::V4)
    }
}

/// `inet_pton(AF_INET)`: exactly four decimal octets, no leading zeros beyond
/// one digit each is fine for glibc ("010" is accepted as 10).
pub fn parse_ipv4_inet_pton(s: &str) -> Option<Ipv4Addr> {
    // One pass over the bytes (this runs for every address of a large
    // configuration): inet_pton's parts are 1 to 3 digits, no leading zero.
    let mut o = [0u8; 4];
    let (mut n, mut v, mut len, mut lead0) = (0usize, 0u16, 0usize, false);
    for &b in s.as_bytes().iter().chain(std::iter::once(&b'.')) {
        if b == b'.' {
            if n == 4 || len == 0 || (len > 1 && lead0) {
                return None;
            }
            o[n] = u8::try_from(v).ok()?;
            (n, v, len) = (n + 1, 0, 0);
        } else if b.is_ascii_digit() {
            if len == 3 {
                return None;
            }
            lead0 = if len == 0 { b == b'0' } else { lead0 };
            v = v * 10 + u16::from(b - b'0');
            len += 1;
        } else {
            return None;
        }
    }
    (n == 4).then(|| Ipv4Addr::from(o))
}

/// Split `ADDR/LEN` into the address and prefix (`None` when no `/`).
pub fn split_prefix(s: &str) -> (&str, Option<&str>) {
    match s.bytes().position(|b| b == b'/') {
        Some(p) => (&s[..p], Some(&s[p + 1..])),
        None => (s, None),
    }
}

/// A decimal number in `[0, max]` written as keepalived's `strtoul` would take it.
pub fn parse_uint(s: &str, max: u64) -> Option<u64> {
    let (rest, (sign, digits)) = c_number(s).ok()?;
    if !rest.is_empty() || digits.is_empty() || sign == Some('-') {
        return None;
    }
    digits.parse::<u64>().ok().filter(|v| *v <= max)
}

/// RT_SCOPE_* number of a scope word, as iproute2's rt_scopes table (and so
/// keepalived's `find_rttables_scope`) names them; numbers are taken as is.
pub fn scope_number(word: &str) -> Option<u8> {
    match word {
        "global" | "universe" => Some(0),
        "site" => Some(200),
        "link" => Some(253),
        "host" => Some(254),
        "nowhere" => Some(255),
        _ => word.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_forms() {
        assert_eq!(parse_ip("192.0.2.1"), Some("192.0.2.1".parse().unwrap()));
        assert_eq!(parse_ip("192.0.2."), None);
        assert_eq!(
            parse_ip("2001:db8::1"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(parse_ip("VIP"), None);
    }

    #[test]
    fn uint() {
        assert_eq!(parse_uint("80", 65535), Some(80));
        assert_eq!(parse_uint("-1", 65535), None);
        assert_eq!(parse_uint("8x", 65535), None);
    }
}
