//! Options of the operator's toolbox: the cycle history and summary file, rows set aside,
//! progress lines and recording a call for replay. All are off unless asked for, so a
//! channel that does not use them runs exactly as before.

use std::path::PathBuf;

use clap::Args;

#[derive(Args, Clone, Debug, Default)]
pub struct ToolboxOptions {
    /// Table in the target that gets one row per table per call that applies it (channel,
    /// location, mode, files, rows by op, rows set aside, times, versions), written in the
    /// table's own transaction; created when missing. May be schema-qualified.
    #[arg(long, env = "HVR_WASM_HISTORY_TABLE", value_name = "NAME")]
    pub history_table: Option<String>,

    /// Writes the call's outcome as JSON to PATH at its end, whether it succeeded or not
    /// (for monitoring): the history table's fields per table, plus totals.
    #[arg(long, env = "HVR_WASM_SUMMARY_JSON", value_name = "PATH")]
    pub summary_json: Option<PathBuf>,

    /// Sets aside, in this table of the target, each row that cannot be decoded or that the
    /// target rejects (type, length, NOT NULL, constraint), with its file, position, fields
    /// and the message; the table's other rows apply in the same transaction. Without it a
    /// bad row fails its table (nothing applied). May be schema-qualified.
    #[arg(long, env = "HVR_WASM_ERROR_TABLE", value_name = "NAME")]
    pub error_table: Option<String>,

    /// With --error-table: a table with more rows set aside than this fails (nothing of it
    /// applied). 0: no limit.
    #[arg(
        long,
        env = "HVR_WASM_MAX_ERROR_ROWS",
        default_value_t = 1000,
        value_name = "N"
    )]
    pub max_error_rows: u64,

    /// Seconds between a loading table's progress lines (rows, MB, rows/s, percent of
    /// HVR_FILE_NROWS). 0: none.
    #[arg(
        long,
        env = "HVR_WASM_PROGRESS_EVERY",
        default_value_t = 10.0,
        value_name = "S"
    )]
    pub progress_every: f64,

    /// Copies the call (argv, HVR_* environment without secrets, and its files) into a new
    /// folder under DIR before it runs, for `hvrwasmagent replay`.
    #[arg(long, env = "HVR_WASM_RECORD", value_name = "DIR")]
    pub record: Option<PathBuf>,
}

impl ToolboxOptions {
    pub fn progress_every(&self) -> Option<std::time::Duration> {
        (self.progress_every > 0.0 && self.progress_every.is_finite())
            .then(|| std::time::Duration::from_secs_f64(self.progress_every))
    }

    /// The limit of rows set aside per table; `None` for no limit.
    pub fn max_error_rows(&self) -> Option<u64> {
        (self.max_error_rows > 0).then_some(self.max_error_rows)
    }
}
