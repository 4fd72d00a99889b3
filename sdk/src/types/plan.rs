//! What a connector returns: its description and the plan for one table.

use super::TargetStyle;

/// Where one bound value comes from.
///
/// ```
/// use hvrwasm_sdk::{Load, LoadShape, Source};
/// // file column 0, then the row's position as the stage's sequence
/// let sources = vec![Source::Column(0), Source::RowNumber];
/// let load = Load::new(LoadShape::ParameterArray("INSERT INTO s VALUES (?, ?)".into()), sources, 1000);
/// assert_eq!(load.sources[1], Source::RowNumber);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The value of file column N (index into `Table::columns`); NULL stays NULL.
    Column(u32),
    /// The row's position in the call's change stream, from 1, increasing across files.
    RowNumber,
}

/// `prefix` then `rows_per_statement` copies of `row` joined by `,`; the host runs one
/// shorter statement for a batch's last, partial group. Built by
/// [`crate::sql::multi_row_values_load`].
///
/// ```
/// use hvrwasm_sdk::MultiRowValues;
/// let shape = MultiRowValues::new("INSERT INTO t (a, b) VALUES ".into(), "(?, ?)".into(), 100);
/// assert_eq!(shape.rows_per_statement, 100);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct MultiRowValues {
    /// `INSERT INTO t (a, b) VALUES `.
    pub prefix: String,
    /// One row's placeholders, e.g. `(?, ?)`.
    pub row: String,
    /// Rows per full statement.
    pub rows_per_statement: u32,
}

impl MultiRowValues {
    /// The shape from its parts.
    pub fn new(prefix: String, row: String, rows_per_statement: u32) -> MultiRowValues {
        MultiRowValues {
            prefix,
            row,
            rows_per_statement,
        }
    }
}

/// The load shapes the host offers. The [`crate::sql`] builders make each one.
///
/// ```
/// use hvrwasm_sdk::LoadShape;
/// let shape = LoadShape::ParameterArray("INSERT INTO t (a) VALUES (?)".into());
/// assert!(matches!(shape, LoadShape::ParameterArray(_)));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LoadShape {
    /// One statement with a `?` per source, executed with ODBC parameter arrays.
    ParameterArray(String),
    /// Multi-row `INSERT ... VALUES`; the host runs a last, shorter statement for the rest.
    MultiRowValues(MultiRowValues),
    /// One `?` per source, each bound to a PostgreSQL array literal of the batch's values.
    PostgresTextArrays(String),
    /// `COPY t (a, b) FROM STDIN` (no format options): the host streams the rows in COPY's
    /// text format on its native PostgreSQL connection, and runs the table's whole transaction
    /// there. Contract 0.4.0 and later ([`crate::sql::copy_load`]).
    PostgresCopy(String),
    /// `LOAD DATA LOCAL INFILE` into `table`'s `columns` (quoted), one column per source: the
    /// host streams each file's batches over a pipe as tab-separated text into one
    /// statement, inside the table's transaction, and fails the load when the server warns.
    /// MariaDB and MySQL; contract 0.4.0 and later ([`crate::sql::load_data_load`]).
    MariadbLoadData {
        /// The quoted table name.
        table: String,
        /// The quoted column names, one per source.
        columns: Vec<String>,
    },
}

/// How the files' rows are loaded: the statement shape, where each placeholder's value comes
/// from, and how many rows go to the driver at once.
///
/// ```
/// use hvrwasm_sdk::{Load, LoadShape, Source};
/// let load = Load::new(LoadShape::ParameterArray("INSERT INTO t (a) VALUES (?)".into()), vec![Source::Column(0)], 5000);
/// assert_eq!(load.batch_rows, 5000);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Load {
    /// One per placeholder (per row for multi-row shapes), in order.
    pub sources: Vec<Source>,
    /// The statement and how values are bound to it.
    pub shape: LoadShape,
    /// Rows per batch handed to the driver.
    pub batch_rows: u32,
}

impl Load {
    /// A load from its parts.
    pub fn new(shape: LoadShape, sources: Vec<Source>, batch_rows: u32) -> Load {
        Load {
            sources,
            shape,
            batch_rows,
        }
    }
}

/// What the host runs for one table, in one transaction: `before`, the load, `after`.
/// The host adds its exactly-once fence to the same transaction.
///
/// ```
/// use hvrwasm_sdk::{Load, LoadShape, Plan, Source};
/// let load = Load::new(LoadShape::ParameterArray("INSERT INTO t (a) VALUES (?)".into()), vec![Source::Column(0)], 1000);
/// let plan = Plan::new(vec!["DELETE FROM t".into()], load, vec![]);
/// assert_eq!(plan.before, ["DELETE FROM t"]);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Plan {
    /// Statements before the load (create, empty, stage).
    pub before: Vec<String>,
    /// How the files' rows are loaded.
    pub load: Load,
    /// Statements after the load (apply the stage, drop it).
    pub after: Vec<String>,
}

impl Plan {
    /// A plan from its parts.
    pub fn new(before: Vec<String>, load: Load, after: Vec<String>) -> Plan {
        Plan {
            before,
            load,
            after,
        }
    }
}

/// Why a connector will not plan a table; the host reports it with the table's name and
/// fails the call before touching the target.
///
/// ```
/// use hvrwasm_sdk::PlanError;
/// let e = PlanError::Unsupported("time-key needs a target that exists".into());
/// assert!(matches!(e, PlanError::Unsupported(_)));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum PlanError {
    /// The connector cannot do what was asked (style, phase, option).
    Unsupported(String),
    /// The table, its files or the target do not fit together.
    InvalidTable(String),
}

/// What values a `--connector-option` takes; the host checks them before any call.
///
/// ```
/// use hvrwasm_sdk::{OptionKind, OptionSpec};
/// let spec = OptionSpec::new("batch-rows", OptionKind::Integer, "rows per batch");
/// assert_eq!(spec.kind, OptionKind::Integer);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// Any text.
    Text,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Boolean,
}

/// A `--connector-option` the connector understands; the host refuses undeclared keys.
///
/// ```
/// use hvrwasm_sdk::{Info, OptionKind, OptionSpec};
/// let info = Info::new("my-db", "0.1.0", "sqlite")
///     .option(OptionSpec::new("batch-rows", OptionKind::Integer, "rows per batch").default_value("1000"));
/// assert_eq!(info.options[0].default.as_deref(), Some("1000"));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct OptionSpec {
    /// The key after `--connector-option`.
    pub name: String,
    /// What values it takes.
    pub kind: OptionKind,
    /// Its value when the user gives none.
    pub default: Option<String>,
    /// One line for `hvrwasmagent describe`.
    pub help: String,
}

impl OptionSpec {
    /// An option with no default.
    pub fn new(name: &str, kind: OptionKind, help: &str) -> OptionSpec {
        OptionSpec {
            name: name.into(),
            kind,
            default: None,
            help: help.into(),
        }
    }
    /// Its value when the user gives none.
    pub fn default_value(mut self, value: &str) -> OptionSpec {
        self.default = Some(value.into());
        self
    }
}

/// What a connector is and can do, returned by [`Connector::describe`](crate::Connector::describe).
///
/// ```
/// use hvrwasm_sdk::{Info, TargetStyle};
/// let info = Info::new("my-db", "0.1.0", "mariadb")
///     .styles(&TargetStyle::ALL)
///     .qualifier_is_catalog()
///     .max_parallel_tables(4);
/// assert_eq!(info.max_parallel_tables, Some(4));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Info {
    /// The name messages and `describe` use.
    pub name: String,
    /// The connector's own version.
    pub version: String,
    /// SQL dialect it writes, e.g. `postgresql`.
    pub dialect: String,
    /// Schema tables are looked up in when HVR gives none.
    pub default_schema: Option<String>,
    /// Whether `schema.table`'s qualifier names a catalog (MariaDB's databases).
    pub qualifier_is_catalog: bool,
    /// Most tables the target can apply at once; `None` for no limit beyond `--parallel`.
    pub max_parallel_tables: Option<u32>,
    /// The target styles it supports.
    pub styles: Vec<TargetStyle>,
    /// The `--connector-option` keys it understands.
    pub options: Vec<OptionSpec>,
}

impl Info {
    /// A connector supporting the replication-copy style, tables in parallel, no options.
    pub fn new(name: &str, version: &str, dialect: &str) -> Info {
        Info {
            name: name.into(),
            version: version.into(),
            dialect: dialect.into(),
            default_schema: None,
            qualifier_is_catalog: false,
            max_parallel_tables: None,
            styles: vec![TargetStyle::ReplicationCopy],
            options: Vec::new(),
        }
    }
    /// The target styles it supports.
    pub fn styles(mut self, styles: &[TargetStyle]) -> Info {
        self.styles = styles.to_vec();
        self
    }
    /// Schema tables are looked up in when HVR gives none.
    pub fn default_schema(mut self, schema: &str) -> Info {
        self.default_schema = Some(schema.into());
        self
    }
    /// `schema.table`'s qualifier names a catalog (a MariaDB database).
    pub fn qualifier_is_catalog(mut self) -> Info {
        self.qualifier_is_catalog = true;
        self
    }
    /// Most tables the target applies at once.
    pub fn max_parallel_tables(mut self, n: u32) -> Info {
        self.max_parallel_tables = Some(n);
        self
    }
    /// Declares a `--connector-option`.
    pub fn option(mut self, spec: OptionSpec) -> Info {
        self.options.push(spec);
        self
    }
}
