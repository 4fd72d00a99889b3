//! The first bytes of a file, looked at before it is parsed: a Parquet or Avro file read as
//! CSV would load its binary pages as rows of garbage, or fail far from the cause.

use std::io::{self, Read};

use super::{Input, RowError};

pub const PARQUET_MAGIC: &[u8] = b"PAR1";
pub const AVRO_MAGIC: &[u8] = b"Obj\x01";

/// A stream whose first bytes were read ahead and are handed out again.
pub struct Sniffed {
    head: Vec<u8>,
    at: usize,
    rest: Input,
}

impl Sniffed {
    pub fn new(rest: Input) -> Self {
        Sniffed {
            head: Vec::new(),
            at: 0,
            rest,
        }
    }

    /// Up to `n` first bytes (fewer when the file is shorter).
    pub fn head(&mut self, n: usize) -> io::Result<&[u8]> {
        while self.head.len() < n {
            let mut buf = [0u8; 64];
            let want = (n - self.head.len()).min(buf.len());
            let got = match self.rest.read(&mut buf[..want]) {
                Ok(got) => got,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if got == 0 {
                break;
            }
            self.head.extend_from_slice(&buf[..got]);
        }
        Ok(&self.head[..n.min(self.head.len())])
    }
}

impl Read for Sniffed {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.at < self.head.len() {
            let n = out.len().min(self.head.len() - self.at);
            out[..n].copy_from_slice(&self.head[self.at..self.at + n]);
            self.at += n;
            return Ok(n);
        }
        self.rest.read(out)
    }
}

/// Refuses a Parquet or Avro file at a location whose format is CSV, naming the option.
pub fn refuse_typed_as_csv(file: &mut Sniffed) -> Result<(), RowError> {
    let head = file
        .head(4)
        .map_err(super::io_error("the start of the file"))?;
    let format = if head == PARQUET_MAGIC {
        "parquet"
    } else if head == AVRO_MAGIC {
        "avro"
    } else {
        return Ok(());
    };
    Err(RowError::Corrupt(format!(
        "this is a {format} file, but the location's format is CSV; set --file-format {format} (FileFormat /{}) — nothing was applied",
        if format == "parquet" {
            "Parquet"
        } else {
            "Avro"
        }
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_is_read_again_and_typed_files_are_refused_as_csv() {
        let mut s = Sniffed::new(Box::new(&b"a,b\n1,2\n"[..]));
        assert!(refuse_typed_as_csv(&mut s).is_ok());
        let mut all = String::new();
        s.read_to_string(&mut all).unwrap();
        assert_eq!(all, "a,b\n1,2\n");
        let mut p = Sniffed::new(Box::new(&b"PAR1\x15\x04"[..]));
        let e = refuse_typed_as_csv(&mut p).unwrap_err().to_string();
        assert!(e.contains("--file-format parquet"), "{e}");
        let mut short = Sniffed::new(Box::new(&b"a"[..]));
        assert!(refuse_typed_as_csv(&mut short).is_ok());
    }
}
