//! A change is applied to the target row with its key. Where nothing can find that row, an
//! update would be added as a second row and a delete would remove nothing, without a word:
//! a NULL in a key column (NULL equals nothing, and unique keys hold many NULLs) on every
//! target, and on MariaDB a target with no primary or unique key of HVR's key columns only
//! (its upsert finds rows by such a key). Where files lack a key column, a change would find
//! every row sharing the rest. Each must fail the table, keep the file and change nothing.

use crate::support::target::Db;
use crate::support::typed::{Channel, s};

const COLUMNS: [&str; 3] = ["id", "k2", "a"];

/// `t (id, k2, a)` with `key` (its clause, or none) and two rows refreshed into it, the first
/// with a NULL `k2` (a refresh matches nothing, so it may).
fn channel(db: Db, test: &str, key: &str) -> Channel {
    refreshed(
        db,
        test,
        &format!("CREATE TABLE t (id INT NOT NULL, k2 INT, a VARCHAR(10){key})"),
        b"1,,x\n2,2,y\n",
        "id,k2",
    )
}

/// A channel whose table `t` is made by `create` and refreshed with two `rows` (id,k2,a)
/// keyed by `keys`.
fn refreshed(db: Db, test: &str, create: &str, rows: &[u8], keys: &str) -> Channel {
    let ch = Channel::new(db, test, "");
    ch.target.execute(&[create.to_string()]);
    let name = "20240101000000001-t.csv";
    ch.raw(name, &[b"id,k2,a\n".as_slice(), rows].concat());
    ch.call("refr_write_end", "id,k2,a", keys, &[(name, 2)])
        .assert_ok();
    ch
}

/// One cycle of `rows` (id,k2,a,op_type) keyed by `keys`: must fail with `complaint`, keep its
/// file and leave the rows as they were.
fn cycle_fails(ch: &Channel, keys: &str, rows: &str, complaint: &[&str]) {
    let before = ch.rows(&COLUMNS);
    let name = "20240101000000002-t.csv";
    ch.raw(name, format!("id,k2,a,op_type\n{rows}").as_bytes());
    ch.call("integ_end", "id,k2,a,op_type", keys, &[(name, 1)])
        .assert_fails_with(complaint);
    assert_eq!(ch.rows(&COLUMNS), before);
    assert!(ch.file_exists(name));
    std::fs::remove_file(ch.hvr.files_dir.join(name)).unwrap();
}

fn a_null_key_part_fails_the_table(db: Db, test: &str) {
    let ch = channel(db, test, ", UNIQUE (id, k2)");
    for (rows, op) in [("1,,x2,2\n", "update"), ("1,,x,0\n", "delete")] {
        let complaint = ["table t", "line 2, column 2", "key column \"k2\" is NULL"];
        cycle_fails(&ch, "id,k2", rows, &complaint);
        assert_eq!(ch.rows(&COLUMNS).len(), 2, "{op}");
    }
}

#[test]
fn sqlite_a_change_with_a_null_key_part_fails_the_table() {
    a_null_key_part_fails_the_table(Db::Sqlite, "null_key_sqlite");
}

#[test]
fn postgres_a_change_with_a_null_key_part_fails_the_table() {
    a_null_key_part_fails_the_table(Db::Postgres, "null_key_postgres");
}

#[test]
fn mariadb_a_change_with_a_null_key_part_fails_the_table() {
    a_null_key_part_fails_the_table(Db::Mariadb, "null_key_mariadb");
}

/// MariaDB without a unique key of the key columns alone: no key at all, or one that also
/// holds another column.
#[test]
fn mariadb_a_target_without_a_unique_key_of_hvrs_key_fails_the_table() {
    for (key, test) in [
        ("", "no_unique_key"),
        (", UNIQUE (id, a)", "wider_unique_key"),
    ] {
        let ch = channel(Db::Mariadb, test, key);
        let complaint = [
            "table t",
            "no primary or unique key of HVR's key columns (id)",
        ];
        cycle_fails(&ch, "id", "1,,x2,2\n", &complaint);
    }
}

/// A unique key (not primary) of the key columns is enough: the update changes its row.
#[test]
fn mariadb_a_unique_key_of_hvrs_key_columns_takes_updates_in_place() {
    let ch = channel(Db::Mariadb, "unique_key_in_place", ", UNIQUE (id)");
    let name = "20240101000000002-t.csv";
    ch.raw(name, b"id,k2,a,op_type\n1,1,x2,2\n");
    ch.call("integ_end", "id,k2,a,op_type", "id", &[(name, 1)])
        .assert_ok();
    assert_eq!(
        ch.rows(&COLUMNS),
        vec![vec![s("1"), s("1"), s("x2")], vec![s("2"), s("2"), s("y")]]
    );
}

/// Files without one of the key columns: matched by the rest of the key, an update would
/// change every row sharing it (seen: both rows of `id` 1 took the change).
fn a_file_without_a_key_column_fails_the_table(db: Db, test: &str) {
    let ch = refreshed(
        db,
        test,
        "CREATE TABLE t (id INT NOT NULL, k2 INT NOT NULL, a VARCHAR(10), PRIMARY KEY (id, k2))",
        b"1,1,x\n1,2,y\n",
        "id,k2",
    );
    let before = ch.rows(&COLUMNS);
    let name = "20240101000000002-t.csv";
    ch.raw(name, b"id,a,op_type\n1,changed,2\n");
    ch.call("integ_end", "id,k2,a,op_type", "id,k2", &[(name, 1)])
        .assert_fails_with(&["table t", name, "key column(s) k2 (HVR_TBL_KEYS) missing"]);
    assert_eq!(ch.rows(&COLUMNS), before);
    assert!(ch.file_exists(name));
}

#[test]
fn sqlite_a_file_without_a_key_column_fails_the_table() {
    a_file_without_a_key_column_fails_the_table(Db::Sqlite, "partial_key_sqlite");
}

#[test]
fn postgres_a_file_without_a_key_column_fails_the_table() {
    a_file_without_a_key_column_fails_the_table(Db::Postgres, "partial_key_postgres");
}

#[test]
fn mariadb_a_file_without_a_key_column_fails_the_table() {
    a_file_without_a_key_column_fails_the_table(Db::Mariadb, "partial_key_mariadb");
}

/// A key update written as a before-key-update (3, old key) and an after-update (2, new key),
/// as HVR writes it without `ReorderRows=SORT_COALESCE`: the row moves to its new key. Applying
/// only the 2 kept the old key's row beside it (seen on PostgreSQL and MariaDB).
fn a_key_update_moves_the_row(db: Db, test: &str) {
    let ch = channel(db, test, ", PRIMARY KEY (id)");
    let name = "20240101000000002-t.csv";
    ch.raw(
        name,
        b"id,k2,a,op_type\n1,,x,3\n7,,x,2\n2,2,y,4\n2,2,y2,2\n",
    );
    ch.call("integ_end", "id,k2,a,op_type", "id", &[(name, 4)])
        .assert_ok();
    assert_eq!(
        ch.rows(&COLUMNS),
        vec![vec![s("2"), s("2"), s("y2")], vec![s("7"), None, s("x")]]
    );
}

#[test]
fn sqlite_a_key_update_moves_the_row() {
    a_key_update_moves_the_row(Db::Sqlite, "key_update_sqlite");
}

#[test]
fn postgres_a_key_update_moves_the_row() {
    a_key_update_moves_the_row(Db::Postgres, "key_update_postgres");
}

#[test]
fn mariadb_a_key_update_moves_the_row() {
    a_key_update_moves_the_row(Db::Mariadb, "key_update_mariadb");
}

/// MariaDB's default collations call `a` and `A` (and `a` and `a `) one key, as the
/// target's primary key does: an update of `A` changes the row of `a`. But an insert of `A`
/// beside `a` comes from a source that tells them apart and has both: the upsert met the row
/// of `a` and overwrote it ("inserted 1", one row where the source has two). It must fail
/// the table instead.
#[test]
fn mariadb_an_insert_of_a_key_equal_to_another_only_by_collation_fails_the_table() {
    let ch = refreshed(
        Db::Mariadb,
        "collation_key",
        "CREATE TABLE t (id VARCHAR(10) NOT NULL PRIMARY KEY, k2 INT, a VARCHAR(10))",
        b"a,1,x\nB,2,y\n",
        "id",
    );
    for (rows, test) in [
        ("A,1,new,1\n", "insert"),
        ("a ,1,new,1\n", "trailing space"),
    ] {
        let before = ch.rows(&COLUMNS);
        let name = "20240101000000002-t.csv";
        ch.raw(name, format!("id,k2,a,op_type\n{rows}").as_bytes());
        let run = ch.call("integ_end", "id,k2,a,op_type", "id", &[(name, 1)]);
        // The guard's subquery fails the statement; the job log's SQL names why.
        run.assert_fails_with(&["table t", "Subquery returns more than 1 row"]);
        assert!(
            run.stdout.contains("hvr_key_equal_only_by_collation"),
            "{}",
            run.stdout
        );
        assert_eq!(ch.rows(&COLUMNS), before, "{test}");
        std::fs::remove_file(ch.hvr.files_dir.join(name)).unwrap();
    }
    // Updates (and a re-applied insert of the row's own key) still apply.
    let name = "20240101000000003-t.csv";
    ch.raw(name, b"id,k2,a,op_type\nA,1,x2,2\nB,2,y2,1\n");
    ch.call("integ_end", "id,k2,a,op_type", "id", &[(name, 2)])
        .assert_ok();
    assert_eq!(
        ch.rows(&COLUMNS),
        vec![vec![s("a"), s("1"), s("x2")], vec![s("B"), s("2"), s("y2")]]
    );
}
