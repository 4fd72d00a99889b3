//! The byte-level state machine of one CSV record: separators, quotes, escapes and the line
//! separator, with fields appended to a buffer as spans that remember whether they were
//! quoted. [`super::reader::RecordReader`] feeds it buffered chunks.

use super::format::{CsvFormat, LineSeparator};
use super::quick::QuickLine;

#[derive(Clone, Copy, Debug)]
pub(super) struct Span {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) quoted: bool,
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

/// What one chunk of input did to the record.
pub(super) enum Scanned {
    /// The chunk ended inside the record: read more.
    More,
    /// The line separator ended the record.
    EndOfRecord,
    /// A byte after a closing quote that is neither a separator nor the end of the line.
    AfterQuote(u8),
}

/// Where the scan of one record stands, and the format's bytes it looks for.
pub(super) struct Scan {
    state: State,
    field_start: usize,
    quoted: bool,
    /// The line the open quoted field started on, for an unterminated quote.
    pub(super) quote_line: u64,
    sep: Vec<u8>,
    quote: Option<u8>,
    escape: Option<u8>,
    /// A separator of several bytes (a non-ASCII glyph) is recognised as the field's suffix
    /// when unquoted, and byte by byte after a closing quote.
    multi: bool,
    eol: u8,
    /// With the default `\n`, a file written with `\r\n` (a Windows writer) is read the same
    /// way: an unquoted `\r` right before the `\n` is dropped, never stored. HVR quotes a value
    /// that itself ends in `\r`, so no value is lost.
    crlf: bool,
    /// The quick path for whole records, when the format allows it.
    quick: Option<QuickLine>,
}

impl Scan {
    pub(super) fn new(format: &CsvFormat, line: u64) -> Scan {
        let (eol, crlf) = match format.line_separator {
            LineSeparator::Byte(b'\n') => (b'\n', true),
            LineSeparator::Byte(b) => (b, false),
            LineSeparator::CrLf => (b'\n', true),
        };
        let quick = (format.field_separator.len() == 1 && eol == b'\n').then(|| QuickLine {
            sep: format.field_separator[0],
            quote: format.quote,
            doubled: format.quote.is_some() && format.escape == format.quote,
            other_escape: format.escape.filter(|e| Some(*e) != format.quote),
            crlf,
        });
        Scan {
            quick,
            state: State::StartField,
            field_start: 0,
            quoted: false,
            quote_line: line,
            multi: format.field_separator.len() > 1,
            sep: format.field_separator.clone(),
            quote: format.quote,
            escape: format.escape,
            eol,
            crlf,
        }
    }

    /// Makes the scan ready for the next record, which starts on `line`. The reader keeps one
    /// scan for the whole file: building one per record cloned the separator for every row.
    pub(super) fn reset(&mut self, line: u64) {
        self.state = State::StartField;
        self.field_start = 0;
        self.quoted = false;
        self.quote_line = line;
    }

    /// Whether the stream may not end here (inside a quoted field).
    pub(super) fn in_quoted_field(&self) -> bool {
        matches!(self.state, State::Quoted | State::EscapeInQuoted)
    }

    /// Scans `chunk`; returns how many bytes it used and what they did. `line` counts `\n`s.
    pub(super) fn chunk(
        &mut self,
        chunk: &[u8],
        line: &mut u64,
        buf: &mut Vec<u8>,
        spans: &mut Vec<Span>,
    ) -> (usize, Scanned) {
        let at_record_start = spans.is_empty() && buf.is_empty() && self.state == State::StartField;
        if at_record_start
            && let Some((used, last)) = self.quick.as_ref().and_then(|q| q.read(chunk, buf, spans))
        {
            self.field_start = last.start;
            self.quoted = last.quoted;
            *line += last.lines;
            return (used, Scanned::EndOfRecord);
        }
        let mut i = 0;
        while i < chunk.len() {
            let run = self.plain_run(&chunk[i..]);
            if run > 0 {
                buf.extend_from_slice(&chunk[i..i + run]);
                i += run;
                continue;
            }
            let b = chunk[i];
            i += 1;
            if b == b'\n' {
                *line += 1;
            }
            // Outside quotes (a doubled quote is still inside), separators end fields and the
            // line separator ends the record.
            let in_quotes = self.in_quoted_field()
                || (self.state == State::QuoteInQuoted && Some(b) == self.quote);
            if !in_quotes && !self.multi && b == self.sep[0] {
                self.end_field(buf, spans, self.quoted);
                continue;
            }
            if !in_quotes && b == self.eol && !matches!(self.state, State::SepAfterQuote(_)) {
                return (i, Scanned::EndOfRecord);
            }
            if let Err(found) = self.byte(b, *line, buf, spans) {
                return (i, Scanned::AfterQuote(found));
            }
        }
        (chunk.len(), Scanned::More)
    }

    /// How many of `rest`'s first bytes are plain data of the field being read: bytes the
    /// byte-by-byte machine would only append. Found with `memchr` instead of a step per byte
    /// (that walk was 43% of the client's instructions in a refresh). Stops before anything
    /// that matters: a separator, the line separator, a `\n` (lines are counted), and in a
    /// quoted field the quote or escape; a field's first byte goes through the machine.
    fn plain_run(&self, rest: &[u8]) -> usize {
        let found = match self.state {
            State::Unquoted if !self.multi => memchr::memchr3(self.sep[0], self.eol, b'\n', rest),
            State::Quoted => {
                let quote = self.quote.unwrap_or(b'\n');
                memchr::memchr3(quote, self.escape.unwrap_or(quote), b'\n', rest)
            }
            _ => return 0,
        };
        found.unwrap_or(rest.len())
    }

    /// One byte that neither ends a field by a one-byte separator nor ends the record.
    fn byte(
        &mut self,
        b: u8,
        line: u64,
        buf: &mut Vec<u8>,
        spans: &mut Vec<Span>,
    ) -> Result<(), u8> {
        match self.state {
            State::StartField if Some(b) == self.quote => {
                self.state = State::Quoted;
                self.quoted = true;
                self.quote_line = line;
            }
            State::StartField | State::Unquoted => {
                buf.push(b);
                self.state = State::Unquoted;
                if self.multi
                    && buf.len() - self.field_start >= self.sep.len()
                    && buf.ends_with(&self.sep)
                {
                    buf.truncate(buf.len() - self.sep.len());
                    self.end_field(buf, spans, false);
                }
            }
            State::SepAfterQuote(k) => {
                if b != self.sep[k] {
                    return Err(b);
                }
                if k + 1 == self.sep.len() {
                    self.end_field(buf, spans, true);
                } else {
                    self.state = State::SepAfterQuote(k + 1);
                }
            }
            State::Quoted => self.quoted_byte(b, buf),
            State::EscapeInQuoted => {
                buf.push(b);
                self.state = State::Quoted;
            }
            State::QuoteInQuoted | State::AfterQuoted => {
                if self.state == State::QuoteInQuoted && Some(b) == self.quote {
                    buf.push(b);
                    self.state = State::Quoted;
                } else if self.multi && b == self.sep[0] {
                    self.state = State::SepAfterQuote(1);
                } else if !(self.crlf && b == b'\r') {
                    // (A `\r` here waits for the `\n` that must follow and end the record.)
                    return Err(b);
                }
            }
        }
        Ok(())
    }

    fn quoted_byte(&mut self, b: u8, buf: &mut Vec<u8>) {
        if Some(b) == self.escape && self.escape != self.quote {
            self.state = State::EscapeInQuoted;
        } else if Some(b) == self.quote {
            self.state = if self.escape == self.quote {
                State::QuoteInQuoted
            } else {
                State::AfterQuoted
            };
        } else {
            buf.push(b);
        }
    }

    /// Ends the current field at a separator and starts the next.
    fn end_field(&mut self, buf: &mut Vec<u8>, spans: &mut Vec<Span>, quoted: bool) {
        push_span(spans, buf, self.field_start, quoted, false);
        self.field_start = buf.len();
        self.quoted = false;
        self.state = State::StartField;
    }

    /// Ends the record's last field.
    pub(super) fn finish(&self, buf: &mut Vec<u8>, spans: &mut Vec<Span>) {
        push_span(spans, buf, self.field_start, self.quoted, self.crlf);
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
