//! One AgentPlugin call from start to exit code.

use thiserror::Error;

use crate::connectors::{self, ConnectorError, Origin};
use crate::files::{FileLocation, LocationError};
use crate::hvr::env::EnvError;
use crate::hvr::rename::RenameExpression;
use crate::hvr::{HvrEnv, Invocation, Mode};
use crate::odbc::{OdbcError, Target};
use crate::options::{Options, OptionsError};
use crate::runtime::{Sandbox, SandboxError};
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
    #[error("table {table}: {source}")]
    Table {
        table: String,
        source: Box<TableError>,
    },
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
    let user_arg = args.get(3).map(String::as_str);
    let options = Options::from_user_argument(user_arg)?;
    let format = options.csv_format()?;
    let connector_options = options.connector_options()?;
    let rename = RenameExpression::parse(&options.rename_expression)?;
    if !mode.loads_files() {
        return Ok(Exit::Done);
    }
    let env = HvrEnv::from_process()?;
    let invocation = Invocation::from_env(&env, &rename)?;
    if invocation.files.is_empty() {
        say!(
            "hvrwasmagent {}: HVR_FILE_NAMES is empty, nothing to load",
            mode.as_str()
        );
        return Ok(Exit::Done);
    }
    let location = invocation
        .file_location
        .as_deref()
        .map(FileLocation::parse)
        .transpose()?;

    let bytes = connectors::resolve(&options.connector, options.connector_dir.as_deref())?;
    let sandbox = Sandbox::new()?;
    let mut connector = sandbox.instantiate(&bytes.name, &bytes.wasm)?;
    check_style(&options, connector.info())?;
    if options.verbose {
        let origin = match &bytes.origin {
            Origin::BuiltIn => "built in".to_string(),
            Origin::File(p) => p.display().to_string(),
        };
        say!(
            "connector {} {} ({origin})",
            connector.info().name,
            connector.info().version
        );
    }
    let target = Target::connect(
        options.connect_string.as_deref(),
        options.dsn.as_deref(),
        options.verbose,
    )?;

    let (mut loaded, mut skipped, mut rows) = (0, 0, 0u64);
    for (index, spec) in invocation.tables.iter().enumerate() {
        let files = invocation.files_of(index);
        // Refresh empties a table even when the source had no rows for it; integrate only
        // touches tables with changes.
        if files.is_empty() && mode == Mode::IntegrateEnd {
            continue;
        }
        let job = TableJob {
            mode,
            spec,
            files,
            location: location.as_ref(),
            format: &format,
            options: &options,
            connector_options: &connector_options,
        };
        match job.run(&target, &mut connector) {
            Ok(Outcome::Loaded { rows: r, .. }) => {
                loaded += 1;
                rows += r;
            }
            Ok(Outcome::AlreadyApplied { .. }) => skipped += 1,
            Err(source) => {
                return Err(AgentError::Table {
                    table: spec.name.clone(),
                    source: Box::new(source),
                });
            }
        }
    }
    say!(
        "hvrwasmagent {}: {loaded} table(s) loaded, {skipped} already applied, {rows} rows, {} file(s)",
        mode.as_str(),
        invocation.files.len()
    );
    Ok(Exit::Done)
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
