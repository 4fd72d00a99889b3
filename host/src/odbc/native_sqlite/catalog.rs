//! A table's columns as sqliteodbc's `SQLColumns` reports them, read from `PRAGMA table_info`.
//!
//! The host's plans, drift checks and logical types are built from what the driver reports,
//! quirks included: `COLUMN_SIZE` holds the driver's digits (`VARCHAR` without a length is 0,
//! `INTEGER` 9), `DECIMAL_DIGITS` is always 10, `DECIMAL` is text and `NUMERIC` a double. The
//! native session reports the same, so a table plans the same whichever way the host reached
//! it; `tests/e2e/native_sqlite.rs` compares the two on every type family the driver knows.

use rusqlite::Connection;

use crate::domain::{LogicalType, TargetColumn};

/// The table's (or view's) columns in ordinal order; empty when there is none of that exact
/// name. The driver reports a table under its stored name, and the host keeps only rows whose
/// name is the one it asked for, so `T` is not found as `t` either way.
pub(super) fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<TargetColumn>> {
    let mut statement = conn.prepare(
        "SELECT p.name, p.type, p.\"notnull\" FROM sqlite_master AS m, pragma_table_info(m.name) AS p \
         WHERE m.type IN ('table', 'view') AND m.name = ?1 ORDER BY p.cid",
    )?;
    let rows = statement.query_map([table], |row| {
        let name: String = row.get(0)?;
        let declared: String = row.get(1)?;
        let not_null: bool = row.get(2)?;
        Ok(driver_column(&name, &declared, not_null))
    })?;
    rows.collect()
}

/// The primary key's columns in key order, for a table of that exact name.
pub(super) fn primary_key(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare(
        "SELECT p.name FROM sqlite_master AS m, pragma_table_info(m.name) AS p \
         WHERE m.type = 'table' AND m.name = ?1 AND p.pk > 0 ORDER BY p.pk",
    )?;
    let rows = statement.query_map([table], |row| row.get(0))?;
    rows.collect()
}

/// ODBC SQL type codes the driver reports.
const VARCHAR: i16 = 12;
const LONGVARCHAR: i16 = -1;
const INTEGER: i16 = 4;
const SMALLINT: i16 = 5;
const TINYINT: i16 = -6;
const BIGINT: i16 = -5;
const DOUBLE: i16 = 8;
const BIT: i16 = -7;
const DATE: i16 = 91;
const TIME: i16 = 92;
const TIMESTAMP: i16 = 93;
const BINARY: i16 = -2;
const VARBINARY: i16 = -3;
const LONGVARBINARY: i16 = -4;

/// What sqliteodbc reports in `DECIMAL_DIGITS`, whatever the column.
const DRIVER_DECIMAL_DIGITS: i16 = 10;

/// The driver's type code for a declared type: the first matching prefix, in the driver's
/// order, of the lower-cased declaration; anything else is `VARCHAR`.
fn type_code(declared: &str) -> i16 {
    let t = declared.to_ascii_lowercase();
    let starts = |p: &str| t.starts_with(p);
    if starts("inter") {
        VARCHAR
    } else if starts("int") || starts("mediumint") {
        INTEGER
    } else if starts("numeric") || starts("float") || starts("double") || starts("real") {
        DOUBLE
    } else if starts("tinyint") {
        TINYINT
    } else if starts("smallint") {
        SMALLINT
    } else if starts("timestamp") || starts("datetime") {
        TIMESTAMP
    } else if starts("time") {
        TIME
    } else if starts("date") {
        DATE
    } else if starts("text") || starts("memo") || starts("longvarchar") {
        LONGVARCHAR
    } else if starts("bool") || starts("bit") {
        BIT
    } else if starts("bigint") {
        BIGINT
    } else if starts("blob") {
        BINARY
    } else if starts("varbinary") {
        VARBINARY
    } else if starts("longvarbinary") {
        LONGVARBINARY
    } else {
        VARCHAR
    }
}

/// The driver's display size and digits for a type code, before the declaration's own
/// `(m)` or `(m,d)`.
fn default_size(code: i16) -> (i64, i64) {
    match code {
        INTEGER => (10, 9),
        TINYINT => (4, 3),
        SMALLINT => (6, 5),
        DOUBLE => (54, 53),
        VARCHAR | VARBINARY => (255, 0),
        DATE => (10, 0),
        TIME => (8, 0),
        TIMESTAMP => (32, 3),
        LONGVARCHAR | LONGVARBINARY => (65536, 0),
        BIGINT => (20, 19),
        BIT => (1, 1),
        _ => (0, 0),
    }
}

/// The numbers in the declaration's parentheses, read as C's `sscanf` reads
/// `"%*[^(](%d,%d)"`: at least one character before `(`, then an integer, then, for the second,
/// `,` at once and an integer.
fn parenthesised(declared: &str) -> (Option<i64>, Option<i64>) {
    let Some(open) = declared.find('(').filter(|&i| i > 0) else {
        return (None, None);
    };
    let (first, rest) = leading_int(&declared[open + 1..]);
    let Some(first) = first else {
        return (None, None);
    };
    let second = rest.strip_prefix(',').and_then(|r| leading_int(r).0);
    (Some(first), second)
}

/// `%d`: white space, an optional sign, digits; the integer and what follows it.
fn leading_int(text: &str) -> (Option<i64>, &str) {
    let t = text.trim_start();
    let digits_from = usize::from(t.starts_with(['-', '+']));
    let end = digits_from
        + t[digits_from..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(t.len() - digits_from);
    if end == digits_from {
        return (None, text);
    }
    (t[..end].parse().ok(), &t[end..])
}

/// The column as the driver reports it: type name as declared, type code, size, digits.
pub(super) fn driver_column(name: &str, declared: &str, not_null: bool) -> TargetColumn {
    let mut code = type_code(declared);
    let (mut size, mut digits) = default_size(code);
    if size != 0 {
        // A declaration with a comma is read for two numbers or not at all.
        match (parenthesised(declared), declared.contains(',')) {
            ((Some(m), Some(d)), true) => (size, digits) = (m, d),
            ((Some(m), _), false) if code == TIMESTAMP => digits = m,
            ((Some(m), _), false) => (size, digits) = (m, m),
            _ => {}
        }
    }
    if size > 255 && code == VARCHAR {
        code = LONGVARCHAR;
    } else if size > 255 && code == VARBINARY {
        code = LONGVARBINARY;
    }
    let reported = i32::try_from(digits).ok();
    TargetColumn {
        name: name.to_string(),
        type_name: declared.to_string(),
        size: reported,
        scale: Some(DRIVER_DECIMAL_DIGITS),
        nullable: !not_null,
        logical_type: LogicalType::from_odbc(code, reported, Some(DRIVER_DECIMAL_DIGITS)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Declared type → (code, reported size), as sqliteodbc 0.9998 reported them.
    const SEEN: [(&str, i16, i32); 24] = [
        ("INTEGER", 4, 9),
        ("BIGINT", -5, 19),
        ("TINYINT", -6, 3),
        ("TEXT", -1, 0),
        ("VARCHAR(20)", 12, 20),
        ("VARCHAR", 12, 0),
        ("BLOB", -2, 0),
        ("REAL", 8, 53),
        ("NUMERIC(10,2)", 8, 2),
        ("DECIMAL(18,4)", 12, 4),
        ("BOOLEAN", -7, 1),
        ("DATE", 91, 0),
        ("TIME", 92, 0),
        ("DATETIME", 93, 3),
        ("TIMESTAMP(6)", 93, 6),
        ("", 12, 0),
        ("VARBINARY(10)", -3, 10),
        ("BINARY(4)", 12, 4),
        ("interval", 12, 0),
        ("UNSIGNED BIG INT", 12, 0),
        ("varchar(100000)", -1, 100000),
        ("text(10)", -1, 10),
        ("datetime2", 93, 3),
        ("date time", 91, 0),
    ];

    #[test]
    fn declared_types_map_as_the_driver_maps_them() {
        for (declared, code, size) in SEEN {
            let c = driver_column("c", declared, false);
            let expected = LogicalType::from_odbc(code, Some(size), Some(10));
            assert_eq!(
                (c.size, c.logical_type),
                (Some(size), expected),
                "{declared}"
            );
        }
    }

    #[test]
    fn parentheses_are_read_like_sscanf() {
        assert_eq!(parenthesised("DECIMAL(18, 4)"), (Some(18), Some(4)));
        assert_eq!(parenthesised("DECIMAL(18 ,4)"), (Some(18), None));
        assert_eq!(parenthesised("(5)"), (None, None));
        assert_eq!(parenthesised("CHAR( 7 )"), (Some(7), None));
        assert_eq!(parenthesised("CHAR(x)"), (None, None));
    }
}
