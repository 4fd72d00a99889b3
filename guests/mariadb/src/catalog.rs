//! Questions the plan asks the server's catalog when it runs: names go in as literals that
//! read the same under any `sql_mode` and character set.

use hvrwasm_sdk::Table;
use hvrwasm_sdk::sql::LandedColumn;

/// The table's schema and name as literals for `information_schema` (an unqualified table is
/// in the session's database).
pub fn table_literals(table: &Table) -> (String, String) {
    let schema = match &table.schema {
        Some(schema) => utf8_literal(schema),
        None => "DATABASE()".into(),
    };
    (schema, utf8_literal(&table.base_name))
}

/// Fails the table unless the target has a primary or unique key made of HVR's key columns
/// only (all of them or some). `INSERT ... ON DUPLICATE KEY UPDATE` finds a change's row only
/// through such a key: without one every update would be added as a second row, without a
/// word. (A key of other columns as well would not conflict for two rows of one HVR key
/// either.) The error is raised with `SIGNAL`, so it reads as the reason.
pub fn require_unique_key(table: &Table, keys: &[&LandedColumn]) -> String {
    let (schema, name) = table_literals(table);
    let key_names = keys
        .iter()
        .map(|k| utf8_literal(&k.name))
        .collect::<Vec<_>>()
        .join(", ");
    let shown = keys
        .iter()
        .map(|k| k.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    // SIGNAL takes a literal or a variable, and at most 128 characters (more fails the
    // statement in strict mode); the host names the table.
    let message = format!(
        "no primary or unique key of HVR's key columns ({shown}) only: MariaDB's upsert \
         would add updates as new rows; nothing was applied"
    );
    format!(
        "BEGIN NOT ATOMIC DECLARE hvr_message VARCHAR(128) DEFAULT LEFT({}, 128); \
         IF NOT EXISTS (SELECT 1 FROM information_schema.STATISTICS \
         WHERE TABLE_SCHEMA = {schema} AND TABLE_NAME = {name} AND NON_UNIQUE = 0 \
         GROUP BY INDEX_NAME HAVING SUM(COLUMN_NAME NOT IN ({key_names})) = 0) \
         THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = hvr_message; END IF; END",
        utf8_literal(&message)
    )
}

/// A string literal of `text` that reads the same whatever the session's `sql_mode`
/// (`NO_BACKSLASH_ESCAPES`, `ANSI_QUOTES`) and character set.
pub fn utf8_literal(text: &str) -> String {
    let hex: String = text.bytes().map(|b| format!("{b:02x}")).collect();
    format!("CONVERT(X'{hex}' USING utf8mb4)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unique_key_check_names_the_table_and_its_key_columns_as_literals() {
        let key = LandedColumn {
            file_index: 0,
            name: "id".into(),
            type_name: None,
            is_key: true,
            logical_type: None,
        };
        let sql = require_unique_key(&Table::new("t"), &[&key]);
        assert!(sql.starts_with("BEGIN NOT ATOMIC DECLARE"), "{sql}");
        assert!(
            sql.contains("TABLE_SCHEMA = DATABASE() AND TABLE_NAME = CONVERT(X'74' USING utf8mb4)"),
            "{sql}"
        );
        assert!(
            sql.contains("NOT IN (CONVERT(X'6964' USING utf8mb4))"),
            "{sql}"
        );
        assert!(sql.contains("SIGNAL SQLSTATE '45000'"), "{sql}");
    }
}
