//! A row filter built against the transform world of `wit/archive/0.2.0` with plain
//! wit-bindgen, as transforms were built before they had their own package: it sees no roles,
//! keys or phase, so it drops a matching delete like any other row. The suite proves the host
//! still serves it, and refuses its batches in integrate when they drop a delete. Not shipped.
//!
//! Options: `column=NAME`, `equals=VALUE`.

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ world: "transform-guest", path: "../../wit/archive/0.2.0" });

    use exports::hvrwasm::connector::transform::{Guest, TransformInfo};
    use hvrwasm::connector::batch::{RowBatch, TextColumn};

    struct LegacyFilter;

    fn option<'a>(options: &'a [(String, String)], key: &str) -> Option<&'a str> {
        options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn value(c: &TextColumn, row: usize) -> Option<&[u8]> {
        let valid = c
            .validity
            .get(row / 8)
            .is_some_and(|b| b & (1 << (row % 8)) != 0);
        valid.then(|| &c.data[c.offsets[row] as usize..c.offsets[row + 1] as usize])
    }

    impl Guest for LegacyFilter {
        fn describe() -> TransformInfo {
            TransformInfo {
                name: "legacy-filter".into(),
                version: "0.0.2".into(),
            }
        }

        fn added_columns(
            _table: String,
            _columns: Vec<String>,
            _options: Vec<(String, String)>,
        ) -> Result<Vec<String>, String> {
            Ok(vec![])
        }

        fn transform_batch(
            _table: String,
            batch: RowBatch,
            options: Vec<(String, String)>,
        ) -> Result<RowBatch, String> {
            let column = option(&options, "column").ok_or("column= is required")?;
            let equals = option(&options, "equals").ok_or("equals= is required")?;
            let Some(index) = batch.names.iter().position(|n| n == column) else {
                return Ok(batch);
            };
            let rows = batch.num_rows as usize;
            let keep: Vec<usize> = (0..rows)
                .filter(|&r| value(&batch.columns[index], r) != Some(equals.as_bytes()))
                .collect();
            let columns = batch
                .columns
                .iter()
                .map(|c| {
                    let mut out = TextColumn {
                        data: vec![],
                        offsets: vec![0],
                        validity: vec![0; keep.len().div_ceil(8)],
                    };
                    for (i, &r) in keep.iter().enumerate() {
                        if let Some(v) = value(c, r) {
                            out.data.extend_from_slice(v);
                            out.validity[i / 8] |= 1 << (i % 8);
                        }
                        out.offsets.push(out.data.len() as u32);
                    }
                    out
                })
                .collect();
            Ok(RowBatch {
                num_rows: keep.len() as u32,
                names: batch.names,
                columns,
            })
        }
    }

    export!(LegacyFilter);
}
