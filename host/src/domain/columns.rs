//! Columns: those of a table's files (with roles and key flags) and those of the target.

/// What a file column carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A replicated column of the source table.
    Data,
    /// `{hvr_op}`: the change's operation code.
    Op,
    /// The SoftDelete column (0 live, 1 deleted).
    SoftDelete,
}

/// A column's type in database-neutral terms, when a typed file or the catalog says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogicalType {
    Boolean,
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Decimal { precision: u16, scale: i16 },
    Date,
    Time { precision: u8 },
    Timestamp { precision: u8, with_zone: bool },
    Text { max_length: Option<u32> },
    Binary { max_length: Option<u32> },
    Json,
}

/// A column of the table's files, in file order (transform-added columns after them).
#[derive(Clone, Debug, PartialEq)]
pub struct FileColumn {
    /// Channel column name (`HVR_COL_NAMES`).
    pub name: String,
    /// Name in the target (`HVR_COL_NAMES_BASE`).
    pub base_name: String,
    pub is_key: bool,
    pub role: Role,
    pub logical_type: Option<LogicalType>,
}

impl FileColumn {
    /// A data column that is not part of the key, e.g. one a transform adds.
    pub fn data(name: &str) -> FileColumn {
        FileColumn {
            name: name.to_string(),
            base_name: name.to_string(),
            is_key: false,
            role: Role::Data,
            logical_type: None,
        }
    }
}

/// A column of the existing target table, as the catalog reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetColumn {
    pub name: String,
    /// The data source's own type name, e.g. `numeric`.
    pub type_name: String,
    pub size: Option<i32>,
    pub scale: Option<i16>,
    pub nullable: bool,
    pub logical_type: Option<LogicalType>,
}

impl LogicalType {
    /// The neutral type of an ODBC SQL data type code (`DATA_TYPE` of `SQLColumns`), with the
    /// column size and decimal digits the driver reported; `None` for codes without one.
    pub fn from_odbc(data_type: i16, size: Option<i32>, scale: Option<i16>) -> Option<Self> {
        let length = size.and_then(|s| u32::try_from(s).ok()).filter(|s| *s > 0);
        let fraction = scale.and_then(|s| u8::try_from(s).ok()).unwrap_or(0).min(9);
        Some(match data_type {
            -7 | 16 => LogicalType::Boolean,
            -6 => LogicalType::Int8,
            5 => LogicalType::Int16,
            4 => LogicalType::Int32,
            -5 => LogicalType::Int64,
            7 => LogicalType::Float32,
            6 | 8 => LogicalType::Float64,
            2 | 3 => LogicalType::Decimal {
                precision: size.and_then(|s| u16::try_from(s).ok()).unwrap_or(38),
                scale: scale.unwrap_or(0),
            },
            9 | 91 => LogicalType::Date,
            10 | 92 => LogicalType::Time {
                precision: fraction,
            },
            11 | 93 => LogicalType::Timestamp {
                precision: fraction,
                with_zone: false,
            },
            95 | -155 => LogicalType::Timestamp {
                precision: fraction,
                with_zone: true,
            },
            1 | 12 | -1 | -8 | -9 | -10 => LogicalType::Text { max_length: length },
            -4..=-2 => LogicalType::Binary { max_length: length },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odbc_codes_map_to_neutral_types() {
        assert_eq!(
            LogicalType::from_odbc(2, Some(12), Some(2)),
            Some(LogicalType::Decimal {
                precision: 12,
                scale: 2
            })
        );
        assert_eq!(
            LogicalType::from_odbc(12, Some(40), None),
            Some(LogicalType::Text {
                max_length: Some(40)
            })
        );
        assert_eq!(
            LogicalType::from_odbc(93, Some(26), Some(6)),
            Some(LogicalType::Timestamp {
                precision: 6,
                with_zone: false
            })
        );
        assert_eq!(
            LogicalType::from_odbc(-5, None, None),
            Some(LogicalType::Int64)
        );
        assert_eq!(LogicalType::from_odbc(1111, None, None), None);
    }
}
