//! One AgentPlugin call from start to exit code: read the invocation (options, `HVR_*`
//! environment, file location), load the guests (`guests`), run the tables over parallel lanes
//! (`table::lanes`), and report (`report`).

use thiserror::Error;

mod guests;
mod opening;
mod report;
mod summary;
mod summary_json;

use guests::Guests;
pub use guests::{Described, describe_connector};
use summary::refresh_call;

use crate::connectors::ConnectorError;
use crate::domain::{OptionError, Planner, TransformFailure};
use crate::fence::{FenceError, RefreshCall, StateTable};
use crate::hvr::env::EnvError;
use crate::hvr::rename::RenameExpression;
use crate::hvr::{HvrEnv, Invocation, Mode};
use crate::ledger::{LedgerError, Ledgers};
use crate::odbc::{Database, OdbcError, Session};
use crate::options::{Options, OptionsError};
use crate::runtime::SandboxError;
use crate::store::{FileLocation, LocationError};
use crate::table::{TableError, TableJob};

#[derive(Debug, Error)]
pub enum AgentError {
    #[error(transparent)]
    Options(#[from] OptionsError),
    #[error(transparent)]
    Env(#[from] EnvError),
    #[error(transparent)]
    Location(#[from] LocationError),
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    #[error(transparent)]
    Odbc(#[from] OdbcError),
    #[error(transparent)]
    Fence(#[from] FenceError),
    #[error(transparent)]
    ConnectorOption(#[from] OptionError),
    #[error(transparent)]
    Transform(#[from] TransformFailure),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("{} of {total} table(s) failed: {}", failed.len(), summary::summarize(failed))]
    Tables {
        /// Each failed table's name and error, in job order.
        failed: Vec<(String, TableError)>,
        total: usize,
    },
    #[error(
        "{count} word(s) after the user argument (HVR passes: mode, channel, location, and one user argument); the user argument must be one quoted word"
    )]
    ExtraArguments { count: usize },
    #[error(
        "the rows of {tables} were committed, but some of their files could not be removed (see the job log); a re-run removes them without applying them again"
    )]
    NotRemoved { tables: String },
    #[error("connector {connector} does not support the {style} style (it supports: {supported})")]
    Style {
        connector: String,
        style: &'static str,
        supported: String,
    },
}

/// What the process should exit with: 0 done, 1 failed (message printed), 2 not our mode.
pub enum Exit {
    Done,
    IgnoredMode,
}

/// How a call reaches the target: for real, or as a plan that reads the target and prints
/// every statement that would change it, changing nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runner {
    Apply,
    DryRun,
}

/// Runs one call. `argv` is what HVR passed after the program name.
pub fn run(args: &[String]) -> Result<Exit, AgentError> {
    run_as(args, Runner::Apply)
}

/// [`run`], for real or as a dry run.
pub fn run_as(args: &[String], runner: Runner) -> Result<Exit, AgentError> {
    let Some(mode) = args.first().and_then(|m| Mode::parse(m)) else {
        return Ok(Exit::IgnoredMode);
    };
    if args.len() > 4 {
        // Not shown: an unquoted /UserArgument split by a shell may hold a secret.
        return Err(AgentError::ExtraArguments {
            count: args.len() - 4,
        });
    }
    let env = HvrEnv::from_process()?;
    for (name, value) in env.long_option_values() {
        // SAFETY: nothing else runs yet (no thread has been started), so no one reads the
        // environment while it changes. Options read HVR_WASM_* from the environment.
        unsafe { std::env::set_var(name, value) };
    }
    let mut options = Options::from_user_argument(args.get(3).map(String::as_str))?;
    if runner == Runner::DryRun {
        options.dry_run();
    }
    crate::watchdog::start(options.wait_bounds());
    let started_at = crate::clock::now_iso();
    let result = read_and_run(args, mode, &options, &env, runner, started_at.clone());
    // A call that fails before its tables report (a target it cannot reach, a connector it
    // cannot load) still leaves its summary for monitoring.
    if let (Err(e), Some(path)) = (&result, &options.toolbox.summary_json)
        && !matches!(e, AgentError::Tables { .. })
    {
        summary_json::write_failure(path, mode.as_str(), args, &started_at, e);
    }
    result
}

fn read_and_run(
    args: &[String],
    mode: Mode,
    options: &Options,
    env: &HvrEnv,
    runner: Runner,
    started_at: String,
) -> Result<Exit, AgentError> {
    let Some(call) = Call::read(mode, env, options)? else {
        return Ok(Exit::Done);
    };
    if let Some(dir) = &options.toolbox.record {
        // A recording that fails must not stop the cycle it would have recorded.
        match crate::recording::record(dir, args, &call.invocation, call.location.as_ref()) {
            Ok(recorded) => say!("recorded this call in {}", recorded.display()),
            Err(e) => say!("W_JX0E00: this call was not recorded: {e}"),
        }
    }
    match runner {
        Runner::Apply => run_call(args, options, env, &call, started_at, &|t| t),
        Runner::DryRun => run_call(
            args,
            options,
            env,
            &call,
            started_at,
            &crate::odbc::DryRun::new,
        ),
    }
}

/// The call once it is read: guests, connections, tables, report.
fn run_call<D: Database + Send>(
    args: &[String],
    options: &Options,
    env: &HvrEnv,
    call: &Call,
    started_at: String,
    wrap: &dyn Fn(Session) -> D,
) -> Result<Exit, AgentError> {
    let opening = opening::Opening::start(options);
    let guests = Guests::load(options)?;
    let connector_options = guests
        .info()
        .checked_options(&options.connector_options()?)?;
    let transform_options = guests.route_transform_options(&options.transform_options()?)?;
    let connector = format!("{} {}", guests.info().name, guests.info().version);
    let ledgers = Ledgers::new(
        options.toolbox.history_table.as_deref(),
        options.toolbox.error_table.as_deref(),
        connector.clone(),
    )?;
    let target = wrap(opening.finish(options)?);
    // Created once, before any table's transaction: DDL may commit implicitly (MariaDB), and
    // parallel creators would race.
    call.state.prepare(&target)?;
    ledgers.prepare(&target)?;
    // A plan writes nothing, so it remembers the fence records it would have saved.
    let planned = crate::fence::PlannedFence::new(&call.state);
    let state: &dyn crate::fence::FenceStore = if options.dry_run {
        &planned
    } else {
        &call.state
    };
    let jobs = call.jobs(
        args,
        options,
        &connector_options,
        &transform_options,
        &ledgers,
        state,
    );
    let limit = guests
        .info()
        .max_parallel_tables
        .map_or(usize::MAX, |n| n as usize);
    let workers = options.parallel.min(limit).clamp(1, jobs.len().max(1));
    let mut lanes = vec![guests.lane_with(target)?];
    for _ in 1..workers {
        lanes.push(guests.lane_with(wrap(opening::connect(options)?))?);
    }
    let fresh = || {
        guests
            .lane()
            .ok()
            .map(|(c, t)| (Box::new(c) as Box<dyn Planner + Send>, t))
    };
    let results = crate::table::lanes::run(&jobs, lanes, &fresh);
    let facts = summary_json::CallFacts {
        mode: call.mode.as_str(),
        channel: args.get(1).map(String::as_str).unwrap_or(""),
        location: args.get(2).map(String::as_str).unwrap_or(""),
        started_at,
        connector: &connector,
    };
    report::finish(call, options, env, &jobs, results, facts)
}

/// What the call is about, read before anything connects.
pub(crate) struct Call {
    pub(crate) mode: Mode,
    pub(crate) invocation: Invocation,
    pub(crate) rename: RenameExpression,
    pub(crate) format: crate::rows::FileFormat,
    pub(crate) column_types: crate::options::ColumnTypes,
    pub(crate) state: StateTable,
    pub(crate) refresh: RefreshCall,
    pub(crate) location: Option<FileLocation>,
}

impl Call {
    /// `None` when there is nothing to do (not a loading mode, a recovery call, no files).
    fn read(mode: Mode, env: &HvrEnv, options: &Options) -> Result<Option<Call>, AgentError> {
        let format = options.files.file_format(options.csv_format()?)?;
        let column_types = options.files.column_types()?;
        let rename =
            RenameExpression::parse(&options.files.rename_expression(&options.rename_expression))?;
        if !mode.loads_files() {
            return Ok(None);
        }
        if env.is_recovery_call() {
            say!(
                "hvrwasmagent {}: HVR gave no table or file lists (a recovery call): nothing to do",
                mode.as_str()
            );
            return Ok(None);
        }
        let invocation = Invocation::from_env(env, &rename)?;
        // A refresh of a table whose source is empty empties it, with or without other tables.
        if invocation.files.is_empty() && mode != Mode::RefreshEnd {
            say!(
                "hvrwasmagent {}: HVR_FILE_NAMES is empty, nothing to load",
                mode.as_str()
            );
            return Ok(None);
        }
        let state = StateTable::new(&options.state_table)?;
        let refresh = match mode {
            Mode::RefreshEnd => refresh_call(env, options)?,
            _ => RefreshCall::single(None),
        };
        let settings = options.store_settings()?;
        let location = match (
            invocation.file_location.as_deref(),
            invocation.files.first(),
        ) {
            (Some(l), Some(first)) => Some(FileLocation::connect(l, &settings, &first.name)?),
            _ => None,
        };
        if options.verbose
            && let Some(location) = &location
        {
            say!("files in {}", location.describe());
        }
        Ok(Some(Call {
            mode,
            invocation,
            rename,
            format,
            column_types,
            state,
            refresh,
            location,
        }))
    }

    /// One job per table with work: refresh empties a table even when the source had no rows
    /// for it; integrate only touches tables with changes.
    fn jobs<'a>(
        &'a self,
        args: &'a [String],
        options: &'a Options,
        connector_options: &'a [(String, String)],
        transform_options: &'a [Vec<(String, String)>],
        ledgers: &'a Ledgers,
        state: &'a dyn crate::fence::FenceStore,
    ) -> Vec<TableJob<'a>> {
        let channel = args.get(1).map(String::as_str).unwrap_or("");
        let location_name = args.get(2).map(String::as_str).unwrap_or("");
        self.invocation
            .tables
            .iter()
            .enumerate()
            .map(|(index, spec)| (spec, self.invocation.files_of(index)))
            .filter(|(_, files)| !files.is_empty() || self.mode == Mode::RefreshEnd)
            .map(|(spec, files)| TableJob {
                mode: self.mode,
                spec,
                files,
                location: self
                    .location
                    .as_ref()
                    .map(|l| l as &dyn crate::store::Files),
                format: &self.format,
                column_types: &self.column_types,
                options,
                connector_options,
                transform_options,
                state,
                refresh: &self.refresh,
                channel,
                location_name,
                ledgers,
                foreign_keys: Default::default(),
            })
            .collect()
    }
}
