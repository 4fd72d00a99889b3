//! One native PostgreSQL session implementing the host's [`Database`] seam, and the
//! [`Companion`] an ODBC target keeps to open it on first use.
//!
//! It behaves as the ODBC connection does where the host relies on it: after `begin`, the
//! connection stays in manual commit (a statement after `commit` opens the next transaction;
//! `autocommit` commits what is open), and a failed statement inside a transaction is undone
//! alone (a savepoint around each, as psqlODBC's statement-level rollback does), so the
//! transaction goes on.

use std::cell::{Cell, OnceCell, RefCell};

use super::config::NativeConfig;
use super::copy::CopySink;
use crate::domain::{LoadShape, TargetColumn};
use crate::odbc::{Database, OdbcError, RowSink};

/// The savepoint around each statement (not a COPY batch: see `copy.rs`), its release, and
/// the undo of a failed one (its release too, or savepoints would pile up as subtransactions).
const SAVEPOINT: &str = "SAVEPOINT hvrwasm_statement";
const RELEASE: &str = "RELEASE SAVEPOINT hvrwasm_statement";
const UNDO: &str = "ROLLBACK TO SAVEPOINT hvrwasm_statement; RELEASE SAVEPOINT hvrwasm_statement";

/// `COMMIT` of a failed transaction is a rollback that PostgreSQL reports as success. The
/// statement before it fails there instead, so a commit that would drop the transaction's work
/// is an error (a refused COPY batch leaves its transaction failed: see `copy.rs`).
const COMMIT: &str = "SELECT 1; COMMIT";

pub struct NativePg {
    pub(super) client: RefCell<postgres::Client>,
    in_transaction: Cell<bool>,
    manual_commit: Cell<bool>,
    verbose: bool,
}

impl NativePg {
    pub fn connect(
        config: &NativeConfig,
        lock_timeout: u64,
        verbose: bool,
    ) -> Result<NativePg, OdbcError> {
        let _waiting = crate::watchdog::waiting(
            crate::watchdog::Kind::Connect,
            "connecting to PostgreSQL natively",
        );
        let connected = match config.tls.mode {
            super::tls::TlsMode::Disable => config.config.connect(postgres::NoTls),
            _ => {
                let tls = config
                    .tls
                    .connector()
                    .map_err(|e| OdbcError::NativeUnavailable(e.to_string()))?;
                config.config.connect(tls)
            }
        };
        let client = connected.map_err(|source| OdbcError::NativeConnect { source })?;
        let session = NativePg {
            client: RefCell::new(client),
            in_transaction: Cell::new(false),
            manual_commit: Cell::new(false),
            verbose,
        };
        // Parameters are sent as quoted literals: backslashes must stay plain characters.
        session.run(
            "setting up the native connection",
            "SET standard_conforming_strings = on",
        )?;
        if lock_timeout > 0 {
            session.run(
                "setting the lock timeout",
                &format!("SET lock_timeout = '{lock_timeout}s'"),
            )?;
        }
        Ok(session)
    }

    pub(super) fn error(what: &str, sql: Option<&str>, source: postgres::Error) -> OdbcError {
        OdbcError::Native {
            what: what.to_string(),
            sql: sql.map(str::to_string),
            source,
        }
    }

    /// Whether the server says this session's line is encrypted (`pg_stat_ssl`).
    pub fn encrypted(&self) -> Result<bool, OdbcError> {
        let rows = self.run(
            "asking the server whether the line is encrypted",
            "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        )?;
        Ok(rows.first().cloned().flatten().as_deref() == Some("true"))
    }

    /// Runs `sql` (one statement) and returns its rows' first values, undoing it alone when
    /// it fails inside a transaction. The caller's own savepoint statements run bare: releasing
    /// a savepoint around them would release theirs too.
    fn run(&self, what: &str, sql: &str) -> Result<Vec<Option<String>>, OdbcError> {
        let _waiting = crate::watchdog::waiting(crate::watchdog::Kind::Statement, what);
        let mut client = self.client.borrow_mut();
        if self.manual_commit.get() && !self.in_transaction.get() {
            self.open(&mut client)?;
        }
        let guarded = self.in_transaction.get() && !manages_savepoints(sql);
        let text = if guarded {
            format!("{SAVEPOINT}; {sql}")
        } else {
            sql.to_string()
        };
        match client.simple_query(&text) {
            Ok(messages) => {
                if guarded {
                    client
                        .batch_execute(RELEASE)
                        .map_err(|e| Self::error(what, Some(sql), e))?;
                }
                Ok(messages
                    .into_iter()
                    .filter_map(|m| match m {
                        postgres::SimpleQueryMessage::Row(row) => {
                            Some(row.get(0).map(str::to_string))
                        }
                        _ => None,
                    })
                    .collect())
            }
            Err(e) => {
                if guarded {
                    // If even this fails, the transaction is lost and the next statement says so.
                    let _ = client.batch_execute(UNDO);
                }
                Err(Self::error(what, Some(sql), e))
            }
        }
    }

    /// `BEGIN`, on the client the caller already holds.
    fn open(&self, client: &mut postgres::Client) -> Result<(), OdbcError> {
        client
            .batch_execute("BEGIN")
            .map_err(|e| Self::error("starting a transaction", None, e))?;
        self.in_transaction.set(true);
        Ok(())
    }

    /// Ends the open transaction with `sql`. When that fails, a `ROLLBACK` ends whatever is
    /// left of it, so the session is never left inside a transaction it thinks is closed.
    fn end(&self, what: &'static str, sql: &str) -> Result<(), OdbcError> {
        if self.in_transaction.replace(false) {
            let _waiting = crate::watchdog::waiting(crate::watchdog::Kind::Statement, what);
            let mut client = self.client.borrow_mut();
            if let Err(e) = client.batch_execute(sql) {
                let _ = client.batch_execute("ROLLBACK");
                return Err(Self::error(what, None, e));
            }
        }
        Ok(())
    }
}

/// `SAVEPOINT`, `RELEASE` or `ROLLBACK TO`: the caller's own statement-level undo.
fn manages_savepoints(sql: &str) -> bool {
    let words: Vec<String> = sql
        .split_whitespace()
        .take(2)
        .map(str::to_ascii_uppercase)
        .collect();
    matches!(
        words
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["SAVEPOINT", ..] | ["RELEASE", ..] | ["ROLLBACK", "TO", ..]
    )
}

/// `?` placeholders outside quotes replaced by the values as quoted literals.
fn with_literals(sql: &str, params: &[&str]) -> String {
    let mut out =
        String::with_capacity(sql.len() + params.iter().map(|p| p.len() + 2).sum::<usize>());
    let (mut quote, mut next) = (None, params.iter());
    for c in sql.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '?') => {
                if let Some(value) = next.next() {
                    out.push('\'');
                    out.push_str(&value.replace('\'', "''"));
                    out.push('\'');
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

impl Database for NativePg {
    fn autocommit(&self) -> Result<(), OdbcError> {
        self.manual_commit.set(false);
        self.end("commit", COMMIT)
    }
    /// A transaction still open here was abandoned (its table's work panicked): it is rolled
    /// back, never carried into the next table's commit.
    fn begin(&self) -> Result<(), OdbcError> {
        self.manual_commit.set(true);
        self.end("rollback", "ROLLBACK")?;
        self.open(&mut self.client.borrow_mut())
    }
    fn commit(&self) -> Result<(), OdbcError> {
        self.end("commit", COMMIT)
    }
    fn rollback(&self) -> Result<(), OdbcError> {
        self.end("rollback", "ROLLBACK")
    }
    /// `--verbose` prints the statement as the ODBC connection does, never the values bound
    /// to it, so `plan` and a real run print the same.
    fn execute(&self, what: &str, sql: &str) -> Result<(), OdbcError> {
        if self.verbose {
            say!("  SQL: {sql}");
        }
        self.run(what, sql).map(|_| ())
    }
    fn execute_with(&self, what: &str, sql: &str, params: &[&str]) -> Result<(), OdbcError> {
        if self.verbose {
            say!("  SQL: {sql}");
        }
        self.run(what, &with_literals(sql, params)).map(|_| ())
    }
    fn query_text(
        &self,
        what: &str,
        sql: &str,
        params: &[&str],
    ) -> Result<Option<String>, OdbcError> {
        Ok(self
            .run(what, &with_literals(sql, params))?
            .into_iter()
            .next()
            .flatten())
    }
    fn for_transaction(&self, _shape: &LoadShape) -> Result<&dyn Database, OdbcError> {
        Ok(self)
    }
    fn dbms_name(&self) -> String {
        "PostgreSQL".into()
    }
    fn current_catalog(&self) -> Option<String> {
        self.run("reading the database name", "SELECT current_database()")
            .ok()
            .and_then(|rows| rows.into_iter().next().flatten())
    }
    /// From `information_schema` (the host reads the catalog over ODBC; this serves callers
    /// that hold only this connection). Logical types are left unknown.
    fn columns(
        &self,
        _catalog: Option<&str>,
        schema: Option<&str>,
        table: &str,
    ) -> Result<Vec<TargetColumn>, OdbcError> {
        let in_schema = match schema {
            Some(_) => "?",
            None => "current_schema()",
        };
        let params: Vec<&str> = std::iter::once(table).chain(schema).collect();
        let sql = with_literals(
            &format!(
                "SELECT column_name || chr(9) || udt_name || chr(9) || COALESCE(character_maximum_length, numeric_precision, -1) \
                 || chr(9) || COALESCE(numeric_scale, -1) || chr(9) || is_nullable FROM information_schema.columns \
                 WHERE table_name = ? AND table_schema = {in_schema} ORDER BY ordinal_position"
            ),
            &params,
        );
        let rows = self.run("reading the catalog columns", &sql)?;
        Ok(rows
            .into_iter()
            .flatten()
            .filter_map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let number = |s: &str| s.parse::<i64>().ok().filter(|n| *n >= 0);
                Some(TargetColumn {
                    name: f.first()?.to_string(),
                    type_name: f.get(1)?.to_string(),
                    size: number(f.get(2)?).map(|n| n as i32),
                    scale: number(f.get(3)?).map(|n| n as i16),
                    nullable: *f.get(4)? == "YES",
                    logical_type: None,
                })
            })
            .collect())
    }
    fn loader<'a>(
        &'a self,
        shape: &LoadShape,
        _width: usize,
        _batch_rows: usize,
    ) -> Result<Box<dyn RowSink + 'a>, OdbcError> {
        match shape {
            LoadShape::PostgresCopy(sql) => {
                if self.verbose {
                    say!("  SQL (load): {}", crate::odbc::describe_load(shape));
                }
                Ok(Box::new(CopySink {
                    session: self,
                    sql: sql.clone(),
                    statement: None,
                }))
            }
            _ => Err(OdbcError::Load(
                "the native PostgreSQL connection loads only with COPY; this plan's load shape runs over ODBC".into(),
            )),
        }
    }
}

/// What an ODBC target keeps to open its native PostgreSQL session on first use: the
/// settings read from its connect string (if it names PostgreSQL) and the session once open.
pub struct Companion {
    config: Option<Result<NativeConfig, super::NativeConfigError>>,
    lock_timeout: Cell<u64>,
    verbose: bool,
    session: OnceCell<NativePg>,
}

impl Companion {
    /// The settings ODBC was given (a psqlODBC connect string, or a DSN of psqlODBC's).
    pub fn new(connect_string: Option<&str>, dsn: Option<&str>, verbose: bool) -> Companion {
        let keywords = super::odbc_source::keywords(connect_string, dsn);
        Companion {
            config: keywords.map(|k| k.and_then(NativeConfig::resolve)),
            lock_timeout: Cell::new(0),
            verbose,
            session: OnceCell::new(),
        }
    }

    /// Settings given in libpq's own form (`--native-connect-string`), in place of those
    /// derived from ODBC's.
    pub fn set_libpq_settings(&mut self, conninfo: &str) {
        self.config = Some(super::libpq::parse(conninfo).and_then(NativeConfig::resolve));
    }

    pub fn set_lock_timeout(&self, seconds: u64) {
        self.lock_timeout.set(seconds);
    }

    /// The session, opened now if it is not yet. `odbc_identity` runs [`IDENTITY`] on the
    /// ODBC connection: the two must reach the same database of the same server, with the same
    /// schemas for unqualified names, or the fence and the rows would land apart.
    pub fn session(
        &self,
        odbc_identity: impl FnOnce(&str) -> Result<Option<String>, OdbcError>,
    ) -> Result<&NativePg, OdbcError> {
        if let Some(session) = self.session.get() {
            return Ok(session);
        }
        let config = match &self.config {
            Some(Ok(config)) => config,
            Some(Err(e)) => return Err(OdbcError::NativeUnavailable(e.to_string())),
            None => {
                return Err(OdbcError::NativeUnavailable(
                    "it is opened from the settings of a psqlODBC target (Driver={PostgreSQL ...}), and this target's driver is another; give --native-connect-string (a libpq URI or keyword/value string)".into(),
                ));
            }
        };
        let session = NativePg::connect(config, self.lock_timeout.get(), self.verbose)?;
        let native = session.run("asking which database the native session reached", IDENTITY)?;
        let native = native.into_iter().next().flatten();
        let odbc = odbc_identity(IDENTITY)?;
        if native != odbc {
            let show = |s: Option<String>| s.unwrap_or_else(|| "nothing".into());
            return Err(OdbcError::NativeUnavailable(format!(
                "it reaches database {} where ODBC reaches {} (database@server start [schemas]); give both the same settings",
                show(native),
                show(odbc)
            )));
        }
        Ok(self.session.get_or_init(|| session))
    }
}

/// What both connections must agree on: the database, the server instance (by its start
/// time, read as a number so no session time zone changes it) and the schemas unqualified
/// names resolve to.
pub const IDENTITY: &str = "SELECT current_database() || '@' || extract(epoch from pg_postmaster_start_time())::text || ' [' || array_to_string(current_schemas(false), ',') || ']'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callers_savepoints_are_recognised() {
        assert!(manages_savepoints("SAVEPOINT hvr_wasm_rows"));
        assert!(manages_savepoints("release savepoint x"));
        assert!(manages_savepoints("ROLLBACK TO SAVEPOINT x"));
        assert!(!manages_savepoints("ROLLBACK"));
        assert!(!manages_savepoints("UPDATE savepoint SET a = 1"));
    }

    #[test]
    fn parameters_become_quoted_literals_outside_quotes_only() {
        assert_eq!(
            with_literals(
                "UPDATE t SET a = ?, b = '?' WHERE \"c?\" = ?",
                &["it's", "x"]
            ),
            "UPDATE t SET a = 'it''s', b = '?' WHERE \"c?\" = 'x'"
        );
    }
}
