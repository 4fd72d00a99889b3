//! Avro's binary encoding of one value, rendered as text.

use std::fmt::Write as _;

use super::schema::Type;
use crate::rows::render;

/// Reads values from a decompressed block.
pub struct Cursor<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8], at: usize) -> Self {
        Cursor { data, at }
    }

    pub fn offset(&self) -> usize {
        self.at
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.data.len())
            .ok_or("the block ends inside a value; the file is damaged")?;
        let bytes = &self.data[self.at..end];
        self.at = end;
        Ok(bytes)
    }

    fn long(&mut self) -> Result<i64, String> {
        let (mut value, mut shift) = (0u64, 0u32);
        loop {
            let byte = self.take(1)?[0];
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok((value >> 1) as i64 ^ -((value & 1) as i64));
            }
            shift += 7;
            if shift > 63 {
                return Err("an integer is not a valid varint".into());
            }
        }
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let len = self.long()?;
        let len = usize::try_from(len).map_err(|_| format!("a length of {len}"))?;
        self.take(len)
    }

    /// Renders one value of type `ty` into `out`; `false` for null.
    pub fn value(&mut self, ty: &Type, out: &mut String) -> Result<bool, String> {
        match ty {
            Type::Null => return Ok(false),
            Type::Boolean => out.push(match self.take(1)?[0] {
                0 => '0',
                1 => '1',
                b => return Err(format!("boolean byte {b}")),
            }),
            Type::Int | Type::Long => {
                let v = self.long()?;
                write!(out, "{v}").expect("writing to a String");
            }
            Type::Float => {
                let b = self.take(4)?;
                let v = f32::from_le_bytes(b.try_into().expect("4 bytes"));
                render::float(out, f64::from(v), true);
            }
            Type::Double => {
                let b = self.take(8)?;
                render::float(
                    out,
                    f64::from_le_bytes(b.try_into().expect("8 bytes")),
                    false,
                );
            }
            Type::String => {
                let b = self.bytes()?;
                let s = std::str::from_utf8(b).map_err(|e| {
                    format!("invalid UTF-8 at byte {} of a string", e.valid_up_to() + 1)
                })?;
                out.push_str(s);
            }
            Type::Bytes => render::hex(out, self.bytes()?),
            Type::Fixed(n) => render::hex(out, self.take(*n)?),
            Type::Enum(symbols) => {
                let i = self.long()?;
                let symbol = usize::try_from(i)
                    .ok()
                    .and_then(|i| symbols.get(i))
                    .ok_or_else(|| format!("enum index {i} of {} symbols", symbols.len()))?;
                out.push_str(symbol);
            }
            Type::Decimal { fixed, scale, .. } => {
                let b = match fixed {
                    Some(n) => self.take(*n)?,
                    None => self.bytes()?,
                };
                render::decimal_from_be(out, b, *scale);
            }
            Type::Date => render::date(out, self.long()?)?,
            Type::Time(unit) => render::time(out, self.long()?, *unit)?,
            Type::Timestamp { unit, .. } => render::timestamp(out, self.long()?, *unit)?,
            Type::Uuid { fixed: true } => render::uuid(out, self.take(16)?)?,
            Type::Uuid { fixed: false } => {
                let b = self.bytes()?;
                let s = std::str::from_utf8(b).map_err(|_| "a uuid string is not UTF-8")?;
                out.push_str(s);
            }
            Type::Union(branches) => {
                let i = self.long()?;
                let branch = usize::try_from(i)
                    .ok()
                    .and_then(|i| branches.get(i))
                    .ok_or_else(|| format!("union branch {i} of {}", branches.len()))?;
                return self.value(branch, out);
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_decode_with_unions_and_logical_types() {
        // long 3 (zig-zag 6), union branch 1 then string "ab", union branch 0 (null).
        let data = [6u8, 2, 4, b'a', b'b', 0];
        let mut c = Cursor::new(&data, 0);
        let mut out = String::new();
        assert!(c.value(&Type::Long, &mut out).unwrap());
        assert_eq!(out, "3");
        let nullable = Type::Union(vec![Type::Null, Type::String]);
        out.clear();
        assert!(c.value(&nullable, &mut out).unwrap());
        assert_eq!(out, "ab");
        out.clear();
        assert!(!c.value(&nullable, &mut out).unwrap());
        assert!(c.value(&Type::Long, &mut out).is_err());
        // -1 is zig-zag 1; a decimal's bytes of 0x04d2 (1234) with scale 2.
        let data = [1u8, 4, 0x04, 0xd2];
        let mut c = Cursor::new(&data, 0);
        out.clear();
        c.value(&Type::Int, &mut out).unwrap();
        assert_eq!(out, "-1");
        out.clear();
        let decimal = Type::Decimal {
            fixed: None,
            precision: 6,
            scale: 2,
        };
        c.value(&decimal, &mut out).unwrap();
        assert_eq!(out, "12.34");
        // A fixed(16) uuid is its 16 bytes, not a length-prefixed string.
        let bytes = [0x12u8; 16];
        out.clear();
        Cursor::new(&bytes, 0)
            .value(&Type::Uuid { fixed: true }, &mut out)
            .unwrap();
        assert_eq!(out, "12121212-1212-1212-1212-121212121212");
    }
}
