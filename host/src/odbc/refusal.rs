//! Which failures of a load are the rows' own: a value or a constraint the target refuses for
//! those rows, which `--error-table` sets aside. Anything else (a lost connection, a timeout,
//! a lock wait, a full disk, a permission, a missing table or column, a server that refuses
//! `LOAD DATA LOCAL`, the host's own pipe) fails the table as without an error table: taking
//! it for the rows' would bisect every batch down to single rows, set them all aside, and
//! report the cycle applied with nothing of it in the target. So this lists what is known to
//! be about the rows, not what is known not to be: an error it misses fails the table, loudly,
//! instead of emptying the cycle into the error table.

use rusqlite::ErrorCode;

/// SQLSTATEs of a refused row: class 22 (data exception: a value that does not fit its type,
/// length or range), class 23 (integrity constraint: NOT NULL, unique, foreign key, CHECK),
/// 54000 (PostgreSQL's program limit, raised for one row's index entry or row too large), and
/// the states a trigger raises to refuse a row by default (MariaDB's `SIGNAL` 45000,
/// PostgreSQL's `RAISE` P0001).
pub(super) fn state_refuses_the_row(state: &str) -> bool {
    state.starts_with("22")
        || state.starts_with("23")
        || matches!(state, "54000" | "45000" | "P0001")
}

/// MariaDB's numbers for a refused row, for the errors that come with the general state HY000
/// (or 01000, a warning that strict mode makes an error) and for the warnings a `LOAD DATA
/// LOCAL` leaves instead of errors (which carry no state): 1048 NULL into NOT NULL, 1062,
/// 1169, 1557, 1586 and 1859 a duplicate key, 1216, 1217, 1451 and 1452 a foreign key, 4025 a
/// CHECK, 1261 and 1262 a row with too few or too many fields, 1263 NULL adjusted to a
/// default, 1264, 1416 and 1690 out of range, 1265 data truncated, 1292, 1367 and 1918 an
/// incorrect date or number, 1300 an invalid character string, 1365 a division by zero, 1366
/// an incorrect value for a column, 1406 too long, 1411 an incorrect value for a function.
const MARIADB_ROW_CODES: [i32; 26] = [
    1048, 1062, 1169, 1216, 1217, 1261, 1262, 1263, 1264, 1265, 1292, 1300, 1365, 1366, 1367, 1406,
    1411, 1416, 1451, 1452, 1557, 1586, 1690, 1859, 1918, 4025,
];

/// A MariaDB error or warning number of a refused row.
pub(super) fn mariadb_code_refuses_the_row(code: i32) -> bool {
    MARIADB_ROW_CODES.contains(&code)
}

/// sqliteodbc reports SQLite's primary result code with the general state: 18 a value too
/// big, 19 a constraint, 20 a datatype mismatch. (MariaDB's numbers start at 1000.)
const SQLITE_VALUE_CODES: [i32; 3] = [18, 19, 20];

/// An ODBC driver's diagnostic record (its state and native error) of a refused row.
pub(super) fn diagnostic_refuses_the_row(state: &str, native: i32) -> bool {
    state_refuses_the_row(state)
        || (matches!(state, "HY000" | "S1000" | "01000")
            && (mariadb_code_refuses_the_row(native) || SQLITE_VALUE_CODES.contains(&native)))
}

/// The native SQLite session's result code of a refused row.
pub(super) fn sqlite_refuses_the_row(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::ConstraintViolation | ErrorCode::TypeMismatch | ErrorCode::TooBig
    )
}

/// MariaDB's numbers for a foreign key's refusal: 1452 and 1216 a child row without its
/// parent, 1451 and 1217 a parent row its children still refer to.
const MARIADB_FOREIGN_KEY_CODES: [i32; 4] = [1216, 1217, 1451, 1452];

/// A MariaDB error or warning number of a foreign key's refusal.
pub(super) fn mariadb_code_is_foreign_key(code: i32) -> bool {
    MARIADB_FOREIGN_KEY_CODES.contains(&code)
}

/// An ODBC diagnostic record of a foreign key's refusal: PostgreSQL's 23503, MariaDB's
/// numbers, sqliteodbc's constraint code with SQLite's words for it.
pub(super) fn diagnostic_is_foreign_key(state: &str, native: i32, message: &str) -> bool {
    state == "23503"
        || (state.starts_with("23") && mariadb_code_is_foreign_key(native))
        || (native == 19 && message.contains("FOREIGN KEY constraint failed"))
}

/// MariaDB's (and MySQL's) refusals of `LOAD DATA LOCAL INFILE` itself: 4166 and 3948 the
/// capability off on the server or the client, 1148 the command not allowed.
pub(super) fn refuses_local_infile(native: i32) -> bool {
    matches!(native, 4166 | 3948 | 1148)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_constraints_are_the_rows() {
        for state in [
            "22001", "22003", "22P02", "22007", "23000", "23505", "23514", "54000",
        ] {
            assert!(diagnostic_refuses_the_row(state, 0), "{state}");
        }
        // MariaDB: Incorrect decimal value, Data truncated, Invalid utf8mb4 character string.
        assert!(diagnostic_refuses_the_row("HY000", 1366));
        assert!(diagnostic_refuses_the_row("01000", 1265));
        assert!(diagnostic_refuses_the_row("HY000", 1300));
        // sqliteodbc: SQLITE_CONSTRAINT.
        assert!(diagnostic_refuses_the_row("HY000", 19));
        assert!(sqlite_refuses_the_row(ErrorCode::ConstraintViolation));
    }

    #[test]
    fn the_server_the_session_and_the_schema_are_not_the_rows() {
        let not_rows = [
            ("HY000", 4166), // local infile disabled
            ("HY000", 1205), // lock wait timeout
            ("HY000", 1114), // table is full
            ("HY000", 1021), // disk full
            ("HY000", 1290), // --read-only
            ("42000", 1142), // INSERT command denied
            ("42S02", 1146), // table doesn't exist
            ("42S22", 1054), // unknown column
            ("HY000", 1364), // a column without a default, left out of the load
            ("08S01", 2013), // lost connection
            ("42501", 1),    // PostgreSQL: permission denied
            ("53100", 1),    // PostgreSQL: disk full
            ("57014", 1),    // PostgreSQL: statement cancelled (timeout)
            ("25006", 1),    // PostgreSQL: read-only transaction
            ("HY000", 5),    // sqliteodbc: SQLITE_BUSY
            ("HY000", 13),   // sqliteodbc: SQLITE_FULL
        ];
        for (state, native) in not_rows {
            assert!(
                !diagnostic_refuses_the_row(state, native),
                "{state} {native}"
            );
        }
        for code in [
            ErrorCode::Unknown,
            ErrorCode::DiskFull,
            ErrorCode::ReadOnly,
            ErrorCode::DatabaseBusy,
            ErrorCode::SystemIoFailure,
        ] {
            assert!(!sqlite_refuses_the_row(code), "{code:?}");
        }
    }

    #[test]
    fn load_warnings_of_refused_rows_are_known_by_number() {
        // Duplicate entry, Data truncated, Incorrect integer value, Column cannot be null.
        for code in [1062, 1265, 1366, 1048] {
            assert!(mariadb_code_refuses_the_row(code), "{code}");
        }
        // Table is full, lock wait timeout, a deprecated syntax note.
        for code in [1114, 1205, 1287] {
            assert!(!mariadb_code_refuses_the_row(code), "{code}");
        }
    }

    #[test]
    fn foreign_keys_are_told_apart_from_other_constraints() {
        assert!(diagnostic_is_foreign_key("23503", 7, ""));
        assert!(diagnostic_is_foreign_key("23000", 1452, ""));
        assert!(diagnostic_is_foreign_key("23000", 1451, ""));
        assert!(diagnostic_is_foreign_key(
            "HY000",
            19,
            "[SQLite]FOREIGN KEY constraint failed (19)"
        ));
        assert!(!diagnostic_is_foreign_key("23000", 1062, ""));
        assert!(!diagnostic_is_foreign_key("23505", 7, ""));
        assert!(!diagnostic_is_foreign_key(
            "HY000",
            19,
            "[SQLite]CHECK constraint failed"
        ));
        assert!(mariadb_code_is_foreign_key(1452) && !mariadb_code_is_foreign_key(1062));
    }

    #[test]
    fn local_infile_refusals_are_known() {
        assert!(refuses_local_infile(4166));
        assert!(!refuses_local_infile(1366));
    }
}
