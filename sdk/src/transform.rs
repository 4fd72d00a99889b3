//! Transforms: guests that rewrite row batches between decoding and loading — mask, filter,
//! derive columns. Implement [`Transform`] (what the transform is, and how it opens for one
//! table) and [`TableTransform`] (what it does to that table's batches), then call
//! [`export_transform!`](crate::export_transform) once; build for `wasm32-wasip2` and pass the
//! `.wasm` to `hvrwasmagent --transform`.
//!
//! A transform is opened once per table with the columns' roles and key flags, the phase and
//! only its own options (`--transform-option NAME.key=value`). In integrate, the host refuses a
//! batch that drops or rewrites a delete or changes a key unless [`TransformInfo`] declares
//! that the transform may: keep the rows whose [`TableContext::is_delete`] is true.
//!
//! Batches are columnar: [`RowBatch`] holds one packed byte buffer per column. Read values
//! with [`value`], build a new batch with [`BatchBuilder`].

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "transform-guest",
        path: "wit/transform",
        pub_export_macro: true,
        export_macro_name: "export_transform_world",
        default_bindings_module: "hvrwasm_sdk::transform::bindings",
        additional_derives: [PartialEq],
    });
}

mod batch;
#[doc(hidden)]
pub mod convert;
pub mod log;

pub use batch::{BatchBuilder, value};

pub use bindings::hvrwasm::transform::types::{RowBatch, TextColumn};

/// The transform contract this SDK builds for (`wit/transform`).
///
/// ```
/// assert_eq!(hvrwasm_sdk::transform::CONTRACT_VERSION, "0.1.0");
/// ```
pub const CONTRACT_VERSION: &str = "0.1.0";

/// This transform's own options, `--transform-option NAME.key=value` without `NAME.`.
///
/// ```
/// use hvrwasm_sdk::transform::{option, TransformOptions};
/// let options: &TransformOptions = &[("salt".to_string(), "s3".to_string())];
/// assert_eq!(option(options, "salt"), Some("s3"));
/// ```
pub type TransformOptions = [(String, String)];

/// Which kind of call the rows belong to.
///
/// ```
/// use hvrwasm_sdk::transform::Phase;
/// assert_ne!(Phase::Refresh, Phase::Integrate);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// `refr_write_end`: whole tables, no op column in a replication copy.
    Refresh,
    /// `integ_end`: changes, with deletes the transform must keep.
    Integrate,
}

/// What a column carries.
///
/// ```
/// use hvrwasm_sdk::transform::{ColumnRole, TransformColumn};
/// assert_eq!(TransformColumn::new("op_type", ColumnRole::Op, false).role, ColumnRole::Op);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnRole {
    /// A replicated column (or one an earlier transform added).
    Data,
    /// `{hvr_op}`: 0 delete, 1 insert, 2 update, 3/4 before-images, 5 truncate, 8 multi-delete.
    Op,
    /// The SoftDelete column (0 live, 1 deleted).
    SoftDelete,
}

/// One column of every batch the transform receives.
///
/// ```
/// use hvrwasm_sdk::transform::{ColumnRole, TransformColumn};
/// let id = TransformColumn::new("id", ColumnRole::Data, true);
/// assert!(id.is_key);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TransformColumn {
    /// The channel's column name.
    pub name: String,
    /// Part of the replication key.
    pub is_key: bool,
    /// Data, op or SoftDelete column.
    pub role: ColumnRole,
}

impl TransformColumn {
    /// A column from its parts.
    pub fn new(name: &str, role: ColumnRole, is_key: bool) -> TransformColumn {
        TransformColumn {
            name: name.into(),
            is_key,
            role,
        }
    }
}

/// The table a transform is opened for.
///
/// ```
/// use hvrwasm_sdk::transform::{ColumnRole, Phase, TableContext, TransformColumn};
/// let table = TableContext::new("orders", Phase::Integrate, vec![
///     TransformColumn::new("id", ColumnRole::Data, true),
///     TransformColumn::new("email", ColumnRole::Data, false),
///     TransformColumn::new("op_type", ColumnRole::Op, false),
/// ]);
/// assert_eq!(table.column("EMAIL"), Some(1));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TableContext {
    /// Channel table name.
    pub name: String,
    /// Target table name.
    pub base_name: String,
    /// Refresh or integrate.
    pub phase: Phase,
    /// The columns every batch has, in order.
    pub columns: Vec<TransformColumn>,
}

impl TableContext {
    /// A table whose target name is its channel name.
    pub fn new(name: &str, phase: Phase, columns: Vec<TransformColumn>) -> TableContext {
        TableContext {
            name: name.into(),
            base_name: name.into(),
            phase,
            columns,
        }
    }

    /// Index of the column named `name` (case-insensitive).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Whether row `row` of `batch` removes rows in the target (a delete, truncate or
    /// multi-delete op, or SoftDelete = 1): such rows must pass through unchanged in integrate.
    ///
    /// ```
    /// use hvrwasm_sdk::transform::{BatchBuilder, ColumnRole, Phase, TableContext, TransformColumn};
    /// let table = TableContext::new("t", Phase::Integrate, vec![
    ///     TransformColumn::new("id", ColumnRole::Data, true),
    ///     TransformColumn::new("op_type", ColumnRole::Op, false),
    /// ]);
    /// let mut rows = BatchBuilder::new(vec!["id".into(), "op_type".into()]);
    /// rows.push_row([Some("1"), Some("1")]);
    /// rows.push_row([Some("2"), Some("0")]);
    /// let batch = rows.finish();
    /// assert!(!table.is_delete(&batch, 0));
    /// assert!(table.is_delete(&batch, 1));
    /// ```
    pub fn is_delete(&self, batch: &RowBatch, row: usize) -> bool {
        self.columns.iter().enumerate().any(|(i, c)| {
            let v = batch
                .columns
                .get(i)
                .and_then(|col| value(col, row))
                .map(str::trim);
            match c.role {
                ColumnRole::Op => matches!(v, Some("0" | "5" | "8")),
                ColumnRole::SoftDelete => v == Some("1"),
                ColumnRole::Data => false,
            }
        })
    }
}

/// What a transform is and may do.
///
/// ```
/// use hvrwasm_sdk::transform::TransformInfo;
/// let info = TransformInfo::new("mask-email", "0.1.0").option("salt");
/// assert_eq!(info.options, ["salt"]);
/// assert!(!info.may_drop_deletes);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TransformInfo {
    /// The name messages use.
    pub name: String,
    /// The transform's own version.
    pub version: String,
    /// It may drop or rewrite deletes in integrate.
    pub may_drop_deletes: bool,
    /// It may change key values.
    pub may_change_keys: bool,
    /// The option keys it understands; the host refuses others.
    pub options: Vec<String>,
}

impl TransformInfo {
    /// A transform that keeps deletes and keys as they are and takes no options.
    pub fn new(name: &str, version: &str) -> TransformInfo {
        TransformInfo {
            name: name.into(),
            version: version.into(),
            may_drop_deletes: false,
            may_change_keys: false,
            options: Vec::new(),
        }
    }
    /// Declares an option key.
    pub fn option(mut self, key: &str) -> TransformInfo {
        self.options.push(key.into());
        self
    }
    /// Declares that it may drop or rewrite deletes in integrate (the target then keeps rows
    /// the source deleted: say why in the transform's docs).
    pub fn may_drop_deletes(mut self) -> TransformInfo {
        self.may_drop_deletes = true;
        self
    }
    /// Declares that it may change key values.
    pub fn may_change_keys(mut self) -> TransformInfo {
        self.may_change_keys = true;
        self
    }
}

/// What a transform implements: its description, and how it opens for one table.
///
/// ```
/// use hvrwasm_sdk::transform::{value, BatchBuilder, RowBatch, TableContext, TableTransform, Transform, TransformInfo, TransformOptions};
/// struct Upper;
/// struct UpperTable(usize);
/// impl Transform for Upper {
///     type Table = UpperTable;
///     fn describe() -> TransformInfo {
///         TransformInfo::new("upper", "0.1.0").option("column")
///     }
///     fn open(table: &TableContext, options: &TransformOptions) -> Result<UpperTable, String> {
///         let name = hvrwasm_sdk::transform::option(options, "column").unwrap_or("name");
///         table.column(name).map(UpperTable).ok_or(format!("no column {name}"))
///     }
/// }
/// impl TableTransform for UpperTable {
///     fn transform(&mut self, batch: RowBatch) -> Result<RowBatch, String> {
///         let mut out = BatchBuilder::new(batch.names.clone());
///         for row in 0..batch.num_rows as usize {
///             let upper = value(&batch.columns[self.0], row).map(str::to_uppercase);
///             out.push_row(batch.columns.iter().enumerate().map(|(i, c)| {
///                 if i == self.0 { upper.as_deref() } else { value(c, row) }
///             }));
///         }
///         Ok(out.finish())
///     }
/// }
/// hvrwasm_sdk::export_transform!(Upper);
/// ```
pub trait Transform {
    /// The per-table state: options parsed once, column positions found once.
    type Table: TableTransform + 'static;
    /// Name, version, declared options and what it may do.
    fn describe() -> TransformInfo;
    /// Opens the transform for `table`; an `Err` fails the table with the message.
    fn open(table: &TableContext, options: &TransformOptions) -> Result<Self::Table, String>;
}

/// A transform opened for one table.
///
/// When the target reports a deadlock, the host runs the table's transaction again and sends
/// its batches again to the same opened transform: keep what it remembers between batches
/// deterministic (a counter of rows seen would count twice). See [`Transform`] for an example.
pub trait TableTransform {
    /// Columns appended after the received ones. Default: none.
    fn added_columns(&self) -> Vec<String> {
        Vec::new()
    }
    /// Rewrites one batch; must return the received columns followed by the added ones.
    fn transform(&mut self, batch: RowBatch) -> Result<RowBatch, String>;
}

/// Exports a type implementing [`Transform`] as the component's `transform` interface (see
/// [`Transform`] for an example).
#[macro_export]
macro_rules! export_transform {
    ($ty:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            use $crate::transform::bindings::exports::hvrwasm::transform::transform as wit;
            use $crate::transform::bindings::hvrwasm::transform::types as wit_types;
            struct HvrwasmTransformExport;
            struct HvrwasmTable(
                ::core::cell::RefCell<<$ty as $crate::transform::Transform>::Table>,
            );
            impl wit::Guest for HvrwasmTransformExport {
                type TableTransform = HvrwasmTable;
                fn describe() -> wit_types::TransformInfo {
                    $crate::panic::install_hook();
                    $crate::transform::convert::info(
                        <$ty as $crate::transform::Transform>::describe(),
                    )
                }
            }
            impl wit::GuestTableTransform for HvrwasmTable {
                fn open(
                    table: wit_types::Table,
                    options: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                ) -> ::core::result::Result<wit::TableTransform, ::std::string::String> {
                    $crate::panic::install_hook();
                    let context = $crate::transform::convert::table(table);
                    <$ty as $crate::transform::Transform>::open(&context, &options).map(|t| {
                        wit::TableTransform::new(HvrwasmTable(::core::cell::RefCell::new(t)))
                    })
                }
                fn added_columns(&self) -> ::std::vec::Vec<::std::string::String> {
                    $crate::transform::TableTransform::added_columns(&*self.0.borrow())
                }
                fn transform_batch(
                    &self,
                    batch: $crate::transform::RowBatch,
                ) -> ::core::result::Result<$crate::transform::RowBatch, ::std::string::String>
                {
                    $crate::panic::install_hook();
                    $crate::transform::TableTransform::transform(&mut *self.0.borrow_mut(), batch)
                }
            }
            $crate::transform::bindings::export_transform_world!(
                HvrwasmTransformExport with_types_in $crate::transform::bindings
            );
        };
    };
}

/// The option `key`, if given.
pub fn option<'a>(options: &'a TransformOptions, key: &str) -> Option<&'a str> {
    options
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}
