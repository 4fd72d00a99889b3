//! The SDK's own types for what a connector receives and returns. They mirror the contract
//! (`wit/connector.wit`) but belong to the SDK: records a connector *builds* (`Info`, `Plan`,
//! `Load`, `OptionSpec`) are made with constructors and builder methods, and records it
//! *receives* (`Table`, `Column`, `Options`) are `#[non_exhaustive]`, so a field added by a
//! later contract does not break a connector's source. The export macro converts to and from
//! the generated bindings.

/// What a column carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnRole {
    /// A replicated column of the source table.
    Data,
    /// `{hvr_op}` (0 delete, 1 insert, 2 update, 3/4 before-images, 5 truncate, 8 multi-delete).
    Op,
    /// The SoftDelete column (0 live, 1 deleted).
    SoftDelete,
}

/// A column's type in database-neutral terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogicalType {
    Boolean,
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Decimal { precision: u16, scale: i16 },
    Date,
    Time { precision: u8 },
    Timestamp { precision: u8, with_zone: bool },
    Text { max_length: Option<u32> },
    Binary { max_length: Option<u32> },
    Json,
}

/// One column as it appears in the table's files, in file order.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Column {
    /// Channel column name (`HVR_COL_NAMES`).
    pub name: String,
    /// Name in the target (`HVR_COL_NAMES_BASE`).
    pub base_name: String,
    pub is_key: bool,
    pub role: ColumnRole,
    /// Known when a typed file format or a hint declares it.
    pub logical_type: Option<LogicalType>,
}

impl Column {
    fn with_role(name: &str, role: ColumnRole) -> Column {
        Column {
            name: name.into(),
            base_name: name.into(),
            is_key: false,
            role,
            logical_type: None,
        }
    }
    /// A data column named `name` in the channel and the target.
    pub fn data(name: &str) -> Column {
        Column::with_role(name, ColumnRole::Data)
    }
    /// The op column.
    pub fn op(name: &str) -> Column {
        Column::with_role(name, ColumnRole::Op)
    }
    /// The SoftDelete column.
    pub fn soft_delete(name: &str) -> Column {
        Column::with_role(name, ColumnRole::SoftDelete)
    }
    /// Marks the column as part of the replication key.
    pub fn key(mut self) -> Column {
        self.is_key = true;
        self
    }
    /// Another name in the target than in the channel.
    pub fn base_name(mut self, base_name: &str) -> Column {
        self.base_name = base_name.into();
        self
    }
    pub fn logical_type(mut self, t: LogicalType) -> Column {
        self.logical_type = Some(t);
        self
    }
}

/// A column of the existing target table, as the ODBC catalog reports it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TargetColumn {
    pub name: String,
    /// The data source's own type name, e.g. `numeric`.
    pub type_name: String,
    pub size: Option<i32>,
    pub scale: Option<i16>,
    pub nullable: bool,
    pub logical_type: Option<LogicalType>,
}

impl TargetColumn {
    /// A nullable column of type `type_name`.
    pub fn new(name: &str, type_name: &str) -> TargetColumn {
        TargetColumn {
            name: name.into(),
            type_name: type_name.into(),
            size: None,
            scale: None,
            nullable: true,
            logical_type: None,
        }
    }
    pub fn size(mut self, size: i32) -> TargetColumn {
        self.size = Some(size);
        self
    }
    pub fn not_null(mut self) -> TargetColumn {
        self.nullable = false;
        self
    }
    pub fn logical_type(mut self, t: LogicalType) -> TargetColumn {
        self.logical_type = Some(t);
        self
    }
}

/// How the user wants changes to land.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetStyle {
    /// The target mirrors the source (default).
    ReplicationCopy,
    /// Deleted rows stay with the SoftDelete column set (`-D`).
    SoftDelete,
    /// Every change is appended as a row (`-t`).
    TimeKey,
}

impl TargetStyle {
    /// Every style, for a connector that supports them all: `Info::new(..).styles(&TargetStyle::ALL)`.
    pub const ALL: [TargetStyle; 3] = [
        TargetStyle::ReplicationCopy,
        TargetStyle::SoftDelete,
        TargetStyle::TimeKey,
    ];
}

/// The user's choices for this call.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Options {
    pub style: TargetStyle,
    /// Keep the op column in the target (`-O`; always true for time-key).
    pub keep_op_column: bool,
    /// Keep the SoftDelete column (`-D`; always true for time-key).
    pub keep_soft_delete_column: bool,
    /// Do not empty the target on refresh (`-p`).
    pub preserve_on_refresh: bool,
    /// Refresh into a new table and swap it in at commit (`--refresh-shadow`).
    pub refresh_shadow: bool,
    /// `--connector-option` pairs, checked by the host against [`Info::option`]
    /// declarations, with declared defaults filled in.
    pub extra: Vec<(String, String)>,
}

impl Options {
    /// The options of a call in `style`, extra columns kept as that style needs.
    pub fn new(style: TargetStyle) -> Options {
        Options {
            style,
            keep_op_column: style == TargetStyle::TimeKey,
            keep_soft_delete_column: style != TargetStyle::ReplicationCopy,
            preserve_on_refresh: false,
            refresh_shadow: false,
            extra: Vec::new(),
        }
    }
    pub fn keep_op_column(mut self) -> Options {
        self.keep_op_column = true;
        self
    }
    pub fn preserve_on_refresh(mut self) -> Options {
        self.preserve_on_refresh = true;
        self
    }
    pub fn refresh_shadow(mut self) -> Options {
        self.refresh_shadow = true;
        self
    }
    pub fn extra(mut self, key: &str, value: &str) -> Options {
        self.extra.push((key.into(), value.into()));
        self
    }
    /// The value of `--connector-option key=...`, if given (or declared with a default).
    pub fn option(&self, key: &str) -> Option<&str> {
        self.extra
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// One table of one call.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Table {
    /// Channel table name (`HVR_TBL_NAMES`).
    pub name: String,
    /// Base table name without schema.
    pub base_name: String,
    pub schema: Option<String>,
    /// The columns of this table's files, in file order (transform-added columns last).
    pub columns: Vec<Column>,
    /// The target table's columns; `None` when the table does not exist.
    pub target_columns: Option<Vec<TargetColumn>>,
    /// `--multi-delete table:column`: the key column op-8 rows do not match on.
    pub multi_delete_exclude: Option<String>,
}

impl Table {
    /// A table named `name` in the channel and the target, with no columns yet.
    pub fn new(name: &str) -> Table {
        Table {
            name: name.into(),
            base_name: name.into(),
            schema: None,
            columns: Vec::new(),
            target_columns: None,
            multi_delete_exclude: None,
        }
    }
    pub fn base_name(mut self, base_name: &str) -> Table {
        self.base_name = base_name.into();
        self
    }
    pub fn schema(mut self, schema: &str) -> Table {
        self.schema = Some(schema.into());
        self
    }
    pub fn column(mut self, column: Column) -> Table {
        self.columns.push(column);
        self
    }
    /// The target exists with these columns.
    pub fn target_columns(mut self, columns: Vec<TargetColumn>) -> Table {
        self.target_columns = Some(columns);
        self
    }
    pub fn multi_delete_exclude(mut self, column: &str) -> Table {
        self.multi_delete_exclude = Some(column.into());
        self
    }
}

/// Where one bound value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The value of file column N (index into `Table::columns`); NULL stays NULL.
    Column(u32),
    /// The row's position in the call's change stream, from 1, increasing across files.
    RowNumber,
}

/// `prefix` then `rows_per_statement` copies of `row` joined by `,`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct MultiRowValues {
    pub prefix: String,
    pub row: String,
    pub rows_per_statement: u32,
}

impl MultiRowValues {
    pub fn new(prefix: String, row: String, rows_per_statement: u32) -> MultiRowValues {
        MultiRowValues {
            prefix,
            row,
            rows_per_statement,
        }
    }
}

/// The load shapes the host offers.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LoadShape {
    /// One statement with a `?` per source, executed with ODBC parameter arrays.
    ParameterArray(String),
    /// Multi-row `INSERT ... VALUES`; the host runs a last, shorter statement for the rest.
    MultiRowValues(MultiRowValues),
    /// One `?` per source, each bound to a PostgreSQL array literal of the batch's values.
    PostgresTextArrays(String),
}

/// How the files' rows are loaded.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Load {
    pub sources: Vec<Source>,
    pub shape: LoadShape,
    /// Rows per batch handed to the driver.
    pub batch_rows: u32,
}

impl Load {
    pub fn new(shape: LoadShape, sources: Vec<Source>, batch_rows: u32) -> Load {
        Load {
            sources,
            shape,
            batch_rows,
        }
    }
}

/// What the host runs for one table, in one transaction: `before`, the load, `after`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Plan {
    pub before: Vec<String>,
    pub load: Load,
    pub after: Vec<String>,
}

impl Plan {
    pub fn new(before: Vec<String>, load: Load, after: Vec<String>) -> Plan {
        Plan {
            before,
            load,
            after,
        }
    }
}

/// Why a connector will not plan a table.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanError {
    /// The connector cannot do what was asked (style, phase, option).
    Unsupported(String),
    /// The table, its files or the target do not fit together.
    InvalidTable(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    Text,
    Integer,
    Boolean,
}

/// A `--connector-option` the connector understands; the host refuses undeclared keys.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct OptionSpec {
    pub name: String,
    pub kind: OptionKind,
    pub default: Option<String>,
    pub help: String,
}

impl OptionSpec {
    pub fn new(name: &str, kind: OptionKind, help: &str) -> OptionSpec {
        OptionSpec {
            name: name.into(),
            kind,
            default: None,
            help: help.into(),
        }
    }
    pub fn default_value(mut self, value: &str) -> OptionSpec {
        self.default = Some(value.into());
        self
    }
}

/// What a connector is and can do.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Info {
    pub name: String,
    pub version: String,
    /// SQL dialect it writes, e.g. `postgresql`.
    pub dialect: String,
    /// Schema tables are looked up in when HVR gives none.
    pub default_schema: Option<String>,
    /// Whether `schema.table`'s qualifier names a catalog (MariaDB's databases).
    pub qualifier_is_catalog: bool,
    /// Most tables the target can apply at once; `None` for no limit beyond `--parallel`.
    pub max_parallel_tables: Option<u32>,
    pub styles: Vec<TargetStyle>,
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
    pub fn styles(mut self, styles: &[TargetStyle]) -> Info {
        self.styles = styles.to_vec();
        self
    }
    pub fn default_schema(mut self, schema: &str) -> Info {
        self.default_schema = Some(schema.into());
        self
    }
    pub fn qualifier_is_catalog(mut self) -> Info {
        self.qualifier_is_catalog = true;
        self
    }
    pub fn max_parallel_tables(mut self, n: u32) -> Info {
        self.max_parallel_tables = Some(n);
        self
    }
    pub fn option(mut self, spec: OptionSpec) -> Info {
        self.options.push(spec);
        self
    }
}
