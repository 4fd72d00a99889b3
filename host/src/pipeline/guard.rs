//! What a transform may not do to an integrate cycle's changes unless it says so: drop a
//! delete (or a truncate, or a multi-delete), turn it into another op, or change a key. Each
//! would leave rows in the target that the source changed or deleted, silently.
//!
//! Rows carry no identity through a transform (it may drop rows), so the check is by value:
//! a change is its op, SoftDelete flag and key values. Every changed row that comes out must
//! be one that went in (a multiset), and every delete that went in must come out.

use std::collections::HashMap;

use crate::batch::TextBatch;
use crate::domain::{FileColumn, Role, TransformInfo};

/// Op codes that remove rows in the target: delete, before-key-update (the old key's row),
/// truncate, SAP multi-delete.
const REMOVING_OPS: [&[u8]; 4] = [b"0", b"3", b"5", b"8"];

pub(super) struct IntegrateGuard {
    op: Option<usize>,
    soft_delete: Option<usize>,
    keys: Vec<usize>,
    /// Names of the key columns, for the message.
    key_names: Vec<String>,
    check_keys: bool,
    check_deletes: bool,
}

type Change<'b> = Vec<Option<&'b [u8]>>;

impl IntegrateGuard {
    /// `None` when the transform declares it may do both, or there is nothing to protect.
    pub(super) fn new(columns: &[FileColumn], info: &TransformInfo) -> Option<IntegrateGuard> {
        let position = |role| columns.iter().position(|c| c.role == role);
        let (keys, key_names): (Vec<usize>, Vec<String>) = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_key)
            .map(|(i, c)| (i, c.base_name.clone()))
            .unzip();
        let guard = IntegrateGuard {
            op: position(Role::Op),
            soft_delete: position(Role::SoftDelete),
            keys,
            key_names,
            check_keys: !info.may_change_keys,
            check_deletes: !info.may_drop_deletes,
        };
        let protects = (guard.check_keys && !guard.keys.is_empty())
            || (guard.check_deletes && (guard.op.is_some() || guard.soft_delete.is_some()));
        protects.then_some(guard)
    }

    fn change<'b>(&self, batch: &'b TextBatch, row: usize) -> Change<'b> {
        let mut out: Change<'b> = Vec::with_capacity(self.keys.len() + 2);
        for i in self.op.iter().chain(&self.soft_delete) {
            out.push(batch.columns[*i].get(row));
        }
        if self.check_keys {
            out.extend(self.keys.iter().map(|k| batch.columns[*k].get(row)));
        }
        out
    }

    fn removes(&self, batch: &TextBatch, row: usize) -> bool {
        let trimmed = |i: usize| batch.columns[i].get(row).map(<[u8]>::trim_ascii);
        self.op
            .is_some_and(|op| trimmed(op).is_some_and(|v| REMOVING_OPS.contains(&v)))
            || self
                .soft_delete
                .is_some_and(|sd| trimmed(sd) == Some(b"1".as_slice()))
    }

    /// `Err` says what the transform did, in words for the job log.
    pub(super) fn check(&self, input: &TextBatch, output: &TextBatch) -> Result<(), String> {
        let mut went_in: HashMap<Change<'_>, usize> = HashMap::new();
        for row in 0..input.num_rows() {
            *went_in.entry(self.change(input, row)).or_default() += 1;
        }
        let mut removals_out: HashMap<Change<'_>, usize> = HashMap::new();
        for row in 0..output.num_rows() {
            let change = self.change(output, row);
            if self.removes(output, row) {
                *removals_out.entry(change.clone()).or_default() += 1;
            }
            match went_in.get_mut(&change) {
                Some(n) if *n > 0 => *n -= 1,
                _ => {
                    return Err(if self.check_keys && !self.keys.is_empty() {
                        format!(
                            "changed the op, SoftDelete or key ({}) of a row",
                            self.key_names.join(", ")
                        )
                    } else {
                        "changed the op or SoftDelete column of a row".to_string()
                    });
                }
            }
        }
        if !self.check_deletes {
            return Ok(());
        }
        for row in 0..input.num_rows() {
            if !self.removes(input, row) {
                continue;
            }
            match removals_out.get_mut(&self.change(input, row)) {
                Some(n) if *n > 0 => *n -= 1,
                _ => return Err("dropped or rewrote a delete".to_string()),
            }
        }
        Ok(())
    }
}
