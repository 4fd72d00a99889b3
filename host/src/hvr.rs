//! The AgentPlugin contract: which call this is and what HVR told us in its environment.
//! Pure: no I/O beyond reading the `HVR_LONG_ENVIRONMENT` file.

pub mod env;
pub mod invocation;
pub mod mode;
pub mod rename;

pub use env::HvrEnv;
pub use invocation::{FileEntry, Invocation, TableSpec};
pub use mode::Mode;
