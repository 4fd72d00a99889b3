//! The host's three load shapes, driven through the host library against real drivers, with
//! values that stress binding: NULL beside the empty string, quotes, backslashes, long text.

use hvrwasm_host::batch::TextBatch;
use hvrwasm_host::domain::LoadShape;
use hvrwasm_host::odbc::{BatchLoader, Database as _, Target as OdbcTarget};

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
    odbc.begin().unwrap();
    let mut loader = BatchLoader::new(&odbc, &shape, 2, batch_rows).unwrap();
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
    drop(loader);
    odbc.commit().unwrap();
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
