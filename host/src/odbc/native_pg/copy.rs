//! COPY loads: each batch as COPY text (`odbc::text_rows`) through `COPY ... FROM STDIN` on
//! the native session, inside a savepoint of its own.

use std::io::Write as _;

use super::session::{NativePg, RELEASE, SAVEPOINT, UNDO};
use crate::batch::TextBatch;
use crate::odbc::text_rows::encode_in_pieces;
use crate::odbc::{OdbcError, RowSink};

/// Bytes of COPY text encoded before they are sent: the server parses one piece while the
/// next is encoded. (The client library sends its buffer on every write of more than 4 KiB.)
const COPY_PIECE_BYTES: usize = 64 * 1024;

/// Feeds each batch to `COPY ... FROM STDIN` on the native connection.
pub(super) struct CopySink<'a> {
    pub(super) session: &'a NativePg,
    pub(super) sql: String,
}

impl RowSink for CopySink<'_> {
    fn load(&mut self, batch: &TextBatch) -> Result<(), OdbcError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        self.session.copy_in(&self.sql, batch)
    }
}

impl NativePg {
    /// One batch through `COPY ... FROM STDIN`, undone alone when the server refuses it. The
    /// rows go out in pieces as they are encoded (see [`encode_in_pieces`]), and the COPY is
    /// prepared once per session: a batch costs the savepoint, the COPY and its release.
    fn copy_in(&self, sql: &str, batch: &TextBatch) -> Result<(), OdbcError> {
        let _waiting =
            crate::watchdog::waiting(crate::watchdog::Kind::Statement, "loading a batch");
        let mut client = self.client.borrow_mut();
        let fail = |e| Self::error("loading a batch", Some(sql), e);
        client.batch_execute(SAVEPOINT).map_err(fail)?;
        let copied = self.copy_statement(&mut client, sql).and_then(|statement| {
            let mut writer = client.copy_in(&statement)?;
            // A write error is the connection's: `finish` reports it with the server's words.
            let _ = encode_in_pieces(batch, COPY_PIECE_BYTES, |piece| writer.write_all(piece));
            writer.finish()
        });
        match copied {
            Ok(_) => client.batch_execute(RELEASE).map_err(fail),
            Err(e) => {
                let _ = client.batch_execute(UNDO);
                Err(fail(e))
            }
        }
    }

    /// `sql` prepared, or the statement prepared for it before (prepared statements belong
    /// to the session, not its transaction, so a rolled-back batch leaves it usable).
    fn copy_statement(
        &self,
        client: &mut postgres::Client,
        sql: &str,
    ) -> Result<postgres::Statement, postgres::Error> {
        let mut cached = self.copy_statement.borrow_mut();
        if let Some((text, statement)) = cached.as_ref()
            && text == sql
        {
            return Ok(statement.clone());
        }
        let statement = client.prepare(sql)?;
        *cached = Some((sql.to_string(), statement.clone()));
        Ok(statement)
    }
}
