//! The target's columns as the host reads them from the ODBC catalog (`SQLColumns`), on each
//! real driver: every column of a table wider than one fetch of the catalog's buffer, in the
//! table's order, with its type; and only the named table's, though `SQLColumns` takes the
//! name as a pattern. A column lost here would be a column the plan does not load.

use hvrwasm_host::odbc::{Database, Target as OdbcTarget};

use crate::support::hvr::scratch;
use crate::support::target::{Db, Target};

/// Wider than the 64 rows the host fetches at a time, twice over.
const WIDTH: usize = 150;

/// Names that sort in another order than the table's, some near the usual length limits.
fn column_name(i: usize) -> String {
    format!("c{:03}_{}", WIDTH - i, "n".repeat(i % 50))
}

#[test]
fn a_table_wider_than_one_catalog_fetch_reads_every_column_in_order_and_only_its_own() {
    for db in [Db::Sqlite, Db::Postgres, Db::Mariadb] {
        let test = format!("catalog_wide_{db:?}").to_lowercase();
        let dir = scratch(&test);
        let target = Target::fresh(db, &test, &dir);
        let columns: Vec<String> = (0..WIDTH)
            .map(|i| {
                let ty = if i % 2 == 0 { "integer" } else { "varchar(20)" };
                format!("{} {ty}", target.ident(&column_name(i)))
            })
            .collect();
        target.execute(&[
            format!("CREATE TABLE wide_t ({})", columns.join(", ")),
            // `_` matches any one character in a catalog pattern.
            "CREATE TABLE wideXt (other integer)".to_string(),
        ]);
        let (catalog, schema) = match db {
            Db::Sqlite => (None, None),
            Db::Postgres => (None, Some("public".to_string())),
            Db::Mariadb => (Some(format!("hvr_e2e_{test}")), None),
        };
        let odbc = OdbcTarget::connect(Some(&target.connect_string), None, false).unwrap();
        let got = odbc
            .columns(catalog.as_deref(), schema.as_deref(), "wide_t")
            .unwrap();
        let names: Vec<String> = got.iter().map(|c| c.name.clone()).collect();
        let expected: Vec<String> = (0..WIDTH).map(column_name).collect();
        assert_eq!(names, expected, "{db:?}");
        for (i, column) in got.iter().enumerate() {
            if i % 2 == 1 {
                assert_eq!(column.size, Some(20), "{db:?} {}", column.name);
                assert!(
                    column.type_name.to_lowercase().contains("char"),
                    "{db:?} {}: {}",
                    column.name,
                    column.type_name
                );
            } else {
                assert!(
                    column.type_name.to_lowercase().starts_with("int"),
                    "{db:?} {}: {}",
                    column.name,
                    column.type_name
                );
            }
            assert!(column.nullable, "{db:?} {}", column.name);
        }
        let missing = odbc
            .columns(catalog.as_deref(), schema.as_deref(), "no_such_table")
            .unwrap();
        assert!(missing.is_empty(), "{db:?}: {missing:?}");
    }
}
