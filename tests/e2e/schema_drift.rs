//! Schema drift as HVR's AdaptDDL causes it: columns added mid-channel (from CSV and typed
//! files) and later no longer sent, on every database; what is refused instead of guessed;
//! `-r`; and `--column-type` mistakes.

use serde_json::json;

use crate::support::target::Db;
use crate::support::typed::{Channel, cols, s, spec};

/// A channel adds a column mid-way (CSV, then typed from Parquet) and later stops sending
/// another: the target gains them, keeps the old one, and new rows get NULL there.
fn drift(db: Db, test: &str) {
    let mut ch = Channel::new(db, test, "");
    ch.raw("20240101000000009-t.csv", b"id,a\n1,x\n");
    ch.call(
        "refr_write_end",
        "id,a",
        "id",
        &[("20240101000000009-t.csv", 1)],
    )
    .assert_ok();
    ch.raw("20240101000000010-t.csv", b"id,a,b,op_type\n2,y,new,1\n");
    let run = ch.call(
        "integ_end",
        "id,a,b,op_type",
        "id",
        &[("20240101000000010-t.csv", 1)],
    );
    run.assert_ok();
    assert!(run.stdout.contains("added it"), "{}", run.stdout);
    ch.hvr.user_arg = "--file-format parquet".into();
    let columns = cols(&[
        ("id", "int64"),
        ("b", "string"),
        ("c", "decimal(12,2)"),
        ("op_type", "int32"),
    ]);
    ch.typed(
        "parquet",
        "20240101000000011-t.parquet",
        spec(columns, vec![json!([3, "z", "1.50", 1])]),
    );
    ch.call(
        "integ_end",
        "id,b,c,op_type",
        "id",
        &[("20240101000000011-t.parquet", 1)],
    )
    .assert_ok();
    assert_eq!(
        ch.rows(&["id", "a", "b", "c"]),
        vec![
            vec![s("1"), s("x"), None, None],
            vec![s("2"), s("y"), s("new"), None],
            vec![s("3"), None, s("z"), s("1.50")],
        ]
    );
    let types = ch.column_types();
    let c = types.iter().find(|(n, _)| n == "c").unwrap();
    assert!(
        c.1.contains("numeric") || c.1.contains("decimal") || c.1 == "text",
        "{types:?}"
    );
    // Without AdaptDDL the table fails, naming the column, and keeps its file.
    ch.hvr.user_arg = "--adapt-ddl none".into();
    ch.raw("20240101000000012-t.csv", b"id,d,op_type\n4,w,1\n");
    ch.call(
        "integ_end",
        "id,d,op_type",
        "id",
        &[("20240101000000012-t.csv", 1)],
    )
    .assert_fails_with(&["file column d"]);
    assert!(ch.file_exists("20240101000000012-t.csv"));
}

#[test]
fn drift_on_sqlite() {
    drift(Db::Sqlite, "drift_sqlite");
}

#[test]
fn drift_on_postgres() {
    drift(Db::Postgres, "drift_pg");
}

#[test]
fn drift_on_mariadb_whose_ddl_commits_implicitly() {
    drift(Db::Mariadb, "drift_maria");
}

#[test]
fn a_type_change_or_a_new_key_column_is_refused_and_the_files_kept() {
    let mut ch = Channel::new(Db::Postgres, "type_change_pg", "--file-format parquet");
    ch.target
        .execute(&["CREATE TABLE t (id bigint PRIMARY KEY, price integer)".to_string()]);
    let columns = cols(&[
        ("id", "int64"),
        ("price", "decimal(12,2)"),
        ("op_type", "int32"),
    ]);
    ch.typed(
        "parquet",
        "20240101000000005-t.parquet",
        spec(columns, vec![json!([1, "1.50", 1])]),
    );
    ch.call(
        "integ_end",
        "id,price,op_type",
        "id",
        &[("20240101000000005-t.parquet", 1)],
    )
    .assert_fails_with(&["price", "decimal(12,2)", "a type change is not guessed"]);
    assert!(ch.file_exists("20240101000000005-t.parquet"));
    let columns = cols(&[("id", "int64"), ("k2", "int64"), ("op_type", "int32")]);
    ch.typed(
        "parquet",
        "20240101000000013-t.parquet",
        spec(columns, vec![json!([1, 2, 1])]),
    );
    ch.call(
        "integ_end",
        "id,k2,op_type",
        "id,k2",
        &[("20240101000000013-t.parquet", 1)],
    )
    .assert_fails_with(&["key column k2"]);
    assert!(ch.file_exists("20240101000000013-t.parquet"));
    assert!(ch.target.query("SELECT * FROM t").is_empty());
    // An int64 file column into an integer column is refused too, unless the user declares
    // that its values fit.
    let columns = cols(&[("id", "int64"), ("price", "int64"), ("op_type", "int32")]);
    let wide = "20240101000000014-t.parquet";
    ch.typed("parquet", wide, spec(columns, vec![json!([1, 7, 1])]));
    ch.call("integ_end", "id,price,op_type", "id", &[(wide, 1)])
        .assert_fails_with(&["int64", "--column-type t.price=TYPE"]);
    ch.hvr.user_arg = "--file-format parquet --column-type t.price=int32".into();
    ch.call("integ_end", "id,price,op_type", "id", &[(wide, 1)])
        .assert_ok();
    assert_eq!(ch.rows(&["id", "price"]), vec![vec![s("1"), s("7")]]);
}

#[test]
fn recreate_replaces_a_text_table_with_the_files_types() {
    let mut ch = Channel::new(Db::Mariadb, "recreate_maria", "");
    ch.raw("20240101000000009-t.csv", b"id,price\n1,1.5\n");
    ch.call(
        "refr_write_end",
        "id,price",
        "id",
        &[("20240101000000009-t.csv", 1)],
    )
    .assert_ok();
    assert!(
        ch.column_types()[1].1.contains("text"),
        "{:?}",
        ch.column_types()
    );
    ch.hvr.user_arg = "--file-format parquet -r".into();
    let columns = cols(&[("id", "int64"), ("price", "decimal(12,2)")]);
    ch.typed(
        "parquet",
        "20240101000000003-t.parquet",
        spec(columns, vec![json!([2, "2.25"])]),
    );
    ch.call(
        "refr_write_end",
        "id,price",
        "id",
        &[("20240101000000003-t.parquet", 1)],
    )
    .assert_ok();
    assert_eq!(ch.column_types()[1].1, "decimal(12,2)");
    assert_eq!(ch.rows(&["id", "price"]), vec![vec![s("2"), s("2.25")]]);
}

#[test]
fn a_column_type_for_a_column_the_files_lack_is_reported() {
    let ch = Channel::new(
        Db::Sqlite,
        "hint_typo",
        "--column-type t.prcie=decimal(12,2)",
    );
    ch.raw("20240101000000001-t.csv", b"id,price\n1,2.50\n");
    let run = ch.call(
        "refr_write_end",
        "id,price",
        "id",
        &[("20240101000000001-t.csv", 1)],
    );
    run.assert_ok();
    assert!(
        run.stdout.contains("--column-type t.prcie") && run.stdout.contains("ignored"),
        "{}",
        run.stdout
    );
}

/// Two tables drift in one call, applied in parallel, in SoftDelete and TimeKey style.
fn drift_in_parallel(db: Db, test: &str, style: &str) {
    let mut ch = Channel::new(db, test, &format!("--parallel 2 {style}"));
    let extras = "op_type,is_deleted";
    ch.raw(
        "20240101000000001-t.csv",
        b"id,a,op_type,is_deleted\n1,x,1,0\n",
    );
    ch.raw(
        "20240101000000001-u.csv",
        b"id,a,op_type,is_deleted\n1,x,1,0\n",
    );
    let refresh_cols = format!("id,a,{extras}");
    ch.call_tables(
        "refr_write_end",
        &[("t", &refresh_cols, "id"), ("u", &refresh_cols, "id")],
        &[
            ("20240101000000001-t.csv", 1),
            ("20240101000000001-u.csv", 1),
        ],
    )
    .assert_ok();
    ch.hvr.user_arg = format!("--parallel 2 {style} --column-type u.c=decimal(12,2)");
    ch.raw(
        "20240101000000002-t.csv",
        b"id,a,b,op_type,is_deleted\n2,y,new,1,0\n1,x,,0,1\n",
    );
    ch.raw(
        "20240101000000002-u.csv",
        b"id,a,c,op_type,is_deleted\n2,y,1.50,1,0\n",
    );
    let run = ch.call_tables(
        "integ_end",
        &[
            ("t", &format!("id,a,b,{extras}"), "id"),
            ("u", &format!("id,a,c,{extras}"), "id"),
        ],
        &[
            ("20240101000000002-t.csv", 2),
            ("20240101000000002-u.csv", 1),
        ],
    );
    run.assert_ok();
    assert_eq!(run.stdout.matches("added it").count(), 2, "{}", run.stdout);
    let t = ch.rows_of("t", &["id", "b", "is_deleted"]);
    let u = ch.rows_of("u", &["id", "c"]);
    if style.starts_with("-D") {
        assert_eq!(
            t,
            vec![vec![s("1"), None, s("1")], vec![s("2"), s("new"), s("0")]]
        );
        assert_eq!(u, vec![vec![s("1"), None], vec![s("2"), s("1.50")]]);
    } else {
        // TimeKey keeps every change as a row.
        assert_eq!(t.len(), 3, "{t:?}");
        assert!(t.contains(&vec![s("1"), None, s("1")]), "{t:?}");
        assert_eq!(u, vec![vec![s("1"), None], vec![s("2"), s("1.50")]]);
    }
}

#[test]
fn drift_in_parallel_tables_soft_delete_on_postgres() {
    drift_in_parallel(Db::Postgres, "drift_par_pg", "-D is_deleted");
}

#[test]
fn drift_in_parallel_tables_time_key_on_mariadb() {
    drift_in_parallel(Db::Mariadb, "drift_par_maria", "-t");
}

/// A cycle that adds a column, killed at every point from the ALTER to the file deletes and
/// run again: the rows land once (TimeKey would show a second copy), the column once.
fn drift_survives_kills(db: Db, test: &str, style: &str) {
    let points = [
        "after-add-column",
        "before-commit",
        "after-commit",
        "after-first-delete",
    ];
    for (i, point) in points.iter().enumerate() {
        let mut ch = Channel::new(db, &format!("{test}{i}"), style);
        ch.raw("20240101000000001-t.csv", b"id,a,op_type\n1,x,1\n2,y,1\n");
        ch.call(
            "refr_write_end",
            "id,a,op_type",
            "id",
            &[("20240101000000001-t.csv", 2)],
        )
        .assert_ok();
        ch.hvr.user_arg = format!("{style} --file-format parquet");
        let columns = cols(&[
            ("id", "int64"),
            ("a", "string"),
            ("c", "decimal(12,2)"),
            ("op_type", "int32"),
        ]);
        let first = "20240101000000002-t.parquet";
        let second = "20240101000000003-t.parquet";
        ch.typed(
            "parquet",
            first,
            spec(columns.clone(), vec![json!([1, "x2", "1.10", 2])]),
        );
        ch.typed(
            "parquet",
            second,
            spec(columns, vec![json!([3, "z", "3.30", 1])]),
        );
        let files = [(first, 1), (second, 1)];
        let crashed = [("HVR_WASM_TEST_CRASH_AT".to_string(), point.to_string())];
        let run = ch.call_with("integ_end", "id,a,c,op_type", "id", &files, &crashed);
        assert_ne!(run.code, 0, "{point} was not reached:\n{}", run.stderr);
        ch.call("integ_end", "id,a,c,op_type", "id", &files)
            .assert_ok();
        let rows = ch.rows(&["id", "a", "c"]);
        if style == "-t" {
            assert_eq!(rows.len(), 4, "{point}: {rows:?}");
        } else {
            assert_eq!(
                rows,
                vec![
                    vec![s("1"), s("x2"), s("1.10")],
                    vec![s("2"), s("y"), None],
                    vec![s("3"), s("z"), s("3.30")],
                ],
                "{point}"
            );
        }
        assert!(!ch.file_exists(first) && !ch.file_exists(second), "{point}");
    }
}

#[test]
fn drift_survives_kills_on_mariadb_without_duplicates() {
    drift_survives_kills(Db::Mariadb, "drift_kill_maria", "-t");
}

#[test]
fn drift_survives_kills_on_postgres() {
    drift_survives_kills(Db::Postgres, "drift_kill_pg", "");
}

#[test]
fn csv_gets_typed_columns_from_a_column_types_file() {
    let dir = crate::support::hvr::scratch("hints_file");
    let hints = dir.join("types.txt");
    std::fs::write(
        &hints,
        "# the orders channel\nt.price = decimal(12,2)\nt.at=timestamp(3)  # ms\n*.qty=int32\n",
    )
    .unwrap();
    let ch = Channel::new(
        Db::Postgres,
        "hints_file_pg",
        &format!("--column-types-file {}", hints.display()),
    );
    ch.raw(
        "20240101000000001-t.csv",
        b"id,price,at,qty,note\n1,12.50,2024-02-29 12:34:56.789,3,x\n",
    );
    ch.call(
        "refr_write_end",
        "id,price,at,qty,note",
        "id",
        &[("20240101000000001-t.csv", 1)],
    )
    .assert_ok();
    let types: Vec<String> = ch.column_types().into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        types,
        [
            "text",
            "numeric",
            "timestamp without time zone",
            "integer",
            "text"
        ],
        "the key stays text: CSV declares no type for it"
    );
    assert_eq!(
        ch.rows(&["id", "price", "at"]),
        vec![vec![s("1"), s("12.50"), s("2024-02-29 12:34:56.789")]]
    );
    let bad = dir.join("bad.txt");
    std::fs::write(&bad, "t.price=money\n").unwrap();
    let mut ch = ch;
    ch.hvr.user_arg = format!("--column-types-file {}", bad.display());
    ch.raw("20240101000000002-t.csv", b"id,price,at,qty,note\n2,1,,,\n");
    ch.call(
        "refr_write_end",
        "id,price,at,qty,note",
        "id",
        &[("20240101000000002-t.csv", 1)],
    )
    .assert_fails_with(&["bad.txt line 1", "money"]);
}
