//! Batches as tab-separated text rows, the format both PostgreSQL's `COPY ... FROM STDIN`
//! (text format) and MariaDB's `LOAD DATA` (default field and line options) read: one line per
//! row, values separated by tabs, `\N` for NULL, and a backslash before the bytes the format
//! gives meaning to (backslash, tab, newline, carriage return). Every value arrives as text, so
//! an empty string stays an empty string and only a missing value becomes NULL.

use std::ops::Range;

use crate::batch::TextBatch;

/// The batch as text rows: rows in order, columns in order.
#[cfg(test)]
fn encode(batch: &TextBatch) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(batch, &mut out);
    out
}

/// The same into `out`, emptied first: a loader that keeps one buffer allocates once.
pub(crate) fn encode_into(batch: &TextBatch, out: &mut Vec<u8>) {
    out.clear();
    let bytes: usize = batch.columns.iter().map(|c| c.byte_len()).sum();
    out.reserve(bytes + batch.num_rows() * (batch.columns.len() + 1) * 2);
    encode_rows(batch, &plain_columns(batch), 0..batch.num_rows(), out);
}

/// The same handed to `send` in pieces of about `piece_bytes` as they are encoded, so that a
/// COPY can send each piece while the next is encoded: the server parses one piece while the
/// client encodes the next, where encoding a whole batch first left the server idle meanwhile.
pub(crate) fn encode_in_pieces<E>(
    batch: &TextBatch,
    piece_bytes: usize,
    mut send: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let plain = plain_columns(batch);
    let mut piece = Vec::with_capacity(piece_bytes + piece_bytes / 4);
    let mut row = 0;
    while row < batch.num_rows() {
        piece.clear();
        // A row at a time until the piece is full: rows differ too much in size to count.
        while row < batch.num_rows() && piece.len() < piece_bytes {
            encode_rows(batch, &plain, row..row + 1, &mut piece);
            row += 1;
        }
        send(&piece)?;
    }
    Ok(())
}

/// Most columns hold no byte to escape at all: one vectorised scan of a column's bytes spares
/// looking at each value's bytes one by one.
fn plain_columns(batch: &TextBatch) -> Vec<bool> {
    batch
        .columns
        .iter()
        .map(|c| !needs_escaping(c.bytes()))
        .collect()
}

fn encode_rows(batch: &TextBatch, plain: &[bool], rows: Range<usize>, out: &mut Vec<u8>) {
    for row in rows {
        for (i, column) in batch.columns.iter().enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            match column.get(row) {
                None => out.extend_from_slice(b"\\N"),
                Some(value) if plain[i] => out.extend_from_slice(value),
                Some(value) => push_escaped(out, value),
            }
        }
        out.push(b'\n');
    }
}

fn needs_escaping(bytes: &[u8]) -> bool {
    memchr::memchr3(b'\\', b'\t', b'\n', bytes).is_some() || memchr::memchr(b'\r', bytes).is_some()
}

/// `\` , tab, newline and carriage return escaped; everything else as it is (UTF-8 passes
/// through: the connection's client encoding is UTF-8). The runs between those bytes are found
/// with `memchr` (a byte-by-byte search was a fifth of the client's samples on long texts with
/// line breaks, `perf record`): the next backslash, tab or newline and the next carriage
/// return are each searched again only once passed, so every byte is scanned once.
fn push_escaped(out: &mut Vec<u8>, value: &[u8]) {
    let find = |from: usize, cr: bool| {
        let rest = &value[from..];
        let at = if cr {
            memchr::memchr(b'\r', rest)
        } else {
            memchr::memchr3(b'\\', b'\t', b'\n', rest)
        };
        at.map_or(value.len(), |at| from + at)
    };
    let (mut next, mut next_cr) = (find(0, false), find(0, true));
    let mut from = 0;
    while next.min(next_cr) < value.len() {
        let at = next.min(next_cr);
        out.extend_from_slice(&value[from..at]);
        out.extend_from_slice(match value[at] {
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            _ => b"\\r",
        });
        from = at + 1;
        if next == at {
            next = find(from, false);
        } else {
            next_cr = find(from, true);
        }
    }
    out.extend_from_slice(&value[from..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_empties_and_special_bytes_keep_their_meaning() {
        let mut batch = TextBatch::new(2, 3);
        batch.columns[0].push(Some(b"a\tb\\c"));
        batch.columns[1].push(None);
        batch.columns[0].push(Some(b""));
        batch.columns[1].push(Some(b"\\N"));
        batch.columns[0].push(Some("é\r\n".as_bytes()));
        batch.columns[1].push(Some(b"NULL"));
        assert_eq!(
            String::from_utf8(encode(&batch)).unwrap(),
            "a\\tb\\\\c\t\\N\n\t\\\\N\né\\r\\n\tNULL\n"
        );
    }

    #[test]
    fn a_plain_column_beside_one_that_needs_escaping() {
        let mut batch = TextBatch::new(2, 2);
        for (plain, special) in [("ab", "x\ty"), ("", "\r")] {
            batch.columns[0].push(Some(plain.as_bytes()));
            batch.columns[1].push(Some(special.as_bytes()));
        }
        batch.columns[0].push(None);
        batch.columns[1].push(Some(b"\r"));
        assert_eq!(
            String::from_utf8(encode(&batch)).unwrap(),
            "ab\tx\\ty\n\t\\r\n\\N\t\\r\n"
        );
    }

    /// The `memchr` escaper against the plain definition, on values of every mix of the
    /// special bytes (runs of one, neighbours, at both ends), generated deterministically.
    #[test]
    fn escaping_matches_the_byte_by_byte_definition() {
        let reference = |value: &[u8]| {
            let mut out = Vec::new();
            for &b in value {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
            out
        };
        let alphabet = [b'a', b'\\', b'\t', b'\n', b'\r', 0xc3, 0xa9, b'N'];
        let mut state = 7u64;
        for len in 0..200 {
            for _ in 0..20 {
                let value: Vec<u8> = (0..len)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        alphabet[(state >> 61) as usize]
                    })
                    .collect();
                let mut out = Vec::new();
                push_escaped(&mut out, &value);
                assert_eq!(out, reference(&value), "{value:?}");
            }
        }
    }

    #[test]
    fn pieces_put_together_are_the_whole_encoding() {
        let mut batch = TextBatch::new(2, 50);
        for i in 0..50 {
            let long = "v".repeat(i * 7);
            batch.columns[0].push(Some(format!("{i}\t{long}").as_bytes()));
            batch.columns[1].push(if i % 3 == 0 { None } else { Some(b"x") });
        }
        let whole = encode(&batch);
        for piece_bytes in [1, 10, 100, 1000, 1 << 20] {
            let mut pieces = Vec::new();
            encode_in_pieces(&batch, piece_bytes, |piece| {
                assert!(!piece.is_empty(), "no empty piece is sent");
                pieces.push(piece.to_vec());
                Ok::<(), ()>(())
            })
            .unwrap();
            assert_eq!(pieces.concat(), whole, "pieces of {piece_bytes} bytes");
            assert!(
                pieces.iter().all(|p| p.ends_with(b"\n")),
                "pieces end at rows"
            );
        }
    }
}
