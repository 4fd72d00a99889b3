//! The Avro schema of an object container file, reduced to what a flat row needs: each
//! field's type, its logical annotation and its union branches.

use serde_json::Value;

use crate::domain::LogicalType;
use crate::rows::render::Unit;

/// A value's encoding and what it means.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Fixed(usize),
    Enum(Vec<String>),
    /// `bytes` or `fixed` holding an unscaled big-endian decimal.
    Decimal {
        fixed: Option<usize>,
        precision: u16,
        scale: i32,
    },
    Date,
    Time(Unit),
    Timestamp {
        unit: Unit,
        utc: bool,
    },
    /// A UUID: its text form in a `string`, or 16 bytes in a `fixed`.
    Uuid {
        fixed: bool,
    },
    /// A union: the branch index comes first in the data.
    Union(Vec<Type>),
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub ty: Type,
}

/// The record's fields, or why the schema is not one this host reads.
pub fn fields(schema: &str) -> Result<Vec<Field>, String> {
    let value: Value =
        serde_json::from_str(schema).map_err(|e| format!("the schema is not JSON: {e}"))?;
    if value.get("type").and_then(Value::as_str) != Some("record") {
        return Err("the schema is not a record; HVR writes one record per row".into());
    }
    let mut named = Vec::new();
    let fields = value
        .get("fields")
        .and_then(Value::as_array)
        .ok_or("the record schema has no fields")?;
    fields
        .iter()
        .map(|f| {
            let name = f
                .get("name")
                .and_then(Value::as_str)
                .ok_or("a field has no name")?
                .to_string();
            let ty = parse(f.get("type").ok_or("a field has no type")?, &mut named)
                .map_err(|e| format!("field {name}: {e}"))?;
            Ok(Field { name, ty })
        })
        .collect()
}

fn parse(value: &Value, named: &mut Vec<(String, Type)>) -> Result<Type, String> {
    match value {
        Value::String(s) => primitive(s)
            .or_else(|| named.iter().find(|(n, _)| n == s).map(|(_, t)| t.clone()))
            .ok_or_else(|| format!("type {s:?} is not supported")),
        Value::Array(branches) => Ok(Type::Union(
            branches
                .iter()
                .map(|b| parse(b, named))
                .collect::<Result<_, _>>()?,
        )),
        Value::Object(o) => {
            let base = o.get("type").and_then(Value::as_str).unwrap_or("");
            let logical = o.get("logicalType").and_then(Value::as_str);
            let ty = annotated(base, logical, value)?;
            if let Some(name) = o.get("name").and_then(Value::as_str) {
                named.push((name.to_string(), ty.clone()));
            }
            Ok(ty)
        }
        _ => Err("the type is neither a name, a union nor an object".into()),
    }
}

fn primitive(name: &str) -> Option<Type> {
    Some(match name {
        "null" => Type::Null,
        "boolean" => Type::Boolean,
        "int" => Type::Int,
        "long" => Type::Long,
        "float" => Type::Float,
        "double" => Type::Double,
        "bytes" => Type::Bytes,
        "string" => Type::String,
        _ => return None,
    })
}

fn annotated(base: &str, logical: Option<&str>, value: &Value) -> Result<Type, String> {
    let int_of = |key: &str| value.get(key).and_then(Value::as_i64);
    let fixed = (base == "fixed")
        .then(|| int_of("size").and_then(|s| usize::try_from(s).ok()))
        .flatten();
    if base == "fixed" && fixed.is_none() {
        return Err("a fixed type has no size".into());
    }
    Ok(match (base, logical) {
        ("bytes" | "fixed", Some("decimal")) => Type::Decimal {
            fixed,
            precision: int_of("precision")
                .and_then(|p| u16::try_from(p).ok())
                .ok_or("a decimal has no precision")?,
            scale: int_of("scale").unwrap_or(0) as i32,
        },
        ("int", Some("date")) => Type::Date,
        ("int", Some("time-millis")) => Type::Time(Unit::Millis),
        ("long", Some("time-micros")) => Type::Time(Unit::Micros),
        ("long", Some(ts @ ("timestamp-millis" | "timestamp-micros" | "timestamp-nanos"))) => {
            Type::Timestamp {
                unit: unit(ts),
                utc: true,
            }
        }
        (
            "long",
            Some(
                ts
                @ ("local-timestamp-millis" | "local-timestamp-micros" | "local-timestamp-nanos"),
            ),
        ) => Type::Timestamp {
            unit: unit(ts),
            utc: false,
        },
        ("string", Some("uuid")) | ("fixed", Some("uuid")) if fixed.is_none_or(|f| f == 16) => {
            Type::Uuid {
                fixed: fixed.is_some(),
            }
        }
        (_, Some("duration")) => return Err("Avro duration is not supported".into()),
        ("fixed", _) => Type::Fixed(fixed.expect("checked above")),
        ("enum", _) => Type::Enum(
            value
                .get("symbols")
                .and_then(Value::as_array)
                .ok_or("an enum has no symbols")?
                .iter()
                .map(|s| s.as_str().unwrap_or("").to_string())
                .collect(),
        ),
        ("record" | "array" | "map", _) => {
            return Err(format!(
                "nested {base} types are not supported; HVR writes flat rows"
            ));
        }
        // An unknown logical type is ignored, as the Avro specification says.
        (other, _) => primitive(other).ok_or_else(|| format!("type {other:?} is not supported"))?,
    })
}

fn unit(name: &str) -> Unit {
    if name.ends_with("millis") {
        Unit::Millis
    } else if name.ends_with("micros") {
        Unit::Micros
    } else {
        Unit::Nanos
    }
}

/// The neutral type a created target column gets.
pub fn logical_type(ty: &Type) -> Option<LogicalType> {
    Some(match ty {
        Type::Null => return None,
        Type::Boolean => LogicalType::Boolean,
        Type::Int => LogicalType::Int32,
        Type::Long => LogicalType::Int64,
        Type::Float => LogicalType::Float32,
        Type::Double => LogicalType::Float64,
        Type::Bytes => LogicalType::Binary { max_length: None },
        Type::Fixed(n) => LogicalType::Binary {
            max_length: u32::try_from(*n).ok(),
        },
        Type::String | Type::Enum(_) => LogicalType::Text { max_length: None },
        Type::Decimal {
            precision, scale, ..
        } => LogicalType::Decimal {
            precision: *precision,
            scale: i16::try_from(*scale).unwrap_or(0),
        },
        Type::Date => LogicalType::Date,
        Type::Time(u) => LogicalType::Time {
            precision: u.digits(),
        },
        Type::Timestamp { unit, utc } => LogicalType::Timestamp {
            precision: unit.digits(),
            with_zone: *utc,
        },
        Type::Uuid { .. } => LogicalType::Text {
            max_length: Some(36),
        },
        // ["null", T] is how a nullable column is written; another union has no one type.
        Type::Union(branches) => {
            let mut typed = branches.iter().filter(|b| **b != Type::Null);
            match (typed.next(), typed.next()) {
                (Some(only), None) => return logical_type(only),
                _ => LogicalType::Text { max_length: None },
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hvr_style_schemas_parse_with_their_logical_types() {
        let schema = r#"{"type":"record","name":"t","fields":[
            {"name":"id","type":"int"},
            {"name":"price","type":["null",{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}]},
            {"name":"at","type":["null",{"type":"long","logicalType":"timestamp-micros"}]},
            {"name":"f","type":{"type":"fixed","name":"F4","size":4}},
            {"name":"g","type":["null","F4"]}]}"#;
        let f = fields(schema).unwrap();
        assert_eq!(f.len(), 5);
        assert_eq!(
            logical_type(&f[1].ty),
            Some(LogicalType::Decimal {
                precision: 12,
                scale: 2
            })
        );
        assert_eq!(
            logical_type(&f[2].ty),
            Some(LogicalType::Timestamp {
                precision: 6,
                with_zone: true
            })
        );
        assert_eq!(f[4].ty, Type::Union(vec![Type::Null, Type::Fixed(4)]));
        let nested = r#"{"type":"record","name":"t","fields":[{"name":"a","type":{"type":"array","items":"int"}}]}"#;
        assert!(
            fields(nested)
                .unwrap_err()
                .contains("field a: nested array")
        );
    }
}
