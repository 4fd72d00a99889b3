//! The file location HVR wrote into (`HVR_FILE_LOC`): a local directory, or a directory in an
//! S3 bucket, an Azure Blob / ADLS Gen2 container or a GCS bucket. Both kinds offer the same
//! four operations the table lifecycle needs: exists, open (a stream), delete, list.

mod client;
mod local;
pub mod name;
mod remote;
mod spool;
mod stream;
mod url;

use std::io::Read;
use std::path::PathBuf;

use thiserror::Error;

pub use client::StoreSettings;
pub use local::LocalLocation;
pub use remote::RemoteLocation;
pub use url::{CloudStore, CloudUrl, StoreUrl};

/// HVR's state directory inside a location's top; never read, listed or deleted.
pub const STATE_DIR: &str = "_hvr_state/";

#[derive(Debug, Error)]
pub enum LocationError {
    #[error("file location {location:?} cannot be read: {why}")]
    BadUrl { location: String, why: String },
    #[error("{0}")]
    Settings(String),
    /// A store refused or failed an operation on one object.
    #[error("{store}: {action} '{object}' failed: {cause}")]
    Store {
        store: String,
        action: &'static str,
        object: String,
        cause: String,
    },
    #[error("cannot open {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot delete {path}: {source}")]
    Delete {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot list {path}: {source}")]
    List {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("refusing to touch {name:?}: it is in HVR's state directory")]
    StateDir { name: String },
    #[error(transparent)]
    Name(#[from] name::NameError),
    #[error(
        "file {name:?} leads out of the file location (to {target}); refusing to read or delete it"
    )]
    Escapes { name: String, target: PathBuf },
    #[error(
        "file location {path} cannot be used: {why} (an unmounted share or a typo in HVR_FILE_LOC?)"
    )]
    MissingDirectory { path: PathBuf, why: String },
}

/// What tells two writes of a file with the same name apart: size, modification time and
/// inode locally; size, ETag and version on an object store. Recorded in the fence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileIdentity(pub String);

/// The seam the table orchestration reads and removes files through: a local directory and
/// every object store follow the same rules (one name check, deleting a missing file
/// succeeds), and unit tests put fakes here.
pub trait Files: Sync {
    /// What to call the location in the job log.
    fn describe(&self) -> String;
    /// The file's identity, or `None` when it is not there.
    fn stat(&self, name: &str) -> Result<Option<FileIdentity>, LocationError>;
    fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, LocationError>;
    /// The file with random access, for formats read by offset (Parquet). A store's object
    /// is copied to an unlinked temporary file first: memory stays flat, disk holds one file.
    fn open_seekable(&self, name: &str) -> Result<std::fs::File, LocationError> {
        spool::to_temp_file(self.open(name)?, name)
    }
    /// `len` bytes from offset `start`, e.g. a Parquet footer, without fetching the whole
    /// file; the range lies inside the file (callers know its `size`). The default reads
    /// from the start; backends do better.
    fn read_range(&self, name: &str, start: u64, len: usize) -> Result<Vec<u8>, LocationError> {
        let open_error = |source| LocationError::Open {
            path: name.into(),
            source,
        };
        let mut input = self.open(name)?;
        std::io::copy(&mut (&mut input).take(start), &mut std::io::sink()).map_err(open_error)?;
        let mut out = Vec::with_capacity(len);
        input
            .take(len as u64)
            .read_to_end(&mut out)
            .map_err(open_error)?;
        Ok(out)
    }
    /// The file's size in bytes.
    fn size(&self, name: &str) -> Result<u64, LocationError> {
        let mut input = self.open(name)?;
        std::io::copy(&mut input, &mut std::io::sink()).map_err(|source| LocationError::Open {
            path: name.into(),
            source,
        })
    }
    /// Deleting a file that is already gone succeeds.
    fn delete(&self, name: &str) -> Result<(), LocationError>;
    /// Whether two names with one identity are one file (a local inode is; two objects with
    /// the same content may share an ETag).
    fn identity_names_one_file(&self) -> bool;
}

impl Files for FileLocation {
    fn describe(&self) -> String {
        FileLocation::describe(self)
    }
    fn stat(&self, name: &str) -> Result<Option<FileIdentity>, LocationError> {
        FileLocation::stat(self, name)
    }
    fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, LocationError> {
        FileLocation::open(self, name)
    }
    fn open_seekable(&self, name: &str) -> Result<std::fs::File, LocationError> {
        name::check(name)?;
        match self {
            FileLocation::Local(l) => l.open_seekable(name),
            FileLocation::Remote(r) => spool::to_temp_file(r.open(name)?, name),
        }
    }
    fn read_range(&self, name: &str, start: u64, len: usize) -> Result<Vec<u8>, LocationError> {
        name::check(name)?;
        match self {
            FileLocation::Local(l) => l.read_range(name, start, len),
            FileLocation::Remote(r) => r.read_range(name, start, len),
        }
    }
    fn size(&self, name: &str) -> Result<u64, LocationError> {
        name::check(name)?;
        match self {
            FileLocation::Local(l) => {
                l.open_seekable(name)?
                    .metadata()
                    .map(|m| m.len())
                    .map_err(|source| LocationError::Open {
                        path: name.into(),
                        source,
                    })
            }
            FileLocation::Remote(r) => r.size(name),
        }
    }
    fn delete(&self, name: &str) -> Result<(), LocationError> {
        FileLocation::delete(self, name)
    }
    fn identity_names_one_file(&self) -> bool {
        matches!(self, FileLocation::Local(_))
    }
}

pub enum FileLocation {
    Local(LocalLocation),
    Remote(RemoteLocation),
}

impl FileLocation {
    /// Opens the location. For a cloud store this builds the client and lists the directory
    /// once, so a wrong key, a missing bucket or an unreachable endpoint is reported before
    /// any table starts, naming `first_file`.
    pub fn connect(
        location: &str,
        settings: &StoreSettings,
        first_file: &str,
    ) -> Result<FileLocation, LocationError> {
        match StoreUrl::parse(location)? {
            StoreUrl::Local(path) => Ok(FileLocation::Local(LocalLocation::open(&PathBuf::from(
                path,
            ))?)),
            StoreUrl::Cloud(url) => {
                let remote = RemoteLocation::connect(&url, settings)?;
                remote.probe(first_file)?;
                Ok(FileLocation::Remote(remote))
            }
        }
    }

    /// What to call the location in the job log.
    pub fn describe(&self) -> String {
        match self {
            FileLocation::Local(l) => l.root().display().to_string(),
            FileLocation::Remote(r) => r.describe().to_string(),
        }
    }

    /// The file's identity, or `None` when it is not there.
    pub fn stat(&self, name: &str) -> Result<Option<FileIdentity>, LocationError> {
        name::check(name)?;
        match self {
            FileLocation::Local(l) => l.stat(name),
            FileLocation::Remote(r) => r.stat(name),
        }
    }

    pub fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, LocationError> {
        name::check(name)?;
        match self {
            FileLocation::Local(l) => l.open_file(name),
            FileLocation::Remote(r) => r.open(name),
        }
    }

    /// Deleting a file that is already gone succeeds, for every kind of location.
    pub fn delete(&self, name: &str) -> Result<(), LocationError> {
        if name.starts_with(STATE_DIR) {
            return Err(LocationError::StateDir {
                name: name.to_string(),
            });
        }
        name::check(name)?;
        match self {
            FileLocation::Local(l) => l.delete(name),
            FileLocation::Remote(r) => r.delete(name),
        }
    }

    /// Writes a small file; only `check` does, for its probe.
    pub fn put(&self, name: &str, bytes: &[u8]) -> Result<(), LocationError> {
        name::check(name)?;
        match self {
            FileLocation::Local(l) => {
                let path = l.root().join(name);
                std::fs::write(&path, bytes).map_err(|source| LocationError::Write { path, source })
            }
            FileLocation::Remote(r) => r.put(name, bytes),
        }
    }

    /// Every file below the location (relative names, `/`-separated), without HVR's state
    /// directory.
    pub fn list(&self) -> Result<Vec<String>, LocationError> {
        match self {
            FileLocation::Local(l) => l.list(),
            FileLocation::Remote(r) => r.list(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_listing_skips_the_state_directory() {
        let dir = std::env::temp_dir().join(format!("hvrwasm-list-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("_hvr_state")).unwrap();
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("_hvr_state/x"), "").unwrap();
        std::fs::write(dir.join("sub/a.csv"), "").unwrap();
        std::fs::write(dir.join("b.csv"), "").unwrap();
        let location = FileLocation::Local(LocalLocation::open(&dir).unwrap());
        let mut names = location.list().unwrap();
        names.sort();
        assert_eq!(names, ["b.csv", "sub/a.csv"]);
        assert!(matches!(
            location.delete("_hvr_state/x"),
            Err(LocationError::StateDir { .. })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
