//! Contract 0.2.0 (`wit/archive/0.2.0`), served beside the current one: its bindings and the
//! conversions between its types and the domain's. 0.2.0 has no logical types (they are left
//! out) and no option declarations (options pass unchecked); its `fence` export is never
//! called, since the host owns the fence.

wasmtime::component::bindgen!({
    world: "connector-guest",
    path: "../wit/archive/0.2.0",
});

use crate::domain::{
    ConnectorInfo, LoadShape, Plan, PlanOptions, PlanRefusal, PlanRequest, Role, Source, Style,
};
use hvrwasm::connector::types as wit;

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
                role: match c.role {
                    Role::Data => wit::ColumnRole::Data,
                    Role::Op => wit::ColumnRole::Op,
                    Role::SoftDelete => wit::ColumnRole::SoftDelete,
                },
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
        style: match o.style {
            Style::ReplicationCopy => wit::TargetStyle::ReplicationCopy,
            Style::SoftDelete => wit::TargetStyle::SoftDelete,
            Style::TimeKey => wit::TargetStyle::TimeKey,
        },
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
        styles: i
            .styles
            .into_iter()
            .map(|s| match s {
                wit::TargetStyle::ReplicationCopy => Style::ReplicationCopy,
                wit::TargetStyle::SoftDelete => Style::SoftDelete,
                wit::TargetStyle::TimeKey => Style::TimeKey,
            })
            .collect(),
        options: None,
    }
}

pub fn plan(p: Result<wit::Plan, wit::PlanError>) -> Result<Plan, PlanRefusal> {
    let p = p.map_err(|e| match e {
        wit::PlanError::Unsupported(m) => PlanRefusal::Unsupported(m),
        wit::PlanError::InvalidTable(m) => PlanRefusal::InvalidTable(m),
    })?;
    Ok(Plan {
        before: p.before,
        sources: p
            .load
            .sources
            .into_iter()
            .map(|s| match s {
                wit::Source::Column(i) => Source::Column(i as usize),
                wit::Source::RowNumber => Source::RowNumber,
            })
            .collect(),
        shape: match p.load.shape {
            wit::LoadShape::ParameterArray(sql) => LoadShape::ParameterArray(sql),
            wit::LoadShape::MultiRowValues(m) => LoadShape::MultiRowValues {
                prefix: m.prefix,
                row: m.row,
                rows_per_statement: m.rows_per_statement as usize,
            },
            wit::LoadShape::PostgresTextArrays(sql) => LoadShape::PostgresTextArrays(sql),
        },
        batch_rows: p.load.batch_rows as usize,
        after: p.after,
    })
}
