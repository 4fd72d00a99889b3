//! The database side of `selftest`: a schema of its own (or, where the database has none,
//! as in SQLite, tables named `hvrst_*`), the rows of a table as text, and the clean-up.

use std::cell::RefCell;

use odbc_api::buffers::TextRowSet;
use odbc_api::{Cursor, ResultSetMetadata};

use super::cli::SelftestArgs;
use super::data::{Row, TableDef};
use super::model::Style;
use super::{SelftestError, channel};
use crate::odbc::{Database, OdbcError, Target};

/// Prefix of every table the suite creates where it cannot create a schema.
pub const TABLE_PREFIX: &str = "hvrst_";

pub struct Scratch {
    target: Target,
    dbms: String,
    /// The schema the suite created, when the database has schemas.
    schema: Option<String>,
    backtick: bool,
    /// Tables to drop at the end when there is no schema to drop.
    tables: RefCell<Vec<String>>,
}

impl Scratch {
    pub fn open(args: &SelftestArgs) -> Result<Scratch, SelftestError> {
        let target = Target::connect(args.connect_string.as_deref(), args.dsn.as_deref(), false)
            .map_err(SelftestError::Target)?;
        let dbms = target.dbms_name();
        let backtick = crate::odbc::is_mariadb_or_mysql(&dbms);
        let mut scratch = Scratch {
            target,
            dbms,
            schema: None,
            backtick,
            tables: RefCell::new(Vec::new()),
        };
        let name = format!("hvrwasm_selftest_{}", std::process::id());
        let charset = if backtick {
            " CHARACTER SET utf8mb4"
        } else {
            ""
        };
        let created = scratch
            .target
            .execute(
                "creating the selftest schema",
                &format!("CREATE SCHEMA {name}{charset}"),
            )
            .is_ok();
        if created {
            scratch.schema = Some(name);
        }
        Ok(scratch)
    }

    pub fn dbms(&self) -> &str {
        &self.dbms
    }

    /// Where the suite works, for the report.
    pub fn describe(&self) -> String {
        match &self.schema {
            Some(s) => format!("schema {s}"),
            None => format!("tables {TABLE_PREFIX}* (the database has no schemas)"),
        }
    }

    /// The base name HVR gives a table (schema-qualified when there is a schema), made
    /// unique per style; drops a leftover of an earlier run without a schema.
    pub fn base_name(&self, style_tag: &str, table: &str) -> Result<String, SelftestError> {
        Ok(match &self.schema {
            Some(schema) => format!("{schema}.{style_tag}_{table}"),
            None => {
                let name = format!("{TABLE_PREFIX}{style_tag}_{table}");
                self.drop_table(&name).map_err(SelftestError::Target)?;
                self.tables.borrow_mut().push(name.clone());
                name
            }
        })
    }

    /// The `--state-table` of the calls.
    pub fn state_table(&self) -> Result<String, SelftestError> {
        Ok(match &self.schema {
            Some(schema) => format!("{schema}.hvrst_state"),
            None => self.base_name("fence", "state")?,
        })
    }

    fn ident(&self, name: &str) -> String {
        let q = if self.backtick { '`' } else { '"' };
        format!("{q}{}{q}", name.replace(q, &format!("{q}{q}")))
    }

    fn qualified(&self, base: &str) -> String {
        match base.split_once('.') {
            Some((s, t)) => format!("{}.{}", self.ident(s), self.ident(t)),
            None => self.ident(base),
        }
    }

    fn drop_table(&self, name: &str) -> Result<(), OdbcError> {
        self.target.execute(
            "dropping a selftest table",
            &format!("DROP TABLE IF EXISTS {}", self.qualified(name)),
        )
    }

    /// Every row of the table, as text, sorted; timestamps without trailing fraction zeros.
    pub fn rows(&self, base: &str, def: &TableDef, style: Style) -> Result<Vec<Row>, String> {
        let names = channel::target_columns(def, style);
        let cols: Vec<String> = names.iter().map(|c| self.ident(c)).collect();
        let sql = format!("SELECT {} FROM {}", cols.join(", "), self.qualified(base));
        let rows = self.query(&sql).map_err(|e| format!("{sql}: {e}"))?;
        Ok(channel::canonical_rows(def, rows))
    }

    fn query(&self, sql: &str) -> Result<Vec<Row>, odbc_api::Error> {
        let conn = self.target.connection();
        let Some(mut cursor) = conn.execute(sql, (), None)? else {
            return Ok(Vec::new());
        };
        let columns = cursor.num_result_cols()? as usize;
        let buffer = TextRowSet::from_max_str_lens(256, std::iter::repeat_n(16_384, columns))?;
        let mut block = cursor.bind_buffer(buffer)?;
        let mut out = Vec::new();
        while let Some(batch) = block.fetch_with_truncation_check(true)? {
            for r in 0..batch.num_rows() {
                out.push(
                    (0..columns)
                        .map(|c| {
                            batch
                                .at(c, r)
                                .map(|b| String::from_utf8_lossy(b).into_owned())
                        })
                        .collect(),
                );
            }
        }
        Ok(out)
    }

    /// Drops what the suite created; says what it did.
    pub fn drop_all(&self) -> String {
        if let Some(schema) = &self.schema {
            let cascade = format!("DROP SCHEMA {schema} CASCADE");
            let plain = format!("DROP SCHEMA {schema}");
            let dropped = self
                .target
                .execute("dropping the selftest schema", &cascade);
            let dropped =
                dropped.or_else(|_| self.target.execute("dropping the selftest schema", &plain));
            return match dropped {
                Ok(()) => format!("dropped schema {schema}"),
                Err(e) => format!("could not drop schema {schema}: {e}"),
            };
        }
        let tables = self.tables.borrow();
        let failed: Vec<String> = tables
            .iter()
            .filter_map(|t| self.drop_table(t).err().map(|e| format!("{t}: {e}")))
            .collect();
        if failed.is_empty() {
            format!("dropped its {} tables", tables.len())
        } else {
            format!("could not drop {}", failed.join("; "))
        }
    }
}
