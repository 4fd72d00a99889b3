//! The exactly-once fence, owned by the host: which files each table last applied, recorded in
//! the target in the same transaction as the apply, and the one decision of what a call does
//! with a table given its files and that record.
//!
//! - `record`: what is recorded per (channel, location, table), and its text form;
//! - `decide`: the recovery decision, a pure function of (files observed, record);
//! - `slices`: whether a refresh call starts a new refresh or adds a slice to one;
//! - `state_table`: the state table's SQL, the same for every connector and contract version;
//! - `planned`: the fence `plan` runs with (reads real, writes printed, saves remembered).

mod decide;
mod planned;
mod record;
mod slices;
mod state_table;

pub use decide::{Decision, Observed, Refusal, decide, recovery_table};
pub use planned::PlannedFence;
pub use record::{FenceRecord, FileRecord, RefreshRecord};
pub use slices::{RefreshCall, RefreshStep, after_step, refresh_step};
pub use state_table::{FenceError, StateTable};
pub(crate) use state_table::{is_plain_table_name, long_text_type, transactional_table_options};

use crate::odbc::Database;

/// Where the fence is kept: the state table in the target ([`StateTable`]), or a fake in
/// unit tests. Every method runs on the table's own connection; `claim`, `read` and `save` run
/// inside its transaction, so what they write commits or rolls back with the apply.
pub trait FenceStore: Sync {
    /// Makes sure the table's row exists (outside any transaction).
    fn ensure_row(&self, db: &dyn Database, key: &FenceKey) -> Result<(), FenceError>;
    /// Locks the row until commit or rollback; first in every table transaction.
    fn claim(&self, db: &dyn Database, key: &FenceKey, holder: &str) -> Result<(), FenceError>;
    fn read(&self, db: &dyn Database, key: &FenceKey) -> Result<Option<FenceRecord>, FenceError>;
    /// Records what was applied and checks it reads back.
    fn save(
        &self,
        db: &dyn Database,
        key: &FenceKey,
        record: &FenceRecord,
    ) -> Result<(), FenceError>;
}

/// The fence row's key.
#[derive(Clone, Debug)]
pub struct FenceKey {
    pub channel: String,
    pub location: String,
    pub table: String,
}

impl FenceKey {
    pub fn new(channel: &str, location: &str, table: &str) -> Self {
        FenceKey {
            channel: channel.to_string(),
            location: location.to_string(),
            table: table.to_string(),
        }
    }
}

/// Test support, compiled only with the `test-hooks` feature (release builds leave it out):
/// `HVR_WASM_TEST_CRASH_AT=<point>` aborts the process at that point, the way a SIGKILL would,
/// so the suite can prove recovery at the moments a random kill rarely hits.
#[cfg(feature = "test-hooks")]
pub fn crash_point(point: &str) {
    if std::env::var("HVR_WASM_TEST_CRASH_AT").is_ok_and(|p| p == point) {
        std::process::abort();
    }
}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn crash_point(_point: &str) {}

/// Test support like [`crash_point`]: `HVR_WASM_TEST_PANIC_AT=<point>` panics there, so the
/// suite can prove that a bug in one table's work fails that table alone.
#[cfg(feature = "test-hooks")]
pub fn panic_point(point: &str) {
    if std::env::var("HVR_WASM_TEST_PANIC_AT").is_ok_and(|p| p == point) {
        panic!("test panic at {point}");
    }
}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn panic_point(_point: &str) {}
