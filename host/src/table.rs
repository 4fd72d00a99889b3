//! One table of one call: recovery check, file columns, plan, load in one transaction, clean-up.

mod columns;
mod read;

use std::time::Instant;

use thiserror::Error;

use crate::bridge::{self, Plan};
use crate::csv::{CsvError, CsvFormat};
use crate::fence::{self, FenceKey, FenceSql};
use crate::hvr::{FileEntry, Mode, TableSpec};
use crate::odbc::{CatalogColumn, OdbcError, Target};
use crate::options::Options;
use crate::pipeline::{TransformChain, TransformError};
use crate::runtime::{ConnectorInstance, SandboxError, TransformInstance};
use crate::store::{FileLocation, LocationError};

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
        let mut missing: Vec<&str> = Vec::new();
        for f in &self.files {
            if !location.exists(&f.name)? {
                missing.push(f.name.as_str());
            }
        }
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
}
