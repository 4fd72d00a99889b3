//! Parquet as a row source, read row group by row group in chunks of rows, so memory
//! follows the chunk, not the file.

mod kind;

use std::fs::File;

use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, DataType, Int96};
use parquet::errors::ParquetError;
use parquet::file::metadata::ParquetMetaDataReader;
use parquet::file::reader::{ChunkReader, FileReader, Length, SerializedFileReader};
use parquet::schema::types::SchemaDescriptor;

use super::render::{self, Unit};
use super::{DeclaredColumn, Position, RowError, RowSource};
use crate::batch::TextColumn;
use crate::store::Files;
use kind::Kind;

/// Rows decoded per column at a time.
const CHUNK_ROWS: usize = 8192;

/// Days from the Julian day count's origin to 1970-01-01.
const JULIAN_EPOCH_DAY: i64 = 2_440_588;

struct Column {
    name: String,
    kind: Kind,
    max_def: i16,
    reader: Option<ColumnReader>,
    defs: Vec<i16>,
    text: TextColumn,
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

fn corrupt(e: impl std::fmt::Display) -> RowError {
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
fn schema_columns(
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

/// The columns a Parquet file declares, from its footer alone: two ranged reads, so a
/// file in a store is not downloaded just to learn its schema.
pub fn declared(location: &dyn Files, name: &str) -> Result<Vec<DeclaredColumn>, RowError> {
    let size = location.size(name)?;
    let ranged = Ranged {
        location,
        name,
        size,
    };
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(&ranged)
        .map_err(corrupt)?;
    Ok(schema_columns(metadata.file_metadata().schema_descr())?.0)
}

/// A file read by ranges through its location.
struct Ranged<'a> {
    location: &'a dyn Files,
    name: &'a str,
    size: u64,
}

impl Length for Ranged<'_> {
    fn len(&self) -> u64 {
        self.size
    }
}

impl ChunkReader for Ranged<'_> {
    type T = std::io::Cursor<Vec<u8>>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        // Only the footer is read this way; a bounded window is plenty for a page header.
        self.get_bytes(
            start,
            (self.size.saturating_sub(start)).min(64 * 1024) as usize,
        )
        .map(|b| std::io::Cursor::new(b.to_vec()))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let data = self
            .location
            .read_range(self.name, start, length)
            .map_err(|e| ParquetError::External(Box::new(e)))?;
        if data.len() != length {
            return Err(ParquetError::EOF(format!(
                "the file ends at {} bytes, {length} were wanted from {start}",
                start + data.len() as u64
            )));
        }
        Ok(data.into())
    }
}

/// Reads `want` records of a column and renders them; returns how many it read.
fn decode_column(
    column: &mut Column,
    want: usize,
    scratch: &mut String,
    at: impl Fn(usize) -> Position,
) -> Result<usize, RowError> {
    let Column {
        name,
        kind,
        max_def,
        reader,
        defs,
        text,
    } = column;
    let kind = *kind;
    let mut sink = Sink {
        text,
        defs,
        max_def: *max_def,
        scratch,
        name,
        at: &at,
    };
    let reader = reader.as_mut().expect("the row group is open");
    let corrupt_at = |e: parquet::errors::ParquetError| {
        RowError::Corrupt(format!("{}, column {name}: {e}", at(0)))
    };
    match reader {
        ColumnReader::BoolColumnReader(r) => {
            let v = read(r, want, sink.defs, *max_def).map_err(corrupt_at)?;
            sink.render(&v.1, v.0, |out, b| {
                out.push(if *b { '1' } else { '0' });
                Ok(())
            })
        }
        ColumnReader::Int32ColumnReader(r) => {
            let v = read(r, want, sink.defs, *max_def).map_err(corrupt_at)?;
            sink.render(&v.1, v.0, |out, x| {
                int(out, i64::from(*x), *x as u32 as i64, kind)
            })
        }
        ColumnReader::Int64ColumnReader(r) => {
            let v = read(r, want, sink.defs, *max_def).map_err(corrupt_at)?;
            sink.render(&v.1, v.0, |out, x| long(out, *x, kind))
        }
        ColumnReader::Int96ColumnReader(r) => {
            let v = read(r, want, sink.defs, *max_def).map_err(corrupt_at)?;
            sink.render(&v.1, v.0, int96)
        }
        ColumnReader::FloatColumnReader(r) => {
            let v = read(r, want, sink.defs, *max_def).map_err(corrupt_at)?;
            sink.render(&v.1, v.0, |out, x| {
                render::float(out, f64::from(*x), true);
                Ok(())
            })
        }
        ColumnReader::DoubleColumnReader(r) => {
            let v = read(r, want, sink.defs, *max_def).map_err(corrupt_at)?;
            sink.render(&v.1, v.0, |out, x| {
                render::float(out, *x, false);
                Ok(())
            })
        }
        ColumnReader::ByteArrayColumnReader(r) => {
            let v = read(r, want, sink.defs, *max_def).map_err(corrupt_at)?;
            sink.render_bytes(&v.1, v.0, kind)
        }
        ColumnReader::FixedLenByteArrayColumnReader(r) => {
            let v = read(r, want, sink.defs, *max_def).map_err(corrupt_at)?;
            let plain: Vec<ByteArray> = v.1.into_iter().map(ByteArray::from).collect();
            sink.render_bytes(&plain, v.0, kind)
        }
    }
}

/// Reads up to `want` records: (records read, values). Definition levels go to `defs`.
fn read<T: DataType>(
    reader: &mut ColumnReaderImpl<T>,
    want: usize,
    defs: &mut Vec<i16>,
    max_def: i16,
) -> parquet::errors::Result<(usize, Vec<T::T>)> {
    defs.clear();
    let mut values = Vec::with_capacity(want);
    let mut records = 0;
    while records < want {
        let (got, _, _) = reader.read_records(
            want - records,
            (max_def > 0).then_some(&mut *defs),
            None,
            &mut values,
        )?;
        if got == 0 {
            break;
        }
        records += got;
    }
    Ok((records, values))
}

/// Where one column's rendered values go.
struct Sink<'a, F: Fn(usize) -> Position> {
    text: &'a mut TextColumn,
    defs: &'a mut Vec<i16>,
    max_def: i16,
    scratch: &'a mut String,
    name: &'a str,
    at: &'a F,
}

impl<F: Fn(usize) -> Position> Sink<'_, F> {
    /// Pushes `records` rows: NULL where the definition level says so, else the next value.
    fn render<V>(
        &mut self,
        values: &[V],
        records: usize,
        mut write: impl FnMut(&mut String, &V) -> Result<(), String>,
    ) -> Result<usize, RowError> {
        let mut next = values.iter();
        for row in 0..records {
            if self.max_def > 0 && self.defs.get(row) != Some(&self.max_def) {
                self.text.push(None);
                continue;
            }
            let value = next.next().ok_or_else(|| {
                RowError::Corrupt(format!(
                    "{}, column {}: fewer values than rows; the page is damaged",
                    (self.at)(row),
                    self.name
                ))
            })?;
            self.scratch.clear();
            write(self.scratch, value).map_err(|message| RowError::Value {
                at: (self.at)(row),
                column: self.name.to_string(),
                message,
            })?;
            self.text.push(Some(self.scratch.as_bytes()));
        }
        Ok(records)
    }

    fn render_bytes(
        &mut self,
        values: &[ByteArray],
        records: usize,
        kind: Kind,
    ) -> Result<usize, RowError> {
        self.render(values, records, |out, v| {
            let data = v.data();
            match kind {
                Kind::Text | Kind::Json => match std::str::from_utf8(data) {
                    Ok(s) => out.push_str(s),
                    Err(e) => {
                        return Err(format!(
                            "invalid UTF-8 at byte {} of a string value",
                            e.valid_up_to() + 1
                        ));
                    }
                },
                Kind::DecimalBytes { scale } => render::decimal_from_be(out, data, scale),
                Kind::Uuid => render::uuid(out, data)?,
                _ => render::hex(out, data),
            }
            Ok(())
        })
    }
}

fn int(out: &mut String, signed: i64, unsigned: i64, kind: Kind) -> Result<(), String> {
    match kind {
        Kind::Int { signed: false } => out.push_str(&unsigned.to_string()),
        Kind::DecimalInt { scale } => render::decimal_from_int(out, signed, scale),
        Kind::Date => render::date(out, signed)?,
        Kind::Time(unit) => render::time(out, signed, unit)?,
        _ => out.push_str(&signed.to_string()),
    }
    Ok(())
}

fn long(out: &mut String, x: i64, kind: Kind) -> Result<(), String> {
    match kind {
        Kind::Int { signed: false } => out.push_str(&(x as u64).to_string()),
        Kind::DecimalInt { scale } => render::decimal_from_int(out, x, scale),
        Kind::Time(unit) => render::time(out, x, unit)?,
        Kind::Timestamp { unit, .. } => render::timestamp(out, x, unit)?,
        _ => out.push_str(&x.to_string()),
    }
    Ok(())
}

/// INT96: nanoseconds of the day (8 bytes) and the Julian day (4 bytes), little-endian.
fn int96(out: &mut String, v: &Int96) -> Result<(), String> {
    let d = v.data();
    let nanos = (i64::from(d[1]) << 32) | i64::from(d[0]);
    let days = i64::from(d[2]) - JULIAN_EPOCH_DAY;
    render::datetime(out, days, nanos, Unit::Nanos)
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
