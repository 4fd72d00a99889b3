//! The WebAssembly sandbox: engine, linker, stores and the generated bindings of the contract.
//! Knows nothing of ODBC, files or HVR.

pub mod bindings;
mod sandbox;

pub use sandbox::{Compiled, ConnectorInstance, Sandbox, SandboxError};
