//! A Parquet file's schema from its footer alone, read by ranges through its location.

use parquet::errors::ParquetError;
use parquet::file::metadata::ParquetMetaDataReader;
use parquet::file::reader::{ChunkReader, Length};

use super::{corrupt, schema_columns};
use crate::rows::{DeclaredColumn, RowError};
use crate::store::Files;

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
