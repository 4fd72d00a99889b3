//! The postgres connector's COPY loads run on the host's own PostgreSQL connection, opened
//! from what the user already configured: the psqlODBC connect string, a DSN's keys in
//! `odbc.ini`, or a libpq URI given with `--native-connect-string`. What a user meets at its
//! edges: a DSN loads with COPY as a connect string does; a setting the native session cannot
//! honour fails with a sentence that names it and the way out (`load=unnest`, arrays over
//! ODBC), and that way out works; and whatever the settings hold, the password never reaches
//! the output, even with `--verbose`.

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
fn postgres_through_a_dsn_loads_with_copy() {
    let mut s = Scenario::new(Db::Postgres, Style::ReplicationCopy, "native_dsn");
    let ini = s.hvr.dir.join("odbc.ini");
    std::fs::write(&ini, dsn_section(&s.target.connect_string)).unwrap();
    s.hvr.env = vec![
        ("HVR_WASM_DSN".into(), "e2e_pg".into()),
        ("ODBCINI".into(), ini.display().to_string()),
    ];
    s.hvr.user_arg = "--connector postgres --verbose".into();
    let run = refresh_orders(&mut s);
    run.assert_ok();
    assert!(run.stdout.contains("SQL (load): COPY"), "{}", run.stdout);
    s.models.truncate(1);
    s.assert_target_matches("after a refresh through a DSN");
}

#[test]
fn a_libpq_uri_opens_the_session_and_what_it_cannot_honour_is_named() {
    let mut s = Scenario::new(Db::Postgres, Style::ReplicationCopy, "native_uri");
    let uri = "postgresql://postgres:Ur1-S3cret@127.0.0.1:5432/hvr_e2e_native_uri";
    s.hvr.env.push((
        "HVR_WASM_NATIVE_CONNECT_STRING".into(),
        format!("{uri}?sslcert=/client.pem"),
    ));
    s.hvr.user_arg = "--connector postgres".into();
    let run = refresh_orders(&mut s);
    run.assert_fails_with(&["sslcert", "--connector-option load=unnest"]);
    assert!(!run.stderr.contains("Ur1-S3cret"), "{}", run.stderr);
    assert_eq!(s.hvr.leftover_files().len(), 1, "the files stay");

    s.hvr.user_arg = "--connector postgres --connector-option load=unnest".into();
    refresh_orders(&mut s).assert_ok();
    s.models.truncate(1);
    s.assert_target_matches("after a refresh over ODBC with load=unnest");

    s.hvr.env.pop();
    s.hvr
        .env
        .push(("HVR_WASM_NATIVE_CONNECT_STRING".into(), uri.into()));
    s.hvr.user_arg = "--connector postgres --verbose".into();
    let run = refresh_orders(&mut s);
    run.assert_ok();
    assert!(run.stdout.contains("SQL (load): COPY"), "{}", run.stdout);
    assert!(!run.stdout.contains("Ur1-S3cret"), "{}", run.stdout);
    s.models.truncate(1);
    s.assert_target_matches("after a refresh with COPY over the URI's session");
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

/// Native settings that reach another database than ODBC's would split the table's rows from
/// the exactly-once fence and the state ODBC reads: refused before anything is loaded.
#[test]
fn a_native_session_on_another_database_is_refused() {
    let mut s = Scenario::new(Db::Postgres, Style::ReplicationCopy, "native_other_db");
    s.hvr.env.push((
        "HVR_WASM_NATIVE_CONNECT_STRING".into(),
        "host=127.0.0.1 user=postgres dbname=postgres".into(),
    ));
    s.hvr.user_arg = "--connector postgres".into();
    refresh_orders(&mut s).assert_fails_with(&[
        "reaches database postgres",
        "hvr_e2e_native_other_db",
        "load=unnest",
    ]);
    assert_eq!(s.hvr.leftover_files().len(), 1, "the files stay");
}
