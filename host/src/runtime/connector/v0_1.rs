//! Contract 0.1.0, served beside the current one, so connectors built for it keep working
//! after the host moved on (`wit/archive/0.1.0`). Shapes are converted here; what 0.1.0
//! cannot express is refused with a sentence instead of being dropped silently.

wasmtime::component::bindgen!({
    world: "connector-guest",
    path: "../wit/archive/0.1.0",
});

use crate::domain::{ConnectorInfo, PlanOptions, PlanRequest};
use hvrwasm::connector::types as wit;

shared_conversions!();

pub fn table(t: &PlanRequest) -> Result<wit::Table, String> {
    if let Some(column) = &t.multi_delete_exclude {
        return Err(format!(
            "--multi-delete ({column}) needs a connector built for contract 0.2 or later; this one targets 0.1.0"
        ));
    }
    Ok(wit::Table {
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
    })
}

pub fn options(o: &PlanOptions) -> Result<wit::Options, String> {
    if o.refresh_shadow {
        return Err(
            "--refresh-shadow needs a connector built for contract 0.2 or later; this one targets 0.1.0"
                .into(),
        );
    }
    Ok(wit::Options {
        style: style(o.style),
        keep_op_column: o.keep_op_column,
        keep_soft_delete_column: o.keep_soft_delete_column,
        preserve_on_refresh: o.preserve_on_refresh,
        extra: o.extra.clone(),
    })
}

/// 0.1.0 could not say how many tables a target takes at once: one at a time is the safe
/// reading (an SQLite file has one writer).
pub fn info(i: wit::Info) -> ConnectorInfo {
    ConnectorInfo {
        name: i.name,
        version: i.version,
        dialect: i.dialect,
        default_schema: i.default_schema,
        qualifier_is_catalog: false,
        max_parallel_tables: Some(1),
        styles: i.styles.into_iter().map(domain_style).collect(),
        options: None,
    }
}
