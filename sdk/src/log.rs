//! Logging to the job log. Lines appear prefixed with the connector's name.

use crate::bindings::hvrwasm::connector::log::{Level, log};

/// Writes an informational line to the job log.
///
/// ```
/// hvrwasm_sdk::log::info("created table orders"); // natively (in unit tests) a no-op
/// ```
pub fn info(message: &str) {
    emit(Level::Info, message);
}

/// Writes a warning to the job log.
///
/// ```
/// hvrwasm_sdk::log::warn("column notes is wider than the target's");
/// ```
pub fn warn(message: &str) {
    emit(Level::Warn, message);
}

/// Writes a debug line (shown when the host runs with `--verbose`).
///
/// ```
/// hvrwasm_sdk::log::debug("planning with 2 key columns");
/// ```
pub fn debug(message: &str) {
    emit(Level::Debug, message);
}

fn emit(level: Level, message: &str) {
    // Native builds (unit tests) have no host to call.
    if cfg!(target_arch = "wasm32") {
        log(level, message);
    }
}
