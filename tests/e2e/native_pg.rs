//! The postgres connector's COPY loads run on the host's own PostgreSQL connection, opened
//! from the psqlODBC connect string. What a user meets at its edges: a target reached through a
//! DSN alone (no connect string to open it from) fails with a sentence that names the way out,
//! and that way out (`load=unnest`, arrays over ODBC) works; and whatever the connect string
//! holds, the password never reaches the output, even with `--verbose`.

use crate::support::model::Style;
use crate::support::target::Db;
use crate::support::{Scenario, refresh_orders};

/// The connect string's `key=value` pairs as an odbc.ini section, in psqlODBC's key names.
fn dsn_section(connect_string: &str) -> String {
    let mut ini = String::from("[e2e_pg]\n");
    for pair in connect_string.split(';').filter(|p| p.contains('=')) {
        let (key, value) = pair.split_once('=').unwrap();
        let key = match key.to_ascii_lowercase().as_str() {
            "driver" => "Driver",
            "server" => "Servername",
            "uid" => "Username",
            "pwd" => "Password",
            _ => key,
        };
        ini.push_str(&format!("{key}={}\n", value.trim_matches(['{', '}'])));
    }
    ini
}

#[test]
fn postgres_through_a_dsn_needs_load_unnest_and_works_with_it() {
    let mut s = Scenario::new(Db::Postgres, Style::ReplicationCopy, "native_dsn");
    let ini = s.hvr.dir.join("odbc.ini");
    std::fs::write(&ini, dsn_section(&s.target.connect_string)).unwrap();
    s.hvr.env = vec![
        ("HVR_WASM_DSN".into(), "e2e_pg".into()),
        ("ODBCINI".into(), ini.display().to_string()),
    ];
    s.hvr.user_arg = "--connector postgres".into();
    refresh_orders(&mut s).assert_fails_with(&[
        "needs the native PostgreSQL connection",
        "--connector-option load=unnest",
    ]);
    assert_eq!(s.hvr.leftover_files().len(), 1, "the files stay");
    s.hvr.user_arg = "--connector postgres --connector-option load=unnest".into();
    refresh_orders(&mut s).assert_ok();
    s.models.truncate(1);
    s.assert_target_matches("after a refresh over ODBC with load=unnest");
}

#[test]
fn the_native_connection_never_prints_the_password() {
    let mut s = Scenario::new(Db::Postgres, Style::ReplicationCopy, "native_secret");
    // Trust authentication ignores the password: the call succeeds, and must not echo it.
    let secret = "n4tive-S3cret;pw";
    for (key, value) in s.hvr.env.iter_mut() {
        if key == "HVR_WASM_CONNECT_STRING" {
            value.push_str(&format!("Pwd={{{secret}}};"));
        }
    }
    s.hvr.user_arg = "--connector postgres --verbose".into();
    let run = refresh_orders(&mut s);
    run.assert_ok();
    assert!(run.stdout.contains("COPY"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("n4tive") && !run.stderr.contains("n4tive"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}
