//! Which file columns land in which target columns for one style.

use super::{Dialect, parameter_array_load};
use crate::{Column, ColumnRole, Options, PlanError, Source, Table, TargetColumn, TargetStyle};

/// One column that lands in the target, from [`Layout::new`].
///
/// ```
/// use hvrwasm_sdk::sql::Layout;
/// use hvrwasm_sdk::{testing, TargetStyle};
/// let layout = Layout::new(&testing::orders_table(), &testing::options(TargetStyle::ReplicationCopy)).unwrap();
/// let id = &layout.landed[0];
/// assert_eq!((id.name.as_str(), id.type_name.as_deref(), id.is_key), ("id", Some("int4"), true));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LandedColumn {
    /// Index into `table.columns`.
    pub file_index: u32,
    /// Name in the target (the target's own spelling when the table exists).
    pub name: String,
    /// The target's type name, when the table exists.
    pub type_name: Option<String>,
    /// Part of the replication key.
    pub is_key: bool,
    /// The type the files (or a `--column-type`) declare, if any.
    pub logical_type: Option<crate::LogicalType>,
}

/// Which file columns land where, for one table in one style.
///
/// ```
/// use hvrwasm_sdk::sql::Layout;
/// use hvrwasm_sdk::{testing, TargetStyle};
/// let table = testing::orders_table();
/// // A replication copy lands the data columns and reads ops from the op column.
/// let copy = Layout::new(&table, &testing::options(TargetStyle::ReplicationCopy)).unwrap();
/// assert_eq!(copy.target_names(), ["id", "amount"]);
/// assert_eq!(copy.op, Some(2));
/// assert_eq!(copy.keys().len(), 1);
/// // SoftDelete keeps the deleted flag in the target.
/// let soft = Layout::new(&table, &testing::options(TargetStyle::SoftDelete)).unwrap();
/// assert_eq!(soft.target_names(), ["id", "amount", "is_deleted"]);
/// ```
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
