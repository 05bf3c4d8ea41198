//! iproute2's name tables (`/etc/iproute2/rt_tables`, `rt_dsfield`,
//! `rt_realms`, `rt_protos`, `rt_scopes`, `group`), so that routes, rules
//! and addresses can say `table vips`, `tos lowdelay`, `realms cust1/cust2`,
//! `protocol bird` or `scope link` as with `ip`. keepalived 2.2.7 reads the
//! same files (only those, not `rt_tables.d`) and falls back to built-in
//! names for tables, protocols and scopes; a number is taken as it is.
//!
//! Pure: the file texts come from [`Host::iproute2_file`](super::source::Host).

use super::source::Host;

/// One kind of name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtKind {
    Table,
    Dsfield,
    Realm,
    Proto,
    Scope,
    Group,
}

impl RtKind {
    const ALL: [RtKind; 6] = [
        RtKind::Table,
        RtKind::Dsfield,
        RtKind::Realm,
        RtKind::Proto,
        RtKind::Scope,
        RtKind::Group,
    ];

    fn file(self) -> &'static str {
        match self {
            RtKind::Table => "rt_tables",
            RtKind::Dsfield => "rt_dsfield",
            RtKind::Realm => "rt_realms",
            RtKind::Proto => "rt_protos",
            RtKind::Scope => "rt_scopes",
            RtKind::Group => "group",
        }
    }

    /// The largest value a name or number may stand for.
    fn max(self) -> u64 {
        match self {
            RtKind::Table => u64::from(u32::MAX),
            RtKind::Group => i32::MAX as u64,
            _ => 255,
        }
    }

    /// Names that hold when the file does not give their number another.
    fn defaults(self) -> &'static [(u32, &'static str)] {
        match self {
            RtKind::Table => &[(253, "default"), (254, "main"), (255, "local")],
            RtKind::Proto => &[
                (0, "none"),
                (1, "redirect"),
                (2, "kernel"),
                (3, "boot"),
                (4, "static"),
                (8, "gated"),
                (9, "ra"),
                (10, "mrt"),
                (11, "zebra"),
                (12, "bird"),
                (42, "babel"),
                (13, "dnrouted"),
                (14, "xorp"),
                (15, "ntk"),
                (16, "dhcp"),
            ],
            RtKind::Scope => &[
                (0, "global"),
                (255, "nowhere"),
                (254, "host"),
                (253, "link"),
                (200, "site"),
            ],
            _ => &[],
        }
    }
}

/// The names of every kind, as read once. `Default` is the built-in names
/// alone (no files).
#[derive(Debug, Clone)]
pub struct RtNames {
    /// Per kind (in [`RtKind::ALL`] order): the file's entries, then the
    /// defaults whose numbers the file did not use.
    entries: [Vec<(u32, String)>; 6],
}

impl RtNames {
    /// Reads the files through `host` (a missing file: defaults only).
    pub fn load(host: &dyn Host) -> RtNames {
        RtNames::from_files(|f| host.iproute2_file(f))
    }

    /// Builds the tables from file texts by file name.
    pub fn from_files(read: impl Fn(&str) -> Option<String>) -> RtNames {
        let mut names = RtNames {
            entries: Default::default(),
        };
        for (slot, kind) in names.entries.iter_mut().zip(RtKind::ALL) {
            if let Some(text) = read(kind.file()) {
                *slot = parse_file(&text, kind.max());
            }
            for &(id, name) in kind.defaults() {
                if !slot.iter().any(|(n, _)| *n == id) {
                    slot.push((id, name.to_owned()));
                }
            }
        }
        names
    }

    /// The number `word` stands for: a number (decimal, `0x` hex or `0`
    /// octal) up to the kind's maximum, else a name from the tables.
    pub fn lookup(&self, kind: RtKind, word: &str) -> Option<u32> {
        if let Some(n) = parse_number(word) {
            return (n <= kind.max()).then_some(n as u32);
        }
        let slot = &self.entries[RtKind::ALL.iter().position(|k| *k == kind)?];
        slot.iter().find(|(_, n)| n == word).map(|(id, _)| *id)
    }

    pub fn table(&self, w: &str) -> Option<u32> {
        self.lookup(RtKind::Table, w)
    }

    pub fn dsfield(&self, w: &str) -> Option<u8> {
        self.lookup(RtKind::Dsfield, w).map(|v| v as u8)
    }

    pub fn proto(&self, w: &str) -> Option<u8> {
        self.lookup(RtKind::Proto, w).map(|v| v as u8)
    }

    pub fn scope(&self, w: &str) -> Option<u8> {
        self.lookup(RtKind::Scope, w).map(|v| v as u8)
    }

    pub fn group(&self, w: &str) -> Option<u32> {
        self.lookup(RtKind::Group, w)
    }

    /// `realms [FROM/]TO`: FROM in the upper 16 bits.
    pub fn realms(&self, w: &str) -> Option<u32> {
        match w.split_once('/') {
            Some((from, to)) => {
                Some(self.lookup(RtKind::Realm, from)? << 16 | self.lookup(RtKind::Realm, to)?)
            }
            None => self.lookup(RtKind::Realm, w),
        }
    }
}

impl Default for RtNames {
    fn default() -> RtNames {
        RtNames::from_files(|_| None)
    }
}

/// strtoul(…, 0) over the whole word; a leading `-` is refused.
pub(crate) fn parse_number(w: &str) -> Option<u64> {
    let w = w.trim_start_matches([' ', '\t']);
    if w.starts_with('-') || w.is_empty() {
        return None;
    }
    let w = w.strip_prefix('+').unwrap_or(w);
    if let Some(h) = w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else if w.len() > 1 && w.starts_with('0') {
        u64::from_str_radix(&w[1..], 8).ok()
    } else {
        w.parse().ok()
    }
}

/// One file: lines of exactly "NUMBER NAME" (comments from `#` or `!`);
/// anything else, or a number above `max`, is skipped.
fn parse_file(text: &str, max: u64) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line
            .split_whitespace()
            .take_while(|w| !w.starts_with('#') && !w.starts_with('!'))
            .collect();
        let [number, name] = words[..] else { continue };
        match parse_number(number) {
            Some(n) if n <= max => out.push((n as u32, name.to_owned())),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(tables: &str) -> RtNames {
        let tables = tables.to_owned();
        RtNames::from_files(move |f| match f {
            "rt_tables" => Some(tables.clone()),
            "rt_realms" => Some("0 cosmos\n1 cust1\n2 cust2\n".into()),
            "rt_dsfield" => Some("0x10 lowdelay\n".into()),
            _ => None,
        })
    }

    #[test]
    fn names_from_the_file_and_defaults() {
        let n = names("#\n# reserved\n255 local\n100 vips # ours\n7 two words here\n300\n");
        assert_eq!(n.table("vips"), Some(100));
        assert_eq!(n.table("main"), Some(254), "default kept");
        assert_eq!(n.table("local"), Some(255));
        assert_eq!(n.table("two"), None, "a line of four words is skipped");
        assert_eq!(n.table("nosuch"), None);
        assert_eq!(n.table("0x20"), Some(32));
        assert_eq!(n.table("4294967295"), Some(u32::MAX));
        assert_eq!(n.table("-1"), None);
        assert_eq!(n.dsfield("lowdelay"), Some(0x10));
        assert_eq!(n.dsfield("256"), None);
        assert_eq!(n.proto("bird"), Some(12));
        assert_eq!(
            n.proto("keepalived"),
            None,
            "not built in: from rt_protos only"
        );
        assert_eq!(n.scope("link"), Some(253));
        assert_eq!(n.realms("cust1/cust2"), Some(1 << 16 | 2));
        assert_eq!(n.realms("cust2"), Some(2));
        assert_eq!(n.realms("cust1/nosuch"), None);
    }

    #[test]
    fn built_in_names_without_files() {
        let n = RtNames::default();
        assert_eq!(
            (n.table("main"), n.scope("host"), n.proto("static")),
            (Some(254), Some(254), Some(4))
        );
        assert_eq!(n.realms("cosmos"), None);
    }

    #[test]
    fn a_file_entry_takes_a_default_number_over() {
        let n = names("254 primary\n");
        assert_eq!(n.table("primary"), Some(254));
        assert_eq!(n.table("main"), None, "the default name yields to the file");
    }
}
