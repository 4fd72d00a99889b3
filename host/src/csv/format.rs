//! FileFormat settings, parsed from options written the way HVR writes them (`\t`, `\x1f`).

use thiserror::Error;

#[derive(Debug, Error)]
pub enum FormatError {
    #[error("--{option} {value:?}: {reason}")]
    Bad {
        option: &'static str,
        value: String,
        reason: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Lz4,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// ISO-8859-1 proper: every byte is the code point of the same value.
    Latin1,
    /// An encoding `encoding_rs` decodes (WINDOWS-125x, ISO-8859-9, UTF-16).
    Other(&'static encoding_rs::Encoding),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineSeparator {
    Byte(u8),
    /// `\r\n`: a record ends at `\n`; a `\r` right before it is dropped.
    CrLf,
}

#[derive(Clone, Debug)]
pub struct CsvFormat {
    pub header: bool,
    /// One character, as UTF-8 (1 to 4 bytes): HVR allows any single glyph.
    pub field_separator: Vec<u8>,
    pub line_separator: LineSeparator,
    pub quote: Option<u8>,
    pub escape: Option<u8>,
    /// `None`: an empty unquoted field is NULL and `""` the empty string.
    pub null: Option<Vec<u8>>,
    pub terminator: Option<Vec<u8>>,
    pub encoding: TextEncoding,
    pub compression: Compression,
}

impl Default for CsvFormat {
    fn default() -> Self {
        CsvFormat {
            header: true,
            field_separator: b",".to_vec(),
            line_separator: LineSeparator::Byte(b'\n'),
            quote: Some(b'"'),
            escape: Some(b'"'),
            null: None,
            terminator: None,
            encoding: TextEncoding::Utf8,
            compression: Compression::None,
        }
    }
}

impl CsvFormat {
    #[allow(clippy::too_many_arguments)]
    pub fn from_options(
        header: bool,
        field_separator: &str,
        line_separator: &str,
        quote: &str,
        escape: Option<&str>,
        null: Option<&str>,
        terminator: Option<&str>,
        encoding: &str,
        compression: Compression,
    ) -> Result<CsvFormat, FormatError> {
        let field_separator = single_glyph("field-separator", field_separator)?;
        let line_bytes = unescape(line_separator);
        let line = match line_bytes.as_slice() {
            [b] => LineSeparator::Byte(*b),
            b"\r\n" => LineSeparator::CrLf,
            _ => {
                return Err(bad(
                    "line-separator",
                    line_separator,
                    "must be one byte or \\r\\n (HVR reads CSV with single-byte line separators only)",
                ));
            }
        };
        let quote_byte = single_byte("quote-character", quote)?;
        let escape_byte = match escape {
            Some(e) => single_byte("escape-character", e)?,
            None => quote_byte,
        };
        let format = CsvFormat {
            header,
            field_separator,
            line_separator: line,
            quote: quote_byte,
            escape: escape_byte,
            null: null.map(unescape),
            terminator: terminator.map(unescape).filter(|t| !t.is_empty()),
            encoding: parse_encoding(encoding)?,
            compression,
        };
        let line_byte = match line {
            LineSeparator::Byte(b) => b,
            LineSeparator::CrLf => b'\n',
        };
        if format.field_separator == [line_byte]
            || quote_byte.is_some_and(|q| format.field_separator == [q])
        {
            return Err(bad(
                "field-separator",
                &String::from_utf8_lossy(&format.field_separator),
                "must differ from the line separator and the quote character",
            ));
        }
        Ok(format)
    }
}

fn bad(option: &'static str, value: &str, reason: &str) -> FormatError {
    FormatError::Bad {
        option,
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

/// One character: an ASCII byte, any single Unicode glyph, or `\xHH` above 0x7F read as the
/// code point U+00HH (the file is decoded to UTF-8 before it is split).
fn single_glyph(option: &'static str, value: &str) -> Result<Vec<u8>, FormatError> {
    let bytes = unescape(value);
    match bytes.as_slice() {
        [] => Err(bad(option, value, "must not be empty")),
        [b] if *b >= 0x80 => Ok(char::from(*b).to_string().into_bytes()),
        _ => match std::str::from_utf8(&bytes) {
            Ok(s) if s.chars().count() == 1 => Ok(bytes),
            _ => Err(bad(option, value, "must be a single character")),
        },
    }
}

fn single_byte(option: &'static str, value: &str) -> Result<Option<u8>, FormatError> {
    match unescape(value).as_slice() {
        [] => Ok(None),
        [b] if b.is_ascii() => Ok(Some(*b)),
        _ => Err(bad(option, value, "must be a single ASCII character")),
    }
}

fn parse_encoding(name: &str) -> Result<TextEncoding, FormatError> {
    let upper = name.trim().to_ascii_uppercase().replace('_', "-");
    match upper.as_str() {
        "UTF-8" | "UTF8" | "US-ASCII" | "ASCII" => Ok(TextEncoding::Utf8),
        "ISO-8859-1" | "LATIN1" => Ok(TextEncoding::Latin1),
        "ISO-8859-9" | "WINDOWS-1251" | "WINDOWS-1252" | "UTF-16LE" | "UTF-16BE" => {
            encoding_rs::Encoding::for_label(upper.as_bytes())
                .map(TextEncoding::Other)
                .ok_or_else(|| bad("encoding", name, "unknown encoding"))
        }
        _ => Err(bad(
            "encoding",
            name,
            "supported: UTF-8, US-ASCII, ISO-8859-1, ISO-8859-9, WINDOWS-1251, WINDOWS-1252, UTF-16LE, UTF-16BE",
        )),
    }
}

/// Resolves HVR's C-like escapes: `\t \n \r \\ \xHH`; other text stays as it is.
pub fn unescape(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            match bytes[i + 1] {
                b't' => out.push(b'\t'),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b'\\' => out.push(b'\\'),
                b'x' if i + 3 < bytes.len() => {
                    match u8::from_str_radix(value.get(i + 2..i + 4).unwrap_or(""), 16) {
                        Ok(b) => {
                            out.push(b);
                            i += 4;
                            continue;
                        }
                        Err(_) => out.extend_from_slice(b"\\x"),
                    }
                }
                other => {
                    out.push(b'\\');
                    out.push(other);
                }
            }
            i += 2;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_resolve_like_hvr_writes_them() {
        assert_eq!(unescape(r"\t"), b"\t");
        assert_eq!(unescape(r"\x1f"), [0x1f]);
        assert_eq!(unescape(r"\\N"), b"\\N");
        assert_eq!(unescape(r"\N"), b"\\N");
        assert_eq!(unescape(r";\n"), b";\n");
    }

    #[test]
    fn multi_byte_line_separator_is_refused_with_the_option_name() {
        let err = CsvFormat::from_options(
            true,
            ",",
            r";\n",
            "\"",
            None,
            None,
            None,
            "UTF-8",
            Compression::None,
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("--line-separator"), "{err}");
    }

    #[test]
    fn field_separator_may_be_any_single_glyph() {
        let f = |sep| {
            CsvFormat::from_options(
                true,
                sep,
                r"\n",
                "\"",
                None,
                None,
                None,
                "UTF-8",
                Compression::None,
            )
        };
        assert_eq!(f("¦").unwrap().field_separator, "¦".as_bytes());
        assert_eq!(f(r"\xa7").unwrap().field_separator, "§".as_bytes());
        assert_eq!(f(r"\x1f").unwrap().field_separator, [0x1f]);
        assert!(f("ab").is_err());
    }

    #[test]
    fn unknown_encoding_is_refused() {
        assert!(parse_encoding("EBCDIC").is_err());
        assert_eq!(parse_encoding("iso-8859-1").unwrap(), TextEncoding::Latin1);
    }
}
