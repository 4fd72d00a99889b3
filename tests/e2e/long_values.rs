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
