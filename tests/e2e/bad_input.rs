//! Each bad input ends in exit 1 with an F_J line naming the problem, leaves the target as it
//! was, and keeps the files so HVR can retry after the fix.

use crate::support::Scenario;
use crate::support::hvr::File;
use crate::support::model::Style;
use crate::support::target::Db;

/// A refreshed channel, ready for a bad integrate call on table `orders`.
fn refreshed(test: &str, db: Db) -> Scenario {
    let mut s = Scenario::new(db, Style::ReplicationCopy, test);
    let refresh = s.refresh_changes(10);
    s.hvr.refresh(&refresh).assert_ok();
    s
}

const HEADER: &str = "id,customer,amount,note,created,op_type,is_deleted\n";

/// Runs `integ_end` for `orders` with one hand-written file, expecting failure.
fn integrate_bad_file(s: &mut Scenario, body: &[u8], rows: usize, fragments: &[&str]) {
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(body);
    let file = File {
        name: "20991231000000000-orders.csv".into(),
        bytes,
        rows,
    };
    s.hvr.write(std::slice::from_ref(&file));
    let orders = s.hvr.tables[0].clone();
    let vars = s
        .hvr
        .end_env(&[&orders], std::slice::from_ref(&file), false);
    let run = s.hvr.call("integ_end", &vars);
    let mut all = vec!["orders", file.name.as_str()];
    all.extend_from_slice(fragments);
    run.assert_fails_with(&all);
    s.assert_target_matches("after the failed call");
    assert_eq!(
        s.hvr.leftover_files(),
        vec![file.name.clone()],
        "the file must be kept"
    );
}

#[test]
fn short_row_names_file_and_line() {
    let mut s = refreshed("bad_short_row", Db::Sqlite);
    integrate_bad_file(
        &mut s,
        b"900001,a,1.00,n,2024-01-01 00:00:00,1,0\n900002,b,2.00\n",
        2,
        &["line 3", "3 field(s), expected 7"],
    );
}

#[test]
fn unterminated_quote_names_line_and_column() {
    let mut s = refreshed("bad_quote", Db::Sqlite);
    integrate_bad_file(
        &mut s,
        b"900001,a,1.00,\"never closed,2024-01-01 00:00:00,1,0\n",
        1,
        &["line 2, column 4", "never closed"],
    );
}

#[test]
fn invalid_utf8_names_line_and_column() {
    let mut s = refreshed("bad_utf8", Db::Sqlite);
    integrate_bad_file(
        &mut s,
        b"900001,a\xff\xfe,1.00,n,2024-01-01 00:00:00,1,0\n",
        1,
        &["line 2, column 2", "invalid UTF-8"],
    );
}

#[test]
fn unknown_header_column_is_named() {
    let s = refreshed("bad_header", Db::Sqlite);
    let file = File {
        name: "20991231000000000-orders.csv".into(),
        bytes: b"id,customer,bogus\n1,a,b\n".to_vec(),
        rows: 1,
    };
    s.hvr.write(std::slice::from_ref(&file));
    let orders = s.hvr.tables[0].clone();
    let vars = s
        .hvr
        .end_env(&[&orders], std::slice::from_ref(&file), false);
    s.hvr.call("integ_end", &vars).assert_fails_with(&[
        "orders",
        "line 1, column 3",
        "header column \"bogus\"",
    ]);
    s.assert_target_matches("after the failed call");
    assert_eq!(s.hvr.leftover_files().len(), 1);
}

#[test]
fn row_count_different_from_hvr_file_nrows_applies_nothing() {
    let mut s = refreshed("bad_nrows", Db::Sqlite);
    integrate_bad_file(
        &mut s,
        b"900001,a,1.00,n,2024-01-01 00:00:00,1,0\n",
        2,
        &["HVR_FILE_NROWS says 2 rows but the file has 1"],
    );
}

#[test]
fn missing_environment_is_named() {
    let mut s = refreshed("bad_env", Db::Sqlite);
    let changes = s.cycle_changes(3, None);
    let orders = s.hvr.tables[0].clone();
    let files = s.hvr.files_for(&orders, &changes[0].1, false, 1);
    s.hvr.write(&files);
    let vars: Vec<(String, String)> = s
        .hvr
        .end_env(&[&orders], &files, false)
        .into_iter()
        .filter(|(k, _)| k != "HVR_COL_NAMES")
        .collect();
    s.hvr
        .call("integ_end", &vars)
        .assert_fails_with(&["HVR_COL_NAMES is not set"]);
    assert_eq!(s.hvr.leftover_files().len(), 1);
}

/// A value PostgreSQL refuses mid-load rolls the whole table back.
#[test]
fn postgres_rejected_value_rolls_back_the_table() {
    let mut s = refreshed("bad_pg_value", Db::Postgres);
    integrate_bad_file(
        &mut s,
        b"900001,a,1.00,n,2024-01-01 00:00:00,1,0\n900002,b,not-a-number,n,2024-01-01 00:00:00,1,0\n",
        2,
        // The refused row's line in its batch's lines, not "up to line 4" of a three-line file.
        &[
            "invalid input syntax for type numeric",
            "line 3 (row 2 of the batch of lines 2-3)",
        ],
    );
}

#[test]
fn garbage_op_code_is_named() {
    let mut s = refreshed("bad_op_value", Db::Sqlite);
    integrate_bad_file(
        &mut s,
        b"900001,a,1.00,n,2024-01-01 00:00:00,x,0\n",
        1,
        &["line 2, column 6", "\"x\" is not an HVR op code"],
    );
}

/// A value MariaDB refuses mid-apply rolls the whole table back.
#[test]
fn mariadb_rejected_value_rolls_back_the_table() {
    let mut s = refreshed("bad_maria_value", Db::Mariadb);
    integrate_bad_file(
        &mut s,
        b"900001,a,1.00,n,2024-01-01 00:00:00,1,0\n900002,b,not-a-number,n,2024-01-01 00:00:00,1,0\n",
        2,
        &["amount"],
    );
}
