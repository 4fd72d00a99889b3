//! Contract 0.1.0, served beside the current one, so connectors built for it keep working
//! after the host moved on (`wit/archive/0.1.0`). Shapes are converted here; what 0.1.0
//! cannot express is refused with a sentence instead of being dropped silently.

wasmtime::component::bindgen!({
    world: "connector-guest",
    path: "../wit/archive/0.1.0",
});

use crate::domain::{
    ConnectorInfo, LoadShape, Plan, PlanOptions, PlanRefusal, PlanRequest, Role, Source, Style,
};
use hvrwasm::connector::types as old;

pub fn table(t: &PlanRequest) -> Result<old::Table, String> {
    if let Some(column) = &t.multi_delete_exclude {
        return Err(format!(
            "--multi-delete ({column}) needs a connector built for contract 0.2 or later; this one targets 0.1.0"
        ));
    }
    Ok(old::Table {
        name: t.name.clone(),
        base_name: t.base_name.clone(),
        schema: t.schema.clone(),
        columns: t
            .columns
            .iter()
            .map(|c| old::Column {
                name: c.name.clone(),
                base_name: c.base_name.clone(),
                is_key: c.is_key,
                role: match c.role {
                    Role::Data => old::ColumnRole::Data,
                    Role::Op => old::ColumnRole::Op,
                    Role::SoftDelete => old::ColumnRole::SoftDelete,
                },
            })
            .collect(),
        target_columns: t.target_columns.as_ref().map(|cols| {
            cols.iter()
                .map(|c| old::TargetColumn {
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

pub fn options(o: &PlanOptions) -> Result<old::Options, String> {
    if o.refresh_shadow {
        return Err(
            "--refresh-shadow needs a connector built for contract 0.2 or later; this one targets 0.1.0"
                .into(),
        );
    }
    Ok(old::Options {
        style: match o.style {
            Style::ReplicationCopy => old::TargetStyle::ReplicationCopy,
            Style::SoftDelete => old::TargetStyle::SoftDelete,
            Style::TimeKey => old::TargetStyle::TimeKey,
        },
        keep_op_column: o.keep_op_column,
        keep_soft_delete_column: o.keep_soft_delete_column,
        preserve_on_refresh: o.preserve_on_refresh,
        extra: o.extra.clone(),
    })
}

/// 0.1.0 could not say how many tables a target takes at once: one at a time is the safe
/// reading (an SQLite file has one writer).
pub fn info(i: old::Info) -> ConnectorInfo {
    ConnectorInfo {
        name: i.name,
        version: i.version,
        dialect: i.dialect,
        default_schema: i.default_schema,
        qualifier_is_catalog: false,
        max_parallel_tables: Some(1),
        styles: i
            .styles
            .into_iter()
            .map(|s| match s {
                old::TargetStyle::ReplicationCopy => Style::ReplicationCopy,
                old::TargetStyle::SoftDelete => Style::SoftDelete,
                old::TargetStyle::TimeKey => Style::TimeKey,
            })
            .collect(),
        options: None,
    }
}

pub fn plan(p: Result<old::Plan, old::PlanError>) -> Result<Plan, PlanRefusal> {
    let p = p.map_err(|e| match e {
        old::PlanError::Unsupported(m) => PlanRefusal::Unsupported(m),
        old::PlanError::InvalidTable(m) => PlanRefusal::InvalidTable(m),
    })?;
    Ok(Plan {
        before: p.before,
        sources: p
            .load
            .sources
            .into_iter()
            .map(|s| match s {
                old::Source::Column(i) => Source::Column(i as usize),
                old::Source::RowNumber => Source::RowNumber,
            })
            .collect(),
        shape: match p.load.shape {
            old::LoadShape::ParameterArray(sql) => LoadShape::ParameterArray(sql),
            old::LoadShape::MultiRowValues(m) => LoadShape::MultiRowValues {
                prefix: m.prefix,
                row: m.row,
                rows_per_statement: m.rows_per_statement as usize,
            },
            old::LoadShape::PostgresTextArrays(sql) => LoadShape::PostgresTextArrays(sql),
        },
        batch_rows: p.load.batch_rows as usize,
        after: p.after,
    })
}
