//! SQLite without the driver: the target sqliteodbc would have reached, opened with SQLite
//! itself (linked into the binary) and used as the host uses every target.
//!
//! Why: SQLite is the embedded default, and a small cycle into it spent more of its time in
//! the driver manager and the driver (reading `odbcinst.ini`, loading the driver, its own
//! pragmas) than in SQLite; and sqliteodbc prepares an INSERT again for every row of a
//! parameter array, half of a refresh's CPU. Here a load statement is prepared once per load.
//!
//! What it keeps of the driver: the file and settings (`settings`), the catalog as the driver
//! reports it (`catalog`), text parameters, and ODBC's manual-commit rule: after `begin`, the
//! next statement opens a transaction (deferred, as the driver's `BEGIN TRANSACTION`), and
//! after a commit the next one opens another. `--sqlite-session odbc` goes through the driver.

mod catalog;
mod load;
pub mod settings;

use std::cell::Cell;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, Statement};

use super::{Database, OdbcError, RowSink};
use crate::domain::{LoadShape, TargetColumn};
pub use settings::SqliteSettings;

/// `PRAGMA max_page_count` of the SQLite the driver runs on (the bundled one allows more).
const DRIVER_MAX_PAGE_COUNT: u32 = 1_073_741_823;

/// One native connection to a SQLite database.
pub struct NativeSqlite {
    conn: Connection,
    verbose: bool,
    /// Manual commit (after `begin`, until `autocommit`): statements run in a transaction.
    manual: Cell<bool>,
}

fn failed(what: &str, sql: Option<&str>, source: rusqlite::Error) -> OdbcError {
    OdbcError::Sqlite {
        what: what.to_string(),
        sql: sql.map(str::to_string),
        source,
    }
}

/// A text parameter, or NULL; bound without copying or checking the bytes again.
pub(super) fn text_param(value: Option<&[u8]>) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(value.map_or(ValueRef::Null, ValueRef::Text))
}

impl NativeSqlite {
    /// Opens the database as sqliteodbc would (the same flags, busy timeout and pragmas).
    pub fn open(settings: &SqliteSettings, verbose: bool) -> Result<NativeSqlite, OdbcError> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if !settings.must_exist {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let open_error = |source| OdbcError::SqliteOpen {
            path: settings.path.clone(),
            source,
        };
        let conn = Connection::open_with_flags(&settings.path, flags).map_err(open_error)?;
        conn.busy_timeout(settings.busy_timeout)
            .map_err(open_error)?;
        let session = NativeSqlite {
            conn,
            verbose,
            manual: Cell::new(false),
        };
        let mut pragmas = vec![format!("PRAGMA synchronous = {}", settings.synchronous)];
        if let Some(mode) = &settings.journal_mode {
            pragmas.push(format!("PRAGMA journal_mode = {mode}"));
        }
        // Always said, as the driver says it: the bundled SQLite enforces foreign keys by
        // default, the driver (and Debian's SQLite) does not.
        pragmas.push(format!(
            "PRAGMA foreign_keys = {}",
            if settings.foreign_keys { "on" } else { "off" }
        ));
        // Where the SQLite the driver runs on (Debian's build) was compiled with other
        // defaults than the bundled one: deleted content is overwritten, and the file may
        // grow to the same number of pages. The e2e suite compares these pragmas.
        pragmas.push("PRAGMA secure_delete = on".into());
        pragmas.push(format!("PRAGMA max_page_count = {DRIVER_MAX_PAGE_COUNT}"));
        for sql in pragmas {
            session.run("applying the connect string's settings", &sql, &[])?;
        }
        Ok(session)
    }

    /// The table's primary key columns in key order; empty without one (or without the table).
    pub fn primary_key(&self, table: &str) -> Result<Vec<String>, OdbcError> {
        catalog::primary_key(&self.conn, table).map_err(|source| OdbcError::SqliteCatalog {
            table: table.to_string(),
            source,
        })
    }

    /// In manual commit, opens the transaction the next statement runs in.
    fn in_transaction(&self) -> Result<(), OdbcError> {
        if self.manual.get() && self.conn.is_autocommit() {
            self.conn
                .execute_batch("BEGIN")
                .map_err(|e| failed("starting a transaction", None, e))?;
        }
        Ok(())
    }

    /// Runs every statement of `sql` (the driver runs scripts of DDL too), binding `params`
    /// to the first; rows are stepped through and dropped.
    fn run(&self, what: &str, sql: &str, params: &[&str]) -> Result<(), OdbcError> {
        self.in_transaction()?;
        let _waiting = crate::watchdog::waiting(crate::watchdog::Kind::Statement, what);
        if params.is_empty() {
            return self
                .conn
                .execute_batch(sql)
                .map_err(|e| failed(what, Some(sql), e));
        }
        let mut statement = self.prepare(what, sql)?;
        bind(&mut statement, params).map_err(|e| failed(what, Some(sql), e))?;
        let mut rows = statement.raw_query();
        while rows
            .next()
            .map_err(|e| failed(what, Some(sql), e))?
            .is_some()
        {}
        Ok(())
    }

    fn prepare(&self, what: &str, sql: &str) -> Result<Statement<'_>, OdbcError> {
        self.conn
            .prepare(sql)
            .map_err(|e| failed(what, Some(sql), e))
    }

    fn end_transaction(&self, what: &'static str, sql: &str) -> Result<(), OdbcError> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        let _waiting = crate::watchdog::waiting(crate::watchdog::Kind::Statement, what);
        self.conn
            .execute_batch(sql)
            .map_err(|e| failed(what, None, e))
    }
}

fn bind(statement: &mut Statement<'_>, params: &[&str]) -> rusqlite::Result<()> {
    for (i, p) in params.iter().enumerate() {
        statement.raw_bind_parameter(i + 1, text_param(Some(p.as_bytes())))?;
    }
    Ok(())
}

/// A value as text, as the driver returns it: SQLite's own conversion for a REAL (its digits
/// are SQLite's), a BLOB as a literal.
fn as_text(conn: &Connection, value: ValueRef<'_>) -> rusqlite::Result<Option<String>> {
    Ok(match value {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(r) => {
            Some(conn.query_row("SELECT CAST(?1 AS TEXT)", [r], |row| row.get(0))?)
        }
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        // The driver gives a BLOB as text in SQL's literal form.
        ValueRef::Blob(b) => {
            let hex: String = b.iter().map(|byte| format!("{byte:02X}")).collect();
            Some(format!("X'{hex}'"))
        }
    })
}

impl Database for NativeSqlite {
    fn autocommit(&self) -> Result<(), OdbcError> {
        self.manual.set(false);
        self.end_transaction("switching to autocommit", "COMMIT")
    }

    fn begin(&self) -> Result<(), OdbcError> {
        self.manual.set(true);
        Ok(())
    }

    fn commit(&self) -> Result<(), OdbcError> {
        self.end_transaction("commit", "COMMIT")
    }

    fn rollback(&self) -> Result<(), OdbcError> {
        self.end_transaction("rollback", "ROLLBACK")
    }

    fn execute(&self, what: &str, sql: &str) -> Result<(), OdbcError> {
        self.execute_with(what, sql, &[])
    }

    fn execute_with(&self, what: &str, sql: &str, params: &[&str]) -> Result<(), OdbcError> {
        if self.verbose {
            say!("  SQL: {sql}");
        }
        self.run(what, sql, params)
    }

    fn query_text(
        &self,
        what: &str,
        sql: &str,
        params: &[&str],
    ) -> Result<Option<String>, OdbcError> {
        self.in_transaction()?;
        let _waiting = crate::watchdog::waiting(crate::watchdog::Kind::Statement, what);
        let error = |e| failed(what, Some(sql), e);
        let mut statement = self.prepare(what, sql)?;
        bind(&mut statement, params).map_err(error)?;
        let mut rows = statement.raw_query();
        let Some(row) = rows.next().map_err(error)? else {
            return Ok(None);
        };
        if row.as_ref().column_count() == 0 {
            return Ok(None);
        }
        as_text(&self.conn, row.get_ref(0).map_err(error)?).map_err(error)
    }

    fn dbms_name(&self) -> String {
        "SQLite".to_string()
    }

    fn current_catalog(&self) -> Option<String> {
        None
    }

    fn columns(
        &self,
        _catalog: Option<&str>,
        _schema: Option<&str>,
        table: &str,
    ) -> Result<Vec<TargetColumn>, OdbcError> {
        self.in_transaction()?;
        catalog::columns(&self.conn, table).map_err(|source| OdbcError::SqliteCatalog {
            table: table.to_string(),
            source,
        })
    }

    fn loader<'a>(
        &'a self,
        shape: &LoadShape,
        width: usize,
        batch_rows: usize,
    ) -> Result<Box<dyn RowSink + 'a>, OdbcError> {
        if self.verbose {
            say!("  SQL (load): {}", super::load::describe(shape));
        }
        self.in_transaction()?;
        Ok(Box::new(load::NativeLoader::new(
            self, shape, width, batch_rows,
        )?))
    }

    fn for_transaction(&self, _shape: &LoadShape) -> Result<&dyn Database, OdbcError> {
        Ok(self)
    }
}
