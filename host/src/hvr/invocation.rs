//! Tables, columns, keys and files of one call, from the `HVR_*` variables.

use std::collections::HashSet;

use super::env::{EnvError, HvrEnv, split_columns, split_list};
use super::rename::RenameExpression;

/// One column as HVR's lists describe it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelColumn {
    pub name: String,
    pub base_name: String,
    pub is_key: bool,
}

/// One table of the call.
#[derive(Clone, Debug, PartialEq)]
pub struct TableSpec {
    pub name: String,
    /// Base name without the schema.
    pub base_name: String,
    pub schema: Option<String>,
    pub columns: Vec<ChannelColumn>,
}

impl TableSpec {
    /// The base name as HVR wrote it (schema-qualified when it was).
    pub fn qualified_base_name(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{}", self.base_name),
            None => self.base_name.clone(),
        }
    }
}

/// One file of the call, relative to `HVR_FILE_LOC`.
#[derive(Clone, Debug, PartialEq)]
pub struct FileEntry {
    pub name: String,
    /// Rows HVR says it wrote (`HVR_FILE_NROWS`), when given.
    pub rows: Option<u64>,
    /// Index into `Invocation::tables`.
    pub table: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Invocation {
    pub tables: Vec<TableSpec>,
    pub file_location: Option<String>,
    pub files: Vec<FileEntry>,
}

impl Invocation {
    /// Reads tables and files. Lists must line up with `HVR_TBL_NAMES`; every file must map to
    /// one of the tables through `rename`.
    pub fn from_env(env: &HvrEnv, rename: &RenameExpression) -> Result<Invocation, EnvError> {
        let tables = read_tables(env)?;
        let file_names = split_list(env.get("HVR_FILE_NAMES")?.unwrap_or(""));
        let rows = match env.get("HVR_FILE_NROWS")? {
            Some(v) if !v.is_empty() => {
                let counts = split_list(v);
                if counts.len() != file_names.len() {
                    return Err(EnvError::FileRowsMismatch {
                        found: counts.len(),
                        expected: file_names.len(),
                    });
                }
                counts
                    .iter()
                    .enumerate()
                    .map(|(index, c)| {
                        c.trim()
                            .parse::<u64>()
                            .map(Some)
                            .map_err(|_| EnvError::BadRowCount {
                                index: index + 1,
                                value: (*c).to_string(),
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
            _ => vec![None; file_names.len()],
        };
        let file_location = if file_names.is_empty() {
            env.get("HVR_FILE_LOC")?.map(str::to_string)
        } else {
            Some(env.require("HVR_FILE_LOC")?.to_string())
        };
        let mut seen: std::collections::HashMap<&str, usize> = Default::default();
        for (index, name) in file_names.iter().enumerate() {
            crate::store::name::check(name).map_err(|source| EnvError::BadFileName {
                file: (*name).to_string(),
                source,
            })?;
            if let Some(first) = seen.insert(name, index + 1) {
                return Err(EnvError::DuplicateFile {
                    file: (*name).to_string(),
                    first,
                    second: index + 1,
                });
            }
        }
        let mut files = Vec::with_capacity(file_names.len());
        let table_rows = read_table_rows(env, tables.len())?;
        for (name, rows) in file_names.iter().zip(rows) {
            let table = rename.table_of(name, &tables, env)?;
            files.push(FileEntry {
                name: (*name).to_string(),
                rows,
                table,
            });
        }
        let invocation = Invocation {
            tables,
            file_location,
            files,
        };
        // A table HVR says has rows but no file: never an empty source, so never emptied.
        for (index, rows) in table_rows.iter().enumerate() {
            if let Some(rows) = rows
                && *rows > 0
                && invocation.files_of(index).is_empty()
            {
                return Err(EnvError::RowsWithoutFiles {
                    table: invocation.tables[index].name.clone(),
                    rows: *rows,
                });
            }
        }
        Ok(invocation)
    }

    /// The files of table `index`, in `HVR_FILE_NAMES` order.
    pub fn files_of(&self, index: usize) -> Vec<&FileEntry> {
        self.files.iter().filter(|f| f.table == index).collect()
    }
}

/// `HVR_TBL_NROWS`, one count per table when given (`-1` and empty entries: unknown).
fn read_table_rows(env: &HvrEnv, tables: usize) -> Result<Vec<Option<u64>>, EnvError> {
    let Some(value) = env.get("HVR_TBL_NROWS")?.filter(|v| !v.trim().is_empty()) else {
        return Ok(vec![None; tables]);
    };
    let counts = split_list(value);
    if counts.len() != tables {
        // Only a cross-check: a list that does not line up is not used, not an error.
        return Ok(vec![None; tables]);
    }
    Ok(counts
        .iter()
        .map(|c| c.trim().parse::<u64>().ok())
        .collect())
}

fn read_tables(env: &HvrEnv) -> Result<Vec<TableSpec>, EnvError> {
    let names = split_list(env.require("HVR_TBL_NAMES")?);
    let aligned = |name: &'static str, required: bool| -> Result<Option<Vec<String>>, EnvError> {
        let value = if required {
            Some(env.require(name)?)
        } else {
            env.get(name)?
        };
        let Some(value) = value else { return Ok(None) };
        let list: Vec<String> = if names.len() == 1 {
            // One table: the whole value is its entry, even when empty.
            vec![value.to_string()]
        } else {
            split_list(value).into_iter().map(str::to_string).collect()
        };
        if list.len() != names.len() {
            return Err(EnvError::LengthMismatch {
                name,
                found: list.len(),
                expected: names.len(),
            });
        }
        Ok(Some(list))
    };
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let base_names = aligned("HVR_BASE_NAMES", false)?;
    let col_names = aligned("HVR_COL_NAMES", true)?.unwrap_or_default();
    let col_base = aligned("HVR_COL_NAMES_BASE", false)?;
    let keys = aligned("HVR_TBL_KEYS", false)?;
    let keys_base = aligned("HVR_TBL_KEYS_BASE", false)?;

    let mut tables = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let base = base_names
            .as_ref()
            .map(|b| b[i].clone())
            .filter(|b| !b.is_empty())
            .unwrap_or_else(|| (*name).to_string());
        let (schema, base_name) = match base.rsplit_once('.') {
            Some((s, b)) => (Some(s.to_string()), b.to_string()),
            None => (None, base),
        };
        let channel = split_columns(&col_names[i]);
        let base_cols = match &col_base {
            Some(b) => {
                let b = split_columns(&b[i]);
                if b.len() != channel.len() {
                    return Err(EnvError::ColumnCountMismatch {
                        table: (*name).to_string(),
                        name: "HVR_COL_NAMES_BASE",
                        found: b.len(),
                        expected: channel.len(),
                    });
                }
                b
            }
            None => channel.clone(),
        };
        let mut seen = HashSet::new();
        for c in &channel {
            if !seen.insert(c.as_str()) {
                return Err(EnvError::DuplicateColumn {
                    table: (*name).to_string(),
                    column: c.clone(),
                    name: "HVR_COL_NAMES",
                });
            }
        }
        let key_set: HashSet<String> = match (&keys, &keys_base) {
            (Some(k), _) => check_keys(name, split_columns(&k[i]), &channel, "HVR_TBL_KEYS")?,
            (None, Some(k)) => {
                let base_keys =
                    check_keys(name, split_columns(&k[i]), &base_cols, "HVR_TBL_KEYS_BASE")?;
                channel
                    .iter()
                    .zip(&base_cols)
                    .filter(|(_, b)| base_keys.contains(*b))
                    .map(|(c, _)| c.clone())
                    .collect()
            }
            (None, None) => HashSet::new(),
        };
        let columns = channel
            .iter()
            .zip(base_cols)
            .map(|(c, b)| ChannelColumn {
                is_key: key_set.contains(c),
                name: c.clone(),
                base_name: b,
            })
            .collect();
        tables.push(TableSpec {
            name: (*name).to_string(),
            base_name,
            schema,
            columns,
        });
    }
    Ok(tables)
}

fn check_keys(
    table: &str,
    keys: Vec<String>,
    columns: &[String],
    name: &'static str,
) -> Result<HashSet<String>, EnvError> {
    for k in &keys {
        if !columns.contains(k) {
            return Err(EnvError::UnknownKey {
                table: table.to_string(),
                key: k.clone(),
                name,
            });
        }
    }
    Ok(keys.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HvrEnv {
        HvrEnv::from_map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn default_rename() -> RenameExpression {
        RenameExpression::parse(super::super::rename::DEFAULT_EXPRESSION).unwrap()
    }

    #[test]
    fn tables_columns_keys_and_files_line_up() {
        let e = env(&[
            ("HVR_TBL_NAMES", "orders:group"),
            ("HVR_BASE_NAMES", "sales.orders:group"),
            ("HVR_COL_NAMES", "id,total,op_type:id,desc"),
            ("HVR_COL_NAMES_BASE", "order_id,total,op_type:id,desc"),
            ("HVR_TBL_KEYS", "id:id"),
            ("HVR_FILE_LOC", "/data"),
            (
                "HVR_FILE_NAMES",
                "20240101000000000-orders.csv:20240101000000000-group.csv",
            ),
            ("HVR_FILE_NROWS", "3:4"),
        ]);
        let inv = Invocation::from_env(&e, &default_rename()).unwrap();
        assert_eq!(inv.tables[0].schema.as_deref(), Some("sales"));
        assert_eq!(inv.tables[0].columns[0].base_name, "order_id");
        assert!(inv.tables[0].columns[0].is_key);
        assert!(!inv.tables[0].columns[1].is_key);
        assert_eq!(inv.files[1].table, 1);
        assert_eq!(inv.files[1].rows, Some(4));
    }

    #[test]
    fn mismatched_list_length_names_the_variable() {
        let e = env(&[("HVR_TBL_NAMES", "a:b"), ("HVR_COL_NAMES", "x:y:z")]);
        let err = Invocation::from_env(&e, &default_rename()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "HVR_COL_NAMES has 3 entries but HVR_TBL_NAMES has 2"
        );
    }

    #[test]
    fn file_of_no_table_is_an_error() {
        let e = env(&[
            ("HVR_TBL_NAMES", "a"),
            ("HVR_COL_NAMES", "x"),
            ("HVR_FILE_LOC", "/data"),
            ("HVR_FILE_NAMES", "1-b.csv"),
        ]);
        let err = Invocation::from_env(&e, &default_rename()).unwrap_err();
        assert!(
            err.to_string().starts_with("file 1-b.csv matches no table"),
            "{err}"
        );
    }

    #[test]
    fn base_key_list_alone_marks_the_keys() {
        let e = env(&[
            ("HVR_TBL_NAMES", "t"),
            ("HVR_COL_NAMES", "a,b"),
            ("HVR_COL_NAMES_BASE", "ba,bb"),
            ("HVR_TBL_KEYS_BASE", "bb"),
        ]);
        let inv = Invocation::from_env(&e, &default_rename()).unwrap();
        let keys: Vec<bool> = inv.tables[0].columns.iter().map(|c| c.is_key).collect();
        assert_eq!(keys, vec![false, true]);
    }

    #[test]
    fn missing_table_list_is_an_error() {
        let err = Invocation::from_env(&env(&[]), &default_rename()).unwrap_err();
        assert_eq!(err.to_string(), "HVR_TBL_NAMES is not set");
    }
}
