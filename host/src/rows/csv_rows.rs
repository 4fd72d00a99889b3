//! CSV as a row source: the header line (when the format has one) declares the columns.

use std::io::BufRead;

use super::{DeclaredColumn, Position, RowError, RowSource};
use crate::csv::{CsvFormat, RecordReader};

pub struct CsvRows {
    reader: RecordReader<Box<dyn BufRead + Send>>,
    declared: Option<Vec<DeclaredColumn>>,
}

impl CsvRows {
    pub fn open(input: Box<dyn BufRead + Send>, format: &CsvFormat) -> Result<Self, RowError> {
        let mut reader = RecordReader::new(input, format.clone());
        let declared = if format.header {
            if !reader.advance()? {
                return Err(RowError::Corrupt(
                    "the file is empty, but a header line was expected (--header-line)".into(),
                ));
            }
            let record = reader.current();
            let names = (0..record.len())
                .map(|i| {
                    Ok(DeclaredColumn {
                        name: record.field(i)?.unwrap_or("").trim().to_string(),
                        logical_type: None,
                    })
                })
                .collect::<Result<Vec<_>, RowError>>()?;
            Some(names)
        } else {
            None
        };
        Ok(CsvRows { reader, declared })
    }
}

impl RowSource for CsvRows {
    fn declared(&self) -> Option<&[DeclaredColumn]> {
        self.declared.as_deref()
    }

    fn advance(&mut self) -> Result<bool, RowError> {
        Ok(self.reader.advance()?)
    }

    fn width(&self) -> usize {
        self.reader.current().len()
    }

    fn field(&self, i: usize) -> Result<Option<&str>, RowError> {
        Ok(self.reader.current().field(i)?)
    }

    fn position(&self) -> Position {
        Position::Line(self.reader.current().line)
    }
}
