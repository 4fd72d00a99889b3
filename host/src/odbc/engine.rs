//! MariaDB and MySQL tables in an engine without transactions (MyISAM, Aria, MEMORY, ...)
//! keep the rows of a statement whatever the transaction does after it. The host's promises
//! rest on rollback: a failed table leaves the target as it was, and the fence's record
//! commits with the rows or not at all. On such a table a failure half-way would leave half a
//! cycle applied and recorded as not applied, so the next run applies it again: doubled rows.
//! So the host refuses to load such a table, or to keep its fence in one, before it changes
//! anything.

use super::{Database, OdbcError};

/// The engine of `table` when it is a MariaDB/MySQL table whose engine has no transactions;
/// `None` for a transactional table, a missing one, or another kind of database.
pub fn non_transactional_engine(
    db: &dyn Database,
    catalog: Option<&str>,
    table: &str,
) -> Result<Option<String>, OdbcError> {
    if !super::is_mariadb_or_mysql(&db.dbms_name()) {
        return Ok(None);
    }
    const QUERY: &str = "SELECT t.ENGINE FROM information_schema.TABLES t \
         JOIN information_schema.ENGINES e ON e.ENGINE = t.ENGINE \
         WHERE t.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND t.TABLE_NAME = ? \
         AND t.TABLE_TYPE = 'BASE TABLE' AND e.TRANSACTIONS <> 'YES'";
    query_in_schema(
        db,
        "reading the table's storage engine",
        QUERY,
        catalog,
        table,
    )
}

/// Runs a catalog `query` whose first parameter is the table's schema, written
/// `COALESCE(?, DATABASE())`, and whose second is the table's name: without a `catalog` the
/// session's current database stands in.
pub(super) fn query_in_schema(
    db: &dyn Database,
    what: &str,
    query: &str,
    catalog: Option<&str>,
    table: &str,
) -> Result<Option<String>, OdbcError> {
    match catalog {
        Some(catalog) => db.query_text(what, query, &[catalog, table]),
        None => db.query_text(
            what,
            &query.replacen("COALESCE(?, DATABASE())", "DATABASE()", 1),
            &[table],
        ),
    }
}
