//! `--history-table`: one row per table per call that applied it.

use super::{LedgerError, NAME_TYPE, TIME_TYPE, checked_name};
use crate::odbc::Database;

pub struct HistoryTable {
    name: String,
}

/// One table's row: what the call applied and when.
#[derive(Clone, Debug, Default)]
pub struct HistoryRow<'a> {
    pub channel: &'a str,
    pub location: &'a str,
    pub mode: &'a str,
    pub table: &'a str,
    pub files: Vec<&'a str>,
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    pub truncated: u64,
    pub set_aside: u64,
    pub started_at: String,
    pub ended_at: String,
    pub connector: String,
}

impl HistoryTable {
    pub fn new(name: &str) -> Result<HistoryTable, LedgerError> {
        Ok(HistoryTable {
            name: checked_name("--history-table", name)?,
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
            "creating the history table",
            &format!(
                "CREATE TABLE IF NOT EXISTS {} (channel {NAME_TYPE} NOT NULL, \
                 location {NAME_TYPE} NOT NULL, mode {NAME_TYPE} NOT NULL, \
                 table_name {NAME_TYPE} NOT NULL, file_count BIGINT NOT NULL, \
                 files {long_text}, rows_inserted BIGINT NOT NULL, \
                 rows_updated BIGINT NOT NULL, rows_deleted BIGINT NOT NULL, \
                 rows_truncated BIGINT NOT NULL, rows_set_aside BIGINT NOT NULL, \
                 started_at {TIME_TYPE} NOT NULL, ended_at {TIME_TYPE} NOT NULL, \
                 host_version {NAME_TYPE} NOT NULL, connector {NAME_TYPE} NOT NULL){options}",
                self.name
            ),
        )?;
        Ok(())
    }

    /// Inside the table's transaction, after its rows and its fence.
    pub fn record(&self, db: &dyn Database, row: &HistoryRow) -> Result<(), LedgerError> {
        let sql = format!(
            "INSERT INTO {} (channel, location, mode, table_name, file_count, files, \
             rows_inserted, rows_updated, rows_deleted, rows_truncated, rows_set_aside, \
             started_at, ended_at, host_version, connector) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.name
        );
        let numbers = [
            row.files.len() as u64,
            row.inserted,
            row.updated,
            row.deleted,
            row.truncated,
            row.set_aside,
        ]
        .map(|n| n.to_string());
        let files = row.files.join(",");
        let params = [
            row.channel,
            row.location,
            row.mode,
            row.table,
            &numbers[0],
            &files,
            &numbers[1],
            &numbers[2],
            &numbers[3],
            &numbers[4],
            &numbers[5],
            &row.started_at,
            &row.ended_at,
            env!("CARGO_PKG_VERSION"),
            &row.connector,
        ];
        db.execute_with("recording the cycle in the history table", &sql, &params)?;
        Ok(())
    }
}
