//! Compiled connectors cached on disk. HVR starts a new process for every call, four per
//! cycle; compiling a connector takes ~60 ms, loading its cached compilation well under 1 ms.
//!
//! The key is the engine's compatibility hash (wasmtime version and every setting that changes
//! machine code) plus the SHA-256 of the component, so an upgraded host or connector never
//! loads a stale artifact. Files are written to a temporary name and renamed into place, so
//! concurrent processes never see half a file; one that fails to load (corrupt, truncated, from
//! another build) is compiled again and replaced.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where a compiled connector came from this time.
#[derive(Clone, Debug, PartialEq)]
pub enum CacheStatus {
    Disabled,
    /// Loaded from this file.
    Hit(PathBuf),
    /// Compiled and stored in this file.
    Stored(PathBuf),
    /// Compiled; storing failed for this reason (the load still goes on).
    NotStored(String),
    /// A cached file was unusable and has been replaced.
    Replaced(PathBuf),
}

#[derive(Clone, Debug)]
pub struct CompileCache {
    dir: Option<PathBuf>,
}

impl CompileCache {
    pub fn disabled() -> CompileCache {
        CompileCache { dir: None }
    }

    pub fn at(dir: PathBuf) -> CompileCache {
        CompileCache { dir: Some(dir) }
    }

    /// `$HVR_CONFIG/tmp/hvrwasmagent-cache`, else `$XDG_CACHE_HOME/hvrwasmagent`, else
    /// `$HOME/.cache/hvrwasmagent`.
    pub fn default_location() -> Option<PathBuf> {
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        env("HVR_CONFIG")
            .map(|c| c.join("tmp").join("hvrwasmagent-cache"))
            .or_else(|| env("XDG_CACHE_HOME").map(|c| c.join("hvrwasmagent")))
            .or_else(|| env("HOME").map(|h| h.join(".cache").join("hvrwasmagent")))
    }

    /// The file a connector's compilation lives in for this engine.
    pub fn path_for(&self, engine: &Engine, name: &str, wasm: &[u8]) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut engine_hash = std::hash::DefaultHasher::new();
        engine
            .precompile_compatibility_hash()
            .hash(&mut engine_hash);
        // The embedded connectors' digests were computed when the binary was built.
        let digest: String = match crate::connectors::built_in_digest(wasm) {
            Some(hex) => hex[..32].to_string(),
            None => Sha256::digest(wasm)
                .iter()
                .take(16)
                .map(|b| format!("{b:02x}"))
                .collect(),
        };
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Some(dir.join(format!(
            "{safe}-{digest}-{:016x}.cwasm",
            engine_hash.finish()
        )))
    }

    pub fn load_or_compile(
        &self,
        engine: &Engine,
        name: &str,
        wasm: &[u8],
    ) -> wasmtime::Result<(Component, CacheStatus)> {
        let Some(path) = self.path_for(engine, name, wasm) else {
            return Ok((Component::from_binary(engine, wasm)?, CacheStatus::Disabled));
        };
        let existed = path.is_file();
        if existed {
            // SAFETY: the file was written by this program (`store`) into a directory it
            // created for itself; its name binds it to this engine and this component, and
            // wasmtime checks its header and version before using it. A file that fails those
            // checks is recompiled below.
            if let Ok(component) = unsafe { Component::deserialize_file(engine, &path) } {
                return Ok((component, CacheStatus::Hit(path)));
            }
        }
        let bytes = engine.precompile_component(wasm)?;
        // SAFETY: `bytes` was produced by this engine a moment ago.
        let component = unsafe { Component::deserialize(engine, &bytes)? };
        let status = match store(&path, &bytes) {
            Ok(()) if existed => CacheStatus::Replaced(path),
            Ok(()) => CacheStatus::Stored(path),
            Err(e) => CacheStatus::NotStored(format!("{}: {e}", path.display())),
        };
        Ok((component, status))
    }
}

fn store(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("cache files live in a directory");
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Only this user may put code here: cached files are loaded as machine code.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap().to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
