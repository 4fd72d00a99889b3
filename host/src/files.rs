//! The file location HVR wrote into (`HVR_FILE_LOC`). Local directories today; cloud stores
//! come behind the same functions.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum LocationError {
    #[error(
        "file location {location:?} is not a local directory; cloud locations are not supported yet"
    )]
    Unsupported { location: String },
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
}

#[derive(Clone, Debug)]
pub struct FileLocation {
    root: PathBuf,
}

impl FileLocation {
    pub fn parse(location: &str) -> Result<FileLocation, LocationError> {
        let path = location.strip_prefix("file://").unwrap_or(location);
        if path.contains("://") {
            return Err(LocationError::Unsupported {
                location: mask_credentials(location),
            });
        }
        Ok(FileLocation {
            root: PathBuf::from(path),
        })
    }

    pub fn path_of(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    pub fn exists(&self, name: &str) -> bool {
        self.path_of(name).is_file()
    }

    pub fn open(&self, name: &str) -> Result<Box<dyn Read + Send>, LocationError> {
        let path = self.path_of(name);
        File::open(&path)
            .map(|f| Box::new(f) as Box<dyn Read + Send>)
            .map_err(|source| LocationError::Open { path, source })
    }

    pub fn delete(&self, name: &str) -> Result<(), LocationError> {
        let path = self.path_of(name);
        std::fs::remove_file(&path).map_err(|source| LocationError::Delete { path, source })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// `scheme://user:secret@host/...` and HVR's `!{encrypted}!` values, safe to print.
pub fn mask_credentials(location: &str) -> String {
    let mut out = location.to_string();
    while let (Some(a), Some(b)) = (out.find("!{"), out.find("}!")) {
        if b < a {
            break;
        }
        out.replace_range(a..b + 2, "***");
    }
    if let Some(scheme_end) = out.find("://") {
        let rest = &out[scheme_end + 3..];
        let host_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..host_end].rfind('@') {
            out.replace_range(scheme_end + 3..scheme_end + 3 + at, "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_locations_are_masked() {
        assert_eq!(
            mask_credentials("s3s://AKIA:secret@bucket/dir"),
            "s3s://***@bucket/dir"
        );
        assert_eq!(
            mask_credentials("hdfs://user:!{abc}!@host/p"),
            "hdfs://***@host/p"
        );
    }
}
