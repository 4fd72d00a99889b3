//! `--error-table` at its edges: `--max-error-rows`, drivers that cannot keep a transaction
//! open, kills around the commit, what a clean or a long file costs, and the values loaded
//! after a rejected parameter array. The common cases are in `set_aside`.

use super::set_aside::{ERRORS, constrained};
use crate::support::target::Db;
use crate::support::typed::{Channel, s};

/// Past --max-error-rows the table fails whole: its good rows, and the rows set aside so far,
/// roll back together; the file stays for the next run.
#[test]
fn past_the_limit_the_table_fails_whole() {
    let ch = constrained(
        Db::Mariadb,
        "toolbox_aside_limit",
        "--error-table hvr_errors --max-error-rows 1",
    );
    ch.raw("20240101000000001-t.csv", b"id,a\n1,10\n2,abc\n3,\n4,40\n");
    ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 4)],
    )
    .assert_fails_with(&["more than 1 row(s) set aside", "--max-error-rows"]);
    assert!(ch.rows(&["id"]).is_empty());
    assert_eq!(
        ch.target.query("SELECT COUNT(*) FROM hvr_errors"),
        vec![vec![s("0")]]
    );
    assert!(ch.file_exists("20240101000000001-t.csv"));
}

/// A driver that rolls the whole transaction back on an error cannot set rows aside: the call
/// is refused before any table starts, naming the setting to change.
#[test]
fn a_driver_that_ends_the_transaction_on_error_is_refused_up_front() {
    let ch = Channel::new(
        Db::Postgres,
        "toolbox_aside_protocol",
        "--error-table hvr_errors",
    );
    ch.raw("20240101000000001-t.csv", b"id,a\n1,10\n");
    ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 1)],
    )
    .assert_fails_with(&["--error-table", "Protocol=7.4-0", "nothing was applied"]);
    assert!(ch.file_exists("20240101000000001-t.csv"));
}

/// Killed at each moment around the commit and run again, a cycle with a row set aside leaves
/// exactly one error row and one history row: both commit with the table's rows.
#[test]
fn a_killed_and_rerun_cycle_sets_its_row_aside_once() {
    for (i, point) in ["before-commit", "after-commit", "after-first-delete"]
        .iter()
        .enumerate()
    {
        let test = format!("toolbox_aside_kill_{i}");
        let ch = constrained(
            Db::Mariadb,
            &test,
            "--error-table hvr_errors --history-table hvr_history",
        );
        ch.raw("20240101000000001-t.csv", b"id,a\n1,10\n2,abc\n");
        ch.raw("20240101000000002-t.csv", b"id,a\n3,30\n");
        let files = [
            ("20240101000000001-t.csv", 2),
            ("20240101000000002-t.csv", 1),
        ];
        let crash = [("HVR_WASM_TEST_CRASH_AT".to_string(), point.to_string())];
        let killed = ch.call_with("refr_write_end", "id,a", "id", &files, &crash);
        assert_ne!(
            killed.code, 0,
            "{point}: the crash point did not stop the call"
        );
        ch.call("refr_write_end", "id,a", "id", &files).assert_ok();
        assert_eq!(
            ch.rows(&["id"]),
            vec![vec![s("1")], vec![s("3")]],
            "{point}"
        );
        let count = |table: &str| ch.target.query(&format!("SELECT COUNT(*) FROM {table}"));
        assert_eq!(count("hvr_errors"), vec![vec![s("1")]], "{point}");
        assert_eq!(count("hvr_history"), vec![vec![s("1")]], "{point}");
    }
}

/// With an error table and no bad row, a table loads as without one but for one checkpoint (a
/// savepoint) per file here: no savepoint per batch or row.
#[test]
fn a_clean_table_costs_one_checkpoint_not_a_savepoint_per_batch() {
    let ch = constrained(
        Db::Postgres,
        "toolbox_aside_clean",
        "--error-table hvr_errors -v",
    );
    ch.raw("20240101000000001-t.csv", b"id,a\n1,10\n2,20\n");
    let run = ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 2)],
    );
    run.assert_ok();
    assert!(
        !run.stdout.contains("SAVEPOINT hvr_wasm_rows"),
        "{}",
        run.stdout
    );
    let checkpoints = run
        .stdout
        .matches("  SQL: SAVEPOINT hvr_wasm_checkpoint")
        .count();
    assert_eq!(checkpoints, 1, "{}", run.stdout);
    assert_eq!(ch.rows(&["id"]), vec![vec![s("1")], vec![s("2")]]);
}

/// A bad row in a later checkpoint of a long file: the rows of earlier checkpoints stay loaded,
/// only the bad one is set aside, and every other row lands once.
#[test]
fn a_bad_row_deep_in_a_long_file_costs_only_its_checkpoint() {
    let ch = constrained(
        Db::Postgres,
        "toolbox_aside_deep",
        "--error-table hvr_errors -v --connector-option load=unnest",
    );
    // The unnest load's batches are 2,000 rows and a checkpoint is 16 of them, so the bad row
    // is in the second checkpoint. (COPY's 25,000-row batches would make the whole file one.)
    let csv = super::numbered_csv("id,a", 70_000, |i| {
        format!("{i},{}", super::number_or_bad(i, 50_001))
    });
    ch.raw("20240101000000001-t.csv", csv.as_bytes());
    let run = ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 70_000)],
    );
    run.assert_ok();
    assert!(
        run.stdout.contains("69999 rows from 1 file(s)"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout
            .matches("ROLLBACK TO SAVEPOINT hvr_wasm_checkpoint")
            .count(),
        1
    );
    let rollback = run
        .stdout
        .find("ROLLBACK TO SAVEPOINT hvr_wasm_checkpoint")
        .unwrap();
    assert!(
        run.stdout[..rollback].contains("RELEASE SAVEPOINT hvr_wasm_checkpoint"),
        "an earlier checkpoint was kept before the bad one's: {}",
        run.stdout
    );
    let count = ch
        .target
        .query("SELECT COUNT(*), COUNT(DISTINCT id) FROM t");
    assert_eq!(count, vec![vec![s("69999"), s("69999")]]);
    let errors = ch.target.query(ERRORS);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0][1..3], [s("line 50002"), s("50001,bad")]);
}

/// After the target rejects a parameter array, every value loaded afterwards is exactly the
/// file's (MariaDB Connector/ODBC sent stale buffer contents in the next execution of a failed
/// array until the host prepared the statement again), and bisection takes a few steps, not
/// one per row.
fn values_stay_exact(db: Db, test: &str) {
    let mut ch = Channel::new(db, test, "--error-table hvr_errors -v");
    ch.keep_transactions_open();
    let t = ch.target.ident("t");
    ch.target.execute(&[format!(
        "CREATE TABLE {t} (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b VARCHAR(40))"
    )]);
    let csv = super::numbered_csv("id,a,b", 25_000, |i| {
        format!("{i},{},v{i}", super::number_or_bad(i, 15_000))
    });
    ch.raw("20240101000000001-t.csv", csv.as_bytes());
    let run = ch.call(
        "refr_write_end",
        "id,a,b",
        "id",
        &[("20240101000000001-t.csv", 25_000)],
    );
    run.assert_ok();
    let bisections = run
        .stdout
        .matches("ROLLBACK TO SAVEPOINT hvr_wasm_rows")
        .count();
    assert!(
        bisections <= 20,
        "{bisections} rejected loads for one bad row"
    );
    let concat = match db {
        Db::Mariadb => "CONCAT('v', id)".to_string(),
        _ => "'v' || CAST(id AS TEXT)".to_string(),
    };
    let wrong = ch.target.query(&format!(
        "SELECT COUNT(*) FROM {t} WHERE a <> id OR b IS NULL OR b <> {concat}"
    ));
    assert_eq!(wrong, vec![vec![s("0")]]);
    assert_eq!(
        ch.target.query(&format!("SELECT COUNT(*) FROM {t}")),
        vec![vec![s("24999")]]
    );
}

#[test]
fn values_stay_exact_after_a_rejected_array_on_mariadb() {
    values_stay_exact(Db::Mariadb, "toolbox_aside_exact_mariadb");
}

#[test]
fn values_stay_exact_after_a_rejected_batch_on_postgres() {
    values_stay_exact(Db::Postgres, "toolbox_aside_exact_pg");
}

/// A typed file's rejected row is named by its place in the file (row group and row) and shown
/// with its fields as the file has them.
#[test]
fn a_parquet_row_the_target_rejects_is_named_by_row_group() {
    use crate::support::typed::{cols, spec};
    let mut ch = Channel::new(
        Db::Postgres,
        "toolbox_aside_parquet",
        "--error-table hvr_errors --file-format parquet",
    );
    ch.keep_transactions_open();
    let t = ch.target.ident("t");
    ch.target.execute(&[format!(
        "CREATE TABLE {t} (id BIGINT PRIMARY KEY, a TEXT NOT NULL)"
    )]);
    let columns = cols(&[("id", "int64"), ("a", "string")]);
    let rows = vec![
        serde_json::json!([1, "x"]),
        serde_json::json!([2, null]),
        serde_json::json!([3, "z"]),
    ];
    ch.typed(
        "parquet",
        "20240101000000001-t.parquet",
        spec(columns, rows),
    );
    let run = ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.parquet", 3)],
    );
    run.assert_ok();
    assert_eq!(ch.rows(&["id"]), vec![vec![s("1")], vec![s("3")]]);
    let errors = ch.target.query(ERRORS);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0][1..3], [s("row group 1, row 2"), s("2,")]);
}
