//! `--error-table`: rows the target rejects or that cannot be decoded are set aside, the rest
//! apply in the same transaction; without it a bad row fails its table; `--max-error-rows`.

use crate::support::target::Db;
use crate::support::typed::{Channel, s};

const ERRORS: &str =
    "SELECT file_name, position, raw_row, mode, table_name FROM hvr_errors ORDER BY position";

/// A table whose `a` the target constrains: NOT NULL and, on the servers, an integer.
fn constrained(db: Db, test: &str, user_arg: &str) -> Channel {
    let mut ch = Channel::new(db, test, user_arg);
    keep_transactions_open(&mut ch);
    let t = ch.target.ident("t");
    let ddl = match db {
        Db::Sqlite => {
            format!("CREATE TABLE {t} (id INTEGER PRIMARY KEY, a TEXT NOT NULL CHECK (a <> 'bad'))")
        }
        Db::Postgres | Db::Mariadb => {
            format!("CREATE TABLE {t} (id INTEGER PRIMARY KEY, a INTEGER NOT NULL)")
        }
    };
    ch.target.execute(&[ddl]);
    ch
}

/// psqlODBC's `Protocol=7.4-1` (the suite's default) rolls a transaction back on any error;
/// setting rows aside needs `7.4-0` (or `-2`, or none).
fn keep_transactions_open(ch: &mut Channel) {
    ch.edit_env("HVR_WASM_CONNECT_STRING", |value| {
        *value = value.replace("Protocol=7.4-1;", "Protocol=7.4-0;")
    });
}

/// Row 2 breaks a constraint (SQLite: CHECK; servers: not an integer), row 4 is NULL where the
/// column is NOT NULL; rows 1, 3 and 5 land.
fn bad_refresh(db: Db, test: &str) {
    let ch = constrained(db, test, "--error-table hvr_errors");
    let bad = if db == Db::Sqlite { "bad" } else { "abc" };
    let csv = format!("id,a\n1,10\n2,{bad}\n3,30\n4,\n5,50\n");
    ch.raw("20240101000000001-t.csv", csv.as_bytes());
    let run = ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 5)],
    );
    run.assert_ok();
    assert!(run.stdout.contains("2 set aside"), "{}", run.stdout);
    assert_eq!(
        ch.rows(&["id"]),
        vec![vec![s("1")], vec![s("3")], vec![s("5")]]
    );
    let file = "20240101000000001-t.csv";
    assert_eq!(
        ch.target.query(ERRORS),
        vec![
            vec![
                s(file),
                s("line 3"),
                s(&format!("2,{bad}")),
                s("refr_write_end"),
                s("t")
            ],
            vec![s(file), s("line 5"), s("4,"), s("refr_write_end"), s("t")],
        ]
    );
    let messages = ch.target.query("SELECT error FROM hvr_errors");
    assert!(
        messages
            .iter()
            .all(|m| m[0].as_ref().is_some_and(|e| !e.is_empty()))
    );
    assert!(
        !ch.file_exists(file),
        "the file goes once its rows are committed"
    );
}

#[test]
fn rejected_rows_are_set_aside_on_sqlite() {
    bad_refresh(Db::Sqlite, "toolbox_aside_sqlite");
}

#[test]
fn rejected_rows_are_set_aside_on_postgres() {
    bad_refresh(Db::Postgres, "toolbox_aside_pg");
}

#[test]
fn rejected_rows_are_set_aside_on_mariadb() {
    bad_refresh(Db::Mariadb, "toolbox_aside_mariadb");
}

/// Integrate: a change the target rejects while loading the cycle is set aside, the others
/// apply (inserts, updates and deletes), in the same transaction.
fn bad_integrate(db: Db, test: &str) {
    bad_integrate_on(constrained(db, test, "--error-table hvr_errors"), db);
}

fn bad_integrate_on(ch: Channel, db: Db) {
    ch.raw("20240101000000001-t.csv", b"id,a\n1,10\n2,20\n");
    ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 2)],
    )
    .assert_ok();
    let bad = if db == Db::Sqlite { "bad" } else { "x1" };
    let csv = format!("id,a,op_type\n3,30,1\n1,{bad},2\n2,,0\n");
    ch.raw("20240101000000002-t.csv", csv.as_bytes());
    let run = ch.call(
        "integ_end",
        "id,a,op_type",
        "id",
        &[("20240101000000002-t.csv", 3)],
    );
    if db == Db::Sqlite {
        // SQLite stages the changes without the target's CHECK: the apply itself fails, and
        // then nothing of the table is applied (see docs/operations.md).
        run.assert_fails_with(&["CHECK constraint failed"]);
        assert!(ch.file_exists("20240101000000002-t.csv"));
        return;
    }
    run.assert_ok();
    assert_eq!(
        ch.rows(&["id", "a"]),
        vec![vec![s("1"), s("10")], vec![s("3"), s("30")]]
    );
    let errors = ch.target.query(ERRORS);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0][1], s("line 3"));
    // The row as the file has it, not as it was staged.
    assert_eq!(errors[0][2], s(&format!("1,{bad},2")));
    assert_eq!(errors[0][3], s("integ_end"));
}

#[test]
fn rejected_changes_are_set_aside_on_postgres() {
    bad_integrate(Db::Postgres, "toolbox_aside_integ_pg");
}

#[test]
fn rejected_changes_are_set_aside_on_mariadb() {
    bad_integrate(Db::Mariadb, "toolbox_aside_integ_mariadb");
}

/// The stage must roll back to savepoints whatever engine the server would give a temporary
/// table: with MyISAM as the session's default (set by the connection's first statement, as
/// a server configured that way would), the rejected batch's rows must still leave the stage.
#[test]
fn rejected_changes_are_set_aside_on_mariadb_under_a_myisam_default() {
    let mut ch = constrained(
        Db::Mariadb,
        "toolbox_aside_integ_myisam",
        "--error-table hvr_errors",
    );
    ch.edit_env("HVR_WASM_CONNECT_STRING", |value| {
        value.push_str("InitStmt=SET SESSION default_storage_engine=MyISAM;")
    });
    bad_integrate_on(ch, Db::Mariadb);
}

#[test]
fn rejected_changes_fail_where_the_stage_cannot_see_the_constraint() {
    bad_integrate(Db::Sqlite, "toolbox_aside_integ_sqlite");
}

/// Rows that cannot be decoded (a wrong field count, an op code HVR never writes) are set
/// aside with the fields as read.
#[test]
fn undecodable_rows_are_set_aside() {
    let ch = Channel::new(
        Db::Sqlite,
        "toolbox_aside_decode",
        "--error-table hvr_errors",
    );
    ch.raw("20240101000000001-t.csv", b"id,a\n1,x\n");
    ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 1)],
    )
    .assert_ok();
    let csv = b"id,a,op_type\n2,y,1\n3,z,9\n4,w\n5,v,1\n";
    ch.raw("20240101000000002-t.csv", csv);
    let run = ch.call(
        "integ_end",
        "id,a,op_type",
        "id",
        &[("20240101000000002-t.csv", 4)],
    );
    run.assert_ok();
    assert_eq!(
        ch.rows(&["id"]),
        vec![vec![s("1")], vec![s("2")], vec![s("5")]]
    );
    let errors = ch
        .target
        .query("SELECT position, raw_row, error FROM hvr_errors ORDER BY position");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0][..2], [s("line 3"), s("3,z,9")]);
    assert!(
        errors[0][2]
            .as_ref()
            .unwrap()
            .contains("not an HVR op code")
    );
    assert_eq!(errors[1][..2], [s("line 4"), s("4,w")]);
    assert!(
        errors[1][2]
            .as_ref()
            .unwrap()
            .contains("2 field(s), expected 3")
    );
}

/// Without the option, one bad row fails the table as before: nothing applied, file kept.
#[test]
fn without_an_error_table_a_bad_row_fails_its_table() {
    let ch = constrained(Db::Postgres, "toolbox_aside_off", "");
    ch.raw("20240101000000001-t.csv", b"id,a\n1,10\n2,abc\n");
    ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 2)],
    )
    .assert_fails_with(&["invalid input syntax"]);
    assert!(ch.rows(&["id"]).is_empty());
    assert!(ch.file_exists("20240101000000001-t.csv"));
}

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
        "--error-table hvr_errors -v",
    );
    // PostgreSQL batches are 2,000 rows; a checkpoint is 16 of them.
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
    keep_transactions_open(&mut ch);
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
    keep_transactions_open(&mut ch);
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
