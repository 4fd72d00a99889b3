//! What a table's load did, by HVR op code, and the progress lines of a long load.

use std::time::{Duration, Instant};

/// Rows of the files applied, by what they ask of the target (rows set aside are not counted).
/// Before-images (ops 3 and 4) are halves of an update and are not counted on their own; a
/// refresh's rows are all inserts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpCounts {
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    pub truncated: u64,
}

impl OpCounts {
    /// Counts one row of the file; `op` is its op column's value, `None` without one.
    pub fn count(&mut self, op: Option<&str>) {
        match op.map(str::trim) {
            None | Some("1") => self.inserted += 1,
            Some("2") => self.updated += 1,
            Some("0" | "8") => self.deleted += 1,
            Some("5") => self.truncated += 1,
            Some(_) => {}
        }
    }

    /// Takes back a row counted by [`OpCounts::count`] (a row set aside).
    pub fn uncount(&mut self, op: Option<&str>) {
        let slot = match op.map(str::trim) {
            None | Some("1") => &mut self.inserted,
            Some("2") => &mut self.updated,
            Some("0" | "8") => &mut self.deleted,
            Some("5") => &mut self.truncated,
            Some(_) => return,
        };
        *slot = slot.saturating_sub(1);
    }

    pub fn add(&mut self, other: &OpCounts) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.deleted += other.deleted;
        self.truncated += other.truncated;
    }
}

impl std::fmt::Display for OpCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "inserted {}, updated {}, deleted {}, truncated {}",
            self.inserted, self.updated, self.deleted, self.truncated
        )
    }
}

/// One table's load: rows sent to the target (after transforms), the files' rows by op, and
/// the rows set aside in the error table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadStats {
    pub rows: u64,
    pub ops: OpCounts,
    pub set_aside: u64,
    /// The rows loaded changed each key once with inserts, updates and deletes only, as the
    /// host could prove it (see `keys_once`); false when not proven or not asked.
    pub each_key_once: bool,
}

/// Prints `table T: N rows, X MB, R rows/s (P% of HVR_FILE_NROWS)` every `every`.
pub struct Progress<'a> {
    table: &'a str,
    every: Option<Duration>,
    expected: Option<u64>,
    started: Instant,
    last: Instant,
    rows: u64,
    bytes: u64,
}

impl<'a> Progress<'a> {
    /// `every` of `None` prints nothing; `expected` is the sum of `HVR_FILE_NROWS`, when HVR
    /// gave it for every file.
    pub fn new(table: &'a str, every: Option<Duration>, expected: Option<u64>) -> Self {
        let now = Instant::now();
        Progress {
            table,
            every,
            expected,
            started: now,
            last: now,
            rows: 0,
            bytes: 0,
        }
    }

    /// After each loaded batch.
    pub fn loaded(&mut self, rows: usize, bytes: usize) {
        self.rows += rows as u64;
        self.bytes += bytes as u64;
        let Some(every) = self.every else { return };
        if self.last.elapsed() < every {
            return;
        }
        self.last = Instant::now();
        let seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        let percent = match self.expected {
            Some(total) if total > 0 => {
                format!(
                    " ({:.0}% of HVR_FILE_NROWS)",
                    self.rows as f64 * 100.0 / total as f64
                )
            }
            _ => String::new(),
        };
        say!(
            "table {}: {} rows, {:.1} MB, {:.0} rows/s{percent}",
            self.table,
            self.rows,
            self.bytes as f64 / 1e6,
            self.rows as f64 / seconds
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_are_counted_by_what_they_ask() {
        let mut counts = OpCounts::default();
        for op in [
            None,
            Some("1"),
            Some(" 2"),
            Some("0"),
            Some("8"),
            Some("5"),
            Some("3"),
            Some("4"),
        ] {
            counts.count(op);
        }
        assert_eq!(
            counts,
            OpCounts {
                inserted: 2,
                updated: 1,
                deleted: 2,
                truncated: 1
            }
        );
    }
}
