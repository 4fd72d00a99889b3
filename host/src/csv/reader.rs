//! A streaming CSV record reader that keeps what general CSV crates drop: whether a field was
//! quoted (HVR writes NULL as an empty unquoted field and the empty string as `""`), an escape
//! character distinct from the quote, and the line and column of every problem.

use std::io::{self, BufRead};

use thiserror::Error;

use super::format::{CsvFormat, LineSeparator};

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

#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    end: usize,
    quoted: bool,
}

/// One record; fields borrow the reader's buffer.
pub struct Record<'a> {
    buf: &'a [u8],
    spans: &'a [Span],
    null: Option<&'a [u8]>,
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    StartField,
    Unquoted,
    Quoted,
    /// Saw the quote inside a quoted field, and the quote doubles as escape.
    QuoteInQuoted,
    /// Saw the closing quote (escape differs from the quote).
    AfterQuoted,
    /// After a closing quote, the first N bytes of a multi-byte separator.
    SepAfterQuote(usize),
    EscapeInQuoted,
}

pub struct RecordReader<R> {
    input: R,
    format: CsvFormat,
    line: u64,
    buf: Vec<u8>,
    spans: Vec<Span>,
}

impl<R: BufRead> RecordReader<R> {
    pub fn new(input: R, format: CsvFormat) -> Self {
        RecordReader {
            input,
            format,
            line: 1,
            buf: Vec::with_capacity(4096),
            spans: Vec::with_capacity(64),
        }
    }

    /// The line the reader stands on (1-based).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The next record, or `None` at the end of the stream.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, CsvError> {
        self.buf.clear();
        self.spans.clear();
        let start_line = self.line;
        let sep = self.format.field_separator.clone();
        let (quote, escape) = (self.format.quote, self.format.escape);
        // A separator of several bytes (a non-ASCII glyph) is recognised as the field's suffix
        // when unquoted, and byte by byte after a closing quote.
        let multi = sep.len() > 1;
        // With the default `\n`, a file written with `\r\n` (a Windows writer) is read the
        // same way: an unquoted `\r` right before the `\n` is dropped, never stored. HVR
        // quotes a value that itself ends in `\r`, so no value is lost.
        let (eol, crlf) = match self.format.line_separator {
            LineSeparator::Byte(b'\n') => (b'\n', true),
            LineSeparator::Byte(b) => (b, false),
            LineSeparator::CrLf => (b'\n', true),
        };
        let mut state = State::StartField;
        let mut field_start = 0usize;
        let mut quoted = false;
        let mut quote_line = start_line;
        let mut saw_any = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                    return Err(CsvError::Encoding {
                        line: self.line,
                        column: self.spans.len() + 1,
                        reason: e.to_string(),
                    });
                }
                Err(source) => {
                    return Err(CsvError::Io {
                        line: self.line,
                        source,
                    });
                }
            };
            if chunk.is_empty() {
                // End of stream.
                return match state {
                    State::Quoted | State::EscapeInQuoted => Err(CsvError::UnterminatedQuote {
                        line: quote_line,
                        column: self.spans.len() + 1,
                    }),
                    _ if !saw_any => Ok(None),
                    _ => {
                        self.finish_field(field_start, quoted, crlf);
                        Ok(Some(self.record(start_line)))
                    }
                };
            }
            saw_any = true;
            let mut consumed = 0;
            let mut done = false;
            for &b in chunk {
                consumed += 1;
                if b == b'\n' {
                    self.line += 1;
                }
                // Outside quotes (a doubled quote is still inside), separators end fields and
                // the line separator ends the record.
                let in_quotes = matches!(state, State::Quoted | State::EscapeInQuoted)
                    || (state == State::QuoteInQuoted && Some(b) == quote);
                if !in_quotes && !multi && b == sep[0] {
                    Self::push_span(&mut self.spans, &mut self.buf, field_start, quoted, false);
                    field_start = self.buf.len();
                    quoted = false;
                    state = State::StartField;
                    continue;
                }
                if !in_quotes && b == eol && !matches!(state, State::SepAfterQuote(_)) {
                    done = true;
                    break;
                }
                match state {
                    State::StartField if Some(b) == quote => {
                        state = State::Quoted;
                        quoted = true;
                        quote_line = self.line;
                    }
                    State::StartField | State::Unquoted => {
                        self.buf.push(b);
                        state = State::Unquoted;
                        if multi
                            && self.buf.len() - field_start >= sep.len()
                            && self.buf.ends_with(&sep)
                        {
                            self.buf.truncate(self.buf.len() - sep.len());
                            Self::push_span(
                                &mut self.spans,
                                &mut self.buf,
                                field_start,
                                false,
                                false,
                            );
                            field_start = self.buf.len();
                            state = State::StartField;
                        }
                    }
                    State::SepAfterQuote(k) => {
                        if b != sep[k] {
                            let error = self.after_quote(b);
                            self.input.consume(consumed);
                            return Err(error);
                        }
                        if k + 1 == sep.len() {
                            Self::push_span(
                                &mut self.spans,
                                &mut self.buf,
                                field_start,
                                true,
                                false,
                            );
                            field_start = self.buf.len();
                            quoted = false;
                            state = State::StartField;
                        } else {
                            state = State::SepAfterQuote(k + 1);
                        }
                    }
                    State::Quoted => {
                        if Some(b) == escape && escape != quote {
                            state = State::EscapeInQuoted;
                        } else if Some(b) == quote {
                            state = if escape == quote {
                                State::QuoteInQuoted
                            } else {
                                State::AfterQuoted
                            };
                        } else {
                            self.buf.push(b);
                        }
                    }
                    State::EscapeInQuoted => {
                        self.buf.push(b);
                        state = State::Quoted;
                    }
                    State::QuoteInQuoted | State::AfterQuoted => {
                        if state == State::QuoteInQuoted && Some(b) == quote {
                            self.buf.push(b);
                            state = State::Quoted;
                        } else if multi && b == sep[0] {
                            state = State::SepAfterQuote(1);
                        } else if crlf && b == b'\r' {
                            // The \n that must follow ends the record.
                        } else {
                            let error = self.after_quote(b);
                            self.input.consume(consumed);
                            return Err(error);
                        }
                    }
                }
            }
            self.input.consume(consumed);
            if done {
                self.finish_field(field_start, quoted, crlf);
                return Ok(Some(self.record(start_line)));
            }
        }
    }

    /// A byte after a closing quote that is neither a separator nor the end of the line.
    fn after_quote(&self, found: u8) -> CsvError {
        CsvError::AfterQuote {
            line: self.line,
            column: self.spans.len() + 1,
            found: found as char,
        }
    }

    fn push_span(spans: &mut Vec<Span>, buf: &mut Vec<u8>, start: usize, quoted: bool, crlf: bool) {
        if crlf && !quoted && buf.len() > start && buf.last() == Some(&b'\r') {
            buf.pop();
        }
        spans.push(Span {
            start,
            end: buf.len(),
            quoted,
        });
    }

    fn finish_field(&mut self, start: usize, quoted: bool, crlf: bool) {
        Self::push_span(&mut self.spans, &mut self.buf, start, quoted, crlf);
    }

    fn record(&self, line: u64) -> Record<'_> {
        Record {
            buf: &self.buf,
            spans: &self.spans,
            null: self.format.null.as_deref(),
            line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &[u8], format: CsvFormat) -> Result<Vec<Vec<Option<String>>>, CsvError> {
        let mut r = RecordReader::new(text, format);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record()? {
            out.push(
                (0..rec.len())
                    .map(|i| rec.field(i).map(|f| f.map(str::to_string)))
                    .collect::<Result<Vec<_>, _>>()?,
            );
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

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let err = parse(b"a,b\nc,\xff\n", CsvFormat::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("line 2, column 2: invalid UTF-8"),
            "{err}"
        );
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
