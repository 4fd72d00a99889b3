//! Transforms built for `hvrwasm:connector@0.2.0` (`wit/archive/0.2.0`), served beside the
//! transform package: they get the table name and options with every batch and cannot see
//! roles, keys or the phase, nor declare anything, so the host's integrate checks always apply.

wasmtime::component::bindgen!({
    world: "transform-guest",
    path: "../wit/archive/0.2.0",
});

use super::packed::PackedColumn;
use crate::domain::TransformInfo;
pub use exports::hvrwasm::connector::transform::TransformInfo as WitInfo;
use hvrwasm::connector::batch as wit;

pub fn info(i: WitInfo) -> TransformInfo {
    TransformInfo {
        name: i.name,
        version: i.version,
        may_drop_deletes: false,
        may_change_keys: false,
        options: None,
    }
}

pub fn batch(num_rows: usize, names: &[String], columns: Vec<PackedColumn>) -> wit::RowBatch {
    wit::RowBatch {
        num_rows: num_rows as u32,
        names: names.to_vec(),
        columns: columns
            .into_iter()
            .map(|c| wit::TextColumn {
                data: c.data,
                offsets: c.offsets,
                validity: c.validity,
            })
            .collect(),
    }
}

pub fn columns(b: wit::RowBatch) -> (u32, Vec<String>, Vec<PackedColumn>) {
    let columns = b
        .columns
        .into_iter()
        .map(|c| PackedColumn {
            data: c.data,
            offsets: c.offsets,
            validity: c.validity,
        })
        .collect();
    (b.num_rows, b.names, columns)
}
