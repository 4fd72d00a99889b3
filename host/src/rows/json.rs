//! JSON files as a row source: `ROW_FRAGMENTS` (one object per row, one after another) and
//! `TABLE_OBJECT` (`{"table": [{...}, ...]}`, HVR's default), both streamed one row at a
//! time. Values keep their text: numbers exactly as written, nested values as JSON.

use std::collections::HashMap;
use std::io::BufRead;

use crate::buffered::GrowingBufReader;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{DeclaredColumn, Input, Position, RowError, RowSource};

/// FileFormat /JsonMode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonMode {
    RowFragments,
    TableObject,
}

/// Where a table-object file's reading stands.
#[derive(Clone, Copy, PartialEq)]
enum Stage {
    Start,
    InArray,
    Done,
}

pub struct JsonRows {
    input: GrowingBufReader<Input>,
    mode: JsonMode,
    stage: Stage,
    /// Every name a column may appear under, to its index.
    index: HashMap<String, usize>,
    width: usize,
    row: u64,
    text: String,
    spans: Vec<Option<(usize, usize)>>,
}

impl JsonRows {
    pub fn open(raw: Input, mode: JsonMode, columns: &[Vec<String>]) -> Result<Self, RowError> {
        let mut index = HashMap::new();
        for (i, names) in columns.iter().enumerate() {
            for name in names {
                index.entry(name.clone()).or_insert(i);
            }
        }
        Ok(JsonRows {
            input: GrowingBufReader::new(256 * 1024, raw),
            mode,
            stage: Stage::Start,
            index,
            width: columns.len(),
            row: 0,
            text: String::new(),
            spans: vec![None; columns.len()],
        })
    }

    fn at(&self) -> Position {
        Position::Element(self.row + 1)
    }

    fn corrupt(&self, message: impl std::fmt::Display) -> RowError {
        RowError::Corrupt(format!("{}: {message}", self.at()))
    }

    /// The next byte that is not white space, without consuming it; `None` at the end.
    fn peek(&mut self) -> Result<Option<u8>, RowError> {
        loop {
            let at = self.at();
            let buf = self
                .input
                .fill_buf()
                .map_err(super::io_error(at.to_string()))?;
            let Some(skip) = buf.iter().position(|b| !b.is_ascii_whitespace()) else {
                if buf.is_empty() {
                    return Ok(None);
                }
                let n = buf.len();
                self.input.consume(n);
                continue;
            };
            let byte = buf[skip];
            self.input.consume(skip);
            return Ok(Some(byte));
        }
    }

    fn expect(&mut self, wanted: u8, context: &str) -> Result<(), RowError> {
        match self.peek()? {
            Some(b) if b == wanted => {
                self.input.consume(1);
                Ok(())
            }
            Some(b) => Err(self.corrupt(format!(
                "expected '{}' {context}, found '{}'",
                wanted as char, b as char
            ))),
            None => Err(self.corrupt(format!(
                "the file ends where '{}' {context} was expected; it is cut short",
                wanted as char
            ))),
        }
    }

    /// Moves a table-object file to its next row; `false` after the last.
    fn table_object_next(&mut self) -> Result<bool, RowError> {
        match self.stage {
            Stage::Done => return Ok(false),
            Stage::Start => {
                self.expect(b'{', "at the start of a TABLE_OBJECT file")?;
                let mut de = serde_json::Deserializer::from_reader(&mut self.input);
                String::deserialize(&mut de)
                    .map_err(|e| self.corrupt(format!("the table's name: {e}")))?;
                self.expect(b':', "after the table's name")?;
                self.expect(b'[', "to open the table's rows")?;
                self.stage = Stage::InArray;
                if self.peek()? == Some(b']') {
                    self.input.consume(1);
                    return self.table_object_end();
                }
            }
            Stage::InArray => match self.peek()? {
                Some(b',') => self.input.consume(1),
                Some(b']') => {
                    self.input.consume(1);
                    return self.table_object_end();
                }
                Some(b) => {
                    return Err(self.corrupt(format!(
                        "expected ',' or ']' after a row, found '{}'",
                        b as char
                    )));
                }
                None => return Err(self.corrupt("the file ends inside the rows; it is cut short")),
            },
        }
        Ok(true)
    }

    fn table_object_end(&mut self) -> Result<bool, RowError> {
        match self.peek()? {
            Some(b'}') => self.input.consume(1),
            Some(b',') => {
                return Err(self.corrupt(
                    "the file holds a second table; each file must hold one (use a RenameExpression with {hvr_tbl_name})",
                ));
            }
            _ => return Err(self.corrupt("expected '}' after the table's rows")),
        }
        if self.peek()?.is_some() {
            return Err(self.corrupt("text follows the table object"));
        }
        self.stage = Stage::Done;
        Ok(false)
    }

    /// Reads one object into the row's fields.
    fn read_row(&mut self) -> Result<(), RowError> {
        let mut de = serde_json::Deserializer::from_reader(&mut self.input);
        let object: HashMap<String, Box<RawValue>> = HashMap::deserialize(&mut de)
            .map_err(|e| RowError::Corrupt(format!("{}: not a JSON object: {e}", self.at())))?;
        self.text.clear();
        self.spans.iter_mut().for_each(|s| *s = None);
        for (key, value) in &object {
            let Some(&i) = self.index.get(key) else {
                return Err(RowError::Value {
                    at: self.at(),
                    column: key.clone(),
                    message: "this key is not a column of the table (HVR_COL_NAMES)".into(),
                });
            };
            let start = self.text.len();
            let raw = value.get();
            match raw.as_bytes()[0] {
                b'n' => continue,
                b't' => self.text.push('1'),
                b'f' => self.text.push('0'),
                b'"' => {
                    let s: String = serde_json::from_str(raw).map_err(|e| RowError::Value {
                        at: self.at(),
                        column: key.clone(),
                        message: e.to_string(),
                    })?;
                    self.text.push_str(&s);
                }
                // Numbers exactly as written; objects and arrays as their JSON text.
                _ => self.text.push_str(raw),
            }
            self.spans[i] = Some((start, self.text.len()));
        }
        Ok(())
    }
}

impl RowSource for JsonRows {
    fn declared(&self) -> Option<&[DeclaredColumn]> {
        None
    }

    fn advance(&mut self) -> Result<bool, RowError> {
        let more = match self.mode {
            JsonMode::RowFragments => self.peek()?.is_some(),
            JsonMode::TableObject => self.table_object_next()?,
        };
        if !more {
            return Ok(false);
        }
        if self.peek()? != Some(b'{') {
            return Err(self.corrupt("a row must be a JSON object"));
        }
        self.read_row()?;
        self.row += 1;
        Ok(true)
    }

    fn width(&self) -> usize {
        self.width
    }

    fn field(&self, i: usize) -> Result<Option<&str>, RowError> {
        Ok(self.spans[i].map(|(a, b)| &self.text[a..b]))
    }

    fn position(&self) -> Position {
        Position::Element(self.row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(mode: JsonMode, text: &'static str) -> Result<Vec<Vec<Option<String>>>, RowError> {
        let cols = vec![
            vec!["id".to_string()],
            vec!["v".to_string(), "V".to_string()],
        ];
        let mut r = JsonRows::open(Box::new(text.as_bytes()), mode, &cols)?;
        let mut out = Vec::new();
        while r.advance()? {
            out.push(
                (0..r.width())
                    .map(|i| r.field(i).unwrap().map(str::to_string))
                    .collect(),
            );
        }
        Ok(out)
    }

    #[test]
    fn both_modes_keep_numbers_exact_and_null_apart_from_empty() {
        let want = vec![
            vec![
                Some("1".to_string()),
                Some("12345678901234567890.10".to_string()),
            ],
            vec![Some("2".to_string()), None],
            vec![Some("3".to_string()), Some(String::new())],
        ];
        let fragments = "{\"id\":1,\"v\":12345678901234567890.10}\n{\"id\":2,\"v\":null}\n{\"id\":3,\"V\":\"\"}\n";
        assert_eq!(rows(JsonMode::RowFragments, fragments).unwrap(), want);
        let table = "{\"t\": [ {\"id\":1,\"v\":12345678901234567890.10},\n{\"id\":2},{\"id\":3,\"v\":\"\"} ] }";
        assert_eq!(rows(JsonMode::TableObject, table).unwrap(), want);
        assert_eq!(rows(JsonMode::TableObject, "{\"t\":[]}").unwrap().len(), 0);
    }

    #[test]
    fn cut_short_unknown_keys_and_second_tables_are_errors() {
        let e = rows(JsonMode::TableObject, "{\"t\":[{\"id\":1},").unwrap_err();
        assert!(e.to_string().contains("row 2"), "{e}");
        let e = rows(JsonMode::RowFragments, "{\"id\":1,\"x\":2}").unwrap_err();
        assert!(e.to_string().contains("column x"), "{e}");
        let e = rows(JsonMode::TableObject, "{\"t\":[],\"u\":[]}").unwrap_err();
        assert!(e.to_string().contains("second table"), "{e}");
        let e = rows(JsonMode::RowFragments, "{\"id\":1").unwrap_err();
        assert!(e.to_string().contains("row 1"), "{e}");
    }
}
