//! COPY loads: each batch as COPY text (`odbc::text_rows`) through `COPY ... FROM STDIN` on
//! the native session, in the table's transaction itself.
//!
//! Unlike the session's other statements, a COPY gets no savepoint of its own: rows written in
//! a subtransaction cost the server more (`psql` loading 2M narrow rows in 80 COPYs: 6% more
//! server time with a savepoint around each than without, six alternating rounds), and no
//! caller needs one. Without an error table a failed batch fails the table, whose transaction
//! is rolled back whole; with one, the set-aside code puts its own savepoints around each
//! checkpoint and each attempt, and rolls back to them (which works in a failed transaction).

use std::io::Write as _;

use super::session::NativePg;
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
    /// `sql` prepared by the first batch, for the next ones.
    pub(super) statement: Option<postgres::Statement>,
}

impl RowSink for CopySink<'_> {
    fn load(&mut self, batch: &TextBatch) -> Result<(), OdbcError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        self.session.copy_in(&self.sql, &mut self.statement, batch)
    }
}

impl NativePg {
    /// One batch through `COPY ... FROM STDIN`. The rows go out in pieces as they are encoded
    /// (see [`encode_in_pieces`]), and `sql` is prepared once into `statement` (prepared
    /// statements belong to the session, not its transaction, so a rolled-back batch leaves
    /// it usable): a batch costs one COPY. A refused batch leaves the transaction failed,
    /// for the caller to roll back (see the module's note).
    fn copy_in(
        &self,
        sql: &str,
        statement: &mut Option<postgres::Statement>,
        batch: &TextBatch,
    ) -> Result<(), OdbcError> {
        let _waiting =
            crate::watchdog::waiting(crate::watchdog::Kind::Statement, "loading a batch");
        let mut client = self.client.borrow_mut();
        let fail = |e| Self::error("loading a batch", Some(sql), e);
        let prepared = match statement {
            Some(prepared) => Ok(prepared.clone()),
            None => client
                .prepare(sql)
                .inspect(|p| *statement = Some(p.clone())),
        };
        let copied = prepared.and_then(|prepared| {
            let mut writer = client.copy_in(&prepared)?;
            // A write error is the connection's: `finish` reports it with the server's words.
            let _ = encode_in_pieces(batch, COPY_PIECE_BYTES, |piece| writer.write_all(piece));
            writer.finish()
        });
        copied.map(|_| ()).map_err(fail)
    }
}
