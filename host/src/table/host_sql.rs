//! The few statements the host writes itself, quoted as the connector's dialect quotes:
//! `--refresh-condition`'s DELETE, `-r`'s DROP and drift's ADD COLUMN. A connector that does
//! not know an option cannot then silently do something else instead.

use crate::domain::{ConnectorInfo, LogicalType};
use crate::hvr::TableSpec;

pub(super) struct HostSql {
    dialect: Dialect,
}

#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    Sqlite,
    Postgres,
    MariaDb,
}

impl HostSql {
    /// `None` for a dialect the host does not know.
    pub fn for_connector(info: &ConnectorInfo) -> Option<HostSql> {
        let dialect = match info.dialect.as_str() {
            "sqlite" => Dialect::Sqlite,
            "postgresql" | "postgres" | "ansi" => Dialect::Postgres,
            "mariadb" | "mysql" => Dialect::MariaDb,
            _ => return None,
        };
        Some(HostSql { dialect })
    }

    pub fn ident(&self, name: &str) -> String {
        let q = match self.dialect {
            Dialect::MariaDb => '`',
            Dialect::Sqlite | Dialect::Postgres => '"',
        };
        format!("{q}{}{q}", name.replace(q, &format!("{q}{q}")))
    }

    /// The target table as the connectors name it: schema-qualified when HVR qualified it.
    pub fn table(&self, spec: &TableSpec) -> String {
        match &spec.schema {
            Some(schema) => format!("{}.{}", self.ident(schema), self.ident(&spec.base_name)),
            None => self.ident(&spec.base_name),
        }
    }

    /// SQLite stores any value in any column, so no declared type can conflict there.
    pub fn checks_types(&self) -> bool {
        self.dialect != Dialect::Sqlite
    }

    /// The column type an added column gets: the same map the connectors create tables with.
    pub fn column_type(&self, logical: Option<&LogicalType>) -> String {
        use hvrwasm_sdk::column_types;
        let typed = logical.map(to_sdk).and_then(|t| match self.dialect {
            Dialect::Sqlite => column_types::sqlite(&t, false),
            Dialect::Postgres => column_types::postgres(&t, false),
            Dialect::MariaDb => column_types::mariadb(&t, false),
        });
        typed.unwrap_or_else(|| {
            match self.dialect {
                Dialect::Sqlite => "TEXT",
                Dialect::Postgres => "text",
                Dialect::MariaDb => "LONGTEXT",
            }
            .to_string()
        })
    }
}

fn to_sdk(t: &LogicalType) -> hvrwasm_sdk::LogicalType {
    use hvrwasm_sdk::LogicalType as S;
    match *t {
        LogicalType::Boolean => S::Boolean,
        LogicalType::Int8 => S::Int8,
        LogicalType::Int16 => S::Int16,
        LogicalType::Int32 => S::Int32,
        LogicalType::Int64 => S::Int64,
        LogicalType::Float32 => S::Float32,
        LogicalType::Float64 => S::Float64,
        LogicalType::Decimal { precision, scale } => S::Decimal { precision, scale },
        LogicalType::Date => S::Date,
        LogicalType::Time { precision } => S::Time { precision },
        LogicalType::Timestamp {
            precision,
            with_zone,
        } => S::Timestamp {
            precision,
            with_zone,
        },
        LogicalType::Text { max_length } => S::Text { max_length },
        LogicalType::Binary { max_length } => S::Binary { max_length },
        LogicalType::Json => S::Json,
    }
}
