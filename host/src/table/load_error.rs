//! A batch's load failure, located: the file, and the line of the row the server names when
//! it can be told, else the batch's lines.

use super::TableError;
use crate::hvr::FileEntry;
use crate::odbc::OdbcError;
use crate::rows::Position;

/// A batch's load failure, naming the row the server names (see [`load_error_at`]).
pub(super) fn load_error(
    file: &FileEntry,
    span: (Position, Position),
    rows: usize,
    source: OdbcError,
) -> TableError {
    let row = source.failed_row();
    load_error_at(file, span, rows, row, source)
}

/// A load failure about a batch of `rows` rows at `span`, and `row` (from 1) of it when the
/// server names one: its line when each of the batch's rows is one line of the file (the
/// lines from its first row to its last are as many as its rows), else the batch's lines.
pub(super) fn load_error_at(
    file: &FileEntry,
    span: (Position, Position),
    rows: usize,
    row: Option<u64>,
    source: OdbcError,
) -> TableError {
    let context = match (span, row) {
        ((Position::Line(a), Position::Line(b)), Some(row))
            if b >= a && b - a + 1 == rows as u64 && row <= rows as u64 =>
        {
            format!(
                "line {} (row {row} of the batch of lines {a}-{b})",
                a + row - 1
            )
        }
        _ => rows_between(span),
    };
    TableError::Load {
        file: file.name.clone(),
        context,
        source: Box::new(source),
    }
}

/// `rows of lines 3-9`, as CSV errors always said; `rows from row group 1, row 1 to ...`
/// for the formats whose positions have two parts.
pub(super) fn rows_between((first, last): (Position, Position)) -> String {
    match (first, last) {
        (Position::Line(a), Position::Line(b)) => format!("rows of lines {a}-{b}"),
        (Position::Element(a), Position::Element(b)) => format!("rows {a}-{b}"),
        (a, b) => format!("rows from {a} to {b}"),
    }
}
