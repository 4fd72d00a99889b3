//! Contract 0.2.0 (`wit/archive/0.2.0`), served beside the current one: its bindings and the
//! conversions between its types and the domain's. 0.2.0 has no logical types (they are left
//! out) and no option declarations (options pass unchecked); its `fence` export is never
//! called, since the host owns the fence.

wasmtime::component::bindgen!({
    world: "connector-guest",
    path: "../wit/archive/0.2.0",
});

use crate::domain::{ConnectorInfo, PlanOptions, PlanRequest};
use hvrwasm::connector::types as wit;

shared_conversions!();

pub fn table(t: &PlanRequest) -> wit::Table {
    wit::Table {
        name: t.name.clone(),
        base_name: t.base_name.clone(),
        schema: t.schema.clone(),
        columns: t
            .columns
            .iter()
            .map(|c| wit::Column {
                name: c.name.clone(),
                base_name: c.base_name.clone(),
                is_key: c.is_key,
                role: role(c.role),
            })
            .collect(),
        target_columns: t.target_columns.as_ref().map(|cols| {
            cols.iter()
                .map(|c| wit::TargetColumn {
                    name: c.name.clone(),
                    type_name: c.type_name.clone(),
                    size: c.size,
                    scale: c.scale,
                    nullable: c.nullable,
                })
                .collect()
        }),
        multi_delete_exclude: t.multi_delete_exclude.clone(),
    }
}

pub fn options(o: &PlanOptions) -> wit::Options {
    wit::Options {
        style: style(o.style),
        keep_op_column: o.keep_op_column,
        keep_soft_delete_column: o.keep_soft_delete_column,
        preserve_on_refresh: o.preserve_on_refresh,
        refresh_shadow: o.refresh_shadow,
        extra: o.extra.clone(),
    }
}

pub fn info(i: wit::Info) -> ConnectorInfo {
    ConnectorInfo {
        name: i.name,
        version: i.version,
        dialect: i.dialect,
        default_schema: i.default_schema,
        qualifier_is_catalog: i.qualifier_is_catalog,
        max_parallel_tables: i.max_parallel_tables,
        styles: i.styles.into_iter().map(domain_style).collect(),
        options: None,
    }
}
