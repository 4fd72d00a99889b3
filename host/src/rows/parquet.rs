//! Parquet as a row source, read row group by row group in chunks of rows, so memory
//! follows the chunk, not the file.

mod decode;
mod footer;
mod kind;

use std::fs::File;

use parquet::column::reader::ColumnReader;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::schema::types::SchemaDescriptor;

use super::{DeclaredColumn, Position, RowError, RowSource};
use crate::batch::TextColumn;
use decode::decode_column;
pub use footer::declared;
use kind::Kind;

/// Rows decoded per column at a time.
const CHUNK_ROWS: usize = 8192;

/// Days from the Julian day count's origin to 1970-01-01.
pub(super) const JULIAN_EPOCH_DAY: i64 = 2_440_588;

pub(super) struct Column {
    pub(super) name: String,
    pub(super) kind: Kind,
    pub(super) max_def: i16,
    pub(super) reader: Option<ColumnReader>,
    pub(super) defs: Vec<i16>,
    pub(super) text: TextColumn,
}

pub struct ParquetRows {
    file: SerializedFileReader<File>,
    declared: Vec<DeclaredColumn>,
    columns: Vec<Column>,
    /// Row group being read (0-based) and rows of it consumed before the current chunk.
    group: usize,
    group_rows_done: u64,
    /// Row within the current chunk; `chunk_len` rows are decoded.
    row: usize,
    chunk_len: usize,
    scratch: String,
}

pub(super) fn corrupt(e: impl std::fmt::Display) -> RowError {
    RowError::Corrupt(format!("not a readable Parquet file: {e}"))
}

impl ParquetRows {
    pub fn open(file: File) -> Result<Self, RowError> {
        let file = SerializedFileReader::new(file).map_err(corrupt)?;
        let (declared, columns) = schema_columns(file.metadata().file_metadata().schema_descr())?;
        Ok(ParquetRows {
            file,
            declared,
            columns,
            group: 0,
            group_rows_done: 0,
            row: 0,
            chunk_len: 0,
            scratch: String::new(),
        })
    }

    /// Decodes the next chunk, moving on to the next row group when this one is done;
    /// `false` after the last.
    fn next_chunk(&mut self) -> Result<bool, RowError> {
        self.group_rows_done += self.chunk_len as u64;
        self.row = 0;
        self.chunk_len = 0;
        loop {
            let groups = self.file.num_row_groups();
            if self.group >= groups {
                return Ok(false);
            }
            let group_rows = self.file.metadata().row_group(self.group).num_rows() as u64;
            if self.columns.first().is_some_and(|c| c.reader.is_none()) {
                self.open_group()?;
            }
            if self.group_rows_done < group_rows {
                let want = (group_rows - self.group_rows_done).min(CHUNK_ROWS as u64) as usize;
                return self.decode(want).map(|()| true);
            }
            self.columns.iter_mut().for_each(|c| c.reader = None);
            self.group += 1;
            self.group_rows_done = 0;
        }
    }

    fn open_group(&mut self) -> Result<(), RowError> {
        let group = self.group;
        let reader = self
            .file
            .get_row_group(group)
            .map_err(|e| RowError::Corrupt(format!("row group {}: {e}", group + 1)))?;
        for (i, column) in self.columns.iter_mut().enumerate() {
            column.reader = Some(reader.get_column_reader(i).map_err(|e| {
                RowError::Corrupt(format!(
                    "row group {}, column {}: {e}",
                    group + 1,
                    column.name
                ))
            })?);
        }
        Ok(())
    }

    /// Decodes `want` rows of every column into their text columns.
    fn decode(&mut self, want: usize) -> Result<(), RowError> {
        let at = |row: usize, done: u64, group: usize| Position::RowGroup {
            group: group + 1,
            row: done + row as u64 + 1,
        };
        let (group, done) = (self.group, self.group_rows_done);
        for column in &mut self.columns {
            column.text.clear();
            let got = decode_column(column, want, &mut self.scratch, |row| at(row, done, group))?;
            if got != want {
                return Err(RowError::Corrupt(format!(
                    "row group {}, column {}: {got} of its {want} rows from row {} are present; the file is cut short or damaged",
                    group + 1,
                    column.name,
                    done + 1
                )));
            }
        }
        self.chunk_len = want;
        Ok(())
    }
}

/// The file's columns from its schema; nested groups and unsupported types are refused.
pub(super) fn schema_columns(
    schema: &SchemaDescriptor,
) -> Result<(Vec<DeclaredColumn>, Vec<Column>), RowError> {
    if let Some(group) = schema
        .root_schema()
        .get_fields()
        .iter()
        .find(|f| f.is_group())
    {
        return Err(RowError::Unsupported {
            column: group.name().to_string(),
            message: "nested groups (structs, lists, maps) are not supported; HVR writes flat rows"
                .into(),
        });
    }
    let mut declared = Vec::new();
    let mut columns = Vec::new();
    for descr in schema.columns() {
        let name = descr.name().to_string();
        if descr.max_rep_level() > 0 {
            return Err(RowError::Unsupported {
                column: name,
                message: "repeated values (a list) are not supported; HVR writes flat rows".into(),
            });
        }
        let kind = kind::kind_of(descr).map_err(|message| RowError::Unsupported {
            column: name.clone(),
            message,
        })?;
        declared.push(DeclaredColumn {
            name: name.clone(),
            logical_type: Some(kind::logical_type(descr, kind)),
        });
        columns.push(Column {
            name,
            kind,
            max_def: descr.max_def_level(),
            reader: None,
            defs: Vec::new(),
            text: TextColumn::with_capacity(CHUNK_ROWS),
        });
    }
    Ok((declared, columns))
}

impl RowSource for ParquetRows {
    fn declared(&self) -> Option<&[DeclaredColumn]> {
        Some(&self.declared)
    }

    fn advance(&mut self) -> Result<bool, RowError> {
        if self.row + 1 < self.chunk_len {
            self.row += 1;
            return Ok(true);
        }
        self.next_chunk()
    }

    fn width(&self) -> usize {
        self.columns.len()
    }

    fn field(&self, i: usize) -> Result<Option<&str>, RowError> {
        let column = &self.columns[i];
        match column.text.get(self.row) {
            None => Ok(None),
            // Every value was written from a `str` or ASCII digits.
            Some(bytes) => std::str::from_utf8(bytes)
                .map(Some)
                .map_err(|_| RowError::Value {
                    at: self.position(),
                    column: column.name.clone(),
                    message: "a value is not UTF-8".into(),
                }),
        }
    }

    fn position(&self) -> Position {
        Position::RowGroup {
            group: self.group + 1,
            row: self.group_rows_done + self.row as u64 + 1,
        }
    }
}
