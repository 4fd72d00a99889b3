//! `LOAD DATA LOCAL INFILE` loads for MariaDB (`LoadShape::MariadbLoadData`): one statement
//! per file, run on its own thread, reads a named pipe (`pipe`) into which a writer thread
//! puts each batch as text rows (`text_rows`) while the next batch is encoded (`stream`).
//! Nothing touches the disk, and it all happens inside the table's transaction.
//!
//! The statement ends when [`RowSink::finish`] closes the pipe (with `--error-table`, after
//! every batch, so a refused batch can be bisected under its savepoint). `LOCAL` makes the
//! server turn what `INSERT` would refuse (a value that does not fit, a duplicate key) into
//! warnings and go on, so after the statement the warnings are read: any warning fails the
//! load with the server's first message, and the transaction rolls back.
//!
//! A sink dropped with its statement still open (an error elsewhere stopped the load) closes
//! the pipe, so the server commits a short load to the open transaction: the target is marked
//! so that it refuses to commit that transaction (`Target::forbid_commit`).

mod pipe;
mod stream;

use self::pipe::Pipe;
use self::stream::{Lent, Stream};
use super::text_rows::encode_into;
use super::{OdbcError, RowSink, Target};
use crate::batch::TextBatch;

pub struct LoadData<'c> {
    target: &'c Target,
    sql: String,
    pipe: Pipe,
    stream: Option<Stream>,
}

impl<'c> LoadData<'c> {
    pub fn new(
        target: &'c Target,
        table: &str,
        columns: &[String],
    ) -> Result<LoadData<'c>, OdbcError> {
        let pipe = Pipe::new()?;
        let file = pipe
            .path()
            .to_string_lossy()
            .replace('\\', "\\\\")
            .replace('\'', "\\'");
        let sql = format!(
            "LOAD DATA LOCAL INFILE '{file}' INTO TABLE {table} CHARACTER SET utf8mb4 \
             FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({})",
            columns.join(", ")
        );
        Ok(LoadData {
            target,
            sql,
            pipe,
            stream: None,
        })
    }
}

impl RowSink for LoadData<'_> {
    fn load(&mut self, batch: &TextBatch) -> Result<(), OdbcError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        if self.stream.is_none() {
            let lent = Lent(self.target.connection());
            self.stream = Some(Stream::start(lent, self.sql.clone(), &self.pipe)?);
        }
        let stream = self.stream.as_ref().expect("started above");
        let mut text = stream.buffer();
        encode_into(batch, &mut text);
        if stream.send(text) {
            return Ok(());
        }
        // The writer stopped because the statement stopped reading: its error says why.
        let ended = self.stream.take().expect("open").end();
        Err(ended.err().unwrap_or_else(|| {
            OdbcError::Load("LOAD DATA stopped reading its rows before their end".into())
        }))
    }

    fn finish(&mut self) -> Result<(), OdbcError> {
        let Some(stream) = self.stream.take() else {
            return Ok(());
        };
        stream.end()?;
        match super::warnings::first_warning(self.target)? {
            None => Ok(()),
            Some(warning) => Err(OdbcError::AdjustedValue {
                code: warning.code,
                message: format!(
                    "LOAD DATA reported {}; LOCAL loads keep going past refused values, so the load fails instead",
                    warning.text
                ),
            }),
        }
    }
}

impl Drop for LoadData<'_> {
    fn drop(&mut self) {
        if let Some(stream) = self.stream.take() {
            self.target.forbid_commit();
            let _ = stream.end();
        }
    }
}
