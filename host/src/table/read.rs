//! Loading a table's files: the plan's statements around a streamed load, a reader thread
//! decoding (and transforming) the next batch while the current one is inserted.

use std::fmt::Write as _;
use std::sync::mpsc;

use super::{FileColumn, Role, TableError, TableJob};
use crate::batch::TextBatch;
use crate::domain::{Plan, Source};
use crate::hvr::FileEntry;
use crate::odbc::{Database, RowSink};
use crate::options::Style;
use crate::pipeline::{self, TransformChain};
use crate::rows::Position;
use crate::store::Files;

/// A decoded batch and where its first and last rows are, or why decoding stopped.
type BatchResult = Result<(TextBatch, (Position, Position)), TableError>;

/// A batch also ends at this many bytes of values, so memory per batch is bounded by bytes,
/// not by rows x the longest value.
const BATCH_BYTES: usize = 32 * 1024 * 1024;

impl TableJob<'_> {
    /// Runs the plan inside the open transaction; returns the rows loaded (after transforms).
    /// `columns` are the file's own columns (without those transforms add).
    pub(super) fn apply(
        &self,
        db: &dyn Database,
        plan: &Plan,
        columns: &[FileColumn],
        chain: &mut TransformChain,
    ) -> Result<u64, TableError> {
        for sql in &plan.before {
            db.execute("preparing", sql)?;
        }
        let mut loaded = 0u64;
        if let Some(location) = self.location
            && !self.files.is_empty()
        {
            let mut loader = db.loader(&plan.shape, plan.sources.len(), plan.batch_rows)?;
            let (mut row_number, mut transformed) = (0u64, 0u64);
            for f in &self.files {
                row_number = self.load_file(
                    location,
                    f,
                    plan,
                    columns,
                    row_number,
                    (&mut *loader, &mut loaded),
                    chain,
                    &mut transformed,
                )?;
            }
        }
        for sql in &plan.after {
            db.execute("applying", sql)?;
        }
        Ok(loaded)
    }

    /// Loads one file. A reader thread decodes the next batch while this thread inserts the
    /// current one; returns the row number of the file's last row.
    #[allow(clippy::too_many_arguments)]
    fn load_file(
        &self,
        location: &dyn Files,
        file: &FileEntry,
        plan: &Plan,
        columns: &[FileColumn],
        row_number: u64,
        (loader, loaded): (&mut dyn RowSink, &mut u64),
        chain: &mut TransformChain,
        transformed: &mut u64,
    ) -> Result<u64, TableError> {
        let (batches, received) = mpsc::sync_channel::<BatchResult>(2);
        // With transforms the reader decodes every file column; the plan's sources are
        // picked after the chain.
        let all: Vec<Source> = (0..columns.len()).map(Source::Column).collect();
        let sources = if chain.is_empty() {
            &plan.sources[..]
        } else {
            &all[..]
        };
        // Transforms run on the reader's side too, so they overlap with inserting.
        let chain_active = !chain.is_empty();
        let plan_sources = &plan.sources;
        let mut finish = |batch: TextBatch| -> Result<TextBatch, TableError> {
            if !chain_active {
                return Ok(batch);
            }
            let out = chain.run(&batch)?;
            Ok(pipeline::project(&out, plan_sources, transformed))
        };
        std::thread::scope(|scope| {
            let reader = scope.spawn(|| {
                self.read_batches(
                    location,
                    file,
                    sources,
                    plan.batch_rows,
                    columns,
                    row_number,
                    &mut finish,
                    batches,
                )
            });
            let mut result = Ok(());
            while let Ok(item) = received.recv() {
                let loaded_batch = item.and_then(|(batch, line)| {
                    *loaded += batch.num_rows() as u64;
                    loader.load(&batch).map_err(|source| TableError::Load {
                        file: file.name.clone(),
                        context: rows_between(line),
                        source: Box::new(source),
                    })
                });
                if let Err(e) = loaded_batch {
                    result = Err(e);
                    break;
                }
            }
            // Dropping the receiver stops the reader at its next batch.
            drop(received);
            // A panic while decoding or transforming fails this table, not the process.
            let read = reader.join().unwrap_or_else(|panic| {
                Err(TableError::Panicked(
                    "reading the file",
                    super::panic_message(&*panic),
                ))
            });
            result.and(read)
        })
    }

    /// Decodes a file into batches of the plan's sources and sends them on; returns the row
    /// number of its last row, after checking the row count HVR reported.
    #[allow(clippy::too_many_arguments)]
    fn read_batches(
        &self,
        location: &dyn Files,
        file: &FileEntry,
        sources: &[Source],
        batch_rows: usize,
        file_columns: &[FileColumn],
        mut row_number: u64,
        finish: &mut (dyn FnMut(TextBatch) -> Result<TextBatch, TableError> + Send),
        batches: mpsc::SyncSender<BatchResult>,
    ) -> Result<u64, TableError> {
        let rows_error = |source| TableError::Rows {
            file: file.name.clone(),
            source,
        };
        let mut rows = open_rows(self.format, location, file, file_columns)?;
        let columns = file_columns.len();
        let op = file_columns.iter().position(|c| c.role == Role::Op);
        // TimeKey targets keep every row as history, so every op code is fine there.
        let multi_delete = self.options.multi_delete_for(&self.spec.name).is_some()
            || self.options.style() == Style::TimeKey;
        let new_batch = || TextBatch::new(sources.len(), batch_rows);
        let mut batch = new_batch();
        let mut file_rows = 0u64;
        let mut number = String::new();
        // Where the batch's first and last rows are, for a load error's location.
        let mut span = (Position::Line(0), Position::Line(0));
        while rows.advance().map_err(rows_error)? {
            let at = rows.position();
            if batch.num_rows() == 0 {
                span.0 = at;
            }
            span.1 = at;
            if rows.width() != columns {
                return Err(TableError::File {
                    file: file.name.clone(),
                    message: format!("{at}: {} field(s), expected {columns}", rows.width()),
                });
            }
            if let Some(op) = op {
                check_op(rows.field(op).map_err(rows_error)?, multi_delete).map_err(|message| {
                    TableError::File {
                        file: file.name.clone(),
                        message: format!("{at}, column {}: {message}", op + 1),
                    }
                })?;
            }
            row_number += 1;
            file_rows += 1;
            for (slot, source) in sources.iter().enumerate() {
                match source {
                    Source::Column(i) => {
                        let value = rows.field(*i).map_err(rows_error)?;
                        batch.columns[slot].push(value.map(str::as_bytes));
                    }
                    Source::RowNumber => {
                        number.clear();
                        write!(number, "{row_number}").expect("writing to a String");
                        batch.columns[slot].push(Some(number.as_bytes()));
                    }
                }
            }
            if batch.num_rows() >= batch_rows || batch.data_bytes() >= BATCH_BYTES {
                let full = finish(std::mem::replace(&mut batch, new_batch()))?;
                if batches.send(Ok((full, span))).is_err() {
                    // The loader failed; its error is the one to report.
                    return Ok(row_number);
                }
            }
        }
        if let Some(expected) = file.rows
            && expected != file_rows
        {
            return Err(TableError::File {
                file: file.name.clone(),
                message: format!(
                    "HVR_FILE_NROWS says {expected} rows but the file has {file_rows}; nothing was applied"
                ),
            });
        }
        if batch.num_rows() > 0 {
            let _ = batches.send(Ok((finish(batch)?, span)));
        }
        Ok(row_number)
    }
}

/// The file's rows. JSON rows are keyed by name: a column may appear under its channel name
/// or its base name.
fn open_rows<'a>(
    format: &crate::rows::FileFormat,
    location: &dyn Files,
    file: &FileEntry,
    columns: &[FileColumn],
) -> Result<Box<dyn crate::rows::RowSource + 'a>, TableError> {
    let names: Vec<Vec<String>> = columns
        .iter()
        .map(|c| vec![c.name.clone(), c.base_name.clone()])
        .collect();
    crate::rows::open(format, location, &file.name, &names).map_err(|source| TableError::Rows {
        file: file.name.clone(),
        source,
    })
}

/// The op codes HVR writes. SAP multi-delete rows (8) are applied only for tables named in
/// `--multi-delete`: elsewhere ignoring them would silently keep rows the source deleted.
fn check_op(value: Option<&str>, multi_delete: bool) -> Result<(), String> {
    match value.map(str::trim) {
        Some("0" | "1" | "2" | "3" | "4" | "5") => Ok(()),
        Some("8") if multi_delete => Ok(()),
        Some("8") => Err(
            "op code 8 (SAP multi-delete) needs --multi-delete TABLE:COLUMN for this table; nothing was applied"
                .into(),
        ),
        Some(other) => Err(format!("{other:?} is not an HVR op code (0-5, 8)")),
        None => Err("the op column is empty".into()),
    }
}

/// `rows of lines 3-9`, as CSV errors always said; `rows from row group 1, row 1 to ...`
/// for the formats whose positions have two parts.
fn rows_between((first, last): (Position, Position)) -> String {
    match (first, last) {
        (Position::Line(a), Position::Line(b)) => format!("rows of lines {a}-{b}"),
        (Position::Element(a), Position::Element(b)) => format!("rows {a}-{b}"),
        (a, b) => format!("rows from {a} to {b}"),
    }
}
