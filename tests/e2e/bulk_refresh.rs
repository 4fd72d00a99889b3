//! A MariaDB refresh into an empty table is an InnoDB bulk insert: the connector turns
//! `unique_checks` and `foreign_key_checks` off for that load (guests/mariadb/src/bulk.rs).
//! Whatever the server would refuse with the checks on must still fail the table, with the
//! server's own words, and keep its files: duplicate keys, primary or secondary, and rows
//! whose parent is missing; and a load that fails with the checks off must not leave them
//! off for the next table.

use crate::support::Scenario;
use crate::support::hvr::File;
use crate::support::model::Style;
use crate::support::target::Db;

/// More rows than one LOAD DATA batch of the connector (10,000), so the duplicate reaches
/// the server in a later batch than the row it repeats.
const ROWS: usize = 12_000;

/// `file` with one more row: its first data row again, with `id` as its key when given.
fn with_repeated_first_row(mut file: File, id: Option<&str>) -> File {
    let text = String::from_utf8(file.bytes.clone()).expect("a plain CSV file");
    let first = text.lines().nth(1).expect("a data row");
    let row = match id {
        Some(id) => format!("{id}{}", &first[first.find(',').expect("two fields")..]),
        None => first.to_string(),
    };
    file.bytes.extend_from_slice(format!("{row}\n").as_bytes());
    file.rows += 1;
    file
}

/// Refreshes `orders` (empty) from a file whose last row repeats its first one (with `id`,
/// when given, as the new row's key); the call must fail with `fragments`, and change and
/// delete nothing.
fn refresh_with_a_repeated_row(s: &mut Scenario, id: Option<&str>, fragments: &[&str]) {
    s.models.truncate(1);
    let changes = s.refresh_changes(ROWS);
    let orders = s.hvr.tables[0].clone();
    let file = s.hvr.files_for(&orders, &changes[0].1, true, 1).remove(0);
    let file = with_repeated_first_row(file, id);
    s.hvr.write(std::slice::from_ref(&file));
    let vars = s.hvr.end_env(&[&orders], std::slice::from_ref(&file), true);
    s.hvr
        .call("refr_write_end", &vars)
        .assert_fails_with(fragments);
    let def = s.models[0].def.clone();
    assert!(
        s.target.rows(&def, s.style).is_empty(),
        "rows were committed"
    );
    assert_eq!(s.hvr.leftover_files(), vec![file.name.clone()]);
}

#[test]
fn mariadb_bulk_refresh_refuses_a_repeated_primary_key() {
    let mut s = Scenario::new(Db::Mariadb, Style::ReplicationCopy, "bulk_repeated_key");
    refresh_with_a_repeated_row(&mut s, None, &["orders", "Duplicate entry"]);
}

#[test]
fn mariadb_bulk_refresh_by_parameter_arrays_refuses_a_repeated_primary_key() {
    let mut s = Scenario::new(
        Db::Mariadb,
        Style::ReplicationCopy,
        "bulk_repeated_key_arrays",
    );
    s.hvr
        .user_arg
        .push_str(" --connector-option load=parameter-arrays");
    refresh_with_a_repeated_row(&mut s, None, &["orders", "Duplicate entry"]);
}

/// A table with a unique key besides its primary key keeps the checks: a bulk insert would
/// refuse the duplicate only as "Got error 1 during COMMIT", naming neither key nor value.
#[test]
fn mariadb_refresh_names_a_repeated_secondary_unique_key() {
    let mut s = Scenario::new(Db::Mariadb, Style::ReplicationCopy, "bulk_repeated_unique");
    let orders = s.target.qualified(&s.models[0].def);
    // Every column but the key: only the repeated row can collide.
    s.target.execute(&[format!(
        "ALTER TABLE {orders} ADD UNIQUE KEY hvr_all_but_key (customer(100), amount, note(100), created)"
    )]);
    refresh_with_a_repeated_row(
        &mut s,
        Some("987654321"),
        &["orders", "Duplicate entry", "hvr_all_but_key"],
    );
}

/// Gives `line_items` (the channel's third table) a foreign key to `orders`.
fn make_items_refer_to_orders(s: &Scenario) {
    let (orders, items) = (
        s.target.qualified(&s.models[0].def),
        s.target.qualified(&s.models[2].def),
    );
    s.target.execute(&[format!(
        "ALTER TABLE {items} ADD CONSTRAINT hvr_item_order FOREIGN KEY (order_id) REFERENCES {orders} (id)"
    )]);
}

/// A table with a foreign key of its own keeps the check: every row's parent is missing here.
#[test]
fn mariadb_refresh_of_a_table_with_a_foreign_key_still_checks_it() {
    let mut s = Scenario::new(Db::Mariadb, Style::ReplicationCopy, "bulk_foreign_key");
    make_items_refer_to_orders(&s);
    refreshing_items_fails_on_their_orders(&mut s);
}

/// Refreshes `line_items` alone (`orders` stays empty): a foreign key to `orders` must fail
/// the table, and nothing may be committed.
fn refreshing_items_fails_on_their_orders(s: &mut Scenario) {
    let changes = s.refresh_changes(20);
    let items_only: Vec<_> = changes.into_iter().filter(|(i, _)| *i == 2).collect();
    s.hvr
        .refresh(&items_only)
        .assert_fails_with(&["line_items", "foreign key constraint fails"]);
    let def = s.models[2].def.clone();
    assert!(
        s.target.rows(&def, s.style).is_empty(),
        "orphans were committed"
    );
}

/// `orders` fails during its bulk load (checks off, its `after` never runs); `line_items`,
/// next on the same connection, must check its foreign key all the same.
#[test]
fn mariadb_a_failed_bulk_load_leaves_the_checks_on_for_the_next_table() {
    let mut s = Scenario::new(Db::Mariadb, Style::ReplicationCopy, "bulk_checks_restored");
    s.hvr.user_arg.push_str(" --parallel 1");
    make_items_refer_to_orders(&s);
    let changes = s.refresh_changes(50);
    let (orders, items) = (s.hvr.tables[0].clone(), s.hvr.tables[2].clone());
    let refused = s.hvr.files_for(&orders, &changes[0].1, true, 1).remove(0);
    let refused = with_repeated_first_row(refused, None);
    let orphans = s.hvr.files_for(&items, &changes[2].1, true, 1).remove(0);
    let files = [refused, orphans];
    s.hvr.write(&files);
    let vars = s.hvr.end_env(&[&orders, &items], &files, true);
    s.hvr.call("refr_write_end", &vars).assert_fails_with(&[
        "orders",
        "Duplicate entry",
        "line_items",
        "foreign key constraint fails",
    ]);
    for table in [0, 2] {
        let def = s.models[table].def.clone();
        assert!(s.target.rows(&def, s.style).is_empty(), "{}", def.name);
    }
}

/// The checks are the session's: a trigger on the refreshed table writes other tables under
/// them. `line_items` (no foreign key of its own) gets a trigger that copies each row's
/// order into an audit table whose foreign key refers to `orders`, which is empty: every
/// copy is an orphan, and the refresh must fail as it would with the checks on.
#[test]
fn mariadb_refresh_of_a_table_with_a_trigger_keeps_the_checks_for_what_it_writes() {
    let mut s = Scenario::new(Db::Mariadb, Style::ReplicationCopy, "bulk_trigger");
    let (orders, items) = (
        s.target.qualified(&s.models[0].def),
        s.target.qualified(&s.models[2].def),
    );
    s.target.execute(&[
        format!(
            "CREATE TABLE hvr_item_audit (order_id INT, FOREIGN KEY (order_id) REFERENCES {orders} (id)) ENGINE=InnoDB"
        ),
        format!(
            "CREATE TRIGGER hvr_item_audit_trigger AFTER INSERT ON {items} FOR EACH ROW \
             INSERT INTO hvr_item_audit (order_id) VALUES (NEW.order_id)"
        ),
    ]);
    refreshing_items_fails_on_their_orders(&mut s);
}
