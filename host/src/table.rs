//! One table of one call: recovery check, file columns, plan, load in one transaction, clean-up.

mod columns;
mod read;
mod recover;

use std::time::Instant;

use thiserror::Error;

use crate::bridge::{self, Plan};
use crate::csv::{CsvError, CsvFormat};
use crate::fence::{self, FenceError, FenceKey, RefreshCall, StateTable};
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
    #[error(transparent)]
    Fence(#[from] FenceError),
    #[error(
        "none of its {total} file(s) is in {location} (first: {first}), and the fence has no record of applying them; nothing was applied. Is HVR_FILE_LOC right, and mounted?"
    )]
    AllMissing {
        total: usize,
        location: String,
        first: String,
    },
    #[error(
        "its files were applied by an earlier run, but {file} was written again since; nothing was applied or deleted"
    )]
    ChangedSinceApplied { file: String },
    #[error(
        "files {first} and {second} are the same file (a link); its rows would land twice, so nothing was applied"
    )]
    SameFile { first: String, second: String },
    #[error(
        "this slice adds to a sliced refresh in progress, which needs a plan that keeps the rows: {why}"
    )]
    SliceCannotKeepRows { why: String },
    #[error(
        "--refresh-condition needs identifier quoting the host knows, and connector dialect {dialect:?} is not one of sqlite, postgresql, mariadb, mysql; nothing was deleted"
    )]
    RestrictUnsupported { dialect: String },
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
            TableError::Fence(FenceError::Odbc(e)) => e.is_transient(),
            _ => false,
        }
    }
}

/// How one table ended.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// `cleanup` says why files could not be removed after the commit.
    Loaded {
        files: usize,
        rows: u64,
        cleanup: Option<String>,
    },
    /// A previous run applied these files (they are removed now, if any were left).
    AlreadyApplied {
        files: usize,
        cleanup: Option<String>,
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
    pub state: &'a StateTable,
    /// Where this call stands in a (sliced) refresh.
    pub refresh: &'a RefreshCall,
    /// Channel and location names from argv, the fence's key with the table name.
    pub channel: &'a str,
    pub location_name: &'a str,
}

/// What a table's plan needs, made before its transaction (when all its files are present).
pub(crate) struct Prepared<'c> {
    columns: Vec<FileColumn>,
    file_width: usize,
    chain: TransformChain<'c>,
    plan: Plan,
    /// Refresh only: the plan that keeps the target's rows, for a slice that adds to a
    /// refresh in progress (or why the connector has none, e.g. with `--refresh-shadow`).
    plan_keeping_rows: Option<Result<Plan, String>>,
    /// Refresh with `--refresh-condition`: the DELETE of the matching rows that replaces
    /// emptying the table.
    restrict: Option<String>,
}

impl TableJob<'_> {
    pub fn run(
        &self,
        target: &Target,
        connector: &mut ConnectorInstance,
        transforms: &mut [TransformInstance],
    ) -> Result<Outcome, TableError> {
        crate::watchdog::set_table(Some(&self.spec.name));
        let outcome = self.run_table(target, connector, transforms);
        crate::watchdog::set_table(None);
        outcome
    }

    fn run_table(
        &self,
        target: &Target,
        connector: &mut ConnectorInstance,
        transforms: &mut [TransformInstance],
    ) -> Result<Outcome, TableError> {
        let started = Instant::now();
        let key = FenceKey::new(self.channel, self.location_name, &self.spec.name);
        let mut observed = self.observe()?;
        let mut prepared = None;
        if observed.iter().all(|o| o.identity.is_some()) {
            match self.prepare(target, connector, transforms) {
                Ok(p) => prepared = Some(p),
                Err(e) => {
                    // A file may have gone meanwhile: another call for this table applied and
                    // removed it. Look again; the fence then decides. Otherwise the error stands.
                    let again = self.observe()?;
                    if again.iter().all(|o| o.identity.is_some()) {
                        return Err(e);
                    }
                    observed = again;
                }
            }
        }
        self.state.ensure_row(target, &key)?;
        let mut attempt = 1;
        let step = loop {
            target.begin()?;
            let result = self
                .transaction(target, &key, &observed, prepared.as_mut())
                .and_then(|step| {
                    if matches!(step, recover::Step::Applied(_)) {
                        fence::crash_point("before-commit");
                        target.commit()?;
                        crate::watchdog::committed(&self.spec.name);
                    } else {
                        target.rollback()?;
                    }
                    Ok(step)
                });
            match result {
                Ok(step) => break step,
                Err(e) => {
                    if let Err(rollback) = target.rollback() {
                        say!("W_JX0E00: {rollback}");
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
        self.finish(step, &observed, started)
    }

    fn prepare<'c>(
        &'c self,
        target: &Target,
        connector: &mut ConnectorInstance,
        transforms: &'c mut [TransformInstance],
    ) -> Result<Prepared<'c>, TableError> {
        let mut columns = self.file_columns()?;
        let file_width = columns.len();
        let (chain, added) = TransformChain::prepare(
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
        let mut plan_with = |keep_rows: bool| -> Result<Plan, TableError> {
            let mut wit_options = bridge::options(self.options, self.connector_options.to_vec());
            wit_options.preserve_on_refresh |= keep_rows;
            let planned = match self.mode {
                Mode::RefreshEnd => connector.plan_refresh(&wit_table, &wit_options)?,
                _ => connector.plan_integrate(&wit_table, &wit_options)?,
            };
            let plan_error = |message: String| TableError::Plan {
                connector: connector.name().to_string(),
                message,
            };
            let plan = planned.map_err(|e| plan_error(bridge::plan_error(e)))?;
            bridge::plan(plan, columns.len()).map_err(|e| plan_error(e.to_string()))
        };
        let restrict = match self.mode {
            Mode::RefreshEnd => self
                .options
                .refresh_condition_for(&self.spec.name)
                .map(|condition| restrict_delete(&info, self.spec, &condition))
                .transpose()?,
            _ => None,
        };
        // A refresh of a subset keeps the other rows: the connector plans as with -p.
        let plan = plan_with(restrict.is_some())?;
        // Only a later slice of a sliced refresh adds to the rows: plain refreshes never need it.
        let plan_keeping_rows = match self.mode {
            Mode::RefreshEnd if !self.options.preserve && self.refresh.total > 1 => {
                Some(plan_with(true).map_err(|e| e.to_string()))
            }
            _ => None,
        };
        Ok(Prepared {
            columns,
            file_width,
            chain,
            plan,
            plan_keeping_rows,
            restrict,
        })
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
}

/// `DELETE FROM <table> WHERE <condition>`, the table quoted as the connector's dialect does.
/// The host writes it itself, so a connector that does not know the option cannot silently
/// empty the whole table instead.
fn restrict_delete(
    info: &crate::runtime::bindings::types::Info,
    spec: &TableSpec,
    condition: &str,
) -> Result<String, TableError> {
    let quote = match info.dialect.as_str() {
        "sqlite" | "postgresql" | "postgres" | "ansi" => '"',
        "mariadb" | "mysql" => '`',
        other => {
            return Err(TableError::RestrictUnsupported {
                dialect: other.to_string(),
            });
        }
    };
    let ident = |name: &str| {
        let doubled = name.replace(quote, &format!("{quote}{quote}"));
        format!("{quote}{doubled}{quote}")
    };
    let table = match &spec.schema {
        Some(schema) => format!("{}.{}", ident(schema), ident(&spec.base_name)),
        None => ident(&spec.base_name),
    };
    Ok(format!("DELETE FROM {table} WHERE {condition}"))
}
