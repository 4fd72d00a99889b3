//! `LOAD DATA LOCAL INFILE` loads for MariaDB (`LoadShape::MariadbLoadData`): each batch is
//! written as text rows (`text_rows`) into a named pipe in a private directory while the
//! driver reads it, so no batch touches the disk, inside the table's transaction.
//!
//! `LOCAL` makes the server turn what `INSERT` would refuse (a value that does not fit, a
//! duplicate key) into warnings and go on, so after each batch the warnings are read: any
//! warning fails the batch with the server's first message, and the transaction rolls back.

use std::ffi::CString;
use std::io::Write as _;
use std::os::unix::ffi::OsStrExt as _;
use std::path::PathBuf;

use odbc_api::Cursor as _;

use super::text_rows::encode_into;
use super::{OdbcError, RowSink, Target};
use crate::batch::TextBatch;

/// A named pipe in a directory only this user can enter, removed when dropped.
struct Pipe {
    dir: PathBuf,
    path: PathBuf,
}

impl Pipe {
    fn new() -> Result<Pipe, OdbcError> {
        use std::os::unix::fs::DirBuilderExt as _;
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let creating = |dir: &std::path::Path, e: std::io::Error| {
            OdbcError::Load(format!(
                "creating the pipe for LOAD DATA in {}: {e}",
                dir.display()
            ))
        };
        // A process killed while loading leaves its directory behind, and process ids come
        // back: a name already taken is skipped, never reused (its pipe may be another's).
        let mut attempt = 0;
        let dir = loop {
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!(
                "hvrwasm-load-{}-{nanos:08x}-{n}",
                std::process::id()
            ));
            match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => break dir,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => {
                    attempt += 1;
                }
                Err(e) => return Err(creating(&dir, e)),
            }
        };
        let failed = |e: std::io::Error| creating(&dir, e);
        let path = dir.join("rows");
        let c_path = CString::new(path.as_os_str().as_bytes()).expect("no NUL in a temp path");
        // SAFETY: mkfifo reads a valid NUL-terminated path and touches nothing else.
        if unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) } != 0 {
            return Err(failed(std::io::Error::last_os_error()));
        }
        Ok(Pipe { dir, path })
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub struct LoadData<'c> {
    target: &'c Target,
    sql: String,
    pipe: Pipe,
    /// One buffer for every batch's text, handed to the writer thread and back: allocated
    /// once, and never freed on another thread (glibc would keep it in that thread's arena,
    /// and the process grew with the number of batches).
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
            .path
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
            buffer: Vec::new(),
        })
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
        let mut data = std::mem::take(&mut self.buffer);
        encode_into(batch, &mut data);
        let path = self.pipe.path.clone();
        // The writer blocks in open until the driver opens the pipe to read it.
        let writer = std::thread::spawn(move || {
            let written = std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|mut pipe| pipe.write_all(&data));
            (written, data)
        });
        let loaded = {
            let _waiting =
                crate::watchdog::waiting(crate::watchdog::Kind::Statement, "loading a batch");
            self.target
                .connection()
                .execute(&self.sql, (), None)
                .map(|_| ())
                .map_err(|source| OdbcError::Statement {
                    what: "loading a batch".into(),
                    sql: self.sql.clone(),
                    source,
                })
        };
        if loaded.is_err() {
            // The driver may never have opened the pipe: open it once so the writer ends.
            use std::os::unix::fs::OpenOptionsExt as _;
            let _ = std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&self.pipe.path);
        }
        let written = match writer.join() {
            Ok((written, data)) => {
                self.buffer = data;
                written
            }
            Err(_) => Err(std::io::Error::other("the writer panicked")),
        };
        loaded?;
        written
            .map_err(|e| OdbcError::Load(format!("writing a batch to LOAD DATA's pipe: {e}")))?;
        match self.first_warning()? {
            None => Ok(()),
            Some(warning) => Err(OdbcError::Load(format!(
                "LOAD DATA reported {warning}; LOCAL loads keep going past refused values, so the batch fails instead"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};

    #[test]
    fn each_pipe_has_its_own_private_directory_removed_when_dropped() {
        let (a, b) = (Pipe::new().unwrap(), Pipe::new().unwrap());
        assert_ne!(a.dir, b.dir);
        let mode = std::fs::metadata(&a.dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert!(std::fs::metadata(&a.path).unwrap().file_type().is_fifo());
        let dir = a.dir.clone();
        drop(a);
        assert!(!dir.exists());
    }
}
