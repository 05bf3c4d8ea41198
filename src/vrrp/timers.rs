//! VRRP timer arithmetic, in microseconds, with keepalived's integer
//! rounding (`VRRP_TIMER_SKEW_CALC` and `VRRP_MS_DOWN_TIMER` in `vrrp.h`), so
//! that a takeover happens at exactly the instant keepalived's would.

use crate::proto::vrrp::Version;

/// Microseconds per second (keepalived's `TIMER_HZ`).
pub const TIMER_HZ: u64 = 1_000_000;
/// Microseconds per centisecond, the VRRPv3 interval unit (RFC 5798 §5.2.7).
pub const TIMER_CENTI_HZ: u64 = TIMER_HZ / 100;
/// Priority of the address owner (RFC 3768 §5.3.4, RFC 5798 §5.2.4).
pub const PRIO_OWNER: u8 = 255;
/// Priority a master sends when it stops (RFC 3768 §5.3.4).
pub const PRIO_STOP: u8 = 0;
/// Default priority when none is configured (RFC 3768 §5.3.4).
pub const PRIO_DEFAULT: u8 = 100;
/// Adverts a backup misses before declaring the master down (RFC 5798 §6.1
/// uses 3; keepalived makes it configurable with `down_timer_adverts`).
pub const DOWN_TIMER_ADVERTS: u32 = 3;

/// Skew_Time for the value `pri_val` (normally `256 − priority`).
///
/// VRRPv2 (RFC 3768 §6.1): `(256 − Priority) / 256` seconds, independent of
/// the advert interval. VRRPv3 (RFC 5798 §6.1): `((256 − Priority) ×
/// Master_Adver_Interval) / 256`; keepalived computes it from the interval in
/// whole centiseconds as `pri × cs × 625 / 16`, which we copy so the integer
/// rounding matches.
pub fn skew_calc(version: Version, master_adver_int: u64, pri_val: u64) -> u64 {
    match version {
        Version::V2 => pri_val * TIMER_HZ / 256,
        Version::V3 => pri_val * (master_adver_int / TIMER_CENTI_HZ) * 625 / 16,
    }
}

/// Skew_Time for an effective `priority`.
pub fn skew(version: Version, master_adver_int: u64, priority: u8) -> u64 {
    skew_calc(version, master_adver_int, 256 - u64::from(priority))
}

/// The smallest skew (`VRRP_TIMER_SKEW_MIN`: the skew of priority 255).
pub fn skew_min(version: Version, master_adver_int: u64) -> u64 {
    skew_calc(version, master_adver_int, 1)
}

/// Master_Down_Interval = `down_timer_adverts` × Master_Adver_Interval +
/// Skew_Time (RFC 3768/5798 §6.1 with keepalived's configurable multiplier).
pub fn master_down(
    version: Version,
    down_timer_adverts: u32,
    master_adver_int: u64,
    priority: u8,
) -> u64 {
    u64::from(down_timer_adverts) * master_adver_int + skew(version, master_adver_int, priority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_skew_is_priority_based_only() {
        assert_eq!(skew(Version::V2, TIMER_HZ, 100), 609_375);
        assert_eq!(skew(Version::V2, 5 * TIMER_HZ, 100), 609_375);
        assert_eq!(skew(Version::V2, TIMER_HZ, 255), 3_906);
    }

    #[test]
    fn v3_skew_scales_with_interval() {
        assert_eq!(skew(Version::V3, TIMER_HZ, 100), 609_375);
        assert_eq!(skew(Version::V3, 2 * TIMER_HZ, 100), 1_218_750);
        assert_eq!(
            master_down(Version::V3, 3, 500_000, 200),
            1_500_000 + 109_375
        );
    }
}
