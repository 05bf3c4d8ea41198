//! `static_ipaddress`, `static_routes` and `static_rules`: installed for the
//! VRRP child's whole life, whatever the instances' states. A reload
//! applies the difference (keepalived's `clear_diff_static_*`, then the
//! new set added): lines dropped from the configuration go, new ones come,
//! unchanged ones are not touched.

use crate::config::model::{Config, IpAddressLine, RouteLine, RuleLine};

/// The static lines of one configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Statics {
    pub addrs: Vec<IpAddressLine>,
    pub routes: Vec<RouteLine>,
    pub rules: Vec<RuleLine>,
}

impl Statics {
    pub fn of(cfg: &Config) -> Statics {
        Statics {
            addrs: cfg.static_addresses.clone(),
            routes: cfg.static_routes.clone(),
            rules: cfg.static_rules.clone(),
        }
    }

    /// The lines of `self` that `other` does not have. Where a line stands
    /// in the file does not matter: moving it is no change.
    pub fn minus(&self, other: &Statics) -> Statics {
        fn only<T: Clone>(a: &[T], b: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<T> {
            a.iter()
                .filter(|x| !b.iter().any(|y| same(x, y)))
                .cloned()
                .collect()
        }
        Statics {
            addrs: only(&self.addrs, &other.addrs, |x, y| {
                IpAddressLine {
                    span: y.span.clone(),
                    ..x.clone()
                } == *y
            }),
            routes: only(&self.routes, &other.routes, |x, y| {
                (&x.words, &x.dev) == (&y.words, &y.dev)
            }),
            rules: only(&self.rules, &other.rules, |x, y| {
                (&x.words, x.auto_pref) == (&y.words, y.auto_pref)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(w: &str, line: u32) -> RouteLine {
        RouteLine {
            words: w.split(' ').map(String::from).collect(),
            dev: None,
            span: crate::config::diag::Span::new("k.conf".into(), line, 1),
        }
    }

    #[test]
    fn the_difference_keeps_what_both_have_out() {
        let old = Statics {
            routes: vec![
                route("192.0.2.128/26 dev eth0", 3),
                route("198.51.100.128/26 dev eth0", 4),
            ],
            ..Statics::default()
        };
        // The kept route moved down a line: still the same route.
        let new = Statics {
            routes: vec![
                route("198.51.100.128/26 dev eth0", 5),
                route("198.51.100.192/26 dev eth0", 6),
            ],
            ..Statics::default()
        };
        assert_eq!(
            old.minus(&new).routes,
            vec![route("192.0.2.128/26 dev eth0", 3)]
        );
        assert_eq!(
            new.minus(&old).routes,
            vec![route("198.51.100.192/26 dev eth0", 6)]
        );
        assert_eq!(old.minus(&old), Statics::default());
    }
}
