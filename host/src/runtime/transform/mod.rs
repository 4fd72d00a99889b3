//! A running transform, called through the bindings of the contract it targets; implements
//! the [`Transformer`] seam, so the pipeline sees only domain batches.

/// Packed batches to and from a transform contract's `row-batch` (the same shape in every
/// served version, as distinct generated types): expanded in each version's module, where
/// `wit` names the interface holding `row-batch` and `text-column`.
macro_rules! batch_conversions {
    () => {
        pub fn batch(
            num_rows: usize,
            names: &[String],
            columns: Vec<super::packed::PackedColumn>,
        ) -> wit::RowBatch {
            wit::RowBatch {
                num_rows: num_rows as u32,
                names: names.to_vec(),
                columns: columns
                    .into_iter()
                    .map(|c| wit::TextColumn {
                        data: c.data,
                        offsets: c.offsets,
                        validity: c.validity,
                    })
                    .collect(),
            }
        }

        pub fn columns(b: wit::RowBatch) -> (u32, Vec<String>, Vec<super::packed::PackedColumn>) {
            let columns = b
                .columns
                .into_iter()
                .map(|c| super::packed::PackedColumn {
                    data: c.data,
                    offsets: c.offsets,
                    validity: c.validity,
                })
                .collect();
            (b.num_rows, b.names, columns)
        }
    };
}

pub mod current;
pub mod legacy;
mod packed;

use wasmtime::Store;
use wasmtime::component::ResourceAny;

use super::guest::{GuestState, call_guest};
use crate::batch::TextBatch;
use crate::domain::{
    GuestError, TableTransform, TransformContext, TransformFailure, TransformInfo, Transformer,
};

pub(super) enum Guest {
    Current(current::TransformGuest),
    Legacy(legacy::TransformGuest),
}

/// A running transform.
pub struct TransformInstance {
    pub(super) store: Store<GuestState>,
    pub(super) instance: Guest,
    pub(super) name: String,
    pub(super) ticks: u64,
    pub(super) info: Option<TransformInfo>,
}

impl TransformInstance {
    fn call<T>(
        &mut self,
        call: &'static str,
        f: impl FnOnce(&Guest, &mut Store<GuestState>) -> wasmtime::Result<T>,
    ) -> Result<T, GuestError> {
        let instance = &self.instance;
        call_guest(&mut self.store, self.ticks, &self.name, call, |s| {
            f(instance, s)
        })
    }

    pub(super) fn describe(&mut self) -> Result<TransformInfo, GuestError> {
        self.call("describe", |g, s| match g {
            Guest::Current(i) => i
                .hvrwasm_transform_transform()
                .call_describe(s)
                .map(current::info),
            Guest::Legacy(i) => i
                .hvrwasm_connector_transform()
                .call_describe(s)
                .map(legacy::info),
        })
    }

    fn refused(&self, message: String) -> TransformFailure {
        TransformFailure::Refused {
            transform: self.name.clone(),
            message,
        }
    }
}

impl Transformer for TransformInstance {
    fn name(&self) -> &str {
        &self.name
    }

    fn info(&self) -> &TransformInfo {
        self.info.as_ref().expect("described at instantiation")
    }

    fn open(
        &mut self,
        context: &TransformContext,
        options: &[(String, String)],
    ) -> Result<Box<dyn TableTransform + '_>, TransformFailure> {
        let names: Vec<String> = context
            .columns
            .iter()
            .map(|c| c.base_name.clone())
            .collect();
        let (handle, added) = match &self.instance {
            Guest::Current(_) => {
                let table = current::table(context);
                let handle = self
                    .call("open", |g, s| {
                        let Guest::Current(i) = g else {
                            unreachable!("matched above")
                        };
                        i.hvrwasm_transform_transform()
                            .table_transform()
                            .call_open(s, &table, options)
                    })?
                    .map_err(|m| self.refused(m))?;
                let added = self.call("added-columns", |g, s| {
                    let Guest::Current(i) = g else {
                        unreachable!("matched above")
                    };
                    i.hvrwasm_transform_transform()
                        .table_transform()
                        .call_added_columns(s, handle)
                })?;
                (Some(handle), added)
            }
            Guest::Legacy(_) => {
                let table = context.table.clone();
                let added = self
                    .call("added-columns", |g, s| {
                        let Guest::Legacy(i) = g else {
                            unreachable!("matched above")
                        };
                        i.hvrwasm_connector_transform()
                            .call_added_columns(s, &table, &names, options)
                    })?
                    .map_err(|m| self.refused(m))?;
                (None, added)
            }
        };
        let mut output = names;
        output.extend(added.iter().cloned());
        Ok(Box::new(OpenTransform {
            instance: self,
            handle,
            table: context.table.clone(),
            options: options.to_vec(),
            added,
            output,
        }))
    }
}

/// A transform opened for one table. A current-contract guest holds the table's state in
/// its resource; a legacy one gets table and options with every batch.
struct OpenTransform<'a> {
    instance: &'a mut TransformInstance,
    handle: Option<ResourceAny>,
    table: String,
    options: Vec<(String, String)>,
    added: Vec<String>,
    /// The columns every returned batch must have.
    output: Vec<String>,
}

impl TableTransform for OpenTransform<'_> {
    fn added_columns(&self) -> &[String] {
        &self.added
    }

    fn transform(
        &mut self,
        batch: &TextBatch,
        names: &[String],
    ) -> Result<TextBatch, TransformFailure> {
        let rows = batch.num_rows();
        let columns = packed::pack(batch);
        let (handle, table, options) = (self.handle, &self.table, &self.options);
        let returned = self.instance.call("transform-batch", |g, s| match g {
            Guest::Current(i) => {
                let input = current::batch(rows, names, columns);
                let out = i
                    .hvrwasm_transform_transform()
                    .table_transform()
                    .call_transform_batch(s, handle.expect("opened with a resource"), &input)?;
                Ok(out.map(current::columns))
            }
            Guest::Legacy(i) => {
                let input = legacy::batch(rows, names, columns);
                let out = i
                    .hvrwasm_connector_transform()
                    .call_transform_batch(s, table, &input, options)?;
                Ok(out.map(legacy::columns))
            }
        })?;
        let (num_rows, out_names, out_columns) = returned.map_err(|m| self.instance.refused(m))?;
        packed::unpack(num_rows, &out_names, &out_columns, &self.output, rows).map_err(|message| {
            TransformFailure::Malformed {
                transform: self.instance.name.clone(),
                message,
            }
        })
    }
}

impl Drop for OpenTransform<'_> {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            // A guest stopped by a limit cannot run its destructor; the instance is replaced.
            let _ = handle.resource_drop(&mut self.instance.store);
        }
    }
}
