//! The file location HVR wrote into (`HVR_FILE_LOC`): a local directory, or a directory in an
//! S3 bucket, an Azure Blob / ADLS Gen2 container or a GCS bucket. Both kinds offer the same
//! four operations the table lifecycle needs: exists, open (a stream), delete, list.

mod client;
mod remote;
mod stream;
mod url;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use client::StoreSettings;
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
    #[error("cannot list {path}: {source}")]
    List {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("refusing to touch {name:?}: it is in HVR's state directory")]
    StateDir { name: String },
}

pub enum FileLocation {
    Local(PathBuf),
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
            StoreUrl::Local(path) => Ok(FileLocation::Local(PathBuf::from(path))),
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
            FileLocation::Local(root) => root.display().to_string(),
            FileLocation::Remote(r) => r.describe().to_string(),
        }
    }

    pub fn exists(&self, name: &str) -> Result<bool, LocationError> {
        match self {
            FileLocation::Local(root) => Ok(root.join(name).is_file()),
            FileLocation::Remote(r) => r.exists(name),
        }
    }

    pub fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, LocationError> {
        match self {
            FileLocation::Local(root) => {
                let path = root.join(name);
                File::open(&path)
                    .map(|f| Box::new(f) as Box<dyn Read + Send>)
                    .map_err(|source| LocationError::Open { path, source })
            }
            FileLocation::Remote(r) => r.open(name),
        }
    }

    pub fn delete(&self, name: &str) -> Result<(), LocationError> {
        if name.starts_with(STATE_DIR) {
            return Err(LocationError::StateDir {
                name: name.to_string(),
            });
        }
        match self {
            FileLocation::Local(root) => {
                let path = root.join(name);
                std::fs::remove_file(&path).map_err(|source| LocationError::Delete { path, source })
            }
            FileLocation::Remote(r) => r.delete(name),
        }
    }

    /// Every file below the location (relative names, `/`-separated), without HVR's state
    /// directory.
    pub fn list(&self) -> Result<Vec<String>, LocationError> {
        match self {
            FileLocation::Local(root) => {
                let mut names = Vec::new();
                list_dir(root, root, &mut names)?;
                Ok(names)
            }
            FileLocation::Remote(r) => r.list(),
        }
    }
}

fn list_dir(root: &Path, dir: &Path, names: &mut Vec<String>) -> Result<(), LocationError> {
    let error = |source| LocationError::List {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(error)? {
        let entry = entry.map_err(error)?;
        let path = entry.path();
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace(std::path::MAIN_SEPARATOR, "/");
        if entry.file_type().map_err(error)?.is_dir() {
            if format!("{relative}/") != STATE_DIR {
                list_dir(root, &path, names)?;
            }
        } else {
            names.push(relative);
        }
    }
    Ok(())
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
        let location = FileLocation::Local(dir.clone());
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
