//! The transform chain between decoding and loading: each transform is opened once per table
//! with the columns' roles and keys, the phase and its own options; full batches of the file's
//! columns go through each in order, are checked (shape by the sandbox, meaning here), and are
//! then projected onto the plan's sources.

mod guard;
mod routing;

pub use routing::route_options;

use crate::batch::TextBatch;
use crate::domain::{
    FileColumn, Phase, Source, TableTransform, TransformContext, TransformFailure, Transformer,
};
use guard::IntegrateGuard;

/// One transform opened for the table, and what may be checked of it.
struct Step<'t> {
    name: String,
    open: Box<dyn TableTransform + 't>,
    guard: Option<IntegrateGuard>,
}

/// The transforms of one table, with the column names each one receives and returns.
pub struct TransformChain<'t> {
    steps: Vec<Step<'t>>,
    /// `names[k]`: the columns transform k receives; the last entry is what comes out.
    names: Vec<Vec<String>>,
}

impl<'t> TransformChain<'t> {
    /// Opens each transform for the table, with the options meant for it (`options[k]` for
    /// transform k); returns the chain and the columns the transforms add, in order.
    pub fn open(
        transforms: &'t mut [Box<dyn Transformer>],
        options: &[Vec<(String, String)>],
        table: &str,
        base_name: &str,
        phase: Phase,
        file_columns: &[FileColumn],
    ) -> Result<(Self, Vec<FileColumn>), TransformFailure> {
        let mut columns = file_columns.to_vec();
        let mut names = vec![base_names(&columns)];
        let mut steps = Vec::with_capacity(transforms.len());
        for (k, t) in transforms.iter_mut().enumerate() {
            let name = t.name().to_string();
            let info = t.info().clone();
            let own = options.get(k).map(Vec::as_slice).unwrap_or_default();
            routing::check_declared(&name, info.options.as_deref(), own)?;
            let context = TransformContext {
                table: table.to_string(),
                base_name: base_name.to_string(),
                phase,
                columns: columns.clone(),
            };
            let guard = (phase == Phase::Integrate)
                .then(|| IntegrateGuard::new(&columns, &info))
                .flatten();
            let open = t.open(&context, own)?;
            for a in open.added_columns() {
                if columns.iter().any(|c| c.base_name.eq_ignore_ascii_case(a)) {
                    return Err(TransformFailure::Refused {
                        transform: name,
                        message: format!("it adds column {a}, which table {table} already has"),
                    });
                }
                columns.push(FileColumn::data(a));
            }
            names.push(base_names(&columns));
            steps.push(Step { name, open, guard });
        }
        let added = columns[file_columns.len()..].to_vec();
        Ok((TransformChain { steps, names }, added))
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Runs a batch of the file's columns through every transform.
    pub fn run(&mut self, batch: &TextBatch) -> Result<TextBatch, TransformFailure> {
        let mut current: Option<TextBatch> = None;
        for (k, step) in self.steps.iter_mut().enumerate() {
            let input = current.as_ref().unwrap_or(batch);
            let out = step.open.transform(input, &self.names[k])?;
            if let Some(guard) = &step.guard {
                guard
                    .check(input, &out)
                    .map_err(|what| TransformFailure::Unsafe {
                        transform: step.name.clone(),
                        what,
                    })?;
            }
            current = Some(out);
        }
        Ok(current.unwrap_or_else(|| batch.clone()))
    }
}

fn base_names(columns: &[FileColumn]) -> Vec<String> {
    columns.iter().map(|c| c.base_name.clone()).collect()
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

#[cfg(test)]
mod tests;
