//! Property tests of the CSV reader, run with the unit tests (bounded: a few thousand seeded
//! cases, well under a second). Records written the way HVR writes them read back exactly —
//! values, NULL versus empty, line numbers — for every separator kind, whatever the chunk
//! boundaries of the input; and arbitrary bytes end in a record or an error, never a panic.

use std::io::{BufReader, Read};

use super::format::{CsvFormat, LineSeparator};
use super::reader::RecordReader;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Hands out its bytes a few at a time, so records cross every possible chunk boundary.
struct Dribble<'a> {
    bytes: &'a [u8],
    rng: Rng,
}

impl Read for Dribble<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = (1 + self.rng.below(7) as usize)
            .min(out.len())
            .min(self.bytes.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

type Rows = Vec<Vec<Option<String>>>;

fn value(rng: &mut Rng) -> Option<String> {
    const PIECES: [&str; 14] = [
        "a", "Z9", ",", "\"", "\n", "\r", " ", "\t", "é", "☃", "§", "\\N", "NULL", "x y",
    ];
    match rng.below(6) {
        0 => None,
        1 => Some(String::new()),
        _ => Some(
            (0..1 + rng.below(6))
                .map(|_| PIECES[rng.below(PIECES.len() as u64) as usize])
                .collect(),
        ),
    }
}

/// HVR's writer: NULL unquoted and empty (or the NULL representation), the empty string and
/// anything with a separator, quote, line break or edge space quoted with doubled quotes.
fn write(
    rows: &[Vec<Option<String>>],
    sep: &str,
    eol: &str,
    null: Option<&str>,
    final_eol: bool,
) -> Vec<u8> {
    let field = |v: &Option<String>| match v {
        None => null.unwrap_or("").to_string(),
        Some(v)
            if v.is_empty()
                || v.contains(sep)
                || v.contains(['"', '\n', '\r'])
                || v.starts_with(' ')
                || v.ends_with(' ')
                || Some(v.as_str()) == null =>
        {
            format!("\"{}\"", v.replace('"', "\"\""))
        }
        Some(v) => v.clone(),
    };
    let mut text = rows
        .iter()
        .map(|r| r.iter().map(field).collect::<Vec<_>>().join(sep))
        .collect::<Vec<_>>()
        .join(eol);
    if final_eol {
        text.push_str(eol);
    }
    text.into_bytes()
}

fn read(bytes: &[u8], format: CsvFormat, seed: u64) -> Result<(Rows, Vec<u64>), String> {
    let input = BufReader::with_capacity(
        3,
        Dribble {
            bytes,
            rng: Rng(seed | 1),
        },
    );
    read_from(input, format)
}

/// The same, with the whole input in one buffer: the scan's long runs (`memchr`) at work.
fn read_whole(bytes: &[u8], format: CsvFormat) -> Result<(Rows, Vec<u64>), String> {
    read_from(BufReader::with_capacity(1 << 16, bytes), format)
}

fn read_from(input: impl std::io::BufRead, format: CsvFormat) -> Result<(Rows, Vec<u64>), String> {
    let mut reader = RecordReader::new(input, format);
    let (mut rows, mut lines) = (Vec::new(), Vec::new());
    while let Some(record) = reader.next_record().map_err(|e| e.to_string())? {
        lines.push(record.line);
        rows.push(
            (0..record.len())
                .map(|i| record.field(i).map(|f| f.map(str::to_string)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?,
        );
    }
    Ok((rows, lines))
}

#[test]
fn records_written_as_hvr_does_read_back_exactly() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for case in 0..3000u64 {
        let (sep, eol, null) = match case % 5 {
            0 => (",", "\n", None),
            1 => ("\t", "\n", Some("\\N")),
            2 => ("☃", "\n", None),
            3 => (",", "\r\n", None),
            _ => ("§", "\r\n", Some("NULL")),
        };
        let format = CsvFormat {
            field_separator: sep.as_bytes().to_vec(),
            line_separator: if eol == "\r\n" {
                LineSeparator::CrLf
            } else {
                LineSeparator::Byte(b'\n')
            },
            null: null.map(|n| n.as_bytes().to_vec()),
            ..CsvFormat::default()
        };
        let width = 1 + rng.below(5) as usize;
        let rows: Rows = (0..1 + rng.below(6))
            .map(|_| (0..width).map(|_| value(&mut rng)).collect())
            .collect();
        // A last record of one NULL field is an empty line: HVR never writes one.
        if rows.last().is_some_and(|r| r.len() == 1 && r[0].is_none()) {
            continue;
        }
        let bytes = write(&rows, sep, eol, null, rng.below(2) == 0);
        assert_eq!(
            read(&bytes, format.clone(), rng.next()),
            read_whole(&bytes, format.clone()),
            "case {case}: dribbled and whole reads differ"
        );
        let (got, lines) = read(&bytes, format, rng.next())
            .unwrap_or_else(|e| panic!("case {case}: {e}\n{:?}", String::from_utf8_lossy(&bytes)));
        assert_eq!(
            got,
            rows,
            "case {case}: {:?}",
            String::from_utf8_lossy(&bytes)
        );
        // Each record starts on the line after the line breaks before it.
        let mut line = 1u64;
        let mut starts = vec![1u64];
        for r in &rows[..rows.len() - 1] {
            let record = write(std::slice::from_ref(r), sep, eol, null, true);
            line += record.iter().filter(|b| **b == b'\n').count() as u64;
            starts.push(line);
        }
        assert_eq!(
            lines,
            starts,
            "case {case}: {:?}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

#[test]
fn arbitrary_bytes_end_in_records_or_an_error_never_a_panic() {
    const BYTES: [u8; 12] = [
        b'"', b',', b'\n', b'\r', b'a', b' ', 0xff, 0xc3, 0xa9, b'\\', 0, b'\t',
    ];
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    for case in 0..3000u64 {
        let bytes: Vec<u8> = (0..rng.below(64))
            .map(|_| BYTES[rng.below(BYTES.len() as u64) as usize])
            .collect();
        let format = match case % 3 {
            0 => CsvFormat::default(),
            1 => CsvFormat {
                field_separator: "☃".as_bytes().to_vec(),
                ..CsvFormat::default()
            },
            _ => CsvFormat {
                escape: Some(b'\\'),
                line_separator: LineSeparator::CrLf,
                ..CsvFormat::default()
            },
        };
        let dribbled = read(&bytes, format.clone(), rng.next());
        // Whatever the chunk boundaries, the same records or the same error.
        assert_eq!(
            dribbled,
            read_whole(&bytes, format),
            "case {case}: {bytes:?}"
        );
        match dribbled {
            Ok((rows, lines)) => assert_eq!(rows.len(), lines.len()),
            Err(e) => assert!(e.starts_with("line "), "case {case}: {e}"),
        }
    }
}
