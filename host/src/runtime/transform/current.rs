//! The transform contract `hvrwasm:transform@0.1.0` (`wit/transform`): its bindings and
//! conversions.

wasmtime::component::bindgen!({
    world: "transform-guest",
    path: "../wit/transform",
});

use crate::domain::{Phase, Role, TransformContext, TransformInfo};
use hvrwasm::transform::types as wit;

pub fn info(i: wit::TransformInfo) -> TransformInfo {
    TransformInfo {
        name: i.name,
        version: i.version,
        may_drop_deletes: i.may_drop_deletes,
        may_change_keys: i.may_change_keys,
        options: Some(i.options),
    }
}

pub fn table(c: &TransformContext) -> wit::Table {
    wit::Table {
        name: c.table.clone(),
        base_name: c.base_name.clone(),
        phase: match c.phase {
            Phase::Refresh => wit::Phase::Refresh,
            Phase::Integrate => wit::Phase::Integrate,
        },
        columns: c
            .columns
            .iter()
            .map(|col| wit::Column {
                name: col.base_name.clone(),
                is_key: col.is_key,
                role: match col.role {
                    Role::Data => wit::ColumnRole::Data,
                    Role::Op => wit::ColumnRole::Op,
                    Role::SoftDelete => wit::ColumnRole::SoftDelete,
                },
            })
            .collect(),
    }
}

batch_conversions!();
