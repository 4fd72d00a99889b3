//! What a connector receives: the table of one call and the user's options.

/// What a column carries.
///
/// ```
/// use hvrwasm_sdk::{Column, ColumnRole};
/// assert_eq!(Column::op("op_type").role, ColumnRole::Op);
/// assert_eq!(Column::data("id").role, ColumnRole::Data);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnRole {
    /// A replicated column of the source table, or one a transform added.
    Data,
    /// `{hvr_op}` (0 delete, 1 insert, 2 update, 3/4 before-images, 5 truncate, 8 multi-delete).
    /// Present in integrate files only, unless the channel keeps it in the target.
    Op,
    /// The SoftDelete column (0 live, 1 deleted).
    SoftDelete,
}

/// A column's type in database-neutral terms, known when the files are typed (Parquet, Avro)
/// or a `--column-types-file` declares it; map it with [`crate::column_types`].
///
/// ```
/// use hvrwasm_sdk::{column_types, LogicalType};
/// let money = LogicalType::Decimal { precision: 12, scale: 2 };
/// assert_eq!(column_types::postgres(&money, false).as_deref(), Some("numeric(12,2)"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogicalType {
    /// true/false.
    Boolean,
    /// 8-bit signed integer.
    Int8,
    /// 16-bit signed integer.
    Int16,
    /// 32-bit signed integer.
    Int32,
    /// 64-bit signed integer.
    Int64,
    /// IEEE single precision.
    Float32,
    /// IEEE double precision.
    Float64,
    /// Exact number with `precision` digits, `scale` of them after the point.
    Decimal {
        /// Total digits.
        precision: u16,
        /// Digits after the decimal point.
        scale: i16,
    },
    /// A calendar date.
    Date,
    /// A time of day.
    Time {
        /// Fractional second digits.
        precision: u8,
    },
    /// A date and time.
    Timestamp {
        /// Fractional second digits.
        precision: u8,
        /// An instant (UTC in the files) rather than a wall-clock time.
        with_zone: bool,
    },
    /// Characters, at most `max_length` of them when known.
    Text {
        /// Longest value in characters, when declared.
        max_length: Option<u32>,
    },
    /// Bytes, at most `max_length` of them when known.
    Binary {
        /// Longest value in bytes, when declared.
        max_length: Option<u32>,
    },
    /// A JSON document.
    Json,
}

/// One column as it appears in the table's files, in file order.
///
/// ```
/// use hvrwasm_sdk::{Column, LogicalType};
/// let id = Column::data("id").key().logical_type(LogicalType::Int64);
/// let customer = Column::data("cust").base_name("customer");
/// assert!(id.is_key);
/// assert_eq!(customer.base_name, "customer");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Column {
    /// Channel column name (`HVR_COL_NAMES`).
    pub name: String,
    /// Name in the target (`HVR_COL_NAMES_BASE`).
    pub base_name: String,
    /// Part of the replication key (`HVR_COL_NAMES` key flags).
    pub is_key: bool,
    /// Data, op or SoftDelete column.
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
    /// The column's declared type.
    pub fn logical_type(mut self, t: LogicalType) -> Column {
        self.logical_type = Some(t);
        self
    }
}

/// A column of the existing target table, as the ODBC catalog reports it.
///
/// ```
/// use hvrwasm_sdk::TargetColumn;
/// let id = TargetColumn::new("id", "int4").not_null();
/// let name = TargetColumn::new("name", "varchar").size(200);
/// assert!(!id.nullable);
/// assert_eq!(name.size, Some(200));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TargetColumn {
    /// The column's name in the target.
    pub name: String,
    /// The data source's own type name, e.g. `numeric`.
    pub type_name: String,
    /// `COLUMN_SIZE`: characters for text, digits for numbers.
    pub size: Option<i32>,
    /// `DECIMAL_DIGITS`.
    pub scale: Option<i16>,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// The catalog type in neutral terms, when the host can tell.
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
    /// Its `COLUMN_SIZE`.
    pub fn size(mut self, size: i32) -> TargetColumn {
        self.size = Some(size);
        self
    }
    /// NOT NULL.
    pub fn not_null(mut self) -> TargetColumn {
        self.nullable = false;
        self
    }
    /// Its type in neutral terms.
    pub fn logical_type(mut self, t: LogicalType) -> TargetColumn {
        self.logical_type = Some(t);
        self
    }
}

/// How the user wants changes to land.
///
/// ```
/// use hvrwasm_sdk::{Info, TargetStyle};
/// let info = Info::new("my-db", "0.1.0", "sqlite").styles(&TargetStyle::ALL);
/// assert!(info.styles.contains(&TargetStyle::TimeKey));
/// ```
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
///
/// ```
/// use hvrwasm_sdk::{Options, TargetStyle};
/// let options = Options::new(TargetStyle::SoftDelete).extra("batch", "500");
/// assert!(options.keep_soft_delete_column);
/// assert_eq!(options.option("batch"), Some("500"));
/// assert_eq!(options.option("missing"), None);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Options {
    /// The target style.
    pub style: TargetStyle,
    /// Keep the op column in the target (`-O`; always true for time-key).
    pub keep_op_column: bool,
    /// Keep the SoftDelete column (`-D`; always true for time-key).
    pub keep_soft_delete_column: bool,
    /// Do not empty the target on refresh (`-p`).
    pub preserve_on_refresh: bool,
    /// Refresh into a new table and swap it in at commit (`--refresh-shadow`).
    pub refresh_shadow: bool,
    /// `--error-table`: the host sets aside the rows the target rejects by rolling the load
    /// back to a savepoint and loading it again in parts, so every table the load writes must
    /// roll back with the transaction (no MyISAM, Aria or MEMORY stage). When false, a
    /// rejected batch fails the table's whole transaction. From contract 0.4.1's
    /// `planning-context`.
    pub sets_aside_rejected_rows: bool,
    /// Integrate only: this plan may assume the cycle holds only inserts, updates and deletes
    /// (no truncate, multi-delete or before-image) and changes each key at most once. The host
    /// asks for such a plan besides the plan without the assumption and runs its `after`
    /// instead only when the rows it loaded proved the assumption, so it must keep `before`
    /// and the load as they are. From contract 0.4.2's `planning-context`.
    pub each_key_once: bool,
    /// `--connector-option` pairs, checked by the host against [`Info::option`](crate::Info::option)
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
            sets_aside_rejected_rows: false,
            each_key_once: false,
            extra: Vec::new(),
        }
    }
    /// `-O`: keep the op column in the target.
    pub fn keep_op_column(mut self) -> Options {
        self.keep_op_column = true;
        self
    }
    /// `-p`: refresh without emptying the target first.
    pub fn preserve_on_refresh(mut self) -> Options {
        self.preserve_on_refresh = true;
        self
    }
    /// `--refresh-shadow`: refresh into a new table swapped in at commit.
    pub fn refresh_shadow(mut self) -> Options {
        self.refresh_shadow = true;
        self
    }
    /// `--error-table`: rejected rows are set aside under savepoints.
    pub fn setting_aside_rejected_rows(mut self) -> Options {
        self.sets_aside_rejected_rows = true;
        self
    }
    /// A plan for a cycle that changes each key once, with only inserts, updates and deletes.
    pub fn each_key_once(mut self) -> Options {
        self.each_key_once = true;
        self
    }
    /// One `--connector-option key=value`.
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

/// One table of one call. See [`crate::testing`] for what a table looks like in refresh,
/// in integrate and with transform-added columns.
///
/// ```
/// use hvrwasm_sdk::{Column, Table, TargetColumn};
/// let table = Table::new("line_items")
///     .schema("sales")
///     .column(Column::data("order").key())
///     .column(Column::data("line").key())
///     .column(Column::op("op_type"))
///     .target_columns(vec![TargetColumn::new("order", "int4"), TargetColumn::new("line", "int4")])
///     .multi_delete_exclude("line");
/// assert_eq!(table.columns.len(), 3);
/// assert_eq!(table.multi_delete_exclude.as_deref(), Some("line"));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Table {
    /// Channel table name (`HVR_TBL_NAMES`).
    pub name: String,
    /// Base table name without schema.
    pub base_name: String,
    /// The schema (or, for [`Info::qualifier_is_catalog`](crate::Info::qualifier_is_catalog)
    /// targets, the database) HVR named, if any.
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
    /// Another name in the target than in the channel.
    pub fn base_name(mut self, base_name: &str) -> Table {
        self.base_name = base_name.into();
        self
    }
    /// The target schema.
    pub fn schema(mut self, schema: &str) -> Table {
        self.schema = Some(schema.into());
        self
    }
    /// Appends a file column.
    pub fn column(mut self, column: Column) -> Table {
        self.columns.push(column);
        self
    }
    /// The target exists with these columns.
    pub fn target_columns(mut self, columns: Vec<TargetColumn>) -> Table {
        self.target_columns = Some(columns);
        self
    }
    /// `--multi-delete`: op-8 rows match on every key column but this one.
    pub fn multi_delete_exclude(mut self, column: &str) -> Table {
        self.multi_delete_exclude = Some(column.into());
        self
    }
}
