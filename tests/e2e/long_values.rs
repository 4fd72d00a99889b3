//! A 50 MB field loads on every target, with memory bounded by bytes: the load buffer was
//! once sized longest value x batch rows, and the process aborted (exit 134, no F_J line).

use crate::support::Scenario;
use crate::support::model::Style;
use crate::support::target::Db;

const LONG: usize = 50 * 1024 * 1024;

fn fifty_megabyte_field(db: Db, test: &str) {
    let mut s = Scenario::new(db, Style::ReplicationCopy, test);
    s.models.truncate(1);
    let orders = s.hvr.tables[0].clone();
    let table = s.target.qualified(&orders);
    // Refresh creates the table again with unbounded text columns.
    s.target.execute(&[format!("DROP TABLE {table}")]);
    if db == Db::Mariadb {
        s.target
            .execute(&["SET GLOBAL max_allowed_packet = 268435456".to_string()]);
    }
    let mut changes = s.refresh_changes(30).remove(0).1;
    let note = orders
        .columns
        .iter()
        .position(|c| c.base == "note")
        .unwrap();
    changes[7].values[note] = Some("x".repeat(LONG));
    let files = s.hvr.files_for(&orders, &changes, true, 1);
    s.hvr.write(&files);
    let vars = s.hvr.end_env(&[&orders], &files, true);
    s.hvr.call("refr_write_end", &vars).assert_ok();
    let got = s
        .target
        .query(&format!("SELECT COUNT(*), MAX(LENGTH(note)) FROM {table}"));
    assert_eq!(
        got,
        vec![vec![Some("30".to_string()), Some(LONG.to_string())]],
        "{db:?}"
    );
}

#[test]
fn sqlite_loads_a_fifty_megabyte_field() {
    fifty_megabyte_field(Db::Sqlite, "long_sqlite");
}

#[test]
fn postgres_loads_a_fifty_megabyte_field() {
    fifty_megabyte_field(Db::Postgres, "long_pg");
}

#[test]
fn mariadb_loads_a_fifty_megabyte_field() {
    fifty_megabyte_field(Db::Mariadb, "long_maria");
}

/// Long text keys that share their first 2,000 characters are different keys: MariaDB sorts
/// strings by their first `max_sort_length` bytes (1024 by default), and the connector groups
/// the cycle's deletes by sorting, so with the default one of the two deletes was lost.
#[test]
fn mariadb_long_keys_sharing_a_long_prefix_stay_apart() {
    use crate::support::typed::Channel;
    let ch = Channel::new(Db::Mariadb, "long_keys_maria", "");
    let t = ch.target.ident("t");
    ch.target.execute(&[format!(
        "CREATE TABLE {t} (id MEDIUMTEXT NOT NULL, a VARCHAR(10), UNIQUE KEY (id))"
    )]);
    let prefix = "k".repeat(2000);
    let rows = |lines: &[(&str, &str, u8)]| {
        let mut csv = String::from("id,a,op_type\n");
        for (suffix, a, op) in lines {
            csv.push_str(&format!("{prefix}{suffix},{a},{op}\n"));
        }
        csv
    };
    // One integ_end of `csv` (`count` rows) as file `name`.
    let cycle = |name: &str, csv: &str, count: usize| {
        ch.raw(name, csv.as_bytes());
        ch.call("integ_end", "id,a,op_type", "id", &[(name, count)])
    };
    let first = rows(&[("1", "one", 1), ("2", "two", 1), ("3", "three", 1)]);
    cycle("20240101000000001-t.csv", &first, 3).assert_ok();
    let second = rows(&[("1", "one", 0), ("2", "two", 0), ("3", "changed", 2)]);
    cycle("20240101000000002-t.csv", &second, 3).assert_ok();
    let got = ch
        .target
        .query(&format!("SELECT RIGHT(id, 1), a FROM {t} ORDER BY 1"));
    assert_eq!(
        got,
        vec![vec![Some("3".to_string()), Some("changed".to_string())]]
    );
    // A key too long for the sort to tell apart fails the table instead.
    let long = format!("id,a,op_type\n{},x,1\n", "k".repeat(20_000));
    let run = cycle("20240101000000003-t.csv", &long, 1);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("Subquery returns more than 1 row"),
        "{}",
        run.stderr
    );
}
