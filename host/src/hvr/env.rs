//! A view of the process environment with `HVR_LONG_ENVIRONMENT` applied.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum EnvError {
    #[error("cannot read HVR_LONG_ENVIRONMENT file {path}: {source}")]
    LongEnvironmentRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("HVR_LONG_ENVIRONMENT file {path} is not a JSON object of strings: {reason}")]
    LongEnvironmentFormat { path: PathBuf, reason: String },
    #[error("{name} is not set")]
    Missing { name: &'static str },
    #[error(
        "{name} was abbreviated by HVR (it ends in '...') and HVR_LONG_ENVIRONMENT does not give it in full"
    )]
    Abbreviated { name: &'static str },
    #[error("{name} has {found} entries but HVR_TBL_NAMES has {expected}")]
    LengthMismatch {
        name: &'static str,
        found: usize,
        expected: usize,
    },
    #[error("HVR_FILE_NROWS has {found} entries but HVR_FILE_NAMES has {expected}")]
    FileRowsMismatch { found: usize, expected: usize },
    #[error("HVR_FILE_NROWS entry {index} is not a row count: {value:?}")]
    BadRowCount { index: usize, value: String },
    #[error("table {table}: column {column} is listed twice in {name}")]
    DuplicateColumn {
        table: String,
        column: String,
        name: &'static str,
    },
    #[error("table {table}: key column {key} of {name} is not among its columns")]
    UnknownKey {
        table: String,
        key: String,
        name: &'static str,
    },
    #[error("table {table}: {name} lists {found} columns but HVR_COL_NAMES lists {expected}")]
    ColumnCountMismatch {
        table: String,
        name: &'static str,
        found: usize,
        expected: usize,
    },
    #[error("file {file} matches no table of this call ({how})")]
    UnmappedFile { file: String, how: String },
    #[error("{0}")]
    RenameExpression(String),
    #[error(
        "file {file} is listed twice in HVR_FILE_NAMES (entries {first} and {second}); nothing was applied, since its rows would land twice"
    )]
    DuplicateFile {
        file: String,
        first: usize,
        second: usize,
    },
    #[error(
        "table {table}: HVR_TBL_NROWS says {rows} rows but no file of it is in HVR_FILE_NAMES; nothing was applied or emptied"
    )]
    RowsWithoutFiles { table: String, rows: u64 },
    #[error("{name} is {value}: not a usable slice number; nothing was applied or emptied")]
    BadSlice { name: &'static str, value: String },
    #[error("file {file}: {source}")]
    BadFileName {
        file: String,
        source: crate::store::name::NameError,
    },
}

/// HVR's variables: the long-environment file's values win over the process environment.
#[derive(Clone, Debug, Default)]
pub struct HvrEnv {
    vars: HashMap<String, String>,
}

impl HvrEnv {
    /// Reads the process environment and, when set, the `HVR_LONG_ENVIRONMENT` JSON file.
    pub fn from_process() -> Result<HvrEnv, EnvError> {
        let mut vars: HashMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        if let Some(path) = vars.get("HVR_LONG_ENVIRONMENT").filter(|p| !p.is_empty()) {
            let path = PathBuf::from(path);
            for (k, v) in read_long_environment(&path)? {
                vars.insert(k, v);
            }
        }
        Ok(HvrEnv { vars })
    }

    pub fn from_map(vars: HashMap<String, String>) -> HvrEnv {
        HvrEnv { vars }
    }

    /// A value, refusing one HVR abbreviated.
    pub fn get(&self, name: &'static str) -> Result<Option<&str>, EnvError> {
        match self.vars.get(name) {
            Some(v) if v.ends_with("...") => Err(EnvError::Abbreviated { name }),
            Some(v) => Ok(Some(v.as_str())),
            None => Ok(None),
        }
    }

    /// A recovery call: HVR no longer knows what the cycle wrote and sets the lists "to an
    /// empty string or -1" (or leaves `HVR_FILE_NAMES` unset). There is nothing to apply; the
    /// files of the interrupted cycle stay where they are until a call lists them again.
    pub fn is_recovery_call(&self) -> bool {
        let value = |name| self.vars.get(name).map(|v| v.trim()).unwrap_or("");
        let no_files = value("HVR_FILE_NAMES").is_empty();
        no_files
            && (value("HVR_FILE_NROWS") == "-1"
                || value("HVR_TBL_NROWS") == "-1"
                || value("HVR_TBL_NAMES").is_empty())
    }

    pub fn require(&self, name: &'static str) -> Result<&str, EnvError> {
        self.get(name)?.ok_or(EnvError::Missing { name })
    }

    /// `HVR_WASM_*` values the long-environment file gives that the process environment lacks
    /// or abbreviates: options set with Environment actions that grew too long.
    pub fn long_option_values(&self) -> Vec<(&str, &str)> {
        self.vars
            .iter()
            .filter(|(k, v)| {
                k.starts_with("HVR_WASM_") && std::env::var(k).ok().as_deref() != Some(v.as_str())
            })
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// Any variable, unchecked (for `{hvr_var_x}` substitutions).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }
}

fn read_long_environment(path: &Path) -> Result<Vec<(String, String)>, EnvError> {
    let text = std::fs::read_to_string(path).map_err(|source| EnvError::LongEnvironmentRead {
        path: path.to_owned(),
        source,
    })?;
    let format_error = |reason: String| EnvError::LongEnvironmentFormat {
        path: path.to_owned(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format_error(e.to_string()))?;
    let object = value
        .as_object()
        .ok_or_else(|| format_error("the top level is not an object".into()))?;
    object
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k.clone(), s.clone())),
            other => Ok((k.clone(), other.to_string())),
        })
        .collect()
}

/// Splits a `:` list; the empty string is the empty list.
pub fn split_list(value: &str) -> Vec<&str> {
    if value.is_empty() {
        Vec::new()
    } else {
        value.split(':').collect()
    }
}

/// Splits a `,` list of columns; the empty string is the empty list.
pub fn split_columns(value: &str) -> Vec<String> {
    if value.is_empty() {
        Vec::new()
    } else {
        value.split(',').map(|s| s.trim().to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviated_values_are_refused() {
        let env = HvrEnv::from_map([("HVR_FILE_NAMES".into(), "a.csv:b...".into())].into());
        assert!(matches!(
            env.get("HVR_FILE_NAMES"),
            Err(EnvError::Abbreviated {
                name: "HVR_FILE_NAMES"
            })
        ));
    }

    #[test]
    fn long_environment_overrides_process_values() {
        let dir = std::env::temp_dir().join(format!("hvrenv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("long.json");
        std::fs::write(&file, r#"{"HVR_FILE_NAMES": "x.csv:y.csv"}"#).unwrap();
        let got = read_long_environment(&file).unwrap();
        assert_eq!(got, vec![("HVR_FILE_NAMES".into(), "x.csv:y.csv".into())]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn empty_list_has_no_entries() {
        assert!(split_list("").is_empty());
        assert_eq!(split_list("a:b"), vec!["a", "b"]);
    }
}
