//! A LOAD DATA statement in progress: the statement runs on its own thread and reads the
//! pipe, a writer thread puts each batch's text into the pipe, and the loading thread encodes
//! the next batch meanwhile, so the server never waits for an encoding.

use std::fs::File;
use std::io::Write as _;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use odbc_api::Connection;

use super::pipe::Pipe;
use crate::odbc::OdbcError;
use crate::watchdog::{Kind, waiting};

/// The target's connection, lent to the thread that runs the statement.
pub(super) struct Lent(pub(super) *const Connection<'static>);

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

pub(super) struct Stream {
    /// To the writer; dropping it closes the pipe once the writer is done.
    batches: SyncSender<Vec<u8>>,
    /// Buffers the writer has written, back for the next batches.
    spent: Receiver<Vec<u8>>,
    writer: JoinHandle<std::io::Result<()>>,
    statement: JoinHandle<Result<(), OdbcError>>,
}

impl Stream {
    /// Starts the statement and, once it reads the pipe, the writer.
    pub(super) fn start(lent: Lent, sql: String, pipe: &Pipe) -> Result<Stream, OdbcError> {
        let thread = |e: std::io::Error| OdbcError::Load(format!("starting LOAD DATA: {e}"));
        let statement = std::thread::Builder::new()
            .name("load-data".into())
            .spawn(move || lent.run(sql))
            .map_err(thread)?;
        let opened = pipe.open_writer(|| statement.is_finished());
        let file = match opened {
            Ok(Some(file)) => file,
            // The statement ended without reading: its error says why.
            Ok(None) => {
                return Err(joined(statement).err().unwrap_or_else(|| {
                    OdbcError::Load("LOAD DATA ended without reading its rows".into())
                }));
            }
            Err(e) => {
                // Open the pipe once so the statement, if it waits for it, reads no rows.
                let _ = File::open(pipe.path());
                let _ = joined(statement);
                return Err(OdbcError::Load(format!("opening LOAD DATA's pipe: {e}")));
            }
        };
        // No queue: the writer takes a batch when it is done with the one before.
        let (batches, to_write) = sync_channel::<Vec<u8>>(0);
        let (give_back, spent) = std::sync::mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("load-data-writer".into())
            .spawn(move || write_all(file, &to_write, &give_back));
        let writer = match writer {
            Ok(writer) => writer,
            Err(e) => {
                // The file was moved into the closure that never ran: dropping it closed it.
                let _ = joined(statement);
                return Err(thread(e));
            }
        };
        Ok(Stream {
            batches,
            spent,
            writer,
            statement,
        })
    }

    /// A buffer to encode the next batch into: one the writer is done with, or a new one.
    pub(super) fn buffer(&self) -> Vec<u8> {
        self.spent.try_recv().unwrap_or_default()
    }

    /// Hands a batch's text to the writer, waiting while it writes the one before; `false`
    /// when the writer has stopped (the statement stopped reading: `end` says why).
    pub(super) fn send(&self, text: Vec<u8>) -> bool {
        let _waiting = waiting(Kind::Statement, "loading rows");
        self.batches.send(text).is_ok()
    }

    /// Closes the pipe after the last batch and waits for the statement to take it: the
    /// statement's error first, then the writer's.
    pub(super) fn end(self) -> Result<(), OdbcError> {
        let Stream {
            batches,
            writer,
            statement,
            ..
        } = self;
        drop(batches);
        let _waiting = waiting(Kind::Statement, "finishing the load");
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the writer panicked")));
        joined(statement)?;
        written.map_err(|e| OdbcError::Load(format!("writing rows to LOAD DATA's pipe: {e}")))
    }
}

/// The statement's end; a server that refuses LOCAL loads is told what to change.
fn joined(statement: JoinHandle<Result<(), OdbcError>>) -> Result<(), OdbcError> {
    statement
        .join()
        .unwrap_or_else(|_| Err(OdbcError::Load("the LOAD DATA thread panicked".into())))
        .map_err(OdbcError::explain_local_infile)
}

/// The writer: each batch's text into the pipe, each buffer back when written. Ends (and
/// closes the pipe) when the sender is dropped, or at the first failed write.
fn write_all(
    mut file: File,
    batches: &Receiver<Vec<u8>>,
    give_back: &std::sync::mpsc::Sender<Vec<u8>>,
) -> std::io::Result<()> {
    for text in batches {
        file.write_all(&text)?;
        // The loader may be gone already; the buffer is then freed here.
        let _ = give_back.send(text);
    }
    Ok(())
}
