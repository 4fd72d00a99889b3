//! Bounded waits: a lock held on a target table fails that table after --lock-timeout while
//! the others load; a server that accepts TCP but never answers fails the call after
//! --connect-timeout; SIGTERM ends a call with an F_J line, and a re-run applies the rest.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::support::Scenario;
use crate::support::model::Style;
use crate::support::target::Db;

/// Holds a lock on `orders` from a connection of the test's own until dropped.
fn lock_orders(s: &Scenario) -> odbc_api::Connection<'static> {
    let conn = s.target.connection();
    conn.set_autocommit(false).unwrap();
    let table = s.target.qualified(&s.hvr.tables[0]);
    let sql = match s.target.db {
        Db::Postgres => format!("LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"),
        _ => format!("SELECT COUNT(*) FROM (SELECT * FROM {table} FOR UPDATE) locked"),
    };
    conn.execute(&sql, (), None).unwrap();
    conn
}

fn locked_table_fails_alone(db: Db, test: &str) {
    let mut s = Scenario::new(db, Style::ReplicationCopy, test);
    let refresh = s.refresh_changes(6);
    s.hvr.refresh(&refresh).assert_ok();
    s.hvr.user_arg.push_str(" --lock-timeout 2");
    let changes = s.cycle_changes(8, None);
    let vars = s.hvr.stage_integrate(&changes);
    let lock = lock_orders(&s);
    let started = Instant::now();
    let run = s.hvr.call("integ_end", &vars);
    run.assert_fails_with(&["1 of 3 table(s) failed", "table orders"]);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    drop(lock);
    // The other tables were applied; the re-run applies orders and finds the rest done.
    s.hvr.call("integ_end", &vars).assert_ok();
    s.assert_target_matches("after the lock was released and the call re-run");
    s.assert_no_files_left();
}

#[test]
fn postgres_locked_table_fails_after_the_lock_timeout_and_others_load() {
    locked_table_fails_alone(Db::Postgres, "wait_lock_pg");
}

#[test]
fn mariadb_locked_table_fails_after_the_lock_timeout_and_others_load() {
    locked_table_fails_alone(Db::Mariadb, "wait_lock_maria");
}

/// A listener that accepts connections and never says a word.
fn silent_server() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    (listener, port)
}

/// Points the calls at another target.
fn set_connect_string(s: &mut Scenario, connect_string: String) {
    s.hvr.env.retain(|(k, _)| k != "HVR_WASM_CONNECT_STRING");
    s.hvr
        .env
        .push(("HVR_WASM_CONNECT_STRING".into(), connect_string));
}

#[test]
fn a_server_that_never_answers_fails_after_the_connect_timeout() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "wait_silent");
    let refresh = s.refresh_changes(3);
    let vars = s.hvr.stage_refresh(&refresh);
    let (_listener, port) = silent_server();
    for (connector, driver) in [
        (
            "postgres",
            format!("Driver={{PostgreSQL Unicode}};Server=127.0.0.1;Port={port};Database=x;Uid=u;"),
        ),
        (
            "mariadb",
            format!("Driver={{MariaDB Unicode}};Server=127.0.0.1;Port={port};Database=x;Uid=u;"),
        ),
    ] {
        set_connect_string(&mut s, driver);
        s.hvr.user_arg = format!("--connector {connector} --connect-timeout 2");
        let started = Instant::now();
        let run = s.hvr.call("refr_write_end", &vars);
        run.assert_fails_with(&["connecting to the target", "within 2 s"]);
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{connector}: {:?}",
            started.elapsed()
        );
    }
    assert_eq!(s.hvr.leftover_files().len(), 3, "files are kept");
}

#[test]
fn sigterm_ends_the_call_with_an_f_j_line_and_a_rerun_applies() {
    let mut s = Scenario::new(Db::Postgres, Style::ReplicationCopy, "wait_sigterm");
    let refresh = s.refresh_changes(6);
    s.hvr.refresh(&refresh).assert_ok();
    s.hvr.user_arg.push_str(" --parallel 1");
    let changes = s.cycle_changes(8, None);
    let vars = s.hvr.stage_integrate(&changes);
    let lock = lock_orders(&s);
    let child = s
        .hvr
        .command("integ_end", &vars)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("F_JX0D03: stopped by SIGTERM"), "{stderr}");
    assert!(stderr.contains("table orders"), "{stderr}");
    drop(lock);
    s.hvr.call("integ_end", &vars).assert_ok();
    s.assert_target_matches("after SIGTERM and a re-run");
    s.assert_no_files_left();
}

/// The connection opens while the connector loads; a connector that cannot load is the call's
/// error at once, without waiting for a target that does not answer.
#[test]
fn a_connector_that_cannot_load_fails_without_waiting_for_the_target() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "wait_bad_connector");
    let refresh = s.refresh_changes(3);
    let vars = s.hvr.stage_refresh(&refresh);
    let (_listener, port) = silent_server();
    set_connect_string(
        &mut s,
        format!("Driver={{PostgreSQL Unicode}};Server=127.0.0.1;Port={port};Database=x;Uid=u;"),
    );
    let missing = s.hvr.dir.join("no-such-connector.wasm");
    s.hvr.user_arg = format!("--connector {} --connect-timeout 600", missing.display());
    let started = Instant::now();
    let run = s.hvr.call("refr_write_end", &vars);
    run.assert_fails_with(&["no-such-connector.wasm"]);
    assert!(
        !run.stderr.contains("connecting to the target"),
        "{}",
        run.stderr
    );
    // A hang guard, not a speed check: waiting for the target would take 600 s.
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(s.hvr.leftover_files().len(), 3, "files are kept");
}
