//! Session settings that would change values on their way in. MariaDB adjusts a value that
//! does not fit its column (`abc` into an integer becomes 0, a long string is cut) with only a
//! warning unless the session's `sql_mode` is strict for the table's engine: the default
//! `STRICT_TRANS_TABLES` is not strict for the Aria stage, and some servers run with no strict
//! mode at all; and a decimal rounded to the column's scale is only a note in every mode.
//! Whatever the mode and the load shape, such a value must fail its table, keep its file and
//! leave the target as it was. `NO_BACKSLASH_ESCAPES` must not change the load's meaning, and
//! a connection that is not in UTF-8 (MariaDB or PostgreSQL) is refused up front.

use crate::support::target::Db;
use crate::support::typed::{Channel, s};

/// The connection's first statement gives the session this `sql_mode`, as a server
/// configured that way would; `None` keeps the server's default.
fn channel(test: &str, load: &str, sql_mode: Option<&str>) -> Channel {
    let mut ch = Channel::new(
        Db::Mariadb,
        test,
        &format!("--connector-option load={load}"),
    );
    if let Some(mode) = sql_mode {
        ch.edit_env("HVR_WASM_CONNECT_STRING", |value| {
            value.push_str(&format!("InitStmt=SET SESSION sql_mode='{mode}';"))
        });
    }
    ch.target.execute(&[
        "CREATE TABLE `t` (id INT PRIMARY KEY, a INT, b VARCHAR(3), c DECIMAL(6,2))".to_string(),
    ]);
    ch
}

/// Refresh three rows; then a cycle of three updates whose second (and third) value does not
/// fit: it must fail and change nothing.
fn an_unfit_value_fails_its_table(test: &str, load: &str, sql_mode: Option<&str>) {
    let ch = channel(test, load, sql_mode);
    ch.raw(
        "20240101000000001-t.csv",
        b"id,a,b,c\n1,1,x,1.5\n2,2,y,2.5\n3,3,z,3.5\n",
    );
    ch.call(
        "refr_write_end",
        "id,a,b,c",
        "id",
        &[("20240101000000001-t.csv", 3)],
    )
    .assert_ok();
    let before = ch.rows(&["id", "a", "b", "c"]);
    for (name, rows, complaint) in [
        (
            "20240101000000002-t.csv",
            "1,10,x,1,2\n2,abc,y,2,2\n3,30,z,3,2\n",
            "Incorrect integer value",
        ),
        (
            "20240101000000003-t.csv",
            "1,10,x,1,2\n2,20,y,2,2\n3,30,toolong,3,2\n",
            "for column 'b'",
        ),
        (
            "20240101000000005-t.csv",
            "1,10,x,1,2\n2,20,y,2.239,2\n3,30,z,3,2\n",
            "for column 'c'",
        ),
    ] {
        ch.raw(name, format!("id,a,b,c,op_type\n{rows}").as_bytes());
        let run = ch.call("integ_end", "id,a,b,c,op_type", "id", &[(name, 3)]);
        run.assert_fails_with(&["table t", complaint]);
        assert_eq!(
            ch.rows(&["id", "a", "b", "c"]),
            before,
            "{load} {sql_mode:?} {name}"
        );
        assert!(ch.file_exists(name), "{name}");
        // The operator takes the bad file away; the next cycle brings the next one.
        std::fs::remove_file(ch.hvr.files_dir.join(name)).unwrap();
    }
    // A refresh with an unfit value fails too, and keeps the rows it would have replaced.
    let name = "20240101000000004-t.csv";
    ch.raw(name, b"id,a,b,c\n1,1,x,1\n2,abc,y,2\n");
    ch.call("refr_write_end", "id,a,b,c", "id", &[(name, 2)])
        .assert_fails_with(&["table t", "Incorrect integer value"]);
    assert_eq!(ch.rows(&["id", "a", "b", "c"]), before);
    assert_eq!(before[1], vec![s("2"), s("2"), s("y"), s("2.50")]);
}

#[test]
fn mariadb_parameter_arrays_refuse_unfit_values_under_the_default_mode() {
    an_unfit_value_fails_its_table("strict_arrays_default", "parameter-arrays", None);
}

#[test]
fn mariadb_parameter_arrays_refuse_unfit_values_without_a_strict_mode() {
    an_unfit_value_fails_its_table("strict_arrays_lax", "parameter-arrays", Some(""));
}

#[test]
fn mariadb_load_data_refuses_unfit_values_without_a_strict_mode() {
    an_unfit_value_fails_its_table("strict_load_data_lax", "load-data", Some(""));
}

/// `NO_BACKSLASH_ESCAPES` in the server's mode: the load's separators and escapes must keep
/// their meaning, and values with a backslash, a tab or a quote, and NULL, land exactly.
#[test]
fn mariadb_loads_exactly_under_no_backslash_escapes() {
    for load in ["load-data", "parameter-arrays"] {
        let ch = channel(
            &format!("strict_no_backslash_{}", load.replace('-', "_")),
            load,
            Some("NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES"),
        );
        let name = "20240101000000001-t.csv";
        ch.raw(
            name,
            b"id,a,b,c\n1,1,\"x\\y\",1\n2,2,\"t\tz\",2\n3,3,\"'\",3\n4,,,\n",
        );
        ch.call("refr_write_end", "id,a,b,c", "id", &[(name, 4)])
            .assert_ok();
        assert_eq!(
            ch.rows(&["id", "a", "b", "c"]),
            vec![
                vec![s("1"), s("1"), s("x\\y"), s("1.00")],
                vec![s("2"), s("2"), s("t\tz"), s("2.00")],
                vec![s("3"), s("3"), s("'"), s("3.00")],
                vec![s("4"), None, None, None],
            ],
            "{load}"
        );
    }
}

/// A connection in latin1 would store the files' UTF-8 text re-encoded (`café` as `cafÃ©`)
/// wherever text is bound as a parameter: refused before anything changes, naming the fix.
#[test]
fn mariadb_a_connection_not_in_utf8_is_refused() {
    for load in ["load-data", "parameter-arrays"] {
        let mut ch = channel(
            &format!("strict_latin1_{}", load.replace('-', "_")),
            load,
            None,
        );
        ch.edit_env("HVR_WASM_CONNECT_STRING", |value| {
            assert!(value.contains("CHARSET=utf8mb4;"), "{value}");
            *value = value.replace("CHARSET=utf8mb4;", "CHARSET=latin1;");
        });
        let name = "20240101000000001-t.csv";
        ch.raw(name, "id,a,b,c\n1,1,é,1\n".as_bytes());
        ch.call("refr_write_end", "id,a,b,c", "id", &[(name, 1)])
            .assert_fails_with(&["character set is latin1", "CHARSET=utf8mb4"]);
        assert!(ch.rows(&["id"]).is_empty(), "{load}");
        assert!(ch.file_exists(name));
    }
}

/// psqlODBC runs `ConnSettings` after it sets UTF8: a client_encoding changed there would make
/// the server read the text bound over ODBC as LATIN1. Refused before anything changes, for
/// the COPY load too (its own session is UTF-8, but the ledgers go over ODBC).
#[test]
fn postgres_a_connection_not_in_utf8_is_refused() {
    for load in ["copy", "unnest"] {
        let mut ch = Channel::new(
            Db::Postgres,
            &format!("strict_pg_latin1_{load}"),
            &format!("--connector-option load={load}"),
        );
        let t = ch.target.ident("t");
        ch.target
            .execute(&[format!("CREATE TABLE {t} (id INT PRIMARY KEY, b TEXT)")]);
        ch.edit_env("HVR_WASM_CONNECT_STRING", |value| {
            value.push_str("ConnSettings={SET client_encoding TO 'LATIN1'};")
        });
        let name = "20240101000000001-t.csv";
        ch.raw(name, "id,b\n1,café\n".as_bytes());
        ch.call("refr_write_end", "id,b", "id", &[(name, 1)])
            .assert_fails_with(&["character set is LATIN1", "client_encoding"]);
        assert!(ch.rows(&["id"]).is_empty(), "{load}");
        assert!(ch.file_exists(name));
    }
}
