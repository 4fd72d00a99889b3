//! What a Parquet column holds, from its physical type and its logical (or, from older
//! writers, converted) annotation; and the neutral type a target table gets for it.

use parquet::basic::{ConvertedType, LogicalType as Pq, TimeUnit, Type as Physical};
use parquet::schema::types::ColumnDescriptor;

use crate::domain::LogicalType;
use crate::rows::render::Unit;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Bool,
    Int {
        signed: bool,
    },
    Float,
    Double,
    /// A decimal stored as an unscaled INT32 or INT64.
    DecimalInt {
        scale: i32,
    },
    /// A decimal stored as big-endian two's complement bytes.
    DecimalBytes {
        scale: i32,
    },
    Date,
    Time(Unit),
    Timestamp {
        unit: Unit,
        utc: bool,
    },
    /// Impala's (and HVR's ParquetVersion v1/v2) 12-byte timestamp, local time.
    Int96,
    Text,
    Json,
    Uuid,
    /// Bytes without a text annotation, written as hex.
    Binary,
}

fn unit(u: &TimeUnit) -> Unit {
    match u {
        TimeUnit::MILLIS => Unit::Millis,
        TimeUnit::MICROS => Unit::Micros,
        TimeUnit::NANOS => Unit::Nanos,
    }
}

/// The column's kind, or why this host cannot read it.
pub fn kind_of(col: &ColumnDescriptor) -> Result<Kind, String> {
    let physical = col.physical_type();
    let bytes = matches!(
        physical,
        Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY
    );
    if let Some(logical) = col.logical_type_ref() {
        let kind = match logical {
            Pq::String | Pq::Enum if bytes => Some(Kind::Text),
            Pq::Json if bytes => Some(Kind::Json),
            Pq::Bson if bytes => Some(Kind::Binary),
            Pq::Uuid if physical == Physical::FIXED_LEN_BYTE_ARRAY => Some(Kind::Uuid),
            Pq::Decimal { scale, .. } if bytes => Some(Kind::DecimalBytes { scale: *scale }),
            Pq::Decimal { scale, .. } => Some(Kind::DecimalInt { scale: *scale }),
            Pq::Date => Some(Kind::Date),
            Pq::Time { unit: u, .. } => Some(Kind::Time(unit(u))),
            Pq::Timestamp {
                is_adjusted_to_u_t_c,
                unit: u,
            } => Some(Kind::Timestamp {
                unit: unit(u),
                utc: *is_adjusted_to_u_t_c,
            }),
            Pq::Integer { is_signed, .. } => Some(Kind::Int { signed: *is_signed }),
            Pq::Unknown => None,
            other => return Err(format!("Parquet logical type {other:?} is not supported")),
        };
        if let Some(kind) = kind {
            return Ok(kind);
        }
    }
    let converted = col.converted_type();
    Ok(match (physical, converted) {
        (_, ConvertedType::DECIMAL) if bytes => Kind::DecimalBytes {
            scale: col.type_scale(),
        },
        (_, ConvertedType::DECIMAL) => Kind::DecimalInt {
            scale: col.type_scale(),
        },
        (_, ConvertedType::UTF8 | ConvertedType::ENUM) => Kind::Text,
        (_, ConvertedType::JSON) => Kind::Json,
        (_, ConvertedType::DATE) => Kind::Date,
        (_, ConvertedType::TIME_MILLIS) => Kind::Time(Unit::Millis),
        (_, ConvertedType::TIME_MICROS) => Kind::Time(Unit::Micros),
        (_, ConvertedType::TIMESTAMP_MILLIS) => Kind::Timestamp {
            unit: Unit::Millis,
            utc: true,
        },
        (_, ConvertedType::TIMESTAMP_MICROS) => Kind::Timestamp {
            unit: Unit::Micros,
            utc: true,
        },
        (_, ConvertedType::UINT_8 | ConvertedType::UINT_16)
        | (_, ConvertedType::UINT_32 | ConvertedType::UINT_64) => Kind::Int { signed: false },
        (_, ConvertedType::INTERVAL) => {
            return Err("Parquet INTERVAL is not supported".into());
        }
        (Physical::BOOLEAN, _) => Kind::Bool,
        (Physical::INT32 | Physical::INT64, _) => Kind::Int { signed: true },
        (Physical::INT96, _) => Kind::Int96,
        (Physical::FLOAT, _) => Kind::Float,
        (Physical::DOUBLE, _) => Kind::Double,
        (Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY, _) => Kind::Binary,
    })
}

/// The neutral type a created target column gets.
pub fn logical_type(col: &ColumnDescriptor, kind: Kind) -> LogicalType {
    let wide = col.physical_type() == Physical::INT64;
    let bits = match col.logical_type_ref() {
        Some(Pq::Integer { bit_width, .. }) => *bit_width,
        _ => match col.converted_type() {
            ConvertedType::INT_8 | ConvertedType::UINT_8 => 8,
            ConvertedType::INT_16 | ConvertedType::UINT_16 => 16,
            _ if wide => 64,
            _ => 32,
        },
    };
    match kind {
        Kind::Bool => LogicalType::Boolean,
        Kind::Int { signed: true } => match bits {
            8 => LogicalType::Int8,
            16 => LogicalType::Int16,
            32 => LogicalType::Int32,
            _ => LogicalType::Int64,
        },
        // An unsigned value needs the next wider signed type.
        Kind::Int { signed: false } => match bits {
            8 => LogicalType::Int16,
            16 => LogicalType::Int32,
            32 => LogicalType::Int64,
            _ => LogicalType::Decimal {
                precision: 20,
                scale: 0,
            },
        },
        Kind::Float => LogicalType::Float32,
        Kind::Double => LogicalType::Float64,
        Kind::DecimalInt { scale } | Kind::DecimalBytes { scale } => LogicalType::Decimal {
            precision: u16::try_from(col.type_precision()).unwrap_or(u16::MAX),
            scale: i16::try_from(scale).unwrap_or(0),
        },
        Kind::Date => LogicalType::Date,
        Kind::Time(u) => LogicalType::Time {
            precision: u.digits(),
        },
        Kind::Timestamp { unit, utc } => LogicalType::Timestamp {
            precision: unit.digits(),
            with_zone: utc,
        },
        Kind::Int96 => LogicalType::Timestamp {
            precision: 9,
            with_zone: false,
        },
        Kind::Text => LogicalType::Text { max_length: None },
        Kind::Json => LogicalType::Json,
        Kind::Uuid => LogicalType::Text {
            max_length: Some(36),
        },
        Kind::Binary => LogicalType::Binary {
            max_length: (col.physical_type() == Physical::FIXED_LEN_BYTE_ARRAY)
                .then(|| u32::try_from(col.type_length()).ok())
                .flatten(),
        },
    }
}
