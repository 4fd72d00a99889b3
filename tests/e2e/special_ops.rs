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

/// Deletes on both sides of a truncate and of a multi-delete, with inserts and updates before
/// and after each: whatever order a plan applies deletes and upserts in, the target must hold
/// only what the last truncate, multi-delete and each key's last change say.
fn deletes_around_truncates_and_multi_deletes(db: Db, test: &str) {
    let mut sc = Scenario::new(db, Style::ReplicationCopy, test);
    let refresh = sc.refresh_changes(8);
    sc.hvr.refresh(&refresh).assert_ok();
    sc.hvr.user_arg.push_str(" --multi-delete line_items:line");
    let existing = [(6000, 1), (6000, 2), (6100, 1), (6200, 1), (6300, 1)];
    let rows: Vec<(Row, u8)> = existing
        .iter()
        .map(|&(o, l)| (item(o, l, "old"), 1))
        .collect();
    integrate_items(&mut sc, "20990101000000001", &rows).assert_ok();
    integrate_items(
        &mut sc,
        "20990101000000002",
        &[
            (item(6100, 1, "updated, deleted, truncated"), 2),
            (item(6100, 1, "updated, deleted, truncated"), 0),
            (item(6200, 1, "deleted before the truncate"), 0),
            (item(6300, 1, "updated before the truncate"), 2),
            (vec![None; 5], 5),
            (item(6200, 1, "back after the truncate"), 1),
            (item(6400, 1, "inserted, then deleted"), 1),
            (item(6400, 1, "inserted, then deleted"), 0),
            (item(6000, 1, "inserted before the multi-delete"), 1),
            (item(6000, 2, "deleted before the multi-delete"), 0),
            (
                item(6000, 5, "deleted, then inserted before the multi-delete"),
                0,
            ),
            (
                item(6000, 5, "deleted, then inserted before the multi-delete"),
                1,
            ),
            (item(6000, 0, ""), 8),
            (item(6000, 3, "inserted after, then deleted"), 1),
            (item(6000, 3, "inserted after, then deleted"), 0),
            (item(6000, 4, "deleted, then inserted after"), 0),
            (item(6000, 4, "deleted, then inserted after"), 1),
            (item(6000, 4, "and updated"), 2),
        ],
    )
    .assert_ok();
    let table = sc.hvr.tables[ITEMS].clone();
    assert_eq!(
        sc.target.rows(&table, Style::ReplicationCopy),
        vec![
            item(6000, 4, "and updated"),
            item(6200, 1, "back after the truncate")
        ]
    );
}

#[test]
fn sqlite_deletes_around_truncates_and_multi_deletes() {
    deletes_around_truncates_and_multi_deletes(Db::Sqlite, "op58_sqlite");
}

#[test]
fn postgres_deletes_around_truncates_and_multi_deletes() {
    deletes_around_truncates_and_multi_deletes(Db::Postgres, "op58_pg");
}

#[test]
fn mariadb_deletes_around_truncates_and_multi_deletes() {
    deletes_around_truncates_and_multi_deletes(Db::Mariadb, "op58_maria");
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
