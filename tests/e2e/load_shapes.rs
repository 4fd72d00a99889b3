//! The host's load shapes, driven through the host library against real drivers (and the
//! native PostgreSQL connection for COPY), with values that stress binding: NULL beside the
//! empty string, quotes, backslashes, tabs, line breaks, long text.

use hvrwasm_host::batch::TextBatch;
use hvrwasm_host::domain::LoadShape;
use hvrwasm_host::odbc::{Database, Target as OdbcTarget};

use crate::support::data::{Row, tricky_texts};
use crate::support::hvr::scratch;
use crate::support::target::{Db, Target};

/// 2,503 rows (not a multiple of any batch or statement size) of (id, text).
fn rows() -> Vec<Row> {
    let texts = tricky_texts();
    (0..2503)
        .map(|i| {
            let text = if i % 11 == 0 {
                None
            } else {
                Some(texts[i % texts.len()].clone())
            };
            vec![Some(i.to_string()), text]
        })
        .collect()
}

fn load(target: &Target, shape: LoadShape, batch_rows: usize) -> Vec<Row> {
    let odbc = OdbcTarget::connect(Some(&target.connect_string), None, false).unwrap();
    // The connection the host would run this shape's transaction on.
    let db = odbc.for_transaction(&shape).unwrap();
    db.begin().unwrap();
    let mut loader = db.loader(&shape, 2, batch_rows).unwrap();
    let mut batch = TextBatch::new(2, batch_rows);
    for row in rows() {
        for (c, v) in row.iter().enumerate() {
            batch.columns[c].push(v.as_deref().map(str::as_bytes));
        }
        if batch.num_rows() == batch_rows {
            loader.load(&batch).unwrap();
            batch.clear();
        }
    }
    loader.load(&batch).unwrap();
    loader.finish().unwrap();
    drop(loader);
    db.commit().unwrap();
    target.query("SELECT id, v FROM shapes ORDER BY id")
}

fn expected() -> Vec<Row> {
    rows()
}

fn fresh(db: Db, test: &str) -> Target {
    let dir = scratch(test);
    let target = Target::fresh(db, test, &dir);
    target.execute(&["CREATE TABLE shapes (id integer PRIMARY KEY, v text)".to_string()]);
    target
}

#[test]
fn parameter_arrays_load_every_value_exactly() {
    for db in [Db::Sqlite, Db::Postgres, Db::Mariadb] {
        let target = fresh(db, &format!("shape_arrays_{db:?}").to_lowercase());
        let got = load(
            &target,
            LoadShape::ParameterArray("INSERT INTO shapes (id, v) VALUES (?, ?)".into()),
            1000,
        );
        assert_eq!(got, expected(), "{db:?}");
    }
}

#[test]
fn multi_row_values_load_every_value_exactly() {
    for db in [Db::Sqlite, Db::Postgres, Db::Mariadb] {
        let target = fresh(db, &format!("shape_multirow_{db:?}").to_lowercase());
        let got = load(
            &target,
            LoadShape::MultiRowValues {
                prefix: "INSERT INTO shapes (id, v) VALUES ".into(),
                row: "(?, ?)".into(),
                rows_per_statement: 100,
            },
            1000,
        );
        assert_eq!(got, expected(), "{db:?}");
    }
}

#[test]
fn postgres_arrays_load_every_value_exactly() {
    let target = fresh(Db::Postgres, "shape_pgarrays");
    let got = load(
        &target,
        LoadShape::PostgresTextArrays(
            "INSERT INTO shapes (id, v) SELECT * FROM unnest(?::integer[], ?::text[])".into(),
        ),
        700,
    );
    assert_eq!(got, expected());
}

#[test]
fn postgres_copy_loads_every_value_exactly() {
    let target = fresh(Db::Postgres, "shape_pgcopy");
    let got = load(
        &target,
        LoadShape::PostgresCopy("COPY shapes (id, v) FROM STDIN".into()),
        700,
    );
    assert_eq!(got, expected());
}

/// A batch the server refuses fails with an error about the rows (so `--error-table` can set
/// rows aside under its own savepoints) and leaves the transaction failed: a COPY batch has no
/// savepoint of its own. Committing that transaction is then an error, never a silent
/// rollback reported as a commit (PostgreSQL answers `COMMIT` of a failed transaction with
/// success), and nothing of it is in the table.
#[test]
fn postgres_copy_refused_batch_fails_its_transaction_and_its_commit() {
    let target = fresh(Db::Postgres, "shape_pgcopy_refused");
    let odbc = OdbcTarget::connect(Some(&target.connect_string), None, false).unwrap();
    let shape = LoadShape::PostgresCopy("COPY shapes (id, v) FROM STDIN".into());
    let db = odbc.for_transaction(&shape).unwrap();
    db.begin().unwrap();
    let mut loader = db.loader(&shape, 2, 10).unwrap();
    let batch = |ids: &[&str]| {
        let mut b = TextBatch::new(2, ids.len());
        for id in ids {
            b.columns[0].push(Some(id.as_bytes()));
            b.columns[1].push(Some(b"x"));
        }
        b
    };
    loader.load(&batch(&["1", "2"])).unwrap();
    let refused = loader.load(&batch(&["3", "3"])).unwrap_err();
    let text = refused.to_string();
    assert!(
        text.contains("duplicate key") && text.contains("23505"),
        "{text}"
    );
    assert!(
        refused.is_about_the_rows() && refused.is_unique_violation(),
        "{text}"
    );
    drop(loader);
    let commit = db.commit().unwrap_err().to_string();
    assert!(
        commit.contains("current transaction is aborted"),
        "{commit}"
    );
    assert!(target.query("SELECT id FROM shapes").is_empty());
    // The session is usable again: the next transaction commits.
    db.begin().unwrap();
    let mut loader = db.loader(&shape, 2, 10).unwrap();
    loader.load(&batch(&["4"])).unwrap();
    drop(loader);
    db.commit().unwrap();
    let ids: Vec<Option<String>> = target
        .query("SELECT id FROM shapes ORDER BY id")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(ids, [Some("4".to_string())]);
}

#[test]
fn mariadb_load_data_loads_every_value_exactly() {
    let target = fresh(Db::Mariadb, "shape_loaddata");
    let got = load(
        &target,
        LoadShape::MariadbLoadData {
            table: "shapes".into(),
            columns: vec!["id".into(), "v".into()],
        },
        700,
    );
    assert_eq!(got, expected());
}

/// LOCAL makes MariaDB keep going past a value it would refuse (here one too long for its
/// column, and a duplicate key), leaving only a warning: the load fails instead when its
/// statement ends, and nothing of it stays once the transaction rolls back.
#[test]
fn mariadb_load_data_fails_a_batch_the_server_warns_about() {
    let dir = scratch("shape_loaddata_warn");
    let target = Target::fresh(Db::Mariadb, "shape_loaddata_warn", &dir);
    target.execute(&["CREATE TABLE short (id integer PRIMARY KEY, v varchar(3))".to_string()]);
    let odbc = OdbcTarget::connect(Some(&target.connect_string), None, false).unwrap();
    let shape = LoadShape::MariadbLoadData {
        table: "short".into(),
        columns: vec!["id".into(), "v".into()],
    };
    for (ids, value, says) in [
        (["1", "2"], "too long", "Data truncated"),
        (["3", "3"], "ok", "Duplicate entry"),
    ] {
        let db = odbc.for_transaction(&shape).unwrap();
        db.begin().unwrap();
        let mut loader = db.loader(&shape, 2, 10).unwrap();
        let mut batch = TextBatch::new(2, 2);
        for id in ids {
            batch.columns[0].push(Some(id.as_bytes()));
            batch.columns[1].push(Some(value.as_bytes()));
        }
        loader.load(&batch).unwrap();
        let e = loader.finish().unwrap_err().to_string();
        assert!(e.contains(says) && e.contains("the load fails"), "{e}");
        drop(loader);
        db.rollback().unwrap();
    }
    assert!(target.query("SELECT id FROM short").is_empty());
}

/// What MariaDB adjusts without an error even in strict mode (a decimal rounded to its
/// column's scale is a note) fails the batch in the statement shapes too, as in LOAD DATA's.
#[test]
fn mariadb_statement_shapes_fail_a_batch_the_server_adjusts() {
    let dir = scratch("shape_adjusted");
    let target = Target::fresh(Db::Mariadb, "shape_adjusted", &dir);
    target.execute(&["CREATE TABLE money (id integer PRIMARY KEY, v decimal(6,2))".to_string()]);
    let odbc = OdbcTarget::connect(Some(&target.connect_string), None, false).unwrap();
    for shape in [
        LoadShape::ParameterArray("INSERT INTO money (id, v) VALUES (?, ?)".into()),
        LoadShape::MultiRowValues {
            prefix: "INSERT INTO money (id, v) VALUES ".into(),
            row: "(?, ?)".into(),
            rows_per_statement: 2,
        },
    ] {
        let db = odbc.for_transaction(&shape).unwrap();
        db.begin().unwrap();
        let mut loader = db.loader(&shape, 2, 10).unwrap();
        let mut batch = TextBatch::new(2, 3);
        for (id, v) in [("1", "1.50"), ("2", "2.239"), ("3", "3")] {
            batch.columns[0].push(Some(id.as_bytes()));
            batch.columns[1].push(Some(v.as_bytes()));
        }
        let e = loader.load(&batch).unwrap_err().to_string();
        assert!(
            e.contains("Data truncated") && e.contains("the load fails"),
            "{shape:?}: {e}"
        );
        drop(loader);
        db.rollback().unwrap();
    }
    assert!(target.query("SELECT id FROM money").is_empty());
}

fn short_table_load_data(test: &str) -> (Target, OdbcTarget, LoadShape) {
    let dir = scratch(test);
    let target = Target::fresh(Db::Mariadb, test, &dir);
    target.execute(&["CREATE TABLE short (id integer PRIMARY KEY, v varchar(3))".to_string()]);
    let odbc = OdbcTarget::connect(Some(&target.connect_string), None, false).unwrap();
    let shape = LoadShape::MariadbLoadData {
        table: "short".into(),
        columns: vec!["id".into(), "v".into()],
    };
    (target, odbc, shape)
}

fn two_rows(first: u32) -> TextBatch {
    let mut batch = TextBatch::new(2, 2);
    for id in [first, first + 1] {
        batch.columns[0].push(Some(id.to_string().as_bytes()));
        batch.columns[1].push(Some(b"ok"));
    }
    batch
}

/// A streamed load stopped before its end (an error elsewhere dropped the sink) leaves part
/// of the rows in the open transaction: the connection refuses to commit it, and a rollback
/// clears the way for the next transaction.
#[test]
fn mariadb_load_data_stopped_unfinished_cannot_be_committed() {
    let (target, odbc, shape) = short_table_load_data("shape_loaddata_stopped");
    let db = odbc.for_transaction(&shape).unwrap();
    db.begin().unwrap();
    let mut loader = db.loader(&shape, 2, 10).unwrap();
    loader.load(&two_rows(1)).unwrap();
    loader.load(&two_rows(3)).unwrap();
    drop(loader);
    let e = db.commit().unwrap_err().to_string();
    assert!(e.contains("stopped before its end"), "{e}");
    db.rollback().unwrap();
    assert!(target.query("SELECT id FROM short").is_empty());
    // The next transaction commits as usual.
    db.begin().unwrap();
    let mut loader = db.loader(&shape, 2, 10).unwrap();
    loader.load(&two_rows(5)).unwrap();
    loader.finish().unwrap();
    drop(loader);
    db.commit().unwrap();
    assert_eq!(target.query("SELECT id FROM short").len(), 2);
}

/// A statement the server refuses before it asks for the rows never opens the pipe: the load
/// fails with the server's reason instead of waiting for a reader that will not come.
#[test]
fn mariadb_load_data_into_a_missing_table_fails_without_waiting() {
    let (_target, odbc, _) = short_table_load_data("shape_loaddata_missing");
    let shape = LoadShape::MariadbLoadData {
        table: "no_such_table".into(),
        columns: vec!["id".into(), "v".into()],
    };
    let db = odbc.for_transaction(&shape).unwrap();
    db.begin().unwrap();
    let mut loader = db.loader(&shape, 2, 10).unwrap();
    let e = loader.load(&two_rows(1)).unwrap_err().to_string();
    assert!(e.contains("no_such_table"), "{e}");
    drop(loader);
    db.rollback().unwrap();
}

/// Each `finish` ends one statement; the sink starts another for the next rows, and a
/// failure in one is that statement's alone.
#[test]
fn mariadb_load_data_runs_a_statement_per_finish() {
    let (target, odbc, shape) = short_table_load_data("shape_loaddata_restart");
    let db = odbc.for_transaction(&shape).unwrap();
    db.begin().unwrap();
    let mut loader = db.loader(&shape, 2, 10).unwrap();
    loader.load(&two_rows(1)).unwrap();
    loader.finish().unwrap();
    // Nothing loaded since: nothing to end.
    loader.finish().unwrap();
    loader.load(&two_rows(3)).unwrap();
    loader.load(&two_rows(5)).unwrap();
    loader.finish().unwrap();
    drop(loader);
    db.commit().unwrap();
    let ids: Vec<_> = target
        .query("SELECT id FROM short ORDER BY id")
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6"]);
}
