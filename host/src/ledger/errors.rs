//! `--error-table`: rows a load set aside, with where they came from and why.

use super::{LedgerError, NAME_TYPE, TIME_TYPE, checked_name};
use crate::odbc::Database;

pub struct ErrorTable {
    name: String,
}

/// One row set aside.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected {
    pub file: String,
    /// `line 7`, `row group 1, row 3`, ...
    pub position: String,
    /// The row's fields as CSV (empty for NULL), as the host read them.
    pub raw: String,
    /// The database's or the decoder's message.
    pub error: String,
}

/// Who set the rows aside, written with each of them.
pub struct RejectContext<'a> {
    pub channel: &'a str,
    pub location: &'a str,
    pub mode: &'a str,
    pub table: &'a str,
}

impl ErrorTable {
    pub fn new(name: &str) -> Result<ErrorTable, LedgerError> {
        Ok(ErrorTable {
            name: checked_name("--error-table", name)?,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Creates the table when missing; runs before any table's transaction.
    pub fn prepare(&self, db: &dyn Database) -> Result<(), LedgerError> {
        let dbms = db.dbms_name();
        let long_text = crate::fence::long_text_type(&dbms);
        let options = crate::fence::transactional_table_options(&dbms);
        db.execute(
            "creating the error table",
            &format!(
                "CREATE TABLE IF NOT EXISTS {} (set_aside_at {TIME_TYPE} NOT NULL, \
                 channel {NAME_TYPE} NOT NULL, location {NAME_TYPE} NOT NULL, \
                 mode {NAME_TYPE} NOT NULL, table_name {NAME_TYPE} NOT NULL, \
                 file_name {long_text} NOT NULL, position {NAME_TYPE} NOT NULL, \
                 raw_row {long_text}, error {long_text} NOT NULL){options}",
                self.name
            ),
        )?;
        Ok(())
    }

    /// Rows are set aside by rolling back to a savepoint after the target rejects a batch;
    /// that needs a driver that leaves the transaction open after an error. psqlODBC with
    /// `Protocol=7.4-1` rolls the whole transaction back instead: refused here, before any
    /// table starts, rather than failing every table that meets a bad row.
    pub fn probe_savepoints(&self, db: &dyn Database) -> Result<(), LedgerError> {
        db.begin()?;
        let result = db
            .execute("probing savepoints", "SAVEPOINT hvr_wasm_probe")
            .and_then(|()| {
                // Any statement that fails on every target.
                let _ = db.execute(
                    "probing savepoints (this statement fails on purpose)",
                    "SELECT hvr_wasm_no_such_column FROM hvr_wasm_no_such_table",
                );
                db.execute("probing savepoints", "ROLLBACK TO SAVEPOINT hvr_wasm_probe")
            });
        let _ = db.rollback();
        result.map_err(|e| LedgerError::NoSavepoints {
            reason: e
                .to_string()
                .split("\n  SQL:")
                .next()
                .unwrap_or_default()
                .to_string(),
        })
    }

    /// Inside the table's transaction, with the rows that did load.
    pub fn record(
        &self,
        db: &dyn Database,
        context: &RejectContext,
        rejected: &Rejected,
    ) -> Result<(), LedgerError> {
        let sql = format!(
            "INSERT INTO {} (set_aside_at, channel, location, mode, table_name, file_name, \
             position, raw_row, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.name
        );
        let at = crate::clock::now_iso();
        let params = [
            at.as_str(),
            context.channel,
            context.location,
            context.mode,
            context.table,
            &rejected.file,
            &rejected.position,
            &rejected.raw,
            &rejected.error,
        ];
        db.execute_with("setting a row aside in the error table", &sql, &params)?;
        Ok(())
    }
}
