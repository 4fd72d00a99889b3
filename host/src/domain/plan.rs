//! What a connector is asked for one table, what it answers, and the host's checks of it.

use thiserror::Error;

use super::columns::{FileColumn, TargetColumn};

/// How changes land in the target (`-d/-D/-t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// The target mirrors the source (default).
    ReplicationCopy,
    /// Deleted rows stay, marked in the SoftDelete column (`-D`).
    SoftDelete,
    /// Every change is appended as a row (`-t`).
    TimeKey,
}

impl Style {
    pub fn name(self) -> &'static str {
        match self {
            Style::ReplicationCopy => "replication copy",
            Style::SoftDelete => "soft delete",
            Style::TimeKey => "time key",
        }
    }
}

/// Which plan is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanKind {
    /// `refr_write_end`: empty the table (unless preserved) and load the files.
    Refresh,
    /// `integ_end`: apply the cycle's changes.
    Integrate,
}

/// One table as the connector sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanRequest {
    /// Channel table name.
    pub name: String,
    /// Base name without schema.
    pub base_name: String,
    pub schema: Option<String>,
    /// File columns in file order, then transform-added columns.
    pub columns: Vec<FileColumn>,
    /// The target's columns; `None` when the table does not exist.
    pub target_columns: Option<Vec<TargetColumn>>,
    /// `--multi-delete TABLE:COLUMN`: the key column op-8 rows do not match on.
    pub multi_delete_exclude: Option<String>,
}

/// The user's choices a plan depends on.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanOptions {
    pub style: Style,
    pub keep_op_column: bool,
    pub keep_soft_delete_column: bool,
    pub preserve_on_refresh: bool,
    pub refresh_shadow: bool,
    /// `--error-table`: rows the target rejects are set aside by rolling the load back to a
    /// savepoint, so what the load writes must be transactional.
    pub sets_aside_rejected_rows: bool,
    /// Integrate only: the plan may assume the cycle holds only inserts, updates and deletes
    /// and changes each key at most once. Asked for besides the plan without it; its `after`
    /// runs only when the loaded rows proved the assumption (see `table::keys_once`).
    pub each_key_once: bool,
    /// `--connector-option` pairs, checked against the connector's declarations.
    pub extra: Vec<(String, String)>,
}

/// Where one bound value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// File column N (index into the request's columns).
    Column(usize),
    /// The row's position in the call's change stream, from 1.
    RowNumber,
}

/// The load shapes the host offers.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadShape {
    /// One statement with a `?` per source, executed with ODBC parameter arrays.
    ParameterArray(String),
    /// `prefix` then `rows_per_statement` copies of `row`, joined by `,`.
    MultiRowValues {
        prefix: String,
        row: String,
        rows_per_statement: usize,
    },
    /// One PostgreSQL array literal per source, for `INSERT ... SELECT FROM unnest(...)`.
    PostgresTextArrays(String),
    /// `COPY t (a, b) FROM STDIN` fed in COPY's text format on the native PostgreSQL
    /// connection, where the table's whole transaction then runs.
    PostgresCopy(String),
    /// `LOAD DATA LOCAL INFILE` into `table`'s `columns`, fed over a pipe (MariaDB, MySQL).
    MariadbLoadData { table: String, columns: Vec<String> },
}

impl LoadShape {
    /// Whether the table's transaction must run on the native PostgreSQL connection.
    pub fn needs_native_postgres(&self) -> bool {
        matches!(self, LoadShape::PostgresCopy(_))
    }
}

/// What the host runs for one table, in one transaction: `before`, the load, `after`.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub before: Vec<String>,
    pub sources: Vec<Source>,
    pub shape: LoadShape,
    pub batch_rows: usize,
    pub after: Vec<String>,
    /// Integrate: the connector's `after` for a cycle of only inserts, updates and deletes
    /// that changes each key once (contract 0.4.2's `each-key-once`), run instead of `after`
    /// when the loaded rows proved that; `None` when the connector has nothing faster.
    pub after_each_key_once: Option<Vec<String>>,
}

/// A connector's refusal to plan, in its own words.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum PlanRefusal {
    #[error("not supported: {0}")]
    Unsupported(String),
    #[error("{0}")]
    InvalidTable(String),
}

/// A plan the host cannot run as returned.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum PlanCheckError {
    #[error("the plan's load reads file column {index}, but the files have {columns} columns")]
    SourceOutOfRange { index: usize, columns: usize },
    #[error("the plan's load has no columns")]
    NoSources,
}

/// Most rows per batch the host accepts from a plan.
const MAX_BATCH_ROWS: usize = 1_000_000;

impl Plan {
    /// Checks the plan against the table's columns and bounds what a guest may ask for.
    pub fn checked(mut self, columns: usize) -> Result<Plan, PlanCheckError> {
        if self.sources.is_empty() {
            return Err(PlanCheckError::NoSources);
        }
        for s in &self.sources {
            if let Source::Column(index) = *s
                && index >= columns
            {
                return Err(PlanCheckError::SourceOutOfRange { index, columns });
            }
        }
        if let LoadShape::MultiRowValues {
            rows_per_statement, ..
        } = &mut self.shape
        {
            *rows_per_statement = (*rows_per_statement).max(1);
        }
        self.batch_rows = self.batch_rows.clamp(1, MAX_BATCH_ROWS);
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(sources: Vec<Source>) -> Plan {
        Plan {
            before: vec![],
            sources,
            shape: LoadShape::ParameterArray("INSERT".into()),
            batch_rows: 0,
            after: vec![],
            after_each_key_once: None,
        }
    }

    #[test]
    fn a_plan_may_read_only_columns_the_files_have() {
        assert_eq!(
            plan(vec![Source::Column(2)]).checked(2),
            Err(PlanCheckError::SourceOutOfRange {
                index: 2,
                columns: 2
            })
        );
        assert_eq!(plan(vec![]).checked(2), Err(PlanCheckError::NoSources));
        let ok = plan(vec![Source::Column(1), Source::RowNumber])
            .checked(2)
            .unwrap();
        assert_eq!(ok.batch_rows, 1);
    }
}
