//! Session settings the host applies to every connection before any table: how long a
//! statement waits for a lock, and what keeps values exact on their way in (the session's
//! character set and, on MariaDB and MySQL, its `sql_mode`).

use super::{Database, OdbcError};

/// Bounds how long `db`'s statements wait for another session's lock, in the terms of the
/// DBMS it reports; `0` leaves the target's default.
pub(super) fn apply_lock_timeout(db: &dyn Database, seconds: u64) -> Result<(), OdbcError> {
    if seconds == 0 {
        return Ok(());
    }
    let dbms = db.dbms_name().to_ascii_lowercase();
    let statements = if dbms.contains("postgres") {
        vec![format!("SET lock_timeout = '{seconds}s'")]
    } else if super::is_mariadb_or_mysql(&dbms) {
        vec![
            format!("SET SESSION innodb_lock_wait_timeout = {seconds}"),
            format!("SET SESSION lock_wait_timeout = {seconds}"),
        ]
    } else if dbms.contains("sqlite") {
        vec![format!("PRAGMA busy_timeout = {}", seconds * 1000)]
    } else {
        // Other targets: the driver's own settings apply (see the README).
        vec![]
    };
    for sql in statements {
        db.execute("setting the lock timeout", &sql)?;
    }
    Ok(())
}

/// On MariaDB and MySQL, sets the session's `sql_mode` to what the host's and the connectors'
/// SQL needs, keeping the user's other modes:
/// - `STRICT_ALL_TABLES` added: a value that does not fit its column is an error in every
///   engine. Without a strict mode (older defaults, or a DBA's choice) the server stores `abc`
///   as 0 and cuts a long string with only a warning; the default `STRICT_TRANS_TABLES` is
///   strict for transactional tables only, so rows bound as parameter arrays into the Aria
///   stage after a statement's first were adjusted silently. (`LOAD DATA LOCAL` turns errors
///   into warnings whatever the mode; the host fails on its warnings.)
/// - `NO_BACKSLASH_ESCAPES` removed: under it `LOAD DATA`'s `'\t'` and `'\\'` (and the
///   connectors' string literals, written for the default) mean something else, and every
///   default load failed ("Field separator argument is not what is expected").
///
/// On PostgreSQL, MariaDB and MySQL, refuses a connection whose character set is not UTF-8 (see
/// [`require_utf8`]).
pub(super) fn require_exact_values(db: &dyn Database) -> Result<(), OdbcError> {
    let dbms = db.dbms_name().to_ascii_lowercase();
    if dbms.contains("postgres") {
        return require_utf8(
            db,
            "PostgreSQL",
            "SELECT current_setting('client_encoding')",
            &["UTF8"],
            "leave client_encoding at UTF8 (psqlODBC's ConnSettings, PGCLIENTENCODING, or the role's or database's settings changed it)",
        );
    }
    if !super::is_mariadb_or_mysql(&dbms) {
        return Ok(());
    }
    require_utf8(
        db,
        "MariaDB/MySQL",
        "SELECT @@character_set_client",
        &["utf8mb4", "utf8mb3", "utf8"],
        "set CHARSET=utf8mb4 in the connect string or DSN",
    )?;
    db.execute(
        "setting the session's sql_mode (strict, backslash escapes)",
        // Empty items (from the removed mode, or an empty mode) are ignored by the server.
        "SET SESSION sql_mode = CONCAT_WS(',', REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', ''), 'STRICT_ALL_TABLES')",
    )
}

/// Refuses a connection whose character set (what `query` reads) is not one of `utf8`: the
/// host sends UTF-8 text, which the server would read as that set and store re-encoded
/// (`café` as `cafÃ©`), silently, wherever text is bound over ODBC (parameter arrays, arrays
/// for `unnest`, the ledgers). MariaDB's `CHARSET=latin1` or an ANSI driver's default, and
/// psqlODBC with a `ConnSettings` that sets client_encoding, did so.
fn require_utf8(
    db: &dyn Database,
    name: &'static str,
    query: &str,
    utf8: &[&str],
    fix: &'static str,
) -> Result<(), OdbcError> {
    let found = db
        .query_text("reading the connection's character set", query, &[])?
        .unwrap_or_default();
    if utf8.iter().any(|u| found.eq_ignore_ascii_case(u)) {
        return Ok(());
    }
    Err(OdbcError::ClientCharset {
        dbms: name,
        found,
        fix,
    })
}
