//! keepalived's respawn rate limit: a child that ran less than 60 s is
//! restarted after 0, 1, 2, 4, … up to 60 s; one that ran longer restarts
//! at once and resets the sequence.

use std::time::Duration;

/// Children that lived at least this long restart immediately.
const STABLE: Duration = Duration::from_secs(60);
const MAX_DELAY: Duration = Duration::from_secs(60);

#[derive(Clone, Debug, Default)]
pub struct Respawn {
    last: Option<Duration>,
}

impl Respawn {
    /// The delay before the next start of a child that lived `ran`.
    pub fn next_delay(&mut self, ran: Duration) -> Duration {
        if ran >= STABLE {
            self.last = None;
            return Duration::ZERO;
        }
        let next = match self.last {
            None => Duration::ZERO,
            Some(d) if d.is_zero() => Duration::from_secs(1),
            Some(d) => (d * 2).min(MAX_DELAY),
        };
        self.last = Some(next);
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_a_minute_then_resets_after_a_stable_run() {
        let mut r = Respawn::default();
        let quick = Duration::from_secs(1);
        let got: Vec<u64> = (0..9).map(|_| r.next_delay(quick).as_secs()).collect();
        assert_eq!(got, [0, 1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(r.next_delay(Duration::from_secs(61)), Duration::ZERO);
        assert_eq!(r.next_delay(quick), Duration::ZERO);
        assert_eq!(r.next_delay(quick).as_secs(), 1);
    }
}
