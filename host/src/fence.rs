//! The exactly-once fence: which files a table last applied, recorded in the target in the same
//! transaction as the apply. SQL comes from the connector; values and the digest from here.

use sha2::{Digest, Sha256};

use crate::hvr::{FileEntry, Mode};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    Channel,
    Location,
    TableName,
    Digest,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub params: Vec<Param>,
}

/// The connector's fence SQL.
#[derive(Clone, Debug, PartialEq)]
pub struct FenceSql {
    pub create: Vec<String>,
    pub lookup: Statement,
    pub save: Vec<Statement>,
}

/// The values one table's fence statements bind.
#[derive(Clone, Debug)]
pub struct FenceKey {
    pub channel: String,
    pub location: String,
    pub table: String,
    pub digest: String,
}

impl FenceKey {
    pub fn new(
        channel: &str,
        location: &str,
        table: &str,
        mode: Mode,
        files: &[&FileEntry],
    ) -> Self {
        FenceKey {
            channel: channel.to_string(),
            location: location.to_string(),
            table: table.to_string(),
            digest: digest(mode, files),
        }
    }

    pub fn values(&self, params: &[Param]) -> Vec<&str> {
        params
            .iter()
            .map(|p| match p {
                Param::Channel => self.channel.as_str(),
                Param::Location => self.location.as_str(),
                Param::TableName => self.table.as_str(),
                Param::Digest => self.digest.as_str(),
            })
            .collect()
    }
}

/// SHA-256 over the mode and each file's name and row count, in order. HVR names files with
/// the integration timestamp, so a new cycle never repeats an earlier digest.
pub fn digest(mode: Mode, files: &[&FileEntry]) -> String {
    let mut hash = Sha256::new();
    hash.update(mode.as_str().as_bytes());
    for f in files {
        hash.update(b"\0");
        hash.update(f.name.as_bytes());
        hash.update(b"\0");
        hash.update(f.rows.map(|r| r.to_string()).unwrap_or_default().as_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Test support: `HVR_WASM_TEST_CRASH_AT=<point>` aborts the process at that point, the way a
/// SIGKILL would, so the suite can prove recovery at the moments a random kill rarely hits.
pub fn crash_point(point: &str) {
    if std::env::var("HVR_WASM_TEST_CRASH_AT").is_ok_and(|p| p == point) {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, rows: u64) -> FileEntry {
        FileEntry {
            name: name.into(),
            rows: Some(rows),
            table: 0,
        }
    }

    #[test]
    fn digest_depends_on_mode_names_and_counts() {
        let a = file("1-t.csv", 5);
        let b = file("2-t.csv", 5);
        let base = digest(Mode::IntegrateEnd, &[&a, &b]);
        assert_eq!(base.len(), 64);
        assert_eq!(base, digest(Mode::IntegrateEnd, &[&a, &b]));
        assert_ne!(base, digest(Mode::RefreshEnd, &[&a, &b]));
        assert_ne!(base, digest(Mode::IntegrateEnd, &[&b, &a]));
        assert_ne!(base, digest(Mode::IntegrateEnd, &[&a, &file("2-t.csv", 6)]));
    }
}
