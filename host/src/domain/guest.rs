//! How loading or calling a guest (connector or transform) can fail, whatever its contract.

use thiserror::Error;

#[derive(Clone, Debug, Error)]
pub enum GuestError {
    #[error("{kind} {name}: not a valid WebAssembly component: {reason}")]
    Compile {
        kind: &'static str,
        name: String,
        reason: String,
    },
    #[error("{kind} {name} targets {wanted}, but {why}")]
    Version {
        kind: &'static str,
        name: String,
        wanted: String,
        why: String,
    },
    #[error(
        "{name} is not an hvrwasm {kind}: it exports no {interface} interface (its exports: {exports})"
    )]
    NotAGuest {
        name: String,
        kind: &'static str,
        interface: String,
        exports: String,
    },
    #[error("{kind} {name} cannot be instantiated: {reason}")]
    Instantiate {
        kind: &'static str,
        name: String,
        reason: String,
    },
    #[error(
        "{kind} {name} exceeded its time limit of {limit_ms} ms in {call} and was stopped (--guest-timeout-ms)"
    )]
    Timeout {
        kind: &'static str,
        name: String,
        call: &'static str,
        limit_ms: u64,
    },
    #[error(
        "{kind} {name} exceeded its memory limit of {limit_mb} MiB in {call} and was stopped (--guest-memory-mb)"
    )]
    Memory {
        kind: &'static str,
        name: String,
        call: &'static str,
        limit_mb: usize,
    },
    #[error("{kind} {name} panicked in {call} at {location}: {message}")]
    Panic {
        kind: &'static str,
        name: String,
        call: &'static str,
        location: String,
        message: String,
    },
    #[error("{kind} {name} failed in {call}: {reason}")]
    Trap {
        kind: &'static str,
        name: String,
        call: &'static str,
        reason: String,
    },
}

impl GuestError {
    /// Whether the instance is unusable after this error (a stopped or trapped guest).
    pub fn poisons_instance(&self) -> bool {
        matches!(
            self,
            GuestError::Timeout { .. }
                | GuestError::Memory { .. }
                | GuestError::Trap { .. }
                | GuestError::Panic { .. }
        )
    }
}
