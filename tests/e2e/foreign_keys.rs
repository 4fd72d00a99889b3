//! Tables of one call commit one by one, in the lanes' order, not the foreign keys'. A child
//! table that comes before the parent table whose rows of the same call it refers to is run
//! again after it: with `--error-table` its rows were set aside for good (and the call said
//! they were applied), without it the child failed until HVR's retry.

use crate::support::target::Db;
use crate::support::typed::{Channel, s};

const PARENT: &str = "20240101000000001-p.csv";
const CHILD: &str = "20240101000000001-c.csv";

/// `p (id)` and `c (id, p)` with `c.p` referring to `p.id`; one lane, the child listed first.
fn parent_and_child(db: Db, test: &str, user_arg: &str) -> Channel {
    let ch = Channel::new(db, test, &format!("--parallel 1 {user_arg}"));
    let (p, c) = (ch.target.ident("p"), ch.target.ident("c"));
    ch.target.execute(&[
        format!("CREATE TABLE {p} (id INTEGER PRIMARY KEY, a INTEGER)"),
        format!("CREATE TABLE {c} (id INTEGER PRIMARY KEY, p INTEGER REFERENCES {p} (id))"),
    ]);
    if db == Db::Mariadb {
        // MariaDB ignores a column's REFERENCES clause.
        ch.target.execute(&[format!(
            "ALTER TABLE {c} ADD FOREIGN KEY (p) REFERENCES {p} (id)"
        )]);
    }
    ch
}

/// One integrate cycle of both tables: the child's rows refer to the parent's (and, with
/// `orphan`, one to no row at all).
fn cycle(ch: &Channel, orphan: bool) -> crate::support::hvr::Run {
    let child = if orphan {
        "id,p,op_type\n1,1,1\n2,2,1\n3,99,1\n"
    } else {
        "id,p,op_type\n1,1,1\n2,2,1\n"
    };
    ch.raw(CHILD, child.as_bytes());
    ch.raw(PARENT, b"id,a,op_type\n1,10,1\n2,20,1\n");
    let rows = if orphan { 3 } else { 2 };
    ch.call_tables(
        "integ_end",
        &[("c", "id,p,op_type", "id"), ("p", "id,a,op_type", "id")],
        &[(CHILD, rows), (PARENT, 2)],
    )
}

fn ids(ch: &Channel, table: &str) -> Vec<Vec<Option<String>>> {
    let t = ch.target.ident(table);
    ch.target
        .query(&format!("SELECT {} FROM {t} ORDER BY id", ch.text("id")))
}

/// The child-first cycle on `ch`: both tables applied, the child in a later round, nothing set
/// aside.
fn assert_both_applied(ch: &Channel) {
    let run = cycle(ch, false);
    run.assert_ok();
    assert!(
        run.stdout.contains("W_JX0E02: table(s) c:"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("set aside"), "{}", run.stdout);
    // The child waits for its round: its cycle is not applied again in order first.
    assert!(!run.stdout.contains("W_JX0E01"), "{}", run.stdout);
    assert_eq!(ids(ch, "c"), vec![vec![s("1")], vec![s("2")]]);
    assert_eq!(ids(ch, "p"), vec![vec![s("1")], vec![s("2")]]);
}

fn both_apply(db: Db, test: &str, user_arg: &str) {
    let ch = parent_and_child(db, test, user_arg);
    assert_both_applied(&ch);
    assert!(!ch.file_exists(CHILD) && !ch.file_exists(PARENT));
}

#[test]
fn mariadb_a_child_before_its_parent_is_applied_after_it_with_an_error_table() {
    both_apply(
        Db::Mariadb,
        "fk_child_first_aside",
        "--error-table hvr_errors",
    );
}

#[test]
fn mariadb_a_child_before_its_parent_is_applied_after_it() {
    both_apply(Db::Mariadb, "fk_child_first", "");
}

#[test]
fn postgres_a_child_before_its_parent_is_applied_after_it_with_an_error_table() {
    let mut ch = parent_and_child(
        Db::Postgres,
        "fk_child_first_aside",
        "--error-table hvr_errors",
    );
    ch.keep_transactions_open();
    assert_both_applied(&ch);
}

/// A row whose parent is in no table of the call is set aside once every other table is
/// applied; its siblings apply.
#[test]
fn mariadb_an_orphan_is_set_aside_after_the_other_tables() {
    let ch = parent_and_child(Db::Mariadb, "fk_orphan_aside", "--error-table hvr_errors");
    let run = cycle(&ch, true);
    run.assert_ok();
    assert!(run.stdout.contains("1 set aside"), "{}", run.stdout);
    assert_eq!(ids(&ch, "c"), vec![vec![s("1")], vec![s("2")]]);
    assert_eq!(ids(&ch, "p"), vec![vec![s("1")], vec![s("2")]]);
    assert_eq!(
        ch.target.query("SELECT position FROM hvr_errors"),
        vec![vec![s("line 4")]]
    );
}

/// Without an error table an orphan fails its table (the parent's rows commit), and the call.
#[test]
fn mariadb_an_orphan_fails_its_table_without_an_error_table() {
    let ch = parent_and_child(Db::Mariadb, "fk_orphan", "");
    let run = cycle(&ch, true);
    run.assert_fails_with(&["table c:", "foreign key"]);
    assert!(ids(&ch, "c").is_empty());
    assert_eq!(ids(&ch, "p"), vec![vec![s("1")], vec![s("2")]]);
    assert!(ch.file_exists(CHILD) && !ch.file_exists(PARENT));
}

/// While the parent table fails (here its file breaks), the child's rows are not set aside:
/// their parent may come with HVR's retry. Both tables fail, both files stay.
#[test]
fn mariadb_a_child_is_not_set_aside_while_its_parent_table_fails() {
    let ch = parent_and_child(Db::Mariadb, "fk_parent_fails", "--error-table hvr_errors");
    ch.raw(CHILD, b"id,p,op_type\n1,1,1\n2,2,1\n");
    ch.raw(PARENT, b"id,a,op_type\n1,10,1\n2,\"20,1\n");
    let run = ch.call_tables(
        "integ_end",
        &[("c", "id,p,op_type", "id"), ("p", "id,a,op_type", "id")],
        &[(CHILD, 2), (PARENT, 2)],
    );
    run.assert_fails_with(&["table c:", "foreign key", "table p:"]);
    assert!(!run.stdout.contains("set aside"), "{}", run.stdout);
    assert!(ids(&ch, "c").is_empty() && ids(&ch, "p").is_empty());
    assert_eq!(
        ch.target.query("SELECT COUNT(*) FROM hvr_errors"),
        vec![vec![s("0")]]
    );
    assert!(ch.file_exists(CHILD) && ch.file_exists(PARENT));
}

/// A table whose own rows refer to each other (a row inserted before its parent in key order,
/// after it in the file) still gets its cycle applied in order, in the last round, when it
/// shares the call with other tables.
#[test]
fn mariadb_a_tables_own_foreign_key_is_applied_in_order_in_a_call_of_several_tables() {
    let ch = parent_and_child(Db::Mariadb, "fk_self", "");
    let tree = ch.target.ident("tree");
    ch.target.execute(&[
        format!("CREATE TABLE {tree} (id INTEGER PRIMARY KEY, up INTEGER)"),
        format!("ALTER TABLE {tree} ADD FOREIGN KEY (up) REFERENCES {tree} (id)"),
    ]);
    let tree_file = "20240101000000001-tree.csv";
    ch.raw(tree_file, b"id,up,op_type\n2,,1\n1,2,1\n");
    ch.raw(PARENT, b"id,a,op_type\n1,10,1\n");
    let run = ch.call_tables(
        "integ_end",
        &[("tree", "id,up,op_type", "id"), ("p", "id,a,op_type", "id")],
        &[(tree_file, 2), (PARENT, 1)],
    );
    run.assert_ok();
    assert!(run.stdout.contains("W_JX0E01"), "{}", run.stdout);
    assert_eq!(ids(&ch, "tree"), vec![vec![s("1")], vec![s("2")]]);
}
