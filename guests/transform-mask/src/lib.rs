//! Sample transform: replaces the values of named columns with a salted SHA-256 (hex), so a
//! target gets stable pseudonyms instead of e-mail addresses or phone numbers.
//!
//! Options: `columns=email,phone` (required), `salt=...` (recommended). NULL stays NULL.

use hvrwasm_sdk::transform::{RowBatch, Transform, TransformInfo, TransformOptions, option, value};
use sha2::{Digest, Sha256};

pub struct Mask;

/// `sha256(salt || value)` as lowercase hex.
pub fn pseudonym(salt: &str, value: &str) -> String {
    let mut out = Vec::with_capacity(64);
    push_pseudonym(&mut out, salt, value);
    String::from_utf8(out).expect("hex is ASCII")
}

fn push_pseudonym(out: &mut Vec<u8>, salt: &str, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hash = Sha256::new();
    hash.update(salt.as_bytes());
    hash.update(value.as_bytes());
    for b in hash.finalize() {
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
}

impl Transform for Mask {
    fn describe() -> TransformInfo {
        TransformInfo {
            name: "mask".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }

    fn transform(
        _table: &str,
        batch: RowBatch,
        options: &TransformOptions,
    ) -> Result<RowBatch, String> {
        let wanted: Vec<&str> = option(options, "columns")
            .ok_or("mask needs --transform-option columns=a,b")?
            .split(',')
            .map(str::trim)
            .collect();
        let salt = option(options, "salt").unwrap_or("");
        let masked: Vec<bool> = batch
            .names
            .iter()
            .map(|n| wanted.iter().any(|w| w.eq_ignore_ascii_case(n)))
            .collect();
        if !masked.iter().any(|m| *m) {
            // This table has none of the columns: pass it through untouched.
            return Ok(batch);
        }
        // Only the masked columns are rebuilt; the others pass through as they are.
        let mut batch = batch;
        let rows = batch.num_rows as usize;
        for (c, column) in batch.columns.iter_mut().enumerate() {
            if !masked[c] {
                continue;
            }
            let mut data = Vec::with_capacity(rows * 64);
            let mut offsets = Vec::with_capacity(rows + 1);
            offsets.push(0u32);
            for row in 0..rows {
                if let Some(v) = value(column, row) {
                    push_pseudonym(&mut data, salt, v);
                }
                offsets.push(data.len() as u32);
            }
            column.data = data;
            column.offsets = offsets;
        }
        Ok(batch)
    }
}

hvrwasm_sdk::export_transform!(Mask);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_named_columns_and_keeps_nulls() {
        use hvrwasm_sdk::transform::BatchBuilder;
        let mut b = BatchBuilder::new(vec!["id".into(), "email".into()]);
        b.push_row([Some("1"), Some("a@example.com")]);
        b.push_row([Some("2"), None]);
        let options = vec![
            ("columns".to_string(), "EMAIL".to_string()),
            ("salt".into(), "s".into()),
        ];
        let out = Mask::transform("t", b.finish(), &options).unwrap();
        assert_eq!(value(&out.columns[0], 0), Some("1"));
        assert_eq!(
            value(&out.columns[1], 0),
            Some(pseudonym("s", "a@example.com").as_str())
        );
        assert_eq!(value(&out.columns[1], 1), None);
    }
}
