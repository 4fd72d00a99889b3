//! COPY loads: each batch as COPY text (`odbc::text_rows`) through `COPY ... FROM STDIN`.

use super::session::NativePg;
use crate::batch::TextBatch;
use crate::odbc::text_rows::encode;
use crate::odbc::{OdbcError, RowSink};

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
        self.session.copy_in(&self.sql, &encode(batch))
    }
}
