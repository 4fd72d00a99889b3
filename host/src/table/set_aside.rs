//! Rows set aside (`--error-table`) at the cost of a savepoint per checkpoint, not per row or
//! batch. Batches load as without an error table, under a checkpoint (a savepoint) that is
//! released every `CHECKPOINT_BATCHES` batches or `CHECKPOINT_BYTES` bytes, and at the end of
//! each file; the batches since the last checkpoint are kept. When the target rejects a batch,
//! the transaction goes back to the checkpoint and the kept batches and the rejected one load
//! again one by one, each under its own savepoint; a batch the target rejects again is loaded
//! in halves down to the single rows it rejects (pgloader's approach), which are set aside.
//! So a clean load pays one savepoint per checkpoint, and a bad row re-loads at most one
//! checkpoint's batches.

use super::load_error::{load_error, rows_between};
use super::read::{LoadState, ReadBatch};
use super::rejected::database_message;
use super::{TableError, TableJob};
use crate::batch::TextBatch;
use crate::hvr::FileEntry;
use crate::ledger::Rejected;
use crate::odbc::{Database, OdbcError, RowSink};

/// A checkpoint ends after this many batches or bytes of values, whichever comes first: few
/// enough savepoints that PostgreSQL's subtransactions stay cheap (a savepoint per batch
/// measured 1.18x the plain load), and a bounded amount of memory kept.
const CHECKPOINT_BATCHES: usize = 16;
const CHECKPOINT_BYTES: usize = 32 * 1024 * 1024;
const CHECKPOINT: &str = "hvr_wasm_checkpoint";

/// The open checkpoint and the batches loaded since it.
#[derive(Default)]
pub(super) struct Checkpoint {
    open: bool,
    kept: Vec<ReadBatch>,
    bytes: usize,
}

impl Checkpoint {
    fn begin(&mut self, db: &dyn Database) -> Result<(), OdbcError> {
        if !self.open {
            db.execute("setting a checkpoint", &format!("SAVEPOINT {CHECKPOINT}"))?;
            self.open = true;
        }
        Ok(())
    }

    /// Ends the checkpoint: what was loaded since stays.
    pub(super) fn release(&mut self, db: &dyn Database) -> Result<(), OdbcError> {
        if self.open {
            db.execute(
                "releasing a checkpoint",
                &format!("RELEASE SAVEPOINT {CHECKPOINT}"),
            )?;
            self.open = false;
        }
        self.kept.clear();
        self.bytes = 0;
        Ok(())
    }

    /// Undoes what was loaded since the checkpoint; returns those batches.
    fn roll_back(&mut self, db: &dyn Database) -> Result<Vec<ReadBatch>, OdbcError> {
        db.execute(
            "going back to the checkpoint",
            &format!("ROLLBACK TO SAVEPOINT {CHECKPOINT}"),
        )?;
        db.execute(
            "releasing a checkpoint",
            &format!("RELEASE SAVEPOINT {CHECKPOINT}"),
        )?;
        self.open = false;
        self.bytes = 0;
        Ok(std::mem::take(&mut self.kept))
    }
}

impl TableJob<'_> {
    /// Loads a batch under the current checkpoint; on a rejection, goes back to the checkpoint
    /// and loads its batches again one by one.
    pub(super) fn load_checkpointed(
        &self,
        db: &dyn Database,
        file: &FileEntry,
        read: ReadBatch,
        state: &mut LoadState,
    ) -> Result<(), TableError> {
        let mut checkpoint = state.checkpoint.take().unwrap_or_default();
        let result = self.under_checkpoint(db, file, read, state, &mut checkpoint);
        state.checkpoint = Some(checkpoint);
        result
    }

    fn under_checkpoint(
        &self,
        db: &dyn Database,
        file: &FileEntry,
        read: ReadBatch,
        state: &mut LoadState,
        checkpoint: &mut Checkpoint,
    ) -> Result<(), TableError> {
        checkpoint.begin(db)?;
        match load_whole(state.loader.as_mut(), &read.batch) {
            Ok(()) => {
                state.stats.rows += read.batch.num_rows() as u64;
                checkpoint.bytes += read.batch.data_bytes();
                checkpoint.kept.push(read);
                if checkpoint.kept.len() >= CHECKPOINT_BATCHES
                    || checkpoint.bytes >= CHECKPOINT_BYTES
                {
                    checkpoint.release(db)?;
                }
                Ok(())
            }
            Err(e) if sets_aside(&e, self.defers_foreign_keys()) => {
                let again = checkpoint.roll_back(db)?;
                let undone: usize = again.iter().map(|b| b.batch.num_rows()).sum();
                state.stats.rows -= undone as u64;
                for batch in again.into_iter().chain(std::iter::once(read)) {
                    self.load_bisected(db, file, batch, state)?;
                }
                Ok(())
            }
            Err(e) => Err(load_error(file, read.span, read.batch.num_rows(), e)),
        }
    }

    /// Loads one batch under its own savepoint, in halves down to the rows the target rejects
    /// on their own, which are set aside.
    fn load_bisected(
        &self,
        db: &dyn Database,
        file: &FileEntry,
        read: ReadBatch,
        state: &mut LoadState,
    ) -> Result<(), TableError> {
        let ReadBatch {
            batch,
            span,
            positions,
        } = read;
        let rows = batch.num_rows();
        let mut refused = Vec::new();
        let defer = self.defers_foreign_keys();
        load_guarded(db, state.loader.as_mut(), &batch, 0, &mut refused, defer)
            .map_err(|e| load_error(file, span, rows, e))?;
        state.stats.rows += (rows - refused.len()) as u64;
        for (row, error) in refused {
            // After a transform that changed the row count, a row's own place is unknown.
            let position = match positions.get(row) {
                Some(at) if positions.len() == rows => {
                    state.reread.push((state.rejected.len(), *at));
                    at.to_string()
                }
                _ => format!("{} (row {} of the batch)", rows_between(span), row + 1),
            };
            state.rejected.push(Rejected {
                file: file.name.clone(),
                position,
                raw: batch.row_as_csv(row),
                error,
            });
        }
        self.check_set_aside(&state.rejected)
    }
}

/// Loads a batch and ends its statement, so the savepoint around it holds all of it and a
/// failure is this batch's.
fn load_whole(loader: &mut dyn RowSink, batch: &TextBatch) -> Result<(), OdbcError> {
    loader.load(batch)?;
    loader.finish()
}

const SAVEPOINT: &str = "hvr_wasm_rows";

/// Whether a load's failure `e` is set aside row by row: the rows' own, and not a foreign
/// key's refusal while other tables of the call may still commit what it lacks (`defer`:
/// the table then fails, and runs again after them, see `lanes`).
pub(super) fn sets_aside(e: &OdbcError, defer: bool) -> bool {
    e.is_about_the_rows() && !(defer && e.is_foreign_key_violation())
}

/// Loads `batch`; pushes `(row index, message)` for each row the target rejects on its own.
/// Errors that are not about the rows (a lost connection, a timeout, a deadlock) stop the
/// load as without an error table; so does a foreign key's refusal with `defer` (see
/// [`sets_aside`]).
pub(super) fn load_guarded(
    db: &dyn Database,
    loader: &mut dyn RowSink,
    batch: &TextBatch,
    offset: usize,
    rejected: &mut Vec<(usize, String)>,
    defer: bool,
) -> Result<(), OdbcError> {
    let rows = batch.num_rows();
    if rows == 0 {
        return Ok(());
    }
    let Err(e) = attempt(db, loader, batch)? else {
        return Ok(());
    };
    if !sets_aside(&e, defer) {
        return Err(e);
    }
    if rows == 1 {
        rejected.push((offset, database_message(&e)));
        return Ok(());
    }
    let mid = rows / 2;
    let mut half = |range, offset, rejected: &mut Vec<_>| {
        load_guarded(db, loader, &batch.rows(range), offset, rejected, defer)
    };
    half(0..mid, offset, rejected)?;
    half(mid..rows, offset + mid, rejected)
}

/// One load under a savepoint: the outer `Result` is the savepoint's own failure, the inner
/// one the load's, after which the target is as before it.
fn attempt(
    db: &dyn Database,
    loader: &mut dyn RowSink,
    batch: &TextBatch,
) -> Result<Result<(), OdbcError>, OdbcError> {
    db.execute(
        "setting a savepoint before a batch",
        &format!("SAVEPOINT {SAVEPOINT}"),
    )?;
    match load_whole(loader, batch) {
        Ok(()) => {
            db.execute(
                "releasing the batch's savepoint",
                &format!("RELEASE SAVEPOINT {SAVEPOINT}"),
            )?;
            Ok(Ok(()))
        }
        Err(e) => {
            db.execute(
                "rolling back a rejected batch",
                &format!("ROLLBACK TO SAVEPOINT {SAVEPOINT}"),
            )?;
            db.execute(
                "releasing the batch's savepoint",
                &format!("RELEASE SAVEPOINT {SAVEPOINT}"),
            )?;
            Ok(Err(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::fakes::FakeDb;

    /// Rejects any batch holding a value "bad"; keeps the values it loaded.
    #[derive(Default)]
    struct Picky {
        loaded: Vec<String>,
    }

    impl RowSink for Picky {
        fn load(&mut self, batch: &TextBatch) -> Result<(), OdbcError> {
            let values: Vec<String> = (0..batch.num_rows())
                .map(|r| String::from_utf8_lossy(batch.columns[0].get(r).unwrap()).into())
                .collect();
            if values.iter().any(|v| v == "bad") {
                return Err(OdbcError::Fake {
                    message: "invalid input syntax".into(),
                    transient: false,
                });
            }
            self.loaded.extend(values);
            Ok(())
        }
    }

    fn batch(values: &[&str]) -> TextBatch {
        let mut b = TextBatch::new(1, values.len());
        for v in values {
            b.columns[0].push(Some(v.as_bytes()));
        }
        b
    }

    #[test]
    fn only_the_rejected_rows_are_set_aside_and_the_rest_load_once() {
        let db = FakeDb::default();
        let mut sink = Picky::default();
        let values: Vec<String> = (0..100).map(|i| i.to_string()).collect();
        let mut rows: Vec<&str> = values.iter().map(String::as_str).collect();
        rows[17] = "bad";
        rows[90] = "bad";
        let mut rejected = Vec::new();
        load_guarded(&db, &mut sink, &batch(&rows), 0, &mut rejected, false).unwrap();
        let at: Vec<usize> = rejected.iter().map(|(i, _)| *i).collect();
        assert_eq!(at, [17, 90]);
        assert!(
            rejected[0].1.contains("invalid input syntax"),
            "{rejected:?}"
        );
        let mut loaded = sink.loaded.clone();
        loaded.sort_by_key(|v| v.parse::<u32>().unwrap());
        let expected: Vec<String> = (0..100)
            .filter(|i| ![17, 90].contains(i))
            .map(|i| i.to_string())
            .collect();
        assert_eq!(loaded, expected);
    }

    #[test]
    fn a_clean_batch_costs_one_savepoint() {
        let db = FakeDb::default();
        let mut sink = Picky::default();
        let mut rejected = Vec::new();
        load_guarded(
            &db,
            &mut sink,
            &batch(&["a", "b", "c"]),
            0,
            &mut rejected,
            false,
        )
        .unwrap();
        assert!(rejected.is_empty());
        assert_eq!(
            db.statements(),
            ["SAVEPOINT hvr_wasm_rows", "RELEASE SAVEPOINT hvr_wasm_rows"]
        );
    }

    #[test]
    fn errors_not_about_rows_stop_the_load() {
        struct Broken;
        impl RowSink for Broken {
            fn load(&mut self, _: &TextBatch) -> Result<(), OdbcError> {
                Err(OdbcError::Fake {
                    message: "deadlock".into(),
                    transient: true,
                })
            }
        }
        let db = FakeDb::default();
        let mut rejected = Vec::new();
        let result = load_guarded(
            &db,
            &mut Broken,
            &batch(&["a", "b"]),
            0,
            &mut rejected,
            false,
        );
        assert!(result.is_err());
        assert!(rejected.is_empty());
    }
}
