//! Two helpers of a table's work: the DELETE of `--refresh-condition`, which the host writes
//! itself, and the message of a panic that failed a table.

use super::TableError;
use crate::domain::ConnectorInfo;
use crate::hvr::TableSpec;

/// What a panic said, for the table's error.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// `DELETE FROM <table> WHERE <condition>`, the table quoted as the connector's dialect does.
/// The host writes it itself, so a connector that does not know the option cannot silently
/// empty the whole table instead.
pub(super) fn restrict_delete(
    info: &ConnectorInfo,
    spec: &TableSpec,
    condition: &str,
) -> Result<String, TableError> {
    let quote = match info.dialect.as_str() {
        "sqlite" | "postgresql" | "postgres" | "ansi" => '"',
        "mariadb" | "mysql" => '`',
        other => {
            return Err(TableError::RestrictUnsupported {
                dialect: other.to_string(),
            });
        }
    };
    let ident = |name: &str| {
        let doubled = name.replace(quote, &format!("{quote}{quote}"));
        format!("{quote}{doubled}{quote}")
    };
    let table = match &spec.schema {
        Some(schema) => format!("{}.{}", ident(schema), ident(&spec.base_name)),
        None => ident(&spec.base_name),
    };
    Ok(format!("DELETE FROM {table} WHERE {condition}"))
}
