//! `hvrwasmagent selftest --connector C --connect-string S`: the conformance suite a connector
//! author runs against their own connector and database. It plays HVR — a refresh that
//! creates the tables, a refresh over them, integrate cycles with inserts, updates, deletes,
//! keys deleted and inserted again and keys updated twice, truncates and SAP multi-deletes,
//! a call killed and run again, a call repeated — in every style the connector declares,
//! with awkward names and values, and after each call compares every table with a model
//! through the connection. It works in a schema (database) of its own, dropped at the end.
//!
//! The model, the data and HVR's file conventions (`model`, `data`, `channel`) are the same
//! code the e2e suite checks the first-party connectors with.

pub mod channel;
mod cli;
pub mod data;
mod hvr;
pub mod model;
mod scratch;
mod trials;

use crate::domain::{ConnectorInfo, Style as DomainStyle};
use model::Style;

pub use cli::SelftestArgs;

/// Why the suite could not run at all (a failed check is a result, not an error).
#[derive(Debug, thiserror::Error)]
pub enum SelftestError {
    #[error("{0}")]
    Usage(String),
    #[error("{source}")]
    Connector {
        connector: String,
        source: Box<crate::agent::AgentError>,
    },
    #[error("cannot reach the target: {0}")]
    Target(#[source] crate::odbc::OdbcError),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
}

/// One check's outcome, a line of the table.
pub struct Outcome {
    pub style: Style,
    pub check: String,
    /// `None` when it passed; else why not.
    pub failure: Option<String>,
    pub detail: String,
}

/// Runs the suite; returns whether every check passed.
pub fn run(args: &[String]) -> Result<bool, SelftestError> {
    let args = cli::parse(args)?;
    let info = describe(&args)?;
    let styles = args.styles(&info)?;
    let scratch = scratch::Scratch::open(&args)?;
    say!(
        "selftest: connector {} {} (dialect {}) against {}; working in {}",
        info.name,
        info.version,
        info.dialect,
        scratch.dbms(),
        scratch.describe()
    );
    let mut outcomes = Vec::new();
    for style in styles {
        let mut hvr = hvr::Hvr::new(&args, &scratch, style)?;
        outcomes.extend(trials::run_all(&mut hvr, &scratch));
    }
    let cleaned = if args.keep {
        format!("kept {} (--keep)", scratch.describe())
    } else {
        scratch.drop_all()
    };
    print_table(&outcomes);
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    say!(
        "selftest: {} passed, {failed} failed; {cleaned}",
        outcomes.len() - failed
    );
    Ok(failed == 0)
}

/// The connector's own description, through the sandbox as a cycle loads it.
fn describe(args: &SelftestArgs) -> Result<ConnectorInfo, SelftestError> {
    let failed = |e: crate::agent::AgentError| SelftestError::Connector {
        connector: args.connector.clone(),
        source: Box::new(e),
    };
    let options =
        crate::options::Options::from_words(vec!["--connector".into(), args.connector.clone()])
            .map_err(|e| failed(e.into()))?;
    crate::agent::describe_connector(&options)
        .map(|described| described.info)
        .map_err(failed)
}

fn print_table(outcomes: &[Outcome]) {
    say!("");
    say!("{:<17} {:<50} result", "style", "check");
    for o in outcomes {
        let result = match &o.failure {
            None => format!("ok    {}", o.detail),
            Some(why) => format!("FAIL  {why}"),
        };
        say!("{:<17} {:<50} {result}", style_name(o.style), o.check);
    }
}

pub(crate) fn style_name(style: Style) -> &'static str {
    match style {
        Style::ReplicationCopy => "replication-copy",
        Style::SoftDelete => "soft-delete",
        Style::TimeKey => "time-key",
    }
}

pub(crate) fn from_domain(style: DomainStyle) -> Style {
    match style {
        DomainStyle::ReplicationCopy => Style::ReplicationCopy,
        DomainStyle::SoftDelete => Style::SoftDelete,
        DomainStyle::TimeKey => Style::TimeKey,
    }
}
