//! A running transform.

use wasmtime::Store;

use super::guest::{GuestState, call_guest};
use super::sandbox::SandboxError;
use super::transform_bindings::{RowBatch, TransformGuest, TransformInfo};

/// A running transform.
pub struct TransformInstance {
    pub(super) store: Store<GuestState>,
    pub(super) instance: TransformGuest,
    pub(super) name: String,
    pub(super) ticks: u64,
    pub(super) info: Option<TransformInfo>,
}

impl TransformInstance {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn info(&self) -> &TransformInfo {
        self.info.as_ref().expect("described at instantiation")
    }

    pub fn added_columns(
        &mut self,
        table: &str,
        columns: &[String],
        options: &[(String, String)],
    ) -> Result<Result<Vec<String>, String>, SandboxError> {
        let instance = &self.instance;
        call_guest(
            &mut self.store,
            self.ticks,
            &self.name,
            "added-columns",
            |s| {
                instance
                    .hvrwasm_connector_transform()
                    .call_added_columns(s, table, columns, options)
            },
        )
    }

    pub fn transform_batch(
        &mut self,
        table: &str,
        batch: &RowBatch,
        options: &[(String, String)],
    ) -> Result<Result<RowBatch, String>, SandboxError> {
        let instance = &self.instance;
        call_guest(
            &mut self.store,
            self.ticks,
            &self.name,
            "transform-batch",
            |s| {
                instance
                    .hvrwasm_connector_transform()
                    .call_transform_batch(s, table, batch, options)
            },
        )
    }
}
