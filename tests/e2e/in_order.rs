//! Changes the source applied one at a time collide when a connector applies them as a set:
//! a unique value that moves from one row to another in sequence is a duplicate key in key
//! order, and a row that refers to one inserted after it in sequence but before it in key
//! order breaks a foreign key. Such a cycle must apply (the host applies it again in ranges
//! of its changes, in order); a change that collides in any order must fail the table, name
//! its file and row, and change nothing.

use crate::support::target::Db;
use crate::support::typed::Channel;

const COLUMNS: [&str; 2] = ["id", "email"];
const CYCLE: &str = "20240101000000002-t.csv";

/// `t (id key, email unique)` refreshed with rows 1..=20, email `e<id>`.
fn channel(db: Db, test: &str) -> Channel {
    let ch = Channel::new(db, test, "");
    ch.target.execute(&[
        "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, email VARCHAR(20) NOT NULL UNIQUE)".into(),
    ]);
    let name = "20240101000000001-t.csv";
    let rows: String = (1..=20).map(|i| format!("{i},e{i}\n")).collect();
    ch.raw(name, format!("id,email\n{rows}").as_bytes());
    ch.call("refr_write_end", "id,email", "id", &[(name, 20)])
        .assert_ok();
    ch
}

fn cycle(ch: &Channel, rows: &[&str]) -> crate::support::hvr::Run {
    ch.raw(
        CYCLE,
        format!("id,email,op_type\n{}\n", rows.join("\n")).as_bytes(),
    );
    ch.call(
        "integ_end",
        "id,email,op_type",
        "id",
        &[(CYCLE, rows.len())],
    )
}

/// The table's rows in the order of their (integer) ids.
fn sorted(mut rows: Vec<(i64, &str)>) -> Vec<Vec<Option<String>>> {
    rows.sort();
    rows.iter()
        .map(|(id, email)| vec![Some(id.to_string()), Some(email.to_string())])
        .collect()
}

fn values_moving_between_rows_apply_in_order(db: Db, test: &str) {
    let ch = channel(db, test);
    let run = cycle(
        &ch,
        &[
            "2,e2b,2",
            // Row 20 gives its value up, then row 1 takes it: key order meets row 20 first.
            "20,moved,2",
            "1,e20,2",
            // A new row takes the value of a row changed just before (MariaDB's upsert meets
            // the other row by its unique key).
            "19,gone,2",
            "0,e19,1",
            "5,e5,0",
            "21,e5,1",
            "10,e10b,2",
            "11,e11b,2",
        ],
    );
    run.assert_ok();
    assert!(
        run.stdout.contains("9 rows from 1 file(s)")
            && run
                .stdout
                .contains("inserted 2, updated 6, deleted 1, truncated 0"),
        "the cycle's rows and ops are counted once:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("again in their order"),
        "the job log says the cycle was applied again:\n{}",
        run.stdout
    );
    let mut expected: Vec<(i64, String)> = (1..=21)
        .map(|i| (i, format!("e{i}")))
        .filter(|(i, _)| *i != 5 && *i != 21)
        .collect();
    for (id, email) in [(2, "e2b"), (20, "moved"), (1, "e20"), (19, "gone")] {
        expected.iter_mut().find(|(i, _)| *i == id).unwrap().1 = email.into();
    }
    expected.extend([(0, "e19".into()), (21, "e5".into())]);
    for (id, email) in [(10, "e10b"), (11, "e11b")] {
        expected.iter_mut().find(|(i, _)| *i == id).unwrap().1 = email.into();
    }
    let expected: Vec<(i64, &str)> = expected.iter().map(|(i, e)| (*i, e.as_str())).collect();
    let got = ch.rows_by_id(&COLUMNS);
    assert_eq!(got, sorted(expected));
    assert!(!ch.file_exists(CYCLE), "an applied cycle's file is deleted");
}

#[test]
fn sqlite_values_moving_between_rows_apply_in_order() {
    values_moving_between_rows_apply_in_order(Db::Sqlite, "in_order_sqlite");
}

#[test]
fn postgres_values_moving_between_rows_apply_in_order() {
    values_moving_between_rows_apply_in_order(Db::Postgres, "in_order_postgres");
}

#[test]
fn mariadb_values_moving_between_rows_apply_in_order() {
    values_moving_between_rows_apply_in_order(Db::Mariadb, "in_order_mariadb");
}

/// Cycles of two files: a value moving across them; a truncate, then a collision after it.
fn a_collision_across_files_and_a_later_truncate_apply_in_order(db: Db, test: &str) {
    let ch = channel(db, test);
    let (first, second) = ("20240101000000002-t.csv", "20240101000000003-t.csv");
    ch.raw(first, b"id,email,op_type\n20,moved,2\n3,e3b,2\n");
    ch.raw(second, b"id,email,op_type\n1,e20,2\n4,e4b,2\n");
    let columns = "id,email,op_type";
    ch.call("integ_end", columns, "id", &[(first, 2), (second, 2)])
        .assert_ok();
    let got = ch.rows_by_id(&COLUMNS);
    let email = |id: usize| got[id - 1][1].clone().unwrap();
    assert_eq!(
        [email(1), email(3), email(4), email(20), email(2)],
        ["e20", "e3b", "e4b", "moved", "e2"]
    );
    // A truncate, then a collision after it (30 gives up `x`, 29 is inserted with it): the
    // ranges after the truncate keep what came after it.
    let (third, fourth) = ("20240101000000004-t.csv", "20240101000000005-t.csv");
    ch.raw(third, b"id,email,op_type\n5,e5b,2\n,,5\n30,x,1\n31,y,1\n");
    ch.raw(fourth, b"id,email,op_type\n30,z,2\n29,x,1\n");
    let run = ch.call("integ_end", columns, "id", &[(third, 4), (fourth, 2)]);
    run.assert_ok();
    // Only MariaDB's upsert meets the collision (the others reduce to each key's last change).
    if matches!(db, Db::Mariadb) {
        assert!(
            run.stdout.contains("again in their order"),
            "{}",
            run.stdout
        );
    }
    let mut got = ch.rows(&COLUMNS);
    got.sort();
    let row = |id: &str, email: &str| vec![Some(id.to_string()), Some(email.to_string())];
    assert_eq!(got, vec![row("29", "x"), row("30", "z"), row("31", "y")]);
}

#[test]
fn sqlite_a_collision_across_files_and_a_later_truncate_apply_in_order() {
    a_collision_across_files_and_a_later_truncate_apply_in_order(
        Db::Sqlite,
        "in_order_files_sqlite",
    );
}

#[test]
fn postgres_a_collision_across_files_and_a_later_truncate_apply_in_order() {
    a_collision_across_files_and_a_later_truncate_apply_in_order(
        Db::Postgres,
        "in_order_files_postgres",
    );
}

#[test]
fn mariadb_a_collision_across_files_and_a_later_truncate_apply_in_order() {
    a_collision_across_files_and_a_later_truncate_apply_in_order(
        Db::Mariadb,
        "in_order_files_mariadb",
    );
}

/// Row 4 takes `e6` while row 6 still has it: no order applies that.
fn a_change_colliding_in_any_order_fails_naming_its_row(db: Db, test: &str) {
    let ch = channel(db, test);
    let before = ch.rows(&COLUMNS);
    let mut rows = vec!["3,e3b,2", "7,e7b,2", "8,e8b,2", "9,e9b,2", "12,e12b,2"];
    rows.insert(3, "4,e6,2");
    cycle(&ch, &rows).assert_fails_with(&[
        "table t",
        CYCLE,
        "its change in row 4 (of the file's rows, from 1) fails a constraint",
    ]);
    assert_eq!(ch.rows(&COLUMNS), before, "nothing of the cycle is applied");
    assert!(ch.file_exists(CYCLE));
}

#[test]
fn sqlite_a_change_colliding_in_any_order_fails_naming_its_row() {
    a_change_colliding_in_any_order_fails_naming_its_row(Db::Sqlite, "in_order_fail_sqlite");
}

#[test]
fn postgres_a_change_colliding_in_any_order_fails_naming_its_row() {
    a_change_colliding_in_any_order_fails_naming_its_row(Db::Postgres, "in_order_fail_postgres");
}

#[test]
fn mariadb_a_change_colliding_in_any_order_fails_naming_its_row() {
    a_change_colliding_in_any_order_fails_naming_its_row(Db::Mariadb, "in_order_fail_mariadb");
}

/// InnoDB checks a foreign key at each row: a child inserted in key order before the parent
/// inserted just before it in sequence.
#[test]
fn mariadb_a_row_referring_to_one_inserted_before_it_applies() {
    let ch = Channel::new(Db::Mariadb, "in_order_fk_mariadb", "");
    ch.target.execute(&[
        "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, parent INT, FOREIGN KEY (parent) REFERENCES t (id))".into(),
    ]);
    let name = "20240101000000001-t.csv";
    ch.raw(name, b"id,parent\n1,\n");
    ch.call("refr_write_end", "id,parent", "id", &[(name, 1)])
        .assert_ok();
    ch.raw(CYCLE, b"id,parent,op_type\n30,1,1\n25,30,1\n");
    ch.call("integ_end", "id,parent,op_type", "id", &[(CYCLE, 2)])
        .assert_ok();
    let got = ch.rows_by_id(&["id", "parent"]);
    let row = |id: &str, parent: Option<&str>| vec![Some(id.to_string()), parent.map(String::from)];
    assert_eq!(
        got,
        vec![row("1", None), row("25", Some("30")), row("30", Some("1"))]
    );
}

/// With `--error-table`: the cycle applies in order, and each row set aside is set aside once
/// (a row the target refuses while loading, by the range holding it; a row the reader cannot
/// decode, by the first range), whatever the number of ranges.
fn with_an_error_table_rows_set_aside_are_set_aside_once(db: Db, test: &str) {
    let mut ch = Channel::new(db, test, "--error-table hvr_errors");
    ch.keep_transactions_open();
    ch.target.execute(&[
        "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, email VARCHAR(20) NOT NULL UNIQUE, n INT)"
            .into(),
    ]);
    let name = "20240101000000001-t.csv";
    let rows: String = (1..=20).map(|i| format!("{i},e{i},{i}\n")).collect();
    ch.raw(name, format!("id,email,n\n{rows}").as_bytes());
    ch.call("refr_write_end", "id,email,n", "id", &[(name, 20)])
        .assert_ok();
    // Line 5 is not a number where the stage has the target's INT (refused while loading);
    // line 6 has a field too few (not decodable).
    let rows = [
        "2,e2b,2,2",
        "20,moved,20,2",
        "1,e20,1,2",
        "3,e3b,x3,2",
        "4,e4b,4",
        "5,e5b,5,2",
    ];
    ch.raw(
        CYCLE,
        format!("id,email,n,op_type\n{}\n", rows.join("\n")).as_bytes(),
    );
    let run = ch.call(
        "integ_end",
        "id,email,n,op_type",
        "id",
        &[(CYCLE, rows.len())],
    );
    run.assert_ok();
    assert!(
        run.stdout.contains("again in their order"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("2 set aside"), "{}", run.stdout);
    let got = ch.rows_by_id(&COLUMNS);
    let emails: Vec<String> = got.iter().map(|r| r[1].clone().unwrap()).collect();
    let mut expected: Vec<String> = (1..=20).map(|i| format!("e{i}")).collect();
    for (id, email) in [(1, "e20"), (2, "e2b"), (5, "e5b"), (20, "moved")] {
        expected[id - 1] = email.into();
    }
    assert_eq!(emails, expected);
    let errors = ch
        .target
        .query("SELECT position FROM hvr_errors ORDER BY position");
    let lines: Vec<Option<String>> = errors.into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(
        lines,
        [Some("line 5".into()), Some("line 6".into())],
        "{}",
        run.stdout
    );
}

#[test]
fn postgres_with_an_error_table_rows_set_aside_are_set_aside_once() {
    with_an_error_table_rows_set_aside_are_set_aside_once(Db::Postgres, "in_order_errors_postgres");
}

#[test]
fn mariadb_with_an_error_table_rows_set_aside_are_set_aside_once() {
    with_an_error_table_rows_set_aside_are_set_aside_once(Db::Mariadb, "in_order_errors_mariadb");
}
