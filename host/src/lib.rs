//! hvrwasmagent: an HVR AgentPlugin that loads HVR's files into a database through
//! WebAssembly connector guests.
//!
//! Map of the crate (dependencies point down):
//! - [`agent`]: one call from argv to exit code; [`table`]: one table of a call, as
//!   orchestration over the seams of [`domain`] (planner, transforms), [`odbc::Database`],
//!   [`store::Files`] and [`fence::FenceStore`]; [`pipeline`]: the transform chain.
//! - [`domain`]: the plain types every layer speaks.
//! - [`runtime`]: the wasmtime sandbox, and the only module that names a WIT type (it
//!   converts every served contract version to the domain); [`connectors`]: where a
//!   connector's bytes come from.
//! - Domain: [`hvr`] (argv and `HVR_*` environment), [`options`], [`csv`] (FileFormat
//!   decoding), [`buffered`] (the read buffer under every file format), [`batch`], [`store`]
//!   (the file location, local or cloud), [`odbc`] (the target); [`secrets`] keeps
//!   credentials out of every printed line.

/// Writes a line to stdout (HVR's job log), with secrets masked. A closed log must not crash
/// a load, so write errors are ignored instead of panicking like `println!`. Every line the
/// host prints goes through this or [`say_err!`]: `clippy.toml` forbids `println!` and
/// `eprintln!`, which would bypass the filter.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let line = $crate::secrets::redact(&format!($($arg)*));
        let _ = writeln!(std::io::stdout().lock(), "{line}");
    }};
}

/// [`say!`] for stderr, where HVR looks for the `F_J` line.
#[macro_export]
macro_rules! say_err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let line = $crate::secrets::redact(&format!($($arg)*));
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }};
}

pub mod agent;
pub mod batch;
pub mod buffered;
pub mod cleanup;
pub mod clock;
pub mod connectors;
pub mod csv;
pub mod domain;
pub mod fence;
pub mod hvr;
pub mod inspect;
pub mod ledger;
pub mod odbc;
pub mod options;
pub mod pipeline;
pub mod recording;
pub mod rows;
pub mod runtime;
pub mod secrets;
pub mod selftest;
pub mod store;
#[cfg(test)]
mod structure;
pub mod table;
pub mod tools;
pub mod watchdog;
