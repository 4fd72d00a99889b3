//! A transform that misbehaves on purpose (`--transform-option behave=<what>`), so the suite can
//! prove the host checks what transforms return. Not shipped.

use hvrwasm_sdk::transform::{RowBatch, Transform, TransformInfo, TransformOptions, option};

pub struct HostileTransform;

impl Transform for HostileTransform {
    fn describe() -> TransformInfo {
        TransformInfo {
            name: "hostile-transform".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }

    fn transform(
        _table: &str,
        mut batch: RowBatch,
        options: &TransformOptions,
    ) -> Result<RowBatch, String> {
        match option(options, "behave").unwrap_or("") {
            // Claims one more row than it received.
            "extra-rows" => batch.num_rows += 1,
            // Offsets that point past the data: not a column of text.
            "bad-offsets" => {
                if let Some(last) = batch.columns.first_mut().and_then(|c| c.offsets.last_mut()) {
                    *last += 1000;
                }
            }
            // Bytes that are not UTF-8.
            "not-utf8" => {
                if let Some(c) = batch.columns.first_mut() {
                    c.data.push(0xff);
                    *c.offsets.last_mut().expect("offsets start with 0") += 1;
                }
            }
            // Drops a column it did not declare dropping.
            "drop-column" => {
                batch.names.pop();
                batch.columns.pop();
            }
            "loop" => {
                let mut n = 0u64;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            other => return Err(format!("unknown behaviour {other:?}")),
        }
        Ok(batch)
    }
}

hvrwasm_sdk::export_transform!(HostileTransform);
