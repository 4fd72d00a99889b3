//! Fixtures for a connector's native unit tests: the tables and options the host sends, built
//! the way the host builds them.
//!
//! What a table looks like depends on the call:
//! - **refresh**: the data columns only, for a replication copy (HVR's `!refresh` context
//!   leaves the op and SoftDelete columns out); SoftDelete and TimeKey channels also carry
//!   them. `target_columns` is `None` when the target does not exist yet: create it.
//! - **integrate**: the data columns, then the op column ([`ColumnRole::Op`](crate::ColumnRole))
//!   and the SoftDelete column, if the channel defines them. A TimeKey channel adds its
//!   time-key column as a data column that is part of the key.
//! - **transforms**: columns a `--transform` adds come last, as data columns; map them onto
//!   target columns of those names like any other.

use crate::{Column, Options, Table, TargetColumn, TargetStyle};

/// `sales.orders (id key, amount)` as an integrate call sends it: the data columns, then
/// `op_type` and `is_deleted`, with the target existing (`id int4`, `amount numeric`, and
/// `is_deleted int4` for SoftDelete targets to keep).
///
/// ```
/// use hvrwasm_sdk::{testing, ColumnRole};
/// let table = testing::orders_table();
/// assert_eq!(table.columns[2].role, ColumnRole::Op);
/// assert!(table.target_columns.is_some());
/// ```
pub fn orders_table() -> Table {
    Table::new("orders")
        .column(Column::data("id").key())
        .column(Column::data("amount"))
        .column(Column::op("op_type"))
        .column(Column::soft_delete("is_deleted"))
        .target_columns(vec![
            TargetColumn::new("id", "int4").not_null(),
            TargetColumn::new("amount", "numeric"),
            TargetColumn::new("is_deleted", "int4"),
        ])
}

/// `orders` as a replication-copy refresh sends it: data columns only, the target missing.
///
/// ```
/// let table = hvrwasm_sdk::testing::orders_refresh_table();
/// assert_eq!(table.columns.len(), 2);
/// assert!(table.target_columns.is_none());
/// ```
pub fn orders_refresh_table() -> Table {
    Table::new("orders")
        .column(Column::data("id").key())
        .column(Column::data("amount"))
}

/// A call's options in `style`, with the extra columns kept as that style needs them
/// (SoftDelete keeps `is_deleted`; TimeKey keeps both).
///
/// ```
/// use hvrwasm_sdk::{testing, TargetStyle};
/// assert!(testing::options(TargetStyle::TimeKey).keep_op_column);
/// ```
pub fn options(style: TargetStyle) -> Options {
    Options::new(style)
}
