//! The named pipe LOAD DATA reads: in a directory only this user can enter, removed when
//! dropped, and opened for writing without ever blocking on a reader that will not come.

use std::ffi::CString;
use std::fs::File;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::odbc::OdbcError;

/// The pipe's capacity: a whole batch of text (about 650 KB for 10,000 rows of the integrate
/// bench) fits at once. MariaDB's driver reads the pipe 4 KiB at a time; with Linux's default
/// 64 KiB the writer, blocked inside a batch's write, was woken for every page read. Measured
/// on an `integ_end` of 1M changes: 12.8k context switches with the default, 8.7k-9.8k with
/// 1 MiB (wall time alike within the machine's noise). 1 MiB is the most an unprivileged
/// process may ask for (`/proc/sys/fs/pipe-max-size`); a refusal keeps the default.
const PIPE_BYTES: libc::c_int = 1 << 20;

pub(super) struct Pipe {
    dir: PathBuf,
    path: PathBuf,
}

impl Pipe {
    pub(super) fn new() -> Result<Pipe, OdbcError> {
        use std::os::unix::fs::DirBuilderExt as _;
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let creating = |dir: &Path, e: std::io::Error| {
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
        let path = dir.join("rows");
        let c_path = CString::new(path.as_os_str().as_bytes()).expect("no NUL in a temp path");
        // SAFETY: mkfifo reads a valid NUL-terminated path and touches nothing else.
        if unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) } != 0 {
            let e = std::io::Error::last_os_error();
            // Dropping the half-made pipe removes its directory.
            let pipe = Pipe { dir, path };
            return Err(creating(&pipe.dir, e));
        }
        Ok(Pipe { dir, path })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the pipe for writing once a reader has it open. Opening a pipe blocks until a
    /// reader comes, and a statement that fails before it reads never comes: so the open
    /// does not block, and is tried again until the reader comes or `gave_up()` says the
    /// reader has ended (`Ok(None)`: its own error says why).
    pub(super) fn open_writer(
        &self,
        gave_up: impl Fn() -> bool,
    ) -> Result<Option<File>, std::io::Error> {
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&self.path)
            {
                Ok(file) => {
                    widen(&file);
                    blocking(&file)?;
                    return Ok(Some(file));
                }
                Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                    if gave_up() {
                        return Ok(None);
                    }
                    std::thread::sleep(Duration::from_micros(200));
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Asks for a pipe of [`PIPE_BYTES`]; the default stays if the system refuses.
fn widen(file: &File) {
    use std::os::fd::AsRawFd as _;
    // SAFETY: fcntl on a descriptor this function borrows, with integer arguments only.
    unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETPIPE_SZ, PIPE_BYTES) };
}

/// Writes to the pipe wait for the reader again (the open did not).
fn blocking(file: &File) -> Result<(), std::io::Error> {
    use std::os::fd::AsRawFd as _;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function borrows, with integer arguments only.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

impl Drop for Pipe {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read as _, Write as _};
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

    #[test]
    fn opening_gives_up_when_no_reader_will_come() {
        let pipe = Pipe::new().unwrap();
        assert!(pipe.open_writer(|| true).unwrap().is_none());
    }

    #[test]
    fn opening_waits_for_a_reader_and_writes_block_until_read() {
        let pipe = Pipe::new().unwrap();
        let path = pipe.path().to_path_buf();
        let reader = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            let mut text = Vec::new();
            File::open(path).unwrap().read_to_end(&mut text).unwrap();
            text
        });
        let mut writer = pipe.open_writer(|| false).unwrap().unwrap();
        // More than a pipe holds: only a blocking writer gets it all through.
        let data = vec![b'x'; 1 << 20];
        writer.write_all(&data).unwrap();
        drop(writer);
        assert_eq!(reader.join().unwrap(), data);
    }
}
