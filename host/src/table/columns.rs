//! The columns of a table's files: from the header line (all files must agree) or from the
//! channel, with the role of each extra column.

use super::{FileColumn, Role, TableError, TableJob};
use crate::csv::{CsvFormat, RecordReader, open_decoded};
use crate::store::Files;

impl TableJob<'_> {
    /// The files' columns: from the header line when there is one (all files must agree),
    /// else the channel's columns in order.
    pub(super) fn file_columns(&self) -> Result<Vec<FileColumn>, TableError> {
        let location = match self.location {
            Some(l) if self.format.header && !self.files.is_empty() => l,
            _ => {
                return Ok(self
                    .spec
                    .columns
                    .iter()
                    .map(|c| self.file_column(&c.name, &c.base_name, c.is_key))
                    .collect());
            }
        };
        let mut first: Option<(String, Vec<String>)> = None;
        for f in &self.files {
            let header = read_header(location, &f.name, self.format)?;
            match &first {
                None => first = Some((f.name.clone(), header)),
                Some((first_file, names)) if *names != header => {
                    return Err(TableError::File {
                        file: f.name.clone(),
                        message: format!(
                            "line 1: header ({}) differs from the header of {first_file} ({})",
                            header.join(","),
                            names.join(",")
                        ),
                    });
                }
                Some(_) => {}
            }
        }
        let (file, header) = first.expect("at least one file");
        self.resolve_header(&file, &header)
    }

    fn resolve_header(&self, file: &str, header: &[String]) -> Result<Vec<FileColumn>, TableError> {
        let mut out: Vec<FileColumn> = Vec::with_capacity(header.len());
        for (i, name) in header.iter().enumerate() {
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
                        "line 1, column {}: header column {name:?} is not a column of table {} (HVR_COL_NAMES: {})",
                        i + 1,
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
                        "line 1, column {}: column {name:?} appears twice in the header",
                        i + 1
                    ),
                });
            }
            out.push(self.file_column(&column.name, &column.base_name, column.is_key));
        }
        Ok(out)
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
            // CSV carries text: the file declares no type.
            logical_type: None,
        }
    }
}

fn read_header(
    location: &dyn Files,
    name: &str,
    format: &CsvFormat,
) -> Result<Vec<String>, TableError> {
    let mut reader = RecordReader::new(open_decoded(location.open(name)?, format), format.clone());
    let csv_error = |source| TableError::Csv {
        file: name.to_string(),
        source,
    };
    let record = reader
        .next_record()
        .map_err(csv_error)?
        .ok_or_else(|| TableError::File {
            file: name.to_string(),
            message: "the file is empty, but a header line was expected (--header-line)".into(),
        })?;
    (0..record.len())
        .map(|i| {
            record
                .field(i)
                .map_err(csv_error)
                .map(|f| f.unwrap_or("").trim().to_string())
        })
        .collect()
}
