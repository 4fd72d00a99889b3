//! How one file's batches reach the loader: decoded on a reader thread while the current
//! batch loads, or, for a file of one batch, decoded and loaded on the table's own thread (a
//! reader thread would only add its start to a small call, with nothing to overlap).

use std::sync::mpsc;

use super::read::{Decode, LoadState, ReadBatch, ReadEnd};
use super::{TableError, TableJob};
use crate::batch::TextBatch;
use crate::odbc::Database;

type Finish<'f> = dyn FnMut(TextBatch) -> Result<TextBatch, TableError> + Send + 'f;

impl TableJob<'_> {
    /// Decodes the file and loads its batches; returns how loading ended and how reading did.
    pub(super) fn feed(
        &self,
        db: &dyn Database,
        decode: &Decode<'_>,
        finish: &mut Finish<'_>,
        state: &mut LoadState,
    ) -> (Result<(), TableError>, Result<ReadEnd, TableError>) {
        let one_batch = decode
            .file
            .rows
            .is_some_and(|rows| rows <= decode.batch_rows as u64);
        if one_batch {
            let mut loaded = Ok(());
            let mut load_now = |read: ReadBatch| {
                loaded = self.load_batch(db, decode.file, read, state);
                loaded.is_ok()
            };
            let read = self.read_batches(decode, finish, &mut load_now);
            return (loaded, read);
        }
        std::thread::scope(|scope| {
            let (batches, received) = mpsc::sync_channel::<ReadBatch>(2);
            // The sender moves to the reader: its end ends the loop below.
            let reader = scope.spawn(move || {
                let mut send = |read: ReadBatch| batches.send(read).is_ok();
                self.read_batches(decode, finish, &mut send)
            });
            let mut loaded = Ok(());
            while let Ok(read) = received.recv() {
                if let Err(e) = self.load_batch(db, decode.file, read, state) {
                    loaded = Err(e);
                    break;
                }
            }
            // Dropping the receiver stops the reader at its next batch.
            drop(received);
            // A panic while decoding or transforming fails this table, not the process.
            let read = reader.join().unwrap_or_else(|panic| {
                Err(TableError::Panicked(
                    "reading the file",
                    super::panic_message(&*panic),
                ))
            });
            (loaded, read)
        })
    }
}
