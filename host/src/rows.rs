//! One file's rows as text values, whatever its format: the seam between a table's files and
//! its load. CSV, Parquet, Avro and JSON each implement [`RowSource`]; the table's reader
//! checks counts, op codes and shapes the same way for all of them.
//!
//! Typed values become the text a target casts from (see `render`): the connectors' load
//! statements and the transforms keep speaking text, and exactness is kept by writing
//! decimals and timestamps in full rather than through floats.

mod avro;
mod csv_rows;
mod json;
mod parquet;
pub mod render;
mod sniff;

use std::fmt;
use std::io::Read;

use thiserror::Error;

use crate::csv::{Compression, CsvError, CsvFormat, decompressed, open_decoded};
use crate::domain::LogicalType;
use crate::store::{Files, LocationError};

pub use json::JsonMode;

/// FileFormat of the location (`--file-format`): one per location, as in HVR.
#[derive(Clone, Debug)]
pub enum FileFormat {
    Csv(CsvFormat),
    Parquet,
    Avro,
    /// JSON files, whole-file compressed or not (FileFormat /Compress).
    Json(JsonMode, Compression),
}

impl FileFormat {
    pub fn name(&self) -> &'static str {
        match self {
            FileFormat::Csv(_) => "csv",
            FileFormat::Parquet => "parquet",
            FileFormat::Avro => "avro",
            FileFormat::Json(..) => "json",
        }
    }
}

/// A column as the file itself declares it (CSV header, Parquet or Avro schema).
#[derive(Clone, Debug, PartialEq)]
pub struct DeclaredColumn {
    pub name: String,
    pub logical_type: Option<LogicalType>,
}

/// Where a row is in its file, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Position {
    /// CSV and JSON row fragments: the line the row starts on.
    Line(u64),
    /// Parquet: row group and row within it, from 1.
    RowGroup { group: usize, row: u64 },
    /// Avro: data block and record within it, from 1.
    Block { block: u64, record: u64 },
    /// JSON table object: the element of the table's array, from 1.
    Element(u64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(l) => write!(f, "line {l}"),
            Position::RowGroup { group, row } => write!(f, "row group {group}, row {row}"),
            Position::Block { block, record } => write!(f, "block {block}, record {record}"),
            Position::Element(n) => write!(f, "row {n}"),
        }
    }
}

#[derive(Debug, Error)]
pub enum RowError {
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// The file is not what its format says, is corrupt or is cut short.
    #[error("{0}")]
    Corrupt(String),
    /// A value that does not fit the type its column declares.
    #[error("{at}, column {column}: {message}")]
    Value {
        at: Position,
        column: String,
        message: String,
    },
    /// The file uses a type or feature this host does not read.
    #[error("column {column}: {message}")]
    Unsupported { column: String, message: String },
    #[error(transparent)]
    Location(#[from] LocationError),
    #[error("{at}: reading the file failed: {source}")]
    Io { at: String, source: std::io::Error },
}

/// One file's rows, one at a time. A row's fields stay valid until the next `advance`.
pub trait RowSource: Send {
    /// The columns the file declares, in file order; `None` when it declares none (CSV
    /// without a header line, JSON: the channel's columns apply).
    fn declared(&self) -> Option<&[DeclaredColumn]>;
    /// Moves to the next row; `false` at the end of the file.
    fn advance(&mut self) -> Result<bool, RowError>;
    /// Fields of the current row.
    fn width(&self) -> usize;
    /// Field `i` of the current row as text; `None` for NULL.
    fn field(&self, i: usize) -> Result<Option<&str>, RowError>;
    fn position(&self) -> Position;
}

/// Opens one file of a table. `columns` names each column the rows are to have, in order
/// (with the names it may appear under): JSON objects are keyed by name, so they need it;
/// the other formats declare their own order.
pub fn open<'a>(
    format: &FileFormat,
    location: &dyn Files,
    name: &str,
    columns: &[Vec<String>],
) -> Result<Box<dyn RowSource + 'a>, RowError> {
    Ok(match format {
        // Parquet is read by offset (its footer first); the others as a stream.
        FileFormat::Parquet => Box::new(parquet::ParquetRows::open(location.open_seekable(name)?)?),
        FileFormat::Csv(csv) => {
            let mut raw = sniff::Sniffed::new(location.open(name)?);
            sniff::refuse_typed_as_csv(&mut raw)?;
            Box::new(csv_rows::CsvRows::open(
                open_decoded(Box::new(raw), csv),
                csv,
            )?)
        }
        FileFormat::Avro => Box::new(avro::AvroRows::open(location.open(name)?)?),
        FileFormat::Json(mode, compression) => Box::new(json::JsonRows::open(
            decompressed(location.open(name)?, *compression),
            *mode,
            columns,
        )?),
    })
}

/// The columns a file declares, reading as little of it as the format allows (a Parquet
/// footer; the start of the others); `None` when the format declares none.
pub fn declared(
    format: &FileFormat,
    location: &dyn Files,
    name: &str,
) -> Result<Option<Vec<DeclaredColumn>>, RowError> {
    match format {
        FileFormat::Parquet => parquet::declared(location, name).map(Some),
        FileFormat::Json(..) => Ok(None),
        _ => Ok(open(format, location, name, &[])?
            .declared()
            .map(<[DeclaredColumn]>::to_vec)),
    }
}

/// Reads a whole stream into the error a short read or I/O failure gives.
fn io_error(at: impl Into<String>) -> impl FnOnce(std::io::Error) -> RowError {
    let at = at.into();
    move |source| RowError::Io { at, source }
}

/// `Read` that is also `Send`, boxed: what a location hands out.
pub(crate) type Input = Box<dyn Read + Send>;
