//! A stream copied to a temporary file that is unlinked at once, so nothing is left behind
//! whatever ends the process.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use super::LocationError;

static NEXT: AtomicU64 = AtomicU64::new(0);

/// Copies `input` (the object `name`) into a new file in the temporary directory
/// (`TMPDIR`) and returns it opened at its start.
pub fn to_temp_file(mut input: Box<dyn Read + Send>, name: &str) -> Result<File, LocationError> {
    let path = std::env::temp_dir().join(format!(
        "hvrwasm-{}-{}.spool",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let open_error = |path: &PathBuf| {
        let path = path.clone();
        move |source| LocationError::Open { path, source }
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(open_error(&path))?;
    // Unlinked now: the open handle keeps the data until the file is dropped.
    let _ = std::fs::remove_file(&path);
    std::io::copy(&mut input, &mut file).map_err(|source| LocationError::Open {
        path: PathBuf::from(name),
        source,
    })?;
    file.seek(SeekFrom::Start(0)).map_err(open_error(&path))?;
    Ok(file)
}
