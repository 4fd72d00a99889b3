//! One table of one call: recovery check, file columns, plan, load in one transaction, clean-up.

mod batch_ends;
mod columns;
mod drift;
mod feed;
mod host_sql;
mod in_order;
mod keys_once;
pub mod lanes;
mod load_error;
mod only;
mod read;
mod recover;
mod rejected;
mod restrict;
mod row;
mod set_aside;
pub mod stats;
mod streamed;

pub(crate) use restrict::panic_message;
use restrict::restrict_delete;

use std::time::Instant;

use thiserror::Error;

use crate::domain::{
    ConnectorInfo, FileColumn, Phase, Plan, PlanFailure, PlanKind, PlanRequest, Planner, Role,
    TransformFailure, Transformer,
};
use crate::fence::{self, FenceError, FenceKey, FenceStore, RefreshCall};
use crate::hvr::{FileEntry, Mode, TableSpec};
use crate::odbc::{Database, OdbcError};
use crate::options::Options;
use crate::pipeline::TransformChain;
use crate::store::{Files, LocationError};

/// Runs of a table's transaction when the database reports a deadlock or serialization
/// failure; the files are untouched until a commit, so running again is safe.
const TRANSIENT_ATTEMPTS: u32 = 3;

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
    Rows {
        file: String,
        source: crate::rows::RowError,
    },
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
    Plan(#[from] PlanFailure),
    #[error(transparent)]
    Transform(#[from] TransformFailure),
    #[error(
        "this slice adds to a sliced refresh in progress, which needs a plan that keeps the rows: {0}"
    )]
    SliceCannotKeepRows(Box<PlanFailure>),
    #[error("{0} panicked: {1}; nothing of this table was committed by this work")]
    Panicked(&'static str, String),
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
    #[error("table {table}: {message}")]
    Drift { table: String, message: String },
    #[error(
        "the target table's engine is {engine}, which has no transactions: a failure half-way would leave part of the files applied but not recorded, and the next run would apply them again; nothing was applied (ALTER TABLE ... ENGINE=InnoDB makes it transactional)"
    )]
    NonTransactional { engine: String },
    #[error(
        "more than {limit} row(s) set aside (--max-error-rows); nothing of this table was applied. The last: {last}"
    )]
    TooManySetAside { limit: u64, last: String },
    #[error(transparent)]
    Ledger(#[from] crate::ledger::LedgerError),
    /// The apply failed on a constraint: the transaction runs again, applying in order.
    #[error("{}", .0.first)]
    ApplyInOrder(Box<in_order::InOrder>),
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

    /// Whether the guests that worked on this table cannot be called again (a guest stopped
    /// by a limit or trapped): the lane's next table gets new instances.
    pub fn poisons_guests(&self) -> bool {
        match self {
            TableError::Plan(PlanFailure::Guest(e))
            | TableError::Transform(TransformFailure::Guest(e)) => e.poisons_instance(),
            TableError::Transform(_) | TableError::Panicked(..) => true,
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
        stats: stats::LoadStats,
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
    pub location: Option<&'a dyn Files>,
    pub format: &'a crate::rows::FileFormat,
    /// `--column-type` entries: types for created and added columns.
    pub column_types: &'a crate::options::ColumnTypes,
    pub options: &'a Options,
    /// `--connector-option` pairs, checked against the connector's declarations.
    pub connector_options: &'a [(String, String)],
    /// `--transform-option` pairs routed to each transform, in chain order.
    pub transform_options: &'a [Vec<(String, String)>],
    pub state: &'a dyn FenceStore,
    /// Where this call stands in a (sliced) refresh.
    pub refresh: &'a RefreshCall,
    /// Channel and location names from argv, the fence's key with the table name.
    pub channel: &'a str,
    pub location_name: &'a str,
    /// The history and error tables, when asked for.
    pub ledgers: &'a crate::ledger::Ledgers,
    /// What a foreign key's refusal does while other tables of the call may still commit the
    /// rows it refers to (set by each round, see `lanes`).
    pub foreign_keys: lanes::ForeignKeysCell,
}

/// What a table's plan needs, made before its transaction (when all its files are present).
pub(crate) struct Prepared<'c> {
    columns: Vec<FileColumn>,
    file_width: usize,
    chain: TransformChain<'c>,
    plan: Plan,
    /// Refresh only: the plan that keeps the target's rows, for a slice that adds to a
    /// refresh in progress (or why the connector has none, e.g. with `--refresh-shadow`).
    plan_keeping_rows: Option<Result<Plan, Box<PlanFailure>>>,
    /// Refresh with `--refresh-condition`: the DELETE of the matching rows that replaces
    /// emptying the table.
    restrict: Option<String>,
    /// Integrate: set when the cycle's apply failed on a constraint, so that the transaction
    /// runs again applying it in order (see `in_order`).
    in_order: Option<in_order::InOrder>,
}

thread_local! {
    /// This thread is inside a table's work, where a panic fails that table alone.
    static IN_TABLE_WORK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a panic on this thread now would fail one table (caught by [`TableJob::run`])
/// rather than the call: the panic hook words its message by this.
pub fn in_table_work() -> bool {
    IN_TABLE_WORK.get()
}

impl TableJob<'_> {
    /// Runs the table. A panic anywhere in its work fails this table alone: the caller's
    /// other tables go on, and the transaction (never committed) is rolled back.
    pub fn run(
        &self,
        db: &dyn Database,
        planner: &mut dyn Planner,
        transforms: &mut [Box<dyn Transformer>],
    ) -> Result<Outcome, TableError> {
        crate::watchdog::set_table(Some(&self.spec.name));
        IN_TABLE_WORK.set(true);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.run_table(db, planner, transforms)
        }))
        .unwrap_or_else(|panic| {
            let _ = db.rollback();
            Err(TableError::Panicked(
                "the table's work",
                panic_message(&*panic),
            ))
        });
        IN_TABLE_WORK.set(false);
        crate::watchdog::set_table(None);
        outcome
    }

    fn run_table(
        &self,
        db: &dyn Database,
        planner: &mut dyn Planner,
        transforms: &mut [Box<dyn Transformer>],
    ) -> Result<Outcome, TableError> {
        let started = Instant::now();
        let started_at = std::time::SystemTime::now();
        let key = FenceKey::new(self.channel, self.location_name, &self.spec.name);
        let mut observed = self.observe()?;
        let mut prepared = None;
        if observed.iter().all(|o| o.identity.is_some()) {
            match self.prepare(db, planner, transforms) {
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
        // A plan that loads with COPY runs its transaction, fence included, on the native
        // PostgreSQL session; everything else on the connection it was planned on.
        let db = match &prepared {
            Some(p) => db.for_transaction(&p.plan.shape)?,
            None => db,
        };
        self.state.ensure_row(db, &key)?;
        let step = self.transact(db, &key, &observed, prepared.as_mut(), started_at)?;
        self.finish(step, &observed, started)
    }

    /// The table's transaction, run again when the database reports a deadlock.
    fn transact(
        &self,
        db: &dyn Database,
        key: &FenceKey,
        observed: &[recover::Seen],
        mut prepared: Option<&mut Prepared<'_>>,
        started: std::time::SystemTime,
    ) -> Result<recover::Step, TableError> {
        let mut attempt = 1;
        loop {
            db.begin()?;
            let result = self
                .transaction(db, key, observed, prepared.as_deref_mut(), started)
                .and_then(|step| {
                    if matches!(step, recover::Step::Applied(_)) {
                        fence::crash_point("before-commit");
                        db.commit()?;
                        crate::watchdog::committed(&self.spec.name);
                    } else {
                        db.rollback()?;
                    }
                    Ok(step)
                });
            match result {
                Ok(step) => return Ok(step),
                Err(e) => {
                    if let Err(rollback) = db.rollback() {
                        say!("W_JX0E00: {rollback}");
                    }
                    let e = match self.again_in_order(e, prepared.as_deref_mut()) {
                        Ok(()) => continue,
                        Err(e) => e,
                    };
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
        }
    }

    fn phase(&self) -> (PlanKind, Phase) {
        match self.mode {
            Mode::RefreshEnd => (PlanKind::Refresh, Phase::Refresh),
            _ => (PlanKind::Integrate, Phase::Integrate),
        }
    }

    fn prepare<'c>(
        &'c self,
        db: &dyn Database,
        planner: &mut dyn Planner,
        transforms: &'c mut [Box<dyn Transformer>],
    ) -> Result<Prepared<'c>, TableError> {
        let mut columns = self.file_columns()?;
        let file_width = columns.len();
        let (kind, phase) = self.phase();
        let (chain, added) = TransformChain::open(
            transforms,
            self.transform_options,
            &self.spec.name,
            &self.spec.base_name,
            phase,
            &columns,
        )?;
        columns.extend(added);
        let info = planner.info().clone();
        let recreate = self.recreates(&info)?;
        let existing = self.target_columns(db, &info)?;
        if existing.is_some() {
            self.require_transactional(db, &info)?;
        }
        let target_columns = match existing {
            // -r plans as for a missing table; the DROP runs first in the transaction.
            Some(_) if recreate.is_some() => None,
            Some(existing) => Some(self.adapt_target(db, &info, &columns, existing)?),
            None => None,
        };
        let request = PlanRequest {
            name: self.spec.name.clone(),
            base_name: self.spec.base_name.clone(),
            schema: self.spec.schema.clone(),
            target_columns,
            columns,
            multi_delete_exclude: self.options.multi_delete_for(&self.spec.name),
        };
        let mut plan_with = |keep_rows: bool, each_key_once: bool| -> Result<Plan, PlanFailure> {
            let mut options = self.options.plan_options(self.connector_options.to_vec());
            options.preserve_on_refresh |= keep_rows;
            options.each_key_once = each_key_once;
            planner.plan(kind, &request, &options)
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
        let mut plan = plan_with(restrict.is_some(), false)?;
        if kind == PlanKind::Integrate
            && let Some(target) = &request.target_columns
            && keys_once::compares_plain_integers(&request.columns, target)
        {
            plan.after_each_key_once = keys_once::alternative(&plan, plan_with(false, true));
        }
        if let Some(drop) = recreate {
            plan.before.insert(0, drop);
        }
        // Only a later slice of a sliced refresh adds to the rows: plain refreshes never need it.
        let plan_keeping_rows = match self.mode {
            Mode::RefreshEnd if !self.options.preserve && self.refresh.total > 1 => {
                Some(plan_with(true, false).map_err(Box::new))
            }
            _ => None,
        };
        Ok(Prepared {
            columns: request.columns,
            file_width,
            chain,
            plan,
            plan_keeping_rows,
            restrict,
            in_order: None,
        })
    }

    /// The target table's columns from the catalog; `None` when it does not exist.
    fn target_columns(
        &self,
        db: &dyn Database,
        info: &ConnectorInfo,
    ) -> Result<Option<Vec<crate::domain::TargetColumn>>, TableError> {
        let (catalog, schema) = self.target_qualifiers(db, info);
        let existing = db.columns(catalog.as_deref(), schema, &self.spec.base_name)?;
        Ok((!existing.is_empty()).then_some(existing))
    }

    /// Refuses an existing target table that cannot roll back (see `odbc::engine`); once per
    /// table and call, before anything changes.
    fn require_transactional(
        &self,
        db: &dyn Database,
        info: &ConnectorInfo,
    ) -> Result<(), TableError> {
        // Unqualified: the query falls back to the connection's database itself.
        let catalog = self.qualifier(info).filter(|_| info.qualifier_is_catalog);
        match crate::odbc::non_transactional_engine(db, catalog, &self.spec.base_name)? {
            Some(engine) => Err(TableError::NonTransactional { engine }),
            None => Ok(()),
        }
    }

    /// The table's schema, or the connector's default one.
    fn qualifier<'s>(&'s self, info: &'s ConnectorInfo) -> Option<&'s str> {
        self.spec
            .schema
            .as_deref()
            .or(info.default_schema.as_deref())
    }

    /// The catalog and schema the target table's name is looked up in.
    fn target_qualifiers<'s>(
        &'s self,
        db: &dyn Database,
        info: &'s ConnectorInfo,
    ) -> (Option<String>, Option<&'s str>) {
        let qualifier = self.qualifier(info);
        if info.qualifier_is_catalog {
            // Unqualified names live in the connection's database, not in any database.
            (
                qualifier
                    .map(str::to_string)
                    .or_else(|| db.current_catalog()),
                None,
            )
        } else {
            (None, qualifier)
        }
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

#[cfg(test)]
mod fakes;
#[cfg(test)]
mod key_tests;
#[cfg(test)]
mod tests;
