//! One column's values of a chunk of rows: read through the parquet crate's typed column
//! readers, rendered as text, NULL where the definition level says so.

use std::fmt::Write as _;

use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, DataType, Int96};

use super::kind::Kind;
use super::{Column, JULIAN_EPOCH_DAY};
use crate::batch::TextColumn;
use crate::rows::render::{self, Unit};
use crate::rows::{Position, RowError};

/// Reads `want` records of a column and renders them; returns how many it read.
pub(super) fn decode_column(
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
    let (kind, max_def) = (*kind, *max_def);
    let reader = reader.as_mut().expect("the row group is open");
    let mut sink = Sink {
        text,
        defs,
        max_def,
        scratch,
        name,
        at: &at,
    };
    let corrupt_at = |e: parquet::errors::ParquetError| {
        RowError::Corrupt(format!("{}, column {name}: {e}", at(0)))
    };
    match reader {
        ColumnReader::BoolColumnReader(r) => {
            let v = read(r, want, sink.defs, max_def).map_err(corrupt_at)?;
            sink.render(&v.1, v.0, |out, b| {
                out.push(if *b { '1' } else { '0' });
                Ok(())
            })
        }
        ColumnReader::Int32ColumnReader(r) => {
            let v = read(r, want, sink.defs, max_def).map_err(corrupt_at)?;
            sink.render(&v.1, v.0, |out, x| {
                int(out, i64::from(*x), *x as u32 as i64, kind)
            })
        }
        ColumnReader::Int64ColumnReader(r) => {
            let v = read(r, want, sink.defs, max_def).map_err(corrupt_at)?;
            sink.render(&v.1, v.0, |out, x| long(out, *x, kind))
        }
        ColumnReader::Int96ColumnReader(r) => {
            let v = read(r, want, sink.defs, max_def).map_err(corrupt_at)?;
            sink.render(&v.1, v.0, int96)
        }
        ColumnReader::FloatColumnReader(r) => {
            let v = read(r, want, sink.defs, max_def).map_err(corrupt_at)?;
            sink.render(&v.1, v.0, |out, x| {
                render::float(out, f64::from(*x), true);
                Ok(())
            })
        }
        ColumnReader::DoubleColumnReader(r) => {
            let v = read(r, want, sink.defs, max_def).map_err(corrupt_at)?;
            sink.render(&v.1, v.0, |out, x| {
                render::float(out, *x, false);
                Ok(())
            })
        }
        ColumnReader::ByteArrayColumnReader(r) => {
            let v = read(r, want, sink.defs, max_def).map_err(corrupt_at)?;
            sink.render_bytes(&v.1, v.0, kind)
        }
        ColumnReader::FixedLenByteArrayColumnReader(r) => {
            let v = read(r, want, sink.defs, max_def).map_err(corrupt_at)?;
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
        Kind::Int { signed: false } => write!(out, "{unsigned}").expect("writing to a String"),
        Kind::DecimalInt { scale } => render::decimal_from_int(out, signed, scale),
        Kind::Date => render::date(out, signed)?,
        Kind::Time(unit) => render::time(out, signed, unit)?,
        _ => write!(out, "{signed}").expect("writing to a String"),
    }
    Ok(())
}

fn long(out: &mut String, x: i64, kind: Kind) -> Result<(), String> {
    match kind {
        Kind::Int { signed: false } => write!(out, "{}", x as u64).expect("writing to a String"),
        Kind::DecimalInt { scale } => render::decimal_from_int(out, x, scale),
        Kind::Time(unit) => render::time(out, x, unit)?,
        Kind::Timestamp { unit, .. } => render::timestamp(out, x, unit)?,
        _ => write!(out, "{x}").expect("writing to a String"),
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
