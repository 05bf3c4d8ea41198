//! Clocks std does not expose: broken-down local time, as keepalived's log
//! timestamps use it, and the raw CLOCK_MONOTONIC value systemd wants.
//!
//! keepalived formats its console, file and syslog timestamps from
//! `localtime_r()`, so the local time zone (TZ, /etc/localtime) must be
//! honoured exactly as glibc does; std has no time-zone support and no crate
//! in the tree offers it. `std::time::Instant` hides its raw value, and nix's
//! `time` feature is not enabled, hence two tiny libc calls.
#![allow(unsafe_code)]

use std::time::{SystemTime, UNIX_EPOCH};

/// The fields of `struct tm` the log formats need, plus the sub-second part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    /// Full year (e.g. 2026).
    pub year: i32,
    /// 0 = January.
    pub month: u8,
    /// 1..=31.
    pub mday: u8,
    pub hour: u8,
    pub min: u8,
    /// 0..=60 (leap second).
    pub sec: u8,
    /// 0 = Sunday.
    pub wday: u8,
    /// Nanoseconds within the second (the log file shows them).
    pub nsec: u32,
}

/// The current local time.
pub fn now() -> LocalTime {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = libc::time_t::try_from(d.as_secs()).unwrap_or(libc::time_t::MAX);
    at(secs, d.subsec_nanos())
}

/// Local time of `secs` since the epoch.
pub fn at(secs: libc::time_t, nsec: u32) -> LocalTime {
    // SAFETY: `tm` is plain old data, so all-zero is a valid value; it is
    // fully overwritten by localtime_r on success.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers refer to live, properly aligned locals for the
    // duration of the call; localtime_r is the thread-safe variant.
    let ok = unsafe { !libc::localtime_r(&secs, &mut tm).is_null() };
    if !ok {
        // Out-of-range time: report the epoch rather than garbage.
        return LocalTime {
            year: 1970,
            month: 0,
            mday: 1,
            hour: 0,
            min: 0,
            sec: 0,
            wday: 4,
            nsec,
        };
    }
    // Each field is bounded by localtime_r's contract, so the casts are exact.
    LocalTime {
        year: tm.tm_year + 1900,
        month: tm.tm_mon as u8,
        mday: tm.tm_mday as u8,
        hour: tm.tm_hour as u8,
        min: tm.tm_min as u8,
        sec: tm.tm_sec as u8,
        wday: tm.tm_wday as u8,
        nsec,
    }
}

/// CLOCK_MONOTONIC in microseconds (sd_notify's `MONOTONIC_USEC=`).
pub fn monotonic_usec() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a live local; CLOCK_MONOTONIC always exists on Linux,
    // so the call cannot fail (and on failure `ts` stays zero).
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
    let nsecs = u64::try_from(ts.tv_nsec).unwrap_or(0);
    secs * 1_000_000 + nsecs / 1_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_in_range() {
        let t = now();
        assert!(t.year >= 2024);
        assert!(t.month < 12 && (1..=31).contains(&t.mday) && t.wday < 7);
        assert!(t.hour < 24 && t.min < 60 && t.sec <= 60 && t.nsec < 1_000_000_000);
    }

    #[test]
    fn monotonic_advances() {
        let a = monotonic_usec();
        let b = monotonic_usec();
        assert!(a > 0 && b >= a);
    }
}
