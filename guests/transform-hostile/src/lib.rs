//! A transform that misbehaves on purpose (`--transform-option behave=<what>`), so the suite can
//! prove the host checks what transforms return. Not shipped.

use hvrwasm_sdk::transform::{
    BatchBuilder, Phase, RowBatch, TableContext, TableTransform, Transform, TransformInfo,
    TransformOptions, option, value,
};

pub struct HostileTransform;

/// Opened for one table, with the behaviour asked for.
pub struct Hostile {
    behave: String,
    phase: Phase,
    context: TableContext,
}

impl Transform for HostileTransform {
    type Table = Hostile;

    fn describe() -> TransformInfo {
        TransformInfo::new("hostile-transform", env!("CARGO_PKG_VERSION")).option("behave")
    }

    fn open(table: &TableContext, options: &TransformOptions) -> Result<Hostile, String> {
        Ok(Hostile {
            behave: option(options, "behave").unwrap_or("").to_string(),
            phase: table.phase,
            context: table.clone(),
        })
    }
}

impl TableTransform for Hostile {
    fn transform(&mut self, mut batch: RowBatch) -> Result<RowBatch, String> {
        match self.behave.as_str() {
            // Rewrites the first column (the key in the suite's tables) of integrate batches.
            "change-key" if self.phase == Phase::Integrate => {
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
            "change-key" => {}
            // Drops exactly the deletes, as a careless filter would (without declaring it).
            "drop-deletes" => {
                let mut out = BatchBuilder::new(batch.names.clone());
                for row in 0..batch.num_rows as usize {
                    if !self.context.is_delete(&batch, row) {
                        out.push_row(batch.columns.iter().map(|c| value(c, row)));
                    }
                }
                batch = out.finish();
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
