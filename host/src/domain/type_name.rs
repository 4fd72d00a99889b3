//! Neutral types written and read as short names: `decimal(12,2)`, `timestamptz(6)`,
//! `text(40)`. Users write them in `--column-type`; messages print them.

use std::fmt;

use super::LogicalType;

impl fmt::Display for LogicalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = |f: &mut fmt::Formatter<'_>, name: &str, n: &Option<u32>| match n {
            Some(n) => write!(f, "{name}({n})"),
            None => write!(f, "{name}"),
        };
        match self {
            LogicalType::Boolean => write!(f, "boolean"),
            LogicalType::Int8 => write!(f, "int8"),
            LogicalType::Int16 => write!(f, "int16"),
            LogicalType::Int32 => write!(f, "int32"),
            LogicalType::Int64 => write!(f, "int64"),
            LogicalType::Float32 => write!(f, "float32"),
            LogicalType::Float64 => write!(f, "float64"),
            LogicalType::Decimal { precision, scale } => write!(f, "decimal({precision},{scale})"),
            LogicalType::Date => write!(f, "date"),
            LogicalType::Time { precision } => write!(f, "time({precision})"),
            LogicalType::Timestamp {
                precision,
                with_zone: false,
            } => write!(f, "timestamp({precision})"),
            LogicalType::Timestamp {
                precision,
                with_zone: true,
            } => write!(f, "timestamptz({precision})"),
            LogicalType::Text { max_length } => len(f, "text", max_length),
            LogicalType::Binary { max_length } => len(f, "binary", max_length),
            LogicalType::Json => write!(f, "json"),
        }
    }
}

impl std::str::FromStr for LogicalType {
    type Err = String;

    /// The names `Display` writes; arguments are optional where a default is clear
    /// (`timestamp` is `timestamp(6)`, `decimal(p)` has scale 0).
    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim().to_ascii_lowercase();
        let (name, args) = match text.split_once('(') {
            Some((name, rest)) => {
                let inner = rest
                    .strip_suffix(')')
                    .ok_or_else(|| format!("{text:?}: a '(' without its ')'"))?;
                let args = inner
                    .split(',')
                    .map(|a| {
                        a.trim()
                            .parse::<i64>()
                            .map_err(|_| format!("{text:?}: {a:?} is not a number"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                (name.trim().to_string(), args)
            }
            None => (text.clone(), Vec::new()),
        };
        let arg = |i: usize, default: i64| args.get(i).copied().unwrap_or(default);
        let fits = |v: i64, max: i64, what: &str| {
            if (0..=max).contains(&v) {
                Ok(v)
            } else {
                Err(format!("{text:?}: {what} {v} is outside 0-{max}"))
            }
        };
        let most = |n: usize| {
            if args.len() > n {
                Err(format!("{text:?}: {name} takes at most {n} argument(s)"))
            } else {
                Ok(())
            }
        };
        let length = |f: fn(Option<u32>) -> LogicalType| -> Result<LogicalType, String> {
            most(1)?;
            Ok(f(match args.first() {
                Some(&n) => Some(fits(n, i64::from(u32::MAX), "length")? as u32),
                None => None,
            }))
        };
        Ok(match name.as_str() {
            "boolean" | "bool" => LogicalType::Boolean,
            "int8" | "tinyint" => LogicalType::Int8,
            "int16" | "smallint" => LogicalType::Int16,
            "int32" | "int" | "integer" => LogicalType::Int32,
            "int64" | "bigint" => LogicalType::Int64,
            "float32" | "real" => LogicalType::Float32,
            "float64" | "double" => LogicalType::Float64,
            "decimal" | "numeric" => {
                most(2)?;
                let precision = fits(arg(0, 38), 1000, "precision")? as u16;
                let scale = fits(arg(1, 0), i64::from(precision), "scale")? as i16;
                LogicalType::Decimal { precision, scale }
            }
            "date" => LogicalType::Date,
            "time" => {
                most(1)?;
                LogicalType::Time {
                    precision: fits(arg(0, 6), 9, "precision")? as u8,
                }
            }
            "timestamp" | "timestamptz" => {
                most(1)?;
                LogicalType::Timestamp {
                    precision: fits(arg(0, 6), 9, "precision")? as u8,
                    with_zone: name == "timestamptz",
                }
            }
            "text" | "varchar" => length(|max_length| LogicalType::Text { max_length })?,
            "binary" | "varbinary" => length(|max_length| LogicalType::Binary { max_length })?,
            "json" => LogicalType::Json,
            _ => {
                return Err(format!(
                    "{text:?} is not a type; use one of boolean, int8, int16, int32, int64, float32, float64, decimal(P,S), date, time(P), timestamp(P), timestamptz(P), text(N), binary(N), json"
                ));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_as_the_same_type() {
        for text in [
            "boolean",
            "int64",
            "decimal(12,2)",
            "decimal(1000,10)",
            "time(3)",
            "timestamp(6)",
            "timestamptz(9)",
            "text",
            "text(40)",
            "binary(16)",
            "json",
        ] {
            let t: LogicalType = text.parse().unwrap();
            assert_eq!(t.to_string(), text);
        }
        assert_eq!(
            "NUMERIC(5)".parse::<LogicalType>().unwrap(),
            LogicalType::Decimal {
                precision: 5,
                scale: 0
            }
        );
        assert!("decimal(5,6)".parse::<LogicalType>().is_err());
        assert!("decimal(5".parse::<LogicalType>().is_err());
        assert!(
            "money"
                .parse::<LogicalType>()
                .unwrap_err()
                .contains("decimal(P,S)")
        );
        assert!("time(1,2)".parse::<LogicalType>().is_err());
    }
}
