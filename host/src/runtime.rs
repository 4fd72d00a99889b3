//! The WebAssembly sandbox: engine, linker, stores and the generated bindings of the contract.
//! Knows nothing of ODBC, files or HVR.

pub mod bindings;
mod cache;
mod connector;
mod guest;
mod sandbox;
mod transform;
pub mod transform_bindings;
pub mod v0_1;

pub use cache::{CacheStatus, CompileCache};
pub use connector::ConnectorInstance;
pub use sandbox::{
    CONTRACT_PACKAGE, CONTRACT_VERSION, Compiled, Limits, PREVIOUS_CONTRACT_VERSION, Sandbox,
    SandboxError,
};
pub use transform::TransformInstance;
