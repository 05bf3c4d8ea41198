//! `track_file`: the value of a tracked file, read the way keepalived
//! 2.2.7's `process_track_file()` reads it.
//!
//! keepalived reads at most 127 bytes and converts them with
//! `strtol(buf, NULL, 0)`: leading white space, an optional sign, then a
//! decimal, `0x` hexadecimal or `0` octal number; whatever follows is
//! ignored, and text with no number at all reads as 0. An empty file or one
//! that cannot be opened also reads as 0, and so does a deleted file. Only a
//! number outside `i32::MIN ..= i32::MAX + 1` (keepalived's bound, one more
//! than `INT_MAX`) is rejected: it is logged and the previous value kept.
//!
//! The watching (inotify) is the driver's business: it calls
//! [`FileTracker::update`] with the new contents, or
//! [`FileTracker::deleted`] when the file went away.

use crate::config::model::TrackFile;

use super::action::{Input, TrackKind, TrackStatus};
use super::track_script::{Message, TrackEvent};

/// keepalived reads into a 128-byte buffer, leaving room for the NUL.
pub const READ_LIMIT: usize = 127;

/// A number keepalived refuses: the value `strtol` produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidNumber(pub i64);

/// The value of a file with these contents (`None`: it could not be
/// opened).
pub fn parse_track_file(contents: Option<&[u8]>) -> Result<i64, InvalidNumber> {
    let Some(bytes) = contents else {
        return Ok(0);
    };
    let bytes = &bytes[..bytes.len().min(READ_LIMIT)];
    // A C string ends at the first NUL.
    let bytes = bytes.split(|&b| b == 0).next().unwrap_or_default();
    let (value, overflow) = strtol(bytes);
    if overflow || value < i64::from(i32::MIN) || value > i64::from(i32::MAX) + 1 {
        return Err(InvalidNumber(value));
    }
    Ok(value)
}

/// C's `strtol(s, NULL, 0)` on a 64-bit `long`: the value and whether it
/// overflowed (then saturated, as `ERANGE` does).
fn strtol(s: &[u8]) -> (i64, bool) {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let hex_prefix = s.get(i) == Some(&b'0')
        && matches!(s.get(i + 1), Some(b'x' | b'X'))
        && s.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
    let radix = if hex_prefix {
        i += 2;
        16
    } else if s.get(i) == Some(&b'0') {
        8
    } else {
        10
    };
    // Accumulate the magnitude; i64::MIN's magnitude needs the u64 range.
    let mut magnitude: u64 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(radix)) {
        match magnitude
            .checked_mul(u64::from(radix))
            .and_then(|m| m.checked_add(u64::from(d)))
        {
            Some(m) => magnitude = m,
            None => overflow = true,
        }
        i += 1;
    }
    let limit = if negative {
        i64::MIN.unsigned_abs()
    } else {
        i64::MAX as u64
    };
    if overflow || magnitude > limit {
        return (if negative { i64::MIN } else { i64::MAX }, true);
    }
    let value = if negative {
        0i64.wrapping_sub_unsigned(magnitude)
    } else {
        magnitude as i64
    };
    (value, false)
}

/// One `track_file`'s last value.
#[derive(Clone, Debug)]
pub struct FileTracker {
    name: String,
    path: String,
    last: i64,
}

impl FileTracker {
    /// The tracker at startup: `contents` is the file as read then (`None`
    /// when it does not exist yet, which keeps 0). An out-of-range number
    /// is logged and reads as 0.
    pub fn new(file: &TrackFile, contents: Option<&[u8]>) -> (FileTracker, Vec<TrackEvent>) {
        let mut t = FileTracker {
            name: file.name.clone(),
            path: file.file.clone().unwrap_or_default(),
            last: 0,
        };
        let mut events = Vec::new();
        match parse_track_file(contents) {
            Ok(v) => t.last = v,
            Err(e) => events.push(t.invalid(e)),
        }
        (t, events)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn status(&self) -> TrackStatus {
        TrackStatus::Value(self.last)
    }

    /// The file was written (or moved in): the new status if it changed,
    /// or the log line for a rejected number.
    pub fn update(&mut self, contents: Option<&[u8]>) -> Vec<TrackEvent> {
        match parse_track_file(contents) {
            Ok(v) => self.set(v),
            Err(e) => vec![self.invalid(e)],
        }
    }

    /// The file was deleted or moved away: it counts as 0.
    pub fn deleted(&mut self) -> Vec<TrackEvent> {
        self.set(0)
    }

    /// The VRRP input announcing `status` to an instance tracking this file.
    pub fn input(&self, status: TrackStatus) -> Input {
        Input::Track {
            kind: TrackKind::File,
            name: self.name.clone(),
            status,
        }
    }

    fn set(&mut self, value: i64) -> Vec<TrackEvent> {
        if value == self.last {
            return Vec::new();
        }
        self.last = value;
        vec![TrackEvent::Status(TrackStatus::Value(value))]
    }

    fn invalid(&self, e: InvalidNumber) -> TrackEvent {
        TrackEvent::Log {
            message: Message::InvalidTrackFileNumber {
                value: e.0,
                path: &self.path,
            }
            .to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<i64, InvalidNumber> {
        parse_track_file(Some(s.as_bytes()))
    }

    #[test]
    fn numbers_as_strtol_reads_them() {
        assert_eq!(p("5\n"), Ok(5));
        assert_eq!(p("  -12xyz"), Ok(-12));
        assert_eq!(p("+7"), Ok(7));
        assert_eq!(p("\n5"), Ok(5));
        assert_eq!(p("0x1f"), Ok(31));
        assert_eq!(p("0X10"), Ok(16));
        assert_eq!(p("-0x10"), Ok(-16));
        assert_eq!(p("010"), Ok(8));
        assert_eq!(p("08"), Ok(0));
        assert_eq!(p("0x"), Ok(0));
        assert_eq!(p("0xg"), Ok(0));
    }

    #[test]
    fn garbage_empty_and_missing_read_as_zero() {
        assert_eq!(p(""), Ok(0));
        assert_eq!(p("abc"), Ok(0));
        assert_eq!(p("- 5"), Ok(0));
        assert_eq!(parse_track_file(None), Ok(0));
        assert_eq!(parse_track_file(Some(b"\x003")), Ok(0));
    }

    #[test]
    fn range_is_int_min_to_int_max_plus_one() {
        assert_eq!(p("2147483648"), Ok(2_147_483_648));
        assert_eq!(p("-2147483648"), Ok(-2_147_483_648));
        assert_eq!(p("2147483649"), Err(InvalidNumber(2_147_483_649)));
        assert_eq!(p("-2147483649"), Err(InvalidNumber(-2_147_483_649)));
        assert_eq!(p("99999999999999999999"), Err(InvalidNumber(i64::MAX)));
        assert_eq!(p("-99999999999999999999"), Err(InvalidNumber(i64::MIN)));
    }

    #[test]
    fn only_the_first_127_bytes_count() {
        let mut s = " ".repeat(126);
        s.push_str("42");
        assert_eq!(p(&s), Ok(4));
    }

    fn tf() -> TrackFile {
        TrackFile {
            name: "tf".into(),
            file: Some("/run/tf".into()),
            ..TrackFile::default()
        }
    }

    #[test]
    fn tracker_reports_changes_only_and_keeps_value_on_bad_numbers() {
        let (mut t, ev) = FileTracker::new(&tf(), Some(b"3"));
        assert!(ev.is_empty());
        assert_eq!(t.status(), TrackStatus::Value(3));
        assert_eq!(t.update(Some(b"3\n")), []);
        assert_eq!(
            t.update(Some(b"-4")),
            [TrackEvent::Status(TrackStatus::Value(-4))]
        );
        assert_eq!(
            t.update(Some(b"5000000000")),
            [TrackEvent::Log {
                message: "Invalid number 5000000000 read from /run/tf - ignoring".into()
            }]
        );
        assert_eq!(t.status(), TrackStatus::Value(-4));
        assert_eq!(t.deleted(), [TrackEvent::Status(TrackStatus::Value(0))]);
        assert_eq!(t.deleted(), []);
        assert_eq!(
            t.input(TrackStatus::Value(0)),
            Input::Track {
                kind: TrackKind::File,
                name: "tf".into(),
                status: TrackStatus::Value(0)
            }
        );
    }

    #[test]
    fn missing_file_at_start_is_zero() {
        let (t, _) = FileTracker::new(&tf(), None);
        assert_eq!(t.status(), TrackStatus::Value(0));
    }
}
