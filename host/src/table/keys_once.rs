//! Whether the rows a table's load sent change each key once, with only inserts, updates and
//! deletes: when they do, the connector's `after` for such a cycle runs (contract 0.4.2's
//! `each-key-once`), which may skip the per-key work a general cycle needs (the order of
//! several changes to one key, truncates, multi-deletes).
//!
//! The host proves it only where it can decide key equality as the target does: every key
//! part is a plain unsigned integer (ASCII digits, leading zeros allowed, at most
//! `i64::MAX`) in a column of an integer, scale-0 decimal or character type (see
//! [`compares_plain_integers`]). Two such values are equal exactly when their numbers are in
//! an integer or decimal column, and under any collation of a character column different
//! digits never compare equal (`007` and `7` count as equal here, which at worst misses a
//! proof). Types that would make two different numbers one key (floating point, `YEAR`, an
//! `ENUM` read by index, a date) are never proven. Anything else in a row (a sign, a space, a
//! letter, a NULL, an op other than 0, 1 or 2) ends the proof, and the general plan runs.
//! Rows are seen before the target takes them, so a row it refuses still counts: that too
//! can only miss a proof.

use std::hash::{Hash, Hasher};

use super::stats::LoadStats;
use super::{TableError, TableJob};
use crate::batch::TextBatch;
use crate::domain::{FileColumn, Plan, PlanFailure, Role, Source, TargetColumn};
use crate::odbc::Database;

/// Most changes whose keys are kept (8 bytes each, 32 MiB): a larger cycle runs the general
/// plan, so the memory this costs stays bounded whatever the files' size.
const MAX_KEYS: usize = 4 << 20;

/// The proof in progress over one load's batches.
#[derive(Debug)]
pub(super) struct KeysOnce {
    /// Batch columns of the key parts the plan loads.
    keys: Vec<usize>,
    /// Batch column of the op, when the files have one.
    op: Option<usize>,
    /// One value per change: the key itself when it is one part, else its parts' hash.
    /// Equal keys give equal values; a collision of different keys only misses a proof.
    /// `None` once a row ended the proof.
    seen: Option<Vec<u64>>,
}

impl KeysOnce {
    /// A proof over batches of `sources` (the plan's) from `columns` (the files'), or `None`
    /// when the batches cannot show it: no key column among the sources, or an op column the
    /// plan does not load. (Key columns the plan does not load only make keys less distinct.)
    pub fn new(sources: &[Source], columns: &[FileColumn]) -> Option<KeysOnce> {
        let batch_index = |file_index: usize| {
            sources
                .iter()
                .position(|s| *s == Source::Column(file_index))
        };
        let keys: Vec<usize> = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_key && c.role == Role::Data)
            .filter_map(|(i, _)| batch_index(i))
            .collect();
        let op = match columns.iter().position(|c| c.role == Role::Op) {
            Some(i) => Some(batch_index(i)?),
            None => None,
        };
        (!keys.is_empty()).then_some(KeysOnce {
            keys,
            op,
            seen: Some(Vec::new()),
        })
    }

    /// Takes in one batch as it goes to the target.
    pub fn see(&mut self, batch: &TextBatch) {
        let Some(mut seen) = self.seen.take() else {
            return;
        };
        for row in 0..batch.num_rows() {
            match self.key_of(batch, row) {
                Some(key) if seen.len() < MAX_KEYS => seen.push(key),
                _ => return,
            }
        }
        self.seen = Some(seen);
    }

    /// Whether every change seen had a plain key, no two the same, and an insert, update or
    /// delete op.
    pub fn proven(self) -> bool {
        self.seen.is_some_and(|mut seen| {
            seen.sort_unstable();
            seen.windows(2).all(|w| w[0] != w[1])
        })
    }

    /// The row's key as one value, or `None` when the row ends the proof.
    fn key_of(&self, batch: &TextBatch, row: usize) -> Option<u64> {
        if let Some(op) = self.op
            && !matches!(batch.columns[op].get(row)?, b"0" | b"1" | b"2")
        {
            return None;
        }
        if let [only] = self.keys[..] {
            return plain_unsigned(batch.columns[only].get(row)?);
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for &k in &self.keys {
            plain_unsigned(batch.columns[k].get(row)?)?.hash(&mut hasher);
        }
        Some(hasher.finish())
    }
}

impl TableJob<'_> {
    /// The plan's statements after the load: the connector's apply, its faster form when the
    /// load proved that the cycle changes each key once (see `keys_once`).
    pub(super) fn run_after(
        &self,
        db: &dyn Database,
        plan: &Plan,
        loaded: &LoadStats,
    ) -> Result<(), TableError> {
        let after = match &plan.after_each_key_once {
            Some(after) if loaded.each_key_once => {
                if self.options.verbose {
                    say!(
                        "  table {}: each key changed once: the connector's apply for that",
                        self.spec.name
                    );
                }
                after
            }
            _ => &plan.after,
        };
        for sql in after {
            db.execute("applying", sql)?;
        }
        Ok(())
    }
}

/// The `after` of `once` (the plan asked for with `each-key-once`) when it differs from
/// `general`'s and nothing else does: only `after` may change with the assumption, since the
/// load decides which `after` runs. A failed or different plan is not used.
pub(super) fn alternative(general: &Plan, once: Result<Plan, PlanFailure>) -> Option<Vec<String>> {
    let once = once.ok()?;
    let same_load = once.before == general.before
        && once.sources == general.sources
        && once.shape == general.shape
        && once.batch_rows == general.batch_rows;
    (same_load && once.after != general.after).then_some(once.after)
}

/// Whether every key column of `columns` is a target column whose values, when they are
/// plain unsigned integers, are one key exactly when their numbers are equal: integer types
/// (not MariaDB's `YEAR`, which reads `1` as 2001), decimals of scale 0 and character types
/// (not `ENUM` or `SET`, which read a number as a member's index). Floating point, dates and
/// everything else are left out.
pub(super) fn compares_plain_integers(columns: &[FileColumn], target: &[TargetColumn]) -> bool {
    columns
        .iter()
        .filter(|c| c.is_key && c.role == Role::Data)
        .all(|c| {
            target
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(&c.base_name))
                .is_some_and(exact_for_plain_integers)
        })
}

fn exact_for_plain_integers(column: &TargetColumn) -> bool {
    let type_name = column.type_name.to_ascii_lowercase();
    let base = type_name
        .split(['(', ' '])
        .next()
        .unwrap_or_default()
        .trim();
    const INTEGERS: [&str; 11] = [
        "tinyint",
        "smallint",
        "mediumint",
        "int",
        "integer",
        "bigint",
        "int2",
        "int4",
        "int8",
        "serial",
        "bigserial",
    ];
    const CHARACTERS: [&str; 12] = [
        "char",
        "varchar",
        "character",
        "nchar",
        "nvarchar",
        "bpchar",
        "text",
        "tinytext",
        "mediumtext",
        "longtext",
        "string",
        "varchar2",
    ];
    INTEGERS.contains(&base)
        || CHARACTERS.contains(&base)
        || (matches!(base, "decimal" | "numeric") && column.scale == Some(0))
}

/// The number a run of ASCII digits writes, when it is at most `i64::MAX` (beyond that
/// SQLite keeps an integer-typed value as a float, and different numbers can meet); `None`
/// for anything else.
fn plain_unsigned(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        if n > i64::MAX as u64 {
            return None;
        }
    }
    Some(n)
}

#[cfg(test)]
mod tests;
