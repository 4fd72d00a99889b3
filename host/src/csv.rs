//! Reading HVR's CSV files: every FileFormat option, streamed, with errors that name the file,
//! line and column.

mod decode;
mod format;
mod quick;
mod reader;
mod scan;

#[cfg(test)]
mod properties;

pub use decode::{decompressed, open_decoded};
pub use format::{Compression, CsvFormat, FormatError, TextEncoding, unescape};
pub use reader::{CsvError, Record, RecordReader};
