//! Sample transform: replaces the values of named columns with a salted SHA-256 (hex), so a
//! target gets stable pseudonyms instead of e-mail addresses or phone numbers.
//!
//! Options: `columns=email,phone` (required), `salt=...` (recommended). NULL stays NULL.

use hvrwasm_sdk::transform::{
    BatchBuilder, RowBatch, Transform, TransformInfo, TransformOptions, option, value,
};
use sha2::{Digest, Sha256};

pub struct Mask;

/// `sha256(salt || value)` as lowercase hex.
pub fn pseudonym(salt: &str, value: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(salt.as_bytes());
    hash.update(value.as_bytes());
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Transform for Mask {
    fn describe() -> TransformInfo {
        TransformInfo {
            name: "mask".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }

    fn transform(
        table: &str,
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
            let _ = table;
            return Ok(batch);
        }
        let mut out = BatchBuilder::new(batch.names.clone());
        let mut row_values: Vec<Option<String>> = Vec::with_capacity(batch.names.len());
        for row in 0..batch.num_rows as usize {
            row_values.clear();
            for (c, column) in batch.columns.iter().enumerate() {
                let v = value(column, row);
                row_values.push(match (masked[c], v) {
                    (true, Some(v)) => Some(pseudonym(salt, v)),
                    (_, v) => v.map(str::to_string),
                });
            }
            out.push_row(row_values.iter().map(|v| v.as_deref()));
        }
        Ok(out.finish())
    }
}

hvrwasm_sdk::export_transform!(Mask);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_named_columns_and_keeps_nulls() {
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
