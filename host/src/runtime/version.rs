//! Which contract versions a component may target, by the policy in `wit/README.md`: the
//! breaking part is the major version, or the minor for 0.x; within it, a guest built for
//! patch x runs on a host that knows patch y >= x (later patches only add what a guest may
//! do without). A guest for a newer patch may use what this host lacks, so it is refused.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// `x.y.z`, without pre-release or build parts (the contract has none).
    pub fn parse(s: &str) -> Option<Version> {
        let mut parts = s.split('.').map(|p| p.parse::<u32>().ok());
        let v = Version::new(parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(v)
    }

    /// The part that must match for two versions to be compatible.
    fn line(self) -> (u32, u32) {
        if self.major == 0 {
            (0, self.minor)
        } else {
            (self.major, 0)
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// How a guest's version relates to the versions a host serves.
#[derive(Debug, PartialEq, Eq)]
pub enum Match {
    /// Served, through the bindings of this served version.
    Served(Version),
    /// The host serves that line, but only up to an older patch.
    NewerPatch { known: Version },
    /// No served line matches.
    Unserved,
    /// Not a version at all.
    Malformed,
}

/// Matches `wanted` against `served` (one entry per served line, the newest patch known).
pub fn matching(wanted: &str, served: &[Version]) -> Match {
    let Some(wanted) = Version::parse(wanted) else {
        return Match::Malformed;
    };
    match served.iter().find(|s| s.line() == wanted.line()) {
        Some(known) if wanted <= *known => Match::Served(*known),
        Some(known) => Match::NewerPatch { known: *known },
        None => Match::Unserved,
    }
}

/// The served versions, for a message: `0.3.0, 0.2.0 and 0.1.0`.
pub fn list(served: &[Version]) -> String {
    let names: Vec<String> = served.iter().map(Version::to_string).collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVED: [Version; 3] = [
        Version::new(0, 3, 2),
        Version::new(0, 2, 0),
        Version::new(0, 1, 0),
    ];

    #[test]
    fn older_and_equal_patches_are_served_newer_ones_refused() {
        assert_eq!(matching("0.3.0", &SERVED), Match::Served(SERVED[0]));
        assert_eq!(matching("0.3.2", &SERVED), Match::Served(SERVED[0]));
        assert_eq!(
            matching("0.3.3", &SERVED),
            Match::NewerPatch { known: SERVED[0] }
        );
        assert_eq!(matching("0.2.0", &SERVED), Match::Served(SERVED[1]));
        assert_eq!(
            matching("0.2.1", &SERVED),
            Match::NewerPatch { known: SERVED[1] }
        );
    }

    #[test]
    fn other_lines_and_garbage_are_unserved() {
        assert_eq!(matching("0.4.0", &SERVED), Match::Unserved);
        assert_eq!(matching("1.3.0", &SERVED), Match::Unserved);
        assert_eq!(matching("0.3", &SERVED), Match::Malformed);
        assert_eq!(matching("0.3.0-rc1", &SERVED), Match::Malformed);
        // From 1.0 on the major is the breaking part.
        let served = [Version::new(1, 4, 0)];
        assert_eq!(matching("1.2.7", &served), Match::Served(served[0]));
        assert_eq!(list(&SERVED), "0.3.2, 0.2.0 and 0.1.0");
    }
}
