//! One table of one call: recovery check, file columns, plan, load in one transaction, clean-up.

use std::fmt::Write as _;
use std::sync::mpsc;
use std::time::Instant;

use thiserror::Error;

use crate::batch::TextBatch;
use crate::bridge::{self, Plan, Source};
use crate::csv::{CsvError, CsvFormat, RecordReader, open_decoded};
use crate::fence::{self, FenceKey, FenceSql};
use crate::files::{FileLocation, LocationError};
use crate::hvr::{FileEntry, Mode, TableSpec};
use crate::odbc::{BatchLoader, CatalogColumn, OdbcError, Target};
use crate::options::{Options, Style};
use crate::pipeline::{self, TransformChain, TransformError};
use crate::runtime::{ConnectorInstance, SandboxError, TransformInstance};

/// Runs of a table's transaction when the database reports a deadlock or serialization
/// failure; the files are untouched until a commit, so running again is safe.
const TRANSIENT_ATTEMPTS: u32 = 3;

/// What a file column carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Data,
    Op,
    SoftDelete,
}

/// A column of the table's files, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct FileColumn {
    pub name: String,
    pub base_name: String,
    pub is_key: bool,
    pub role: Role,
}

#[derive(Debug, Error)]
pub enum TableError {
    #[error(
        "only {present} of its {total} files are present (missing: {missing}); a partly applied cycle cannot be repaired safely, nothing was applied"
    )]
    PartialFiles {
        present: usize,
        total: usize,
        missing: String,
    },
    #[error("file {file}: {source}")]
    Csv { file: String, source: CsvError },
    #[error("file {file}: {message}")]
    File { file: String, message: String },
    #[error("file {file}: {context}: {source}")]
    Load {
        file: String,
        context: String,
        source: Box<OdbcError>,
    },
    #[error(transparent)]
    Location(#[from] LocationError),
    #[error(transparent)]
    Odbc(Box<OdbcError>),
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    #[error("connector {connector}: {message}")]
    Plan { connector: String, message: String },
    #[error(transparent)]
    Transform(#[from] TransformError),
}

impl From<OdbcError> for TableError {
    fn from(e: OdbcError) -> Self {
        TableError::Odbc(Box::new(e))
    }
}

impl TableError {
    fn is_transient(&self) -> bool {
        match self {
            TableError::Odbc(e) | TableError::Load { source: e, .. } => e.is_transient(),
            _ => false,
        }
    }
}

/// How one table ended.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Loaded {
        files: usize,
        rows: u64,
    },
    /// Every file was already gone: a previous run applied and removed them.
    AlreadyApplied {
        files: usize,
    },
}

pub struct TableJob<'a> {
    pub mode: Mode,
    pub spec: &'a TableSpec,
    pub files: Vec<&'a FileEntry>,
    pub location: Option<&'a FileLocation>,
    pub format: &'a CsvFormat,
    pub options: &'a Options,
    pub connector_options: &'a [(String, String)],
    pub transform_options: &'a [(String, String)],
    pub fence: &'a FenceSql,
    /// Channel and location names from argv, the fence's key with the table name.
    pub channel: &'a str,
    pub location_name: &'a str,
}

impl TableJob<'_> {
    pub fn run(
        &self,
        target: &Target,
        connector: &mut ConnectorInstance,
        transforms: &mut [TransformInstance],
    ) -> Result<Outcome, TableError> {
        let started = Instant::now();
        let key = FenceKey::new(
            self.channel,
            self.location_name,
            &self.spec.name,
            self.mode,
            &self.files,
        );
        if let Some(outcome) = self.recovery_check(target, &key)? {
            return Ok(outcome);
        }
        let mut columns = self.file_columns()?;
        let file_width = columns.len();
        let (mut chain, added) = TransformChain::prepare(
            transforms,
            self.transform_options,
            &self.spec.name,
            columns.iter().map(|c| c.base_name.clone()).collect(),
        )?;
        columns.extend(added.into_iter().map(|name| FileColumn {
            base_name: name.clone(),
            name,
            is_key: false,
            role: Role::Data,
        }));
        let info = connector.info().clone();
        let qualifier = self
            .spec
            .schema
            .as_deref()
            .or(info.default_schema.as_deref());
        let current;
        let (catalog, schema) = if info.qualifier_is_catalog {
            // Unqualified names live in the connection's database, not in any database.
            current = target.current_catalog();
            (qualifier.or(current.as_deref()), None)
        } else {
            (None, qualifier)
        };
        let existing_columns = target.columns(catalog, schema, &self.spec.base_name)?;
        let existing: Option<&[CatalogColumn]> =
            (!existing_columns.is_empty()).then_some(&existing_columns[..]);
        let wit_table = bridge::table(
            self.spec,
            &columns,
            existing,
            self.options.multi_delete_for(&self.spec.name),
        );
        let wit_options = bridge::options(self.options, self.connector_options.to_vec());
        let planned = match self.mode {
            Mode::RefreshEnd => connector.plan_refresh(&wit_table, &wit_options)?,
            _ => connector.plan_integrate(&wit_table, &wit_options)?,
        };
        let plan_error = |message: String| TableError::Plan {
            connector: connector.name().to_string(),
            message,
        };
        let plan = planned.map_err(|e| plan_error(bridge::plan_error(e)))?;
        let plan = bridge::plan(plan, columns.len()).map_err(|e| plan_error(e.to_string()))?;

        let mut attempt = 1;
        let rows = loop {
            target.begin()?;
            let applied = self.apply_once(target, &plan, &columns[..file_width], &key, &mut chain);
            let applied = applied.and_then(|rows| {
                fence::crash_point("before-commit");
                target.commit()?;
                Ok(rows)
            });
            match applied {
                Ok(rows) => break rows,
                Err(e) => {
                    if let Err(rollback) = target.rollback() {
                        eprintln!("W_JX0E00: {rollback}");
                    }
                    if !e.is_transient() || attempt == TRANSIENT_ATTEMPTS {
                        return Err(e);
                    }
                    say!(
                        "table {}: attempt {attempt} hit a deadlock or serialization failure; running the table again",
                        self.spec.name
                    );
                    std::thread::sleep(std::time::Duration::from_millis(50 * attempt as u64));
                    attempt += 1;
                }
            }
        };
        fence::crash_point("after-commit");
        // Files go only after their rows are committed.
        self.delete_files(self.files.iter().map(|f| f.name.as_str()))?;
        match rows {
            Some(rows) => {
                say!(
                    "table {}: {} rows from {} file(s) into {} in {:.2} s",
                    self.spec.name,
                    rows,
                    self.files.len(),
                    self.spec.qualified_base_name(),
                    started.elapsed().as_secs_f64()
                );
                Ok(Outcome::Loaded {
                    files: self.files.len(),
                    rows,
                })
            }
            None => {
                say!(
                    "table {}: an earlier run already applied these {} file(s) (fence found); removed them",
                    self.spec.name,
                    self.files.len()
                );
                Ok(Outcome::AlreadyApplied {
                    files: self.files.len(),
                })
            }
        }
    }

    /// Inside the open transaction: skip (`None`) if the fence shows these files applied,
    /// else apply the plan and record the fence. A table without files needs no fence.
    fn apply_once(
        &self,
        target: &Target,
        plan: &Plan,
        columns: &[FileColumn],
        key: &FenceKey,
        chain: &mut TransformChain,
    ) -> Result<Option<u64>, TableError> {
        if self.files.is_empty() {
            return self.apply(target, plan, columns, chain).map(Some);
        }
        if self.fence_matches(target, key)? {
            return Ok(None);
        }
        let rows = self.apply(target, plan, columns, chain)?;
        for statement in &self.fence.save {
            target.execute_with(
                "recording the fence",
                &statement.sql,
                &key.values(&statement.params),
            )?;
        }
        Ok(Some(rows))
    }

    fn fence_matches(&self, target: &Target, key: &FenceKey) -> Result<bool, TableError> {
        let lookup = &self.fence.lookup;
        let found = target.query_text(
            "reading the fence",
            &lookup.sql,
            &key.values(&lookup.params),
        )?;
        Ok(found.as_deref() == Some(key.digest.as_str()))
    }

    fn delete_files<'f>(&self, names: impl Iterator<Item = &'f str>) -> Result<(), TableError> {
        if self.options.keep_files {
            return Ok(());
        }
        let Some(location) = self.location else {
            return Ok(());
        };
        for (i, name) in names.enumerate() {
            if i == 1 {
                fence::crash_point("after-first-delete");
            }
            location.delete(name)?;
        }
        Ok(())
    }

    /// All files present: go on. None present: a previous run applied them. Some present: a
    /// run was interrupted while deleting them if the fence holds their digest (finish the
    /// deletion); otherwise refuse, because nothing proves they were applied.
    fn recovery_check(
        &self,
        target: &Target,
        key: &FenceKey,
    ) -> Result<Option<Outcome>, TableError> {
        let Some(location) = self.location else {
            return Ok(None);
        };
        let missing: Vec<&str> = self
            .files
            .iter()
            .filter(|f| !location.exists(&f.name))
            .map(|f| f.name.as_str())
            .collect();
        if missing.is_empty() {
            return Ok(None);
        }
        if missing.len() == self.files.len() {
            say!(
                "table {}: its {} file(s) are gone, so a previous run applied them; skipped",
                self.spec.name,
                missing.len()
            );
            return Ok(Some(Outcome::AlreadyApplied {
                files: missing.len(),
            }));
        }
        if self.fence_matches(target, key)? {
            let present = self
                .files
                .iter()
                .map(|f| f.name.as_str())
                .filter(|n| !missing.contains(n));
            self.delete_files(present)?;
            say!(
                "table {}: an earlier run applied these files and was interrupted while removing them; removed the rest",
                self.spec.name
            );
            return Ok(Some(Outcome::AlreadyApplied {
                files: self.files.len(),
            }));
        }
        Err(TableError::PartialFiles {
            present: self.files.len() - missing.len(),
            total: self.files.len(),
            missing: missing.join(", "),
        })
    }

    /// The files' columns: from the header line when there is one (all files must agree),
    /// else the channel's columns in order.
    fn file_columns(&self) -> Result<Vec<FileColumn>, TableError> {
        let location = match self.location {
            Some(l) if self.format.header && !self.files.is_empty() => l,
            _ => {
                return Ok(self
                    .spec
                    .columns
                    .iter()
                    .map(|c| self.file_column(&c.name, &c.base_name, c.is_key))
                    .collect());
            }
        };
        let mut first: Option<(String, Vec<String>)> = None;
        for f in &self.files {
            let header = read_header(location, &f.name, self.format)?;
            match &first {
                None => first = Some((f.name.clone(), header)),
                Some((first_file, names)) if *names != header => {
                    return Err(TableError::File {
                        file: f.name.clone(),
                        message: format!(
                            "line 1: header ({}) differs from the header of {first_file} ({})",
                            header.join(","),
                            names.join(",")
                        ),
                    });
                }
                Some(_) => {}
            }
        }
        let (file, header) = first.expect("at least one file");
        self.resolve_header(&file, &header)
    }

    fn resolve_header(&self, file: &str, header: &[String]) -> Result<Vec<FileColumn>, TableError> {
        let mut out: Vec<FileColumn> = Vec::with_capacity(header.len());
        for (i, name) in header.iter().enumerate() {
            let found = self
                .spec
                .columns
                .iter()
                .find(|c| c.base_name == *name)
                .or_else(|| self.spec.columns.iter().find(|c| c.name == *name))
                .or_else(|| {
                    self.spec
                        .columns
                        .iter()
                        .find(|c| c.base_name.eq_ignore_ascii_case(name))
                });
            let Some(column) = found else {
                return Err(TableError::File {
                    file: file.to_string(),
                    message: format!(
                        "line 1, column {}: header column {name:?} is not a column of table {} (HVR_COL_NAMES: {})",
                        i + 1,
                        self.spec.name,
                        self.spec
                            .columns
                            .iter()
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                });
            };
            if out.iter().any(|c| c.name == column.name) {
                return Err(TableError::File {
                    file: file.to_string(),
                    message: format!(
                        "line 1, column {}: column {name:?} appears twice in the header",
                        i + 1
                    ),
                });
            }
            out.push(self.file_column(&column.name, &column.base_name, column.is_key));
        }
        Ok(out)
    }

    fn file_column(&self, name: &str, base_name: &str, is_key: bool) -> FileColumn {
        let is = |wanted: &str| name == wanted || base_name == wanted;
        let role = if is(self.options.op_column_name()) {
            Role::Op
        } else if is(self.options.soft_delete_column_name()) {
            Role::SoftDelete
        } else {
            Role::Data
        };
        FileColumn {
            name: name.to_string(),
            base_name: base_name.to_string(),
            // Extra columns are never part of the key a change is applied by.
            is_key: is_key && role == Role::Data,
            role,
        }
    }

    /// Runs the plan inside the open transaction; returns the rows loaded.
    /// `columns` are the file's own columns (without those transforms add).
    fn apply(
        &self,
        target: &Target,
        plan: &Plan,
        columns: &[FileColumn],
        chain: &mut TransformChain,
    ) -> Result<u64, TableError> {
        for sql in &plan.before {
            target.execute("preparing", sql)?;
        }
        let mut rows = 0u64;
        if let Some(location) = self.location
            && !self.files.is_empty()
        {
            let mut loader =
                BatchLoader::new(target, &plan.shape, plan.sources.len(), plan.batch_rows)?;
            let mut transformed = 0u64;
            for f in &self.files {
                rows = self.load_file(
                    location,
                    f,
                    plan,
                    columns,
                    rows,
                    &mut loader,
                    chain,
                    &mut transformed,
                )?;
            }
        }
        for sql in &plan.after {
            target.execute("applying", sql)?;
        }
        Ok(rows)
    }

    /// Loads one file. A reader thread decodes the next batch while this thread inserts the
    /// current one; returns the row number of the file's last row.
    #[allow(clippy::too_many_arguments)]
    fn load_file(
        &self,
        location: &FileLocation,
        file: &FileEntry,
        plan: &Plan,
        columns: &[FileColumn],
        row_number: u64,
        loader: &mut BatchLoader<'_>,
        chain: &mut TransformChain,
        transformed: &mut u64,
    ) -> Result<u64, TableError> {
        let (batches, received) = mpsc::sync_channel::<Result<(TextBatch, u64), TableError>>(2);
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
            let mut loaded = Ok(());
            while let Ok(item) = received.recv() {
                let result = item.and_then(|(batch, line)| {
                    loader.load(&batch).map_err(|source| TableError::Load {
                        file: file.name.clone(),
                        context: format!("rows up to line {line}"),
                        source: Box::new(source),
                    })
                });
                if let Err(e) = result {
                    loaded = Err(e);
                    break;
                }
            }
            // Dropping the receiver stops the reader at its next batch.
            drop(received);
            let read = reader.join().expect("the CSV reader thread panicked");
            loaded.and(read)
        })
    }

    /// Decodes a file into batches of the plan's sources and sends them on; returns the row
    /// number of its last row, after checking the row count HVR reported.
    #[allow(clippy::too_many_arguments)]
    fn read_batches(
        &self,
        location: &FileLocation,
        file: &FileEntry,
        sources: &[Source],
        batch_rows: usize,
        file_columns: &[FileColumn],
        mut row_number: u64,
        finish: &mut (dyn FnMut(TextBatch) -> Result<TextBatch, TableError> + Send),
        batches: mpsc::SyncSender<Result<(TextBatch, u64), TableError>>,
    ) -> Result<u64, TableError> {
        let csv_error = |source| TableError::Csv {
            file: file.name.clone(),
            source,
        };
        let mut reader = RecordReader::new(
            open_decoded(location.open(&file.name)?, self.format),
            self.format.clone(),
        );
        if self.format.header {
            reader.next_record().map_err(csv_error)?;
        }
        let columns = file_columns.len();
        let op = file_columns.iter().position(|c| c.role == Role::Op);
        // TimeKey targets keep every row as history, so every op code is fine there.
        let multi_delete = self.options.multi_delete_for(&self.spec.name).is_some()
            || self.options.style() == Style::TimeKey;
        let new_batch = || TextBatch::new(sources.len(), batch_rows);
        let mut batch = new_batch();
        let mut file_rows = 0u64;
        let mut number = String::new();
        while let Some(record) = reader.next_record().map_err(csv_error)? {
            if record.len() != columns {
                return Err(TableError::File {
                    file: file.name.clone(),
                    message: format!(
                        "line {}: {} field(s), expected {columns}",
                        record.line,
                        record.len()
                    ),
                });
            }
            if let Some(op) = op {
                check_op(record.field(op).map_err(csv_error)?, multi_delete).map_err(
                    |message| TableError::File {
                        file: file.name.clone(),
                        message: format!("line {}, column {}: {message}", record.line, op + 1),
                    },
                )?;
            }
            row_number += 1;
            file_rows += 1;
            for (slot, source) in sources.iter().enumerate() {
                match source {
                    Source::Column(i) => {
                        let value = record.field(*i).map_err(csv_error)?;
                        batch.columns[slot].push(value.map(str::as_bytes));
                    }
                    Source::RowNumber => {
                        number.clear();
                        write!(number, "{row_number}").expect("writing to a String");
                        batch.columns[slot].push(Some(number.as_bytes()));
                    }
                }
            }
            if batch.num_rows() >= batch_rows {
                let full = finish(std::mem::replace(&mut batch, new_batch()))?;
                if batches.send(Ok((full, record.line))).is_err() {
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
            let _ = batches.send(Ok((finish(batch)?, reader.line())));
        }
        Ok(row_number)
    }
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

fn read_header(
    location: &FileLocation,
    name: &str,
    format: &CsvFormat,
) -> Result<Vec<String>, TableError> {
    let mut reader = RecordReader::new(open_decoded(location.open(name)?, format), format.clone());
    let csv_error = |source| TableError::Csv {
        file: name.to_string(),
        source,
    };
    let record = reader
        .next_record()
        .map_err(csv_error)?
        .ok_or_else(|| TableError::File {
            file: name.to_string(),
            message: "the file is empty, but a header line was expected (--header-line)".into(),
        })?;
    (0..record.len())
        .map(|i| {
            record
                .field(i)
                .map_err(csv_error)
                .map(|f| f.unwrap_or("").trim().to_string())
        })
        .collect()
}
