//! Two helpers of a table's work: the DELETE of `--refresh-condition`, which the host writes
//! itself, and the message of a panic that failed a table.

use super::TableError;
use super::host_sql::HostSql;
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
    let sql = HostSql::for_connector(info).ok_or_else(|| TableError::RestrictUnsupported {
        dialect: info.dialect.clone(),
    })?;
    let table = sql.table(spec);
    Ok(format!("DELETE FROM {table} WHERE {condition}"))
}
