//! One AgentPlugin call from start to exit code.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use thiserror::Error;

mod summary;

use summary::{refresh_call, short_reason, summarize};

use crate::cleanup;
use crate::connectors::{self, ConnectorError, Origin};
use crate::fence::{FenceError, StateTable};
use crate::hvr::env::EnvError;
use crate::hvr::rename::RenameExpression;
use crate::hvr::{HvrEnv, Invocation, Mode};
use crate::odbc::{OdbcError, Target};
use crate::options::{Options, OptionsError};
use crate::runtime::{CacheStatus, ConnectorInstance, Sandbox, SandboxError, TransformInstance};
use crate::store::{FileLocation, LocationError};
use crate::table::{Outcome, TableError, TableJob};

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
    #[error("{failed} of {total} table(s) failed: {messages}")]
    Tables {
        failed: usize,
        total: usize,
        messages: String,
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
    let user_arg = args.get(3).map(String::as_str);
    let options = Options::from_user_argument(user_arg)?;
    crate::watchdog::start(options.wait_bounds());
    let format = options.csv_format()?;
    let connector_options = options.connector_options()?;
    let rename = RenameExpression::parse(&options.rename_expression)?;
    if !mode.loads_files() {
        return Ok(Exit::Done);
    }
    if env.is_recovery_call() {
        say!(
            "hvrwasmagent {}: HVR gave no table or file lists (a recovery call): nothing to do",
            mode.as_str()
        );
        return Ok(Exit::Done);
    }
    let invocation = Invocation::from_env(&env, &rename)?;
    // A refresh of a table whose source is empty empties it, with or without other tables.
    if invocation.files.is_empty() && mode != Mode::RefreshEnd {
        say!(
            "hvrwasmagent {}: HVR_FILE_NAMES is empty, nothing to load",
            mode.as_str()
        );
        return Ok(Exit::Done);
    }
    let state = StateTable::new(&options.state_table)?;
    let refresh = match mode {
        Mode::RefreshEnd => refresh_call(&env, &options)?,
        _ => crate::fence::RefreshCall::single(None),
    };
    let store_settings = options.store_settings()?;
    let location = match (
        invocation.file_location.as_deref(),
        invocation.files.first(),
    ) {
        (Some(l), Some(first)) => Some(FileLocation::connect(l, &store_settings, &first.name)?),
        _ => None,
    };
    if options.verbose
        && let Some(location) = &location
    {
        say!("files in {}", location.describe());
    }

    let bytes = connectors::resolve(&options.connector, options.connector_dir.as_deref())?;
    let sandbox = Sandbox::new(options.limits(), options.compile_cache())?;
    let compiled = sandbox.compile(&bytes.name, &bytes.wasm)?;
    if let CacheStatus::NotStored(why) = &compiled.cache {
        say!("W_JX0E00: compiled connector not cached: {why}");
    }
    let first = sandbox.instantiate(&bytes.name, &compiled)?;
    check_style(&options, first.info())?;
    if options.verbose {
        let origin = match &bytes.origin {
            Origin::BuiltIn => "built in".to_string(),
            Origin::File(p) => p.display().to_string(),
        };
        say!(
            "connector {} {} ({origin})",
            first.info().name,
            first.info().version
        );
    }
    let transform_options = options.transform_options()?;
    let transforms = options
        .transforms
        .iter()
        .filter(|t| !t.is_empty())
        .map(|path| {
            let bytes = connectors::read_transform(path)?;
            let compiled = sandbox.compile_transform(&bytes.name, &bytes.wasm)?;
            Ok((bytes.name, compiled))
        })
        .collect::<Result<Vec<_>, AgentError>>()?;
    let transform_set = || -> Result<Vec<TransformInstance>, SandboxError> {
        transforms
            .iter()
            .map(|(name, compiled)| sandbox.instantiate_transform(name, compiled))
            .collect()
    };
    let connect = || -> Result<Target, OdbcError> {
        let target = Target::connect(
            options.connect_string.as_deref(),
            options.dsn.as_deref(),
            options.verbose,
        )?;
        target.set_lock_timeout(options.lock_timeout)?;
        Ok(target)
    };
    let target = connect()?;
    // Created once, before any table's transaction: DDL may commit implicitly (MariaDB), and
    // parallel creators would race.
    state.prepare(&target)?;

    let channel = args.get(1).map(String::as_str).unwrap_or("");
    let location_name = args.get(2).map(String::as_str).unwrap_or("");
    let jobs: Vec<TableJob> = invocation
        .tables
        .iter()
        .enumerate()
        .map(|(index, spec)| (spec, invocation.files_of(index)))
        // Refresh empties a table even when the source had no rows for it; integrate only
        // touches tables with changes.
        .filter(|(_, files)| !files.is_empty() || mode == Mode::RefreshEnd)
        .map(|(spec, files)| TableJob {
            mode,
            spec,
            files,
            location: location.as_ref(),
            format: &format,
            options: &options,
            connector_options: &connector_options,
            transform_options: &transform_options,
            state: &state,
            refresh: &refresh,
            channel,
            location_name,
        })
        .collect();

    // One connection and one connector instance per worker.
    let limit = first
        .info()
        .max_parallel_tables
        .map_or(usize::MAX, |n| n as usize);
    let workers = options.parallel.min(limit).clamp(1, jobs.len().max(1));
    let mut lanes = vec![Lane {
        target,
        connector: first,
        transforms: transform_set()?,
    }];
    for _ in 1..workers {
        lanes.push(Lane {
            target: connect()?,
            connector: sandbox.instantiate(&bytes.name, &compiled)?,
            transforms: transform_set()?,
        });
    }
    let fresh = || -> Result<(ConnectorInstance, Vec<TransformInstance>), SandboxError> {
        Ok((
            sandbox.instantiate(&bytes.name, &compiled)?,
            transform_set()?,
        ))
    };
    let results = run_parallel(&jobs, lanes, &fresh);

    let (mut loaded, mut skipped, mut rows) = (0, 0, 0u64);
    let mut failed = Vec::new();
    let mut not_removed = Vec::new();
    let mut done = Vec::new();
    for (job, result) in jobs.iter().zip(results) {
        let name = job.spec.name.as_str();
        let cleanup = match result {
            Ok(Outcome::Loaded {
                rows: r, cleanup, ..
            }) => {
                loaded += 1;
                rows += r;
                done.push(name);
                cleanup
            }
            Ok(Outcome::AlreadyApplied { cleanup, .. }) => {
                skipped += 1;
                done.push(name);
                cleanup
            }
            Err(e) => {
                // The job log gets every detail (SQL included); the F_J line a short reason.
                say!("table {name} failed: {e}");
                failed.push(format!("table {name}: {}", short_reason(&e.to_string())));
                None
            }
        };
        if let Some(why) = cleanup {
            say!("W_JX0E00: table {name}: committed, but its files could not be removed: {why}");
            not_removed.push(name);
        }
    }
    if options.cleanup_stale_files
        && !options.keep_files
        && let Some(location) = &location
    {
        // Housekeeping after the commits: a failure here is reported, not fatal.
        match cleanup::stale_files(location, &invocation, &rename, &env, &done) {
            Ok(0) => {}
            Ok(n) => say!("removed {n} stale file(s) of earlier, interrupted cycles"),
            Err(e) => say!("W_JX0E00: stale files not removed: {e}"),
        }
    }
    say!(
        "hvrwasmagent {}: {loaded} table(s) loaded, {skipped} already applied, {} failed, {rows} rows committed, {} file(s){}",
        mode.as_str(),
        failed.len(),
        invocation.files.len(),
        if not_removed.is_empty() {
            String::new()
        } else {
            format!(
                "; files of {} committed table(s) not removed",
                not_removed.len()
            )
        }
    );
    if !failed.is_empty() {
        return Err(AgentError::Tables {
            failed: failed.len(),
            total: jobs.len(),
            messages: summarize(&failed),
        });
    }
    if !not_removed.is_empty() {
        return Err(AgentError::NotRemoved {
            tables: not_removed.join(", "),
        });
    }
    Ok(Exit::Done)
}

/// What one worker applies tables with.
struct Lane {
    target: Target,
    connector: ConnectorInstance,
    transforms: Vec<TransformInstance>,
}

type FreshGuests<'a> =
    dyn Fn() -> Result<(ConnectorInstance, Vec<TransformInstance>), SandboxError> + Sync + 'a;

/// Runs the jobs over the lanes, each job in one lane; results come back in job order.
fn run_parallel(
    jobs: &[TableJob],
    lanes: Vec<Lane>,
    fresh: &FreshGuests<'_>,
) -> Vec<Result<Outcome, TableError>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Outcome, TableError>>>> =
        Mutex::new(jobs.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for mut lane in lanes {
            let (next, results) = (&next, &results);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(job) = jobs.get(i) else { break };
                    let result = job.run(&lane.target, &mut lane.connector, &mut lane.transforms);
                    // A guest stopped by a limit cannot be called again: the lane's next
                    // table gets new instances.
                    if matches!(
                        result,
                        Err(TableError::Sandbox(_) | TableError::Transform(_))
                    ) && let Ok((connector, transforms)) = fresh()
                    {
                        lane.connector = connector;
                        lane.transforms = transforms;
                    }
                    results.lock().expect("no worker panics holding the lock")[i] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("workers finished")
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

fn check_style(
    options: &Options,
    info: &crate::runtime::bindings::types::Info,
) -> Result<(), AgentError> {
    use crate::options::Style;
    use crate::runtime::bindings::types::TargetStyle;
    let (wanted, name) = match options.style() {
        Style::ReplicationCopy => (TargetStyle::ReplicationCopy, "replication copy"),
        Style::SoftDelete => (TargetStyle::SoftDelete, "soft delete"),
        Style::TimeKey => (TargetStyle::TimeKey, "time key"),
    };
    if info.styles.contains(&wanted) {
        return Ok(());
    }
    Err(AgentError::Style {
        connector: info.name.clone(),
        style: name,
        supported: crate::bridge::style_name(&info.styles).join(", "),
    })
}
