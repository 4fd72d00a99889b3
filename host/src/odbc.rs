//! The target database through ODBC: connect, read the catalog, run statements, load batches.
//! Knows nothing of HVR or WebAssembly.
//!
//! [`Database`] is the seam the table orchestration and the fence work through; [`Target`]
//! implements it over one ODBC connection, and unit tests implement it with fakes.

mod catalog;
mod connection;
mod dry_run;
mod engine;
mod error;
mod keys;
mod load;
mod load_data;
pub mod native_pg;
mod native_sqlite;
mod odbc_ini;
mod pg_array;
mod refusal;
mod session;
mod session_settings;
mod text_rows;
mod unique_keys;
mod warnings;

pub use connection::Target;
pub use dry_run::DryRun;
pub use engine::non_transactional_engine;
pub use error::OdbcError;
pub use load::{BatchLoader, describe as describe_load};
pub use session::Session;
pub use unique_keys::{UniqueKey, unique_keys};

use crate::batch::TextBatch;
use crate::domain::{LoadShape, TargetColumn};

/// Whether the DBMS name a driver reports is MariaDB or MySQL, whose SQL the host's own
/// statements (lock timeouts, the state table's types, engines) share.
pub fn is_mariadb_or_mysql(dbms_name: &str) -> bool {
    let dbms = dbms_name.to_ascii_lowercase();
    dbms.contains("mariadb") || dbms.contains("mysql")
}

/// Receives one table's batches in one load shape, inside the open transaction.
pub trait RowSink {
    /// Loads the batch, or (a streaming sink) sends it to a statement that goes on running.
    fn load(&mut self, batch: &TextBatch) -> Result<(), OdbcError>;
    /// Ends what `load` left running and reports how it ended: a load is only done, and its
    /// errors only known, after this. Sinks that load each batch whole have nothing to end.
    fn finish(&mut self) -> Result<(), OdbcError> {
        Ok(())
    }
}

/// One connection to the target, as the host uses it.
pub trait Database {
    /// Ends any open transaction and runs each statement on its own.
    fn autocommit(&self) -> Result<(), OdbcError>;
    fn begin(&self) -> Result<(), OdbcError>;
    fn commit(&self) -> Result<(), OdbcError>;
    fn rollback(&self) -> Result<(), OdbcError>;
    /// Runs one statement; `what` says why, for its error.
    fn execute(&self, what: &str, sql: &str) -> Result<(), OdbcError>;
    fn execute_with(&self, what: &str, sql: &str, params: &[&str]) -> Result<(), OdbcError>;
    /// The first column of the first row as text; `None` without rows or for NULL.
    fn query_text(
        &self,
        what: &str,
        sql: &str,
        params: &[&str],
    ) -> Result<Option<String>, OdbcError>;
    /// The DBMS the driver says it talks to.
    fn dbms_name(&self) -> String;
    fn current_catalog(&self) -> Option<String>;
    /// The table's columns in ordinal order; empty when it does not exist.
    fn columns(
        &self,
        catalog: Option<&str>,
        schema: Option<&str>,
        table: &str,
    ) -> Result<Vec<TargetColumn>, OdbcError>;
    /// A sink for batches of `width` values in `shape`, `batch_rows` at a time.
    fn loader<'a>(
        &'a self,
        shape: &LoadShape,
        width: usize,
        batch_rows: usize,
    ) -> Result<Box<dyn RowSink + 'a>, OdbcError>;
    /// The connection a table whose plan loads in `shape` runs its transaction (and fence) on:
    /// this one, or one that can load that way (the native PostgreSQL session for COPY).
    fn for_transaction(&self, shape: &LoadShape) -> Result<&dyn Database, OdbcError>;
}

impl RowSink for BatchLoader<'_> {
    fn load(&mut self, batch: &TextBatch) -> Result<(), OdbcError> {
        BatchLoader::load(self, batch)
    }
}

/// A shared connection is a connection: lets a lane borrow one (the table tests share one fake
/// between the lanes and the fence).
impl<T: Database + ?Sized> Database for &T {
    fn autocommit(&self) -> Result<(), OdbcError> {
        (**self).autocommit()
    }
    fn begin(&self) -> Result<(), OdbcError> {
        (**self).begin()
    }
    fn commit(&self) -> Result<(), OdbcError> {
        (**self).commit()
    }
    fn rollback(&self) -> Result<(), OdbcError> {
        (**self).rollback()
    }
    fn execute(&self, what: &str, sql: &str) -> Result<(), OdbcError> {
        (**self).execute(what, sql)
    }
    fn execute_with(&self, what: &str, sql: &str, params: &[&str]) -> Result<(), OdbcError> {
        (**self).execute_with(what, sql, params)
    }
    fn query_text(
        &self,
        what: &str,
        sql: &str,
        params: &[&str],
    ) -> Result<Option<String>, OdbcError> {
        (**self).query_text(what, sql, params)
    }
    fn dbms_name(&self) -> String {
        (**self).dbms_name()
    }
    fn current_catalog(&self) -> Option<String> {
        (**self).current_catalog()
    }
    fn columns(
        &self,
        catalog: Option<&str>,
        schema: Option<&str>,
        table: &str,
    ) -> Result<Vec<TargetColumn>, OdbcError> {
        (**self).columns(catalog, schema, table)
    }
    fn loader<'a>(
        &'a self,
        shape: &LoadShape,
        width: usize,
        batch_rows: usize,
    ) -> Result<Box<dyn RowSink + 'a>, OdbcError> {
        (**self).loader(shape, width, batch_rows)
    }
    fn for_transaction(&self, shape: &LoadShape) -> Result<&dyn Database, OdbcError> {
        (**self).for_transaction(shape)
    }
}
