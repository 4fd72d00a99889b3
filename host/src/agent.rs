//! One AgentPlugin call from start to exit code: read the invocation (options, `HVR_*`
//! environment, file location), load the guests (`guests`), run the tables over parallel lanes
//! (`table::lanes`), and report (`report`).

use thiserror::Error;

mod guests;
mod report;
mod summary;

use guests::Guests;
use summary::refresh_call;

use crate::connectors::ConnectorError;
use crate::domain::{OptionError, Planner, TransformFailure};
use crate::fence::{FenceError, RefreshCall, StateTable};
use crate::hvr::env::EnvError;
use crate::hvr::rename::RenameExpression;
use crate::hvr::{HvrEnv, Invocation, Mode};
use crate::odbc::{OdbcError, Target};
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

/// Runs one call. `argv` is what HVR passed after the program name.
pub fn run(args: &[String]) -> Result<Exit, AgentError> {
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
    let options = Options::from_user_argument(args.get(3).map(String::as_str))?;
    crate::watchdog::start(options.wait_bounds());
    let Some(call) = Call::read(mode, &env, &options)? else {
        return Ok(Exit::Done);
    };
    let guests = Guests::load(&options)?;
    let connector_options = guests
        .info()
        .checked_options(&options.connector_options()?)?;
    let transform_options = guests.route_transform_options(&options.transform_options()?)?;
    let target = connect(&options)?;
    // Created once, before any table's transaction: DDL may commit implicitly (MariaDB), and
    // parallel creators would race.
    call.state.prepare(&target)?;
    let jobs = call.jobs(args, &options, &connector_options, &transform_options);
    let limit = guests
        .info()
        .max_parallel_tables
        .map_or(usize::MAX, |n| n as usize);
    let workers = options.parallel.min(limit).clamp(1, jobs.len().max(1));
    let mut lanes = vec![guests.lane_with(target)?];
    for _ in 1..workers {
        lanes.push(guests.lane_with(connect(&options)?)?);
    }
    let fresh = || {
        guests
            .lane()
            .ok()
            .map(|(c, t)| (Box::new(c) as Box<dyn Planner + Send>, t))
    };
    let results = crate::table::lanes::run(&jobs, lanes, &fresh);
    report::finish(&call, &options, &env, &jobs, results)
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
                state: &self.state,
                refresh: &self.refresh,
                channel,
                location_name,
            })
            .collect()
    }
}

/// One connection to the target, with the lock timeout set.
fn connect(options: &Options) -> Result<Target, OdbcError> {
    let target = Target::connect(
        options.connect_string.as_deref(),
        options.dsn.as_deref(),
        options.verbose,
    )?;
    target.set_lock_timeout(options.lock_timeout)?;
    Ok(target)
}
