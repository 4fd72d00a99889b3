//! `--error-table` sets aside only rows the target refuses for their values or constraints
//! (here, also a repeated key, which MariaDB's `LOAD DATA LOCAL` reports only as a warning
//! without a row number). A failure that is not the rows' fails the table as without an error
//! table. Before, any error
//! of a load that was not a lost connection, a timeout or a deadlock counted as the rows':
//! a user who may not insert into the table, a server that refuses `LOAD DATA LOCAL`, a lock
//! wait or a full disk bisected every batch down to single rows, set each aside, deleted the
//! files and reported the cycle applied, with nothing of it in the target.

use super::set_aside::constrained;
use crate::support::target::Db;
use crate::support::typed::{Channel, s};

const USER: &str = "hvr_e2e_noinsert";

/// Three good rows, loaded by a user who may do everything but insert into `t`: the table
/// fails naming the database's refusal, nothing is set aside, the file stays.
fn refused_for_the_user(ch: &Channel, refusal: &str) {
    ch.raw("20240101000000001-t.csv", b"id,a\n1,10\n2,20\n3,30\n");
    let run = ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 3)],
    );
    run.assert_fails_with(&["table t: file 20240101000000001-t.csv", refusal]);
    assert!(!run.stdout.contains("set aside"), "{}", run.stdout);
    assert!(ch.file_exists("20240101000000001-t.csv"));
    assert!(ch.rows(&["id"]).is_empty());
    assert_eq!(
        ch.target.query("SELECT COUNT(*) FROM hvr_errors"),
        vec![vec![s("0")]]
    );
}

/// The connect string's user, replaced by `USER`.
fn connect_as_user(ch: &mut Channel, admin: &str) {
    ch.edit_env("HVR_WASM_CONNECT_STRING", |value| {
        assert!(value.contains(admin), "{value}");
        *value = value.replace(admin, &format!("Uid={USER};"));
    });
}

/// PostgreSQL, COPY on the native connection: a role with SELECT, DELETE and TRUNCATE on `t`.
#[test]
fn postgres_a_load_the_user_may_not_make_fails_the_table_and_sets_nothing_aside() {
    let mut ch = constrained(
        Db::Postgres,
        "toolbox_aside_not_rows",
        "--error-table hvr_errors",
    );
    // The database is new; a role left by an earlier run owns nothing in it any more.
    ch.target.execute(&[
        format!("DROP ROLE IF EXISTS {USER}"),
        format!("CREATE ROLE {USER} LOGIN"),
        format!("GRANT USAGE, CREATE ON SCHEMA public TO {USER}"),
        format!("GRANT SELECT, DELETE, TRUNCATE ON \"t\" TO {USER}"),
    ]);
    connect_as_user(&mut ch, "Uid=postgres;");
    refused_for_the_user(&ch, "permission denied for table t");
    // The role owns the host's tables here; it goes with them (a failed run leaves it, and
    // the next run's new database drops what it owned).
    ch.target
        .execute(&[format!("DROP OWNED BY {USER}"), format!("DROP ROLE {USER}")]);
}

/// MariaDB, LOAD DATA LOCAL (a statement per batch with an error table): a user with every
/// privilege on the database but INSERT (and UPDATE), and all of them on the two tables the
/// host keeps.
#[test]
fn mariadb_a_load_the_user_may_not_make_fails_the_table_and_sets_nothing_aside() {
    let mut ch = constrained(
        Db::Mariadb,
        "toolbox_aside_not_rows",
        "--error-table hvr_errors",
    );
    let db = "hvr_e2e_toolbox_aside_not_rows";
    let user = format!("'{USER}'@'%'");
    ch.target.execute(&[
        format!("DROP USER IF EXISTS {user}"),
        format!("CREATE USER {user}"),
        format!(
            "GRANT SELECT, DELETE, CREATE, DROP, ALTER, INDEX, CREATE TEMPORARY TABLES, LOCK TABLES ON `{db}`.* TO {user}"
        ),
        format!("GRANT ALL ON `{db}`.`hvr_wasm_state` TO {user}"),
        format!("GRANT ALL ON `{db}`.`hvr_errors` TO {user}"),
    ]);
    connect_as_user(&mut ch, "Uid=root;");
    refused_for_the_user(&ch, "INSERT command denied");
    ch.target.execute(&[format!("DROP USER {user}")]);
}

/// A key the file repeats is the repeating row's refusal: set aside, the others loaded. On
/// MariaDB `LOAD DATA LOCAL` skips it with warning 1062, which names no row.
fn repeated_key_is_set_aside(db: Db, test: &str) {
    let ch = constrained(db, test, "--error-table hvr_errors");
    ch.raw("20240101000000001-t.csv", b"id,a\n1,10\n2,20\n1,30\n3,30\n");
    let run = ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000001-t.csv", 4)],
    );
    run.assert_ok();
    assert!(run.stdout.contains("1 set aside"), "{}", run.stdout);
    assert_eq!(
        ch.rows(&["id", "a"]),
        vec![
            vec![s("1"), s("10")],
            vec![s("2"), s("20")],
            vec![s("3"), s("30")]
        ]
    );
    assert_eq!(
        ch.target
            .query("SELECT position, raw_row FROM hvr_errors ORDER BY position"),
        vec![vec![s("line 4"), s("1,30")]]
    );
}

#[test]
fn mariadb_a_repeated_key_is_set_aside() {
    repeated_key_is_set_aside(Db::Mariadb, "toolbox_aside_repeated_key");
}

#[test]
fn postgres_a_repeated_key_is_set_aside() {
    repeated_key_is_set_aside(Db::Postgres, "toolbox_aside_repeated_key");
}
