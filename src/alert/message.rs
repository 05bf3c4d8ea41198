//! The mail on the wire: keepalived's header block, body framing and Date
//! format (`SMTP_HEADERS_CMD`, `SMTP_BODY_CMD`, `SMTP_SEND_CMD`).

use crate::sys::clock::LocalTime;

/// keepalived's `SMTP_BUFFER_MAX - 1`: room for the `To:` header.
const MAX_TO_HEADER: usize = 1023;

/// One alert mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    /// `MAIL FROM:<…>` and `From:`.
    pub from: String,
    /// One `RCPT TO:<…>` each, in order; `To:` lists them.
    pub to: Vec<String>,
    pub subject: String,
    /// One line, without a line end.
    pub body: String,
}

impl Mail {
    /// What follows the server's 354, up to and including the lone-dot
    /// line: `Date`, `From`, `Subject`, `X-Mailer: Keepalived`, `To`, a
    /// blank line, the body, then keepalived's CRLF, blank line and `.`
    /// (so the body always ends with an empty line). `date` is
    /// [`rfc822_date`]'s text.
    ///
    /// Body lines starting with `.` are dot-stuffed (RFC 5321 4.5.2);
    /// keepalived does not do this, but none of its bodies starts with a
    /// dot, so the bytes are the same for every mail it sends.
    pub fn data(&self, date: &str) -> Vec<u8> {
        let mut out = format!(
            "Date: {date}\r\nFrom: {}\r\nSubject: {}\r\nX-Mailer: Keepalived\r\nTo: {}\r\n\r\n",
            self.from,
            self.subject,
            self.to_header()
        );
        for (i, line) in self.body.split("\r\n").enumerate() {
            if i > 0 {
                out.push_str("\r\n");
            }
            if line.starts_with('.') {
                out.push('.');
            }
            out.push_str(line);
        }
        out.push_str("\r\n\r\n.\r\n");
        out.into_bytes()
    }

    /// The `To:` value: recipients joined by `, `, cut as keepalived's
    /// 1024-byte buffer cuts it (a recipient that no longer fits is left
    /// out, after its `, ` separator has been written).
    pub fn to_header(&self) -> String {
        let mut out = String::new();
        let mut room = MAX_TO_HEADER;
        for (i, addr) in self.to.iter().enumerate() {
            if i > 0 {
                if room < 2 {
                    break;
                }
                out.push_str(", ");
                room -= 2;
            }
            if room < addr.len() {
                break;
            }
            out.push_str(addr);
            room -= addr.len();
        }
        out
    }
}

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// keepalived's Date: `strftime("%a, %d %b %Y %H:%M:%S %z")` of local time
/// in the C locale, e.g. `Mon, 01 Mar 2021 09:44:08 +0000`.
/// `offset_secs` is the local offset from UTC ([`utc_offset`]).
pub fn rfc822_date(t: &LocalTime, offset_secs: i32) -> String {
    let sign = if offset_secs < 0 { '-' } else { '+' };
    let off = offset_secs.unsigned_abs() / 60;
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} {sign}{:02}{:02}",
        DAYS[usize::from(t.wday % 7)],
        t.mday,
        MONTHS[usize::from(t.month % 12)],
        t.year,
        t.hour,
        t.min,
        t.sec,
        off / 60,
        off % 60
    )
}

/// The local offset from UTC, in seconds, of broken-down local time `t`
/// for the instant `unix_secs` (what glibc keeps in `tm_gmtoff`): the local
/// wall clock read as if it were UTC, minus the instant.
pub fn utc_offset(t: &LocalTime, unix_secs: i64) -> i32 {
    let days = days_from_civil(i64::from(t.year), i64::from(t.month) + 1, i64::from(t.mday));
    // A leap second (sec = 60) is not an offset.
    let wall = days * 86_400
        + i64::from(t.hour) * 3_600
        + i64::from(t.min) * 60
        + i64::from(t.sec.min(59));
    let off = wall - unix_secs;
    i32::try_from(off).unwrap_or(0)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// algorithm); `month` is 1-based.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> Mail {
        Mail {
            from: "ka@example.com".into(),
            to: vec!["a@example.com".into(), "b@example.com".into()],
            subject: "[r] VRRP Instance VI_1 - Entering MASTER state".into(),
            body: "=> VRRP Instance is now owning VRRP VIPs <=".into(),
        }
    }

    #[test]
    fn data_is_keepalived_framing() {
        let d = mail().data("Mon, 01 Mar 2021 09:44:08 +0000");
        assert_eq!(
            String::from_utf8(d).unwrap(),
            "Date: Mon, 01 Mar 2021 09:44:08 +0000\r\n\
             From: ka@example.com\r\n\
             Subject: [r] VRRP Instance VI_1 - Entering MASTER state\r\n\
             X-Mailer: Keepalived\r\n\
             To: a@example.com, b@example.com\r\n\
             \r\n\
             => VRRP Instance is now owning VRRP VIPs <=\r\n\
             \r\n\
             .\r\n"
        );
    }

    #[test]
    fn body_lines_starting_with_a_dot_are_stuffed() {
        let mut m = mail();
        m.body = ".a\r\nb\r\n.".into();
        let d = String::from_utf8(m.data("D")).unwrap();
        assert!(d.ends_with("\r\n\r\n..a\r\nb\r\n..\r\n\r\n.\r\n"), "{d:?}");
    }

    #[test]
    fn to_header_is_cut_like_keepalived() {
        let mut m = mail();
        m.to = vec!["x".repeat(1020), "abc".into(), "d".into()];
        // 1020 + ", " leaves 1 byte: "abc" does not fit, the loop stops.
        assert_eq!(m.to_header(), format!("{}, ", "x".repeat(1020)));
        m.to = vec!["a".into()];
        assert_eq!(m.to_header(), "a");
    }

    fn lt(year: i32, month: u8, mday: u8, hour: u8, min: u8, sec: u8, wday: u8) -> LocalTime {
        LocalTime {
            year,
            month,
            mday,
            hour,
            min,
            sec,
            wday,
            nsec: 0,
        }
    }

    #[test]
    fn date_format() {
        let t = lt(2021, 2, 1, 9, 44, 8, 1);
        assert_eq!(rfc822_date(&t, 0), "Mon, 01 Mar 2021 09:44:08 +0000");
        assert_eq!(
            rfc822_date(&t, 3600 + 1800),
            "Mon, 01 Mar 2021 09:44:08 +0130"
        );
        assert_eq!(
            rfc822_date(&t, -(3 * 3600 + 1800)),
            "Mon, 01 Mar 2021 09:44:08 -0330"
        );
    }

    #[test]
    fn offset_from_wall_clock() {
        // 2021-03-01 09:44:08 UTC = 1614591848.
        let t = lt(2021, 2, 1, 9, 44, 8, 1);
        assert_eq!(utc_offset(&t, 1_614_591_848), 0);
        let t = lt(2021, 2, 1, 11, 14, 8, 1);
        assert_eq!(utc_offset(&t, 1_614_591_848), 5400);
        // Across a day boundary backwards: 2021-02-28 23:44:08 at -10h.
        let t = lt(2021, 1, 28, 23, 44, 8, 0);
        assert_eq!(utc_offset(&t, 1_614_591_848), -36_000);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn date_matches_libc_strftime_for_now() {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let t = crate::sys::clock::at(secs as libc::time_t, 0);
        let ours = rfc822_date(&t, utc_offset(&t, secs));
        let out = std::process::Command::new("date")
            .arg(format!("--date=@{secs}"))
            .arg("+%a, %d %b %Y %H:%M:%S %z")
            .env("LC_ALL", "C")
            .output()
            .expect("date(1)");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), ours);
    }
}
