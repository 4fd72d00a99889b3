//! A cycle the host proves to change each key once, with inserts, updates and deletes only,
//! runs the connector's faster apply for that (contract 0.4.2's `each-key-once`; MariaDB's
//! skips the deletes table and the lookup among it). Every cycle that could fool the proof
//! (keys equal as numbers or by the target's type, a key twice, a truncate, text keys) must
//! take the general apply, and every one must end as its changes say.

use crate::support::target::Db;
use crate::support::typed::{Channel, s};

const LINE: &str = "each key changed once: the connector's apply for that";

/// Table `t (id KEY_TYPE PRIMARY KEY, name, u UNIQUE)` on MariaDB, called with `--verbose`.
fn table(test: &str, key_type: &str) -> Channel {
    let ch = Channel::new(Db::Mariadb, test, "--verbose");
    ch.target.execute(&[format!(
        "CREATE TABLE t (id {key_type} PRIMARY KEY, name VARCHAR(20), u VARCHAR(20) UNIQUE)"
    )]);
    ch
}

/// One integrate cycle of `t` with these CSV lines (`id,name,u,op_type`); returns stdout.
fn cycle(ch: &Channel, stamp: &str, lines: &[&str]) -> String {
    let file = format!("{stamp}-t.csv");
    let body = format!("id,name,u,op_type\n{}\n", lines.join("\n"));
    ch.raw(&file, body.as_bytes());
    let run = ch.call(
        "integ_end",
        "id,name,u,op_type",
        "id",
        &[(&file, lines.len())],
    );
    run.assert_ok();
    assert!(!ch.file_exists(&file));
    run.stdout
}

fn rows(ch: &Channel) -> Vec<Vec<Option<String>>> {
    ch.rows_by_id(&["id", "name", "u"])
}

fn row(id: &str, name: &str, u: &str) -> Vec<Option<String>> {
    vec![s(id), s(name), s(u)]
}

#[test]
fn mariadb_a_cycle_of_distinct_integer_keys_takes_the_apply_for_it() {
    let ch = table("once_distinct", "BIGINT");
    let first = cycle(
        &ch,
        "20240101000000001",
        &["1,a,u1,1", "2,b,u2,1", "3,c,u3,1", "4,d,x,1"],
    );
    assert!(first.contains(LINE), "{first}");
    // 4 gives up the unique `x` and 6 takes it in the same cycle: the deletes go first.
    let second = cycle(
        &ch,
        "20240101000000002",
        &[
            "1,a2,u1,2",
            "2,b,u2,0",
            "6,f,x,1",
            "4,d,x,0",
            "5,e,u5,1",
            "003,c3,u3,2",
        ],
    );
    assert!(second.contains(LINE), "{second}");
    assert_eq!(
        rows(&ch),
        [
            row("1", "a2", "u1"),
            row("3", "c3", "u3"),
            row("5", "e", "u5"),
            row("6", "f", "x")
        ]
    );
}

/// Each cycle inserts a key and then deletes it (spelled or typed so that only the target can
/// tell it is the same key), beside a plain insert: the key must be gone, whatever the proof.
fn inserted_then_deleted(test: &str, key_type: &str, inserted: &str, deleted: &str) -> String {
    let ch = table(test, key_type);
    let out = cycle(
        &ch,
        "20240101000000001",
        &[
            &format!("{inserted},a,u1,1"),
            "42,b,u2,1",
            &format!("{deleted},a,u1,0"),
        ],
    );
    assert_eq!(rows(&ch), [row("42", "b", "u2")], "{out}");
    out
}

#[test]
fn mariadb_keys_equal_as_numbers_take_the_general_apply() {
    let out = inserted_then_deleted("once_leading_zero", "BIGINT", "7", "007");
    assert!(!out.contains(LINE), "{out}");
    let out = inserted_then_deleted("once_same_key", "BIGINT", "7", "7");
    assert!(!out.contains(LINE), "{out}");
}

#[test]
fn mariadb_key_types_that_make_two_numbers_one_key_take_the_general_apply() {
    // YEAR reads 42 as 2042; a DOUBLE cannot tell 2^53 + 1 from 2^53.
    let ch = table("once_year", "YEAR");
    let out = cycle(
        &ch,
        "20240101000000001",
        &["7,a,u1,1", "2007,a,u1,0", "2042,b,u2,1"],
    );
    assert!(!out.contains(LINE), "{out}");
    assert_eq!(rows(&ch), [row("2042", "b", "u2")]);
    let out = inserted_then_deleted(
        "once_double",
        "DOUBLE",
        "9007199254740993",
        "9007199254740992",
    );
    assert!(!out.contains(LINE), "{out}");
}

#[test]
fn mariadb_text_keys_and_truncates_take_the_general_apply() {
    // The collation makes `k` and `K` one key; the host does not compare text.
    let out = inserted_then_deleted("once_text", "VARCHAR(10)", "k", "K");
    assert!(!out.contains(LINE), "{out}");
    // A truncate in the cycle: the rows before it go, the rows after it stay.
    let ch = table("once_truncate", "INT");
    cycle(&ch, "20240101000000001", &["1,a,u1,1", "2,b,u2,1"]);
    let out = cycle(&ch, "20240101000000002", &["3,c,u3,1", ",,,5", "4,d,u4,1"]);
    assert!(!out.contains(LINE), "{out}");
    assert_eq!(rows(&ch), [row("4", "d", "u4")]);
}
