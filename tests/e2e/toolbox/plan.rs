//! `hvrwasmagent plan`: the statements a cycle would run, in order, the same as a real run
//! prints with `-v`; and nothing changed.

use crate::support::hvr::Run;
use crate::support::target::Db;
use crate::support::typed::{Channel, s};

/// The statement lines of a run: what `-v` prints of a real run and `plan` of a dry one.
fn statements(run: &Run) -> Vec<String> {
    run.stdout
        .lines()
        .filter(|l| l.starts_with("  SQL") || l.starts_with("  file "))
        .map(str::to_string)
        .collect()
}

fn same_as_a_real_run(db: Db, test: &str) {
    let mut ch = Channel::new(db, test, "--history-table hvr_history");
    ch.raw("20240101000000001-t.csv", b"id,a\n1,x\n2,y\n");
    let refresh = [("20240101000000001-t.csv", 2)];
    let user_arg = ch.hvr.user_arg.clone();
    // A first refresh: nothing exists yet, and the plan creates nothing.
    let plan = ch.tool(
        &["plan", "refr_write_end", "chn", "trg", &user_arg],
        "id,a",
        "id",
        &refresh,
    );
    plan.assert_ok();
    assert!(
        plan.stdout
            .contains("  file 20240101000000001-t.csv: 2 rows"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("SQL (load): "), "{}", plan.stdout);
    assert!(ch.file_exists("20240101000000001-t.csv"));
    let exists = match db {
        Db::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('t', 'hvr_wasm_state', 'hvr_history')".to_string(),
        Db::Mariadb => "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('t', 'hvr_wasm_state', 'hvr_history')".to_string(),
        Db::Postgres => "SELECT COUNT(*) FROM information_schema.tables WHERE table_catalog = current_database() AND table_name IN ('t', 'hvr_wasm_state', 'hvr_history')".to_string(),
    };
    assert_eq!(
        ch.target.query(&exists),
        vec![vec![s("0")]],
        "the plan created a table"
    );
    ch.hvr.user_arg = format!("{user_arg} -v");
    let real = ch.call("refr_write_end", "id,a", "id", &refresh);
    real.assert_ok();
    assert_eq!(statements(&plan), statements(&real));

    // An integrate cycle over existing tables.
    ch.hvr.user_arg = user_arg.clone();
    ch.raw(
        "20240101000000002-t.csv",
        b"id,a,op_type\n3,z,1\n1,X,2\n2,,0\n",
    );
    let cycle = [("20240101000000002-t.csv", 3)];
    let plan = ch.tool(
        &["plan", "integ_end", "chn", "trg", &user_arg],
        "id,a,op_type",
        "id",
        &cycle,
    );
    plan.assert_ok();
    assert_eq!(
        ch.rows(&["id", "a"]),
        vec![vec![s("1"), s("x")], vec![s("2"), s("y")]]
    );
    assert!(ch.file_exists("20240101000000002-t.csv"));
    ch.hvr.user_arg = format!("{user_arg} -v");
    let real = ch.call("integ_end", "id,a,op_type", "id", &cycle);
    real.assert_ok();
    assert_eq!(statements(&plan), statements(&real));
    assert!(!statements(&plan).is_empty());
    assert_eq!(
        ch.rows(&["id", "a"]),
        vec![vec![s("1"), s("X")], vec![s("3"), s("z")]]
    );
}

#[test]
fn plan_prints_what_a_real_run_runs_on_sqlite() {
    same_as_a_real_run(Db::Sqlite, "toolbox_plan_sqlite");
}

#[test]
fn plan_prints_what_a_real_run_runs_on_postgres() {
    same_as_a_real_run(Db::Postgres, "toolbox_plan_pg");
}

/// A connector author plans with their own component.
#[test]
fn plan_runs_a_connector_given_by_path() {
    let wasm = crate::support::hvr::guest_wasm("guest_sqlite");
    let ch = Channel::new(
        Db::Sqlite,
        "toolbox_plan_path",
        &format!("--connector {}", wasm.display()),
    );
    ch.raw("20240101000000001-t.csv", b"id,a\n1,x\n");
    let run = ch.tool(
        &["plan", "refr_write_end", "chn", "trg", &ch.hvr.user_arg],
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 1)],
    );
    run.assert_ok();
    assert!(run.stdout.contains("CREATE TABLE"), "{}", run.stdout);
    assert!(ch.file_exists("20240101000000001-t.csv"));
}

#[test]
fn plan_prints_what_a_real_run_runs_on_mariadb() {
    same_as_a_real_run(Db::Mariadb, "toolbox_plan_mariadb");
}
