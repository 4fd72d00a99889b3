//! `LOAD DATA LOCAL INFILE` loads for MariaDB (`LoadShape::MariadbLoadData`): one statement
//! per table, run on its own thread, reads a named pipe (`pipe`) into which each batch is
//! written as text rows (`text_rows`) while the server takes the ones before. Nothing touches
//! the disk, and it all happens inside the table's transaction.
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

use std::fs::File;
use std::io::Write as _;
use std::thread::JoinHandle;

use odbc_api::{Connection, Cursor as _};

use self::pipe::Pipe;
use super::text_rows::encode_into;
use super::{OdbcError, RowSink, Target};
use crate::batch::TextBatch;
use crate::watchdog::{Kind, waiting};

/// The target's connection, lent to the thread that runs the statement.
struct Lent(*const Connection<'static>);

// SAFETY: the connection outlives the thread: `LoadData` borrows its `Target` for its own
// life and joins the thread before it ends (`finish`, or `Drop`), and no sink is leaked. While
// the thread runs, the sink does not use the connection, and the table's load does not either
// (its other statements come before the load or after `finish`); ODBC handles are thread-safe
// in any case (the driver manager and the driver serialise calls on a connection), so the
// worst a mistake here could cause is a wait, not a race. `Connection` is `Send`; only the
// shared borrow crosses.
unsafe impl Send for Lent {}

impl Lent {
    fn run(self, sql: String) -> Result<(), OdbcError> {
        // SAFETY: see `Lent`: the connection is alive until this thread is joined.
        let conn = unsafe { &*self.0 };
        conn.execute(&sql, (), None)
            .map(|_| ())
            .map_err(|source| OdbcError::Statement {
                what: "loading rows".into(),
                sql,
                source,
            })
    }
}

/// A statement reading the pipe, and the pipe's write end (`None` once closed).
struct Stream {
    writer: Option<File>,
    statement: JoinHandle<Result<(), OdbcError>>,
}

impl Stream {
    /// Closes the pipe and waits for the statement to take the last rows.
    fn end(mut self) -> Result<(), OdbcError> {
        drop(self.writer.take());
        let _waiting = waiting(Kind::Statement, "finishing the load");
        self.statement
            .join()
            .unwrap_or_else(|_| Err(OdbcError::Load("the LOAD DATA thread panicked".into())))
    }
}

pub struct LoadData<'c> {
    target: &'c Target,
    sql: String,
    pipe: Pipe,
    stream: Option<Stream>,
    /// One buffer for every batch's text, reused: allocated once.
    buffer: Vec<u8>,
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
            buffer: Vec::new(),
        })
    }

    /// Starts the statement and opens the pipe it reads.
    fn start(&self) -> Result<Stream, OdbcError> {
        let lent = Lent(self.target.connection());
        let sql = self.sql.clone();
        let statement = std::thread::Builder::new()
            .name("load-data".into())
            .spawn(move || lent.run(sql))
            .map_err(|e| OdbcError::Load(format!("starting LOAD DATA's thread: {e}")))?;
        let opened = self.pipe.open_writer(|| statement.is_finished());
        let mut stream = Stream {
            writer: None,
            statement,
        };
        match opened {
            Ok(Some(writer)) => {
                stream.writer = Some(writer);
                Ok(stream)
            }
            // The statement ended without reading: its error says why.
            Ok(None) => Err(stream.end().err().unwrap_or_else(|| {
                OdbcError::Load("LOAD DATA ended without reading its rows".into())
            })),
            Err(e) => {
                // Open the pipe once so the statement, if it is waiting, reads an empty file.
                let _ = File::open(self.pipe.path());
                let _ = stream.end();
                Err(OdbcError::Load(format!("opening LOAD DATA's pipe: {e}")))
            }
        }
    }

    /// The server's first warning after the last statement, if it left any.
    fn first_warning(&self) -> Result<Option<String>, OdbcError> {
        let failed = |source| OdbcError::Statement {
            what: "reading the warnings of LOAD DATA".into(),
            sql: "SHOW WARNINGS LIMIT 1".into(),
            source,
        };
        let conn = self.target.connection();
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
        Ok(Some(format!("{} {}: {}", text(1)?, text(2)?, text(3)?)))
    }
}

impl RowSink for LoadData<'_> {
    fn load(&mut self, batch: &TextBatch) -> Result<(), OdbcError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        encode_into(batch, &mut self.buffer);
        if self.stream.is_none() {
            self.stream = Some(self.start()?);
        }
        let stream = self.stream.as_mut().expect("started above");
        let written = {
            let _waiting = waiting(Kind::Statement, "loading rows");
            let writer = stream.writer.as_mut().expect("open while the stream is");
            writer.write_all(&self.buffer)
        };
        if let Err(e) = written {
            // The statement stopped reading (it failed): its error is the one to report.
            let stream = self.stream.take().expect("open");
            stream.end()?;
            return Err(OdbcError::Load(format!(
                "writing rows to LOAD DATA's pipe: {e}"
            )));
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), OdbcError> {
        let Some(stream) = self.stream.take() else {
            return Ok(());
        };
        stream.end()?;
        match self.first_warning()? {
            None => Ok(()),
            Some(warning) => Err(OdbcError::Load(format!(
                "LOAD DATA reported {warning}; LOCAL loads keep going past refused values, so the load fails instead"
            ))),
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
