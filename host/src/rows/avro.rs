//! Avro object container files as a row source, read one data block at a time: the header
//! (schema, codec, sync marker), then blocks of records, each checked against the marker.

mod decode;
mod schema;

use std::collections::HashMap;
use std::io::Read;

use crate::buffered::GrowingBufReader;

use super::{DeclaredColumn, Input, Position, RowError, RowSource, sniff};
use decode::Cursor;
use schema::Field;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Codec {
    Null,
    Deflate,
}

pub struct AvroRows {
    input: GrowingBufReader<Input>,
    fields: Vec<Field>,
    declared: Vec<DeclaredColumn>,
    codec: Codec,
    sync: [u8; 16],
    /// The current block (decompressed), where its next record starts, and records left.
    block: Vec<u8>,
    offset: usize,
    left: u64,
    block_number: u64,
    record: u64,
    /// The current row: its rendered values and each field's span in them.
    text: String,
    spans: Vec<Option<(usize, usize)>>,
}

fn cut_short(what: &str) -> RowError {
    RowError::Corrupt(format!(
        "the file ends inside {what}; it is cut short or not an Avro file"
    ))
}

/// Reads exactly `buf.len()` bytes; `Ok(false)` when the stream ended before the first.
fn read_full(input: &mut impl Read, buf: &mut [u8], what: &str) -> Result<bool, RowError> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => return Err(cut_short(what)),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(RowError::Io {
                    at: what.to_string(),
                    source,
                });
            }
        }
    }
    Ok(true)
}

/// A zig-zag varint long straight from the stream (block headers); `None` at a clean end.
fn read_long(input: &mut impl Read, what: &str) -> Result<Option<i64>, RowError> {
    let (mut value, mut shift) = (0u64, 0u32);
    loop {
        let mut byte = [0u8];
        if !read_full(input, &mut byte, what)? {
            return if shift == 0 {
                Ok(None)
            } else {
                Err(cut_short(what))
            };
        }
        value |= u64::from(byte[0] & 0x7f) << shift;
        if byte[0] & 0x80 == 0 {
            return Ok(Some((value >> 1) as i64 ^ -((value & 1) as i64)));
        }
        shift += 7;
        if shift > 63 {
            return Err(RowError::Corrupt(format!(
                "{what}: a length is not a valid varint"
            )));
        }
    }
}

impl AvroRows {
    pub fn open(raw: Input) -> Result<Self, RowError> {
        let mut input = GrowingBufReader::new(256 * 1024, raw);
        let mut magic = [0u8; 4];
        if !read_full(&mut input, &mut magic, "the header")? || magic != sniff::AVRO_MAGIC {
            return Err(RowError::Corrupt(
                "not an Avro object container file (it does not start with Obj\\x01)".into(),
            ));
        }
        let meta = read_metadata(&mut input)?;
        let schema = meta
            .get("avro.schema")
            .ok_or_else(|| RowError::Corrupt("the header has no avro.schema".into()))?;
        let schema = std::str::from_utf8(schema)
            .map_err(|_| RowError::Corrupt("the header's schema is not UTF-8".into()))?;
        let fields = schema::fields(schema).map_err(|message| RowError::Unsupported {
            column: "(schema)".into(),
            message,
        })?;
        let codec = match meta.get("avro.codec").map(Vec::as_slice) {
            None | Some(b"null") => Codec::Null,
            Some(b"deflate") => Codec::Deflate,
            Some(other) => {
                return Err(RowError::Unsupported {
                    column: "(file)".into(),
                    message: format!(
                        "Avro codec {:?} is not supported (HVR's BlockCompress writes NONE or DEFLATE)",
                        String::from_utf8_lossy(other)
                    ),
                });
            }
        };
        let mut sync = [0u8; 16];
        if !read_full(&mut input, &mut sync, "the header's sync marker")? {
            return Err(cut_short("the header's sync marker"));
        }
        let declared = fields
            .iter()
            .map(|f| DeclaredColumn {
                name: f.name.clone(),
                logical_type: schema::logical_type(&f.ty),
            })
            .collect();
        Ok(AvroRows {
            input,
            spans: Vec::with_capacity(fields.len()),
            fields,
            declared,
            codec,
            sync,
            block: Vec::new(),
            offset: 0,
            left: 0,
            block_number: 0,
            record: 0,
            text: String::new(),
        })
    }

    /// Reads the next block; `false` at the end of the file.
    fn next_block(&mut self) -> Result<bool, RowError> {
        let what = format!("block {}", self.block_number + 1);
        let Some(count) = read_long(&mut self.input, &what)? else {
            return Ok(false);
        };
        let size = read_long(&mut self.input, &what)?.ok_or_else(|| cut_short(&what))?;
        if count < 0 || size < 0 {
            return Err(RowError::Corrupt(format!(
                "{what}: a negative count or size"
            )));
        }
        let mut data = vec![0u8; size as usize];
        if !read_full(&mut self.input, &mut data, &what)? && size > 0 {
            return Err(cut_short(&what));
        }
        let mut sync = [0u8; 16];
        if !read_full(&mut self.input, &mut sync, &what)? {
            return Err(cut_short(&what));
        }
        if sync != self.sync {
            return Err(RowError::Corrupt(format!(
                "{what}: its sync marker differs from the header's; the file is damaged"
            )));
        }
        self.block = match self.codec {
            Codec::Null => data,
            Codec::Deflate => {
                let mut out = Vec::with_capacity(data.len() * 4);
                flate2::read::DeflateDecoder::new(&data[..])
                    .read_to_end(&mut out)
                    .map_err(|e| RowError::Corrupt(format!("{what}: deflate: {e}")))?;
                out
            }
        };
        self.block_number += 1;
        self.offset = 0;
        self.left = count as u64;
        self.record = 0;
        Ok(true)
    }

    fn decode_record(&mut self) -> Result<(), RowError> {
        self.text.clear();
        self.spans.clear();
        let at = Position::Block {
            block: self.block_number,
            record: self.record,
        };
        let mut cursor = Cursor::new(&self.block, self.offset);
        for field in &self.fields {
            let start = self.text.len();
            let present =
                cursor
                    .value(&field.ty, &mut self.text)
                    .map_err(|message| RowError::Value {
                        at,
                        column: field.name.clone(),
                        message,
                    })?;
            self.spans.push(present.then_some((start, self.text.len())));
        }
        self.offset = cursor.offset();
        Ok(())
    }
}

fn read_metadata(input: &mut impl Read) -> Result<HashMap<String, Vec<u8>>, RowError> {
    let mut meta = HashMap::new();
    let what = "the header's metadata";
    loop {
        let mut count = read_long(input, what)?.ok_or_else(|| cut_short(what))?;
        if count == 0 {
            return Ok(meta);
        }
        if count < 0 {
            count = -count;
            read_long(input, what)?;
        }
        for _ in 0..count {
            let key = read_bytes(input, what)?;
            let value = read_bytes(input, what)?;
            meta.insert(String::from_utf8_lossy(&key).into_owned(), value);
        }
    }
}

fn read_bytes(input: &mut impl Read, what: &str) -> Result<Vec<u8>, RowError> {
    let len = read_long(input, what)?.ok_or_else(|| cut_short(what))?;
    if !(0..=64 << 20).contains(&len) {
        return Err(RowError::Corrupt(format!(
            "{what}: an entry of {len} bytes"
        )));
    }
    let mut buf = vec![0u8; len as usize];
    if len > 0 && !read_full(input, &mut buf, what)? {
        return Err(cut_short(what));
    }
    Ok(buf)
}

impl RowSource for AvroRows {
    fn declared(&self) -> Option<&[DeclaredColumn]> {
        Some(&self.declared)
    }

    fn advance(&mut self) -> Result<bool, RowError> {
        while self.left == 0 {
            if self.block_number > 0 && self.offset != self.block.len() {
                return Err(RowError::Corrupt(format!(
                    "block {}: {} bytes are left after its records; the file is damaged",
                    self.block_number,
                    self.block.len() - self.offset
                )));
            }
            if !self.next_block()? {
                return Ok(false);
            }
        }
        self.left -= 1;
        self.record += 1;
        self.decode_record()?;
        Ok(true)
    }

    fn width(&self) -> usize {
        self.spans.len()
    }

    fn field(&self, i: usize) -> Result<Option<&str>, RowError> {
        Ok(self.spans[i].map(|(a, b)| &self.text[a..b]))
    }

    fn position(&self) -> Position {
        Position::Block {
            block: self.block_number,
            record: self.record,
        }
    }
}
