//! Sample transform: replaces the values of named columns with a salted SHA-256 (hex), so a
//! target gets stable pseudonyms instead of e-mail addresses or phone numbers.
//!
//! Options: `columns=email,phone` (required), `salt=...` (recommended), `suffix=_hash`
//! (optional: keep the columns and add `email_hash`, `phone_hash` holding the pseudonyms
//! instead). NULL stays NULL.

use hvrwasm_sdk::transform::{
    RowBatch, TextColumn, Transform, TransformInfo, TransformOptions, option, value,
};
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

/// Indices of the columns `columns=` names, in the batch's order.
fn masked_columns(names: &[String], options: &TransformOptions) -> Result<Vec<usize>, String> {
    let wanted: Vec<&str> = option(options, "columns")
        .ok_or("mask needs --transform-option columns=a,b")?
        .split(',')
        .map(str::trim)
        .collect();
    Ok((0..names.len())
        .filter(|i| wanted.iter().any(|w| w.eq_ignore_ascii_case(&names[*i])))
        .collect())
}

/// The pseudonyms of one column's values.
fn hashed(column: &TextColumn, rows: usize, salt: &str) -> TextColumn {
    let mut data = Vec::with_capacity(rows * 64);
    let mut offsets = Vec::with_capacity(rows + 1);
    offsets.push(0u32);
    for row in 0..rows {
        if let Some(v) = value(column, row) {
            push_pseudonym(&mut data, salt, v);
        }
        offsets.push(data.len() as u32);
    }
    TextColumn {
        data,
        offsets,
        validity: column.validity.clone(),
    }
}

impl Transform for Mask {
    fn describe() -> TransformInfo {
        TransformInfo {
            name: "mask".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }

    fn added_columns(
        _table: &str,
        columns: &[String],
        options: &TransformOptions,
    ) -> Result<Vec<String>, String> {
        let Some(suffix) = option(options, "suffix") else {
            return Ok(Vec::new());
        };
        Ok(masked_columns(columns, options)?
            .into_iter()
            .map(|i| format!("{}{suffix}", columns[i]))
            .collect())
    }

    fn transform(
        table: &str,
        mut batch: RowBatch,
        options: &TransformOptions,
    ) -> Result<RowBatch, String> {
        let salt = option(options, "salt").unwrap_or("");
        let rows = batch.num_rows as usize;
        let masked = masked_columns(&batch.names, options)?;
        if option(options, "suffix").is_some() {
            // Keep the columns; append their pseudonyms under the names declared up front.
            let added = Self::added_columns(table, &batch.names, options)?;
            for (i, name) in masked.into_iter().zip(added) {
                let column = hashed(&batch.columns[i], rows, salt);
                batch.names.push(name);
                batch.columns.push(column);
            }
        } else {
            // Only the masked columns are rebuilt; the others pass through as they are.
            for i in masked {
                batch.columns[i] = hashed(&batch.columns[i], rows, salt);
            }
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

    #[test]
    fn suffix_keeps_the_column_and_adds_its_pseudonym() {
        use hvrwasm_sdk::transform::BatchBuilder;
        let mut b = BatchBuilder::new(vec!["id".into(), "email".into()]);
        b.push_row([Some("1"), Some("a@example.com")]);
        let options = vec![
            ("columns".to_string(), "email".to_string()),
            ("suffix".into(), "_hash".into()),
        ];
        let added = Mask::added_columns("t", &["id".into(), "email".into()], &options).unwrap();
        assert_eq!(added, vec!["email_hash".to_string()]);
        let out = Mask::transform("t", b.finish(), &options).unwrap();
        assert_eq!(out.names, vec!["id", "email", "email_hash"]);
        assert_eq!(value(&out.columns[1], 0), Some("a@example.com"));
        assert_eq!(
            value(&out.columns[2], 0),
            Some(pseudonym("", "a@example.com").as_str())
        );
    }
}
