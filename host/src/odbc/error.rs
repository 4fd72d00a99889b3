//! What can go wrong with the target, and how the host tells the kinds apart: a deadlock to
//! run again, rows the target refused (which `--error-table` can set aside), a duplicate key,
//! or anything else. Errors of the ODBC driver and of the native PostgreSQL session alike.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum OdbcError {
    #[error("cannot initialise ODBC (is unixODBC installed?): {0}")]
    Environment(odbc_api::Error),
    #[error("cannot connect to the target through ODBC ({how}): {source}")]
    Connect {
        how: &'static str,
        source: odbc_api::Error,
    },
    #[error(
        "no target given: set --connect-string or --dsn (or HVR_WASM_CONNECT_STRING / HVR_WASM_DSN)"
    )]
    NoTarget,
    #[error("connecting to the target stopped on an internal error: {0}")]
    ConnectPanicked(String),
    #[error("reading the catalog columns of {table}: {source}")]
    Catalog {
        table: String,
        source: odbc_api::Error,
    },
    #[error("{what} failed: {source}\n  SQL: {sql}")]
    Statement {
        what: String,
        sql: String,
        source: odbc_api::Error,
    },
    #[error("{what} failed: {source}")]
    Transaction {
        what: &'static str,
        source: odbc_api::Error,
    },
    #[error("{0}")]
    Load(String),
    /// A value the target stored adjusted, or a row it skipped, instead of refusing it (a
    /// warning after a load, which the host makes an error; `code` is the warning's number).
    #[error("{message}")]
    AdjustedValue { code: i32, message: String },
    #[error(
        "the server refuses LOAD DATA LOCAL INFILE (its local_infile is off): turn it on (SET GLOBAL local_infile = 1, or local_infile in the server's configuration), or load with --connector-option load=parameter-arrays; {source}"
    )]
    LocalInfileRefused { source: Box<OdbcError> },
    #[error(
        "the {dbms} connection's character set is {found}: HVR's files are UTF-8, and text sent over this connection would be stored re-encoded; {fix}"
    )]
    ClientCharset {
        dbms: &'static str,
        found: String,
        fix: &'static str,
    },
    #[error(
        "cannot connect to PostgreSQL natively (for a COPY load): {}; fix the connect string's settings or give --native-connect-string, or load over ODBC with --connector-option load=unnest",
        super::native_pg::describe(source)
    )]
    NativeConnect { source: postgres::Error },
    #[error("{what} failed on the native PostgreSQL connection: {}{}", super::native_pg::describe(source), sql.as_deref().map(|s| format!("\n  SQL: {s}")).unwrap_or_default())]
    Native {
        what: String,
        sql: Option<String>,
        source: postgres::Error,
    },
    #[error(
        "the plan loads with PostgreSQL COPY, which needs the native PostgreSQL connection: {0}; or load over ODBC with --connector-option load=unnest"
    )]
    NativeUnavailable(String),
    #[error(
        "cannot open the SQLite database {path}: {source}; or connect through the ODBC driver with --sqlite-session odbc"
    )]
    SqliteOpen {
        path: String,
        source: rusqlite::Error,
    },
    #[error("{what} failed: {source}{}", sql.as_deref().map(|s| format!("\n  SQL: {s}")).unwrap_or_default())]
    Sqlite {
        what: String,
        sql: Option<String>,
        source: rusqlite::Error,
    },
    #[error("reading the catalog columns of {table}: {source}")]
    SqliteCatalog {
        table: String,
        source: rusqlite::Error,
    },
    /// What a fake database in the unit tests fails with.
    #[cfg(test)]
    #[error("fake database: {message}")]
    Fake { message: String, transient: bool },
}

impl OdbcError {
    /// The row (from 1) of the failed statement's input that the server names: PostgreSQL's
    /// COPY context (`COPY t, line 3`), MariaDB's `at row 3`.
    pub fn failed_row(&self) -> Option<u64> {
        if let OdbcError::Native { source, .. } = self {
            return super::native_pg::copy_row(source);
        }
        leading_row_number(self.to_string().rsplit_once("at row ")?.1)
    }

    /// The SQLSTATE of an error from the native PostgreSQL connection.
    fn native_state(&self) -> Option<&str> {
        match self {
            OdbcError::Native { source, .. } => super::native_pg::sqlstate(source),
            _ => None,
        }
    }

    /// The driver's diagnostic record behind a failed statement or transaction.
    fn diagnostic(&self) -> Option<&odbc_api::handles::Record> {
        let source = match self {
            OdbcError::Statement { source, .. }
            | OdbcError::Transaction { source, .. }
            | OdbcError::Catalog { source, .. } => source,
            _ => return None,
        };
        match source {
            odbc_api::Error::Diagnostics { record, .. } => Some(record),
            _ => None,
        }
    }

    /// A deadlock or serialization failure (SQLSTATE 40001, PostgreSQL 40P01), or SQLite's
    /// busy database: the transaction is rolled back and running it again may succeed.
    pub fn is_transient(&self) -> bool {
        #[cfg(test)]
        if let OdbcError::Fake { transient, .. } = self {
            return *transient;
        }
        self.is_busy()
            || self
                .diagnostic()
                .map(|r| r.state.as_str())
                .or(self.native_state())
                .is_some_and(|state| matches!(state, "40001" | "40P01"))
    }

    /// SQLite's "database is locked" (SQLITE_BUSY, native error 5), which SQLite returns at
    /// once, without waiting, when waiting could deadlock.
    pub fn is_busy(&self) -> bool {
        if let Some(code) = self.sqlite_code() {
            return code == rusqlite::ErrorCode::DatabaseBusy;
        }
        !matches!(self, OdbcError::Catalog { .. })
            && self
                .diagnostic()
                .is_some_and(|r| r.native_error == 5 && r.state.as_str() == "HY000")
    }

    /// SQLite's primary result code behind a failed statement of the native session.
    fn sqlite_code(&self) -> Option<rusqlite::ErrorCode> {
        match self {
            OdbcError::Sqlite { source, .. } => source.sqlite_error_code(),
            _ => None,
        }
    }

    /// Whether the target refused the rows themselves (a value, a length, a constraint), so
    /// that loading fewer of them may succeed: only errors known to be about rows
    /// (`odbc::refusal`), never a lost connection, a timeout, a lock, a permission, a full
    /// disk, a missing table or an error of the host's own.
    pub fn is_about_the_rows(&self) -> bool {
        #[cfg(test)]
        if let OdbcError::Fake { transient, .. } = self {
            return !*transient;
        }
        if self.is_transient() {
            return false;
        }
        match self {
            OdbcError::Sqlite { source, .. } => source
                .sqlite_error_code()
                .is_some_and(super::refusal::sqlite_refuses_the_row),
            OdbcError::Native { .. } => self
                .native_state()
                .is_some_and(super::refusal::state_refuses_the_row),
            OdbcError::Statement { .. } => self.diagnostic().is_some_and(|r| {
                super::refusal::diagnostic_refuses_the_row(r.state.as_str(), r.native_error)
            }),
            OdbcError::AdjustedValue { code, .. } => {
                super::refusal::mariadb_code_refuses_the_row(*code) || self.failed_row().is_some()
            }
            _ => false,
        }
    }

    /// A foreign key's refusal, of a child without its parent or of a parent its children
    /// still refer to: one that rows another table of the same call commits may lift.
    pub fn is_foreign_key_violation(&self) -> bool {
        match self {
            OdbcError::Sqlite {
                source: rusqlite::Error::SqliteFailure(e, _),
                ..
            } => e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY,
            OdbcError::Native { .. } => self.native_state() == Some("23503"),
            OdbcError::Statement { .. } => self.diagnostic().is_some_and(|r| {
                super::refusal::diagnostic_is_foreign_key(
                    r.state.as_str(),
                    r.native_error,
                    &r.to_string(),
                )
            }),
            OdbcError::AdjustedValue { code, .. } => {
                super::refusal::mariadb_code_is_foreign_key(*code)
            }
            _ => false,
        }
    }

    /// `self`, explained when it is the server refusing `LOAD DATA LOCAL INFILE` itself.
    pub fn explain_local_infile(self) -> OdbcError {
        match self.diagnostic() {
            Some(r) if super::refusal::refuses_local_infile(r.native_error) => {
                OdbcError::LocalInfileRefused {
                    source: Box::new(self),
                }
            }
            _ => self,
        }
    }

    /// An integrity constraint the statement broke (SQLSTATE class 23: a duplicate key, a
    /// foreign key, NOT NULL, CHECK; SQLite's constraint codes), or a cardinality violation
    /// (21000: the MariaDB connector's guard subquery): failures that applying the same
    /// changes in another order may avoid (see `table::in_order`).
    pub fn is_constraint_violation(&self) -> bool {
        #[cfg(test)]
        if let OdbcError::Fake { message, .. } = self {
            return message.contains("constraint");
        }
        let violates = |state: &str| state.starts_with("23") || state == "21000";
        if let OdbcError::Sqlite {
            source: rusqlite::Error::SqliteFailure(e, _),
            ..
        } = self
        {
            return e.code == rusqlite::ErrorCode::ConstraintViolation;
        }
        (matches!(self, OdbcError::Statement { .. })
            && self
                .diagnostic()
                .is_some_and(|r| violates(r.state.as_str())))
            || self.native_state().is_some_and(violates)
    }

    /// An integrity constraint violation (SQLSTATE class 23: a duplicate key).
    pub fn is_unique_violation(&self) -> bool {
        (matches!(self, OdbcError::Statement { .. })
            && self
                .diagnostic()
                .is_some_and(|r| r.state.as_str().starts_with("23")))
            || self.native_state().is_some_and(|s| s.starts_with("23"))
            || matches!(self, OdbcError::Sqlite { source: rusqlite::Error::SqliteFailure(e, _), .. }
                if matches!(e.extended_code, rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY))
    }
}

/// The row number (from 1) that `text` starts with, as a server writes it after `line ` or
/// `at row `.
pub(super) fn leading_row_number(text: &str) -> Option<u64> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|&n| n > 0)
}
