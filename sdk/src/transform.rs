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

#[doc(hidden)]
pub mod convert;
pub mod log;

pub use bindings::hvrwasm::transform::types::{RowBatch, TextColumn};

/// The transform contract this SDK builds for (`wit/transform`).
pub const CONTRACT_VERSION: &str = "0.1.0";

/// This transform's own options, `--transform-option NAME.key=value` without `NAME.`.
pub type TransformOptions = [(String, String)];

/// Which kind of call the rows belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Refresh,
    Integrate,
}

/// What a column carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnRole {
    Data,
    /// `{hvr_op}`: 0 delete, 1 insert, 2 update, 3/4 before-images, 5 truncate, 8 multi-delete.
    Op,
    /// The SoftDelete column (0 live, 1 deleted).
    SoftDelete,
}

#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TransformColumn {
    pub name: String,
    pub is_key: bool,
    pub role: ColumnRole,
}

impl TransformColumn {
    pub fn new(name: &str, role: ColumnRole, is_key: bool) -> TransformColumn {
        TransformColumn {
            name: name.into(),
            is_key,
            role,
        }
    }
}

/// The table a transform is opened for.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TableContext {
    pub name: String,
    pub base_name: String,
    pub phase: Phase,
    /// The columns every batch has, in order.
    pub columns: Vec<TransformColumn>,
}

impl TableContext {
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
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TransformInfo {
    pub name: String,
    pub version: String,
    pub may_drop_deletes: bool,
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
pub trait Transform {
    /// The per-table state: options parsed once, column positions found once.
    type Table: TableTransform + 'static;
    fn describe() -> TransformInfo;
    /// Opens the transform for `table`; an `Err` fails the table with the message.
    fn open(table: &TableContext, options: &TransformOptions) -> Result<Self::Table, String>;
}

/// A transform opened for one table.
///
/// When the target reports a deadlock, the host runs the table's transaction again and sends
/// its batches again to the same opened transform: keep what it remembers between batches
/// deterministic (a counter of rows seen would count twice).
pub trait TableTransform {
    /// Columns appended after the received ones. Default: none.
    fn added_columns(&self) -> Vec<String> {
        Vec::new()
    }
    /// Rewrites one batch; must return the received columns followed by the added ones.
    fn transform(&mut self, batch: RowBatch) -> Result<RowBatch, String>;
}

/// Exports a type implementing [`Transform`] as the component's `transform` interface.
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

/// Value `row` of a column, `None` for NULL.
pub fn value(column: &TextColumn, row: usize) -> Option<&str> {
    let valid = column
        .validity
        .get(row / 8)
        .is_some_and(|b| b & (1 << (row % 8)) != 0);
    if !valid {
        return None;
    }
    let (start, end) = (
        column.offsets[row] as usize,
        column.offsets[row + 1] as usize,
    );
    std::str::from_utf8(&column.data[start..end]).ok()
}

/// Builds a batch row by row.
pub struct BatchBuilder {
    names: Vec<String>,
    columns: Vec<TextColumn>,
    rows: u32,
}

impl BatchBuilder {
    pub fn new(names: Vec<String>) -> BatchBuilder {
        let columns = names
            .iter()
            .map(|_| TextColumn {
                data: Vec::new(),
                offsets: vec![0],
                validity: Vec::new(),
            })
            .collect();
        BatchBuilder {
            names,
            columns,
            rows: 0,
        }
    }

    /// Appends one row; `values` has one entry per column.
    pub fn push_row<'v>(&mut self, values: impl IntoIterator<Item = Option<&'v str>>) {
        let row = self.rows as usize;
        for (column, v) in self.columns.iter_mut().zip(values) {
            if row.is_multiple_of(8) {
                column.validity.push(0);
            }
            if let Some(v) = v {
                column.data.extend_from_slice(v.as_bytes());
                *column.validity.last_mut().unwrap() |= 1 << (row % 8);
            }
            column.offsets.push(column.data.len() as u32);
        }
        self.rows += 1;
    }

    pub fn finish(self) -> RowBatch {
        RowBatch {
            num_rows: self.rows,
            names: self.names,
            columns: self.columns,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_batches_read_back_with_nulls_and_empty_strings() {
        let mut b = BatchBuilder::new(vec!["a".into(), "b".into()]);
        for i in 0..10 {
            b.push_row([Some("x"), if i % 3 == 0 { None } else { Some("") }]);
        }
        let batch = b.finish();
        assert_eq!(batch.num_rows, 10);
        assert_eq!(value(&batch.columns[0], 9), Some("x"));
        assert_eq!(value(&batch.columns[1], 3), None);
        assert_eq!(value(&batch.columns[1], 4), Some(""));
        assert_eq!(batch.columns[1].validity.len(), 2);
    }
}
