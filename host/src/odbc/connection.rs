use std::sync::OnceLock;

use odbc_api::parameter::VarCharSlice;
use odbc_api::{Connection, ConnectionOptions, Cursor, Environment};

use super::catalog::{column_rows, name_text};
use super::load::BatchLoader;
use super::native_pg::Companion;
use super::{Database, OdbcError, RowSink};
use crate::domain::{LoadShape, LogicalType, TargetColumn};

fn environment() -> Result<&'static Environment, OdbcError> {
    static ENV: OnceLock<Environment> = OnceLock::new();
    if let Some(env) = ENV.get() {
        return Ok(env);
    }
    let env = Environment::new().map_err(OdbcError::Environment)?;
    Ok(ENV.get_or_init(|| env))
}

/// One connection to the target.
pub struct Target {
    conn: Connection<'static>,
    verbose: bool,
    /// The native PostgreSQL session for COPY loads, opened on first use.
    native: Companion,
    /// A streamed load was dropped unfinished: the open transaction holds part of it, so it
    /// may only be rolled back.
    unfinished_load: std::cell::Cell<bool>,
}

impl Target {
    /// Connects with a connection string or a DSN. The connection string is never printed:
    /// driver messages are passed on, the string is not.
    pub fn connect(
        connect_string: Option<&str>,
        dsn: Option<&str>,
        verbose: bool,
    ) -> Result<Target, OdbcError> {
        let env = environment()?;
        let _waiting =
            crate::watchdog::waiting(crate::watchdog::Kind::Connect, "connecting to the target");
        let conn = match (connect_string, dsn) {
            (Some(cs), _) => env
                .connect_with_connection_string(cs, ConnectionOptions::default())
                .map_err(|source| OdbcError::Connect {
                    how: "connection string",
                    source,
                })?,
            (None, Some(dsn)) => env
                .connect(dsn, "", "", ConnectionOptions::default())
                .map_err(|source| OdbcError::Connect { how: "DSN", source })?,
            (None, None) => return Err(OdbcError::NoTarget),
        };
        Ok(Target {
            conn,
            verbose,
            native: Companion::new(connect_string, dsn, verbose),
            unfinished_load: std::cell::Cell::new(false),
        })
    }

    /// Opens the native PostgreSQL session (for COPY loads) from a libpq URI or keyword/value
    /// string rather than from the ODBC settings.
    pub fn use_native_settings(&mut self, conninfo: &str) {
        self.native.set_libpq_settings(conninfo);
    }

    /// Opens the native PostgreSQL session now, to prove it can be (`check`); says whether the
    /// line is encrypted.
    pub fn probe_native(&self) -> Result<bool, OdbcError> {
        self.native_session()?.encrypted()
    }

    fn native_session(&self) -> Result<&super::native_pg::NativePg, OdbcError> {
        self.native
            .session(|sql| self.query_text("asking which database ODBC reached", sql, &[]))
    }

    /// Bounds how long a statement waits for another session's lock, in the target's own
    /// terms (the native PostgreSQL session's too); `0` leaves the target's default.
    pub fn set_lock_timeout(&self, seconds: u64) -> Result<(), OdbcError> {
        self.native.set_lock_timeout(seconds);
        super::session_settings::apply_lock_timeout(self, seconds)
    }

    /// See [`super::session_settings::require_exact_values`].
    pub fn require_exact_values(&self) -> Result<(), OdbcError> {
        super::session_settings::require_exact_values(self)
    }

    pub fn connection(&self) -> &Connection<'static> {
        &self.conn
    }

    /// The open transaction holds part of a load that was stopped: refuse to commit it.
    pub(super) fn forbid_commit(&self) {
        self.unfinished_load.set(true);
    }

    pub fn verbose(&self) -> bool {
        self.verbose
    }
}

/// The host's seam to the target, over this one ODBC connection.
impl Database for Target {
    /// The table's columns in ordinal order; empty when the table does not exist.
    fn columns(
        &self,
        catalog: Option<&str>,
        schema: Option<&str>,
        table: &str,
    ) -> Result<Vec<TargetColumn>, OdbcError> {
        let err = |source| OdbcError::Catalog {
            table: match catalog.or(schema) {
                Some(s) => format!("{s}.{table}"),
                None => table.to_string(),
            },
            source,
        };
        let mut rows = Vec::new();
        // Names are patterns to SQLColumns (`_` matches any character), so filter exactly.
        let found = column_rows(
            &self.conn,
            catalog.unwrap_or(""),
            schema.unwrap_or(""),
            table,
        )
        .map_err(err)?;
        for row in found {
            let (row_catalog, row_schema) = (name_text(&row.catalog), name_text(&row.schema));
            if name_text(&row.table) != table
                || schema.is_some_and(|s| !row_schema.is_empty() && row_schema != s)
                || catalog.is_some_and(|c| !row_catalog.is_empty() && row_catalog != c)
            {
                continue;
            }
            let (size, scale) = (row.column_size.into_opt(), row.decimal_digits.into_opt());
            rows.push((
                row.ordinal_position,
                TargetColumn {
                    name: name_text(&row.column_name),
                    type_name: name_text(&row.type_name),
                    size,
                    scale,
                    nullable: row.nullable != 0,
                    logical_type: LogicalType::from_odbc(row.data_type, size, scale),
                },
            ));
        }
        rows.sort_by_key(|(pos, _)| *pos);
        Ok(rows.into_iter().map(|(_, c)| c).collect())
    }

    /// Back to autocommit: each statement its own transaction (the connection stays in manual
    /// commit after a table's transaction otherwise).
    fn autocommit(&self) -> Result<(), OdbcError> {
        // Switching to autocommit commits what is open: a stopped load's rows must not be.
        if self.unfinished_load.get() {
            self.rollback()?;
        }
        self.conn
            .set_autocommit(true)
            .map_err(|source| OdbcError::Transaction {
                what: "switching to autocommit",
                source,
            })
    }

    fn begin(&self) -> Result<(), OdbcError> {
        self.conn
            .set_autocommit(false)
            .map_err(|source| OdbcError::Transaction {
                what: "starting a transaction",
                source,
            })
    }

    fn commit(&self) -> Result<(), OdbcError> {
        if self.unfinished_load.get() {
            return Err(OdbcError::Load(
                "a load stopped before its end; its transaction is rolled back, not committed"
                    .into(),
            ));
        }
        let _waiting = crate::watchdog::waiting(crate::watchdog::Kind::Statement, "commit");
        self.conn.commit().map_err(|source| OdbcError::Transaction {
            what: "commit",
            source,
        })
    }

    /// Rolls back; a failure here is reported but the caller already has the real error.
    fn rollback(&self) -> Result<(), OdbcError> {
        self.conn
            .rollback()
            .inspect(|()| self.unfinished_load.set(false))
            .map_err(|source| OdbcError::Transaction {
                what: "rollback",
                source,
            })
    }

    fn execute(&self, what: &str, sql: &str) -> Result<(), OdbcError> {
        if self.verbose {
            say!("  SQL: {sql}");
        }
        let _waiting = crate::watchdog::waiting(crate::watchdog::Kind::Statement, what);
        self.conn
            .execute(sql, (), None)
            .map(|_| ())
            .map_err(|source| OdbcError::Statement {
                what: what.to_string(),
                sql: sql.to_string(),
                source,
            })
    }

    /// Runs a statement with text parameters.
    fn execute_with(&self, what: &str, sql: &str, params: &[&str]) -> Result<(), OdbcError> {
        if self.verbose {
            say!("  SQL: {sql}");
        }
        let _waiting = crate::watchdog::waiting(crate::watchdog::Kind::Statement, what);
        let bound: Vec<VarCharSlice<'_>> = params
            .iter()
            .map(|p| VarCharSlice::new(p.as_bytes()))
            .collect();
        self.conn
            .execute(sql, &bound[..], None)
            .map(|_| ())
            .map_err(|source| OdbcError::Statement {
                what: what.to_string(),
                sql: sql.to_string(),
                source,
            })
    }

    /// The first column of the first row as text; `None` without rows or for NULL.
    fn query_text(
        &self,
        what: &str,
        sql: &str,
        params: &[&str],
    ) -> Result<Option<String>, OdbcError> {
        let error = |source| OdbcError::Statement {
            what: what.to_string(),
            sql: sql.to_string(),
            source,
        };
        let bound: Vec<VarCharSlice<'_>> = params
            .iter()
            .map(|p| VarCharSlice::new(p.as_bytes()))
            .collect();
        let _waiting = crate::watchdog::waiting(crate::watchdog::Kind::Statement, what);
        let Some(mut cursor) = self.conn.execute(sql, &bound[..], None).map_err(error)? else {
            return Ok(None);
        };
        let Some(mut row) = cursor.next_row().map_err(error)? else {
            return Ok(None);
        };
        let mut buf = Vec::new();
        if !row.get_text(1, &mut buf).map_err(error)? {
            return Ok(None);
        }
        Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
    }

    /// The DBMS the driver says it talks to (`PostgreSQL`, `MariaDB`, `SQLite`, ...).
    fn dbms_name(&self) -> String {
        self.conn
            .database_management_system_name()
            .unwrap_or_default()
    }

    /// The connection's current catalog (MariaDB: the database), when the driver has one.
    fn current_catalog(&self) -> Option<String> {
        self.conn.current_catalog().ok().filter(|c| !c.is_empty())
    }

    /// A plan that loads with COPY runs its transaction on the native PostgreSQL session.
    fn for_transaction(&self, shape: &LoadShape) -> Result<&dyn Database, OdbcError> {
        if shape.needs_native_postgres() {
            return Ok(self.native_session()?);
        }
        Ok(self)
    }

    fn loader<'a>(
        &'a self,
        shape: &LoadShape,
        width: usize,
        batch_rows: usize,
    ) -> Result<Box<dyn RowSink + 'a>, OdbcError> {
        if let LoadShape::MariadbLoadData { table, columns } = shape {
            if self.verbose {
                say!("  SQL (load): {}", super::load::describe(shape));
            }
            return Ok(Box::new(super::load_data::LoadData::new(
                self, table, columns,
            )?));
        }
        Ok(Box::new(BatchLoader::new(self, shape, width, batch_rows)?))
    }
}
