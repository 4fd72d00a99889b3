//! The call's connection to the target: through the ODBC driver, or, for SQLite, natively.

use super::native_sqlite::{NativeSqlite, settings};
use super::{Database, OdbcError, RowSink, Target};
use crate::domain::{LoadShape, TargetColumn};

/// One connection to the target, whichever way it was made.
pub enum Session {
    /// Boxed: a `Target` carries the native PostgreSQL companion's state.
    Odbc(Box<Target>),
    Sqlite(NativeSqlite),
}

impl Session {
    /// Connects as ODBC would; a SQLite target that sqliteodbc would reach, with settings the
    /// native session reproduces, is opened natively unless `native_sqlite` is off.
    pub fn connect(
        connect_string: Option<&str>,
        dsn: Option<&str>,
        verbose: bool,
        native_sqlite: bool,
    ) -> Result<Session, OdbcError> {
        if native_sqlite && let Some(settings) = settings::from_odbc(connect_string, dsn) {
            let _waiting =
                crate::watchdog::waiting(crate::watchdog::Kind::Connect, "opening the database");
            return NativeSqlite::open(&settings, verbose).map(Session::Sqlite);
        }
        Target::connect(connect_string, dsn, verbose).map(|t| Session::Odbc(Box::new(t)))
    }

    /// See [`Target::use_native_settings`]; PostgreSQL only.
    pub fn use_native_settings(&mut self, conninfo: &str) {
        if let Session::Odbc(target) = self {
            target.use_native_settings(conninfo);
        }
    }

    pub fn set_lock_timeout(&self, seconds: u64) -> Result<(), OdbcError> {
        match self {
            Session::Odbc(target) => target.set_lock_timeout(seconds),
            Session::Sqlite(native) => super::session_settings::apply_lock_timeout(native, seconds),
        }
    }

    /// See [`Target::require_exact_values`]; SQLite has no such mode.
    pub fn require_exact_values(&self) -> Result<(), OdbcError> {
        match self {
            Session::Odbc(target) => target.require_exact_values(),
            Session::Sqlite(_) => Ok(()),
        }
    }

    /// See [`Target::probe_native`]; a native SQLite session has no second connection.
    pub fn probe_native(&self) -> Result<bool, OdbcError> {
        match self {
            Session::Odbc(target) => target.probe_native(),
            Session::Sqlite(_) => Ok(false),
        }
    }

    /// The table's primary key columns in key order (`check`); empty without one.
    pub fn primary_key(
        &self,
        catalog: Option<&str>,
        schema: Option<&str>,
        table: &str,
    ) -> Result<Vec<String>, OdbcError> {
        match self {
            Session::Odbc(target) => target.primary_key(catalog, schema, table),
            Session::Sqlite(native) => native.primary_key(table),
        }
    }

    fn db(&self) -> &dyn Database {
        match self {
            Session::Odbc(target) => &**target,
            Session::Sqlite(native) => native,
        }
    }
}

impl Database for Session {
    fn autocommit(&self) -> Result<(), OdbcError> {
        self.db().autocommit()
    }
    fn begin(&self) -> Result<(), OdbcError> {
        self.db().begin()
    }
    fn commit(&self) -> Result<(), OdbcError> {
        self.db().commit()
    }
    fn rollback(&self) -> Result<(), OdbcError> {
        self.db().rollback()
    }
    fn execute(&self, what: &str, sql: &str) -> Result<(), OdbcError> {
        self.db().execute(what, sql)
    }
    fn execute_with(&self, what: &str, sql: &str, params: &[&str]) -> Result<(), OdbcError> {
        self.db().execute_with(what, sql, params)
    }
    fn query_text(
        &self,
        what: &str,
        sql: &str,
        params: &[&str],
    ) -> Result<Option<String>, OdbcError> {
        self.db().query_text(what, sql, params)
    }
    fn dbms_name(&self) -> String {
        self.db().dbms_name()
    }
    fn current_catalog(&self) -> Option<String> {
        self.db().current_catalog()
    }
    fn columns(
        &self,
        catalog: Option<&str>,
        schema: Option<&str>,
        table: &str,
    ) -> Result<Vec<TargetColumn>, OdbcError> {
        self.db().columns(catalog, schema, table)
    }
    fn loader<'a>(
        &'a self,
        shape: &LoadShape,
        width: usize,
        batch_rows: usize,
    ) -> Result<Box<dyn RowSink + 'a>, OdbcError> {
        self.db().loader(shape, width, batch_rows)
    }
    fn for_transaction(&self, shape: &LoadShape) -> Result<&dyn Database, OdbcError> {
        self.db().for_transaction(shape)
    }
}
