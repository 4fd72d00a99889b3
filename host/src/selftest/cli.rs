//! `selftest`'s options.

use std::path::PathBuf;

use clap::Parser;

use super::SelftestError;
use super::model::Style;
use crate::domain::ConnectorInfo;

/// hvrwasmagent selftest: plays HVR against a connector and a database, checks every table
/// against a model after each call, and prints a pass/fail table. Works in a schema it
/// creates and drops (SQLite: tables named hvrst_*).
#[derive(Parser, Debug)]
#[command(name = "hvrwasmagent selftest", no_binary_name = true)]
pub struct SelftestArgs {
    /// Built-in connector name, or the path of a connector `.wasm`.
    #[arg(long, default_value = "sqlite")]
    pub connector: String,
    /// ODBC connection string of a database the suite may create a schema in; never printed.
    #[arg(long, env = "HVR_WASM_CONNECT_STRING", hide_env_values = true)]
    pub connect_string: Option<String>,
    /// ODBC data source name instead.
    #[arg(long)]
    pub dsn: Option<String>,
    /// Styles to test (replication-copy, soft-delete, time-key); default: every style the
    /// connector declares.
    #[arg(long = "style", value_delimiter = ',')]
    pub styles: Vec<String>,
    /// Rows per table in the refreshes (cycles change about half as many).
    #[arg(long, default_value_t = 24)]
    pub rows: usize,
    /// A `--connector-option KEY=VALUE` passed to every call (repeatable).
    #[arg(long = "connector-option")]
    pub connector_options: Vec<String>,
    /// Keep the schema and its tables afterwards, to look at them.
    #[arg(long)]
    pub keep: bool,
    /// Where the files of the calls are written (default: a new folder in the temp dir).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
}

pub fn parse(args: &[String]) -> Result<SelftestArgs, SelftestError> {
    let mut parsed =
        SelftestArgs::try_parse_from(args).map_err(|e| SelftestError::Usage(e.to_string()))?;
    if parsed.connect_string.is_none() && parsed.dsn.is_none() {
        return Err(SelftestError::Usage(
            "give --connect-string (or HVR_WASM_CONNECT_STRING) or --dsn: the database to test against".into(),
        ));
    }
    if parsed.rows < 8 {
        return Err(SelftestError::Usage(
            "--rows must be at least 8: the cycles need rows to update and delete".into(),
        ));
    }
    // A relative path would not survive the calls' working directory.
    if parsed.connector.contains('/') || parsed.connector.ends_with(".wasm") {
        let path = PathBuf::from(&parsed.connector);
        if let Ok(absolute) = std::path::absolute(&path) {
            parsed.connector = absolute.to_string_lossy().into_owned();
        }
    }
    if let Some(cs) = &parsed.connect_string {
        crate::secrets::register(cs);
    }
    Ok(parsed)
}

impl SelftestArgs {
    /// The styles to run: those asked for, each of which the connector must declare.
    pub fn styles(&self, info: &ConnectorInfo) -> Result<Vec<Style>, SelftestError> {
        let declared: Vec<Style> = info.styles.iter().map(|s| super::from_domain(*s)).collect();
        if self.styles.is_empty() {
            return Ok(declared);
        }
        self.styles
            .iter()
            .map(|name| {
                let style = match name.as_str() {
                    "replication-copy" => Style::ReplicationCopy,
                    "soft-delete" => Style::SoftDelete,
                    "time-key" => Style::TimeKey,
                    other => {
                        return Err(SelftestError::Usage(format!(
                            "--style {other}: give replication-copy, soft-delete or time-key"
                        )));
                    }
                };
                if !declared.contains(&style) {
                    return Err(SelftestError::Usage(format!(
                        "--style {name}: connector {} does not declare that style",
                        info.name
                    )));
                }
                Ok(style)
            })
            .collect()
    }
}
