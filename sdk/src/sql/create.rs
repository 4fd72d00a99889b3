//! Creating and emptying the target on refresh, and the plain parameter-array load.

use super::{Dialect, LandedColumn, Layout, applies_by_key};
use crate::{Options, PlanError, Source, Table};

/// `CREATE TABLE` for a target that does not exist yet, with the key as primary key. A
/// column gets the type its files declare (mapped by `types.typed`), else `types.text`
/// (`types.key` for key columns, for databases that cannot index unbounded text): CSV
/// carries no types, and text loses nothing. TimeKey targets hold many rows per key, so
/// they pass `primary_key = false`.
///
/// ```
/// use hvrwasm_sdk::sql::{Dialect, Layout, CreatedTypes};
/// use hvrwasm_sdk::{testing, TargetStyle};
/// let table = testing::orders_refresh_table();
/// let options = testing::options(TargetStyle::ReplicationCopy);
/// let layout = Layout::new(&table, &options).unwrap();
/// use hvrwasm_sdk::sql::create_table;
/// let sql = create_table(&Dialect::ANSI, r#""orders""#, &layout, CreatedTypes::POSTGRES, true);
/// assert_eq!(sql, r#"CREATE TABLE "orders" ("id" text NOT NULL, "amount" text, PRIMARY KEY ("id"))"#);
/// ```
pub fn create_table(
    dialect: &Dialect,
    target: &str,
    layout: &Layout,
    types: CreatedTypes,
    primary_key: bool,
) -> String {
    let mut defs: Vec<String> = layout
        .landed
        .iter()
        .map(|c| {
            let ty = types.of(c);
            if c.is_key {
                format!("{} {ty} NOT NULL", dialect.ident(&c.name))
            } else {
                format!("{} {ty}", dialect.ident(&c.name))
            }
        })
        .collect();
    let keys = layout.keys();
    if primary_key && !keys.is_empty() {
        defs.push(format!(
            "PRIMARY KEY ({})",
            dialect.ident_list(keys.iter().map(|k| k.name.as_str()))
        ));
    }
    format!("CREATE TABLE {target} ({})", defs.join(", "))
}

/// Column types for a target that refresh creates because it does not exist yet.
///
/// ```
/// use hvrwasm_sdk::sql::CreatedTypes;
/// assert_eq!(CreatedTypes::MARIADB.key, "VARCHAR(255)");
/// // Your own database: text for undeclared columns, your own mapping for declared ones.
/// let mine = CreatedTypes { text: "STRING", key: "STRING", typed: |_, _| None };
/// assert_eq!(mine.text, "STRING");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct CreatedTypes<'a> {
    /// For columns whose files declare no type.
    pub text: &'a str,
    /// For key columns, where the database cannot index unbounded text.
    pub key: &'a str,
    /// The dialect's type for a declared neutral type (`crate::column_types` has the
    /// first-party ones); `None` falls back to `text` / `key`.
    pub typed: fn(&crate::LogicalType, bool) -> Option<String>,
}

impl CreatedTypes<'static> {
    /// PostgreSQL: `text` where the files declare no type, else [`crate::column_types::postgres`].
    pub const POSTGRES: CreatedTypes<'static> = CreatedTypes {
        text: "text",
        key: "text",
        typed: crate::column_types::postgres,
    };
    /// MariaDB / MySQL: `LONGTEXT`, keys `VARCHAR(255)` (indexable), else
    /// [`crate::column_types::mariadb`].
    pub const MARIADB: CreatedTypes<'static> = CreatedTypes {
        text: "LONGTEXT",
        key: "VARCHAR(255)",
        typed: crate::column_types::mariadb,
    };
    /// SQLite: `TEXT`, else [`crate::column_types::sqlite`].
    pub const SQLITE: CreatedTypes<'static> = CreatedTypes {
        text: "TEXT",
        key: "TEXT",
        typed: crate::column_types::sqlite,
    };
}

impl CreatedTypes<'_> {
    /// The type a created column gets.
    pub fn of(&self, c: &LandedColumn) -> String {
        c.logical_type
            .as_ref()
            .and_then(|t| (self.typed)(t, c.is_key))
            .unwrap_or_else(|| if c.is_key { self.key } else { self.text }.to_string())
    }
}

/// The statements a refresh runs before loading: create a missing target with text columns
/// (and say so in the log), keep the rows (`-p`), or empty it with `empty`.
///
/// ```
/// use hvrwasm_sdk::sql::{Dialect, Layout, CreatedTypes};
/// use hvrwasm_sdk::{testing, TargetStyle};
/// let table = testing::orders_refresh_table();
/// let options = testing::options(TargetStyle::ReplicationCopy);
/// let layout = Layout::new(&table, &options).unwrap();
/// use hvrwasm_sdk::sql::refresh_preparation;
/// let before = refresh_preparation(&Dialect::ANSI, &table, &layout, &options, CreatedTypes::SQLITE, "DELETE FROM");
/// assert!(before[0].starts_with(r#"CREATE TABLE "orders""#)); // the target does not exist
/// ```
pub fn refresh_preparation(
    dialect: &Dialect,
    table: &Table,
    layout: &Layout,
    options: &Options,
    types: CreatedTypes,
    empty: &str,
) -> Vec<String> {
    let target = dialect.table_name(table);
    if table.target_columns.is_none() {
        let created = create_table(dialect, &target, layout, types, applies_by_key(options));
        crate::log::warn(&format!(
            "target table {target} does not exist; creating it: {created}"
        ));
        vec![created]
    } else if options.preserve_on_refresh {
        vec![]
    } else {
        vec![format!("{empty} {target}")]
    }
}

/// The whole refresh plan for databases whose driver runs parameter arrays natively (SQLite,
/// MariaDB): create or empty the target with a transactional `DELETE`, then insert straight
/// into it.
///
/// ```
/// use hvrwasm_sdk::sql::{parameter_array_refresh, CreatedTypes, Dialect};
/// use hvrwasm_sdk::{testing, LoadShape, TargetStyle};
/// let plan = parameter_array_refresh(&Dialect::ANSI, &testing::orders_table(), &testing::options(TargetStyle::ReplicationCopy), CreatedTypes::SQLITE, 1000).unwrap();
/// assert_eq!(plan.before, [r#"DELETE FROM "orders""#]);
/// assert_eq!(plan.load.shape, LoadShape::ParameterArray(r#"INSERT INTO "orders" ("id", "amount") VALUES (?, ?)"#.into()));
/// ```
pub fn parameter_array_refresh(
    dialect: &Dialect,
    table: &Table,
    options: &Options,
    types: CreatedTypes,
    batch_rows: u32,
) -> Result<crate::Plan, PlanError> {
    let layout = Layout::new(table, options)?;
    let target = dialect.table_name(table);
    Ok(crate::Plan::new(
        refresh_preparation(dialect, table, &layout, options, types, "DELETE FROM"),
        layout.parameter_array_load(dialect, &target, batch_rows),
        vec![],
    ))
}

/// The target's quoted name, or an error when it does not exist: change apply needs a table
/// a refresh made.
///
/// ```
/// use hvrwasm_sdk::sql::{require_target, Dialect};
/// use hvrwasm_sdk::testing;
/// assert_eq!(require_target(&Dialect::ANSI, &testing::orders_table()).unwrap(), r#""orders""#);
/// assert!(require_target(&Dialect::ANSI, &testing::orders_refresh_table()).is_err());
/// ```
pub fn require_target(dialect: &Dialect, table: &Table) -> Result<String, PlanError> {
    let target = dialect.table_name(table);
    if table.target_columns.is_none() {
        return Err(PlanError::InvalidTable(format!(
            "target table {target} does not exist; run a refresh first"
        )));
    }
    Ok(target)
}

/// `INSERT INTO table (columns) VALUES (?, ...)` executed with parameter arrays.
///
/// ```
/// use hvrwasm_sdk::sql::parameter_array_load;
/// use hvrwasm_sdk::{LoadShape, Source};
/// let load = parameter_array_load("t", "a, b", vec![Source::Column(0), Source::Column(1)], 500);
/// assert_eq!(load.shape, LoadShape::ParameterArray("INSERT INTO t (a, b) VALUES (?, ?)".into()));
/// ```
pub fn parameter_array_load(
    table: &str,
    columns: &str,
    sources: Vec<Source>,
    batch_rows: u32,
) -> crate::Load {
    let marks = vec!["?"; sources.len()].join(", ");
    crate::Load::new(
        crate::LoadShape::ParameterArray(format!(
            "INSERT INTO {table} ({columns}) VALUES ({marks})"
        )),
        sources,
        batch_rows,
    )
}
