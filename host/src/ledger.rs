//! Tables the host keeps in the target beside the fence, both opt-in: the cycle history
//! (`--history-table`, one row per table per applying call) and the error table
//! (`--error-table`, the rows a load set aside). Both are written inside the table's own
//! transaction, so they commit exactly when the rows they describe commit, and a re-run after
//! a crash writes them once.
//!
//! Like the state table, their SQL is portable and the same for every connector; names are
//! plain identifiers, so every target folds them alike without quoting.

mod errors;
mod history;

pub use errors::{ErrorTable, RejectContext, Rejected};
pub use history::{HistoryRow, HistoryTable};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum LedgerError {
    #[error(
        "{option} {name:?}: give NAME or SCHEMA.NAME of letters, digits and '_' (not starting with a digit)"
    )]
    BadName { option: &'static str, name: String },
    #[error(
        "--error-table: the driver does not keep the transaction open after a failed statement, so rows cannot be set aside one by one ({reason}); with psqlODBC use Protocol=7.4-0 or 7.4-2 (or leave Protocol out) instead of 7.4-1; nothing was applied"
    )]
    NoSavepoints { reason: String },
    #[error(
        "{option} {table}: its engine is {engine}, which has no transactions, so its rows could not commit or roll back with the table's; nothing was applied (ALTER TABLE {table} ENGINE=InnoDB makes it transactional)"
    )]
    NonTransactional {
        option: &'static str,
        table: String,
        engine: String,
    },
    #[error(transparent)]
    Odbc(#[from] crate::odbc::OdbcError),
}

/// The call's ledgers, as the options asked for them, and what names the connector in them.
#[derive(Default)]
pub struct Ledgers {
    pub history: Option<HistoryTable>,
    pub errors: Option<ErrorTable>,
    /// `name version` of the connector.
    pub connector: String,
}

impl Ledgers {
    pub fn new(
        history: Option<&str>,
        errors: Option<&str>,
        connector: String,
    ) -> Result<Ledgers, LedgerError> {
        Ok(Ledgers {
            history: history.map(HistoryTable::new).transpose()?,
            errors: errors.map(ErrorTable::new).transpose()?,
            connector,
        })
    }

    /// Creates the tables that are missing; before any table's transaction, like the fence.
    pub fn prepare(&self, db: &dyn crate::odbc::Database) -> Result<(), LedgerError> {
        if let Some(history) = &self.history {
            history.prepare(db)?;
            require_transactions(db, "--history-table", history.name())?;
        }
        if let Some(errors) = &self.errors {
            errors.prepare(db)?;
            require_transactions(db, "--error-table", errors.name())?;
            errors.probe_savepoints(db)?;
        }
        Ok(())
    }
}

/// A ledger's rows are written in each table's transaction: one made by hand (or by an older
/// release) in an engine without transactions would keep the rows of an apply that rolled
/// back. The host creates its ledgers in InnoDB on MariaDB and MySQL.
fn require_transactions(
    db: &dyn crate::odbc::Database,
    option: &'static str,
    name: &str,
) -> Result<(), LedgerError> {
    let (schema, table) = match name.split_once('.') {
        Some((schema, table)) => (Some(schema), table),
        None => (None, name),
    };
    match crate::odbc::non_transactional_engine(db, schema, table)? {
        None => Ok(()),
        Some(engine) => Err(LedgerError::NonTransactional {
            option,
            table: name.to_string(),
            engine,
        }),
    }
}

fn checked_name(option: &'static str, name: &str) -> Result<String, LedgerError> {
    if crate::fence::is_plain_table_name(name) {
        Ok(name.to_string())
    } else {
        Err(LedgerError::BadName {
            option,
            name: name.to_string(),
        })
    }
}

/// Short names fit InnoDB's index limits in utf8mb4, like the state table's key columns.
const NAME_TYPE: &str = "VARCHAR(190)";
/// ISO-8601 UTC text: sorts in time order and reads alike on every target.
const TIME_TYPE: &str = "VARCHAR(32)";
