//! A buffered reader whose buffer starts small and doubles while reads fill it: what every
//! file format (CSV and its decompression, Avro, JSON) reads through.
//!
//! `std::io::BufReader` zeroes its whole buffer on the first fill when the reader under it is
//! not a plain file (implementing `read_buf`, which would skip that, is unstable). With the
//! 256 KiB the CSV reader wants for throughput, a one-row file cost 64 zeroed pages per open,
//! and a call opens each file twice (its header, then its rows): a tenth of a warm one-row
//! `integ_end`'s page faults. Starting at 16 KiB and doubling after each full read reaches the
//! large buffer within five reads of a large file and never touches it for a small one.

use std::io::{self, BufRead, Read};

const START: usize = 16 * 1024;

pub struct GrowingBufReader<R> {
    inner: R,
    buf: Vec<u8>,
    max: usize,
    pos: usize,
    filled: usize,
}

impl<R: Read> GrowingBufReader<R> {
    /// A reader whose buffer grows up to `max` bytes.
    pub fn new(max: usize, inner: R) -> Self {
        GrowingBufReader {
            inner,
            buf: vec![0; START.min(max)],
            max,
            pos: 0,
            filled: 0,
        }
    }
}

impl<R: Read> Read for GrowingBufReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        // A read as large as the buffer bypasses it, as BufReader's does.
        if self.pos == self.filled && out.len() >= self.buf.len() {
            return self.inner.read(out);
        }
        let n = self.fill_buf()?.read(out)?;
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for GrowingBufReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.filled {
            // The last read filled the buffer: the stream is large, so read more at a time.
            if self.filled == self.buf.len() && self.buf.len() < self.max {
                let grown = (self.buf.len() * 2).min(self.max);
                self.buf.resize(grown, 0);
            }
            self.filled = self.inner.read(&mut self.buf)?;
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.filled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives at most `step` bytes per read, as a pipe or a network stream may.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = out.len().min(self.step).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn small_input_keeps_the_small_buffer() {
        let input = data(100);
        let mut reader = GrowingBufReader::new(256 * 1024, &input[..]);
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        assert_eq!(out, input);
        assert_eq!(reader.buf.len(), START);
    }

    #[test]
    fn large_input_grows_to_the_maximum_and_reads_every_byte() {
        let input = data(2 * 1024 * 1024 + 13);
        let mut reader = GrowingBufReader::new(256 * 1024, &input[..]);
        let mut out = Vec::new();
        loop {
            let chunk = reader.fill_buf().unwrap();
            if chunk.is_empty() {
                break;
            }
            let n = chunk.len().min(1000);
            out.extend_from_slice(&chunk[..n]);
            reader.consume(n);
        }
        assert_eq!(out, input);
        assert_eq!(reader.buf.len(), 256 * 1024);
    }

    #[test]
    fn mixed_reads_small_and_large_return_every_byte_in_order() {
        let input = data(700_000);
        let mut reader = GrowingBufReader::new(256 * 1024, &input[..]);
        let mut out = Vec::new();
        // Small reads go through the buffer, large ones past it, buffered peeks between.
        for step in [1usize, 7, 20_000, 3, 300_000, 16 * 1024, 5].iter().cycle() {
            if *step == 3 {
                let n = reader.fill_buf().unwrap().len().min(3);
                out.extend_from_slice(&reader.fill_buf().unwrap()[..n]);
                reader.consume(n);
                continue;
            }
            let mut chunk = vec![0; *step];
            let n = reader.read(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&chunk[..n]);
        }
        assert_eq!(out.len(), input.len());
        assert!(out == input, "bytes out of order or changed");
    }

    #[test]
    fn short_reads_do_not_grow_the_buffer_and_lines_survive_refills() {
        let input = b"a,b\n1,x\n22,yy\n333,zzz\n".repeat(2000);
        let mut reader = GrowingBufReader::new(
            64 * 1024,
            Trickle {
                data: &input,
                step: 5,
            },
        );
        let mut lines = 0;
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 0 {
            lines += 1;
        }
        assert_eq!(lines, 8000);
        assert_eq!(line.as_bytes(), &input[..]);
        assert_eq!(reader.buf.len(), START);
    }
}
