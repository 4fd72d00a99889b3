//! Real targets: a SQLite file per test, and a PostgreSQL database per test.

use std::path::Path;
use std::sync::OnceLock;

use odbc_api::buffers::TextRowSet;
use odbc_api::{ConnectionOptions, Cursor, Environment, ResultSetMetadata};

use super::data::{Kind, Row, TableDef};
use super::model::Style;

fn odbc() -> &'static Environment {
    static ENV: OnceLock<Environment> = OnceLock::new();
    ENV.get_or_init(|| Environment::new().expect("unixODBC is installed"))
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Db {
    Sqlite,
    Postgres,
    Mariadb,
}

/// A target database and how to reach it.
pub struct Target {
    pub db: Db,
    pub connect_string: String,
    /// Schema for HVR's schema-qualified base names.
    pub schema: String,
}

/// PostgreSQL server the suite uses (trust auth on loopback by default).
fn pg_server() -> String {
    std::env::var("HVR_E2E_POSTGRES").unwrap_or_else(|_| {
        "Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=5432;Uid=postgres;CommLog=0;".into()
    })
}

/// MariaDB server the suite uses (root with an empty password on loopback by default).
fn mariadb_server() -> String {
    std::env::var("HVR_E2E_MARIADB").unwrap_or_else(|_| {
        "Driver={MariaDB Unicode};Server=127.0.0.1;Port=3306;Uid=root;Pwd=;CHARSET=utf8mb4;".into()
    })
}

fn admin_connection(connect_string: &str, what: &str) -> odbc_api::Connection<'static> {
    odbc()
        .connect_with_connection_string(connect_string, ConnectionOptions::default())
        .unwrap_or_else(|e| {
            panic!(
                "{what} is required for this test and is not reachable ({e}); run scripts/setup.sh, \
                 or set HVR_E2E_POSTGRES / HVR_E2E_MARIADB to an ODBC connection string without Database="
            )
        })
}

impl Target {
    pub fn connector(&self) -> &'static str {
        match self.db {
            Db::Sqlite => "sqlite",
            Db::Postgres => "postgres",
            Db::Mariadb => "mariadb",
        }
    }

    /// A quoted identifier in the target's dialect.
    pub fn ident(&self, name: &str) -> String {
        match self.db {
            Db::Mariadb => format!("`{name}`"),
            _ => format!("\"{name}\""),
        }
    }

    /// A fresh, empty target for one test.
    pub fn fresh(db: Db, test: &str, dir: &Path) -> Target {
        match db {
            Db::Sqlite => {
                let file = dir.join("target.sqlite");
                let _ = std::fs::remove_file(&file);
                Target {
                    db,
                    connect_string: format!("Driver={{SQLite3}};Database={};", file.display()),
                    schema: "main".into(),
                }
            }
            Db::Mariadb => Target::fresh_mariadb(&mariadb_server(), test),
            Db::Postgres => {
                let name = format!("hvr_e2e_{test}");
                let admin = format!("{}Database=postgres;", pg_server());
                let conn = admin_connection(&admin, "PostgreSQL");
                conn.execute(
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    (),
                    None,
                )
                .unwrap();
                conn.execute(&format!("CREATE DATABASE {name}"), (), None)
                    .unwrap();
                let target = Target {
                    db,
                    connect_string: format!("{}Database={name};Protocol=7.4-1;", pg_server()),
                    schema: "sales".into(),
                };
                target.execute(&["CREATE SCHEMA sales".to_string()]);
                target
            }
        }
    }

    /// A fresh database (and one for schema-qualified names) for one test on the MariaDB
    /// server `server` reaches: an ODBC connection string without `Database=`.
    pub fn fresh_mariadb(server: &str, test: &str) -> Target {
        let name = format!("hvr_e2e_{test}");
        let conn = admin_connection(server, "MariaDB");
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("DROP DATABASE IF EXISTS {name}_s"),
            format!("CREATE DATABASE {name} CHARACTER SET utf8mb4"),
            format!("CREATE DATABASE {name}_s CHARACTER SET utf8mb4"),
        ] {
            conn.execute(&sql, (), None).unwrap();
        }
        Target {
            db: Db::Mariadb,
            connect_string: format!("{server}Database={name};"),
            schema: format!("{name}_s"),
        }
    }

    /// A connection of the test's own, e.g. to hold a lock while the binary runs.
    pub fn connection(&self) -> odbc_api::Connection<'static> {
        odbc()
            .connect_with_connection_string(&self.connect_string, ConnectionOptions::default())
            .expect("connect to target")
    }

    pub fn execute(&self, statements: &[String]) {
        let conn = odbc()
            .connect_with_connection_string(&self.connect_string, ConnectionOptions::default())
            .expect("connect to target");
        for sql in statements {
            conn.execute(sql, (), None)
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }

    fn type_of(&self, kind: Kind) -> &'static str {
        match (self.db, kind) {
            (Db::Sqlite, Kind::Int) => "INTEGER",
            (Db::Sqlite, _) => "TEXT",
            (Db::Postgres, Kind::Int) => "integer",
            (Db::Postgres, Kind::Text) => "text",
            (Db::Postgres, Kind::Money) => "numeric(12,2)",
            (Db::Postgres, Kind::Price) => "numeric(10,4)",
            (Db::Postgres, Kind::Stamp) => "timestamp(6)",
            (Db::Postgres, Kind::Stamp0) => "timestamp(0)",
            (Db::Mariadb, Kind::Int) => "INT",
            // Key text must be bounded to be indexed.
            (Db::Mariadb, Kind::Text) => "VARCHAR(400)",
            (Db::Mariadb, Kind::Money) => "DECIMAL(12,2)",
            (Db::Mariadb, Kind::Price) => "DECIMAL(10,4)",
            (Db::Mariadb, Kind::Stamp) => "DATETIME(6)",
            (Db::Mariadb, Kind::Stamp0) => "DATETIME",
        }
    }

    pub fn qualified(&self, table: &TableDef) -> String {
        if table.qualified {
            format!("{}.{}", self.ident(&self.schema), self.ident(table.base))
        } else {
            self.ident(table.base)
        }
    }

    /// Target columns for a style: data columns, then the kept extras.
    pub fn target_columns(table: &TableDef, style: Style) -> Vec<String> {
        super::channel::target_columns(table, style)
    }

    pub fn create_table(&self, table: &TableDef, style: Style) {
        let mut defs: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("{} {}", self.ident(c.base), self.type_of(c.kind)))
            .collect();
        let int = self.type_of(Kind::Int);
        match style {
            Style::ReplicationCopy => {}
            Style::SoftDelete => defs.push(format!("{} {int}", self.ident("is_deleted"))),
            Style::TimeKey => {
                defs.push(format!("{} varchar(36)", self.ident("integ_seq")));
                defs.push(format!("{} {int}", self.ident("op_type")));
                defs.push(format!("{} {int}", self.ident("is_deleted")));
            }
        }
        if style != Style::TimeKey {
            let keys: Vec<String> = table
                .columns
                .iter()
                .filter(|c| c.key)
                .map(|c| self.ident(c.base))
                .collect();
            defs.push(format!("PRIMARY KEY ({})", keys.join(", ")));
        }
        self.execute(&[format!(
            "CREATE TABLE {} ({})",
            self.qualified(table),
            defs.join(", ")
        )]);
    }

    /// Every row of `table`, as text, sorted.
    pub fn rows(&self, table: &TableDef, style: Style) -> Vec<Row> {
        let cols = Self::target_columns(table, style)
            .iter()
            .map(|c| self.ident(c))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = self.query(&format!("SELECT {cols} FROM {}", self.qualified(table)));
        super::channel::canonical_rows(table, rows)
    }

    pub fn query(&self, sql: &str) -> Vec<Row> {
        let conn = odbc()
            .connect_with_connection_string(&self.connect_string, ConnectionOptions::default())
            .expect("connect to target");
        let mut cursor = conn
            .execute(sql, (), None)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .expect("a result set");
        let columns = cursor.num_result_cols().unwrap() as usize;
        let buffer =
            TextRowSet::from_max_str_lens(500, std::iter::repeat_n(8192, columns)).unwrap();
        let mut block = cursor.bind_buffer(buffer).unwrap();
        let mut out = Vec::new();
        while let Some(batch) = block.fetch_with_truncation_check(true).unwrap() {
            for r in 0..batch.num_rows() {
                out.push(
                    (0..columns)
                        .map(|c| {
                            batch
                                .at(c, r)
                                .map(|b| String::from_utf8(b.to_vec()).unwrap())
                        })
                        .collect(),
                );
            }
        }
        out
    }
}
