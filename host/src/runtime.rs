//! The WebAssembly sandbox: engine, linkers, stores, the compile cache, the contract-version
//! policy, and every conversion between a served contract's WIT types and the domain's. No
//! module outside this one names a WIT type: connectors are [`crate::domain::Planner`]s and
//! transforms [`crate::domain::Transformer`]s to the rest of the host.
//! Knows nothing of ODBC, files or HVR.

mod cache;
mod connector;
mod guest;
mod sandbox;
mod transform;
pub mod version;
mod worlds;

pub use cache::{CacheStatus, CompileCache};
pub use connector::ConnectorInstance;
pub use sandbox::{
    CONNECTOR_VERSIONS, CONTRACT_PACKAGE, Compiled, Limits, Sandbox, SandboxError,
    TRANSFORM_PACKAGE, TRANSFORM_VERSIONS,
};
pub use transform::TransformInstance;

#[cfg(test)]
mod patch_tests;
