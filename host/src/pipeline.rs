//! The transform chain between decoding and loading: full batches of the file's columns go
//! through each transform in order, are checked, and are then projected onto the plan's
//! sources.

use thiserror::Error;

use crate::batch::{TextBatch, TextColumn};
use crate::bridge::Source;
use crate::runtime::transform_bindings::{RowBatch, TextColumn as WitColumn};
use crate::runtime::{SandboxError, TransformInstance};

#[derive(Debug, Error)]
pub enum TransformError {
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    #[error("transform {transform}: {message}")]
    Refused { transform: String, message: String },
    #[error("transform {transform} returned a malformed batch: {message}")]
    Malformed { transform: String, message: String },
}

/// The transforms of one table, with the column names each one receives and returns.
pub struct TransformChain<'t> {
    transforms: &'t mut [TransformInstance],
    options: &'t [(String, String)],
    table: String,
    /// `names[k]`: the columns transform k receives; the last entry is what comes out.
    names: Vec<Vec<String>>,
}

impl<'t> TransformChain<'t> {
    /// Asks each transform which columns it adds to `table`; returns the chain and all added
    /// names, in order.
    pub fn prepare(
        transforms: &'t mut [TransformInstance],
        options: &'t [(String, String)],
        table: &str,
        file_columns: Vec<String>,
    ) -> Result<(Self, Vec<String>), TransformError> {
        let mut names = vec![file_columns];
        for t in transforms.iter_mut() {
            let current = names
                .last()
                .expect("starts with the file's columns")
                .clone();
            let added = t
                .added_columns(table, &current, options)?
                .map_err(|message| TransformError::Refused {
                    transform: t.name().to_string(),
                    message,
                })?;
            let mut next = current;
            for a in added {
                if next.iter().any(|n| n.eq_ignore_ascii_case(&a)) {
                    return Err(TransformError::Refused {
                        transform: t.name().to_string(),
                        message: format!("it adds column {a}, which table {table} already has"),
                    });
                }
                next.push(a);
            }
            names.push(next);
        }
        let added = names.last().unwrap()[names[0].len()..].to_vec();
        Ok((
            TransformChain {
                transforms,
                options,
                table: table.to_string(),
                names,
            },
            added,
        ))
    }

    pub fn is_empty(&self) -> bool {
        self.transforms.is_empty()
    }

    /// Runs a batch of the file's columns through every transform.
    pub fn run(&mut self, batch: &TextBatch) -> Result<TextBatch, TransformError> {
        let mut current = to_wit(batch, &self.names[0]);
        for (k, t) in self.transforms.iter_mut().enumerate() {
            let input_rows = current.num_rows;
            let out = t
                .transform_batch(&self.table, &current, self.options)?
                .map_err(|message| TransformError::Refused {
                    transform: t.name().to_string(),
                    message,
                })?;
            check(&out, &self.names[k + 1], input_rows).map_err(|message| {
                TransformError::Malformed {
                    transform: t.name().to_string(),
                    message,
                }
            })?;
            current = out;
        }
        Ok(from_wit(&current))
    }
}

/// The plan's sources from a transformed batch; row numbers continue from `row_number`.
pub fn project(batch: &TextBatch, sources: &[Source], row_number: &mut u64) -> TextBatch {
    use std::fmt::Write as _;
    let rows = batch.num_rows();
    let mut out = TextBatch::new(sources.len(), rows);
    let mut number = String::new();
    for row in 0..rows {
        *row_number += 1;
        for (slot, source) in sources.iter().enumerate() {
            match source {
                Source::Column(i) => out.columns[slot].push(batch.columns[*i].get(row)),
                Source::RowNumber => {
                    number.clear();
                    write!(number, "{row_number}").expect("writing to a String");
                    out.columns[slot].push(Some(number.as_bytes()));
                }
            }
        }
    }
    out
}

fn to_wit(batch: &TextBatch, names: &[String]) -> RowBatch {
    let rows = batch.num_rows();
    RowBatch {
        num_rows: rows as u32,
        names: names.to_vec(),
        columns: batch
            .columns
            .iter()
            .map(|c| {
                let mut offsets = Vec::with_capacity(rows + 1);
                offsets.push(0u32);
                let mut data = Vec::new();
                let mut validity = vec![0u8; rows.div_ceil(8)];
                for row in 0..rows {
                    if let Some(v) = c.get(row) {
                        data.extend_from_slice(v);
                        validity[row / 8] |= 1 << (row % 8);
                    }
                    offsets.push(data.len() as u32);
                }
                WitColumn {
                    data,
                    offsets,
                    validity,
                }
            })
            .collect(),
    }
}

/// Every column must hold `num_rows` UTF-8 values with consistent offsets, and the names must
/// be the ones declared; a transform may drop rows but not add them.
fn check(batch: &RowBatch, names: &[String], input_rows: u32) -> Result<(), String> {
    if batch.names != names {
        return Err(format!(
            "its columns are ({}), expected ({})",
            batch.names.join(", "),
            names.join(", ")
        ));
    }
    if batch.columns.len() != names.len() {
        return Err(format!(
            "it has {} columns for {} names",
            batch.columns.len(),
            names.len()
        ));
    }
    if batch.num_rows > input_rows {
        return Err(format!(
            "it says {} rows, but it received {input_rows}; transforms may drop rows, not add them",
            batch.num_rows
        ));
    }
    let rows = batch.num_rows as usize;
    for (name, c) in names.iter().zip(&batch.columns) {
        if c.offsets.len() != rows + 1 || c.offsets.first() != Some(&0) {
            return Err(format!(
                "column {name} has {} offsets for {rows} rows",
                c.offsets.len()
            ));
        }
        if c.offsets.windows(2).any(|w| w[0] > w[1])
            || *c.offsets.last().unwrap() as usize != c.data.len()
        {
            return Err(format!(
                "column {name} has offsets that do not fit its data"
            ));
        }
        if c.validity.len() < rows.div_ceil(8) {
            return Err(format!(
                "column {name} has a validity bitmap too short for {rows} rows"
            ));
        }
        if let Err(e) = std::str::from_utf8(&c.data) {
            return Err(format!(
                "column {name} holds bytes that are not UTF-8 (at byte {})",
                e.valid_up_to()
            ));
        }
    }
    Ok(())
}

fn from_wit(batch: &RowBatch) -> TextBatch {
    let rows = batch.num_rows as usize;
    TextBatch {
        columns: batch
            .columns
            .iter()
            .map(|c| {
                let mut column = TextColumn::with_capacity(rows);
                for row in 0..rows {
                    let valid = c.validity[row / 8] & (1 << (row % 8)) != 0;
                    column
                        .push(valid.then(|| {
                            &c.data[c.offsets[row] as usize..c.offsets[row + 1] as usize]
                        }));
                }
                column
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> TextBatch {
        let mut b = TextBatch::new(2, 3);
        for (a, v) in [("1", Some("x")), ("2", None), ("3", Some(""))] {
            b.columns[0].push(Some(a.as_bytes()));
            b.columns[1].push(v.map(str::as_bytes));
        }
        b
    }

    #[test]
    fn packed_batches_round_trip() {
        let names = vec!["id".to_string(), "v".to_string()];
        let wit = to_wit(&batch(), &names);
        check(&wit, &names, 3).unwrap();
        let back = from_wit(&wit);
        assert_eq!(back.columns[1].get(0), Some(&b"x"[..]));
        assert_eq!(back.columns[1].get(1), None);
        assert_eq!(back.columns[1].get(2), Some(&b""[..]));
    }

    #[test]
    fn malformed_batches_are_named() {
        let names = vec!["id".to_string(), "v".to_string()];
        let mut wit = to_wit(&batch(), &names);
        wit.columns[1].offsets.pop();
        assert!(
            check(&wit, &names, 3)
                .unwrap_err()
                .contains("column v has 3 offsets")
        );
        let mut wit = to_wit(&batch(), &names);
        wit.num_rows = 4;
        assert!(
            check(&wit, &names, 3)
                .unwrap_err()
                .contains("may drop rows, not add them")
        );
        let wit = to_wit(&batch(), &names);
        assert!(
            check(&wit, &names[..1], 3)
                .unwrap_err()
                .contains("its columns are")
        );
    }

    #[test]
    fn projection_numbers_surviving_rows() {
        let mut n = 10;
        let out = project(&batch(), &[Source::RowNumber, Source::Column(0)], &mut n);
        assert_eq!(out.columns[0].get(2), Some(&b"13"[..]));
        assert_eq!(out.columns[1].get(0), Some(&b"1"[..]));
    }
}
