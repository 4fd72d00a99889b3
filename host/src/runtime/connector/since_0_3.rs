//! The conversions contracts 0.3 and 0.4 share (tables with logical types, options, info with
//! option declarations): expanded in each version's module, where `wit` names that version's
//! `types` interface.

macro_rules! since_0_3_conversions {
    () => {
        pub fn table(t: &PlanRequest) -> wit::Table {
            wit::Table {
                name: t.name.clone(),
                base_name: t.base_name.clone(),
                schema: t.schema.clone(),
                columns: t.columns.iter().map(column).collect(),
                target_columns: t
                    .target_columns
                    .as_ref()
                    .map(|cols| cols.iter().map(target_column).collect()),
                multi_delete_exclude: t.multi_delete_exclude.clone(),
            }
        }

        fn column(c: &FileColumn) -> wit::Column {
            wit::Column {
                name: c.name.clone(),
                base_name: c.base_name.clone(),
                is_key: c.is_key,
                role: role(c.role),
                logical_type: c.logical_type.map(logical_type),
            }
        }

        fn target_column(c: &TargetColumn) -> wit::TargetColumn {
            wit::TargetColumn {
                name: c.name.clone(),
                type_name: c.type_name.clone(),
                size: c.size,
                scale: c.scale,
                nullable: c.nullable,
                logical_type: c.logical_type.map(logical_type),
            }
        }

        fn logical_type(t: LogicalType) -> wit::LogicalType {
            use wit::LogicalType as W;
            match t {
                LogicalType::Boolean => W::Boolean,
                LogicalType::Int8 => W::Int8,
                LogicalType::Int16 => W::Int16,
                LogicalType::Int32 => W::Int32,
                LogicalType::Int64 => W::Int64,
                LogicalType::Float32 => W::Float32,
                LogicalType::Float64 => W::Float64,
                LogicalType::Decimal { precision, scale } => {
                    W::Decimal(wit::DecimalType { precision, scale })
                }
                LogicalType::Date => W::Date,
                LogicalType::Time { precision } => W::Time(precision),
                LogicalType::Timestamp {
                    precision,
                    with_zone,
                } => W::Timestamp(wit::TimestampType {
                    precision,
                    with_zone,
                }),
                LogicalType::Text { max_length } => W::Text(max_length),
                LogicalType::Binary { max_length } => W::Binary(max_length),
                LogicalType::Json => W::Json,
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
                options: Some(
                    i.options
                        .into_iter()
                        .map(|o| OptionSpec {
                            name: o.name,
                            kind: match o.kind {
                                wit::OptionKind::Text => OptionKind::Text,
                                wit::OptionKind::Integer => OptionKind::Integer,
                                wit::OptionKind::Boolean => OptionKind::Boolean,
                            },
                            default: o.default,
                            help: o.help,
                        })
                        .collect(),
                ),
            }
        }
    };
}
