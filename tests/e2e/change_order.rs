//! Several changes to one key in one cycle: the target ends as the last change says, whatever
//! the plan does with the others (MariaDB applies them in sequence, the others reduce first).

use crate::support::data::Row;
use crate::support::model::Style;
use crate::support::target::Db;
use crate::support::{Scenario, integrate_rows};

const ITEMS: usize = 2;
const GROUP: usize = 1;

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

/// A `line_items` row: (order_id, line, product, qty, price).
fn item(order: &str, line: &str, product: &str) -> Row {
    vec![s(order), s(line), s(product), s("1"), s("2.5000")]
}

fn key(row: &Row) -> (Option<String>, Option<String>) {
    (row[0].clone(), row[1].clone())
}

/// New keys changed several times, interleaved, and three keys the refresh loaded: updated
/// then deleted, deleted then inserted, updated twice.
fn the_last_change_per_key_wins(db: Db, test: &str) {
    let mut sc = Scenario::new(db, Style::ReplicationCopy, test);
    let refresh = sc.refresh_changes(8);
    sc.hvr.refresh(&refresh).assert_ok();
    let table = sc.hvr.tables[ITEMS].clone();
    let before = sc.target.rows(&table, Style::ReplicationCopy);
    let existing = |i: usize, product: &str| {
        let (order, line) = key(&before[i]);
        item(order.as_deref().unwrap(), line.as_deref().unwrap(), product)
    };
    let changes = [
        (item("9101", "1", "a"), 1),
        (item("9102", "1", "a"), 1),
        (existing(0, "x"), 2),
        (item("9103", "1", "a"), 1),
        (item("9104", "1", "never there"), 0),
        (existing(1, "gone"), 0),
        (item("9105", "1", "a"), 1),
        (item("9101", "1", "b"), 2),
        (item("9102", "1", "a"), 0),
        (item("9103", "1", "a"), 0),
        (existing(2, "p"), 2),
        (item("9105", "1", "b"), 2),
        (item("9104", "1", "a"), 1),
        (existing(0, "x"), 0),
        (item("9105", "1", "b"), 0),
        (item("9103", "1", "b"), 1),
        (existing(1, "y"), 1),
        (item("9101", "1", "c"), 2),
        (existing(2, "q"), 2),
        (item("9105", "1", "c"), 1),
        (item("9105", "1", "d"), 2),
    ];
    integrate_rows(&mut sc, ITEMS, "20990101000000001", &changes).assert_ok();
    let changed: Vec<_> = changes.iter().map(|(r, _)| key(r)).collect();
    let mut expected: Vec<Row> = before
        .iter()
        .filter(|r| !changed.contains(&key(r)))
        .cloned()
        .chain([
            item("9101", "1", "c"),
            item("9103", "1", "b"),
            item("9104", "1", "a"),
            item("9105", "1", "d"),
            existing(1, "y"),
            existing(2, "q"),
        ])
        .collect();
    expected.sort();
    assert_eq!(sc.target.rows(&table, Style::ReplicationCopy), expected);
    sc.assert_no_files_left();
}

#[test]
fn sqlite_the_last_change_per_key_wins() {
    the_last_change_per_key_wins(Db::Sqlite, "order_sqlite");
}

#[test]
fn postgres_the_last_change_per_key_wins() {
    the_last_change_per_key_wins(Db::Postgres, "order_pg");
}

#[test]
fn mariadb_the_last_change_per_key_wins() {
    the_last_change_per_key_wins(Db::Mariadb, "order_maria");
}

/// A `group` row: (region, select, desc, updated).
fn group(region: &str, select: &str, desc: &str) -> Row {
    vec![s(region), s(select), s(desc), s("2024-01-01 00:00:00")]
}

/// MariaDB compares the `group` table's text key by its collation (case-insensitive, trailing
/// spaces ignored): keys that differ only that way are one key, and their changes apply in
/// the cycle's order, as the target's primary key sees them.
#[test]
fn mariadb_keys_equal_by_collation_are_one_key() {
    let mut sc = Scenario::new(Db::Mariadb, Style::ReplicationCopy, "order_maria_ci");
    let changes = [
        (group("north", "1", "first"), 1),
        (group("south ", "2", "there"), 1),
        (group("East", "3", "never there"), 0),
        (group("NORTH", "1", "second"), 2),
        (group("SOUTH", "2", "there"), 0),
        (group("east", "3", "back"), 1),
        (group("West", "4", "one"), 1),
        (group("west ", "4", "two"), 2),
        (group("WEST", "4", "two"), 0),
        (group("wEST", "4", "three"), 1),
    ];
    integrate_rows(&mut sc, GROUP, "20990101000000001", &changes).assert_ok();
    let got = sc
        .target
        .query("SELECT LOWER(TRIM(`region`)), `select`, `desc` FROM `group` ORDER BY 1");
    let expected: Vec<Row> = vec![
        vec![s("east"), s("3"), s("back")],
        vec![s("north"), s("1"), s("second")],
        vec![s("west"), s("4"), s("three")],
    ];
    assert_eq!(got, expected);
}

/// A secondary unique key whose value a delete frees and a lower key takes in the same cycle.
/// MariaDB's upsert (`ON DUPLICATE KEY UPDATE`) fires on any unique key: were the deleted row
/// still there, the new row's insert would update it instead, and the delete would then
/// remove it, losing the new row. Deletes apply before the upsert, so it never meets one.
#[test]
fn mariadb_a_unique_value_a_delete_frees_can_be_taken_by_a_lower_key() {
    let mut sc = Scenario::new(Db::Mariadb, Style::ReplicationCopy, "order_maria_unique");
    let first = [
        (item("9500", "1", "badge 7"), 1),
        (item("9400", "1", "badge 3"), 1),
    ];
    integrate_rows(&mut sc, ITEMS, "20990101000000001", &first).assert_ok();
    let table = sc.hvr.tables[ITEMS].clone();
    make_product_unique(&sc, &table);
    let second = [
        (item("9500", "1", "badge 7"), 0),
        (item("9300", "1", "badge 7"), 1),
        (item("9400", "1", "badge 3"), 2),
        (item("9400", "1", "badge 3"), 0),
        (item("9200", "1", "badge 3"), 1),
    ];
    integrate_rows(&mut sc, ITEMS, "20990101000000002", &second).assert_ok();
    assert_eq!(
        sc.target.rows(&table, Style::ReplicationCopy),
        vec![item("9200", "1", "badge 3"), item("9300", "1", "badge 7")]
    );
    sc.assert_no_files_left();
}

/// The case deleting first cannot help: a secondary unique value moves to a lower key in one
/// cycle, so in key order its new holder comes before the old one lets go. The upsert would
/// meet the old holder's row and overwrite it, dropping the new row without a word; the guard
/// fails that upsert, and the host applies the cycle again in order, where the value is freed
/// first. A new row taking a value its holder keeps meets the holder's row in any order: that
/// fails the table, with the target and the file unchanged.
#[test]
fn mariadb_a_unique_value_taken_before_it_is_freed_applies_in_order() {
    let mut sc = Scenario::new(
        Db::Mariadb,
        Style::ReplicationCopy,
        "order_maria_unique_moved",
    );
    integrate_rows(
        &mut sc,
        ITEMS,
        "20990101000000001",
        &[(item("9600", "1", "badge 9"), 1)],
    )
    .assert_ok();
    let table = sc.hvr.tables[ITEMS].clone();
    make_product_unique(&sc, &table);
    let moved = [
        (item("9600", "1", "badge 10"), 2),
        (item("9550", "1", "badge 9"), 1),
    ];
    integrate_rows(&mut sc, ITEMS, "20990101000000002", &moved).assert_ok();
    let applied = vec![item("9550", "1", "badge 9"), item("9600", "1", "badge 10")];
    assert_eq!(sc.target.rows(&table, Style::ReplicationCopy), applied);
    sc.assert_no_files_left();
    let taken = [(item("9700", "1", "badge 10"), 1)];
    integrate_rows(&mut sc, ITEMS, "20990101000000003", &taken)
        .assert_fails_with(&["line_items", "Subquery returns more than 1 row"]);
    assert_eq!(sc.target.rows(&table, Style::ReplicationCopy), applied);
    assert_eq!(sc.hvr.leftover_files().len(), 1, "the cycle's file is kept");
}

/// A second unique key on `line_items`, besides its primary key (HVR's key).
fn make_product_unique(sc: &Scenario, table: &crate::support::data::TableDef) {
    sc.target.execute(&[format!(
        "ALTER TABLE {} ADD UNIQUE KEY `hvr_test_product` (`product`)",
        sc.target.qualified(table)
    )]);
}
