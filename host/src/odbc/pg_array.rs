//! PostgreSQL array literals for the unnest load (`LoadShape::PostgresTextArrays`).

/// `{"a","b\"c",NULL}`: every element quoted, so empty strings, spaces, commas and the word
/// NULL stay values; only a missing value becomes NULL.
///
/// Built from bytes: a value without `"` or `\\` is copied whole, and the result is checked as
/// UTF-8 once (quoting adds only ASCII, so it is valid exactly when the values are; they were
/// validated when decoded). Char by char with a lossy conversion per value, this was a third
/// of the client's time in a PostgreSQL refresh, on the thread that waits for the server.
pub(super) fn pg_array_literal(column: &crate::batch::TextColumn) -> String {
    let mut out = Vec::with_capacity(column.byte_len() + column.len() * 3 + 2);
    out.push(b'{');
    for row in 0..column.len() {
        if row > 0 {
            out.push(b',');
        }
        match column.get(row) {
            None => out.extend_from_slice(b"NULL"),
            Some(bytes) => {
                out.push(b'"');
                push_escaped(&mut out, bytes);
                out.push(b'"');
            }
        }
    }
    out.push(b'}');
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Appends `bytes` with `"` and `\\` escaped by a backslash.
fn push_escaped(out: &mut Vec<u8>, mut bytes: &[u8]) {
    while let Some(at) = bytes.iter().position(|&b| b == b'"' || b == b'\\') {
        out.extend_from_slice(&bytes[..at]);
        out.push(b'\\');
        out.push(bytes[at]);
        bytes = &bytes[at + 1..];
    }
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::TextColumn;

    #[test]
    fn array_literal_quotes_everything_but_null() {
        let mut c = TextColumn::with_capacity(4);
        c.push(Some(b"a\"b\\c"));
        c.push(None);
        c.push(Some(b""));
        c.push(Some(b"NULL"));
        assert_eq!(pg_array_literal(&c), r#"{"a\"b\\c",NULL,"","NULL"}"#);
    }

    #[test]
    fn array_literal_keeps_multibyte_text_and_escapes_at_the_ends() {
        let mut c = TextColumn::with_capacity(3);
        c.push(Some("ü\\".as_bytes()));
        c.push(Some(b"\"\""));
        c.push(Some("日本 \"x\"".as_bytes()));
        assert_eq!(pg_array_literal(&c), r#"{"ü\\","\"\"","日本 \"x\""}"#);
    }
}
