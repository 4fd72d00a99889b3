//! `hvrwasmagent selftest`: every first-party connector passes it on its database, a
//! connector that drops deletes fails it, and it leaves nothing behind.

use std::process::{Command, Stdio};

use crate::support::hvr::{BINARY, guest_wasm, scratch};
use crate::support::target::{Db, Target};

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

fn selftest(connector: &str, connect_string: &str, extra: &[&str]) -> Outcome {
    let dir = scratch(&format!("selftest-{}", connector.replace('/', "_")));
    let out = Command::new(BINARY)
        .args(["selftest", "--connector", connector, "--work-dir"])
        .arg(&dir)
        .args(extra)
        .env("HVR_WASM_CONNECT_STRING", connect_string)
        .stdin(Stdio::null())
        .output()
        .expect("run hvrwasmagent selftest");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[track_caller]
fn assert_passes(o: &Outcome, checks: usize) {
    assert_eq!(o.code, 0, "stdout:\n{}\nstderr:\n{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains(&format!("selftest: {checks} passed, 0 failed")),
        "{}",
        o.stdout
    );
    assert!(!o.stdout.contains("FAIL"), "{}", o.stdout);
}

/// A fresh database for the test; the selftest creates and drops its own schema inside it.
fn target(db: Db, test: &str) -> Target {
    Target::fresh(db, test, &scratch(test))
}

/// Schemas (databases) the selftest left in the target.
fn leftover_schemas(t: &Target) -> Vec<crate::support::data::Row> {
    t.query(
        "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'hvrwasm_selftest%'",
    )
}

/// Nine checks for replication copy and soft delete each, seven for time key.
const ALL_STYLES: usize = 9 + 9 + 7;

#[test]
fn sqlite_passes_selftest_and_drops_its_tables() {
    let t = target(Db::Sqlite, "selftest_sqlite");
    assert_passes(&selftest("sqlite", &t.connect_string, &[]), ALL_STYLES);
    assert!(
        t.query("SELECT name FROM sqlite_master WHERE name LIKE 'hvrst%'")
            .is_empty(),
        "tables left behind"
    );
}

#[test]
fn postgres_passes_selftest_and_drops_its_schema() {
    let t = target(Db::Postgres, "selftest_postgres");
    assert_passes(&selftest("postgres", &t.connect_string, &[]), ALL_STYLES);
    assert!(leftover_schemas(&t).is_empty());
}

#[test]
fn pg_upsert_passes_selftest() {
    let t = target(Db::Postgres, "selftest_pg_upsert");
    assert_passes(&selftest("pg-upsert", &t.connect_string, &[]), ALL_STYLES);
    assert!(leftover_schemas(&t).is_empty());
}

#[test]
fn mariadb_passes_selftest_and_drops_its_database() {
    let t = target(Db::Mariadb, "selftest_mariadb");
    assert_passes(&selftest("mariadb", &t.connect_string, &[]), ALL_STYLES);
    assert!(leftover_schemas(&t).is_empty());
}

/// A connector that upserts every row whatever its op — the classic one-off script — passes
/// the refreshes and fails the first cycle with a delete, naming the table and the row.
#[test]
fn a_connector_that_ignores_deletes_fails_selftest() {
    let t = target(Db::Sqlite, "selftest_naive");
    let wasm = guest_wasm("guest_hostile");
    let o = selftest(
        wasm.to_str().unwrap(),
        &t.connect_string,
        &["--connector-option", "behave=ignore-deletes"],
    );
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stdout.contains("refresh over the existing tables"),
        "{}",
        o.stdout
    );
    let failed = o.stdout.lines().find(|l| l.contains("FAIL")).unwrap();
    assert!(
        failed.contains("integrate: inserts, updates, deletes"),
        "{failed}"
    );
    assert!(failed.contains("unexpected (first 2): [["), "{failed}");
    assert!(
        o.stdout.contains("selftest: 2 passed, 2 failed"),
        "{}",
        o.stdout
    );
}

/// The password in the connection string is never printed, even when the target refuses it.
#[test]
fn selftest_prints_no_password() {
    let t = target(Db::Mariadb, "selftest_secret");
    let wrong = t.connect_string.replace("Pwd=;", "Pwd=Selftest-Secret-42;");
    let o = selftest("mariadb", &wrong, &["--style", "replication-copy"]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("cannot reach the target"), "{}", o.stderr);
    for text in [&o.stdout, &o.stderr] {
        assert!(!text.contains("Selftest-Secret-42"), "{text}");
    }
}

/// A style the connector does not declare is refused by name before anything runs.
#[test]
fn selftest_refuses_an_undeclared_style() {
    let t = target(Db::Sqlite, "selftest_style");
    let wasm = guest_wasm("guest_hostile");
    let o = selftest(
        wasm.to_str().unwrap(),
        &t.connect_string,
        &["--style", "time-key"],
    );
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("does not declare that style"),
        "{}",
        o.stderr
    );
}
