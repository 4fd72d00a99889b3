//! Whether a connection ODBC would make goes to SQLite through sqliteodbc, and if so, the
//! driver's settings as the native session applies them.
//!
//! The native session is used only where it reaches exactly what the driver would: the same
//! file, the same busy timeout, the same pragmas. A setting it does not reproduce (an
//! encryption password, a trace file, extensions to load, `NoTXN`, `BigInt`'s catalog types,
//! `JDConv`) leaves the connection to the driver, which honours it. Keys the driver ignores
//! are ignored here too.

use std::time::Duration;

use crate::odbc::odbc_ini::{self, value};

/// sqliteodbc's busy timeout when `Timeout` is not given, in milliseconds.
const DRIVER_BUSY_TIMEOUT_MS: u64 = 100_000;

/// sqliteodbc's `PRAGMA synchronous` when `SyncPragma` is not given (seen: the driver's
/// sessions report 1, SQLite's own default is FULL).
const DRIVER_SYNCHRONOUS: &str = "normal";

/// Keys the native session does not reproduce: when one is set, the driver connects.
const DRIVER_ONLY: [&str; 6] = ["pwd", "tracefile", "loadext", "notxn", "bigint", "jdconv"];

/// How to open the database, as sqliteodbc would have.
#[derive(Clone, Debug, PartialEq)]
pub struct SqliteSettings {
    pub path: String,
    pub busy_timeout: Duration,
    /// `PRAGMA synchronous` (`SyncPragma`; the driver's default is NORMAL).
    pub synchronous: String,
    /// `PRAGMA journal_mode` (`JournalMode`), when given.
    pub journal_mode: Option<String>,
    pub foreign_keys: bool,
    /// `NoCreat`: a missing file is an error instead of a new database.
    pub must_exist: bool,
}

/// The settings when ODBC would reach SQLite through sqliteodbc with only settings the native
/// session reproduces; `None` leaves the connection to the driver manager.
pub fn from_odbc(connect_string: Option<&str>, dsn: Option<&str>) -> Option<SqliteSettings> {
    let given = odbc_ini::given(connect_string, dsn);
    if given.dsn_missing.is_some() {
        return None;
    }
    let keys = given.keys;
    let driver = value(&keys, "driver")?;
    let is_sqliteodbc = match odbc_ini::driver_library(driver) {
        Some(library) => {
            let file = library.rsplit('/').next().unwrap_or(&library);
            file.to_ascii_lowercase().contains("sqlite3odbc")
        }
        // sqliteodbc's own name, on a machine without the driver: the connection needs none.
        None => driver.eq_ignore_ascii_case("sqlite3"),
    };
    if !is_sqliteodbc {
        return None;
    }
    settings(&keys)
}

fn settings(keys: &[(String, String)]) -> Option<SqliteSettings> {
    for (key, val) in keys {
        let key = key.to_ascii_lowercase();
        if DRIVER_ONLY.contains(&key.as_str()) && !val.is_empty() && driver_only_set(&key, val) {
            return None;
        }
    }
    let path = value(keys, "database")
        .filter(|p| !p.is_empty())?
        .to_string();
    let busy_ms = match value(keys, "timeout").filter(|t| !t.is_empty()) {
        Some(t) => t.trim().parse::<u64>().ok()?,
        None => DRIVER_BUSY_TIMEOUT_MS,
    };
    let synchronous = pragma_value(keys, "syncpragma", &["off", "normal", "full", "extra"])?
        .unwrap_or_else(|| DRIVER_SYNCHRONOUS.to_string());
    let journal_mode = pragma_value(
        keys,
        "journalmode",
        &["delete", "truncate", "persist", "memory", "wal", "off"],
    )?;
    Some(SqliteSettings {
        path,
        busy_timeout: Duration::from_millis(busy_ms),
        synchronous,
        journal_mode,
        foreign_keys: value(keys, "fksupport").is_some_and(driver_bool),
        must_exist: value(keys, "nocreat").is_some_and(driver_bool),
    })
}

/// Whether a driver-only key is set to something other than its default (off, empty).
fn driver_only_set(key: &str, val: &str) -> bool {
    match key {
        "notxn" | "bigint" | "jdconv" => driver_bool(val),
        _ => true,
    }
}

/// `Some(None)` when the key is absent or empty, `Some(Some(v))` for a value the pragma takes,
/// `None` (leave it to the driver) for anything else.
fn pragma_value(keys: &[(String, String)], key: &str, allowed: &[&str]) -> Option<Option<String>> {
    match value(keys, key).map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(None),
        Some(v) => {
            let lower = v.to_ascii_lowercase();
            let numeric = key == "syncpragma" && matches!(lower.as_str(), "0" | "1" | "2" | "3");
            (allowed.contains(&lower.as_str()) || numeric).then_some(Some(lower))
        }
    }
}

/// sqliteodbc's reading of a yes/no setting: true when it starts with a digit other than 0,
/// `Y` or `T`.
fn driver_bool(value: &str) -> bool {
    value
        .trim_start()
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '1'..='9' | 'y' | 'Y' | 't' | 'T'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odbc::odbc_ini::pairs;

    fn keys(s: &str) -> Vec<(String, String)> {
        pairs(s)
    }

    #[test]
    fn the_database_and_the_drivers_defaults() {
        let s = settings(&keys("Driver={SQLite3};Database=/d/x.db;")).unwrap();
        assert_eq!(s.path, "/d/x.db");
        assert_eq!(s.busy_timeout, Duration::from_millis(100_000));
        assert_eq!((s.synchronous.as_str(), s.journal_mode), ("normal", None));
        assert!(!s.foreign_keys && !s.must_exist);
    }

    #[test]
    fn settings_the_session_reproduces_are_applied() {
        let s = settings(&keys(
            "Database=x.db;Timeout=2500;SyncPragma=FULL;JournalMode=wal;FKSupport=yes;NoCreat=1;StepAPI=0;Other=1",
        ))
        .unwrap();
        assert_eq!(s.busy_timeout, Duration::from_millis(2500));
        assert_eq!(s.synchronous, "full");
        assert_eq!(s.journal_mode.as_deref(), Some("wal"));
        assert!(s.foreign_keys && s.must_exist);
    }

    #[test]
    fn settings_only_the_driver_honours_leave_it_to_the_driver() {
        for extra in [
            "PWD=secret",
            "Tracefile=/tmp/t",
            "LoadExt=x.so",
            "NoTXN=1",
            "BigInt=true",
            "JDConv=1",
            "Timeout=soon",
            "SyncPragma=sometimes",
            "JournalMode=fast",
        ] {
            assert!(
                settings(&keys(&format!("Database=x.db;{extra}"))).is_none(),
                "{extra}"
            );
        }
        assert!(settings(&keys("Database=x.db;NoTXN=0;BigInt=no;PWD=")).is_some());
        assert!(settings(&keys("Driver=SQLite3;")).is_none(), "no database");
    }

    #[test]
    fn only_sqliteodbc_connections_are_taken() {
        assert!(
            from_odbc(
                Some("Driver=/usr/lib/odbc/libsqlite3odbc.so;Database=x"),
                None
            )
            .is_some()
        );
        assert!(from_odbc(Some("Driver=/usr/lib/odbc/libmaodbc.so;Database=x"), None).is_none());
        assert!(
            from_odbc(
                Some("Driver=/usr/lib/odbc/libsqliteodbc.so;Database=x"),
                None
            )
            .is_none(),
            "SQLite 2"
        );
        assert!(from_odbc(Some("Database=x"), None).is_none(), "no driver");
    }

    #[test]
    fn yes_and_no_as_the_driver_reads_them() {
        for yes in ["1", "yes", "Y", "true", "T", "7"] {
            assert!(driver_bool(yes), "{yes}");
        }
        for no in ["0", "no", "false", "", "on", "off"] {
            assert!(!driver_bool(no), "{no}");
        }
    }
}
