//! A value its target column refuses (too long for a `varchar(3)` or a `char(2)`, too many
//! digits for a `numeric(6,2)`) is refused while the cycle loads, naming its file and line,
//! wherever the connector stages the cycle: the apply that follows cannot say which change
//! it was, and with `--error-table` it could only fail the whole table. So the stage must
//! check each value as its target column does. (SQLite columns take any length: nothing to
//! refuse there. MariaDB's values that do not fit are in `strict_values`.)

use crate::support::target::Db;
use crate::support::typed::{Channel, s};

const COLUMNS: [&str; 4] = ["id", "b", "c", "d"];

fn channel(db: Db, test: &str, user_arg: &str) -> Channel {
    let mut ch = Channel::new(db, test, user_arg);
    ch.keep_transactions_open();
    let t = ch.target.ident("t");
    ch.target.execute(&[format!(
        "CREATE TABLE {t} (id INT PRIMARY KEY, b VARCHAR(3), c NUMERIC(6,2), d CHAR(2))"
    )]);
    let name = "20240101000000001-t.csv";
    ch.raw(name, b"id,b,c,d\n1,x,1.5,a\n2,y,2.5,b\n3,z,3.5,c\n");
    ch.call("refr_write_end", "id,b,c,d", "id", &[(name, 3)])
        .assert_ok();
    ch
}

/// Each cycle updates all three rows; its third line holds a value that does not fit.
fn unfit_cycles() -> [(&'static str, &'static str, &'static str); 3] {
    [
        ("20240101000000002-t.csv", "3,long,3.5,c", "varying(3)"),
        (
            "20240101000000003-t.csv",
            "3,z,12345.6,c",
            "numeric field overflow",
        ),
        ("20240101000000004-t.csv", "3,z,3.5,ccc", "character(2)"),
    ]
}

/// `names` is where the error says the value is: its line, or for a load of one statement
/// per batch (psqlODBC's unnest arrays), its batch's lines.
fn an_unfit_value_fails_its_table_naming_its_line(db: Db, test: &str, load: &str, names: &str) {
    let ch = channel(db, test, &format!("--connector-option load={load}"));
    let before = ch.rows(&COLUMNS);
    for (name, unfit, complaint) in unfit_cycles() {
        ch.raw(
            name,
            format!("id,b,c,d,op_type\n1,x1,1,a,2\n2,y2,2,b,2\n{unfit},2\n").as_bytes(),
        );
        let run = ch.call("integ_end", "id,b,c,d,op_type", "id", &[(name, 3)]);
        run.assert_fails_with(&["table t", name, names, complaint]);
        assert_eq!(ch.rows(&COLUMNS), before, "{load} {name}");
        assert!(ch.file_exists(name), "{name}");
        std::fs::remove_file(ch.hvr.files_dir.join(name)).unwrap();
    }
}

#[test]
fn postgres_copy_refuses_an_unfit_value_while_loading() {
    an_unfit_value_fails_its_table_naming_its_line(Db::Postgres, "unfit_pg_copy", "copy", "line 4");
}

#[test]
fn postgres_unnest_refuses_an_unfit_value_while_loading() {
    an_unfit_value_fails_its_table_naming_its_line(
        Db::Postgres,
        "unfit_pg_unnest",
        "unnest",
        "lines 2-4",
    );
}

/// With `--error-table` each unfit value is set aside by itself, and the cycle's other
/// changes apply.
fn with_an_error_table_unfit_values_are_set_aside(db: Db, test: &str) {
    let ch = channel(db, test, "--error-table hvr_errors");
    let name = "20240101000000002-t.csv";
    let lines: Vec<String> = unfit_cycles()
        .iter()
        .map(|(_, unfit, _)| format!("{unfit},2"))
        .chain(["1,x1,1,a,2".to_string(), "2,y2,2,b,2".to_string()])
        .collect();
    ch.raw(
        name,
        format!("id,b,c,d,op_type\n{}\n", lines.join("\n")).as_bytes(),
    );
    let run = ch.call(
        "integ_end",
        "id,b,c,d,op_type",
        "id",
        &[(name, lines.len())],
    );
    run.assert_ok();
    assert!(run.stdout.contains("3 set aside"), "{}", run.stdout);
    assert_eq!(
        ch.rows(&COLUMNS),
        vec![
            vec![s("1"), s("x1"), s("1.00"), s("a")],
            vec![s("2"), s("y2"), s("2.00"), s("b")],
            vec![s("3"), s("z"), s("3.50"), s("c")],
        ]
    );
    let errors = ch
        .target
        .query("SELECT position FROM hvr_errors ORDER BY position");
    let positions: Vec<Option<String>> = errors.into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(positions, [s("line 2"), s("line 3"), s("line 4")]);
    assert!(!ch.file_exists(name), "{name}");
}

#[test]
fn postgres_with_an_error_table_unfit_values_are_set_aside() {
    with_an_error_table_unfit_values_are_set_aside(Db::Postgres, "unfit_pg_errors");
}

#[test]
fn mariadb_with_an_error_table_unfit_values_are_set_aside() {
    with_an_error_table_unfit_values_are_set_aside(Db::Mariadb, "unfit_mariadb_errors");
}
