//! The target database through ODBC: connect, read the catalog, run statements, load batches.
//! Knows nothing of HVR or WebAssembly.

mod connection;
mod load;

pub use connection::{CatalogColumn, OdbcError, Target};
pub use load::{BatchLoader, LoadShape};
