//! Contract 0.1.0, served beside the current one, so connectors built for it keep working
//! after the host moved on (`wit/archive/0.1.0`). Shapes are converted here; what 0.1.0
//! cannot express is refused with a sentence instead of being dropped silently.

wasmtime::component::bindgen!({
    world: "connector-guest",
    path: "../wit/archive/0.1.0",
});

use super::bindings::types as current;
pub use hvrwasm::connector::types as old;

pub fn table(t: &current::Table) -> Result<old::Table, String> {
    if let Some(column) = &t.multi_delete_exclude {
        return Err(format!(
            "--multi-delete ({column}) needs a connector built for contract 0.2; this one targets 0.1.0"
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
                    current::ColumnRole::Data => old::ColumnRole::Data,
                    current::ColumnRole::Op => old::ColumnRole::Op,
                    current::ColumnRole::SoftDelete => old::ColumnRole::SoftDelete,
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

pub fn options(o: &current::Options) -> Result<old::Options, String> {
    if o.refresh_shadow {
        return Err(
            "--refresh-shadow needs a connector built for contract 0.2; this one targets 0.1.0"
                .into(),
        );
    }
    Ok(old::Options {
        style: style(o.style),
        keep_op_column: o.keep_op_column,
        keep_soft_delete_column: o.keep_soft_delete_column,
        preserve_on_refresh: o.preserve_on_refresh,
        extra: o.extra.clone(),
    })
}

fn style(s: current::TargetStyle) -> old::TargetStyle {
    match s {
        current::TargetStyle::ReplicationCopy => old::TargetStyle::ReplicationCopy,
        current::TargetStyle::SoftDelete => old::TargetStyle::SoftDelete,
        current::TargetStyle::TimeKey => old::TargetStyle::TimeKey,
    }
}

/// 0.1.0 could not say how many tables a target takes at once: one at a time is the safe
/// reading (an SQLite file has one writer).
pub fn info(i: old::Info) -> current::Info {
    current::Info {
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
                old::TargetStyle::ReplicationCopy => current::TargetStyle::ReplicationCopy,
                old::TargetStyle::SoftDelete => current::TargetStyle::SoftDelete,
                old::TargetStyle::TimeKey => current::TargetStyle::TimeKey,
            })
            .collect(),
    }
}

pub fn plan(p: Result<old::Plan, old::PlanError>) -> Result<current::Plan, current::PlanError> {
    match p {
        Ok(p) => Ok(current::Plan {
            before: p.before,
            load: current::Load {
                sources: p
                    .load
                    .sources
                    .into_iter()
                    .map(|s| match s {
                        old::Source::Column(i) => current::Source::Column(i),
                        old::Source::RowNumber => current::Source::RowNumber,
                    })
                    .collect(),
                shape: match p.load.shape {
                    old::LoadShape::ParameterArray(sql) => current::LoadShape::ParameterArray(sql),
                    old::LoadShape::MultiRowValues(m) => {
                        current::LoadShape::MultiRowValues(current::MultiRowValues {
                            prefix: m.prefix,
                            row: m.row,
                            rows_per_statement: m.rows_per_statement,
                        })
                    }
                    old::LoadShape::PostgresTextArrays(sql) => {
                        current::LoadShape::PostgresTextArrays(sql)
                    }
                },
                batch_rows: p.load.batch_rows,
            },
            after: p.after,
        }),
        Err(old::PlanError::Unsupported(m)) => Err(current::PlanError::Unsupported(m)),
        Err(old::PlanError::InvalidTable(m)) => Err(current::PlanError::InvalidTable(m)),
    }
}

/// The fence 0.1.0 connectors get: they cannot supply one, so the host uses the portable
/// SQL the SDK's default uses (`"` quoting, `VARCHAR(255)`).
pub fn standard_fence(state_table: &str) -> current::FenceSql {
    use current::{FenceParam as P, FenceStatement as S};
    let table = state_table
        .split('.')
        .map(|p| format!("\"{}\"", p.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(".");
    let key = "channel = ? AND location = ? AND table_name = ?";
    current::FenceSql {
        create: vec![format!(
            "CREATE TABLE IF NOT EXISTS {table} (channel VARCHAR(255) NOT NULL, \
             location VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, \
             digest VARCHAR(255) NOT NULL, applied_at TIMESTAMP, \
             PRIMARY KEY (channel, location, table_name))"
        )],
        lookup: S {
            sql: format!("SELECT digest FROM {table} WHERE {key}"),
            params: vec![P::Channel, P::Location, P::TableName],
        },
        save: vec![
            S {
                sql: format!("DELETE FROM {table} WHERE {key}"),
                params: vec![P::Channel, P::Location, P::TableName],
            },
            S {
                sql: format!(
                    "INSERT INTO {table} (channel, location, table_name, digest, applied_at) \
                     VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)"
                ),
                params: vec![P::Channel, P::Location, P::TableName, P::Digest],
            },
        ],
    }
}
