//! Host bindings for the `transform-guest` world of `wit/connector.wit`.

wasmtime::component::bindgen!({
    world: "transform-guest",
    path: "../wit",
});

pub use exports::hvrwasm::connector::transform::TransformInfo;
pub use hvrwasm::connector::batch::{RowBatch, TextColumn};
