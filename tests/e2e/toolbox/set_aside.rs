//! `--error-table`: rows the target rejects or that cannot be decoded are set aside, the rest
//! apply in the same transaction; without it a bad row fails its table; `--max-error-rows`.

use crate::support::target::Db;
use crate::support::typed::{Channel, s};

pub(super) const ERRORS: &str =
    "SELECT file_name, position, raw_row, mode, table_name FROM hvr_errors ORDER BY position";

/// A table whose `a` the target constrains: NOT NULL and, on the servers, an integer.
pub(super) fn constrained(db: Db, test: &str, user_arg: &str) -> Channel {
    let mut ch = Channel::new(db, test, user_arg);
    ch.keep_transactions_open();
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

/// Row 2 breaks a constraint (SQLite: CHECK; servers: not an integer), row 4 is NULL where the
/// column is NOT NULL; rows 1, 3 and 5 land.
fn bad_refresh(db: Db, test: &str) {
    bad_refresh_with(db, test, "--error-table hvr_errors");
}

fn bad_refresh_with(db: Db, test: &str, user_arg: &str) {
    let ch = constrained(db, test, user_arg);
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

/// Through sqliteodbc, which reports SQLite's result code as its native error with the
/// general state HY000: a CHECK or NOT NULL is still the row's own.
#[test]
fn rejected_rows_are_set_aside_on_sqlite_through_the_driver() {
    bad_refresh_with(
        Db::Sqlite,
        "toolbox_aside_sqlite_driver",
        "--error-table hvr_errors --sqlite-session odbc",
    );
}

#[test]
fn rejected_rows_are_set_aside_on_postgres() {
    bad_refresh(Db::Postgres, "toolbox_aside_pg");
}

#[test]
fn rejected_rows_are_set_aside_on_mariadb() {
    bad_refresh(Db::Mariadb, "toolbox_aside_mariadb");
}

/// Integrate: a change the target rejects while loading the cycle (or, where the stage lacks
/// the constraint, while applying it) is set aside, the others
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
    // SQLite stages the changes without the target's CHECK: the apply fails, and the cycle
    // applies again in order, setting aside the change that fails on its own.
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
fn sqlite_rejected_changes_are_set_aside_where_the_stage_cannot_see_the_constraint() {
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
