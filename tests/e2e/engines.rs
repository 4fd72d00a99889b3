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
    let vars = a_cycle_the_server_refuses_for_orders(&mut sc);
    let left = sc.hvr.leftover_files();
    assert!(
        !left.is_empty() && left.iter().all(|f| f.ends_with("-orders.csv")),
        "{left:?}"
    );
    // The operator lifts the cause; HVR calls again with the same environment.
    lift_the_refusal(&sc);
    sc.hvr.call("integ_end", &vars).assert_ok();
    sc.assert_target_matches("after the failed table was retried");
    sc.assert_no_files_left();
}

/// A table refresh creates must roll back with the fence whatever the server's default
/// engine. The connection's first statement (`InitStmt`, a MariaDB ODBC option) makes MyISAM
/// the session's default, as a server configured that way would: the created table must
/// still be InnoDB, and the cycles after it must apply.
#[test]
fn mariadb_a_table_refresh_creates_is_transactional_under_a_myisam_default() {
    let mut sc = Scenario::new(Db::Mariadb, Style::ReplicationCopy, "engine_created");
    sc.target.execute(&["DROP TABLE `line_items`".to_string()]);
    let connect = sc.target.connect_string.clone();
    let myisam_default = format!("{connect}InitStmt=SET SESSION default_storage_engine=MyISAM;");
    for (name, value) in &mut sc.hvr.env {
        if name == "HVR_WASM_CONNECT_STRING" {
            *value = myisam_default.clone();
        }
    }
    // The host's own tables are created on the same connection.
    sc.hvr
        .user_arg
        .push_str(" --history-table hvr_history --error-table hvr_errors");
    let refresh = sc.refresh_changes(5);
    let run = sc.hvr.refresh(&refresh);
    run.assert_ok();
    assert!(
        run.stdout.contains("does not exist; creating it"),
        "{}",
        run.stdout
    );
    for table in ["line_items", "hvr_wasm_state", "hvr_history", "hvr_errors"] {
        let engine = sc.target.query(&format!(
            "SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}'"
        ));
        assert_eq!(engine, [[Some("InnoDB".to_string())]], "{table}");
    }
    // With --error-table the stage must roll back to savepoints: InnoDB by name, too. Then
    // without it (an Aria stage), and the temporary tables built after the load have keys
    // longer than MyISAM allows.
    for user_arg in [
        sc.hvr.user_arg.clone(),
        sc.hvr.user_arg.replace(" --error-table hvr_errors", ""),
    ] {
        sc.hvr.user_arg = user_arg;
        let changes = sc.cycle_changes(8, None);
        sc.hvr.integrate(&changes).assert_ok();
    }
    sc.assert_target_matches("after cycles into the table refresh created");
}

/// The history and error tables are written in each table's transaction: one made by hand in
/// an engine without transactions is refused before anything is applied.
#[test]
fn mariadb_ledgers_without_transactions_are_refused() {
    for (option, test) in [
        ("--history-table", "engine_history"),
        ("--error-table", "engine_errors"),
    ] {
        let mut sc = Scenario::new(Db::Mariadb, Style::ReplicationCopy, test);
        sc.target
            .execute(&["CREATE TABLE `hvr_ledger` (x INT) ENGINE=MyISAM".to_string()]);
        sc.hvr.user_arg.push_str(&format!(" {option} hvr_ledger"));
        let refresh = sc.refresh_changes(5);
        sc.hvr.refresh(&refresh).assert_fails_with(&[
            &format!("{option} hvr_ledger"),
            "MyISAM",
            "no transactions",
        ]);
        let table = sc.hvr.tables[ITEMS].clone();
        assert!(sc.target.rows(&table, Style::ReplicationCopy).is_empty());
        assert!(!sc.hvr.leftover_files().is_empty());
    }
}

const REFUSED_OPS: [&str; 3] = ["INSERT", "UPDATE", "DELETE"];

/// Triggers make the server refuse every change to `orders` (in its own schema, the call's
/// first table: with `--parallel 1` the others come after it on the one connection); one
/// cycle's `integ_end` then fails for that table alone. Returns the call's environment, for
/// the retry.
pub(crate) fn a_cycle_the_server_refuses_for_orders(sc: &mut Scenario) -> Vec<(String, String)> {
    let schema = sc.hvr.schema.clone();
    sc.target.execute(&REFUSED_OPS.map(|op| {
        format!(
            "CREATE TRIGGER `{schema}`.`orders_refuse_{op}` BEFORE {op} ON `{schema}`.`orders` \
             FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'"
        )
    }));
    let changes = sc.cycle_changes(8, None);
    sc.hvr.call("integ_begin", &[]).assert_ok();
    let vars = sc.hvr.stage_integrate(&changes);
    sc.hvr.call("integ_end", &vars).assert_fails_with(&[
        "1 of 3 table(s) failed: table orders",
        "refused by the test",
    ]);
    vars
}

/// Drops what [`a_cycle_the_server_refuses_for_orders`] created.
pub(crate) fn lift_the_refusal(sc: &Scenario) {
    let schema = &sc.hvr.schema;
    sc.target
        .execute(&REFUSED_OPS.map(|op| format!("DROP TRIGGER `{schema}`.`orders_refuse_{op}`")));
}
