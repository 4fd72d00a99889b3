//! The user's options: the AgentPlugin `/UserArgument` string, split like a shell would, with
//! every option also settable as `HVR_WASM_<OPTION>` (so `Environment` actions work).

use std::path::PathBuf;

use clap::{ArgAction, Parser, ValueEnum};
use thiserror::Error;

use crate::csv::FormatError;
pub use crate::domain::Style;

#[derive(Debug, Error)]
pub enum OptionsError {
    #[error(
        "the user argument cannot be split into words: {reason} (it is not shown, since it may hold a secret; check its quotes)"
    )]
    Split { reason: String },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Format(#[from] FormatError),
}

/// How a SQLite target is reached (`--sqlite-session`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SqliteSession {
    Native,
    Odbc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompressOption {
    None,
    Gzip,
    Lz4,
}

mod choices;
mod files;
mod toolbox;
mod words;

pub use files::{AdaptDdl, ColumnTypes, FileOptions};
pub use toolbox::ToolboxOptions;

use words::{describe_parse_error, keep_escapes};

#[derive(Parser, Clone)]
#[command(
    name = "hvrwasmagent",
    about = "HVR AgentPlugin: loads HVR's files (CSV, Parquet, Avro, JSON) into a database through a WebAssembly connector",
    disable_version_flag = true,
    // A later use of an option replaces an earlier one: `replay` appends options to a
    // recorded user argument (another --connector, another --parallel).
    args_override_self = true
)]
pub struct Options {
    /// Connector: a built-in name (see --help's list) or a path to a .wasm component.
    #[arg(long, env = "HVR_WASM_CONNECTOR", default_value = "sqlite")]
    pub connector: String,

    /// Directory searched for NAME.wasm, which overrides a built-in connector of that name
    /// [default: the directory of this executable].
    #[arg(long, env = "HVR_WASM_CONNECTOR_DIR")]
    pub connector_dir: Option<PathBuf>,

    /// Wall-clock limit of one connector call, in milliseconds.
    #[arg(
        long,
        env = "HVR_WASM_GUEST_TIMEOUT_MS",
        default_value_t = 10_000,
        value_name = "MS"
    )]
    pub guest_timeout_ms: u64,

    /// Memory a connector may use, in MiB.
    #[arg(
        long,
        env = "HVR_WASM_GUEST_MEMORY_MB",
        default_value_t = 256,
        value_name = "MIB"
    )]
    pub guest_memory_mb: usize,

    /// Directory for compiled connectors, or `off` [default: $HVR_CONFIG/tmp/hvrwasmagent-cache,
    /// else $XDG_CACHE_HOME/hvrwasmagent, else ~/.cache/hvrwasmagent].
    #[arg(long, env = "HVR_WASM_COMPILE_CACHE", value_name = "DIR|off")]
    pub compile_cache: Option<String>,

    /// ODBC connection string of the target. Never printed.
    #[arg(long, env = "HVR_WASM_CONNECT_STRING", hide_env_values = true)]
    pub connect_string: Option<String>,

    /// ODBC data source name of the target (instead of --connect-string).
    #[arg(long, env = "HVR_WASM_DSN")]
    pub dsn: Option<String>,

    /// PostgreSQL only: a libpq URI or keyword/value string for the native session that COPY
    /// loads use [default: the psqlODBC connect string's or DSN's settings]. Never printed.
    #[arg(long, env = "HVR_WASM_NATIVE_CONNECT_STRING", hide_env_values = true)]
    pub native_connect_string: Option<String>,

    /// SQLite only: open the database natively (SQLite is linked in) or through the ODBC
    /// driver. Native is used when the connect string's or DSN's driver is sqliteodbc and its
    /// settings are ones the native session reproduces (Database, Timeout, SyncPragma,
    /// JournalMode, FKSupport, NoCreat); otherwise the driver connects.
    #[arg(
        long,
        env = "HVR_WASM_SQLITE_SESSION",
        value_enum,
        default_value = "native"
    )]
    pub sqlite_session: SqliteSession,

    /// Name of the extra column holding {hvr_op}; dropped before the target.
    #[arg(
        short = 'o',
        long,
        env = "HVR_WASM_OP_COLUMN",
        default_value = "op_type"
    )]
    pub op_column: String,

    /// Like -o, but the op column is kept in the target.
    #[arg(
        short = 'O',
        long,
        env = "HVR_WASM_KEEP_OP_COLUMN",
        value_name = "NAME"
    )]
    pub keep_op_column: Option<String>,

    /// Name of the SoftDelete extra column; dropped before the target (replication copy).
    #[arg(
        short = 'd',
        long,
        env = "HVR_WASM_SOFT_DELETE_COLUMN",
        default_value = "is_deleted"
    )]
    pub soft_delete_column: String,

    /// Like -d, but the column is kept: a SoftDelete target.
    #[arg(
        short = 'D',
        long,
        env = "HVR_WASM_KEEP_SOFT_DELETE_COLUMN",
        value_name = "NAME"
    )]
    pub keep_soft_delete_column: Option<String>,

    /// TimeKey target: append every change, extra columns included.
    #[arg(short = 't', long, env = "HVR_WASM_TIME_KEY", action = ArgAction::SetTrue)]
    pub time_key: bool,

    /// Preserve the target's rows on refresh (no truncate).
    #[arg(short = 'p', long, env = "HVR_WASM_PRESERVE", action = ArgAction::SetTrue)]
    pub preserve: bool,

    /// Refresh of a subset (HVR's Restrict /RefreshCondition): instead of emptying the table,
    /// delete only the rows matching CONDITION (SQL of the target), then load. TABLE:CONDITION,
    /// or *:CONDITION for every table (repeatable; `;`-separated in the variable).
    #[arg(
        long = "refresh-condition",
        env = "HVR_WASM_REFRESH_CONDITION",
        value_name = "TABLE:CONDITION"
    )]
    pub refresh_conditions: Vec<String>,

    /// Identifies one refresh across its slices (sliced refresh); HVR's context variable
    /// `-Vrefresh_id=...` (HVR_VAR_REFRESH_ID) is read when this is not given. Without it a
    /// refresh is told from the next by its slice numbers (see docs/exactly-once.md).
    #[arg(long, env = "HVR_WASM_REFRESH_ID", value_name = "ID")]
    pub refresh_id: Option<String>,

    /// Refresh into a shadow table and swap it in at commit (connectors that support it).
    #[arg(long, env = "HVR_WASM_REFRESH_SHADOW", action = ArgAction::SetTrue)]
    pub refresh_shadow: bool,

    /// Keep the files after loading them.
    #[arg(short = 'y', long, env = "HVR_WASM_KEEP_FILES", action = ArgAction::SetTrue)]
    pub keep_files: bool,

    /// Table in the target that records which files each table applied (the exactly-once
    /// fence); created when missing. May be schema-qualified.
    #[arg(long, env = "HVR_WASM_STATE_TABLE", default_value = "hvr_wasm_state")]
    pub state_table: String,

    /// Seconds connecting to the target may take before the call fails.
    #[arg(
        long,
        env = "HVR_WASM_CONNECT_TIMEOUT",
        default_value_t = 30,
        value_name = "S"
    )]
    pub connect_timeout: u64,

    /// Seconds a statement waits for a lock another session holds (a reader, another call for
    /// the same table) before its table fails; the other tables go on. 0: wait forever.
    #[arg(
        long,
        env = "HVR_WASM_LOCK_TIMEOUT",
        default_value_t = 120,
        value_name = "S"
    )]
    pub lock_timeout: u64,

    /// Seconds one statement or commit may take before the call ends with an error (a frozen
    /// server, a connection that never answers). 0: no bound.
    #[arg(
        long,
        env = "HVR_WASM_STATEMENT_TIMEOUT",
        default_value_t = 3600,
        value_name = "S"
    )]
    pub statement_timeout: u64,

    /// Tables applied at the same time, each in its own transaction over its own connection.
    #[arg(long, env = "HVR_WASM_PARALLEL", default_value_t = 4, value_name = "N")]
    pub parallel: usize,

    /// Integrate /RenameExpression, to map file names to tables.
    #[arg(
        long,
        env = "HVR_WASM_RENAME_EXPRESSION",
        default_value = crate::hvr::rename::DEFAULT_EXPRESSION
    )]
    pub rename_expression: String,

    #[command(flatten)]
    pub files: FileOptions,

    #[command(flatten)]
    pub toolbox: ToolboxOptions,

    /// Whether the files start with a header line (FileFormat /HeaderLine).
    #[arg(long, env = "HVR_WASM_HEADER_LINE", default_value = "true", value_name = "BOOL", action = ArgAction::Set)]
    pub header_line: bool,

    /// FileFormat /FieldSeparator (C escapes like \t and \x1f work).
    #[arg(long, env = "HVR_WASM_FIELD_SEPARATOR", default_value = ",")]
    pub field_separator: String,

    /// FileFormat /LineSeparator: \n (default), \r\n, or another single byte.
    #[arg(long, env = "HVR_WASM_LINE_SEPARATOR", default_value = "\\n")]
    pub line_separator: String,

    /// FileFormat /QuoteCharacter; empty for none.
    #[arg(long, env = "HVR_WASM_QUOTE_CHARACTER", default_value = "\"")]
    pub quote_character: String,

    /// FileFormat /EscapeCharacter [default: the quote character].
    #[arg(long, env = "HVR_WASM_ESCAPE_CHARACTER")]
    pub escape_character: Option<String>,

    /// FileFormat /NullRepresentation [default: an empty unquoted field is NULL].
    #[arg(long, env = "HVR_WASM_NULL_REPRESENTATION")]
    pub null_representation: Option<String>,

    /// FileFormat /FileTerminator, removed from the end of each file.
    #[arg(long, env = "HVR_WASM_FILE_TERMINATOR")]
    pub file_terminator: Option<String>,

    /// FileFormat /Encoding: UTF-8, US-ASCII, ISO-8859-1, ISO-8859-9, WINDOWS-1251,
    /// WINDOWS-1252, UTF-16LE, UTF-16BE.
    #[arg(long, env = "HVR_WASM_ENCODING", default_value = "UTF-8")]
    pub encoding: String,

    /// FileFormat /Compress.
    #[arg(long, env = "HVR_WASM_COMPRESS", value_enum, default_value = "none")]
    pub compress: CompressOption,

    /// SAP multi-delete (op 8) for a table: TABLE:COLUMN, where COLUMN is the key column such
    /// rows do not match on (repeatable; `;`-separated in the variable).
    #[arg(
        long = "multi-delete",
        env = "HVR_WASM_MULTI_DELETE",
        value_name = "TABLE:COLUMN"
    )]
    pub multi_delete: Vec<String>,

    /// A transform (.wasm) run on every batch between decoding and loading (repeatable, in
    /// order; `;`-separated in the variable).
    #[arg(long = "transform", env = "HVR_WASM_TRANSFORMS", value_name = "PATH")]
    pub transforms: Vec<String>,

    /// key=value passed to every transform (repeatable; `;`-separated in the variable).
    #[arg(
        long = "transform-option",
        env = "HVR_WASM_TRANSFORM_OPTIONS",
        value_name = "KEY=VALUE"
    )]
    pub transform_options: Vec<String>,

    /// key=value passed to the connector (repeatable).
    #[arg(
        long = "connector-option",
        env = "HVR_WASM_CONNECTOR_OPTIONS",
        value_name = "KEY=VALUE"
    )]
    pub connector_options: Vec<String>,

    /// Endpoint of an S3-compatible server, an Azure Blob endpoint or emulator, or a GCS base
    /// URL [default: the provider's, or AWS_ENDPOINT / AZURE_STORAGE_ENDPOINT].
    #[arg(long, env = "HVR_WASM_STORE_ENDPOINT", value_name = "URL")]
    pub store_endpoint: Option<String>,

    /// Setting of the cloud store, with object_store's names: aws_access_key_id,
    /// aws_secret_access_key, aws_session_token, aws_region, azure_storage_account_key,
    /// azure_storage_sas_key, azure_storage_client_id/_secret/_tenant_id,
    /// google_service_account, ... (repeatable; `;`-separated in the variable). Never printed.
    #[arg(
        long = "store-config",
        env = "HVR_WASM_STORE_CONFIG",
        value_name = "KEY=VALUE",
        hide_env_values = true
    )]
    pub store_config: Vec<String>,

    /// Retries of one store request after a network error or a server error.
    #[arg(
        long,
        env = "HVR_WASM_STORE_RETRIES",
        default_value_t = 3,
        value_name = "N"
    )]
    pub store_retries: usize,

    /// After the cycle's tables are committed, also delete files in the location that belong
    /// to these tables but are not in this cycle's list: leftovers of earlier, interrupted
    /// cycles. HVR's state directory is never touched.
    #[arg(long, env = "HVR_WASM_CLEANUP_STALE_FILES", action = ArgAction::SetTrue)]
    pub cleanup_stale_files: bool,

    /// Print each SQL statement before running it.
    #[arg(short = 'v', long, env = "HVR_WASM_VERBOSE", action = ArgAction::SetTrue)]
    pub verbose: bool,

    /// Set by `plan`, never by a user: nothing is committed, and the log says so.
    #[arg(skip)]
    pub dry_run: bool,
}

impl Options {
    /// Whether a SQLite target may be opened natively.
    pub fn native_sqlite(&self) -> bool {
        self.sqlite_session == SqliteSession::Native
    }

    /// Parses the user argument (one string from HVR) plus `HVR_WASM_*` variables.
    pub fn from_user_argument(arg: Option<&str>) -> Result<Options, OptionsError> {
        let words = match arg {
            Some(a) => split_user_argument(a)?,
            None => Vec::new(),
        };
        Options::from_words(words)
    }

    /// Parses already split words (no program name).
    pub fn from_words(words: Vec<String>) -> Result<Options, OptionsError> {
        use clap::{CommandFactory, FromArgMatches, parser::ValueSource};
        let argv = std::iter::once("hvrwasmagent".to_string()).chain(words.clone());
        let matches = Options::command()
            .try_get_matches_from(argv)
            .map_err(|e| OptionsError::Invalid(describe_parse_error(&e, &words)))?;
        let mut options = Options::from_arg_matches(&matches)
            .map_err(|e| OptionsError::Invalid(describe_parse_error(&e, &words)))?;
        // Lists are `;`-separated in their variable only: on the command line a value may hold
        // a `;` (`--connector-option "init=SET a=1; SET b=2"`), and each use of the option is
        // one value.
        let from_env = |id: &str| matches.value_source(id) == Some(ValueSource::EnvVariable);
        for (id, list) in [
            ("multi_delete", &mut options.multi_delete),
            ("refresh_conditions", &mut options.refresh_conditions),
            ("transforms", &mut options.transforms),
            ("transform_options", &mut options.transform_options),
            ("connector_options", &mut options.connector_options),
            ("store_config", &mut options.store_config),
            ("column_types", &mut options.files.column_types),
        ] {
            if from_env(id) {
                *list = list
                    .iter()
                    .flat_map(|v| v.split(';'))
                    .filter(|v| !v.trim().is_empty())
                    .map(str::to_string)
                    .collect();
            }
        }
        Ok(options)
    }

    pub fn wait_bounds(&self) -> crate::watchdog::Bounds {
        use std::time::Duration;
        crate::watchdog::Bounds {
            connect: Duration::from_secs(self.connect_timeout.max(1)),
            statement: (self.statement_timeout > 0)
                .then(|| Duration::from_secs(self.statement_timeout)),
            progress_every: Duration::from_secs(30),
        }
    }

    pub fn limits(&self) -> crate::runtime::Limits {
        crate::runtime::Limits {
            timeout: std::time::Duration::from_millis(self.guest_timeout_ms.max(1)),
            memory: self.guest_memory_mb.max(1) * 1024 * 1024,
        }
    }

    pub fn compile_cache(&self) -> crate::runtime::CompileCache {
        use crate::runtime::CompileCache;
        match self.compile_cache.as_deref() {
            Some("off") | Some("") => CompileCache::disabled(),
            Some(dir) => CompileCache::at(dir.into()),
            None => CompileCache::default_location()
                .map(CompileCache::at)
                .unwrap_or_else(CompileCache::disabled),
        }
    }
}

/// The user argument as words, split like a shell would but keeping HVR's `\t`-like escapes.
pub fn split_user_argument(arg: &str) -> Result<Vec<String>, OptionsError> {
    shell_words::split(&keep_escapes(arg)).map_err(|e| OptionsError::Split {
        reason: e.to_string(),
    })
}
