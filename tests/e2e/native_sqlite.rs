//! SQLite opened natively (the default for a sqliteodbc connect string or DSN) against the
//! same database through the driver: the catalog reads the same, values come back the same,
//! and a whole channel stores the same values with the same storage classes.

use hvrwasm_host::odbc::{Database, Session};

use crate::support::Scenario;
use crate::support::hvr::scratch;
use crate::support::model::Style;
use crate::support::target::{Db, Target};

/// Declarations of every family the driver maps, and its corner cases: sizes, two numbers,
/// odd spacing, prefixes that look alike (`inter`, `int`, `date time`), none at all.
const TYPES: [&str; 64] = [
    "INTEGER",
    "INT",
    "BIGINT",
    "SMALLINT",
    "TINYINT",
    "TEXT",
    "VARCHAR(20)",
    "VARCHAR",
    "CHAR(5)",
    "NVARCHAR(7)",
    "NCHAR(3)",
    "CLOB",
    "BLOB",
    "REAL",
    "DOUBLE",
    "DOUBLE PRECISION",
    "FLOAT",
    "NUMERIC",
    "NUMERIC(10,2)",
    "DECIMAL(18,4)",
    "DECIMAL",
    "BOOLEAN",
    "BOOL",
    "DATE",
    "TIME",
    "DATETIME",
    "TIMESTAMP",
    "TIMESTAMP(6)",
    "",
    "VARBINARY(10)",
    "BINARY(4)",
    "LONGVARCHAR",
    "bit",
    "uuid",
    "json",
    "MEDIUMINT",
    "UNSIGNED BIG INT",
    "INT2",
    "INT8",
    "CHARACTER(20)",
    "VARYING CHARACTER(255)",
    "NATIVE CHARACTER(70)",
    "NUMBER",
    "money",
    "interval",
    "varchar(100000)",
    "decimal(40,5)",
    "text(10)",
    "longtext",
    "longblob",
    "smalldatetime",
    "datetime2",
    "bytea",
    "wvarchar(9)",
    "date time",
    "xyz",
    "DECIMAL(18, 4)",
    "DECIMAL(18 ,4)",
    "varbinary(300)",
    "VARCHAR(255)",
    "VARCHAR(256)",
    "time(3)",
    "memo",
    "longvarbinary",
];

fn both(target: &Target) -> (Session, Session) {
    let native = Session::connect(Some(&target.connect_string), None, false, true).unwrap();
    let odbc = Session::connect(Some(&target.connect_string), None, false, false).unwrap();
    assert!(
        matches!(native, Session::Sqlite(_)),
        "native session expected"
    );
    assert!(matches!(odbc, Session::Odbc(_)), "ODBC session expected");
    (native, odbc)
}

#[test]
fn the_native_catalog_reports_what_sqliteodbc_reports() {
    let test = "native_sqlite_catalog";
    let dir = scratch(test);
    let target = Target::fresh(Db::Sqlite, test, &dir);
    let columns: Vec<String> = TYPES
        .iter()
        .enumerate()
        .map(|(i, t)| format!("c{i} {t}"))
        .collect();
    target.execute(&[
        format!(
            "CREATE TABLE t ({}, cn TEXT NOT NULL, cd INT DEFAULT 5, ck INTEGER PRIMARY KEY)",
            columns.join(", ")
        ),
        "CREATE TABLE \"MiXed\" (a INT, \"B c\" varchar(3) NOT NULL DEFAULT 'x')".into(),
        // `_` in a catalog pattern matches any character; only `t_t` itself may be found.
        "CREATE TABLE txt (a int)".into(),
        "CREATE VIEW v AS SELECT c0, c5, c27 FROM t".into(),
    ]);
    let (native, odbc) = both(&target);
    for table in ["t", "MiXed", "mixed", "t_t", "txt", "v", "no_such"] {
        let want = odbc.columns(None, None, table).unwrap();
        let got = native.columns(None, None, table).unwrap();
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g, w, "{table}");
        }
        assert_eq!(got.len(), want.len(), "{table}");
    }
    assert_eq!(
        odbc.columns(None, None, "t").unwrap().len(),
        TYPES.len() + 3
    );
    assert_eq!(native.dbms_name(), odbc.dbms_name());
    assert_eq!(native.current_catalog(), odbc.current_catalog());
}

#[test]
fn values_read_back_as_the_driver_gives_them() {
    let test = "native_sqlite_values";
    let dir = scratch(test);
    let target = Target::fresh(Db::Sqlite, test, &dir);
    let (native, odbc) = both(&target);
    let mut differ = Vec::new();
    for sql in [
        "SELECT 1",
        "SELECT -42",
        "SELECT 1.5",
        "SELECT 10.0",
        "SELECT 1e20",
        "SELECT 0.1 + 0.2",
        "SELECT 'text'",
        "SELECT ''",
        "SELECT NULL",
        "SELECT x'414243'",
        "SELECT x'00ff7a'",
        "SELECT x''",
        "SELECT 9223372036854775807",
        "SELECT 1e-7",
        "SELECT 123456789012345678.0",
        "SELECT 'a' WHERE 0",
        // SQLite built with other defaults would behave differently on the same file.
        "SELECT \"double-quoted text\"",
        "PRAGMA foreign_keys",
        "PRAGMA recursive_triggers",
        "PRAGMA synchronous",
        "PRAGMA journal_mode",
        "PRAGMA temp_store",
        "PRAGMA secure_delete",
        "PRAGMA auto_vacuum",
        "PRAGMA automatic_index",
        "PRAGMA cache_size",
        "PRAGMA legacy_alter_table",
        "PRAGMA case_sensitive_like",
        "PRAGMA trusted_schema",
        "PRAGMA defer_foreign_keys",
        "PRAGMA encoding",
        "PRAGMA page_size",
        "SELECT 'A' LIKE 'a'",
        "SELECT length(CAST(x'c3a9' AS TEXT))",
        "PRAGMA cell_size_check",
        "PRAGMA reverse_unordered_selects",
        "PRAGMA query_only",
        "PRAGMA mmap_size",
        "PRAGMA wal_autocheckpoint",
        "PRAGMA journal_size_limit",
        "PRAGMA max_page_count",
        "PRAGMA locking_mode",
    ] {
        let want = odbc.query_text("reading", sql, &[]).unwrap();
        let got = native.query_text("reading", sql, &[]).unwrap();
        if got != want {
            differ.push(format!("{sql}: native {got:?}, driver {want:?}"));
        }
    }
    assert!(differ.is_empty(), "{differ:#?}");
    let params = ["7", "x y", ""];
    let sql = "SELECT ? || '|' || ? || '|' || typeof(?)";
    assert_eq!(
        native.query_text("reading", sql, &params).unwrap(),
        odbc.query_text("reading", sql, &params).unwrap()
    );
}

/// Every value of every table as SQLite stores it: storage class and literal.
fn stored(s: &Scenario) -> Vec<Vec<Option<String>>> {
    let mut out = Vec::new();
    for m in &s.models {
        let cols: Vec<String> = Target::target_columns(&m.def, s.style)
            .iter()
            .map(|c| {
                let c = s.target.ident(c);
                format!("typeof({c}) || ':' || quote({c})")
            })
            .collect();
        let order: Vec<String> = (1..=cols.len()).map(|i| i.to_string()).collect();
        out.extend(s.target.query(&format!(
            "SELECT {} FROM {} ORDER BY {}",
            cols.join(", "),
            s.target.qualified(&m.def),
            order.join(", ")
        )));
    }
    out
}

/// The same channel (same seed: names of one length) natively and through the driver.
#[test]
fn a_channel_stores_the_same_values_natively_as_through_the_driver() {
    for style in [Style::ReplicationCopy, Style::TimeKey] {
        let mut native = Scenario::new(Db::Sqlite, style, &format!("sqlite_same_nat_{style:?}"));
        let mut odbc = Scenario::new(Db::Sqlite, style, &format!("sqlite_same_drv_{style:?}"));
        odbc.hvr.user_arg.push_str(" --sqlite-session odbc");
        for s in [&mut native, &mut odbc] {
            let refresh = s.refresh_changes(30);
            s.hvr.refresh(&refresh).assert_ok();
            for _ in 0..2 {
                let changes = s.cycle_changes(20, None);
                s.hvr.integrate(&changes).assert_ok();
            }
            s.assert_target_matches("after two cycles");
        }
        assert_eq!(stored(&native), stored(&odbc), "{style:?}");
    }
}

/// `Driver={SQLite3}` on a machine where no driver is registered: the native session needs
/// none, and the driver manager (asked with `--sqlite-session odbc`) finds none.
#[test]
fn a_sqlite_target_needs_no_registered_driver() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "sqlite_no_driver");
    let empty = s.hvr.dir.join("no_odbc_config");
    std::fs::create_dir_all(&empty).unwrap();
    let isolated = [
        ("ODBCSYSINI", empty.display().to_string()),
        ("ODBCINI", empty.join("odbc.ini").display().to_string()),
    ];
    s.hvr
        .env
        .extend(isolated.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let refresh = s.refresh_changes(10);
    s.hvr.refresh(&refresh).assert_ok();
    s.assert_target_matches("after a refresh without a registered driver");
    s.hvr.user_arg.push_str(" --sqlite-session odbc");
    let changes = s.cycle_changes(5, None);
    s.hvr.integrate(&changes).assert_fails_with(&["ODBC"]);
}

/// A database that cannot be opened fails the call with its path and keeps the files; with
/// `NoCreat=1` a missing file is not created, as the driver would not create it.
#[test]
fn a_database_that_cannot_be_opened_fails_the_call_and_keeps_the_files() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "sqlite_cannot_open");
    let missing_dir = s.hvr.dir.join("no_such_dir").join("t.sqlite");
    let absent = s.hvr.dir.join("absent.sqlite");
    for (connect, fragment) in [
        (
            format!("Driver={{SQLite3}};Database={};", missing_dir.display()),
            missing_dir.display().to_string(),
        ),
        (
            format!(
                "Driver={{SQLite3}};Database={};NoCreat=1;",
                absent.display()
            ),
            absent.display().to_string(),
        ),
    ] {
        s.hvr.env.retain(|(k, _)| k != "HVR_WASM_CONNECT_STRING");
        s.hvr.env.push(("HVR_WASM_CONNECT_STRING".into(), connect));
        let refresh = s.refresh_changes(3);
        let run = s.hvr.refresh(&refresh);
        run.assert_fails_with(&["cannot open the SQLite database", &fragment]);
        assert!(!s.hvr.leftover_files().is_empty(), "files must be kept");
        for f in s.hvr.leftover_files() {
            std::fs::remove_file(s.hvr.files_dir.join(f)).unwrap();
        }
    }
    assert!(!absent.exists(), "NoCreat=1 must not create the database");
}

/// Tables on parallel lanes: a native connection each, writing one file. SQLite lets one
/// write at a time; the others wait (busy timeout) or run their table again, and every table
/// ends as its model says.
#[test]
fn parallel_lanes_share_one_database_file() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "sqlite_native_parallel");
    s.hvr.user_arg.push_str(" --parallel 3");
    let refresh = s.refresh_changes(40);
    s.hvr.refresh(&refresh).assert_ok();
    s.assert_target_matches("after a parallel refresh");
    for cycle in 1..=3 {
        let changes = s.cycle_changes(25, None);
        s.hvr.integrate(&changes).assert_ok();
        s.assert_target_matches(&format!("after parallel cycle {cycle}"));
        s.assert_no_files_left();
    }
}
