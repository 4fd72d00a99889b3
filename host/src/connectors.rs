//! Finding a connector: built into this binary, overridden by `NAME.wasm` in the connector
//! directory, or a path to any component.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// First-party connectors, compiled by build.rs from `guests/`.
const BUILT_IN: &[(&str, &[u8])] = &[
    (
        "sqlite",
        include_bytes!(concat!(env!("OUT_DIR"), "/guests/sqlite.wasm")),
    ),
    (
        "postgres",
        include_bytes!(concat!(env!("OUT_DIR"), "/guests/postgres.wasm")),
    ),
    (
        "mariadb",
        include_bytes!(concat!(env!("OUT_DIR"), "/guests/mariadb.wasm")),
    ),
    (
        "pg-upsert",
        include_bytes!(concat!(env!("OUT_DIR"), "/guests/pg-upsert.wasm")),
    ),
];

include!(concat!(env!("OUT_DIR"), "/guests/digests.rs"));

/// The SHA-256 (hex) of `wasm` when it is one of the embedded connectors' bytes themselves
/// (recognised by address, so a copy or a file never matches): computed at build time.
pub fn built_in_digest(wasm: &[u8]) -> Option<&'static str> {
    let (name, _) = BUILT_IN
        .iter()
        .find(|(_, bytes)| std::ptr::eq(*bytes, wasm))?;
    BUILT_IN_DIGESTS
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, digest)| *digest)
}

#[derive(Debug, Error)]
pub enum ConnectorError {
    #[error("cannot read connector {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("unknown connector {name:?}: built in are {}; or give a path to a .wasm component", built_in_names().join(", "))]
    Unknown { name: String },
}

/// Where a connector's bytes came from, for logs and `inspect`.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    BuiltIn,
    File(PathBuf),
}

pub struct ConnectorBytes {
    pub name: String,
    pub origin: Origin,
    /// Borrowed from this binary for a built-in connector: copying it cost page faults on
    /// every call.
    pub wasm: Cow<'static, [u8]>,
}

pub fn built_in_names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(n, _)| *n).collect()
}

/// Resolves `--connector`: a path (contains a separator or ends in `.wasm`), else a name looked
/// up first in `dir` as `NAME.wasm`, then among the built-in connectors.
pub fn resolve(spec: &str, dir: Option<&Path>) -> Result<ConnectorBytes, ConnectorError> {
    let read = |path: PathBuf, name: String| -> Result<ConnectorBytes, ConnectorError> {
        let wasm = std::fs::read(&path).map_err(|source| ConnectorError::Read {
            path: path.clone(),
            source,
        })?;
        Ok(ConnectorBytes {
            name,
            origin: Origin::File(path),
            wasm: Cow::Owned(wasm),
        })
    };
    if spec.contains('/') || spec.contains('\\') || spec.ends_with(".wasm") {
        let path = PathBuf::from(spec);
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| spec.to_string());
        return read(path, name);
    }
    let dir = dir.map(Path::to_path_buf).or_else(default_dir);
    if let Some(dir) = dir {
        let candidate = dir.join(format!("{spec}.wasm"));
        if candidate.is_file() {
            return read(candidate, spec.to_string());
        }
    }
    BUILT_IN
        .iter()
        .find(|(n, _)| *n == spec)
        .map(|(n, wasm)| ConnectorBytes {
            name: (*n).to_string(),
            origin: Origin::BuiltIn,
            wasm: Cow::Borrowed(wasm),
        })
        .ok_or_else(|| ConnectorError::Unknown {
            name: spec.to_string(),
        })
}

/// A transform, always given by path; its name is the file stem.
pub fn read_transform(path: &str) -> Result<ConnectorBytes, ConnectorError> {
    let path = PathBuf::from(path);
    let wasm = std::fs::read(&path).map_err(|source| ConnectorError::Read {
        path: path.clone(),
        source,
    })?;
    Ok(ConnectorBytes {
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "transform".into()),
        origin: Origin::File(path),
        wasm: Cow::Owned(wasm),
    })
}

/// The directory of the running executable.
fn default_dir() -> Option<PathBuf> {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn embedded_digests_are_the_embedded_bytes_own_and_only_theirs() {
        for name in built_in_names() {
            let bytes = resolve(name, None).unwrap();
            let hex: String = Sha256::digest(&bytes.wasm)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(built_in_digest(&bytes.wasm), Some(hex.as_str()), "{name}");
            let copy = bytes.wasm.to_vec();
            assert_eq!(
                built_in_digest(&copy),
                None,
                "{name}: a copy is not recognised"
            );
        }
    }
}
