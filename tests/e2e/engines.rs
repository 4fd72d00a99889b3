//! A MariaDB target table in an engine without transactions (MyISAM, Aria) cannot roll back,
//! so exactly-once cannot hold on it: the host refuses the table before it changes anything,
//! keeps its files, and the other tables of the call still apply.

use crate::support::Scenario;
use crate::support::model::Style;
use crate::support::target::Db;

const ITEMS: usize = 2;

fn a_table_without_transactions_is_refused(engine: &str, test: &str) {
    let mut sc = Scenario::new(Db::Mariadb, Style::ReplicationCopy, test);
    let refresh = sc.refresh_changes(5);
    sc.hvr.refresh(&refresh).assert_ok();
    let table = sc.hvr.tables[ITEMS].clone();
    sc.target
        .execute(&[format!("ALTER TABLE `line_items` ENGINE={engine}")]);
    let before = sc.target.rows(&table, Style::ReplicationCopy);
    let changes = sc.cycle_changes(10, None);
    sc.hvr
        .integrate(&changes)
        .assert_fails_with(&["line_items", engine, "no transactions"]);
    assert_eq!(sc.target.rows(&table, Style::ReplicationCopy), before);
    let left = sc.hvr.leftover_files();
    assert!(
        !left.is_empty() && left.iter().all(|f| f.ends_with("-line_items.csv")),
        "{left:?}"
    );
}

#[test]
fn mariadb_myisam_table_is_refused_and_keeps_its_files() {
    a_table_without_transactions_is_refused("MyISAM", "engine_myisam");
}

#[test]
fn mariadb_aria_table_is_refused_and_keeps_its_files() {
    a_table_without_transactions_is_refused("Aria", "engine_aria");
}

/// The fence's state table must commit with the rows: one in MyISAM (made by hand, or by an
/// older release on a server whose default engine is MyISAM) is refused before any table.
#[test]
fn mariadb_state_table_without_transactions_is_refused() {
    let mut sc = Scenario::new(Db::Mariadb, Style::ReplicationCopy, "engine_state");
    sc.target.execute(&[
        "CREATE TABLE `hvr_wasm_state` (channel VARCHAR(190) NOT NULL, location VARCHAR(190) NOT NULL, \
         table_name VARCHAR(190) NOT NULL, digest VARCHAR(190) NOT NULL, applied_at TIMESTAMP NULL, \
         record LONGTEXT, claimed_by VARCHAR(190), PRIMARY KEY (channel, location, table_name)) ENGINE=MyISAM DEFAULT CHARSET=latin1"
            .to_string(),
    ]);
    let refresh = sc.refresh_changes(5);
    sc.hvr
        .refresh(&refresh)
        .assert_fails_with(&["hvr_wasm_state", "MyISAM", "no transactions"]);
    let table = sc.hvr.tables[ITEMS].clone();
    assert!(sc.target.rows(&table, Style::ReplicationCopy).is_empty());
    assert!(!sc.hvr.leftover_files().is_empty());
}

/// Without `--error-table` the integrate stage is a temporary Aria table, which a failed call
/// does not roll back. A table the server refuses must leave nothing for what comes next on
/// that connection (the call's other tables, one lane) nor for the call that retries it: after
/// the retry every table equals its model, each change applied once.
#[test]
fn mariadb_a_failed_tables_stage_reaches_nothing() {
    let mut sc = Scenario::new(Db::Mariadb, Style::ReplicationCopy, "engine_stage_failed");
    sc.hvr.user_arg.push_str(" --parallel 1");
    let refresh = sc.refresh_changes(5);
    sc.hvr.refresh(&refresh).assert_ok();
    // `orders` (in its own schema) is the call's first table: the others come after it on the
    // one connection.
    let schema = sc.hvr.schema.clone();
    let ops = ["INSERT", "UPDATE", "DELETE"];
    let refuse: Vec<String> = ops
        .iter()
        .map(|op| {
            format!(
                "CREATE TRIGGER `{schema}`.`orders_refuse_{op}` BEFORE {op} ON `{schema}`.`orders` \
                 FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'"
            )
        })
        .collect();
    sc.target.execute(&refuse);
    let changes = sc.cycle_changes(8, None);
    sc.hvr.call("integ_begin", &[]).assert_ok();
    let vars = sc.hvr.stage_integrate(&changes);
    sc.hvr.call("integ_end", &vars).assert_fails_with(&[
        "1 of 3 table(s) failed: table orders",
        "refused by the test",
    ]);
    let left = sc.hvr.leftover_files();
    assert!(
        !left.is_empty() && left.iter().all(|f| f.ends_with("-orders.csv")),
        "{left:?}"
    );
    // The operator lifts the cause; HVR calls again with the same environment.
    let lift: Vec<String> = ops
        .iter()
        .map(|op| format!("DROP TRIGGER `{schema}`.`orders_refuse_{op}`"))
        .collect();
    sc.target.execute(&lift);
    sc.hvr.call("integ_end", &vars).assert_ok();
    sc.assert_target_matches("after the failed table was retried");
    sc.assert_no_files_left();
}
