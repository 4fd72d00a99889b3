//! SQL building blocks shared by SQL connectors.
//!
//! The pieces are: a [`Dialect`] (identifier quoting), a [`Layout`] (which file columns land in
//! which target columns for the chosen style, and which carry op codes or the SoftDelete flag),
//! and statement builders for staging and applying changes. A connector picks the pieces that
//! fit its database and adds its own load statement.

use crate::{Options, TargetStyle};

mod apply;
mod create;
mod dialect;
mod layout;
mod load;
mod stage;
#[cfg(test)]
mod tests;
mod upsert;

pub use apply::{delete_insert_apply, key_join, merge_apply};
pub use create::{
    CreatedTypes, create_table, parameter_array_load, parameter_array_refresh, refresh_preparation,
    require_target,
};
pub use dialect::Dialect;
pub use layout::{LandedColumn, Layout};
pub use load::{
    LoadColumn, copy_load, direct_columns, load_data_load, multi_row_values_load, unnest_load,
};
pub use stage::{SpecialOps, Stage};
pub use upsert::{Upsert, last_change_per_key, upsert_apply, upsert_clause};

/// Op code (0 delete, 1 insert, 2 update, 3/4 before-images, 5 truncate, 8 multi-delete) in a
/// staging table; see [`Stage`] for all three control columns.
pub const STAGE_OP: &str = "hvr_stage_op";
/// Deleted flag (1 = the change deletes the row) in a staging table.
pub const STAGE_SOFT_DELETE: &str = "hvr_stage_deleted";
/// Position of the change in the call, from [`Source::RowNumber`](crate::Source::RowNumber).
pub const STAGE_SEQ: &str = "hvr_stage_seq";

/// Whether any landed column holds instants (`timestamp ... with_zone`), which arrive as UTC
/// wall time: the load should then read them in UTC (PostgreSQL: `SET LOCAL TIME ZONE 'UTC'`).
///
/// ```
/// use hvrwasm_sdk::sql::{carries_instants, Layout};
/// use hvrwasm_sdk::{testing, Column, LogicalType, TargetStyle};
/// let options = testing::options(TargetStyle::ReplicationCopy);
/// let plain = Layout::new(&testing::orders_refresh_table(), &options).unwrap();
/// assert!(!carries_instants(&plain));
/// let at = LogicalType::Timestamp { precision: 6, with_zone: true };
/// let table = testing::orders_refresh_table().column(Column::data("paid_at").logical_type(at));
/// assert!(carries_instants(&Layout::new(&table, &options).unwrap()));
/// ```
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
///
/// ```
/// use hvrwasm_sdk::sql::applies_by_key;
/// use hvrwasm_sdk::{Options, TargetStyle};
/// assert!(applies_by_key(&Options::new(TargetStyle::SoftDelete)));
/// assert!(!applies_by_key(&Options::new(TargetStyle::TimeKey)));
/// ```
pub fn applies_by_key(options: &Options) -> bool {
    options.style != TargetStyle::TimeKey
}
