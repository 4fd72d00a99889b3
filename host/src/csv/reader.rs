//! A streaming CSV record reader that keeps what general CSV crates drop: whether a field was
//! quoted (HVR writes NULL as an empty unquoted field and the empty string as `""`), an escape
//! character distinct from the quote, and the line and column of every problem.

use std::io::{self, BufRead};

use thiserror::Error;

use super::format::CsvFormat;
use super::scan::{Scan, Scanned, Span};

#[derive(Debug, Error)]
pub enum CsvError {
    #[error("line {line}, column {column}: the quoted field that starts here is never closed")]
    UnterminatedQuote { line: u64, column: usize },
    #[error("line {line}, column {column}: unexpected {found:?} after the closing quote")]
    AfterQuote {
        line: u64,
        column: usize,
        found: char,
    },
    #[error("line {line}, column {column}: {reason}")]
    Encoding {
        line: u64,
        column: usize,
        reason: String,
    },
    #[error("line {line}: {source}")]
    Io { line: u64, source: io::Error },
}

/// One record; fields borrow the reader's buffer.
pub struct Record<'a> {
    buf: &'a [u8],
    spans: &'a [Span],
    null: Option<&'a [u8]>,
    /// Whether every field is UTF-8, checked once for the record (see [`fields_are_utf8`]).
    utf8: bool,
    /// Line the record starts on (1-based).
    pub line: u64,
}

impl<'a> Record<'a> {
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Field `i` as text, `None` for NULL. Fails for bytes that are not UTF-8.
    pub fn field(&self, i: usize) -> Result<Option<&'a str>, CsvError> {
        let s = self.spans[i];
        let bytes = &self.buf[s.start..s.end];
        let is_null = match self.null {
            Some(null) => !s.quoted && bytes == null,
            None => !s.quoted && bytes.is_empty(),
        };
        if is_null {
            return Ok(None);
        }
        if self.utf8 {
            // SAFETY: `fields_are_utf8` found the record's buffer UTF-8 and every field's
            // ends on a character boundary, so each field's bytes are UTF-8 on their own.
            return Ok(Some(unsafe { std::str::from_utf8_unchecked(bytes) }));
        }
        // Only a record with a bad field gets here: this names its column.
        std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|e| CsvError::Encoding {
                line: self.line,
                column: i + 1,
                reason: format!(
                    "invalid UTF-8 at byte {} of the field (set --encoding if the file is not UTF-8)",
                    e.valid_up_to() + 1
                ),
            })
    }
}

pub struct RecordReader<R> {
    input: R,
    format: CsvFormat,
    scan: Scan,
    line: u64,
    buf: Vec<u8>,
    spans: Vec<Span>,
    /// Whether the record in `buf` is UTF-8 in every field.
    utf8: bool,
    /// Line of the record `advance` last read.
    current_line: u64,
}

impl<R: BufRead> RecordReader<R> {
    pub fn new(input: R, format: CsvFormat) -> Self {
        RecordReader {
            input,
            scan: Scan::new(&format, 1),
            format,
            line: 1,
            buf: Vec::with_capacity(4096),
            spans: Vec::with_capacity(64),
            utf8: false,
            current_line: 0,
        }
    }

    /// Reads the next record, kept for `current`; `false` at the end of the stream.
    pub fn advance(&mut self) -> Result<bool, CsvError> {
        let line = match self.next_record()? {
            Some(record) => record.line,
            None => return Ok(false),
        };
        self.current_line = line;
        Ok(true)
    }

    /// The record `advance` read last.
    pub fn current(&self) -> Record<'_> {
        self.record(self.current_line)
    }

    /// The line the reader stands on (1-based).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The next record, or `None` at the end of the stream.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, CsvError> {
        self.buf.clear();
        self.spans.clear();
        // Until the record is complete its fields are not known to be UTF-8 (`current` after
        // a failed read must not trust the last record's check).
        self.utf8 = false;
        let start_line = self.line;
        let scan = &mut self.scan;
        scan.reset(start_line);
        let mut saw_any = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_error(e, self.line, self.spans.len() + 1)),
            };
            if chunk.is_empty() {
                if scan.in_quoted_field() {
                    return Err(CsvError::UnterminatedQuote {
                        line: scan.quote_line,
                        column: self.spans.len() + 1,
                    });
                }
                if !saw_any {
                    return Ok(None);
                }
                scan.finish(&mut self.buf, &mut self.spans);
                return Ok(Some(self.complete(start_line)));
            }
            saw_any = true;
            let (used, scanned) = scan.chunk(chunk, &mut self.line, &mut self.buf, &mut self.spans);
            self.input.consume(used);
            match scanned {
                Scanned::More => {}
                Scanned::EndOfRecord => {
                    scan.finish(&mut self.buf, &mut self.spans);
                    return Ok(Some(self.complete(start_line)));
                }
                Scanned::AfterQuote(found) => {
                    return Err(CsvError::AfterQuote {
                        line: self.line,
                        column: self.spans.len() + 1,
                        found: found as char,
                    });
                }
            }
        }
    }

    /// The record just scanned, its encoding checked once for all its fields.
    fn complete(&mut self, line: u64) -> Record<'_> {
        self.utf8 = fields_are_utf8(&self.buf, &self.spans);
        self.record(line)
    }

    fn record(&self, line: u64) -> Record<'_> {
        Record {
            buf: &self.buf,
            spans: &self.spans,
            null: self.format.null.as_deref(),
            utf8: self.utf8,
            line,
        }
    }
}

/// Whether each field of a record is UTF-8 on its own: the buffer as a whole, and no field
/// starting or ending inside a character (a character split by a separator is valid in the
/// buffer but not in either field). One pass over the record instead of a call per field
/// (per-field checks were 9% of the client's samples in a mixed refresh, `perf record`).
fn fields_are_utf8(buf: &[u8], spans: &[Span]) -> bool {
    // simdutf8's check is vectorised for ASCII and non-ASCII text alike (std's took a quarter
    // of the client's samples on text that is mostly non-ASCII, `perf record`).
    if simdutf8::basic::from_utf8(buf).is_err() {
        return false;
    }
    // A byte that starts a character (or the end of the buffer) is a boundary; continuation
    // bytes are 0b10xx_xxxx.
    let boundary = |i: usize| buf.get(i).is_none_or(|&b| (b as i8) >= -0x40);
    spans.iter().all(|s| boundary(s.start) && boundary(s.end))
}

/// A read failure: undecodable bytes (from the transcoder) name the column they are in.
fn read_error(e: io::Error, line: u64, column: usize) -> CsvError {
    if e.kind() == io::ErrorKind::InvalidData {
        return CsvError::Encoding {
            line,
            column,
            reason: e.to_string(),
        };
    }
    CsvError::Io { line, source: e }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::format::LineSeparator;

    fn parse(text: &[u8], format: CsvFormat) -> Result<Vec<Vec<Option<String>>>, CsvError> {
        Ok(parse_lines(text, format)?
            .into_iter()
            .map(|(_, r)| r)
            .collect())
    }

    /// Each record's line and fields.
    type Lines = Vec<(u64, Vec<Option<String>>)>;

    fn parse_lines(text: impl BufRead, format: CsvFormat) -> Result<Lines, CsvError> {
        let mut r = RecordReader::new(text, format);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record()? {
            let fields = (0..rec.len())
                .map(|i| rec.field(i).map(|f| f.map(str::to_string)))
                .collect::<Result<Vec<_>, _>>()?;
            out.push((rec.line, fields));
        }
        Ok(out)
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn empty_unquoted_is_null_and_empty_quoted_is_empty_string() {
        let rows = parse(b"a,,\"\",\"x,y\"\n", CsvFormat::default()).unwrap();
        assert_eq!(rows, vec![vec![s("a"), None, s(""), s("x,y")]]);
    }

    #[test]
    fn quoted_fields_keep_newlines_crlf_and_doubled_quotes() {
        let rows = parse(
            b"\"l1\nl2\",\"c\r\nd\",\"say \"\"hi\"\"\"\n2, lead,\\N\n",
            CsvFormat::default(),
        )
        .unwrap();
        assert_eq!(rows[0], vec![s("l1\nl2"), s("c\r\nd"), s("say \"hi\"")]);
        assert_eq!(rows[1], vec![s("2"), s(" lead"), s("\\N")]);
    }

    #[test]
    fn null_representation_replaces_the_empty_rule() {
        let f = CsvFormat {
            null: Some(b"\\N".to_vec()),
            ..CsvFormat::default()
        };
        let rows = parse(b"\\N,,\"\\N\"\n", f).unwrap();
        assert_eq!(rows[0], vec![None, s(""), s("\\N")]);
    }

    #[test]
    fn escape_character_distinct_from_quote() {
        let f = CsvFormat {
            escape: Some(b'\\'),
            ..CsvFormat::default()
        };
        let rows = parse(b"\"a\\\"b\\\\c\",d\n", f).unwrap();
        assert_eq!(rows[0], vec![s("a\"b\\c"), s("d")]);
    }

    #[test]
    fn crlf_line_separator_drops_the_cr() {
        let f = CsvFormat {
            line_separator: LineSeparator::CrLf,
            ..CsvFormat::default()
        };
        let rows = parse(b"a,\"b\"\r\nc,\r\n", f).unwrap();
        assert_eq!(rows, vec![vec![s("a"), s("b")], vec![s("c"), None]]);
    }

    #[test]
    fn unterminated_quote_names_its_line_and_column() {
        let err = parse(b"a,b\nc,\"open\nmore\n", CsvFormat::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2, column 2: the quoted field that starts here is never closed"
        );
    }

    /// Reading `text` fails with an encoding error at `place` ("line L, column C").
    fn assert_invalid_utf8_at(text: &[u8], place: &str) {
        let err = parse(text, CsvFormat::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("{place}: invalid UTF-8")),
            "{err}"
        );
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        assert_invalid_utf8_at(b"a,b\nc,\xff\n", "line 2, column 2");
    }

    /// Every input read from one chunk (whole lines take the quick path) gives what it gives
    /// when read a byte at a time (no line is ever whole in a chunk: the byte machine reads
    /// all of it), line numbers and errors included.
    #[test]
    fn whole_lines_read_as_the_byte_machine_reads_them() {
        let escape = CsvFormat {
            escape: Some(b'\\'),
            ..CsvFormat::default()
        };
        let formats = [
            CsvFormat::default(),
            CsvFormat {
                line_separator: LineSeparator::CrLf,
                ..CsvFormat::default()
            },
            CsvFormat {
                field_separator: b"\t".to_vec(),
                null: Some(b"\\N".to_vec()),
                ..CsvFormat::default()
            },
            CsvFormat {
                quote: None,
                escape: None,
                ..CsvFormat::default()
            },
            escape,
        ];
        let inputs: [&[u8]; 20] = [
            b"a,b\n1,2\n",
            b"a,,\"\",\"x,y\"\n,\n",
            b"\n\n\n",
            b"1,2\r\n3,\r\n\r\n",
            b"a\rb,c\r\n",
            b"ab\"c,d\ne,f\n",
            b"x\\,y\t\\N\n\\N\n",
            b"last,no newline",
            "é,ü\nß\t€,\n".as_bytes(),
            b"ok,\xff\n",
            b"a,\"open\nmore\n",
            b"\"q\"x,1\n",
            b"\"say \"\"hi\"\"\",\"\",x\n\"\"\"a\",\"b\"\"\"\n",
            b"\"a\"\r\n\"b\"\r,c\n\"d\"\"\r\n",
            b"\"a\\\"b\",\"c\\\\\"\n\"x\",\"y\"",
            b"\"l1\nl2\",z\nq,\"\n",
            b"\"a\"\"",
            b",\"\",,\"\"\n",
            b"\"a\\\nb\",\"c\\\\\"\nx,\"d\\",
            b"\"a\nb\nc\",\"\n\"\n\"\r\n\"\r\n",
        ];
        let show = |r: Result<Lines, CsvError>| match r {
            Ok(rows) => format!("{rows:?}"),
            Err(e) => e.to_string(),
        };
        for (f, format) in formats.iter().enumerate() {
            for input in inputs {
                let whole = show(parse_lines(input, format.clone()));
                let bytewise = std::io::BufReader::with_capacity(1, input);
                assert_eq!(
                    whole,
                    show(parse_lines(bytewise, format.clone())),
                    "format {f}, input {:?}",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }

    #[test]
    fn a_character_split_by_a_separator_is_invalid_in_both_fields() {
        // The record's bytes together are "é", but each field holds half of it.
        assert_invalid_utf8_at(b"\xc3,\xa9\n", "line 1, column 1");
        assert_invalid_utf8_at(b"ok,\"\xc3\",\xa9\n", "line 1, column 2");
    }

    #[test]
    fn non_ascii_fields_read_once_checked() {
        let rows = parse("é,\"ü\nß\",\n€\n".as_bytes(), CsvFormat::default()).unwrap();
        assert_eq!(rows, vec![vec![s("é"), s("ü\nß"), None], vec![s("€")]]);
    }

    #[test]
    fn multi_byte_separator_splits_unquoted_and_quoted_fields() {
        let f = CsvFormat {
            field_separator: "¦".as_bytes().to_vec(),
            ..CsvFormat::default()
        };
        let rows = parse("a¦\"b¦c\"¦¦é\n1¦2¦3¦4\n".as_bytes(), f).unwrap();
        assert_eq!(rows[0], vec![s("a"), s("b¦c"), None, s("é")]);
        assert_eq!(rows[1], vec![s("1"), s("2"), s("3"), s("4")]);
    }

    #[test]
    fn tab_separator_and_no_final_newline() {
        let f = CsvFormat {
            field_separator: b"\t".to_vec(),
            ..CsvFormat::default()
        };
        assert_eq!(parse(b"a\tb", f).unwrap(), vec![vec![s("a"), s("b")]]);
    }
}
