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
//! connector's guard against an upsert meeting another key's row), the host rolls the table's
//! transaction back and runs it again, applying the cycle in consecutive ranges of its
//! changes, in file order, each range through the whole plan under a savepoint (the first run
//! takes none: on PostgreSQL a subtransaction's rows cost the server more, about 6% of a
//! COPY, which every cycle would pay). A range that fails is halved; a single change that
//! still fails fails the table, naming its file and row. A range that applies as a set leaves
//! each key's last change on that key's row, which is what applying its changes in order
//! leaves, so the ranges in order leave what the source has.
//!
//! Each range reads the files again, so a conflict costs about two reads of the cycle per
//! halving; a cycle without one costs nothing. With `--error-table`, a row the target refuses
//! while loading is set aside by the range holding it, and a row the reader cannot decode by
//! the first range only; a change that fails the apply on its own (a NOT NULL, CHECK or
//! foreign key the stage does not have, a unique value a row outside the cycle keeps) is set
//! aside too, up to [`SET_ASIDE_AT_APPLY_MOST`] per cycle.

use std::collections::VecDeque;

use super::only::Only;
use super::rejected::database_message;
use super::stats::LoadStats;
use super::{FileColumn, Prepared, TableError, TableJob};
use crate::domain::Plan;
use crate::ledger::Rejected;
use crate::odbc::{Database, OdbcError};
use crate::pipeline::TransformChain;

const SAVEPOINT: &str = "hvr_in_order";

/// Changes that fail the apply on their own that `--error-table` sets aside in one cycle, at
/// most. Each costs about two loads of the cycle per halving (a hundred in a 100k-change
/// cycle, some 3,400 loads), and a plan that fails every change is not a cycle of bad rows:
/// past this the table fails, and nothing of it is applied.
pub const SET_ASIDE_AT_APPLY_MOST: usize = 100;

/// A cycle to apply again in order: how many changes reached the loader, what the load did
/// (its rows by op and rows set aside are the cycle's, whatever the ranges), and why.
#[derive(Debug)]
pub struct InOrder {
    pub rows: u64,
    pub stats: LoadStats,
    pub first: Box<TableError>,
}

impl TableJob<'_> {
    /// Runs the plan inside the open transaction. When its apply fails on a constraint, the
    /// error is [`TableError::ApplyInOrder`]: the caller rolls the transaction back and runs it
    /// again with `in_order`, which applies the cycle in ranges (see the module's comment).
    /// The first run takes no savepoint: on PostgreSQL the rows of a subtransaction cost the
    /// server more, for every cycle.
    pub(super) fn apply_cycle(
        &self,
        db: &dyn Database,
        plan: &Plan,
        columns: &[FileColumn],
        chain: &mut TransformChain,
        in_order: Option<&InOrder>,
    ) -> Result<LoadStats, TableError> {
        if !self.matches_rows() {
            return self.apply(db, plan, columns, chain);
        }
        let Some(in_order) = in_order else {
            let mut all = Only::new(0..u64::MAX);
            let stats = self.load_plan(db, plan, columns, chain, Some(&mut all))?;
            return match self.run_after(db, plan, &stats) {
                Ok(()) => Ok(stats),
                // A foreign key may wait for another table of the call (see `lanes`); then
                // applying in order would only cost loads before the table fails anyway.
                Err(e) if is_conflict(&e) && all.seen > 1 && !self.waits_for(&e) => {
                    Err(TableError::ApplyInOrder(Box::new(InOrder {
                        rows: all.seen,
                        stats,
                        first: Box::new(e),
                    })))
                }
                Err(e) => Err(e),
            };
        };
        self.apply_in_ranges(db, plan, columns, chain, in_order)
    }

    /// The cycle again, in ranges of its changes in order (see the module's comment).
    fn apply_in_ranges(
        &self,
        db: &dyn Database,
        plan: &Plan,
        columns: &[FileColumn],
        chain: &mut TransformChain,
        in_order: &InOrder,
    ) -> Result<LoadStats, TableError> {
        let mut stats = in_order.stats.clone();
        let mut refused = Vec::new();
        let mut ranges = VecDeque::new();
        ranges.push_back(0..in_order.rows);
        while let Some(range) = ranges.pop_front() {
            savepoint(db)?;
            let mut only = Only::new(range.clone());
            let loaded = self.load_plan(db, plan, columns, chain, Some(&mut only))?;
            let e = match self.run_after(db, plan, &loaded) {
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
            if range.end - range.start > 1 {
                let mid = range.start + (range.end - range.start) / 2;
                ranges.push_front(mid..range.end);
                ranges.push_front(range.start..mid);
                continue;
            }
            // One change, loaded (not refused while loading), and the apply fails on it alone:
            // with an error table it is set aside.
            let found =
                if loaded.rows == 1 && self.ledgers.errors.is_some() && !self.defers(&source) {
                    self.refused_alone(&only, columns, &source)?
                } else {
                    None
                };
            match found {
                Some((rejected, op)) if refused.len() < SET_ASIDE_AT_APPLY_MOST => {
                    stats.ops.uncount(op.as_deref());
                    stats.rows = stats.rows.saturating_sub(1);
                    refused.push(rejected);
                    let count = stats.set_aside as usize + refused.len();
                    self.check_set_aside_count(count, &refused)?;
                }
                Some(_) => return Err(too_many_refused(&only, source)),
                None => return Err(failed_alone(&only, in_order, source)),
            }
        }
        // The ranges load what the first run loaded (the same rows decode and are refused the
        // same way), so its counts stand, less what the apply refused.
        self.set_aside(db, &refused)?;
        stats.set_aside += refused.len() as u64;
        Ok(stats)
    }

    /// The change `only` kept, as the error table holds it (its file's fields, read again),
    /// with its op; `None` when its place in the file is unknown.
    fn refused_alone(
        &self,
        only: &Only,
        columns: &[FileColumn],
        source: &OdbcError,
    ) -> Result<Option<(Rejected, Option<String>)>, TableError> {
        let (Some((name, _)), Some(at), Some(location)) =
            (&only.last_kept, only.last_position, self.location)
        else {
            return Ok(None);
        };
        let Some(file) = self.files.iter().find(|f| &f.name == name) else {
            return Ok(None);
        };
        let found = self.fields_in_file(location, file, columns, &[at])?;
        Ok(found.into_iter().next().flatten().map(|(raw, op)| {
            let rejected = Rejected {
                file: file.name.clone(),
                position: at.to_string(),
                raw,
                error: format!(
                    "fails the apply on its own, applied in order: {}",
                    database_message(source)
                ),
            };
            (rejected, op)
        }))
    }

    /// Whether `e` is a foreign key's refusal while this table waits for the call's others.
    fn waits_for(&self, e: &TableError) -> bool {
        self.waits_on_foreign_keys()
            && matches!(e, TableError::Odbc(source) if source.is_foreign_key_violation())
    }

    /// After a failed transaction: `Ok` when it is to run again applying the cycle in order
    /// (its apply failed on a constraint, and it has not run that way yet), the error otherwise.
    pub(super) fn again_in_order(
        &self,
        e: TableError,
        prepared: Option<&mut Prepared<'_>>,
    ) -> Result<(), TableError> {
        match (e, prepared) {
            (TableError::ApplyInOrder(again), Some(prepared)) if prepared.in_order.is_none() => {
                say!(
                    "W_JX0E01: table {}: {}; applying its {} changes again in their order, in ranges",
                    self.spec.name,
                    again.first,
                    again.rows
                );
                prepared.in_order = Some(*again);
                Ok(())
            }
            (e, _) => Err(e),
        }
    }
}

/// A single change that fails the apply even in order, where it is not set aside.
fn failed_alone(only: &Only, in_order: &InOrder, source: Box<OdbcError>) -> TableError {
    let (file, row) = only.last_kept.clone().unwrap_or_default();
    TableError::Load {
        file,
        context: format!(
            "its change in row {row} (of the file's rows, from 1) fails a constraint even when the cycle's changes are applied one range after another in their order (a whole set failed first: {})",
            in_order.first
        ),
        source,
    }
}

/// More changes fail the apply on their own than are set aside in one cycle.
fn too_many_refused(only: &Only, source: Box<OdbcError>) -> TableError {
    let (file, row) = only.last_kept.clone().unwrap_or_default();
    TableError::Load {
        file,
        context: format!(
            "more than {SET_ASIDE_AT_APPLY_MOST} of the cycle's changes fail the apply on their own, the last in row {row} (of the file's rows, from 1); they are not set aside (a plan that fails every change is not a cycle of bad rows), and nothing of this table was applied"
        ),
        source,
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
