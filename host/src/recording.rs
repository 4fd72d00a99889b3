//! `--record DIR`: before a call runs, a copy of it in a new folder under DIR: its argv and
//! `HVR_*` environment (secrets removed) in `invocation.json`, and its files under `files/`.
//! `hvrwasmagent replay` runs the folder again. Recording is diagnostics: when it fails, the
//! call says so and goes on.

use std::path::{Path, PathBuf};

use serde_json::json;
use thiserror::Error;

use crate::hvr::Invocation;
use crate::store::{FileLocation, LocationError};

pub const INVOCATION_FILE: &str = "invocation.json";
pub const FILES_DIR: &str = "files";

/// Options whose value is a credential, and the record option itself (a replay must not
/// record again). Their variables are `HVR_WASM_` + the name in upper snake case.
pub const NOT_RECORDED: [&str; 4] = [
    "--connect-string",
    "--native-connect-string",
    "--store-config",
    "--record",
];

#[derive(Debug, Error)]
pub enum RecordError {
    #[error("--record {dir}: cannot write the recording: {source}")]
    Write {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("--record: copying file {file}: {source}")]
    Copy { file: String, source: LocationError },
    #[error("--record: copying file {file} into {path}: {source}")]
    CopyWrite {
        file: String,
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Records the call; returns the folder made for it.
pub fn record(
    dir: &Path,
    args: &[String],
    invocation: &Invocation,
    location: Option<&FileLocation>,
) -> Result<PathBuf, RecordError> {
    let stamp: String = crate::clock::now_iso()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let mode = args.first().map(String::as_str).unwrap_or("call");
    let folder = dir.join(format!("{stamp}-{mode}-{}", std::process::id()));
    let write_error = |source| RecordError::Write {
        dir: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(folder.join(FILES_DIR)).map_err(write_error)?;
    let (argv, removed_words) = argv_without_secrets(args);
    let (variables, removed_variables) = environment_without_secrets();
    let files: Vec<&str> = invocation.files.iter().map(|f| f.name.as_str()).collect();
    // A file already gone (applied and removed by an earlier run) is noted, not copied: the
    // replay then meets what this call met.
    let mut missing = Vec::new();
    if let Some(location) = location {
        for name in &files {
            match location.stat(name) {
                Ok(Some(_)) => copy_file(location, name, &folder.join(FILES_DIR).join(name))?,
                Ok(None) => missing.push(*name),
                Err(source) => {
                    return Err(RecordError::Copy {
                        file: name.to_string(),
                        source,
                    });
                }
            }
        }
    }
    let text = json!({
        "host_version": env!("CARGO_PKG_VERSION"),
        "recorded_at": crate::clock::now_iso(),
        "argv": argv,
        "environment": variables,
        "removed": removed_words.into_iter().chain(removed_variables).collect::<Vec<_>>(),
        "files": files,
        "missing_files": missing,
    });
    let body = serde_json::to_string_pretty(&text).expect("JSON of strings");
    std::fs::write(folder.join(INVOCATION_FILE), body + "\n").map_err(write_error)?;
    Ok(folder)
}

fn copy_file(location: &FileLocation, name: &str, path: &Path) -> Result<(), RecordError> {
    let write_error = |source| RecordError::CopyWrite {
        file: name.to_string(),
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(write_error)?;
    }
    let mut from = location.open(name).map_err(|source| RecordError::Copy {
        file: name.to_string(),
        source,
    })?;
    let mut to = std::fs::File::create(path).map_err(write_error)?;
    std::io::copy(&mut from, &mut to).map_err(write_error)?;
    Ok(())
}

/// argv with the credential options taken out of the user argument, and any value the secret
/// filter would mask; returns what was taken out.
fn argv_without_secrets(args: &[String]) -> (Vec<String>, Vec<String>) {
    let mut argv: Vec<String> = args.iter().take(3).cloned().collect();
    let mut removed = Vec::new();
    if let Some(user) = args.get(3) {
        let words = crate::options::split_user_argument(user).unwrap_or_default();
        let mut kept: Vec<String> = Vec::new();
        let mut words = words.into_iter();
        while let Some(word) = words.next() {
            let option = word.split('=').next().unwrap_or("").to_string();
            if NOT_RECORDED.contains(&option.as_str()) {
                if !word.contains('=') {
                    words.next();
                }
                // The record option is not a credential: a replay must just not record again.
                if option != "--record" {
                    removed.push(option);
                }
                continue;
            }
            if crate::secrets::redact(&word) != word {
                // A value the secret filter masks (a `password=` in a connector option): left
                // out whole, with the option that takes it, rather than replayed masked.
                let option = match kept.last() {
                    Some(last) if last.starts_with('-') && !last.contains('=') => kept.pop(),
                    _ => None,
                };
                removed.push(option.unwrap_or_else(|| "a word of the user argument".into()));
                continue;
            }
            kept.push(word);
        }
        argv.push(shell_words::join(kept));
    }
    (argv, removed)
}

/// `HVR_*` variables but the credential ones and those holding a value the secret filter masks.
fn environment_without_secrets() -> (serde_json::Map<String, serde_json::Value>, Vec<String>) {
    let secret_variables: Vec<String> = NOT_RECORDED
        .iter()
        .map(|o| {
            format!(
                "HVR_WASM_{}",
                o.trim_start_matches('-').replace('-', "_").to_uppercase()
            )
        })
        .collect();
    let mut kept = serde_json::Map::new();
    let mut removed = Vec::new();
    let mut vars: Vec<(String, String)> = std::env::vars()
        .filter(|(name, _)| name.starts_with("HVR_"))
        .collect();
    vars.sort();
    for (name, value) in vars {
        // A value the secret filter would mask is left out whole, not recorded masked.
        if name == "HVR_WASM_RECORD" {
            continue;
        }
        if secret_variables.contains(&name) || crate::secrets::redact(&value) != value {
            removed.push(name);
        } else {
            kept.insert(name, value.into());
        }
    }
    (kept, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_options_are_not_recorded() {
        let args: Vec<String> = [
            "integ_end",
            "ch",
            "loc",
            "--connector postgres --connect-string 'Driver=PostgreSQL;PWD=hunter22' --store-config=aws_secret_access_key=abcd1234 --connector-option password=letmein99 -v",
        ]
        .map(String::from)
        .to_vec();
        let (argv, removed) = argv_without_secrets(&args);
        assert_eq!(argv[..3], ["integ_end", "ch", "loc"]);
        assert_eq!(argv[3], "--connector postgres -v");
        assert_eq!(
            removed,
            ["--connect-string", "--store-config", "--connector-option"]
        );
    }
}
