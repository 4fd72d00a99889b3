//! SQL building blocks shared by SQL connectors.
//!
//! The pieces are: a [`Dialect`] (identifier quoting), a [`Layout`] (which file columns land in
//! which target columns for the chosen style, and which carry op codes or the SoftDelete flag),
//! and statement builders for staging and applying changes. A connector picks the pieces that
//! fit its database and adds its own load statement.

use crate::{Column, ColumnRole, Options, PlanError, Source, Table, TargetColumn, TargetStyle};

mod load;
mod upsert;

pub use load::{LoadColumn, direct_columns, multi_row_values_load, unnest_load};
pub use upsert::{Upsert, last_change_per_key, upsert_apply, upsert_clause};

/// Names of the control columns a staging table carries beside the target's columns.
pub const STAGE_OP: &str = "hvr_stage_op";
/// Deleted flag (1 = the change deletes the row) in a staging table.
pub const STAGE_SOFT_DELETE: &str = "hvr_stage_deleted";
/// Position of the change in the call, from [`Source::RowNumber`].
pub const STAGE_SEQ: &str = "hvr_stage_seq";

/// How a database spells identifiers.
#[derive(Clone, Copy, Debug)]
pub struct Dialect {
    /// Opening and closing quote of a delimited identifier.
    pub quote: char,
}

impl Dialect {
    /// `"name"`, the SQL standard (PostgreSQL, SQLite, Oracle, ...).
    pub const ANSI: Dialect = Dialect { quote: '"' };
    /// `` `name` `` (MySQL, MariaDB).
    pub const BACKTICK: Dialect = Dialect { quote: '`' };

    /// Quotes one identifier, doubling any quote character inside it, so reserved words and
    /// mixed case survive.
    pub fn ident(&self, name: &str) -> String {
        let q = self.quote;
        let mut out = String::with_capacity(name.len() + 2);
        out.push(q);
        for c in name.chars() {
            if c == q {
                out.push(q);
            }
            out.push(c);
        }
        out.push(q);
        out
    }

    /// The table's quoted name, schema-qualified when HVR gave a schema.
    pub fn table_name(&self, table: &Table) -> String {
        match &table.schema {
            Some(schema) => format!("{}.{}", self.ident(schema), self.ident(&table.base_name)),
            None => self.ident(&table.base_name),
        }
    }

    /// Comma-separated quoted identifiers.
    pub fn ident_list<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> String {
        names
            .into_iter()
            .map(|n| self.ident(n))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One column that lands in the target.
#[derive(Clone, Debug, PartialEq)]
pub struct LandedColumn {
    /// Index into `table.columns`.
    pub file_index: u32,
    /// Name in the target (the target's own spelling when the table exists).
    pub name: String,
    /// The target's type name, when the table exists.
    pub type_name: Option<String>,
    pub is_key: bool,
    /// The type the files (or a `--column-type`) declare, if any.
    pub logical_type: Option<crate::LogicalType>,
}

/// Which file columns land where, for one table in one style.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Columns written to the target, in file order.
    pub landed: Vec<LandedColumn>,
    /// File index of the op column, if the files carry one.
    pub op: Option<u32>,
    /// File index of the SoftDelete column, if the files carry one.
    pub soft_delete: Option<u32>,
}

impl Layout {
    /// Works out the layout and checks it against the target's columns.
    ///
    /// The op column is kept when `keep_op_column` (or TimeKey), the SoftDelete column when
    /// `keep_soft_delete_column` (or TimeKey); other columns always land. A landing column the
    /// existing target lacks is an error naming both.
    pub fn new(table: &Table, options: &Options) -> Result<Layout, PlanError> {
        let time_key = options.style == TargetStyle::TimeKey;
        let mut landed = Vec::new();
        let mut op = None;
        let mut soft_delete = None;
        for (i, column) in table.columns.iter().enumerate() {
            let i = i as u32;
            let keep = match column.role {
                ColumnRole::Data => true,
                ColumnRole::Op => {
                    op = Some(i);
                    time_key || options.keep_op_column
                }
                ColumnRole::SoftDelete => {
                    soft_delete = Some(i);
                    time_key || options.keep_soft_delete_column
                }
            };
            if keep {
                landed.push(landed_column(table, column, i)?);
            }
        }
        if landed.is_empty() {
            return Err(PlanError::InvalidTable(format!(
                "table {}: its files have no column that lands in the target",
                table.name
            )));
        }
        Ok(Layout {
            landed,
            op,
            soft_delete,
        })
    }

    /// Landed key columns (the replication key).
    pub fn keys(&self) -> Vec<&LandedColumn> {
        self.landed.iter().filter(|c| c.is_key).collect()
    }

    /// The keys, or an error saying change apply needs them.
    pub fn require_keys(&self, table: &Table) -> Result<Vec<&LandedColumn>, PlanError> {
        let keys = self.keys();
        if keys.is_empty() {
            return Err(PlanError::InvalidTable(format!(
                "table {}: no key column is present in its files (HVR_TBL_KEYS); \
                 applying changes needs the key",
                table.name
            )));
        }
        Ok(keys)
    }

    /// Sources for loading the landed columns straight into the target.
    pub fn target_sources(&self) -> Vec<Source> {
        self.landed
            .iter()
            .map(|c| Source::Column(c.file_index))
            .collect()
    }

    /// `INSERT INTO target (landed columns) VALUES (?, ...)` fed straight from the files, as
    /// parameter arrays: a refresh, or a TimeKey append.
    pub fn parameter_array_load(
        &self,
        dialect: &Dialect,
        target: &str,
        batch_rows: u32,
    ) -> crate::Load {
        parameter_array_load(
            target,
            &dialect.ident_list(self.target_names()),
            self.target_sources(),
            batch_rows,
        )
    }

    /// The landed names, in load order.
    pub fn target_names(&self) -> Vec<&str> {
        self.landed.iter().map(|c| c.name.as_str()).collect()
    }
}

fn landed_column(table: &Table, column: &Column, i: u32) -> Result<LandedColumn, PlanError> {
    let Some(target) = &table.target_columns else {
        return Ok(LandedColumn {
            file_index: i,
            name: column.base_name.clone(),
            type_name: None,
            is_key: column.is_key,
            logical_type: column.logical_type,
        });
    };
    let found = find_target_column(target, &column.base_name).ok_or_else(|| {
        PlanError::InvalidTable(format!(
            "table {}: file column {} has no matching column in target table {} (target has: {})",
            table.name,
            column.base_name,
            table.base_name,
            target
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    Ok(LandedColumn {
        file_index: i,
        name: found.name.clone(),
        type_name: Some(found.type_name.clone()),
        is_key: column.is_key,
        logical_type: column.logical_type,
    })
}

/// Exact match first, then ASCII case-insensitive (catalogs fold unquoted names).
fn find_target_column<'a>(target: &'a [TargetColumn], name: &str) -> Option<&'a TargetColumn> {
    target
        .iter()
        .find(|c| c.name == name)
        .or_else(|| target.iter().find(|c| c.name.eq_ignore_ascii_case(name)))
}

/// A staging table holding the landed columns plus control columns.
#[derive(Clone, Debug)]
pub struct Stage {
    /// Quoted name of the staging table.
    pub name: String,
    /// `(quoted column, type, source)` in load order.
    pub columns: Vec<(String, String, Source)>,
    pub has_op: bool,
    pub has_soft_delete: bool,
}

impl Stage {
    /// Lays out a staging table. `type_of` maps a landed column to its staging type (usually
    /// the target's type name); `int_type` is the type of the op, deleted and sequence columns.
    pub fn new(
        dialect: &Dialect,
        name: &str,
        layout: &Layout,
        type_of: impl Fn(&LandedColumn) -> String,
        int_type: &str,
    ) -> Stage {
        let mut columns = direct_columns(dialect, layout, type_of);
        if let Some(op) = layout.op {
            columns.push((dialect.ident(STAGE_OP), int_type.into(), Source::Column(op)));
        }
        if let Some(sd) = layout.soft_delete {
            columns.push((
                dialect.ident(STAGE_SOFT_DELETE),
                int_type.into(),
                Source::Column(sd),
            ));
        }
        columns.push((dialect.ident(STAGE_SEQ), int_type.into(), Source::RowNumber));
        Stage {
            name: dialect.ident(name),
            columns,
            has_op: layout.op.is_some(),
            has_soft_delete: layout.soft_delete.is_some(),
        }
    }

    /// Column definitions for `CREATE TABLE`.
    pub fn column_definitions(&self) -> String {
        self.columns
            .iter()
            .map(|(n, t, _)| {
                if t.is_empty() {
                    n.clone()
                } else {
                    format!("{n} {t}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Quoted column names in load order.
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(n, _, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn sources(&self) -> Vec<Source> {
        self.columns.iter().map(|(_, _, s)| *s).collect()
    }

    /// SQL condition (over alias `alias`) that is true for a change that removes the row:
    /// op 0 when the files carry an op column, else SoftDelete = 1, else never.
    pub fn deleted_condition(&self, dialect: &Dialect, alias: &str) -> String {
        if self.has_op {
            format!("{alias}.{} = 0", dialect.ident(STAGE_OP))
        } else if self.has_soft_delete {
            format!("{alias}.{} = 1", dialect.ident(STAGE_SOFT_DELETE))
        } else {
            "1 = 0".into()
        }
    }

    /// `(SELECT COALESCE(MAX(seq), 0) FROM stage WHERE op = 5)`: the row number of the
    /// cycle's last truncate, 0 without one.
    pub fn truncated_at_query(&self, dialect: &Dialect) -> String {
        format!(
            "(SELECT COALESCE(MAX({seq}), 0) FROM {s} WHERE {op} = 5)",
            seq = dialect.ident(STAGE_SEQ),
            s = self.name,
            op = dialect.ident(STAGE_OP)
        )
    }

    /// The changes that still count for the per-key apply: inserts, updates and deletes that
    /// come after the cycle's last truncate and are not superseded by a later multi-delete.
    pub fn candidate_condition(
        &self,
        dialect: &Dialect,
        alias: &str,
        special: &SpecialOps,
    ) -> String {
        let mut parts = vec![self.row_change_condition(dialect, alias)];
        if self.has_op {
            let seq = dialect.ident(STAGE_SEQ);
            parts.push(format!("{alias}.{seq} > {}", special.truncated_at));
            if let Some((source, partial)) = &special.multi_delete {
                parts.push(format!(
                    "NOT EXISTS (SELECT 1 FROM {source} m WHERE m.{op} = 8 AND m.{seq} > {alias}.{seq} AND {})",
                    key_join(dialect, partial, "m", alias),
                    op = dialect.ident(STAGE_OP),
                ));
            }
        }
        parts.join(" AND ")
    }

    /// Statements that apply truncates and multi-deletes to the target before the per-key
    /// apply: rows are removed (replication copy) or marked deleted (SoftDelete).
    pub fn special_ops_to_target(
        &self,
        dialect: &Dialect,
        target: &str,
        layout: &Layout,
        style: TargetStyle,
        special: &SpecialOps,
    ) -> Vec<String> {
        if !self.has_op || style == TargetStyle::TimeKey {
            return Vec::new();
        }
        let soft_column = layout
            .soft_delete
            .and_then(|i| layout.landed.iter().find(|c| c.file_index == i));
        let remove = |condition: String| match (style, soft_column) {
            (TargetStyle::SoftDelete, Some(c)) => format!(
                "UPDATE {target} SET {} = 1 WHERE {condition}",
                dialect.ident(&c.name)
            ),
            _ => format!("DELETE FROM {target} WHERE {condition}"),
        };
        let mut sql = vec![remove(format!("{} > 0", special.truncated_at))];
        if let Some((source, partial)) = &special.multi_delete {
            sql.push(remove(format!(
                "EXISTS (SELECT 1 FROM {source} m WHERE m.{} = 8 AND {})",
                dialect.ident(STAGE_OP),
                key_join(dialect, partial, "m", target)
            )));
        }
        sql
    }

    /// SQL condition that keeps the changes that affect a replication copy or SoftDelete
    /// target: inserts (1), updates (2) and deletes (0). Before-images (3, 4) matter only
    /// to TimeKey targets.
    pub fn row_change_condition(&self, dialect: &Dialect, alias: &str) -> String {
        if self.has_op {
            format!(
                "COALESCE({alias}.{}, 1) IN (0, 1, 2)",
                dialect.ident(STAGE_OP)
            )
        } else {
            "1 = 1".into()
        }
    }
}

/// How a plan handles truncates (op 5) and SAP multi-deletes (op 8).
#[derive(Clone, Debug)]
pub struct SpecialOps<'a> {
    /// SQL expression for the row number of the cycle's last truncate, 0 when there is none,
    /// e.g. [`Stage::truncated_at_query`] or a session variable set from it.
    pub truncated_at: String,
    /// Table holding the op-8 rows (the stage itself where the dialect allows naming it twice)
    /// and the key columns they match on, when the table has multi-deletes configured.
    pub multi_delete: Option<(String, Vec<&'a LandedColumn>)>,
}

impl<'a> SpecialOps<'a> {
    /// The usual setting: the truncate point read from the stage itself
    /// ([`Stage::truncated_at_query`]) and op-8 rows matched in the stage on the key without
    /// the table's `--multi-delete` column.
    pub fn from_stage(
        dialect: &Dialect,
        table: &Table,
        stage: &Stage,
        keys: &[&'a LandedColumn],
    ) -> Result<SpecialOps<'a>, PlanError> {
        Ok(SpecialOps {
            truncated_at: stage.truncated_at_query(dialect),
            multi_delete: SpecialOps::partial_key(table, keys)?
                .map(|partial| (stage.name.clone(), partial)),
        })
    }

    /// Reads `--multi-delete` for the table: the key without the excluded column.
    pub fn partial_key(
        table: &Table,
        keys: &[&'a LandedColumn],
    ) -> Result<Option<Vec<&'a LandedColumn>>, PlanError> {
        let Some(excluded) = &table.multi_delete_exclude else {
            return Ok(None);
        };
        if !keys.iter().any(|k| k.name.eq_ignore_ascii_case(excluded)) {
            return Err(PlanError::InvalidTable(format!(
                "table {}: multi-delete column {excluded} is not one of its key columns",
                table.name
            )));
        }
        let partial: Vec<&LandedColumn> = keys
            .iter()
            .filter(|k| !k.name.eq_ignore_ascii_case(excluded))
            .copied()
            .collect();
        if partial.is_empty() {
            return Err(PlanError::InvalidTable(format!(
                "table {}: without {excluded} no key column is left for multi-deletes",
                table.name
            )));
        }
        Ok(Some(partial))
    }
}

/// `a.k1 = b.k1 AND a.k2 = b.k2`
pub fn key_join(dialect: &Dialect, keys: &[&LandedColumn], a: &str, b: &str) -> String {
    keys.iter()
        .map(|k| {
            let k = dialect.ident(&k.name);
            format!("{a}.{k} = {b}.{k}")
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The portable apply used where MERGE is missing (SQLite): reduce the stage to the last change
/// per key, delete the keys whose last change is a delete, update existing keys (only the
/// columns the files carry: the others keep their values, as an upsert does), and insert the
/// keys the target does not have. Deletes come first, so a key deleted and inserted again in
/// one cycle applies cleanly.
///
/// For SoftDelete targets a deleted row whose key the target never had is dropped, so deletes
/// only ever update existing rows.
pub fn delete_insert_apply(
    dialect: &Dialect,
    target: &str,
    stage: &Stage,
    layout: &Layout,
    keys: &[&LandedColumn],
    style: TargetStyle,
    special: &SpecialOps,
) -> Vec<String> {
    let s = &stage.name;
    let seq = dialect.ident(STAGE_SEQ);
    let cols = dialect.ident_list(layout.target_names());
    let mut sql = stage.special_ops_to_target(dialect, target, layout, style, special);
    sql.extend([
        format!(
            "DELETE FROM {s} WHERE NOT ({})",
            stage.candidate_condition(dialect, s, special)
        ),
        format!(
            "DELETE FROM {s} WHERE EXISTS (SELECT 1 FROM {s} later WHERE {} AND later.{seq} > {s}.{seq})",
            key_join(dialect, keys, "later", s)
        ),
    ]);
    let deleted = stage.deleted_condition(dialect, s);
    if style == TargetStyle::SoftDelete {
        sql.push(format!(
            "DELETE FROM {s} WHERE {deleted} AND NOT EXISTS (SELECT 1 FROM {target} t WHERE {})",
            key_join(dialect, keys, "t", s)
        ));
    }
    let keep = match style {
        TargetStyle::SoftDelete => "1 = 1".to_string(),
        _ => format!("NOT ({deleted})"),
    };
    if style != TargetStyle::SoftDelete {
        sql.push(format!(
            "DELETE FROM {target} WHERE EXISTS (SELECT 1 FROM {s} WHERE {} AND {deleted})",
            key_join(dialect, keys, s, target)
        ));
    }
    // An update sets only the columns the file carries; the others keep their values, as an
    // upsert does on every other target (a delete-and-insert would set them to NULL).
    let non_keys: Vec<&str> = layout
        .landed
        .iter()
        .filter(|c| !c.is_key)
        .map(|c| c.name.as_str())
        .collect();
    if !non_keys.is_empty() {
        // UPDATE ... FROM (SQLite 3.33+, PostgreSQL): driven by the stage, each target row found
        // by its key, so the cost follows the cycle, not the size of the target.
        let set = non_keys
            .iter()
            .map(|c| {
                let c = dialect.ident(c);
                format!("{c} = {s}.{c}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        sql.push(format!(
            "UPDATE {target} SET {set} FROM {s} WHERE {} AND {keep}",
            key_join(dialect, keys, s, target)
        ));
    }
    sql.push(format!(
        "INSERT INTO {target} ({cols}) SELECT {cols} FROM {s} WHERE {keep} \
         AND NOT EXISTS (SELECT 1 FROM {target} t WHERE {}) ORDER BY {seq}",
        key_join(dialect, keys, "t", s)
    ));
    sql
}

/// One `MERGE` (SQL:2008, PostgreSQL 15+) from the last change per key. `last_per_key` is the
/// dialect's query for that, with the stage's columns.
pub fn merge_apply(
    dialect: &Dialect,
    target: &str,
    last_per_key: &str,
    stage: &Stage,
    layout: &Layout,
    keys: &[&LandedColumn],
    style: TargetStyle,
) -> String {
    let deleted = stage.deleted_condition(dialect, "s");
    let on = key_join(dialect, keys, "t", "s");
    let non_keys: Vec<&LandedColumn> = layout.landed.iter().filter(|c| !c.is_key).collect();
    let update = if non_keys.is_empty() {
        "DO NOTHING".to_string()
    } else {
        format!(
            "UPDATE SET {}",
            non_keys
                .iter()
                .map(|c| {
                    let n = dialect.ident(&c.name);
                    format!("{n} = s.{n}")
                })
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let cols = layout.target_names();
    let insert = format!(
        "INSERT ({}) VALUES ({})",
        dialect.ident_list(cols.iter().copied()),
        cols.iter()
            .map(|c| format!("s.{}", dialect.ident(c)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let matched = match style {
        TargetStyle::SoftDelete => format!("WHEN MATCHED THEN {update}"),
        _ => format!("WHEN MATCHED AND {deleted} THEN DELETE WHEN MATCHED THEN {update}"),
    };
    format!(
        "MERGE INTO {target} AS t USING ({last_per_key}) AS s ON {on} {matched} \
         WHEN NOT MATCHED AND NOT ({deleted}) THEN {insert}"
    )
}

/// `CREATE TABLE` for a target that does not exist yet, with the key as primary key. A
/// column gets the type its files declare (mapped by `types.typed`), else `types.text`
/// (`types.key` for key columns, for databases that cannot index unbounded text): CSV
/// carries no types, and text loses nothing. TimeKey targets hold many rows per key, so
/// they pass `primary_key = false`.
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
#[derive(Clone, Copy, Debug)]
pub struct CreatedTypes<'a> {
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

/// Refuses change apply into a table that does not exist.
/// The whole refresh plan for databases whose driver runs parameter arrays natively (SQLite,
/// MariaDB): create or empty the target with a transactional `DELETE`, then insert straight
/// into it.
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

/// Whether any landed column holds instants (`timestamp ... with_zone`), which arrive as UTC
/// wall time: the load should then read them in UTC (PostgreSQL: `SET LOCAL TIME ZONE 'UTC'`).
pub fn carries_instants(layout: &Layout) -> bool {
    layout.landed.iter().any(|c| {
        matches!(
            c.logical_type,
            Some(crate::LogicalType::Timestamp {
                with_zone: true,
                ..
            })
        )
    })
}

/// Whether the style applies changes by key (everything but TimeKey).
pub fn applies_by_key(options: &Options) -> bool {
    options.style != TargetStyle::TimeKey
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::Column;

    fn options(style: TargetStyle) -> Options {
        let mut o = Options::new(style);
        o.keep_soft_delete_column = style == TargetStyle::SoftDelete;
        o.keep_op_column = false;
        o
    }

    fn table() -> Table {
        Table::new("orders")
            .base_name("Orders")
            .schema("sales")
            .column(Column::data("id").key())
            .column(Column::data("group"))
            .column(Column::op("op_type"))
            .column(Column::soft_delete("is_deleted"))
    }

    #[test]
    fn quoting_doubles_embedded_quotes() {
        assert_eq!(Dialect::ANSI.ident(r#"a"b"#), r#""a""b""#);
        assert_eq!(Dialect::BACKTICK.ident("a`b"), "`a``b`");
    }

    #[test]
    fn qualified_name_quotes_each_part() {
        assert_eq!(Dialect::ANSI.table_name(&table()), r#""sales"."Orders""#);
    }

    #[test]
    fn replication_copy_drops_both_extra_columns() {
        let layout = Layout::new(&table(), &options(TargetStyle::ReplicationCopy)).unwrap();
        assert_eq!(layout.target_names(), vec!["id", "group"]);
        assert_eq!(layout.op, Some(2));
        assert_eq!(layout.soft_delete, Some(3));
    }

    #[test]
    fn soft_delete_keeps_its_column_and_time_key_keeps_all() {
        let layout = Layout::new(&table(), &options(TargetStyle::SoftDelete)).unwrap();
        assert_eq!(layout.target_names(), vec!["id", "group", "is_deleted"]);
        let layout = Layout::new(&table(), &options(TargetStyle::TimeKey)).unwrap();
        assert_eq!(
            layout.target_names(),
            vec!["id", "group", "op_type", "is_deleted"]
        );
    }

    #[test]
    fn missing_target_column_is_named_in_the_error() {
        let mut t = table();
        t.target_columns = Some(vec![TargetColumn::new("ID", "int4").not_null()]);
        let err = Layout::new(&t, &options(TargetStyle::ReplicationCopy)).unwrap_err();
        let PlanError::InvalidTable(msg) = err else {
            panic!("wrong variant")
        };
        assert!(msg.contains("file column group"), "{msg}");
    }

    #[test]
    fn target_spelling_wins_over_file_spelling() {
        let mut t = table();
        t.target_columns = Some(
            ["ID", "Group"]
                .iter()
                .map(|n| TargetColumn::new(n, "text"))
                .collect(),
        );
        let layout = Layout::new(&t, &options(TargetStyle::ReplicationCopy)).unwrap();
        assert_eq!(layout.target_names(), vec!["ID", "Group"]);
    }

    #[test]
    fn merge_deletes_before_updating_and_inserts_only_live_rows() {
        let t = table();
        let layout = Layout::new(&t, &options(TargetStyle::ReplicationCopy)).unwrap();
        let stage = Stage::new(&Dialect::ANSI, "st", &layout, |_| "text".into(), "bigint");
        let keys = layout.require_keys(&t).unwrap();
        let sql = merge_apply(
            &Dialect::ANSI,
            "tgt",
            "SELECT * FROM st",
            &stage,
            &layout,
            &keys,
            TargetStyle::ReplicationCopy,
        );
        assert!(
            sql.contains(r#"WHEN MATCHED AND s."hvr_stage_op" = 0 THEN DELETE"#),
            "{sql}"
        );
        assert!(sql.contains(r#"UPDATE SET "group" = s."group""#), "{sql}");
        assert!(
            sql.contains(r#"WHEN NOT MATCHED AND NOT (s."hvr_stage_op" = 0)"#),
            "{sql}"
        );
    }

    fn no_special(stage: &Stage) -> SpecialOps<'static> {
        SpecialOps {
            truncated_at: stage.truncated_at_query(&Dialect::ANSI),
            multi_delete: None,
        }
    }

    #[test]
    fn delete_insert_keeps_last_change_per_key_after_truncates() {
        let t = table();
        let layout = Layout::new(&t, &options(TargetStyle::ReplicationCopy)).unwrap();
        let stage = Stage::new(&Dialect::ANSI, "st", &layout, |_| String::new(), "INTEGER");
        let keys = layout.require_keys(&t).unwrap();
        let sql = delete_insert_apply(
            &Dialect::ANSI,
            "tgt",
            &stage,
            &layout,
            &keys,
            TargetStyle::ReplicationCopy,
            &no_special(&stage),
        );
        assert_eq!(
            sql[0],
            r#"DELETE FROM tgt WHERE (SELECT COALESCE(MAX("hvr_stage_seq"), 0) FROM "st" WHERE "hvr_stage_op" = 5) > 0"#
        );
        assert!(
            sql.iter()
                .any(|q| q.contains(r#"later."hvr_stage_seq" > "st"."hvr_stage_seq""#))
        );
        assert!(
            sql.last()
                .unwrap()
                .starts_with(r#"INSERT INTO tgt ("id", "group")"#)
        );
        // Updates set only the file's columns: the target's others keep their values.
        assert!(
            sql.iter()
                .any(|q| q.starts_with(r#"UPDATE tgt SET "group" = "st"."group" FROM "st" WHERE"#))
        );
        assert!(
            !sql.iter()
                .any(|q| q.starts_with("DELETE FROM tgt WHERE EXISTS")
                    && !q.contains("hvr_stage_op"))
        );
    }

    #[test]
    fn multi_delete_matches_the_key_without_the_excluded_column() {
        let mut t = table();
        t.columns[1].is_key = true;
        t.multi_delete_exclude = Some("GROUP".into());
        let layout = Layout::new(&t, &options(TargetStyle::SoftDelete)).unwrap();
        let keys = layout.require_keys(&t).unwrap();
        let partial = SpecialOps::partial_key(&t, &keys).unwrap().unwrap();
        assert_eq!(partial.len(), 1);
        let stage = Stage::new(&Dialect::ANSI, "st", &layout, |_| String::new(), "INTEGER");
        let special = SpecialOps {
            truncated_at: "0".into(),
            multi_delete: Some(("st".into(), partial)),
        };
        let sql = stage.special_ops_to_target(
            &Dialect::ANSI,
            "tgt",
            &layout,
            TargetStyle::SoftDelete,
            &special,
        );
        assert_eq!(
            sql[1],
            r#"UPDATE tgt SET "is_deleted" = 1 WHERE EXISTS (SELECT 1 FROM st m WHERE m."hvr_stage_op" = 8 AND m."id" = tgt."id")"#
        );
        t.multi_delete_exclude = Some("nope".into());
        assert!(SpecialOps::partial_key(&t, &keys).is_err());
    }

    #[test]
    fn change_apply_without_key_is_refused() {
        let mut t = table();
        t.columns[0].is_key = false;
        let layout = Layout::new(&t, &options(TargetStyle::ReplicationCopy)).unwrap();
        assert!(layout.require_keys(&t).is_err());
    }
}
