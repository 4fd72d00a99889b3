//! The CSV reader's quick path: a whole record that lies within one buffered chunk, read a
//! field at a time with one `memchr` per field (and per doubled quote, escape or line break
//! inside quotes) instead of the byte machine's step per separator and quote. Most records
//! of most files take it; anything unusual (a byte after a closing quote, a record that runs
//! past the chunk) gives up and leaves the record to [`super::scan::Scan`],
//! which reads it from the start again with the same result and the error it may need.

use super::scan::Span;

/// The format's bytes, for a format with a one-byte field separator and `\n` ending lines.
pub(super) struct QuickLine {
    pub(super) sep: u8,
    pub(super) quote: Option<u8>,
    /// A doubled quote inside quotes is one quote (the quote is its own escape).
    pub(super) doubled: bool,
    /// An escape other than the quote: inside quotes, the byte after it is data.
    pub(super) other_escape: Option<u8>,
    /// A `\r` may stand between a closing quote and the `\n`.
    pub(super) crlf: bool,
}

/// Where the record's last field starts in the buffer and whether it was quoted: the quick
/// path leaves it open for `Scan::finish`, which ends every record's last field the same way.
/// `lines`: the `\n`s the record used, its end included (line numbers count them all).
pub(super) struct LastField {
    pub(super) start: usize,
    pub(super) quoted: bool,
    pub(super) lines: u64,
}

impl QuickLine {
    /// Reads the record at the start of `chunk` into `buf` and `spans` (both empty); returns
    /// the bytes it used, its `\n` included, or `None` with both left empty again.
    pub(super) fn read(
        &self,
        chunk: &[u8],
        buf: &mut Vec<u8>,
        spans: &mut Vec<Span>,
    ) -> Option<(usize, LastField)> {
        let read = self.fields(chunk, buf, spans);
        if read.is_none() {
            buf.clear();
            spans.clear();
        }
        read
    }

    fn fields(
        &self,
        chunk: &[u8],
        buf: &mut Vec<u8>,
        spans: &mut Vec<Span>,
    ) -> Option<(usize, LastField)> {
        let mut i = 0;
        let mut lines = 1;
        loop {
            let start = buf.len();
            let quoted = self.quote.is_some() && chunk.get(i).copied() == self.quote;
            // `end`: the separator or `\n` after the field.
            let end = if quoted {
                self.quoted(chunk, i + 1, buf, &mut lines)?
            } else {
                let at = i + memchr::memchr2(self.sep, b'\n', &chunk[i..])?;
                buf.extend_from_slice(&chunk[i..at]);
                at
            };
            if chunk[end] == b'\n' {
                return Some((
                    end + 1,
                    LastField {
                        start,
                        quoted,
                        lines,
                    },
                ));
            }
            spans.push(Span {
                start,
                end: buf.len(),
                quoted,
            });
            i = end + 1;
        }
    }

    /// Copies a quoted field's text, from `i` just after its opening quote, counting its line
    /// breaks into `lines`; returns where the separator or `\n` after its closing quote is.
    fn quoted(
        &self,
        chunk: &[u8],
        mut i: usize,
        buf: &mut Vec<u8>,
        lines: &mut u64,
    ) -> Option<usize> {
        let quote = self.quote?;
        let escape = self.other_escape.unwrap_or(quote);
        loop {
            let at = i + memchr::memchr3(quote, escape, b'\n', &chunk[i..])?;
            if chunk[at] == b'\n' {
                // Data, as every byte inside quotes; only the line count notes it.
                *lines += 1;
                buf.extend_from_slice(&chunk[i..=at]);
                i = at + 1;
                continue;
            }
            if chunk[at] != quote {
                // The escape (not the quote): the byte after it is data, whatever it is.
                buf.extend_from_slice(&chunk[i..at]);
                let escaped = *chunk.get(at + 1)?;
                if escaped == b'\n' {
                    *lines += 1;
                }
                buf.push(escaped);
                i = at + 2;
                continue;
            }
            buf.extend_from_slice(&chunk[i..at]);
            let next = *chunk.get(at + 1)?;
            if next == quote && self.doubled {
                buf.push(quote);
                i = at + 2;
            } else if next == self.sep || next == b'\n' {
                return Some(at + 1);
            } else if next == b'\r' && self.crlf && chunk.get(at + 2) == Some(&b'\n') {
                return Some(at + 2);
            } else {
                return None;
            }
        }
    }
}
