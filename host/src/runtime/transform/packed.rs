//! Row batches as both transform contracts carry them (one packed buffer, offsets and a
//! validity bitmap per column), converted to and from the host's [`TextBatch`], with every
//! check of what a guest returns.

use crate::batch::{TextBatch, TextColumn};

/// One packed column, the same shape in every served transform contract.
pub struct PackedColumn {
    pub data: Vec<u8>,
    pub offsets: Vec<u32>,
    pub validity: Vec<u8>,
}

pub fn pack(batch: &TextBatch) -> Vec<PackedColumn> {
    let rows = batch.num_rows();
    batch
        .columns
        .iter()
        .map(|c| {
            let mut offsets = Vec::with_capacity(rows + 1);
            offsets.push(0u32);
            let mut data = Vec::new();
            let mut validity = vec![0u8; rows.div_ceil(8)];
            for row in 0..rows {
                if let Some(v) = c.get(row) {
                    data.extend_from_slice(v);
                    validity[row / 8] |= 1 << (row % 8);
                }
                offsets.push(data.len() as u32);
            }
            PackedColumn {
                data,
                offsets,
                validity,
            }
        })
        .collect()
}

/// Checks a returned batch and unpacks it. Every column must hold `num_rows` UTF-8 values
/// with consistent offsets, the names must be the ones declared, and a transform may drop
/// rows but not add them.
pub fn unpack(
    num_rows: u32,
    names: &[String],
    columns: &[PackedColumn],
    expected: &[String],
    input_rows: usize,
) -> Result<TextBatch, String> {
    if names != expected {
        return Err(format!(
            "its columns are ({}), expected ({})",
            names.join(", "),
            expected.join(", ")
        ));
    }
    if columns.len() != names.len() {
        return Err(format!(
            "it has {} columns for {} names",
            columns.len(),
            names.len()
        ));
    }
    let rows = num_rows as usize;
    if rows > input_rows {
        return Err(format!(
            "it says {rows} rows, but it received {input_rows}; transforms may drop rows, not add them"
        ));
    }
    let mut out = Vec::with_capacity(columns.len());
    for (name, c) in names.iter().zip(columns) {
        check_column(name, c, rows)?;
        let mut column = TextColumn::with_capacity(rows);
        for row in 0..rows {
            let valid = c.validity[row / 8] & (1 << (row % 8)) != 0;
            column
                .push(valid.then(|| &c.data[c.offsets[row] as usize..c.offsets[row + 1] as usize]));
        }
        out.push(column);
    }
    Ok(TextBatch { columns: out })
}

fn check_column(name: &str, c: &PackedColumn, rows: usize) -> Result<(), String> {
    if c.offsets.len() != rows + 1 || c.offsets.first() != Some(&0) {
        return Err(format!(
            "column {name} has {} offsets for {rows} rows",
            c.offsets.len()
        ));
    }
    if c.offsets.windows(2).any(|w| w[0] > w[1])
        || *c.offsets.last().expect("rows + 1 offsets") as usize != c.data.len()
    {
        return Err(format!(
            "column {name} has offsets that do not fit its data"
        ));
    }
    if c.validity.len() < rows.div_ceil(8) {
        return Err(format!(
            "column {name} has a validity bitmap too short for {rows} rows"
        ));
    }
    if let Err(e) = std::str::from_utf8(&c.data) {
        return Err(format!(
            "column {name} holds bytes that are not UTF-8 (at byte {})",
            e.valid_up_to()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> TextBatch {
        let mut b = TextBatch::new(2, 3);
        for (a, v) in [("1", Some("x")), ("2", None), ("3", Some(""))] {
            b.columns[0].push(Some(a.as_bytes()));
            b.columns[1].push(v.map(str::as_bytes));
        }
        b
    }

    fn names() -> Vec<String> {
        vec!["id".to_string(), "v".to_string()]
    }

    #[test]
    fn packed_batches_round_trip() {
        let packed = pack(&batch());
        let back = unpack(3, &names(), &packed, &names(), 3).unwrap();
        assert_eq!(back.columns[1].get(0), Some(&b"x"[..]));
        assert_eq!(back.columns[1].get(1), None);
        assert_eq!(back.columns[1].get(2), Some(&b""[..]));
    }

    #[test]
    fn malformed_batches_are_named() {
        let mut packed = pack(&batch());
        packed[1].offsets.pop();
        let e = unpack(3, &names(), &packed, &names(), 3).err().unwrap();
        assert!(e.contains("column v has 3 offsets"), "{e}");
        let packed = pack(&batch());
        let e = unpack(4, &names(), &packed, &names(), 3).err().unwrap();
        assert!(e.contains("may drop rows, not add them"), "{e}");
        let e = unpack(3, &names()[..1], &packed, &names(), 3)
            .err()
            .unwrap();
        assert!(e.contains("its columns are"), "{e}");
    }
}
