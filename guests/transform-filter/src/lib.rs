//! Sample transform: drops the rows whose column equals a value (or is NULL), e.g. test
//! accounts or one country's rows.
//!
//! Options: `column=country` (required) and either `equals=XX` or `is-null=true`.
//!
//! In integrate it never drops a delete: a source row that was filtered out of the target
//! never arrives, and a delete of a row that was loaded before the filter was set must still
//! remove it. Deletes pass through whatever their values; the host refuses a transform that
//! drops one without declaring `may-drop-deletes`.

use hvrwasm_sdk::transform::{
    BatchBuilder, Phase, RowBatch, TableContext, TableTransform, Transform, TransformInfo,
    TransformOptions, option, value,
};

pub struct Filter;

/// The filter opened for one table.
pub struct FilterTable {
    context: TableContext,
    /// The filtered column; `None` when the table has no such column (nothing is dropped).
    index: Option<usize>,
    drop_null: bool,
    equals: Option<String>,
}

impl Transform for Filter {
    type Table = FilterTable;

    fn describe() -> TransformInfo {
        TransformInfo::new("filter", env!("CARGO_PKG_VERSION"))
            .option("column")
            .option("equals")
            .option("is-null")
    }

    fn open(table: &TableContext, options: &TransformOptions) -> Result<FilterTable, String> {
        let column = option(options, "column")
            .ok_or("filter needs --transform-option filter.column=NAME")?;
        let drop_null = option(options, "is-null") == Some("true");
        let equals = option(options, "equals").map(str::to_string);
        if !drop_null && equals.is_none() {
            return Err(
                "filter needs --transform-option filter.equals=VALUE or filter.is-null=true".into(),
            );
        }
        Ok(FilterTable {
            context: table.clone(),
            index: table.column(column),
            drop_null,
            equals,
        })
    }
}

impl TableTransform for FilterTable {
    fn transform(&mut self, batch: RowBatch) -> Result<RowBatch, String> {
        let Some(index) = self.index else {
            return Ok(batch);
        };
        let integrate = self.context.phase == Phase::Integrate;
        let mut out = BatchBuilder::new(batch.names.clone());
        for row in 0..batch.num_rows as usize {
            let drop = match value(&batch.columns[index], row) {
                None => self.drop_null,
                Some(v) => self.equals.as_deref() == Some(v),
            };
            if !drop || (integrate && self.context.is_delete(&batch, row)) {
                out.push_row(batch.columns.iter().map(|c| value(c, row)));
            }
        }
        Ok(out.finish())
    }
}

hvrwasm_sdk::export_transform!(Filter);

#[cfg(test)]
mod tests {
    use super::*;
    use hvrwasm_sdk::transform::{ColumnRole, TransformColumn};

    fn open(phase: Phase) -> FilterTable {
        let table = TableContext::new(
            "t",
            phase,
            vec![
                TransformColumn::new("id", ColumnRole::Data, true),
                TransformColumn::new("country", ColumnRole::Data, false),
                TransformColumn::new("op", ColumnRole::Op, false),
            ],
        );
        let options = vec![
            ("column".to_string(), "country".to_string()),
            ("equals".into(), "XX".into()),
        ];
        Filter::open(&table, &options).unwrap()
    }

    fn batch() -> RowBatch {
        let mut b = BatchBuilder::new(vec!["id".into(), "country".into(), "op".into()]);
        b.push_row([Some("1"), Some("XX"), Some("1")]);
        b.push_row([Some("2"), Some("NL"), Some("1")]);
        b.push_row([Some("3"), None, Some("1")]);
        b.push_row([Some("4"), Some("XX"), Some("0")]);
        b.finish()
    }

    #[test]
    fn drops_matching_rows_only() {
        let out = open(Phase::Refresh).transform(batch()).unwrap();
        assert_eq!(out.num_rows, 2);
        assert_eq!(value(&out.columns[0], 0), Some("2"));
        assert_eq!(value(&out.columns[1], 1), None);
    }

    #[test]
    fn deletes_pass_in_integrate() {
        let out = open(Phase::Integrate).transform(batch()).unwrap();
        assert_eq!(out.num_rows, 3);
        assert_eq!(value(&out.columns[0], 2), Some("4"));
    }
}
