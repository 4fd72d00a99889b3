//! A cycle applied again in order when the connector's apply fails on a constraint.
//!
//! Connectors apply a cycle's changes as a set: a MERGE, an upsert or an UPDATE over the
//! stage, in key order or the planner's. The source applied the same changes one by one, in
//! sequence. A unique value that moves from one row to another (row 2 `b` -> `c`, then row 1
//! `a` -> `b`) is fine in that order and a duplicate key in key order, so the table failed on
//! every retry of a cycle nothing was wrong with; a row that refers to a row inserted later
//! in key order fails a foreign key the same way.
//!
//! When the apply fails on an integrity constraint (SQLSTATE class 23, or 21000: the MariaDB
//! connector's guard against an upsert meeting another key's row), the host rolls back to a
//! savepoint taken before the plan and applies the cycle again in consecutive ranges of its
//! changes, in file order, each range through the whole plan. A range that fails is halved;
//! a single change that still fails fails the table, naming its file and row. A range that
//! applies as a set leaves each key's last change on that key's row, which is what applying
//! its changes in order leaves, so the ranges in order leave what the source has.
//!
//! Each range reads the files again, so a conflict costs about two reads of the cycle per
//! halving; a cycle without one costs a savepoint. With `--error-table` the cycle is not
//! applied again: rows the reader sets aside would be set aside once per range.

use std::collections::VecDeque;
use std::ops::Range;

use super::read::ReadBatch;
use super::stats::LoadStats;
use super::{FileColumn, TableError, TableJob};
use crate::domain::Plan;
use crate::hvr::FileEntry;
use crate::odbc::Database;
use crate::pipeline::TransformChain;

const SAVEPOINT: &str = "hvr_in_order";

/// The rows of a load to keep: those whose number (from 0, in the order they reach the
/// loader) is in `range`. It also counts them, and remembers where the last kept row was.
pub(super) struct Only {
    range: Range<u64>,
    seen: u64,
    file: String,
    in_file: u64,
    last_kept: Option<(String, u64)>,
}

impl Only {
    fn new(range: Range<u64>) -> Only {
        Only {
            range,
            seen: 0,
            file: String::new(),
            in_file: 0,
            last_kept: None,
        }
    }

    /// The part of `read` inside the range, or `None` when none of it is.
    pub(super) fn keep(&mut self, file: &FileEntry, read: ReadBatch) -> Option<ReadBatch> {
        if self.file != file.name {
            self.file = file.name.clone();
            self.in_file = 0;
        }
        let rows = read.batch.num_rows() as u64;
        let (first, in_file) = (self.seen, self.in_file);
        self.seen += rows;
        self.in_file += rows;
        let start = self.range.start.clamp(first, first + rows);
        let end = self.range.end.clamp(first, first + rows);
        if start == end {
            return None;
        }
        self.last_kept = Some((file.name.clone(), in_file + (end - first)));
        if start == first && end == first + rows {
            return Some(read);
        }
        let (a, b) = ((start - first) as usize, (end - first) as usize);
        Some(ReadBatch {
            batch: read.batch.rows(a..b),
            span: read.span,
            positions: read
                .positions
                .get(a..b)
                .map(<[_]>::to_vec)
                .unwrap_or_default(),
        })
    }
}

impl TableJob<'_> {
    /// Runs the plan inside the open transaction, and applies the cycle again in order when
    /// its apply fails on a constraint (see the module's comment).
    pub(super) fn apply_cycle(
        &self,
        db: &dyn Database,
        plan: &Plan,
        columns: &[FileColumn],
        chain: &mut TransformChain,
    ) -> Result<LoadStats, TableError> {
        if !self.matches_rows() || self.ledgers.errors.is_some() {
            return self.apply(db, plan, columns, chain);
        }
        savepoint(db)?;
        let mut all = Only::new(0..u64::MAX);
        let stats = self.load_plan(db, plan, columns, chain, Some(&mut all))?;
        let first = match self.run_after(db, plan) {
            Ok(()) => return release(db).map(|()| stats),
            Err(e) if is_conflict(&e) && all.seen > 1 => e,
            Err(e) => return Err(e),
        };
        roll_back(db)?;
        say!(
            "W_JX0E01: table {}: {first}; applying its {} changes again in their order, in ranges",
            self.spec.name,
            all.seen
        );
        let mut ranges = VecDeque::from([0..all.seen]);
        while let Some(range) = ranges.pop_front() {
            savepoint(db)?;
            let mut only = Only::new(range.clone());
            self.load_plan(db, plan, columns, chain, Some(&mut only))?;
            let e = match self.run_after(db, plan) {
                Ok(()) => {
                    release(db)?;
                    continue;
                }
                Err(e) => e,
            };
            let source = match e {
                TableError::Odbc(source) if source.is_constraint_violation() => source,
                e => return Err(e),
            };
            roll_back(db)?;
            if range.end - range.start <= 1 {
                let (file, row) = only.last_kept.unwrap_or_default();
                return Err(TableError::Load {
                    file,
                    context: format!(
                        "its change in row {row} (of the file's rows, from 1) fails a constraint even when the cycle's changes are applied one range after another in their order (a whole set failed first: {first})"
                    ),
                    source,
                });
            }
            let mid = range.start + (range.end - range.start) / 2;
            ranges.push_front(mid..range.end);
            ranges.push_front(range.start..mid);
        }
        Ok(stats)
    }
}

/// Whether an apply failed in a way that applying the changes in another order may avoid.
fn is_conflict(e: &TableError) -> bool {
    matches!(e, TableError::Odbc(source) if source.is_constraint_violation())
}

fn savepoint(db: &dyn Database) -> Result<(), TableError> {
    let sql = format!("SAVEPOINT {SAVEPOINT}");
    Ok(db.execute("setting a savepoint before the cycle's apply", &sql)?)
}

fn release(db: &dyn Database) -> Result<(), TableError> {
    let sql = format!("RELEASE SAVEPOINT {SAVEPOINT}");
    Ok(db.execute("releasing the savepoint of the cycle's apply", &sql)?)
}

fn roll_back(db: &dyn Database) -> Result<(), TableError> {
    let sql = format!("ROLLBACK TO SAVEPOINT {SAVEPOINT}");
    db.execute("rolling back an apply that failed on a constraint", &sql)?;
    release(db)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::TextBatch;
    use crate::rows::Position;

    fn read(values: &[&str]) -> ReadBatch {
        let mut batch = TextBatch::new(1, values.len());
        for v in values {
            batch.columns[0].push(Some(v.as_bytes()));
        }
        ReadBatch {
            batch,
            span: (Position::Line(2), Position::Line(1 + values.len() as u64)),
            positions: vec![],
        }
    }

    fn file(name: &str) -> FileEntry {
        FileEntry {
            name: name.into(),
            rows: None,
            table: 0,
        }
    }

    fn kept(only: &mut Only, f: &FileEntry, values: &[&str]) -> Vec<String> {
        only.keep(f, read(values))
            .map(|r| {
                (0..r.batch.num_rows())
                    .map(|i| {
                        String::from_utf8(r.batch.columns[0].get(i).unwrap().to_vec()).unwrap()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn keeps_the_rows_of_its_range_across_batches_and_files() {
        let (a, b) = (file("a.csv"), file("b.csv"));
        let mut only = Only::new(2..5);
        assert_eq!(kept(&mut only, &a, &["0", "1"]), Vec::<String>::new());
        assert_eq!(kept(&mut only, &a, &["2", "3"]), ["2", "3"]);
        assert_eq!(kept(&mut only, &b, &["4", "5", "6"]), ["4"]);
        assert_eq!(only.last_kept, Some(("b.csv".into(), 1)));
        assert_eq!(kept(&mut only, &b, &["7"]), Vec::<String>::new());
        assert_eq!(only.seen, 8);
    }

    #[test]
    fn names_the_file_row_of_a_single_kept_row() {
        let a = file("a.csv");
        let mut only = Only::new(3..4);
        kept(&mut only, &a, &["0", "1"]);
        assert_eq!(kept(&mut only, &a, &["2", "3", "4"]), ["3"]);
        assert_eq!(only.last_kept, Some(("a.csv".into(), 4)));
    }
}
