//! A transform that misbehaves on purpose (`--transform-option behave=<what>`), so the suite can
//! prove the host checks what transforms return. Not shipped.

use hvrwasm_sdk::transform::{
    RowBatch, TableContext, TableTransform, Transform, TransformInfo, TransformOptions, option,
};

pub struct HostileTransform;

/// Opened for one table, with the behaviour asked for.
pub struct Hostile {
    behave: String,
}

impl Transform for HostileTransform {
    type Table = Hostile;

    fn describe() -> TransformInfo {
        TransformInfo::new("hostile-transform", env!("CARGO_PKG_VERSION")).option("behave")
    }

    fn open(_table: &TableContext, options: &TransformOptions) -> Result<Hostile, String> {
        if option(options, "behave") == Some("panic-open") {
            panic!("the hostile transform panics when opened");
        }
        Ok(Hostile {
            behave: option(options, "behave").unwrap_or("").to_string(),
        })
    }
}

impl TableTransform for Hostile {
    fn transform(&mut self, mut batch: RowBatch) -> Result<RowBatch, String> {
        match self.behave.as_str() {
            // Drops every row: in integrate that drops the deletes too.
            "drop-all" => {
                batch.num_rows = 0;
                for c in &mut batch.columns {
                    c.data.clear();
                    c.offsets.truncate(1);
                    c.validity.clear();
                }
            }
            // Rewrites the first column (the key in the suite's tables).
            "change-key" => {
                if let Some(c) = batch.columns.first_mut()
                    && let Some(first) = c.data.first_mut()
                {
                    *first = if *first == b'9' { b'8' } else { b'9' };
                }
            }
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
