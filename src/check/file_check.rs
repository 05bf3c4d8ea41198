//! FILE_CHECK (`check_file.c`, `track_file.c`), sans I/O: what a tracked
//! file's value means for the real server watching it.
//!
//! The value (read by `vrrp::track_file::parse_track_file`, shared with the
//! VRRP side) times the checker's weight (negated with `reverse`) is added to
//! the real server's weight; a product at or below `i32::MIN`
//! (keepalived's `IPVS_WEIGHT_FAULT`) puts the checker down. With weight 0
//! the file is a plain flag: non-zero means down (zero means down with
//! `reverse`).

use crate::config::model::{Checker, Config};

/// A FILE_CHECK's verdict on a file value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// The checker is down.
    Fault,
    /// The checker is up and adds this to the real server's weight.
    Weight(i32),
}

/// A FILE_CHECK resolved against the `track_file` it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// The `track_file` name.
    pub name: String,
    /// The file's path.
    pub path: String,
    pub weight: i32,
    pub reverse: bool,
}

impl FileCheck {
    /// The checker's `track_file` and weight (default: the track_file's own
    /// weight and reverse); `None` when it names no defined file.
    pub fn resolve(cfg: &Config, ck: &Checker) -> Option<FileCheck> {
        let ext = ck.ext();
        let name = ext.track_file.as_ref()?;
        let tf = cfg.track_files.iter().find(|t| &t.name == name)?;
        let (weight, reverse) = ext.file_weight.unwrap_or((tf.weight, tf.weight_reverse));
        Some(FileCheck {
            name: name.clone(),
            path: tf.file.clone()?,
            weight,
            reverse,
        })
    }

    /// What the file's `value` means (keepalived's `update_track_file_status`
    /// and `weight_range`).
    pub fn status(&self, value: i64) -> FileStatus {
        if self.weight == 0 {
            return if (value != 0) != self.reverse {
                FileStatus::Fault
            } else {
                FileStatus::Weight(0)
            };
        }
        let mult = if self.reverse { -1 } else { 1 };
        let w = value * i64::from(self.weight) * mult;
        if w <= i64::from(i32::MIN) {
            FileStatus::Fault
        } else {
            FileStatus::Weight(w.min(i64::from(i32::MAX)) as i32)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fc(weight: i32, reverse: bool) -> FileCheck {
        FileCheck {
            name: "f".into(),
            path: "/tmp/f".into(),
            weight,
            reverse,
        }
    }

    #[test]
    fn value_times_weight_and_fault_at_int_min() {
        assert_eq!(fc(2, false).status(5), FileStatus::Weight(10));
        assert_eq!(fc(2, false).status(-3), FileStatus::Weight(-6));
        assert_eq!(fc(2, true).status(5), FileStatus::Weight(-10));
        assert_eq!(fc(1, false).status(-2147483648), FileStatus::Fault);
        assert_eq!(
            fc(1, false).status(-2147483647),
            FileStatus::Weight(-2147483647)
        );
        assert_eq!(fc(1, true).status(2147483648), FileStatus::Fault);
        assert_eq!(
            fc(3, false).status(2147483647),
            FileStatus::Weight(i32::MAX)
        );
    }

    #[test]
    fn weight_zero_is_a_flag() {
        assert_eq!(fc(0, false).status(0), FileStatus::Weight(0));
        assert_eq!(fc(0, false).status(7), FileStatus::Fault);
        assert_eq!(fc(0, true).status(0), FileStatus::Fault);
        assert_eq!(fc(0, true).status(1), FileStatus::Weight(0));
    }
}
