//! Conversions between the generated bindings of the contract and the SDK's own types, used
//! by [`export_connector!`](crate::export_connector). Guests never see the bindings.

use crate::bindings::hvrwasm::connector::types as wit;
use crate::types::*;

pub fn table(t: wit::Table) -> Table {
    Table {
        name: t.name,
        base_name: t.base_name,
        schema: t.schema,
        columns: t.columns.into_iter().map(column).collect(),
        target_columns: t
            .target_columns
            .map(|cols| cols.into_iter().map(target_column).collect()),
        multi_delete_exclude: t.multi_delete_exclude,
    }
}

fn column(c: wit::Column) -> Column {
    Column {
        name: c.name,
        base_name: c.base_name,
        is_key: c.is_key,
        role: match c.role {
            wit::ColumnRole::Data => ColumnRole::Data,
            wit::ColumnRole::Op => ColumnRole::Op,
            wit::ColumnRole::SoftDelete => ColumnRole::SoftDelete,
        },
        logical_type: c.logical_type.map(logical_type),
    }
}

fn target_column(c: wit::TargetColumn) -> TargetColumn {
    TargetColumn {
        name: c.name,
        type_name: c.type_name,
        size: c.size,
        scale: c.scale,
        nullable: c.nullable,
        logical_type: c.logical_type.map(logical_type),
    }
}

fn logical_type(t: wit::LogicalType) -> LogicalType {
    use wit::LogicalType as W;
    match t {
        W::Boolean => LogicalType::Boolean,
        W::Int8 => LogicalType::Int8,
        W::Int16 => LogicalType::Int16,
        W::Int32 => LogicalType::Int32,
        W::Int64 => LogicalType::Int64,
        W::Float32 => LogicalType::Float32,
        W::Float64 => LogicalType::Float64,
        W::Decimal(d) => LogicalType::Decimal {
            precision: d.precision,
            scale: d.scale,
        },
        W::Date => LogicalType::Date,
        W::Time(precision) => LogicalType::Time { precision },
        W::Timestamp(t) => LogicalType::Timestamp {
            precision: t.precision,
            with_zone: t.with_zone,
        },
        W::Text(max_length) => LogicalType::Text { max_length },
        W::Binary(max_length) => LogicalType::Binary { max_length },
        W::Json => LogicalType::Json,
    }
}

fn style(s: wit::TargetStyle) -> TargetStyle {
    match s {
        wit::TargetStyle::ReplicationCopy => TargetStyle::ReplicationCopy,
        wit::TargetStyle::SoftDelete => TargetStyle::SoftDelete,
        wit::TargetStyle::TimeKey => TargetStyle::TimeKey,
    }
}

fn wit_style(s: TargetStyle) -> wit::TargetStyle {
    match s {
        TargetStyle::ReplicationCopy => wit::TargetStyle::ReplicationCopy,
        TargetStyle::SoftDelete => wit::TargetStyle::SoftDelete,
        TargetStyle::TimeKey => wit::TargetStyle::TimeKey,
    }
}

pub fn options(o: wit::Options) -> Options {
    Options {
        style: style(o.style),
        keep_op_column: o.keep_op_column,
        keep_soft_delete_column: o.keep_soft_delete_column,
        preserve_on_refresh: o.preserve_on_refresh,
        refresh_shadow: o.refresh_shadow,
        // Not in the record (adding a field would break the contract): the host answers it
        // through the `planning-context` import for the call being planned.
        sets_aside_rejected_rows:
            crate::bindings::hvrwasm::connector::planning_context::sets_aside_rejected_rows(),
        each_key_once: crate::bindings::hvrwasm::connector::planning_context::each_key_once(),
        extra: o.extra,
    }
}

pub fn info(i: Info) -> wit::Info {
    wit::Info {
        name: i.name,
        version: i.version,
        dialect: i.dialect,
        default_schema: i.default_schema,
        qualifier_is_catalog: i.qualifier_is_catalog,
        max_parallel_tables: i.max_parallel_tables,
        styles: i.styles.into_iter().map(wit_style).collect(),
        options: i
            .options
            .into_iter()
            .map(|o| wit::OptionSpec {
                name: o.name,
                kind: match o.kind {
                    OptionKind::Text => wit::OptionKind::Text,
                    OptionKind::Integer => wit::OptionKind::Integer,
                    OptionKind::Boolean => wit::OptionKind::Boolean,
                },
                default: o.default,
                help: o.help,
            })
            .collect(),
    }
}

pub fn plan(p: Result<Plan, PlanError>) -> Result<wit::Plan, wit::PlanError> {
    match p {
        Ok(p) => Ok(wit::Plan {
            before: p.before,
            load: wit::Load {
                sources: p
                    .load
                    .sources
                    .into_iter()
                    .map(|s| match s {
                        Source::Column(i) => wit::Source::Column(i),
                        Source::RowNumber => wit::Source::RowNumber,
                    })
                    .collect(),
                shape: match p.load.shape {
                    LoadShape::ParameterArray(sql) => wit::LoadShape::ParameterArray(sql),
                    LoadShape::MultiRowValues(m) => {
                        wit::LoadShape::MultiRowValues(wit::MultiRowValues {
                            prefix: m.prefix,
                            row: m.row,
                            rows_per_statement: m.rows_per_statement,
                        })
                    }
                    LoadShape::PostgresTextArrays(sql) => wit::LoadShape::PostgresTextArrays(sql),
                    LoadShape::PostgresCopy(sql) => wit::LoadShape::PostgresCopy(sql),
                    LoadShape::MariadbLoadData { table, columns } => {
                        wit::LoadShape::MariadbLoadData(wit::LoadDataTarget { table, columns })
                    }
                },
                batch_rows: p.load.batch_rows,
            },
            after: p.after,
        }),
        Err(PlanError::Unsupported(m)) => Err(wit::PlanError::Unsupported(m)),
        Err(PlanError::InvalidTable(m)) => Err(wit::PlanError::InvalidTable(m)),
    }
}
