//! Reading and building the columnar row batches transforms exchange.

use super::{RowBatch, TextColumn};

/// Value `row` of a column, `None` for NULL.
///
/// ```
/// use hvrwasm_sdk::transform::{value, BatchBuilder};
/// let mut rows = BatchBuilder::new(vec!["a".into()]);
/// rows.push_row([None]);
/// rows.push_row([Some("")]);
/// let batch = rows.finish();
/// assert_eq!(value(&batch.columns[0], 0), None);
/// assert_eq!(value(&batch.columns[0], 1), Some(""));
/// ```
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
///
/// ```
/// use hvrwasm_sdk::transform::BatchBuilder;
/// let mut rows = BatchBuilder::new(vec!["id".into(), "note".into()]);
/// rows.push_row([Some("1"), None]);
/// assert_eq!(rows.finish().num_rows, 1);
/// ```
pub struct BatchBuilder {
    names: Vec<String>,
    columns: Vec<TextColumn>,
    rows: u32,
}

impl BatchBuilder {
    /// An empty batch with these column names.
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

    /// The batch built so far.
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
