//! A MariaDB or MySQL table's unique keys (primary key included), for `check`: the MariaDB
//! connector's upsert (`ON DUPLICATE KEY UPDATE`) meets a row by any of them, so a unique key
//! besides HVR's key is something the operator should know about before going live.

use super::{Database, OdbcError};

/// One unique key: its name and columns in key order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UniqueKey {
    pub name: String,
    pub columns: Vec<String>,
}

/// The unique keys of `table` on MariaDB or MySQL; empty for other databases and for a table
/// that is not there.
pub fn unique_keys(
    db: &dyn Database,
    catalog: Option<&str>,
    table: &str,
) -> Result<Vec<UniqueKey>, OdbcError> {
    if !super::is_mariadb_or_mysql(&db.dbms_name()) {
        return Ok(Vec::new());
    }
    // One text value (the host reads single values): a line per key, tab-separated name and
    // columns.
    const QUERY: &str = "SELECT GROUP_CONCAT(k ORDER BY k SEPARATOR '\\n') FROM (\
         SELECT CONCAT(INDEX_NAME, '\\t', GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR '\\t')) AS k \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) \
         AND TABLE_NAME = ? AND NON_UNIQUE = 0 GROUP BY INDEX_NAME) u";
    let what = "reading the table's unique keys";
    let text = super::engine::query_in_schema(db, what, QUERY, catalog, table)?;
    Ok(parse(text.as_deref().unwrap_or("")))
}

fn parse(text: &str) -> Vec<UniqueKey> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            let mut parts = line.split('\t').map(str::to_string);
            UniqueKey {
                name: parts.next().unwrap_or_default(),
                columns: parts.collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_key_name_then_columns() {
        assert_eq!(
            parse("PRIMARY\tid\nbadge\tsite\tbadge\n"),
            vec![
                UniqueKey {
                    name: "PRIMARY".into(),
                    columns: vec!["id".into()]
                },
                UniqueKey {
                    name: "badge".into(),
                    columns: vec!["site".into(), "badge".into()]
                },
            ]
        );
        assert!(parse("").is_empty());
    }
}
