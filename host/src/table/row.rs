//! One row of a file into a batch, and what makes a row bad: a wrong field count, an op code
//! HVR never writes, a field that cannot be decoded. With `--error-table` such rows are set
//! aside; their fields, as read, go to the error table.

use std::fmt::Write as _;

use super::TableError;
use crate::batch::TextBatch;
use crate::domain::Source;
use crate::hvr::FileEntry;
use crate::rows::{Position, RowSource};

/// What is wrong with one row: `Bad` can be set aside, `Fatal` cannot (a setting is wrong,
/// not the row).
pub(super) enum RowFault {
    Bad(TableError),
    Fatal(TableError),
}

/// How a file's rows become a batch's.
pub(super) struct RowShape<'a> {
    pub file: &'a FileEntry,
    pub sources: &'a [Source],
    pub columns: usize,
    pub op: Option<usize>,
    pub multi_delete: bool,
    /// Positions and names of the key columns a change is matched to its target row by:
    /// empty where rows are not matched (refresh, TimeKey).
    pub matched_keys: Vec<(usize, &'a str)>,
    /// Whether a before-key-update (op 3) goes to the connector as the delete it is for a
    /// replication copy or SoftDelete target (see [`KEY_UPDATE_BEFORE`]).
    pub key_update_as_delete: bool,
}

/// HVR writes a key update as a before-key-update (3, the row under its old key) and an
/// after-update (2, under the new key) unless `ReorderRows=SORT_COALESCE` makes them a delete
/// and an insert. Connectors apply 0, 1 and 2 and leave 3 to TimeKey targets, so the old key's
/// row stayed beside the new one; the host hands the 3 on as a 0, which every connector (of
/// any contract version) applies.
const KEY_UPDATE_BEFORE: &str = "3";

impl RowShape<'_> {
    /// Appends the row to `batch` (the caller truncates it again when this fails); returns
    /// the row's op code.
    pub(super) fn decode(
        &self,
        rows: &dyn RowSource,
        at: Position,
        row_number: u64,
        batch: &mut TextBatch,
    ) -> Result<Option<String>, RowFault> {
        let file = &self.file.name;
        let bad_field = |source| {
            RowFault::Bad(TableError::Rows {
                file: file.clone(),
                source,
            })
        };
        if rows.width() != self.columns {
            return Err(RowFault::Bad(TableError::File {
                file: file.clone(),
                message: format!("{at}: {} field(s), expected {}", rows.width(), self.columns),
            }));
        }
        let mut op_value = None;
        if let Some(op) = self.op {
            let value = rows.field(op).map_err(bad_field)?;
            check_op(value, self.multi_delete).map_err(|(message, fatal)| {
                let e = TableError::File {
                    file: file.clone(),
                    message: format!("{at}, column {}: {message}", op + 1),
                };
                if fatal {
                    RowFault::Fatal(e)
                } else {
                    RowFault::Bad(e)
                }
            })?;
            op_value = value.map(str::to_string);
        }
        if matches_a_row(op_value.as_deref()) {
            self.check_keys(rows, at).map_err(RowFault::Bad)?;
        }
        let mut number = String::new();
        for (slot, source) in self.sources.iter().enumerate() {
            match source {
                Source::Column(i) => {
                    let mut value = rows.field(*i).map_err(bad_field)?;
                    if self.key_update_as_delete
                        && self.op == Some(*i)
                        && value.is_some_and(|op| op.trim() == KEY_UPDATE_BEFORE)
                    {
                        value = Some("0");
                    }
                    batch.columns[slot].push(value.map(str::as_bytes));
                }
                Source::RowNumber => {
                    number.clear();
                    write!(number, "{row_number}").expect("writing to a String");
                    batch.columns[slot].push(Some(number.as_bytes()));
                }
            }
        }
        Ok(op_value)
    }

    /// A change is applied to the target row with its key, and NULL equals nothing: a change
    /// with a NULL key part would add a row beside the one it updates, or delete nothing, in
    /// every connector (a MERGE's join, an upsert's unique key, a delete's join), so it fails
    /// the table instead.
    fn check_keys(&self, rows: &dyn RowSource, at: Position) -> Result<(), TableError> {
        for (i, name) in &self.matched_keys {
            let value = rows.field(*i).map_err(|source| TableError::Rows {
                file: self.file.name.clone(),
                source,
            })?;
            if value.is_none() {
                return Err(TableError::File {
                    file: self.file.name.clone(),
                    message: format!(
                        "{at}, column {}: key column {name:?} is NULL; a change is applied to the \
                         target row with the same key and NULL equals no key, so it would add a \
                         row beside the one it changes (or delete none); nothing was applied",
                        i + 1
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Whether a row with this op code changes the target row with its key: deletes, inserts,
/// updates and before-key-updates (which delete the old key), and every row of a file without
/// an op column. Truncates (5) and SAP multi-deletes (8) carry no whole key; the before-image
/// of an update that keeps its key (4) is not applied.
fn matches_a_row(op: Option<&str>) -> bool {
    match op.map(str::trim) {
        None => true,
        Some(op) => matches!(op, "0" | "1" | "2" | "3"),
    }
}

/// The row's fields as the reader sees them, for the error table; a field that cannot be
/// decoded shows as `?`.
pub(super) fn raw_fields(rows: &dyn RowSource) -> String {
    let fields = (0..rows.width()).map(|i| match rows.field(i) {
        Ok(value) => value.map(std::borrow::Cow::Borrowed),
        Err(_) => Some("?".into()),
    });
    crate::batch::csv_line(fields)
}

/// The op codes HVR writes. SAP multi-delete rows (8) are applied only for tables named in
/// `--multi-delete`: elsewhere ignoring them would silently keep rows the source deleted.
/// An error says whether it is the row's fault (`false`) or the configuration's (`true`).
fn check_op(value: Option<&str>, multi_delete: bool) -> Result<(), (String, bool)> {
    match value.map(str::trim) {
        Some("0" | "1" | "2" | "3" | "4" | "5") => Ok(()),
        Some("8") if multi_delete => Ok(()),
        Some("8") => Err((
            "op code 8 (SAP multi-delete) needs --multi-delete TABLE:COLUMN for this table; nothing was applied"
                .into(),
            true,
        )),
        Some(other) => Err((format!("{other:?} is not an HVR op code (0-5, 8)"), false)),
        None => Err(("the op column is empty".into(), false)),
    }
}

/// A row read again: its fields as CSV, and its op code.
pub(super) type ReadAgain = (String, Option<String>);

/// The fields, as read, of the rows at `wanted` positions of a file the loader read before,
/// and each one's op code: a row the target rejected is shown as the file has it, not as it
/// was sent (with the staging table's extra columns). Runs only when a file had rows rejected.
pub(super) fn fields_at(
    rows: &mut dyn RowSource,
    wanted: &[Position],
    op: Option<usize>,
) -> Result<Vec<Option<ReadAgain>>, crate::rows::RowError> {
    let mut slots: std::collections::HashMap<Position, Vec<usize>> = Default::default();
    for (slot, position) in wanted.iter().enumerate() {
        slots.entry(*position).or_default().push(slot);
    }
    let mut found = vec![None; wanted.len()];
    while !slots.is_empty() && rows.advance()? {
        if let Some(these) = slots.remove(&rows.position()) {
            let op_value = match op {
                Some(i) => rows.field(i)?.map(str::to_string),
                None => None,
            };
            for slot in these {
                found[slot] = Some((raw_fields(rows), op_value.clone()));
            }
        }
    }
    Ok(found)
}
