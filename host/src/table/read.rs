//! Loading a table's files: the plan's statements around a streamed load; each file decoded
//! (and transformed) into batches that `feed` hands to the loader.

use super::batch_ends::BatchEnds;
use super::keys_once::KeysOnce;
use super::load_error::load_error;
use super::only::Only;
use super::row::{RowFault, RowShape, raw_fields};
use super::set_aside::Checkpoint;
use super::stats::{LoadStats, OpCounts, Progress};
use super::streamed::Streamed;
use super::{FileColumn, Role, TableError, TableJob};
use crate::batch::TextBatch;
use crate::domain::{Plan, Source};
use crate::hvr::FileEntry;
use crate::ledger::Rejected;
use crate::odbc::{Database, RowSink};
use crate::options::Style;
use crate::pipeline::{self, TransformChain};
use crate::rows::Position;
use crate::store::Files;

/// A decoded batch, where its first and last rows are, and (with `--error-table`) where
/// each of its rows is.
pub(super) struct ReadBatch {
    pub batch: TextBatch,
    pub span: (Position, Position),
    pub positions: Vec<Position>,
}

/// What decoding one file needs: where and which file, the sources a batch holds, the batch
/// size, the file's columns, the row number before its first row, and (with `--error-table`)
/// how many more undecodable rows may be set aside (`Some(None)`: no limit).
#[derive(Clone, Copy)]
pub(super) struct Decode<'a> {
    pub location: &'a dyn Files,
    pub file: &'a FileEntry,
    pub sources: &'a [Source],
    pub batch_rows: usize,
    pub file_columns: &'a [FileColumn],
    pub row_number: u64,
    pub set_aside: Option<Option<u64>>,
}

/// How reading a file ended: its last row's number, its rows by op, and the rows the reader
/// set aside itself (undecodable).
pub(super) struct ReadEnd {
    row_number: u64,
    ops: OpCounts,
    rejected: Vec<Rejected>,
}

/// A load in progress: where its batches go and what it has done so far.
pub(super) struct LoadState<'l> {
    pub loader: Box<dyn RowSink + 'l>,
    pub stats: LoadStats,
    pub rejected: Vec<Rejected>,
    progress: Progress<'l>,
    /// `--error-table`: the batches since the last checkpoint, to load again one by one
    /// when the target rejects one of them (see `set_aside`).
    pub checkpoint: Option<Checkpoint>,
    /// Rows of the current file the target rejected (index into `rejected`, position): their
    /// fields are read again from the file once it is loaded.
    pub reread: Vec<(usize, Position)>,
    /// The current file's batches the loader may still be taking (without `--error-table`).
    streamed: Streamed,
    /// The rows to load when a cycle is applied again in ranges (see `in_order`).
    only: Option<&'l mut Only>,
    /// Whether the rows loaded change each key once, when the plan can use that.
    keys_once: Option<KeysOnce>,
}

impl TableJob<'_> {
    /// Runs the plan inside the open transaction; returns what the load did.
    /// `columns` are the file's own columns (without those transforms add).
    pub(super) fn apply(
        &self,
        db: &dyn Database,
        plan: &Plan,
        columns: &[FileColumn],
        chain: &mut TransformChain,
    ) -> Result<LoadStats, TableError> {
        let stats = self.load_plan(db, plan, columns, chain, None)?;
        self.run_after(db, plan, &stats)?;
        Ok(stats)
    }

    /// The plan's `before` and the load (with `only`, of the rows it keeps: see `in_order`).
    pub(super) fn load_plan(
        &self,
        db: &dyn Database,
        plan: &Plan,
        columns: &[FileColumn],
        chain: &mut TransformChain,
        only: Option<&mut Only>,
    ) -> Result<LoadStats, TableError> {
        for sql in &plan.before {
            db.execute("preparing", sql)?;
        }
        let mut stats = LoadStats::default();
        if let Some(location) = self.location
            && !self.files.is_empty()
        {
            let expected = self.files.iter().map(|f| f.rows).sum::<Option<u64>>();
            // A cycle of few rows gets buffers for its rows, not for a whole batch: the
            // drivers' buffers are zeroed when made, and for a one-row cycle that was most of
            // the call's page faults. More rows than HVR said still load, in more batches.
            let sized;
            let plan = match expected {
                Some(rows) if (rows as usize) < plan.batch_rows => {
                    sized = Plan {
                        batch_rows: (rows as usize).max(1),
                        ..plan.clone()
                    };
                    &sized
                }
                _ => plan,
            };
            let mut state = LoadState {
                loader: db.loader(&plan.shape, plan.sources.len(), plan.batch_rows)?,
                stats: LoadStats::default(),
                rejected: Vec::new(),
                progress: Progress::new(
                    &self.spec.name,
                    self.options.toolbox.progress_every(),
                    expected,
                ),
                checkpoint: self.ledgers.errors.is_some().then(Checkpoint::default),
                reread: Vec::new(),
                streamed: Streamed::default(),
                only,
                keys_once: plan
                    .after_each_key_once
                    .as_ref()
                    .and_then(|_| KeysOnce::new(&plan.sources, columns)),
            };
            let (mut row_number, mut transformed) = (0u64, 0u64);
            for f in &self.files {
                row_number = self.load_file(
                    db,
                    location,
                    f,
                    plan,
                    columns,
                    row_number,
                    &mut state,
                    (chain, &mut transformed),
                )?;
            }
            self.set_aside(db, &state.rejected)?;
            stats = state.stats;
            stats.set_aside = state.rejected.len() as u64;
            stats.each_key_once = state.keys_once.is_some_and(KeysOnce::proven);
        }
        Ok(stats)
    }

    /// Loads one file (its batches reach the loader as `feed` decides); returns the row number
    /// of the file's last row.
    #[allow(clippy::too_many_arguments)]
    fn load_file(
        &self,
        db: &dyn Database,
        location: &dyn Files,
        file: &FileEntry,
        plan: &Plan,
        columns: &[FileColumn],
        row_number: u64,
        state: &mut LoadState,
        (chain, transformed): (&mut TransformChain, &mut u64),
    ) -> Result<u64, TableError> {
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
        let already = state.rejected.len() as u64;
        let set_aside = (self.ledgers.errors.is_some())
            .then_some(self.max_set_aside().map(|l| l.saturating_sub(already)));
        let decode = Decode {
            location,
            file,
            sources,
            batch_rows: plan.batch_rows,
            file_columns: columns,
            row_number,
            set_aside,
        };
        let (loaded, read) = self.feed(db, &decode, &mut finish, state);
        loaded?;
        // The file's load ends here, and only now are its errors known.
        state.streamed.finish(state.loader.as_mut(), file)?;
        // A checkpoint ends with its file, so that a rejected row is always the current
        // file's (its fields are read again from it below).
        if let Some(checkpoint) = state.checkpoint.as_mut() {
            checkpoint.release(db)?;
        }
        let end = read?;
        state.stats.ops.add(&end.ops);
        self.reread_rejected(location, file, columns, state)?;
        if self.options.verbose {
            say!("  file {}: {} rows", file.name, end.row_number - row_number);
        }
        if state
            .only
            .as_deref()
            .is_none_or(Only::sets_aside_undecodable)
        {
            state.rejected.extend(end.rejected);
        }
        self.check_set_aside(&state.rejected)?;
        Ok(end.row_number)
    }

    /// Loads one decoded batch; with `--error-table`, under the current checkpoint (see
    /// `set_aside`).
    pub(super) fn load_batch(
        &self,
        db: &dyn Database,
        file: &FileEntry,
        read: ReadBatch,
        state: &mut LoadState,
    ) -> Result<(), TableError> {
        let Some(read) = Only::filter(state.only.as_deref_mut(), file, read) else {
            return Ok(());
        };
        let rows = read.batch.num_rows();
        state.progress.loaded(rows, read.batch.data_bytes());
        if let Some(keys_once) = state.keys_once.as_mut() {
            keys_once.see(&read.batch);
        }
        if state.checkpoint.is_some() {
            return self.load_checkpointed(db, file, read, state);
        }
        state
            .loader
            .load(&read.batch)
            .map_err(|source| load_error(file, read.span, rows, source))?;
        state.streamed.sent(rows, read.span);
        state.stats.rows += rows as u64;
        Ok(())
    }

    /// Decodes a file into batches of the plan's sources and sends them on; returns the row
    /// number of its last row, after checking the row count HVR reported. With `set_aside`
    /// (`Some(limit)`), a row that cannot be decoded is set aside instead of failing the table.
    pub(super) fn read_batches(
        &self,
        decode: &Decode<'_>,
        finish: &mut (dyn FnMut(TextBatch) -> Result<TextBatch, TableError> + Send),
        send: &mut dyn FnMut(ReadBatch) -> bool,
    ) -> Result<ReadEnd, TableError> {
        let Decode {
            location,
            file,
            sources,
            batch_rows,
            file_columns,
            mut row_number,
            set_aside,
        } = *decode;
        let rows_error = |source| TableError::Rows {
            file: file.name.clone(),
            source,
        };
        let mut rows = open_rows(self.format, location, file, file_columns)?;
        let op = file_columns.iter().position(|c| c.role == Role::Op);
        // TimeKey targets keep every row as history, so every op code is fine there.
        let multi_delete = self.options.multi_delete_for(&self.spec.name).is_some()
            || self.options.style() == Style::TimeKey;
        let matches_rows = self.matches_rows();
        let matched_keys = file_columns
            .iter()
            .enumerate()
            .filter(|(_, c)| matches_rows && c.is_key)
            .map(|(i, c)| (i, c.name.as_str()))
            .collect();
        let row_shape = RowShape {
            file,
            sources,
            columns: file_columns.len(),
            op,
            multi_delete,
            matched_keys,
            key_update_as_delete: matches_rows,
        };
        let new_batch = || TextBatch::new(sources.len(), batch_rows);
        let mut batch = new_batch();
        let mut positions = Vec::new();
        let mut end = ReadEnd {
            row_number,
            ops: OpCounts::default(),
            rejected: Vec::new(),
        };
        let mut file_rows = 0u64;
        let mut ends = BatchEnds::new(batch_rows);
        // Where the batch's first and last rows are, for a load error's location.
        let mut span = (Position::Line(0), Position::Line(0));
        while rows.advance().map_err(rows_error)? {
            crate::fence::panic_point("reading-a-row");
            let at = rows.position();
            file_rows += 1;
            let before = batch.num_rows();
            match row_shape.decode(&*rows, at, row_number + 1, &mut batch) {
                Ok(op_value) => end.ops.count(op_value.as_deref()),
                Err(RowFault::Bad(e)) if set_aside.is_some() => {
                    batch.truncate(before);
                    end.rejected.push(Rejected {
                        file: file.name.clone(),
                        position: at.to_string(),
                        raw: raw_fields(&*rows),
                        error: e.to_string(),
                    });
                    if let Some(Some(limit)) = set_aside
                        && end.rejected.len() as u64 > limit
                    {
                        return Err(TableError::TooManySetAside {
                            limit,
                            last: e.to_string(),
                        });
                    }
                    continue;
                }
                Err(RowFault::Bad(e) | RowFault::Fatal(e)) => return Err(e),
            }
            row_number += 1;
            if before == 0 {
                span.0 = at;
            }
            span.1 = at;
            if set_aside.is_some() {
                positions.push(at);
            }
            if ends.is_full(&batch) {
                ends.ended(batch.num_rows());
                let full = finish(std::mem::replace(&mut batch, new_batch()))?;
                let read = ReadBatch {
                    batch: full,
                    span,
                    positions: std::mem::take(&mut positions),
                };
                if !send(read) {
                    // The loader failed; its error is the one to report.
                    end.row_number = row_number;
                    return Ok(end);
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
            let batch = finish(batch)?;
            send(ReadBatch {
                batch,
                span,
                positions,
            });
        }
        end.row_number = row_number;
        Ok(end)
    }
}

/// The file's rows. JSON rows are keyed by name: a column may appear under its channel name
/// or its base name.
pub(super) fn open_rows<'a>(
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
