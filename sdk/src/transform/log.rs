//! Logging from a transform to the job log (prefixed with the transform's name).

use super::bindings::hvrwasm::transform::log::{Level, log};

/// Writes an informational line to the job log.
pub fn info(message: &str) {
    log(Level::Info, message);
}

/// Writes a warning to the job log.
pub fn warn(message: &str) {
    log(Level::Warn, message);
}
