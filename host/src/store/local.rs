//! A local directory as a file location. Names pass the same check as object names, and a
//! symlink (of the file or of a directory on its way) may not lead out of the directory.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::{FileIdentity, LocationError, STATE_DIR};

pub struct LocalLocation {
    root: PathBuf,
    /// The root with every symlink resolved, what a file's real path must start with.
    real_root: PathBuf,
}

impl LocalLocation {
    /// A directory that does not exist (an unmounted share, a typo) is an error here, before
    /// any table starts: otherwise every file would look "already applied and removed".
    pub fn open(root: &Path) -> Result<LocalLocation, LocationError> {
        let missing = |why: String| LocationError::MissingDirectory {
            path: root.to_path_buf(),
            why,
        };
        let real_root = root.canonicalize().map_err(|e| missing(e.to_string()))?;
        if !real_root.is_dir() {
            return Err(missing("it is not a directory".into()));
        }
        Ok(LocalLocation {
            root: root.to_path_buf(),
            real_root,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file's path after checking its name and where its symlinks lead; `None` when it
    /// does not exist.
    /// `name` has passed `name::check` in `FileLocation`, the only caller.
    fn resolve(&self, name: &str) -> Result<Option<PathBuf>, LocationError> {
        let path = self.root.join(name);
        match path.canonicalize() {
            Ok(real) if real.starts_with(&self.real_root) => Ok(Some(real)),
            Ok(real) => Err(LocationError::Escapes {
                name: name.to_string(),
                target: real,
            }),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(source) => Err(LocationError::Open { path, source }),
        }
    }

    /// Size, modification time (nanoseconds), inode and device: HVR writes a new file for
    /// every cycle, so a second write under the same name differs in at least one of them.
    pub(super) fn stat(&self, name: &str) -> Result<Option<FileIdentity>, LocationError> {
        let Some(real) = self.resolve(name)? else {
            return Ok(None);
        };
        let meta = std::fs::metadata(&real).map_err(|source| LocationError::Open {
            path: real.clone(),
            source,
        })?;
        if !meta.is_file() {
            return Ok(None);
        }
        Ok(Some(FileIdentity(format!(
            "size={} mtime={}.{:09} ino={} dev={}",
            meta.len(),
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ino(),
            meta.dev()
        ))))
    }

    pub(super) fn open_file(&self, name: &str) -> Result<Box<dyn Read + Send>, LocationError> {
        let path = self.root.join(name);
        let Some(real) = self.resolve(name)? else {
            return Err(LocationError::Open {
                path,
                source: ErrorKind::NotFound.into(),
            });
        };
        File::open(&real)
            .map(|f| Box::new(f) as Box<dyn Read + Send>)
            .map_err(|source| LocationError::Open { path, source })
    }

    pub(super) fn read_range(
        &self,
        name: &str,
        start: u64,
        len: usize,
    ) -> Result<Vec<u8>, LocationError> {
        use std::os::unix::fs::FileExt;
        let file = self.open_seekable(name)?;
        let mut out = vec![0u8; len];
        let mut got = 0;
        while got < len {
            match file.read_at(&mut out[got..], start + got as u64) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(LocationError::Open {
                        path: self.root.join(name),
                        source,
                    });
                }
            }
        }
        out.truncate(got);
        Ok(out)
    }

    /// The file itself, for formats read by offset (Parquet's footer first).
    pub(super) fn open_seekable(&self, name: &str) -> Result<File, LocationError> {
        let path = self.root.join(name);
        let real = self.resolve(name)?.ok_or_else(|| LocationError::Open {
            path: path.clone(),
            source: ErrorKind::NotFound.into(),
        })?;
        File::open(&real).map_err(|source| LocationError::Open { path, source })
    }

    /// Deleting a file that is already gone succeeds, as on every object store: the state
    /// asked for is reached (another run, or this one before a crash, deleted it).
    pub(super) fn delete(&self, name: &str) -> Result<(), LocationError> {
        if self.resolve(name)?.is_none() {
            return Ok(());
        }
        // The link itself goes, not what it points to (which is inside the location anyway).
        let path = self.root.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(source) => Err(LocationError::Delete { path, source }),
        }
    }

    pub(super) fn list(&self) -> Result<Vec<String>, LocationError> {
        let mut names = Vec::new();
        list_dir(&self.root, &self.root, &mut names)?;
        Ok(names)
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
