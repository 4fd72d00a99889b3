//! Host bindings for `wit/connector.wit`.

wasmtime::component::bindgen!({
    world: "connector-guest",
    path: "../wit",
});

pub use hvrwasm::connector::types;
