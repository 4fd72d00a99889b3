//! The load shapes the host offers connectors. Which is fastest depends on the driver: psqlODBC
//! emulates parameter arrays one statement per row, MariaDB and SQLite execute them natively.

use odbc_api::buffers::TextColumn as OdbcTextColumn;
use odbc_api::parameter::VarCharSlice;
use odbc_api::{ColumnarBulkInserter, Prepared, handles::StatementImpl};

use super::OdbcError;
use super::connection::Target;
use super::pg_array::pg_array_literal;
use crate::batch::{Chunk, TextBatch, chunks_within};
use crate::domain::LoadShape;

/// What parameter buffers of one statement may take: rows bound at once x the longest value of
/// each column. A batch with a long value is bound in shorter runs (one row for a 50 MB field).
pub const LOAD_BUFFER_BYTES: usize = 64 * 1024 * 1024;

type Inserter<'c> = ColumnarBulkInserter<StatementImpl<'c>, OdbcTextColumn<u8>>;

/// Loads batches into the target with one shape. Statements are prepared once.
pub enum BatchLoader<'c> {
    Arrays {
        target: &'c Target,
        inserter: Inserter<'c>,
        sql: String,
        columns: usize,
        /// MariaDB or MySQL: each execution's warnings are read (`warnings`).
        reads_warnings: bool,
        max_rows: usize,
        /// Rows the inserter's buffers hold, and the value length each column is bound for.
        capacity: usize,
        lens: Vec<usize>,
    },
    MultiRow {
        target: &'c Target,
        inserter: Inserter<'c>,
        /// As for `Arrays`.
        reads_warnings: bool,
        capacity: usize,
        lens: Vec<usize>,
        prefix: String,
        row: String,
        per_statement: usize,
        columns: usize,
        sql: String,
    },
    PgArrays {
        target: &'c Target,
        prepared: Prepared<StatementImpl<'c>>,
        sql: String,
    },
}

fn statement_error(what: &str, sql: &str, source: odbc_api::Error) -> OdbcError {
    OdbcError::Statement {
        what: what.to_string(),
        sql: sql.to_string(),
        source,
    }
}

fn text_inserter<'c>(
    target: &'c Target,
    sql: &str,
    params: usize,
    capacity: usize,
) -> Result<Inserter<'c>, OdbcError> {
    target
        .connection()
        .prepare(sql)
        .and_then(|p| p.into_text_inserter(capacity.max(1), std::iter::repeat_n(16, params)))
        .map_err(|e| statement_error("preparing the load statement", sql, e))
}

impl<'c> BatchLoader<'c> {
    pub fn new(
        target: &'c Target,
        shape: &LoadShape,
        columns: usize,
        batch_rows: usize,
    ) -> Result<BatchLoader<'c>, OdbcError> {
        if target.verbose() {
            say!("  SQL (load): {}", describe(shape));
        }
        Ok(match shape {
            // The table code moves such a table to the native connection before loading; an
            // ODBC connection that still gets one says so instead of guessing.
            LoadShape::MariadbLoadData { .. } => {
                return Err(OdbcError::Load(
                    "LOAD DATA loads through its own sink (odbc::load_data), not a batch loader"
                        .into(),
                ));
            }
            LoadShape::PostgresCopy(_) => {
                return Err(OdbcError::Load(
                    "the plan loads with PostgreSQL COPY, which needs the native PostgreSQL connection, and this table's transaction runs over ODBC".into(),
                ));
            }
            LoadShape::ParameterArray(sql) => BatchLoader::Arrays {
                target,
                inserter: text_inserter(target, sql, columns, batch_rows)?,
                sql: sql.clone(),
                columns,
                reads_warnings: reads_warnings(target),
                max_rows: batch_rows.max(1),
                capacity: batch_rows.max(1),
                lens: vec![16; columns],
            },
            LoadShape::MultiRowValues {
                prefix,
                row,
                rows_per_statement,
            } => {
                // Never more rows per statement than a batch holds.
                let per = (*rows_per_statement).min(batch_rows).max(1);
                let sql = multi_row_sql(prefix, row, per);
                BatchLoader::MultiRow {
                    target,
                    inserter: text_inserter(target, &sql, columns * per, batch_rows.div_ceil(per))?,
                    reads_warnings: reads_warnings(target),
                    capacity: batch_rows.max(1),
                    lens: vec![16; columns],
                    prefix: prefix.clone(),
                    row: row.clone(),
                    per_statement: per,
                    columns,
                    sql,
                }
            }
            LoadShape::PostgresTextArrays(sql) => BatchLoader::PgArrays {
                target,
                prepared: target
                    .connection()
                    .prepare(sql)
                    .map_err(|e| statement_error("preparing the load statement", sql, e))?,
                sql: sql.clone(),
            },
        })
    }

    /// Loads the batch. After a failed load the statement is prepared again: MariaDB
    /// Connector/ODBC 3.1 sent stale buffer contents in the next execution of a parameter
    /// array that had failed (seen as garbage values), and with `--error-table` the loader is
    /// used again after a rejected batch.
    pub fn load(&mut self, batch: &TextBatch) -> Result<(), OdbcError> {
        let result = self.load_once(batch);
        if result.is_err() {
            self.prepare_again()?;
        }
        result
    }

    /// Fresh statements and buffers, as [`BatchLoader::new`] made them.
    fn prepare_again(&mut self) -> Result<(), OdbcError> {
        match self {
            BatchLoader::Arrays {
                target,
                inserter,
                sql,
                columns,
                capacity,
                lens,
                ..
            } => {
                *inserter = text_inserter(target, sql, *columns, *capacity)?;
                *lens = vec![16; *columns];
            }
            BatchLoader::MultiRow {
                target,
                inserter,
                capacity,
                lens,
                per_statement,
                columns,
                sql,
                ..
            } => {
                let sets = capacity.div_ceil(*per_statement);
                *inserter = text_inserter(target, sql, *columns * *per_statement, sets)?;
                *lens = vec![16; *columns];
            }
            BatchLoader::PgArrays {
                target,
                prepared,
                sql,
            } => {
                *prepared = target
                    .connection()
                    .prepare(sql)
                    .map_err(|e| statement_error("preparing the load statement", sql, e))?;
            }
        }
        Ok(())
    }

    fn load_once(&mut self, batch: &TextBatch) -> Result<(), OdbcError> {
        let rows = batch.num_rows();
        if rows == 0 {
            return Ok(());
        }
        match self {
            BatchLoader::Arrays {
                target,
                inserter,
                sql,
                columns,
                reads_warnings,
                max_rows,
                capacity,
                lens,
            } => {
                for chunk in chunks_within(batch, LOAD_BUFFER_BYTES, *max_rows) {
                    let rows = chunk.to - chunk.from;
                    if !fits(*capacity, lens, &chunk) {
                        // Rebind with buffers sized for this run: fewer rows when values are long.
                        let width: usize = chunk.lens.iter().sum::<usize>().max(1);
                        *capacity = (LOAD_BUFFER_BYTES / width).clamp(rows.max(1), *max_rows);
                        *inserter = text_inserter(target, sql, *columns, *capacity)?;
                        lens.clone_from(&chunk.lens);
                    }
                    grow(lens, &chunk.lens);
                    fill(inserter, batch, chunk.from, chunk.to, 1, sql, lens)?;
                    execute(inserter, sql)?;
                    refuse_adjusted_values(target, *reads_warnings)?;
                }
                Ok(())
            }
            BatchLoader::MultiRow {
                target,
                inserter,
                reads_warnings,
                capacity,
                lens,
                prefix,
                row,
                per_statement,
                columns,
                sql,
            } => {
                let per = *per_statement;
                for chunk in chunks_within(batch, LOAD_BUFFER_BYTES, *capacity) {
                    let (from, to) = (chunk.from, chunk.to);
                    let wide = !fits(*capacity, lens, &chunk);
                    let full = if wide { 0 } else { (to - from) / per };
                    if full > 0 {
                        grow(lens, &chunk.lens);
                        fill(inserter, batch, from, from + full * per, per, sql, lens)?;
                        execute(inserter, sql)?;
                        refuse_adjusted_values(target, *reads_warnings)?;
                    }
                    // The rest, and runs of long values: one statement for the run's rows.
                    let rest = to - from - full * per;
                    if rest > 0 {
                        let tail_sql = multi_row_sql(prefix, row, rest);
                        let mut tail = text_inserter(target, &tail_sql, *columns * rest, 1)?;
                        fill(
                            &mut tail,
                            batch,
                            from + full * per,
                            to,
                            rest,
                            &tail_sql,
                            &chunk.lens,
                        )?;
                        execute(&mut tail, &tail_sql)?;
                        refuse_adjusted_values(target, *reads_warnings)?;
                    }
                }
                Ok(())
            }
            BatchLoader::PgArrays { prepared, sql, .. } => {
                let literals: Vec<String> = batch.columns.iter().map(pg_array_literal).collect();
                let params: Vec<VarCharSlice<'_>> = literals
                    .iter()
                    .map(|l| VarCharSlice::new(l.as_bytes()))
                    .collect();
                let _waiting =
                    crate::watchdog::waiting(crate::watchdog::Kind::Statement, "loading a batch");
                prepared
                    .execute(&params[..])
                    .map(|_| ())
                    .map_err(|e| statement_error("loading a batch", sql, e))
            }
        }
    }
}

/// Whether an inserter holding `capacity` rows can take the run without its buffers growing
/// past the budget.
fn fits(capacity: usize, lens: &[usize], chunk: &Chunk) -> bool {
    let width: usize = lens.iter().zip(&chunk.lens).map(|(a, b)| *a.max(b)).sum();
    chunk.to - chunk.from <= capacity && capacity.saturating_mul(width) <= LOAD_BUFFER_BYTES
}

fn grow(lens: &mut [usize], chunk: &[usize]) {
    for (l, c) in lens.iter_mut().zip(chunk) {
        *l = (*l).max(*c);
    }
}

/// Copies rows `from..to` of `batch` into the inserter, `per` rows per parameter set (one
/// parameter set of a multi-row statement holds `per` rows side by side), each column bound
/// for values of up to `lens[column]` bytes.
#[allow(clippy::too_many_arguments)]
fn fill(
    inserter: &mut Inserter<'_>,
    batch: &TextBatch,
    from: usize,
    to: usize,
    per: usize,
    sql: &str,
    lens: &[usize],
) -> Result<(), OdbcError> {
    let columns = batch.columns.len();
    let sets = (to - from) / per;
    inserter.set_num_rows(sets);
    for (c, column) in batch.columns.iter().enumerate() {
        for slot in 0..per {
            let mut view = inserter.column_mut(slot * columns + c);
            view.ensure_max_element_length(lens[c].max(1), 0)
                .map_err(|e| statement_error("binding a batch", sql, e))?;
            for set in 0..sets {
                view.set_cell(set, column.get(from + set * per + slot));
            }
        }
    }
    Ok(())
}

/// MariaDB and MySQL leave a warning or note where they adjusted a value (see `warnings`).
fn reads_warnings(target: &Target) -> bool {
    super::is_mariadb_or_mysql(&super::Database::dbms_name(target))
}

fn refuse_adjusted_values(target: &Target, reads_warnings: bool) -> Result<(), OdbcError> {
    if reads_warnings {
        super::warnings::refuse_adjusted_values(target)
    } else {
        Ok(())
    }
}

fn execute(inserter: &mut Inserter<'_>, sql: &str) -> Result<(), OdbcError> {
    let _waiting = crate::watchdog::waiting(crate::watchdog::Kind::Statement, "loading a batch");
    inserter
        .execute()
        .map(|_| ())
        .map_err(|e| statement_error("loading a batch", sql, e))
}

pub(super) fn multi_row_sql(prefix: &str, row: &str, rows: usize) -> String {
    let mut sql = String::with_capacity(prefix.len() + rows * (row.len() + 1));
    sql.push_str(prefix);
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(row);
    }
    sql
}

/// The load as `--verbose` and `plan` print it.
pub fn describe(shape: &LoadShape) -> String {
    match shape {
        LoadShape::ParameterArray(sql) => format!("{sql} [parameter arrays]"),
        LoadShape::MultiRowValues {
            prefix,
            row,
            rows_per_statement,
        } => format!("{prefix}{row},... [{rows_per_statement} rows per statement]"),
        LoadShape::PostgresTextArrays(sql) => format!("{sql} [one text array per column]"),
        LoadShape::PostgresCopy(sql) => format!("{sql} [COPY text format, native connection]"),
        LoadShape::MariadbLoadData { table, columns } => format!(
            "LOAD DATA LOCAL INFILE <pipe> INTO TABLE {table} ({}) [tab-separated text over a pipe]",
            columns.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_statement_repeats_the_row() {
        assert_eq!(
            multi_row_sql("INSERT INTO t VALUES ", "(?,?)", 3),
            "INSERT INTO t VALUES (?,?),(?,?),(?,?)"
        );
    }
}
