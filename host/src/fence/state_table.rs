//! The fence's state table, in SQL the host writes for every connector and contract version:
//! one row per (channel, location, table), created before any table's transaction, locked by
//! each call that applies the table (so two calls for the same table exclude each other), and
//! updated in the same transaction as the apply.
//!
//! The statements are portable on purpose (`CREATE TABLE IF NOT EXISTS`, `INSERT ... SELECT
//! ... WHERE NOT EXISTS`, plain `UPDATE` and `SELECT`); the one difference between targets,
//! the type of the long record column, comes from the DBMS the driver names.

use sha2::{Digest, Sha256};
use thiserror::Error;

use super::FenceKey;
use super::record::FenceRecord;
use crate::odbc::{Database, OdbcError};

#[derive(Debug, Error)]
pub enum FenceError {
    #[error(
        "--state-table {0:?}: give NAME or SCHEMA.NAME of letters, digits and '_' (not starting with a digit)"
    )]
    BadName(String),
    #[error(transparent)]
    Odbc(#[from] OdbcError),
    #[error(
        "the fence row of table {table} read back differently from what was just saved; nothing was committed"
    )]
    ReadBack { table: String },
    #[error(
        "--state-table {table}: its engine is {engine}, which has no transactions, so the fence could not commit with the rows; nothing was applied (ALTER TABLE {table} ENGINE=InnoDB makes it transactional)"
    )]
    NonTransactional { table: String, engine: String },
}

/// Key columns are short enough for InnoDB's 3072-byte index limit in utf8mb4.
const KEY_TYPE: &str = "VARCHAR(190)";
/// Tries of `ensure_row` when the target reports a deadlock or a busy database.
const ENSURE_ATTEMPTS: u64 = 20;
const WHERE_KEY: &str = "channel = ? AND location = ? AND table_name = ?";

pub struct StateTable {
    /// Validated, unquoted: each part is a plain identifier, so every target folds it the same
    /// way in every statement (the MariaDB connector once quoted `schema.name` as one name in
    /// one statement and as two in the others).
    name: String,
}

impl StateTable {
    pub fn new(name: &str) -> Result<StateTable, FenceError> {
        if !is_plain_table_name(name) {
            return Err(FenceError::BadName(name.to_string()));
        }
        Ok(StateTable {
            name: name.to_string(),
        })
    }

    /// Creates the table when missing and adds the columns this release needs to a table an
    /// older release created. Runs before any table's transaction (DDL may commit implicitly).
    pub fn prepare(&self, target: &dyn Database) -> Result<(), FenceError> {
        let dbms = target.dbms_name();
        let (long_text, options) = (long_text_type(&dbms), transactional_table_options(&dbms));
        let t = &self.name;
        target.execute(
            "creating the fence's state table",
            &format!(
                "CREATE TABLE IF NOT EXISTS {t} (channel {KEY_TYPE} NOT NULL, \
                 location {KEY_TYPE} NOT NULL, table_name {KEY_TYPE} NOT NULL, \
                 digest {KEY_TYPE} NOT NULL, applied_at TIMESTAMP NULL, \
                 record {long_text}, claimed_by {KEY_TYPE}, \
                 PRIMARY KEY (channel, location, table_name)){options}"
            ),
        )?;
        let (schema, name) = match t.split_once('.') {
            Some((schema, name)) => (Some(schema), name),
            None => (None, t.as_str()),
        };
        if let Some(engine) = crate::odbc::non_transactional_engine(target, schema, name)? {
            return Err(FenceError::NonTransactional {
                table: t.clone(),
                engine,
            });
        }
        // One probe when the table is current (every call); column by column only when not.
        let current = format!("SELECT record, claimed_by FROM {t} WHERE 1 = 0");
        if target.execute("probing the state table", &current).is_ok() {
            return Ok(());
        }
        for (column, ty) in [("record", long_text), ("claimed_by", KEY_TYPE)] {
            let probe = format!("SELECT {column} FROM {t} WHERE 1 = 0");
            if target.execute("probing the state table", &probe).is_err() {
                target.execute(
                    "adding a column to the fence's state table",
                    &format!("ALTER TABLE {t} ADD COLUMN {column} {ty}"),
                )?;
            }
        }
        Ok(())
    }

    /// Makes sure the table's fence row exists, before the apply's transaction, so that the
    /// transaction can lock it. Each statement runs on its own (autocommit): a plain `SELECT`,
    /// then, when the row is missing, a plain `INSERT ... VALUES`. An `INSERT ... SELECT` inside
    /// a transaction took gap locks on MariaDB (parallel tables deadlocked) and, on SQLite, held
    /// a read lock while asking for the write lock, which SQLite refuses at once when another
    /// writer waits. A racing duplicate insert is harmless; deadlocks and SQLITE_BUSY are
    /// tried again.
    pub fn ensure_row(&self, target: &dyn Database, key: &FenceKey) -> Result<(), FenceError> {
        let t = &self.name;
        let exists = format!("SELECT 1 FROM {t} WHERE {WHERE_KEY}");
        let insert =
            format!("INSERT INTO {t} (channel, location, table_name, digest) VALUES (?, ?, ?, '')");
        let k = [&key.channel, &key.location, &key.table].map(String::as_str);
        target.autocommit()?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = target
                .query_text("looking up the table's fence row", &exists, &k)
                .and_then(|found| match found {
                    Some(_) => Ok(()),
                    None => target.execute_with("creating the table's fence row", &insert, &k),
                });
            match result {
                Ok(()) => return Ok(()),
                Err(e) if e.is_unique_violation() => return Ok(()),
                Err(e) if e.is_transient() && attempt < ENSURE_ATTEMPTS => {
                    std::thread::sleep(std::time::Duration::from_millis(20 * attempt));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Inside the apply's transaction, first: locks the fence row until commit or rollback.
    /// A second call for the same table waits here (bounded by the target's lock timeout)
    /// and then reads what the first one committed.
    pub fn claim(
        &self,
        target: &dyn Database,
        key: &FenceKey,
        holder: &str,
    ) -> Result<(), FenceError> {
        let sql = format!("UPDATE {} SET claimed_by = ? WHERE {WHERE_KEY}", self.name);
        target.execute_with(
            "locking the table's fence row (another call for this table may hold it)",
            &sql,
            &[holder, &key.channel, &key.location, &key.table],
        )?;
        Ok(())
    }

    pub fn read(
        &self,
        target: &dyn Database,
        key: &FenceKey,
    ) -> Result<Option<FenceRecord>, FenceError> {
        let sql = format!("SELECT record FROM {} WHERE {WHERE_KEY}", self.name);
        let text = target.query_text(
            "reading the fence",
            &sql,
            &[&key.channel, &key.location, &key.table],
        )?;
        Ok(text.as_deref().and_then(FenceRecord::from_text))
    }

    /// Records what was applied, then reads it back inside the same transaction: a fence the
    /// next call could not read is no fence.
    pub fn save(
        &self,
        target: &dyn Database,
        key: &FenceKey,
        record: &FenceRecord,
    ) -> Result<(), FenceError> {
        self.write(target, key, record)?;
        if self.read(target, key)?.as_ref() != Some(record) {
            return Err(FenceError::ReadBack {
                table: key.table.clone(),
            });
        }
        Ok(())
    }

    /// The statement that records what was applied, without reading it back.
    pub fn write(
        &self,
        target: &dyn Database,
        key: &FenceKey,
        record: &FenceRecord,
    ) -> Result<(), FenceError> {
        let text = record.to_text();
        let digest: String = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let sql = format!(
            "UPDATE {} SET digest = ?, record = ?, applied_at = CURRENT_TIMESTAMP WHERE {WHERE_KEY}",
            self.name
        );
        target.execute_with(
            "recording the fence",
            &sql,
            &[&digest, &text, &key.channel, &key.location, &key.table],
        )?;
        Ok(())
    }
}

impl super::FenceStore for StateTable {
    fn ensure_row(&self, db: &dyn Database, key: &FenceKey) -> Result<(), FenceError> {
        StateTable::ensure_row(self, db, key)
    }
    fn claim(&self, db: &dyn Database, key: &FenceKey, holder: &str) -> Result<(), FenceError> {
        StateTable::claim(self, db, key, holder)
    }
    fn read(&self, db: &dyn Database, key: &FenceKey) -> Result<Option<FenceRecord>, FenceError> {
        StateTable::read(self, db, key)
    }
    fn save(
        &self,
        db: &dyn Database,
        key: &FenceKey,
        record: &FenceRecord,
    ) -> Result<(), FenceError> {
        StateTable::save(self, db, key, record)
    }
}

/// NAME, SCHEMA.NAME or CATALOG.SCHEMA.NAME of letters, digits and `_`: a name every target
/// folds the same way unquoted, for the tables the host itself keeps in the target.
pub(crate) fn is_plain_table_name(name: &str) -> bool {
    let plain = |part: &str| {
        let mut chars = part.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() <= 3 && parts.iter().all(|p| plain(p))
}

/// The type of the record column: unbounded text. MariaDB's and MySQL's `TEXT` stops at 64 KiB,
/// a few thousand file names.
pub(crate) fn long_text_type(dbms: &str) -> &'static str {
    if crate::odbc::is_mariadb_or_mysql(dbms) {
        "LONGTEXT"
    } else {
        "TEXT"
    }
}

/// Table options for the tables the host creates (state, history, error): they commit or roll
/// back with each table's rows, so on MariaDB and MySQL they are InnoDB whatever the server's
/// `default_storage_engine` (a MyISAM default once made the state table fail to create, its
/// key too long for MyISAM, and with a shorter key would have made it one the engine check
/// refuses).
pub(crate) fn transactional_table_options(dbms: &str) -> &'static str {
    if crate::odbc::is_mariadb_or_mysql(dbms) {
        " ENGINE=InnoDB"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_table_names_are_plain_identifiers() {
        for ok in ["hvr_wasm_state", "etl.fence", "_x1", "db.s.t"] {
            assert!(StateTable::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "a b", "x;drop", "1abc", "a..b", "a.b.c.d", "\"q\"", "a-b",
        ] {
            assert!(StateTable::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mariadb_gets_unbounded_text() {
        assert_eq!(long_text_type("MariaDB"), "LONGTEXT");
        assert_eq!(long_text_type("MySQL"), "LONGTEXT");
        assert_eq!(long_text_type("PostgreSQL"), "TEXT");
        assert_eq!(long_text_type("SQLite"), "TEXT");
    }

    #[test]
    fn mariadb_and_mysql_tables_are_innodb_whatever_the_default() {
        assert_eq!(transactional_table_options("MariaDB"), " ENGINE=InnoDB");
        assert_eq!(transactional_table_options("MySQL"), " ENGINE=InnoDB");
        assert_eq!(transactional_table_options("PostgreSQL"), "");
        assert_eq!(transactional_table_options("SQLite"), "");
    }
}
