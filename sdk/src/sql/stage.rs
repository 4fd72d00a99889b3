//! The staging table and the special ops (truncate, multi-delete) read from it.

use super::{
    Dialect, LandedColumn, Layout, STAGE_OP, STAGE_SEQ, STAGE_SOFT_DELETE, direct_columns, key_join,
};
use crate::{PlanError, Source, Table, TargetStyle};

/// A staging table holding the landed columns plus control columns (op, deleted flag, and
/// the change's position as [`STAGE_SEQ`]).
///
/// ```
/// use hvrwasm_sdk::sql::{Dialect, Layout, Stage};
/// use hvrwasm_sdk::{testing, TargetStyle};
/// let table = testing::orders_table();
/// let layout = Layout::new(&table, &testing::options(TargetStyle::ReplicationCopy)).unwrap();
/// let keys = layout.require_keys(&table).unwrap();
/// let stage = Stage::new(&Dialect::ANSI, "stage", &layout, |c| c.type_name.clone().unwrap(), "int4");
/// assert_eq!(stage.column_list(), r#""id", "amount", "hvr_stage_op", "hvr_stage_deleted", "hvr_stage_seq""#);
/// assert!(stage.has_op && stage.has_soft_delete);
/// assert_eq!(stage.deleted_condition(&Dialect::ANSI, "s"), r#"s."hvr_stage_op" = 0"#);
/// ```
#[derive(Clone, Debug)]
pub struct Stage {
    /// Quoted name of the staging table.
    pub name: String,
    /// `(quoted column, type, source)` in load order.
    pub columns: Vec<(String, String, Source)>,
    /// The files carry an op column (staged as [`STAGE_OP`]).
    pub has_op: bool,
    /// The files carry a SoftDelete column (staged as [`STAGE_SOFT_DELETE`]).
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

    /// Where each staged column's value comes from, in load order.
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

/// How a plan handles truncates (op 5) and SAP multi-deletes (op 8). Apply them to the target
/// ([`Stage::special_ops_to_target`]) before reducing the stage to the last change per key.
///
/// ```
/// use hvrwasm_sdk::sql::{Dialect, Layout, Stage};
/// use hvrwasm_sdk::{testing, TargetStyle};
/// let table = testing::orders_table();
/// let layout = Layout::new(&table, &testing::options(TargetStyle::ReplicationCopy)).unwrap();
/// let keys = layout.require_keys(&table).unwrap();
/// let stage = Stage::new(&Dialect::ANSI, "stage", &layout, |c| c.type_name.clone().unwrap(), "int4");
/// use hvrwasm_sdk::sql::SpecialOps;
/// let special = SpecialOps::from_stage(&Dialect::ANSI, &table, &stage, &keys).unwrap();
/// assert!(special.multi_delete.is_none()); // no --multi-delete for this table
/// let first = stage.special_ops_to_target(&Dialect::ANSI, r#""orders""#, &layout, TargetStyle::ReplicationCopy, &special);
/// assert!(first[0].starts_with(r#"DELETE FROM "orders""#));
/// ```
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
