//! Emptying a table before its refresh so that a load into a table that is already empty is
//! an InnoDB bulk insert.
//!
//! MariaDB 10.6+ InnoDB inserts into a table that is empty when a transaction first writes it
//! as a bulk insert (rows sorted, pages built directly, one undo record for the table instead
//! of one per row) when the session runs with `unique_checks = 0` and `foreign_key_checks = 0`
//! and the transaction holds no record lock on the table. A plain `DELETE FROM t` of an empty
//! table under REPEATABLE READ locks the table's end, which alone made the load about 7%
//! slower; with both checks on, no load was a bulk insert. Measured with the `mariadb` CLI
//! alone, 2M two-integer rows into an empty table (see docs/benchmarks.md, eleventh session):
//! redo written 110 MB (plain) against 70 MB (bulk), wall time about 0.9 of the plain load.
//!
//! So the refresh reads, in a plain `SELECT ... INTO` (a consistent read, which takes no lock;
//! the same subquery inside `SET` or `IF` takes shared locks and stops the bulk insert),
//! whether the table has rows and whether unchecked inserts could be wrong for it. It deletes
//! with `WHERE @hvr_filled` (a constant for the optimiser, so an empty table is not touched),
//! and turns the checks off only for a table that was empty and could not be harmed:
//!
//! - the bulk insert still finds a duplicate primary key (a warning, which fails a LOAD DATA
//!   load; an error for an INSERT; under LOAD DATA LOCAL it also dropped the rows before the
//!   repeat, 1,000 of 5,001 in a trial, so the warning must never be tolerated), and the
//!   row-by-row insert skips a unique check only for an entry it puts in the change buffer,
//!   so the checks stay on when `innodb_change_buffering` is not `none` (the default since
//!   10.5.15; gone in 11.0);
//! - a duplicate in a secondary unique key fails a bulk insert too, but only as `Got error 1
//!   "Operation not permitted" during COMMIT`, which names neither the key nor the value, so
//!   the checks stay on for a table with a unique key besides its primary key;
//! - `foreign_key_checks = 0` would accept a row whose parent is missing, so they stay on for
//!   a table with foreign keys of its own;
//! - the checks are the session's, so a trigger on the table would write other tables
//!   without them (a row whose parent is missing, a repeated unique value): they stay on for
//!   a table with triggers;
//! - a table with long columns (text, blob, json, or more than 1,000 characters) keeps them
//!   on: the bulk insert was slower there (see [`has_long_columns`]);
//! - a refresh that sets rejected rows aside keeps them on: its bisection relies on each
//!   statement refusing its own rows, which was not measured for bulk inserts.
//!
//! The checks come back after the load, and at the start of every plan (a failed load skips
//! its plan's `after`, and the session goes on to the next table). On MySQL, which has no
//! such bulk insert, the `/*M! */` condition is not read and the checks stay on.

use hvrwasm_sdk::Table;

/// The statements that empty the existing `target` (quoted) before its refresh loads it.
pub fn emptying(target: &str, table: &Table) -> Vec<String> {
    let (schema, name) = crate::catalog::table_literals(table);
    let keep_checks = if has_long_columns(table) {
        "TRUE"
    } else {
        "@hvr_filled OR @hvr_checked"
    };
    vec![
        format!(
            "SELECT @@SESSION.unique_checks, @@SESSION.foreign_key_checks, \
             EXISTS (SELECT 1 FROM {target}), \
             EXISTS (SELECT 1 FROM information_schema.REFERENTIAL_CONSTRAINTS \
             WHERE CONSTRAINT_SCHEMA = {schema} AND TABLE_NAME = {name}) OR \
             EXISTS (SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {schema} \
             AND TABLE_NAME = {name} AND NON_UNIQUE = 0 AND INDEX_NAME <> 'PRIMARY') OR \
             EXISTS (SELECT 1 FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = {schema} \
             AND EVENT_OBJECT_TABLE = {name}) OR \
             /*M! COALESCE((SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_VARIABLES \
             WHERE VARIABLE_NAME = 'INNODB_CHANGE_BUFFERING'), 'none') <> 'none' AND */ TRUE \
             INTO @hvr_unique_checks, @hvr_foreign_key_checks, @hvr_filled, @hvr_checked"
        ),
        format!("DELETE FROM {target} WHERE @hvr_filled"),
        format!(
            "SET SESSION unique_checks = IF({keep_checks}, @hvr_unique_checks, 0), \
             foreign_key_checks = IF({keep_checks}, @hvr_foreign_key_checks, 0)"
        ),
    ]
}

/// Whether a column of the table can hold values long enough to be stored off the row's
/// page: a bulk insert writes every row to its sort files before the table, which for long
/// values costs more than it saves (150k rows of four text columns, 1 GB: 1.11x the plain
/// load's time, alternated; see docs/benchmarks.md, eleventh session).
fn has_long_columns(table: &Table) -> bool {
    table.target_columns.iter().flatten().any(|c| {
        crate::apply::is_long_type(&c.type_name)
            || c.size.is_some_and(|size| size > LONG_COLUMN_CHARS)
    })
}

/// Declared size above which a column counts as long: an InnoDB row of 16 KiB pages keeps
/// at most about 8 KB on its page, and a character takes up to 4 bytes.
const LONG_COLUMN_CHARS: i32 = 1000;

/// Gives the session back the checks [`emptying`] found, if it turned them off; nothing when
/// no refresh of this session recorded them.
pub const RESTORE_CHECKS: &str = "SET SESSION \
    unique_checks = COALESCE(@hvr_unique_checks, @@SESSION.unique_checks), \
    foreign_key_checks = COALESCE(@hvr_foreign_key_checks, @@SESSION.foreign_key_checks)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_hex_literals_and_an_unqualified_table_is_in_the_current_database() {
        let table = Table::new("o'rders");
        let sql = emptying("`o'rders`", &table).join("\n");
        assert!(
            sql.contains(
                "CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = CONVERT(X'6f277264657273' USING utf8mb4)"
            ),
            "{sql}"
        );
        let mut qualified = Table::new("t");
        qualified.schema = Some("db".into());
        let sql = emptying("`db`.`t`", &qualified).join("\n");
        assert!(
            sql.contains("CONSTRAINT_SCHEMA = CONVERT(X'6462' USING utf8mb4)"),
            "{sql}"
        );
    }

    #[test]
    fn a_table_with_long_columns_keeps_the_checks() {
        use hvrwasm_sdk::TargetColumn;
        let short = Table::new("t").target_columns(vec![
            TargetColumn::new("id", "int"),
            TargetColumn::new("name", "varchar").size(400),
        ]);
        let keeps = |table: &Table| emptying("`t`", table)[2].contains("IF(TRUE,");
        assert!(!keeps(&short));
        for long in [
            TargetColumn::new("body", "longtext"),
            TargetColumn::new("doc", "JSON"),
            TargetColumn::new("name", "varchar").size(2000),
        ] {
            let table = Table::new("t").target_columns(vec![TargetColumn::new("id", "int"), long]);
            assert!(keeps(&table), "{:?}", table.target_columns);
        }
    }

    #[test]
    fn the_table_is_read_in_a_plain_select_and_deleted_only_when_it_has_rows() {
        let sql = emptying("`t`", &Table::new("t"));
        assert!(sql[0].starts_with("SELECT ") && sql[0].contains("EXISTS (SELECT 1 FROM `t`)"));
        assert_eq!(sql[1], "DELETE FROM `t` WHERE @hvr_filled");
        assert!(sql[2].starts_with("SET SESSION unique_checks = IF(@hvr_filled OR @hvr_checked"));
    }
}
