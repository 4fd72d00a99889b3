//! Sample transform: replaces the values of named columns with a salted SHA-256 (hex), so a
//! target gets stable pseudonyms instead of e-mail addresses or phone numbers.
//!
//! Options: `columns=email,phone` (required), `salt=...` (recommended), `suffix=_hash`
//! (optional: keep the columns and add `email_hash`, `phone_hash` holding the pseudonyms
//! instead). NULL stays NULL.
//!
//! It declares `may-change-keys`: a masked key column gets the same pseudonym in every cycle,
//! so updates and deletes still find their row in the target by the masked key.

use hvrwasm_sdk::transform::{
    RowBatch, TableContext, TableTransform, TextColumn, Transform, TransformInfo, TransformOptions,
    option, value,
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
fn masked_columns(names: &[&str], options: &TransformOptions) -> Result<Vec<usize>, String> {
    let wanted: Vec<&str> = option(options, "columns")
        .ok_or("mask needs --transform-option mask.columns=a,b")?
        .split(',')
        .map(str::trim)
        .collect();
    Ok((0..names.len())
        .filter(|i| wanted.iter().any(|w| w.eq_ignore_ascii_case(names[*i])))
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

/// Mask opened for one table: which columns, with which salt, under which added names.
pub struct MaskTable {
    salt: String,
    masked: Vec<usize>,
    /// With `suffix=`: the names of the pseudonym columns, one per masked column.
    added: Vec<String>,
}

impl Transform for Mask {
    type Table = MaskTable;

    fn describe() -> TransformInfo {
        TransformInfo::new("mask", env!("CARGO_PKG_VERSION"))
            .option("columns")
            .option("salt")
            .option("suffix")
            .may_change_keys()
    }

    fn open(table: &TableContext, options: &TransformOptions) -> Result<MaskTable, String> {
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        let masked = masked_columns(&names, options)?;
        let added = match option(options, "suffix") {
            Some(suffix) => masked
                .iter()
                .map(|i| format!("{}{suffix}", names[*i]))
                .collect(),
            None => Vec::new(),
        };
        Ok(MaskTable {
            salt: option(options, "salt").unwrap_or("").to_string(),
            masked,
            added,
        })
    }
}

impl TableTransform for MaskTable {
    fn added_columns(&self) -> Vec<String> {
        self.added.clone()
    }

    fn transform(&mut self, mut batch: RowBatch) -> Result<RowBatch, String> {
        let rows = batch.num_rows as usize;
        if self.added.is_empty() {
            // Only the masked columns are rebuilt; the others pass through as they are.
            for &i in &self.masked {
                batch.columns[i] = hashed(&batch.columns[i], rows, &self.salt);
            }
        } else {
            // Keep the columns; append their pseudonyms under the names declared up front.
            for (&i, name) in self.masked.iter().zip(&self.added) {
                let column = hashed(&batch.columns[i], rows, &self.salt);
                batch.names.push(name.clone());
                batch.columns.push(column);
            }
        }
        Ok(batch)
    }
}

hvrwasm_sdk::export_transform!(Mask);

#[cfg(test)]
mod tests {
    use super::*;
    use hvrwasm_sdk::transform::{BatchBuilder, ColumnRole, Phase, TransformColumn};

    fn table() -> TableContext {
        TableContext::new(
            "t",
            Phase::Integrate,
            vec![
                TransformColumn::new("id", ColumnRole::Data, true),
                TransformColumn::new("email", ColumnRole::Data, false),
            ],
        )
    }

    fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn masks_named_columns_and_keeps_nulls() {
        let mut b = BatchBuilder::new(vec!["id".into(), "email".into()]);
        b.push_row([Some("1"), Some("a@example.com")]);
        b.push_row([Some("2"), None]);
        let mut mask =
            Mask::open(&table(), &options(&[("columns", "EMAIL"), ("salt", "s")])).unwrap();
        let out = mask.transform(b.finish()).unwrap();
        assert_eq!(value(&out.columns[0], 0), Some("1"));
        assert_eq!(
            value(&out.columns[1], 0),
            Some(pseudonym("s", "a@example.com").as_str())
        );
        assert_eq!(value(&out.columns[1], 1), None);
    }

    #[test]
    fn suffix_keeps_the_column_and_adds_its_pseudonym() {
        let mut b = BatchBuilder::new(vec!["id".into(), "email".into()]);
        b.push_row([Some("1"), Some("a@example.com")]);
        let mut mask = Mask::open(
            &table(),
            &options(&[("columns", "email"), ("suffix", "_hash")]),
        )
        .unwrap();
        assert_eq!(mask.added_columns(), vec!["email_hash".to_string()]);
        let out = mask.transform(b.finish()).unwrap();
        assert_eq!(out.names, vec!["id", "email", "email_hash"]);
        assert_eq!(value(&out.columns[1], 0), Some("a@example.com"));
        assert_eq!(
            value(&out.columns[2], 0),
            Some(pseudonym("", "a@example.com").as_str())
        );
    }
}
