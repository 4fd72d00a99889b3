//! Values MariaDB and MySQL adjust instead of refusing. Strict mode (which the host sets, see
//! `connection::require_exact_values`) makes most of them errors, but some stay warnings or
//! notes whatever the mode: a decimal rounded to the column's scale, extra fractional
//! seconds cut, and under `LOAD DATA LOCAL` everything. A load that left any is failed (or,
//! with `--error-table`, its rows are set aside), so that no value lands other than as the
//! file has it.

use odbc_api::Cursor as _;

use super::OdbcError;
use super::connection::Target;

/// A warning or note the server left: its number, and its level, number and message as text.
pub(super) struct Warning {
    pub code: i32,
    pub text: String,
}

/// The server's first warning or note after the last statement, if it left any.
pub(super) fn first_warning(target: &Target) -> Result<Option<Warning>, OdbcError> {
    let failed = |source| OdbcError::Statement {
        what: "reading the warnings of the load".into(),
        sql: "SHOW WARNINGS LIMIT 1".into(),
        source,
    };
    let conn = target.connection();
    let Some(mut cursor) = conn
        .execute("SHOW WARNINGS LIMIT 1", (), None)
        .map_err(failed)?
    else {
        return Ok(None);
    };
    let Some(mut row) = cursor.next_row().map_err(failed)? else {
        return Ok(None);
    };
    let mut text = |col| -> Result<String, OdbcError> {
        let mut buf = Vec::new();
        row.get_text(col, &mut buf).map_err(failed)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    };
    let (level, code, message) = (text(1)?, text(2)?, text(3)?);
    Ok(Some(Warning {
        code: code.trim().parse().unwrap_or(0),
        text: format!("{level} {code}: {message}"),
    }))
}

/// Fails a parameter-array load whose last statement left a warning.
pub(super) fn refuse_adjusted_values(target: &Target) -> Result<(), OdbcError> {
    match first_warning(target)? {
        None => Ok(()),
        Some(warning) => Err(OdbcError::AdjustedValue {
            code: warning.code,
            message: format!(
                "the target reported {}; it stored an adjusted value instead of refusing it, so the load fails instead",
                warning.text
            ),
        }),
    }
}
