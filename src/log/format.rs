//! The exact byte layouts keepalived 2.2.7 writes, as pure functions.
//!
//! Verified against Debian's `/usr/sbin/keepalived -n -l -D -S 0` (stderr and
//! a datagram socket bound at `/dev/log` in a private mount namespace):
//!
//! ```text
//! stderr:  Tue Dec  1 23:01:08 2026: Starting Keepalived v2.2.7 (01/16,2022)
//! syslog:  <134>Dec  1 23:01:08 Keepalived[21291]: Starting Keepalived v2.2.7 (01/16,2022)
//! ```
//!
//! The console stamp is `strftime("%c")` in the C locale; the syslog header
//! is glibc's `<PRI>%h %e %T IDENT[PID]: ` with no trailing newline; the log
//! file (`-g`, not in Debian's build) uses `%a %b %d %T.NNNNNNNNN %Y` per
//! `lib/logger.c`.

use crate::sys::clock::LocalTime;

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// keepalived formats console and file lines into a `2 * MAX_LOG_MSG + 1`
/// byte buffer (MAX_LOG_MSG = 255), so longer messages are cut at 510 bytes
/// there; syslog gets the whole message.
pub const MAX_CONSOLE_MSG: usize = 2 * 255;

fn day(t: &LocalTime) -> &'static str {
    DAYS[usize::from(t.wday % 7)]
}

fn month(t: &LocalTime) -> &'static str {
    MONTHS[usize::from(t.month % 12)]
}

/// `strftime("%c")` in the C locale: `Wed Nov 25 06:42:59 2026`.
pub fn ctime_stamp(t: &LocalTime) -> String {
    format!(
        "{} {} {:>2} {:02}:{:02}:{:02} {}",
        day(t),
        month(t),
        t.mday,
        t.hour,
        t.min,
        t.sec,
        t.year
    )
}

/// Cut `msg` to at most `max` bytes on a character boundary.
pub fn truncate(msg: &str, max: usize) -> &str {
    if msg.len() <= max {
        return msg;
    }
    let mut end = max;
    while !msg.is_char_boundary(end) {
        end -= 1;
    }
    &msg[..end]
}

/// A `-l` console line, newline included.
pub fn console_line(t: &LocalTime, msg: &str) -> String {
    format!("{}: {}\n", ctime_stamp(t), truncate(msg, MAX_CONSOLE_MSG))
}

/// A `-g` log file line, newline included:
/// `Wed Nov 25 06:42:59.123456789 2026: msg`.
pub fn file_line(t: &LocalTime, msg: &str) -> String {
    format!(
        "{} {} {:02} {:02}:{:02}:{:02}.{:09} {}: {}\n",
        day(t),
        month(t),
        t.mday,
        t.hour,
        t.min,
        t.sec,
        t.nsec,
        t.year,
        truncate(msg, MAX_CONSOLE_MSG)
    )
}

/// A syslog datagram as glibc's `syslog()` sends it to `/dev/log`:
/// `<PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE`, no newline.
pub fn syslog_datagram(pri: u8, t: &LocalTime, ident: &str, pid: u32, msg: &str) -> String {
    format!(
        "<{pri}>{} {:>2} {:02}:{:02}:{:02} {ident}[{pid}]: {msg}",
        month(t),
        t.mday,
        t.hour,
        t.min,
        t.sec
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> LocalTime {
        LocalTime {
            year: 2026,
            month: 11,
            mday: 1,
            hour: 23,
            min: 1,
            sec: 8,
            wday: 2,
            nsec: 5_000,
        }
    }

    #[test]
    fn console_matches_keepalived() {
        assert_eq!(
            console_line(&t(), "Starting Keepalived v2.2.7 (01/16,2022)"),
            "Tue Dec  1 23:01:08 2026: Starting Keepalived v2.2.7 (01/16,2022)\n"
        );
        let mut t2 = t();
        t2.mday = 25;
        assert_eq!(ctime_stamp(&t2), "Tue Dec 25 23:01:08 2026");
    }

    #[test]
    fn syslog_matches_glibc() {
        assert_eq!(
            syslog_datagram(134, &t(), "Keepalived", 21291, "Configuration file /x"),
            "<134>Dec  1 23:01:08 Keepalived[21291]: Configuration file /x"
        );
    }

    #[test]
    fn file_line_has_nanoseconds_and_zero_padded_day() {
        assert_eq!(
            file_line(&t(), "m"),
            "Tue Dec 01 23:01:08.000005000 2026: m\n"
        );
    }

    #[test]
    fn long_messages_cut_on_char_boundary() {
        let long = "é".repeat(300); // 600 bytes
        let line = console_line(&t(), &long);
        let msg = line.trim_end().split_once(": ").unwrap().1;
        assert_eq!(msg.len(), 510);
        assert_eq!(truncate("aé", 2), "a");
        assert_eq!(truncate("ab", 5), "ab");
    }
}
