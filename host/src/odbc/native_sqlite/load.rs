//! Batches into SQLite with statements prepared once per load: the parameter-array shape runs
//! its one-row statement per row, the multi-row shape its `per`-row statement per `per` rows
//! (and one statement for a batch's last rows). Values are bound as text, NULL as NULL, as the
//! driver binds ODBC's text parameters.

use rusqlite::Statement;

use super::{NativeSqlite, failed, text_param};
use crate::batch::TextBatch;
use crate::domain::LoadShape;
use crate::odbc::load::multi_row_sql;
use crate::odbc::{OdbcError, RowSink};

/// SQLite's bound on the parameters of one statement (`SQLITE_MAX_VARIABLE_NUMBER`).
const MAX_PARAMETERS: usize = 32_766;

pub(super) struct NativeLoader<'c> {
    session: &'c NativeSqlite,
    statement: Statement<'c>,
    sql: String,
    /// Rows per execution of `statement`; the multi-row shape's parts, to build the rest.
    per: usize,
    rows_shape: Option<(String, String)>,
}

impl<'c> NativeLoader<'c> {
    pub(super) fn new(
        session: &'c NativeSqlite,
        shape: &LoadShape,
        columns: usize,
        batch_rows: usize,
    ) -> Result<NativeLoader<'c>, OdbcError> {
        let (sql, per, rows_shape) = match shape {
            LoadShape::ParameterArray(sql) => (sql.clone(), 1, None),
            LoadShape::MultiRowValues {
                prefix,
                row,
                rows_per_statement,
            } => {
                let most = (MAX_PARAMETERS / columns.max(1)).max(1);
                let per = (*rows_per_statement).min(batch_rows).min(most).max(1);
                let parts = (prefix.clone(), row.clone());
                (multi_row_sql(prefix, row, per), per, Some(parts))
            }
            other => {
                return Err(OdbcError::Load(format!(
                    "SQLite cannot load in the shape {}; plan a parameter-array or multi-row VALUES load",
                    crate::odbc::describe_load(other)
                )));
            }
        };
        let statement = session.prepare("preparing the load statement", &sql)?;
        Ok(NativeLoader {
            session,
            statement,
            sql,
            per,
            rows_shape,
        })
    }

    fn run_rows(
        statement: &mut Statement<'_>,
        sql: &str,
        batch: &TextBatch,
        from: usize,
        rows: usize,
    ) -> Result<(), OdbcError> {
        let columns = batch.columns.len();
        let error = |e| failed("loading a batch", Some(sql), e);
        for slot in 0..rows {
            for (c, column) in batch.columns.iter().enumerate() {
                statement
                    .raw_bind_parameter(slot * columns + c + 1, text_param(column.get(from + slot)))
                    .map_err(error)?;
            }
        }
        statement.raw_execute().map(|_| ()).map_err(error)
    }
}

impl RowSink for NativeLoader<'_> {
    fn load(&mut self, batch: &TextBatch) -> Result<(), OdbcError> {
        let rows = batch.num_rows();
        let _waiting =
            crate::watchdog::waiting(crate::watchdog::Kind::Statement, "loading a batch");
        let full = rows / self.per;
        for set in 0..full {
            Self::run_rows(
                &mut self.statement,
                &self.sql,
                batch,
                set * self.per,
                self.per,
            )?;
        }
        let rest = rows - full * self.per;
        if rest > 0 {
            let Some((prefix, row)) = &self.rows_shape else {
                return Err(OdbcError::Load("a one-row load statement left rows".into()));
            };
            let sql = multi_row_sql(prefix, row, rest);
            let mut tail = self.session.prepare("preparing the load statement", &sql)?;
            Self::run_rows(&mut tail, &sql, batch, full * self.per, rest)?;
        }
        Ok(())
    }
}
