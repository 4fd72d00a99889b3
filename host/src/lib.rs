//! hvrwasmagent: an HVR AgentPlugin that loads HVR's files into a database through
//! WebAssembly connector guests.
//!
//! Map of the crate (dependencies point down):
//! - [`agent`]: one call from argv to exit code; [`table`]: one table of a call.
//! - [`bridge`]: converts between the WIT contract's types and the domain types.
//! - [`runtime`]: the wasmtime sandbox (knows no ODBC, files or HVR);
//!   [`connectors`]: where a connector's bytes come from.
//! - Domain: [`hvr`] (argv and `HVR_*` environment), [`options`], [`csv`] (FileFormat
//!   decoding), [`batch`], [`store`] (the file location, local or cloud), [`odbc`] (the
//!   target); [`secrets`] keeps credentials out of every printed line.

/// Writes a line to stdout (HVR's job log), with secrets masked. A closed log must not crash
/// a load, so write errors are ignored instead of panicking like `println!`.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let line = $crate::secrets::redact(&format!($($arg)*));
        let _ = writeln!(std::io::stdout().lock(), "{line}");
    }};
}

pub mod agent;
pub mod batch;
pub mod bridge;
pub mod cleanup;
pub mod connectors;
pub mod csv;
pub mod fence;
pub mod hvr;
pub mod inspect;
pub mod odbc;
pub mod options;
pub mod pipeline;
pub mod runtime;
pub mod secrets;
pub mod store;
pub mod table;
pub mod watchdog;
