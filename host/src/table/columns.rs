//! The columns of a table's files: as the files declare them (header line, schema; all files
//! must agree) or from the channel, with the role and type of each column.

use super::{FileColumn, Role, TableError, TableJob};
use crate::rows::{DeclaredColumn, FileFormat};

impl TableJob<'_> {
    /// The files' columns: as the files declare them (a CSV header line, a Parquet or Avro
    /// schema; all files must agree), else the channel's columns in order. A
    /// `--column-type` entry gives (or overrides) a column's type.
    pub(super) fn file_columns(&self) -> Result<Vec<FileColumn>, TableError> {
        let mut columns = match self.declared_columns()? {
            Some((file, declared)) => self.resolve_header(&file, &declared)?,
            None => self
                .spec
                .columns
                .iter()
                .map(|c| self.file_column(&c.name, &c.base_name, c.is_key))
                .collect(),
        };
        let hinted: std::collections::BTreeSet<&str> = self
            .column_types
            .columns_of(&self.spec.name)
            .chain(self.column_types.columns_of(&self.spec.base_name))
            .collect();
        for hinted in hinted {
            if !columns
                .iter()
                .any(|c| c.name == hinted || c.base_name == hinted)
            {
                say!(
                    "W_JX0E00: --column-type {}.{hinted}: the table's files have no column {hinted}; the entry is ignored",
                    self.spec.name
                );
            }
        }
        for c in &mut columns {
            if let Some(t) = self
                .column_types
                .get(&self.spec.name, &c.name)
                .or_else(|| self.column_types.get(&self.spec.base_name, &c.base_name))
            {
                c.logical_type = Some(*t);
            }
        }
        Ok(columns)
    }

    /// What the files declare, with the first file's name; `None` for formats and settings
    /// that declare nothing.
    fn declared_columns(&self) -> Result<Option<(String, Vec<DeclaredColumn>)>, TableError> {
        let declares = match self.format {
            FileFormat::Csv(csv) => csv.header,
            FileFormat::Parquet | FileFormat::Avro => true,
            FileFormat::Json(..) => false,
        };
        let location = match self.location {
            Some(l) if declares && !self.files.is_empty() => l,
            _ => return Ok(None),
        };
        let mut first: Option<(String, Vec<DeclaredColumn>)> = None;
        for f in &self.files {
            let declared = crate::rows::declared(self.format, location, &f.name)
                .map_err(|source| TableError::Rows {
                    file: f.name.clone(),
                    source,
                })?
                .unwrap_or_default();
            match &first {
                None => first = Some((f.name.clone(), declared)),
                Some((first_file, columns)) if *columns != declared => {
                    return Err(TableError::File {
                        file: f.name.clone(),
                        message: format!(
                            "its columns ({}) differ from those of {first_file} ({}); files of one table in one call must agree",
                            describe(&declared),
                            describe(columns)
                        ),
                    });
                }
                Some(_) => {}
            }
        }
        Ok(first)
    }

    fn resolve_header(
        &self,
        file: &str,
        header: &[DeclaredColumn],
    ) -> Result<Vec<FileColumn>, TableError> {
        let mut out: Vec<FileColumn> = Vec::with_capacity(header.len());
        for (i, declared) in header.iter().enumerate() {
            let name = &declared.name;
            let found = self
                .spec
                .columns
                .iter()
                .find(|c| c.base_name == *name)
                .or_else(|| self.spec.columns.iter().find(|c| c.name == *name))
                .or_else(|| {
                    self.spec
                        .columns
                        .iter()
                        .find(|c| c.base_name.eq_ignore_ascii_case(name))
                });
            let Some(column) = found else {
                return Err(TableError::File {
                    file: file.to_string(),
                    message: format!(
                        "{}column {}: {} column {name:?} is not a column of table {} (HVR_COL_NAMES: {})",
                        self.header_at(),
                        i + 1,
                        self.declared_by(),
                        self.spec.name,
                        self.spec
                            .columns
                            .iter()
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                });
            };
            if out.iter().any(|c| c.name == column.name) {
                return Err(TableError::File {
                    file: file.to_string(),
                    message: format!(
                        "{}column {}: column {name:?} appears twice in the {}",
                        self.header_at(),
                        i + 1,
                        self.declared_by()
                    ),
                });
            }
            let mut column = self.file_column(&column.name, &column.base_name, column.is_key);
            column.logical_type = declared.logical_type;
            out.push(column);
        }
        self.check_whole_key(file, &out)?;
        Ok(out)
    }

    /// Whether this call applies changes to the target rows their keys find (an integrate,
    /// not into a TimeKey target, which keeps every change as a row of its own).
    pub(super) fn matches_rows(&self) -> bool {
        self.mode == crate::hvr::Mode::IntegrateEnd
            && self.options.style() != crate::options::Style::TimeKey
    }

    /// Where changes are matched to target rows (integrate, not TimeKey), the files must hold
    /// every key column: matched by the rest of the key, a change would update or delete
    /// every row that shares it.
    fn check_whole_key(&self, file: &str, columns: &[FileColumn]) -> Result<(), TableError> {
        if !self.matches_rows() {
            return Ok(());
        }
        let missing: Vec<&str> = self
            .spec
            .columns
            .iter()
            .filter(|c| self.file_column(&c.name, &c.base_name, c.is_key).is_key)
            .filter(|c| !columns.iter().any(|f| f.name == c.name))
            .map(|c| c.name.as_str())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(TableError::File {
            file: file.to_string(),
            message: format!(
                "{}key column(s) {} (HVR_TBL_KEYS) missing from the {}: a change is applied to \
                 the row with its whole key, and matched by the rest it would change every row \
                 that shares it; nothing was applied",
                self.header_at(),
                missing.join(", "),
                self.declared_by()
            ),
        })
    }

    fn file_column(&self, name: &str, base_name: &str, is_key: bool) -> FileColumn {
        let is = |wanted: &str| name == wanted || base_name == wanted;
        let role = if is(self.options.op_column_name()) {
            Role::Op
        } else if is(self.options.soft_delete_column_name()) {
            Role::SoftDelete
        } else {
            Role::Data
        };
        FileColumn {
            name: name.to_string(),
            base_name: base_name.to_string(),
            // Extra columns are never part of the key a change is applied by.
            is_key: is_key && role == Role::Data,
            role,
            // Typed formats and --column-type fill this in.
            logical_type: None,
        }
    }
}

impl TableJob<'_> {
    /// `line 1, ` for a CSV header; typed formats have a schema, not a line.
    fn header_at(&self) -> &'static str {
        match self.format {
            FileFormat::Csv(_) => "line 1, ",
            _ => "",
        }
    }

    fn declared_by(&self) -> &'static str {
        match self.format {
            FileFormat::Csv(_) => "header",
            _ => "schema",
        }
    }
}

fn describe(columns: &[DeclaredColumn]) -> String {
    columns
        .iter()
        .map(|c| match &c.logical_type {
            Some(t) => format!("{} {t}", c.name),
            None => c.name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
