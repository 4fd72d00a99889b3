//! `hvrwasmagent check`: a good configuration passes every check; each bad one fails its
//! check with what to do, exit 1, and nothing printed holds a secret.

use crate::support::stores::{StoreLocation, azure_container_sas};
use crate::support::target::Db;
use crate::support::typed::Channel;

/// A channel whose table `t (id, a)` exists, as after its first refresh.
fn refreshed(db: Db, test: &str, user_arg: &str) -> Channel {
    let ch = Channel::new(db, test, user_arg);
    ch.raw("20240101000000001-t.csv", b"id,a\n1,x\n");
    ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 1)],
    )
    .assert_ok();
    ch
}

fn check(ch: &Channel, columns: &str) -> crate::support::hvr::Run {
    let user_arg = ch.hvr.user_arg.clone();
    ch.tool(&["check", "chn", "trg", &user_arg], columns, "id", &[])
}

fn line<'a>(run: &'a crate::support::hvr::Run, start: &str) -> &'a str {
    run.stdout
        .lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?}:\n{}", run.stdout))
}

fn passes(db: Db, test: &str) {
    let ch = refreshed(db, test, "--history-table hvr_history");
    let run = check(&ch, "id,a,op_type");
    run.assert_ok();
    for check in [
        "connector",
        "target",
        "state table",
        "ledgers",
        "table t",
        "files",
    ] {
        line(&run, &format!("ok    {check}"));
    }
    assert!(
        line(&run, "ok    table t").contains("key id"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("check: every check passed"));
    // The probe is gone again; nothing else appeared.
    let left: Vec<_> = std::fs::read_dir(&ch.hvr.files_dir).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_good_configuration_passes_on_sqlite() {
    passes(Db::Sqlite, "toolbox_check_sqlite");
}

#[test]
fn a_good_configuration_passes_on_postgres() {
    passes(Db::Postgres, "toolbox_check_pg");
}

#[test]
fn a_wrong_password_fails_the_target_check_without_printing_it() {
    let mut ch = Channel::new(Db::Mariadb, "toolbox_check_password", "");
    ch.edit_env("HVR_WASM_CONNECT_STRING", |value| {
        value.push_str("PWD=NotThePassword42;")
    });
    let run = check(&ch, "id,a");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let failed = line(&run, "FAIL  target");
    assert!(failed.contains("Access denied"), "{failed}");
    assert!(run.stdout.contains("user and password"), "{}", run.stdout);
    assert!(!run.stdout.contains("NotThePassword42") && !run.stderr.contains("NotThePassword42"));
    assert!(
        run.stdout.contains("check: 1 check(s) failed"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_connection_not_in_utf8_fails_the_session_check() {
    let mut ch = Channel::new(Db::Mariadb, "toolbox_check_latin1", "");
    ch.edit_env("HVR_WASM_CONNECT_STRING", |value| {
        *value = value.replace("CHARSET=utf8mb4;", "CHARSET=latin1;")
    });
    let run = check(&ch, "id,a");
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(line(&run, "FAIL  session").contains("character set is latin1"));
    assert!(run.stdout.contains("set CHARSET=utf8mb4"), "{}", run.stdout);
}

#[test]
fn a_missing_table_fails_its_check() {
    let ch = Channel::new(Db::Postgres, "toolbox_check_no_table", "");
    let run = check(&ch, "id,a");
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(line(&run, "FAIL  table t").contains("is not in the target"));
    assert!(run.stdout.contains("run an HVR refresh of it first"));
    // The other checks still ran and passed.
    line(&run, "ok    state table");
}

#[test]
fn a_missing_column_fails_its_check_and_a_missing_key_says_so() {
    let ch = refreshed(Db::Sqlite, "toolbox_check_no_column", "");
    let run = check(&ch, "id,a,b");
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(line(&run, "FAIL  table t").contains("lacks column(s) b that HVR will send"));
    let run = ch.tool(&["check", "chn", "trg", ""], "id,k,a", "id,k", &[]);
    assert_eq!(run.code, 1);
    assert!(
        line(&run, "FAIL  table t").contains("(part of the key)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("-r (recreate)"));
}

#[test]
fn a_store_without_delete_rights_fails_the_files_check() {
    let test = "toolbox_check_no_delete";
    let mut ch = Channel::in_store(Db::Sqlite, test, "", StoreLocation::azure(test));
    let sas = azure_container_sas("rwlc");
    ch.edit_env("HVR_WASM_STORE_CONFIG", |value| {
        *value = format!("azure_storage_sas_key={sas}")
    });
    let run = check(&ch, "id,a");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let failed = line(&run, "FAIL  files");
    assert!(failed.contains("deleting"), "{failed}");
    assert!(failed.contains("is left there"), "{failed}");
    assert!(run.stdout.contains("grant delete"), "{}", run.stdout);
}

#[test]
fn a_store_with_every_right_passes_the_files_check() {
    let test = "toolbox_check_store_ok";
    let ch = Channel::in_store(Db::Sqlite, test, "", StoreLocation::azure(test));
    let run = check(&ch, "id,a");
    assert!(line(&run, "ok    files").contains("list, write, read and delete work"));
    assert!(ch.hvr.store.as_ref().unwrap().names().is_empty());
}

#[test]
fn a_bad_option_fails_the_options_check() {
    let ch = Channel::new(Db::Sqlite, "toolbox_check_option", "--parallel lots");
    let run = check(&ch, "id,a");
    assert_eq!(run.code, 1);
    assert!(
        line(&run, "FAIL  options").contains("--parallel"),
        "{}",
        run.stdout
    );
}

/// A table whose primary key is not HVR's key gets a warning (it does not fail the check:
/// a unique key may stand in for it).
/// On SQLite the native session reads the key (`PRAGMA table_info`), as ODBC's
/// `SQLPrimaryKeys` does elsewhere.
#[test]
fn a_table_keyed_otherwise_than_hvr_gets_a_warning() {
    for db in [Db::Postgres, Db::Sqlite] {
        let test = format!("toolbox_check_pk_{db:?}").to_lowercase();
        let ch = Channel::new(db, &test, "");
        let t = ch.target.ident("t");
        ch.target.execute(&[format!(
            "CREATE TABLE {t} (id integer, a varchar(10), b integer, PRIMARY KEY (b, a))"
        )]);
        let run = check(&ch, "id,a,b");
        run.assert_ok();
        let warned = line(&run, "warn  table t");
        assert!(
            warned.contains("primary key is (b, a) but HVR's key is (id)"),
            "{db:?}: {warned}"
        );
        let native = line(&run, "ok    target").contains("natively");
        assert_eq!(native, db == Db::Sqlite, "{}", run.stdout);
    }
}

#[test]
fn an_undeclared_connector_option_fails_the_options_check() {
    let ch = Channel::new(
        Db::Postgres,
        "toolbox_check_connector_option",
        "--connector-option nosuch=1",
    );
    let run = check(&ch, "id,a");
    assert_eq!(run.code, 1);
    assert!(
        line(&run, "FAIL  options").contains("nosuch"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_good_configuration_passes_on_mariadb() {
    passes(Db::Mariadb, "toolbox_check_mariadb");
}

/// MariaDB's upsert meets rows by any unique key: `check` names a unique key besides HVR's
/// (the primary key, HVR's here, is not named), and says nothing once it is dropped.
#[test]
fn a_mariadb_table_with_another_unique_key_gets_a_warning() {
    let ch = Channel::new(Db::Mariadb, "toolbox_check_unique", "");
    let t = ch.target.ident("t");
    ch.target.execute(&[format!(
        "CREATE TABLE {t} (id integer NOT NULL, a varchar(10), b integer, \
         PRIMARY KEY (id), UNIQUE KEY badge (b, a))"
    )]);
    let run = check(&ch, "id,a,b");
    run.assert_ok();
    let warned = line(&run, "warn  table t");
    assert!(
        warned.contains("unique key(s) besides HVR's key: badge (b, a)"),
        "{warned}"
    );
    ch.target
        .execute(&[format!("ALTER TABLE {t} DROP INDEX badge")]);
    let run = check(&ch, "id,a,b");
    run.assert_ok();
    assert!(!run.stdout.contains("warn  table t"), "{}", run.stdout);
}

/// The mariadb connector's integrate needs a primary or unique key of HVR's key columns only:
/// `check` fails a table without one (no key, or one of other columns) as the cycle would.
#[test]
fn a_mariadb_table_without_a_key_of_hvrs_columns_fails_the_check() {
    for (key, test) in [
        ("", "toolbox_check_no_key"),
        (", PRIMARY KEY (b)", "toolbox_check_other_key"),
    ] {
        let ch = Channel::new(Db::Mariadb, test, "");
        let t = ch.target.ident("t");
        ch.target.execute(&[format!(
            "CREATE TABLE {t} (id integer NOT NULL, a varchar(10), b integer NOT NULL{key})"
        )]);
        let run = check(&ch, "id,a,b");
        assert_eq!(run.code, 1, "{}", run.stdout);
        assert!(
            line(&run, "FAIL  table t")
                .contains("no primary or unique key of HVR's key columns (id) only"),
            "{}",
            run.stdout
        );
    }
}
