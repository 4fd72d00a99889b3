//! The [`Transformer`] seam: a row rewriter opened once per table, and what it declares.

use thiserror::Error;

use super::columns::FileColumn;
use super::guest::GuestError;
use crate::batch::TextBatch;

/// Which kind of call the rows belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Refresh,
    Integrate,
}

/// What a transform is told about the table it is opened for.
#[derive(Clone, Debug, PartialEq)]
pub struct TransformContext {
    pub table: String,
    pub base_name: String,
    pub phase: Phase,
    /// The columns it receives, in batch order.
    pub columns: Vec<FileColumn>,
}

/// What a transform is and may do.
#[derive(Clone, Debug, PartialEq)]
pub struct TransformInfo {
    pub name: String,
    pub version: String,
    /// May drop or rewrite deletes in integrate (the host refuses it otherwise).
    pub may_drop_deletes: bool,
    /// May change key values.
    pub may_change_keys: bool,
    /// Declared option keys; `None` for old contracts (options then pass unchecked).
    pub options: Option<Vec<String>>,
}

#[derive(Debug, Error)]
pub enum TransformFailure {
    #[error(transparent)]
    Guest(#[from] GuestError),
    #[error("transform {transform}: {message}")]
    Refused { transform: String, message: String },
    #[error("transform {transform} returned a malformed batch: {message}")]
    Malformed { transform: String, message: String },
    #[error(
        "transform {transform} {what} in an integrate cycle; the target would keep rows the source changed or deleted, so nothing was applied (a transform that means to must declare may-drop-deletes / may-change-keys)"
    )]
    Unsafe { transform: String, what: String },
    #[error("--transform-option {key}: transform {transform} has no such option (it has: {known})")]
    UnknownOption {
        transform: String,
        key: String,
        known: String,
    },
    #[error(
        "--transform-option {option} names no transform of this call, and the call has more than one: prefix the key with the transform's name and a dot, one of: {names}"
    )]
    UnaddressedOption { option: String, names: String },
    #[error(
        "--transform-option {option} names more than one transform of this call (the same transform twice?); give each a file of its own name"
    )]
    AmbiguousOption { option: String },
    #[error("--transform-option {option} is given, but no --transform")]
    NoTransform { option: String },
}

/// A transform opened for one table.
pub trait TableTransform: Send {
    /// Columns appended after the received ones.
    fn added_columns(&self) -> &[String];
    /// Rewrites one batch whose columns are named `names`; the output's shape is checked
    /// by the caller.
    fn transform(
        &mut self,
        batch: &TextBatch,
        names: &[String],
    ) -> Result<TextBatch, TransformFailure>;
}

/// The seam to a transform guest; the sandbox implements it for every served version.
pub trait Transformer: Send {
    fn name(&self) -> &str;
    fn info(&self) -> &TransformInfo;
    /// Opens the transform for one table with its own options.
    fn open(
        &mut self,
        context: &TransformContext,
        options: &[(String, String)],
    ) -> Result<Box<dyn TableTransform + '_>, TransformFailure>;
}
