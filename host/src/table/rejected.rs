//! The rows set aside (`--error-table`), wherever they were refused: the `--max-error-rows`
//! limit, their fields read again from their file, and their writing into the error table in
//! the table's transaction. How a refused row is found while loading is `set_aside`'s; at the
//! apply, `in_order`'s.

use super::lanes::ForeignKeys;
use super::read::{LoadState, open_rows};
use super::row::{ReadAgain, fields_at};
use super::{FileColumn, Role, TableError, TableJob};
use crate::hvr::FileEntry;
use crate::ledger::{RejectContext, Rejected};
use crate::odbc::{Database, OdbcError};
use crate::rows::Position;
use crate::store::Files;

/// Rows set aside are named in the job log up to this many per table; the error table has
/// them all.
const LOGGED: usize = 5;

impl TableJob<'_> {
    /// Whether a foreign key's refusal fails the table instead of setting rows aside: other
    /// tables of the call may still commit what it lacks (see `lanes`).
    pub(super) fn defers_foreign_keys(&self) -> bool {
        self.foreign_keys.get() != ForeignKeys::Apply
    }

    /// Whether `e` is a foreign key's refusal this table does not set aside now (see
    /// `defers_foreign_keys`).
    pub(super) fn defers(&self, e: &OdbcError) -> bool {
        self.defers_foreign_keys() && e.is_foreign_key_violation()
    }

    /// Whether a foreign key's refusal of the cycle's apply fails the table at once, without
    /// applying the cycle again in order: it runs again after the other tables.
    pub(super) fn waits_on_foreign_keys(&self) -> bool {
        self.foreign_keys.get() == ForeignKeys::Wait
    }

    pub(super) fn max_set_aside(&self) -> Option<u64> {
        self.options.toolbox.max_error_rows()
    }

    /// Fails the table once more rows are set aside than `--max-error-rows` allows.
    pub(super) fn check_set_aside(&self, rejected: &[Rejected]) -> Result<(), TableError> {
        self.check_set_aside_count(rejected.len(), rejected)
    }

    /// As `check_set_aside`, for `count` rows set aside in all, the last of them in `rejected`.
    pub(super) fn check_set_aside_count(
        &self,
        count: usize,
        rejected: &[Rejected],
    ) -> Result<(), TableError> {
        match (self.max_set_aside(), rejected.last()) {
            (Some(limit), Some(last)) if count as u64 > limit => Err(TableError::TooManySetAside {
                limit,
                last: format!("file {} {}: {}", last.file, last.position, last.error),
            }),
            _ => Ok(()),
        }
    }

    /// Writes the rows set aside into the error table, in the table's transaction.
    pub(super) fn set_aside(
        &self,
        db: &dyn Database,
        rejected: &[Rejected],
    ) -> Result<(), TableError> {
        let Some(table) = &self.ledgers.errors else {
            return Ok(());
        };
        let context = RejectContext {
            channel: self.channel,
            location: self.location_name,
            mode: self.mode.as_str(),
            table: &self.spec.name,
        };
        for (i, row) in rejected.iter().enumerate() {
            table.record(db, &context, row)?;
            if i < LOGGED {
                say!(
                    "W_JX0E00: table {}: set aside file {} {} in {}: {}",
                    self.spec.name,
                    row.file,
                    row.position,
                    table.name(),
                    row.error
                );
            }
        }
        if rejected.len() > LOGGED {
            say!(
                "W_JX0E00: table {}: {} more row(s) set aside in {}",
                self.spec.name,
                rejected.len() - LOGGED,
                table.name()
            );
        }
        Ok(())
    }
}

impl TableJob<'_> {
    /// The file's own fields for the rows of it the target rejected (they were recorded with
    /// the values as sent until now).
    pub(super) fn reread_rejected(
        &self,
        location: &dyn Files,
        file: &FileEntry,
        columns: &[FileColumn],
        state: &mut LoadState,
    ) -> Result<(), TableError> {
        if state.reread.is_empty() {
            return Ok(());
        }
        let wanted: Vec<Position> = state.reread.iter().map(|(_, at)| *at).collect();
        let found = self.fields_in_file(location, file, columns, &wanted)?;
        for ((index, _), read) in state.reread.drain(..).zip(found) {
            if let Some((raw, op_value)) = read {
                state.rejected[index].raw = raw;
                // Counted by op when it was read; it was not applied.
                state.stats.ops.uncount(op_value.as_deref());
            }
        }
        Ok(())
    }
}

impl TableJob<'_> {
    /// The fields (as the file has them) and op of the rows at `wanted` in `file`, read again
    /// for the error table; `None` for a position the file does not have.
    pub(super) fn fields_in_file(
        &self,
        location: &dyn Files,
        file: &FileEntry,
        columns: &[FileColumn],
        wanted: &[Position],
    ) -> Result<Vec<Option<ReadAgain>>, TableError> {
        let mut rows = open_rows(self.format, location, file, columns)?;
        let op = columns.iter().position(|c| c.role == Role::Op);
        fields_at(&mut *rows, wanted, op).map_err(|source| TableError::Rows {
            file: file.name.clone(),
            source,
        })
    }
}

/// The database's words, without the statement (the error table has the row itself).
pub(super) fn database_message(e: &OdbcError) -> String {
    let text = e.to_string();
    let text = text.split("\n  SQL:").next().unwrap_or(&text);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
