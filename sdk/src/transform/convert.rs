//! Conversions between the transform contract's generated types and the SDK's own.

use super::bindings::hvrwasm::transform::types as wit;
use super::{ColumnRole, Phase, TableContext, TransformColumn, TransformInfo};

pub fn table(t: wit::Table) -> TableContext {
    TableContext {
        name: t.name,
        base_name: t.base_name,
        phase: match t.phase {
            wit::Phase::Refresh => Phase::Refresh,
            wit::Phase::Integrate => Phase::Integrate,
        },
        columns: t
            .columns
            .into_iter()
            .map(|c| TransformColumn {
                name: c.name,
                is_key: c.is_key,
                role: match c.role {
                    wit::ColumnRole::Data => ColumnRole::Data,
                    wit::ColumnRole::Op => ColumnRole::Op,
                    wit::ColumnRole::SoftDelete => ColumnRole::SoftDelete,
                },
            })
            .collect(),
    }
}

pub fn info(i: TransformInfo) -> wit::TransformInfo {
    wit::TransformInfo {
        name: i.name,
        version: i.version,
        may_drop_deletes: i.may_drop_deletes,
        may_change_keys: i.may_change_keys,
        options: i.options,
    }
}
