//! Batches as tab-separated text rows, the format both PostgreSQL's `COPY ... FROM STDIN`
//! (text format) and MariaDB's `LOAD DATA` (default field and line options) read: one line per
//! row, values separated by tabs, `\N` for NULL, and a backslash before the bytes the format
//! gives meaning to (backslash, tab, newline, carriage return). Every value arrives as text, so
//! an empty string stays an empty string and only a missing value becomes NULL.

use crate::batch::TextBatch;

/// The batch as text rows: rows in order, columns in order.
pub(crate) fn encode(batch: &TextBatch) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(batch, &mut out);
    out
}

/// The same into `out`, emptied first: a loader that keeps one buffer allocates once.
pub(crate) fn encode_into(batch: &TextBatch, out: &mut Vec<u8>) {
    out.clear();
    let bytes: usize = batch.columns.iter().map(|c| c.byte_len()).sum();
    out.reserve(bytes + batch.num_rows() * (batch.columns.len() + 1) * 2);
    // Most columns hold no byte to escape at all: one vectorised scan of a column's bytes
    // spares looking at each value's bytes one by one.
    let plain: Vec<bool> = batch
        .columns
        .iter()
        .map(|c| !needs_escaping(c.bytes()))
        .collect();
    for row in 0..batch.num_rows() {
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
/// through: the connection's client encoding is UTF-8).
fn push_escaped(out: &mut Vec<u8>, mut value: &[u8]) {
    while let Some(at) = value
        .iter()
        .position(|&b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
    {
        out.extend_from_slice(&value[..at]);
        out.extend_from_slice(match value[at] {
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            _ => b"\\r",
        });
        value = &value[at + 1..];
    }
    out.extend_from_slice(value);
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
}
