//! Transforms: guests that rewrite row batches between decoding and loading — mask, filter,
//! derive columns. Implement [`Transform`] and call [`export_transform!`](crate::export_transform)
//! once; build for `wasm32-wasip2` and pass the `.wasm` to `hvrwasmagent --transform`.
//!
//! Batches are columnar: [`RowBatch`] holds one packed byte buffer per column. Read values
//! with [`value`], build a new batch with [`BatchBuilder`].

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "transform-guest",
        path: "wit",
        pub_export_macro: true,
        export_macro_name: "export_transform_world",
        default_bindings_module: "hvrwasm_sdk::transform::bindings",
        additional_derives: [PartialEq],
    });
}

pub use bindings::exports::hvrwasm::connector::transform::TransformInfo;
pub use bindings::hvrwasm::connector::batch::{RowBatch, TextColumn};

/// Options given with `--transform-option key=value`.
pub type TransformOptions = [(String, String)];

/// What a transform implements.
pub trait Transform {
    fn describe() -> TransformInfo;
    /// Columns this transform appends to `table` (after `columns`). Default: none.
    fn added_columns(
        _table: &str,
        _columns: &[String],
        _options: &TransformOptions,
    ) -> Result<Vec<String>, String> {
        Ok(Vec::new())
    }
    /// Rewrites one batch; must return the input's columns followed by the added ones.
    fn transform(
        table: &str,
        batch: RowBatch,
        options: &TransformOptions,
    ) -> Result<RowBatch, String>;
}

/// Exports a type implementing [`Transform`] as the component's `transform` interface.
#[macro_export]
macro_rules! export_transform {
    ($ty:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct HvrwasmTransformExport;
            impl $crate::transform::bindings::exports::hvrwasm::connector::transform::Guest
                for HvrwasmTransformExport
            {
                fn describe() -> $crate::transform::TransformInfo {
                    <$ty as $crate::transform::Transform>::describe()
                }
                fn added_columns(
                    table: ::std::string::String,
                    columns: ::std::vec::Vec<::std::string::String>,
                    options: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                ) -> ::core::result::Result<
                    ::std::vec::Vec<::std::string::String>,
                    ::std::string::String,
                > {
                    <$ty as $crate::transform::Transform>::added_columns(&table, &columns, &options)
                }
                fn transform_batch(
                    table: ::std::string::String,
                    batch: $crate::transform::RowBatch,
                    options: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                ) -> ::core::result::Result<$crate::transform::RowBatch, ::std::string::String>
                {
                    <$ty as $crate::transform::Transform>::transform(&table, batch, &options)
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
