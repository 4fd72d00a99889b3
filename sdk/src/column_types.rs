//! Column types for the tables a connector creates, per dialect, from the neutral types the
//! files declare (Parquet, Avro, `--column-type`). A column without a declared type is text,
//! as it always was.
//!
//! Values always arrive as text (see the host's `rows::render`): exact decimals, ISO dates,
//! `YYYY-MM-DD HH:MM:SS.ffffff` timestamps (instants as UTC wall time), booleans as `1`/`0`,
//! binary as hex. So binary columns are created as text holding hex, and a decimal that a
//! dialect cannot hold exactly becomes text rather than a float.

use crate::LogicalType;

/// PostgreSQL: every neutral type has an exact counterpart. `key` says the column is part of
/// the primary key (it changes nothing here).
///
/// ```
/// use hvrwasm_sdk::{column_types, LogicalType};
/// assert_eq!(column_types::postgres(&LogicalType::Int64, true).as_deref(), Some("bigint"));
/// ```
pub fn postgres(t: &LogicalType, _key: bool) -> Option<String> {
    Some(match t {
        LogicalType::Boolean => "boolean".into(),
        LogicalType::Int8 | LogicalType::Int16 => "smallint".into(),
        LogicalType::Int32 => "integer".into(),
        LogicalType::Int64 => "bigint".into(),
        LogicalType::Float32 => "real".into(),
        LogicalType::Float64 => "double precision".into(),
        // numeric holds up to 1000 digits: Oracle's NUMBER without precision fits.
        LogicalType::Decimal { precision, scale }
            if (1..=1000).contains(precision) && (0..=*precision as i16).contains(scale) =>
        {
            format!("numeric({precision},{scale})")
        }
        LogicalType::Decimal { .. } => "numeric".into(),
        LogicalType::Date => "date".into(),
        LogicalType::Time { precision } => format!("time({})", precision.min(&6)),
        LogicalType::Timestamp {
            precision,
            with_zone,
        } => format!(
            "timestamp({}){}",
            precision.min(&6),
            if *with_zone { " with time zone" } else { "" }
        ),
        LogicalType::Text {
            max_length: Some(n),
        } if *n <= 10_485_760 => format!("varchar({n})"),
        LogicalType::Json => "jsonb".into(),
        _ => return None,
    })
}

/// MariaDB / MySQL: DECIMAL holds 65 digits and 30 of scale; wider decimals stay exact as
/// text. Key columns need a bounded type to be indexed.
///
/// ```
/// use hvrwasm_sdk::{column_types, LogicalType};
/// let code = LogicalType::Text { max_length: Some(2000) };
/// assert_eq!(column_types::mariadb(&code, false).as_deref(), Some("VARCHAR(2000)"));
/// // Too long to index: the caller's fallback (`CreatedTypes::key`) applies.
/// assert_eq!(column_types::mariadb(&code, true), None);
/// ```
pub fn mariadb(t: &LogicalType, key: bool) -> Option<String> {
    Some(match t {
        LogicalType::Boolean => "BOOLEAN".into(),
        LogicalType::Int8 => "TINYINT".into(),
        LogicalType::Int16 => "SMALLINT".into(),
        LogicalType::Int32 => "INT".into(),
        LogicalType::Int64 => "BIGINT".into(),
        LogicalType::Float32 => "FLOAT".into(),
        LogicalType::Float64 => "DOUBLE".into(),
        LogicalType::Decimal { precision, scale }
            if (1..=65).contains(precision) && (0..=30).contains(scale) =>
        {
            format!("DECIMAL({precision},{scale})")
        }
        LogicalType::Date => "DATE".into(),
        LogicalType::Time { precision } => format!("TIME({})", precision.min(&6)),
        // DATETIME, not TIMESTAMP: TIMESTAMP ends in 2038 and converts by the session zone.
        LogicalType::Timestamp { precision, .. } => format!("DATETIME({})", precision.min(&6)),
        LogicalType::Text {
            max_length: Some(n),
        } if *n <= if key { 768 } else { 16_383 } => format!("VARCHAR({n})"),
        LogicalType::Json if !key => "JSON".into(),
        _ => return None,
    })
}

/// SQLite: integers and floats have their affinities; everything else is TEXT, since a
/// NUMERIC column would turn `0.1` into a float.
///
/// ```
/// use hvrwasm_sdk::{column_types, LogicalType};
/// assert_eq!(column_types::sqlite(&LogicalType::Int32, false).as_deref(), Some("INTEGER"));
/// ```
pub fn sqlite(t: &LogicalType, _key: bool) -> Option<String> {
    Some(match t {
        LogicalType::Boolean
        | LogicalType::Int8
        | LogicalType::Int16
        | LogicalType::Int32
        | LogicalType::Int64 => "INTEGER".into(),
        LogicalType::Float32 | LogicalType::Float64 => "REAL".into(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_decimals_stay_exact_and_keys_stay_indexable() {
        let oracle_number = LogicalType::Decimal {
            precision: 1000,
            scale: 10,
        };
        assert_eq!(
            postgres(&oracle_number, false).as_deref(),
            Some("numeric(1000,10)")
        );
        assert_eq!(mariadb(&oracle_number, false), None);
        assert_eq!(sqlite(&oracle_number, false), None);
        let long_text = LogicalType::Text {
            max_length: Some(1000),
        };
        assert_eq!(mariadb(&long_text, false).as_deref(), Some("VARCHAR(1000)"));
        assert_eq!(mariadb(&long_text, true), None);
        let ts = LogicalType::Timestamp {
            precision: 9,
            with_zone: true,
        };
        assert_eq!(
            postgres(&ts, false).as_deref(),
            Some("timestamp(6) with time zone")
        );
        assert_eq!(mariadb(&ts, false).as_deref(), Some("DATETIME(6)"));
    }
}
