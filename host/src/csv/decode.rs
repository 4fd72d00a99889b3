//! The byte pipeline under the CSV parser: decompression, file terminator, transcoding to UTF-8.
//! Everything streams; no file is held in memory whole.

use std::io::{self, BufRead, Read};

use crate::buffered::GrowingBufReader;

use super::format::{Compression, CsvFormat, TextEncoding};

const BUFFER: usize = 256 * 1024;

/// Wraps raw file bytes so that what comes out is the file's UTF-8 text without its terminator.
pub fn open_decoded(raw: Box<dyn Read + Send>, format: &CsvFormat) -> Box<dyn BufRead + Send> {
    let decompressed = decompressed(raw, format.compression);
    let trimmed: Box<dyn Read + Send> = match &format.terminator {
        Some(t) => Box::new(StripTrailer::new(decompressed, t.clone())),
        None => decompressed,
    };
    match format.encoding {
        TextEncoding::Utf8 => Box::new(GrowingBufReader::new(BUFFER, SkipUtf8Bom::new(trimmed))),
        TextEncoding::Latin1 => Box::new(GrowingBufReader::new(BUFFER, Latin1ToUtf8::new(trimmed))),
        TextEncoding::Other(enc) => {
            Box::new(GrowingBufReader::new(BUFFER, Transcode::new(trimmed, enc)))
        }
    }
}

/// Holds back the tail of the stream and drops `trailer` (and any line break after it) when
/// the stream ends with it.
struct StripTrailer<R> {
    inner: R,
    trailer: Vec<u8>,
    held: Vec<u8>,
    done: bool,
}

impl<R: Read> StripTrailer<R> {
    fn new(inner: R, trailer: Vec<u8>) -> Self {
        StripTrailer {
            inner,
            trailer,
            held: Vec::new(),
            done: false,
        }
    }

    fn keep(&self) -> usize {
        self.trailer.len() + 2
    }
}

impl<R: Read> Read for StripTrailer<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.done {
                let n = out.len().min(self.held.len());
                out[..n].copy_from_slice(&self.held[..n]);
                self.held.drain(..n);
                return Ok(n);
            }
            let mut chunk = [0u8; 64 * 1024];
            let n = self.inner.read(&mut chunk)?;
            if n == 0 {
                self.done = true;
                let mut end = self.held.len();
                while end > 0 && matches!(self.held[end - 1], b'\n' | b'\r') {
                    end -= 1;
                }
                if self.held[..end].ends_with(&self.trailer) {
                    self.held.truncate(end - self.trailer.len());
                }
                continue;
            }
            self.held.extend_from_slice(&chunk[..n]);
            let releasable = self.held.len().saturating_sub(self.keep());
            if releasable > 0 {
                let n = out.len().min(releasable);
                out[..n].copy_from_slice(&self.held[..n]);
                self.held.drain(..n);
                return Ok(n);
            }
        }
    }
}

/// UTF-8 passes through; a leading byte-order mark is dropped.
struct SkipUtf8Bom<R> {
    inner: R,
    checked: bool,
    pending: Vec<u8>,
}

impl<R: Read> SkipUtf8Bom<R> {
    fn new(inner: R) -> Self {
        SkipUtf8Bom {
            inner,
            checked: false,
            pending: Vec::new(),
        }
    }
}

impl<R: Read> Read for SkipUtf8Bom<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if !self.checked {
            self.checked = true;
            let mut head = [0u8; 3];
            let mut got = 0;
            while got < 3 {
                let n = self.inner.read(&mut head[got..])?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            if head[..got] != [0xEF, 0xBB, 0xBF] {
                self.pending.extend_from_slice(&head[..got]);
            }
        }
        if !self.pending.is_empty() {
            let n = out.len().min(self.pending.len());
            out[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(n);
        }
        self.inner.read(out)
    }
}

/// ISO-8859-1: each byte is the code point of the same number.
struct Latin1ToUtf8<R> {
    inner: R,
    buf: Vec<u8>,
}

impl<R: Read> Latin1ToUtf8<R> {
    fn new(inner: R) -> Self {
        Latin1ToUtf8 {
            inner,
            buf: vec![0; 32 * 1024],
        }
    }
}

impl<R: Read> Read for Latin1ToUtf8<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        // Every input byte becomes at most two output bytes.
        let want = (out.len() / 2).clamp(1, self.buf.len());
        if out.len() < 2 {
            return Err(io::Error::other("read buffer too small for transcoding"));
        }
        let n = self.inner.read(&mut self.buf[..want])?;
        let mut o = 0;
        for &b in &self.buf[..n] {
            if b < 0x80 {
                out[o] = b;
                o += 1;
            } else {
                out[o] = 0xC0 | (b >> 6);
                out[o + 1] = 0x80 | (b & 0x3F);
                o += 2;
            }
        }
        Ok(o)
    }
}

/// Any encoding `encoding_rs` knows, to UTF-8; malformed input is an error, never replaced.
struct Transcode<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    finished: bool,
}

impl<R: Read> Transcode<R> {
    fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
        Transcode {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            input: vec![0; 64 * 1024],
            start: 0,
            end: 0,
            eof: false,
            finished: false,
        }
    }
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.finished {
                return Ok(0);
            }
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = self.inner.read(&mut self.input)?;
                self.eof = self.end == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.start..self.end],
                out,
                self.eof,
            );
            self.start += read;
            match result {
                encoding_rs::DecoderResult::Malformed(_, _) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "bytes that are not valid {}",
                            self.decoder.encoding().name()
                        ),
                    ));
                }
                encoding_rs::DecoderResult::InputEmpty if self.eof => self.finished = true,
                _ => {}
            }
            if written > 0 {
                return Ok(written);
            }
            if self.finished {
                return Ok(0);
            }
        }
    }
}

/// The file with FileFormat /Compress undone (whole-file GZIP or LZ4 frames).
pub fn decompressed(raw: Box<dyn Read + Send>, compression: Compression) -> Box<dyn Read + Send> {
    match compression {
        Compression::None => raw,
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(GrowingBufReader::new(
            BUFFER, raw,
        ))),
        Compression::Lz4 => Box::new(lz4_flex::frame::FrameDecoder::new(GrowingBufReader::new(
            BUFFER, raw,
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], format: &CsvFormat) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        open_decoded(Box::new(io::Cursor::new(bytes.to_vec())), format).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn terminator_at_the_end_is_removed_but_not_inside() {
        let f = CsvFormat {
            terminator: Some(b"EOF".to_vec()),
            ..CsvFormat::default()
        };
        assert_eq!(decode(b"a,EOF\nb\nEOF\n", &f).unwrap(), b"a,EOF\nb\n");
    }

    #[test]
    fn utf16_and_latin1_become_utf8() {
        let f = CsvFormat {
            encoding: TextEncoding::Other(encoding_rs::UTF_16LE),
            ..CsvFormat::default()
        };
        let utf16: Vec<u8> = "é,ü\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(decode(&utf16, &f).unwrap(), "é,ü\n".as_bytes());
        let f = CsvFormat {
            encoding: TextEncoding::Latin1,
            ..CsvFormat::default()
        };
        assert_eq!(decode(&[0xE9, 0x80], &f).unwrap(), "é\u{80}".as_bytes());
    }

    #[test]
    fn gzip_and_lz4_are_decompressed() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"x,y\n").unwrap();
        let f = CsvFormat {
            compression: Compression::Gzip,
            ..CsvFormat::default()
        };
        assert_eq!(decode(&gz.finish().unwrap(), &f).unwrap(), b"x,y\n");
        let mut lz = lz4_flex::frame::FrameEncoder::new(Vec::new());
        lz.write_all(b"x,y\n").unwrap();
        let f = CsvFormat {
            compression: Compression::Lz4,
            ..CsvFormat::default()
        };
        assert_eq!(decode(&lz.finish().unwrap(), &f).unwrap(), b"x,y\n");
    }
}
