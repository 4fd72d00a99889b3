//! Op codes beyond insert/update/delete: truncate (5) empties the target before the rest of the
//! cycle applies; SAP multi-delete (8) removes every row matching the key minus one column.

use crate::support::data::Row;
use crate::support::model::Style;
use crate::support::target::Db;
use crate::support::{Scenario, integrate_rows};

const ITEMS: usize = 2;

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

/// A `line_items` row: (order_id, line, product, qty, price).
fn item(order: u32, line: u32, product: &str) -> Row {
    vec![
        s(&order.to_string()),
        s(&line.to_string()),
        s(product),
        s("1"),
        s("2.5000"),
    ]
}

/// Runs one `integ_end` for `line_items` with rows of (values, op).
fn integrate_items(sc: &mut Scenario, name: &str, rows: &[(Row, u8)]) -> crate::support::hvr::Run {
    integrate_rows(sc, ITEMS, name, rows)
}

fn truncate_empties_before_later_rows(db: Db, test: &str) {
    let mut sc = Scenario::new(db, Style::ReplicationCopy, test);
    let refresh = sc.refresh_changes(8);
    sc.hvr.refresh(&refresh).assert_ok();
    let truncate_row: Row = vec![None; 5];
    integrate_items(
        &mut sc,
        "20990101000000001",
        &[
            (item(9001, 1, "before"), 1),
            (truncate_row, 5),
            (item(9002, 2, "after"), 1),
            (item(9003, 3, "after, then gone"), 1),
            (item(9003, 3, "after, then gone"), 0),
        ],
    )
    .assert_ok();
    let table = sc.hvr.tables[ITEMS].clone();
    assert_eq!(
        sc.target.rows(&table, Style::ReplicationCopy),
        vec![item(9002, 2, "after")]
    );
}

fn multi_delete_removes_rows_matching_the_partial_key(db: Db, test: &str) {
    let mut sc = Scenario::new(db, Style::ReplicationCopy, test);
    let refresh = sc.refresh_changes(8);
    sc.hvr.refresh(&refresh).assert_ok();
    sc.hvr.user_arg.push_str(" --multi-delete line_items:line");
    integrate_items(
        &mut sc,
        "20990101000000001",
        &[
            (item(5000, 1, "a"), 1),
            (item(5000, 2, "b"), 1),
            (item(5000, 3, "c"), 1),
            (item(5001, 1, "other order"), 1),
        ],
    )
    .assert_ok();
    let table = sc.hvr.tables[ITEMS].clone();
    let before = sc.target.rows(&table, Style::ReplicationCopy);
    integrate_items(
        &mut sc,
        "20990101000000002",
        &[
            (item(5000, 1, "updated, then multi-deleted"), 2),
            (item(5000, 0, ""), 8),
            (item(5000, 6, "inserted after"), 1),
        ],
    )
    .assert_ok();
    let mut expected: Vec<Row> = before
        .into_iter()
        .filter(|r| r[0].as_deref() != Some("5000"))
        .chain([item(5000, 6, "inserted after")])
        .collect();
    expected.sort();
    assert_eq!(sc.target.rows(&table, Style::ReplicationCopy), expected);
}

#[test]
fn sqlite_truncate_empties_the_table_before_later_rows() {
    truncate_empties_before_later_rows(Db::Sqlite, "op5_sqlite");
}

#[test]
fn postgres_truncate_empties_the_table_before_later_rows() {
    truncate_empties_before_later_rows(Db::Postgres, "op5_pg");
}

#[test]
fn mariadb_truncate_empties_the_table_before_later_rows() {
    truncate_empties_before_later_rows(Db::Mariadb, "op5_maria");
}

#[test]
fn sqlite_multi_delete_removes_rows_matching_the_partial_key() {
    multi_delete_removes_rows_matching_the_partial_key(Db::Sqlite, "op8_sqlite");
}

#[test]
fn postgres_multi_delete_removes_rows_matching_the_partial_key() {
    multi_delete_removes_rows_matching_the_partial_key(Db::Postgres, "op8_pg");
}

#[test]
fn mariadb_multi_delete_removes_rows_matching_the_partial_key() {
    multi_delete_removes_rows_matching_the_partial_key(Db::Mariadb, "op8_maria");
}

#[test]
fn soft_delete_target_marks_truncated_rows_deleted() {
    let mut sc = Scenario::new(Db::Sqlite, Style::SoftDelete, "op5_soft");
    let refresh = sc.refresh_changes(4);
    sc.hvr.refresh(&refresh).assert_ok();
    integrate_items(&mut sc, "20990101000000001", &[(vec![None; 5], 5)]).assert_ok();
    let table = sc.hvr.tables[ITEMS].clone();
    let rows = sc.target.rows(&table, Style::SoftDelete);
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter().all(|r| r[5].as_deref() == Some("1")),
        "{rows:?}"
    );
}

#[test]
fn multi_delete_without_configuration_is_refused() {
    let mut sc = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "op8_unconfigured");
    let refresh = sc.refresh_changes(3);
    sc.hvr.refresh(&refresh).assert_ok();
    integrate_items(&mut sc, "20990101000000001", &[(item(5000, 0, ""), 8)]).assert_fails_with(&[
        "line_items",
        "op code 8",
        "--multi-delete",
    ]);
    sc.assert_target_matches("after the refused call");
}
