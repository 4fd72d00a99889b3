//! Logging to the job log. Lines appear prefixed with the connector's name.

use crate::bindings::hvrwasm::connector::log::{Level, log};

/// Writes an informational line to the job log.
pub fn info(message: &str) {
    emit(Level::Info, message);
}

/// Writes a warning to the job log.
pub fn warn(message: &str) {
    emit(Level::Warn, message);
}

/// Writes a debug line (shown when the host runs with `--verbose`).
pub fn debug(message: &str) {
    emit(Level::Debug, message);
}

fn emit(level: Level, message: &str) {
    // Native builds (unit tests) have no host to call.
    if cfg!(target_arch = "wasm32") {
        log(level, message);
    }
}
