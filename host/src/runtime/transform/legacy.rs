//! Transforms built for `hvrwasm:connector@0.2.0` (`wit/archive/0.2.0`), served beside the
//! transform package: they get the table name and options with every batch and cannot see
//! roles, keys or the phase, nor declare anything, so the host's integrate checks always apply.

wasmtime::component::bindgen!({
    world: "transform-guest",
    path: "../wit/archive/0.2.0",
});

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

batch_conversions!();
