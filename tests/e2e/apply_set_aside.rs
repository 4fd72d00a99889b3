//! With `--error-table`, a change the target refuses only when the staged cycle is applied
//! (a NOT NULL or CHECK the stage does not have, a unique value another row keeps) is set
//! aside like a row refused while loading: the cycle is applied again in ranges of its
//! changes, in order, and a change that fails on its own goes to the error table while the
//! others apply. A plan that fails every change is not a bad row: past a limit the table
//! fails, and nothing of it is applied.

use crate::support::target::Db;
use crate::support::typed::{Channel, s};

const CYCLE: &str = "20240101000000002-t.csv";
const COLUMNS: [&str; 3] = ["id", "email", "n"];

/// `t (id key, email unique, n NOT NULL and not negative)` refreshed with rows 1..=5.
fn channel(db: Db, test: &str, more_args: &str) -> Channel {
    let mut ch = Channel::new(db, test, &format!("--error-table hvr_errors {more_args}"));
    ch.keep_transactions_open();
    ch.target.execute(&[
        "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, email VARCHAR(20) NOT NULL UNIQUE, n INT NOT NULL CHECK (n >= 0))"
            .into(),
    ]);
    let name = "20240101000000001-t.csv";
    let rows: String = (1..=5).map(|i| format!("{i},e{i},{i}\n")).collect();
    ch.raw(name, format!("id,email,n\n{rows}").as_bytes());
    ch.call("refr_write_end", "id,email,n", "id", &[(name, 5)])
        .assert_ok();
    ch
}

fn cycle(ch: &Channel, lines: &[String]) -> crate::support::hvr::Run {
    ch.raw(
        CYCLE,
        format!("id,email,n,op_type\n{}\n", lines.join("\n")).as_bytes(),
    );
    ch.call(
        "integ_end",
        "id,email,n,op_type",
        "id",
        &[(CYCLE, lines.len())],
    )
}

/// Lines 3, 4 and 5 fail the apply on their own.
fn three_refused_changes() -> [String; 6] {
    [
        "1,e1b,10,2", // line 2: applies
        "2,e2b,-1,2", // line 3: fails the CHECK
        "6,e6,,2",    // line 4: NULL where the target has NOT NULL
        "3,e4,3,2",   // line 5: takes a value row 4 keeps
        "7,e7,7,2",   // line 6: applies
        "2,e2c,2,2",  // line 7: a later change to line 3's key applies
    ]
    .map(String::from)
}

fn changes_the_apply_refuses_are_set_aside(db: Db, test: &str) {
    let ch = channel(db, test, "");
    let run = cycle(&ch, &three_refused_changes());
    run.assert_ok();
    assert!(run.stdout.contains("3 set aside"), "{}", run.stdout);
    // Counted by op code (all 2), less the three set aside.
    assert!(
        run.stdout.contains("inserted 0, updated 3,"),
        "{}",
        run.stdout
    );
    let row = |id: &str, email: &str, n: &str| vec![s(id), s(email), s(n)];
    assert_eq!(
        ch.rows_by_id(&COLUMNS),
        vec![
            row("1", "e1b", "10"),
            row("2", "e2c", "2"),
            row("3", "e3", "3"),
            row("4", "e4", "4"),
            row("5", "e5", "5"),
            row("7", "e7", "7"),
        ]
    );
    let errors = ch
        .target
        .query("SELECT position, raw_row FROM hvr_errors ORDER BY position");
    assert_eq!(
        errors,
        vec![
            vec![s("line 3"), s("2,e2b,-1,2")],
            vec![s("line 4"), s("6,e6,,2")],
            vec![s("line 5"), s("3,e4,3,2")],
        ],
        "{}",
        run.stdout
    );
    assert!(!ch.file_exists(CYCLE));
}

#[test]
fn postgres_changes_the_apply_refuses_are_set_aside() {
    changes_the_apply_refuses_are_set_aside(Db::Postgres, "apply_set_aside_postgres");
}

#[test]
fn mariadb_changes_the_apply_refuses_are_set_aside() {
    changes_the_apply_refuses_are_set_aside(Db::Mariadb, "apply_set_aside_mariadb");
}

#[test]
fn sqlite_changes_the_apply_refuses_are_set_aside() {
    changes_the_apply_refuses_are_set_aside(Db::Sqlite, "apply_set_aside_sqlite");
}

/// Every change of the cycle fails the apply on its own (here each is a negative `n`): past
/// the limit the table fails naming it, nothing is applied or set aside, and the file stays.
#[test]
fn postgres_a_cycle_whose_every_change_fails_the_apply_fails_its_table() {
    let ch = channel(Db::Postgres, "apply_set_aside_limit", "");
    let before = ch.rows_by_id(&COLUMNS);
    let lines: Vec<String> = (1..=120).map(|i| format!("{i},x{i},-{i},2")).collect();
    cycle(&ch, &lines).assert_fails_with(&["table t", CYCLE, "more than 100", "set aside"]);
    assert_eq!(ch.rows_by_id(&COLUMNS), before);
    assert!(ch.target.query("SELECT raw_row FROM hvr_errors").is_empty());
    assert!(ch.file_exists(CYCLE));
}

/// `--max-error-rows` counts the changes the apply refuses too.
#[test]
fn mariadb_max_error_rows_counts_changes_the_apply_refuses() {
    let ch = channel(Db::Mariadb, "apply_set_aside_max", "--max-error-rows 2");
    let before = ch.rows_by_id(&COLUMNS);
    cycle(&ch, &three_refused_changes()).assert_fails_with(&[
        "table t",
        "more than 2 row(s) set aside",
        "line 5",
    ]);
    assert_eq!(ch.rows_by_id(&COLUMNS), before);
    assert!(ch.target.query("SELECT raw_row FROM hvr_errors").is_empty());
    assert!(ch.file_exists(CYCLE));
}

/// A cycle of two files: the change refused in the second file (a foreign key to a row that
/// is not there, on InnoDB) is named by that file and its own line.
#[test]
fn mariadb_a_change_refused_in_a_cycles_second_file_is_named_by_its_file() {
    let mut ch = Channel::new(
        Db::Mariadb,
        "apply_set_aside_files",
        "--error-table hvr_errors",
    );
    ch.keep_transactions_open();
    ch.target.execute(&[
        "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, parent INT, FOREIGN KEY (parent) REFERENCES t (id)) ENGINE=InnoDB"
            .into(),
    ]);
    let (first, second) = ("20240101000000002-t.csv", "20240101000000003-t.csv");
    ch.raw(first, b"id,parent,op_type\n1,,1\n2,1,1\n");
    ch.raw(second, b"id,parent,op_type\n3,2,1\n4,99,1\n5,3,1\n");
    let run = ch.call(
        "integ_end",
        "id,parent,op_type",
        "id",
        &[(first, 2), (second, 3)],
    );
    run.assert_ok();
    assert!(run.stdout.contains("1 set aside"), "{}", run.stdout);
    let ids: Vec<Option<String>> = rows_of_ids(&ch);
    assert_eq!(ids, [s("1"), s("2"), s("3"), s("5")]);
    let errors = ch
        .target
        .query("SELECT file_name, position, raw_row FROM hvr_errors");
    assert_eq!(errors, vec![vec![s(second), s("line 3"), s("4,99,1")]]);
    assert!(!ch.file_exists(first) && !ch.file_exists(second));
}

fn rows_of_ids(ch: &Channel) -> Vec<Option<String>> {
    ch.rows_by_id(&["id"])
        .into_iter()
        .map(|r| r[0].clone())
        .collect()
}

/// In a Parquet file the refused change is named by its row group and row, and the error
/// table holds its fields as read.
#[test]
fn postgres_a_change_refused_in_a_parquet_file_is_named_by_its_row() {
    use crate::support::typed::{cols, spec};
    use serde_json::json;
    let mut ch = Channel::new(
        Db::Postgres,
        "apply_set_aside_parquet",
        "--error-table hvr_errors --file-format parquet",
    );
    ch.keep_transactions_open();
    ch.target
        .execute(&["CREATE TABLE t (id INT PRIMARY KEY, n INT CHECK (n >= 0))".into()]);
    let name = "20240101000000002-t.parquet";
    let columns = cols(&[("id", "int32"), ("n", "int32"), ("op_type", "int32")]);
    let rows = vec![json!([1, 1, 1]), json!([2, -2, 1]), json!([3, 3, 1])];
    ch.typed("parquet", name, spec(columns, rows));
    let run = ch.call("integ_end", "id,n,op_type", "id", &[(name, 3)]);
    run.assert_ok();
    assert_eq!(rows_of_ids(&ch), [s("1"), s("3")]);
    let errors = ch.target.query("SELECT position, raw_row FROM hvr_errors");
    assert_eq!(errors, vec![vec![s("row group 1, row 2"), s("2,-2,1")]]);
}
